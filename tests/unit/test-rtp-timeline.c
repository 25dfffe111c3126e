/* SPDX-License-Identifier: MIT */
/* Tests of the recorder's RTP timeline: wrap-around, spacing from the RTP clock, gaps,
 * jumps, reordering, and two clocks meeting on one running time. */
#include "record/rtp_timeline.h"

#include <errno.h>
#include <glib.h>

#define MS 1000000LL

static int64_t map(struct rtp_timeline *t, uint32_t ts, int64_t now)
{
	int64_t out = -1;

	g_assert_cmpint(rtp_timeline_map(t, ts, now, &out), ==, 0);
	return out;
}

/* The first packet lands at the caller's time; later ones are spaced by their RTP
 * timestamps, whatever jitter the caller's clock had when they arrived. */
static void test_spacing_from_rtp(void)
{
	struct rtp_timeline t;

	rtp_timeline_init(&t, 48000);
	g_assert_cmpint(map(&t, 1000, 500 * MS), ==, 500 * MS);
	g_assert_cmpint(map(&t, 1960, 527 * MS), ==, 520 * MS); /* arrived 7 ms late */
	g_assert_cmpint(map(&t, 2920, 531 * MS), ==, 540 * MS); /* 9 ms early */
	g_assert_cmpuint(t.resyncs, ==, 0);
}

/* 32-bit timestamps wrap; the running time goes on. */
static void test_wrap_around(void)
{
	struct rtp_timeline t;
	uint32_t ts = 0xffffffffu - 3000u * 2 + 1;

	rtp_timeline_init(&t, 90000);
	g_assert_cmpint(map(&t, ts, 0), ==, 0);
	for (int i = 1; i <= 90; i++) {
		ts += 3000; /* 30 fps, wraps after the second frame */
		g_assert_cmpint(map(&t, ts, i * 33 * MS), ==, i * 100 * MS / 3);
	}
	g_assert_cmpuint(t.resyncs, ==, 0);
}

/* A gap the RTP clock accounts for (the mixer's skipped ticks advance it) keeps the
 * spacing; a sender that restarts its timestamps far away is re-anchored to the caller's
 * clock. */
static void test_gap_and_jump(void)
{
	struct rtp_timeline t;

	rtp_timeline_init(&t, 48000);
	map(&t, 0, 0);
	g_assert_cmpint(map(&t, 48000 * 3, 3000 * MS), ==, 3000 * MS); /* 3 s gap, RTP too */
	/* RTP jumps by half the range: a new sender. */
	g_assert_cmpint(map(&t, 0x80000000u, 3020 * MS), ==, 3020 * MS);
	g_assert_cmpuint(t.resyncs, ==, 1);
	g_assert_cmpint(map(&t, 0x80000000u + 960, 3041 * MS), ==, 3040 * MS);
	/* The sender paused 5 s without advancing its clock: follow the caller's clock. */
	g_assert_cmpint(map(&t, 0x80000000u + 1920, 8060 * MS), ==, 8060 * MS);
	g_assert_cmpuint(t.resyncs, ==, 2);
}

/* Duplicates and late packets are refused without moving the timeline. */
static void test_reorder(void)
{
	struct rtp_timeline t;
	int64_t out = 7;

	rtp_timeline_init(&t, 48000);
	map(&t, 960, 20 * MS);
	map(&t, 1920, 40 * MS);
	g_assert_cmpint(rtp_timeline_map(&t, 1920, 41 * MS, &out), ==, -ERANGE);
	g_assert_cmpint(rtp_timeline_map(&t, 960, 42 * MS, &out), ==, -ERANGE);
	g_assert_cmpint(out, ==, 7);
	g_assert_cmpint(map(&t, 2880, 60 * MS), ==, 60 * MS);
}

/* Audio (48 kHz) and video (90 kHz) with unrelated RTP offsets, anchored by the same
 * clock, put an event at the same RTP time of both at the same running time, even when
 * the video starts later and its frames arrive with jitter. */
static void test_two_clocks(void)
{
	struct rtp_timeline audio, video;
	uint32_t audio_base = 0x12345678u, video_base = 0xfffff000u;
	int64_t beep = -1, flash = -1;

	rtp_timeline_init(&audio, 48000);
	rtp_timeline_init(&video, 90000);
	for (int i = 0; i < 150; i++) /* 3 s of 20 ms packets */
		if (i == 100)
			beep = map(&audio, audio_base + (uint32_t)i * 960, i * 20 * MS);
		else
			map(&audio, audio_base + (uint32_t)i * 960, i * 20 * MS + (i % 3) * MS);
	for (int j = 15; j < 90; j++) { /* from 0.5 s, 30 fps */
		int64_t at = map(&video, video_base + (uint32_t)j * 3000,
		                 j * 100 * MS / 3 + (j % 4) * 2 * MS);
		if (j == 60)
			flash = at;
	}
	g_assert_cmpint(beep, ==, 2000 * MS);
	g_assert_cmpint(flash, >=, 2000 * MS - 8 * MS);
	g_assert_cmpint(flash, <=, 2000 * MS + 8 * MS);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rtp-timeline/spacing-from-rtp", test_spacing_from_rtp);
	g_test_add_func("/rtp-timeline/wrap-around", test_wrap_around);
	g_test_add_func("/rtp-timeline/gap-and-jump", test_gap_and_jump);
	g_test_add_func("/rtp-timeline/reorder", test_reorder);
	g_test_add_func("/rtp-timeline/two-clocks", test_two_clocks);
	return g_test_run();
}
