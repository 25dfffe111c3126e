/* SPDX-License-Identifier: MIT */
/* Static file serving for the web console and clients. */
#define G_LOG_DOMAIN "cau-http"
#include "static_files.h"

#include <string.h>

static const struct {
	const char *suffix;
	const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".pdf", "application/pdf"},
    {".txt", "text/plain; charset=utf-8"},
};

/* Headers of every file served: the console and the clients load nothing from another
 * origin (they run on closed networks: no CDN, no web fonts), so the policy allows this
 * origin only (fetch, XHR and WebSocket included), no inline script or style, no framing;
 * no-cache makes browsers ask again, so an upgraded server never runs stale modules. */
static const struct {
	const char *name;
	const char *value;
} headers[] = {
    {"X-Content-Type-Options", "nosniff"},
    {"Content-Security-Policy", "default-src 'self'; object-src 'none'; base-uri 'none'; "
                                "frame-ancestors 'none'; form-action 'self'"},
    {"Cache-Control", "no-cache"},
    {"Referrer-Policy", "same-origin"},
};

static const char *content_type(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
		if (g_str_has_suffix(name, types[i].suffix))
			return types[i].type;
	}
	return "application/octet-stream";
}

/* Rejects paths with "..", backslashes or NUL-looking segments before touching disk. */
static bool path_is_safe(const char *path)
{
	g_auto(GStrv) parts = NULL;

	if (path[0] != '/' || strchr(path, '\\'))
		return false;
	parts = g_strsplit(path, "/", -1);
	for (char **p = parts; *p; p++) {
		if (strcmp(*p, "..") == 0 || strcmp(*p, ".") == 0)
			return false;
	}
	return true;
}

/* Replies with the regular file `file`, its type and the headers above. */
static bool serve_file(const char *file, SoupServerMessage *msg)
{
	g_autoptr(GMappedFile) mapped = NULL;
	g_autoptr(GBytes) bytes = NULL;

	if (!g_file_test(file, G_FILE_TEST_IS_REGULAR))
		return false;
	mapped = g_mapped_file_new(file, FALSE, NULL);
	if (!mapped)
		return false;
	bytes = g_mapped_file_get_bytes(mapped);
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(headers); i++)
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
		                             headers[i].name, headers[i].value);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Content-Type",
	                             content_type(file));
	soup_message_body_append_bytes(soup_server_message_get_response_body(msg), bytes);
	return true;
}

bool static_files_serve(const char *web_root, const char *path, SoupServerMessage *msg)
{
	g_autofree char *file = NULL;

	if (!path_is_safe(path))
		return false;
	file = g_build_filename(web_root, path, NULL);
	if (g_file_test(file, G_FILE_TEST_IS_DIR)) {
		char *index = g_build_filename(file, "index.html", NULL);
		g_free(file);
		file = index;
	}
	return serve_file(file, msg);
}

bool static_files_is_join_link(const char *path)
{
	size_t len;

	if (!g_str_has_prefix(path, STATIC_JOIN_PREFIX))
		return false;
	path += strlen(STATIC_JOIN_PREFIX);
	len = strlen(path);
	if (len == 0 || len > STATIC_JOIN_TOKEN_MAX)
		return false;
	/* The alphabet of unpadded base64url: no dot, so no file of web/join/ looks like one. */
	return strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
	       len;
}

bool static_files_serve_join_page(const char *web_root, SoupServerMessage *msg)
{
	g_autofree char *file = g_build_filename(web_root, "join", "index.html", NULL);

	if (!serve_file(file, msg))
		return false;
	/* The page's address holds a credential: keep it out of other sites' logs and of
	 * shared caches. */
	soup_message_headers_replace(soup_server_message_get_response_headers(msg),
	                             "Referrer-Policy", "no-referrer");
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control",
	                             "no-store");
	return true;
}

char *static_files_loggable_path(const char *path)
{
	if (g_str_has_prefix(path, STATIC_JOIN_PREFIX) && path[strlen(STATIC_JOIN_PREFIX)])
		return g_strdup(STATIC_JOIN_PREFIX "[token]");
	return g_strdup(path);
}
