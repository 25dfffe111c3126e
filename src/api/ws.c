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

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#define WS_HARD_LIMIT_FACTOR  4
#define WS_CLOSE_RATE_LIMITED 1008 /* policy violation */
#define WS_CLOSE_TOO_SLOW     4008 /* private use: the client did not read its messages */
/* Bytes handed to a socket in one pass: a socket that took them comes round again in the
 * next main loop iteration. */
#define WS_WRITE_BATCH_BYTES  (256 << 10)
/* Bytes handed to a socket before asking again whether it takes more (a poll() per
 * batch would double the system calls of a fan-out): what libsoup may hold for a stalled
 * client beyond the queue that ws_max_queued_bytes bounds. */
#define WS_UNCHECKED_BYTES    (64 << 10)

struct ws_hub {
	SoupServer *soup;
	char *path;
	struct ws_config cfg;
	struct metrics *metrics;
	struct mcu_rooms *mcu_rooms;
	struct ws_rooms *rooms;
	struct whip *whip;  /* WHIP/WHEP sessions in the same rooms */
	GList *connections; /* of struct ws_conn */
	GQueue dirty;       /* of struct ws_conn with ready messages not yet written */
	guint flush_source; /* the idle that writes them, once per main loop iteration */
	guint64 next_id;
	guint64 messages_total, errors_total, rate_limited_total, rate_closes_total;
	guint64 slow_closes_total, batches_total, frames_total;
};

struct ws_conn {
	struct ws_hub *hub;
	SoupWebsocketConnection *ws;
	GSocket *socket; /* its TCP socket (writability, corking), or NULL */
	guint64 id;
	GQueue out;            /* of struct ws_call: replies (ready or not) and events, in order */
	gsize queued_bytes;    /* of the ready messages in `out` */
	gsize unchecked_bytes; /* handed to libsoup since the socket was last seen writable */
	GList *dirty_link;     /* its link in hub->dirty, or NULL */
	GSource *writable;     /* waiting for the socket to take more, or NULL */
	GHashTable *peers;     /* see ws_conn_peers() */
	struct ws_seat *seat;  /* its seat in a meeting room, or NULL */
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
	GBytes *text; /* NULL while a deferred reply is pending; shared by an event's calls */
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
	if (call->text)
		g_bytes_unref(call->text);
	g_free(call);
}

static void cork(struct ws_conn *conn, int on)
{
	if (conn->socket &&
	    setsockopt(g_socket_get_fd(conn->socket), IPPROTO_TCP, TCP_CORK, &on, sizeof(on)) != 0)
		g_debug("[ws %" G_GUINT64_FORMAT "] TCP_CORK: %s", conn->id, g_strerror(errno));
}

static void schedule(struct ws_conn *conn);

/* Whether the message after the head is ready too (then the batch is corked). */
static bool next_ready(struct ws_conn *conn)
{
	struct ws_call *next = g_queue_peek_nth(&conn->out, 1);

	return next && next->text;
}

static gboolean on_writable(GSocket *socket, GIOCondition condition, gpointer user_data)
{
	struct ws_conn *conn = user_data;

	g_clear_pointer(&conn->writable, g_source_unref);
	schedule(conn);
	return G_SOURCE_REMOVE;
}

static void watch_writable(struct ws_conn *conn)
{
	if (conn->writable)
		return;
	conn->writable = g_socket_create_source(conn->socket, G_IO_OUT, NULL);
	g_source_set_callback(conn->writable, G_SOURCE_FUNC(on_writable), conn, NULL);
	g_source_attach(conn->writable, NULL);
}

/* Hands the ready messages at the head of the queue to libsoup, as many as the socket
 * takes now (one TCP push for all of them), and watches the socket when it is full. */
static void write_ready(struct ws_conn *conn)
{
	struct ws_call *call;
	gsize batch = 0;
	guint frames = 0;
	bool corked = false;
	bool open = soup_websocket_connection_get_state(conn->ws) == SOUP_WEBSOCKET_STATE_OPEN;

	if (open && conn->socket && conn->unchecked_bytes >= WS_UNCHECKED_BYTES) {
		if (g_socket_condition_check(conn->socket, G_IO_OUT)) {
			conn->unchecked_bytes = 0;
		} else {
			watch_writable(conn);
			return;
		}
	}
	while ((call = g_queue_peek_head(&conn->out)) && call->text) {
		gsize size = g_bytes_get_size(call->text);

		if (batch > 0 && batch + size > WS_WRITE_BATCH_BYTES) {
			schedule(conn); /* the rest in the next iteration */
			break;
		}
		if (open && frames++ == 0 && next_ready(conn)) {
			cork(conn, 1);
			corked = true;
		}
		g_queue_pop_head(&conn->out);
		conn->queued_bytes -= size;
		conn->unchecked_bytes += size;
		batch += size;
		if (open)
			soup_websocket_connection_send_message(conn->ws, SOUP_WEBSOCKET_DATA_TEXT,
			                                       call->text);
		call_free(call);
	}
	if (corked)
		cork(conn, 0);
	conn->hub->batches_total += frames > 0;
	conn->hub->frames_total += frames;
}

static gboolean flush_dirty(gpointer user_data)
{
	struct ws_hub *hub = user_data;
	GQueue now = hub->dirty;
	struct ws_conn *conn;

	hub->flush_source = 0;
	g_queue_init(&hub->dirty);
	for (GList *l = now.head; l; l = l->next)
		((struct ws_conn *)l->data)->dirty_link = NULL;
	while ((conn = g_queue_pop_head(&now)))
		write_ready(conn);
	return G_SOURCE_REMOVE;
}

/* Writes the connection's ready messages at the end of this main loop iteration: every
 * message raised while handling the requests that arrived together leaves in one batch. */
