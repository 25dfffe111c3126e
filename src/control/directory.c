/* SPDX-License-Identifier: MIT */
/* The directory's shared pieces: field checks, audit details, small tree queries and
 * import results. */
#define G_LOG_DOMAIN "cau-directory"
#include "directory_private.h"

#include <stdarg.h>
#include <string.h>

bool directory_check_code(const char *what, const char *code, GError **error)
{
	size_t len = code ? strlen(code) : 0;
	bool ok = len >= 1 && len <= DIRECTORY_CODE_MAX;

	for (size_t i = 0; ok && i < len; i++) {
		char c = code[i];
		ok = g_ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
	}
	if (!ok)
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "\"%s\" must be 1 to %d of A-Z, a-z, 0-9, '.', '_', '-' (got \"%s\")",
		            what, DIRECTORY_CODE_MAX, code ? code : "");
	return ok;
}

bool directory_check_text(const char *what, const char *value, guint min, guint max, bool multiline,
                          GError **error)
{
	glong chars;

	if (!value || !g_utf8_validate(value, -1, NULL)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "\"%s\" must be UTF-8 text", what);
		return false;
	}
	chars = g_utf8_strlen(value, -1);
	if (chars < (glong)min || chars > (glong)max) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "\"%s\" must have %u to %u characters (it has %ld)", what, min, max,
		            chars);
		return false;
	}
	for (const char *p = value; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_iscntrl(c) && !(multiline && c == '\n')) {
			g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
			            "\"%s\" must not hold control characters%s", what,
			            multiline ? " other than line breaks" : " or line breaks");
			return false;
		}
	}
	if (chars > 0 &&
	    (g_unichar_isspace(g_utf8_get_char(value)) ||
	     g_unichar_isspace(g_utf8_get_char(g_utf8_prev_char(value + strlen(value)))))) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "\"%s\" must not begin or end with a space or line break", what);
		return false;
	}
	return true;
}

bool directory_check_kind(const char *kind, GError **error)
{
	if (g_strcmp0(kind, "browser") == 0 || g_strcmp0(kind, "whip") == 0 ||
	    g_strcmp0(kind, "sip") == 0)
		return true;
	g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
	            "\"kind\" must be \"browser\", \"whip\" or \"sip\" (got \"%s\")",
	            kind ? kind : "");
	return false;
}

bool directory_check_phone(const char *phone, GError **error)
{
	size_t len = phone ? strlen(phone) : 0;
	bool ok = len >= 6 && len <= 20;

	for (size_t i = 0; ok && i < len; i++)
		ok = g_ascii_isdigit(phone[i]) || strchr(" +-()", phone[i]) != NULL;
	if (!ok)
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "\"contact_phone\" must be 6 to 20 of digits, spaces, '+', '-', '(', "
		            "')' (got \"%s\")",
		            phone ? phone : "");
	return ok;
}

JsonBuilder *directory_detail_new(void)
{
	JsonBuilder *b = json_builder_new_immutable();

	json_builder_begin_object(b);
	return b;
}

void directory_detail_string(JsonBuilder *b, const char *key, const char *value)
{
	json_builder_set_member_name(b, key);
	if (value)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

void directory_detail_int(JsonBuilder *b, const char *key, gint64 value)
{
	json_builder_set_member_name(b, key);
	json_builder_add_int_value(b, value);
}

char *directory_detail_finish(JsonBuilder *b)
{
	g_autoptr(JsonNode) root = NULL;
	char *text;

	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = json_to_string(root, FALSE);
	g_object_unref(b);
	return text;
}

/* Runs a query whose single value is an integer (NULL counts as 0); -1 on error. */
static gint64 query_int(struct store *st, const char *sql, gint64 id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, sql, STORE_PARAMS(STORE_INT(id)), error);

	if (!rows)
		return -1;
	return store_rows_count(rows) ? store_rows_get_int(rows, 0, 0) : 0;
}

