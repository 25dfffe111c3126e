/* SPDX-License-Identifier: MIT */
/* Unit tests of the store on SQLite: migrations, parameters, constraints, transactions. */
#include "store/store.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
	char *dir;
	struct store *st;
};

static void setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *url = NULL;

	f->dir = g_dir_make_tmp("cau-store-XXXXXX", &error);
	g_assert_no_error(error);
	url = g_strconcat("sqlite:", f->dir, "/sub/cau.db", NULL);
	f->st = store_open(url, &error);
	g_assert_no_error(error);
	g_assert_nonnull(f->st);
}

static void teardown(struct fixture *f, gconstpointer data)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

	store_close(f->st);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->dir);
}

static void test_migrate_creates_tables(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) before = store_migration_status(f->st, &error);
	g_autoptr(GPtrArray) after = NULL, tables = NULL;
	const struct store_migration_state *first;

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
	tables = store_list_tables(f->st, &error);
	g_assert_no_error(error);
	g_assert_true(g_ptr_array_find_with_equal_func(tables, "accounts", g_str_equal, NULL));
	g_assert_true(g_ptr_array_find_with_equal_func(tables, "audit_log", g_str_equal, NULL));
	g_assert_true(
	    g_ptr_array_find_with_equal_func(tables, "schema_migrations", g_str_equal, NULL));
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

static void test_errors(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;

	g_assert_true(store_migrate(f->st, NULL));
	g_assert_false(store_exec(f->st, "SELEC 1", NULL, 0, NULL, &e1));
	g_assert_error(e1, STORE_ERROR, STORE_ERROR_FAILED);
	g_assert_false(store_exec(f->st, "SELECT ?", NULL, 0, NULL, &e2));
	g_assert_nonnull(strstr(e2->message, "1 parameters, 0 given"));
	g_assert_true(store_exec(f->st,
	                         "INSERT INTO accounts (username, role, password_hash, created_at) "
	                         "VALUES ('a', 'operator', 'x', 0)",
	                         NULL, 0, NULL, NULL));
	g_assert_false(
	    store_exec(f->st,
	               "INSERT INTO accounts (username, role, password_hash, created_at) "
	               "VALUES ('a', 'operator', 'x', 0)",
	               NULL, 0, NULL, &e3));
	g_assert_error(e3, STORE_ERROR, STORE_ERROR_CONSTRAINT);
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
	g_autoptr(store_rows) rows = NULL;

	g_assert_true(store_migrate(f->st, NULL));
	g_assert_false(store_transaction(f->st, write_then_fail, NULL, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	rows = store_query(f->st, "SELECT COUNT(*) FROM audit_log", NULL, 0, NULL);
	g_assert_cmpint(store_rows_get_int(rows, 0, 0), ==, 0);
}

static void test_bad_url(void)
{
	g_autoptr(GError) error = NULL;

	g_assert_null(store_open("mysql://x", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_OPEN);
	g_clear_error(&error);
	g_assert_null(store_open("sqlite:/proc/no/such/dir/cau.db", &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_OPEN);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/store/migrate", struct fixture, NULL, setup, test_migrate_creates_tables,
	           teardown);
	g_test_add("/store/wal", struct fixture, NULL, setup, test_wal_mode, teardown);
	g_test_add("/store/params", struct fixture, NULL, setup, test_params_and_rows, teardown);
	g_test_add("/store/errors", struct fixture, NULL, setup, test_errors, teardown);
	g_test_add("/store/transaction", struct fixture, NULL, setup, test_transaction_rolls_back,
	           teardown);
	g_test_add_func("/store/bad-url", test_bad_url);
	return g_test_run();
}
