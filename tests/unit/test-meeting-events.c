/* SPDX-License-Identifier: MIT */
/* Unit tests of the meeting event log: speaking time with overlapping intervals (pure),
 * and on SQLite and PostgreSQL every kind appended, refused with the reason, decisions
 * audited, joins and leaves passed to attendance. */
#include "minutes-fixture.h"

#include <stdlib.h>
#include <string.h>

static void test_speaking_total(void)
{
	static const struct attendance_interval overlapping[] = {
	    {10 * MIN_MS, 12 * MIN_MS},
	    {11 * MIN_MS, 13 * MIN_MS}, /* two detections of one turn: counted once */
	    {13 * MIN_MS, 14 * MIN_MS}, /* touches the run: the same turn */
	    {20 * MIN_MS, 21 * MIN_MS},
	    {5 * MIN_MS, 6 * MIN_MS},   /* out of order */
	    {30 * MIN_MS, 30 * MIN_MS}, /* empty: ignored */
	};
	static const struct attendance_interval nested[] = {
	    {0, 10 * MIN_MS},
	    {2 * MIN_MS, 3 * MIN_MS},
	    {4 * MIN_MS, 5 * MIN_MS},
	};
	guint turns = 99;

	g_assert_cmpint(meeting_speaking_total(NULL, 0, &turns), ==, 0);
	g_assert_cmpuint(turns, ==, 0);
	g_assert_cmpint(meeting_speaking_total(overlapping, G_N_ELEMENTS(overlapping), &turns), ==,
	                (4 + 1 + 1) * MIN_MS);
	g_assert_cmpuint(turns, ==, 3);
	g_assert_cmpint(meeting_speaking_total(nested, G_N_ELEMENTS(nested), &turns), ==,
	                10 * MIN_MS);
	g_assert_cmpuint(turns, ==, 1);
}

static gint64 count(struct fixture *f, const char *sql)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = store_query(f->st, sql, NULL, 0, &error);

	g_assert_no_error(error);
	return store_rows_get_int(rows, 0, 0);
}

static void test_every_kind(struct fixture *f, gconstpointer backend)
{
	GError *error = NULL;
	g_autoptr(JsonNode) list = NULL, decision = NULL;
	JsonObject *first;
	gint64 id;

	ok(meeting_events_speaking(f->st, 1, 1, T0 + MIN_MS, T0 + 2 * MIN_MS, &error), error);
	event(f, "floor_requested", 3, NULL, T0 + 3 * MIN_MS);
	event(f, "floor_granted", 3, "{\"by\": \"chu.tich\"}", T0 + 4 * MIN_MS);
	event(f, "floor_revoked", 3, "", T0 + 9 * MIN_MS);
	event(f, "mute", 2, NULL, T0 + 5 * MIN_MS);
	event(f, "unmute", 2, NULL, T0 + 6 * MIN_MS);
	event(f, "pin", 4, NULL, T0 + 6 * MIN_MS);
	event(f, "unpin", 0, NULL, T0 + 7 * MIN_MS);
	event(f, "kick", 5, NULL, T0 + 7 * MIN_MS);
	event(f, "layout", 0, "{\"layout\": \"grid\"}", T0 + 8 * MIN_MS);
	event(f, "lock", 0, NULL, T0 + 8 * MIN_MS);
	event(f, "unlock", 0, NULL, T0 + 9 * MIN_MS);
	event(f, "material_presented", 4, "{\"material\": 1, \"version\": 2}", T0 + 10 * MIN_MS);
	event(f, "recording_started", 0, "{\"recording\": \"r1\"}", T0 + 11 * MIN_MS);
	event(f, "recording_stopped", 0,
	      "{\"recording\": \"r1\", \"file\": \"rec-1.webm\", \"size\": 123456, \"sha256\": "
	      "\"" SHA_A "\"}",
	      T0 + 12 * MIN_MS);
	event(f, "vote_opened", 0,
	      "{\"vote\": \"v1\", \"question\": \"Thông qua tờ trình?\", \"options\": [\"Đồng ý\", "
	      "\"Không đồng ý\", \"Không biểu quyết\"], \"secret\": false, \"agenda_item\": 2}",
	      T0 + 13 * MIN_MS);
	event(
	    f, "vote_closed", 0,
	    "{\"vote\": \"v1\", \"counts\": [2, 1, 0], \"choices\": [{\"endpoint\": 1, \"option\": "
	    "0}, {\"endpoint\": 3, \"option\": 0}, {\"endpoint\": 5, \"option\": 1}]}",
	    T0 + 14 * MIN_MS);
	event(f, "decision", 0, "{\"text\": \"Giao Sở Tài chính thẩm định\"}", T0 + 15 * MIN_MS);
	id = meeting_events_decide(f->st, &admin, 1, "Thông qua tờ trình ngân sách xã Tân Phú", 2,
	                           T0 + 16 * MIN_MS, &error);
	g_assert_no_error(error);
	g_assert_cmpint(id, >, 0);

	list = meeting_events_list(f->st, 1, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(list)), ==, 19);
	first = json_array_get_object_element(json_node_get_array(list), 0);
	g_assert_cmpstr(json_object_get_string_member(first, "kind"), ==, "speaking");
	g_assert_cmpint(json_object_get_int_member(first, "end_at"), ==, T0 + 2 * MIN_MS);
	g_assert_cmpint(json_object_get_size(json_object_get_object_member(first, "detail")), ==,
	                0);
	g_assert_cmpstr(json_object_get_string_member(first, "actor"), ==, "room");
	decision = meeting_events_get(f->st, id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(json_object_get_string_member(json_node_get_object(decision), "actor"), ==,
	                "admin");
	g_assert_cmpint(json_object_get_int_member(
	                    json_object_get_object_member(json_node_get_object(decision), "detail"),
	                    "agenda_item"),
	                ==, 2);
	/* decisions through the control API are audited; the room's events are not */
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.decision' "
	                         "AND actor = 'admin' AND target = 'meeting/1'"),
	                ==, 1);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM audit_log"), ==, 1);
	json_node_unref(list);
	list = meeting_events_list(f->st, 1, "floor_granted", &error);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(list)), ==, 1);
}

