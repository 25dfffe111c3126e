/* SPDX-License-Identifier: MIT */
/* Recordings: the index rows, their audit entries and events, manifests, retention. */
#define G_LOG_DOMAIN "cau-recordings"
#include "recordings.h"

#include "audit.h"
#include "meeting_events.h"
#include "record/canonical_json.h"
#include "recordings_private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

static bool fail_with(GError **error, int code, const char *format, ...) G_GNUC_PRINTF(3, 4);
static bool fail_with(GError **error, int code, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	g_set_error_literal(error, CONTROL_ERROR, code, "");
	if (error && *error) {
		g_free((*error)->message);
		(*error)->message = g_strdup_vprintf(format, ap);
	}
	va_end(ap);
	return false;
}

static char *meeting_target(gint64 meeting_id)
{
	return g_strdup_printf("meeting/%" G_GINT64_FORMAT, meeting_id);
}

/* ---- begin ---- */

struct begin {
	const struct principal *who;
	gint64 meeting_id, now_ms, id;
	const char *tracks;
	char *file_name;
};

static bool insert_recording(struct store *st, gpointer user_data, GError **error)
{
	struct begin *b = user_data;
	g_autoptr(store_rows) meeting = NULL, busy = NULL, next = NULL, rows = NULL;
	g_autofree char *target = meeting_target(b->meeting_id), *detail = NULL;
	const char *state;
	gint64 segment;

	meeting = store_query(st, "SELECT state FROM meetings WHERE id = ?",
	                      STORE_PARAMS(STORE_INT(b->meeting_id)), error);
	if (!meeting)
		return false;
	if (store_rows_count(meeting) == 0)
		return fail_with(error, CONTROL_ERROR_NOT_FOUND, "no meeting %" G_GINT64_FORMAT,
		                 b->meeting_id);
	state = store_rows_get(meeting, 0, 0);
	if (strcmp(state, "open") != 0 && strcmp(state, "live") != 0)
		return fail_with(error, CONTROL_ERROR_CONFLICT,
		                 "meeting %" G_GINT64_FORMAT
		                 " is %s: it is recorded while its room is "
		                 "open or live",
		                 b->meeting_id, state);
	busy = store_query(st,
	                   "SELECT id FROM recordings WHERE meeting_id = ? AND state = 'recording'",
	                   STORE_PARAMS(STORE_INT(b->meeting_id)), error);
	if (!busy)
		return false;
	if (store_rows_count(busy) > 0)
		return fail_with(error, CONTROL_ERROR_CONFLICT,
		                 "meeting %" G_GINT64_FORMAT
		                 " is being recorded already (recording %s)",
		                 b->meeting_id, store_rows_get(busy, 0, 0));
	next = store_query(
	    st, "SELECT COALESCE(MAX(segment), 0) + 1 FROM recordings WHERE meeting_id = ?",
	    STORE_PARAMS(STORE_INT(b->meeting_id)), error);
	if (!next)
		return false;
	segment = store_rows_get_int(next, 0, 0);
	g_free(b->file_name);
	b->file_name = g_strdup_printf("recording-%" G_GINT64_FORMAT "-s%" G_GINT64_FORMAT ".webm",
	                               b->meeting_id, segment);
	rows = store_query(
	    st,
	    "INSERT INTO recordings (meeting_id, segment, state, file_name, tracks, "
	    "started_at, started_by) VALUES (?, ?, 'recording', ?, ?, ?, ?) RETURNING id",
	    STORE_PARAMS(STORE_INT(b->meeting_id), STORE_INT(segment), STORE_TEXT(b->file_name),
	                 STORE_TEXT(b->tracks), STORE_INT(b->now_ms),
	                 STORE_TEXT(b->who->account_id || b->who->username[0] ? b->who->username
	                                                                      : "system")),
	    error);
	if (!rows)
		return false;
	b->id = store_rows_get_int(rows, 0, 0);
	detail = g_strdup_printf("{\"recording\":%" G_GINT64_FORMAT ",\"segment\":%" G_GINT64_FORMAT
	                         ",\"file\":\"%s\"}",
	                         b->id, segment, b->file_name);
	return audit_append(st, b->who, "recording.start", target, detail, error);
}

/* The meeting's log: best effort, after the row is committed (the log has its own
 * transaction and the recording stands without the event). */
