/* SPDX-License-Identifier: MIT */
/* Mapping a stream's 32-bit RTP timestamps onto the recording's running time: extended
 * across wrap-around, anchored to the caller's clock at the first packet, re-anchored
 * after a gap or a jump, never going backwards. Pure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* How far the RTP clock may stray from the caller's clock before the timeline trusts the
 * caller's clock again (a sender restarted, paused without advancing, or jumped). */
#define RTP_TIMELINE_RESYNC_NS 1000000000LL

/* One stream's mapping; plain value, one owner (the thread pushing that stream). */
struct rtp_timeline {
	uint32_t clock_rate;
	bool started;
	uint32_t last_rtp;  /* the last timestamp seen */
	int64_t last_ext;   /* it, extended to 64 bits */
	int64_t anchor_ext; /* the extended timestamp at the anchor */
	int64_t anchor_ns;  /* the running time at the anchor */
	int64_t last_ns;    /* the last running time handed out */
	uint64_t resyncs;   /* re-anchorings after a gap or jump */
};

/* Starts an empty timeline for a clock of `clock_rate` Hz (48000 for Opus, 90000 for
 * VP8). */
void rtp_timeline_init(struct rtp_timeline *t, uint32_t clock_rate);

/*
 * Maps `rtp_ts`, which the caller's clock says belongs at `now_ns` (a running time in
 * nanoseconds shared by every stream of the recording, e.g. the capture or tick time
 * minus the recording's start), to the running time at which to present it, in *out_ns.
 * The first packet is presented at now_ns; the next ones at that plus their RTP distance
 * (wrap-around taken as the shorter way round), so the RTP clock alone sets the spacing.
 * When that strays more than RTP_TIMELINE_RESYNC_NS from now_ns, the packet is presented
 * at now_ns instead and the timeline re-anchored there (counted in resyncs). Returns 0;
 * -ERANGE when the result would not be after the last one handed out (a duplicate or a
 * reordered packet: the caller drops it), leaving the timeline unchanged.
 */
int rtp_timeline_map(struct rtp_timeline *t, uint32_t rtp_ts, int64_t now_ns, int64_t *out_ns);
