/* SPDX-License-Identifier: MIT */
/* Join links: operators get one signed link per invited endpoint; anyone holding a link
 * can have it checked. */
#define G_LOG_DOMAIN "cau-rest"
#include "control/join_check.h"
#include "errors.h"
#include "http.h"
#include "rest.h"
#include "validate.h"

#define JOIN_LINK_PREFIX "/join/"

/* {endpoint, role, token, link, expires_at}. */
static void add_token_reply(JsonBuilder *b, JsonNode *endpoint, const struct join_claims *claims,
                            const char *token)
{
	g_autofree char *link = g_strconcat(JOIN_LINK_PREFIX, token, NULL);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "endpoint");
	json_builder_add_value(b, json_node_copy(endpoint));
	json_builder_set_member_name(b, "role");
	json_builder_add_string_value(b, join_role_name(claims->role));
	json_builder_set_member_name(b, "token");
	json_builder_add_string_value(b, token);
	json_builder_set_member_name(b, "link");
	json_builder_add_string_value(b, link);
	json_builder_set_member_name(b, "expires_at");
	json_builder_add_int_value(b, claims->expires_at);
	json_builder_end_object(b);
}

static void add_invitation(JsonBuilder *b, const struct join_secret *secret, JsonNode *endpoint,
                           gint64 meeting_id, gint64 expires_at)
{
	struct join_claims claims = {
	    .meeting_id = meeting_id,
	    .endpoint_id = json_object_get_int_member(json_node_get_object(endpoint), "id"),
	    .role = JOIN_ROLE_PARTICIPANT,
	    .expires_at = expires_at,
	};
	g_autofree char *token = join_token_sign(secret, &claims);

	add_token_reply(b, endpoint, &claims, token);
}

static void get_invitations(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) endpoints = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	struct meeting_info info;
	gint64 id = rest_param_id(req, 0), expires_at;
	JsonArray *list;

	if (!id)
		return;
	if (!meetings_lookup(req->ctx->meetings, id, &info, &error) ||
	    !(endpoints = meetings_invited_endpoints_json(req->ctx->meetings, id, &error))) {
		rest_reply_error(req, error);
		return;
	}
	if (!meeting_state_joinable(info.state)) {
		http_reply_error(req->msg, API_ERROR_CONFLICT,
		                 "meeting %" G_GINT64_FORMAT " is %s; it takes no more joins", id,
		                 meeting_state_name(info.state));
		return;
	}
	/* Valid until the room closes. */
	expires_at = info.end_at + info.grace_ms;
	list = json_node_get_array(endpoints);
	b = json_builder_new_immutable();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "meeting_id");
	json_builder_add_int_value(b, id);
	json_builder_set_member_name(b, "expires_at");
	json_builder_add_int_value(b, expires_at);
	json_builder_set_member_name(b, "invitations");
	json_builder_begin_array(b);
	for (guint i = 0; i < json_array_get_length(list); i++)
		add_invitation(b, req->ctx->join_secret, json_array_get_element(list, i), id,
		               expires_at);
	json_builder_end_array(b);
	json_builder_end_object(b);
	rest_reply(req, SOUP_STATUS_OK, json_builder_get_root(b));
}

/* What a join page needs to know of the meeting. */
static JsonNode *meeting_summary(struct meetings *m, gint64 id, GError **error)
{
	static const char *const members[] = {"id",     "title",    "state",     "start_at",
	                                      "end_at", "opens_at", "closes_at", "layout"};
	g_autoptr(JsonNode) full = meetings_get_json(m, id, error);
	JsonObject *summary;

	if (!full)
		return NULL;
	summary = json_object_new();
	for (guint i = 0; i < G_N_ELEMENTS(members); i++)
		json_object_set_member(
		    summary, members[i],
		    json_object_dup_member(json_node_get_object(full), members[i]));
	return json_node_init_object(json_node_alloc(), summary);
}

static void post_verify(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"token", FIELD_STRING, true, 1, 200},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	JsonNode *endpoint = NULL, *meeting = NULL;
	struct join_claims claims;

	if (!rest_require_body(req, "send {\"token\"}"))
		return;
	if (!validate_fields(req->body, spec, &error) ||
	    !join_check(req->ctx->meetings, req->ctx->join_secret,
	                field_string(req->body, "token", ""), &claims, &endpoint, NULL, &error) ||
	    !(meeting = meeting_summary(req->ctx->meetings, claims.meeting_id, &error))) {
		if (endpoint)
			json_node_unref(endpoint);
		rest_reply_error(req, error);
		return;
	}
	b = json_builder_new_immutable();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "meeting");
	json_builder_add_value(b, meeting);
	json_builder_set_member_name(b, "endpoint");
	json_builder_add_value(b, endpoint);
	json_builder_set_member_name(b, "role");
	json_builder_add_string_value(b, join_role_name(claims.role));
	json_builder_set_member_name(b, "expires_at");
	json_builder_add_int_value(b, claims.expires_at);
	json_builder_end_object(b);
	rest_reply(req, SOUP_STATUS_OK, json_builder_get_root(b));
}

/* A token for one invited endpoint with a chosen role: how an operator hands the chair's
 * room (or a viewer's screen) its link. */
static void post_join_token(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"endpoint_id", FIELD_INT, true, 1, G_MAXINT64},
	    {"role", FIELD_STRING, true, 1, 16},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) endpoint = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree char *token = NULL;
	struct meeting_info info;
	struct join_claims claims = {0};
	gint64 id = rest_param_id(req, 0);

	if (!id || !rest_require_body(req, "send {\"endpoint_id\", \"role\"}"))
		return;
	if (!validate_fields(req->body, spec, &error) ||
	    !meetings_lookup(req->ctx->meetings, id, &info, &error)) {
		rest_reply_error(req, error);
		return;
	}
	claims.role = join_role_from_name(field_string(req->body, "role", ""));
	if (!claims.role) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "role: must be chair, participant or viewer");
		return;
	}
	if (!meeting_state_joinable(info.state)) {
		http_reply_error(req->msg, API_ERROR_CONFLICT,
		                 "meeting %" G_GINT64_FORMAT " is %s; it takes no more joins", id,
		                 meeting_state_name(info.state));
		return;
	}
	claims.meeting_id = id;
	claims.endpoint_id = field_int(req->body, "endpoint_id", 0);
	claims.expires_at = info.end_at + info.grace_ms;
	endpoint =
	    meetings_invited_endpoint_json(req->ctx->meetings, id, claims.endpoint_id, &error);
	if (!endpoint) {
		rest_reply_error(req, error);
		return;
	}
	token = join_token_sign(req->ctx->join_secret, &claims);
	b = json_builder_new_immutable();
	add_token_reply(b, endpoint, &claims, token);
	rest_reply(req, SOUP_STATUS_OK, json_builder_get_root(b));
}

static const struct rest_route routes[] = {
    {"POST", "meetings/{id}/join-tokens", ROLE_OPERATOR, post_join_token,
     "/api/v1/meetings/{id}/join-tokens"},
    {"GET", "meetings/{id}/invitations", ROLE_OPERATOR, get_invitations,
     "/api/v1/meetings/{id}/invitations"},
    {"POST", "join/verify", ROLE_NONE, post_verify, "/api/v1/join/verify"},
};

const struct rest_route_table rest_join_routes = {routes, G_N_ELEMENTS(routes)};
