/* SPDX-License-Identifier: MIT */
/* Static files of web/ served at /. */
#pragma once

#include <libsoup/soup.h>
#include <stdbool.h>

/* Serves the file under `web_root` that `path` names (index.html for a folder), with its
 * content type and the same security headers for all (a Content-Security-Policy allowing
 * only this origin, nosniff, Cache-Control: no-cache, Referrer-Policy). Returns false, leaving
 * `msg` untouched, when there is no such regular file or the path tries to leave the root. */
bool static_files_serve(const char *web_root, const char *path, SoupServerMessage *msg);
