/* SPDX-License-Identifier: MIT */
/* The `cau` binary: dispatches to its subcommands. */
#include "cau-build.h"
#include "commands.h"

#include <glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

static int cmd_help(int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"serve", cmd_serve, "run the conference server"},
    {"db", cmd_db, "database schema: migrate, status"},
    {"user", cmd_user, "operator and chair accounts: add, passwd, list"},
    {"meeting", cmd_meeting, "meetings: create, list, show, cancel"},
    {"unit", cmd_unit, "the directory's units: import, export, list (CSV)"},
    {"endpoint", cmd_endpoint, "the directory's endpoints: add, import, export, list, credential"},
    {"verify", cmd_verify, "check a file (minutes) against its detached CMS signature"},
    {"help", cmd_help, "this list"},
};

static int cmd_help(int argc, char **argv)
{
	printf("Cầu %s — conference bridge / MCU server\n\n"
	       "usage: cau COMMAND [OPTIONS]\n\ncommands:\n",
	       CAU_VERSION);
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].summary);
	printf("\n'cau COMMAND --help' describes a command's options; 'cau --version' prints the "
	       "version.\n");
	return 0;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc < 2) {
		cmd_help(argc, argv);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("cau %s\n", CAU_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(argc, argv);
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (strcmp(commands[i].name, argv[1]) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "cau: unknown command \"%s\" (try: cau help)\n", argv[1]);
	return 2;
}
