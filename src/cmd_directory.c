/* SPDX-License-Identifier: MIT */
/* `cau unit` and `cau endpoint`: the directory from the command line (CSV import and
 * export, lists, adding an endpoint), on the configured store, audited as the system. */
#include "app.h"
#include "commands.h"
#include "control/directory.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

typedef bool (*import_fn)(struct store *st, const struct principal *who, const char *text,
                          gsize len, struct directory_import_result *result, GError **error);
typedef char *(*export_fn)(struct store *st, gsize *len, GError **error);

/* Loads the configuration and opens and migrates the store; prints why not. */
static struct store *open_store(const char *config_path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(config) cfg = app_load_config(config_path, &error);
	g_autoptr(store) st = NULL;

	if (cfg)
		st = app_open_store(cfg, &error);
	if (!st || !store_migrate(st, &error)) {
		app_print_error(error);
		return NULL;
	}
	return g_steal_pointer(&st);
}

/* Reads FILE ("-": standard input), refusing more than the import's cap before
 * reading it all. Caller frees. */
static char *read_input(const char *path, gsize *len, GError **error)
{
	char *text = NULL;
	GStatBuf sb;

	if (strcmp(path, "-") == 0) {
		g_autoptr(GIOChannel) in = g_io_channel_unix_new(0);
		g_io_channel_set_encoding(in, NULL, NULL);
		if (g_io_channel_read_to_end(in, &text, len, error) != G_IO_STATUS_NORMAL)
			return NULL;
		return text;
	}
	if (g_stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > DIRECTORY_CSV_MAX_BYTES) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_TOO_LARGE,
		            "the file is over %d bytes (5 MB); import it in parts",
		            DIRECTORY_CSV_MAX_BYTES);
		return NULL;
	}
	return g_file_get_contents(path, &text, len, error) ? text : NULL;
}

/* Imports FILE; prints each refused row as FILE:LINE: reason on stderr, the counts and
 * new credentials on stdout. Exit status 1 when any row was refused. */
static int run_import(const char *config_path, const char *what, import_fn import, const char *path)
{
	g_autoptr(store) st = open_store(config_path);
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	struct directory_import_result result = {0};
	gsize len = 0;
	guint refused;

	if (!st)
		return 1;
	text = read_input(path, &len, &error);
	if (!text || !import(st, NULL, text, len, &result, &error)) {
		fprintf(stderr, "cau: error: %s: %s\n", path, error->message);
		directory_import_result_clear(&result);
		return 1;
	}
	for (guint i = 0; i < result.errors->len; i++) {
		const struct directory_import_error *e =
		    &g_array_index(result.errors, struct directory_import_error, i);
		fprintf(stderr, "%s:%u: %s\n", path, e->line, e->message);
	}
	for (guint i = 0; result.credentials && i < result.credentials->len; i++) {
		const struct directory_import_credential *c =
		    &g_array_index(result.credentials, struct directory_import_credential, i);
		printf("endpoint \"%s\": credential \"%s\"\n", c->code, c->credential);
	}
	refused = result.errors->len;
	printf("%s: %u created, %u updated, %u unchanged, %u rows refused\n", what, result.created,
	       result.updated, result.unchanged, refused);
	if (result.credentials && result.credentials->len)
		printf("(the credentials are shown only this once)\n");
	directory_import_result_clear(&result);
	return refused ? 1 : 0;
}

/* Writes the CSV to FILE, or to standard output without one. */
static int run_export(const char *config_path, export_fn export, const char *path)
{
	g_autoptr(store) st = open_store(config_path);
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	gsize len = 0;

	if (!st)
		return 1;
	text = export(st, &len, &error);
	if (!text) {
		app_print_error(error);
		return 1;
	}
	if (!path || strcmp(path, "-") == 0)
		return fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : 1;
	if (!g_file_set_contents(path, text, (gssize)len, &error)) {
		app_print_error(error);
		return 1;
	}
	return 0;
}

