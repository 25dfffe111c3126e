/* SPDX-License-Identifier: MIT */
/* Configuration values validated against config_schema(), with their layered overrides. */
#define G_LOG_DOMAIN "cau-config"
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct config {
	/* "section.key" -> validated value text; keys always come from the schema. */
	GHashTable *values;
};

static const struct config_key *find_key(const char *section, const char *key)
{
	for (const struct config_key *k = config_schema(); k->section; k++) {
		if (strcmp(k->section, section) == 0 && strcmp(k->key, key) == 0)
			return k;
	}
	return NULL;
}

static char *value_id(const char *section, const char *key)
{
	return g_strconcat(section, ".", key, NULL);
}

static bool parse_int(const char *text, gint64 *out)
{
	char *end = NULL;

	if (!*text)
		return false;
	errno = 0;
	gint64 v = g_ascii_strtoll(text, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool parse_bool(const char *text, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};

	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (g_ascii_strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (g_ascii_strcasecmp(text, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool in_choices(const char *choices, const char *value)
{
	g_auto(GStrv) list = g_strsplit(choices, "|", -1);
	return g_strv_contains((const char *const *)list, value);
}

/* Checks `value` against the key's type; on failure says what is wrong with it. */
static bool validate(const struct config_key *k, const char *value, char **why)
{
	gint64 n;
	bool b;

	switch (k->type) {
	case CONFIG_STRING:
		return !k->check || k->check(value, why);
	case CONFIG_INT:
		if (!parse_int(value, &n)) {
			*why = g_strdup("not an integer");
			return false;
		}
		if (n < k->min || n > k->max) {
			*why = g_strdup_printf(
			    "out of range %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT, k->min, k->max);
			return false;
		}
		return true;
	case CONFIG_BOOL:
		if (!parse_bool(value, &b)) {
			*why = g_strdup("not a boolean (true/false)");
			return false;
		}
		return true;
	case CONFIG_CHOICE:
		if (!in_choices(k->choices, value)) {
			*why = g_strdup_printf("not one of %s", k->choices);
			return false;
		}
		return true;
	}
	*why = g_strdup("unknown type");
	return false;
}

struct config *config_new(void)
{
	struct config *cfg = g_new0(struct config, 1);

	cfg->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (const struct config_key *k = config_schema(); k->section; k++)
		g_hash_table_insert(cfg->values, value_id(k->section, k->key),
		                    g_strdup(k->default_value));
	return cfg;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	g_hash_table_destroy(cfg->values);
	g_free(cfg);
}

bool config_set(struct config *cfg, const char *section, const char *key, const char *value,
                const char *origin, GError **error)
{
	const struct config_key *k = find_key(section, key);
	g_autofree char *why = NULL;

	if (!k) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
		            "%s: unknown key [%s] %s", origin, section, key);
		return false;
	}
	if (!validate(k, value, &why)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "%s: [%s] %s = \"%s\": %s", origin, section, key, value, why);
		return false;
	}
	g_hash_table_insert(cfg->values, value_id(section, key), g_strdup(value));
	return true;
}

bool config_load_file(struct config *cfg, const char *path, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	g_autofree char *origin = g_strdup_printf("config file %s", path);

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "%s: %s", origin,
		            local->message);
		return false;
	}
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	for (char **g = groups; *g; g++) {
		g_auto(GStrv) keys = g_key_file_get_keys(kf, *g, NULL, NULL);
		for (char **k = keys; k && *k; k++) {
			g_autofree char *v = g_key_file_get_string(kf, *g, *k, &local);
			if (!v) {
				g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				            "%s: [%s] %s: %s", origin, *g, *k, local->message);
				return false;
			}
			if (!config_set(cfg, *g, *k, v, origin, error))
				return false;
		}
	}
	return true;
}

/* Finds the schema key a CAU_SECTION_KEY variable names (sections have no '_'). */
static const struct config_key *key_for_env(const char *name)
{
	for (const struct config_key *k = config_schema(); k->section; k++) {
		g_autofree char *want = g_ascii_strup(k->section, -1);
		g_autofree char *key_up = g_ascii_strup(k->key, -1);
		g_autofree char *full = g_strdup_printf("CAU_%s_%s", want, key_up);
		if (strcmp(full, name) == 0)
			return k;
	}
	return NULL;
}

bool config_apply_env(struct config *cfg, char **envp, GError **error)
{
	for (char **e = envp; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!g_str_has_prefix(*e, "CAU_") || !eq || g_str_has_prefix(*e, "CAU_TEST_"))
			continue;
		g_autofree char *name = g_strndup(*e, eq - *e);
		g_autofree char *origin = g_strdup_printf("environment %s", name);
		const struct config_key *k = key_for_env(name);
		if (!k) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
			            "%s: no such configuration key", origin);
			return false;
		}
		if (!config_set(cfg, k->section, k->key, eq + 1, origin, error))
			return false;
	}
	return true;
}

static const char *get_checked(const struct config *cfg, const char *section, const char *key,
                               enum config_type type)
{
	const struct config_key *k = find_key(section, key);
	g_autofree char *id = value_id(section, key);

	if (!k)
		g_error("config: no key [%s] %s in the schema", section, key);
	if (k->type != type && !(type == CONFIG_STRING && k->type == CONFIG_CHOICE))
		g_error("config: key [%s] %s read with the wrong type", section, key);
	return g_hash_table_lookup(cfg->values, id);
}

const char *config_get_string(const struct config *cfg, const char *section, const char *key)
{
	return get_checked(cfg, section, key, CONFIG_STRING);
}

gint64 config_get_int(const struct config *cfg, const char *section, const char *key)
{
	gint64 v = 0;

	parse_int(get_checked(cfg, section, key, CONFIG_INT), &v);
	return v;
}

bool config_get_bool(const struct config *cfg, const char *section, const char *key)
{
	bool v = false;

	parse_bool(get_checked(cfg, section, key, CONFIG_BOOL), &v);
	return v;
}
