/* SPDX-License-Identifier: MIT */
/* Meeting materials: uploads checked and put in place before their rows are written,
 * versions, listing, deletion with blob clean-up, and read access. */
#define G_LOG_DOMAIN "cau-materials"
#include "materials.h"

#include "audit.h"
#include "filetype.h"

#include <string.h>

#define NAME_MAX_CHARS 255

static gint64 now_ms(void)
{
	return g_get_real_time() / 1000;
}

static bool valid_name(const char *name, GError **error)
{
	glong chars;

	if (!name || !*name) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "a material needs a file name (?name=...)");
		return false;
	}
	if (!g_utf8_validate(name, -1, NULL)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "the file name is not valid UTF-8");
		return false;
	}
	chars = g_utf8_strlen(name, -1);
	for (const char *p = name; *p; p++) {
		if ((guchar)*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			chars = NAME_MAX_CHARS + 1;
	}
	if (chars > NAME_MAX_CHARS || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "the file name must have 1 to %d characters, without '/', '\\' or "
		            "control characters",
		            NAME_MAX_CHARS);
		return false;
	}
	return true;
}

static bool meeting_exists(struct store *st, gint64 meeting_id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT id FROM meetings WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(meeting_id)), error);

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting with id %" G_GINT64_FORMAT, meeting_id);
		return false;
	}
	return true;
}

static bool agenda_item_in_meeting(struct store *st, gint64 item_id, gint64 meeting_id,
                                   GError **error)
{
	g_autoptr(store_rows) rows = NULL;

	if (item_id == 0)
		return true;
	rows = store_query(st, "SELECT meeting_id FROM agenda_items WHERE id = ?",
	                   STORE_PARAMS(STORE_INT(item_id)), error);
	if (!rows)
		return false;
	if (store_rows_count(rows) == 0 || store_rows_get_int(rows, 0, 0) != meeting_id) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "meeting %" G_GINT64_FORMAT " has no agenda item %" G_GINT64_FORMAT,
		            meeting_id, item_id);
		return false;
	}
	return true;
}

/* An upload ready to be referenced: its blob in place and its type known. */
struct checked_blob {
	enum filetype type;
	const char *sha256; /* owned by the writer */
	gint64 size;
	bool existed; /* the blob was stored before (another material has the same file) */
};

/* Finishes the upload, recognises its type from the content and puts the blob in place. */
static bool check_and_store(struct blob_writer *w, struct checked_blob *out, GError **error)
{
	g_autoptr(GBytes) content = NULL;
	const char *detected = NULL;

	if (!blob_writer_finish(w, error))
		return false;
	if (blob_writer_size(w) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "the file is empty; send it as the request body");
		return false;
	}
	content = blob_writer_map(w, error);
	if (!content)
		return false;
	out->type =
	    filetype_sniff(g_bytes_get_data(content, NULL), g_bytes_get_size(content), &detected);
	if (out->type == FILETYPE_UNKNOWN) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNSUPPORTED,
		            "the file is %s; accepted are PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, "
		            "PNG, JPEG and WebP",
		            detected);
		return false;
	}
	out->sha256 = blob_writer_sha256(w);
	out->size = blob_writer_size(w);
	return blob_writer_commit(w, &out->existed, error);
}

/* Undoes check_and_store() after the rows could not be written. */
static void unstore(struct blobstore *bs, const struct checked_blob *blob)
{
	g_autoptr(GError) error = NULL;

	if (!blob->existed && !blobstore_remove(bs, blob->sha256, &error))
		g_warning("[materials] blob %s: %s", blob->sha256, error->message);
}

static char *audit_detail(gint64 meeting_id, gint64 agenda_item_id, const char *name, gint version,
                          const struct checked_blob *blob)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "meeting");
	json_builder_add_int_value(b, meeting_id);
	json_builder_set_member_name(b, "agenda_item");
	if (agenda_item_id)
		json_builder_add_int_value(b, agenda_item_id);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, version);
	if (blob) {
		json_builder_set_member_name(b, "size");
		json_builder_add_int_value(b, blob->size);
		json_builder_set_member_name(b, "sha256");
		json_builder_add_string_value(b, blob->sha256);
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, filetype_name(blob->type));
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

