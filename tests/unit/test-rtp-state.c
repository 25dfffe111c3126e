/* SPDX-License-Identifier: MIT */
/* Unit tests for the per-stream RTP state of a peer: send history, receiver statistics and
 * transport-wide feedback, all with time passed in. */

#include "proto/rtcp.h"
#include "transport/recv_stats.h"
#include "transport/send_history.h"
#include "transport/twcc.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

static void test_history(void)
{
	struct send_history *h = send_history_new(8, 100);
	uint8_t pkt[100], got[100];
	size_t len;
	int64_t at;

	for (unsigned i = 0; i < 10; i++) {
		memset(pkt, (int)i, sizeof(pkt));
		g_assert_cmpint(send_history_put(h, (uint16_t)(65530 + i), pkt, 20 + i, i), ==, 0);
	}
	/* 65530 and 65531 were overwritten by 0 and 1 (same slots). */
	g_assert_cmpint(send_history_get(h, 65531, got, sizeof(got), &len, &at), ==, -ENOENT);
	g_assert_cmpint(send_history_get(h, 1, got, sizeof(got), &len, &at), ==, 0);
	g_assert_cmpuint(len, ==, 27);
	g_assert_cmpint(at, ==, 7);
	g_assert_cmpuint(got[0], ==, 7);
	g_assert_cmpuint(got[26], ==, 7);
	g_assert_cmpint(send_history_get(h, 1, got, 26, &len, &at), ==, -ENOSPC);
	g_assert_cmpint(send_history_put(h, 5, pkt, 101, 0), ==, -EMSGSIZE);
	send_history_free(h);
}

static void set_flag(gpointer data)
{
	*(bool *)data = true;
}

/* Packets whose payload many receivers share: the history keeps their heads and a
 * reference to the payload, gives the whole packet back, and lets the payload go when
 * the last slot holding it is reused or the history freed. */
static void test_history_shared(void)
{
	struct send_history *h = send_history_new(4, 100);
	static uint8_t frame[80];
	bool freed = false, freed2 = false;
	GBytes *shared, *other;
	uint8_t pkt[100], got[100];
	size_t len;
	int64_t at;

	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(100 + i);
	shared = g_bytes_new_with_free_func(frame, sizeof(frame), set_flag, &freed);
	/* Two packets, each a 12-byte head of its own and 40 bytes of the frame. */
	for (unsigned k = 0; k < 2; k++) {
		memset(pkt, (int)k + 1, 12);
		memcpy(pkt + 12, frame + 40 * k, 40);
		g_assert_cmpint(send_history_put_shared(h, (uint16_t)(10 + k), pkt, 52, shared,
		                                        frame + 40 * k, 40, 5),
		                ==, 0);
	}
	g_bytes_unref(shared); /* the history's references keep it */
	g_assert_false(freed);
	g_assert_cmpint(send_history_get(h, 11, got, sizeof(got), &len, &at), ==, 0);
	g_assert_cmpuint(len, ==, 52);
	g_assert_cmpuint(got[0], ==, 2);
	g_assert_cmpuint(got[11], ==, 2);
	g_assert_cmpmem(got + 12, 40, frame + 40, 40);
	/* A head too long to keep apart: stored as a copy, no reference taken. */
	other = g_bytes_new_with_free_func(frame, sizeof(frame), set_flag, &freed2);
	memset(pkt, 9, 90);
	g_assert_cmpint(send_history_put_shared(h, 12, pkt, 90, other, frame, 10, 6), ==, 0);
	g_bytes_unref(other);
	g_assert_true(freed2);
	g_assert_cmpint(send_history_get(h, 12, got, sizeof(got), &len, &at), ==, 0);
	g_assert_cmpuint(len, ==, 90);
	g_assert_cmpuint(got[89], ==, 9);
	/* 14 and 15 reuse the slots of 10 and 11: the frame goes with the second. */
	g_assert_cmpint(send_history_put(h, 14, pkt, 20, 7), ==, 0);
	g_assert_false(freed);
	g_assert_cmpint(send_history_get(h, 10, got, sizeof(got), &len, &at), ==, -ENOENT);
	g_assert_cmpint(send_history_put(h, 15, pkt, 20, 7), ==, 0);
	g_assert_true(freed);
	freed = false;
	shared = g_bytes_new_with_free_func(frame, sizeof(frame), set_flag, &freed);
	g_assert_cmpint(send_history_put_shared(h, 16, pkt, 52, shared, frame, 40, 8), ==, 0);
	g_bytes_unref(shared);
	send_history_free(h);
	g_assert_true(freed);
}

