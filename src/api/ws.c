/* SPDX-License-Identifier: MIT */
/* WebSocket connections and the method table of the JSON protocol. */
#define G_LOG_DOMAIN "cau-ws"
#include "ws.h"

#include "errors.h"
#include "message.h"

#include <string.h>

#define WS_HARD_LIMIT_FACTOR 4

struct ws_hub {
	SoupServer *soup;
	char *path;
	gint64 max_message_bytes;
	struct metrics *metrics;
	GList *connections; /* of struct ws_conn */
	guint64 next_id;
	guint64 messages_total, errors_total;
};

struct ws_conn {
	struct ws_hub *hub;
	SoupWebsocketConnection *ws;
	guint64 id;
};

typedef JsonNode *(*method_fn)(struct ws_conn *conn, JsonObject *params, GError **error);

static JsonNode *method_ping(struct ws_conn *conn, JsonObject *params, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "pong");
	json_builder_add_boolean_value(b, TRUE);
	json_builder_set_member_name(b, "time_ms");
	json_builder_add_int_value(b, g_get_real_time() / 1000);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static const struct {
	const char *name;
	method_fn fn;
} methods[] = {
    {"ping", method_ping},
};

static void send_text(struct ws_conn *conn, char *text)
{
	if (soup_websocket_connection_get_state(conn->ws) == SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_send_text(conn->ws, text);
	g_free(text);
}

/* Parses, dispatches and answers one request; every failure gets an error reply. */
static void handle_text(struct ws_conn *conn, const char *text, size_t len)
{
	struct api_request req;
	g_autoptr(GError) error = NULL;
	JsonNode *result = NULL;
	method_fn fn = NULL;

	conn->hub->messages_total++;
	if (api_request_parse(text, len, &req, &error)) {
		for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
			if (strcmp(methods[i].name, req.method) == 0)
				fn = methods[i].fn;
		}
		if (!fn)
			g_set_error(&error, API_ERROR, API_ERROR_UNKNOWN_METHOD,
			            "unknown method \"%s\"", req.method);
		else
			result = fn(conn, req.params, &error);
	}
	if (error) {
		conn->hub->errors_total++;
		g_debug("[ws %" G_GUINT64_FORMAT "] request refused: %s", conn->id, error->message);
		send_text(conn, api_reply_error(req.id, error));
	} else {
		send_text(conn, api_reply_result(req.id, result));
	}
	api_request_clear(&req);
}

static void on_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
	struct ws_conn *conn = user_data;
	gsize len;
	const char *data = g_bytes_get_data(message, &len);

	if (type != SOUP_WEBSOCKET_DATA_TEXT) {
		g_autoptr(GError) error = g_error_new_literal(API_ERROR, API_ERROR_BAD_REQUEST,
		                                              "binary messages are not accepted");
		conn->hub->errors_total++;
		send_text(conn, api_reply_error(NULL, error));
		return;
	}
	/* libsoup bounds each frame, not a fragmented message: check the whole here. */
	if (len > (gsize)conn->hub->max_message_bytes) {
		g_autofree char *reason =
		    g_strdup_printf("message of %zu bytes is over the limit of %" G_GINT64_FORMAT,
		                    len, conn->hub->max_message_bytes);
		conn->hub->errors_total++;
		g_info("[ws %" G_GUINT64_FORMAT "] closing: %s", conn->id, reason);
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_TOO_BIG, reason);
		return;
	}
	handle_text(conn, data, len);
}

static void conn_free(struct ws_conn *conn)
{
	g_signal_handlers_disconnect_by_data(conn->ws, conn);
	g_object_unref(conn->ws);
	g_free(conn);
}

static void on_closed(SoupWebsocketConnection *ws, gpointer user_data)
{
	struct ws_conn *conn = user_data;
	struct ws_hub *hub = conn->hub;

	g_debug("[ws %" G_GUINT64_FORMAT "] closed (code %u)", conn->id,
	        soup_websocket_connection_get_close_code(ws));
	hub->connections = g_list_remove(hub->connections, conn);
	conn_free(conn);
}

static void on_connection(SoupServer *soup, SoupServerMessage *msg, const char *path,
                          SoupWebsocketConnection *ws, gpointer user_data)
{
	struct ws_hub *hub = user_data;
	struct ws_conn *conn = g_new0(struct ws_conn, 1);

	conn->hub = hub;
	conn->ws = g_object_ref(ws);
	conn->id = ++hub->next_id;
	/* Messages over the limit are refused with a 1009 close in on_message(); libsoup's
	 * own bound, which drops the connection without a close frame, only stops frames
	 * far past it from being buffered at all. */
	soup_websocket_connection_set_max_incoming_payload_size(
	    conn->ws, (guint64)hub->max_message_bytes * WS_HARD_LIMIT_FACTOR);
	soup_websocket_connection_set_keepalive_interval(conn->ws, 30);
	g_signal_connect(ws, "message", G_CALLBACK(on_message), conn);
	g_signal_connect(ws, "closed", G_CALLBACK(on_closed), conn);
	hub->connections = g_list_prepend(hub->connections, conn);
	GSocketAddress *remote = soup_server_message_get_remote_address(msg);
	g_autofree char *from =
	    remote ? g_socket_connectable_to_string(G_SOCKET_CONNECTABLE(remote)) : NULL;
	g_debug("[ws %" G_GUINT64_FORMAT "] open from %s", conn->id, from ? from : "?");
}

static void collect(GString *out, gpointer user_data)
{
	struct ws_hub *hub = user_data;

	metrics_write_header(out, "cau_ws_connections", "gauge", "Open WebSocket connections.");
	metrics_write_sample(out, "cau_ws_connections", g_list_length(hub->connections), NULL);
	metrics_write_header(out, "cau_ws_messages_total", "counter",
	                     "WebSocket messages received.");
	metrics_write_sample(out, "cau_ws_messages_total", (double)hub->messages_total, NULL);
	metrics_write_header(out, "cau_ws_errors_total", "counter",
	                     "WebSocket messages answered with an error.");
	metrics_write_sample(out, "cau_ws_errors_total", (double)hub->errors_total, NULL);
}

struct ws_hub *ws_hub_new(SoupServer *soup, const char *path, gint64 max_message_bytes,
                          struct metrics *registry)
{
	struct ws_hub *hub = g_new0(struct ws_hub, 1);

	hub->soup = soup;
	hub->path = g_strdup(path);
	hub->max_message_bytes = max_message_bytes;
	hub->metrics = registry;
	soup_server_add_websocket_handler(soup, path, NULL, NULL, on_connection, hub, NULL);
	metrics_add_collector(registry, collect, hub);
	return hub;
}

void ws_hub_free(struct ws_hub *hub)
{
	if (!hub)
		return;
	metrics_remove_collector(hub->metrics, collect, hub);
	soup_server_remove_handler(hub->soup, hub->path);
	for (GList *l = hub->connections; l; l = l->next) {
		struct ws_conn *conn = l->data;
		if (soup_websocket_connection_get_state(conn->ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(conn->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
			                                "server shutting down");
		conn_free(conn);
	}
	g_list_free(hub->connections);
	g_free(hub->path);
	g_free(hub);
}
