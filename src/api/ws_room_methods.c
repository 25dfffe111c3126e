/* SPDX-License-Identifier: MIT */
/* The room.* methods of the WebSocket protocol: join with a join token, resume a kept
 * seat, leave, and the participant and chair actions, one function per request. */
#define G_LOG_DOMAIN "cau-ws"
#include "ws_room.h"

#include "control/join_check.h"
#include "core/random.h"
#include "errors.h"
#include "validate.h"

#include <string.h>

#define TOKEN_MAX_CHARS 200

static JsonNode *empty_result(void)
{
	return json_node_init_object(json_node_alloc(), json_object_new());
}

static struct ws_rooms *require_rooms(struct ws_conn *conn, GError **error)
{
	struct ws_rooms *wr = ws_conn_rooms(conn);

	if (!wr || !wr->ctx) {
		g_set_error(error, API_ERROR, API_ERROR_UNAVAILABLE,
		            "this server has no meetings service");
		return NULL;
	}
	return wr;
}

/* The connection's seat and its room, or NULL with NOT_JOINED. */
static struct room *require_room(struct ws_conn *conn, struct ws_seat **seat, GError **error)
{
	struct room *room;

	*seat = ws_conn_seat(conn);
	if (!*seat || !(room = ws_seat_room(*seat))) {
		g_set_error(error, API_ERROR, API_ERROR_NOT_JOINED,
		            "not in a room: send room.join first");
		return NULL;
	}
	return room;
}

/* The reply to room.join and room.resume. */
static JsonNode *seat_reply(struct ws_seat *seat, struct room *room)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "participant");
	ws_room_add_participant(b, room_find(room, seat->participant));
	json_builder_set_member_name(b, "resume_token");
	json_builder_add_string_value(b, seat->resume_token);
	json_builder_set_member_name(b, "resume_seconds");
	json_builder_add_int_value(b, seat->wr->resume_seconds);
	json_builder_set_member_name(b, "room");
	ws_room_add_state(b, room);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

enum room_role ws_room_role_of(enum join_role role)
{
	switch (role) {
	case JOIN_ROLE_CHAIR:
		return ROOM_ROLE_CHAIR;
	case JOIN_ROLE_VIEWER:
		return ROOM_ROLE_VIEWER;
	default:
		return ROOM_ROLE_PARTICIPANT;
	}
}

/* The meeting's room, opened with its default layout; the meeting marked live at the
 * first join. */
static struct room *open_room(struct ws_rooms *wr, const struct meeting_info *info)
{
	g_autoptr(JsonNode) meeting = NULL;
	g_autoptr(GError) error = NULL;
	enum room_layout layout = ROOM_LAYOUT_SPEAKER;

	if (info->state != MEETING_LIVE &&
	    !meetings_mark_live(wr->ctx->meetings, NULL, info->id, &error))
		g_warning("[room %" G_GINT64_FORMAT "] not marked live: %s", info->id,
		          error->message);
	meeting = meetings_get_json(wr->ctx->meetings, info->id, NULL);
	if (meeting)
		room_layout_from_name(json_object_get_string_member_with_default(
		                          json_node_get_object(meeting), "layout", "speaker"),
		                      &layout);
	return rooms_open(wr->rooms, info->id, layout);
}

struct ws_seat *ws_room_seat_new(struct ws_rooms *wr, const struct meeting_info *info,
                                 gint64 endpoint_id, JsonNode *endpoint, enum room_role role,
                                 GError **error)
{
	struct room *room = open_room(wr, info);
	JsonObject *ep = json_node_get_object(endpoint);
	JsonObject *unit = json_object_get_object_member(ep, "unit");
	struct ws_seat *seat = g_new0(struct ws_seat, 1);
	struct room_participant *p;
	guint8 raw[RESUME_TOKEN_BYTES];

	seat->wr = wr;
	seat->meeting_id = info->id;
	random_bytes(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++)
		g_snprintf(seat->resume_token + 2 * i, 3, "%02x", raw[i]);
	p = room_join(room, endpoint_id, json_object_get_string_member(ep, "name"),
	              unit ? json_object_get_string_member_with_default(unit, "name", "") : "",
	              role, seat, ws_rooms_now_ms(wr), error);
	if (!p) {
		g_free(seat);
		return NULL;
	}
	seat->participant = p->id;
	g_hash_table_insert(wr->seats, seat->resume_token, seat);
	return seat;
}

static JsonNode *method_join(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                             GError **error)
{
	static const struct field_spec spec[] = {
	    {"token", FIELD_STRING, true, 1, TOKEN_MAX_CHARS},
	    {NULL},
	};
	g_autoptr(JsonNode) endpoint = NULL;
	struct ws_rooms *wr;
	struct join_claims claims;
	struct meeting_info info;
	struct ws_seat *seat;

	if (!validate_fields(params, spec, error) || !(wr = require_rooms(conn, error)))
		return NULL;
	if (ws_conn_seat(conn)) {
		g_set_error(error, API_ERROR, API_ERROR_CONFLICT,
		            "this connection is in a room already (room.leave first)");
		return NULL;
	}
	if (!join_check(wr->ctx->meetings, wr->ctx->join_secret, field_string(params, "token", ""),
	                &claims, &endpoint, &info, error))
		return NULL;
	seat = ws_room_seat_new(wr, &info, claims.endpoint_id, endpoint,
	                        ws_room_role_of(claims.role), error);
	if (!seat)
		return NULL;
	seat->conn = conn;
	ws_conn_set_seat(conn, seat);
	return seat_reply(seat, ws_seat_room(seat));
}

