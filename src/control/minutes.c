/* SPDX-License-Identifier: MIT */
/* Minutes: generation (JSON, PDF, signatures, files, index), versions, files, catch-up. */
#define G_LOG_DOMAIN "cau-minutes"
#include "minutes.h"

#include "audit.h"
#include "record/canonical_json.h"
#include "record/minutes_pdf.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

struct minutes {
	struct store *st;
	struct clock *clock;
	struct signer *signer; /* a reference */
	char *dir;             /* DATA/minutes */
	GHashTable *busy;      /* meeting ids whose minutes are being made in a thread */
	char *organisation;
	char *timezone;
};

/* The four files of a version, in enum minutes_file_kind order. */
static const struct {
	const char *ext;    /* of the file and of its URL: "3.json.p7s" */
	const char *column; /* of the index: COLUMN_sha256, COLUMN_size */
	const char *mime;
} files[] = {
    [MINUTES_FILE_JSON] = {"json", "json", "application/json"},
    [MINUTES_FILE_JSON_P7S] = {"json.p7s", "json_p7s", "application/pkcs7-signature"},
    [MINUTES_FILE_PDF] = {"pdf", "pdf", "application/pdf"},
    [MINUTES_FILE_PDF_P7S] = {"pdf.p7s", "pdf_p7s", "application/pkcs7-signature"},
};
#define N_FILES G_N_ELEMENTS(files)

struct minutes *minutes_new(struct store *st, struct clock *clock, struct signer *by,
                            const struct minutes_config *cfg, GError **error)
{
	g_autofree char *dir = g_build_filename(cfg->data_dir, MINUTES_DIR, NULL);
	struct minutes *mn;

	if (g_mkdir_with_parents(dir, 0750) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot create %s: %s", dir, g_strerror(errno));
		return NULL;
	}
	mn = g_new0(struct minutes, 1);
	mn->st = st;
	mn->clock = clock;
	mn->signer = signer_ref(by);
	mn->busy = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	mn->dir = g_steal_pointer(&dir);
	mn->organisation = g_strdup(
	    cfg->organisation && *cfg->organisation ? cfg->organisation : signer_organisation(by));
	mn->timezone = g_strdup(cfg->timezone);
	return mn;
}

void minutes_free(struct minutes *mn)
{
	if (!mn)
		return;
	signer_free(mn->signer);
	g_hash_table_destroy(mn->busy);
	g_free(mn->dir);
	g_free(mn->organisation);
	g_free(mn->timezone);
	g_free(mn);
}

static char *file_name(gint64 meeting_id, gint version, enum minutes_file_kind kind)
{
	return g_strdup_printf("minutes-%" G_GINT64_FORMAT "-v%d.%s", meeting_id, version,
	                       files[kind].ext);
}

/* One version being made. Made and committed on the service's thread; its files are
 * laid out, signed and written on any thread, from what it holds itself. */
struct generation {
	struct principal who; /* account_id 0: the system */
	gint64 meeting_id, created_at, started_us;
	gint version;
	JsonNode *doc;
	char *dir;
	struct signer *signer; /* a reference */
	GBytes *content[N_FILES];
	char *sha256[N_FILES];
};

static void generation_free(struct generation *g)
{
	for (size_t i = 0; i < N_FILES; i++) {
		g_clear_pointer(&g->content[i], g_bytes_unref);
		g_clear_pointer(&g->sha256[i], g_free);
	}
	g_clear_pointer(&g->doc, json_node_unref);
	signer_free(g->signer);
	g_free(g->dir);
	g_free(g);
}
typedef struct generation generation;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(generation, generation_free)

static bool meeting_took_place(struct minutes *mn, gint64 meeting_id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(mn->st, "SELECT state FROM meetings WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(meeting_id)), error);

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting with id %" G_GINT64_FORMAT, meeting_id);
		return false;
	}
	if (strcmp(store_rows_get(rows, 0, 0), "scheduled") == 0 ||
	    strcmp(store_rows_get(rows, 0, 0), "cancelled") == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "meeting %" G_GINT64_FORMAT " is %s: it has no minutes", meeting_id,
		            store_rows_get(rows, 0, 0));
		return false;
	}
	return true;
}

static gint next_version(struct minutes *mn, gint64 meeting_id, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(mn->st, "SELECT MAX(version) FROM minutes WHERE meeting_id = ?",
	                STORE_PARAMS(STORE_INT(meeting_id)), error);

	return rows ? (gint)store_rows_get_int(rows, 0, 0) + 1 : 0;
}

