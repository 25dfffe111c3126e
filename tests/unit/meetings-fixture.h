/* SPDX-License-Identifier: MIT */
/* The fixture shared by the meetings and scheduler tests: a migrated store (SQLite, or
 * PostgreSQL under tests/pg/pg-run.sh), a fake clock, the meetings service, and the room
 * events recorded. */
#pragma once

#include "db-fixture.h"

#include "control/meetings.h"
#include "control/scheduler.h"
#include "control/series.h"

#include <stdlib.h>
#include <string.h>

#define MIN_MS  G_GINT64_CONSTANT(60000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS  (24 * HOUR_MS)

/* One on_open / on_close call and the fake time it happened at. */
struct room_event {
	char kind; /* 'o' open, 'r' resumed, 'c' close */
	gint64 id;
	gint64 at;
};

struct fixture {
	struct db_fixture db;
	struct store *st;
	struct clock *clock;
	struct meetings *m;
	struct scheduler *sched;
	GArray *events; /* struct room_event */
	GArray *ended;  /* gint64: the meetings on_ended told of, in order */
	struct principal operator_;
};

/* Unix ms of a local wall time in zone `tz_name`. */
static inline gint64 local_ms(const char *tz_name, int y, int mo, int d, int h, int mi)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(tz_name);
	g_autoptr(GDateTime) t = NULL;

	g_assert_nonnull(tz);
	t = g_date_time_new(tz, y, mo, d, h, mi, 0);
	return g_date_time_to_unix(t) * 1000;
}

static inline gint64 hcm(int y, int mo, int d, int h, int mi)
{
	return local_ms("Asia/Ho_Chi_Minh", y, mo, d, h, mi);
}

static inline void record_open(gint64 id, bool resumed, gpointer data)
{
	struct fixture *f = data;
	struct room_event e = {resumed ? 'r' : 'o', id, clock_now_ms(f->clock)};

	g_array_append_val(f->events, e);
}

static inline void record_close(gint64 id, gpointer data)
{
	struct fixture *f = data;
	struct room_event e = {'c', id, clock_now_ms(f->clock)};

	g_array_append_val(f->events, e);
}

static inline void record_ended(gint64 id, gpointer data)
{
	struct fixture *f = data;
	g_array_append_val(f->ended, id);
}

/* The meetings service (and, if `with_scheduler`, a started scheduler) at `now`. */
static inline void fixture_start_service(struct fixture *f, const char *tz, bool with_scheduler)
{
	struct meetings_config cfg = {15 * MIN_MS, 15 * MIN_MS, tz};
	struct scheduler_callbacks cb = {.on_open = record_open,
	                                 .on_close = record_close,
	                                 .on_ended = record_ended,
	                                 .user_data = f};
	g_autoptr(GError) error = NULL;

	f->m = meetings_new(f->st, f->clock, &cfg);
	if (with_scheduler) {
		f->sched = scheduler_new(f->m, &cb, 0);
		g_assert_true(scheduler_start(f->sched, &error));
		g_assert_no_error(error);
	}
}

/* Stops the service as a server going down would: nothing runs until restarted. */
static inline void fixture_stop_service(struct fixture *f)
{
	g_clear_pointer(&f->sched, scheduler_free);
	g_clear_pointer(&f->m, meetings_free);
}

/* A fresh database on the back end `backend` points to, with an operator (1), a chair
 * (2) and a disabled chair (3), the clock at `now` and a started scheduler. */
static inline void fixture_setup_at(struct fixture *f, gconstpointer backend, gint64 now,
                                    const char *tz)
{
	g_autoptr(GError) error = NULL;

	db_fixture_setup(&f->db, backend);
	f->st = store_open(f->db.url, &error);
	g_assert_no_error(error);
	g_assert_true(store_migrate(f->st, &error));
	g_assert_true(store_exec(f->st,
	                         "INSERT INTO accounts (username, role, password_hash, created_at) "
	                         "VALUES ('admin', 'operator', 'x', 0), ('chu.tich', 'chair', 'x', "
	                         "0), ('cu.ngung', 'chair', 'x', 0)",
	                         NULL, 0, NULL, &error));
	g_assert_true(store_exec(f->st, "UPDATE accounts SET disabled = 1 WHERE id = 3", NULL, 0,
	                         NULL, &error));
	f->operator_ =
	    (struct principal){.account_id = 1, .username = "admin", .role = ROLE_OPERATOR};
	f->clock = clock_new_fake(now);
	f->events = g_array_new(FALSE, FALSE, sizeof(struct room_event));
	f->ended = g_array_new(FALSE, FALSE, sizeof(gint64));
	fixture_start_service(f, tz, true);
}

static inline void fixture_teardown(struct fixture *f, gconstpointer backend)
{
	fixture_stop_service(f);
	clock_free(f->clock);
	store_close(f->st);
	g_array_unref(f->events);
	g_array_unref(f->ended);
	db_fixture_teardown(&f->db, backend);
}

/* Registers a fixture test on both back ends as /PREFIX/{sqlite,postgres}/NAME. */
#define FIXTURE_ADD(prefix, name, setup, test)                                                     \
	DB_FIXTURE_ADD(prefix, name, DB_FIXTURE_BOTH, struct fixture, setup, test, fixture_teardown)

/* Creates a meeting; fails the test on error. */
static inline gint64 make_meeting(struct fixture *f, const char *title, gint64 start, gint64 end,
                                  gint64 lead_ms, gint64 grace_ms)
{
	struct meeting_fields fields = MEETING_FIELDS_KEEP;
	g_autoptr(GError) error = NULL;
	gint64 id;

	fields.title = title;
	fields.start_at = start;
	fields.end_at = end;
	fields.lead_ms = lead_ms;
	fields.grace_ms = grace_ms;
	id = meetings_create(f->m, &f->operator_, &fields, &error);
	g_assert_no_error(error);
	g_assert_cmpint(id, >, 0);
	return id;
}

static inline struct meeting_info info_of(struct fixture *f, gint64 id)
{
	struct meeting_info info;
	g_autoptr(GError) error = NULL;

	g_assert_true(meetings_lookup(f->m, id, &info, &error));
	g_assert_no_error(error);
	return info;
}

/* A column of one meeting row, as an integer (0 for NULL). */
static inline gint64 meeting_column(struct fixture *f, gint64 id, const char *column)
{
	g_autofree char *sql = g_strdup_printf("SELECT %s FROM meetings WHERE id = ?", column);
	g_autoptr(store_rows) rows = store_query(f->st, sql, STORE_PARAMS(STORE_INT(id)), NULL);

	g_assert_nonnull(rows);
	g_assert_cmpuint(store_rows_count(rows), ==, 1);
	return store_rows_get_int(rows, 0, 0);
}
