/* SPDX-License-Identifier: MIT */
/* /api/v1/units: the directory's administrative units, flat or as a tree, and their
 * CSV import and export. */
#define G_LOG_DOMAIN "cau-rest"
#include "errors.h"
#include "http.h"
#include "rest_csv.h"
#include "validate.h"

#include <string.h>

static void get_units(struct rest_request *req)
{
	const char *format = rest_query(req, "format");
	g_autoptr(GError) error = NULL;
	JsonNode *units;

	if (format && strcmp(format, "flat") != 0 && strcmp(format, "tree") != 0) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "query parameter \"format\" must be \"flat\" or \"tree\"");
		return;
	}
	units = format && strcmp(format, "tree") == 0
	            ? directory_units_tree(req->ctx->store, &error)
	            : directory_units_list(req->ctx->store, &error);
	if (!units) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, units);
}

/* Replies with unit `id` and `status`. */
static void reply_unit(struct rest_request *req, guint status, gint64 id)
{
	g_autoptr(GError) error = NULL;
	JsonNode *unit = directory_unit_get(req->ctx->store, id, &error);

	if (!unit) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, status, unit);
}

/* The fields of a POST or PATCH body; parent_id null means a root. */
static struct unit_fields unit_fields_from(JsonObject *body)
{
	return (struct unit_fields){
	    .code = field_string(body, "code", NULL),
	    .name = field_string(body, "name", NULL),
	    .level = field_string(body, "level", NULL),
	    .set_parent = json_object_has_member(body, "parent_id"),
	    .parent_id = field_int(body, "parent_id", 0),
	};
}

static void post_unit(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"code", FIELD_STRING, true, 1, DIRECTORY_CODE_MAX},
	    {"name", FIELD_STRING, true, 1, DIRECTORY_NAME_MAX},
	    {"level", FIELD_STRING, true, 1, DIRECTORY_LEVEL_MAX},
	    {"parent_id", FIELD_INT, false, 1, G_MAXINT64},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	struct unit_fields fields;
	gint64 id;

	if (!req->body) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "send {\"code\", \"name\", \"level\", \"parent_id\"}");
		return;
	}
	if (!validate_fields(req->body, spec, &error)) {
		rest_reply_error(req, error);
		return;
	}
	fields = unit_fields_from(req->body);
	id = directory_unit_create(req->ctx->store, &req->who, &fields, &error);
	if (!id) {
		rest_reply_error(req, error);
		return;
	}
	reply_unit(req, SOUP_STATUS_CREATED, id);
}

static void get_unit(struct rest_request *req)
{
	gint64 id = rest_param_id(req, 0);

	if (id)
		reply_unit(req, SOUP_STATUS_OK, id);
}

static void patch_unit(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"code", FIELD_STRING, false, 1, DIRECTORY_CODE_MAX},
	    {"name", FIELD_STRING, false, 1, DIRECTORY_NAME_MAX},
	    {"level", FIELD_STRING, false, 1, DIRECTORY_LEVEL_MAX},
	    {"parent_id", FIELD_INT, false, 1, G_MAXINT64},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);
	struct unit_fields fields;

	if (!id)
		return;
	if (!req->body || json_object_get_size(req->body) == 0) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "send a JSON object with any of \"code\", \"name\", \"level\", "
		                 "\"parent_id\" (null: make it a root)");
		return;
	}
	if (!validate_fields(req->body, spec, &error)) {
		rest_reply_error(req, error);
		return;
	}
	fields = unit_fields_from(req->body);
	if (!directory_unit_update(req->ctx->store, &req->who, id, &fields, &error)) {
		rest_reply_error(req, error);
		return;
	}
	reply_unit(req, SOUP_STATUS_OK, id);
}

static void delete_unit(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);

	if (!id)
		return;
	if (!directory_unit_delete(req->ctx->store, &req->who, id, &error)) {
		rest_reply_error(req, error);
		return;
	}
	soup_server_message_set_status(req->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void post_units_import(struct rest_request *req)
{
	rest_csv_import(req, directory_units_import);
}

static void get_units_export(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	char *text = directory_units_export(req->ctx->store, &len, &error);

	if (!text) {
		rest_reply_error(req, error);
		return;
	}
	rest_csv_reply(req, text, len, "units.csv");
}

/* units/import and units/export come before units/{id}, which would match them too. */
static const struct rest_route routes[] = {
    {"GET", "units", ROLE_CHAIR, get_units, "/api/v1/units"},
    {"POST", "units", ROLE_OPERATOR, post_unit, "/api/v1/units"},
    {"POST", "units/import", ROLE_OPERATOR, post_units_import, "/api/v1/units/import",
     REST_BODY_RAW},
    {"GET", "units/export", ROLE_CHAIR, get_units_export, "/api/v1/units/export"},
    {"GET", "units/{id}", ROLE_CHAIR, get_unit, "/api/v1/units/{id}"},
    {"PATCH", "units/{id}", ROLE_OPERATOR, patch_unit, "/api/v1/units/{id}"},
    {"DELETE", "units/{id}", ROLE_OPERATOR, delete_unit, "/api/v1/units/{id}"},
};

const struct rest_route_table rest_units_routes = {routes, G_N_ELEMENTS(routes)};
