/* SPDX-License-Identifier: MIT */
/* The store's front: picks a back end (SQLite or PostgreSQL) from the URL, and the shared
 * row container. */
#define G_LOG_DOMAIN "cau-store"
#include "store_backend.h"
#include "store_pg.h"

#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(cau - store - error - quark, store_error)

struct store_rows {
	guint n_columns;
	GPtrArray *names; /* char * */
	GPtrArray *cells; /* char * or NULL, row-major */
};

struct store *store_open(const char *url, GError **error)
{
	g_autofree struct store *st = g_new0(struct store, 1);
	const char *path = url;

	if (store_pg_is_url(url))
		return store_pg_open(st, url, error) ? g_steal_pointer(&st) : NULL;
	if (g_str_has_prefix(url, "sqlite:")) {
		path = url + strlen("sqlite:");
	} else if (strstr(url, "://")) {
		/* Only the scheme: the rest may hold a password. */
		g_set_error(
		    error, STORE_ERROR, STORE_ERROR_OPEN,
		    "store: unsupported database URL scheme \"%.*s\" (expected sqlite:PATH or "
		    "postgresql://...)",
		    (int)(strstr(url, "://") - url), url);
		return NULL;
	}
	if (!*path) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_OPEN, "store: empty database path");
		return NULL;
	}
	if (!store_sqlite_open(st, path, error))
		return NULL;
	st->display_url = g_strconcat("sqlite:", path, NULL);
	return g_steal_pointer(&st);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	st->ops->close(st->impl);
	g_free(st->display_url);
	g_free(st);
}

const char *store_backend_name(const struct store *st)
{
	return st->ops->name;
}

const char *store_display_url(const struct store *st)
{
	return st->display_url;
}

bool store_exec(struct store *st, const char *sql, const struct store_param *params,
                size_t n_params, gint64 *changes, GError **error)
{
	return st->ops->exec(st->impl, sql, params, n_params, NULL, changes, error);
}

struct store_rows *store_query(struct store *st, const char *sql, const struct store_param *params,
                               size_t n_params, GError **error)
{
	struct store_rows *rows = NULL;

	if (!st->ops->exec(st->impl, sql, params, n_params, &rows, NULL, error))
		return NULL;
	return rows;
}

bool store_exec_script(struct store *st, const char *script, GError **error)
{
	return st->ops->exec_script(st->impl, script, error);
}

bool store_transaction(struct store *st, store_txn_fn fn, gpointer user_data, GError **error)
{
	g_autoptr(GError) rollback_error = NULL;

	if (!store_exec(st, st->ops->begin_sql, NULL, 0, NULL, error))
		return false;
	if (!fn(st, user_data, error)) {
		if (!store_exec(st, "ROLLBACK", NULL, 0, NULL, &rollback_error))
			g_warning("[store %s] rollback failed: %s", st->display_url,
			          rollback_error->message);
		return false;
	}
	if (!store_exec(st, "COMMIT", NULL, 0, NULL, error)) {
		store_exec(st, "ROLLBACK", NULL, 0, NULL, NULL);
		return false;
	}
	return true;
}

GPtrArray *store_list_tables(struct store *st, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, st->ops->list_tables_sql, NULL, 0, error);
	GPtrArray *names;

	if (!rows)
		return NULL;
	names = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < store_rows_count(rows); i++)
		g_ptr_array_add(names, g_strdup(store_rows_get(rows, i, 0)));
	return names;
}

struct store_rows *store_rows_new(guint n_columns)
{
	struct store_rows *rows = g_new0(struct store_rows, 1);

	rows->n_columns = n_columns;
	rows->names = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_set_size(rows->names, n_columns);
	rows->cells = g_ptr_array_new_with_free_func(g_free);
	return rows;
}

void store_rows_set_column_name(struct store_rows *rows, guint col, const char *name)
{
	g_free(rows->names->pdata[col]);
	rows->names->pdata[col] = g_strdup(name);
}

void store_rows_append(struct store_rows *rows, const char *const *cells)
{
	for (guint i = 0; i < rows->n_columns; i++)
		g_ptr_array_add(rows->cells, g_strdup(cells[i]));
}

guint store_rows_count(const struct store_rows *rows)
{
	return rows->n_columns ? rows->cells->len / rows->n_columns : 0;
}

guint store_rows_columns(const struct store_rows *rows)
{
	return rows->n_columns;
}

const char *store_rows_column_name(const struct store_rows *rows, guint col)
{
	g_return_val_if_fail(col < rows->n_columns, NULL);
	return rows->names->pdata[col];
}

const char *store_rows_get(const struct store_rows *rows, guint row, guint col)
{
	g_return_val_if_fail(col < rows->n_columns && row < store_rows_count(rows), NULL);
	return rows->cells->pdata[row * rows->n_columns + col];
}

gint64 store_rows_get_int(const struct store_rows *rows, guint row, guint col)
{
	const char *v = store_rows_get(rows, row, col);
	return v ? g_ascii_strtoll(v, NULL, 10) : 0;
}

void store_rows_free(struct store_rows *rows)
{
	if (!rows)
		return;
	g_ptr_array_unref(rows->names);
	g_ptr_array_unref(rows->cells);
	g_free(rows);
}
