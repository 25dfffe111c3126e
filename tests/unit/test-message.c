/* SPDX-License-Identifier: MIT */
/* Unit tests of the WebSocket protocol envelope. */
#include "api/errors.h"
#include "api/message.h"

#include <string.h>

static bool parse(const char *text, struct api_request *req, GError **error)
{
	return api_request_parse(text, strlen(text), req, error);
}

static void test_valid_requests(void)
{
	struct api_request req;
	g_autoptr(GError) error = NULL;

	g_assert_true(parse("{\"id\":7,\"method\":\"ping\"}", &req, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(req.method, ==, "ping");
	g_assert_cmpint(json_node_get_int(req.id), ==, 7);
	g_assert_cmpuint(json_object_get_size(req.params), ==, 0);
	api_request_clear(&req);

	g_assert_true(parse("{\"id\":\"a-1\",\"method\":\"join\",\"params\":{\"room\":\"x\"}}",
	                    &req, &error));
	g_assert_cmpstr(json_node_get_string(req.id), ==, "a-1");
	g_assert_cmpstr(json_object_get_string_member(req.params, "room"), ==, "x");
	api_request_clear(&req);

	g_assert_true(parse("{\"method\":\"ping\"}", &req, &error));
	g_assert_null(req.id);
	api_request_clear(&req);
}

static void test_invalid_requests(void)
{
	static const struct {
		const char *text;
		int code;
		const char *says;
	} cases[] = {
	    {"{bad", API_ERROR_BAD_JSON, "not valid JSON"},
	    {"", API_ERROR_BAD_JSON, "not valid JSON"},
	    {"[1,2]", API_ERROR_BAD_REQUEST, "must be a JSON object"},
	    {"\"ping\"", API_ERROR_BAD_REQUEST, "must be a JSON object"},
	    {"{\"id\":1}", API_ERROR_BAD_REQUEST, "\"method\" is missing"},
	    {"{\"id\":1,\"method\":5}", API_ERROR_BAD_REQUEST, "\"method\" is missing or not"},
	    {"{\"id\":1,\"method\":\"\"}", API_ERROR_BAD_REQUEST, "1 to 64 bytes"},
	    {"{\"id\":1.5,\"method\":\"ping\"}", API_ERROR_BAD_REQUEST, "\"id\" must be"},
	    {"{\"id\":{},\"method\":\"ping\"}", API_ERROR_BAD_REQUEST, "\"id\" must be"},
	    {"{\"id\":1,\"method\":\"ping\",\"params\":[]}", API_ERROR_BAD_REQUEST,
	     "\"params\" must be an object"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct api_request req;
		g_autoptr(GError) error = NULL;

		g_assert_false(parse(cases[i].text, &req, &error));
		g_assert_error(error, API_ERROR, cases[i].code);
		g_assert_nonnull(strstr(error->message, cases[i].says));
		api_request_clear(&req);
	}
}

/* The id of a request that fails later is kept so the error reply can carry it. */
static void test_error_reply_keeps_id(void)
{
	struct api_request req;
	g_autoptr(GError) error = NULL;
	g_autofree char *reply = NULL;

	g_assert_false(parse("{\"id\":42,\"method\":\"ping\",\"params\":1}", &req, &error));
	reply = api_reply_error(req.id, error);
	g_assert_cmpstr(
	    reply, ==,
	    "{\"id\":42,\"error\":{\"code\":\"bad_request\",\"message\":\"\\\"params\\\" "
	    "must be an object\"}}");
	api_request_clear(&req);
}

static void test_builders(void)
{
	g_autoptr(JsonNode) id = json_node_init_string(json_node_alloc(), "q");
	g_autofree char *result = api_reply_result(id, NULL);
	g_autofree char *event = api_event("speaker", NULL);
	g_autoptr(GError) error = g_error_new_literal(API_ERROR, API_ERROR_NOT_FOUND, "no room");
	g_autofree char *body = api_error_json(error);

	g_assert_cmpstr(result, ==, "{\"id\":\"q\",\"result\":{}}");
	g_assert_cmpstr(event, ==, "{\"event\":\"speaker\",\"data\":{}}");
	g_assert_cmpstr(body, ==, "{\"error\":{\"code\":\"not_found\",\"message\":\"no room\"}}");
	g_assert_cmpuint(api_error_http_status(API_ERROR_TOO_LARGE), ==, 413);
	/* Every code has a wire name and a 4xx/5xx status of its own. */
	for (int code = 0; code <= API_ERROR_INTERNAL; code++) {
		g_assert_nonnull(api_error_name(code));
		g_assert_cmpuint(api_error_http_status(code), >=, 400);
		if (code != API_ERROR_INTERNAL)
			g_assert_cmpstr(api_error_name(code), !=, "internal");
	}
}

/* Strings written by hand read back as themselves through json-glib, and the reply
 * written around a result text has the id first and the result intact. */
static void test_text_writers(void)
{
	static const char *const samples[] = {
	    "",
	    "Phòng họp UBND xã Đạ Tẻh",
	    "quote \" backslash \\ slash /",
	    "tab\tnew\nline\rcr \x01\x1f end",
	    "{\"id\":1}",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(samples); i++) {
		g_autoptr(GString) out = g_string_new("");
		g_autoptr(JsonParser) parser = json_parser_new();
		g_autoptr(GError) error = NULL;

		api_json_append_string(out, samples[i]);
		g_assert_true(json_parser_load_from_data(parser, out->str, -1, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(json_node_get_string(json_parser_get_root(parser)), ==, samples[i]);
	}

	g_autoptr(JsonNode) id = json_node_init_string(json_node_alloc(), "a\"b");
	g_autofree char *reply = api_reply_result_text(id, "{\"n\":[1,2]}");
	g_assert_cmpstr(reply, ==, "{\"id\":\"a\\\"b\",\"result\":{\"n\":[1,2]}}");
	g_autofree char *no_id = api_reply_result_text(NULL, "{}");
	g_assert_cmpstr(no_id, ==, "{\"id\":null,\"result\":{}}");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/message/valid", test_valid_requests);
	g_test_add_func("/message/invalid", test_invalid_requests);
	g_test_add_func("/message/error-keeps-id", test_error_reply_keeps_id);
	g_test_add_func("/message/builders", test_builders);
	g_test_add_func("/message/text-writers", test_text_writers);
	return g_test_run();
}
