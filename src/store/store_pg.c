/* SPDX-License-Identifier: MIT */
/* The PostgreSQL back end: one libpq connection, statements sent with text parameters and
 * read back as text, so callers see the same rows as from SQLite. */
#define G_LOG_DOMAIN "cau-store"
#include "store_pg.h"
#include "store_backend.h"

#include <libpq-fe.h>
#include <string.h>

struct pg_store {
	PGconn *conn;
	char *display_url; /* for log lines */
	bool in_txn;       /* a BEGIN was sent and no COMMIT/ROLLBACK ended it yet */
	guint64 reconnects;
};

/* libpq's message without its trailing newline; caller owns it. */
static char *conn_message(PGconn *conn)
{
	return g_strchomp(g_strdup(PQerrorMessage(conn)));
}

static int error_code_for(const char *sqlstate)
{
	if (!sqlstate)
		return STORE_ERROR_FAILED;
	if (g_str_has_prefix(sqlstate, "23"))
		return STORE_ERROR_CONSTRAINT;
	/* serialization failure, deadlock, lock not available */
	if (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0 ||
	    strcmp(sqlstate, "55P03") == 0)
		return STORE_ERROR_BUSY;
	return STORE_ERROR_FAILED;
}

/* Fills `error` from a failed result (NULL when libpq could not even send). */
static void set_pg_error(GError **error, struct pg_store *s, PGresult *res, const char *what)
{
	const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	g_autofree char *message = primary ? g_strdup(primary) : conn_message(s->conn);

	if (PQstatus(s->conn) == CONNECTION_BAD) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_OPEN,
		            "postgres: %s: connection lost: %s", what, message);
		return;
	}
	g_set_error(error, STORE_ERROR, error_code_for(sqlstate), "postgres: %s: %s%s%s%s", what,
	            message, sqlstate ? " (SQLSTATE " : "", sqlstate ? sqlstate : "",
	            sqlstate ? ")" : "");
}

static bool result_ok(PGresult *res)
{
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		return true;
	default:
		return false;
	}
}

static struct store_rows *rows_from(PGresult *res)
{
	guint n_cols = (guint)PQnfields(res), n_rows = (guint)PQntuples(res);
	struct store_rows *rows = store_rows_new(n_cols);
	g_autofree const char **cells = g_new0(const char *, n_cols + 1);

	for (guint c = 0; c < n_cols; c++)
		store_rows_set_column_name(rows, c, PQfname(res, (int)c));
	for (guint r = 0; r < n_rows; r++) {
		for (guint c = 0; c < n_cols; c++)
			cells[c] = PQgetisnull(res, (int)r, (int)c)
			               ? NULL
			               : PQgetvalue(res, (int)r, (int)c);
		store_rows_append(rows, cells);
	}
	return rows;
}

/* Rows written, as SQLite counts them: a SELECT writes none. */
static gint64 changes_of(PGresult *res)
{
	const char *tuples = PQcmdTuples(res);

	if (g_str_has_prefix(PQcmdStatus(res), "SELECT") || !*tuples)
		return 0;
	return g_ascii_strtoll(tuples, NULL, 10);
}

/* True when `sql` was a COMMIT that PostgreSQL turned into a ROLLBACK, without an error,
 * because a statement of the transaction had failed: nothing was written. */
static bool commit_rolled_back(const char *sql, PGresult *res)
{
	while (g_ascii_isspace(*sql))
		sql++;
	return strcmp(PQcmdStatus(res), "ROLLBACK") == 0 &&
	       (g_ascii_strncasecmp(sql, "COMMIT", 6) == 0 ||
	        g_ascii_strncasecmp(sql, "END", 3) == 0);
}

/* Parameters as text, the way they would be written in SQL; `owned` keeps the numbers. */
static const char **param_values(const struct store_param *params, size_t n, GPtrArray *owned)
{
	const char **values = g_new0(const char *, n + 1);

	for (size_t i = 0; i < n; i++) {
		switch (params[i].type) {
		case STORE_PARAM_INT:
			values[i] = g_strdup_printf("%" G_GINT64_FORMAT, params[i].i);
			g_ptr_array_add(owned, (char *)values[i]);
			break;
		case STORE_PARAM_TEXT:
			values[i] = params[i].s;
			break;
		default:
			values[i] = NULL;
		}
	}
	return values;
}

static bool starts_with_word(const char *sql, const char *word)
{
	size_t len = strlen(word);

	while (g_ascii_isspace(*sql))
		sql++;
	return g_ascii_strncasecmp(sql, word, len) == 0 && !g_ascii_isalnum(sql[len]);
}

/*
 * A lost connection (the server restarted, a proxy or the network dropped it) is made
 * again, but only between transactions: a transaction cut in the middle has been rolled
 * back by the server and fails to its caller, who may try again. Outside a transaction,
 * statements that cannot have written anything (BEGIN, SELECT) are sent again once on the
 * new connection; anything else fails rather than risk being applied twice.
 */
static bool reconnect(struct pg_store *s)
{
	if (s->in_txn)
		return false;
	PQreset(s->conn);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		g_autofree char *message = conn_message(s->conn);

		g_warning("[store %s] postgres: reconnecting failed: %s", s->display_url, message);
		return false;
	}
	s->reconnects++;
	g_message("[store %s] postgres: connection lost and made again", s->display_url);
	return true;
}

