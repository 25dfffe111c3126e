/* SPDX-License-Identifier: MIT */
/* Operator and chair accounts: hashing, verification and the first operator. */
#define G_LOG_DOMAIN "cau-accounts"
#include "accounts.h"

#include "audit.h"
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

bool accounts_valid_username(const char *username, GError **error)
{
	size_t len = username ? strlen(username) : 0;
	bool ok = len >= 1 && len <= 64 && g_ascii_islower(username[0]);

	for (size_t i = 0; ok && i < len; i++) {
		char c = username[i];
		ok = g_ascii_islower(c) || g_ascii_isdigit(c) || c == '.' || c == '_' || c == '-';
	}
	if (!ok)
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "user name must be 1 to 64 of a-z, 0-9, '.', '_', '-', starting with "
		            "a letter");
	return ok;
}

bool accounts_valid_password(const char *password, GError **error)
{
	size_t len = password ? strlen(password) : 0;

	if (len < 10 || len > 256) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "password must have 10 to 256 bytes");
		return false;
	}
	return true;
}

struct create_account {
	const struct principal *who;
	const char *username;
	enum role role;
	const char *hash;
	gint64 id;
};

static bool insert_account(struct store *st, gpointer user_data, GError **error)
{
	struct create_account *c = user_data;
	g_autoptr(store_rows) rows = store_query(
	    st,
	    "INSERT INTO accounts (username, role, password_hash, created_at) VALUES (?, ?, "
	    "?, ?) RETURNING id",
	    STORE_PARAMS(STORE_TEXT(c->username), STORE_TEXT(role_name(c->role)),
	                 STORE_TEXT(c->hash), STORE_INT(g_get_real_time() / 1000)),
	    error);
	g_autofree char *detail = NULL;

	if (!rows)
		return false;
	c->id = store_rows_get_int(rows, 0, 0);
	detail = g_strdup_printf("{\"role\":\"%s\"}", role_name(c->role));
	return audit_append(st, c->who, "account.create", c->username, detail, error);
}

gint64 accounts_create(struct store *st, const struct principal *who, const char *username,
                       enum role role, const char *password, const struct argon2_params *params,
                       GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *hash = NULL;
	struct create_account c = {who, username, role, NULL, 0};

	if (!accounts_valid_username(username, error) || !accounts_valid_password(password, error))
		return 0;
	if (role == ROLE_NONE) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "role must be \"operator\" or \"chair\"");
		return 0;
	}
	hash = accounts_hash_password(password, params, error);
	if (!hash)
		return 0;
	c.hash = hash;
	if (!store_transaction(st, insert_account, &c, &local)) {
		if (g_error_matches(local, STORE_ERROR, STORE_ERROR_CONSTRAINT))
			g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
			            "an account named \"%s\" exists already", username);
		else
			g_propagate_error(error, g_steal_pointer(&local));
		return 0;
	}
	return c.id;
}

#define ACCOUNT_COLUMNS                                                                            \
	"id, username, role, disabled, created_at, password_changed_at, locked_until"

static void add_account(JsonBuilder *b, const struct store_rows *rows, guint r)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, store_rows_get_int(rows, r, 0));
	json_builder_set_member_name(b, "username");
	json_builder_add_string_value(b, store_rows_get(rows, r, 1));
	json_builder_set_member_name(b, "role");
	json_builder_add_string_value(b, store_rows_get(rows, r, 2));
	json_builder_set_member_name(b, "disabled");
	json_builder_add_boolean_value(b, store_rows_get_int(rows, r, 3) != 0);
	json_builder_set_member_name(b, "created_at");
	json_builder_add_int_value(b, store_rows_get_int(rows, r, 4));
	json_builder_set_member_name(b, "password_changed_at");
	if (store_rows_get(rows, r, 5))
		json_builder_add_int_value(b, store_rows_get_int(rows, r, 5));
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "locked");
	json_builder_add_boolean_value(b,
	                               store_rows_get_int(rows, r, 6) > g_get_real_time() / 1000);
	json_builder_end_object(b);
}

