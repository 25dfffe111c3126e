/* SPDX-License-Identifier: MIT */
/* REST dispatch: route matching, authentication, role checks, JSON bodies, replies. */
#define G_LOG_DOMAIN "cau-rest"
#include "rest.h"

#include "control/materials.h"
#include "errors.h"
#include "http.h"
#include "message.h"
#include "validate.h"

#include <string.h>

static const struct rest_route_table rest_index_routes;

/* One resource per line (clang-format would pack them), so that merges add lines. */
/* clang-format off */
static const struct rest_route_table *const tables[] = {
    &rest_index_routes,
    &rest_auth_routes,
    &rest_accounts_routes,
    &rest_audit_routes,
    &rest_meetings_routes,
    &rest_series_routes,
    &rest_join_routes,
    &rest_materials_routes,
    &rest_attendance_routes,
    &rest_units_routes,
    &rest_endpoints_routes,
    &rest_minutes_routes,
    &rest_recordings_routes,
    &rest_rooms_routes,
};
/* clang-format on */

static const char *body_name(enum rest_body body)
{
	switch (body) {
	case REST_BODY_RAW:
		return "raw";
	case REST_BODY_UPLOAD:
		return "upload";
	default:
		return "json";
	}
}

/* GET /api/v1/routes: every route with the least role it needs and the body it takes,
 * so that clients (and the test that keeps docs/api.md true) can see the API whole. */
static void get_routes(struct rest_request *req)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_array(b);
	for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
		for (size_t r = 0; r < tables[t]->n_routes; r++) {
			const struct rest_route *route = &tables[t]->routes[r];
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "method");
			json_builder_add_string_value(b, route->method);
			json_builder_set_member_name(b, "path");
			json_builder_add_string_value(b, route->label);
			json_builder_set_member_name(b, "role");
			json_builder_add_string_value(
			    b, role_name(route->role) ? role_name(route->role) : "anyone");
			json_builder_set_member_name(b, "body");
			json_builder_add_string_value(b, body_name(route->body));
			json_builder_end_object(b);
		}
	}
	json_builder_end_array(b);
	rest_reply(req, SOUP_STATUS_OK, json_builder_get_root(b));
}

static const struct rest_route index_routes[] = {
    {"GET", "routes", ROLE_NONE, get_routes, "/api/v1/routes"},
};

static const struct rest_route_table rest_index_routes = {index_routes, G_N_ELEMENTS(index_routes)};

/* Matches `path` (below the prefix) against `pattern`, capturing {name} segments. */
static bool match(const char *pattern, char **segments, char **params)
{
	g_auto(GStrv) parts = g_strsplit(pattern, "/", -1);
	guint n_params = 0, i;

	for (i = 0; parts[i] && segments[i]; i++) {
		if (parts[i][0] == '{') {
			if (!*segments[i] || n_params >= REST_MAX_PARAMS)
				return false;
			params[n_params++] = segments[i];
		} else if (strcmp(parts[i], segments[i]) != 0) {
			return false;
		}
	}
	return !parts[i] && !segments[i];
}

static const struct rest_route *find_route(const char *method, char **segments, char **params,
                                           bool *path_known)
{
	*path_known = false;
	for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
		for (size_t r = 0; r < tables[t]->n_routes; r++) {
			const struct rest_route *route = &tables[t]->routes[r];
			char *captured[REST_MAX_PARAMS] = {0};
			if (!match(route->pattern, segments, captured))
				continue;
			*path_known = true;
			if (strcmp(route->method, method) != 0)
				continue;
			memcpy(params, captured, sizeof captured);
			return route;
		}
	}
	return NULL;
}

/* The session token from "Authorization: Bearer ..." or the session cookie. */
static char *find_token(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *auth = soup_message_headers_get_one(h, "Authorization");
	const char *cookie = soup_message_headers_get_one(h, "Cookie");

	if (auth && g_ascii_strncasecmp(auth, "Bearer ", 7) == 0)
		return g_strstrip(g_strdup(auth + 7));
	if (cookie) {
		g_auto(GStrv) pairs = g_strsplit(cookie, ";", -1);
		for (char **p = pairs; *p; p++) {
			char *pair = g_strstrip(*p);
			if (g_str_has_prefix(pair, REST_COOKIE "="))
				return g_strdup(pair + strlen(REST_COOKIE "="));
		}
	}
	return NULL;
}

