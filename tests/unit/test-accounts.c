/* SPDX-License-Identifier: MIT */
/* Unit tests of accounts: Argon2id hashing, and the first operator on SQLite and on
 * PostgreSQL. */
#include "control/accounts.h"
#include "db-fixture.h"

#include <string.h>

static const struct argon2_params fast = {.time_cost = 1, .memory_kib = 8192, .parallelism = 1};

static void test_hash_and_verify(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *h1 = accounts_hash_password("mật khẩu đúng", &fast, &error);
	g_autofree char *h2 = accounts_hash_password("mật khẩu đúng", &fast, &error);

	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(h1, "$argon2id$v=19$m=8192,t=1,p=1$"));
	/* A random salt: the same password never hashes the same way twice. */
	g_assert_cmpstr(h1, !=, h2);
	g_assert_true(accounts_verify_password(h1, "mật khẩu đúng"));
	g_assert_false(accounts_verify_password(h1, "mật khẩu sai"));
	g_assert_false(accounts_verify_password("plain", "plain"));
	g_assert_false(accounts_verify_password(NULL, "x"));
}

static void test_first_operator_once(struct db_fixture *db, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store) st = store_open(db->url, &error);
	g_autofree char *password = NULL, *again = NULL, *hash = NULL;
	g_autoptr(store_rows) audit = NULL;

	g_assert_no_error(error);
	g_assert_true(store_migrate(st, &error));
	g_assert_true(accounts_ensure_first_operator(st, "admin", &fast, &password, &error));
	g_assert_no_error(error);
	g_assert_nonnull(password);
	g_assert_cmpuint(strlen(password), ==, 20);
	hash = accounts_password_hash(st, "admin", &error);
	g_assert_no_error(error);
	g_assert_true(accounts_verify_password(hash, password));
	g_assert_null(strstr(hash, password));

	g_assert_true(accounts_ensure_first_operator(st, "admin", &fast, &again, &error));
	g_assert_null(again);
	audit = store_query(st, "SELECT actor, action, target FROM audit_log", NULL, 0, &error);
	g_assert_cmpuint(store_rows_count(audit), ==, 1);
	g_assert_cmpstr(store_rows_get(audit, 0, 1), ==, "account.create_first_operator");
	g_assert_cmpstr(store_rows_get(audit, 0, 2), ==, "admin");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/accounts/hash", test_hash_and_verify);
	DB_FIXTURE_ADD("/accounts", "first-operator", DB_FIXTURE_BOTH, struct db_fixture,
	               db_fixture_setup, test_first_operator_once, db_fixture_teardown);
	return g_test_run();
}
