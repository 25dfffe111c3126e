/* SPDX-License-Identifier: MIT */
/* /api/v1/meetings/{id}/decisions, /events and /minutes: decisions recorded by
 * operators, the meeting's event log, and its signed minutes (versions, downloads). */
#define G_LOG_DOMAIN "cau-rest"
#include "control/materials.h"
#include "control/meeting_events.h"
#include "control/minutes.h"
#include "download.h"
#include "errors.h"
#include "http.h"
#include "rest.h"
#include "validate.h"

static gint64 now_ms(struct rest_request *req)
{
	return clock_now_ms(meetings_clock(req->ctx->meetings));
}

/* Whether this server keeps minutes; replies 500 when it does not. */
static bool minutes_kept(struct rest_request *req)
{
	if (req->ctx->minutes)
		return true;
	http_reply_error(req->msg, API_ERROR_INTERNAL, "this server keeps no minutes");
	return false;
}

static void post_decision(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"text", FIELD_STRING, true, 1, MEETING_DECISION_MAX},
	    {"agenda_item", FIELD_INT, false, 1, G_MAXINT64},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0), id;
	JsonNode *event;

	if (!meeting_id ||
	    !rest_require_body(req, "send {\"text\": \"what was decided\", \"agenda_item\": id}"))
		return;
	if (!validate_fields(req->body, spec, &error) ||
	    !(id = meeting_events_decide(
	          req->ctx->store, &req->who, meeting_id, field_string(req->body, "text", ""),
	          field_int(req->body, "agenda_item", 0), now_ms(req), &error)) ||
	    !(event = meeting_events_get(req->ctx->store, id, &error))) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_CREATED, event);
}

static void get_events(struct rest_request *req)
{
	static const struct field_spec query[] = {{"kind", FIELD_STRING, false, 1, 32}, {NULL}};
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0);
	JsonNode *list;

	if (!meeting_id)
		return;
	if (!materials_may_read(req->ctx->store, &req->who, meeting_id, &error) ||
	    !validate_query(req->query, query, &error) ||
	    !(list = meeting_events_list(req->ctx->store, meeting_id, rest_query(req, "kind"),
	                                 &error))) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, list);
}

/* The end of POST .../minutes: the version made, or the error, and the paused request
 * resumed. */
static void minutes_made(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SoupServerMessage *msg = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) version = minutes_generate_finish(result, &error);
	g_autoptr(JsonGenerator) gen = json_generator_new();
	enum api_error code;

	if (version) {
		json_generator_set_root(gen, version);
		http_reply_json(msg, SOUP_STATUS_CREATED, json_generator_to_data(gen, NULL));
	} else if ((code = api_error_from(error)) == API_ERROR_INTERNAL) {
		g_warning("[rest minutes] internal error: %s", error->message);
		http_reply_error(msg, code, "internal error; the server log has the details");
	} else {
		http_reply_error(msg, code, "%s", error->message);
	}
	soup_server_message_unpause(msg);
	g_object_unref(msg);
}

static void post_minutes(struct rest_request *req)
{
	gint64 meeting_id = rest_param_id(req, 0);

	if (!meeting_id || !minutes_kept(req))
		return;
	if (req->body && json_object_get_size(req->body) > 0) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "send no body: the minutes are made from the meeting as it is");
		return;
	}
	/* The PDF is laid out on a worker thread; the request waits, the server does not. */
	soup_server_message_pause(req->msg);
	minutes_generate_async(req->ctx->minutes, &req->who, meeting_id, minutes_made,
	                       g_object_ref(req->msg));
}

static void get_minutes(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0);
	JsonNode *list;

	if (!meeting_id || !minutes_kept(req) || !rest_may_read_meeting(req, meeting_id))
		return;
	list = minutes_list(req->ctx->minutes, meeting_id, &error);
	if (!list) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, list);
}

static void get_minutes_file(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0);
	struct minutes_file file;
	enum minutes_file_kind kind;
	gint version;

	if (!meeting_id || !minutes_kept(req) || !rest_may_read_meeting(req, meeting_id))
		return;
	if (!minutes_file_parse(req->params[1], &version, &kind)) {
		http_reply_error(req->msg, API_ERROR_NOT_FOUND,
		                 "\"%s\" is not a minutes file: N.json, N.json.p7s, N.pdf or "
		                 "N.pdf.p7s for version N",
		                 req->params[1]);
		return;
	}
	if (!minutes_find_file(req->ctx->minutes, meeting_id, version, kind, &file, &error)) {
		rest_reply_error(req, error);
		return;
	}
	struct download_file d = {
	    .path = file.path,
	    .size = file.size,
	    .mime = file.mime,
	    .etag = file.sha256,
	    .file_name = file.file_name,
	};
	if (!download_serve(req->msg, &d, &error))
		rest_reply_error(req, error);
	minutes_file_clear(&file);
}

/* What the server finds when it checks a version's stored files against their
 * signatures: proof that the files on its disk are intact, not a check a third party
 * should rely on (they verify the downloaded files themselves). */
static void get_minutes_verification(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0), version;
	JsonNode *result;

	if (!meeting_id || !(version = rest_param_id(req, 1)) || !minutes_kept(req))
		return;
	if (version > G_MAXINT) {
		http_reply_error(req->msg, API_ERROR_NOT_FOUND,
		                 "meeting %" G_GINT64_FORMAT " has no minutes version %s",
		                 meeting_id, req->params[1]);
		return;
	}
	if (!(result = minutes_verify(req->ctx->minutes, meeting_id, (gint)version, &error))) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, result);
}

/* Reading needs an operator, the meeting's chair, or an invited endpoint's join token for
 * the meeting as ?token=, so those routes let everyone in and the handlers decide. */
static const struct rest_route routes[] = {
    {"POST", "meetings/{id}/decisions", ROLE_OPERATOR, post_decision,
     "/api/v1/meetings/{id}/decisions"},
    {"GET", "meetings/{id}/events", ROLE_CHAIR, get_events, "/api/v1/meetings/{id}/events"},
    {"POST", "meetings/{id}/minutes", ROLE_OPERATOR, post_minutes, "/api/v1/meetings/{id}/minutes"},
    {"GET", "meetings/{id}/minutes", ROLE_NONE, get_minutes, "/api/v1/meetings/{id}/minutes"},
    {"GET", "meetings/{id}/minutes/{file}", ROLE_NONE, get_minutes_file,
     "/api/v1/meetings/{id}/minutes/{file}"},
    {"GET", "meetings/{id}/minutes/{version}/verification", ROLE_OPERATOR, get_minutes_verification,
     "/api/v1/meetings/{id}/minutes/{version}/verification"},
};

const struct rest_route_table rest_minutes_routes = {routes, G_N_ELEMENTS(routes)};
