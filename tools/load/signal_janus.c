/* SPDX-License-Identifier: MIT */
/* Janus's HTTP API for cau-load: per endpoint a session, a handle on the plugin under test
 * (AudioBridge: join a room with the offer; EchoTest: audio on, with the offer), and a
 * long poll on the session that brings the answer and then keeps the session alive. */
#define G_LOG_DOMAIN "cau-load"
#include "load.h"

#include <json-glib/json-glib.h>

struct janus_signal {
	struct endpoint *ep;
	GCancellable *cancel;
	char *offer;
	guint64 session, handle;
	bool answered;
};

static const char *janus_plugin(const struct load *load)
{
	return load->mode == MODE_ECHO ? "janus.plugin.echotest" : "janus.plugin.audiobridge";
}

static bool janus_setup(struct load *load, GError **error)
{
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

typedef void (*reply_fn)(struct janus_signal *s, JsonObject *reply);

struct request {
	struct janus_signal *s;
	reply_fn done;
	SoupMessage *msg;
	bool poll; /* a long poll: sent again when it returns */
};

static void poll_session(struct janus_signal *s);

static void on_reply(GObject *source, GAsyncResult *res, gpointer user_data)
{
	struct request *r = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) body =
	    soup_session_send_and_read_finish(SOUP_SESSION(source), res, &error);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonNode *root;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		goto out;
	if (r->poll && r->s->ep->state == EP_FAILED)
		goto out;
	if (!body || !json_parser_load_from_data(parser, g_bytes_get_data(body, NULL),
	                                         (gssize)g_bytes_get_size(body), NULL)) {
		endpoint_failed(r->s->ep, "janus: %s", error ? error->message : "bad reply");
		goto out;
	}
	root = json_parser_get_root(parser);
	if (JSON_NODE_HOLDS_ARRAY(root)) { /* a long poll with maxev > 1 */
		JsonArray *events = json_node_get_array(root);

		for (guint i = 0; i < json_array_get_length(events); i++)
			r->done(r->s, json_array_get_object_element(events, i));
		if (json_array_get_length(events) == 0)
			r->done(r->s, NULL);
	} else {
		r->done(r->s, json_node_get_object(root));
	}
	if (r->poll && r->s->ep->state != EP_FAILED)
		poll_session(r->s);
out:
	g_object_unref(r->msg);
	g_free(r);
}

/* Sends obj (POST, or a GET long poll when obj is NULL) to the session's path. */
static struct request *janus_send(struct janus_signal *s, const char *path, JsonBuilder *b,
                                  reply_fn done)
{
	struct load *load = s->ep->load;
	g_autofree char *url = g_strconcat(load->url, path, NULL);
	struct request *r = g_new0(struct request, 1);

	r->s = s;
	r->done = done;
	r->msg = soup_message_new(b ? "POST" : "GET", url);
	if (b) {
		g_autoptr(JsonGenerator) gen = json_generator_new();
		g_autoptr(JsonNode) root = json_builder_get_root(b);
		gsize len = 0;
		char *text;

		json_generator_set_root(gen, root);
		text = json_generator_to_data(gen, &len);
		soup_message_set_request_body_from_bytes(r->msg, "application/json",
		                                         g_bytes_new_take(text, len));
	}
	soup_session_send_and_read_async(load->http, r->msg, G_PRIORITY_DEFAULT, s->cancel,
	                                 on_reply, r);
	return r;
}

/* A request with its own transaction: Janus's HTTP transport matches a reply to the
 * request waiting for it by that string, so two requests in flight with the same one
 * get each other's replies (sessions and handles mixed up between endpoints). */
static JsonBuilder *request_begin(const char *janus)
{
	static unsigned counter; /* main thread only */
	g_autofree char *transaction = g_strdup_printf("cau-load-%u", ++counter);
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "janus");
	json_builder_add_string_value(b, janus);
	json_builder_set_member_name(b, "transaction");
	json_builder_add_string_value(b, transaction);
	return b;
}

static bool check_success(struct janus_signal *s, JsonObject *reply, const char *what)
{
	const char *janus =
	    reply ? json_object_get_string_member_with_default(reply, "janus", "") : "";

	if (strcmp(janus, "success") == 0 || strcmp(janus, "ack") == 0)
		return true;
	endpoint_failed(s->ep, "janus %s: %s", what, janus);
	return false;
}

static void on_event(struct janus_signal *s, JsonObject *event)
{
	JsonObject *jsep, *data, *plugindata;

	jsep = member_object(event, "jsep");
	if (jsep && !s->answered) {
		s->answered = true;
		endpoint_answered(s->ep,
		                  json_object_get_string_member_with_default(jsep, "sdp", ""));
	}
	plugindata = member_object(event, "plugindata");
	data = member_object(plugindata, "data");
	if (data && json_object_has_member(data, "error"))
		endpoint_failed(s->ep, "janus: %s", json_object_get_string_member(data, "error"));
}

static void on_poll(struct janus_signal *s, JsonObject *event)
{
	on_event(s, event);
}

/* The long poll: at most 10 events at a time, again and again until the session ends
 * (which also keeps the session alive, as a browser's janus.js does). */
static void poll_session(struct janus_signal *s)
{
	g_autofree char *path = g_strdup_printf("/%" G_GUINT64_FORMAT "?maxev=10", s->session);

	janus_send(s, path, NULL, on_poll)->poll = true;
}

static void on_message_ack(struct janus_signal *s, JsonObject *reply)
{
	if (check_success(s, reply, "message"))
		on_event(s, reply); /* EchoTest may answer at once */
}

static void send_offer(struct janus_signal *s)
{
	struct load *load = s->ep->load;
	g_autoptr(JsonBuilder) b = request_begin("message");
	g_autofree char *path =
	    g_strdup_printf("/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, s->session, s->handle);
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
	json_builder_end_object(b);
	json_builder_end_object(b);
	janus_send(s, path, b, on_message_ack);
	g_clear_pointer(&s->offer, g_free);
}

static void on_attached(struct janus_signal *s, JsonObject *reply)
{
	JsonObject *data;

	if (!check_success(s, reply, "attach"))
		return;
	data = member_object(reply, "data");
	s->handle = data ? (guint64)json_object_get_int_member(data, "id") : 0;
	send_offer(s);
}

static void on_created(struct janus_signal *s, JsonObject *reply)
{
	g_autoptr(JsonBuilder) b = request_begin("attach");
	g_autofree char *path = NULL;
	JsonObject *data;

	if (!check_success(s, reply, "create"))
		return;
	data = member_object(reply, "data");
	s->session = data ? (guint64)json_object_get_int_member(data, "id") : 0;
	path = g_strdup_printf("/%" G_GUINT64_FORMAT, s->session);
	json_builder_set_member_name(b, "plugin");
	json_builder_add_string_value(b, janus_plugin(s->ep->load));
	json_builder_end_object(b);
	janus_send(s, path, b, on_attached);
	poll_session(s);
}

static void janus_join(struct endpoint *ep, const char *offer)
{
	struct janus_signal *s = g_new0(struct janus_signal, 1);
	g_autoptr(JsonBuilder) b = request_begin("create");

	s->ep = ep;
	s->offer = g_strdup(offer);
	s->cancel = g_cancellable_new();
	ep->signal = s;
	json_builder_end_object(b);
	janus_send(s, "", b, on_created);
}

static void janus_leave(struct endpoint *ep)
{
	struct janus_signal *s = g_steal_pointer(&ep->signal);

	g_cancellable_cancel(s->cancel);
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
