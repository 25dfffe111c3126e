/* SPDX-License-Identifier: MIT */
/* What a database back end implements, and the row builder they share. Private to store/. */
#pragma once

#include "store.h"

struct store_backend_ops {
	const char *name;
	/* Text that replaces @ID@ in migrations: an auto-increment integer primary key. */
	const char *id_column;
	void (*close)(void *impl);
	/* `rows` NULL: the caller does not want rows. */
	bool (*exec)(void *impl, const char *sql, const struct store_param *params, size_t n,
	             struct store_rows **rows, gint64 *changes, GError **error);
	bool (*exec_script)(void *impl, const char *script, GError **error);
	const char *begin_sql;
	const char *list_tables_sql;
};

struct store {
	const struct store_backend_ops *ops;
	void *impl;
	char *display_url;
};

/* Opens a SQLite database file; fills `st` but for its display_url. */
bool store_sqlite_open(struct store *st, const char *path, GError **error);
/* Connects to PostgreSQL (a libpq URL or key=value string); fills `st`, display_url too. */
bool store_pg_open(struct store *st, const char *url, GError **error);

struct store_rows *store_rows_new(guint n_columns);
void store_rows_set_column_name(struct store_rows *rows, guint col, const char *name);
/* Appends a row; `cells` holds n_columns values (NULL for SQL NULL), copied. */
void store_rows_append(struct store_rows *rows, const char *const *cells);
