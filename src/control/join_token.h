/* SPDX-License-Identifier: MIT */
/* Join tokens: compact, URL-safe, HMAC-SHA256-signed statements "endpoint E may join
 * meeting M as role R until T", checked in constant time, with the server's secret
 * kept in the data directory. */
#pragma once

#include "control.h"

#include <stdbool.h>

#define JOIN_SECRET_BYTES 32
#define JOIN_SECRET_FILE  "secret.key"
/* The length of every token: 58 bytes in unpadded base64url. */
#define JOIN_TOKEN_CHARS  78

struct join_secret {
	guint8 key[JOIN_SECRET_BYTES];
};

/* Reads DATA_DIR/secret.key, or creates it (32 bytes from the kernel's CSPRNG, mode
 * 0600, the folder made if needed) when it does not exist. Refuses a file of another
 * size or one that others may read, saying how to fix it. */
bool join_secret_load(const char *data_dir, struct join_secret *secret, GError **error);

enum join_role {
	JOIN_ROLE_CHAIR = 1,
	JOIN_ROLE_PARTICIPANT = 2,
	JOIN_ROLE_VIEWER = 3,
};

/* "chair", "participant", "viewer"; NULL for another value. */
const char *join_role_name(enum join_role role);
/* The role named `name`, or 0. */
enum join_role join_role_from_name(const char *name);

struct join_claims {
	gint64 meeting_id;
	gint64 endpoint_id;
	enum join_role role;
	gint64 expires_at; /* Unix ms */
};

/* The token for `claims`, signed with `secret`. Caller frees. */
char *join_token_sign(const struct join_secret *secret, const struct join_claims *claims);

/* Checks `token` against `secret` and the time `now_ms`, filling `claims`. Fails with
 * CONTROL_ERROR_UNAUTHORIZED: "invalid join token" for anything malformed, truncated,
 * altered or signed with another secret (the same message for all), "join token
 * expired" when past its expiry. */
bool join_token_verify(const struct join_secret *secret, const char *token, gint64 now_ms,
                       struct join_claims *claims, GError **error);
