/* SPDX-License-Identifier: MIT */
/* Unit tests of the HTTP/WebSocket server in process, on 127.0.0.1 and a free port,
 * driven by a libsoup client on the same main context. */
#include "api/http.h"

#include <glib/gstdio.h>
#include <string.h>

struct fixture {
	struct metrics *metrics;
	struct http_server *srv;
	SoupSession *session;
	char *base;
	char *web_root;
};

struct response {
	guint status;
	char *body;
	char *content_type;
	char *csp;
	char *cache_control;
	bool done;
};

static void setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *index = NULL;

	f->web_root = g_dir_make_tmp("cau-web-XXXXXX", &error);
	index = g_build_filename(f->web_root, "index.html", NULL);
	g_assert_true(g_file_set_contents(index, "<h1>Cầu</h1>", -1, NULL));
	struct http_config cfg = {
	    .host = "127.0.0.1",
	    .port = 0,
	    .web_root = f->web_root,
	    .max_body_bytes = 4096,
	    .ws_max_message_bytes = 2048,
	};
	f->metrics = metrics_new();
	f->srv = http_server_new(&cfg, f->metrics, NULL, &error);
	g_assert_no_error(error);
	f->base = g_strdup_printf("http://%s", http_server_address(f->srv));
	f->session = soup_session_new();
}

static void teardown(struct fixture *f, gconstpointer data)
{
	g_autofree char *index = g_build_filename(f->web_root, "index.html", NULL);

	g_object_unref(f->session);
	http_server_free(f->srv);
	metrics_free(f->metrics);
	g_unlink(index);
	g_rmdir(f->web_root);
	g_free(f->web_root);
	g_free(f->base);
}

static void on_response(GObject *source, GAsyncResult *res, gpointer user_data)
{
	struct response *r = user_data;
	SoupMessage *msg = soup_session_get_async_result_message(SOUP_SESSION(source), res);
	g_autoptr(GBytes) body = soup_session_send_and_read_finish(SOUP_SESSION(source), res, NULL);

	r->status = soup_message_get_status(msg);
	r->body =
	    body ? g_strndup(g_bytes_get_data(body, NULL), g_bytes_get_size(body)) : g_strdup("");
	r->content_type = g_strdup(
	    soup_message_headers_get_content_type(soup_message_get_response_headers(msg), NULL));
	r->csp = g_strdup(soup_message_headers_get_one(soup_message_get_response_headers(msg),
	                                               "Content-Security-Policy"));
	r->cache_control = g_strdup(
	    soup_message_headers_get_one(soup_message_get_response_headers(msg), "Cache-Control"));
	r->done = true;
}

/* Sends a request and runs the main context until the answer is in. */
static struct response request(struct fixture *f, const char *method, const char *path,
                               GBytes *body, bool chunked)
{
	g_autofree char *url = g_strconcat(f->base, path, NULL);
	g_autoptr(SoupMessage) msg = soup_message_new(method, url);
	struct response r = {0};

	if (body) {
		soup_message_set_request_body_from_bytes(msg, "application/octet-stream", body);
		if (chunked)
			soup_message_headers_set_encoding(soup_message_get_request_headers(msg),
			                                  SOUP_ENCODING_CHUNKED);
	}
	soup_session_send_and_read_async(f->session, msg, G_PRIORITY_DEFAULT, NULL, on_response,
	                                 &r);
	while (!r.done)
		g_main_context_iteration(NULL, TRUE);
	return r;
}

static void response_clear(struct response *r)
{
	g_free(r->body);
	g_free(r->content_type);
	g_free(r->csp);
	g_free(r->cache_control);
}

/* The value of the sample line that starts with `line_prefix`, 0 when absent. */
static double metric(struct fixture *f, const char *line_prefix)
{
	g_autofree char *text = metrics_render(f->metrics);
	g_autofree char *needle = g_strconcat("\n", line_prefix, NULL);
	const char *p = strstr(text, needle);

	return p ? g_ascii_strtod(p + strlen(needle), NULL) : 0;
}

#define HEALTHZ_200 "cau_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} "

static void test_healthz_counts(struct fixture *f, gconstpointer data)
{
	double before = metric(f, HEALTHZ_200);

	for (int i = 0; i < 3; i++) {
		struct response r = request(f, "GET", "/healthz", NULL, false);
		g_assert_cmpuint(r.status, ==, 200);
		g_assert_cmpstr(r.body, ==, "{\"status\":\"ok\"}");
		g_assert_cmpstr(r.content_type, ==, "application/json");
		response_clear(&r);
	}
	g_assert_cmpfloat(metric(f, HEALTHZ_200) - before, ==, 3);
}

static void test_errors_are_json(struct fixture *f, gconstpointer data)
{
	struct response r = request(f, "GET", "/no/such/thing", NULL, false);

	g_assert_cmpuint(r.status, ==, 404);
	g_assert_cmpstr(r.body, ==,
	                "{\"error\":{\"code\":\"not_found\",\"message\":\"no route for GET "
	                "/no/such/thing\"}}");
	response_clear(&r);
	r = request(f, "DELETE", "/healthz", NULL, false);
	g_assert_cmpuint(r.status, ==, 405);
	g_assert_nonnull(strstr(r.body, "\"method_not_allowed\""));
	response_clear(&r);
	g_assert_cmpfloat(
	    metric(f,
	           "cau_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} "),
	    ==, 1);
}

