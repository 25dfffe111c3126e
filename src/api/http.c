/* SPDX-License-Identifier: MIT */
/* The HTTP server: listening, the route table, body limits, metrics and error replies. */
#define G_LOG_DOMAIN "cau-http"
#include "http.h"

#include "cau-build.h"
#include "errors.h"
#include "message.h"
#include "static_files.h"
#include "ws.h"

#include <stdarg.h>
#include <string.h>

struct http_server {
	SoupServer *soup;
	struct http_config cfg; /* strings owned below */
	char *host, *web_root, *pdfjs_dir, *address;
	struct metrics *metrics;
	struct ws_hub *ws;
	struct rest_context *rest;
	/* "route\tmethod\tstatus" -> guint64 count of finished requests. */
	GHashTable *requests;
};

typedef void (*route_fn)(struct http_server *srv, SoupServerMessage *msg);

struct route {
	const char *method;
	const char *path;
	route_fn handler;
};

#define ROUTE_KEY    "cau-route"
/* pdf.js (Debian's libjs-pdf) is served from [http] pdfjs_dir under this path. */
#define PDFJS_PREFIX "/vendor/pdfjs"
#define BODY_KEY     "cau-body"

/* What the server keeps of a request body while it arrives. */
struct body_state {
	gint64 limit;    /* [http] max_body_bytes, or the upload limit of a streaming route */
	gint64 received; /* bytes so far, counted from the chunks (the body may not keep them) */
	struct blob_writer *upload; /* streaming routes: the temp file the chunks go to */
};

static void body_state_free(gpointer data)
{
	struct body_state *bs = data;

	blob_writer_free(bs->upload); /* removes the temp file unless the handler kept it */
	g_free(bs);
}

static void get_healthz(struct http_server *srv, SoupServerMessage *msg)
{
	http_reply_json(msg, SOUP_STATUS_OK, g_strdup("{\"status\":\"ok\"}"));
}

static void get_metrics(struct http_server *srv, SoupServerMessage *msg)
{
	char *text = metrics_render(srv->metrics);

	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg, "text/plain; version=0.0.4; charset=utf-8",
	                                 SOUP_MEMORY_TAKE, text, strlen(text));
}

static const struct route routes[] = {
    {"GET", "/healthz", get_healthz},
    {"GET", "/metrics", get_metrics},
};

void http_reply_json(SoupServerMessage *msg, guint status, char *json_text)
{
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_TAKE, json_text,
	                                 strlen(json_text));
}

void http_reply_error(SoupServerMessage *msg, int code, const char *format, ...)
{
	va_list ap;
	g_autoptr(GError) error = NULL;

	va_start(ap, format);
	error = g_error_new_valist(API_ERROR, code, format, ap);
	va_end(ap);
	http_reply_json(msg, api_error_http_status(code), api_error_json(error));
}

/* GET of a file: web/ first, then the join page for a join link, then pdf.js from its
 * folder. The route label never holds a token. */
static bool serve_static(struct http_server *srv, const char *path, SoupServerMessage *msg)
{
	const char *label = NULL;

	if (static_files_serve(srv->web_root, path, msg))
		label = "static";
	else if (static_files_is_join_link(path) &&
	         static_files_serve_join_page(srv->web_root, msg))
		label = STATIC_JOIN_PREFIX "{token}";
	else if (*srv->pdfjs_dir && g_str_has_prefix(path, PDFJS_PREFIX "/") &&
	         static_files_serve(srv->pdfjs_dir, path + strlen(PDFJS_PREFIX), msg))
		label = PDFJS_PREFIX;
	if (label)
		g_object_set_data(G_OBJECT(msg), ROUTE_KEY, (gpointer)label);
	return label != NULL;
}

static void dispatch(SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query,
                     gpointer user_data)
{
	struct http_server *srv = user_data;
	const char *method = soup_server_message_get_method(msg);
	bool path_known = false;

	if (srv->rest && g_str_has_prefix(path, REST_PREFIX)) {
		struct body_state *bs = g_object_get_data(G_OBJECT(msg), BODY_KEY);
		const char *label =
		    rest_dispatch(srv->rest, msg, path, query, bs ? bs->upload : NULL);
		if (label)
			g_object_set_data(G_OBJECT(msg), ROUTE_KEY, (gpointer)label);
		if (bs) /* the handler is done with the upload: drop its temp file now */
			g_clear_pointer(&bs->upload, blob_writer_free);
		return;
	}
	if (g_str_has_prefix(path, "/wh")) {
		const char *label = ws_hub_whip(srv->ws, msg, path);

		if (label) {
			g_object_set_data(G_OBJECT(msg), ROUTE_KEY, (gpointer)label);
			return;
		}
	}
	for (size_t i = 0; i < G_N_ELEMENTS(routes); i++) {
		if (strcmp(routes[i].path, path) != 0)
			continue;
		path_known = true;
		g_object_set_data(G_OBJECT(msg), ROUTE_KEY, (gpointer)routes[i].path);
		if (strcmp(routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
			routes[i].handler(srv, msg);
			return;
		}
	}
	if (path_known) {
		http_reply_error(msg, API_ERROR_METHOD_NOT_ALLOWED, "%s is not allowed on %s",
		                 method, path);
		return;
	}
	if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
	    serve_static(srv, path, msg))
		return;
	http_reply_error(msg, API_ERROR_NOT_FOUND, "no route for %s %s", method, path);
}

