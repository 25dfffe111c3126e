/* SPDX-License-Identifier: MIT */
/* Per receiver: which tier of its view to send, from its bandwidth estimate, switching only
 * at key frames, up with hysteresis, down at once; below the lowest tier, that tier at a
 * reduced frame rate by dropping its upper temporal layers. Pure logic, injected time. */
#include "media/tier_select.h"

#include <string.h>

#define ALL_LAYERS 0xff

void tier_select_config_init(struct tier_select_config *cfg)
{
	*cfg = (struct tier_select_config){
	    .up_margin_percent = 15,
	    .up_hold_us = 4000000,
	    .half_rate_percent = 60,
	    .rerequest_us = 1000000,
	};
}

void tier_select_init(struct tier_select *ts, const struct tier_select_config *cfg,
                      const struct tier_select_tier *tiers, unsigned count)
{
	memset(ts, 0, sizeof(*ts));
	if (cfg)
		ts->cfg = *cfg;
	else
		tier_select_config_init(&ts->cfg);
	ts->tier_count = count < 1 ? 1 : count > TIER_SELECT_MAX ? TIER_SELECT_MAX : count;
	for (unsigned i = 0; i < ts->tier_count; i++) {
		ts->tiers[i] = count ? tiers[i] : (struct tier_select_tier){100, 1};
		if (ts->tiers[i].temporal_layers < 1)
			ts->tiers[i].temporal_layers = 1;
	}
	ts->current = -1;
	ts->pending = -1;
	ts->keyframe_tier = -1;
	ts->max_tid = ALL_LAYERS;
	ts->target_tid = ALL_LAYERS;
}

static int lowest(const struct tier_select *ts)
{
	return (int)ts->tier_count - 1;
}

/* The best tier whose bitrate, raised by percent, fits the estimate; the lowest if none. */
static int best_fit(const struct tier_select *ts, unsigned percent)
{
	for (unsigned i = 0; i < ts->tier_count; i++)
		if ((uint64_t)ts->tiers[i].kbps * (100 + percent) * 10 <= ts->estimate_bps)
			return (int)i;
	return lowest(ts);
}

/* The temporal layers the estimate allows on the lowest tier (with a margin when rising). */
static uint8_t layers_allowed(const struct tier_select *ts, unsigned percent)
{
	const struct tier_select_tier *t = &ts->tiers[lowest(ts)];
	uint64_t full = (uint64_t)t->kbps * (100 + percent) * 10;

	if (t->temporal_layers <= 1 || ts->estimate_bps >= full)
		return ALL_LAYERS;
	if (t->temporal_layers >= 3 && ts->estimate_bps >= full * ts->cfg.half_rate_percent / 100)
		return 1;
	return 0;
}

static void aim(struct tier_select *ts, int tier, uint64_t now_us)
{
	if (tier == ts->current) {
		ts->pending = -1;
		return;
	}
	if (tier == ts->pending)
		return;
	ts->pending = tier;
	ts->pending_since_us = now_us;
	ts->keyframe_tier = tier;
	ts->stats.keyframe_requests++;
}

/* A hold: true once the better option has been allowed for up_hold_us without a break. */
static bool held_long_enough(const struct tier_select *ts, bool allowed, bool *waiting,
                             uint64_t *since_us, uint64_t now_us)
{
	if (!allowed) {
		*waiting = false;
		return false;
	}
	if (!*waiting) {
		*waiting = true;
		*since_us = now_us;
	}
	return now_us - *since_us >= ts->cfg.up_hold_us;
}

/* The temporal layers sent on the lowest tier: fewer at once, more after the hold. */
static void evaluate_layers(struct tier_select *ts, uint64_t now_us)
{
	uint8_t layers = layers_allowed(ts, 0);

	if (layers < ts->target_tid) {
		ts->target_tid = ts->max_tid = layers;
		ts->tid_waiting = false;
	} else if (layers > ts->target_tid) {
		layers = layers_allowed(ts, ts->cfg.up_margin_percent);
		if (held_long_enough(ts, layers > ts->target_tid, &ts->tid_waiting,
		                     &ts->tid_since_us, now_us))
			ts->target_tid = layers;
	} else {
		ts->tid_waiting = false;
	}
}

