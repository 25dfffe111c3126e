/* SPDX-License-Identifier: MIT */
/* Importing endpoints from CSV: each row checked alone and against the units, then the
 * good ones written in one transaction; new endpoints get credentials. */
#define G_LOG_DOMAIN "cau-directory"
#include "audit.h"
#include "directory_private.h"

#include <string.h>

enum { COL_CODE, COL_NAME, COL_UNIT, COL_KIND, COL_CONTACT, COL_PHONE };

struct row {
	guint line;
	char *values[IMPORT_MAX_COLUMNS]; /* by COL_*; contacts NULL: no such column */
	bool bad;
};

struct endpoints_import {
	const struct principal *who;
	struct directory_import_result *result;
	GPtrArray *rows;       /* of struct row *, in file order */
	GHashTable *first;     /* code -> struct row * */
	GHashTable *units;     /* unit code -> row index in `unit_rows` */
	GHashTable *endpoints; /* endpoint code -> row index in `endpoint_rows` */
	struct store_rows *unit_rows, *endpoint_rows;
};

static void row_free(gpointer data)
{
	struct row *r = data;

	directory_import_values_clear(r->values);
	g_free(r);
}

static void fail_row(struct endpoints_import *im, struct row *r, const char *message)
{
	directory_import_add_error(im->result, r->line, "%s", message);
	r->bad = true;
}

static void check_row(struct endpoints_import *im, struct row *r)
{
	g_autoptr(GError) error = NULL;
	const char *code = r->values[COL_CODE], *contact = r->values[COL_CONTACT];
	const char *phone = r->values[COL_PHONE];
	struct row *earlier;

	if (!directory_check_code("code", code, &error)) {
		fail_row(im, r, error->message);
		return;
	}
	earlier = g_hash_table_lookup(im->first, code);
	if (earlier) {
		g_autofree char *message =
		    g_strdup_printf("code \"%s\" appears already on line %u", code, earlier->line);
		fail_row(im, r, message);
		return;
	}
	g_hash_table_insert(im->first, (gpointer)code, r);
	if (!directory_check_text("name", r->values[COL_NAME], 1, DIRECTORY_NAME_MAX, true,
	                          &error) ||
	    !directory_check_code("unit_code", r->values[COL_UNIT], &error) ||
	    !directory_check_kind(r->values[COL_KIND], &error) ||
	    (contact && !directory_check_text("contact_name", contact, 0, DIRECTORY_NAME_MAX, false,
	                                      &error)) ||
	    (phone && *phone && !directory_check_phone(phone, &error)))
		fail_row(im, r, error->message);
}

/* Indexes rows by the text of their column `col`. */
static GHashTable *index_rows(const struct store_rows *rows, guint col)
{
	GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < store_rows_count(rows); i++)
		g_hash_table_insert(index, (gpointer)store_rows_get(rows, i, col),
		                    GUINT_TO_POINTER(i + 1));
	return index;
}

/* A column of the file, or the directory's value when the file has no such column. */
static const char *value_or(const struct row *r, int col, const char *current)
{
	return r->values[col] ? r->values[col] : (current ? current : "");
}

static struct store_param optional_text(const char *value)
{
	return *value ? STORE_TEXT(value) : STORE_NULL;
}

static char *row_detail(const struct row *r, const char *contact, const char *phone)
{
	JsonBuilder *detail = directory_detail_new();

	directory_detail_string(detail, "name", r->values[COL_NAME]);
	directory_detail_string(detail, "unit", r->values[COL_UNIT]);
	directory_detail_string(detail, "kind", r->values[COL_KIND]);
	directory_detail_string(detail, "contact_name", contact);
	directory_detail_string(detail, "contact_phone", phone);
	directory_detail_int(detail, "import_line", r->line);
	return directory_detail_finish(detail);
}

static bool insert_row(struct store *st, struct endpoints_import *im, struct row *r, gint64 unit_id,
                       GError **error)
{
	const char *contact = value_or(r, COL_CONTACT, NULL), *phone = value_or(r, COL_PHONE, NULL);
	g_autofree char *hash = NULL;
	g_autofree char *secret = directory_credential_new(&hash);
	g_autofree char *detail = row_detail(r, contact, phone);
	struct directory_import_credential credential;

	if (!store_exec(st,
	                "INSERT INTO endpoints (code, name, unit_id, kind, credential_hash,"
	                " contact_name, contact_phone, disabled, created_at)"
	                " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
	                STORE_PARAMS(STORE_TEXT(r->values[COL_CODE]),
	                             STORE_TEXT(r->values[COL_NAME]), STORE_INT(unit_id),
	                             STORE_TEXT(r->values[COL_KIND]), STORE_TEXT(hash),
	                             optional_text(contact), optional_text(phone),
	                             STORE_INT(g_get_real_time() / 1000)),
	                NULL, error) ||
	    !audit_append(st, im->who, "endpoint.create", r->values[COL_CODE], detail, error))
		return false;
	credential.code = g_strdup(r->values[COL_CODE]);
	credential.credential = g_steal_pointer(&secret);
	g_array_append_val(im->result->credentials, credential);
	im->result->created++;
	return true;
}