/* Identifies the caller and checks the route's role; replies 401/403 when refused. */
static bool authorize(struct rest_request *req, const struct rest_route *route)
{
	g_autoptr(GError) error = NULL;

	req->token = find_token(req->msg);
	if (req->token && !sessions_lookup(req->ctx->store, req->token, &req->who, &error)) {
		if (route->role == ROLE_NONE)
			return true;
		rest_reply_error(req, error);
		return false;
	}
	if (route->role == ROLE_NONE)
		return true;
	if (!req->token) {
		http_reply_error(req->msg, API_ERROR_UNAUTHORIZED,
		                 "log in first: send \"Authorization: Bearer TOKEN\" or the "
		                 "session cookie");
		return false;
	}
	if (req->who.role < route->role) {
		http_reply_error(req->msg, API_ERROR_FORBIDDEN, "%s needs the %s role",
		                 route->label, role_name(route->role));
		return false;
	}
	return true;
}

/* Parses a JSON object body when there is one; replies 4xx when it is not acceptable. */
static bool read_body(struct rest_request *req)
{
	SoupMessageBody *body = soup_server_message_get_request_body(req->msg);
	SoupMessageHeaders *h = soup_server_message_get_request_headers(req->msg);
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GError) error = NULL;
	const char *type;
	JsonNode *root;

	if (body->length == 0)
		return true;
	type = soup_message_headers_get_content_type(h, NULL);
	if (!type || g_ascii_strcasecmp(type, "application/json") != 0) {
		http_reply_error(req->msg, API_ERROR_UNSUPPORTED_MEDIA_TYPE,
		                 "the body must be JSON (Content-Type: application/json)");
		return false;
	}
	bytes = soup_message_body_flatten(body);
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, g_bytes_get_data(bytes, NULL),
	                                (gssize)g_bytes_get_size(bytes), &error)) {
		http_reply_error(req->msg, API_ERROR_BAD_JSON, "the body is not valid JSON: %s",
		                 error->message);
		return false;
	}
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST, "the body must be a JSON object");
		return false;
	}
	req->body = json_object_ref(json_node_get_object(root));
	return true;
}

struct blob_writer *rest_upload_begin(struct rest_context *ctx, SoupServerMessage *msg,
                                      const char *path, gint64 *limit)
{
	g_auto(GStrv) segments = g_strsplit(path + strlen(REST_PREFIX), "/", -1);
	struct rest_request req = {.msg = msg, .ctx = ctx, .path = path};
	const struct rest_route *route;
	struct blob_writer *w = NULL;
	g_autoptr(GError) error = NULL;
	bool path_known;

	route = find_route(soup_server_message_get_method(msg), segments, req.params, &path_known);
	if (!route || route->body != REST_BODY_UPLOAD || !ctx->blobs)
		return NULL;
	/* The caller is checked before the body is read: nobody fills the disk anonymously. */
	if (authorize(&req, route)) {
		w = blob_writer_new(ctx->blobs, &error);
		if (w)
			*limit = ctx->upload_max_bytes;
		else
			rest_reply_error(&req, error);
	}
	g_free(req.token);
	return w;
}

const char *rest_dispatch(struct rest_context *ctx, SoupServerMessage *msg, const char *path,
                          GHashTable *query, struct blob_writer *upload)
{
	const char *method = soup_server_message_get_method(msg);
	g_auto(GStrv) segments = g_strsplit(path + strlen(REST_PREFIX), "/", -1);
	struct rest_request req = {
	    .msg = msg, .ctx = ctx, .path = path, .query = query, .upload = upload};
	const struct rest_route *route;
	bool path_known;

	route = find_route(method, segments, req.params, &path_known);
	if (!route) {
		if (path_known)
			http_reply_error(msg, API_ERROR_METHOD_NOT_ALLOWED,
			                 "%s is not allowed on %s", method, path);
		else
			http_reply_error(msg, API_ERROR_NOT_FOUND, "no route for %s %s", method,
			                 path);
		return path_known ? "/api/v1" : NULL;
	}
	if (route->body == REST_BODY_UPLOAD && !upload)
		http_reply_error(msg, API_ERROR_INTERNAL, "this server takes no uploads");
	else if (authorize(&req, route) && (route->body != REST_BODY_JSON || read_body(&req)))
		route->fn(&req);
	g_clear_pointer(&req.body, json_object_unref);
	g_free(req.token);
	return route->label;
}