static void set_content(struct generation *g, enum minutes_file_kind kind, GBytes *content)
{
	g->content[kind] = content;
	g->sha256[kind] = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, content);
}

/* On the service's thread: what the store says, as the document and its JSON. */
static struct generation *prepare(struct minutes *mn, const struct principal *who,
                                  gint64 meeting_id, GError **error)
{
	g_autoptr(generation) g = g_new0(struct generation, 1);
	char *json;
	gsize length;

	if (who)
		g->who = *who;
	g->meeting_id = meeting_id;
	g->created_at = clock_now_ms(mn->clock);
	g->started_us = g_get_monotonic_time();
	g->dir = g_strdup(mn->dir);
	g->signer = signer_ref(mn->signer);
	if (g_hash_table_contains(mn->busy, &meeting_id)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "the minutes of meeting %" G_GINT64_FORMAT
		            " are being made; try again in a moment",
		            meeting_id);
		return NULL;
	}
	if (!meeting_took_place(mn, meeting_id, error) ||
	    !(g->version = next_version(mn, meeting_id, error)))
		return NULL;
	g->doc = minutes_document(mn->st, meeting_id, mn->organisation, mn->timezone, g->created_at,
	                          error);
	if (!g->doc || !(json = canonical_json(g->doc, &length, error)))
		return NULL;
	set_content(g, MINUTES_FILE_JSON, g_bytes_new_take(json, length));
	return g_steal_pointer(&g);
}

/* On any thread: the PDF, both signatures, the four files written (temp file, fsync,
 * rename: a crash leaves the old file or the new, never half). */
static bool render(struct generation *g, GError **error)
{
	struct minutes_pdf_info info = {g->version, g->created_at, g->sha256[MINUTES_FILE_JSON],
	                                signer_subject(g->signer)};
	GBytes *bytes = minutes_pdf_render(json_node_get_object(g->doc), &info, error);

	if (!bytes)
		return false;
	set_content(g, MINUTES_FILE_PDF, bytes);
	for (enum minutes_file_kind k = MINUTES_FILE_JSON; k <= MINUTES_FILE_PDF; k += 2) {
		gsize n;
		const void *data = g_bytes_get_data(g->content[k], &n);
		bytes = signer_sign(g->signer, data, n, error);
		if (!bytes)
			return false;
		set_content(g, k + 1, bytes);
	}
	for (size_t i = 0; i < N_FILES; i++) {
		g_autofree char *name = file_name(g->meeting_id, g->version, i);
		g_autofree char *path = g_build_filename(g->dir, name, NULL);
		gsize n;
		const char *data = g_bytes_get_data(g->content[i], &n);
		if (!g_file_set_contents_full(
		        path, data, (gssize)n,
		        G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, error))
			return false;
	}
	return true;
}

static bool insert_version(struct store *st, gpointer user_data, GError **error)
{
	struct generation *g = user_data;
	const char *by = g->who.account_id ? g->who.username : "system";
	g_autofree char *target = g_strdup_printf("meeting/%" G_GINT64_FORMAT, g->meeting_id);
	g_autofree char *detail =
	    g_strdup_printf("{\"version\":%d,\"json_sha256\":\"%s\",\"pdf_sha256\":\"%s\"}",
	                    g->version, g->sha256[MINUTES_FILE_JSON], g->sha256[MINUTES_FILE_PDF]);

	if (!store_exec(
	        st,
	        "INSERT INTO minutes (meeting_id, version, created_at, created_by, "
	        "json_sha256, json_size, json_p7s_sha256, json_p7s_size, pdf_sha256, "
	        "pdf_size, pdf_p7s_sha256, pdf_p7s_size, signer) VALUES (?, ?, ?, ?, ?, ?, "
	        "?, ?, ?, ?, ?, ?, ?)",
	        STORE_PARAMS(
	            STORE_INT(g->meeting_id), STORE_INT(g->version), STORE_INT(g->created_at),
	            STORE_TEXT(by), STORE_TEXT(g->sha256[0]),
	            STORE_INT((gint64)g_bytes_get_size(g->content[0])), STORE_TEXT(g->sha256[1]),
	            STORE_INT((gint64)g_bytes_get_size(g->content[1])), STORE_TEXT(g->sha256[2]),
	            STORE_INT((gint64)g_bytes_get_size(g->content[2])), STORE_TEXT(g->sha256[3]),
	            STORE_INT((gint64)g_bytes_get_size(g->content[3])),
	            STORE_TEXT(signer_subject(g->signer))),
	        NULL, error))
		return false;
	return audit_append(st, g->who.account_id ? &g->who : NULL, "minutes.generate", target,
	                    detail, error);
}

