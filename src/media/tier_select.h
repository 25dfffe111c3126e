/* SPDX-License-Identifier: MIT */
/* Per receiver: which tier of its view to send, from its bandwidth estimate, switching only
 * at key frames, up with hysteresis, down at once; below the lowest tier, that tier at a
 * reduced frame rate by dropping its upper temporal layers. Pure logic, injected time. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/video_tiers.h"
#include "media/video_encoded.h"

#define TIER_SELECT_MAX VIDEO_TIERS_MAX

/* tier_select_config_init() sets the defaults shown. */
struct tier_select_config {
	unsigned up_margin_percent; /* 15: a better tier needs estimate >= its bitrate + 15% */
	uint64_t up_hold_us;        /* 4 s: ... without a break for this long */
	unsigned half_rate_percent; /* 60: on the lowest tier with 3 layers, an estimate of at
	                             * least 60% of its bitrate gets layers 0-1 (half the frame
	                             * rate), less gets layer 0 (a quarter); with 2 layers,
	                             * less than its bitrate gets layer 0 (half) */
	uint64_t rerequest_us;      /* 1 s: a switch still waiting for its key frame asks again */
};

void tier_select_config_init(struct tier_select_config *cfg);

/* What the selector knows of each tier, best first: its bitrate and temporal layers. */
struct tier_select_tier {
	unsigned kbps;
	unsigned temporal_layers;
};

struct tier_select_stats {
	uint64_t frames_sent;
	uint64_t frames_skipped_layer; /* upper-layer frames held back on the lowest tier */
	uint64_t switches_up;
	uint64_t switches_down;
	uint64_t keyframe_requests;
};

/*
 * One receiver's state. Fields are private; the struct is public so a room can embed one
 * per receiver without allocating. Threads: whoever feeds the receiver (the room's media
 * thread) owns it.
 */
struct tier_select {
	struct tier_select_config cfg;
	struct tier_select_tier tiers[TIER_SELECT_MAX];
	unsigned tier_count;
	int current; /* tier being sent; -1 until the first key frame */
	int pending; /* tier waiting for its key frame; -1 when none */
	uint64_t pending_since_us;
	uint8_t max_tid;    /* highest temporal layer sent on the lowest tier */
	uint8_t target_tid; /* raised into max_tid at the next layer-0 frame */
	uint64_t estimate_bps;
	bool up_waiting;       /* the estimate allows a better tier ... */
	uint64_t up_since_us;  /* ... since this time */
	bool tid_waiting;      /* the estimate allows more layers on the lowest tier ... */
	uint64_t tid_since_us; /* ... since this time */
	int keyframe_tier;     /* a key frame to ask of this tier, -1 when none */
	struct tier_select_stats stats;
};

/*
 * Starts a receiver with tiers (count 1..TIER_SELECT_MAX, best first) and cfg (NULL:
 * defaults), estimate 0: it will start on the tier its first estimate allows, at once.
 */
void tier_select_init(struct tier_select *ts, const struct tier_select_config *cfg,
                      const struct tier_select_tier *tiers, unsigned count);

/*
 * The receiver's bandwidth estimate (from REMB or transport-wide congestion control), in
 * bits per second, at now_us. Decides the tier to aim for: the best one whose bitrate
 * fits, at once when that is lower than the one being sent (or waited for), and only
 * after the estimate has beaten a better tier's bitrate by the margin for the hold time
 * when it is higher. A change of tier asks a key frame of the new tier (see
 * tier_select_keyframe_wanted()) and takes effect with it.
 */
void tier_select_set_estimate(struct tier_select *ts, uint64_t bps, uint64_t now_us);

/*
 * Whether to send frame f (of this receiver's view) to the receiver, at now_us. True
 * for the frames of the tier being sent, except upper temporal layers the estimate does
 * not allow on the lowest tier; a key frame of the tier being waited for makes the
 * switch and is sent. Raising the layers sent waits for a layer-0 frame, so what is sent
 * always decodes. Also re-evaluates the hold time.
 */
bool tier_select_accept(struct tier_select *ts, const struct video_encoded *f, uint64_t now_us);

/* The receiver reported a loss (PLI or FIR): it needs a key frame of the tier it gets. */
void tier_select_on_pli(struct tier_select *ts);

/* A tier whose encoder should make a key frame for this receiver (joining, switching,
 * PLI), or -1. Clears the wish; the caller passes it to compositor_request_keyframe(). */
int tier_select_keyframe_wanted(struct tier_select *ts);

/* The tier being sent (-1 before the first key frame), the one waited for (-1 if none),
 * and the highest temporal layer sent. */
int tier_select_current(const struct tier_select *ts);
int tier_select_pending(const struct tier_select *ts);
unsigned tier_select_max_tid(const struct tier_select *ts);
