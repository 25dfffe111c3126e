/* SPDX-License-Identifier: MIT */
/* /api/v1/accounts: operators manage operator and chair accounts. */
#define G_LOG_DOMAIN "cau-rest"
#include "errors.h"
#include "http.h"
#include "rest.h"
#include "validate.h"

static void get_accounts(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	JsonNode *list = accounts_list(req->ctx->store, &error);

	if (!list) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, list);
}

static bool valid_role(JsonObject *body, enum role *role, GError **error)
{
	const char *name = field_string(body, "role", NULL);

	*role = ROLE_NONE;
	if (!name)
		return true;
	*role = role_from_name(name);
	if (*role == ROLE_NONE) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "\"role\" must be \"operator\" or \"chair\"");
		return false;
	}
	return true;
}

static void post_account(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"username", FIELD_STRING, true, 1, 64},
	    {"role", FIELD_STRING, true, 1, 16},
	    {"password", FIELD_STRING, true, 1, 256},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	enum role role;
	gint64 id;

	if (!req->body) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "send {\"username\", \"role\", \"password\"}");
		return;
	}
	if (!validate_fields(req->body, spec, &error) || !valid_role(req->body, &role, &error)) {
		rest_reply_error(req, error);
		return;
	}
	id = accounts_create(req->ctx->store, &req->who, field_string(req->body, "username", ""),
	                     role, field_string(req->body, "password", ""), &req->ctx->auth.argon2,
	                     &error);
	if (!id) {
		rest_reply_error(req, error);
		return;
	}
	JsonNode *account = accounts_get(req->ctx->store, id, &error);
	if (!account) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_CREATED, account);
}

static void patch_account(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"role", FIELD_STRING, false, 1, 16},
	    {"disabled", FIELD_BOOL, false, 0, 0},
	    {"password", FIELD_STRING, false, 1, 256},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);
	enum role role;
	JsonNode *account;

	if (!id)
		return;
	if (!req->body) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "send a JSON object with \"role\", \"disabled\" or \"password\"");
		return;
	}
	if (!validate_fields(req->body, spec, &error) || !valid_role(req->body, &role, &error)) {
		rest_reply_error(req, error);
		return;
	}
	if (id == req->who.account_id && (field_bool(req->body, "disabled") == 1 ||
	                                  (role != ROLE_NONE && role != req->who.role))) {
		http_reply_error(req->msg, API_ERROR_CONFLICT,
		                 "you cannot disable your own account or change your own role");
		return;
	}
	if (!accounts_update(
	        req->ctx->store, &req->who, id, role, field_bool(req->body, "disabled"),
	        field_string(req->body, "password", NULL), &req->ctx->auth.argon2, &error) ||
	    !(account = accounts_get(req->ctx->store, id, &error))) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, account);
}

static const struct rest_route routes[] = {
    {"GET", "accounts", ROLE_OPERATOR, get_accounts, "/api/v1/accounts"},
    {"POST", "accounts", ROLE_OPERATOR, post_account, "/api/v1/accounts"},
    {"PATCH", "accounts/{id}", ROLE_OPERATOR, patch_account, "/api/v1/accounts/{id}"},
};

const struct rest_route_table rest_accounts_routes = {routes, G_N_ELEMENTS(routes)};