static void log_event(struct store *st, gint64 meeting_id, const char *kind, JsonObject *detail,
                      gint64 at)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), detail);
	g_autofree char *text = json_to_string(node, FALSE);

	if (!meeting_events_append(st, meeting_id, kind, 0, text, at, &error))
		g_warning("[meeting %" G_GINT64_FORMAT "] recordings: no %s event: %s", meeting_id,
		          kind, error->message);
}

gint64 recordings_begin(struct store *st, const struct principal *who, gint64 meeting_id,
                        const char *tracks, gint64 now_ms, char **file_name, GError **error)
{
	struct begin b = {who, meeting_id, now_ms, 0, tracks, NULL};
	g_autofree char *ref = NULL;
	JsonObject *detail;

	if (!store_transaction(st, insert_recording, &b, error)) {
		g_free(b.file_name);
		return 0;
	}
	ref = g_strdup_printf("%" G_GINT64_FORMAT, b.id);
	detail = json_object_new();
	json_object_set_string_member(detail, "recording", ref);
	json_object_set_string_member(detail, "file", b.file_name);
	log_event(st, meeting_id, "recording_started", detail, now_ms);
	json_object_unref(detail);
	*file_name = b.file_name;
	return b.id;
}

/* ---- end ---- */

struct ending {
	const struct principal *who;
	gint64 id, meeting_id;
	const struct recording_end *end;
	char *file_name;
};

static bool update_ended(struct store *st, gpointer user_data, GError **error)
{
	struct ending *e = user_data;
	const struct recording_end *end = e->end;
	g_autoptr(store_rows) rows = NULL;
	g_autofree char *target = NULL, *detail = NULL;

	rows = store_query(st, "SELECT meeting_id, state, file_name FROM recordings WHERE id = ?",
	                   STORE_PARAMS(STORE_INT(e->id)), error);
	if (!rows)
		return false;
	if (store_rows_count(rows) == 0)
		return fail_with(error, CONTROL_ERROR_NOT_FOUND, "no recording %" G_GINT64_FORMAT,
		                 e->id);
	if (strcmp(store_rows_get(rows, 0, 1), "recording") != 0)
		return fail_with(error, CONTROL_ERROR_CONFLICT,
		                 "recording %" G_GINT64_FORMAT " has ended already (%s)", e->id,
		                 store_rows_get(rows, 0, 1));
	e->meeting_id = store_rows_get_int(rows, 0, 0);
	g_free(e->file_name);
	e->file_name = g_strdup(store_rows_get(rows, 0, 2));
	if (!store_exec(
	        st,
	        "UPDATE recordings SET state = ?, reason = ?, ended_at = ?, duration_ms = ?, "
	        "size = ?, sha256 = ? WHERE id = ?",
	        STORE_PARAMS(STORE_TEXT(end->reason ? "failed" : "complete"),
	                     end->reason ? STORE_TEXT(end->reason) : STORE_NULL,
	                     STORE_INT(end->ended_at), STORE_INT(end->duration_ms),
	                     STORE_INT(end->size), STORE_TEXT(end->sha256), STORE_INT(e->id)),
	        NULL, error))
		return false;
	target = meeting_target(e->meeting_id);
	{
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(JsonNode) node = NULL;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "recording");
		json_builder_add_int_value(b, e->id);
		json_builder_set_member_name(b, "size");
		json_builder_add_int_value(b, end->size);
		json_builder_set_member_name(b, "sha256");
		json_builder_add_string_value(b, end->sha256);
		if (end->reason) {
			json_builder_set_member_name(b, "reason");
			json_builder_add_string_value(b, end->reason);
		}
		json_builder_end_object(b);
		node = json_builder_get_root(b);
		detail = json_to_string(node, FALSE);
	}
	return audit_append(st, e->who, end->reason ? "recording.fail" : "recording.stop", target,
	                    detail, error);
}

bool recordings_end(struct store *st, const struct principal *who, gint64 id,
                    const struct recording_end *end, GError **error)
{
	struct ending e = {who, id, 0, end, NULL};
	g_autofree char *ref = NULL;
	JsonObject *detail;

	if (!store_transaction(st, update_ended, &e, error)) {
		g_free(e.file_name);
		return false;
	}
	ref = g_strdup_printf("%" G_GINT64_FORMAT, id);
	detail = json_object_new();
	json_object_set_string_member(detail, "recording", ref);
	json_object_set_string_member(detail, "file", e.file_name);
	json_object_set_int_member(detail, "size", end->size);
	json_object_set_string_member(detail, "sha256", end->sha256);
	log_event(st, e.meeting_id, "recording_stopped", detail, end->ended_at);
	json_object_unref(detail);
	g_free(e.file_name);
	return true;
}