JsonNode *accounts_list(struct store *st, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st, "SELECT " ACCOUNT_COLUMNS " FROM accounts ORDER BY id", NULL, 0, error);
	g_autoptr(JsonBuilder) b = NULL;

	if (!rows)
		return NULL;
	b = json_builder_new_immutable();
	json_builder_begin_array(b);
	for (guint r = 0; r < store_rows_count(rows); r++)
		add_account(b, rows, r);
	json_builder_end_array(b);
	return json_builder_get_root(b);
}

JsonNode *accounts_get(struct store *st, gint64 id, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?",
	                STORE_PARAMS(STORE_INT(id)), error);
	g_autoptr(JsonBuilder) b = NULL;

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no account with id %" G_GINT64_FORMAT, id);
		return NULL;
	}
	b = json_builder_new_immutable();
	add_account(b, rows, 0);
	return json_builder_get_root(b);
}

struct update_account {
	const struct principal *who;
	gint64 id;
	enum role role;
	int disabled;
	const char *hash;
};

static bool apply_update(struct store *st, gpointer user_data, GError **error)
{
	struct update_account *u = user_data;
	gint64 changes = 0, now = g_get_real_time() / 1000;
	g_autoptr(store_rows) rows = store_query(st, "SELECT username FROM accounts WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(u->id)), error);
	g_autofree char *detail = NULL;

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no account with id %" G_GINT64_FORMAT, u->id);
		return false;
	}
	if (u->role != ROLE_NONE &&
	    !store_exec(st, "UPDATE accounts SET role = ? WHERE id = ?",
	                STORE_PARAMS(STORE_TEXT(role_name(u->role)), STORE_INT(u->id)), &changes,
	                error))
		return false;
	if (u->disabled >= 0 &&
	    !store_exec(st, "UPDATE accounts SET disabled = ? WHERE id = ?",
	                STORE_PARAMS(STORE_INT(u->disabled), STORE_INT(u->id)), &changes, error))
		return false;
	if (u->hash &&
	    !store_exec(st,
	                "UPDATE accounts SET password_hash = ?, password_changed_at = ?, "
	                "failed_logins = 0, locked_until = 0 WHERE id = ?",
	                STORE_PARAMS(STORE_TEXT(u->hash), STORE_INT(now), STORE_INT(u->id)),
	                &changes, error))
		return false;
	if ((u->hash || u->disabled == 1) &&
	    !store_exec(st, "DELETE FROM sessions WHERE account_id = ?",
	                STORE_PARAMS(STORE_INT(u->id)), NULL, error))
		return false;
	detail = g_strdup_printf("{\"role\":%s%s%s,\"disabled\":%s,\"password_changed\":%s}",
	                         u->role ? "\"" : "", u->role ? role_name(u->role) : "null",
	                         u->role ? "\"" : "",
	                         u->disabled < 0 ? "null" : (u->disabled ? "true" : "false"),
	                         u->hash ? "true" : "false");
	return audit_append(st, u->who, "account.update", store_rows_get(rows, 0, 0), detail,
	                    error);
}

bool accounts_update(struct store *st, const struct principal *who, gint64 id, enum role role,
                     int disabled, const char *password, const struct argon2_params *params,
                     GError **error)
{
	g_autofree char *hash = NULL;
	struct update_account u = {who, id, role, disabled, NULL};

	if (password) {
		if (!accounts_valid_password(password, error))
			return false;
		hash = accounts_hash_password(password, params, error);
		if (!hash)
			return false;
		u.hash = hash;
	}
	return store_transaction(st, apply_update, &u, error);
}

gint64 accounts_id_by_name(struct store *st, const char *username, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT id FROM accounts WHERE username = ?",
	                                         STORE_PARAMS(STORE_TEXT(username)), error);

	if (!rows)
		return 0;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND, "no account \"%s\"",
		            username);
		return 0;
	}
	return store_rows_get_int(rows, 0, 0);
}
