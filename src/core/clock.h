/* SPDX-License-Identifier: MIT */
/* An injectable wall clock: the time in Unix milliseconds and one-shot timers at a wall
 * time, real (on the GLib main context) or fake (tests move time by hand, in zero wall
 * time). */
#pragma once

#include <glib.h>

typedef void (*clock_timer_fn)(gpointer user_data);

struct clock;

/* What a clock implements. */
struct clock_ops {
	/* The wall time in Unix milliseconds. */
	gint64 (*now_ms)(struct clock *c);
	/* Calls `fn(user_data)` once, on the clock's context, at or after `at_ms` (a wall
	 * time; in the past: as soon as possible). Returns a handle, never 0. */
	guint (*call_at)(struct clock *c, gint64 at_ms, clock_timer_fn fn, gpointer user_data);
	/* Cancels a pending timer; a handle that already fired or 0 is ignored. */
	void (*cancel)(struct clock *c, guint handle);
	void (*free)(struct clock *c);
};

struct clock {
	const struct clock_ops *ops;
};

static inline gint64 clock_now_ms(struct clock *c)
{
	return c->ops->now_ms(c);
}

static inline guint clock_call_at(struct clock *c, gint64 at_ms, clock_timer_fn fn,
                                  gpointer user_data)
{
	return c->ops->call_at(c, at_ms, fn, user_data);
}

static inline void clock_cancel(struct clock *c, guint handle)
{
	c->ops->cancel(c, handle);
}

/* Frees a clock; pending timers are cancelled. NULL is ignored. */
void clock_free(struct clock *c);

/* The real clock: g_get_real_time(), timers on the thread-default main context of the
 * caller. A timer sleeps at most a few seconds at a time and checks the wall time again
 * when it wakes, so a stepped system clock delays nothing by more than that, and it never
 * fires before its wall time. Caller owns the result. */
struct clock *clock_new_real(void);

/* A fake clock that starts at `start_ms` and moves only when told. Caller owns it. */
struct clock *clock_new_fake(gint64 start_ms);
/* Moves the fake clock forward by `delta_ms`, firing each timer due on the way in the
 * order of its time, with the clock reading exactly that time while it runs (timers set
 * by a timer fire too if they fall within the step). */
void clock_fake_advance(struct clock *c, gint64 delta_ms);
/* Moves the fake clock to `at_ms` (not backwards), like clock_fake_advance(). */
void clock_fake_set(struct clock *c, gint64 at_ms);
/* The time of the earliest pending timer of a fake clock, or -1 without one. */
gint64 clock_fake_next_timer(struct clock *c);
