/* SPDX-License-Identifier: MIT */
/* Fresh databases for the unit tests, so each runs once on SQLite and once on PostgreSQL
 * without seeing another's tables. */
#include "db-fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const enum db_fixture_backend sqlite_backend = DB_FIXTURE_SQLITE;
static const enum db_fixture_backend postgres_backend = DB_FIXTURE_POSTGRES;

const char *db_fixture_pg_url(void)
{
	const char *url = g_getenv("CAU_TEST_PG_URL");
	return url && *url ? url : NULL;
}

static void skip_without_pg(void)
{
	g_test_skip("CAU_TEST_PG_URL not set: run under tests/pg/pg-run.sh (meson test does)");
}

void db_fixture_add(const char *prefix, const char *name, enum db_fixture_which which,
                    gsize fixture_size, GTestFixtureFunc setup, GTestFixtureFunc test,
                    GTestFixtureFunc teardown)
{
	g_autofree char *sqlite_path = g_strdup_printf("%s/sqlite/%s", prefix, name);
	g_autofree char *pg_path = g_strdup_printf("%s/postgres/%s", prefix, name);

	if (which != DB_FIXTURE_ONLY_POSTGRES)
		g_test_add_vtable(sqlite_path, fixture_size, &sqlite_backend, setup, test,
		                  teardown);
	if (which == DB_FIXTURE_ONLY_SQLITE)
		return;
	if (db_fixture_pg_url())
		g_test_add_vtable(pg_path, fixture_size, &postgres_backend, setup, test, teardown);
	else
		g_test_add_func(pg_path, skip_without_pg);
}

void db_fixture_add_pg_func(const char *prefix, const char *name, GTestFunc fn)
{
	g_autofree char *path = g_strdup_printf("%s/postgres/%s", prefix, name);

	g_test_add_func(path, db_fixture_pg_url() ? fn : skip_without_pg);
}

/* Runs one statement on the server's own database: schemas come and go through it. */
static void admin_exec(const char *sql)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store) admin = store_open(db_fixture_pg_url(), &error);

	g_assert_no_error(error);
	g_assert_true(store_exec(admin, sql, NULL, 0, NULL, &error));
	g_assert_no_error(error);
}

/* The server's URL with the schema as the only search path, so the test's tables are
 * made and listed there. */
static char *url_with_schema(const char *base, const char *schema)
{
	if (strstr(base, "://"))
		return g_strdup_printf("%s%coptions=-csearch_path%%3D%s", base,
		                       strchr(base, '?') ? '&' : '?', schema);
	return g_strdup_printf("%s options='-csearch_path=%s'", base, schema);
}

void db_fixture_setup(struct db_fixture *db, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *sql = NULL;

	memset(db, 0, sizeof(*db));
	db->backend = *(const enum db_fixture_backend *)backend;
	if (db->backend == DB_FIXTURE_SQLITE) {
		db->dir = g_dir_make_tmp("cau-db-XXXXXX", &error);
		g_assert_no_error(error);
		db->url = g_strconcat("sqlite:", db->dir, "/sub/cau.db", NULL);
		return;
	}
	g_assert_nonnull(db_fixture_pg_url());
	db->schema = g_strdup_printf("t_%d_%08x", (int)getpid(), g_random_int());
	sql = g_strdup_printf("CREATE SCHEMA %s", db->schema);
	admin_exec(sql);
	db->url = url_with_schema(db_fixture_pg_url(), db->schema);
}

void db_fixture_teardown(struct db_fixture *db, gconstpointer backend)
{
	if (db->dir) {
		g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", db->dir);
		g_assert_cmpint(system(cmd), ==, 0);
	}
	if (db->schema) {
		g_autofree char *sql = g_strdup_printf("DROP SCHEMA %s CASCADE", db->schema);
		admin_exec(sql);
	}
	g_free(db->dir);
	g_free(db->schema);
	g_free(db->url);
	memset(db, 0, sizeof(*db));
}
