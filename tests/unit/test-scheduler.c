/* SPDX-License-Identifier: MIT */
/* Unit tests of the scheduler on a fake clock (zero wall time): rooms open at exactly
 * start - lead and close at end + grace, the timer follows changes, restart recovery,
 * and recurring series in local time (Asia/Ho_Chi_Minh, and Europe/Berlin with DST). */
#include "meetings-fixture.h"

/* Monday 7 July 2025, 00:00 in Hà Nội. */
#define T0 hcm(2025, 7, 7, 0, 0)

static void setup(struct fixture *f, gconstpointer backend)
{
	fixture_setup_at(f, backend, T0, "Asia/Ho_Chi_Minh");
}

/* Thursday 20 March 2025, noon in Berlin: summer time starts on the 30th. */
static void setup_berlin(struct fixture *f, gconstpointer backend)
{
	fixture_setup_at(f, backend, local_ms("Europe/Berlin", 2025, 3, 20, 12, 0),
	                 "Europe/Berlin");
}

static void assert_event(struct fixture *f, guint index, char kind, gint64 id, gint64 at)
{
	const struct room_event *e;

	g_assert_cmpuint(f->events->len, >, index);
	e = &g_array_index(f->events, struct room_event, index);
	g_assert_cmpint(e->kind, ==, kind);
	g_assert_cmpint(e->id, ==, id);
	g_assert_cmpint(e->at, ==, at);
}

static void test_opens_and_closes_on_time(struct fixture *f, gconstpointer data)
{
	gint64 start = T0 + 8 * HOUR_MS, end = start + 90 * MIN_MS;
	gint64 id = make_meeting(f, "Giao ban tuần", start, end, 15 * MIN_MS, 10 * MIN_MS);
	gint64 opens = start - 15 * MIN_MS, closes = end + 10 * MIN_MS;
	gint64 wall = g_get_monotonic_time();

	/* The one timer is set for exactly the opening time. */
	g_assert_cmpint(scheduler_next_due(f->sched), ==, opens);
	clock_fake_set(f->clock, opens - 1);
	g_assert_cmpint(info_of(f, id).state, ==, MEETING_SCHEDULED);
	g_assert_cmpuint(f->events->len, ==, 0);
	clock_fake_set(f->clock, opens);
	g_assert_cmpint(info_of(f, id).state, ==, MEETING_OPEN);
	g_assert_cmpint(meeting_column(f, id, "opened_at"), ==, opens);
	assert_event(f, 0, 'o', id, opens);

	g_assert_cmpint(scheduler_next_due(f->sched), ==, closes);
	clock_fake_set(f->clock, closes - 1);
	g_assert_cmpint(info_of(f, id).state, ==, MEETING_OPEN);
	clock_fake_set(f->clock, closes);
	g_assert_cmpint(info_of(f, id).state, ==, MEETING_ENDED);
	g_assert_cmpint(meeting_column(f, id, "ended_at"), ==, closes);
	assert_event(f, 1, 'c', id, closes);
	g_assert_cmpuint(f->events->len, ==, 2);
	g_assert_cmpint(scheduler_next_due(f->sched), ==, 0);
	/* Nine and a half hours of schedule took no wall time to speak of. */
	g_assert_cmpint(g_get_monotonic_time() - wall, <, 30 * G_USEC_PER_SEC);
}

static void test_lead_zero_and_audit(struct fixture *f, gconstpointer data)
{
	gint64 start = T0 + HOUR_MS;
	gint64 id = make_meeting(f, "Họp khẩn", start, start + HOUR_MS, 0, 0);
	g_autoptr(store_rows) rows = NULL;

	clock_fake_set(f->clock, start);
	g_assert_cmpint(meeting_column(f, id, "opened_at"), ==, start);
	clock_fake_set(f->clock, start + HOUR_MS);
	g_assert_cmpint(info_of(f, id).state, ==, MEETING_ENDED);
	/* Each transition is in the audit log, made by the system. */
	rows = store_query(f->st, "SELECT actor, action, target FROM audit_log ORDER BY id", NULL,
	                   0, NULL);
	g_assert_cmpuint(store_rows_count(rows), ==, 3);
	g_assert_cmpstr(store_rows_get(rows, 0, 1), ==, "meeting.create");
	g_assert_cmpstr(store_rows_get(rows, 0, 0), ==, "admin");
	g_assert_cmpstr(store_rows_get(rows, 1, 1), ==, "meeting.open");
	g_assert_cmpstr(store_rows_get(rows, 1, 0), ==, "system");
	g_assert_cmpstr(store_rows_get(rows, 2, 1), ==, "meeting.end");
	g_assert_cmpstr(store_rows_get(rows, 2, 0), ==, "system");
}

