/* SPDX-License-Identifier: MIT */
/* Unit tests of tier selection, with injected time: a receiver starts on the tier its
 * estimate allows, switches only at key frames, goes down at once and up only after the
 * estimate has held above the better tier plus the margin for the hold time, and below
 * the lowest tier still gets it at half or a quarter of its frame rate, never nothing. */
#include <glib.h>

#include "media/tier_select.h"

#define MS 1000ull
#define S  1000000ull

/* The default tiers: 1500, 500, 150 kb/s; the lowest with 3 temporal layers. */
static const struct tier_select_tier tiers[] = {{1500, 1}, {500, 1}, {150, 3}};

static const uint8_t pattern3[] = {0, 2, 1, 2};

static struct video_encoded frame(unsigned tier, bool key, uint8_t tid)
{
	return (struct video_encoded){.tier = tier, .keyframe = key, .tid = tid};
}

static void init(struct tier_select *ts)
{
	tier_select_init(ts, NULL, tiers, G_N_ELEMENTS(tiers));
}

/* Feeds one 30 fps tick of all three tiers (the lowest at 15 fps: every other tick, with
 * its 0 2 1 2 layer pattern) with no key frames; returns which tier's frame was accepted
 * (-1: none) and sets *tid to its layer. */
static int tick(struct tier_select *ts, uint64_t now, unsigned n, uint8_t *tid)
{
	int accepted = -1;

	for (unsigned t = 0; t < 3; t++) {
		struct video_encoded f;

		if (t == 2 && n % 2)
			continue;
		f = frame(t, false, t == 2 ? pattern3[(n / 2) % 4] : 0);
		if (tier_select_accept(ts, &f, now)) {
			g_assert_cmpint(accepted, ==, -1); /* one tier at a time */
			accepted = (int)t;
			*tid = f.tid;
		}
	}
	return accepted;
}

/* Sends a key frame of tier t, as the encoder would after a request. */
static bool keyframe(struct tier_select *ts, unsigned t, uint64_t now)
{
	struct video_encoded f = frame(t, true, 0);

	return tier_select_accept(ts, &f, now);
}

static void test_join(void)
{
	struct tier_select ts;
	struct video_encoded f;
	uint8_t tid;

	init(&ts);
	tier_select_set_estimate(&ts, 2000000, 0);
	g_assert_cmpint(tier_select_current(&ts), ==, -1);
	g_assert_cmpint(tier_select_pending(&ts), ==, 0);
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, 0); /* a new receiver gets one */
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, -1);
	/* Nothing until the key frame: delta frames would not decode. */
	g_assert_cmpint(tick(&ts, 10 * MS, 0, &tid), ==, -1);
	f = frame(1, true, 0);
	g_assert_false(tier_select_accept(&ts, &f, 20 * MS)); /* another tier's key frame */
	g_assert_true(keyframe(&ts, 0, 30 * MS));
	g_assert_cmpint(tier_select_current(&ts), ==, 0);
	g_assert_cmpint(tick(&ts, 60 * MS, 1, &tid), ==, 0);

	/* A PLI asks the current tier for a key frame. */
	tier_select_on_pli(&ts);
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, 0);

	/* Joining at 300 kb/s starts on the middle tier. */
	init(&ts);
	tier_select_set_estimate(&ts, 300000, 0);
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, 2);
	init(&ts);
	tier_select_set_estimate(&ts, 520000, 0);
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, 1);
}

/* Down at once (the switch itself waits for the lower tier's key frame); up only after
 * 4 s above the better tier's bitrate + 15%, a dip restarting the hold. */
static void test_hysteresis(void)
{
	struct tier_select ts;
	uint64_t now = 0;
	unsigned n = 0;
	uint8_t tid;

	init(&ts);
	tier_select_set_estimate(&ts, 2000000, now);
	g_assert_true(keyframe(&ts, 0, now));
	tier_select_keyframe_wanted(&ts);

	/* 1.2 Mb/s < 1.5: down to the middle tier, asked at once. */
	now += S;
	tier_select_set_estimate(&ts, 1200000, now);
	g_assert_cmpint(tier_select_pending(&ts), ==, 1);
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, 1);
	/* Until its key frame comes, the receiver keeps the top tier: never a gap. */
	g_assert_cmpint(tick(&ts, now + 10 * MS, n++, &tid), ==, 0);
	g_assert_true(keyframe(&ts, 1, now + 40 * MS));
	g_assert_cmpint(tier_select_current(&ts), ==, 1);
	g_assert_cmpint(tick(&ts, now + 70 * MS, n++, &tid), ==, 1);

	/* 1.6 Mb/s beats 1.5 but not 1.5 + 15%: no move in 10 s. */
	for (unsigned i = 0; i < 300; i++, now += 33 * MS) {
		tier_select_set_estimate(&ts, 1600000, now);
		g_assert_cmpint(tick(&ts, now, n++, &tid), ==, 1);
	}
	g_assert_cmpint(tier_select_pending(&ts), ==, -1);
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, -1);

	/* 1.8 Mb/s for 3 s, a dip to 1.0 Mb/s, then 1.8 Mb/s again: 4 s from the dip. */
	uint64_t start = now;
	for (; now < start + 3 * S; now += 100 * MS)
		tier_select_set_estimate(&ts, 1800000, now);
	tier_select_set_estimate(&ts, 1000000, now);
	g_assert_cmpint(tier_select_pending(&ts), ==, -1);
	start = now += 100 * MS;
	for (; now < start + 4 * S - 100 * MS; now += 100 * MS) {
		tier_select_set_estimate(&ts, 1800000, now);
		g_assert_cmpint(tier_select_pending(&ts), ==, -1);
	}
	now = start + 4 * S;
	tier_select_set_estimate(&ts, 1800000, now);
	g_assert_cmpint(tier_select_pending(&ts), ==, 0);
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, 0);
	g_assert_true(keyframe(&ts, 0, now + 20 * MS));
	g_assert_cmpint(tier_select_current(&ts), ==, 0);
	g_assert_cmpuint(ts.stats.switches_up, ==, 1);
	g_assert_cmpuint(ts.stats.switches_down, ==, 1);

	/* A switch whose key frame does not come asks again after a second. */
	tier_select_set_estimate(&ts, 600000, now + S);
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, 1);
	tier_select_set_estimate(&ts, 600000, now + S + 500 * MS);
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, -1);
	tier_select_set_estimate(&ts, 600000, now + 2 * S);
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, 1);
	/* The estimate recovers before the switch happened: the switch is called off. */
	tier_select_set_estimate(&ts, 2000000, now + 2 * S + 100 * MS);
	g_assert_cmpint(tier_select_pending(&ts), ==, -1);
	g_assert_cmpint(tier_select_current(&ts), ==, 0);
}

