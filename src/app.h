/* SPDX-License-Identifier: MIT */
/* What the subcommands share: loading the configuration and opening the store. */
#pragma once

#include "control/meetings.h"
#include "control/sessions.h"
#include "core/config.h"
#include "store/store.h"

/* Defaults, then the file (if `path` is not NULL), then CAU_* environment variables. */
struct config *app_load_config(const char *path, GError **error);

/* Opens the configured database ([store] url, or SQLite in [data] dir). */
struct store *app_open_store(const struct config *cfg, GError **error);

/* The [auth] settings: password hashing, sessions, lockout. */
struct auth_policy app_auth_policy(const struct config *cfg);

/* The [scheduler] defaults for meetings; fails naming the key when the time zone is not
 * known. `out->timezone` belongs to `cfg`. */
bool app_meetings_config(const struct config *cfg, struct meetings_config *out, GError **error);

/* Prints "cau: error: MESSAGE" on stderr. */
void app_print_error(const GError *error);
