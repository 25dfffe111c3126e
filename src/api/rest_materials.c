/* SPDX-License-Identifier: MIT */
/* /api/v1/meetings/{id}/materials and /api/v1/materials: uploads (streamed to disk by the
 * HTTP layer), versions, listing, downloads with ranges, deletion. */
#define G_LOG_DOMAIN "cau-rest"
#include "control/join_token.h"
#include "control/materials.h"
#include "control/meetings.h"
#include "download.h"
#include "errors.h"
#include "http.h"
#include "rest.h"
#include "validate.h"

/* Replies with the error of a failed lookup; anonymous callers get 401 whatever it was,
 * so that they learn nothing about which materials exist. */
static void reply_lookup_error(struct rest_request *req, GError *error)
{
	g_autoptr(GError) anonymous = NULL;

	if (req->who.role == ROLE_NONE &&
	    !materials_may_read(req->ctx->store, &req->who, 0, &anonymous)) {
		rest_reply_error(req, anonymous);
		return;
	}
	rest_reply_error(req, error);
}

static void reply_material(struct rest_request *req, guint status, gint64 id)
{
	g_autoptr(GError) error = NULL;
	JsonNode *material = materials_get(req->ctx->store, id, &error);

	if (!material) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, status, material);
}

static void post_material(struct rest_request *req)
{
	static const struct field_spec query[] = {
	    {"name", FIELD_STRING, true, 1, 255},
	    {"agenda_item", FIELD_INT, false, 1, G_MAXINT64},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0), id;

	if (!meeting_id)
		return;
	if (!validate_query(req->query, query, &error)) {
		rest_reply_error(req, error);
		return;
	}
	id = materials_create(req->ctx->store, req->ctx->blobs, &req->who, meeting_id,
	                      query_param_int(req->query, "agenda_item", 0),
	                      rest_query(req, "name"), req->upload, &error);
	if (!id) {
		rest_reply_error(req, error);
		return;
	}
	reply_material(req, SOUP_STATUS_CREATED, id);
}

static void post_version(struct rest_request *req)
{
	static const struct field_spec query[] = {
	    {"name", FIELD_STRING, false, 1, 255},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);

	if (!id)
		return;
	if (!validate_query(req->query, query, &error) ||
	    !materials_add_version(req->ctx->store, req->ctx->blobs, &req->who, id,
	                           rest_query(req, "name"), req->upload, &error)) {
		rest_reply_error(req, error);
		return;
	}
	reply_material(req, SOUP_STATUS_CREATED, id);
}

static void get_materials(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0);
	JsonNode *list;

	if (!meeting_id || !rest_may_read_meeting(req, meeting_id))
		return;
	if (!(list = materials_list(req->ctx->store, meeting_id, &error))) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, list);
}

/* Sends version `version` (0: the latest) of the material in the path. */
static void download(struct rest_request *req, gint version)
{
	static const struct field_spec query[] = {{"token", FIELD_STRING, false, 1, 256}, {NULL}};
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	struct material_file file;
	struct join_claims claims;
	const struct join_claims *invitee;
	gint64 id = rest_param_id(req, 0);

	if (!id || !rest_join_invitee(req, &claims, &invitee))
		return;
	if (!materials_find_file(req->ctx->store, id, version, &file, &error)) {
		reply_lookup_error(req, error);
		return;
	}
	if (materials_may_read_as(req->ctx->store, &req->who, invitee, file.meeting_id, &error) &&
	    validate_query(req->query, query, &error)) {
		struct download_file d = {
		    .path = path = blobstore_path(req->ctx->blobs, file.sha256),
		    .size = file.size,
		    .mime = file.mime,
		    .etag = file.sha256,
		    .file_name = file.file_name,
		};
		if (!d.path)
			g_set_error(&error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "bad blob name %s",
			            file.sha256);
		else
			download_serve(req->msg, &d, &error);
	}
	if (error)
		rest_reply_error(req, error);
	material_file_clear(&file);
}

static void get_latest(struct rest_request *req)
{
	download(req, 0);
}

static void get_version(struct rest_request *req)
{
	guint64 n = 0;

	if (!g_ascii_string_to_unsigned(req->params[1], 10, 1, G_MAXINT, &n, NULL)) {
		http_reply_error(req->msg, API_ERROR_NOT_FOUND, "\"%s\" is not a version number",
		                 req->params[1]);
		return;
	}
	download(req, (gint)n);
}

static void delete_material(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);

	if (!id)
		return;
	if (!materials_delete(req->ctx->store, req->ctx->blobs, &req->who, id, &error)) {
		rest_reply_error(req, error);
		return;
	}
	soup_server_message_set_status(req->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

/* Reading needs an operator, the meeting's chair, or an invited endpoint's join token for
 * the meeting as ?token= (materials_may_read_as), so the table lets everyone in and the
 * handlers decide. */
static const struct rest_route routes[] = {
    {"POST", "meetings/{id}/materials", ROLE_OPERATOR, post_material,
     "/api/v1/meetings/{id}/materials", REST_BODY_UPLOAD},
    {"GET", "meetings/{id}/materials", ROLE_NONE, get_materials, "/api/v1/meetings/{id}/materials"},
    {"POST", "materials/{id}/versions", ROLE_OPERATOR, post_version,
     "/api/v1/materials/{id}/versions", REST_BODY_UPLOAD},
    {"GET", "materials/{id}", ROLE_NONE, get_latest, "/api/v1/materials/{id}"},
    {"GET", "materials/{id}/versions/{n}", ROLE_NONE, get_version,
     "/api/v1/materials/{id}/versions/{n}"},
    {"DELETE", "materials/{id}", ROLE_OPERATOR, delete_material, "/api/v1/materials/{id}"},
};

const struct rest_route_table rest_materials_routes = {routes, G_N_ELEMENTS(routes)};
