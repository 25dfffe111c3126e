/* SPDX-License-Identifier: MIT */
/* Operator and chair accounts: hashing, verification and the first operator. */
#define G_LOG_DOMAIN "cau-accounts"
#include "accounts.h"

#include "core/random.h"

#include <argon2.h>
#include <string.h>

#define SALT_BYTES 16
#define HASH_BYTES 32

char *accounts_hash_password(const char *password, const struct argon2_params *params,
                             GError **error)
{
	guint8 salt[SALT_BYTES];
	size_t len = argon2_encodedlen(params->time_cost, params->memory_kib, params->parallelism,
	                               SALT_BYTES, HASH_BYTES, Argon2_id);
	g_autofree char *encoded = g_malloc(len);
	int rc;

	random_bytes(salt, sizeof salt);
	rc = argon2id_hash_encoded(params->time_cost, params->memory_kib, params->parallelism,
	                           password, strlen(password), salt, sizeof salt, HASH_BYTES,
	                           encoded, len);
	if (rc != ARGON2_OK) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "argon2: %s",
		            argon2_error_message(rc));
		return NULL;
	}
	return g_steal_pointer(&encoded);
}

bool accounts_verify_password(const char *encoded_hash, const char *password)
{
	if (!encoded_hash || !g_str_has_prefix(encoded_hash, "$argon2id$"))
		return false;
	return argon2id_verify(encoded_hash, password, strlen(password)) == ARGON2_OK;
}

struct create_ctx {
	const char *username;
	const struct argon2_params *params;
	char *password;
};

static bool create_first(struct store *st, gpointer user_data, GError **error)
{
	struct create_ctx *ctx = user_data;
	g_autoptr(store_rows) rows = store_query(
	    st, "SELECT COUNT(*) FROM accounts WHERE role = 'operator'", NULL, 0, error);
	g_autofree char *password = NULL, *hash = NULL;
	gint64 now = g_get_real_time() / 1000;

	if (!rows)
		return false;
	if (store_rows_get_int(rows, 0, 0) > 0)
		return true;
	password = random_password(20);
	hash = accounts_hash_password(password, ctx->params, error);
	if (!hash)
		return false;
	if (!store_exec(st,
	                "INSERT INTO accounts (username, role, password_hash, created_at) VALUES "
	                "(?, 'operator', ?, ?)",
	                STORE_PARAMS(STORE_TEXT(ctx->username), STORE_TEXT(hash), STORE_INT(now)),
	                NULL, error))
		return false;
	if (!store_exec(st,
	                "INSERT INTO audit_log (at, actor, action, target) VALUES (?, 'system', "
	                "'account.create_first_operator', ?)",
	                STORE_PARAMS(STORE_INT(now), STORE_TEXT(ctx->username)), NULL, error))
		return false;
	ctx->password = g_steal_pointer(&password);
	return true;
}

bool accounts_ensure_first_operator(struct store *st, const char *username,
                                    const struct argon2_params *params, char **password,
                                    GError **error)
{
	struct create_ctx ctx = {username, params, NULL};

	*password = NULL;
	if (!store_transaction(st, create_first, &ctx, error)) {
		g_free(ctx.password);
		return false;
	}
	if (ctx.password)
		g_info("[accounts] created the first operator \"%s\"", username);
	*password = ctx.password;
	return true;
}

char *accounts_password_hash(struct store *st, const char *username, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st, "SELECT password_hash FROM accounts WHERE username = ?",
	                STORE_PARAMS(STORE_TEXT(username)), error);

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no account \"%s\"", username);
		return NULL;
	}
	return g_strdup(store_rows_get(rows, 0, 0));
}
