/* SPDX-License-Identifier: MIT */
/* Password logins with lockout, and session tokens. */
#define G_LOG_DOMAIN "cau-sessions"
#include "sessions.h"

#include "audit.h"
#include "core/random.h"

static char *token_hash(const char *token)
{
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, token, -1);
}

static void set_principal(struct principal *who, gint64 id, const char *username, const char *role)
{
	who->account_id = id;
	g_strlcpy(who->username, username, sizeof who->username);
	who->role = role_from_name(role);
}

/* Counts a failure, starting a lockout at the limit; both are audited. */
static void record_failure(struct store *st, const struct auth_policy *policy, gint64 id,
                           const char *username, gint64 failed, gint64 now)
{
	gint64 locked_until = 0;

	if (failed + 1 >= policy->max_failed_logins) {
		locked_until = now + policy->lockout_ms;
		failed = -1;
	}
	store_exec(st, "UPDATE accounts SET failed_logins = ?, locked_until = ? WHERE id = ?",
	           STORE_PARAMS(STORE_INT(failed + 1), STORE_INT(locked_until), STORE_INT(id)),
	           NULL, NULL);
	audit_append(st, NULL, locked_until ? "auth.lockout" : "auth.login_failed", username, NULL,
	             NULL);
	if (locked_until)
		g_warning("[sessions] account \"%s\" locked for %" G_GINT64_FORMAT " s after "
		          "failed logins",
		          username, policy->lockout_ms / 1000);
}

/* Spends the time of one password check, so an unknown user name cannot be told from a
 * wrong password by the answer's delay. */
static void equalise_timing(const struct auth_policy *policy, const char *password)
{
	static char *dummy_hash;

	if (!dummy_hash)
		dummy_hash = accounts_hash_password("cau-dummy-password", &policy->argon2, NULL);
	accounts_verify_password(dummy_hash, password);
}

char *sessions_login(struct store *st, const struct auth_policy *policy, const char *username,
                     const char *password, struct principal *who, gint64 *expires_at,
                     GError **error)
{
	gint64 now = g_get_real_time() / 1000;
	g_autoptr(store_rows) rows = store_query(
	    st,
	    "SELECT id, role, password_hash, disabled, failed_logins, locked_until FROM "
	    "accounts WHERE username = ?",
	    STORE_PARAMS(STORE_TEXT(username)), error);
	g_autofree char *token = NULL, *hash = NULL;
	gint64 id;

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0 || store_rows_get_int(rows, 0, 3)) {
		equalise_timing(policy, password);
		audit_append(st, NULL, "auth.login_failed", username, NULL, NULL);
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED,
		            "wrong user name or password");
		return NULL;
	}
	id = store_rows_get_int(rows, 0, 0);
	if (store_rows_get_int(rows, 0, 5) > now) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_LOCKED,
		            "too many failed logins; try again in %" G_GINT64_FORMAT " s",
		            (store_rows_get_int(rows, 0, 5) - now + 999) / 1000);
		return NULL;
	}
	if (!accounts_verify_password(store_rows_get(rows, 0, 2), password)) {
		record_failure(st, policy, id, username, store_rows_get_int(rows, 0, 4), now);
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED,
		            "wrong user name or password");
		return NULL;
	}
	token = random_token(32);
	hash = token_hash(token);
	*expires_at = now + policy->session_ttl_ms;
	set_principal(who, id, username, store_rows_get(rows, 0, 1));
	if (!store_exec(st,
	                "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) "
	                "VALUES (?, ?, ?, ?)",
	                STORE_PARAMS(STORE_TEXT(hash), STORE_INT(id), STORE_INT(now),
	                             STORE_INT(*expires_at)),
	                NULL, error) ||
	    !store_exec(st, "UPDATE accounts SET failed_logins = 0, locked_until = 0 WHERE id = ?",
	                STORE_PARAMS(STORE_INT(id)), NULL, error) ||
	    !audit_append(st, who, "auth.login", username, NULL, error))
		return NULL;
	return g_steal_pointer(&token);
}

bool sessions_lookup(struct store *st, const char *token, struct principal *who, GError **error)
{
	g_autofree char *hash = token_hash(token);
	g_autoptr(store_rows) rows = store_query(
	    st,
	    "SELECT a.id, a.username, a.role FROM sessions s JOIN accounts a ON a.id = "
	    "s.account_id WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled = 0",
	    STORE_PARAMS(STORE_TEXT(hash), STORE_INT(g_get_real_time() / 1000)), error);

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED,
		            "the session is unknown or has expired; log in again");
		return false;
	}
	set_principal(who, store_rows_get_int(rows, 0, 0), store_rows_get(rows, 0, 1),
	              store_rows_get(rows, 0, 2));
	return true;
}

bool sessions_logout(struct store *st, const char *token, GError **error)
{
	g_autofree char *hash = token_hash(token);

	return store_exec(st, "DELETE FROM sessions WHERE token_hash = ?",
	                  STORE_PARAMS(STORE_TEXT(hash)), NULL, error);
}

bool sessions_end_all(struct store *st, gint64 account_id, GError **error)
{
	return store_exec(st, "DELETE FROM sessions WHERE account_id = ?",
	                  STORE_PARAMS(STORE_INT(account_id)), NULL, error);
}