/* Updates endpoint `e` (a row of endpoint_rows) when the file changes it. */
static bool update_row(struct store *st, struct endpoints_import *im, struct row *r, guint e,
                       gint64 unit_id, GError **error)
{
	const struct store_rows *db = im->endpoint_rows;
	const char *db_contact = store_rows_get(db, e, 5), *db_phone = store_rows_get(db, e, 6);
	const char *contact = value_or(r, COL_CONTACT, db_contact);
	const char *phone = value_or(r, COL_PHONE, db_phone);
	g_autofree char *detail = NULL;

	if (strcmp(r->values[COL_NAME], store_rows_get(db, e, 2)) == 0 &&
	    strcmp(r->values[COL_UNIT], store_rows_get(db, e, 3)) == 0 &&
	    strcmp(r->values[COL_KIND], store_rows_get(db, e, 4)) == 0 &&
	    strcmp(contact, db_contact ? db_contact : "") == 0 &&
	    strcmp(phone, db_phone ? db_phone : "") == 0) {
		im->result->unchanged++;
		return true;
	}
	detail = row_detail(r, contact, phone);
	im->result->updated++;
	return store_exec(st,
	                  "UPDATE endpoints SET name = ?, unit_id = ?, kind = ?, contact_name = ?,"
	                  " contact_phone = ? WHERE id = ?",
	                  STORE_PARAMS(STORE_TEXT(r->values[COL_NAME]), STORE_INT(unit_id),
	                               STORE_TEXT(r->values[COL_KIND]), optional_text(contact),
	                               optional_text(phone),
	                               STORE_INT(store_rows_get_int(db, e, 0))),
	                  NULL, error) &&
	       audit_append(st, im->who, "endpoint.update", r->values[COL_CODE], detail, error);
}

static bool import_endpoints(struct store *st, gpointer user_data, GError **error)
{
	struct endpoints_import *im = user_data;
	JsonBuilder *summary;
	g_autofree char *detail = NULL;

	im->unit_rows = store_query(st, "SELECT id, code FROM units", NULL, 0, error);
	im->endpoint_rows = im->unit_rows
	                        ? store_query(st,
	                                      "SELECT e.id, e.code, e.name, u.code, e.kind,"
	                                      " e.contact_name, e.contact_phone"
	                                      " FROM endpoints e JOIN units u"
	                                      " ON u.id = e.unit_id",
	                                      NULL, 0, error)
	                        : NULL;
	if (!im->endpoint_rows)
		return false;
	im->units = index_rows(im->unit_rows, 1);
	im->endpoints = index_rows(im->endpoint_rows, 1);
	for (guint i = 0; i < im->rows->len; i++) {
		struct row *r = g_ptr_array_index(im->rows, i);
		guint u, e;
		gint64 unit_id;
		if (r->bad)
			continue;
		u = GPOINTER_TO_UINT(g_hash_table_lookup(im->units, r->values[COL_UNIT]));
		if (!u) {
			g_autofree char *message = g_strdup_printf(
			    "unit_code \"%s\": no unit with that code", r->values[COL_UNIT]);
			fail_row(im, r, message);
			continue;
		}
		unit_id = store_rows_get_int(im->unit_rows, u - 1, 0);
		e = GPOINTER_TO_UINT(g_hash_table_lookup(im->endpoints, r->values[COL_CODE]));
		if (!(e ? update_row(st, im, r, e - 1, unit_id, error)
		        : insert_row(st, im, r, unit_id, error)))
			return false;
	}
	summary = directory_detail_new();
	directory_detail_int(summary, "created", im->result->created);
	directory_detail_int(summary, "updated", im->result->updated);
	directory_detail_int(summary, "unchanged", im->result->unchanged);
	directory_detail_int(summary, "errors", im->result->errors->len);
	detail = directory_detail_finish(summary);
	return audit_append(st, im->who, "endpoint.import", NULL, detail, error);
}

bool directory_endpoints_import(struct store *st, const struct principal *who, const char *text,
                                gsize len, struct directory_import_result *result, GError **error)
{
	struct import_file file;
	struct endpoints_import im = {who, result};
	struct row *r = g_new0(struct row, 1);
	bool ok;

	directory_import_result_init(result, true);
	if (!directory_import_open(&file, text, len, directory_endpoint_columns, error)) {
		directory_import_close(&file);
		g_free(r);
		return false;
	}
	im.rows = g_ptr_array_new_with_free_func(row_free);
	im.first = g_hash_table_new(g_str_hash, g_str_equal);
	while (directory_import_next(&file, result, &r->line, r->values)) {
		g_ptr_array_add(im.rows, r);
		check_row(&im, r);
		r = g_new0(struct row, 1);
	}
	g_free(r);
	directory_import_close(&file);
	ok = store_transaction(st, import_endpoints, &im, error);
	directory_import_sort_errors(result);
	if (!ok) {
		/* Nothing was written: the credentials made on the way are void. */
		for (guint i = 0; i < result->credentials->len; i++) {
			struct directory_import_credential *c = &g_array_index(
			    result->credentials, struct directory_import_credential, i);
			g_free(c->code);
			g_free(c->credential);
		}
		g_array_set_size(result->credentials, 0);
	}
	g_clear_pointer(&im.units, g_hash_table_unref);
	g_clear_pointer(&im.endpoints, g_hash_table_unref);
	g_clear_pointer(&im.unit_rows, store_rows_free);
	g_clear_pointer(&im.endpoint_rows, store_rows_free);
	g_hash_table_unref(im.first);
	g_ptr_array_unref(im.rows);
	if (ok)
		g_info("[endpoints] import: %u created, %u updated, %u unchanged, %u rows refused",
		       result->created, result->updated, result->unchanged, result->errors->len);
	return ok;
}
