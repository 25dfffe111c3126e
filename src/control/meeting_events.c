/* SPDX-License-Identifier: MIT */
/* The meeting event log: kinds, their details checked, appends, the list. */
#define G_LOG_DOMAIN "cau-events"
#include "meeting_events.h"

#include "audit.h"
#include "meetings.h"

#include <stdlib.h>
#include <string.h>

#define SPEAKING_MAX_MS (24 * 3600 * G_GINT64_CONSTANT(1000))
#define TEXT_MAX        1000 /* characters of a vote's question */
#define OPTION_MAX      200
#define OPTIONS_MAX     50
#define NAME_MAX_CHARS  255
#define REF_MAX         100 /* a recording's or a vote's reference */

enum endpoint_rule { ENDPOINT_NONE, ENDPOINT_REQUIRED, ENDPOINT_OPTIONAL };
enum member_type { MEMBER_INT, MEMBER_STRING, MEMBER_BOOL, MEMBER_ARRAY };

struct member {
	const char *name;
	enum member_type type;
	bool required;
	gint64 min, max; /* value, length in characters, or number of elements */
};

struct append;
struct kind_spec {
	const char *name;
	enum endpoint_rule endpoint;
	const struct member *members; /* NULL-terminated; NULL: the detail must be {} */
	bool (*check)(struct store *st, struct append *a, GError **error); /* in the txn */
};

struct append {
	const struct kind_spec *spec;
	gint64 meeting_id, endpoint_id, at, end_at;
	JsonObject *detail;
	const char *actor;
	const struct principal *who; /* audited when set */
	gint64 id;
};

static const struct member by_only[] = {{"by", MEMBER_STRING, false, 1, 200}, {NULL}};
static const struct member speaking_members[] = {{"end_at", MEMBER_INT, true, 1, G_MAXINT64},
                                                 {NULL}};
static const struct member layout_members[] = {
    {"layout", MEMBER_STRING, true, 1, 16}, {"by", MEMBER_STRING, false, 1, 200}, {NULL}};
static const struct member material_members[] = {{"material", MEMBER_INT, true, 1, G_MAXINT64},
                                                 {"version", MEMBER_INT, true, 1, G_MAXINT},
                                                 {NULL}};
static const struct member recording_members[] = {{"recording", MEMBER_STRING, true, 1, REF_MAX},
                                                  {"file", MEMBER_STRING, false, 1, NAME_MAX_CHARS},
                                                  {"size", MEMBER_INT, false, 0, G_MAXINT64},
                                                  {"sha256", MEMBER_STRING, false, 64, 64},
                                                  {NULL}};
static const struct member vote_open_members[] = {{"vote", MEMBER_STRING, true, 1, REF_MAX},
                                                  {"question", MEMBER_STRING, true, 1, TEXT_MAX},
                                                  {"options", MEMBER_ARRAY, true, 2, OPTIONS_MAX},
                                                  {"secret", MEMBER_BOOL, true, 0, 0},
                                                  {"agenda_item", MEMBER_INT, false, 1, G_MAXINT64},
                                                  {NULL}};
static const struct member vote_close_members[] = {{"vote", MEMBER_STRING, true, 1, REF_MAX},
                                                   {"counts", MEMBER_ARRAY, true, 2, OPTIONS_MAX},
                                                   {"choices", MEMBER_ARRAY, false, 0, 100000},
                                                   {NULL}};
static const struct member decision_members[] = {
    {"text", MEMBER_STRING, true, 1, MEETING_DECISION_MAX},
    {"agenda_item", MEMBER_INT, false, 1, G_MAXINT64},
    {NULL}};

static bool check_speaking(struct store *st, struct append *a, GError **error);
static bool check_layout(struct store *st, struct append *a, GError **error);
static bool check_material(struct store *st, struct append *a, GError **error);
static bool check_recording(struct store *st, struct append *a, GError **error);
static bool check_vote_opened(struct store *st, struct append *a, GError **error);
static bool check_vote_closed(struct store *st, struct append *a, GError **error);
static bool check_decision(struct store *st, struct append *a, GError **error);