/* A name on one line, for lists. Caller frees. */
static char *one_line(const char *name)
{
	char *s = g_strdup(name ? name : "");

	g_strdelimit(s, "\n", ' ');
	return s;
}

/* Prints `text` and pads it to `width` characters (not bytes: names are Vietnamese). */
static void print_cell(const char *text, int width)
{
	glong chars = g_utf8_strlen(text, -1);

	printf("%s%*s ", text, (int)MAX(width - chars, 0), "");
}

static int unit_list(const char *config_path)
{
	g_autoptr(store) st = open_store(config_path);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) list = NULL;
	JsonArray *a;

	if (!st)
		return 1;
	list = directory_units_list(st, &error);
	if (!list) {
		app_print_error(error);
		return 1;
	}
	a = json_node_get_array(list);
	printf("%-6s %-34s %-14s %s\n", "ID", "CODE", "LEVEL", "NAME");
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		int depth = (int)json_object_get_int_member(o, "depth");
		g_autofree char *code = g_strdup_printf("%*s%s", MIN(depth, 16) * 2, "",
		                                        json_object_get_string_member(o, "code"));
		g_autofree char *name = one_line(json_object_get_string_member(o, "name"));
		printf("%-6" G_GINT64_FORMAT " ", json_object_get_int_member(o, "id"));
		print_cell(code, 34);
		print_cell(json_object_get_string_member(o, "level"), 14);
		printf("%s\n", name);
	}
	return 0;
}

int cmd_unit(int argc, char **argv)
{
	g_autofree char *config_path = NULL;
	GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "configuration file", "FILE"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("import FILE | export [FILE] | list");
	g_autoptr(GError) error = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(
	    ctx, "The directory's units. FILE is CSV with the columns code, name, level and "
	         "parent_code (see docs/api.md); \"-\" is standard input or output.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "cau: unit: %s\n", error->message);
		return 2;
	}
	if (argc == 3 && strcmp(argv[1], "import") == 0)
		return run_import(config_path, "units", directory_units_import, argv[2]);
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "export") == 0)
		return run_export(config_path, directory_units_export, argc == 3 ? argv[2] : NULL);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return unit_list(config_path);
	fprintf(stderr, "cau: usage: cau unit import FILE | export [FILE] | list [-c CONFIG]\n");
	return 2;
}

static int endpoint_list(const char *config_path)
{
	g_autoptr(store) st = open_store(config_path);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) list = NULL;
	JsonArray *a;

	if (!st)
		return 1;
	list = directory_endpoints_list(st, NULL, &error);
	if (!list) {
		app_print_error(error);
		return 1;
	}
	a = json_node_get_array(list);
	printf("%-6s %-24s %-16s %-8s %-9s %s\n", "ID", "CODE", "UNIT", "KIND", "STATE", "NAME");
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		g_autofree char *name = one_line(json_object_get_string_member(o, "name"));
		printf(
		    "%-6" G_GINT64_FORMAT " %-24s %-16s %-8s %-9s %s\n",
		    json_object_get_int_member(o, "id"), json_object_get_string_member(o, "code"),
		    json_object_get_string_member(o, "unit_code"),
		    json_object_get_string_member(o, "kind"),
		    json_object_get_boolean_member(o, "disabled") ? "disabled" : "enabled", name);
	}
	return 0;
}

struct endpoint_options {
	char *name, *unit, *kind, *contact_name, *contact_phone;
};

