/* SPDX-License-Identifier: MIT */
/* Unit tests for the media clock: absolute deadlines on a fake clock (lateness absorbed,
 * stalls skipped without a burst), and once for real: 50 ticks in about a second. */
#include <errno.h>
#include <glib.h>
#include <math.h>

#include "media/media_clock.h"

#define MS     1000000ull /* nanoseconds */
#define PERIOD (20 * MS)

/* A fake time source: sleeping jumps to the deadline plus a chosen oversleep; a tick may
 * take time (work) too. */
struct fake {
	uint64_t now;
	uint64_t oversleep;
	unsigned sleeps;
};

static uint64_t fake_now(void *user)
{
	return ((struct fake *)user)->now;
}

static void fake_sleep_until(void *user, uint64_t deadline)
{
	struct fake *f = user;

	f->sleeps++;
	if (deadline > f->now)
		f->now = deadline + f->oversleep;
}

struct record {
	struct fake *fake;
	uint64_t ticks[64];
	uint64_t deadlines[64];
	uint64_t ran_at[64];
	unsigned frames[64];
	unsigned count;
	/* work to simulate in a given tick (ns) */
	unsigned work_tick;
	uint64_t work_ns;
};

static void on_tick(void *user, uint64_t tick, uint64_t deadline, unsigned frames)
{
	struct record *r = user;

	g_assert_cmpuint(r->count, <, 64);
	r->ticks[r->count] = tick;
	r->deadlines[r->count] = deadline;
	r->ran_at[r->count] = r->fake->now;
	r->frames[r->count] = frames;
	if (r->count == r->work_tick)
		r->fake->now += r->work_ns;
	else
		r->fake->now += 2 * MS; /* ordinary work */
	r->count++;
}

static struct media_clock *fake_clock(struct fake *f)
{
	struct media_clock_source src = {fake_now, fake_sleep_until, f};

	return media_clock_new("test", PERIOD, &src);
}

/* Deadlines are start + n * period exactly, even though every wake-up is 3 ms late and
 * every tick works 2 ms: lateness never accumulates. */
static void test_absolute_deadlines(void)
{
	struct fake f = {.now = 5000 * MS, .oversleep = 3 * MS};
	struct record r = {.fake = &f, .work_tick = G_MAXUINT};
	struct media_clock *clock = fake_clock(&f);
	struct media_clock_stats st;

	g_assert_cmpint(media_clock_run(clock, 50, on_tick, &r), ==, 0);
	g_assert_cmpuint(r.count, ==, 50);
	for (unsigned i = 0; i < 50; i++) {
		g_assert_cmpuint(r.ticks[i], ==, i);
		g_assert_cmpuint(r.deadlines[i], ==, 5000 * MS + i * PERIOD);
		g_assert_cmpuint(r.frames[i], ==, 1);
		if (i > 0)
			g_assert_cmpuint(r.ran_at[i] - r.deadlines[i], ==, 3 * MS);
	}
	media_clock_get_stats(clock, &st);
	g_assert_cmpuint(st.ticks, ==, 50);
	g_assert_cmpuint(st.skipped, ==, 0);
	g_assert_cmpuint(st.late_ns_max, ==, 3 * MS);
	/* Done-lateness histogram: the first tick ran on time and worked 2 ms (bucket <= 2 ms);
	 * the others woke 3 ms late and worked 2 ms, done 5 ms late (bucket <= 5 ms). */
	g_assert_cmpuint(media_clock_late_bounds_ns[2], ==, 2 * MS);
	g_assert_cmpuint(media_clock_late_bounds_ns[3], ==, 5 * MS);
	for (unsigned i = 0; i < MEDIA_CLOCK_LATE_BUCKETS; i++)
		g_assert_cmpuint(st.done_late[i], ==, i == 2 ? 1 : i == 3 ? 49 : 0);
	g_assert_cmpuint(st.done_late_ns_total, ==, 2 * MS + 49 * 5 * MS);
	media_clock_free(clock);
}

/* A tick that overruns by less than a period: the next runs at once, the one after is
 * back on its deadline. */
