/* SPDX-License-Identifier: MIT */
/* Unit tests of the configuration: defaults, file, environment, validation, and that
 * config/cau.conf documents every key with its default. */
#include "core/config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static char *write_temp(const char *text)
{
	GError *error = NULL;
	char *path = NULL;
	int fd = g_file_open_tmp("cau-test-XXXXXX.conf", &path, &error);

	g_assert_no_error(error);
	close(fd);
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
	return path;
}

static void test_defaults(void)
{
	g_autoptr(config) cfg = config_new();

	g_assert_cmpstr(config_get_string(cfg, "http", "host"), ==, "127.0.0.1");
	g_assert_cmpint(config_get_int(cfg, "http", "port"), ==, 8080);
	g_assert_cmpstr(config_get_string(cfg, "data", "dir"), ==, "./var");
	g_assert_cmpstr(config_get_string(cfg, "log", "level"), ==, "info");
}

static void test_file_sets_values(void)
{
	g_autofree char *path =
	    write_temp("[http]\nport = 9000\nhost = ::1\n[log]\nformat = json\n");
	g_autoptr(config) cfg = config_new();
	g_autoptr(GError) error = NULL;

	g_assert_true(config_load_file(cfg, path, &error));
	g_assert_no_error(error);
	g_assert_cmpint(config_get_int(cfg, "http", "port"), ==, 9000);
	g_assert_cmpstr(config_get_string(cfg, "http", "host"), ==, "::1");
	g_assert_cmpstr(config_get_string(cfg, "log", "format"), ==, "json");
	g_unlink(path);
}

/* Each bad file gives an error naming the file and the key, and keeps the old value. */
static void test_bad_values_name_the_key(void)
{
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
	    {"[http]\nport = abc\n", "[http] port = \"abc\": not an integer"},
	    {"[http]\nport = 70000\n", "[http] port = \"70000\": out of range 0..65535"},
	    {"[http]\nprot = 1\n", "unknown key [http] prot"},
	    {"[log]\nlevel = loud\n", "[log] level = \"loud\": not one of"},
	    {"[nosuch]\nkey = 1\n", "unknown key [nosuch] key"},
	    {"this is not a key file\n", "config file"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *path = write_temp(cases[i].text);
		g_autoptr(config) cfg = config_new();
		g_autoptr(GError) error = NULL;

		g_assert_false(config_load_file(cfg, path, &error));
		g_assert_nonnull(error);
		g_assert_nonnull(strstr(error->message, cases[i].expect));
		g_assert_nonnull(strstr(error->message, path));
		g_assert_cmpint(config_get_int(cfg, "http", "port"), ==, 8080);
		g_unlink(path);
	}
}

static void test_env_overrides(void)
{
	g_autoptr(config) cfg = config_new();
	g_autoptr(GError) error = NULL;
	char *env[] = {"PATH=/bin", "CAU_HTTP_PORT=7000", "CAU_HTTP_MAX_BODY_BYTES=4096",
	               "CAU_TEST_DATA=/x", NULL};

	g_assert_true(config_apply_env(cfg, env, &error));
	g_assert_no_error(error);
	g_assert_cmpint(config_get_int(cfg, "http", "port"), ==, 7000);
	g_assert_cmpint(config_get_int(cfg, "http", "max_body_bytes"), ==, 4096);
}

static void test_env_errors(void)
{
	char *unknown[] = {"CAU_HTTP_PROT=1", NULL};
	char *bad[] = {"CAU_HTTP_PORT=x", NULL};
	g_autoptr(config) cfg = config_new();
	g_autoptr(GError) e1 = NULL, e2 = NULL;

	g_assert_false(config_apply_env(cfg, unknown, &e1));
	g_assert_nonnull(strstr(e1->message, "CAU_HTTP_PROT"));
	g_assert_false(config_apply_env(cfg, bad, &e2));
	g_assert_nonnull(strstr(e2->message, "environment CAU_HTTP_PORT"));
	g_assert_nonnull(strstr(e2->message, "not an integer"));
}

/* config/cau.conf must load, and set every schema key to exactly its default. */
static void test_shipped_file_documents_every_key(void)
{
	g_autofree char *path =
	    g_build_filename(g_getenv("CAU_TEST_SOURCE_DIR"), "config", "cau.conf", NULL);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(config) cfg = config_new();
	g_autoptr(GError) error = NULL;

	g_assert_true(config_load_file(cfg, path, &error));
	g_assert_no_error(error);
	g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error));
	for (const struct config_key *k = config_schema(); k->section; k++) {
		g_autofree char *v = g_key_file_get_string(kf, k->section, k->key, NULL);
		if (!v)
			g_error("config/cau.conf does not document [%s] %s", k->section, k->key);
		if (g_strcmp0(v, k->default_value) != 0)
			g_error("config/cau.conf: [%s] %s = \"%s\" but the default is \"%s\"",
			        k->section, k->key, v, k->default_value);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/config/defaults", test_defaults);
	g_test_add_func("/config/file", test_file_sets_values);
	g_test_add_func("/config/bad-values", test_bad_values_name_the_key);
	g_test_add_func("/config/env", test_env_overrides);
	g_test_add_func("/config/env-errors", test_env_errors);
	g_test_add_func("/config/shipped-file", test_shipped_file_documents_every_key);
	return g_test_run();
}
