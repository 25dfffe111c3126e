/* SPDX-License-Identifier: MIT */
/* The SQLite back end: one connection in WAL mode with foreign keys on. */
#define G_LOG_DOMAIN "cau-store"
#include "store_backend.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

struct sqlite_store {
	sqlite3 *db;
	char *path;
};

static void set_sqlite_error(GError **error, sqlite3 *db, int rc, const char *what)
{
	int code = STORE_ERROR_FAILED;

	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		code = STORE_ERROR_CONSTRAINT;
	else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		code = STORE_ERROR_BUSY;
	g_set_error(error, STORE_ERROR, code, "sqlite: %s: %s", what,
	            db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

static bool bind_params(sqlite3_stmt *stmt, const struct store_param *params, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc, idx = (int)i + 1;
		switch (params[i].type) {
		case STORE_PARAM_INT:
			rc = sqlite3_bind_int64(stmt, idx, params[i].i);
			break;
		case STORE_PARAM_TEXT:
			rc = params[i].s
			         ? sqlite3_bind_text(stmt, idx, params[i].s, -1, SQLITE_TRANSIENT)
			         : sqlite3_bind_null(stmt, idx);
			break;
		default:
			rc = sqlite3_bind_null(stmt, idx);
		}
		if (rc != SQLITE_OK)
			return false;
	}
	return true;
}

static struct store_rows *rows_for(sqlite3_stmt *stmt)
{
	guint n = (guint)sqlite3_column_count(stmt);
	struct store_rows *rows = store_rows_new(n);

	for (guint c = 0; c < n; c++)
		store_rows_set_column_name(rows, c, sqlite3_column_name(stmt, (int)c));
	return rows;
}

static void append_row(struct store_rows *rows, sqlite3_stmt *stmt)
{
	guint n = store_rows_columns(rows);
	g_autofree const char **cells = g_new0(const char *, n + 1);

	for (guint c = 0; c < n; c++)
		cells[c] = (const char *)sqlite3_column_text(stmt, (int)c);
	store_rows_append(rows, cells);
}

static bool sqlite_exec(void *impl, const char *sql, const struct store_param *params, size_t n,
                        struct store_rows **rows_out, gint64 *changes, GError **error)
{
	struct sqlite_store *s = impl;
	sqlite3_stmt *stmt = NULL;
	g_autoptr(store_rows) rows = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL);
	bool read_only;

	if (rc != SQLITE_OK) {
		set_sqlite_error(error, s->db, rc, "prepare");
		return false;
	}
	if ((size_t)sqlite3_bind_parameter_count(stmt) != n || !bind_params(stmt, params, n)) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		            "sqlite: statement takes %d parameters, %zu given",
		            sqlite3_bind_parameter_count(stmt), n);
		sqlite3_finalize(stmt);
		return false;
	}
	if (rows_out)
		rows = rows_for(stmt);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (rows)
			append_row(rows, stmt);
	}
	/* sqlite3_changes64() still counts the last write after a SELECT: it wrote nothing. */
	read_only = sqlite3_stmt_readonly(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		set_sqlite_error(error, s->db, rc, "step");
		return false;
	}
	if (changes)
		*changes = read_only ? 0 : sqlite3_changes64(s->db);
	if (rows_out)
		*rows_out = g_steal_pointer(&rows);
	return true;
}

static bool sqlite_exec_script(void *impl, const char *script, GError **error)
{
	struct sqlite_store *s = impl;
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, script, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		g_set_error(error, STORE_ERROR,
		            (rc & 0xff) == SQLITE_CONSTRAINT ? STORE_ERROR_CONSTRAINT
		                                             : STORE_ERROR_FAILED,
		            "sqlite: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return false;
	}
	return true;
}

static void sqlite_close(void *impl)
{
	struct sqlite_store *s = impl;

	sqlite3_close_v2(s->db);
	g_free(s->path);
	g_free(s);
}

static const struct store_backend_ops sqlite_ops = {
    .name = "sqlite",
    .id_column = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .close = sqlite_close,
    .exec = sqlite_exec,
    .exec_script = sqlite_exec_script,
    .begin_sql = "BEGIN IMMEDIATE",
    .list_tables_sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                       "LIKE 'sqlite_%' ORDER BY name",
};

bool store_sqlite_open(struct store *st, const char *path, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	struct sqlite_store *s;
	sqlite3 *db = NULL;
	int rc;

	if (g_mkdir_with_parents(dir, 0750) != 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_OPEN, "sqlite: cannot create %s: %s",
		            dir, g_strerror(errno));
		return false;
	}
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_OPEN, "sqlite: cannot open %s: %s",
		            path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close_v2(db);
		return false;
	}
	sqlite3_busy_timeout(db, 5000);
	s = g_new0(struct sqlite_store, 1);
	s->db = db;
	s->path = g_strdup(path);
	st->ops = &sqlite_ops;
	st->impl = s;
	if (!sqlite_exec_script(s,
	                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
	                        "PRAGMA foreign_keys = ON;",
	                        error)) {
		g_prefix_error(error, "%s: ", path);
		sqlite_close(s);
		st->impl = NULL;
		return false;
	}
	return true;
}