/* Stops keeping the body of a request that has been answered already. */
static void discard_body(SoupServerMessage *msg, struct body_state *bs)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);

	soup_message_body_set_accumulate(body, FALSE);
	soup_message_body_truncate(body);
	g_clear_pointer(&bs->upload, blob_writer_free);
}

static void refuse_too_large(SoupServerMessage *msg, struct body_state *bs, goffset len)
{
	if (len >= 0)
		http_reply_error(msg, API_ERROR_TOO_LARGE,
		                 "request body of %" G_GOFFSET_FORMAT " bytes is over the limit "
		                 "of %" G_GINT64_FORMAT " bytes",
		                 len, bs->limit);
	else
		http_reply_error(msg, API_ERROR_TOO_LARGE,
		                 "request body is over the limit of %" G_GINT64_FORMAT " bytes",
		                 bs->limit);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Connection",
	                             "close");
	discard_body(msg, bs);
}

/* Sets up the body of a request: its size limit, refused at once when Content-Length is
 * over it, and the streaming-body hook: an upload route (rest_upload_begin) gets its body
 * written chunk by chunk to a temp file with the upload limit, instead of gathered in
 * memory (libsoup 3: accumulation off, chunks taken in got_chunk). */
static void got_headers(SoupServerMessage *msg, gpointer user_data)
{
	struct http_server *srv = user_data;
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *path = g_uri_get_path(soup_server_message_get_uri(msg));
	struct body_state *bs = g_new0(struct body_state, 1);

	bs->limit = srv->cfg.max_body_bytes;
	g_object_set_data_full(G_OBJECT(msg), BODY_KEY, bs, body_state_free);
	if (soup_server_message_get_status(msg) == 0 && srv->rest &&
	    g_str_has_prefix(path, REST_PREFIX))
		bs->upload = rest_upload_begin(srv->rest, msg, path, &bs->limit);
	if (soup_server_message_get_status(msg) != 0) {
		discard_body(msg, bs); /* answered already (bad request, 401, ...) */
		return;
	}
	if (bs->upload)
		soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
	if (soup_message_headers_get_encoding(h) == SOUP_ENCODING_CONTENT_LENGTH &&
	    soup_message_headers_get_content_length(h) > bs->limit)
		refuse_too_large(msg, bs, soup_message_headers_get_content_length(h));
}

/* Counts a body as it arrives (chunked bodies have no length up front), refuses it once
 * past the limit, and writes an upload's chunks to its temp file. */
static void got_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
	struct body_state *bs = g_object_get_data(G_OBJECT(msg), BODY_KEY);
	g_autoptr(GError) error = NULL;
	gsize size = g_bytes_get_size(chunk);

	if (!bs)
		return;
	bs->received += (gint64)size;
	if (soup_server_message_get_status(msg) != 0)
		return; /* answered already; the rest of the body is dropped */
	if (bs->received > bs->limit) {
		refuse_too_large(msg, bs, -1);
		return;
	}
	if (bs->upload &&
	    !blob_writer_write(bs->upload, g_bytes_get_data(chunk, NULL), size, &error)) {
		g_warning("[http] upload to %s: %s",
		          g_uri_get_path(soup_server_message_get_uri(msg)), error->message);
		http_reply_error(msg, API_ERROR_INTERNAL,
		                 "the upload could not be stored; the server log has the details");
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
		                             "Connection", "close");
		discard_body(msg, bs);
	}
}

static void request_started(SoupServer *soup, SoupServerMessage *msg, gpointer user_data)
{
	g_signal_connect(msg, "got-headers", G_CALLBACK(got_headers), user_data);
	g_signal_connect(msg, "got-chunk", G_CALLBACK(got_chunk), user_data);
}

static void request_finished(SoupServer *soup, SoupServerMessage *msg, gpointer user_data)
{
	struct http_server *srv = user_data;
	const char *route = g_object_get_data(G_OBJECT(msg), ROUTE_KEY);
	const char *path = g_uri_get_path(soup_server_message_get_uri(msg));
	g_autofree char *logged = static_files_loggable_path(path);
	char *key;
	guint status = soup_server_message_get_status(msg);

	/* WebSocket upgrades bypass dispatch(); name their route here. */
	if (!route && strcmp(path, WS_PATH) == 0)
		route = WS_PATH;
	key = g_strdup_printf("%s\t%s\t%u", route ? route : "unmatched",
	                      soup_server_message_get_method(msg), status);
	guint64 n = GPOINTER_TO_SIZE(g_hash_table_lookup(srv->requests, key));
	g_hash_table_replace(srv->requests, key, GSIZE_TO_POINTER(n + 1));
	g_debug("[http %s] %s %s -> %u", srv->address, soup_server_message_get_method(msg), logged,
	        status);
}