static void test_short_overrun(void)
{
	struct fake f = {.now = 0};
	struct record r = {.fake = &f, .work_tick = 5, .work_ns = 35 * MS};
	struct media_clock *clock = fake_clock(&f);

	media_clock_run(clock, 10, on_tick, &r);
	g_assert_cmpuint(r.ran_at[6], ==, 5 * PERIOD + 35 * MS); /* 15 ms late, no sleep */
	g_assert_cmpuint(r.deadlines[6], ==, 6 * PERIOD);
	g_assert_cmpuint(r.ran_at[7], ==, 7 * PERIOD);
	g_assert_cmpuint(r.frames[6], ==, 1);
	for (unsigned i = 0; i < 10; i++)
		g_assert_cmpuint(r.ticks[i], ==, i);
	media_clock_free(clock);
}

/* A 130 ms stall: the missed ticks are dropped, not run back to back; the next tick says
 * how many frames it stands for, and the schedule continues on the original grid. */
static void test_stall_no_burst(void)
{
	struct fake f = {.now = 0};
	struct record r = {.fake = &f, .work_tick = 3, .work_ns = 130 * MS};
	struct media_clock *clock = fake_clock(&f);
	struct media_clock_stats st;

	media_clock_run(clock, 10, on_tick, &r);
	/* tick 3 ran at 60 ms and ended at 190 ms: ticks 4..8 are due by then */
	g_assert_cmpuint(r.ticks[4], ==, 9);
	g_assert_cmpuint(r.frames[4], ==, 6);
	g_assert_cmpuint(r.deadlines[4], ==, 9 * PERIOD);
	g_assert_cmpuint(r.ticks[5], ==, 10);
	g_assert_cmpuint(r.ran_at[5], ==, 10 * PERIOD); /* slept: no burst */
	for (unsigned i = 1; i < 10; i++)
		g_assert_cmpuint(r.ran_at[i] - r.ran_at[i - 1], >=, 10 * MS);
	media_clock_get_stats(clock, &st);
	g_assert_cmpuint(st.skipped, ==, 5);
	media_clock_free(clock);
}

struct real_record {
	uint64_t first, last; /* when the first and the last tick ran */
	uint64_t last_tick;   /* the last tick's number (skipped ticks count) */
	unsigned count;
};

static void on_real_tick(void *user, uint64_t tick, uint64_t deadline, unsigned frames)
{
	struct real_record *r = user;
	uint64_t now = media_clock_monotonic_ns();

	if (r->count == 0)
		r->first = now;
	r->last = now;
	r->last_tick = tick;
	g_atomic_int_inc((int *)&r->count);
}

/*
 * For real, on the clock's own thread: 50 ticks in about a second. Drift is the error the
 * schedule accumulates: (time from the first tick to the last) - (ticks between them) *
 * 20 ms, per tick; with absolute deadlines it stays under 1 ms per tick on average even
 * when single wake-ups are late (this machine is shared: lateness is reported, and only
 * bounded loosely).
 */
static void test_real_clock(void)
{
	struct media_clock *clock = media_clock_new("real", PERIOD, NULL);
	struct real_record r = {0};
	struct media_clock_stats st;
	double drift_ms, mean_late_ms;

	g_assert_cmpint(media_clock_start(clock, on_real_tick, &r), ==, 0);
	g_assert_cmpint(media_clock_start(clock, on_real_tick, &r), ==, -EBUSY);
	while (g_atomic_int_get((int *)&r.count) < 50)
		g_usleep(5000);
	media_clock_stop(clock);
	media_clock_get_stats(clock, &st);
	drift_ms = ((double)(r.last - r.first) - (double)(r.last_tick * PERIOD)) / 1e6 /
	           (double)r.last_tick;
	mean_late_ms = (double)st.late_ns_total / (double)st.ticks / 1e6;
	g_test_message("%u ticks in %.1f ms (tick %" G_GUINT64_FORMAT "), drift %+.4f ms/tick, "
	               "wake-up lateness mean %.3f ms max %.3f ms, skipped %" G_GUINT64_FORMAT,
	               r.count, (double)(r.last - r.first) / 1e6, r.last_tick, drift_ms,
	               mean_late_ms, (double)st.late_ns_max / 1e6, st.skipped);
	g_assert_cmpuint(st.ticks, ==, r.count);
	g_assert_cmpuint(r.count, >=, 50);
	g_assert_cmpfloat(fabs(drift_ms), <, 1.0);
	g_assert_cmpfloat(mean_late_ms, <, 5.0);
	media_clock_free(clock);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/audio/clock/absolute-deadlines", test_absolute_deadlines);
	g_test_add_func("/audio/clock/short-overrun", test_short_overrun);
	g_test_add_func("/audio/clock/stall-no-burst", test_stall_no_burst);
	g_test_add_func("/audio/clock/real", test_real_clock);
	return g_test_run();
}
