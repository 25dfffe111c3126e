/* SPDX-License-Identifier: MIT */
/* Unit tests of the recordings index on SQLite and PostgreSQL: segments begun and ended
 * (complete or failed) with their audit entries and events, conflicts, reading, signed
 * manifests, the retention job deleting files and marking rows, and recovery after a
 * crash. */
#include "control/recordings.h"
#include "minutes-fixture.h"

#include <glib/gstdio.h>
#include <string.h>

static gint64 count(struct fixture *f, const char *sql)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = store_query(f->st, sql, NULL, 0, &error);

	g_assert_no_error(error);
	return store_rows_get_int(rows, 0, 0);
}

/* Begins a recording of meeting 1 and writes `bytes` to its file. */
static gint64 begin(struct fixture *f, gint64 at, const char *bytes, char **path)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *name = NULL;
	gint64 id = recordings_begin(f->st, &admin, 1, "audio", at, &name, &error);

	g_assert_no_error(error);
	g_assert_cmpint(id, >, 0);
	*path = g_build_filename(f->dir, name, NULL);
	g_assert_true(g_file_set_contents(*path, bytes, -1, NULL));
	return id;
}

static void end(struct fixture *f, gint64 id, const char *path, gint64 at, const char *reason)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *sha = NULL;
	struct recording_end e = {.ended_at = at, .duration_ms = 10000, .reason = reason};

	g_assert_true(recordings_hash_file(path, &e.size, &sha, &error));
	e.sha256 = sha;
	g_assert_true(recordings_end(f->st, &admin, id, &e, &error));
	g_assert_no_error(error);
}

static void test_begin_and_end(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path1 = NULL, *path2 = NULL, *name = NULL;
	g_autoptr(JsonNode) list = NULL;
	struct recording_file file;
	JsonArray *rows;
	JsonObject *first, *second;
	gint64 id1, id2;

	id1 = begin(f, T0, "webm bytes of segment 1", &path1);
	g_assert_true(g_str_has_suffix(path1, "recording-1-s1.webm"));
	g_assert_cmpint(recordings_active(f->st, 1, &error), ==, id1);
	/* one at a time; not a meeting that is not open; not a meeting that does not exist */
	g_assert_cmpint(recordings_begin(f->st, &admin, 1, "audio", T0, &name, &error), ==, 0);
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_clear_error(&error);
	g_assert_cmpint(recordings_begin(f->st, &admin, 2, "audio", T0, &name, &error), ==, 0);
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_assert_nonnull(strstr(error->message, "scheduled"));
	g_clear_error(&error);
	g_assert_cmpint(recordings_begin(f->st, &admin, 99, "audio", T0, &name, &error), ==, 0);
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	g_clear_error(&error);
	/* a file being recorded is not served */
	g_assert_false(recordings_find_file(f->st, 1, id1, &file, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_clear_error(&error);

	end(f, id1, path1, T0 + MIN_MS, NULL);
	id2 = begin(f, T0 + 2 * MIN_MS, "segment 2, cut short", &path2);
	g_assert_true(g_str_has_suffix(path2, "recording-1-s2.webm"));
	end(f, id2, path2, T0 + 3 * MIN_MS, "No space left on the resource.");
	/* ending twice is refused */
	{
		struct recording_end again = {.ended_at = T0, .sha256 = SHA_A};
		g_assert_false(recordings_end(f->st, &admin, id2, &again, &error));
		g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
		g_clear_error(&error);
	}

	list = recordings_list(f->st, 1, &error);
	g_assert_no_error(error);
	rows = json_node_get_array(list);
	g_assert_cmpuint(json_array_get_length(rows), ==, 2);
	first = json_array_get_object_element(rows, 0);
	second = json_array_get_object_element(rows, 1);
	g_assert_cmpstr(json_object_get_string_member(first, "state"), ==, "complete");
	g_assert_true(json_object_get_null_member(first, "reason"));
	g_assert_cmpint(json_object_get_int_member(first, "size"), ==, 23);
	g_assert_cmpstr(json_object_get_string_member(first, "started_by"), ==, "admin");
	g_assert_cmpstr(json_object_get_string_member(second, "state"), ==, "failed");
	g_assert_cmpstr(json_object_get_string_member(second, "reason"), ==,
	                "No space left on the resource.");
	g_assert_true(recordings_find_file(f->st, 1, id2, &file, &error));
	g_assert_cmpstr(file.file_name, ==, "recording-1-s2.webm");
	g_assert_cmpint(file.size, ==, 20);
	recording_file_clear(&file);
	g_assert_false(recordings_find_file(f->st, 2, id2, &file, &error)); /* another meeting */
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* audited, and in the meeting's log for its minutes */
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'recording.start'"),
	                ==, 2);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'recording.stop'"),
	                ==, 1);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'recording.fail'"),
	                ==, 1);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM meeting_events WHERE kind IN "
	                         "('recording_started', 'recording_stopped')"),
	                ==, 4);
	(void)backend;
}