static void test_recv_stats_loss_and_report(void)
{
	struct recv_stats s;
	struct rtcp_report_block rb;

	recv_stats_init(&s);
	/* 65530..65535, 0..9 with 2 and 3 lost: 16 expected, 14 received. */
	for (unsigned i = 0; i < 16; i++) {
		uint16_t seq = (uint16_t)(65530 + i);
		if (seq == 2 || seq == 3)
			continue;
		recv_stats_update(&s, seq, i * 960, (int64_t)i * 20000, 48000, 100, false);
	}
	g_assert_cmpuint(recv_stats_ext_highest(&s), ==, 65536 + 9);
	g_assert_cmpint(recv_stats_lost(&s), ==, 2);
	/* Perfectly paced packets: no jitter. */
	g_assert_cmpuint(s.jitter_q4, ==, 0);
	recv_stats_on_sr(&s, (uint64_t)0x1234567890abcdefull, 1000000);
	g_assert_true(recv_stats_report_block(&s, 42, 1500000, &rb));
	g_assert_cmpuint(rb.ssrc, ==, 42);
	g_assert_cmpint(rb.cumulative_lost, ==, 2);
	g_assert_cmpuint(rb.fraction_lost, ==, 2 * 256 / 16);
	g_assert_cmpuint(rb.lsr, ==, 0x567890ab);
	g_assert_cmpuint(rb.dlsr, ==, 32768); /* half a second */
	/* A second report with nothing new: no loss in the interval. */
	g_assert_true(recv_stats_report_block(&s, 42, 1600000, &rb));
	g_assert_cmpuint(rb.fraction_lost, ==, 0);
}

static void test_recv_stats_jitter(void)
{
	struct recv_stats s;

	recv_stats_init(&s);
	/* Every other packet 10 ms late at 90 kHz: the jitter grows towards ~900 units. */
	for (unsigned i = 0; i < 400; i++)
		recv_stats_update(&s, (uint16_t)i, i * 3000, (int64_t)i * 33333 + (i % 2) * 10000,
		                  90000, 1000, false);
	g_assert_cmpfloat(recv_stats_jitter_ms(&s, 90000), >, 8.0);
	g_assert_cmpfloat(recv_stats_jitter_ms(&s, 90000), <, 11.0);
}

static void test_rtt(void)
{
	struct rtcp_report_block rb = {.lsr = 0x00010000, .dlsr = 0x00008000};

	/* Sent at 1 s, held 0.5 s by the receiver, back at 1.6 s: 100 ms. */
	g_assert_cmpint(rtt_from_report(&rb, 0x00019999), ==, 99990);
	rb.lsr = 0;
	g_assert_cmpint(rtt_from_report(&rb, 0x00019999), ==, -1);
	g_assert_cmpuint(ntp_from_unix_us(0) >> 32, ==, 2208988800u);
}

static void test_twcc_feedback(void)
{
	struct twcc_recorder *r = g_new0(struct twcc_recorder, 1);
	uint8_t buf[1200];
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	struct rtcp_twcc fb;
	struct rtcp_twcc_status st[16];
	int len;

	twcc_init(r);
	g_assert_cmpint(twcc_build(r, buf, sizeof(buf), 1, 2), ==, 0);
	twcc_record(r, 65534, 1000000);
	twcc_record(r, 0, 1002000); /* 65535 lost, across the wrap */
	twcc_record(r, 1, 1001000); /* earlier than 0: a negative delta */
	len = twcc_build(r, buf, sizeof(buf), 1, 2);
	g_assert_cmpint(len, >, 0);
	rtcp_iter_init(&it, buf, (size_t)len);
	g_assert_cmpint(rtcp_iter_next(&it, &pkt), ==, 0);
	g_assert_cmpint(rtcp_parse_twcc(&pkt, &fb), ==, 0);
	g_assert_cmpuint(fb.base_seq, ==, 65534);
	g_assert_cmpuint(fb.status_count, ==, 4);
	g_assert_cmpint(rtcp_twcc_decode(&fb, st, 16), ==, 0);
	g_assert_true(st[0].received && !st[1].received && st[2].received && st[3].received);
	g_assert_cmpint(st[3].arrival_us - st[2].arrival_us, ==, -1000);
	/* Nothing new: nothing sent. A late packet of the reported range is ignored. */
	twcc_record(r, 65535, 1003000);
	g_assert_cmpint(twcc_build(r, buf, sizeof(buf), 1, 2), ==, 0);
	twcc_record(r, 2, 1004000);
	len = twcc_build(r, buf, sizeof(buf), 1, 2);
	rtcp_iter_init(&it, buf, (size_t)len);
	g_assert_cmpint(rtcp_iter_next(&it, &pkt), ==, 0);
	g_assert_cmpint(rtcp_parse_twcc(&pkt, &fb), ==, 0);
	g_assert_cmpuint(fb.base_seq, ==, 2);
	g_assert_cmpuint(fb.fb_count, ==, 1);
	g_free(r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rtp-state/send-history", test_history);
	g_test_add_func("/rtp-state/send-history-shared", test_history_shared);
	g_test_add_func("/rtp-state/recv-stats/loss-and-report", test_recv_stats_loss_and_report);
	g_test_add_func("/rtp-state/recv-stats/jitter", test_recv_stats_jitter);
	g_test_add_func("/rtp-state/rtt", test_rtt);
	g_test_add_func("/rtp-state/twcc", test_twcc_feedback);
	return g_test_run();
}