static void test_recomputes_on_change(struct fixture *f, gconstpointer data)
{
	gint64 a = make_meeting(f, "Họp A", T0 + 10 * HOUR_MS, T0 + 11 * HOUR_MS, 0, 0);
	gint64 b, c;
	struct meeting_fields move = MEETING_FIELDS_KEEP;
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(scheduler_next_due(f->sched), ==, T0 + 10 * HOUR_MS);
	/* An earlier meeting takes the timer. */
	b = make_meeting(f, "Họp B", T0 + 2 * HOUR_MS, T0 + 3 * HOUR_MS, 30 * MIN_MS, 0);
	g_assert_cmpint(scheduler_next_due(f->sched), ==, T0 + 90 * MIN_MS);
	/* Cancelled, it gives it back. */
	g_assert_true(meetings_cancel(f->m, &f->operator_, b, &error));
	g_assert_cmpint(scheduler_next_due(f->sched), ==, T0 + 10 * HOUR_MS);
	/* Moved earlier, a meeting opens at its new time. */
	move.start_at = T0 + 5 * HOUR_MS;
	g_assert_true(meetings_update(f->m, &f->operator_, a, &move, &error));
	g_assert_no_error(error);
	g_assert_cmpint(scheduler_next_due(f->sched), ==, T0 + 5 * HOUR_MS);
	clock_fake_set(f->clock, T0 + 5 * HOUR_MS);
	assert_event(f, 0, 'o', a, T0 + 5 * HOUR_MS);
	/* Created with its opening time already past (an ad-hoc meeting): open at once. */
	c = make_meeting(f, "Họp đột xuất", T0 + 5 * HOUR_MS + 10 * MIN_MS, T0 + 6 * HOUR_MS,
	                 15 * MIN_MS, 0);
	assert_event(f, 1, 'o', c, T0 + 5 * HOUR_MS);
	g_assert_cmpint(info_of(f, c).state, ==, MEETING_OPEN);
}

