/* SPDX-License-Identifier: MIT */
/* Unit tests of attendance: the pure computation (time online, status), and on SQLite
 * and PostgreSQL the intervals, operators' marks, the invitees of a meeting (through
 * units and their descendants) and the CSV export. */
#include "control/attendance.h"
#include "db-fixture.h"

#include <string.h>

#define MIN_MS (60 * 1000)

static void test_online_ms(void)
{
	static const struct attendance_interval overlapping[] = {
	    {10 * MIN_MS, 20 * MIN_MS},
	    {15 * MIN_MS, 30 * MIN_MS}, /* a second connection meanwhile: counted once */
	    {40 * MIN_MS, 45 * MIN_MS},
	    {0, 5 * MIN_MS}, /* out of order */
	};
	static const struct attendance_interval open[] = {
	    {10 * MIN_MS, 0},  /* still connected */
	    {100 * MIN_MS, 0}, /* starts after `until`: nothing */
	};
	static const struct attendance_interval nested[] = {
	    {0, 60 * MIN_MS},
	    {10 * MIN_MS, 20 * MIN_MS},
	};

	g_assert_cmpint(attendance_online_ms(NULL, 0, 1000), ==, 0);
	g_assert_cmpint(attendance_online_ms(overlapping, 4, 99 * MIN_MS), ==, 30 * MIN_MS);
	/* cut at `until` (the meeting ended or it is now) */
	g_assert_cmpint(attendance_online_ms(overlapping, 4, 18 * MIN_MS), ==, 13 * MIN_MS);
	g_assert_cmpint(attendance_online_ms(open, 2, 70 * MIN_MS), ==, 60 * MIN_MS);
	g_assert_cmpint(attendance_online_ms(nested, 2, 99 * MIN_MS), ==, 60 * MIN_MS);
}

static void test_compute(void)
{
	const char *reason = NULL;

	g_assert_cmpint(attendance_compute(1, "absent", "ốm", &reason), ==, ATTENDANCE_ONLINE);
	g_assert_cmpstr(reason, ==, "");
	g_assert_cmpint(attendance_compute(0, "in_person", "", &reason), ==, ATTENDANCE_IN_PERSON);
	g_assert_cmpint(attendance_compute(0, "absent", "Mất điện", &reason), ==,
	                ATTENDANCE_ABSENT);
	g_assert_cmpstr(reason, ==, "Mất điện");
	g_assert_cmpint(attendance_compute(0, "absent", "", &reason), ==, ATTENDANCE_ABSENT);
	g_assert_cmpstr(reason, ==, "no reason given");
	g_assert_cmpint(attendance_compute(0, NULL, NULL, &reason), ==, ATTENDANCE_ABSENT);
	g_assert_cmpstr(reason, ==, "no reason given");
	g_assert_cmpstr(attendance_status_name(ATTENDANCE_IN_PERSON), ==, "in_person");
}

struct fixture {
	struct db_fixture db;
	struct store *st;
};

static const struct principal admin = {1, "admin", ROLE_OPERATOR};

static void exec(struct fixture *f, const char *sql)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(store_exec(f->st, sql, NULL, 0, NULL, &error));
	g_assert_no_error(error);
}

/* Tỉnh Lâm Đồng (1) > Huyện Đức Trọng (2) > Xã Tân Phú (3), Phường 1 Đà Lạt (4) directly
 * under the province; Thành phố Hồ Chí Minh (5) > Phường Bến Nghé (6). Endpoints 1-2 in
 * Xã Tân Phú, 3 in Phường 1, 4 at the province, 5 in Phường Bến Nghé, 6 in Huyện Đức
 * Trọng. Meeting 1 invites the province with its descendants and endpoint 5 directly;
 * meeting 2 invites Huyện Đức Trọng without descendants (so only endpoint 6). */
