/* SPDX-License-Identifier: MIT */
/* WebSocket connections, the method table of the JSON protocol, and the ordered queue of
 * replies and events. */
#define G_LOG_DOMAIN "cau-ws"
#include "ws_internal.h"

#include "conference/mcu_room.h"
#include "errors.h"
#include "message.h"
#include "whip.h"
#include "ws_room.h"

#include <string.h>

#define WS_HARD_LIMIT_FACTOR  4
#define WS_CLOSE_RATE_LIMITED 1008 /* policy violation */

struct ws_hub {
	SoupServer *soup;
	char *path;
	struct ws_config cfg;
	struct metrics *metrics;
	struct mcu_rooms *mcu_rooms;
	struct ws_rooms *rooms;
	struct whip *whip;  /* WHIP/WHEP sessions in the same rooms */
	GList *connections; /* of struct ws_conn */
	guint64 next_id;
	guint64 messages_total, errors_total, rate_limited_total, rate_closes_total;
};

struct ws_conn {
	struct ws_hub *hub;
	SoupWebsocketConnection *ws;
	guint64 id;
	GQueue out;           /* of struct ws_call: replies (ready or not) and events, in order */
	GHashTable *peers;    /* see ws_conn_peers() */
	struct ws_seat *seat; /* its seat in a meeting room, or NULL */
	/* The token bucket of the rate limit: tokens now, when last refilled, and messages
	 * refused in a row. */
	double tokens;
	gint64 refilled_us;
	gint64 refused_in_row;
	bool closing;
};

/* One outgoing message: a reply that may not be ready yet, or an event (always ready). */
struct ws_call {
	struct ws_conn *conn;
	JsonNode *id;
	bool deferred;
	char *text; /* NULL while a deferred reply is pending */
};

static JsonNode *method_ping(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                             GError **error)
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

static const struct ws_method base_methods[] = {
    {"ping", method_ping},
};

static ws_method_fn find_method(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(base_methods); i++) {
		if (strcmp(base_methods[i].name, name) == 0)
			return base_methods[i].fn;
	}
	for (size_t i = 0; i < ws_peer_method_count; i++) {
		if (strcmp(ws_peer_methods[i].name, name) == 0)
			return ws_peer_methods[i].fn;
	}
	for (size_t i = 0; i < ws_room_method_count; i++) {
		if (strcmp(ws_room_methods[i].name, name) == 0)
			return ws_room_methods[i].fn;
	}
	return NULL;
}

/* ---- the ordered outgoing queue ---- */

static void call_free(struct ws_call *call)
{
	if (call->id)
		json_node_unref(call->id);
	g_free(call->text);
	g_free(call);
}

