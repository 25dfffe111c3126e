/* SPDX-License-Identifier: MIT */
/* A room's media clock: calls a tick function every 20 ms on absolute deadlines (no drift),
 * on its own thread or, for tests, on the caller's with an injected time source. */
#define G_LOG_DOMAIN "cau-clock"
#include "media/media_clock.h"

#include <errno.h>
#include <glib.h>
#include <time.h>

struct media_clock {
	char name[64];
	uint64_t period_ns;
	struct media_clock_source src;
	GThread *thread;
	int stop;    /* atomic */
	int running; /* atomic: run() or the thread is in the loop */
	media_clock_tick_fn fn;
	void *user;
	struct media_clock_stats stats; /* written by the loop, read with __atomic loads */
};

uint64_t media_clock_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t real_now(void *user)
{
	return media_clock_monotonic_ns();
}

static void real_sleep_until(void *user, uint64_t deadline_ns)
{
	struct timespec ts = {
	    .tv_sec = (time_t)(deadline_ns / 1000000000u),
	    .tv_nsec = (long)(deadline_ns % 1000000000u),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

struct media_clock *media_clock_new(const char *name, uint64_t period_ns,
                                    const struct media_clock_source *source)
{
	struct media_clock *clock = g_new0(struct media_clock, 1);

	g_strlcpy(clock->name, name ? name : "clock", sizeof(clock->name));
	clock->period_ns = MAX(period_ns, 1u);
	if (source)
		clock->src = *source;
	else
		clock->src = (struct media_clock_source){.now_ns = real_now,
		                                         .sleep_until_ns = real_sleep_until};
	return clock;
}

void media_clock_free(struct media_clock *clock)
{
	if (!clock)
		return;
	media_clock_stop(clock);
	g_free(clock);
}

static void add_stat(uint64_t *field, uint64_t value)
{
	__atomic_store_n(field, *field + value, __ATOMIC_RELAXED);
}

const uint64_t media_clock_late_bounds_ns[MEDIA_CLOCK_LATE_BUCKETS - 1] = {
    500000, 1000000, 2000000, 5000000, 10000000, 20000000, 50000000, 100000000,
};

/* Counts one tick in the histogram of how late its work was done. */
static void count_done_late(struct media_clock *clock, uint64_t late_ns)
{
	unsigned i = 0;

	while (i < MEDIA_CLOCK_LATE_BUCKETS - 1 && late_ns > media_clock_late_bounds_ns[i])
		i++;
	add_stat(&clock->stats.done_late[i], 1);
	add_stat(&clock->stats.done_late_ns_total, late_ns);
}

static void loop(struct media_clock *clock, uint64_t max_ticks)
{
	const struct media_clock_source *src = &clock->src;
	uint64_t period = clock->period_ns;
	uint64_t start = src->now_ns(src->user);
	uint64_t n = 0;

	for (uint64_t run = 0; run < max_ticks && !g_atomic_int_get(&clock->stop); run++, n++) {
		uint64_t deadline = start + n * period;
		uint64_t now = src->now_ns(src->user);
		uint64_t missed = 0;

		if (now < deadline) {
			src->sleep_until_ns(src->user, deadline);
			now = MAX(src->now_ns(src->user), deadline);
		}
		if (now - deadline >= period) {
			/* A stall: drop the missed ticks instead of bursting through them. */
			missed = (now - deadline) / period;
			n += missed;
			deadline += missed * period;
			add_stat(&clock->stats.skipped, missed);
			g_debug("[%s] clock: %" G_GUINT64_FORMAT " ms late, %" G_GUINT64_FORMAT
			        " ticks skipped",
			        clock->name, (now - deadline + missed * period) / 1000000, missed);
		}
		add_stat(&clock->stats.late_ns_total, now - deadline);
		if (now - deadline > clock->stats.late_ns_max)
			__atomic_store_n(&clock->stats.late_ns_max, now - deadline,
			                 __ATOMIC_RELAXED);
		add_stat(&clock->stats.ticks, 1);
		clock->fn(clock->user, n, deadline, (unsigned)MIN(missed + 1, (uint64_t)G_MAXUINT));
		now = src->now_ns(src->user);
		count_done_late(clock, now > deadline ? now - deadline : 0);
	}
}

int media_clock_run(struct media_clock *clock, uint64_t ticks, media_clock_tick_fn fn, void *user)
{
	if (!g_atomic_int_compare_and_exchange(&clock->running, 0, 1))
		return -EBUSY;
	clock->fn = fn;
	clock->user = user;
	g_atomic_int_set(&clock->stop, 0);
	loop(clock, ticks);
	g_atomic_int_set(&clock->running, 0);
	return 0;
}

static gpointer thread_main(gpointer data)
{
	struct media_clock *clock = data;

	g_debug("[%s] clock: media thread starts, period %" G_GUINT64_FORMAT " us", clock->name,
	        clock->period_ns / 1000);
	loop(clock, UINT64_MAX);
	g_debug("[%s] clock: media thread stops", clock->name);
	return NULL;
}

int media_clock_start(struct media_clock *clock, media_clock_tick_fn fn, void *user)
{
	char thread_name[16];

	if (!g_atomic_int_compare_and_exchange(&clock->running, 0, 1))
		return -EBUSY;
	clock->fn = fn;
	clock->user = user;
	g_atomic_int_set(&clock->stop, 0);
	g_snprintf(thread_name, sizeof(thread_name), "media %s", clock->name);
	clock->thread = g_thread_new(thread_name, thread_main, clock);
	return 0;
}

void media_clock_stop(struct media_clock *clock)
{
	if (!clock->thread)
		return;
	g_atomic_int_set(&clock->stop, 1);
	g_thread_join(clock->thread);
	clock->thread = NULL;
	g_atomic_int_set(&clock->running, 0);
}

void media_clock_get_stats(struct media_clock *clock, struct media_clock_stats *out)
{
	out->ticks = __atomic_load_n(&clock->stats.ticks, __ATOMIC_RELAXED);
	out->skipped = __atomic_load_n(&clock->stats.skipped, __ATOMIC_RELAXED);
	out->late_ns_total = __atomic_load_n(&clock->stats.late_ns_total, __ATOMIC_RELAXED);
	out->late_ns_max = __atomic_load_n(&clock->stats.late_ns_max, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < MEDIA_CLOCK_LATE_BUCKETS; i++)
		out->done_late[i] = __atomic_load_n(&clock->stats.done_late[i], __ATOMIC_RELAXED);
	out->done_late_ns_total =
	    __atomic_load_n(&clock->stats.done_late_ns_total, __ATOMIC_RELAXED);
}