static void setup(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;

	db_fixture_setup(&f->db, backend);
	f->st = store_open(f->db.url, &error);
	g_assert_no_error(error);
	g_assert_true(store_migrate(f->st, &error));
	exec(f, "INSERT INTO accounts (username, role, password_hash, created_at) VALUES "
	        "('admin', 'operator', 'x', 0)");
	exec(f, "INSERT INTO units (code, name, level, parent_id, created_at) VALUES "
	        "('68', 'Tỉnh Lâm Đồng', 'province', NULL, 0), "
	        "('68.672', 'Huyện Đức Trọng', 'district', 1, 0), "
	        "('68.672.24880', 'Xã Tân Phú', 'commune', 2, 0), "
	        "('68.24772', 'Phường 1, Đà Lạt', 'commune', 1, 0), "
	        "('79', 'Thành phố Hồ Chí Minh', 'province', NULL, 0), "
	        "('79.26734', 'Phường Bến Nghé', 'commune', 5, 0)");
	exec(f, "INSERT INTO endpoints (code, name, unit_id, kind, created_at) VALUES "
	        "('TP-01', 'Phòng họp UBND xã Tân Phú', 3, 'browser', 0), "
	        "('TP-02', 'Hội trường xã Tân Phú', 3, 'sip', 0), "
	        "('P1-01', 'Phòng họp Phường 1', 4, 'browser', 0), "
	        "('LD-01', '=Phòng họp tỉnh, tầng 2', 1, 'whip', 0), "
	        "('BN-01', 'Phòng họp Phường Bến Nghé', 6, 'browser', 0), "
	        "('DT-01', 'Phòng họp huyện Đức Trọng', 2, 'browser', 0)");
	exec(f, "INSERT INTO meetings (title, start_at, end_at, lead_ms, grace_ms, created_by, "
	        "created_at, updated_at) VALUES "
	        "('Họp giao ban tháng 5', 0, 7200000, 0, 0, 'admin', 0, 0), "
	        "('Họp huyện', 0, 7200000, 0, 0, 'admin', 0, 0)");
	exec(f, "INSERT INTO meeting_invitees (meeting_id, unit_id, endpoint_id, "
	        "include_descendants) VALUES (1, 1, NULL, 1), (1, NULL, 5, 0), (2, 2, NULL, 0)");
}

static void teardown(struct fixture *f, gconstpointer backend)
{
	store_close(f->st);
	db_fixture_teardown(&f->db, backend);
}

static void ok(bool result, GError *error)
{
	g_assert_no_error(error);
	g_assert_true(result);
}

/* The sheet's lines by endpoint code: "code=status/reason/online_ms". */
static char *summary(struct fixture *f, gint64 meeting, gint64 now)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) list = attendance_list(f->st, meeting, now, &error);
	JsonArray *lines;
	GString *out = g_string_new(NULL);

	g_assert_no_error(error);
	lines = json_node_get_array(list);
	for (guint i = 0; i < json_array_get_length(lines); i++) {
		JsonObject *l = json_array_get_object_element(lines, i);
		g_string_append_printf(out, "%s%s=%s/%s/%" G_GINT64_FORMAT, i ? " " : "",
		                       json_object_get_string_member(l, "endpoint_code"),
		                       json_object_get_string_member(l, "status"),
		                       json_object_get_string_member(l, "reason"),
		                       json_object_get_int_member(l, "online_ms"));
	}
	return g_string_free(out, FALSE);
}

static void test_invitees_and_status(struct fixture *f, gconstpointer backend)
{
	GError *error = NULL;
	g_autofree char *before = NULL, *after = NULL, *district = NULL;
	g_autoptr(store_rows) audit = NULL;

	before = summary(f, 1, 60 * MIN_MS);
	/* ordered by unit code, then endpoint code; everyone absent at first */
	g_assert_cmpstr(before, ==,
	                "LD-01=absent/no reason given/0 P1-01=absent/no reason given/0 "
	                "DT-01=absent/no reason given/0 TP-01=absent/no reason given/0 "
	                "TP-02=absent/no reason given/0 BN-01=absent/no reason given/0");
	ok(attendance_joined(f->st, 1, 1, 5 * MIN_MS, &error), error);
	ok(attendance_left(f->st, 1, 1, 25 * MIN_MS, &error), error);
	ok(attendance_joined(f->st, 1, 1, 30 * MIN_MS, &error), error); /* still online */
	ok(attendance_set(f->st, &admin, 1, 2, ATTENDANCE_IN_PERSON, "", &error), error);
	ok(attendance_set(f->st, &admin, 1, 3, ATTENDANCE_ABSENT, "Mất điện", &error), error);
	ok(attendance_set(f->st, &admin, 1, 3, ATTENDANCE_ABSENT, "Mất điện diện rộng", &error),
	   error); /* replaces */
	/* marked absent, but it connected: online wins */
	ok(attendance_set(f->st, &admin, 1, 5, ATTENDANCE_ABSENT, "Đi công tác", &error), error);
	ok(attendance_joined(f->st, 1, 5, 0, &error), error);
	ok(attendance_left(f->st, 1, 5, 90 * MIN_MS, &error), error);
	after = summary(f, 1, 60 * MIN_MS);
	g_assert_cmpstr(after, ==,
	                "LD-01=absent/no reason given/0 "
	                "P1-01=absent/Mất điện diện rộng/0 DT-01=absent/no reason given/0 "
	                "TP-01=online//3000000 TP-02=in_person//0 BN-01=online//3600000");
	district = summary(f, 2, 0);
	g_assert_cmpstr(district, ==, "DT-01=absent/no reason given/0");
	audit = store_query(f->st, "SELECT 1 FROM audit_log WHERE action = 'attendance.set'", NULL,
	                    0, &error);
	g_assert_cmpuint(store_rows_count(audit), ==, 4);
}

