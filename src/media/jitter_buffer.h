/* SPDX-License-Identifier: MIT */
/* Per-participant audio jitter buffer: reorders RTP packets, adapts its delay to the measured
 * jitter, and tells the decoder each 20 ms what to do (decode, FEC, conceal or silence). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/opus_codec.h"
#include "proto/rtp.h"
#include "proto/rtp_ext.h"

/* Slots, one 20 ms frame each: 640 ms, room for the 200 ms maximum delay plus reordering. */
#define JITTER_CAPACITY 32

/*
 * One received RTP packet, as the transport hands it over after SRTP and rtp_parse().
 * payload is borrowed for the call only (it is copied). arrival_us must come from the
 * same clock as the `now_us` given to jitter_buffer_pop() (g_get_monotonic_time() in the
 * server; a fake one in tests): the buffer never reads a clock itself.
 */
struct jitter_packet {
	uint32_t ssrc;
	uint16_t seq;
	uint32_t timestamp; /* RTP clock, 48 kHz for Opus */
	bool marker;
	uint64_t arrival_us;
	int level; /* RFC 6464 level 0..127 (-dBov, 0 loudest), or -1 if the packet had none */
	bool vad;  /* RFC 6464 voice activity bit (meaningful only when level >= 0) */
	const uint8_t *payload;
	size_t payload_len;
};

/*
 * Fills *out from a parsed RTP packet and its extension values (ext may be NULL: no
 * level). out's payload points into rtp's buffer, borrowed like rtp's own pointers.
 */
void jitter_packet_from_rtp(struct jitter_packet *out, const struct rtp_packet *rtp,
                            const struct rtp_ext_values *ext, uint64_t arrival_us);

/* What the decoder should do for this 20 ms frame. */
enum jitter_action {
	JITTER_ACTION_NONE,    /* nothing to play yet (no stream, or filling up): output silence */
	JITTER_ACTION_PACKET,  /* decode payload */
	JITTER_ACTION_FEC,     /* the frame is lost but the next packet is here: decode payload
	                        * (that next packet) with FEC, i.e. audio_decoder_decode_fec() */
	JITTER_ACTION_CONCEAL, /* the frame is lost or late: PLC, audio_decoder_conceal() */
	JITTER_ACTION_SILENCE, /* the sender is silent (DTX gap, or its stream paused): output
	                        * silence; no loss */
};

/* One popped frame. The payload is a copy, so it stays valid after the buffer's lock is
 * released and while other packets are put. */
struct jitter_frame {
	enum jitter_action action;
	uint32_t timestamp; /* RTP timestamp of the frame played (PACKET, FEC, CONCEAL) */
	int level;          /* RFC 6464 level of the packet played (PACKET only), else -1 */
	bool vad;
	size_t payload_len;
	uint8_t payload[AUDIO_PAYLOAD_MAX];
};

/* Policy knobs; jitter_config_init() sets the defaults shown. */
struct jitter_config {
	unsigned min_delay_ms;     /* 20 */
	unsigned max_delay_ms;     /* 200 */
	unsigned initial_delay_ms; /* 60: target until enough packets were measured */
	unsigned window;           /* 128 packets (2.56 s) of delay history */
	unsigned quantile_pct;     /* 97: the delay percentile to cover */
	unsigned max_conceal;      /* 5 frames of PLC in a row before an underrun is silence */
};

void jitter_config_init(struct jitter_config *cfg);

struct jitter_stats {
	uint64_t received;    /* packets accepted */
	uint64_t played;      /* frames decoded from their own packet */
	uint64_t lost;        /* sequence numbers never received by their turn */
	uint64_t fec;         /* lost frames handed out as JITTER_ACTION_FEC */
	uint64_t concealed;   /* frames handed out as JITTER_ACTION_CONCEAL */
	uint64_t silence;     /* frames handed out as JITTER_ACTION_SILENCE */
	uint64_t late;        /* packets that arrived after their turn (dropped) */
	uint64_t duplicates;  /* packets received twice (dropped) */
	uint64_t invalid;     /* packets rejected (too large, empty, bad jump) */
	uint64_t dropped;     /* frames dropped to shrink the delay or on overflow */
	uint64_t stretched;   /* frames inserted to grow the delay */
	uint64_t resyncs;     /* sender restarts (new SSRC, sequence or timestamp jump) */
	unsigned target_ms;   /* current target delay */
	int delay_ms;         /* current playout delay above the fastest packet's, at last pop */
	uint32_t jitter;      /* RFC 3550 interarrival jitter, RTP clock units (for RTCP RR) */
	uint32_t ssrc;        /* current stream */
	uint64_t highest_seq; /* extended highest sequence number received (for RTCP RR) */
};

struct jitter_buffer;

/*
 * Creates an empty buffer with cfg (NULL: defaults). name labels its log lines, e.g.
 * "room 12 / slot 3" (copied). All memory is allocated here; put and pop allocate nothing.
 * The caller owns the result. Not thread safe: one caller at a time (the mixer locks).
 */
struct jitter_buffer *jitter_buffer_new(const struct jitter_config *cfg, const char *name);
void jitter_buffer_free(struct jitter_buffer *jb);

/*
 * Stores one packet. A new SSRC, or a sequence number or timestamp jump that a second
 * packet confirms (RFC 3550 A.1 probation), restarts the buffer on the new stream.
 * Returns 0; -EALREADY for a duplicate, -ETIME for a packet whose turn has passed (late),
 * -EINVAL for an empty or oversized payload, -EAGAIN for a jump awaiting confirmation.
 * Dropped packets are counted in the stats.
 */
int jitter_buffer_put(struct jitter_buffer *jb, const struct jitter_packet *pkt);

/*
 * Hands out the next 20 ms frame: call exactly once per mixer tick with the tick's time.
 * Fills *out (see enum jitter_action) and returns 0.
 */
int jitter_buffer_pop(struct jitter_buffer *jb, uint64_t now_us, struct jitter_frame *out);

/* Forgets every packet, the stream, the measured delay and the stats, as new (a participant
 * slot being reused). */
void jitter_buffer_reset(struct jitter_buffer *jb);

void jitter_buffer_get_stats(const struct jitter_buffer *jb, struct jitter_stats *out);

/* The stats' resyncs and dropped counters alone: what the mixer compares around each put,
 * without copying the whole stats twice a packet. */
void jitter_buffer_get_drops(const struct jitter_buffer *jb, uint64_t *resyncs, uint64_t *dropped);
