/* SPDX-License-Identifier: MIT */
/* Cầu's signalling for cau-load: one WebSocket to /ws per endpoint (as a browser has),
 * `peer.create` with the endpoint's offer into the room, the answer from the reply. The
 * join itself is one function (send_join) so that a join-token mode (`room.join`) can sit
 * beside `peer.create`. */
#define G_LOG_DOMAIN "cau-load"
#include "load.h"

#include <json-glib/json-glib.h>

struct cau_signal {
	struct endpoint *ep;
	SoupWebsocketConnection *ws;
	GCancellable *cancel;
	char *offer;
	gulong message_id;
};

static bool cau_setup(struct load *load, GError **error)
{
	if (load->token_file) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--token-file: this server has no room.join yet");
		return false;
	}
	if (!load->room)
		load->room = g_strdup(load->mode == MODE_ECHO ? "echo" : "mcu:load");
	return true;
}

static void send_json(SoupWebsocketConnection *ws, JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *text = NULL;

	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	soup_websocket_connection_send_text(ws, text);
}

/* The request that puts the endpoint in its room with its offer. */
static void send_join(struct cau_signal *s)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, 1);
	json_builder_set_member_name(b, "method");
	json_builder_add_string_value(b, "peer.create");
	json_builder_set_member_name(b, "params");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "room");
	json_builder_add_string_value(b, s->ep->load->room);
	json_builder_set_member_name(b, "offer");
	json_builder_add_string_value(b, s->offer);
	json_builder_end_object(b);
	json_builder_end_object(b);
	send_json(s->ws, b);
	g_clear_pointer(&s->offer, g_free);
}

static void on_message(SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
	struct cau_signal *s = user_data;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *obj, *result;
	gsize len = 0;
	const char *data = g_bytes_get_data(message, &len);

	if (type != SOUP_WEBSOCKET_DATA_TEXT ||
	    !json_parser_load_from_data(parser, data, len, NULL))
		return;
	obj = json_node_get_object(json_parser_get_root(parser));
	if (!obj || !json_object_has_member(obj, "id"))
		return; /* events: the endpoint has its own view of its peer */
	if (json_object_has_member(obj, "error")) {
		JsonObject *err = json_object_get_object_member(obj, "error");

		endpoint_failed(
		    s->ep, "peer.create: %s",
		    err ? json_object_get_string_member_with_default(err, "message", "?") : "?");
		return;
	}
	result = json_object_get_object_member(obj, "result");
	if (result && json_object_has_member(result, "answer"))
		endpoint_answered(s->ep, json_object_get_string_member(result, "answer"));
}

static void on_closed(SoupWebsocketConnection *ws, gpointer user_data)
{
	struct cau_signal *s = user_data;

	endpoint_failed(s->ep, "the signalling WebSocket closed (code %u)",
	                soup_websocket_connection_get_close_code(ws));
}

static void on_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
	struct cau_signal *s = user_data;
	g_autoptr(GError) error = NULL;
	SoupWebsocketConnection *ws =
	    soup_session_websocket_connect_finish(SOUP_SESSION(source), res, &error);

	if (!ws) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			endpoint_failed(s->ep, "WebSocket: %s", error->message);
		return;
	}
	s->ws = ws;
	soup_websocket_connection_set_keepalive_interval(ws, 0);
	g_signal_connect(ws, "message", G_CALLBACK(on_message), s);
	g_signal_connect(ws, "closed", G_CALLBACK(on_closed), s);
	send_join(s);
}

static void cau_join(struct endpoint *ep, const char *offer)
{
	struct cau_signal *s = g_new0(struct cau_signal, 1);
	g_autoptr(SoupMessage) msg = soup_message_new("GET", ep->load->url);

	s->ep = ep;
	s->offer = g_strdup(offer);
	s->cancel = g_cancellable_new();
	ep->signal = s;
	if (!msg) {
		endpoint_failed(ep, "bad URL %s", ep->load->url);
		return;
	}
	soup_session_websocket_connect_async(ep->load->http, msg, NULL, NULL, G_PRIORITY_DEFAULT,
	                                     s->cancel, on_connected, s);
}

static void cau_leave(struct endpoint *ep)
{
	struct cau_signal *s = g_steal_pointer(&ep->signal);

	g_cancellable_cancel(s->cancel);
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

static void cau_teardown(struct load *load)
{
}

const struct load_signal load_signal_cau = {
    .name = "cau",
    .setup = cau_setup,
    .join = cau_join,
    .leave = cau_leave,
    .teardown = cau_teardown,
};
