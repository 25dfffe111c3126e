/* SPDX-License-Identifier: MIT */
/* Unit tests of the PostgreSQL back end's own behaviour: placeholder numbering, passwords
 * kept out of URLs and errors, SQLSTATE mapping, connection strings. The shared store
 * behaviour is tested on both back ends in test-store.c. */
#include "db-fixture.h"
#include "store/store.h"
#include "store/store_pg.h"

#include <string.h>

/* The database tests/pg/pg-run.sh creates. */
#define PG_TEST_DATABASE "cau_test"

static void test_placeholders(void)
{
	static const struct {
		const char *sql, *numbered;
		guint count;
	} cases[] = {
	    {"SELECT ?", "SELECT $1", 1},
	    {"SELECT '?', ?", "SELECT '?', $1", 1},
	    {"SELECT 'it''s ?', ?, ?", "SELECT 'it''s ?', $1, $2", 2},
	    {"SELECT E'\\'?', e'\\\\', ?", "SELECT E'\\'?', e'\\\\', $1", 1},
	    {"SELECT \"a?\"\"b\" FROM t WHERE x = ?", "SELECT \"a?\"\"b\" FROM t WHERE x = $1", 1},
	    {"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2},
	    {"SELECT /* ? /* ? */ ? */ ?", "SELECT /* ? /* ? */ ? */ $1", 1},
	    {"SELECT $$?$$, $q$ ? $$ ? $q$, ?", "SELECT $$?$$, $q$ ? $$ ? $q$, $1", 1},
	    {"SELECT a$b$c, ?::text", "SELECT a$b$c, $1::text", 1},
	    {"SELECT name='?' AND e=?", "SELECT name='?' AND e=$1", 1},
	    {"SELECT '?", "SELECT '?", 0},
	    {"", "", 0},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		guint count = 99;
		g_autofree char *numbered = store_pg_number_placeholders(cases[i].sql, &count);

		g_assert_cmpstr(numbered, ==, cases[i].numbered);
		g_assert_cmpuint(count, ==, cases[i].count);
	}
}

static void test_redact(void)
{
	static const char *const cases[][2] = {
	    {"postgresql://cau:s3cret@db.example:5432/cau", "postgresql://cau@db.example:5432/cau"},
	    {"postgres://cau@db/cau?sslmode=require&password=s3cret",
	     "postgres://cau@db/cau?sslmode=require"},
	    {"postgresql:///cau?password=x&host=/run/pg", "postgresql:///cau?host=/run/pg"},
	    {"postgresql://:pw@h/db", "postgresql://@h/db"},
	    {"postgresql://u:p%40ss@h1:1,h2:2/db", "postgresql://u@h1:1,h2:2/db"},
	    {"postgresql://h/db?p%61ssword=x&sslpassword=y", "postgresql://h/db"},
	    {"postgresql://u:p?w@h/db", "postgresql://u@h/db"},
	    {"postgresql://h?password=x@y/db", "postgresql://***@y/db"},
	    {"postgresql://h/db", "postgresql://h/db"},
	    {"host=/tmp dbname=cau password=s3cret user=cau", "host=/tmp dbname=cau user=cau"},
	    {"host=db password = 'two words' sslpassword=k dbname=cau", "host=db dbname=cau"},
	    {"host=db password='it\\'s' dbname=x", "host=db dbname=x"},
	    {"host=db password=a b", "host=db ..."},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *shown = store_pg_redact_url(cases[i][0]);
		g_assert_cmpstr(shown, ==, cases[i][1]);
	}
}

static void test_scrub(void)
{
	g_autofree char *raw = store_pg_scrub("invalid percent-encoded token: \"p%zzss\"",
	                                      "postgresql://u:p%zzss@h/db");
	g_autofree char *decoded =
	    store_pg_scrub("user u, password p@ss!", "postgresql://u:p%40ss%21@h/db");
	g_autofree char *conninfo = store_pg_scrub("missing \"=\" after \"words\" in connection",
	                                           "host=h password=two words");
	g_autofree char *none = store_pg_scrub("nothing secret", "postgresql://u:@h/db");

	g_assert_cmpstr(raw, ==, "invalid percent-encoded token: \"***\"");
	g_assert_cmpstr(decoded, ==, "user u, password ***");
	g_assert_cmpstr(conninfo, ==, "missing \"=\" after \"***\" in connection");
	g_assert_cmpstr(none, ==, "nothing secret");
}

static void test_is_url(void)
{
	g_assert_true(store_pg_is_url("postgresql://h/db"));
	g_assert_true(store_pg_is_url("postgres://h/db"));
	g_assert_true(store_pg_is_url("host=/run/postgresql dbname=cau"));
	g_assert_true(store_pg_is_url("dbname=cau"));
	g_assert_false(store_pg_is_url("sqlite:/var/lib/cau/cau.db"));
	g_assert_false(store_pg_is_url("/var/lib/cau/cau.db"));
	g_assert_false(store_pg_is_url("postgresql:cau"));
}

/* Opening `url` fails as STORE_ERROR_OPEN, and `secret` is nowhere in the message. */
static void assert_open_fails_quietly(const char *url, const char *secret, const char *why)
{
	g_autoptr(GError) error = NULL;

	g_assert_null(store_open(url, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_OPEN);
	g_test_message("%s -> %s", url, error->message);
	g_assert_true(g_str_has_prefix(error->message, "postgres: cannot connect to "));
	g_assert_null(strstr(error->message, secret));
	g_assert_nonnull(strstr(error->message, why));
}

/* No server needed: nothing listens there. */
static void test_unreachable(void)
{
	assert_open_fails_quietly(
	    "postgresql://cau:Unreachable-Secret-1@127.0.0.1:1/cau?connect_timeout=5",
	    "Unreachable-Secret-1", "127.0.0.1");
	assert_open_fails_quietly("host=/nonexistent/cau dbname=cau password=Socket-Secret-2",
	                          "Socket-Secret-2", "/nonexistent/cau");
	assert_open_fails_quietly("postgresql://u:Bad%zzSecret@/cau", "zzSecret", "percent");
}

static void test_wrong_password(void)
{
	const char *host = g_getenv("CAU_TEST_PG_HOST");
	const char *user = g_getenv("CAU_TEST_PG_PASSWORD_USER");
	g_autofree char *in_userinfo = g_strdup_printf(
	    "postgresql://%s:Wrong-Secret-3@/" PG_TEST_DATABASE "?host=%s", user, host);
	g_autofree char *in_query =
	    g_strdup_printf("%s&user=%s&password=Wrong-Secret-4", db_fixture_pg_url(), user);
	g_autofree char *conninfo = g_strdup_printf(
	    "host=%s dbname=" PG_TEST_DATABASE " user=%s password='Wrong Secret-5'", host, user);

	g_assert_nonnull(host);
	g_assert_nonnull(user);
	assert_open_fails_quietly(in_userinfo, "Wrong-Secret-3", "password authentication");
	assert_open_fails_quietly(in_query, "Wrong-Secret-4", "password authentication");
	assert_open_fails_quietly(conninfo, "Wrong Secret-5", "password authentication");
}

static void test_right_password(void)
{
	const char *host = g_getenv("CAU_TEST_PG_HOST");
	const char *user = g_getenv("CAU_TEST_PG_PASSWORD_USER");
	const char *password = g_getenv("CAU_TEST_PG_PASSWORD");
	g_autofree char *url = g_strdup_printf("postgresql://%s:%s@/" PG_TEST_DATABASE "?host=%s",
	                                       user, password, host);
	g_autofree char *shown =
	    g_strdup_printf("postgresql://%s@/" PG_TEST_DATABASE "?host=%s", user, host);
	g_autoptr(GError) error = NULL;
	g_autoptr(store) st = store_open(url, &error);
	g_autoptr(store_rows) rows = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(store_backend_name(st), ==, "postgres");
	g_assert_cmpstr(store_display_url(st), ==, shown);
	g_assert_null(strstr(store_display_url(st), password));
	rows = store_query(st, "SELECT current_user", NULL, 0, &error);
	g_assert_cmpstr(store_rows_get(rows, 0, 0), ==, user);
}

static void test_conninfo(void)
{
	g_autofree char *conninfo = g_strdup_printf("host=%s dbname=" PG_TEST_DATABASE
	                                            " user=postgres application_name='cau test'",
	                                            g_getenv("CAU_TEST_PG_HOST"));
	g_autoptr(GError) error = NULL;
	g_autoptr(store) st = store_open(conninfo, &error);
	g_autoptr(store_rows) rows = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(store_display_url(st), ==, conninfo);
	rows = store_query(st, "SELECT current_database(), current_setting('application_name')",
	                   NULL, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(store_rows_get(rows, 0, 0), ==, PG_TEST_DATABASE);
	g_assert_cmpstr(store_rows_get(rows, 0, 1), ==, "cau test");
}

struct fixture {
	struct db_fixture db;
	struct store *st;
};

static void setup(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;

	db_fixture_setup(&f->db, backend);
	f->st = store_open(f->db.url, &error);
	g_assert_no_error(error);
}

static void teardown(struct fixture *f, gconstpointer backend)
{
	store_close(f->st);
	db_fixture_teardown(&f->db, backend);
}

static void test_literals_kept(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows =
	    store_query(f->st, "SELECT '?' , ?, $$?$$ || ?, E'\\'?' -- ?\n",
	                STORE_PARAMS(STORE_TEXT("v"), STORE_INT(-12)), &error);

	g_assert_no_error(error);
	g_assert_cmpstr(store_rows_get(rows, 0, 0), ==, "?");
	g_assert_cmpstr(store_rows_get(rows, 0, 1), ==, "v");
	g_assert_cmpstr(store_rows_get(rows, 0, 2), ==, "?-12");
	g_assert_cmpstr(store_rows_get(rows, 0, 3), ==, "'?");
}

/* `sql` is refused with `code`, and the message names the SQLSTATE. */
static void assert_refused(struct store *st, const char *sql, int code, const char *sqlstate)
{
	g_autoptr(GError) error = NULL;

	g_assert_false(store_exec(st, sql, NULL, 0, NULL, &error));
	g_assert_error(error, STORE_ERROR, code);
	g_assert_true(g_str_has_prefix(error->message, "postgres: "));
	g_assert_nonnull(strstr(error->message, sqlstate));
}

static void test_sqlstates(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store) other = store_open(f->db.url, &error);

	g_assert_no_error(error);
	g_assert_true(store_exec_script(f->st,
	                                "CREATE TABLE p (id INTEGER PRIMARY KEY);"
	                                "CREATE TABLE c (p INTEGER NOT NULL REFERENCES p (id), "
	                                "n INTEGER UNIQUE CHECK (n > 0));"
	                                "INSERT INTO p VALUES (1); INSERT INTO c VALUES (1, 1)",
	                                &error));
	g_assert_no_error(error);
	assert_refused(f->st, "INSERT INTO c VALUES (2, 2)", STORE_ERROR_CONSTRAINT, "23503");
	assert_refused(f->st, "INSERT INTO c VALUES (NULL, 2)", STORE_ERROR_CONSTRAINT, "23502");
	assert_refused(f->st, "INSERT INTO c VALUES (1, 1)", STORE_ERROR_CONSTRAINT, "23505");
	assert_refused(f->st, "INSERT INTO c VALUES (1, -1)", STORE_ERROR_CONSTRAINT, "23514");
	assert_refused(f->st, "SELECT nothing FROM c", STORE_ERROR_FAILED, "42703");

	/* A table another connection holds: NOWAIT gives 55P03 at once. */
	g_assert_true(store_exec(f->st, "BEGIN", NULL, 0, NULL, NULL));
	g_assert_true(
	    store_exec(f->st, "LOCK TABLE c IN ACCESS EXCLUSIVE MODE", NULL, 0, NULL, NULL));
	g_assert_true(store_exec(other, "BEGIN", NULL, 0, NULL, NULL));
	assert_refused(other, "LOCK TABLE c IN SHARE MODE NOWAIT", STORE_ERROR_BUSY, "55P03");
	g_assert_true(store_exec(other, "ROLLBACK", NULL, 0, NULL, NULL));
	g_assert_true(store_exec(f->st, "ROLLBACK", NULL, 0, NULL, NULL));
}

static bool swallow_error(struct store *st, gpointer user_data, GError **error)
{
	g_assert_true(store_exec(st, "INSERT INTO t VALUES (1)", NULL, 0, NULL, NULL));
	g_assert_false(store_exec(st, "INSERT INTO t VALUES (1)", NULL, 0, NULL, NULL));
	return true; /* wrongly: the transaction is spoilt */
}

/* PostgreSQL answers COMMIT of a failed transaction with ROLLBACK: that is an error. */
static void test_spoilt_commit(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = NULL;

	g_assert_true(store_exec_script(f->st, "CREATE TABLE t (n INTEGER PRIMARY KEY)", NULL));
	g_assert_false(store_transaction(f->st, swallow_error, NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_FAILED);
	g_assert_nonnull(strstr(error->message, "rolled back"));
	rows = store_query(f->st, "SELECT COUNT(*) FROM t", NULL, 0, NULL);
	g_assert_cmpstr(store_rows_get(rows, 0, 0), ==, "0");
}

/* A script is several statements in one call, and @ID@ is an identity column. */
static void test_script_and_ids(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = NULL;

	g_assert_true(store_migrate(f->st, &error));
	g_assert_no_error(error);
	g_assert_true(store_exec_script(
	    f->st,
	    "INSERT INTO audit_log (at, actor, action) VALUES (1, 'a', 'x');\n"
	    "-- a comment between\n"
	    "INSERT INTO audit_log (id, at, actor, action) VALUES (10, 2, 'b', 'y');\n"
	    "INSERT INTO audit_log (at, actor, action) VALUES (3, 'c', 'z');",
	    &error));
	g_assert_no_error(error);
	rows = store_query(f->st, "SELECT id FROM audit_log ORDER BY at", NULL, 0, &error);
	g_assert_cmpuint(store_rows_count(rows), ==, 3);
	g_assert_cmpstr(store_rows_get(rows, 0, 0), ==, "1");
	g_assert_cmpstr(store_rows_get(rows, 1, 0), ==, "10");
	g_assert_cmpstr(store_rows_get(rows, 2, 0), ==, "2");
}

/* Ends this connection's server process, as a server restart or a dropped link would. */
static void kill_backend(struct store *st)
{
	g_assert_false(
	    store_exec(st, "SELECT pg_terminate_backend(pg_backend_pid())", NULL, 0, NULL, NULL));
}

static bool insert_then_die(struct store *st, gpointer user_data, GError **error)
{
	g_assert_true(store_exec(st, "INSERT INTO t VALUES (1)", NULL, 0, NULL, NULL));
	kill_backend(st);
	return store_exec(st, "INSERT INTO t VALUES (2)", NULL, 0, NULL, error);
}

static bool insert_three(struct store *st, gpointer user_data, GError **error)
{
	return store_exec(st, "INSERT INTO t VALUES (3)", NULL, 0, NULL, error);
}

/* A lost connection is made again by the next statement between transactions; a
 * transaction cut in the middle fails with a clear message and wrote nothing. */
static void test_reconnect(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = NULL;

	g_assert_true(store_exec_script(f->st, "CREATE TABLE t (n INTEGER PRIMARY KEY)", NULL));
	kill_backend(f->st);
	rows = store_query(f->st, "SELECT COUNT(*) FROM t", NULL, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(store_rows_get(rows, 0, 0), ==, "0");

	g_assert_false(store_transaction(f->st, insert_then_die, NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_OPEN);
	g_assert_nonnull(strstr(error->message, "connection lost"));
	g_clear_error(&error);
	g_assert_true(store_transaction(f->st, insert_three, NULL, &error));
	g_assert_no_error(error);
	g_clear_pointer(&rows, store_rows_free);
	rows = store_query(f->st, "SELECT n FROM t ORDER BY n", NULL, 0, &error);
	g_assert_cmpuint(store_rows_count(rows), ==, 1);
	g_assert_cmpstr(store_rows_get(rows, 0, 0), ==, "3");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/store-pg/placeholders", test_placeholders);
	g_test_add_func("/store-pg/redact", test_redact);
	g_test_add_func("/store-pg/scrub", test_scrub);
	g_test_add_func("/store-pg/is-url", test_is_url);
	g_test_add_func("/store-pg/unreachable", test_unreachable);
	db_fixture_add_pg_func("/store", "wrong-password", test_wrong_password);
	db_fixture_add_pg_func("/store", "right-password", test_right_password);
	db_fixture_add_pg_func("/store", "conninfo", test_conninfo);
	DB_FIXTURE_ADD("/store", "literals-kept", DB_FIXTURE_ONLY_POSTGRES, struct fixture, setup,
	               test_literals_kept, teardown);
	DB_FIXTURE_ADD("/store", "sqlstates", DB_FIXTURE_ONLY_POSTGRES, struct fixture, setup,
	               test_sqlstates, teardown);
	DB_FIXTURE_ADD("/store", "spoilt-commit", DB_FIXTURE_ONLY_POSTGRES, struct fixture, setup,
	               test_spoilt_commit, teardown);
	DB_FIXTURE_ADD("/store", "script-and-ids", DB_FIXTURE_ONLY_POSTGRES, struct fixture, setup,
	               test_script_and_ids, teardown);
	DB_FIXTURE_ADD("/store", "reconnect", DB_FIXTURE_ONLY_POSTGRES, struct fixture, setup,
	               test_reconnect, teardown);
	return g_test_run();
}
