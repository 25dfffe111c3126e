/* SPDX-License-Identifier: MIT */
/* Unit tests of the store, each run on SQLite and on PostgreSQL (see db-fixture.h):
 * migrations, parameters, rows as text, constraints, transactions. */
#include "db-fixture.h"
#include "store/store.h"

#include <string.h>

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
	g_assert_nonnull(f->st);
}

static void teardown(struct fixture *f, gconstpointer backend)
{
	store_close(f->st);
	db_fixture_teardown(&f->db, backend);
}

static const char *expected_backend(const struct fixture *f)
{
	return f->db.backend == DB_FIXTURE_SQLITE ? "sqlite" : "postgres";
}

static int compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The tables named by "CREATE TABLE x" in the migration files, plus schema_migrations,
 * sorted as store_list_tables() sorts them. */
static GPtrArray *declared_tables(void)
{
	g_autofree char *dir =
	    g_build_filename(g_getenv("CAU_TEST_SOURCE_DIR"), "src", "store", "migrations", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GRegex) re = g_regex_new("CREATE TABLE (\\w+)", 0, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *entry;

	g_assert_nonnull(d);
	g_ptr_array_add(names, g_strdup("schema_migrations"));
	while ((entry = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, entry, NULL);
		g_autofree char *sql = NULL;
		g_autoptr(GMatchInfo) m = NULL;
		if (!g_str_has_suffix(entry, ".sql") ||
		    !g_file_get_contents(path, &sql, NULL, NULL))
			continue;
		for (g_regex_match(re, sql, 0, &m); g_match_info_matches(m);
		     g_match_info_next(m, NULL))
			g_ptr_array_add(names, g_match_info_fetch(m, 1));
	}
	g_ptr_array_sort(names, compare_names);
	return names;
}

static void test_migrate_creates_tables(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) before = store_migration_status(f->st, &error);
	g_autoptr(GPtrArray) after = NULL, tables = NULL;
	const struct store_migration_state *first;

	g_assert_cmpstr(store_backend_name(f->st), ==, expected_backend(f));
	g_assert_no_error(error);
	g_assert_cmpuint(before->len, >=, 1);
	first = before->pdata[0];
	g_assert_cmpint(first->version, ==, 1);
	g_assert_cmpstr(first->name, ==, "init");
	g_assert_null(first->applied_at);

	g_assert_true(store_migrate(f->st, &error));
	g_assert_no_error(error);
	after = store_migration_status(f->st, &error);
	for (guint i = 0; i < after->len; i++)
		g_assert_nonnull(((struct store_migration_state *)after->pdata[i])->applied_at);
	/* Exactly the tables the migrations create, sorted: nothing of another test's
	 * database shows. */
	tables = store_list_tables(f->st, &error);
	g_assert_no_error(error);
	g_autoptr(GPtrArray) expected = declared_tables();
	g_assert_cmpuint(tables->len, ==, expected->len);
	for (guint i = 0; i < tables->len; i++)
		g_assert_cmpstr(tables->pdata[i], ==, expected->pdata[i]);
	g_assert_true(g_ptr_array_find_with_equal_func(tables, "accounts", g_str_equal, NULL));
	/* Applying again is a no-op. */
	g_assert_true(store_migrate(f->st, &error));
	g_assert_no_error(error);
}

