/* SPDX-License-Identifier: MIT */
/* Logging: GLib's log functions, one G_LOG_DOMAIN per module, written as text or JSON
 * lines to stderr above a chosen level. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* A level below debug for per-packet detail; use cau_trace(). */
#define CAU_LOG_LEVEL_TRACE (1 << G_LOG_LEVEL_USER_SHIFT)
#define cau_trace(...)      g_log(G_LOG_DOMAIN, CAU_LOG_LEVEL_TRACE, __VA_ARGS__)

/* Installs the log writer. `level` is one of error|warning|info|debug|trace, `format`
 * text|json. May be called again to change them. Not thread safe against concurrent
 * logging; call at start. */
bool log_setup(const char *level, const char *format, GError **error);

/* Appends `text` (UTF-8) to `out` as a JSON string literal, with the quotes, escaped as
 * RFC 8785 (canonical JSON) says: \" \\ \b \f \n \r \t, other control characters as
 * \u00xx, everything else as it is. */
void log_json_escape(GString *out, const char *text);