static PGresult *send_statement(struct pg_store *s, const char *sql, const char *numbered, int n,
                                const char *const *values)
{
	bool retryable =
	    !s->in_txn && (starts_with_word(sql, "BEGIN") || starts_with_word(sql, "SELECT"));
	PGresult *res;

	if (PQstatus(s->conn) == CONNECTION_BAD) {
		if (s->in_txn && (starts_with_word(sql, "ROLLBACK"))) {
			s->in_txn = false; /* the server rolled it back when the connection went */
			return PQmakeEmptyPGresult(s->conn, PGRES_COMMAND_OK);
		}
		reconnect(s);
	}
	res = PQexecParams(s->conn, numbered, n, NULL, values, NULL, NULL, 0);
	if (!result_ok(res) && PQstatus(s->conn) == CONNECTION_BAD && retryable && reconnect(s)) {
		PQclear(res);
		res = PQexecParams(s->conn, numbered, n, NULL, values, NULL, NULL, 0);
	}
	if (PQstatus(s->conn) == CONNECTION_OK)
		s->in_txn = PQtransactionStatus(s->conn) != PQTRANS_IDLE;
	return res;
}

static bool pg_exec(void *impl, const char *sql, const struct store_param *params, size_t n,
                    struct store_rows **rows_out, gint64 *changes, GError **error)
{
	struct pg_store *s = impl;
	guint expected = 0;
	g_autofree char *numbered = store_pg_number_placeholders(sql, &expected);
	g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func(g_free);
	g_autofree const char **values = NULL;
	PGresult *res;
	bool ok;

	if (expected != n) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
		            "postgres: statement takes %u parameters, %zu given", expected, n);
		return false;
	}
	values = param_values(params, n, owned);
	/* No parameter types: the server infers each from where it stands, as for a literal. */
	res = send_statement(s, sql, numbered, (int)n, values);
	ok = result_ok(res);
	if (!ok) {
		set_pg_error(error, s, res, "query");
	} else if (commit_rolled_back(sql, res)) {
		g_set_error(
		    error, STORE_ERROR, STORE_ERROR_FAILED,
		    "postgres: commit: a statement of the transaction had failed, so it was "
		    "rolled back");
		ok = false;
	} else {
		if (changes)
			*changes = changes_of(res);
		if (rows_out)
			*rows_out = rows_from(res);
	}
	PQclear(res);
	return ok;
}

static bool pg_exec_script(void *impl, const char *script, GError **error)
{
	struct pg_store *s = impl;
	PGresult *res;
	bool ok;

	if (PQstatus(s->conn) == CONNECTION_BAD)
		reconnect(s);
	/* PQexec runs several statements in one call; the first failure stops it. */
	res = PQexec(s->conn, script);
	ok = result_ok(res);
	if (PQstatus(s->conn) == CONNECTION_OK)
		s->in_txn = PQtransactionStatus(s->conn) != PQTRANS_IDLE;

	if (!ok)
		set_pg_error(error, s, res, "script");
	PQclear(res);
	return ok;
}

static void pg_close(void *impl)
{
	struct pg_store *s = impl;

	PQfinish(s->conn);
	g_free(s->display_url);
	g_free(s);
}

/* NOTICEs ("relation already exists, skipping") go to the debug log, not stderr. */
static void on_notice(void *arg, const char *message)
{
	struct pg_store *s = arg;
	g_autofree char *line = g_strchomp(g_strdup(message));

	g_debug("[store %s] %s", s->display_url, line);
}

static const struct store_backend_ops pg_ops = {
    .name = "postgres",
    .id_column = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    .close = pg_close,
    .exec = pg_exec,
    .exec_script = pg_exec_script,
    .begin_sql = "BEGIN",
    .list_tables_sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                       "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
};

bool store_pg_open(struct store *st, const char *url, GError **error)
{
	/* connect_timeout comes first so that the URL may override it; later keywords
	 * override what the expanded URL says: text is always UTF-8. */
	const char *const keys[] = {"connect_timeout", "dbname", "client_encoding",
	                            "fallback_application_name", NULL};
	const char *const values[] = {"5", url, "UTF8", "cau", NULL};
	g_autofree char *display = store_pg_redact_url(url);
	PGconn *conn = PQconnectdbParams(keys, values, 1);
	struct pg_store *s;

	if (PQstatus(conn) != CONNECTION_OK) {
		g_autofree char *raw = conn_message(conn);
		/* A malformed URL is quoted back by libpq, password and all. */
		g_autofree char *message = store_pg_scrub(raw, url);

		g_set_error(error, STORE_ERROR, STORE_ERROR_OPEN,
		            "postgres: cannot connect to %s: %s", display, message);
		PQfinish(conn);
		return false;
	}
	s = g_new0(struct pg_store, 1);
	s->conn = conn;
	s->display_url = g_strdup(display);
	PQsetNoticeProcessor(conn, on_notice, s);
	st->ops = &pg_ops;
	st->impl = s;
	st->display_url = g_steal_pointer(&display);
	g_debug("[store %s] connected, server %d", st->display_url, PQserverVersion(conn));
	return true;
}