static void test_body_limit(struct fixture *f, gconstpointer data)
{
	g_autofree char *big = g_malloc0(5000);
	g_autoptr(GBytes) body = g_bytes_new_static(big, 5000);
	g_autoptr(GBytes) small = g_bytes_new_static(big, 100);

	for (int chunked = 0; chunked <= 1; chunked++) {
		struct response r = request(f, "POST", "/healthz", body, chunked);
		g_assert_cmpuint(r.status, ==, 413);
		g_assert_nonnull(strstr(r.body, "\"too_large\""));
		response_clear(&r);
	}
	/* Under the limit the request reaches its route (which only takes GET). */
	struct response r = request(f, "POST", "/healthz", small, false);
	g_assert_cmpuint(r.status, ==, 405);
	response_clear(&r);
	r = request(f, "GET", "/healthz", NULL, false);
	g_assert_cmpuint(r.status, ==, 200);
	response_clear(&r);
}

static void test_static_files(struct fixture *f, gconstpointer data)
{
	struct response r = request(f, "GET", "/", NULL, false);

	g_assert_cmpuint(r.status, ==, 200);
	g_assert_cmpstr(r.body, ==, "<h1>Cầu</h1>");
	g_assert_cmpstr(r.content_type, ==, "text/html");
	/* Nothing from another origin, no inline script, no framing; always revalidated. */
	g_assert_nonnull(r.csp);
	g_assert_true(g_str_has_prefix(r.csp, "default-src 'self';"));
	g_assert_nonnull(strstr(r.csp, "frame-ancestors 'none'"));
	g_assert_null(strstr(r.csp, "unsafe"));
	g_assert_cmpstr(r.cache_control, ==, "no-cache");
	response_clear(&r);
	/* API answers are not pages: no policy there. */
	r = request(f, "GET", "/healthz", NULL, false);
	g_assert_null(r.csp);
	response_clear(&r);
	r = request(f, "GET", "/missing.js", NULL, false);
	g_assert_cmpuint(r.status, ==, 404);
	response_clear(&r);
}

struct ws_state {
	SoupWebsocketConnection *ws;
	GQueue replies;
	bool closed;
};

static void on_ws_message(SoupWebsocketConnection *ws, gint type, GBytes *message,
                          gpointer user_data)
{
	struct ws_state *s = user_data;

	g_queue_push_tail(&s->replies,
	                  g_strndup(g_bytes_get_data(message, NULL), g_bytes_get_size(message)));
}

static void on_ws_closed(SoupWebsocketConnection *ws, gpointer user_data)
{
	((struct ws_state *)user_data)->closed = true;
}

static void on_ws_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
	struct ws_state *s = user_data;
	g_autoptr(GError) error = NULL;

	s->ws = soup_session_websocket_connect_finish(SOUP_SESSION(source), res, &error);
	g_assert_no_error(error);
	g_signal_connect(s->ws, "message", G_CALLBACK(on_ws_message), s);
	g_signal_connect(s->ws, "closed", G_CALLBACK(on_ws_closed), s);
}

/* Sends `text` and waits for one reply (or the close); caller frees the reply. */
static char *ws_roundtrip(struct ws_state *s, const char *text)
{
	soup_websocket_connection_send_text(s->ws, text);
	while (g_queue_is_empty(&s->replies) && !s->closed)
		g_main_context_iteration(NULL, TRUE);
	return g_queue_pop_head(&s->replies);
}

static void test_websocket(struct fixture *f, gconstpointer data)
{
	g_autofree char *url = g_strconcat(f->base, "/ws", NULL);
	g_autoptr(SoupMessage) msg = soup_message_new("GET", url);
	struct ws_state s = {0};
	g_autofree char *big = g_strnfill(3000, 'x');
	char *reply;

	soup_session_websocket_connect_async(f->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
	                                     on_ws_connected, &s);
	while (!s.ws)
		g_main_context_iteration(NULL, TRUE);

	reply = ws_roundtrip(&s, "{\"id\":1,\"method\":\"ping\"}");
	g_assert_true(g_str_has_prefix(reply, "{\"id\":1,\"result\":{\"pong\":true,"));
	g_free(reply);
	reply = ws_roundtrip(&s, "{not json");
	g_assert_true(g_str_has_prefix(reply, "{\"id\":null,\"error\":{\"code\":\"bad_json\""));
	g_free(reply);
	/* Still usable after the bad message. */
	reply = ws_roundtrip(&s, "{\"id\":\"two\",\"method\":\"ping\"}");
	g_assert_true(g_str_has_prefix(reply, "{\"id\":\"two\",\"result\""));
	g_free(reply);
	reply = ws_roundtrip(&s, "{\"id\":3,\"method\":\"fly\"}");
	g_assert_nonnull(strstr(reply, "\"unknown_method\""));
	g_free(reply);
	g_assert_cmpfloat(metric(f, "cau_ws_errors_total "), ==, 2);
	/* Over the message limit: closed with 1009 (message too big); the server goes on. */
	reply = ws_roundtrip(&s, big);
	g_assert_null(reply);
	while (!s.closed)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(soup_websocket_connection_get_close_code(s.ws), ==,
	                 SOUP_WEBSOCKET_CLOSE_TOO_BIG);
	g_object_unref(s.ws);
	struct response r = request(f, "GET", "/healthz", NULL, false);
	g_assert_cmpuint(r.status, ==, 200);
	response_clear(&r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/http/healthz", struct fixture, NULL, setup, test_healthz_counts, teardown);
	g_test_add("/http/errors", struct fixture, NULL, setup, test_errors_are_json, teardown);
	g_test_add("/http/body-limit", struct fixture, NULL, setup, test_body_limit, teardown);
	g_test_add("/http/static", struct fixture, NULL, setup, test_static_files, teardown);
	g_test_add("/http/websocket", struct fixture, NULL, setup, test_websocket, teardown);
	return g_test_run();
}