/* ---- reading ---- */

/* Row `row` of a SELECT COLUMNS as a JSON object. */
JsonObject *recordings_row_object(store_rows *rows, guint row)
{
	static const struct {
		const char *name;
		bool is_int;
	} cols[] = {{"id", true},          {"segment", true},     {"state", false},
	            {"reason", false},     {"file", false},       {"tracks", false},
	            {"started_at", true},  {"started_by", false}, {"ended_at", true},
	            {"duration_ms", true}, {"size", true},        {"sha256", false},
	            {"deleted_at", true},  {"meeting", true}};
	JsonObject *o = json_object_new();

	for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
		const char *v = store_rows_get(rows, row, c);
		if (!v)
			json_object_set_null_member(o, cols[c].name);
		else if (cols[c].is_int)
			json_object_set_int_member(o, cols[c].name,
			                           store_rows_get_int(rows, row, c));
		else
			json_object_set_string_member(o, cols[c].name, v);
	}
	return o;
}

static bool meeting_exists(struct store *st, gint64 meeting_id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT id FROM meetings WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(meeting_id)), error);

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0)
		return fail_with(error, CONTROL_ERROR_NOT_FOUND, "no meeting %" G_GINT64_FORMAT,
		                 meeting_id);
	return true;
}

JsonNode *recordings_list(struct store *st, gint64 meeting_id, GError **error)
{
	g_autoptr(store_rows) rows = NULL;
	JsonArray *list;

	if (!meeting_exists(st, meeting_id, error))
		return NULL;
	rows = store_query(st,
	                   "SELECT " RECORDINGS_COLUMNS
	                   " FROM recordings WHERE meeting_id = ? ORDER BY segment",
	                   STORE_PARAMS(STORE_INT(meeting_id)), error);
	if (!rows)
		return NULL;
	list = json_array_new();
	for (guint i = 0; i < store_rows_count(rows); i++)
		json_array_add_object_element(list, recordings_row_object(rows, i));
	return json_node_init_array(json_node_alloc(), list);
}

bool recordings_find_file(struct store *st, gint64 meeting_id, gint64 id,
                          struct recording_file *out, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    st,
	    "SELECT state, file_name, size, sha256 FROM recordings WHERE id = ? AND meeting_id = ?",
	    STORE_PARAMS(STORE_INT(id), STORE_INT(meeting_id)), error);
	const char *state;

	*out = (struct recording_file){0};
	if (!rows)
		return false;
	if (store_rows_count(rows) == 0)
		return fail_with(error, CONTROL_ERROR_NOT_FOUND,
		                 "meeting %" G_GINT64_FORMAT " has no recording %" G_GINT64_FORMAT,
		                 meeting_id, id);
	state = store_rows_get(rows, 0, 0);
	if (strcmp(state, "recording") == 0)
		return fail_with(error, CONTROL_ERROR_CONFLICT,
		                 "recording %" G_GINT64_FORMAT " is still being recorded", id);
	if (strcmp(state, "deleted") == 0)
		return fail_with(
		    error, CONTROL_ERROR_NOT_FOUND,
		    "recording %" G_GINT64_FORMAT " was deleted after the retention period", id);
	out->file_name = g_strdup(store_rows_get(rows, 0, 1));
	out->size = store_rows_get_int(rows, 0, 2);
	out->sha256 = g_strdup(store_rows_get(rows, 0, 3));
	return true;
}

void recording_file_clear(struct recording_file *f)
{
	g_clear_pointer(&f->file_name, g_free);
	g_clear_pointer(&f->sha256, g_free);
}

gint64 recordings_active(struct store *st, gint64 meeting_id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    st, "SELECT id FROM recordings WHERE meeting_id = ? AND state = 'recording'",
	    STORE_PARAMS(STORE_INT(meeting_id)), error);

	return rows && store_rows_count(rows) ? store_rows_get_int(rows, 0, 0) : 0;
}

char *recordings_policy(struct store *st, gint64 meeting_id, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st, "SELECT recording_policy FROM meetings WHERE id = ?",
	                STORE_PARAMS(STORE_INT(meeting_id)), error);

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting %" G_GINT64_FORMAT, meeting_id);
		return NULL;
	}
	return g_strdup(store_rows_get(rows, 0, 0));
}
