/* SPDX-License-Identifier: MIT */
/* Configuration loading and store opening for the subcommands. */
#include "app.h"

#include <stdio.h>

struct config *app_load_config(const char *path, GError **error)
{
	g_autoptr(config) cfg = config_new();
	g_auto(GStrv) env = g_get_environ();

	if (path && !config_load_file(cfg, path, error))
		return NULL;
	if (!config_apply_env(cfg, env, error))
		return NULL;
	return g_steal_pointer(&cfg);
}

struct store *app_open_store(const struct config *cfg, GError **error)
{
	const char *url = config_get_string(cfg, "store", "url");
	g_autofree char *default_url = NULL;

	if (!*url) {
		default_url =
		    g_strconcat("sqlite:", config_get_string(cfg, "data", "dir"), "/cau.db", NULL);
		url = default_url;
	}
	return store_open(url, error);
}

void app_print_error(const GError *error)
{
	fprintf(stderr, "cau: error: %s\n", error->message);
}

struct auth_policy app_auth_policy(const struct config *cfg)
{
	struct auth_policy p = {
	    .argon2.time_cost = (guint32)config_get_int(cfg, "auth", "argon2_time_cost"),
	    .argon2.memory_kib = (guint32)config_get_int(cfg, "auth", "argon2_memory_kib"),
	    .argon2.parallelism = (guint32)config_get_int(cfg, "auth", "argon2_parallelism"),
	    .session_ttl_ms = config_get_int(cfg, "auth", "session_ttl_s") * 1000,
	    .max_failed_logins = (guint)config_get_int(cfg, "auth", "max_failed_logins"),
	    .lockout_ms = config_get_int(cfg, "auth", "lockout_s") * 1000,
	};
	return p;
}

bool app_meetings_config(const struct config *cfg, struct meetings_config *out, GError **error)
{
	const char *tz_name = config_get_string(cfg, "scheduler", "timezone");
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(tz_name);

	if (!tz) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "[scheduler] timezone = \"%s\": not a known time zone (an IANA name "
		            "such as Asia/Ho_Chi_Minh)",
		            tz_name);
		return false;
	}
	out->timezone = tz_name;
	out->lead_ms = config_get_int(cfg, "scheduler", "lead_minutes") * 60000;
	out->grace_ms = config_get_int(cfg, "scheduler", "grace_minutes") * 60000;
	return true;
}