static JsonNode *version_json(struct store_rows *rows, guint r, gint64 meeting_id);

/* The version row `version` of a meeting's minutes (columns as minutes_list() reads). */
static struct store_rows *query_versions(struct store *st, gint64 meeting_id, gint version,
                                         GError **error)
{
	static const char *const sql =
	    "SELECT version, created_at, created_by, signer, json_sha256, json_size, "
	    "json_p7s_sha256, json_p7s_size, pdf_sha256, pdf_size, pdf_p7s_sha256, pdf_p7s_size "
	    "FROM minutes WHERE meeting_id = ? %s ORDER BY version";
	g_autofree char *text = g_strdup_printf(sql, version ? "AND version = ?" : "");

	return version ? store_query(st, text,
	                             STORE_PARAMS(STORE_INT(meeting_id), STORE_INT(version)), error)
	               : store_query(st, text, STORE_PARAMS(STORE_INT(meeting_id)), error);
}

/* On the service's thread: the index row and audit entry; the version as listed. */
static JsonNode *commit(struct minutes *mn, struct generation *g, GError **error)
{
	g_autoptr(store_rows) rows = NULL;

	if (!store_transaction(mn->st, insert_version, g, error) ||
	    !(rows = query_versions(mn->st, g->meeting_id, g->version, error)))
		return NULL;
	g_info("[meeting %" G_GINT64_FORMAT "] minutes v%d: json %s, pdf %" G_GSIZE_FORMAT
	       " bytes, %" G_GINT64_FORMAT " ms",
	       g->meeting_id, g->version, g->sha256[MINUTES_FILE_JSON],
	       g_bytes_get_size(g->content[MINUTES_FILE_PDF]),
	       (g_get_monotonic_time() - g->started_us) / 1000);
	return version_json(rows, 0, g->meeting_id);
}

JsonNode *minutes_generate(struct minutes *mn, const struct principal *who, gint64 meeting_id,
                           GError **error)
{
	g_autoptr(generation) g = prepare(mn, who, meeting_id, error);

	if (!g || !render(g, error))
		return NULL;
	return commit(mn, g, error);
}

static void render_in_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancel)
{
	GError *error = NULL;

	if (render(data, &error))
		g_task_return_boolean(task, TRUE);
	else
		g_task_return_error(task, error);
}

/* Back on the service's thread with the files written: commit, then tell the caller. */
static void rendered(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *outer = user_data;
	struct minutes *mn = g_task_get_source_tag(outer);
	struct generation *g = g_task_get_task_data(G_TASK(result));
	GError *error = NULL;
	JsonNode *version = NULL;

	g_hash_table_remove(mn->busy, &g->meeting_id);
	if (g_task_propagate_boolean(G_TASK(result), &error))
		version = commit(mn, g, &error);
	if (version)
		g_task_return_pointer(outer, version, (GDestroyNotify)json_node_unref);
	else
		g_task_return_error(outer, error);
	g_object_unref(outer);
}

void minutes_generate_async(struct minutes *mn, const struct principal *who, gint64 meeting_id,
                            GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *outer = g_task_new(NULL, NULL, callback, user_data);
	GError *error = NULL;
	struct generation *g = prepare(mn, who, meeting_id, &error);
	GTask *inner;

	g_task_set_source_tag(outer, mn);
	if (!g) {
		g_task_return_error(outer, error);
		g_object_unref(outer);
		return;
	}
	g_hash_table_add(mn->busy, g_memdup2(&meeting_id, sizeof meeting_id));
	inner = g_task_new(NULL, NULL, rendered, outer);
	g_task_set_task_data(inner, g, (GDestroyNotify)generation_free);
	g_task_run_in_thread(inner, render_in_thread);
	g_object_unref(inner);
}

