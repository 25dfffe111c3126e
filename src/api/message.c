/* SPDX-License-Identifier: MIT */
/* Parsing and writing the WebSocket protocol's envelopes. */
#include "message.h"

#include "core/log.h"
#include "errors.h"

#include <string.h>

static bool valid_id(JsonNode *id, GError **error)
{
	if (JSON_NODE_HOLDS_VALUE(id)) {
		GType t = json_node_get_value_type(id);
		if (t == G_TYPE_INT64)
			return true;
		if (t == G_TYPE_STRING && strlen(json_node_get_string(id)) <= API_MESSAGE_MAX_ID)
			return true;
	}
	g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
	            "\"id\" must be an integer or a string of at most %d bytes",
	            API_MESSAGE_MAX_ID);
	return false;
}

static bool valid_method(JsonNode *node, GError **error)
{
	const char *m;

	if (!node || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "\"method\" is missing or not a string");
		return false;
	}
	m = json_node_get_string(node);
	if (!*m || strlen(m) > API_MESSAGE_MAX_METHOD) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "\"method\" must have 1 to %d bytes", API_MESSAGE_MAX_METHOD);
		return false;
	}
	return true;
}

bool api_request_parse(const char *text, size_t len, struct api_request *out, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(GError) local = NULL;
	JsonObject *obj;
	JsonNode *root, *params;

	memset(out, 0, sizeof *out);
	if (len > G_MAXSSIZE || !json_parser_load_from_data(parser, text, (gssize)len, &local)) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_JSON, "not valid JSON: %s",
		            local ? local->message : "too long");
		return false;
	}
	root = json_parser_get_root(parser);
	if (!root) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_JSON, "not valid JSON: empty message");
		return false;
	}
	if (!JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "a message must be a JSON object");
		return false;
	}
	obj = json_node_get_object(root);
	if (json_object_has_member(obj, "id")) {
		JsonNode *id = json_object_get_member(obj, "id");
		if (!valid_id(id, error))
			return false;
		out->id = json_node_copy(id);
	}
	if (!valid_method(json_object_get_member(obj, "method"), error))
		return false;
	params = json_object_get_member(obj, "params");
	if (params && !JSON_NODE_HOLDS_OBJECT(params)) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "\"params\" must be an object");
		return false;
	}
	out->method = g_strdup(json_object_get_string_member(obj, "method"));
	out->params = params ? json_object_ref(json_node_get_object(params)) : json_object_new();
	return true;
}

void api_request_clear(struct api_request *req)
{
	g_clear_pointer(&req->id, json_node_unref);
	g_clear_pointer(&req->method, g_free);
	g_clear_pointer(&req->params, json_object_unref);
}

static char *to_text(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

static void add_id(JsonBuilder *b, JsonNode *id)
{
	json_builder_set_member_name(b, "id");
	if (id)
		json_builder_add_value(b, json_node_copy(id));
	else
		json_builder_add_null_value(b);
}

static void add_object_or_empty(JsonBuilder *b, JsonNode *node)
{
	if (node) {
		json_builder_add_value(b, node);
		return;
	}
	json_builder_begin_object(b);
	json_builder_end_object(b);
}

char *api_reply_result(JsonNode *id, JsonNode *result)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	add_id(b, id);
	json_builder_set_member_name(b, "result");
	add_object_or_empty(b, result);
	json_builder_end_object(b);
	return to_text(b);
}

static void add_error(JsonBuilder *b, const GError *error)
{
	const char *name = error->domain == API_ERROR ? api_error_name(error->code) : "internal";

	json_builder_set_member_name(b, "error");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "code");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, error->message);
	json_builder_end_object(b);
}

char *api_reply_error(JsonNode *id, const GError *error)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	add_id(b, id);
	add_error(b, error);
	json_builder_end_object(b);
	return to_text(b);
}

char *api_error_json(const GError *error)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	add_error(b, error);
	json_builder_end_object(b);
	return to_text(b);
}

void api_json_append_string(GString *out, const char *s)
{
	log_json_escape(out, s); /* the log's JSON lines and the API's texts escape alike */
}

char *api_reply_result_text(JsonNode *id, const char *result_json)
{
	GString *out = g_string_new("{\"id\":");

	if (id) {
		g_autofree char *text = json_to_string(id, FALSE);
		g_string_append(out, text);
	} else {
		g_string_append(out, "null");
	}
	g_string_append(out, ",\"result\":");
	g_string_append(out, result_json);
	g_string_append_c(out, '}');
	return g_string_free(out, FALSE);
}

char *api_event(const char *name, JsonNode *data)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "event");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "data");
	add_object_or_empty(b, data);
	json_builder_end_object(b);
	return to_text(b);
}
