/* SPDX-License-Identifier: MIT */
/* Static files of web/ served at /, the participant client at /join/TOKEN, and
 * third-party browser libraries from their Debian folders. */
#pragma once

#include <libsoup/soup.h>
#include <stdbool.h>

/* Serves the file under `web_root` that `path` names (index.html for a folder), with its
 * content type and the same security headers for all (a Content-Security-Policy allowing
 * only this origin, nosniff, Cache-Control: no-cache, Referrer-Policy). Returns false, leaving
 * `msg` untouched, when there is no such regular file or the path tries to leave the root. */
bool static_files_serve(const char *web_root, const char *path, SoupServerMessage *msg);

/* Where join links point: "/join/" and a token (docs/api.md, "Join links"). */
#define STATIC_JOIN_PREFIX    "/join/"
/* Longest token-shaped segment taken for a join link (tokens are 78 characters). */
#define STATIC_JOIN_TOKEN_MAX 256

/* True when `path` is STATIC_JOIN_PREFIX and one token-shaped segment (base64url
 * characters only, 1 to STATIC_JOIN_TOKEN_MAX of them). Pure; any thread. The token is
 * not checked here: the page asks POST /api/v1/join/verify. */
bool static_files_is_join_link(const char *path);

/* Serves `web_root`/join/index.html like static_files_serve(), with "Referrer-Policy:
 * no-referrer" and "Cache-Control: no-store" since the page's address holds a token.
 * Returns false, leaving `msg` untouched, when that file is missing. */
bool static_files_serve_join_page(const char *web_root, SoupServerMessage *msg);

/* `path` as it may be written to a log: a join link's token is replaced by "[token]".
 * Caller frees. */
char *static_files_loggable_path(const char *path);