/* Frames of the lowest tier accepted over 4 s at an estimate: 15 fps, 3 layers. */
static unsigned floor_frames(struct tier_select *ts, uint64_t *now, unsigned *n, uint64_t bps,
                             unsigned *max_tid_seen)
{
	unsigned sent = 0;
	uint8_t tid;

	*max_tid_seen = 0;
	for (unsigned i = 0; i < 120; i++, *now += 33333) {
		tier_select_set_estimate(ts, bps, *now);
		if (tick(ts, *now, (*n)++, &tid) == 2) {
			sent++;
			*max_tid_seen = MAX(*max_tid_seen, tid);
		}
	}
	return sent;
}

static void test_floor_reduced_rate(void)
{
	struct tier_select ts;
	uint64_t now = 0;
	unsigned n = 0, sent, top;

	init(&ts);
	tier_select_set_estimate(&ts, 100000, now); /* below 150 kb/s */
	g_assert_cmpint(tier_select_keyframe_wanted(&ts), ==, 2);
	g_assert_true(keyframe(&ts, 2, now));
	/* 100 kb/s >= 60% of 150: layers 0-1, half of 15 fps. */
	sent = floor_frames(&ts, &now, &n, 100000, &top);
	g_test_message("100 kb/s: %u frames in 4 s, layers up to %u", sent, top);
	g_assert_cmpuint(sent, >=, 29);
	g_assert_cmpuint(sent, <=, 31);
	g_assert_cmpuint(top, ==, 1);
	/* 40 kb/s: layer 0 only, a quarter of 15 fps; still pictures, never a black screen. */
	sent = floor_frames(&ts, &now, &n, 40000, &top);
	g_test_message("40 kb/s: %u frames in 4 s, layers up to %u", sent, top);
	g_assert_cmpuint(sent, >=, 14);
	g_assert_cmpuint(sent, <=, 16);
	g_assert_cmpuint(top, ==, 0);
	g_assert_cmpuint(tier_select_max_tid(&ts), ==, 0);
	/* Even at 0 b/s. */
	sent = floor_frames(&ts, &now, &n, 0, &top);
	g_assert_cmpuint(sent, >=, 14);
	/* Back to 200 kb/s: full rate again, but only after the hold (4 s), and starting at
	 * a layer-0 frame. */
	sent = floor_frames(&ts, &now, &n, 200000, &top);
	g_assert_cmpuint(sent, <=, 17);
	sent = floor_frames(&ts, &now, &n, 200000, &top);
	g_test_message("200 kb/s after the hold: %u frames in 4 s", sent);
	g_assert_cmpuint(sent, >=, 56);
	g_assert_cmpuint(top, ==, 2);
	g_assert_cmpuint(ts.stats.frames_skipped_layer, >, 0);
}

/* Raising the layers waits for a layer-0 frame: a layer-2 frame right after the decision
 * would refer to a layer-1 frame the receiver never got. */
static void test_layers_rise_at_layer0(void)
{
	struct tier_select_config cfg;
	struct tier_select ts;
	struct video_encoded f;

	tier_select_config_init(&cfg);
	cfg.up_hold_us = 0;
	tier_select_init(&ts, &cfg, tiers, G_N_ELEMENTS(tiers));
	tier_select_set_estimate(&ts, 10000, 0);
	g_assert_true(keyframe(&ts, 2, 0));
	f = frame(2, false, 2);
	g_assert_false(tier_select_accept(&ts, &f, 1));
	tier_select_set_estimate(&ts, 1000000, 2); /* allows all layers at once (no hold) */
	f = frame(2, false, 1);
	g_assert_false(tier_select_accept(&ts, &f, 3));
	f = frame(2, false, 2);
	g_assert_false(tier_select_accept(&ts, &f, 4));
	f = frame(2, false, 0);
	g_assert_true(tier_select_accept(&ts, &f, 5));
	f = frame(2, false, 2);
	g_assert_true(tier_select_accept(&ts, &f, 6));
	f = frame(2, false, 1);
	g_assert_true(tier_select_accept(&ts, &f, 7));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tier-select/join", test_join);
	g_test_add_func("/tier-select/hysteresis", test_hysteresis);
	g_test_add_func("/tier-select/floor-reduced-rate", test_floor_reduced_rate);
	g_test_add_func("/tier-select/layers-rise-at-layer-0", test_layers_rise_at_layer0);
	return g_test_run();
}
