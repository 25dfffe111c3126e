/* SPDX-License-Identifier: MIT */
/* The scheduler: one timer for the next due transition, restart recovery, series. */
#define G_LOG_DOMAIN "cau-scheduler"
#include "scheduler.h"

#include "series.h"

/* After a store error, try again this much later. */
#define RETRY_MS 5000
/* A transition still due after a pass (refused, or made due by a callback meanwhile) is
 * tried again this much later rather than at once, so nothing can spin. */
#define AGAIN_MS 1000

struct scheduler {
	struct meetings *m;
	struct clock *clock;
	struct scheduler_callbacks cb;
	gint64 resync_ms;
	guint timer;   /* clock handle, 0 when none */
	gint64 due_at; /* what the timer is set for */
	bool started;
	bool running;       /* inside scheduler_recompute() */
	bool series_dirty;  /* a series changed: materialise at the next pass */
	gint64 series_next; /* when the window of the next series occurrences moves */
};

static bool room_is_open(enum meeting_state state)
{
	return state == MEETING_OPEN || state == MEETING_LIVE;
}

/* Every committed change of a meeting: the rooms follow the state, then the timer. */
static void on_meeting_change(gint64 id, enum meeting_state from, enum meeting_state to,
                              gpointer user_data)
{
	struct scheduler *s = user_data;

	if (id && !room_is_open(from) && room_is_open(to) && s->cb.on_open)
		s->cb.on_open(id, false, s->cb.user_data);
	if (id && room_is_open(from) && !room_is_open(to) && s->cb.on_close)
		s->cb.on_close(id, s->cb.user_data);
	if (id && from != MEETING_ENDED && to == MEETING_ENDED && s->cb.on_ended)
		s->cb.on_ended(id, s->cb.user_data);
	if (!id)
		s->series_dirty = true;
	/* Inside a recompute, the next due time is computed after every transition anyway. */
	if (s->started && !s->running)
		scheduler_recompute(s);
}

struct scheduler *scheduler_new(struct meetings *m, const struct scheduler_callbacks *callbacks,
                                gint64 resync_ms)
{
	struct scheduler *s = g_new0(struct scheduler, 1);

	s->m = m;
	s->clock = meetings_clock(m);
	if (callbacks)
		s->cb = *callbacks;
	s->resync_ms = resync_ms;
	meetings_set_listener(m, on_meeting_change, s);
	return s;
}

void scheduler_free(struct scheduler *s)
{
	if (!s)
		return;
	clock_cancel(s->clock, s->timer);
	meetings_set_listener(s->m, NULL, NULL);
	g_free(s);
}

gint64 scheduler_next_due(const struct scheduler *s)
{
	return s->due_at;
}

/* Applies `fn` to each meeting the query selects; the second column is its due time. */
static bool apply_due(struct scheduler *s, const char *sql, gint64 now,
                      bool (*fn)(struct meetings *, const struct principal *, gint64, GError **),
                      const char *what)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows =
	    store_query(meetings_store(s->m), sql, STORE_PARAMS(STORE_INT(now)), &error);

	if (!rows) {
		g_warning("[scheduler] cannot read due meetings: %s", error->message);
		return false;
	}
	for (guint r = 0; r < store_rows_count(rows); r++) {
		gint64 id = store_rows_get_int(rows, r, 0);
		gint64 due = store_rows_get_int(rows, r, 1);
		g_autoptr(GError) local = NULL;

		/* A conflict means someone else changed it meanwhile; the next pass sees how. */
		if (!fn(s->m, NULL, id, &local)) {
			g_warning("[scheduler] meeting %" G_GINT64_FORMAT " not %s: %s", id, what,
			          local->message);
			continue;
		}
		g_info("[scheduler] meeting %" G_GINT64_FORMAT " %s, %" G_GINT64_FORMAT
		       " ms after its due time",
		       id, what, clock_now_ms(s->clock) - due);
	}
	return true;
}

