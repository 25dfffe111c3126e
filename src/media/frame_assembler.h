/* SPDX-License-Identifier: MIT */
/* RTP packets of one VP8 stream (one SSRC) into complete frames, in order, with loss
 * detection: an incomplete frame is dropped and decoding waits for the next key frame. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/rtp.h"

#define FRAME_ASSEMBLER_PAYLOAD_MAX 1500 /* largest RTP payload kept */

/* frame_assembler_config_init() sets the defaults shown. */
struct frame_assembler_config {
	unsigned window;        /* packets held at once, a power of two 16..4096; 512 */
	uint64_t max_wait_us;   /* how long a frame with a hole waits for the missing
	                         * packets (NACK retransmissions) once later packets show
	                         * the hole; 150 ms */
	size_t max_frame_bytes; /* larger frames are dropped as lost; 2 MiB */
};

void frame_assembler_config_init(struct frame_assembler_config *cfg);

struct frame_assembler_stats {
	uint64_t packets;        /* accepted */
	uint64_t duplicates;     /* the same sequence number twice */
	uint64_t late;           /* older than the frames already handed out or dropped */
	uint64_t invalid;        /* not a VP8 payload, or too large */
	uint64_t frames;         /* complete frames handed out */
	uint64_t keyframes;      /* of which key frames */
	uint64_t frames_lost;    /* incomplete frames dropped (a hole that did not fill) */
	uint64_t frames_skipped; /* complete frames dropped while waiting for a key frame */
	uint64_t packets_lost;   /* sequence numbers never received */
	uint64_t losses;         /* times decoding had to stop and wait for a key frame */
	uint64_t resets;         /* stream restarts (new SSRC, jump out of the window) */
};

/*
 * One complete frame, as frame_assembler_pop() hands it out: the VP8 data of its packets
 * in sequence order, descriptors stripped. data is owned by the assembler and valid until
 * its next put, pop or free.
 */
struct assembled_frame {
	const uint8_t *data;
	size_t len;
	uint32_t ssrc;
	uint32_t timestamp;
	uint16_t first_seq, last_seq;
	uint64_t arrival_us; /* when its last packet arrived */
	bool keyframe;
	uint16_t width, height; /* key frames only */
	bool has_picture_id;
	uint16_t picture_id;
	uint8_t tid;
};

struct frame_assembler;

/* A new assembler (cfg NULL: defaults), waiting for a key frame; name labels its log
 * lines (copied). Returns NULL for an invalid cfg. The caller owns the result. Packet
 * buffers are allocated as the number held at once grows and reused after. */
struct frame_assembler *frame_assembler_new(const struct frame_assembler_config *cfg,
                                            const char *name);
void frame_assembler_free(struct frame_assembler *fa);

/*
 * Stores one RTP packet (pkt->payload is copied) that arrived at arrival_us. A new SSRC,
 * or a sequence number more than the window ahead, restarts the stream (what was held is
 * dropped; decoding waits for a key frame). Returns 0; -EINVAL for a payload that is not
 * VP8 or exceeds FRAME_ASSEMBLER_PAYLOAD_MAX; -EALREADY for a duplicate; -ESTALE for a
 * packet older than what was already handed out. No allocation once the packet buffers
 * have grown to the stream's needs. Single owner: the caller serialises put and pop.
 */
int frame_assembler_put(struct frame_assembler *fa, const struct rtp_packet *pkt,
                        uint64_t arrival_us);

/*
 * Hands out the next complete frame in order into *out and returns 0, or returns -EAGAIN
 * when there is none yet. While waiting for a key frame (at the start, after a loss, or
 * after frame_assembler_wait_keyframe()), complete delta frames are dropped, not handed
 * out. A hole (missing sequence numbers followed by later packets) waits for at most
 * max_wait_us from now_us of the first pop that saw it; then the frames it spoils are
 * dropped, counted as lost, and the assembler waits for a key frame.
 */
int frame_assembler_pop(struct frame_assembler *fa, uint64_t now_us, struct assembled_frame *out);

/* True from the start, a loss or a wait_keyframe() until a key frame is handed out: the
 * owner should ask the sender for one (PLI). */
bool frame_assembler_wants_keyframe(const struct frame_assembler *fa);

/* Drops delta frames until the next key frame (e.g. after a decode error, or when the
 * decoder skipped frames because nobody was looking). */
void frame_assembler_wait_keyframe(struct frame_assembler *fa);

/* Forgets every packet and waits for a key frame; counters are kept. */
void frame_assembler_reset(struct frame_assembler *fa);

void frame_assembler_get_stats(const struct frame_assembler *fa, struct frame_assembler_stats *out);
