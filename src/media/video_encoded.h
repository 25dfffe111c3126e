/* SPDX-License-Identifier: MIT */
/* Reference-counted encoded video frames of one (view, tier) stream, with their RTP
 * payloads cut once and shared by every receiver; from pools that reuse their buffers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One RTP payload of a frame: payload bytes [offset, offset + len) of the frame's
 * payload buffer (VP8 descriptor included); marker on the frame's last packet. */
struct video_packet {
	uint32_t offset;
	uint16_t len;
	bool marker;
};

/*
 * One encoded frame of a (view, tier) stream and its packetisation, done once: the
 * egress writes an RTP header (SSRC, sequence number, timestamp: per receiver) in front
 * of each shared payload and protects it. A consumer that keeps the frame past the
 * compositor's next tick takes a reference (video_encoded_ref) and drops it when done,
 * from any thread. Nothing in it changes while a reference is held.
 */
struct video_encoded {
	int refcount; /* atomic; 0 = free in its pool */
	unsigned view, tier;
	uint64_t frame_number;  /* the view's composed frame it encodes */
	uint32_t rtp_timestamp; /* 90 kHz; the same on every tier of one composed frame */
	int width, height;
	bool keyframe;
	uint8_t tid;         /* temporal layer (0 on tiers without layers) */
	bool layer_sync;     /* decodable with only layer 0 before it (RFC 7741 Y) */
	bool non_reference;  /* nothing refers to it: droppable (RFC 7741 N) */
	uint16_t picture_id; /* 15 bits, +1 per frame of the stream */
	uint8_t tl0picidx;   /* +1 per layer-0 frame */
	bool has_layers;     /* the stream has temporal layers: TID and TL0PICIDX are sent */
	/* The VP8 frame. */
	uint8_t *data;
	size_t len;
	/* Its RTP payloads. */
	uint8_t *payloads;
	const struct video_packet *packets;
	unsigned packet_count;
	/* Private to the pool. */
	size_t data_cap, payloads_cap;
	struct video_packet *packet_table;
	unsigned packets_cap;
	struct video_encoded_pool *pool;
};

/* Takes a reference; returns e. Any thread. */
struct video_encoded *video_encoded_ref(struct video_encoded *e);

/* Drops a reference (NULL ignored); the last returns the frame to its pool. Any thread. */
void video_encoded_unref(struct video_encoded *e);

/* The payload of packet i (< packet_count): sets *len and *marker, returns its bytes. */
const uint8_t *video_encoded_payload(const struct video_encoded *e, unsigned i, size_t *len,
                                     bool *marker);

struct video_encoded_pool;

/* A pool of count frames (at least 1), buffers allocated as frames need them. The
 * creator owns one reference; the memory goes with the last frame unreffed. */
struct video_encoded_pool *video_encoded_pool_new(unsigned count);
void video_encoded_pool_release(struct video_encoded_pool *pool);

/* A free frame with one reference (the caller's), fields zeroed, or NULL when all are
 * still referenced (consumers too slow: the caller counts and skips). Creator's thread. */
struct video_encoded *video_encoded_pool_take(struct video_encoded_pool *pool);

/* Buffer (re)allocations so far: they stop once buffers fit the stream's largest frames. */
uint64_t video_encoded_pool_grows(const struct video_encoded_pool *pool);

/*
 * Copies len bytes of VP8 into e (growing its buffer if it is the largest frame yet)
 * and cuts them into RTP payloads of at most max_payload bytes, with a descriptor made
 * from e's fields: S on the first packet, 15-bit picture id, and TL0PICIDX/TID/Y when
 * has_layers, N when non_reference. Returns 0, or -EINVAL (empty frame, max_payload too
 * small for a descriptor and a byte). Creator's thread, before e is shared.
 */
int video_encoded_set(struct video_encoded *e, const uint8_t *data, size_t len, size_t max_payload);
