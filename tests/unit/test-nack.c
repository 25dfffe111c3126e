/* SPDX-License-Identifier: MIT */
/* Unit tests for receiver loss tracking and NACK timing, with time passed in. */

#include "transport/nack.h"

#include <glib.h>

static void test_gap_then_recovery(void)
{
	struct nack_tracker t;
	uint16_t seqs[16];
	size_t n;

	struct nack_params p = nack_default_params;

	p.first_delay_us = 5000;
	nack_init(&t, &p);
	g_assert_cmpint(nack_on_packet(&t, 100, 0), ==, NACK_IN_ORDER);
	g_assert_cmpint(nack_on_packet(&t, 101, 1000), ==, NACK_IN_ORDER);
	g_assert_cmpint(nack_on_packet(&t, 104, 2000), ==, NACK_GAP);
	g_assert_cmpuint(t.count, ==, 2);
	/* Nothing before the reordering delay, then both. */
	g_assert_cmpuint(nack_collect(&t, 6000, 50000, seqs, 16), ==, 0);
	n = nack_collect(&t, 7000, 50000, seqs, 16);
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpuint(seqs[0], ==, 102);
	g_assert_cmpuint(seqs[1], ==, 103);
	/* Not again before rtt * 1.25. */
	g_assert_cmpuint(nack_collect(&t, 7000 + 60000, 50000, seqs, 16), ==, 0);
	g_assert_cmpuint(nack_collect(&t, 7000 + 62500, 50000, seqs, 16), ==, 2);
	g_assert_cmpint(nack_on_packet(&t, 103, 80000), ==, NACK_RECOVERED);
	g_assert_cmpint(nack_on_packet(&t, 103, 80001), ==, NACK_OLD);
	g_assert_cmpuint(t.count, ==, 1);
	g_assert_cmpuint(t.recovered, ==, 1);
	g_assert_cmpuint(t.requested, ==, 4);
}

static void test_wrap_and_give_up(void)
{
	struct nack_tracker t;
	struct nack_params p = nack_default_params;
	uint16_t seqs[8];
	int64_t now = 0;

	p.max_retries = 3;
	nack_init(&t, &p);
	nack_on_packet(&t, 65534, now);
	nack_on_packet(&t, 1, now); /* 65535 and 0 missing across the wrap */
	g_assert_cmpuint(t.count, ==, 2);
	g_assert_cmpuint(t.missing[0].seq, ==, 65535);
	g_assert_cmpuint(t.missing[1].seq, ==, 0);
	for (int i = 0; i < 3; i++) {
		now += 200000;
		g_assert_cmpuint(nack_collect(&t, now, 0, seqs, 8), ==, 2);
	}
	now += 200000;
	g_assert_cmpuint(nack_collect(&t, now, 0, seqs, 8), ==, 0);
	g_assert_cmpuint(t.given_up, ==, 2);
	g_assert_cmpuint(t.count, ==, 0);
}

static void test_huge_gap_resets(void)
{
	struct nack_tracker t;

	nack_init(&t, NULL);
	nack_on_packet(&t, 10, 0);
	nack_on_packet(&t, 12, 0);
	g_assert_cmpint(nack_on_packet(&t, 10 + NACK_MAX_MISSING + 100, 0), ==, NACK_RESET);
	g_assert_cmpuint(t.count, ==, 0);
	g_assert_cmpint(nack_on_packet(&t, 11 + NACK_MAX_MISSING + 100, 0), ==, NACK_IN_ORDER);
	/* The default asks at once. */
	g_assert_cmpint(nack_on_packet(&t, 13 + NACK_MAX_MISSING + 100, 0), ==, NACK_GAP);
	{
		uint16_t seqs[2];
		g_assert_cmpuint(nack_collect(&t, 0, 0, seqs, 2), ==, 1);
	}
}

static void test_table_full_drops_oldest(void)
{
	struct nack_tracker t;

	nack_init(&t, NULL);
	nack_on_packet(&t, 0, 0);
	nack_on_packet(&t, 200, 0); /* 199 missing */
	nack_on_packet(&t, 400, 0); /* 199 more: the oldest 142 are given up */
	g_assert_cmpuint(t.count, ==, NACK_MAX_MISSING);
	g_assert_cmpuint(t.given_up, ==, 2 * 199 - NACK_MAX_MISSING);
	g_assert_cmpuint(t.missing[t.count - 1].seq, ==, 399);
}

static void test_age_limit(void)
{
	struct nack_tracker t;
	uint16_t seqs[4];

	nack_init(&t, NULL);
	nack_on_packet(&t, 1, 0);
	nack_on_packet(&t, 3, 0);
	g_assert_cmpuint(nack_collect(&t, 1000001, 10, seqs, 4), ==, 0);
	g_assert_cmpuint(t.given_up, ==, 1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nack/gap-then-recovery", test_gap_then_recovery);
	g_test_add_func("/nack/wrap-and-give-up", test_wrap_and_give_up);
	g_test_add_func("/nack/huge-gap-resets", test_huge_gap_resets);
	g_test_add_func("/nack/table-full", test_table_full_drops_oldest);
	g_test_add_func("/nack/age-limit", test_age_limit);
	return g_test_run();
}
