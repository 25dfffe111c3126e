/* SPDX-License-Identifier: MIT */
/* File downloads: Range parsing, Content-Disposition, and the mapped response. */
#define G_LOG_DOMAIN "cau-http"
#include "download.h"

#include "errors.h"
#include "http.h"

#include <string.h>

/* A decimal byte position: digits only, no sign, no overflow. */
static bool parse_pos(const char *text, size_t len, gint64 *out)
{
	gint64 v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!g_ascii_isdigit(text[i]) || v > (G_MAXINT64 - 9) / 10)
			return false;
		v = v * 10 + (text[i] - '0');
	}
	*out = v;
	return true;
}

enum download_range download_range_parse(const char *header, gint64 size, gint64 *first,
                                         gint64 *last)
{
	g_autofree char *spec = NULL;
	const char *dash;
	gint64 a, b;

	if (!header)
		return DOWNLOAD_RANGE_NONE;
	while (*header == ' ' || *header == '\t')
		header++;
	if (g_ascii_strncasecmp(header, "bytes=", 6) != 0)
		return DOWNLOAD_RANGE_NONE;
	spec = g_strstrip(g_strdup(header + 6));
	dash = strchr(spec, '-');
	if (!dash || strchr(spec, ','))
		return DOWNLOAD_RANGE_NONE;
	if (dash == spec) { /* -n: the last n bytes */
		if (!parse_pos(dash + 1, strlen(dash + 1), &b))
			return DOWNLOAD_RANGE_NONE;
		if (b == 0 || size == 0)
			return DOWNLOAD_RANGE_UNSATISFIABLE;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return DOWNLOAD_RANGE_OK;
	}
	if (!parse_pos(spec, (size_t)(dash - spec), &a))
		return DOWNLOAD_RANGE_NONE;
	b = G_MAXINT64;
	if (dash[1] && (!parse_pos(dash + 1, strlen(dash + 1), &b) || b < a))
		return DOWNLOAD_RANGE_NONE;
	if (a >= size)
		return DOWNLOAD_RANGE_UNSATISFIABLE;
	*first = a;
	*last = b >= size ? size - 1 : b;
	return DOWNLOAD_RANGE_OK;
}

/* RFC 8187 attr-char: sent as is in filename*; everything else is percent-encoded. */
static bool attr_char(guchar c)
{
	return g_ascii_isalnum(c) || strchr("!#$&+-.^_`|~", c) != NULL;
}

/* The name in ASCII: diacritics dropped, and Đ/đ (which transliteration tables leave
 * alone: it is a letter of its own, not D with a mark) written D/d. */
static char *ascii_name(const char *file_name)
{
	g_autoptr(GString) plain = g_string_new(file_name);

	g_string_replace(plain, "Đ", "D", 0);
	g_string_replace(plain, "đ", "d", 0);
	return g_str_to_ascii(plain->str, "C");
}

char *download_content_disposition(const char *disposition, const char *file_name)
{
	g_autofree char *ascii = ascii_name(file_name);
	GString *out = g_string_new(disposition);

	g_string_append(out, "; filename=\"");
	for (const char *p = ascii; *p; p++) {
		guchar c = (guchar)*p;
		bool plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '?';
		g_string_append_c(out, plain ? (char)c : '_');
	}
	g_string_append(out, "\"; filename*=UTF-8''");
	for (const guchar *p = (const guchar *)file_name; *p; p++) {
		if (attr_char(*p))
			g_string_append_c(out, (char)*p);
		else
			g_string_append_printf(out, "%%%02X", *p);
	}
	return g_string_free(out, FALSE);
}

/* If-None-Match: "*" or a list holding our tag (weak comparison, as RFC 9110 says). */
static bool etag_matches(const char *header, const char *etag)
{
	g_autofree char *trimmed = header ? g_strstrip(g_strdup(header)) : NULL;

	return trimmed && (strcmp(trimmed, "*") == 0 || strstr(trimmed, etag));
}

static void set_common_headers(SoupMessageHeaders *h, const char *etag)
{
	soup_message_headers_replace(h, "ETag", etag);
	soup_message_headers_replace(h, "Accept-Ranges", "bytes");
	/* Readable only with credentials: no shared caches; revalidate with the ETag. */
	soup_message_headers_replace(h, "Cache-Control", "private, no-cache");
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
}

/* Sets bytes first..last of the mapped file as the body. libsoup writes the mapped pages
 * straight to the socket; with accumulation off it drops each chunk once written, and
 * does not try to cut ranges out of the body itself. */
static void set_body(SoupServerMessage *msg, GMappedFile *mapped, gint64 first, gint64 last)
{
	SoupMessageBody *body = soup_server_message_get_response_body(msg);
	gint64 len = last - first + 1;

	soup_message_body_set_accumulate(body, FALSE);
	if (len > 0) {
		g_autoptr(GBytes) all = g_mapped_file_get_bytes(mapped);
		g_autoptr(GBytes) part = g_bytes_new_from_bytes(all, (gsize)first, (gsize)len);
		soup_message_body_append_bytes(body, part);
	}
	soup_message_body_complete(body);
	soup_message_headers_set_content_length(soup_server_message_get_response_headers(msg),
	                                        MAX(len, 0));
}

bool download_serve(SoupServerMessage *msg, const struct download_file *file, GError **error)
{
	SoupMessageHeaders *req = soup_server_message_get_request_headers(msg);
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	const char *range = soup_message_headers_get_one(req, "Range");
	const char *if_range = soup_message_headers_get_one(req, "If-Range");
	g_autofree char *etag = g_strdup_printf("\"%s\"", file->etag);
	g_autofree char *disposition = NULL;
	g_autoptr(GMappedFile) mapped = g_mapped_file_new(file->path, FALSE, error);
	gint64 first = 0, last = file->size - 1;
	enum download_range r;

	if (!mapped)
		return false;
	if ((gint64)g_mapped_file_get_length(mapped) != file->size) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO,
		            "%s has %zu bytes, %" G_GINT64_FORMAT " expected", file->path,
		            g_mapped_file_get_length(mapped), file->size);
		return false;
	}
	set_common_headers(h, etag);
	if (etag_matches(soup_message_headers_get_one(req, "If-None-Match"), etag)) {
		soup_server_message_set_status(msg, SOUP_STATUS_NOT_MODIFIED, NULL);
		return true;
	}
	if (if_range && strcmp(if_range, etag) != 0)
		range = NULL; /* the client's copy is another version: send it all */
	r = download_range_parse(range, file->size, &first, &last);
	if (r == DOWNLOAD_RANGE_UNSATISFIABLE) {
		g_autofree char *cr = g_strdup_printf("bytes */%" G_GINT64_FORMAT, file->size);
		soup_message_headers_replace(h, "Content-Range", cr);
		http_reply_error(msg, API_ERROR_RANGE_NOT_SATISFIABLE,
		                 "the range \"%s\" is outside the file's %" G_GINT64_FORMAT
		                 " bytes",
		                 range, file->size);
		return true;
	}
	disposition = download_content_disposition("attachment", file->file_name);
	soup_message_headers_replace(h, "Content-Type", file->mime);
	soup_message_headers_replace(h, "Content-Disposition", disposition);
	set_body(msg, mapped, first, last);
	if (r == DOWNLOAD_RANGE_OK) {
		soup_message_headers_set_content_range(h, first, last, file->size);
		soup_server_message_set_status(msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
	} else {
		soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	}
	return true;
}
