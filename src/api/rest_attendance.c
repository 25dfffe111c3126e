/* SPDX-License-Identifier: MIT */
/* /api/v1/meetings/{id}/attendance: who attended, as JSON or CSV, and operators' marks. */
#define G_LOG_DOMAIN "cau-rest"
#include "control/attendance.h"
#include "control/materials.h"
#include "download.h"
#include "errors.h"
#include "http.h"
#include "rest.h"
#include "validate.h"

#include <string.h>

/* The time zone of the CSV's times: ?tz=Area/City, else the server's. */
static GTimeZone *csv_zone(struct rest_request *req, GError **error)
{
	const char *name = rest_query(req, "tz");
	GTimeZone *tz;

	if (!name)
		return g_time_zone_new_local();
	tz = g_time_zone_new_identifier(name);
	if (!tz)
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "\"%s\" is not a known time zone (use a name like Asia/Ho_Chi_Minh)",
		            name);
	return tz;
}

static void reply_csv(struct rest_request *req, gint64 meeting_id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GTimeZone) tz = csv_zone(req, &error);
	g_autofree char *csv = NULL, *name = NULL, *disposition = NULL;
	SoupMessageHeaders *h = soup_server_message_get_response_headers(req->msg);

	if (!tz || !(csv = attendance_csv(req->ctx->store, meeting_id, g_get_real_time() / 1000, tz,
	                                  &error))) {
		rest_reply_error(req, error);
		return;
	}
	name = g_strdup_printf("attendance-meeting-%" G_GINT64_FORMAT ".csv", meeting_id);
	disposition = download_content_disposition("attachment", name);
	soup_message_headers_replace(h, "Content-Disposition", disposition);
	soup_server_message_set_status(req->msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(req->msg, "text/csv; charset=utf-8", SOUP_MEMORY_TAKE,
	                                 g_steal_pointer(&csv), strlen(csv));
}

static void get_attendance(struct rest_request *req)
{
	static const struct field_spec query[] = {
	    {"format", FIELD_STRING, false, 1, 8},
	    {"tz", FIELD_STRING, false, 1, 64},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0);
	const char *format;
	JsonNode *list;

	if (!meeting_id)
		return;
	if (!materials_may_read(req->ctx->store, &req->who, meeting_id, &error) ||
	    !validate_query(req->query, query, &error)) {
		rest_reply_error(req, error);
		return;
	}
	format = rest_query(req, "format");
	if (format && strcmp(format, "csv") == 0) {
		reply_csv(req, meeting_id);
		return;
	}
	if (format && strcmp(format, "json") != 0) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "\"format\" must be \"json\" or \"csv\"");
		return;
	}
	list = attendance_list(req->ctx->store, meeting_id, g_get_real_time() / 1000, &error);
	if (!list) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, list);
}

/* Replies with the line of one endpoint of the sheet. */
static void reply_line(struct rest_request *req, gint64 meeting_id, gint64 endpoint_id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) list =
	    attendance_list(req->ctx->store, meeting_id, g_get_real_time() / 1000, &error);
	JsonArray *lines;

	if (!list) {
		rest_reply_error(req, error);
		return;
	}
	lines = json_node_get_array(list);
	for (guint i = 0; i < json_array_get_length(lines); i++) {
		JsonObject *line = json_array_get_object_element(lines, i);
		if (json_object_get_int_member(line, "endpoint_id") == endpoint_id) {
			rest_reply(req, SOUP_STATUS_OK, json_array_dup_element(lines, i));
			return;
		}
	}
	http_reply_error(req->msg, API_ERROR_NOT_FOUND,
	                 "endpoint %" G_GINT64_FORMAT
	                 " is not invited to meeting %" G_GINT64_FORMAT,
	                 endpoint_id, meeting_id);
}

static void put_attendance(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"status", FIELD_STRING, true, 1, 16},
	    {"reason", FIELD_STRING, false, 0, 500},
	    {NULL},
	};
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0), endpoint_id;
	enum attendance_status status;

	if (!meeting_id || !(endpoint_id = rest_param_id(req, 1)))
		return;
	if (!req->body) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "send {\"status\": \"in_person\" or \"absent\", \"reason\"}");
		return;
	}
	if (!validate_fields(req->body, spec, &error)) {
		rest_reply_error(req, error);
		return;
	}
	if (!attendance_status_settable(field_string(req->body, "status", NULL), &status)) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "\"status\" must be \"in_person\" or \"absent\" (\"online\" comes "
		                 "from connecting)");
		return;
	}
	if (!attendance_set(req->ctx->store, &req->who, meeting_id, endpoint_id, status,
	                    field_string(req->body, "reason", ""), &error)) {
		rest_reply_error(req, error);
		return;
	}
	reply_line(req, meeting_id, endpoint_id);
}

static const struct rest_route routes[] = {
    {"GET", "meetings/{id}/attendance", ROLE_NONE, get_attendance,
     "/api/v1/meetings/{id}/attendance"},
    {"PUT", "meetings/{id}/attendance/{endpoint_id}", ROLE_OPERATOR, put_attendance,
     "/api/v1/meetings/{id}/attendance/{endpoint_id}"},
};

const struct rest_route_table rest_attendance_routes = {routes, G_N_ELEMENTS(routes)};