static void evaluate(struct tier_select *ts, uint64_t now_us)
{
	int base = ts->pending >= 0 ? ts->pending : ts->current;
	int fit = best_fit(ts, 0), up;

	if (base < 0) {
		/* Joining: no hysteresis, start where the estimate says. */
		aim(ts, fit, now_us);
		return;
	}
	if (ts->current >= 0 && ts->pending > ts->current && fit <= ts->current) {
		/* A move down not made yet and no longer needed: stay. */
		aim(ts, ts->current, now_us);
		base = ts->current;
	}
	if (fit > base) {
		aim(ts, fit, now_us); /* down: at once */
		ts->up_waiting = false;
	} else if (fit < base) {
		up = best_fit(ts, ts->cfg.up_margin_percent);
		if (held_long_enough(ts, up < base, &ts->up_waiting, &ts->up_since_us, now_us)) {
			aim(ts, up, now_us);
			ts->up_waiting = false;
		}
	} else {
		ts->up_waiting = false;
	}
	if (ts->current == lowest(ts))
		evaluate_layers(ts, now_us);
	if (ts->pending >= 0 && now_us - ts->pending_since_us >= ts->cfg.rerequest_us) {
		ts->keyframe_tier = ts->pending;
		ts->pending_since_us = now_us;
	}
}

void tier_select_set_estimate(struct tier_select *ts, uint64_t bps, uint64_t now_us)
{
	ts->estimate_bps = bps;
	evaluate(ts, now_us);
}

/* Switching onto a tier: the layers the estimate allows there, with no wait. */
static void enter(struct tier_select *ts, int tier)
{
	if (tier < ts->current)
		ts->stats.switches_up++;
	else if (ts->current >= 0)
		ts->stats.switches_down++;
	ts->current = tier;
	ts->pending = -1;
	if (ts->keyframe_tier == tier)
		ts->keyframe_tier = -1; /* the key frame it wished for is this one */
	ts->up_waiting = false;
	ts->tid_waiting = false;
	ts->target_tid = ts->max_tid = tier == lowest(ts) ? layers_allowed(ts, 0) : ALL_LAYERS;
}

bool tier_select_accept(struct tier_select *ts, const struct video_encoded *f, uint64_t now_us)
{
	evaluate(ts, now_us);
	if (ts->pending >= 0 && (int)f->tier == ts->pending && f->keyframe) {
		enter(ts, ts->pending);
		ts->stats.frames_sent++;
		return true;
	}
	if ((int)f->tier != ts->current || ts->current < 0)
		return false;
	/* After a layer-0 frame every later frame refers only to what will have been sent. */
	if (f->tid == 0 && ts->target_tid > ts->max_tid)
		ts->max_tid = ts->target_tid;
	if (f->tid > ts->max_tid && !f->keyframe) {
		ts->stats.frames_skipped_layer++;
		return false;
	}
	ts->stats.frames_sent++;
	return true;
}

void tier_select_on_pli(struct tier_select *ts)
{
	int tier = ts->pending >= 0 ? ts->pending : ts->current;

	if (tier >= 0) {
		ts->keyframe_tier = tier;
		ts->stats.keyframe_requests++;
	}
}

int tier_select_keyframe_wanted(struct tier_select *ts)
{
	int tier = ts->keyframe_tier;

	ts->keyframe_tier = -1;
	return tier;
}

int tier_select_current(const struct tier_select *ts)
{
	return ts->current;
}

int tier_select_pending(const struct tier_select *ts)
{
	return ts->pending;
}

unsigned tier_select_max_tid(const struct tier_select *ts)
{
	return ts->max_tid;
}
