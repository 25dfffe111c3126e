/* SPDX-License-Identifier: MIT */
/* Janus's WebSocket API for cau-load: per endpoint one WebSocket (as janus.js in a browser
 * has), a session, a handle on the plugin under test (AudioBridge: join a room with the
 * offer; EchoTest: audio on, with the offer), the answer from the plugin's event, and a
 * keepalive every 25 s. */
#define G_LOG_DOMAIN "cau-load"
#include "load.h"

#include <json-glib/json-glib.h>

/*
 * Why WebSockets and not Janus's HTTP API: with the HTTP API (one long poll per session,
 * as janus.js does over HTTP) libsoup opened a new TCP connection for nearly every request
 * (715 sockets for 715 requests at N = 300) and left many requests unsent for tens of
 * seconds (171 long polls written for 300 sessions), so at N >= ~40 joining at 50/s most
 * answers never reached the endpoints and Janus timed their sessions out: at N = 170 some
 * and at N = 300 or 500 none of the endpoints connected. Janus itself answered every long
 * poll it was sent (a plain Python client got all 300 "joined" events). Over one WebSocket
 * per endpoint there is no long poll: events are pushed as they happen.
 */

#define KEEPALIVE_S 25 /* janus.js's interval; the bench's session_timeout is 60 s */

struct janus_signal {
	struct endpoint *ep;
	SoupWebsocketConnection *ws;
	GCancellable *cancel;
	char *offer;
	guint64 session, handle;
	guint keepalive;
	bool answered;
};

static const char *janus_plugin(const struct load *load)
{
	return load->mode == MODE_ECHO ? "janus.plugin.echotest" : "janus.plugin.audiobridge";
}

static bool janus_setup(struct load *load, GError **error)
{
	if (!g_str_has_prefix(load->url, "ws://")) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--url for Janus: its WebSocket API, ws://HOST:8188/");
		return false;
	}
	if (!load->room)
		load->room = g_strdup(load->mode == MODE_ECHO ? "echotest" : "audiobridge:1234");
	if (load->mode == MODE_MCU && !g_str_has_prefix(load->room, "audiobridge:")) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--room for Janus: audiobridge:ID or echotest");
		return false;
	}
	return true;
}

/* obj's member name if it is an object, else NULL (no warning when it is missing). */
static JsonObject *member_object(JsonObject *obj, const char *name)
{
	JsonNode *node = obj ? json_object_get_member(obj, name) : NULL;

	return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

/* A request: {"janus": janus, "transaction": transaction, and the ids known so far}. One
 * request of each kind is in flight per WebSocket, so the kind is the transaction. */
static JsonBuilder *request_begin(struct janus_signal *s, const char *janus)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "janus");
	json_builder_add_string_value(b, janus);
	json_builder_set_member_name(b, "transaction");
	json_builder_add_string_value(b, janus);
	if (s->session) {
		json_builder_set_member_name(b, "session_id");
		json_builder_add_int_value(b, (gint64)s->session);
	}
	if (s->handle) {
		json_builder_set_member_name(b, "handle_id");
		json_builder_add_int_value(b, (gint64)s->handle);
	}
	return b;
}

/* Sends request b (and frees it). */
static void request_send(struct janus_signal *s, JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;

	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	if (s->ws && soup_websocket_connection_get_state(s->ws) == SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_send_text(s->ws, text);
	g_object_unref(b);
}

static void send_offer(struct janus_signal *s)
{
	struct load *load = s->ep->load;
	JsonBuilder *b = request_begin(s, "message");
	g_autofree char *display = g_strdup_printf("cau-load %u", s->ep->index);

	json_builder_set_member_name(b, "body");
	json_builder_begin_object(b);
	if (load->mode == MODE_ECHO) {
		json_builder_set_member_name(b, "audio");
		json_builder_add_boolean_value(b, TRUE);
		json_builder_set_member_name(b, "video");
		json_builder_add_boolean_value(b, FALSE);
	} else {
		json_builder_set_member_name(b, "request");
		json_builder_add_string_value(b, "join");
		json_builder_set_member_name(b, "room");
		json_builder_add_int_value(
		    b, g_ascii_strtoll(load->room + strlen("audiobridge:"), NULL, 10));
		json_builder_set_member_name(b, "display");
		json_builder_add_string_value(b, display);
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "jsep");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "offer");
	json_builder_set_member_name(b, "sdp");
	json_builder_add_string_value(b, s->offer);
	/* The offer carries every candidate and a=end-of-candidates: no trickle follows.
	 * Without this Janus waits for trickled candidates ("trickle pending"). */
	json_builder_set_member_name(b, "trickle");
	json_builder_add_boolean_value(b, FALSE);
	json_builder_end_object(b);
	request_send(s, b);
	g_clear_pointer(&s->offer, g_free);
}

static gboolean send_keepalive(gpointer data)
{
	struct janus_signal *s = data;

	request_send(s, request_begin(s, "keepalive"));
	return G_SOURCE_CONTINUE;
}

