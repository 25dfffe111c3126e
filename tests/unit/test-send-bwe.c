/* SPDX-License-Identifier: MIT */
/* The send-side bandwidth estimate on simulated paths: it starts at the delivery rate,
 * grows slowly on a clear path, backs off on loss and on a growing queue. */
#include "transport/send_bwe.h"

#include <glib.h>

#define MS 1000

/* A path: packets of 1200 bytes sent at send_bps; the link delivers at most link_bps
 * (a queue builds beyond it) and loses every loss_every-th packet (0: none). */
struct path {
	struct send_bwe bwe;
	uint16_t seq;
	int64_t now;
	int64_t link_free_at; /* when the link has sent everything queued */
	uint64_t link_bps;
	unsigned loss_every;
	struct rtcp_twcc_status st[SEND_BWE_WINDOW];
	size_t n;
};

static void path_init(struct path *p, uint64_t link_bps, unsigned loss_every)
{
	*p = (struct path){.now = 1000 * MS, .link_bps = link_bps, .loss_every = loss_every};
	send_bwe_init(&p->bwe);
}

/* Sends at send_bps for 100 ms, then feeds back what arrived. Returns the estimate. */
static uint64_t path_run_100ms(struct path *p, uint64_t send_bps)
{
	const size_t size = 1200;
	int64_t gap = (int64_t)(size * 8 * 1000000 / send_bps);
	int64_t end = p->now + 100 * MS;

	p->n = 0;
	for (; p->now < end; p->now += gap) {
		uint16_t seq = p->seq++;
		int64_t start = MAX(p->now, p->link_free_at);

		send_bwe_on_sent(&p->bwe, seq, size, p->now);
		p->link_free_at = start + (int64_t)(size * 8 * 1000000 / p->link_bps);
		p->st[p->n] = (struct rtcp_twcc_status){
		    .seq = seq,
		    .received = !(p->loss_every && seq % p->loss_every == 0),
		    /* the receiver's clock is 5 s off ours: only differences count */
		    .arrival_us = p->link_free_at + 20 * MS + 5000000,
		};
		p->n++;
	}
	return send_bwe_on_feedback(&p->bwe, p->st, p->n, p->now);
}

/* A clear 2 Mb/s path sent 500 kb/s: the estimate starts near 500 kb/s and grows about
 * 8% a second (a little under 6 s of 115 ms feedback rounds), never down. */
static void test_clear_path_grows(void)
{
	struct path p;
	uint64_t first, est = 0, prev;

	path_init(&p, 2000000, 0);
	p.bwe.cfg.start_bps = 100000; /* below what is sent: it starts at the delivery rate */
	first = path_run_100ms(&p, 500000);
	g_assert_cmpuint(first, >, 400000);
	g_assert_cmpuint(first, <, 600000);
	prev = first;
	for (int i = 0; i < 50; i++) { /* 5 s */
		est = path_run_100ms(&p, 500000);
		g_assert_cmpuint(est, >=, prev);
		prev = est;
	}
	g_test_message("clear path: %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT
	               " b/s in 50 rounds",
	               first, est);
	g_assert_cmpuint(est, >, first * 14 / 10); /* 1.08^5 = 1.47 */
	g_assert_cmpuint(est, <, first * 17 / 10);
	g_assert_cmpuint(p.bwe.stats.decreases, ==, 0);
}

/* Sending little (a still picture) says nothing of the path: the first estimate is the
 * configured start, not the delivery rate. */
static void test_starts_at_start(void)
{
	struct path p;

	path_init(&p, 2000000, 0);
	g_assert_cmpuint(path_run_100ms(&p, 100000), ==, p.bwe.cfg.start_bps);
}

/* 20% loss: the estimate falls well below what is sent, within a second. */
static void test_loss_backs_off(void)
{
	struct path p;
	uint64_t est = 0;

	path_init(&p, 10000000, 5);
	for (int i = 0; i < 10; i++)
		est = path_run_100ms(&p, 1500000);
	g_test_message("20%% loss at 1.5 Mb/s: estimate %" G_GUINT64_FORMAT " b/s", est);
	g_assert_cmpuint(est, <, 600000);
	g_assert_cmpuint(est, >=, p.bwe.cfg.min_bps);
	g_assert_cmpuint(p.bwe.stats.lost, >, 0);
}

/* Sending 1.5 Mb/s into a 200 kb/s link (a tbf): the queue grows, the estimate drops to
 * about the delivery rate, below the lowest tier's 150 kb/s * 1.5. */
static void test_queue_backs_off_to_the_link(void)
{
	struct path p;
	uint64_t est = 0;

	path_init(&p, 200000, 0);
	for (int i = 0; i < 20; i++)
		est = path_run_100ms(&p, 1500000);
	g_test_message("1.5 Mb/s into 200 kb/s: estimate %" G_GUINT64_FORMAT
	               " b/s, queue %" G_GUINT64_FORMAT " us",
	               est, p.bwe.stats.queue_us);
	g_assert_cmpuint(est, <=, 200000);
	g_assert_cmpuint(est, >=, 100000);
	g_assert_cmpuint(p.bwe.stats.decreases, >, 0);
}

/* A scheduling hiccup (every packet of one round 150 ms late, then on time again) is not
 * a full link: no back-off. */
static void test_hiccup_is_not_congestion(void)
{
	struct path p;
	uint64_t before = 0, after = 0;

	path_init(&p, 2000000, 0);
	for (int i = 0; i < 10; i++)
		before = path_run_100ms(&p, 500000);
	p.link_free_at = p.now + 150 * MS; /* the receiver stalls */
	path_run_100ms(&p, 500000);
	for (int i = 0; i < 10; i++)
		after = path_run_100ms(&p, 500000);
	g_assert_cmpuint(p.bwe.stats.decreases, ==, 0);
	g_assert_cmpuint(after, >=, before);
}

/* Statuses of packets never sent, or reported twice, are ignored. */
static void test_unknown_statuses(void)
{
	struct send_bwe b;
	struct rtcp_twcc_status st[3] = {
	    {.seq = 7, .received = true, .arrival_us = 1000},
	    {.seq = 8, .received = false},
	    {.seq = 9, .received = true, .arrival_us = 2000},
	};

	send_bwe_init(&b);
	g_assert_cmpuint(send_bwe_on_feedback(&b, st, 3, 1000), ==, 0);
	g_assert_cmpuint(b.stats.unknown, ==, 3);
	send_bwe_on_sent(&b, 7, 1000, 500);
	g_assert_cmpuint(send_bwe_on_feedback(&b, st, 1, 1000), ==, 0); /* one packet: no rate */
	g_assert_cmpuint(send_bwe_on_feedback(&b, st, 1, 1000), ==, 0); /* already reported */
	g_assert_cmpuint(b.stats.acked, ==, 1);
	g_assert_cmpuint(b.stats.unknown, ==, 4);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/send-bwe/clear-path-grows", test_clear_path_grows);
	g_test_add_func("/send-bwe/starts-at-start", test_starts_at_start);
	g_test_add_func("/send-bwe/loss-backs-off", test_loss_backs_off);
	g_test_add_func("/send-bwe/queue-backs-off-to-the-link", test_queue_backs_off_to_the_link);
	g_test_add_func("/send-bwe/hiccup-is-not-congestion", test_hiccup_is_not_congestion);
	g_test_add_func("/send-bwe/unknown-statuses", test_unknown_statuses);
	return g_test_run();
}
