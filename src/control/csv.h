/* SPDX-License-Identifier: MIT */
/* CSV (RFC 4180) reading and writing, pure: text in, records out, no I/O. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define CSV_ERROR (csv_error_quark())
GQuark csv_error_quark(void);

enum csv_error_code {
	CSV_ERROR_TOO_LARGE,     /* over max_bytes */
	CSV_ERROR_TOO_MANY_ROWS, /* over max_records */
	CSV_ERROR_ENCODING,      /* not UTF-8 text (or a NUL byte) */
};

struct csv_options {
	char delimiter;    /* ',' (0 means ','), or ';' as written by some spreadsheets */
	gsize max_bytes;   /* 0: no limit; the BOM counts */
	guint max_records; /* 0: no limit; counts every record, the header too */
};

/* One record. When `error` is set the record is malformed (a stray quote, text after a
 * closing quote, a quoted field never closed) and its fields are not to be used; the
 * reader went on at the next line. */
struct csv_record {
	guint line; /* the line (from 1) on which the record starts */
	guint n_fields;
	char **fields; /* n_fields UTF-8 strings, NULL-terminated array */
	char *error;   /* NULL, or why the record is malformed */
};

typedef struct csv_table csv_table;

struct csv_table {
	GPtrArray *records; /* of struct csv_record *, in file order */
	bool had_bom;       /* the text began with a UTF-8 byte order mark */
};

/* Reads `len` bytes of `text` (need not be NUL-terminated). Accepts an optional UTF-8
 * BOM, CRLF, LF or CR line ends and quoted fields holding delimiters, doubled quotes and
 * line breaks (a line break inside a quoted field is read as "\n"). Empty lines are
 * skipped. Fails as a whole only for the limits of `options` (NULL: none) and for text
 * that is not UTF-8 (the message names the line); malformed records are returned with
 * their `error` set. Caller owns the table. */
struct csv_table *csv_parse(const char *text, gsize len, const struct csv_options *options,
                            GError **error);
void csv_table_free(struct csv_table *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(csv_table, csv_table_free)

/* The delimiter a file's first line suggests: ';' when it holds a ';' and no ',',
 * otherwise ','. */
char csv_sniff_delimiter(const char *text, gsize len);

/* Appends `value` as one field, quoted when it holds the delimiter, a quote, a line
 * break or surrounding spaces (quotes doubled); preceded by the delimiter unless it is
 * the first field of the record (`first`). */
void csv_append_field(GString *out, const char *value, bool first, char delimiter);
/* Ends a record with CRLF, as RFC 4180 writes. */
void csv_end_record(GString *out);