gint64 directory_unit_depth(struct store *st, gint64 id, GError **error)
{
	/* The bound on n only guards against a cycle someone wrote into the table by hand. */
	return query_int(st,
	                 "WITH RECURSIVE up (id, parent_id, n) AS ("
	                 " SELECT id, parent_id, 0 FROM units WHERE id = ?"
	                 " UNION ALL"
	                 " SELECT u.id, u.parent_id, up.n + 1 FROM units u"
	                 " JOIN up ON u.id = up.parent_id WHERE up.n < 1000)"
	                 " SELECT MAX(n) FROM up",
	                 id, error);
}

gint64 directory_unit_height(struct store *st, gint64 id, GError **error)
{
	return query_int(st,
	                 "WITH RECURSIVE down (id, n) AS ("
	                 " SELECT id, 0 FROM units WHERE id = ?"
	                 " UNION ALL"
	                 " SELECT u.id, down.n + 1 FROM units u"
	                 " JOIN down ON u.parent_id = down.id WHERE down.n < 1000)"
	                 " SELECT MAX(n) FROM down",
	                 id, error);
}

gint64 directory_invitation_count(struct store *st, const char *column, gint64 id, GError **error)
{
	g_autofree char *sql = g_strdup_printf(
	    "SELECT COUNT(DISTINCT meeting_id) FROM meeting_invitees WHERE %s = ?", column);

	return query_int(st, sql, id, error);
}

void directory_propagate(GError **error, GError *local, const char *message)
{
	if (g_error_matches(local, STORE_ERROR, STORE_ERROR_CONSTRAINT)) {
		g_set_error_literal(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT, message);
		g_error_free(local);
		return;
	}
	g_propagate_error(error, local);
}

void directory_import_add_error(struct directory_import_result *result, guint line,
                                const char *format, ...)
{
	struct directory_import_error e = {line, NULL};
	va_list ap;

	va_start(ap, format);
	e.message = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_array_append_val(result->errors, e);
}

void directory_import_result_clear(struct directory_import_result *result)
{
	if (result->errors) {
		for (guint i = 0; i < result->errors->len; i++)
			g_free(g_array_index(result->errors, struct directory_import_error, i)
			           .message);
		g_array_unref(result->errors);
	}
	if (result->credentials) {
		for (guint i = 0; i < result->credentials->len; i++) {
			struct directory_import_credential *c = &g_array_index(
			    result->credentials, struct directory_import_credential, i);
			g_free(c->code);
			g_free(c->credential);
		}
		g_array_unref(result->credentials);
	}
	memset(result, 0, sizeof *result);
}

static gint by_line(gconstpointer a, gconstpointer b)
{
	const struct directory_import_error *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

void directory_import_sort_errors(struct directory_import_result *result)
{
	g_array_sort(result->errors, by_line);
}

JsonNode *directory_import_result_json(const struct directory_import_result *result)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	directory_detail_int(b, "created", result->created);
	directory_detail_int(b, "updated", result->updated);
	directory_detail_int(b, "unchanged", result->unchanged);
	json_builder_set_member_name(b, "errors");
	json_builder_begin_array(b);
	for (guint i = 0; result->errors && i < result->errors->len; i++) {
		const struct directory_import_error *e =
		    &g_array_index(result->errors, struct directory_import_error, i);
		json_builder_begin_object(b);
		directory_detail_int(b, "line", e->line);
		directory_detail_string(b, "message", e->message);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	if (result->credentials) {
		json_builder_set_member_name(b, "credentials");
		json_builder_begin_array(b);
		for (guint i = 0; i < result->credentials->len; i++) {
			const struct directory_import_credential *c = &g_array_index(
			    result->credentials, struct directory_import_credential, i);
			json_builder_begin_object(b);
			directory_detail_string(b, "code", c->code);
			directory_detail_string(b, "credential", c->credential);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
	return json_builder_get_root(b);
}
