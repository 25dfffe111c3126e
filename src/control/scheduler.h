/* SPDX-License-Identifier: MIT */
/* The scheduler: opens each meeting's room at start - lead and closes it at end + grace,
 * with one timer on an injected clock for the next due transition; recovers after a
 * restart; keeps the occurrences of recurring series materialised. */
#pragma once

#include "meetings.h"

/* Told when a meeting's room must open or close, after the change is committed. Run on
 * the clock's context. */
struct scheduler_callbacks {
	/* The room of meeting `id` must be open: it just opened (scheduled -> open, or
	 * straight to live), or, with `resumed`, it was open or live when the server
	 * stopped and still is. */
	void (*on_open)(gint64 id, bool resumed, gpointer user_data);
	/* The room of meeting `id` must close: ended (on time or early), cancelled while
	 * open, or moved back to scheduled. */
	void (*on_close)(gint64 id, gpointer user_data);
	gpointer user_data;
	/* Meeting `id` has just ended (on time, early, or closed by the schedule without
	 * having opened): its minutes are due. NULL: not told. (Last, so that the initialisers
	 * {on_open, on_close, user_data} written before it still hold.) */
	void (*on_ended)(gint64 id, gpointer user_data);
};

typedef struct scheduler scheduler;

/* A scheduler driving `m` (borrowed; it must outlive the scheduler) on the clock of `m`.
 * It becomes the listener of `m`. `resync_ms` > 0 makes it also look at the store at
 * least that often, for changes it was not told about (the CLI, another node); 0 only
 * when due or told. Nothing happens until scheduler_start(). */
struct scheduler *scheduler_new(struct meetings *m, const struct scheduler_callbacks *callbacks,
                                gint64 resync_ms);
/* Cancels the timer and stops listening to `m`. NULL is ignored. */
void scheduler_free(struct scheduler *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(scheduler, scheduler_free)

/* Restart recovery, then the first timer: meetings still open or live are reported with
 * on_open(resumed) and keep their state; a meeting whose opening time passed while the
 * server was down opens now if it has not reached end + grace; one past end + grace is
 * closed. Series are materialised. Fails only if the store does. */
bool scheduler_start(struct scheduler *s, GError **error);

/* Performs every transition due now, materialises series and sets the timer for the
 * next one. Called by the listener after any change, by the timer, and by tests. */
void scheduler_recompute(struct scheduler *s);

/* When the timer is set for (Unix ms), or 0 when nothing is due. */
gint64 scheduler_next_due(const struct scheduler *s);