/* Sends every message at the head of the queue that is ready. */
static void flush(struct ws_conn *conn)
{
	struct ws_call *call;

	while ((call = g_queue_peek_head(&conn->out)) && call->text) {
		g_queue_pop_head(&conn->out);
		if (soup_websocket_connection_get_state(conn->ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_send_text(conn->ws, call->text);
		call_free(call);
	}
}

static struct ws_call *enqueue(struct ws_conn *conn, JsonNode *id)
{
	struct ws_call *call = g_new0(struct ws_call, 1);

	call->conn = conn;
	call->id = id ? json_node_ref(id) : NULL;
	g_queue_push_tail(&conn->out, call);
	return call;
}

void ws_call_defer(struct ws_call *call)
{
	call->deferred = true;
}

static void set_reply(struct ws_call *call, JsonNode *result, const GError *error)
{
	if (error) {
		call->conn->hub->errors_total++;
		g_debug("[ws %" G_GUINT64_FORMAT "] request refused: %s", call->conn->id,
		        error->message);
		if (error->domain == API_ERROR) {
			call->text = api_reply_error(call->id, error);
		} else {
			/* Lower layers' errors (SDP, negotiation) get their API code here. */
			g_autoptr(GError) mapped =
			    g_error_new_literal(API_ERROR, api_error_from(error), error->message);
			call->text = api_reply_error(call->id, mapped);
		}
		if (result)
			json_node_unref(result);
	} else {
		call->text = api_reply_result(call->id, result);
	}
}

void ws_call_finish(struct ws_call *call, JsonNode *result, const GError *error)
{
	g_return_if_fail(call->deferred && !call->text);
	set_reply(call, result, error);
	flush(call->conn);
}

void ws_conn_send_event(struct ws_conn *conn, const char *name, JsonNode *data)
{
	struct ws_call *call = enqueue(conn, NULL);

	call->text = api_event(name, data);
	flush(conn);
}

guint64 ws_conn_id(const struct ws_conn *conn)
{
	return conn->id;
}

struct transport *ws_conn_transport(const struct ws_conn *conn)
{
	return conn->hub->cfg.transport;
}

struct ws_seat *ws_conn_seat(struct ws_conn *conn)
{
	return conn->seat;
}

void ws_conn_set_seat(struct ws_conn *conn, struct ws_seat *seat)
{
	conn->seat = seat;
}

struct ws_rooms *ws_conn_rooms(struct ws_conn *conn)
{
	return conn->hub->rooms;
}

struct mcu_rooms *ws_conn_mcu_rooms(const struct ws_conn *conn)
{
	return conn->hub->mcu_rooms;
}

GHashTable *ws_conn_peers(struct ws_conn *conn)
{
	return conn->peers;
}

/* ---- requests ---- */

/* Parses, dispatches and answers one request; every failure gets an error reply. */
static void handle_text(struct ws_conn *conn, const char *text, size_t len)
{
	struct api_request req;
	g_autoptr(GError) error = NULL;
	JsonNode *result = NULL;
	ws_method_fn fn = NULL;
	struct ws_call *call;
	bool parsed;

	conn->hub->messages_total++;
	parsed = api_request_parse(text, len, &req, &error);
	call = enqueue(conn, req.id);
	if (parsed) {
		fn = find_method(req.method);
		if (!fn)
			g_set_error(&error, API_ERROR, API_ERROR_UNKNOWN_METHOD,
			            "unknown method \"%s\"", req.method);
		else
			result = fn(conn, call, req.params, &error);
	}
	if (!call->deferred || error) {
		call->deferred = false;
		set_reply(call, result, error);
	}
	api_request_clear(&req);
	flush(conn);
}

static void send_error_now(struct ws_conn *conn, const GError *error)
{
	struct ws_call *call = enqueue(conn, NULL);

	set_reply(call, NULL, error);
	flush(conn);
}

/* Takes a token from the connection's bucket. Without one the message is refused with
 * rate_limited; after rate_burst refusals in a row the connection is closed. Returns
 * whether the message may be handled. */
static bool take_token(struct ws_conn *conn)
{
	struct ws_hub *hub = conn->hub;
	gint64 now = g_get_monotonic_time();
	g_autoptr(GError) error = NULL;

	conn->tokens += (double)(now - conn->refilled_us) / G_USEC_PER_SEC * hub->cfg.rate_per_s;
	if (conn->tokens > (double)hub->cfg.rate_burst)
		conn->tokens = (double)hub->cfg.rate_burst;
	conn->refilled_us = now;
	if (conn->tokens >= 1.0) {
		conn->tokens -= 1.0;
		conn->refused_in_row = 0;
		return true;
	}
	hub->rate_limited_total++;
	if (++conn->refused_in_row > hub->cfg.rate_burst) {
		hub->rate_closes_total++;
		g_info("[ws %" G_GUINT64_FORMAT "] closing: flooding past the rate limit",
		       conn->id);
		soup_websocket_connection_close(conn->ws, WS_CLOSE_RATE_LIMITED,
		                                "rate limit exceeded");
		return false;
	}
	error = g_error_new(API_ERROR, API_ERROR_RATE_LIMITED,
	                    "more than %g messages a second: slow down", hub->cfg.rate_per_s);
	send_error_now(conn, error);
	return false;
}

static void on_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
	struct ws_conn *conn = user_data;
	gsize len;
	const char *data = g_bytes_get_data(message, &len);

	if (soup_websocket_connection_get_state(ws) != SOUP_WEBSOCKET_STATE_OPEN ||
	    !take_token(conn))
		return;
	if (type != SOUP_WEBSOCKET_DATA_TEXT) {
		g_autoptr(GError) error = g_error_new_literal(API_ERROR, API_ERROR_BAD_REQUEST,
		                                              "binary messages are not accepted");
		send_error_now(conn, error);
		return;
	}
	/* libsoup bounds each frame, not a fragmented message: check the whole here. */
	if (len > (gsize)conn->hub->cfg.max_message_bytes) {
		g_autofree char *reason =
		    g_strdup_printf("message of %zu bytes is over the limit of %" G_GINT64_FORMAT,
		                    len, conn->hub->cfg.max_message_bytes);
		conn->hub->errors_total++;
		g_info("[ws %" G_GUINT64_FORMAT "] closing: %s", conn->id, reason);
		soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_TOO_BIG, reason);
		return;
	}
	handle_text(conn, data, len);
}

