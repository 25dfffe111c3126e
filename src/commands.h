/* SPDX-License-Identifier: MIT */
/* The subcommands of the `cau` binary; each takes its own argv (argv[0] is its name) and
 * returns the process exit code. */
#pragma once

int cmd_serve(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_meeting(int argc, char **argv);
int cmd_unit(int argc, char **argv);
int cmd_endpoint(int argc, char **argv);
int cmd_verify(int argc, char **argv);
