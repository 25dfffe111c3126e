/* SPDX-License-Identifier: MIT */
/* A room's media clock: calls a tick function every 20 ms on absolute deadlines (no drift),
 * on its own thread or, for tests, on the caller's with an injected time source. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * Where time comes from. The real one reads CLOCK_MONOTONIC and sleeps with
 * clock_nanosleep(TIMER_ABSTIME); tests pass a fake that only moves a number.
 * now_ns: the current time; sleep_until_ns: return at or after deadline_ns.
 */
struct media_clock_source {
	uint64_t (*now_ns)(void *user);
	void (*sleep_until_ns)(void *user, uint64_t deadline_ns);
	void *user;
};

/*
 * Called once per tick on the clock's thread. tick counts from 0 and skips the numbers of
 * ticks that were dropped; deadline_ns is the tick's scheduled time (start + tick *
 * period), which is the time to give the mixer; frames is 1 plus the number of ticks
 * skipped just before this one (see media_clock_new()).
 */
typedef void (*media_clock_tick_fn)(void *user, uint64_t tick, uint64_t deadline_ns,
                                    unsigned frames);

/* Upper bounds of the buckets of media_clock_stats.done_late: 0.5, 1, 2, 5, 10, 20, 50
 * and 100 ms, then everything later. */
#define MEDIA_CLOCK_LATE_BUCKETS 9
extern const uint64_t media_clock_late_bounds_ns[MEDIA_CLOCK_LATE_BUCKETS - 1];

struct media_clock_stats {
	uint64_t ticks;         /* ticks run */
	uint64_t skipped;       /* ticks dropped because the thread was a whole period late */
	uint64_t late_ns_total; /* sum over ticks of (time the tick ran - its deadline) */
	uint64_t late_ns_max;
	/* Ticks by how long after their deadline their work was done (the tick function
	 * returned): bucket i counts those up to media_clock_late_bounds_ns[i] and above the
	 * previous bound; the last bucket, those above every bound. */
	uint64_t done_late[MEDIA_CLOCK_LATE_BUCKETS];
	uint64_t done_late_ns_total;
};

struct media_clock;

/*
 * Creates a stopped clock with the given period (20 ms for audio: 20000000) and time source
 * (NULL: the real monotonic clock; the struct is copied). name labels log lines and the
 * thread ("room 12"). The caller owns the result.
 *
 * Schedule: tick n is due at start + n * period, start being the time of the first tick,
 * so errors never accumulate. A tick that wakes late runs at once and the next deadline
 * stays where it was (the lateness is absorbed by a shorter sleep). When the thread is a
 * whole period or more behind (a stall), the missed ticks are not run back to back: they
 * are dropped, counted, and reported to the next tick as frames > 1, so the mixer advances
 * RTP timestamps by the real time elapsed and the jitter buffers absorb the gap.
 */
struct media_clock *media_clock_new(const char *name, uint64_t period_ns,
                                    const struct media_clock_source *source);

/* Stops the clock if running, then frees it. */
void media_clock_free(struct media_clock *clock);

/*
 * Runs `ticks` ticks on the calling thread, then returns (tests; or a caller that has its
 * own thread). Not while the clock's thread runs. Returns 0 or -EBUSY.
 */
int media_clock_run(struct media_clock *clock, uint64_t ticks, media_clock_tick_fn fn, void *user);

/*
 * Starts the clock's own thread, calling fn(user, ...) every period until
 * media_clock_stop(). Returns 0 or -EBUSY if already running. Control thread.
 */
int media_clock_start(struct media_clock *clock, media_clock_tick_fn fn, void *user);

/* Asks the thread to stop and joins it (waits at most one period). No-op if stopped.
 * Control thread; never from inside fn. */
void media_clock_stop(struct media_clock *clock);

/* Reads the counters (safe while running: they are read atomically one by one). */
void media_clock_get_stats(struct media_clock *clock, struct media_clock_stats *out);

/* The real time source's now, in ns (CLOCK_MONOTONIC): for stamping packets in the same
 * time base as the ticks (divide by 1000 for the mixer's microseconds). */
uint64_t media_clock_monotonic_ns(void);
