/* SPDX-License-Identifier: MIT */
/* A fresh, empty database for a unit test on either back end: SQLite in a temporary
 * folder, or a new schema on the PostgreSQL server that tests/pg/pg-run.sh started. */
#pragma once

#include "store/store.h"

enum db_fixture_backend {
	DB_FIXTURE_SQLITE,
	DB_FIXTURE_POSTGRES,
};

/* Which back ends a test is registered for. */
enum db_fixture_which {
	DB_FIXTURE_BOTH,
	DB_FIXTURE_ONLY_SQLITE,
	DB_FIXTURE_ONLY_POSTGRES,
};

struct db_fixture {
	enum db_fixture_backend backend;
	char *dir;    /* SQLite: the temporary folder */
	char *schema; /* PostgreSQL: the schema made for this test */
	char *url;    /* what store_open() takes */
};

/* CAU_TEST_PG_URL: the PostgreSQL server of pg-run.sh, or NULL outside it. */
const char *db_fixture_pg_url(void);

/* Registers a GTest fixture test as /PREFIX/sqlite/NAME and/or /PREFIX/postgres/NAME; its
 * test data points to the enum db_fixture_backend. Without CAU_TEST_PG_URL the postgres
 * one is registered as skipped. Use DB_FIXTURE_ADD for type-checked function casts. */
void db_fixture_add(const char *prefix, const char *name, enum db_fixture_which which,
                    gsize fixture_size, GTestFixtureFunc setup, GTestFixtureFunc test,
                    GTestFixtureFunc teardown);
#define DB_FIXTURE_ADD(prefix, name, which, type, setup, test, teardown)                           \
	db_fixture_add(prefix, name, which, sizeof(type), (GTestFixtureFunc)(setup),               \
	               (GTestFixtureFunc)(test), (GTestFixtureFunc)(teardown))

/* Registers /PREFIX/postgres/NAME, a test that needs the server but no fresh database;
 * skipped without CAU_TEST_PG_URL. */
void db_fixture_add_pg_func(const char *prefix, const char *name, GTestFunc fn);

/* Makes an empty database for the back end `backend` points to and fills `db` (usable
 * as a GTest fixture setup); aborts the test on failure. */
void db_fixture_setup(struct db_fixture *db, gconstpointer backend);
/* Removes the database (folder or schema) and frees `db`'s strings. */
void db_fixture_teardown(struct db_fixture *db, gconstpointer backend);