void rest_reply(struct rest_request *req, guint status, JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();

	json_generator_set_root(gen, node); /* a copy: the reply owns node */
	json_node_unref(node);
	http_reply_json(req->msg, status, json_generator_to_data(gen, NULL));
}

void rest_reply_error(struct rest_request *req, const GError *error)
{
	enum api_error code = api_error_from(error);

	if (code == API_ERROR_INTERNAL) {
		g_warning("[rest %s] internal error: %s", req->path, error->message);
		http_reply_error(req->msg, code, "internal error; the server log has the details");
		return;
	}
	http_reply_error(req->msg, code, "%s", error->message);
}

gint64 rest_param_id(struct rest_request *req, guint index)
{
	const char *text = index < REST_MAX_PARAMS ? req->params[index] : NULL;
	guint64 v = 0;

	if (!text || !g_ascii_string_to_unsigned(text, 10, 1, G_MAXINT64, &v, NULL)) {
		http_reply_error(req->msg, API_ERROR_NOT_FOUND, "\"%s\" is not an id",
		                 text ? text : "");
		return 0;
	}
	return (gint64)v;
}

const char *rest_query(struct rest_request *req, const char *name)
{
	return req->query ? g_hash_table_lookup(req->query, name) : NULL;
}

bool rest_require_body(struct rest_request *req, const char *message)
{
	if (req->body)
		return true;
	http_reply_error(req->msg, API_ERROR_BAD_REQUEST, "%s", message);
	return false;
}

bool rest_query_int(struct rest_request *req, const char *name, gint64 max, gint64 *out)
{
	const char *text = rest_query(req, name);
	guint64 v = 0;

	if (!text)
		return true;
	if (!g_ascii_string_to_unsigned(text, 10, 0, (guint64)max, &v, NULL)) {
		http_reply_error(
		    req->msg, API_ERROR_BAD_REQUEST,
		    "query parameter \"%s\" must be an integer from 0 to %" G_GINT64_FORMAT, name,
		    max);
		return false;
	}
	*out = (gint64)v;
	return true;
}

bool rest_join_invitee(struct rest_request *req, struct join_claims *claims,
                       const struct join_claims **invitee)
{
	const char *token = rest_query(req, "token");
	g_autoptr(GError) error = NULL;

	*invitee = NULL;
	if (!token)
		return true;
	if (!req->ctx->join_secret) {
		http_reply_error(req->msg, API_ERROR_UNAUTHORIZED,
		                 "join tokens are not accepted here");
		return false;
	}
	if (!join_token_verify(req->ctx->join_secret, token, g_get_real_time() / 1000, claims,
	                       &error)) {
		rest_reply_error(req, error);
		return false;
	}
	/* A token outlives changes to the invitations: a room dropped from them reads no more. */
	g_autoptr(JsonNode) endpoint = meetings_invited_endpoint_json(
	    req->ctx->meetings, claims->meeting_id, claims->endpoint_id, NULL);
	if (!endpoint) {
		http_reply_error(req->msg, API_ERROR_UNAUTHORIZED,
		                 "this endpoint is no longer invited to meeting %" G_GINT64_FORMAT,
		                 claims->meeting_id);
		return false;
	}
	*invitee = claims;
	return true;
}

bool rest_may_read_meeting(struct rest_request *req, gint64 meeting_id)
{
	static const struct field_spec query[] = {{"token", FIELD_STRING, false, 1, 256}, {NULL}};
	g_autoptr(GError) error = NULL;
	struct join_claims claims;
	const struct join_claims *invitee;

	if (!rest_join_invitee(req, &claims, &invitee))
		return false;
	if (!materials_may_read_as(req->ctx->store, &req->who, invitee, meeting_id, &error) ||
	    !validate_query(req->query, query, &error)) {
		rest_reply_error(req, error);
		return false;
	}
	return true;
}