static void test_manifest_retention_recovery(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *cert = g_build_filename(f->dir, "org.pem", NULL);
	g_autofree char *key = g_build_filename(f->dir, "org.key", NULL);
	g_autofree char *path1 = NULL, *path2 = NULL, *manifest = NULL, *json = NULL, *sig = NULL;
	g_autoptr(GArray) recovered = NULL;
	g_autoptr(signer) by = NULL;
	struct sign_verification v = {0};
	gsize json_len, sig_len;
	gint64 id1, id2;

	g_assert_true(
	    signer_create_self_signed(cert, key, "Ủy ban nhân dân tỉnh Lâm Đồng", &error));
	by = signer_load(cert, key, &error);
	g_assert_no_error(error);
	id1 = begin(f, T0, "the first segment", &path1);
	end(f, id1, path1, T0 + MIN_MS, NULL);
	g_assert_true(recordings_write_manifest(f->st, by, f->dir, id1, &error));
	g_assert_no_error(error);
	manifest = g_build_filename(f->dir, "recording-1-s1.manifest.json", NULL);
	g_autofree char *manifest_sig = g_strconcat(manifest, ".p7s", NULL);
	g_assert_true(g_file_get_contents(manifest, &json, &json_len, NULL));
	g_assert_true(g_file_get_contents(manifest_sig, &sig, &sig_len, NULL));
	g_assert_true(sign_verify(json, json_len, sig, sig_len, NULL, &v, &error));
	sign_verification_clear(&v);
	g_assert_nonnull(strstr(json, "\"format\":\"cau-recording-manifest\""));
	g_assert_nonnull(strstr(json, "\"title\":\"Họp giao ban UBND tỉnh Lâm Đồng tháng 5\""));
	g_assert_nonnull(strstr(json, "\"file\":\"recording-1-s1.webm\""));

	/* a second one left "recording" by a crash: failed at the next start */
	id2 = begin(f, T0 + 2 * MIN_MS, "cut by kill -9", &path2);
	g_test_expect_message("cau-recordings", G_LOG_LEVEL_WARNING,
	                      "*marked failed: the server "
	                      "stopped while recording*14 bytes kept*");
	recovered = recordings_recover(f->st, f->dir, T0 + 3 * MIN_MS, &error);
	g_test_assert_expected_messages();
	g_assert_no_error(error);
	g_assert_cmpuint(recovered->len, ==, 1);
	g_assert_cmpint(g_array_index(recovered, gint64, 0), ==, id2);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM recordings WHERE state = 'failed' AND "
	                         "reason = 'the server stopped while recording' AND size = 14"),
	                ==, 1);

	/* retention of 30 days: nothing yet at day 29; both at day 31, files and all */
	g_assert_cmpint(recordings_expire(f->st, f->dir, T0 + 29 * 24 * 60 * MIN_MS,
	                                  30 * 24 * 60 * MIN_MS, &error),
	                ==, 0);
	g_assert_true(g_file_test(path1, G_FILE_TEST_EXISTS));
	g_assert_cmpint(recordings_expire(f->st, f->dir, T0 + 31 * 24 * 60 * MIN_MS,
	                                  30 * 24 * 60 * MIN_MS, &error),
	                ==, 2);
	g_assert_no_error(error);
	g_assert_false(g_file_test(path1, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(path2, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(manifest, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(manifest_sig, G_FILE_TEST_EXISTS));
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM recordings WHERE state = 'deleted' AND "
	                         "reason = 'retention' AND deleted_at IS NOT NULL"),
	                ==, 2);
	g_assert_cmpint(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = "
	                         "'recording.expire' AND actor = 'system'"),
	                ==, 2);
	/* deleted: not served, and the job does not run on them again */
	{
		struct recording_file file;
		g_assert_false(recordings_find_file(f->st, 1, id1, &file, &error));
		g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
		g_clear_error(&error);
	}
	g_assert_cmpint(recordings_expire(f->st, f->dir, T0 + 400 * 24 * 60 * MIN_MS,
	                                  30 * 24 * 60 * MIN_MS, &error),
	                ==, 0);
	(void)backend;
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	DB_FIXTURE_ADD("/recordings", "begin-and-end", DB_FIXTURE_BOTH, struct fixture, setup,
	               test_begin_and_end, teardown);
	DB_FIXTURE_ADD("/recordings", "manifest-retention-recovery", DB_FIXTURE_BOTH,
	               struct fixture, setup, test_manifest_retention_recovery, teardown);
	return g_test_run();
}