static const struct kind_spec kinds[] = {
    {"speaking", ENDPOINT_REQUIRED, speaking_members, check_speaking},
    {"floor_requested", ENDPOINT_REQUIRED, NULL, NULL},
    {"floor_granted", ENDPOINT_REQUIRED, by_only, NULL},
    {"floor_revoked", ENDPOINT_REQUIRED, by_only, NULL},
    {"mute", ENDPOINT_REQUIRED, by_only, NULL},
    {"unmute", ENDPOINT_REQUIRED, by_only, NULL},
    {"pin", ENDPOINT_REQUIRED, by_only, NULL},
    {"unpin", ENDPOINT_OPTIONAL, by_only, NULL},
    {"kick", ENDPOINT_REQUIRED, by_only, NULL},
    {"layout", ENDPOINT_NONE, layout_members, check_layout},
    {"lock", ENDPOINT_NONE, by_only, NULL},
    {"unlock", ENDPOINT_NONE, by_only, NULL},
    {"material_presented", ENDPOINT_OPTIONAL, material_members, check_material},
    {"recording_started", ENDPOINT_NONE, recording_members, check_recording},
    {"recording_stopped", ENDPOINT_NONE, recording_members, check_recording},
    {"vote_opened", ENDPOINT_NONE, vote_open_members, check_vote_opened},
    {"vote_closed", ENDPOINT_NONE, vote_close_members, check_vote_closed},
    {"decision", ENDPOINT_NONE, decision_members, check_decision},
};

static bool invalid(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);
static bool invalid(GError **error, const char *format, ...)
{
	g_autofree char *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error_literal(error, CONTROL_ERROR, CONTROL_ERROR_INVALID, message);
	return false;
}

