/* SPDX-License-Identifier: MIT */
/* /api/v1/meetings: operators schedule and change meetings, their agenda and invitees;
 * chairs read them and start or end the meetings they chair. */
#define G_LOG_DOMAIN "cau-rest"
#include "rest_meetings.h"

#include "errors.h"
#include "http.h"
#include "rest.h"
#include "validate.h"

#include <string.h>

#define MINUTE_MS G_GINT64_CONSTANT(60000)

/* The members of a meeting a body may set; POST requires the first three. */
#define MEETING_SETTINGS_SPEC                                                                      \
	{"description", FIELD_STRING, false, 0, MEETING_DESCRIPTION_MAX},                          \
	    {"lead_minutes", FIELD_INT, false, 0, MEETING_MAX_LEAD_MIN},                           \
	    {"grace_minutes", FIELD_INT, false, 0, MEETING_MAX_GRACE_MIN},                         \
	    {"chair_id", FIELD_INT, false, 1, G_MAXINT64}, {"layout", FIELD_STRING, false, 1, 16}, \
	{                                                                                          \
		"recording_policy", FIELD_STRING, false, 1, 16                                     \
	}

void rest_meeting_settings(JsonObject *body, struct meeting_fields *f)
{
	JsonNode *chair = json_object_get_member(body, "chair_id");
	gint64 lead = field_int(body, "lead_minutes", -1);
	gint64 grace = field_int(body, "grace_minutes", -1);

	f->description = field_string(body, "description", NULL);
	f->lead_ms = lead >= 0 ? lead * MINUTE_MS : -1;
	f->grace_ms = grace >= 0 ? grace * MINUTE_MS : -1;
	if (chair && JSON_NODE_HOLDS_NULL(chair))
		f->chair_account_id = 0;
	else
		f->chair_account_id = field_int(body, "chair_id", -1);
	f->layout = field_string(body, "layout", NULL);
	f->recording_policy = field_string(body, "recording_policy", NULL);
}

/* Replies `status` with meeting `id` as it is now. */
static void reply_meeting(struct rest_request *req, guint status, gint64 id)
{
	g_autoptr(GError) error = NULL;
	JsonNode *meeting = meetings_get_json(req->ctx->meetings, id, &error);

	if (!meeting) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, status, meeting);
}

/* "scheduled,open" -> state bits; false when a name is unknown. */
static bool parse_states(const char *text, guint *states)
{
	g_auto(GStrv) names = g_strsplit(text, ",", -1);

	*states = 0;
	for (char **n = names; *n; n++) {
		enum meeting_state s = meeting_state_from_name(g_strstrip(*n));
		if (s == MEETING_STATE_NONE)
			return false;
		*states |= MEETING_STATE_BIT(s);
	}
	return *states != 0;
}

static void get_meetings(struct rest_request *req)
{
	struct meeting_filter filter = {0};
	const char *states = rest_query(req, "state");
	gint64 limit = 0;
	g_autoptr(GError) error = NULL;
	JsonNode *list;

	if (!rest_query_int(req, "from", REST_LATEST_MS, &filter.from_ms) ||
	    !rest_query_int(req, "to", REST_LATEST_MS, &filter.to_ms) ||
	    !rest_query_int(req, "limit", 1000, &limit))
		return;
	if (states && !parse_states(states, &filter.states)) {
		http_reply_error(req->msg, API_ERROR_BAD_REQUEST,
		                 "query parameter \"state\" must be a comma-separated list of "
		                 "scheduled, open, live, ended, cancelled");
		return;
	}
	filter.limit = (guint)limit;
	list = meetings_list_json(req->ctx->meetings, &filter, &error);
	if (!list) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, list);
}

static void post_meeting(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"title", FIELD_STRING, true, 1, MEETING_TITLE_MAX},
	    {"start_at", FIELD_INT, true, 1, REST_LATEST_MS},
	    {"end_at", FIELD_INT, true, 1, REST_LATEST_MS},
	    MEETING_SETTINGS_SPEC,
	    {NULL},
	};
	struct meeting_fields f = MEETING_FIELDS_KEEP;
	g_autoptr(GError) error = NULL;
	gint64 id;

	if (!rest_require_body(req, "send {\"title\", \"start_at\", \"end_at\"} (Unix ms) and "
	                            "optional settings"))
		return;
	if (!validate_fields(req->body, spec, &error)) {
		rest_reply_error(req, error);
		return;
	}
	rest_meeting_settings(req->body, &f);
	f.title = field_string(req->body, "title", NULL);
	f.start_at = field_int(req->body, "start_at", 0);
	f.end_at = field_int(req->body, "end_at", 0);
	id = meetings_create(req->ctx->meetings, &req->who, &f, &error);
	if (!id) {
		rest_reply_error(req, error);
		return;
	}
	reply_meeting(req, SOUP_STATUS_CREATED, id);
}

static void get_meeting(struct rest_request *req)
{
	gint64 id = rest_param_id(req, 0);

	if (id)
		reply_meeting(req, SOUP_STATUS_OK, id);
}

