/* SPDX-License-Identifier: MIT */
/* /api/v1/auth: log in and out, who am I, change my password. */
#define G_LOG_DOMAIN "cau-rest"
#include "errors.h"
#include "http.h"
#include "rest.h"
#include "validate.h"

static JsonNode *principal_json(const struct principal *who, const char *token, gint64 expires_at)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	if (token) {
		json_builder_set_member_name(b, "token");
		json_builder_add_string_value(b, token);
		json_builder_set_member_name(b, "expires_at");
		json_builder_add_int_value(b, expires_at);
	}
	json_builder_set_member_name(b, "account");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, who->account_id);
	json_builder_set_member_name(b, "username");
	json_builder_add_string_value(b, who->username);
	json_builder_set_member_name(b, "role");
	json_builder_add_string_value(b, role_name(who->role));
	json_builder_end_object(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static void set_cookie(struct rest_request *req, const char *value, gint64 max_age_s)
{
	g_autofree char *cookie = g_strdup_printf(
	    REST_COOKIE "=%s; Path=/; Max-Age=%" G_GINT64_FORMAT "; HttpOnly; SameSite=Strict%s",
	    value, max_age_s, req->ctx->cookie_secure ? "; Secure" : "");

	soup_message_headers_append(soup_server_message_get_response_headers(req->msg),
	                            "Set-Cookie", cookie);
}

static void post_login(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"username", FIELD_STRING, true, 1, 64},
	    {"password", FIELD_STRING, true, 1, 256},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	g_autofree char *token = NULL;
	struct principal who = {0};
	gint64 expires_at = 0;

	if (!req->body) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "send {\"username\": ..., \"password\": ...}");
		return;
	}
	if (!validate_fields(req->body, spec, &error)) {
		rest_reply_error(req, error);
		return;
	}
	token = sessions_login(req->ctx->store, &req->ctx->auth,
	                       field_string(req->body, "username", ""),
	                       field_string(req->body, "password", ""), &who, &expires_at, &error);
	if (!token) {
		rest_reply_error(req, error);
		return;
	}
	set_cookie(req, token, req->ctx->auth.session_ttl_ms / 1000);
	rest_reply(req, SOUP_STATUS_OK, principal_json(&who, token, expires_at));
}

static void post_logout(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;

	if (!sessions_logout(req->ctx->store, req->token, &error)) {
		rest_reply_error(req, error);
		return;
	}
	set_cookie(req, "", 0);
	soup_server_message_set_status(req->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void get_me(struct rest_request *req)
{
	rest_reply(req, SOUP_STATUS_OK, principal_json(&req->who, NULL, 0));
}

static void post_password(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"current_password", FIELD_STRING, true, 1, 256},
	    {"new_password", FIELD_STRING, true, 1, 256},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	g_autofree char *hash = NULL;

	if (!req->body || !validate_fields(req->body, spec, &error)) {
		if (!error)
			g_set_error(&error, API_ERROR, API_ERROR_BAD_REQUEST,
			            "send {\"current_password\": ..., \"new_password\": ...}");
		rest_reply_error(req, error);
		return;
	}
	hash = accounts_password_hash(req->ctx->store, req->who.username, &error);
	if (!hash) {
		rest_reply_error(req, error);
		return;
	}
	if (!accounts_verify_password(hash, field_string(req->body, "current_password", ""))) {
		http_reply_error(req->msg, API_ERROR_FORBIDDEN, "the current password is wrong");
		return;
	}
	if (!accounts_update(req->ctx->store, &req->who, req->who.account_id, ROLE_NONE, -1,
	                     field_string(req->body, "new_password", ""), &req->ctx->auth.argon2,
	                     &error)) {
		rest_reply_error(req, error);
		return;
	}
	soup_server_message_set_status(req->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static const struct rest_route routes[] = {
    {"POST", "auth/login", ROLE_NONE, post_login, "/api/v1/auth/login"},
    {"POST", "auth/logout", ROLE_CHAIR, post_logout, "/api/v1/auth/logout"},
    {"GET", "auth/me", ROLE_CHAIR, get_me, "/api/v1/auth/me"},
    {"POST", "auth/password", ROLE_CHAIR, post_password, "/api/v1/auth/password"},
};

const struct rest_route_table rest_auth_routes = {routes, G_N_ELEMENTS(routes)};