/* A "success" reply: to create (the session) or to attach (the handle). */
static void on_success(struct janus_signal *s, JsonObject *msg)
{
	const char *transaction =
	    json_object_get_string_member_with_default(msg, "transaction", "");
	JsonObject *data = member_object(msg, "data");
	guint64 id = data ? (guint64)json_object_get_int_member_with_default(data, "id", 0) : 0;

	if (strcmp(transaction, "create") == 0 && id) {
		JsonBuilder *b;

		s->session = id;
		s->keepalive = g_timeout_add_seconds(KEEPALIVE_S, send_keepalive, s);
		b = request_begin(s, "attach");
		json_builder_set_member_name(b, "plugin");
		json_builder_add_string_value(b, janus_plugin(s->ep->load));
		request_send(s, b);
	} else if (strcmp(transaction, "attach") == 0 && id) {
		s->handle = id;
		send_offer(s);
	}
}

/* A plugin's event: the answer, or an error of the plugin's. */
static void on_event(struct janus_signal *s, JsonObject *msg)
{
	JsonObject *jsep = member_object(msg, "jsep");
	JsonObject *data = member_object(member_object(msg, "plugindata"), "data");

	if (jsep && !s->answered) {
		s->answered = true;
		endpoint_answered(s->ep,
		                  json_object_get_string_member_with_default(jsep, "sdp", ""));
	}
	if (data && json_object_has_member(data, "error"))
		endpoint_failed(s->ep, "janus: %s",
		                json_object_get_string_member_with_default(data, "error", "?"));
}

static void on_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
	struct janus_signal *s = user_data;
	g_autoptr(JsonParser) parser = json_parser_new();
	gsize len = 0;
	const char *text = g_bytes_get_data(message, &len);
	JsonNode *root;
	JsonObject *msg;
	const char *janus;

	if (type != SOUP_WEBSOCKET_DATA_TEXT ||
	    !json_parser_load_from_data(parser, text, len, NULL))
		return;
	root = json_parser_get_root(parser);
	msg = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
	janus = msg ? json_object_get_string_member_with_default(msg, "janus", "") : "";
	if (strcmp(janus, "success") == 0) {
		on_success(s, msg);
	} else if (strcmp(janus, "event") == 0) {
		on_event(s, msg);
	} else if (strcmp(janus, "error") == 0) {
		JsonObject *err = member_object(msg, "error");

		endpoint_failed(s->ep, "janus %s: %s",
		                json_object_get_string_member_with_default(msg, "transaction", "?"),
		                err ? json_object_get_string_member_with_default(err, "reason", "?")
		                    : "?");
	} else if (strcmp(janus, "hangup") == 0 || strcmp(janus, "timeout") == 0) {
		endpoint_failed(s->ep, "janus %s: %s", janus,
		                json_object_get_string_member_with_default(msg, "reason", "-"));
	}
	/* ack, webrtcup, media, slowlink, detached: nothing to do */
}

static void on_closed(SoupWebsocketConnection *ws, gpointer user_data)
{
	struct janus_signal *s = user_data;

	endpoint_failed(s->ep, "the Janus WebSocket closed (code %u)",
	                soup_websocket_connection_get_close_code(ws));
}

static void on_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
	struct janus_signal *s = user_data;
	g_autoptr(GError) error = NULL;
	SoupWebsocketConnection *ws =
	    soup_session_websocket_connect_finish(SOUP_SESSION(source), res, &error);

	if (!ws) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			endpoint_failed(s->ep, "Janus WebSocket: %s", error->message);
		return;
	}
	s->ws = ws;
	soup_websocket_connection_set_keepalive_interval(ws, 0);
	/* AudioBridge's reply to a join lists every participant: ~90 bytes each. */
	soup_websocket_connection_set_max_incoming_payload_size(ws, 8 * 1024 * 1024);
	g_signal_connect(ws, "message", G_CALLBACK(on_message), s);
	g_signal_connect(ws, "closed", G_CALLBACK(on_closed), s);
	request_send(s, request_begin(s, "create"));
}

static void janus_join(struct endpoint *ep, const char *offer)
{
	static char *protocols[] = {"janus-protocol", NULL};
	struct janus_signal *s = g_new0(struct janus_signal, 1);
	g_autoptr(SoupMessage) msg = soup_message_new("GET", ep->load->url);

	s->ep = ep;
	s->offer = g_strdup(offer);
	s->cancel = g_cancellable_new();
	ep->signal = s;
	if (!msg) {
		endpoint_failed(ep, "bad URL %s", ep->load->url);
		return;
	}
	soup_session_websocket_connect_async(ep->load->http, msg, NULL, protocols,
	                                     G_PRIORITY_DEFAULT, s->cancel, on_connected, s);
}

/* Closing the WebSocket ends the session: Janus destroys the sessions of a transport
 * that is gone, hanging up their PeerConnections. */
static void janus_leave(struct endpoint *ep)
{
	struct janus_signal *s = g_steal_pointer(&ep->signal);

	g_cancellable_cancel(s->cancel);
	if (s->keepalive)
		g_source_remove(s->keepalive);
	if (s->ws) {
		g_signal_handlers_disconnect_by_data(s->ws, s);
		if (soup_websocket_connection_get_state(s->ws) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_close(s->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
		g_object_unref(s->ws);
	}
	g_object_unref(s->cancel);
	g_free(s->offer);
	g_free(s);
}

static void janus_teardown(struct load *load)
{
}

const struct load_signal load_signal_janus = {
    .name = "janus",
    .setup = janus_setup,
    .join = janus_join,
    .leave = janus_leave,
    .teardown = janus_teardown,
};