static void test_joins_go_to_attendance(struct fixture *f, gconstpointer backend)
{
	event(f, "joined", 1, NULL, T0);
	event(f, "left", 1, "{}", T0 + 30 * MIN_MS);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM attendance_intervals WHERE endpoint_id = 1 "
	                         "AND left_at - joined_at = 1800000"),
	                ==, 1);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM meeting_events"), ==, 0);
}

/* One refused append: the code and a piece of the message. */
struct refusal {
	gint64 meeting;
	const char *kind;
	gint64 endpoint;
	const char *detail;
	gint64 at;
	int code;
	const char *says;
};

static void test_refusals(struct fixture *f, gconstpointer backend)
{
	static const struct refusal cases[] = {
	    {1, "dancing", 1, NULL, T0, CONTROL_ERROR_INVALID, "unknown event kind \"dancing\""},
	    {1, NULL, 1, NULL, T0, CONTROL_ERROR_INVALID, "unknown event kind"},
	    {1, "mute", 0, NULL, T0, CONTROL_ERROR_INVALID, "mute: an endpoint is needed"},
	    {1, "lock", 2, NULL, T0, CONTROL_ERROR_INVALID, "lock: takes no endpoint"},
	    {1, "mute", 1, NULL, 0, CONTROL_ERROR_INVALID, "Unix time in milliseconds"},
	    {1, "mute", 1, "[1]", T0, CONTROL_ERROR_INVALID, "must be a JSON object"},
	    {1, "mute", 1, "{bad", T0, CONTROL_ERROR_INVALID, "must be a JSON object"},
	    {1, "mute", 1, "{\"volume\": 3}", T0, CONTROL_ERROR_INVALID,
	     "unknown detail member \"volume\""},
	    {1, "floor_requested", 1, "{\"by\": \"x\"}", T0, CONTROL_ERROR_INVALID,
	     "unknown detail member \"by\""},
	    {1, "speaking", 1, "{}", T0, CONTROL_ERROR_INVALID, "the detail needs \"end_at\""},
	    {1, "speaking", 1, "{\"end_at\": 1714957100000}", T0, CONTROL_ERROR_INVALID,
	     "the end must be from the start"},
	    {1, "speaking", 1, "{\"end_at\": \"later\"}", T0, CONTROL_ERROR_INVALID,
	     "\"end_at\" must be an integer"},
	    {1, "layout", 0, "{\"layout\": \"mosaic\"}", T0, CONTROL_ERROR_INVALID,
	     "speaker, grid or pinned"},
	    {1, "material_presented", 0, "{\"material\": 2, \"version\": 1}", T0,
	     CONTROL_ERROR_NOT_FOUND, "meeting 1 has no material 2"},
	    {1, "material_presented", 0, "{\"material\": 1, \"version\": 3}", T0,
	     CONTROL_ERROR_NOT_FOUND, "material 1 has no version 3"},
	    {1, "recording_stopped", 0, "{\"recording\": \"r\", \"sha256\": \"" SHA_A "0\"}", T0,
	     CONTROL_ERROR_INVALID, "\"sha256\" must be text of 64"},
	    {1, "recording_stopped", 0,
	     "{\"recording\": \"r\", \"sha256\": "
	     "\"0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9\"}",
	     T0, CONTROL_ERROR_INVALID, "64 lower-case hex digits"},
	    {1, "vote_opened", 0,
	     "{\"vote\": \"v\", \"question\": \"?\", \"options\": [\"Có\"], "
	     "\"secret\": true}",
	     T0, CONTROL_ERROR_INVALID, "\"options\" must be an array of 2"},
	    {1, "vote_opened", 0,
	     "{\"vote\": \"v\", \"question\": \"?\", \"options\": [\"Có\", 2], "
	     "\"secret\": true}",
	     T0, CONTROL_ERROR_INVALID, "every option must be text"},
	    {1, "vote_opened", 0,
	     "{\"vote\": \"v\", \"question\": \"?\", \"options\": [\"Có\", "
	     "\"Không\"], \"secret\": true, \"agenda_item\": 9}",
	     T0, CONTROL_ERROR_NOT_FOUND, "meeting 1 has no agenda item 9"},
	    {1, "vote_closed", 0, "{\"vote\": \"nope\", \"counts\": [1, 2]}", T0,
	     CONTROL_ERROR_CONFLICT, "vote \"nope\" was not opened"},
	    {1, "decision", 0, "{\"text\": \"\"}", T0, CONTROL_ERROR_INVALID,
	     "\"text\" must be text of 1"},
	    {1, "mute", 9, NULL, T0, CONTROL_ERROR_NOT_FOUND, "no endpoint with id 9"},
	    {7, "mute", 1, NULL, T0, CONTROL_ERROR_NOT_FOUND, "no meeting with id 7"},
	    {2, "mute", 1, NULL, T0, CONTROL_ERROR_CONFLICT, "meeting 2 is scheduled"},
	    {1, "joined", 1, "{\"x\": 1}", T0, CONTROL_ERROR_INVALID, "joined: takes no detail"},
	    {1, "left", 2, NULL, T0, CONTROL_ERROR_CONFLICT, "is not online"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct refusal *c = &cases[i];
		g_autoptr(GError) error = NULL;
		g_test_message("case %zu: %s %s", i, c->kind ? c->kind : "(null)",
		               c->detail ? c->detail : "");
		g_assert_false(meeting_events_append(f->st, c->meeting, c->kind, c->endpoint,
		                                     c->detail, c->at, &error));
		g_assert_error(error, CONTROL_ERROR, c->code);
		if (!strstr(error->message, c->says))
			g_error("case %zu: \"%s\" does not say \"%s\"", i, error->message, c->says);
	}
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM meeting_events"), ==, 0);
}

static void refuse(struct fixture *f, const char *kind, const char *detail, int code,
                   const char *says)
{
	g_autoptr(GError) error = NULL;

	g_assert_false(meeting_events_append(f->st, 1, kind, 0, detail, T0, &error));
	g_assert_error(error, CONTROL_ERROR, code);
	if (!strstr(error->message, says))
		g_error("\"%s\" does not say \"%s\"", error->message, says);
}

static void test_votes(struct fixture *f, gconstpointer backend)
{
	event(f, "vote_opened", 0,
	      "{\"vote\": \"kin\", \"question\": \"Bầu phó chủ tịch\", \"options\": [\"Đồng ý\", "
	      "\"Không\"], \"secret\": true}",
	      T0);
	refuse(f, "vote_opened",
	       "{\"vote\": \"kin\", \"question\": \"?\", \"options\": [\"a\", \"b\"], \"secret\": "
	       "false}",
	       CONTROL_ERROR_CONFLICT, "was opened already");
	refuse(f, "vote_closed", "{\"vote\": \"kin\", \"counts\": [1, 2, 3]}",
	       CONTROL_ERROR_INVALID, "one count per option (2)");
	refuse(f, "vote_closed", "{\"vote\": \"kin\", \"counts\": [1, -2]}", CONTROL_ERROR_INVALID,
	       "every count must be an integer >= 0");
	refuse(
	    f, "vote_closed",
	    "{\"vote\": \"kin\", \"counts\": [1, 0], \"choices\": [{\"endpoint\": 1, \"option\": "
	    "0}]}",
	    CONTROL_ERROR_INVALID, "a secret vote keeps its choices");
	event(f, "vote_closed", 0, "{\"vote\": \"kin\", \"counts\": [3, 1]}", T0 + MIN_MS);
	refuse(f, "vote_closed", "{\"vote\": \"kin\", \"counts\": [3, 1]}", CONTROL_ERROR_CONFLICT,
	       "was closed already");
	event(f, "vote_opened", 0,
	      "{\"vote\": \"open\", \"question\": \"?\", \"options\": [\"a\", \"b\"], \"secret\": "
	      "false}",
	      T0);
	refuse(
	    f, "vote_closed",
	    "{\"vote\": \"open\", \"counts\": [1, 0], \"choices\": [{\"endpoint\": 1, \"option\": "
	    "2}]}",
	    CONTROL_ERROR_INVALID, "index from 0 to 1");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/meeting-events/speaking-total", test_speaking_total);
#define ADD(name, fn)                                                                              \
	DB_FIXTURE_ADD("/meeting-events", name, DB_FIXTURE_BOTH, struct fixture, setup, fn,        \
	               teardown)
	ADD("every-kind", test_every_kind);
	ADD("joins-go-to-attendance", test_joins_go_to_attendance);
	ADD("refusals", test_refusals);
	ADD("votes", test_votes);
	return g_test_run();
}