static void patch_meeting(struct rest_request *req)
{
	static const struct field_spec spec[] = {
	    {"title", FIELD_STRING, false, 1, MEETING_TITLE_MAX},
	    {"start_at", FIELD_INT, false, 1, REST_LATEST_MS},
	    {"end_at", FIELD_INT, false, 1, REST_LATEST_MS},
	    MEETING_SETTINGS_SPEC,
	    {NULL},
	};
	struct meeting_fields f = MEETING_FIELDS_KEEP;
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);

	if (!id || !rest_require_body(req, "send a JSON object with the fields to change"))
		return;
	if (!validate_fields(req->body, spec, &error)) {
		rest_reply_error(req, error);
		return;
	}
	rest_meeting_settings(req->body, &f);
	f.title = field_string(req->body, "title", NULL);
	f.start_at = field_int(req->body, "start_at", 0);
	f.end_at = field_int(req->body, "end_at", 0);
	if (!meetings_update(req->ctx->meetings, &req->who, id, &f, &error)) {
		rest_reply_error(req, error);
		return;
	}
	reply_meeting(req, SOUP_STATUS_OK, id);
}

typedef bool (*state_change_fn)(struct meetings *m, const struct principal *who, gint64 id,
                                GError **error);

/* A chair may start and end only the meetings it chairs; operators any. */
static bool may_run(struct rest_request *req, gint64 id)
{
	struct meeting_info info;
	g_autoptr(GError) error = NULL;

	if (req->who.role >= ROLE_OPERATOR)
		return true;
	if (!meetings_lookup(req->ctx->meetings, id, &info, &error)) {
		rest_reply_error(req, error);
		return false;
	}
	if (info.chair_account_id != req->who.account_id) {
		http_reply_error(req->msg, API_ERROR_FORBIDDEN,
		                 "only the chair of meeting %" G_GINT64_FORMAT
		                 " or an operator may "
		                 "start or end it",
		                 id);
		return false;
	}
	return true;
}

static void change_state(struct rest_request *req, state_change_fn fn, bool chair_may)
{
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);

	if (!id || (chair_may && !may_run(req, id)))
		return;
	if (!fn(req->ctx->meetings, &req->who, id, &error)) {
		rest_reply_error(req, error);
		return;
	}
	reply_meeting(req, SOUP_STATUS_OK, id);
}

static void post_cancel(struct rest_request *req)
{
	change_state(req, meetings_cancel, false);
}

static void post_start(struct rest_request *req)
{
	change_state(req, meetings_mark_live, true);
}

static void post_end(struct rest_request *req)
{
	change_state(req, meetings_end, true);
}

/* Reads {"items": [{"title", "presenter", "duration_minutes", "id"}]} ("id": an item kept). */
static bool parse_agenda(JsonObject *body, GArray *items, GError **error)
{
	static const struct field_spec spec[] = {
	    {"items", FIELD_ARRAY, true, 0, AGENDA_MAX_ITEMS},
	    {NULL},
	};
	static const struct field_spec item_spec[] = {
	    {"title", FIELD_STRING, true, 1, AGENDA_TITLE_MAX},
	    {"presenter", FIELD_STRING, false, 0, AGENDA_PRESENTER_MAX},
	    {"duration_minutes", FIELD_INT, false, 0, AGENDA_MAX_DURATION_MIN},
	    {"id", FIELD_INT, false, 1, G_MAXINT64},
	    {NULL},
	};
	JsonArray *array;

	if (!validate_fields(body, spec, error))
		return false;
	array = json_object_get_array_member(body, "items");
	for (guint i = 0; i < json_array_get_length(array); i++) {
		JsonNode *node = json_array_get_element(array, i);
		JsonObject *o;
		if (!JSON_NODE_HOLDS_OBJECT(node)) {
			g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
			            "items[%u] must be an object {\"title\", \"presenter\", "
			            "\"duration_minutes\"}",
			            i);
			return false;
		}
		o = json_node_get_object(node);
		if (!validate_fields(o, item_spec, error)) {
			g_prefix_error(error, "items[%u]: ", i);
			return false;
		}
		struct agenda_item item = {
		    field_string(o, "title", NULL), field_string(o, "presenter", ""),
		    field_int(o, "duration_minutes", 0), field_int(o, "id", 0)};
		g_array_append_val(items, item);
	}
	return true;
}

static void put_agenda(struct rest_request *req)
{
	g_autoptr(GArray) items = g_array_new(FALSE, FALSE, sizeof(struct agenda_item));
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);

	if (!id || !rest_require_body(req, "send {\"items\": [{\"title\", \"presenter\", "
	                                   "\"duration_minutes\"}]}"))
		return;
	if (!parse_agenda(req->body, items, &error) ||
	    !meetings_set_agenda(req->ctx->meetings, &req->who, id,
	                         (const struct agenda_item *)items->data, items->len, &error)) {
		rest_reply_error(req, error);
		return;
	}
	reply_meeting(req, SOUP_STATUS_OK, id);
}

