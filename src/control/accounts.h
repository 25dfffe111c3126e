/* SPDX-License-Identifier: MIT */
/* Accounts of operators and chairs: Argon2id password hashes and the first operator. */
#pragma once

#include "store/store.h"

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