static bool insert_version(struct store *st, const struct principal *who, gint64 material_id,
                           gint version, const char *name, const struct checked_blob *blob,
                           GError **error)
{
	const char *by = who && who->account_id ? who->username : "system";

	return store_exec(
	    st,
	    "INSERT INTO material_versions (material_id, version, file_name, size, sha256, type, "
	    "mime, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    STORE_PARAMS(
	        STORE_INT(material_id), STORE_INT(version), STORE_TEXT(name), STORE_INT(blob->size),
	        STORE_TEXT(blob->sha256), STORE_TEXT(filetype_name(blob->type)),
	        STORE_TEXT(filetype_mime(blob->type)), STORE_TEXT(by), STORE_INT(now_ms())),
	    NULL, error);
}

static char *target_of(gint64 material_id)
{
	return g_strdup_printf("material/%" G_GINT64_FORMAT, material_id);
}

struct create_ctx {
	const struct principal *who;
	gint64 meeting_id, agenda_item_id;
	const char *name;
	const struct checked_blob *blob;
	gint64 id;
};

static bool insert_material(struct store *st, gpointer user_data, GError **error)
{
	struct create_ctx *c = user_data;
	const char *by = c->who && c->who->account_id ? c->who->username : "system";
	g_autoptr(store_rows) rows = store_query(
	    st,
	    "INSERT INTO materials (meeting_id, agenda_item_id, name, created_by, created_at) "
	    "VALUES (?, ?, ?, ?, ?) RETURNING id",
	    STORE_PARAMS(STORE_INT(c->meeting_id),
	                 c->agenda_item_id ? STORE_INT(c->agenda_item_id) : STORE_NULL,
	                 STORE_TEXT(c->name), STORE_TEXT(by), STORE_INT(now_ms())),
	    error);
	g_autofree char *detail = NULL, *target = NULL;

	if (!rows)
		return false;
	c->id = store_rows_get_int(rows, 0, 0);
	if (!insert_version(st, c->who, c->id, 1, c->name, c->blob, error))
		return false;
	detail = audit_detail(c->meeting_id, c->agenda_item_id, c->name, 1, c->blob);
	target = target_of(c->id);
	return audit_append(st, c->who, "material.upload", target, detail, error);
}

gint64 materials_create(struct store *st, struct blobstore *bs, const struct principal *who,
                        gint64 meeting_id, gint64 agenda_item_id, const char *name,
                        struct blob_writer *w, GError **error)
{
	struct checked_blob blob = {0};
	struct create_ctx c = {who, meeting_id, agenda_item_id, name, &blob, 0};

	if (!valid_name(name, error) || !meeting_exists(st, meeting_id, error) ||
	    !agenda_item_in_meeting(st, agenda_item_id, meeting_id, error) ||
	    !check_and_store(w, &blob, error))
		return 0;
	if (!store_transaction(st, insert_material, &c, error)) {
		unstore(bs, &blob);
		return 0;
	}
	g_info("[materials %" G_GINT64_FORMAT "] meeting %" G_GINT64_FORMAT
	       ": uploaded \"%s\" (%s, %" G_GINT64_FORMAT " bytes, blob %s%s)",
	       c.id, meeting_id, name, filetype_name(blob.type), blob.size, blob.sha256,
	       blob.existed ? ", stored already" : "");
	return c.id;
}

struct version_ctx {
	const struct principal *who;
	gint64 material_id;
	const char *name;
	const struct checked_blob *blob;
	gint version;
};

static bool append_version(struct store *st, gpointer user_data, GError **error)
{
	struct version_ctx *v = user_data;
	g_autoptr(store_rows) rows = store_query(
	    st,
	    "SELECT m.meeting_id, m.agenda_item_id, v.version, v.file_name FROM materials m "
	    "JOIN material_versions v ON v.material_id = m.id WHERE m.id = ? "
	    "ORDER BY v.version DESC LIMIT 1",
	    STORE_PARAMS(STORE_INT(v->material_id)), error);
	g_autofree char *detail = NULL, *target = NULL;
	const char *name;

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no material with id %" G_GINT64_FORMAT, v->material_id);
		return false;
	}
	v->version = (gint)store_rows_get_int(rows, 0, 2) + 1;
	name = v->name ? v->name : store_rows_get(rows, 0, 3);
	if (!insert_version(st, v->who, v->material_id, v->version, name, v->blob, error))
		return false;
	detail = audit_detail(store_rows_get_int(rows, 0, 0), store_rows_get_int(rows, 0, 1), name,
	                      v->version, v->blob);
	target = target_of(v->material_id);
	return audit_append(st, v->who, "material.version", target, detail, error);
}