static void schedule(struct ws_conn *conn)
{
	struct ws_hub *hub = conn->hub;

	if (conn->closing || conn->dirty_link || conn->writable)
		return;
	g_queue_push_tail(&hub->dirty, conn);
	conn->dirty_link = hub->dirty.tail;
	if (!hub->flush_source)
		hub->flush_source = g_idle_add_full(G_PRIORITY_HIGH, flush_dirty, hub, NULL);
}

/* Closes the connection with `code` after writing the messages ready now (the replies
 * that explain the close), without waiting for the end of the iteration. */
static void close_after_ready(struct ws_conn *conn, gushort code, const char *reason)
{
	if (conn->dirty_link) {
		g_queue_delete_link(&conn->hub->dirty, conn->dirty_link);
		conn->dirty_link = NULL;
	}
	write_ready(conn);
	soup_websocket_connection_close(conn->ws, code, reason);
}

/* Counts a message that became ready. A client that leaves more than [http]
 * ws_max_queued_bytes unread (a dead link, a stalled tab) is closed with 4008 and its queue
 * dropped, so that it holds no memory and no time of the others. */
static void ready(struct ws_conn *conn, struct ws_call *call)
{
	conn->queued_bytes += g_bytes_get_size(call->text);
	if (conn->queued_bytes > (gsize)conn->hub->cfg.max_queued_bytes && !conn->closing &&
	    soup_websocket_connection_get_state(conn->ws) == SOUP_WEBSOCKET_STATE_OPEN) {
		conn->hub->slow_closes_total++;
		g_info("[ws %" G_GUINT64_FORMAT "] closing: %zu bytes of messages unread", conn->id,
		       conn->queued_bytes);
		soup_websocket_connection_close(conn->ws, WS_CLOSE_TOO_SLOW,
		                                "too slow: messages left unread");
	}
	schedule(conn);
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
	char *text;

	if (error) {
		call->conn->hub->errors_total++;
		g_debug("[ws %" G_GUINT64_FORMAT "] request refused: %s", call->conn->id,
		        error->message);
		if (error->domain == API_ERROR) {
			text = api_reply_error(call->id, error);
		} else {
			/* Lower layers' errors (SDP, negotiation) get their API code here. */
			g_autoptr(GError) mapped =
			    g_error_new_literal(API_ERROR, api_error_from(error), error->message);
			text = api_reply_error(call->id, mapped);
		}
		if (result)
			json_node_unref(result);
	} else {
		text = api_reply_result(call->id, result);
	}
	call->text = g_bytes_new_take(text, strlen(text));
	ready(call->conn, call);
}

void ws_call_finish(struct ws_call *call, JsonNode *result, const GError *error)
{
	g_return_if_fail(call->deferred && !call->text);
	set_reply(call, result, error);
}

void ws_call_finish_text(struct ws_call *call, const char *result_json)
{
	char *text;

	g_return_if_fail(call->deferred && !call->text);
	text = api_reply_result_text(call->id, result_json);
	call->text = g_bytes_new_take(text, strlen(text));
	ready(call->conn, call);
}

GBytes *ws_event_text(const char *name, JsonNode *data)
{
	char *text = api_event(name, data);

	return g_bytes_new_take(text, strlen(text));
}

void ws_conn_send_event_text(struct ws_conn *conn, GBytes *text)
{
	struct ws_call *call = enqueue(conn, NULL);

	call->text = g_bytes_ref(text);
	ready(conn, call);
}

void ws_conn_send_event(struct ws_conn *conn, const char *name, JsonNode *data)
{
	g_autoptr(GBytes) text = ws_event_text(name, data);

	ws_conn_send_event_text(conn, text);
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
}

static void send_error_now(struct ws_conn *conn, const GError *error)
{
	struct ws_call *call = enqueue(conn, NULL);

	set_reply(call, NULL, error);
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
		close_after_ready(conn, WS_CLOSE_RATE_LIMITED, "rate limit exceeded");
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
		close_after_ready(conn, SOUP_WEBSOCKET_CLOSE_TOO_BIG, reason);
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
	if (conn->dirty_link) {
		g_queue_delete_link(&conn->hub->dirty, conn->dirty_link);
		conn->dirty_link = NULL;
	}
	if (conn->writable) {
		g_source_destroy(conn->writable);
		g_clear_pointer(&conn->writable, g_source_unref);
	}
	g_queue_clear_full(&conn->out, (GDestroyNotify)call_free);
	g_clear_object(&conn->socket);
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
	conn->socket = soup_server_message_get_socket(msg);
	if (conn->socket)
		g_object_ref(conn->socket);
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
	metrics_write_header(out, "cau_ws_slow_closes_total", "counter",
	                     "WebSocket connections closed for leaving messages unread (4008).");
	metrics_write_sample(out, "cau_ws_slow_closes_total", (double)hub->slow_closes_total, NULL);
	metrics_write_header(out, "cau_ws_write_batches_total", "counter",
	                     "Batches of WebSocket messages written to a connection at once.");
	metrics_write_sample(out, "cau_ws_write_batches_total", (double)hub->batches_total, NULL);
	metrics_write_header(out, "cau_ws_sent_messages_total", "counter",
	                     "WebSocket messages (replies and events) written.");
	metrics_write_sample(out, "cau_ws_sent_messages_total", (double)hub->frames_total, NULL);
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

struct rooms *ws_hub_rooms(struct ws_hub *hub)
{
	return hub->rooms->rooms;
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
	if (hub->flush_source)
		g_source_remove(hub->flush_source);
	whip_free(hub->whip);
	ws_rooms_free(hub->rooms);
	mcu_rooms_free(hub->mcu_rooms); /* empty now: every peer has left with its connection */
	g_free(hub->path);
	g_free(hub);
}
