/* SPDX-License-Identifier: MIT */
/* The database: one small interface over back ends (SQLite, PostgreSQL), parameterised
 * SQL with '?' placeholders, rows as text, transactions and migrations. */
#pragma once

#include <gio/gio.h>
#include <stdbool.h>

#define STORE_ERROR (store_error_quark())
GQuark store_error_quark(void);

enum store_error_code {
	STORE_ERROR_FAILED,
	STORE_ERROR_OPEN,       /* the database cannot be opened, created or reached */
	STORE_ERROR_CONSTRAINT, /* a UNIQUE, CHECK or foreign key constraint refused a write */
	STORE_ERROR_BUSY,       /* locked by another writer, or a deadlock; a retry may work */
	STORE_ERROR_MIGRATION,  /* a migration failed; the schema is left as before it */
};

enum store_param_type {
	STORE_PARAM_NULL,
	STORE_PARAM_INT,
	STORE_PARAM_TEXT,
};

/* A query parameter. Text is borrowed for the duration of the call. */
struct store_param {
	enum store_param_type type;
	gint64 i;
	const char *s;
};

#define STORE_INT(v)  ((struct store_param){.type = STORE_PARAM_INT, .i = (v)})
#define STORE_TEXT(v) ((struct store_param){.type = STORE_PARAM_TEXT, .s = (v)})
#define STORE_NULL    ((struct store_param){.type = STORE_PARAM_NULL})
/* Expands to "array, count" for store_exec()/store_query(). */
#define STORE_PARAMS(...)                                                                          \
	((const struct store_param[]){__VA_ARGS__}),                                               \
	    G_N_ELEMENTS(((const struct store_param[]){__VA_ARGS__}))

typedef struct store store;
typedef struct store_rows store_rows;

/* Opens the database named by `url`: "sqlite:PATH" (created if missing, WAL mode) or a
 * bare path; or PostgreSQL through libpq: "postgresql://USER[:PASSWORD]@HOST[:PORT]/DB?...",
 * "postgres://..." or a key=value string starting with "host=" or "dbname=" (the database
 * must exist; client encoding UTF-8). Errors never include the password. Caller owns the
 * result; one thread at a time may use it. */
struct store *store_open(const char *url, GError **error);
void store_close(struct store *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(store, store_close)

/* "sqlite" or "postgres". */
const char *store_backend_name(const struct store *st);
/* The URL the store was opened with, with any password removed, for logs and status. */
const char *store_display_url(const struct store *st);

/* Runs one statement with parameters bound to its '?' placeholders. `changes`, if not
 * NULL, receives the number of rows written. */
bool store_exec(struct store *st, const char *sql, const struct store_param *params,
                size_t n_params, gint64 *changes, GError **error);

/* Runs one statement and returns its rows (possibly none); caller owns them. */
struct store_rows *store_query(struct store *st, const char *sql, const struct store_param *params,
                               size_t n_params, GError **error);

/* Runs several statements without parameters (a migration script). */
bool store_exec_script(struct store *st, const char *script, GError **error);

/* Runs `fn` inside a transaction: committed when it returns true, rolled back when it
 * returns false (its error is passed on), so no partial write survives. Not nestable.
 * `fn` must return false when a statement fails: on PostgreSQL a failed statement spoils
 * the whole transaction (later statements fail, the commit fails). */
typedef bool (*store_txn_fn)(struct store *st, gpointer user_data, GError **error);
bool store_transaction(struct store *st, store_txn_fn fn, gpointer user_data, GError **error);

/* The names of the user tables, sorted; caller owns the array. */
GPtrArray *store_list_tables(struct store *st, GError **error);

/* Rows: every value is text (NULL for SQL NULL), owned by the rows. */
guint store_rows_count(const struct store_rows *rows);
guint store_rows_columns(const struct store_rows *rows);
const char *store_rows_column_name(const struct store_rows *rows, guint col);
const char *store_rows_get(const struct store_rows *rows, guint row, guint col);
gint64 store_rows_get_int(const struct store_rows *rows, guint row, guint col);
void store_rows_free(struct store_rows *rows);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(store_rows, store_rows_free)

/* Applies every pending migration in order, each in its own transaction. */
bool store_migrate(struct store *st, GError **error);

struct store_migration_state {
	gint64 version;
	char *name;
	char *applied_at; /* ISO 8601 UTC, or NULL when pending */
};

/* The known migrations and whether each is applied; caller owns the array (elements are
 * freed with it). */
GPtrArray *store_migration_status(struct store *st, GError **error);