static const struct kind_spec *find_kind(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (g_strcmp0(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

static bool check_member(const struct kind_spec *spec, const struct member *m, JsonNode *value,
                         GError **error)
{
	GType type = JSON_NODE_HOLDS_VALUE(value) ? json_node_get_value_type(value) : G_TYPE_NONE;
	gint64 n;

	switch (m->type) {
	case MEMBER_INT:
		if (type != G_TYPE_INT64 || json_node_get_int(value) < m->min ||
		    json_node_get_int(value) > m->max)
			return invalid(error,
			               "%s: \"%s\" must be an integer from %" G_GINT64_FORMAT
			               " to %" G_GINT64_FORMAT,
			               spec->name, m->name, m->min, m->max);
		return true;
	case MEMBER_BOOL:
		if (type != G_TYPE_BOOLEAN)
			return invalid(error, "%s: \"%s\" must be true or false", spec->name,
			               m->name);
		return true;
	case MEMBER_STRING:
		n = type == G_TYPE_STRING ? g_utf8_strlen(json_node_get_string(value), -1) : -1;
		if (n < m->min || n > m->max)
			return invalid(error,
			               "%s: \"%s\" must be text of %" G_GINT64_FORMAT
			               " to %" G_GINT64_FORMAT " characters",
			               spec->name, m->name, m->min, m->max);
		return true;
	case MEMBER_ARRAY:
		n = JSON_NODE_HOLDS_ARRAY(value)
		        ? (gint64)json_array_get_length(json_node_get_array(value))
		        : -1;
		if (n < m->min || n > m->max)
			return invalid(error,
			               "%s: \"%s\" must be an array of %" G_GINT64_FORMAT
			               " to %" G_GINT64_FORMAT " elements",
			               spec->name, m->name, m->min, m->max);
		return true;
	}
	return false;
}

/* The detail has the members its kind allows, of the right types and sizes. */
static bool check_members(const struct kind_spec *spec, JsonObject *detail, GError **error)
{
	g_autoptr(GList) names = json_object_get_members(detail);

	for (GList *l = names; l; l = l->next) {
		const struct member *m = spec->members;
		while (m && m->name && strcmp(m->name, l->data) != 0)
			m++;
		if (!m || !m->name)
			return invalid(error, "%s: unknown detail member \"%s\"", spec->name,
			               (const char *)l->data);
		if (!check_member(spec, m, json_object_get_member(detail, l->data), error))
			return false;
	}
	for (const struct member *m = spec->members; m && m->name; m++)
		if (m->required && !json_object_has_member(detail, m->name))
			return invalid(error, "%s: the detail needs \"%s\"", spec->name, m->name);
	return true;
}

/* Parses and checks everything that needs no database. */
static bool prepare(struct append *a, const char *kind, const char *detail_json, JsonParser *parser,
                    GError **error)
{
	const char *text = detail_json && *detail_json ? detail_json : "{}";
	JsonNode *root;

	a->spec = find_kind(kind);
	if (!a->spec)
		return invalid(error, "unknown event kind \"%s\"", kind ? kind : "");
	if (a->at <= 0)
		return invalid(error, "%s: the time must be a Unix time in milliseconds", kind);
	if (a->spec->endpoint == ENDPOINT_REQUIRED && a->endpoint_id <= 0)
		return invalid(error, "%s: an endpoint is needed", kind);
	if (a->spec->endpoint == ENDPOINT_NONE && a->endpoint_id != 0)
		return invalid(error, "%s: takes no endpoint", kind);
	if (a->endpoint_id < 0)
		return invalid(error, "%s: bad endpoint id", kind);
	if (strlen(text) > MEETING_EVENT_DETAIL_MAX)
		return invalid(error, "%s: the detail is over %d bytes", kind,
		               MEETING_EVENT_DETAIL_MAX);
	if (!json_parser_load_from_data(parser, text, -1, NULL) ||
	    !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
		return invalid(error, "%s: the detail must be a JSON object", kind);
	a->detail = json_node_get_object(root);
	return check_members(a->spec, a->detail, error);
}

static bool check_speaking(struct store *st, struct append *a, GError **error)
{
	a->end_at = json_object_get_int_member(a->detail, "end_at");
	if (a->end_at < a->at || a->end_at - a->at > SPEAKING_MAX_MS)
		return invalid(error, "speaking: the end must be from the start to 24 hours later");
	json_object_remove_member(a->detail, "end_at"); /* kept in its column */
	return true;
}

static bool check_layout(struct store *st, struct append *a, GError **error)
{
	if (!meeting_layout_valid(json_object_get_string_member(a->detail, "layout")))
		return invalid(error, "layout: \"layout\" must be speaker, grid or pinned");
	return true;
}

/* Counts the rows of `sql` with the given integer parameters; -1 on error. */
static gint64 count_rows(struct store *st, const char *sql, gint64 p1, gint64 p2, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st, sql, STORE_PARAMS(STORE_INT(p1), STORE_INT(p2)), error);

	return rows ? store_rows_get_int(rows, 0, 0) : -1;
}

static bool not_found(GError **error, const char *what, gint64 id, gint64 meeting_id)
{
	g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
	            "meeting %" G_GINT64_FORMAT " has no %s %" G_GINT64_FORMAT, meeting_id, what,
	            id);
	return false;
}

static bool agenda_item_ok(struct store *st, struct append *a, GError **error)
{
	gint64 item = json_object_get_int_member_with_default(a->detail, "agenda_item", 0);
	gint64 n;

	if (!item)
		return true;
	n = count_rows(st, "SELECT COUNT(*) FROM agenda_items WHERE id = ? AND meeting_id = ?",
	               item, a->meeting_id, error);
	return n > 0 || (n == 0 && not_found(error, "agenda item", item, a->meeting_id));
}

static bool check_material(struct store *st, struct append *a, GError **error)
{
	gint64 material = json_object_get_int_member(a->detail, "material");
	gint64 version = json_object_get_int_member(a->detail, "version");
	gint64 n = count_rows(st, "SELECT COUNT(*) FROM materials WHERE id = ? AND meeting_id = ?",
	                      material, a->meeting_id, error);

	if (n <= 0)
		return n == 0 && not_found(error, "material", material, a->meeting_id);
	n = count_rows(
	    st, "SELECT COUNT(*) FROM material_versions WHERE material_id = ? AND version = ?",
	    material, version, error);
	if (n == 0)
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "material %" G_GINT64_FORMAT " has no version %" G_GINT64_FORMAT,
		            material, version);
	return n > 0;
}

static bool check_recording(struct store *st, struct append *a, GError **error)
{
	const char *hash = json_object_get_string_member_with_default(a->detail, "sha256", NULL);

	for (const char *p = hash; p && *p; p++)
		if (!g_ascii_isxdigit(*p) || g_ascii_isupper(*p))
			return invalid(error, "%s: \"sha256\" must be 64 lower-case hex digits",
			               a->spec->name);
	return true;
}

/* The detail of the vote_opened event of vote `vote` in the meeting, or NULL; `*closed`
 * tells whether a vote_closed event followed. */
static JsonNode *opened_vote(struct store *st, gint64 meeting_id, const char *vote, bool *closed,
                             GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st,
	                "SELECT kind, detail FROM meeting_events WHERE meeting_id = ? AND kind IN "
	                "('vote_opened', 'vote_closed') ORDER BY id",
	                STORE_PARAMS(STORE_INT(meeting_id)), error);
	JsonNode *found = NULL;

	*closed = false;
	for (guint r = 0; rows && r < store_rows_count(rows); r++) {
		g_autoptr(JsonNode) d = json_from_string(store_rows_get(rows, r, 1), NULL);
		if (!d || !JSON_NODE_HOLDS_OBJECT(d) ||
		    g_strcmp0(json_object_get_string_member_with_default(json_node_get_object(d),
		                                                         "vote", NULL),
		              vote) != 0)
			continue;
		if (strcmp(store_rows_get(rows, r, 0), "vote_opened") == 0 && !found)
			found = g_steal_pointer(&d);
		else
			*closed = true;
	}
	return found;
}