static JsonNode *method_resume(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                               GError **error)
{
	static const struct field_spec spec[] = {
	    {"resume_token", FIELD_STRING, true, 1, 64},
	    {NULL},
	};
	struct ws_rooms *wr;
	struct ws_seat *seat;
	struct room *room;

	if (!validate_fields(params, spec, error) || !(wr = require_rooms(conn, error)))
		return NULL;
	if (ws_conn_seat(conn)) {
		g_set_error(error, API_ERROR, API_ERROR_CONFLICT,
		            "this connection is in a room already");
		return NULL;
	}
	seat = g_hash_table_lookup(wr->seats, field_string(params, "resume_token", ""));
	if (!seat || !(room = ws_seat_room(seat))) {
		g_set_error(error, API_ERROR, API_ERROR_NOT_FOUND,
		            "no seat kept for this resume token (given up after %u s, or the "
		            "participant left)",
		            wr->resume_seconds);
		return NULL;
	}
	ws_seat_detach(seat); /* an old connection the server has not seen drop yet */
	if (seat->grace_source) {
		g_source_remove(seat->grace_source);
		seat->grace_source = 0;
	}
	seat->conn = conn;
	ws_conn_set_seat(conn, seat);
	room_set_away(room, seat->participant, false, ws_rooms_now_ms(wr));
	return seat_reply(seat, room);
}

static JsonNode *method_leave(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                              GError **error)
{
	static const struct field_spec spec[] = {{NULL}};
	struct ws_seat *seat;
	struct room *room;

	if (!validate_fields(params, spec, error) || !(room = require_room(conn, &seat, error)))
		return NULL;
	room_leave(room, seat->participant, "left", ws_rooms_now_ms(seat->wr)); /* frees seat */
	return empty_result();
}

static JsonNode *method_state(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                              GError **error)
{
	static const struct field_spec spec[] = {{NULL}};
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	struct ws_seat *seat;
	struct room *room;

	if (!validate_fields(params, spec, error) || !(room = require_room(conn, &seat, error)))
		return NULL;
	ws_room_add_state(b, room);
	return json_builder_get_root(b);
}

/* ---- actions ---- */

static bool view_name_valid(const char *name)
{
	for (const char *c = name; *c; c++) {
		if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_')
			return false;
	}
	return true;
}

/* Reads the action's arguments (validated by the method's spec). */
static bool read_args(JsonObject *params, struct room_action_args *args, GError **error)
{
	const char *media = field_string(params, "media", "audio");
	const char *layout = field_string(params, "layout", NULL);

	args->target = (guint)field_int(params, "participant", 0);
	args->view = field_string(params, "view", NULL);
	if (strcmp(media, "audio") == 0) {
		args->media = ROOM_MEDIA_AUDIO;
	} else if (strcmp(media, "video") == 0) {
		args->media = ROOM_MEDIA_VIDEO;
	} else {
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "media: must be \"audio\" or \"video\"");
		return false;
	}
	if (layout && !room_layout_from_name(layout, &args->layout)) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "layout: must be \"speaker\", \"grid\" or \"pinned\"");
		return false;
	}
	if (args->view && !view_name_valid(args->view)) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "view: letters, digits, '-' and '_' only");
		return false;
	}
	return true;
}

static JsonNode *run_action(struct ws_conn *conn, JsonObject *params, const struct field_spec *spec,
                            enum room_action action, GError **error)
{
	struct room_action_args args = {0};
	struct ws_seat *seat;
	struct room *room;
	struct ws_rooms *wr;
	gint64 meeting_id;

	if (!validate_fields(params, spec, error) || !read_args(params, &args, error) ||
	    !(room = require_room(conn, &seat, error)))
		return NULL;
	wr = seat->wr;
	meeting_id = seat->meeting_id;
	if (!room_act(room, seat->participant, action, &args, ws_rooms_now_ms(wr), error))
		return NULL;
	/* `seat` may be gone now (kicked itself, meeting ended). */
	if (action == ROOM_ACTION_END) {
		g_autoptr(GError) local = NULL;
		if (!meetings_end(wr->ctx->meetings, NULL, meeting_id, &local))
			g_warning("[room %" G_GINT64_FORMAT "] meeting not ended: %s", meeting_id,
			          local->message);
	}
	return empty_result();
}

