/* SPDX-License-Identifier: MIT */
/* /api/v1/series: recurring meetings (a weekly rule in local time) whose next
 * occurrences the scheduler keeps as ordinary meetings. */
#define G_LOG_DOMAIN "cau-rest"
#include "control/series.h"
#include "errors.h"
#include "http.h"
#include "rest.h"
#include "rest_meetings.h"
#include "validate.h"

static void reply_series(struct rest_request *req, guint status, gint64 id)
{
	g_autoptr(GError) error = NULL;
	JsonNode *series = series_get_json(req->ctx->meetings, id, &error);

	if (!series) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, status, series);
}

static void get_series_list(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	JsonNode *list = series_list_json(req->ctx->meetings, &error);

	if (!list) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, list);
}

static void post_series(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"title", FIELD_STRING, true, 1, MEETING_TITLE_MAX},
	    {"rule", FIELD_STRING, true, 1, 100},
	    {"timezone", FIELD_STRING, false, 1, 64},
	    {"description", FIELD_STRING, false, 0, MEETING_DESCRIPTION_MAX},
	    {"lead_minutes", FIELD_INT, false, 0, MEETING_MAX_LEAD_MIN},
	    {"grace_minutes", FIELD_INT, false, 0, MEETING_MAX_GRACE_MIN},
	    {"chair_id", FIELD_INT, false, 1, G_MAXINT64},
	    {"layout", FIELD_STRING, false, 1, 16},
	    {"recording_policy", FIELD_STRING, false, 1, 16},
	    {"invitees", FIELD_OBJECT, false, 0, 0},
	    {NULL},
	};
	struct meeting_fields settings = MEETING_FIELDS_KEEP;
	struct rest_invitees inv = {0};
	g_autoptr(GError) error = NULL;
	gint64 id = 0;
	bool has_invitees;

	if (!rest_require_body(req, "send {\"title\", \"rule\"} and optional settings"))
		return;
	if (!validate_fields(req->body, spec, &error)) {
		rest_reply_error(req, error);
		return;
	}
	rest_meeting_settings(req->body, &settings);
	has_invitees = json_object_has_member(req->body, "invitees") &&
	               JSON_NODE_HOLDS_OBJECT(json_object_get_member(req->body, "invitees"));
	if (!has_invitees ||
	    rest_parse_invitees(json_object_get_object_member(req->body, "invitees"), &inv,
	                        &error)) {
		struct series_fields f = {
		    .title = field_string(req->body, "title", NULL),
		    .description = settings.description,
		    .rule = field_string(req->body, "rule", NULL),
		    .timezone = field_string(req->body, "timezone", NULL),
		    .lead_ms = settings.lead_ms,
		    .grace_ms = settings.grace_ms,
		    .chair_account_id = settings.chair_account_id,
		    .layout = settings.layout,
		    .recording_policy = settings.recording_policy,
		    .invitees = has_invitees ? &inv.list : NULL,
		};
		id = series_create(req->ctx->meetings, &req->who, &f, &error);
	} else {
		g_prefix_error(&error, "invitees: ");
	}
	rest_invitees_clear(&inv);
	if (!id) {
		rest_reply_error(req, error);
		return;
	}
	reply_series(req, SOUP_STATUS_CREATED, id);
}

static void get_series(struct rest_request *req)
{
	gint64 id = rest_param_id(req, 0);

	if (id)
		reply_series(req, SOUP_STATUS_OK, id);
}

static void delete_series(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	gint64 id = rest_param_id(req, 0);
	guint cancelled = 0;

	if (!id)
		return;
	if (!series_delete(req->ctx->meetings, &req->who, id, &cancelled, &error)) {
		rest_reply_error(req, error);
		return;
	}
	b = json_builder_new_immutable();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, id);
	json_builder_set_member_name(b, "cancelled");
	json_builder_add_int_value(b, cancelled);
	json_builder_end_object(b);
	rest_reply(req, SOUP_STATUS_OK, json_builder_get_root(b));
}

static const struct rest_route routes[] = {
    {"GET", "series", ROLE_CHAIR, get_series_list, "/api/v1/series"},
    {"POST", "series", ROLE_OPERATOR, post_series, "/api/v1/series"},
    {"GET", "series/{id}", ROLE_CHAIR, get_series, "/api/v1/series/{id}"},
    {"DELETE", "series/{id}", ROLE_OPERATOR, delete_series, "/api/v1/series/{id}"},
};

const struct rest_route_table rest_series_routes = {routes, G_N_ELEMENTS(routes)};