static int endpoint_add(const char *config_path, const char *code, const struct endpoint_options *o)
{
	g_autoptr(store) st = open_store(config_path);
	g_autoptr(GError) error = NULL;
	g_autofree char *credential = NULL;
	struct endpoint_fields f = {
	    .code = code,
	    .name = o->name,
	    .kind = o->kind,
	    .contact_name = o->contact_name,
	    .contact_phone = o->contact_phone,
	    .disabled = -1,
	};
	gint64 id;

	if (!st)
		return 1;
	f.unit_id = directory_unit_id_by_code(st, o->unit, &error);
	if (!f.unit_id)
		g_prefix_error(&error, "--unit: ");
	id = f.unit_id ? directory_endpoint_create(st, NULL, &f, &credential, &error) : 0;
	if (!id) {
		app_print_error(error);
		return 1;
	}
	printf("endpoint \"%s\" (id %" G_GINT64_FORMAT "): credential \"%s\"\n"
	       "(the credential is shown only this once)\n",
	       code, id, credential);
	return 0;
}

static int endpoint_credential(const char *config_path, const char *code)
{
	g_autoptr(store) st = open_store(config_path);
	g_autoptr(GError) error = NULL;
	g_autofree char *credential = NULL;
	gint64 id;

	if (!st)
		return 1;
	id = directory_endpoint_id_by_code(st, code, &error);
	credential = id ? directory_endpoint_reset_credential(st, NULL, id, &error) : NULL;
	if (!credential) {
		app_print_error(error);
		return 1;
	}
	printf("endpoint \"%s\": new credential \"%s\"\n"
	       "(shown only this once; the old one no longer works)\n",
	       code, credential);
	return 0;
}

static void endpoint_options_clear(struct endpoint_options *o)
{
	g_free(o->name);
	g_free(o->unit);
	g_free(o->kind);
	g_free(o->contact_name);
	g_free(o->contact_phone);
}

int cmd_endpoint(int argc, char **argv)
{
	g_autofree char *config_path = NULL;
	struct endpoint_options o = {0};
	GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "configuration file", "FILE"},
	    {"name", 0, 0, G_OPTION_ARG_STRING, &o.name, "its name (add)", "NAME"},
	    {"unit", 0, 0, G_OPTION_ARG_STRING, &o.unit, "the code of its unit (add)", "CODE"},
	    {"kind", 0, 0, G_OPTION_ARG_STRING, &o.kind, "browser, whip or sip (add)", "KIND"},
	    {"contact-name", 0, 0, G_OPTION_ARG_STRING, &o.contact_name, "contact person (add)",
	     "NAME"},
	    {"contact-phone", 0, 0, G_OPTION_ARG_STRING, &o.contact_phone, "contact phone (add)",
	     "PHONE"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
	    "add CODE --name NAME --unit UNIT --kind KIND | import FILE | export [FILE] | list | "
	    "credential CODE");
	g_autoptr(GError) error = NULL;
	int status = 2;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(
	    ctx, "The directory's endpoints. FILE is CSV with the columns code, name, unit_code, "
	         "kind, contact_name and contact_phone (see docs/api.md); \"-\" is standard input "
	         "or output. Credentials are printed once, when made.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "cau: endpoint: %s\n", error->message);
	} else if (argc == 3 && strcmp(argv[1], "add") == 0 && o.name && o.unit && o.kind) {
		status = endpoint_add(config_path, argv[2], &o);
	} else if (argc == 3 && strcmp(argv[1], "import") == 0) {
		status = run_import(config_path, "endpoints", directory_endpoints_import, argv[2]);
	} else if ((argc == 2 || argc == 3) && strcmp(argv[1], "export") == 0) {
		status =
		    run_export(config_path, directory_endpoints_export, argc == 3 ? argv[2] : NULL);
	} else if (argc == 2 && strcmp(argv[1], "list") == 0) {
		status = endpoint_list(config_path);
	} else if (argc == 3 && strcmp(argv[1], "credential") == 0) {
		status = endpoint_credential(config_path, argv[2]);
	} else {
		fprintf(stderr, "cau: usage: cau endpoint add CODE --name NAME --unit UNIT_CODE "
		                "--kind browser|whip|sip [--contact-name NAME] [--contact-phone "
		                "PHONE] | import FILE | export [FILE] | list | credential CODE "
		                "[-c CONFIG]\n");
	}
	endpoint_options_clear(&o);
	return status;
}