static void test_wal_mode(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = store_query(f->st, "PRAGMA journal_mode", NULL, 0, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(store_rows_get(rows, 0, 0), ==, "wal");
	g_assert_cmpstr(store_backend_name(f->st), ==, "sqlite");
}

static void test_params_and_rows(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = NULL;
	gint64 changes = -1;

	g_assert_true(store_exec_script(f->st, "CREATE TABLE t (id INTEGER, name TEXT)", &error));
	g_assert_true(store_exec(
	    f->st, "INSERT INTO t VALUES (?, ?), (?, ?)",
	    STORE_PARAMS(STORE_INT(1), STORE_TEXT("Xã Tân Phú"), STORE_INT(2), STORE_NULL),
	    &changes, &error));
	g_assert_no_error(error);
	g_assert_cmpint(changes, ==, 2);
	rows = store_query(f->st, "SELECT id, name FROM t WHERE id >= ? ORDER BY id",
	                   STORE_PARAMS(STORE_INT(1)), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(store_rows_count(rows), ==, 2);
	g_assert_cmpuint(store_rows_columns(rows), ==, 2);
	g_assert_cmpstr(store_rows_column_name(rows, 1), ==, "name");
	g_assert_cmpint(store_rows_get_int(rows, 0, 0), ==, 1);
	g_assert_cmpstr(store_rows_get(rows, 0, 1), ==, "Xã Tân Phú");
	g_assert_null(store_rows_get(rows, 1, 1));
}

static void add_account(struct store *st, const char *name, gint64 created_at)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(store_exec(st,
	                         "INSERT INTO accounts (username, role, password_hash, created_at) "
	                         "VALUES (?, 'chair', 'x', ?)",
	                         STORE_PARAMS(STORE_TEXT(name), STORE_INT(created_at)), NULL,
	                         &error));
	g_assert_no_error(error);
}

/* What callers read must not depend on the back end: numbers as decimal text, ids from 1,
 * flags 0/1, rows written counted alike. */
static void test_text_alike(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = NULL, ids = NULL;
	gint64 changes = -1;

	g_assert_true(store_migrate(f->st, &error));
	add_account(f->st, "lan", 1700000000123);
	add_account(f->st, "minh", -5);
	rows = store_query(f->st,
	                   "SELECT COUNT(*), MAX(id), MIN(disabled), SUM(created_at), "
	                   "MAX(password_changed_at), 'x' || ? FROM accounts",
	                   STORE_PARAMS(STORE_INT(7)), &error);
	g_assert_no_error(error);
	g_assert_cmpstr(store_rows_get(rows, 0, 0), ==, "2");
	g_assert_cmpstr(store_rows_get(rows, 0, 1), ==, "2");
	g_assert_cmpstr(store_rows_get(rows, 0, 2), ==, "0");
	g_assert_cmpstr(store_rows_get(rows, 0, 3), ==, "1700000000118");
	g_assert_null(store_rows_get(rows, 0, 4));
	g_assert_cmpstr(store_rows_get(rows, 0, 5), ==, "x7");
	ids =
	    store_query(f->st, "SELECT id, created_at FROM accounts ORDER BY id", NULL, 0, &error);
	g_assert_cmpstr(store_rows_get(ids, 0, 0), ==, "1");
	g_assert_cmpstr(store_rows_get(ids, 1, 1), ==, "-5");

	g_assert_true(store_exec(f->st, "UPDATE accounts SET disabled = 1 WHERE id > ?",
	                         STORE_PARAMS(STORE_INT(0)), &changes, &error));
	g_assert_cmpint(changes, ==, 2);
	g_assert_true(store_exec(f->st, "SELECT id FROM accounts", NULL, 0, &changes, &error));
	g_assert_cmpint(changes, ==, 0);
	g_assert_true(store_exec(f->st, "DELETE FROM accounts WHERE username = ?",
	                         STORE_PARAMS(STORE_TEXT("nobody")), &changes, &error));
	g_assert_cmpint(changes, ==, 0);
	g_assert_no_error(error);
}

static void test_errors(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;

	g_assert_true(store_migrate(f->st, NULL));
	g_assert_false(store_exec(f->st, "SELEC 1", NULL, 0, NULL, &e1));
	g_assert_error(e1, STORE_ERROR, STORE_ERROR_FAILED);
	g_assert_false(store_exec(f->st, "SELECT ?", NULL, 0, NULL, &e2));
	g_assert_nonnull(strstr(e2->message, "1 parameters, 0 given"));
	add_account(f->st, "a", 0);
	g_assert_false(
	    store_exec(f->st,
	               "INSERT INTO accounts (username, role, password_hash, created_at) "
	               "VALUES ('a', 'operator', 'x', 0)",
	               NULL, 0, NULL, &e3));
	g_assert_error(e3, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_assert_true(g_str_has_prefix(e3->message, expected_backend(f)));
}

static bool write_then_fail(struct store *st, gpointer user_data, GError **error)
{
	if (!store_exec(st, "INSERT INTO audit_log (at, actor, action) VALUES (1, 'test', 'first')",
	                NULL, 0, NULL, error))
		return false;
	/* The second write breaks a CHECK constraint: the first must not survive. */
	return store_exec(st,
	                  "INSERT INTO accounts (username, role, password_hash, created_at) "
	                  "VALUES ('b', 'king', 'x', 0)",
	                  NULL, 0, NULL, error);
}

static void test_transaction_rolls_back(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = NULL, after = NULL;

	g_assert_true(store_migrate(f->st, NULL));
	g_assert_false(store_transaction(f->st, write_then_fail, NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	rows = store_query(f->st, "SELECT COUNT(*) FROM audit_log", NULL, 0, NULL);
	g_assert_cmpint(store_rows_get_int(rows, 0, 0), ==, 0);
	/* The connection is out of the failed transaction: the next write stays. */
	g_assert_true(
	    store_exec(f->st, "INSERT INTO audit_log (at, actor, action) VALUES (2, ?, ?)",
	               STORE_PARAMS(STORE_TEXT("test"), STORE_TEXT("second")), NULL, NULL));
	after = store_query(f->st, "SELECT action FROM audit_log", NULL, 0, NULL);
	g_assert_cmpuint(store_rows_count(after), ==, 1);
	g_assert_cmpstr(store_rows_get(after, 0, 0), ==, "second");
}

static void test_bad_url(void)
{
	g_autoptr(GError) error = NULL;

	g_assert_null(store_open("mysql://root:Sesame-42@x/db", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_OPEN);
	g_assert_null(strstr(error->message, "Sesame-42"));
	g_clear_error(&error);
	g_assert_null(store_open("sqlite:/proc/no/such/dir/cau.db", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_OPEN);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	DB_FIXTURE_ADD("/store", "migrate", DB_FIXTURE_BOTH, struct fixture, setup,
	               test_migrate_creates_tables, teardown);
	DB_FIXTURE_ADD("/store", "wal", DB_FIXTURE_ONLY_SQLITE, struct fixture, setup,
	               test_wal_mode, teardown);
	DB_FIXTURE_ADD("/store", "params", DB_FIXTURE_BOTH, struct fixture, setup,
	               test_params_and_rows, teardown);
	DB_FIXTURE_ADD("/store", "text-alike", DB_FIXTURE_BOTH, struct fixture, setup,
	               test_text_alike, teardown);
	DB_FIXTURE_ADD("/store", "errors", DB_FIXTURE_BOTH, struct fixture, setup, test_errors,
	               teardown);
	DB_FIXTURE_ADD("/store", "transaction", DB_FIXTURE_BOTH, struct fixture, setup,
	               test_transaction_rolls_back, teardown);
	g_test_add_func("/store/bad-url", test_bad_url);
	return g_test_run();
}