static void test_live_end_and_cancel(struct fixture *f, gconstpointer data)
{
	gint64 a = make_meeting(f, "Họp A", T0 + HOUR_MS, T0 + 2 * HOUR_MS, 15 * MIN_MS, 0);
	gint64 b = make_meeting(f, "Họp B", T0 + 4 * HOUR_MS, T0 + 5 * HOUR_MS, 0, 0);
	gint64 c = make_meeting(f, "Họp C", T0 + HOUR_MS, T0 + 2 * HOUR_MS, 15 * MIN_MS, 0);
	g_autoptr(GError) error = NULL;

	clock_fake_set(f->clock, T0 + 45 * MIN_MS);
	g_assert_cmpuint(f->events->len, ==, 2); /* a and c opened */
	/* The first participant joins: live, the room was open already. */
	clock_fake_advance(f->clock, 5 * MIN_MS);
	g_assert_true(meetings_mark_live(f->m, NULL, a, &error));
	g_assert_cmpint(info_of(f, a).state, ==, MEETING_LIVE);
	g_assert_cmpint(meeting_column(f, a, "live_at"), ==, T0 + 50 * MIN_MS);
	g_assert_cmpuint(f->events->len, ==, 2);
	/* Already live: a conflict, nothing changes. */
	g_assert_false(meetings_mark_live(f->m, NULL, a, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_clear_error(&error);
	/* Ended early by the chair: closed now, not at end + grace. */
	g_assert_true(meetings_end(f->m, &f->operator_, a, &error));
	assert_event(f, 2, 'c', a, T0 + 50 * MIN_MS);
	g_assert_false(meetings_cancel(f->m, &f->operator_, a, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_assert_nonnull(strstr(error->message, "is ended; it cannot be cancelled"));
	g_clear_error(&error);
	/* Cancelled while open: the room closes. */
	g_assert_true(meetings_cancel(f->m, &f->operator_, c, &error));
	assert_event(f, 3, 'c', c, T0 + 50 * MIN_MS);
	/* "Start now" of a meeting still scheduled opens its room at once. */
	g_assert_true(meetings_mark_live(f->m, &f->operator_, b, &error));
	assert_event(f, 4, 'o', b, T0 + 50 * MIN_MS);
	g_assert_cmpint(meeting_column(f, b, "opened_at"), ==, T0 + 50 * MIN_MS);
	/* It still closes on schedule. */
	clock_fake_set(f->clock, T0 + 5 * HOUR_MS);
	assert_event(f, 5, 'c', b, T0 + 5 * HOUR_MS);
	g_assert_cmpuint(f->events->len, ==, 6);
	/* Minutes are due for the two that ended (early, then on schedule), not the
	 * cancelled one. */
	g_assert_cmpuint(f->ended->len, ==, 2);
	g_assert_cmpint(g_array_index(f->ended, gint64, 0), ==, a);
	g_assert_cmpint(g_array_index(f->ended, gint64, 1), ==, b);
}

static void test_moved_later_closes_again(struct fixture *f, gconstpointer data)
{
	gint64 a = make_meeting(f, "Họp A", T0 + HOUR_MS, T0 + 2 * HOUR_MS, 15 * MIN_MS, 0);
	struct meeting_fields later = MEETING_FIELDS_KEEP;
	g_autoptr(GError) error = NULL;

	clock_fake_set(f->clock, T0 + 50 * MIN_MS);
	g_assert_cmpint(info_of(f, a).state, ==, MEETING_OPEN);
	later.start_at = T0 + DAY_MS;
	later.end_at = T0 + DAY_MS + HOUR_MS;
	g_assert_true(meetings_update(f->m, &f->operator_, a, &later, &error));
	g_assert_no_error(error);
	g_assert_cmpint(info_of(f, a).state, ==, MEETING_SCHEDULED);
	g_assert_cmpint(meeting_column(f, a, "opened_at"), ==, 0);
	assert_event(f, 1, 'c', a, T0 + 50 * MIN_MS);
	g_assert_cmpint(scheduler_next_due(f->sched), ==, T0 + DAY_MS - 15 * MIN_MS);
	clock_fake_set(f->clock, T0 + DAY_MS - 15 * MIN_MS);
	assert_event(f, 2, 'o', a, T0 + DAY_MS - 15 * MIN_MS);
}

/* The server stops and starts again later on the same store. */
static void test_restart_recovery(struct fixture *f, gconstpointer data)
{
	gint64 open_kept, live_kept, missed, past, live_past, future, down_at, up_at;
	g_autoptr(GError) error = NULL;

	open_kept = make_meeting(f, "mở, còn hạn", T0 + HOUR_MS, T0 + 4 * HOUR_MS, 15 * MIN_MS, 0);
	live_kept = make_meeting(f, "đang họp", T0 + HOUR_MS, T0 + 4 * HOUR_MS, 15 * MIN_MS, 0);
	live_past =
	    make_meeting(f, "đang họp, quá hạn", T0 + HOUR_MS, T0 + 90 * MIN_MS, 0, 15 * MIN_MS);
	missed = make_meeting(f, "lỡ giờ mở", T0 + 2 * HOUR_MS, T0 + 5 * HOUR_MS, 0, 0);
	past = make_meeting(f, "đã qua", T0 + 80 * MIN_MS, T0 + 100 * MIN_MS, 0, 10 * MIN_MS);
	future = make_meeting(f, "ngày mai", T0 + DAY_MS, T0 + DAY_MS + HOUR_MS, 15 * MIN_MS, 0);
	down_at = T0 + HOUR_MS;
	clock_fake_set(f->clock, down_at);
	g_assert_true(meetings_mark_live(f->m, NULL, live_kept, &error));
	g_assert_true(meetings_mark_live(f->m, NULL, live_past, &error));
	g_assert_no_error(error);
	g_array_set_size(f->events, 0);

	/* Down for three hours: nothing runs, no timer fires. */
	fixture_stop_service(f);
	up_at = T0 + 3 * HOUR_MS;
	clock_fake_set(f->clock, up_at);
	fixture_start_service(f, "Asia/Ho_Chi_Minh", true);

	/* Open and live rooms come back with their state (reported as resumed). */
	assert_event(f, 0, 'r', open_kept, up_at);
	assert_event(f, 1, 'r', live_kept, up_at);
	g_assert_cmpint(info_of(f, open_kept).state, ==, MEETING_OPEN);
	g_assert_cmpint(info_of(f, live_kept).state, ==, MEETING_LIVE);
	g_assert_cmpint(meeting_column(f, live_kept, "opened_at"), ==, T0 + 45 * MIN_MS);
	g_assert_cmpint(meeting_column(f, live_kept, "live_at"), ==, down_at);
	/* Past end + grace while down: closed, whatever its state. */
	g_assert_cmpint(info_of(f, live_past).state, ==, MEETING_ENDED);
	assert_event(f, 2, 'c', live_past, up_at);
	g_assert_cmpint(info_of(f, past).state, ==, MEETING_ENDED);
	g_assert_cmpint(meeting_column(f, past, "opened_at"), ==, 0);
	/* Its opening time passed while down, not yet over: opens at once. */
	g_assert_cmpint(info_of(f, missed).state, ==, MEETING_OPEN);
	assert_event(f, 3, 'o', missed, up_at);
	g_assert_cmpuint(f->events->len, ==, 4);
	g_assert_cmpint(info_of(f, future).state, ==, MEETING_SCHEDULED);
	/* And the kept ones still close on time. */
	g_assert_cmpint(scheduler_next_due(f->sched), ==, T0 + 4 * HOUR_MS);
	clock_fake_set(f->clock, T0 + 4 * HOUR_MS);
	g_assert_cmpint(info_of(f, open_kept).state, ==, MEETING_ENDED);
	g_assert_cmpint(info_of(f, live_kept).state, ==, MEETING_ENDED);
}

/* A meeting written by someone else (the CLI, another node) is seen at the next reread
 * and still opens at its exact time. */
static void test_resync_sees_outside_changes(struct fixture *f, gconstpointer data)
{
	struct meetings_config cfg = {15 * MIN_MS, 15 * MIN_MS, "Asia/Ho_Chi_Minh"};
	struct scheduler_callbacks cb = {record_open, record_close, f};
	struct meetings *outside = meetings_new(f->st, f->clock, &cfg);
	struct fixture other = *f;
	gint64 id;

	scheduler_free(f->sched);
	f->sched = scheduler_new(f->m, &cb, 1000);
	g_assert_true(scheduler_start(f->sched, NULL));
	g_assert_cmpint(scheduler_next_due(f->sched), ==, T0 + 1000);
	other.m = outside; /* no listener: the scheduler is not told */
	id = make_meeting(&other, "Họp tạo từ dòng lệnh", T0 + 5000, T0 + HOUR_MS, 0, 0);
	g_assert_cmpint(scheduler_next_due(f->sched), ==, T0 + 1000);
	clock_fake_set(f->clock, T0 + 4999);
	g_assert_cmpint(info_of(f, id).state, ==, MEETING_SCHEDULED);
	clock_fake_set(f->clock, T0 + 5000);
	assert_event(f, 0, 'o', id, T0 + 5000);
	meetings_free(outside);
}

/* ---- series ---- */

static gint64 make_series(struct fixture *f, const char *rule, const char *tz, gint64 lead_ms)
{
	struct series_fields fields = {
	    .title = "Giao ban đầu tuần",
	    .rule = rule,
	    .timezone = tz,
	    .lead_ms = lead_ms,
	    .grace_ms = 0,
	    .chair_account_id = 2,
	};
	g_autoptr(GError) error = NULL;
	gint64 id = series_create(f->m, &f->operator_, &fields, &error);

	g_assert_no_error(error);
	g_assert_cmpint(id, >, 0);
	return id;
}

/* The start times of the series' meetings in `states`, in order. */
static GArray *occurrences(struct fixture *f, gint64 series_id, const char *states)
{
	g_autofree char *sql = g_strdup_printf("SELECT start_at FROM meetings WHERE series_id = ? "
	                                       "AND state IN (%s) ORDER BY start_at",
	                                       states);
	g_autoptr(store_rows) rows =
	    store_query(f->st, sql, STORE_PARAMS(STORE_INT(series_id)), NULL);
	GArray *starts = g_array_new(FALSE, FALSE, sizeof(gint64));

	for (guint r = 0; r < store_rows_count(rows); r++) {
		gint64 v = store_rows_get_int(rows, r, 0);
		g_array_append_val(starts, v);
	}
	return starts;
}

/* The meeting of series `series_id` that fills the slot starting at `start`. */
static gint64 occurrence_id(struct fixture *f, gint64 series_id, gint64 start)
{
	g_autoptr(store_rows) rows =
	    store_query(f->st, "SELECT id FROM meetings WHERE series_id = ? AND series_slot = ?",
	                STORE_PARAMS(STORE_INT(series_id), STORE_INT(start)), NULL);

	g_assert_cmpuint(store_rows_count(rows), ==, 1);
	return store_rows_get_int(rows, 0, 0);
}

#define ALL_STATES "'scheduled', 'open', 'live', 'ended', 'cancelled'"

static void test_series_across_weeks_and_month_end(struct fixture *f, gconstpointer data)
{
	/* Mondays and Thursdays 08:00 for 90 minutes, from Monday 7 July 2025. */
	gint64 s = make_series(f, "weekly:TH,MO@08:00/90", NULL, 15 * MIN_MS);
	static const int expected[][2] = {{7, 7},  {7, 10}, {7, 14}, {7, 17}, {7, 21}, {7, 24},
	                                  {7, 28}, {7, 31}, {8, 4},  {8, 7},  {8, 11}};
	g_autoptr(GArray) first = occurrences(f, s, ALL_STATES);
	g_autoptr(GArray) all = NULL;
	g_autoptr(store_rows) stored = NULL;
	gint64 wall = g_get_monotonic_time();

	stored = store_query(f->st, "SELECT rule, timezone FROM meeting_series", NULL, 0, NULL);
	g_assert_cmpstr(store_rows_get(stored, 0, 0), ==, "weekly:MO,TH@08:00/90");
	g_assert_cmpstr(store_rows_get(stored, 0, 1), ==, "Asia/Ho_Chi_Minh");
	g_assert_cmpuint(first->len, ==, SERIES_OCCURRENCES_AHEAD);
	/* Five weeks go by: each occurrence opens at exactly 07:45 and closes at 09:30, and
	 * four are always ahead. */
	for (guint i = 0; i < 10; i++) {
		gint64 start = hcm(2025, expected[i][0], expected[i][1], 8, 0);
		g_autoptr(GArray) ahead = NULL;
		clock_fake_set(f->clock, start - 15 * MIN_MS);
		g_assert_cmpuint(f->events->len, ==, 2 * i + 1);
		assert_event(f, 2 * i, 'o', occurrence_id(f, s, start), start - 15 * MIN_MS);
		clock_fake_set(f->clock, start + 90 * MIN_MS);
		assert_event(f, 2 * i + 1, 'c', occurrence_id(f, s, start), start + 90 * MIN_MS);
		ahead = occurrences(f, s, "'scheduled'");
		g_assert_cmpuint(ahead->len, ==, SERIES_OCCURRENCES_AHEAD);
		g_assert_cmpint(g_array_index(ahead, gint64, 0), ==,
		                hcm(2025, expected[i + 1][0], expected[i + 1][1], 8, 0));
	}
	all = occurrences(f, s, ALL_STATES);
	for (guint i = 0; i < G_N_ELEMENTS(expected); i++)
		g_assert_cmpint(g_array_index(all, gint64, i), ==,
		                hcm(2025, expected[i][0], expected[i][1], 8, 0));
	g_assert_cmpint(g_get_monotonic_time() - wall, <, 30 * G_USEC_PER_SEC);
}

static void test_series_cancel_one_and_delete(struct fixture *f, gconstpointer data)
{
	gint64 s = make_series(f, "weekly:MO@08:00/60", NULL, 0);
	g_autoptr(store_rows) rows =
	    store_query(f->st, "SELECT id FROM meetings WHERE series_id = ? ORDER BY start_at",
	                STORE_PARAMS(STORE_INT(s)), NULL);
	gint64 second = store_rows_get_int(rows, 1, 0);
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) kept = NULL, after = NULL, ended = NULL;
	guint cancelled = 0;

	/* Cancelling one occurrence: the series goes on, the slot is not made again. */
	g_assert_true(meetings_cancel(f->m, &f->operator_, second, &error));
	clock_fake_set(f->clock, hcm(2025, 7, 14, 8, 0));
	clock_fake_set(f->clock, hcm(2025, 7, 21, 9, 30));
	kept = occurrences(f, s, "'cancelled'");
	g_assert_cmpuint(kept->len, ==, 1);
	g_assert_cmpint(g_array_index(kept, gint64, 0), ==, hcm(2025, 7, 14, 8, 0));
	g_assert_cmpint(info_of(f, second).state, ==, MEETING_CANCELLED);
	/* Monday 28 July, live when the series is deleted: kept; the rest cancelled. */
	clock_fake_set(f->clock, hcm(2025, 7, 28, 8, 5));
	g_clear_pointer(&rows, store_rows_free);
	rows = store_query(f->st, "SELECT id FROM meetings WHERE series_id = ? AND state = 'open'",
	                   STORE_PARAMS(STORE_INT(s)), NULL);
	g_assert_cmpuint(store_rows_count(rows), ==, 1);
	g_assert_true(meetings_mark_live(f->m, NULL, store_rows_get_int(rows, 0, 0), &error));
	g_assert_true(series_delete(f->m, &f->operator_, s, &cancelled, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(cancelled, ==, SERIES_OCCURRENCES_AHEAD);
	g_assert_false(series_delete(f->m, &f->operator_, s, NULL, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	/* Weeks later: nothing new was made. */
	clock_fake_advance(f->clock, 30 * DAY_MS);
	after = occurrences(f, s, "'scheduled', 'open'");
	g_assert_cmpuint(after->len, ==, 0);
	ended = occurrences(f, s, "'ended'");
	g_assert_cmpuint(ended->len, ==, 3); /* 7, 21 and 28 July */
}

/* 08:00 local stays 08:00 local when Berlin moves its clocks, in both directions. */
static void test_series_berlin_dst(void)
{
	g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier("Europe/Berlin");
	struct series_rule rule;
	gint64 starts[4];

	g_assert_true(series_rule_parse("weekly:MO@08:00/60", &rule, NULL));
	/* From Friday 21 March 2025; summer time starts Sunday 30 March. */
	g_assert_cmpuint(
	    series_rule_next(&rule, berlin, local_ms("UTC", 2025, 3, 21, 12, 0), starts, 4), ==, 4);
	g_assert_cmpint(starts[0], ==, local_ms("UTC", 2025, 3, 24, 7, 0)); /* CET, UTC+1 */
	g_assert_cmpint(starts[1], ==, local_ms("UTC", 2025, 3, 31, 6, 0)); /* CEST, UTC+2 */
	g_assert_cmpint(starts[2], ==, local_ms("UTC", 2025, 4, 7, 6, 0));
	/* Winter time from Sunday 26 October 2025. */
	series_rule_next(&rule, berlin, local_ms("UTC", 2025, 10, 18, 0, 0), starts, 2);
	g_assert_cmpint(starts[0], ==, local_ms("UTC", 2025, 10, 20, 6, 0));
	g_assert_cmpint(starts[1], ==, local_ms("UTC", 2025, 10, 27, 7, 0));
	/* 02:30 on 30 March does not exist in Berlin: it moves to the end of the gap, 03:00
	 * CEST; the next Sunday is 02:30 CEST again. */
	g_assert_true(series_rule_parse("weekly:SU@02:30/60", &rule, NULL));
	series_rule_next(&rule, berlin, local_ms("UTC", 2025, 3, 29, 0, 0), starts, 2);
	g_assert_cmpint(starts[0], ==, local_ms("UTC", 2025, 3, 30, 1, 0));
	g_assert_cmpint(starts[1], ==, local_ms("UTC", 2025, 4, 6, 0, 30));
	/* 02:30 on 26 October happens twice: the second time (CET) is taken. */
	series_rule_next(&rule, berlin, local_ms("UTC", 2025, 10, 25, 0, 0), starts, 1);
	g_assert_cmpint(starts[0], ==, local_ms("UTC", 2025, 10, 26, 1, 30));
}

/* The scheduler in Berlin: the room opens at 07:45 local before and after the change. */
static void test_scheduler_berlin(struct fixture *f, gconstpointer data)
{
	gint64 before = local_ms("Europe/Berlin", 2025, 3, 24, 8, 0);
	gint64 after = local_ms("Europe/Berlin", 2025, 3, 31, 8, 0);

	make_series(f, "weekly:MO@08:00/60", NULL, 15 * MIN_MS);
	clock_fake_set(f->clock, local_ms("Europe/Berlin", 2025, 4, 1, 0, 0));
	g_assert_cmpuint(f->events->len, ==, 4);
	assert_event(f, 0, 'o', g_array_index(f->events, struct room_event, 0).id,
	             before - 15 * MIN_MS);
	assert_event(f, 2, 'o', g_array_index(f->events, struct room_event, 2).id,
	             after - 15 * MIN_MS);
	g_assert_cmpint(after - before, ==, 7 * DAY_MS - HOUR_MS);
}

static void test_rule_parse(void)
{
	static const char *const bad[] = {
	    "",
	    "weekly:",
	    "weekly:MO@8:00/90",
	    "weekly:XX@08:00/90",
	    "daily:MO@08:00/90",
	    "weekly:MO@24:00/90",
	    "weekly:MO@08:60/90",
	    "weekly:MO@08:00/0",
	    "weekly:MO@08:00/1441",
	    "weekly:MO,@08:00/90",
	    "weekly:MO@08:00",
	    "weekly:MO@08:00/9x",
	};
	struct series_rule rule;
	g_autofree char *text = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false(series_rule_parse(bad[i], &rule, &error));
		g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID);
		g_assert_nonnull(strstr(error->message, "weekly:MO,TH@08:00/90"));
	}
	g_assert_true(series_rule_parse("weekly:su,mo,WE@07:30/1440", &rule, NULL));
	g_assert_cmpint(rule.days, ==, 0x1 | 0x4 | 0x40);
	g_assert_cmpint(rule.hour, ==, 7);
	g_assert_cmpint(rule.minute, ==, 30);
	g_assert_cmpint(rule.duration_min, ==, 1440);
	text = series_rule_format(&rule);
	g_assert_cmpstr(text, ==, "weekly:MO,WE,SU@07:30/1440");
}

/* Month and year ends in Hà Nội (UTC+7, no daylight saving). */
static void test_rule_month_and_year_end(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Asia/Ho_Chi_Minh");
	struct series_rule rule;
	gint64 starts[4];

	g_assert_true(series_rule_parse("weekly:WE,FR@14:00/120", &rule, NULL));
	g_assert_cmpuint(series_rule_next(&rule, tz, hcm(2025, 12, 26, 14, 0), starts, 4), ==, 4);
	g_assert_cmpint(starts[0], ==, hcm(2025, 12, 31, 14, 0)); /* strictly after */
	g_assert_cmpint(starts[1], ==, hcm(2026, 1, 2, 14, 0));
	g_assert_cmpint(starts[2], ==, hcm(2026, 1, 7, 14, 0));
	g_assert_cmpint(starts[3], ==, hcm(2026, 1, 9, 14, 0));
	/* February of a leap year. */
	series_rule_next(&rule, tz, hcm(2028, 2, 27, 0, 0), starts, 2);
	g_assert_cmpint(starts[0], ==, hcm(2028, 3, 1, 14, 0));
	g_assert_cmpint(starts[1], ==, hcm(2028, 3, 3, 14, 0));
	g_assert_cmpint(starts[0] % (60 * 1000), ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	FIXTURE_ADD("/scheduler", "opens-and-closes-on-time", setup, test_opens_and_closes_on_time);
	FIXTURE_ADD("/scheduler", "lead-zero-audited", setup, test_lead_zero_and_audit);
	FIXTURE_ADD("/scheduler", "recomputes-on-change", setup, test_recomputes_on_change);
	FIXTURE_ADD("/scheduler", "live-end-cancel", setup, test_live_end_and_cancel);
	FIXTURE_ADD("/scheduler", "moved-later", setup, test_moved_later_closes_again);
	FIXTURE_ADD("/scheduler", "restart-recovery", setup, test_restart_recovery);
	FIXTURE_ADD("/scheduler", "resync", setup, test_resync_sees_outside_changes);
	FIXTURE_ADD("/series", "weeks-and-month-end", setup,
	            test_series_across_weeks_and_month_end);
	FIXTURE_ADD("/series", "cancel-one-and-delete", setup, test_series_cancel_one_and_delete);
	FIXTURE_ADD("/series", "scheduler-berlin", setup_berlin, test_scheduler_berlin);
	g_test_add_func("/series/berlin-dst", test_series_berlin_dst);
	g_test_add_func("/series/rule-parse", test_rule_parse);
	g_test_add_func("/series/month-and-year-end", test_rule_month_and_year_end);
	return g_test_run();
}
