/* SPDX-License-Identifier: MIT */
/* The WebSocket protocol's message envelope: parse a request, build replies and events.
 * Pure: text in, struct out; no I/O (fuzzed by tests/fuzz/fuzz-message.c). */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>

#define API_MESSAGE_MAX_METHOD 64
#define API_MESSAGE_MAX_ID     128

/* A request: {"id": 1 | "abc", "method": "name", "params": {...}}. */
struct api_request {
	JsonNode *id;       /* integer or string node, or NULL when the client gave none */
	char *method;       /* never NULL after a successful parse */
	JsonObject *params; /* never NULL: empty when absent */
};

/* Parses one text message. On failure returns false with an API_ERROR (bad_json or
 * bad_request) whose message says what is wrong; `out->id` is still filled when the id
 * could be read, so the error reply can carry it. Call api_request_clear() either way. */
bool api_request_parse(const char *text, size_t len, struct api_request *out, GError **error);
void api_request_clear(struct api_request *req);

/* {"id": id, "result": result}; takes ownership of `result` (may be NULL for {}). */
char *api_reply_result(JsonNode *id, JsonNode *result);
/* {"id": id, "error": {"code": name, "message": message}}; `id` may be NULL. */
char *api_reply_error(JsonNode *id, const GError *error);
/* {"error": {"code": name, "message": message}}, the body of an HTTP error. */
char *api_error_json(const GError *error);
/* {"event": name, "data": data}; takes ownership of `data` (may be NULL for {}). */
char *api_event(const char *name, JsonNode *data);

/* Appends `s` (UTF-8) to `out` as a JSON string, quoted, with '"', '\\' and the control
 * characters escaped, as json-glib writes it. For replies too large to build as trees. */
void api_json_append_string(GString *out, const char *s);
/* {"id": id, "result": result_json} where result_json is JSON text (an object) written
 * by the caller; the id comes first. Returns a newly allocated string. */
char *api_reply_result_text(JsonNode *id, const char *result_json);
