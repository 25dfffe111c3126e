/* SPDX-License-Identifier: MIT */
/* Logins and sessions: password checks with lockout, opaque session tokens stored only
 * as their SHA-256, expiry. */
#pragma once

#include "accounts.h"
#include "control.h"

struct auth_policy {
	struct argon2_params argon2;
	gint64 session_ttl_ms;
	guint max_failed_logins; /* consecutive failures before a lockout */
	gint64 lockout_ms;
};

/* Checks `username`/`password`. On success creates a session and returns its token
 * (caller frees; shown to the client once), fills `who` and `*expires_at` (Unix ms).
 * Fails with CONTROL_ERROR_UNAUTHORIZED (same message for an unknown user and a wrong
 * password) or CONTROL_ERROR_LOCKED after `max_failed_logins` failures in a row, for
 * `lockout_ms`. Every attempt is audited. */
char *sessions_login(struct store *st, const struct auth_policy *policy, const char *username,
                     const char *password, struct principal *who, gint64 *expires_at,
                     GError **error);

/* The principal a session token belongs to; CONTROL_ERROR_UNAUTHORIZED when the token
 * is unknown or expired or its account disabled. */
bool sessions_lookup(struct store *st, const char *token, struct principal *who, GError **error);

/* Ends the session of `token` (no error if it was already gone). */
bool sessions_logout(struct store *st, const char *token, GError **error);

/* Ends every session of an account (after a password change or when disabled). */
bool sessions_end_all(struct store *st, gint64 account_id, GError **error);
