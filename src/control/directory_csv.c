/* SPDX-License-Identifier: MIT */
/* CSV files of the directory: reading an import's header and rows, exporting units and
 * endpoints in the form the import reads back. */
#define G_LOG_DOMAIN "cau-directory"
#include "directory_private.h"

#include <string.h>

#define BOM "\xEF\xBB\xBF"

void directory_import_result_init(struct directory_import_result *result, bool with_credentials)
{
	memset(result, 0, sizeof *result);
	result->errors = g_array_new(FALSE, FALSE, sizeof(struct directory_import_error));
	if (with_credentials)
		result->credentials =
		    g_array_new(FALSE, FALSE, sizeof(struct directory_import_credential));
}

/* "code, name, level and optionally parent_code" */
static char *describe_columns(const struct import_column *columns)
{
	g_autoptr(GString) s = g_string_new(NULL);
	bool optional = false;

	for (guint i = 0; columns[i].name; i++) {
		if (!columns[i].required && !optional) {
			g_string_append(s, " and optionally ");
			optional = true;
		} else if (i) {
			g_string_append(s, ", ");
		}
		g_string_append(s, columns[i].name);
	}
	return g_string_free(g_steal_pointer(&s), FALSE);
}

static bool map_csv_error(GError *local, GError **error)
{
	if (local->code == CSV_ERROR_TOO_MANY_ROWS)
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_TOO_LARGE,
		            "the file has more than %d rows; import it in parts",
		            DIRECTORY_CSV_MAX_ROWS);
	else if (local->code == CSV_ERROR_TOO_LARGE)
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_TOO_LARGE,
		            "the file is over %d bytes (5 MB); import it in parts",
		            DIRECTORY_CSV_MAX_BYTES);
	else
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "the file must be UTF-8 text (in Excel: save as \"CSV UTF-8\"): %s",
		            local->message);
	g_error_free(local);
	return false;
}

/* Finds each header field among `columns`; refuses unknown and repeated names. */
static bool map_header(struct import_file *file, const struct csv_record *header, GError **error)
{
	g_autofree char *expected = describe_columns(file->columns);

	for (guint f = 0; f < header->n_fields; f++) {
		g_autofree char *raw = g_strstrip(g_strdup(header->fields[f]));
		g_autofree char *name = g_ascii_strdown(raw, -1);
		guint c;

		if (!*name) {
			g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
			            "header (line %u): column %u has no name; name it or remove it",
			            header->line, f + 1);
			return false;
		}
		for (c = 0; file->columns[c].name && strcmp(file->columns[c].name, name) != 0; c++)
			;
		if (!file->columns[c].name) {
			g_set_error(
			    error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
			    "header (line %u): unknown column \"%s\" (column %u); the first "
			    "line must name the columns %s",
			    header->line, name, f + 1, expected);
			return false;
		}
		if (file->position[c] >= 0) {
			g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
			            "header (line %u): column \"%s\" appears twice", header->line,
			            name);
			return false;
		}
		file->position[c] = (int)f;
	}
	for (guint c = 0; file->columns[c].name; c++) {
		if (file->columns[c].required && file->position[c] < 0) {
			g_set_error(
			    error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
			    "header (line %u): column \"%s\" is missing; the first line must "
			    "name the columns %s",
			    header->line, file->columns[c].name, expected);
			return false;
		}
	}
	file->n_fields = header->n_fields;
	return true;
}

bool directory_import_open(struct import_file *file, const char *text, gsize len,
                           const struct import_column *columns, GError **error)
{
	gsize skip = len >= 3 && memcmp(text, BOM, 3) == 0 ? 3 : 0;
	struct csv_options options = {
	    .delimiter = csv_sniff_delimiter(text + skip, len - skip),
	    .max_bytes = DIRECTORY_CSV_MAX_BYTES,
	    .max_records = DIRECTORY_CSV_MAX_ROWS + 1,
	};
	g_autofree char *expected = describe_columns(columns);
	const struct csv_record *header;
	GError *local = NULL;

	memset(file, 0, sizeof *file);
	file->columns = columns;
	for (guint c = 0; c < IMPORT_MAX_COLUMNS; c++)
		file->position[c] = -1;
	file->table = csv_parse(text, len, &options, &local);
	if (!file->table)
		return map_csv_error(local, error);
	if (file->table->records->len == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "the file is empty; its first line must name the columns %s", expected);
		return false;
	}
	header = g_ptr_array_index(file->table->records, 0);
	if (header->error) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID, "header (line %u): %s",
		            header->line, header->error);
		return false;
	}
	file->next = 1;
	return map_header(file, header, error);
}