static void collect_requests(GString *out, gpointer user_data)
{
	struct http_server *srv = user_data;
	g_autoptr(GList) keys = g_hash_table_get_keys(srv->requests);

	keys = g_list_sort(keys, (GCompareFunc)strcmp);
	metrics_write_header(out, "cau_http_requests_total", "counter",
	                     "HTTP requests answered, by route, method and status.");
	for (GList *l = keys; l; l = l->next) {
		g_auto(GStrv) parts = g_strsplit(l->data, "\t", 3);
		guint64 n = GPOINTER_TO_SIZE(g_hash_table_lookup(srv->requests, l->data));
		metrics_write_sample(out, "cau_http_requests_total", (double)n, "route", parts[0],
		                     "method", parts[1], "status", parts[2], NULL);
	}
}

static bool listen(struct http_server *srv, GError **error)
{
	g_autoptr(GInetAddress) addr = g_inet_address_new_from_string(srv->host);
	g_autoptr(GSocketAddress) sa = NULL;
	GSList *uris;

	if (!addr) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "[http] host = \"%s\": not an IP address", srv->host);
		return false;
	}
	sa = g_inet_socket_address_new(addr, srv->cfg.port);
	if (!soup_server_listen(srv->soup, sa, 0, error)) {
		g_prefix_error(error, "cannot listen on %s:%u: ", srv->host, srv->cfg.port);
		return false;
	}
	uris = soup_server_get_uris(srv->soup);
	if (uris) {
		GUri *uri = uris->data;
		bool v6 = strchr(srv->host, ':') != NULL;
		srv->address =
		    g_strdup_printf(v6 ? "[%s]:%d" : "%s:%d", srv->host, g_uri_get_port(uri));
	}
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return srv->address != NULL;
}

struct http_server *http_server_new(const struct http_config *cfg, struct metrics *registry,
                                    struct rest_context *rest, GError **error)
{
	struct http_server *srv = g_new0(struct http_server, 1);

	srv->cfg = *cfg;
	srv->host = g_strdup(cfg->host);
	srv->web_root = g_strdup(cfg->web_root);
	srv->pdfjs_dir = g_strdup(cfg->pdfjs_dir ? cfg->pdfjs_dir : "");
	srv->metrics = registry;
	srv->rest = rest;
	srv->requests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	srv->soup = soup_server_new("server-header", "cau/" CAU_VERSION, NULL);
	g_signal_connect(srv->soup, "request-started", G_CALLBACK(request_started), srv);
	g_signal_connect(srv->soup, "request-finished", G_CALLBACK(request_finished), srv);
	soup_server_add_handler(srv->soup, NULL, dispatch, srv, NULL);
	struct ws_config wc = {
	    .max_message_bytes = cfg->ws_max_message_bytes,
	    .rate_per_s = cfg->ws_rate_per_s > 0 ? cfg->ws_rate_per_s : 50,
	    .rate_burst = cfg->ws_rate_burst > 0 ? cfg->ws_rate_burst : 100,
	    .resume_seconds = cfg->room_resume_seconds ? cfg->room_resume_seconds : 30,
	    .transport = cfg->transport,
	    .rest = rest,
	    .config = cfg->config,
	};
	srv->ws = ws_hub_new(srv->soup, WS_PATH, &wc, registry);
	metrics_add_collector(registry, collect_requests, srv);
	if (!listen(srv, error)) {
		http_server_free(srv);
		return NULL;
	}
	g_info("[http %s] listening; web root %s", srv->address, srv->web_root);
	return srv;
}

void http_server_free(struct http_server *srv)
{
	if (!srv)
		return;
	metrics_remove_collector(srv->metrics, collect_requests, srv);
	ws_hub_free(srv->ws);
	soup_server_disconnect(srv->soup);
	g_object_unref(srv->soup);
	g_hash_table_destroy(srv->requests);
	g_free(srv->host);
	g_free(srv->web_root);
	g_free(srv->pdfjs_dir);
	g_free(srv->address);
	g_free(srv);
}

struct mcu_rooms *http_server_mcu_rooms(struct http_server *srv)
{
	return ws_hub_mcu_rooms(srv->ws);
}

void http_server_meeting_closed(struct http_server *srv, gint64 meeting_id)
{
	ws_hub_meeting_closed(srv->ws, meeting_id);
}

void http_server_recording_changed(struct http_server *srv, gint64 meeting_id, bool on,
                                   JsonNode *row)
{
	ws_hub_recording_changed(srv->ws, meeting_id, on, row);
}

const char *http_server_address(const struct http_server *srv)
{
	return srv->address;
}