static bool check_vote_opened(struct store *st, struct append *a, GError **error)
{
	JsonArray *options = json_object_get_array_member(a->detail, "options");
	const char *vote = json_object_get_string_member(a->detail, "vote");
	g_autoptr(GError) local = NULL;
	g_autoptr(JsonNode) earlier = NULL;
	bool closed;

	for (guint i = 0; i < json_array_get_length(options); i++) {
		JsonNode *o = json_array_get_element(options, i);
		if (!JSON_NODE_HOLDS_VALUE(o) || json_node_get_value_type(o) != G_TYPE_STRING ||
		    g_utf8_strlen(json_node_get_string(o), -1) < 1 ||
		    g_utf8_strlen(json_node_get_string(o), -1) > OPTION_MAX)
			return invalid(
			    error, "vote_opened: every option must be text of 1 to %d characters",
			    OPTION_MAX);
	}
	earlier = opened_vote(st, a->meeting_id, vote, &closed, &local);
	if (local) {
		g_propagate_error(error, g_steal_pointer(&local));
		return false;
	}
	if (earlier) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "vote \"%s\" was opened already", vote);
		return false;
	}
	return agenda_item_ok(st, a, error);
}

static bool check_choices(JsonArray *choices, guint n_options, GError **error)
{
	for (guint i = 0; i < json_array_get_length(choices); i++) {
		JsonNode *c = json_array_get_element(choices, i);
		JsonObject *o = JSON_NODE_HOLDS_OBJECT(c) ? json_node_get_object(c) : NULL;
		JsonNode *ep = o ? json_object_get_member(o, "endpoint") : NULL;
		JsonNode *opt = o ? json_object_get_member(o, "option") : NULL;
		if (!o || json_object_get_size(o) != 2 || !ep || !opt ||
		    !JSON_NODE_HOLDS_VALUE(ep) || json_node_get_value_type(ep) != G_TYPE_INT64 ||
		    json_node_get_int(ep) < 1 || !JSON_NODE_HOLDS_VALUE(opt) ||
		    json_node_get_value_type(opt) != G_TYPE_INT64 || json_node_get_int(opt) < 0 ||
		    json_node_get_int(opt) >= n_options)
			return invalid(error,
			               "vote_closed: every choice must be {\"endpoint\": id, "
			               "\"option\": index from 0 to %u}",
			               n_options - 1);
	}
	return true;
}

static bool check_vote_closed(struct store *st, struct append *a, GError **error)
{
	const char *vote = json_object_get_string_member(a->detail, "vote");
	JsonArray *counts = json_object_get_array_member(a->detail, "counts");
	g_autoptr(GError) local = NULL;
	bool closed = false;
	g_autoptr(JsonNode) opened = opened_vote(st, a->meeting_id, vote, &closed, &local);
	guint n_options;

	if (local) {
		g_propagate_error(error, g_steal_pointer(&local));
		return false;
	}
	if (!opened || closed) {
		g_set_error(
		    error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		    closed ? "vote \"%s\" was closed already" : "vote \"%s\" was not opened", vote);
		return false;
	}
	n_options = json_array_get_length(
	    json_object_get_array_member(json_node_get_object(opened), "options"));
	if (json_array_get_length(counts) != n_options)
		return invalid(error, "vote_closed: \"counts\" needs one count per option (%u)",
		               n_options);
	for (guint i = 0; i < n_options; i++) {
		JsonNode *c = json_array_get_element(counts, i);
		if (!JSON_NODE_HOLDS_VALUE(c) || json_node_get_value_type(c) != G_TYPE_INT64 ||
		    json_node_get_int(c) < 0)
			return invalid(error, "vote_closed: every count must be an integer >= 0");
	}
	if (json_object_has_member(a->detail, "choices") &&
	    json_object_get_boolean_member(json_node_get_object(opened), "secret"))
		return invalid(error, "vote_closed: a secret vote keeps its choices to itself");
	return !json_object_has_member(a->detail, "choices") ||
	       check_choices(json_object_get_array_member(a->detail, "choices"), n_options, error);
}

