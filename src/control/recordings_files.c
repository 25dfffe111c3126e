/* SPDX-License-Identifier: MIT */
/* Recordings' files: signed manifests, the retention job, recovery after a crash. */
#define G_LOG_DOMAIN "cau-recordings"
#include "audit.h"
#include "record/canonical_json.h"
#include "recordings.h"
#include "recordings_private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

static const struct principal system_principal = {0, "system", ROLE_OPERATOR};

static char *manifest_name(const char *file_name)
{
	const char *dot = strrchr(file_name, '.');
	g_autofree char *stem =
	    g_strndup(file_name, dot ? (gsize)(dot - file_name) : strlen(file_name));

	return g_strconcat(stem, ".manifest.json", NULL);
}

/* The manifest document of a recording row, with its meeting's title. */
static JsonNode *manifest_doc(struct store *st, gint64 id, char **file_name, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st, "SELECT " RECORDINGS_COLUMNS " FROM recordings WHERE id = ?",
	                STORE_PARAMS(STORE_INT(id)), error);
	g_autoptr(store_rows) meeting = NULL;
	JsonObject *rec, *doc, *m;

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no recording %" G_GINT64_FORMAT, id);
		return NULL;
	}
	rec = recordings_row_object(rows, 0);
	meeting =
	    store_query(st, "SELECT id, title, start_at, end_at FROM meetings WHERE id = ?",
	                STORE_PARAMS(STORE_INT(json_object_get_int_member(rec, "meeting"))), error);
	if (!meeting || store_rows_count(meeting) == 0) {
		json_object_unref(rec);
		return NULL;
	}
	*file_name = g_strdup(json_object_get_string_member(rec, "file"));
	m = json_object_new();
	json_object_set_int_member(m, "id", store_rows_get_int(meeting, 0, 0));
	json_object_set_string_member(m, "title", store_rows_get(meeting, 0, 1));
	json_object_set_int_member(m, "start_at", store_rows_get_int(meeting, 0, 2));
	json_object_set_int_member(m, "end_at", store_rows_get_int(meeting, 0, 3));
	json_object_remove_member(rec, "meeting");
	json_object_remove_member(rec, "deleted_at");
	doc = json_object_new();
	json_object_set_string_member(doc, "format", "cau-recording-manifest");
	json_object_set_int_member(doc, "format_version", 1);
	json_object_set_object_member(doc, "meeting", m);
	json_object_set_object_member(doc, "recording", rec);
	return json_node_init_object(json_node_alloc(), doc);
}

static bool write_durable(const char *dir, const char *name, const void *data, gsize len,
                          GError **error)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);

	return g_file_set_contents_full(
	    path, data, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
	    0644, error);
}

bool recordings_write_manifest(struct store *st, struct signer *by, const char *dir, gint64 id,
                               GError **error)
{
	g_autofree char *file_name = NULL, *name = NULL, *sig_name = NULL, *json = NULL;
	g_autoptr(JsonNode) doc = manifest_doc(st, id, &file_name, error);
	g_autoptr(GBytes) sig = NULL;
	gsize len;

	if (!doc || !(json = canonical_json(doc, &len, error)) ||
	    !(sig = signer_sign(by, json, len, error)))
		return false;
	name = manifest_name(file_name);
	sig_name = g_strconcat(name, ".p7s", NULL);
	if (!write_durable(dir, name, json, len, error) ||
	    !write_durable(dir, sig_name, g_bytes_get_data(sig, NULL), g_bytes_get_size(sig),
	                   error))
		return false;
	g_info("[recording %" G_GINT64_FORMAT "] manifest %s signed", id, name);
	return true;
}

/* ---- retention ---- */

struct expiry {
	gint64 id, meeting_id, now_ms;
};

static bool mark_deleted(struct store *st, gpointer user_data, GError **error)
{
	struct expiry *x = user_data;
	g_autofree char *target = g_strdup_printf("meeting/%" G_GINT64_FORMAT, x->meeting_id);
	g_autofree char *detail =
	    g_strdup_printf("{\"recording\":%" G_GINT64_FORMAT ",\"reason\":\"retention\"}", x->id);

	return store_exec(st,
	                  "UPDATE recordings SET state = 'deleted', reason = 'retention', "
	                  "deleted_at = ? WHERE id = ?",
	                  STORE_PARAMS(STORE_INT(x->now_ms), STORE_INT(x->id)), NULL, error) &&
	       audit_append(st, &system_principal, "recording.expire", target, detail, error);
}