static bool material_exists(struct store *st, gint64 material_id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT id FROM materials WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(material_id)), error);

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no material with id %" G_GINT64_FORMAT, material_id);
		return false;
	}
	return true;
}

gint materials_add_version(struct store *st, struct blobstore *bs, const struct principal *who,
                           gint64 material_id, const char *name, struct blob_writer *w,
                           GError **error)
{
	struct checked_blob blob = {0};
	struct version_ctx v = {who, material_id, name, &blob, 0};

	if ((name && !valid_name(name, error)) || !material_exists(st, material_id, error) ||
	    !check_and_store(w, &blob, error))
		return 0;
	if (!store_transaction(st, append_version, &v, error)) {
		unstore(bs, &blob);
		return 0;
	}
	g_info("[materials %" G_GINT64_FORMAT "] version %d (%s, %" G_GINT64_FORMAT
	       " bytes, blob %s%s)",
	       material_id, v.version, filetype_name(blob.type), blob.size, blob.sha256,
	       blob.existed ? ", stored already" : "");
	return v.version;
}

struct delete_ctx {
	const struct principal *who;
	gint64 material_id;
	GPtrArray *blobs; /* the SHA-256 of its versions */
};

static bool delete_rows(struct store *st, gpointer user_data, GError **error)
{
	struct delete_ctx *d = user_data;
	g_autoptr(store_rows) material =
	    store_query(st, "SELECT meeting_id, agenda_item_id, name FROM materials WHERE id = ?",
	                STORE_PARAMS(STORE_INT(d->material_id)), error);
	g_autoptr(store_rows) blobs = NULL;
	g_autofree char *detail = NULL, *target = NULL;

	if (!material)
		return false;
	if (store_rows_count(material) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no material with id %" G_GINT64_FORMAT, d->material_id);
		return false;
	}
	blobs =
	    store_query(st, "SELECT DISTINCT sha256 FROM material_versions WHERE material_id = ?",
	                STORE_PARAMS(STORE_INT(d->material_id)), error);
	if (!blobs)
		return false;
	for (guint r = 0; r < store_rows_count(blobs); r++)
		g_ptr_array_add(d->blobs, g_strdup(store_rows_get(blobs, r, 0)));
	if (!store_exec(st, "DELETE FROM material_versions WHERE material_id = ?",
	                STORE_PARAMS(STORE_INT(d->material_id)), NULL, error) ||
	    !store_exec(st, "DELETE FROM materials WHERE id = ?",
	                STORE_PARAMS(STORE_INT(d->material_id)), NULL, error))
		return false;
	detail =
	    audit_detail(store_rows_get_int(material, 0, 0), store_rows_get_int(material, 0, 1),
	                 store_rows_get(material, 0, 2), (gint)store_rows_count(blobs), NULL);
	target = target_of(d->material_id);
	return audit_append(st, d->who, "material.delete", target, detail, error);
}

/* Whether any version still refers to blob `sha256`. */
static bool blob_referenced(struct store *st, const char *sha256, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st, "SELECT COUNT(*) FROM material_versions WHERE sha256 = ?",
	                STORE_PARAMS(STORE_TEXT(sha256)), error);

	return !rows || store_rows_get_int(rows, 0, 0) > 0;
}

bool materials_delete(struct store *st, struct blobstore *bs, const struct principal *who,
                      gint64 material_id, GError **error)
{
	g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func(g_free);
	struct delete_ctx d = {who, material_id, blobs};

	if (!store_transaction(st, delete_rows, &d, error))
		return false;
	/* The rows are gone; a blob left here by a crash is collected at the next start. */
	for (guint i = 0; i < blobs->len; i++) {
		g_autoptr(GError) local = NULL;
		if (blob_referenced(st, blobs->pdata[i], &local))
			continue;
		if (!blobstore_remove(bs, blobs->pdata[i], &local))
			g_warning("[materials %" G_GINT64_FORMAT "] blob %s: %s", material_id,
			          (const char *)blobs->pdata[i], local->message);
	}
	g_info("[materials %" G_GINT64_FORMAT "] deleted", material_id);
	return true;
}

