/* SPDX-License-Identifier: MIT */
/* Unit tests for active speaker selection: the loudest win, max speakers, hysteresis with
 * no flicker, hold time, muting, leaving, and the events. */
#include <glib.h>

#include "media/speaker_select.h"

#define MS   1000u
#define TICK (20 * MS)

struct run {
	struct speaker_select *sel;
	uint64_t now_us;
	unsigned changes; /* events seen */
};

static void run_init(struct run *r, unsigned max_speakers, unsigned capacity)
{
	struct speaker_select_config cfg;

	speaker_select_config_init(&cfg);
	cfg.max_speakers = max_speakers;
	r->sel = speaker_select_new(&cfg, capacity);
	r->now_us = 5000 * MS;
	r->changes = 0;
}

static void tick(struct run *r)
{
	r->changes += (unsigned)speaker_select_tick(r->sel, r->now_us);
	r->now_us += TICK;
}

static bool has(struct run *r, unsigned slot)
{
	return speaker_select_is_speaker(r->sel, slot);
}

static size_t count(struct run *r)
{
	const unsigned *speakers;

	return speaker_select_speakers(r->sel, &speakers);
}

/* Ten talkers at once: exactly the three loudest get the floor, in one tick. */
static void test_max_speakers(void)
{
	struct run r;
	const struct speaker_event *events;

	run_init(&r, 3, 16);
	for (unsigned i = 0; i < 10; i++)
		speaker_select_set(r.sel, i, -40.0f + (float)i, true, false);
	tick(&r);
	g_assert_cmpuint(count(&r), ==, 3);
	g_assert_true(has(&r, 9) && has(&r, 8) && has(&r, 7));
	g_assert_cmpuint(speaker_select_events(r.sel, &events), ==, 3);
	g_assert_true(events[0].speaking);
	g_assert_cmpuint(events[0].slot, ==, 9);
	for (int t = 0; t < 200; t++) {
		tick(&r);
		g_assert_cmpuint(count(&r), <=, 3);
	}
	g_assert_cmpuint(r.changes, ==, 3);
	speaker_select_free(r.sel);
}

/* Nobody speaking: nobody selected, however loud the noise. */
static void test_not_speaking(void)
{
	struct run r;

	run_init(&r, 3, 4);
	speaker_select_set(r.sel, 0, -10.0f, false, false);
	tick(&r);
	g_assert_cmpuint(count(&r), ==, 0);
	speaker_select_free(r.sel);
}

/*
 * Two talkers whose levels alternate every 100 ms by 10 dB (crosstalk, a shared room):
 * with one place, the floor never moves, because neither stays louder for switch_ms.
 */
static void test_no_flicker(void)
{
	struct run r;

	run_init(&r, 1, 4);
	for (int t = 0; t < 500; t++) { /* 10 s */
		bool a_loud = (t / 5) % 2 == 0;

		speaker_select_set(r.sel, 0, a_loud ? -20.0f : -30.0f, true, false);
		speaker_select_set(r.sel, 1, a_loud ? -30.0f : -20.0f, true, false);
		tick(&r);
	}
	g_assert_cmpuint(r.changes, ==, 1); /* the first selection only */
	g_assert_true(has(&r, 0));
	speaker_select_free(r.sel);
}

/* A challenger 10 dB louder for good takes over, after switch_ms (300) and only once the
 * speaker's 1 s hold is over; one only 4 dB louder (under the 6 dB margin) never does. */
