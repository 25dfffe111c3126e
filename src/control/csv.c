/* SPDX-License-Identifier: MIT */
/* An RFC 4180 CSV reader that reports malformed records by line and goes on, and the
 * matching writer. */
#include "csv.h"

#include <string.h>

G_DEFINE_QUARK(cau - csv - error - quark, csv_error)

#define BOM "\xEF\xBB\xBF"

struct reader {
	const char *p, *end;
	guint line;
	char delimiter;
};

static bool at_break(const struct reader *r)
{
	return r->p < r->end && (*r->p == '\r' || *r->p == '\n');
}

/* Consumes one line break: CRLF, LF or a lone CR. */
static void skip_break(struct reader *r)
{
	if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
		r->p++;
	r->p++;
	r->line++;
}

/* After a malformed field: drops the rest of the physical line. */
static void skip_rest_of_line(struct reader *r)
{
	while (r->p < r->end && !at_break(r))
		r->p++;
	if (at_break(r))
		skip_break(r);
}

/* Reads a quoted field; the reader is on its opening quote. */
static bool read_quoted(struct reader *r, GString *field, guint index, char **error)
{
	guint start_line = r->line;

	r->p++;
	for (;;) {
		if (r->p >= r->end) {
			*error = g_strdup_printf("field %u opens a quote on line %u that is never "
			                         "closed",
			                         index, start_line);
			return false;
		}
		if (*r->p == '"') {
			if (r->p + 1 < r->end && r->p[1] == '"') {
				g_string_append_c(field, '"');
				r->p += 2;
				continue;
			}
			r->p++;
			break;
		}
		if (at_break(r)) {
			g_string_append_c(field, '\n');
			skip_break(r);
			continue;
		}
		g_string_append_c(field, *r->p++);
	}
	if (r->p < r->end && *r->p != r->delimiter && !at_break(r)) {
		*error = g_strdup_printf("field %u has text after its closing quote (a quote "
		                         "inside a quoted field is written twice: \"\")",
		                         index);
		skip_rest_of_line(r);
		return false;
	}
	return true;
}

/* Reads an unquoted field, up to the delimiter, a line break or the end. */
static bool read_plain(struct reader *r, GString *field, guint index, char **error)
{
	const char *start = r->p;

	while (r->p < r->end && *r->p != r->delimiter && !at_break(r)) {
		if (*r->p == '"') {
			*error = g_strdup_printf("field %u holds a quote but does not start with "
			                         "one (quote the whole field and write the quote "
			                         "twice: \"a \"\"b\"\"\")",
			                         index);
			skip_rest_of_line(r);
			return false;
		}
		r->p++;
	}
	g_string_append_len(field, start, r->p - start);
	return true;
}

static void record_free(gpointer data)
{
	struct csv_record *rec = data;

	g_strfreev(rec->fields);
	g_free(rec->error);
	g_free(rec);
}

/* Reads one record starting at a non-empty line. */
static struct csv_record *read_record(struct reader *r)
{
	struct csv_record *rec = g_new0(struct csv_record, 1);
	g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) field = g_string_new(NULL);
	bool ok;

	rec->line = r->line;
	for (;;) {
		guint index = fields->len + 1;

		g_string_truncate(field, 0);
		if (r->p < r->end && *r->p == '"')
			ok = read_quoted(r, field, index, &rec->error);
		else
			ok = read_plain(r, field, index, &rec->error);
		if (!ok)
			break;
		g_ptr_array_add(fields, g_strndup(field->str, field->len));
		if (r->p >= r->end)
			break;
		if (*r->p == r->delimiter) {
			r->p++;
			continue;
		}
		skip_break(r);
		break;
	}
	rec->n_fields = fields->len;
	g_ptr_array_add(fields, NULL);
	rec->fields = (char **)g_ptr_array_free(g_steal_pointer(&fields), FALSE);
	return rec;
}

/* The line (from 1) of byte `offset`, counting line breaks as the reader does. */
static guint line_of(const char *text, gsize offset)
{
	guint line = 1;

	for (gsize i = 0; i < offset; i++) {
		if (text[i] == '\n' ||
		    (text[i] == '\r' && (i + 1 >= offset || text[i + 1] != '\n')))
			line++;
	}
	return line;
}

static bool check_text(const char *text, gsize len, const struct csv_options *options,
                       GError **error)
{
	const char *bad = NULL;

	if (options && options->max_bytes && len > options->max_bytes) {
		g_set_error(error, CSV_ERROR, CSV_ERROR_TOO_LARGE,
		            "the text has %" G_GSIZE_FORMAT " bytes; the limit is %" G_GSIZE_FORMAT,
		            len, options->max_bytes);
		return false;
	}
	if (!g_utf8_validate_len(text, len, &bad)) {
		g_set_error(error, CSV_ERROR, CSV_ERROR_ENCODING,
		            *bad ? "line %u is not UTF-8 text" : "line %u holds a NUL byte",
		            line_of(text, (gsize)(bad - text)));
		return false;
	}
	return true;
}

struct csv_table *csv_parse(const char *text, gsize len, const struct csv_options *options,
                            GError **error)
{
	g_autoptr(csv_table) table = g_new0(struct csv_table, 1);
	struct reader r = {text, text + len, 1, ','};

	table->records = g_ptr_array_new_with_free_func(record_free);
	if (!check_text(text, len, options, error))
		return NULL;
	if (options && options->delimiter)
		r.delimiter = options->delimiter;
	if (len >= 3 && memcmp(text, BOM, 3) == 0) {
		table->had_bom = true;
		r.p += 3;
	}
	while (r.p < r.end) {
		if (at_break(&r)) {
			skip_break(&r);
			continue;
		}
		if (options && options->max_records &&
		    table->records->len >= options->max_records) {
			g_set_error(error, CSV_ERROR, CSV_ERROR_TOO_MANY_ROWS,
			            "more than %u records (line %u)", options->max_records, r.line);
			return NULL;
		}
		g_ptr_array_add(table->records, read_record(&r));
	}
	return g_steal_pointer(&table);
}

void csv_table_free(struct csv_table *table)
{
	if (!table)
		return;
	g_ptr_array_unref(table->records);
	g_free(table);
}

char csv_sniff_delimiter(const char *text, gsize len)
{
	bool semicolon = false;

	for (gsize i = 0; i < len && text[i] != '\n' && text[i] != '\r'; i++) {
		if (text[i] == ',')
			return ',';
		if (text[i] == ';')
			semicolon = true;
	}
	return semicolon ? ';' : ',';
}

static bool needs_quotes(const char *value, char delimiter)
{
	size_t len = strlen(value);

	if (len == 0)
		return false;
	/* A leading U+FEFF would be taken for a byte order mark at the start of a file. */
	if (g_ascii_isspace(value[0]) || g_ascii_isspace(value[len - 1]) ||
	    g_str_has_prefix(value, BOM))
		return true;
	for (const char *p = value; *p; p++) {
		if (*p == delimiter || *p == '"' || *p == '\r' || *p == '\n')
			return true;
	}
	return false;
}

void csv_append_field(GString *out, const char *value, bool first, char delimiter)
{
	if (!first)
		g_string_append_c(out, delimiter);
	if (!value)
		value = "";
	/* An empty first field is quoted, so a record of one empty field is not an empty
	 * line (which readers skip). */
	if (!needs_quotes(value, delimiter) && !(first && !*value)) {
		g_string_append(out, value);
		return;
	}
	g_string_append_c(out, '"');
	for (const char *p = value; *p; p++) {
		if (*p == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

void csv_end_record(GString *out)
{
	g_string_append(out, "\r\n");
}