JsonNode *minutes_generate_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static JsonNode *version_json(struct store_rows *rows, guint r, gint64 meeting_id)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	gint version = (gint)store_rows_get_int(rows, r, 0);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, version);
	json_builder_set_member_name(b, "created_at");
	json_builder_add_int_value(b, store_rows_get_int(rows, r, 1));
	json_builder_set_member_name(b, "created_by");
	json_builder_add_string_value(b, store_rows_get(rows, r, 2));
	json_builder_set_member_name(b, "signer");
	json_builder_add_string_value(b, store_rows_get(rows, r, 3));
	json_builder_set_member_name(b, "files");
	json_builder_begin_object(b);
	for (size_t i = 0; i < N_FILES; i++) {
		g_autofree char *name = file_name(meeting_id, version, i);
		json_builder_set_member_name(b, files[i].ext);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, name);
		json_builder_set_member_name(b, "sha256");
		json_builder_add_string_value(b, store_rows_get(rows, r, 4 + 2 * i));
		json_builder_set_member_name(b, "size");
		json_builder_add_int_value(b, store_rows_get_int(rows, r, 5 + 2 * i));
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static bool meeting_exists(struct store *st, gint64 meeting_id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT id FROM meetings WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(meeting_id)), error);

	if (rows && store_rows_count(rows) == 0)
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting with id %" G_GINT64_FORMAT, meeting_id);
	return rows && store_rows_count(rows) == 1;
}

JsonNode *minutes_list(struct minutes *mn, gint64 meeting_id, GError **error)
{
	g_autoptr(store_rows) rows = NULL;
	JsonArray *list;

	if (!meeting_exists(mn->st, meeting_id, error) ||
	    !(rows = query_versions(mn->st, meeting_id, 0, error)))
		return NULL;
	list = json_array_sized_new(store_rows_count(rows));
	for (guint r = 0; r < store_rows_count(rows); r++)
		json_array_add_element(list, version_json(rows, r, meeting_id));
	return json_node_init_array(json_node_alloc(), list);
}

bool minutes_file_parse(const char *name, gint *version, enum minutes_file_kind *kind)
{
	const char *dot = name ? strchr(name, '.') : NULL;
	g_autofree char *number = dot ? g_strndup(name, (gsize)(dot - name)) : NULL;
	guint64 n;

	if (!number || !g_ascii_string_to_unsigned(number, 10, 1, G_MAXINT, &n, NULL))
		return false;
	for (size_t i = 0; i < N_FILES; i++) {
		if (strcmp(dot + 1, files[i].ext) == 0) {
			*version = (gint)n;
			*kind = i;
			return true;
		}
	}
	return false;
}

bool minutes_find_file(struct minutes *mn, gint64 meeting_id, gint version,
                       enum minutes_file_kind kind, struct minutes_file *out, GError **error)
{
	g_autoptr(store_rows) rows = NULL;

	memset(out, 0, sizeof *out);
	if (!meeting_exists(mn->st, meeting_id, error) ||
	    !(rows = query_versions(mn->st, meeting_id, version, error)))
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "meeting %" G_GINT64_FORMAT " has no minutes version %d", meeting_id,
		            version);
		return false;
	}
	out->file_name = file_name(meeting_id, version, kind);
	out->path = g_build_filename(mn->dir, out->file_name, NULL);
	out->mime = files[kind].mime;
	out->sha256 = g_strdup(store_rows_get(rows, 0, 4 + 2 * kind));
	out->size = store_rows_get_int(rows, 0, 5 + 2 * kind);
	return true;
}

void minutes_file_clear(struct minutes_file *file)
{
	g_clear_pointer(&file->path, g_free);
	g_clear_pointer(&file->file_name, g_free);
	g_clear_pointer(&file->sha256, g_free);
}

/* When minutes began to be kept here: when migration 10 was applied (Unix ms), or 0. */
static gint64 minutes_since(struct store *st, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    st, "SELECT applied_at FROM schema_migrations WHERE version = 10", NULL, 0, error);
	g_autoptr(GDateTime) t = NULL;

	if (!rows || store_rows_count(rows) == 0)
		return 0;
	t = g_date_time_new_from_iso8601(store_rows_get(rows, 0, 0), NULL);
	return t ? g_date_time_to_unix(t) * 1000 : 0;
}

GArray *minutes_missing(struct minutes *mn, GError **error)
{
	g_autoptr(store_rows) rows = NULL;
	g_autoptr(GError) local = NULL;
	gint64 since = minutes_since(mn->st, &local);
	GArray *ids;

	if (local) {
		g_propagate_error(error, g_steal_pointer(&local));
		return NULL;
	}
	ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	if (!since)
		return ids;
	rows = store_query(mn->st,
	                   "SELECT id FROM meetings WHERE state = 'ended' AND ended_at >= ? AND id "
	                   "NOT IN (SELECT meeting_id FROM minutes) ORDER BY ended_at, id",
	                   STORE_PARAMS(STORE_INT(since)), error);
	if (!rows) {
		g_array_unref(ids);
		return NULL;
	}
	for (guint r = 0; r < store_rows_count(rows); r++) {
		gint64 id = store_rows_get_int(rows, r, 0);
		g_array_append_val(ids, id);
	}
	return ids;
}