void directory_import_close(struct import_file *file)
{
	g_clear_pointer(&file->table, csv_table_free);
}

void directory_import_values_clear(char *values[IMPORT_MAX_COLUMNS])
{
	for (guint c = 0; c < IMPORT_MAX_COLUMNS; c++)
		g_clear_pointer(&values[c], g_free);
}

static bool all_empty(const struct csv_record *r)
{
	for (guint f = 0; f < r->n_fields; f++) {
		const char *p = r->fields[f];
		while (*p && g_ascii_isspace(*p))
			p++;
		if (*p)
			return false;
	}
	return true;
}

bool directory_import_next(struct import_file *file, struct directory_import_result *result,
                           guint *line, char *values[IMPORT_MAX_COLUMNS])
{
	while (file->next < file->table->records->len) {
		const struct csv_record *r = g_ptr_array_index(file->table->records, file->next++);

		if (r->error) {
			directory_import_add_error(result, r->line, "%s", r->error);
			continue;
		}
		if (all_empty(r))
			continue;
		if (r->n_fields != file->n_fields) {
			directory_import_add_error(result, r->line,
			                           "the row has %u fields; the header has %u",
			                           r->n_fields, file->n_fields);
			continue;
		}
		*line = r->line;
		for (guint c = 0; file->columns[c].name; c++) {
			/* Spreadsheets keep stray spaces around values; they are never meant. */
			values[c] = file->position[c] < 0
			                ? NULL
			                : g_strstrip(g_strdup(r->fields[file->position[c]]));
		}
		return true;
	}
	return false;
}

/* ---- Export ---- */

static void append_header(GString *out, const struct import_column *columns)
{
	for (guint c = 0; columns[c].name; c++)
		csv_append_field(out, columns[c].name, c == 0, ',');
	csv_end_record(out);
}

/* Writes `array` (of objects) as rows of the members named by `members`. */
static char *export_rows(JsonNode *list, const struct import_column *columns,
                         const char *const *members, gsize *len)
{
	JsonArray *a = json_node_get_array(list);
	GString *out = g_string_new(BOM);

	append_header(out, columns);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		for (guint c = 0; columns[c].name; c++) {
			JsonNode *v = json_object_get_member(o, members[c]);
			const char *text =
			    v && !JSON_NODE_HOLDS_NULL(v) ? json_node_get_string(v) : "";
			csv_append_field(out, text, c == 0, ',');
		}
		csv_end_record(out);
	}
	*len = out->len;
	return g_string_free(out, FALSE);
}

const struct import_column directory_unit_columns[] = {
    {"code", true}, {"name", true}, {"level", true}, {"parent_code", false}, {NULL},
};

const struct import_column directory_endpoint_columns[] = {
    {"code", true}, {"name", true},          {"unit_code", true},
    {"kind", true}, {"contact_name", false}, {"contact_phone", false},
    {NULL},
};

char *directory_units_export(struct store *st, gsize *len, GError **error)
{
	static const char *const members[] = {"code", "name", "level", "parent_code"};
	g_autoptr(JsonNode) list = directory_units_list(st, error);

	return list ? export_rows(list, directory_unit_columns, members, len) : NULL;
}

char *directory_endpoints_export(struct store *st, gsize *len, GError **error)
{
	static const char *const members[] = {"code", "name",         "unit_code",
	                                      "kind", "contact_name", "contact_phone"};
	g_autoptr(JsonNode) list = directory_endpoints_list(st, NULL, error);

	return list ? export_rows(list, directory_endpoint_columns, members, len) : NULL;
}
