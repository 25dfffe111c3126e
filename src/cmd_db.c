/* SPDX-License-Identifier: MIT */
/* `cau db migrate|status`: the database schema from the command line. */
#include "app.h"
#include "commands.h"

#include <stdio.h>
#include <string.h>

static int db_status(struct store *st)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) status = store_migration_status(st, &error);
	g_autoptr(GPtrArray) tables = NULL;
	guint pending = 0;

	if (!status) {
		app_print_error(error);
		return 1;
	}
	printf("database: %s\n", store_display_url(st));
	for (guint i = 0; i < status->len; i++) {
		const struct store_migration_state *s = status->pdata[i];
		printf("migration %04" G_GINT64_FORMAT " %-24s %s%s\n", s->version, s->name,
		       s->applied_at ? "applied " : "pending", s->applied_at ? s->applied_at : "");
		pending += s->applied_at == NULL;
	}
	tables = store_list_tables(st, &error);
	if (!tables) {
		app_print_error(error);
		return 1;
	}
	printf("tables:");
	for (guint i = 0; i < tables->len; i++)
		printf(" %s", (const char *)tables->pdata[i]);
	printf("\nschema: %s\n",
	       pending ? "migrations pending (run: cau db migrate)" : "up to date");
	return 0;
}

int cmd_db(int argc, char **argv)
{
	g_autofree char *config_path = NULL;
	GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "configuration file", "FILE"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("migrate|status");
	g_autoptr(GError) error = NULL;
	g_autoptr(config) cfg = NULL;
	g_autoptr(store) st = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "Apply the database migrations or show their state.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2 ||
	    (strcmp(argv[1], "migrate") != 0 && strcmp(argv[1], "status") != 0)) {
		fprintf(stderr, "cau: usage: cau db migrate|status [-c FILE]%s%s\n",
		        error ? ": " : "", error ? error->message : "");
		return 2;
	}
	cfg = app_load_config(config_path, &error);
	if (!cfg) {
		app_print_error(error);
		return 2;
	}
	st = app_open_store(cfg, &error);
	if (!st) {
		app_print_error(error);
		return 1;
	}
	if (strcmp(argv[1], "status") == 0)
		return db_status(st);
	if (!store_migrate(st, &error)) {
		app_print_error(error);
		return 1;
	}
	return db_status(st);
}