static bool check_decision(struct store *st, struct append *a, GError **error)
{
	return agenda_item_ok(st, a, error);
}

/* The meeting exists and is (or was) running; the endpoint exists. */
static bool check_targets(struct store *st, struct append *a, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st,
	                "SELECT state, (SELECT COUNT(*) FROM endpoints WHERE id = ?) FROM meetings "
	                "WHERE id = ?",
	                STORE_PARAMS(STORE_INT(a->endpoint_id), STORE_INT(a->meeting_id)), error);
	const char *state;

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting with id %" G_GINT64_FORMAT, a->meeting_id);
		return false;
	}
	state = store_rows_get(rows, 0, 0);
	if (strcmp(state, "scheduled") == 0 || strcmp(state, "cancelled") == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "meeting %" G_GINT64_FORMAT " is %s: nothing happens in it",
		            a->meeting_id, state);
		return false;
	}
	if (a->endpoint_id && store_rows_get_int(rows, 0, 1) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no endpoint with id %" G_GINT64_FORMAT, a->endpoint_id);
		return false;
	}
	return true;
}

static bool insert_event(struct store *st, gpointer user_data, GError **error)
{
	struct append *a = user_data;
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(store_rows) rows = NULL;
	g_autofree char *detail = NULL, *target = NULL, *audit = NULL;

	if (!check_targets(st, a, error) || (a->spec->check && !a->spec->check(st, a, error)))
		return false;
	node = json_node_init_object(json_node_alloc(), a->detail);
	detail = json_to_string(node, FALSE);
	rows = store_query(st,
	                   "INSERT INTO meeting_events (meeting_id, kind, at, end_at, endpoint_id, "
	                   "actor, detail) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
	                   STORE_PARAMS(STORE_INT(a->meeting_id), STORE_TEXT(a->spec->name),
	                                STORE_INT(a->at),
	                                a->end_at ? STORE_INT(a->end_at) : STORE_NULL,
	                                a->endpoint_id ? STORE_INT(a->endpoint_id) : STORE_NULL,
	                                STORE_TEXT(a->actor), STORE_TEXT(detail)),
	                   error);
	if (!rows)
		return false;
	a->id = store_rows_get_int(rows, 0, 0);
	if (!a->who)
		return true;
	target = g_strdup_printf("meeting/%" G_GINT64_FORMAT, a->meeting_id);
	audit = g_strdup_printf("{\"event\":%" G_GINT64_FORMAT ",\"kind\":\"%s\"}", a->id,
	                        a->spec->name);
	return audit_append(st, a->who, "meeting.decision", target, audit, error);
}

static gint64 append(struct store *st, struct append *a, const char *kind, const char *detail,
                     GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();

	if (!prepare(a, kind, detail, parser, error) ||
	    !store_transaction(st, insert_event, a, error))
		return 0;
	g_debug("[meeting %" G_GINT64_FORMAT "] event %" G_GINT64_FORMAT ": %s", a->meeting_id,
	        a->id, kind);
	return a->id;
}

bool meeting_events_append(struct store *st, gint64 meeting_id, const char *kind,
                           gint64 endpoint_id, const char *detail_json, gint64 at_ms,
                           GError **error)
{
	struct append a = {
	    .meeting_id = meeting_id, .endpoint_id = endpoint_id, .at = at_ms, .actor = "room"};

	if (g_strcmp0(kind, "joined") == 0 || g_strcmp0(kind, "left") == 0) {
		if (detail_json && *detail_json && strcmp(detail_json, "{}") != 0)
			return invalid(error, "%s: takes no detail", kind);
		return kind[0] == 'j' ? attendance_joined(st, meeting_id, endpoint_id, at_ms, error)
		                      : attendance_left(st, meeting_id, endpoint_id, at_ms, error);
	}
	return append(st, &a, kind, detail_json, error) != 0;
}

bool meeting_events_speaking(struct store *st, gint64 meeting_id, gint64 endpoint_id,
                             gint64 start_ms, gint64 end_ms, GError **error)
{
	g_autofree char *detail = g_strdup_printf("{\"end_at\":%" G_GINT64_FORMAT "}", end_ms);

	return meeting_events_append(st, meeting_id, "speaking", endpoint_id, detail, start_ms,
	                             error);
}

