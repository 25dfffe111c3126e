/* SPDX-License-Identifier: MIT */
/* The log writer: filters by level and writes one text or JSON line per message. */
#include "log.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

static int threshold = 3; /* rank of the lowest level written; info */
static bool json_format;

/* Ranks levels from most to least severe. */
static int level_rank(GLogLevelFlags level)
{
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		return 0;
	if (level & G_LOG_LEVEL_WARNING)
		return 1;
	if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
		return 2;
	if (level & G_LOG_LEVEL_DEBUG)
		return 3;
	return 4;
}

static const char *level_name(GLogLevelFlags level)
{
	static const char *const names[] = {"error", "warning", "info", "debug", "trace"};
	if (level & G_LOG_LEVEL_CRITICAL)
		return "critical";
	return names[level_rank(level)];
}

void log_json_escape(GString *out, const char *text)
{
	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		switch (*p) {
		case '"':
			g_string_append(out, "\\\"");
			break;
		case '\\':
			g_string_append(out, "\\\\");
			break;
		case '\b':
			g_string_append(out, "\\b");
			break;
		case '\f':
			g_string_append(out, "\\f");
			break;
		case '\n':
			g_string_append(out, "\\n");
			break;
		case '\r':
			g_string_append(out, "\\r");
			break;
		case '\t':
			g_string_append(out, "\\t");
			break;
		default:
			if (*p < 0x20)
				g_string_append_printf(out, "\\u%04x", *p);
			else
				g_string_append_c(out, (char)*p);
		}
	}
	g_string_append_c(out, '"');
}

static GLogWriterOutput writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                               gpointer user_data)
{
	const char *domain = "cau", *message = "";
	g_autoptr(GDateTime) now = NULL;
	g_autofree char *ts = NULL;
	g_autoptr(GString) line = NULL;

	/* Before any work: a join logs a line at info level, at hundreds a second. */
	if (level_rank(level) > threshold)
		return G_LOG_WRITER_HANDLED;
	now = g_date_time_new_now_utc();
	ts = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S.%fZ");
	line = g_string_new(NULL);
	for (gsize i = 0; i < n_fields; i++) {
		if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].value)
			domain = fields[i].value;
		else if (strcmp(fields[i].key, "MESSAGE") == 0 && fields[i].value)
			message = fields[i].value;
	}
	/* %f gives microseconds; keep milliseconds. */
	if (strlen(ts) == 27)
		memmove(ts + 23, ts + 26, 2);
	if (json_format) {
		g_string_append_printf(line, "{\"ts\":\"%s\",\"level\":\"%s\",\"domain\":", ts,
		                       level_name(level));
		log_json_escape(line, domain);
		g_string_append(line, ",\"msg\":");
		log_json_escape(line, message);
		g_string_append(line, "}\n");
	} else {
		g_autofree char *up = g_ascii_strup(level_name(level), -1);
		g_string_append_printf(line, "%s %-7s %s: %s\n", ts, up, domain, message);
	}
	fputs(line->str, stderr);
	fflush(stderr);
	return G_LOG_WRITER_HANDLED;
}

bool log_setup(const char *level, const char *format, GError **error)
{
	static const char *const names[] = {"error", "warning", "info", "debug", "trace"};
	static bool installed;
	int rank = -1;

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if (g_strcmp0(level, names[i]) == 0)
			rank = (int)i;
	}
	if (rank < 0 || (g_strcmp0(format, "text") != 0 && g_strcmp0(format, "json") != 0)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "log: level \"%s\" / format \"%s\" not understood", level, format);
		return false;
	}
	threshold = rank;
	json_format = strcmp(format, "json") == 0;
	if (!installed) {
		g_log_set_writer_func(writer, NULL, NULL);
		installed = true;
	}
	return true;
}