#define MATERIAL_COLUMNS "m.id, m.meeting_id, m.agenda_item_id, m.name, m.created_by, m.created_at"
#define VERSION_COLUMNS                                                                            \
	"v.material_id, v.version, v.file_name, v.size, v.sha256, v.type, v.mime, "                \
	"v.uploaded_by, v.uploaded_at"

static void add_version_fields(JsonBuilder *b, const struct store_rows *v, guint r)
{
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, store_rows_get_int(v, r, 1));
	json_builder_set_member_name(b, "file_name");
	json_builder_add_string_value(b, store_rows_get(v, r, 2));
	json_builder_set_member_name(b, "size");
	json_builder_add_int_value(b, store_rows_get_int(v, r, 3));
	json_builder_set_member_name(b, "sha256");
	json_builder_add_string_value(b, store_rows_get(v, r, 4));
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, store_rows_get(v, r, 5));
	json_builder_set_member_name(b, "mime");
	json_builder_add_string_value(b, store_rows_get(v, r, 6));
	json_builder_set_member_name(b, "uploaded_by");
	json_builder_add_string_value(b, store_rows_get(v, r, 7));
	json_builder_set_member_name(b, "uploaded_at");
	json_builder_add_int_value(b, store_rows_get_int(v, r, 8));
}

/* Adds material row `r` of `m` with its versions, which start at row *vi of `v` (rows
 * ordered by material and version); advances *vi past them. */
static void add_material(JsonBuilder *b, const struct store_rows *m, guint r,
                         const struct store_rows *v, guint *vi)
{
	gint64 id = store_rows_get_int(m, r, 0);
	guint first = *vi;

	while (*vi < store_rows_count(v) && store_rows_get_int(v, *vi, 0) == id)
		(*vi)++;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, id);
	json_builder_set_member_name(b, "meeting_id");
	json_builder_add_int_value(b, store_rows_get_int(m, r, 1));
	json_builder_set_member_name(b, "agenda_item_id");
	if (store_rows_get(m, r, 2))
		json_builder_add_int_value(b, store_rows_get_int(m, r, 2));
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, store_rows_get(m, r, 3));
	json_builder_set_member_name(b, "created_by");
	json_builder_add_string_value(b, store_rows_get(m, r, 4));
	json_builder_set_member_name(b, "created_at");
	json_builder_add_int_value(b, store_rows_get_int(m, r, 5));
	if (*vi > first)
		add_version_fields(b, v, *vi - 1); /* the latest */
	json_builder_set_member_name(b, "versions");
	json_builder_begin_array(b);
	for (guint i = first; i < *vi; i++) {
		json_builder_begin_object(b);
		add_version_fields(b, v, i);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

/* Materials and versions selected by `where` (on m) with one parameter. */
static JsonNode *query_materials(struct store *st, const char *where, gint64 param, bool one,
                                 GError **error)
{
	g_autofree char *msql = g_strdup_printf(
	    "SELECT " MATERIAL_COLUMNS " FROM materials m WHERE %s ORDER BY m.id", where);
	g_autofree char *vsql = g_strdup_printf(
	    "SELECT " VERSION_COLUMNS " FROM material_versions v JOIN materials m ON m.id = "
	    "v.material_id WHERE %s ORDER BY v.material_id, v.version",
	    where);
	g_autoptr(store_rows) m = store_query(st, msql, STORE_PARAMS(STORE_INT(param)), error);
	g_autoptr(store_rows) v =
	    m ? store_query(st, vsql, STORE_PARAMS(STORE_INT(param)), error) : NULL;
	g_autoptr(JsonBuilder) b = NULL;
	guint vi = 0;

	if (!v)
		return NULL;
	if (one && store_rows_count(m) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no material with id %" G_GINT64_FORMAT, param);
		return NULL;
	}
	b = json_builder_new_immutable();
	if (!one)
		json_builder_begin_array(b);
	for (guint r = 0; r < store_rows_count(m); r++)
		add_material(b, m, r, v, &vi);
	if (!one)
		json_builder_end_array(b);
	return json_builder_get_root(b);
}

JsonNode *materials_list(struct store *st, gint64 meeting_id, GError **error)
{
	if (!meeting_exists(st, meeting_id, error))
		return NULL;
	return query_materials(st, "m.meeting_id = ?", meeting_id, false, error);
}

JsonNode *materials_get(struct store *st, gint64 material_id, GError **error)
{
	return query_materials(st, "m.id = ?", material_id, true, error);
}

bool materials_find_file(struct store *st, gint64 material_id, gint version,
                         struct material_file *out, GError **error)
{
	g_autofree char *sql = g_strdup_printf(
	    "SELECT m.meeting_id, v.version, v.file_name, v.sha256, v.mime, v.size FROM materials "
	    "m JOIN material_versions v ON v.material_id = m.id WHERE m.id = ? %s ORDER BY "
	    "v.version DESC LIMIT 1",
	    version ? "AND v.version = ?" : "");
	g_autoptr(store_rows) rows =
	    version ? store_query(st, sql, STORE_PARAMS(STORE_INT(material_id), STORE_INT(version)),
	                          error)
	            : store_query(st, sql, STORE_PARAMS(STORE_INT(material_id)), error);

	memset(out, 0, sizeof *out);
	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		if (version && material_exists(st, material_id, error))
			g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
			            "material %" G_GINT64_FORMAT " has no version %d", material_id,
			            version);
		else if (!version)
			g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
			            "no material with id %" G_GINT64_FORMAT, material_id);
		return false;
	}
	out->meeting_id = store_rows_get_int(rows, 0, 0);
	out->version = (gint)store_rows_get_int(rows, 0, 1);
	out->file_name = g_strdup(store_rows_get(rows, 0, 2));
	out->sha256 = g_strdup(store_rows_get(rows, 0, 3));
	out->mime = g_strdup(store_rows_get(rows, 0, 4));
	out->size = store_rows_get_int(rows, 0, 5);
	return true;
}