/* Removes a file that may already be gone; false (with the reason) for other errors. */
static bool remove_file(const char *dir, const char *name, GError **error)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);

	if (g_unlink(path) == 0 || errno == ENOENT)
		return true;
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot remove %s: %s",
	            path, g_strerror(errno));
	return false;
}

gint recordings_expire(struct store *st, const char *dir, gint64 now_ms, gint64 retention_ms,
                       GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    st,
	    "SELECT id, meeting_id, file_name FROM recordings WHERE state IN ('complete', "
	    "'failed') AND ended_at < ? ORDER BY id",
	    STORE_PARAMS(STORE_INT(now_ms - retention_ms)), error);
	gint n = 0;

	if (!rows)
		return -1;
	for (guint i = 0; i < store_rows_count(rows); i++) {
		const char *file = store_rows_get(rows, i, 2);
		g_autofree char *manifest = manifest_name(file);
		g_autofree char *sig = g_strconcat(manifest, ".p7s", NULL);
		struct expiry x = {store_rows_get_int(rows, i, 0), store_rows_get_int(rows, i, 1),
		                   now_ms};

		/* Files first: a crash in between leaves a row pointing at nothing, which the
		 * next run marks; never a file no row knows. */
		if (!remove_file(dir, file, error) || !remove_file(dir, manifest, error) ||
		    !remove_file(dir, sig, error) ||
		    !store_transaction(st, mark_deleted, &x, error))
			return -1;
		g_info("[recording %" G_GINT64_FORMAT "] %s deleted after the retention period",
		       x.id, file);
		n++;
	}
	return n;
}

/* ---- recovery ---- */

/* The size and SHA-256 of a file, read in chunks; false when it cannot be read. */
bool recordings_hash_file(const char *path, gint64 *size, char **sha256, GError **error)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileInputStream) in = g_file_read(file, NULL, error);
	g_autofree guchar *buf = g_malloc(1 << 16);
	gssize n;

	*size = 0;
	if (!in)
		return false;
	while ((n = g_input_stream_read(G_INPUT_STREAM(in), buf, 1 << 16, NULL, error)) > 0) {
		g_checksum_update(sum, buf, (gsize)n);
		*size += n;
	}
	if (n < 0)
		return false;
	*sha256 = g_strdup(g_checksum_get_string(sum));
	return true;
}

GArray *recordings_recover(struct store *st, const char *dir, gint64 now_ms, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    st, "SELECT id, file_name, started_at FROM recordings WHERE state = 'recording'", NULL,
	    0, error);
	GArray *ids;

	if (!rows)
		return NULL;
	ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	for (guint i = 0; i < store_rows_count(rows); i++) {
		gint64 id = store_rows_get_int(rows, i, 0), size = 0;
		g_autofree char *path = g_build_filename(dir, store_rows_get(rows, i, 1), NULL);
		g_autofree char *sha256 = NULL;
		g_autoptr(GError) local = NULL;
		struct recording_end end = {.ended_at = now_ms,
		                            .reason = "the server stopped while recording"};

		if (!recordings_hash_file(path, &size, &sha256, &local)) {
			g_warning("[recording %" G_GINT64_FORMAT "] %s", id, local->message);
			sha256 =
			    g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)"", 0);
		}
		end.size = size;
		end.sha256 = sha256;
		/* The duration is not known without parsing the file; the start and the stop
		 * bound it. */
		end.duration_ms = 0;
		if (!recordings_end(st, &system_principal, id, &end, error)) {
			g_array_unref(ids);
			return NULL;
		}
		g_warning("[recording %" G_GINT64_FORMAT
		          "] marked failed: the server stopped while "
		          "recording (%s, %" G_GINT64_FORMAT " bytes kept)",
		          id, path, size);
		g_array_append_val(ids, id);
	}
	return ids;
}