/* ---- connections ---- */

static void conn_free(struct ws_conn *conn)
{
	conn->closing = true;
	g_signal_handlers_disconnect_by_data(conn->ws, conn);
	/* Closing the peers first: no peer callback may reach the connection afterwards. */
	g_hash_table_destroy(conn->peers);
	ws_room_conn_closed(conn); /* its seat, if any, now waits for a resume */
	g_queue_clear_full(&conn->out, (GDestroyNotify)call_free);
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
	g_queue_init(&conn->out);
	conn->peers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, ws_peer_entry_free);
	conn->tokens = (double)hub->cfg.rate_burst;
	conn->refilled_us = g_get_monotonic_time();
	/* Messages over the limit are refused with a 1009 close in on_message(); libsoup's
	 * own bound, which drops the connection without a close frame, only stops frames
	 * far past it from being buffered at all. */
	soup_websocket_connection_set_max_incoming_payload_size(
	    conn->ws, (guint64)hub->cfg.max_message_bytes * WS_HARD_LIMIT_FACTOR);
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
	metrics_write_header(out, "cau_ws_rate_limited_total", "counter",
	                     "WebSocket messages refused by the per-connection rate limit.");
	metrics_write_sample(out, "cau_ws_rate_limited_total", (double)hub->rate_limited_total,
	                     NULL);
	metrics_write_header(out, "cau_ws_rate_limit_closes_total", "counter",
	                     "WebSocket connections closed for flooding past the rate limit.");
	metrics_write_sample(out, "cau_ws_rate_limit_closes_total", (double)hub->rate_closes_total,
	                     NULL);
}

struct ws_hub *ws_hub_new(SoupServer *soup, const char *path, const struct ws_config *cfg,
                          struct metrics *registry)
{
	struct ws_hub *hub = g_new0(struct ws_hub, 1);

	hub->soup = soup;
	hub->path = g_strdup(path);
	hub->cfg = *cfg;
	hub->metrics = registry;
	hub->mcu_rooms = mcu_rooms_new(cfg->config);
	hub->rooms = ws_rooms_new(cfg->rest, hub->mcu_rooms, cfg->resume_seconds);
	hub->whip = whip_new(hub->rooms, cfg->transport);
	soup_server_add_websocket_handler(soup, path, NULL, NULL, on_connection, hub, NULL);
	metrics_add_collector(registry, collect, hub);
	metrics_add_collector(registry, mcu_rooms_collect, hub->mcu_rooms);
	return hub;
}

struct mcu_rooms *ws_hub_mcu_rooms(struct ws_hub *hub)
{
	return hub->mcu_rooms;
}

const char *ws_hub_whip(struct ws_hub *hub, SoupServerMessage *msg, const char *path)
{
	return whip_dispatch(hub->whip, msg, path);
}

void ws_hub_meeting_closed(struct ws_hub *hub, gint64 meeting_id)
{
	ws_rooms_meeting_closed(hub->rooms, meeting_id);
}

void ws_hub_recording_changed(struct ws_hub *hub, gint64 meeting_id, bool on, JsonNode *row)
{
	ws_rooms_recording_changed(hub->rooms, meeting_id, on, row);
}

void ws_hub_free(struct ws_hub *hub)
{
	if (!hub)
		return;
	metrics_remove_collector(hub->metrics, collect, hub);
	metrics_remove_collector(hub->metrics, mcu_rooms_collect, hub->mcu_rooms);
	soup_server_remove_handler(hub->soup, hub->path);
	for (GList *l = hub->connections; l; l = l->next) {
		struct ws_conn *conn = l->data;
		if (soup_websocket_connection_get_state(conn->ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(conn->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
			                                "server shutting down");
		conn_free(conn);
	}
	g_list_free(hub->connections);
	whip_free(hub->whip);
	ws_rooms_free(hub->rooms);
	mcu_rooms_free(hub->mcu_rooms); /* empty now: every peer has left with its connection */
	g_free(hub->path);
	g_free(hub);
}