/* Closes what is past end + grace (whatever its state), then opens what is due. */
static bool run_due(struct scheduler *s, gint64 now)
{
	return apply_due(s,
	                 "SELECT id, end_at + grace_ms FROM meetings WHERE state IN ('scheduled', "
	                 "'open', 'live') AND end_at + grace_ms <= ? ORDER BY end_at, id",
	                 now, meetings_close, "closed") &&
	       apply_due(s,
	                 "SELECT id, start_at - lead_ms FROM meetings WHERE state = 'scheduled' "
	                 "AND start_at - lead_ms <= ? ORDER BY start_at, id",
	                 now, meetings_open, "opened");
}

/* The earliest transition still ahead, or 0. */
static bool next_transition(struct scheduler *s, gint64 *next, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    meetings_store(s->m),
	    "SELECT MIN(CASE WHEN state = 'scheduled' THEN start_at - lead_ms ELSE end_at + "
	    "grace_ms END) FROM meetings WHERE state IN ('scheduled', 'open', 'live')",
	    NULL, 0, error);

	if (!rows)
		return false;
	*next = store_rows_get_int(rows, 0, 0);
	return true;
}

static void on_timer(gpointer user_data)
{
	struct scheduler *s = user_data;

	s->timer = 0;
	s->due_at = 0;
	scheduler_recompute(s);
}

/* Sets the one timer for `at` (0: none), unless it is set for that already. */
static void arm(struct scheduler *s, gint64 at)
{
	if (s->timer && s->due_at == at)
		return;
	clock_cancel(s->clock, s->timer);
	s->timer = 0;
	s->due_at = at;
	if (at)
		s->timer = clock_call_at(s->clock, at, on_timer, s);
}

static gint64 earliest(gint64 a, gint64 b)
{
	if (!a || !b)
		return a ? a : b;
	return MIN(a, b);
}

/* Makes the next occurrences of the series when one changed or the window moved. */
static bool materialise(struct scheduler *s, gint64 now)
{
	g_autoptr(GError) error = NULL;

	if (!s->series_dirty && !(s->series_next && now >= s->series_next))
		return true;
	if (!series_materialise(s->m, NULL, &s->series_next, &error)) {
		g_warning("[scheduler] cannot materialise series: %s", error->message);
		return false;
	}
	s->series_dirty = false;
	return true;
}

void scheduler_recompute(struct scheduler *s)
{
	g_autoptr(GError) error = NULL;
	gint64 now = clock_now_ms(s->clock), next = 0;
	bool ok;

	if (s->running)
		return;
	s->running = true;
	/* Series first: a new occurrence may be due to open at once. */
	ok = materialise(s, now);
	ok = run_due(s, now) && ok;
	if (!next_transition(s, &next, &error)) {
		g_warning("[scheduler] cannot find the next transition: %s", error->message);
		ok = false;
	}
	s->running = false;
	if (next && next <= now)
		next = now + AGAIN_MS;
	next = earliest(next, s->series_next);
	if (s->resync_ms > 0)
		next = earliest(next, now + s->resync_ms);
	if (!ok)
		next = earliest(next, now + RETRY_MS);
	arm(s, next);
}

/* Reports the rooms that were open or live when the server stopped. */
static bool resume_open_rooms(struct scheduler *s, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    meetings_store(s->m),
	    "SELECT id, state FROM meetings WHERE state IN ('open', 'live') AND end_at + grace_ms "
	    "> ? ORDER BY id",
	    STORE_PARAMS(STORE_INT(clock_now_ms(s->clock))), error);

	if (!rows)
		return false;
	for (guint r = 0; r < store_rows_count(rows); r++) {
		gint64 id = store_rows_get_int(rows, r, 0);
		g_info("[scheduler] meeting %" G_GINT64_FORMAT " was %s before the restart; its "
		       "room opens again",
		       id, store_rows_get(rows, r, 1));
		if (s->cb.on_open)
			s->cb.on_open(id, true, s->cb.user_data);
	}
	return true;
}

bool scheduler_start(struct scheduler *s, GError **error)
{
	g_return_val_if_fail(!s->started, false);
	if (!resume_open_rooms(s, error))
		return false;
	s->started = true;
	s->series_dirty = true;
	scheduler_recompute(s);
	return true;
}
