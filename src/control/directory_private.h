/* SPDX-License-Identifier: MIT */
/* What the directory's files share: field checks, audit details and small queries. Not
 * for use outside src/control/directory*.c. */
#pragma once

#include "csv.h"
#include "directory.h"

/* Checks a code: 1-32 of A-Z a-z 0-9 . _ -. Messages name the field `what`. */
bool directory_check_code(const char *what, const char *code, GError **error);
/* Checks display text: valid UTF-8, `min`-`max` characters, no control characters (a
 * line break allowed inside when `multiline`), no spaces at either end. */
bool directory_check_text(const char *what, const char *value, guint min, guint max, bool multiline,
                          GError **error);
/* Checks an endpoint kind: browser, whip or sip. */
bool directory_check_kind(const char *kind, GError **error);
/* Checks a phone number: 6-20 of digits, spaces, + - ( ). */
bool directory_check_phone(const char *phone, GError **error);

/* A new endpoint credential (returned; caller frees) and its stored form in `*hash`
 * (caller frees). */
char *directory_credential_new(char **hash);

/* Audit details: a JSON object built member by member. */
JsonBuilder *directory_detail_new(void);
/* Adds "key": value (null when value is NULL). */
void directory_detail_string(JsonBuilder *b, const char *key, const char *value);
void directory_detail_int(JsonBuilder *b, const char *key, gint64 value);
/* Ends the object and returns it as text; frees the builder. */
char *directory_detail_finish(JsonBuilder *b);

/* Depth of a unit (0 for a root) and height of its subtree (0 for a leaf), by
 * WITH RECURSIVE; -1 with an error. */
gint64 directory_unit_depth(struct store *st, gint64 id, GError **error);
gint64 directory_unit_height(struct store *st, gint64 id, GError **error);

/* How many meeting invitations name the unit (column "unit_id") or the endpoint
 * ("endpoint_id"); -1 with an error. */
gint64 directory_invitation_count(struct store *st, const char *column, gint64 id, GError **error);

/* Moves a store constraint failure to CONTROL_ERROR_CONFLICT with `message`; passes
 * other errors on. */
void directory_propagate(GError **error, GError *local, const char *message);

/* Appends a per-line import error. */
void directory_import_add_error(struct directory_import_result *result, guint line,
                                const char *format, ...) G_GNUC_PRINTF(3, 4);
/* Puts the errors in line order. */
void directory_import_sort_errors(struct directory_import_result *result);

/* ---- CSV import files ---- */

#define IMPORT_MAX_COLUMNS 8

struct import_column {
	const char *name;
	bool required;
};

/* A CSV file opened for import: its records and where each known column is. */
struct import_file {
	struct csv_table *table;
	const struct import_column *columns; /* NULL-terminated */
	int position[IMPORT_MAX_COLUMNS];    /* index in the record, -1 when absent */
	guint n_fields;                      /* fields of the header */
	guint next;                          /* the next record to read */
};

/* Reads `text` and its header against `columns`: the caps of DIRECTORY_CSV_MAX_BYTES and
 * _ROWS (CONTROL_ERROR_TOO_LARGE), UTF-8, every required column present, none unknown
 * or twice (CONTROL_ERROR_INVALID with a message naming the column). */
bool directory_import_open(struct import_file *file, const char *text, gsize len,
                           const struct import_column *columns, GError **error);
void directory_import_close(struct import_file *file);

/* Reads the next data row into `values` (trimmed copies by column, NULL for a column
 * the file lacks; free with directory_import_values_clear). Rows that are malformed or
 * have the wrong number of fields are reported in `result` and skipped, rows of empty
 * fields skipped silently. Returns false at the end. */
bool directory_import_next(struct import_file *file, struct directory_import_result *result,
                           guint *line, char *values[IMPORT_MAX_COLUMNS]);
void directory_import_values_clear(char *values[IMPORT_MAX_COLUMNS]);

/* An empty result with its arrays made (credentials too when `with_credentials`). */
void directory_import_result_init(struct directory_import_result *result, bool with_credentials);

/* The columns of the unit and endpoint files, in the order export writes them. */
extern const struct import_column directory_unit_columns[];
extern const struct import_column directory_endpoint_columns[];
