/* SPDX-License-Identifier: MIT */
/* Server configuration: a GKeyFile validated against a schema, overridden by environment
 * variables (CAU_SECTION_KEY) and command-line flags, in that order. */
#pragma once

#include <glib.h>
#include <stdbool.h>

enum config_type {
	CONFIG_STRING,
	CONFIG_INT,
	CONFIG_BOOL,
	CONFIG_CHOICE, /* a string from a fixed list */
};

/* One known key. `choices` is a '|'-separated list for CONFIG_CHOICE. `check`, when set,
 * validates a CONFIG_STRING value with a pure parser (false and a newly allocated reason
 * in *why when the value is bad), so a malformed value stops the server at start-up. */
struct config_key {
	const char *section;
	const char *key;
	enum config_type type;
	const char *default_value;
	gint64 min, max; /* CONFIG_INT only */
	const char *choices;
	const char *help;
	bool (*check)(const char *value, char **why);
};

/* The typedef (same name) lets g_autoptr(config) work. */
typedef struct config config;

/* The table of every key the server knows, terminated by an entry with section == NULL.
 * config/cau.conf documents each of them with the same default (a unit test checks). */
const struct config_key *config_schema(void);

/* A configuration holding every key at its default. Free with config_free(). */
struct config *config_new(void);
void config_free(struct config *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(config, config_free)

/* Sets one key from its text form after validating it; `origin` says where the value
 * came from and appears in the error, e.g. "file /etc/cau.conf" or "environment
 * CAU_HTTP_PORT". Fails with G_KEY_FILE_ERROR_* naming the key on an unknown key or a
 * bad value; the previous value is kept then. */
bool config_set(struct config *cfg, const char *section, const char *key, const char *value,
                const char *origin, GError **error);

/* Loads a GKeyFile; every key in it must be known and valid. */
bool config_load_file(struct config *cfg, const char *path, GError **error);

/* Applies CAU_<SECTION>_<KEY>=value variables from `envp` (as from g_get_environ()).
 * Variables that do not name a known key are an error, so typos do not go unnoticed;
 * CAU_ variables that are not configuration (CAU_TEST_*) are ignored. */
bool config_apply_env(struct config *cfg, char **envp, GError **error);

/* Typed getters. Asking for a key that is not in the schema, or with the wrong type,
 * is a programming error and aborts. The returned string belongs to `cfg`. */
const char *config_get_string(const struct config *cfg, const char *section, const char *key);
gint64 config_get_int(const struct config *cfg, const char *section, const char *key);
bool config_get_bool(const struct config *cfg, const char *section, const char *key);
