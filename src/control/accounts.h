/* SPDX-License-Identifier: MIT */
/* Accounts of operators and chairs: Argon2id password hashes and the first operator. */
#pragma once

#include "control.h"
#include "store/store.h"

#include <json-glib/json-glib.h>

#include <stdbool.h>

struct argon2_params {
	guint32 time_cost;
	guint32 memory_kib;
	guint32 parallelism;
};

/* An encoded Argon2id hash ($argon2id$v=19$m=...) of `password` with a random salt.
 * Caller frees. */
char *accounts_hash_password(const char *password, const struct argon2_params *params,
                             GError **error);

/* Whether `password` matches the encoded hash; false on any malformed hash. */
bool accounts_verify_password(const char *encoded_hash, const char *password);

/* Makes sure an operator account exists. When the store has none, creates `username`
 * with a random password, stores its hash and returns the password in `*password`
 * (caller frees; the only time it is known). Otherwise `*password` is NULL. */
bool accounts_ensure_first_operator(struct store *st, const char *username,
                                    const struct argon2_params *params, char **password,
                                    GError **error);

/* The password hash stored for `username`, or NULL with an error when there is none.
 * Caller frees. */
char *accounts_password_hash(struct store *st, const char *username, GError **error);

/* Validates a user name: 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter. */
bool accounts_valid_username(const char *username, GError **error);
/* Validates a new password: 10 to 256 bytes. */
bool accounts_valid_password(const char *password, GError **error);

/* Creates an account; CONTROL_ERROR_CONFLICT if the name is taken. Audited as `who`.
 * Returns the new id, or 0 on error. */
gint64 accounts_create(struct store *st, const struct principal *who, const char *username,
                       enum role role, const char *password, const struct argon2_params *params,
                       GError **error);

/* Every account as a JSON array of {id, username, role, disabled, created_at,
 * password_changed_at, locked} (never the hash). Caller owns the node. */
JsonNode *accounts_list(struct store *st, GError **error);

/* One account as a JSON object like the list's elements; CONTROL_ERROR_NOT_FOUND. */
JsonNode *accounts_get(struct store *st, gint64 id, GError **error);

/* Changes what is set: `role` (ROLE_NONE: unchanged), `disabled` (-1: unchanged),
 * `password` (NULL: unchanged). A new password or disabling ends the account's
 * sessions. Audited. */
bool accounts_update(struct store *st, const struct principal *who, gint64 id, enum role role,
                     int disabled, const char *password, const struct argon2_params *params,
                     GError **error);

/* Finds an account id by user name; CONTROL_ERROR_NOT_FOUND. */
gint64 accounts_id_by_name(struct store *st, const char *username, GError **error);