static void test_refusals(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;

	/* not invited to meeting 2 (Huyện Đức Trọng without its communes) */
	g_assert_false(attendance_set(f->st, &admin, 2, 1, ATTENDANCE_ABSENT, "", &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(attendance_set(f->st, &admin, 1, 1, ATTENDANCE_ONLINE, "", &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(attendance_set(f->st, &admin, 9, 1, ATTENDANCE_ABSENT, "", &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(attendance_joined(f->st, 1, 99, 0, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(attendance_left(f->st, 1, 1, 0, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_clear_error(&error);
	g_assert_true(attendance_joined(f->st, 1, 1, 10 * MIN_MS, &error));
	g_assert_false(attendance_left(f->st, 1, 1, 5 * MIN_MS, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_null(attendance_list(f->st, 9, 0, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
}

/* Open intervals stop counting when the meeting ended. */
static void test_ended_meeting(struct fixture *f, gconstpointer backend)
{
	GError *error = NULL;
	g_autofree char *lines = NULL;

	ok(attendance_joined(f->st, 2, 6, 10 * MIN_MS, &error), error);
	exec(f, "UPDATE meetings SET state = 'ended', ended_at = 1800000 WHERE id = 2");
	lines = summary(f, 2, 500 * MIN_MS);
	g_assert_cmpstr(lines, ==, "DT-01=online//1200000");
}

static void test_csv(struct fixture *f, gconstpointer backend)
{
	GError *error = NULL;
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier("Asia/Ho_Chi_Minh");
	g_autofree char *csv = NULL;
	g_auto(GStrv) lines = NULL;

	g_assert_nonnull(tz);
	/* 2024-05-06 08:00 in Hà Nội time is 01:00 UTC */
	ok(attendance_joined(f->st, 1, 1, G_GINT64_CONSTANT(1714957200000), &error), error);
	ok(attendance_left(f->st, 1, 1, G_GINT64_CONSTANT(1714962600000), &error), error);
	ok(attendance_set(f->st, &admin, 1, 3, ATTENDANCE_ABSENT, "Mất điện, \"cả xã\"", &error),
	   error);
	csv = attendance_csv(f->st, 1, G_GINT64_CONSTANT(1714970000000), tz, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(csv, "\xef\xbb\xbfunit,endpoint_code,endpoint_name,status,"
	                                    "first_join,last_leave,online_minutes,reason\r\n"));
	lines = g_strsplit(csv, "\r\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 8); /* header, 6 lines, "" after the last */
	/* a leading "=" is defused; the comma in the name quoted */
	g_assert_cmpstr(lines[1], ==,
	                "Tỉnh Lâm Đồng,LD-01,\"'=Phòng họp tỉnh, tầng 2\",absent,,,0,no reason "
	                "given");
	g_assert_cmpstr(lines[2], ==,
	                "\"Phường 1, Đà Lạt\",P1-01,Phòng họp Phường 1,absent,,,0,\"Mất điện, "
	                "\"\"cả xã\"\"\"");
	g_assert_cmpstr(lines[4], ==,
	                "Xã Tân Phú,TP-01,Phòng họp UBND xã Tân Phú,online,2024-05-06 08:00:00,"
	                "2024-05-06 09:30:00,90,");
	g_assert_cmpstr(lines[7], ==, "");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/attendance/online-ms", test_online_ms);
	g_test_add_func("/attendance/compute", test_compute);
#define ADD(name, fn)                                                                              \
	DB_FIXTURE_ADD("/attendance", name, DB_FIXTURE_BOTH, struct fixture, setup, fn, teardown)
	ADD("invitees-and-status", test_invitees_and_status);
	ADD("refusals", test_refusals);
	ADD("ended-meeting", test_ended_meeting);
	ADD("csv", test_csv);
	return g_test_run();
}