static const struct field_spec no_fields[] = {{NULL}};
static const struct field_spec target_fields[] = {
    {"participant", FIELD_INT, false, 1, G_MAXUINT32},
    {NULL},
};
static const struct field_spec mute_fields[] = {
    {"participant", FIELD_INT, false, 1, G_MAXUINT32},
    {"media", FIELD_STRING, false, 1, 8},
    {NULL},
};
static const struct field_spec required_target_fields[] = {
    {"participant", FIELD_INT, true, 1, G_MAXUINT32},
    {NULL},
};
static const struct field_spec layout_fields[] = {
    {"view", FIELD_STRING, false, 1, ROOM_VIEW_NAME_MAX},
    {"layout", FIELD_STRING, true, 1, 16},
    {NULL},
};
static const struct field_spec pin_fields[] = {
    {"view", FIELD_STRING, false, 1, ROOM_VIEW_NAME_MAX},
    {"participant", FIELD_INT, true, 1, G_MAXUINT32},
    {NULL},
};
static const struct field_spec unpin_fields[] = {
    {"view", FIELD_STRING, false, 1, ROOM_VIEW_NAME_MAX},
    {NULL},
};

#define ACTION_METHOD(fn, spec, action)                                                            \
	static JsonNode *fn(struct ws_conn *conn, struct ws_call *call, JsonObject *params,        \
	                    GError **error)                                                        \
	{                                                                                          \
		return run_action(conn, params, spec, action, error);                              \
	}

ACTION_METHOD(method_mute, mute_fields, ROOM_ACTION_MUTE)
ACTION_METHOD(method_unmute, mute_fields, ROOM_ACTION_UNMUTE)
ACTION_METHOD(method_mute_all, no_fields, ROOM_ACTION_MUTE_ALL)
ACTION_METHOD(method_hand_raise, target_fields, ROOM_ACTION_HAND_RAISE)
ACTION_METHOD(method_hand_lower, target_fields, ROOM_ACTION_HAND_LOWER)
ACTION_METHOD(method_floor_grant, target_fields, ROOM_ACTION_FLOOR_GRANT)
ACTION_METHOD(method_floor_revoke, no_fields, ROOM_ACTION_FLOOR_REVOKE)
ACTION_METHOD(method_layout, layout_fields, ROOM_ACTION_LAYOUT)
ACTION_METHOD(method_pin, pin_fields, ROOM_ACTION_PIN)
ACTION_METHOD(method_unpin, unpin_fields, ROOM_ACTION_UNPIN)
ACTION_METHOD(method_kick, required_target_fields, ROOM_ACTION_KICK)
ACTION_METHOD(method_lock, no_fields, ROOM_ACTION_LOCK)
ACTION_METHOD(method_unlock, no_fields, ROOM_ACTION_UNLOCK)
ACTION_METHOD(method_end, no_fields, ROOM_ACTION_END)

static const struct field_spec record_fields[] = {
    {"on", FIELD_BOOL, true, 0, 0},
    {NULL},
};

/* room.record {on}: a chair starts or stops the meeting's recording, as an operator's
 * REST call would; everyone gets room.recording. Audited with the chair's endpoint as the
 * actor. */
static JsonNode *method_record(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                               GError **error)
{
	static const struct room_action_args none = {0};
	g_autoptr(JsonBuilder) b = NULL;
	struct principal who = {0, "", ROLE_CHAIR};
	const struct rest_recorder *rec;
	struct ws_seat *seat;
	struct room *room;
	struct ws_rooms *wr;
	JsonNode *row;
	bool on;

	if (!validate_fields(params, record_fields, error) ||
	    !(room = require_room(conn, &seat, error)))
		return NULL;
	wr = seat->wr;
	if (!room_act(room, seat->participant, ROOM_ACTION_RECORD, &none, ws_rooms_now_ms(wr),
	              error))
		return NULL;
	if (!wr->ctx || !(rec = wr->ctx->recorder)) {
		g_set_error(error, API_ERROR, API_ERROR_UNAVAILABLE, "this server does not record");
		return NULL;
	}
	on = json_object_get_boolean_member(params, "on");
	g_snprintf(who.username, sizeof(who.username), "endpoint/%" G_GINT64_FORMAT,
	           room_find(room, seat->participant)->endpoint_id);
	wr->recording_by = seat->participant;
	row = on ? rec->start(rec->self, &who, seat->meeting_id, error)
	         : rec->stop(rec->self, &who, seat->meeting_id, error);
	wr->recording_by = 0;
	if (!row)
		return NULL;
	b = json_builder_new_immutable();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "recording");
	json_builder_add_value(b, row);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

const struct ws_method ws_room_methods[] = {
    {"room.join", method_join},
    {"room.resume", method_resume},
    {"room.leave", method_leave},
    {"room.state", method_state},
    {"room.mute", method_mute},
    {"room.unmute", method_unmute},
    {"room.mute_all", method_mute_all},
    {"room.hand.raise", method_hand_raise},
    {"room.hand.lower", method_hand_lower},
    {"room.floor.grant", method_floor_grant},
    {"room.floor.revoke", method_floor_revoke},
    {"room.layout", method_layout},
    {"room.pin", method_pin},
    {"room.unpin", method_unpin},
    {"room.kick", method_kick},
    {"room.lock", method_lock},
    {"room.unlock", method_unlock},
    {"room.end", method_end},
    {"room.record", method_record},
};

const size_t ws_room_method_count = G_N_ELEMENTS(ws_room_methods);
