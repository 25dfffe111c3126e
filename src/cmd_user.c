/* SPDX-License-Identifier: MIT */
/* `cau user add|passwd|list`: operator and chair accounts from the command line, on the
 * configured store (audited as the system). */
#include "app.h"
#include "commands.h"
#include "control/accounts.h"
#include "core/random.h"

#include <stdio.h>
#include <string.h>

/* The password from one line of stdin, or a new random one (printed). Caller frees. */
static char *obtain_password(bool from_stdin, bool *generated)
{
	char line[300];

	*generated = !from_stdin;
	if (!from_stdin)
		return random_password(20);
	if (!fgets(line, sizeof line, stdin))
		return g_strdup("");
	line[strcspn(line, "\r\n")] = '\0';
	return g_strdup(line);
}

static int user_list(struct store *st)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) list = accounts_list(st, &error);
	JsonArray *a;

	if (!list) {
		app_print_error(error);
		return 1;
	}
	a = json_node_get_array(list);
	printf("%-6s %-24s %-9s %s\n", "ID", "USER", "ROLE", "STATE");
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		const char *state = json_object_get_boolean_member(o, "disabled") ? "disabled"
		                    : json_object_get_boolean_member(o, "locked") ? "locked"
		                                                                  : "active";
		printf("%-6" G_GINT64_FORMAT " %-24s %-9s %s\n",
		       json_object_get_int_member(o, "id"),
		       json_object_get_string_member(o, "username"),
		       json_object_get_string_member(o, "role"), state);
	}
	return 0;
}

static int user_change(struct store *st, const struct config *cfg, const char *what,
                       const char *name, const char *role_text, bool from_stdin)
{
	g_autoptr(GError) error = NULL;
	bool generated;
	g_autofree char *password = obtain_password(from_stdin, &generated);
	struct argon2_params params = app_auth_policy(cfg).argon2;
	bool ok;

	if (strcmp(what, "add") == 0) {
		ok = accounts_create(st, NULL, name, role_from_name(role_text), password, &params,
		                     &error) != 0;
	} else {
		gint64 id = accounts_id_by_name(st, name, &error);
		ok = id && accounts_update(st, NULL, id, ROLE_NONE, -1, password, &params, &error);
	}
	if (!ok) {
		app_print_error(error);
		return 1;
	}
	if (generated)
		printf("user \"%s\": password \"%s\"\n", name, password);
	else
		printf("user \"%s\": password set\n", name);
	return 0;
}

int cmd_user(int argc, char **argv)
{
	g_autofree char *config_path = NULL, *role = NULL;
	gboolean from_stdin = FALSE;
	GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "configuration file", "FILE"},
	    {"role", 'r', 0, G_OPTION_ARG_STRING, &role, "operator or chair (add)", "ROLE"},
	    {"password-stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin,
	     "read the password from standard input instead of generating one", NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx =
	    g_option_context_new("add NAME --role ROLE | passwd NAME | list");
	g_autoptr(GError) error = NULL;
	g_autoptr(config) cfg = NULL;
	g_autoptr(store) st = NULL;
	bool list, change;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "Manage operator and chair accounts.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "cau: user: %s\n", error->message);
		return 2;
	}
	list = argc == 2 && strcmp(argv[1], "list") == 0;
	change =
	    argc == 3 && (strcmp(argv[1], "passwd") == 0 || (strcmp(argv[1], "add") == 0 && role));
	if (!list && !change) {
		fprintf(stderr, "cau: usage: cau user add NAME --role operator|chair "
		                "[--password-stdin] | passwd NAME [--password-stdin] | list\n");
		return 2;
	}
	cfg = app_load_config(config_path, &error);
	if (!cfg) {
		app_print_error(error);
		return 2;
	}
	st = app_open_store(cfg, &error);
	if (!st || !store_migrate(st, &error)) {
		app_print_error(error);
		return 1;
	}
	if (list)
		return user_list(st);
	return user_change(st, cfg, argv[1], argv[2], role, from_stdin);
}