gint64 meeting_events_decide(struct store *st, const struct principal *who, gint64 meeting_id,
                             const char *text, gint64 agenda_item_id, gint64 at_ms, GError **error)
{
	struct append a = {.meeting_id = meeting_id,
	                   .at = at_ms,
	                   .who = who,
	                   .actor = who && who->account_id ? who->username : "system"};
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *detail = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "text");
	json_builder_add_string_value(b, text ? text : "");
	if (agenda_item_id) {
		json_builder_set_member_name(b, "agenda_item");
		json_builder_add_int_value(b, agenda_item_id);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	detail = json_to_string(root, FALSE);
	return append(st, &a, "decision", detail, error);
}

static JsonNode *events_json(struct store_rows *rows)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_array(b);
	for (guint r = 0; r < store_rows_count(rows); r++) {
		JsonNode *detail = json_from_string(store_rows_get(rows, r, 6), NULL);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_int_value(b, store_rows_get_int(rows, r, 0));
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, store_rows_get(rows, r, 1));
		json_builder_set_member_name(b, "at");
		json_builder_add_int_value(b, store_rows_get_int(rows, r, 2));
		json_builder_set_member_name(b, "end_at");
		if (store_rows_get(rows, r, 3))
			json_builder_add_int_value(b, store_rows_get_int(rows, r, 3));
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "endpoint_id");
		if (store_rows_get(rows, r, 4))
			json_builder_add_int_value(b, store_rows_get_int(rows, r, 4));
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "actor");
		json_builder_add_string_value(b, store_rows_get(rows, r, 5));
		json_builder_set_member_name(b, "detail");
		json_builder_add_value(
		    b,
		    detail ? detail : json_node_init_object(json_node_alloc(), json_object_new()));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return json_builder_get_root(b);
}

#define EVENT_COLUMNS "id, kind, at, end_at, endpoint_id, actor, detail"

JsonNode *meeting_events_list(struct store *st, gint64 meeting_id, const char *kind, GError **error)
{
	g_autoptr(store_rows) rows = NULL;
	gint64 n = count_rows(st, "SELECT COUNT(*) FROM meetings WHERE id = ? AND id = ?",
	                      meeting_id, meeting_id, error);

	if (n <= 0) {
		if (n == 0)
			g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
			            "no meeting with id %" G_GINT64_FORMAT, meeting_id);
		return NULL;
	}
	rows =
	    kind ? store_query(st,
	                       "SELECT " EVENT_COLUMNS " FROM meeting_events WHERE meeting_id = ? "
	                       "AND kind = ? ORDER BY at, id",
	                       STORE_PARAMS(STORE_INT(meeting_id), STORE_TEXT(kind)), error)
	         : store_query(st,
	                       "SELECT " EVENT_COLUMNS " FROM meeting_events WHERE meeting_id = ? "
	                       "ORDER BY at, id",
	                       STORE_PARAMS(STORE_INT(meeting_id)), error);
	return rows ? events_json(rows) : NULL;
}

JsonNode *meeting_events_get(struct store *st, gint64 event_id, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st, "SELECT " EVENT_COLUMNS " FROM meeting_events WHERE id = ?",
	                STORE_PARAMS(STORE_INT(event_id)), error);
	g_autoptr(JsonNode) list = NULL;

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no event with id %" G_GINT64_FORMAT, event_id);
		return NULL;
	}
	list = events_json(rows);
	return json_array_dup_element(json_node_get_array(list), 0);
}

static int by_start(const void *a, const void *b)
{
	const struct attendance_interval *x = a, *y = b;

	return (x->joined_at > y->joined_at) - (x->joined_at < y->joined_at);
}

gint64 meeting_speaking_total(const struct attendance_interval *intervals, size_t n, guint *turns)
{
	g_autofree struct attendance_interval *sorted = NULL;
	gint64 total = 0, start = 0, end = 0;
	bool open = false;

	*turns = 0;
	if (n == 0)
		return 0;
	sorted = g_memdup2(intervals, n * sizeof *intervals);
	qsort(sorted, n, sizeof *sorted, by_start);
	for (size_t i = 0; i < n; i++) {
		if (sorted[i].left_at <= sorted[i].joined_at)
			continue;
		if (open && sorted[i].joined_at <= end) {
			end = MAX(end, sorted[i].left_at); /* overlaps or touches the run */
			continue;
		}
		if (open)
			total += end - start;
		start = sorted[i].joined_at;
		end = sorted[i].left_at;
		open = true;
		(*turns)++;
	}
	return open ? total + end - start : total;
}
