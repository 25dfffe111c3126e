/* SPDX-License-Identifier: MIT */
/* /api/v1/endpoints: the conference endpoints of the directory's units, their
 * credentials, and their CSV import and export. */
#define G_LOG_DOMAIN "cau-rest"
#include "errors.h"
#include "http.h"
#include "rest_csv.h"
#include "validate.h"

static void get_endpoints(struct rest_request *req)
{
	struct endpoint_filter filter = {0};
	g_autoptr(GError) error = NULL;
	JsonNode *list;

	if (!rest_query_id(req, "unit", &filter.unit_id) ||
	    !rest_query_id(req, "under", &filter.under_id))
		return;
	list = directory_endpoints_list(req->ctx->store, &filter, &error);
	if (!list) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, list);
}

/* Replies with endpoint `id` and `status`, plus its new credential when there is one. */
static void reply_endpoint(struct rest_request *req, guint status, gint64 id,
                           const char *credential)
{
	g_autoptr(GError) error = NULL;
	JsonNode *endpoint = directory_endpoint_get(req->ctx->store, id, &error);

	if (!endpoint) {
		rest_reply_error(req, error);
		return;
	}
	if (credential)
		json_object_set_string_member(json_node_get_object(endpoint), "credential",
		                              credential);
	rest_reply(req, status, endpoint);
}

static struct endpoint_fields endpoint_fields_from(JsonObject *body)
{
	return (struct endpoint_fields){
	    .code = field_string(body, "code", NULL),
	    .name = field_string(body, "name", NULL),
	    .unit_id = field_int(body, "unit_id", 0),
	    .kind = field_string(body, "kind", NULL),
	    .contact_name = rest_nullable_string(body, "contact_name"),
	    .contact_phone = rest_nullable_string(body, "contact_phone"),
	    .disabled = field_bool(body, "disabled"),
	};
}

/* The fields of a new endpoint; a change takes any of them (change_spec). */
static const struct field_spec create_spec[] = {
    {"code", FIELD_STRING, true, 1, DIRECTORY_CODE_MAX},
    {"name", FIELD_STRING, true, 1, DIRECTORY_NAME_MAX},
    {"unit_id", FIELD_INT, true, 1, G_MAXINT64},
    {"kind", FIELD_STRING, true, 1, 16},
    {"contact_name", FIELD_STRING, false, 0, DIRECTORY_NAME_MAX},
    {"contact_phone", FIELD_STRING, false, 0, 20},
    {"disabled", FIELD_BOOL, false, 0, 0},
    {NULL},
};

static const struct field_spec change_spec[] = {
    {"code", FIELD_STRING, false, 1, DIRECTORY_CODE_MAX},
    {"name", FIELD_STRING, false, 1, DIRECTORY_NAME_MAX},
    {"unit_id", FIELD_INT, false, 1, G_MAXINT64},
    {"kind", FIELD_STRING, false, 1, 16},
    {"contact_name", FIELD_STRING, false, 0, DIRECTORY_NAME_MAX},
    {"contact_phone", FIELD_STRING, false, 0, 20},
    {"disabled", FIELD_BOOL, false, 0, 0},
    {NULL},
};

static void post_endpoint(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *credential = NULL;
	struct endpoint_fields fields;
	gint64 id;

	if (!req->body) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "send {\"code\", \"name\", \"unit_id\", \"kind\"} and optionally "
		                 "\"contact_name\", \"contact_phone\", \"disabled\"");
		return;
	}
	if (!validate_fields(req->body, create_spec, &error)) {
		rest_reply_error(req, error);
		return;
	}
	fields = endpoint_fields_from(req->body);
	id = directory_endpoint_create(req->ctx->store, &req->who, &fields, &credential, &error);
	if (!id) {
		rest_reply_error(req, error);
		return;
	}
	reply_endpoint(req, SOUP_STATUS_CREATED, id, credential);
}

static void get_endpoint(struct rest_request *req)
{
	gint64 id = rest_param_id(req, 0);

	if (id)
		reply_endpoint(req, SOUP_STATUS_OK, id, NULL);
}

static void patch_endpoint(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);
	struct endpoint_fields fields;

	if (!id)
		return;
	if (!req->body || json_object_get_size(req->body) == 0) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "send a JSON object with any of \"code\", \"name\", \"unit_id\", "
		                 "\"kind\", \"contact_name\", \"contact_phone\", \"disabled\"");
		return;
	}
	if (!validate_fields(req->body, change_spec, &error)) {
		rest_reply_error(req, error);
		return;
	}
	fields = endpoint_fields_from(req->body);
	if (!directory_endpoint_update(req->ctx->store, &req->who, id, &fields, &error)) {
		rest_reply_error(req, error);
		return;
	}
	reply_endpoint(req, SOUP_STATUS_OK, id, NULL);
}

static void delete_endpoint(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);

	if (!id)
		return;
	if (!directory_endpoint_delete(req->ctx->store, &req->who, id, &error)) {
		rest_reply_error(req, error);
		return;
	}
	soup_server_message_set_status(req->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void post_credential(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);
	g_autofree char *credential = NULL;

	if (!id)
		return;
	credential = directory_endpoint_reset_credential(req->ctx->store, &req->who, id, &error);
	if (!credential) {
		rest_reply_error(req, error);
		return;
	}
	reply_endpoint(req, SOUP_STATUS_OK, id, credential);
}

static void post_endpoints_import(struct rest_request *req)
{
	rest_csv_import(req, directory_endpoints_import);
}

static void get_endpoints_export(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	char *text = directory_endpoints_export(req->ctx->store, &len, &error);

	if (!text) {
		rest_reply_error(req, error);
		return;
	}
	rest_csv_reply(req, text, len, "endpoints.csv");
}

/* endpoints/import and endpoints/export come before endpoints/{id}, which would match
 * them too. */
static const struct rest_route routes[] = {
    {"GET", "endpoints", ROLE_CHAIR, get_endpoints, "/api/v1/endpoints"},
    {"POST", "endpoints", ROLE_OPERATOR, post_endpoint, "/api/v1/endpoints"},
    {"POST", "endpoints/import", ROLE_OPERATOR, post_endpoints_import, "/api/v1/endpoints/import",
     REST_BODY_RAW},
    {"GET", "endpoints/export", ROLE_CHAIR, get_endpoints_export, "/api/v1/endpoints/export"},
    {"GET", "endpoints/{id}", ROLE_CHAIR, get_endpoint, "/api/v1/endpoints/{id}"},
    {"PATCH", "endpoints/{id}", ROLE_OPERATOR, patch_endpoint, "/api/v1/endpoints/{id}"},
    {"DELETE", "endpoints/{id}", ROLE_OPERATOR, delete_endpoint, "/api/v1/endpoints/{id}"},
    {"POST", "endpoints/{id}/credential", ROLE_OPERATOR, post_credential,
     "/api/v1/endpoints/{id}/credential"},
};

const struct rest_route_table rest_endpoints_routes = {routes, G_N_ELEMENTS(routes)};