void material_file_clear(struct material_file *file)
{
	g_clear_pointer(&file->file_name, g_free);
	g_clear_pointer(&file->sha256, g_free);
	g_clear_pointer(&file->mime, g_free);
}

bool materials_may_read(struct store *st, const struct principal *who, gint64 meeting_id,
                        GError **error)
{
	g_autoptr(store_rows) rows = NULL;

	if (!who || who->role == ROLE_NONE) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED,
		            "log in first: materials are for operators and the meeting's chair");
		return false;
	}
	rows = store_query(st, "SELECT chair_account_id FROM meetings WHERE id = ?",
	                   STORE_PARAMS(STORE_INT(meeting_id)), error);
	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting with id %" G_GINT64_FORMAT, meeting_id);
		return false;
	}
	if (who->role >= ROLE_OPERATOR)
		return true;
	if (store_rows_get(rows, 0, 0) && store_rows_get_int(rows, 0, 0) == who->account_id)
		return true;
	g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_FORBIDDEN,
	            "only operators and the chair of meeting %" G_GINT64_FORMAT " may read this",
	            meeting_id);
	return false;
}

bool materials_may_read_as(struct store *st, const struct principal *who,
                           const struct join_claims *invitee, gint64 meeting_id, GError **error)
{
	if (invitee && invitee->meeting_id == meeting_id)
		return true;
	if (invitee && (!who || who->role == ROLE_NONE)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_FORBIDDEN,
		            "this join token is for another meeting than %" G_GINT64_FORMAT,
		            meeting_id);
		return false;
	}
	return materials_may_read(st, who, meeting_id, error);
}

gint materials_collect_garbage(struct store *st, struct blobstore *bs, GError **error)
{
	g_autoptr(GPtrArray) stored = blobstore_list(bs, error);
	g_autoptr(store_rows) used = NULL;
	g_autoptr(GHashTable) in_use = NULL;
	gint removed = 0;

	/* Every blob belongs to materials today; another user of the blob store must add its
	 * references here before it stores anything. */
	if (!stored)
		return -1;
	used = store_query(st, "SELECT DISTINCT sha256 FROM material_versions", NULL, 0, error);
	if (!used)
		return -1;
	in_use = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint r = 0; r < store_rows_count(used); r++)
		g_hash_table_add(in_use, (gpointer)store_rows_get(used, r, 0));
	for (guint i = 0; i < stored->len; i++) {
		if (g_hash_table_contains(in_use, stored->pdata[i]))
			continue;
		if (!blobstore_remove(bs, stored->pdata[i], error))
			return -1;
		removed++;
	}
	if (removed)
		g_info("[materials] removed %d blobs no material refers to", removed);
	return removed;
}
