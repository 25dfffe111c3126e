/* SPDX-License-Identifier: MIT */
/* The PostgreSQL back end's pure text helpers (placeholders, URLs), private to store/ and
 * its unit tests. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* True when `url` names a PostgreSQL database: a postgresql:// or postgres:// URL, or a
 * libpq key=value string starting with host= or dbname=. */
bool store_pg_is_url(const char *url);

/* `sql` with each '?' placeholder outside string literals, quoted identifiers,
 * dollar-quoted strings and comments replaced by $1, $2, ... in order; `count` receives
 * how many there were. Caller owns the result. */
char *store_pg_number_placeholders(const char *sql, guint *count);

/* `url` (a URL or a key=value string) without its password or sslpassword, for logs and
 * status lines. Caller owns the result. */
char *store_pg_redact_url(const char *url);

/* `message` with every password of `url` (as written and percent-decoded) replaced by
 * "***", for libpq messages that may quote part of a malformed URL. Caller owns it. */
char *store_pg_scrub(const char *message, const char *url);
