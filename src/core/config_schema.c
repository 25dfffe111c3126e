/* SPDX-License-Identifier: MIT */
/* The list of every configuration key, its type, default and limits. */
#include "config.h"

static const struct config_key schema[] = {
    {"http", "host", CONFIG_STRING, "127.0.0.1", 0, 0, NULL,
     "address the HTTP/WebSocket server listens on"},
    {"http", "port", CONFIG_INT, "8080", 0, 65535, NULL, "TCP port; 0 picks a free one"},
    {"http", "web_root", CONFIG_STRING, "web", 0, 0, NULL,
     "folder of static files served at /, relative to the working directory"},
    {"http", "max_body_bytes", CONFIG_INT, "1048576", 1024, G_GINT64_CONSTANT(1) << 40, NULL,
     "largest request body accepted; larger ones get 413"},
    {"http", "ws_max_message_bytes", CONFIG_INT, "65536", 1024, 16777216, NULL,
     "largest WebSocket message accepted"},
    {"data", "dir", CONFIG_STRING, "./var", 0, 0, NULL, "data directory (database, files)"},
    {"materials", "max_bytes", CONFIG_INT, "209715200", 1024, G_GINT64_CONSTANT(1) << 40, NULL,
     "largest meeting material accepted; larger uploads get 413"},
    {"minutes", "certificate", CONFIG_STRING, "", 0, 0, NULL,
     "PEM certificate (and chain) that signs minutes; empty: a self-signed one in the data "
     "directory"},
    {"minutes", "key", CONFIG_STRING, "", 0, 0, NULL,
     "PEM private key of [minutes] certificate (not encrypted)"},
    {"minutes", "organisation", CONFIG_STRING, "", 0, 0, NULL,
     "organisation named atop the minutes; empty: the certificate's O"},
    {"store", "url", CONFIG_STRING, "", 0, 0, NULL,
     "database: empty for SQLite in the data directory, sqlite:PATH, or postgresql://..."},
    {"log", "level", CONFIG_CHOICE, "info", 0, 0, "error|warning|info|debug|trace",
     "lowest level written"},
    {"log", "format", CONFIG_CHOICE, "text", 0, 0, "text|json", "log line format"},
    {"auth", "first_operator", CONFIG_STRING, "admin", 0, 0, NULL,
     "user name of the operator account created on first start"},
    {"auth", "argon2_time_cost", CONFIG_INT, "3", 1, 100, NULL, "Argon2id iterations"},
    {"auth", "argon2_memory_kib", CONFIG_INT, "65536", 8192, 4194304, NULL,
     "Argon2id memory in KiB"},
    {"auth", "argon2_parallelism", CONFIG_INT, "1", 1, 16, NULL, "Argon2id lanes"},
    {"auth", "session_ttl_s", CONFIG_INT, "43200", 60, 2592000, NULL,
     "lifetime of a login session"},
    {"auth", "max_failed_logins", CONFIG_INT, "5", 1, 1000, NULL,
     "failed logins in a row before an account is locked"},
    {"auth", "lockout_s", CONFIG_INT, "900", 1, 86400, NULL, "how long a lockout lasts"},
    {"auth", "cookie_secure", CONFIG_BOOL, "false", 0, 0, NULL,
     "mark the session cookie Secure (when served over HTTPS)"},
    {"scheduler", "timezone", CONFIG_STRING, "Asia/Ho_Chi_Minh", 0, 0, NULL,
     "time zone of recurring series and of times the CLI reads and prints"},
    {"scheduler", "lead_minutes", CONFIG_INT, "15", 0, 120, NULL,
     "default minutes a meeting's room opens before its start (connection test)"},
    {"scheduler", "grace_minutes", CONFIG_INT, "15", 0, 120, NULL,
     "default minutes a meeting's room stays open after its end"},
    {NULL, NULL, 0, NULL, 0, 0, NULL, NULL},
};

const struct config_key *config_schema(void)
{
	return schema;
}