static bool parse_units(JsonArray *array, GArray *units, GError **error)
{
	static const struct field_spec spec[] = {
	    {"id", FIELD_INT, true, 1, G_MAXINT64},
	    {"include_descendants", FIELD_BOOL, false, 0, 0},
	    {NULL},
	};

	for (guint i = 0; array && i < json_array_get_length(array); i++) {
		JsonNode *node = json_array_get_element(array, i);
		JsonObject *o;
		if (!JSON_NODE_HOLDS_OBJECT(node)) {
			g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
			            "units[%u] must be an object {\"id\", \"include_descendants\"}",
			            i);
			return false;
		}
		o = json_node_get_object(node);
		if (!validate_fields(o, spec, error)) {
			g_prefix_error(error, "units[%u]: ", i);
			return false;
		}
		struct invitee_unit unit = {field_int(o, "id", 0),
		                            field_bool(o, "include_descendants") == 1};
		g_array_append_val(units, unit);
	}
	return true;
}

bool rest_parse_invitees(JsonObject *obj, struct rest_invitees *out, GError **error)
{
	static const struct field_spec spec[] = {
	    {"units", FIELD_ARRAY, false, 0, MEETING_MAX_INVITEES},
	    {"endpoints", FIELD_ARRAY, false, 0, MEETING_MAX_INVITEES},
	    {NULL},
	};
	JsonArray *endpoints;

	out->units = g_array_new(FALSE, FALSE, sizeof(struct invitee_unit));
	out->endpoints = g_array_new(FALSE, FALSE, sizeof(gint64));
	if (!validate_fields(obj, spec, error))
		return false;
	if (json_object_has_member(obj, "units") &&
	    !parse_units(json_object_get_array_member(obj, "units"), out->units, error))
		return false;
	endpoints = json_object_has_member(obj, "endpoints")
	                ? json_object_get_array_member(obj, "endpoints")
	                : NULL;
	for (guint i = 0; endpoints && i < json_array_get_length(endpoints); i++) {
		JsonNode *node = json_array_get_element(endpoints, i);
		gint64 v =
		    JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_INT64
		        ? json_node_get_int(node)
		        : 0;
		if (v < 1) {
			g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
			            "endpoints[%u] must be an endpoint id (a positive integer)", i);
			return false;
		}
		g_array_append_val(out->endpoints, v);
	}
	out->list =
	    (struct invitee_list){(const struct invitee_unit *)out->units->data, out->units->len,
	                          (const gint64 *)out->endpoints->data, out->endpoints->len};
	return true;
}

void rest_invitees_clear(struct rest_invitees *inv)
{
	g_clear_pointer(&inv->units, g_array_unref);
	g_clear_pointer(&inv->endpoints, g_array_unref);
}

static void reply_invitees(struct rest_request *req, gint64 id)
{
	g_autoptr(GError) error = NULL;
	JsonNode *invitees = meetings_invitees_json(req->ctx->meetings, id, &error);

	if (!invitees) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, invitees);
}

static void put_invitees(struct rest_request *req)
{
	struct rest_invitees inv = {0};
	g_autoptr(GError) error = NULL;
	gint64 id = rest_param_id(req, 0);
	bool ok;

	if (!id || !rest_require_body(req, "send {\"units\": [{\"id\", \"include_descendants\"}], "
	                                   "\"endpoints\": [ids]}"))
		return;
	ok = rest_parse_invitees(req->body, &inv, &error) &&
	     meetings_set_invitees(req->ctx->meetings, &req->who, id, &inv.list, &error);
	rest_invitees_clear(&inv);
	if (!ok) {
		rest_reply_error(req, error);
		return;
	}
	reply_invitees(req, id);
}

static void get_invitees(struct rest_request *req)
{
	gint64 id = rest_param_id(req, 0);

	if (id)
		reply_invitees(req, id);
}

static const struct rest_route routes[] = {
    {"GET", "meetings", ROLE_CHAIR, get_meetings, "/api/v1/meetings"},
    {"POST", "meetings", ROLE_OPERATOR, post_meeting, "/api/v1/meetings"},
    {"GET", "meetings/{id}", ROLE_CHAIR, get_meeting, "/api/v1/meetings/{id}"},
    {"PATCH", "meetings/{id}", ROLE_OPERATOR, patch_meeting, "/api/v1/meetings/{id}"},
    {"POST", "meetings/{id}/cancel", ROLE_OPERATOR, post_cancel, "/api/v1/meetings/{id}/cancel"},
    {"POST", "meetings/{id}/start", ROLE_CHAIR, post_start, "/api/v1/meetings/{id}/start"},
    {"POST", "meetings/{id}/end", ROLE_CHAIR, post_end, "/api/v1/meetings/{id}/end"},
    {"PUT", "meetings/{id}/agenda", ROLE_OPERATOR, put_agenda, "/api/v1/meetings/{id}/agenda"},
    {"PUT", "meetings/{id}/invitees", ROLE_OPERATOR, put_invitees,
     "/api/v1/meetings/{id}/invitees"},
    {"GET", "meetings/{id}/invitees", ROLE_CHAIR, get_invitees, "/api/v1/meetings/{id}/invitees"},
};

const struct rest_route_table rest_meetings_routes = {routes, G_N_ELEMENTS(routes)};