static void test_hysteresis_and_hold(void)
{
	struct run r;
	uint64_t start, took_over = 0;

	run_init(&r, 1, 4);
	speaker_select_set(r.sel, 0, -30.0f, true, false);
	tick(&r);
	start = r.now_us - TICK;
	g_assert_true(has(&r, 0));

	speaker_select_set(r.sel, 2, -26.0f, true, false); /* under the margin */
	speaker_select_set(r.sel, 1, -20.0f, true, false);
	for (int t = 0; t < 100 && !took_over; t++) {
		tick(&r);
		if (has(&r, 1))
			took_over = r.now_us - TICK;
	}
	g_assert_cmpuint(took_over, >=, start + 1000 * MS);
	g_assert_cmpuint(took_over, <, start + 1000 * MS + 2 * TICK);
	g_assert_false(has(&r, 0));

	/* Once speaker 1 has held for 1 s, a fresh challenger needs its own 300 ms. */
	for (int t = 0; t < 60; t++)
		tick(&r);
	speaker_select_set(r.sel, 3, -5.0f, true, false);
	for (int t = 0; t < 14; t++) {
		tick(&r);
		g_assert_true(has(&r, 1));
	}
	for (int t = 0; t < 3; t++)
		tick(&r);
	g_assert_true(has(&r, 3));
	g_assert_false(has(&r, 2));
	speaker_select_free(r.sel);
}

/* A speaker who falls silent keeps the floor for the rest of its hold time. */
static void test_hold_when_silent(void)
{
	struct run r;
	int held_ticks = 0;

	run_init(&r, 3, 4);
	speaker_select_set(r.sel, 0, -20.0f, true, false);
	tick(&r);
	speaker_select_set(r.sel, 0, -90.0f, false, false);
	while (has(&r, 0) && held_ticks < 200) {
		tick(&r);
		held_ticks++;
	}
	/* selected at tick 0, dropped at the first tick 1 s later */
	g_assert_cmpint(held_ticks, ==, 50);
	speaker_select_free(r.sel);
}

/* Muted participants are never chosen, and lose the floor at once when muted. */
static void test_muted(void)
{
	struct run r;
	const struct speaker_event *events;

	run_init(&r, 2, 4);
	speaker_select_set(r.sel, 0, -5.0f, true, true); /* the loudest, but muted */
	speaker_select_set(r.sel, 1, -30.0f, true, false);
	speaker_select_set(r.sel, 2, -35.0f, true, false);
	for (int t = 0; t < 100; t++) {
		tick(&r);
		g_assert_false(has(&r, 0));
	}
	g_assert_true(has(&r, 1) && has(&r, 2));

	speaker_select_set(r.sel, 1, -30.0f, true, true); /* muted while speaking */
	tick(&r);
	g_assert_false(has(&r, 1));
	g_assert_cmpuint(speaker_select_events(r.sel, &events), ==, 1);
	g_assert_cmpuint(events[0].slot, ==, 1);
	g_assert_false(events[0].speaking);
	speaker_select_free(r.sel);
}

/* A speaker who leaves is dropped at the next tick; its place is given at once. */
static void test_leave(void)
{
	struct run r;
	const struct speaker_event *events;

	run_init(&r, 1, 4);
	speaker_select_set(r.sel, 0, -20.0f, true, false);
	speaker_select_set(r.sel, 1, -25.0f, true, false);
	tick(&r);
	g_assert_true(has(&r, 0));
	speaker_select_remove(r.sel, 0);
	tick(&r);
	g_assert_true(has(&r, 1));
	g_assert_cmpuint(speaker_select_events(r.sel, &events), ==, 2);
	g_assert_false(events[0].speaking);
	g_assert_cmpuint(events[0].slot, ==, 0);
	g_assert_true(events[1].speaking);
	g_assert_cmpuint(events[1].slot, ==, 1);
	g_assert_cmpint(speaker_select_set(r.sel, 4, 0, true, false), <, 0);
	speaker_select_free(r.sel);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/audio/speakers/max-speakers", test_max_speakers);
	g_test_add_func("/audio/speakers/not-speaking", test_not_speaking);
	g_test_add_func("/audio/speakers/no-flicker", test_no_flicker);
	g_test_add_func("/audio/speakers/hysteresis-and-hold", test_hysteresis_and_hold);
	g_test_add_func("/audio/speakers/hold-when-silent", test_hold_when_silent);
	g_test_add_func("/audio/speakers/muted", test_muted);
	g_test_add_func("/audio/speakers/leave", test_leave);
	return g_test_run();
}
