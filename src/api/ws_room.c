/* SPDX-License-Identifier: MIT */
/* The WebSocket side of meeting rooms: seats kept across a dropped connection, the rooms'
 * events fanned out to their participants and recorded for the minutes, and the link
 * between a seat and its peer's mcu member. */
#define G_LOG_DOMAIN "cau-ws"
#include "ws_room.h"

#include "conference/room.h"
#include "control/attendance.h"
#include "control/meeting_events.h"
#include "errors.h"

#include <string.h>

gint64 ws_rooms_now_ms(struct ws_rooms *wr)
{
	return clock_now_ms(meetings_clock(wr->ctx->meetings));
}

struct room *ws_seat_room(struct ws_seat *seat)
{
	return rooms_lookup(seat->wr->rooms, seat->meeting_id);
}

/* ---- JSON ---- */

void ws_room_add_participant(JsonBuilder *b, const struct room_participant *p)
{
	json_builder_begin_object(b);
#define MEMBER(name, kind, value)                                                                  \
	json_builder_set_member_name(b, name);                                                     \
	json_builder_add_##kind##_value(b, value)
	MEMBER("id", int, p->id);
	MEMBER("endpoint_id", int, p->endpoint_id);
	MEMBER("name", string, p->name);
	MEMBER("unit", string, p->unit);
	MEMBER("role", string, room_role_name(p->role));
	MEMBER("audio_muted", boolean, !room_participant_audible(p));
	MEMBER("audio_muted_self", boolean, p->muted_self[ROOM_MEDIA_AUDIO]);
	MEMBER("audio_muted_by_chair", boolean, p->muted_by_chair[ROOM_MEDIA_AUDIO]);
	MEMBER("video_muted_self", boolean, p->muted_self[ROOM_MEDIA_VIDEO]);
	MEMBER("video_muted_by_chair", boolean, p->muted_by_chair[ROOM_MEDIA_VIDEO]);
	MEMBER("hand_raised", boolean, p->hand_raised);
	MEMBER("has_floor", boolean, p->has_floor);
	MEMBER("speaking", boolean, p->speaking);
	MEMBER("away", boolean, p->away);
#undef MEMBER
	json_builder_end_object(b);
}

void ws_room_add_state(JsonBuilder *b, struct room *room)
{
	GPtrArray *people = room_participants(room);
	g_autoptr(GPtrArray) views = room_view_names(room);
	struct room_participant *holder = room_floor_holder(room);
	guint count;
	const guint *queue = room_floor_queue(room, &count);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "meeting_id");
	json_builder_add_int_value(b, room_meeting_id(room));
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, room_state_name(room_state(room)));
	json_builder_set_member_name(b, "recording");
	json_builder_add_boolean_value(b, room_recording(room));
	json_builder_set_member_name(b, "floor");
	if (holder)
		json_builder_add_int_value(b, holder->id);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "queue");
	json_builder_begin_array(b);
	for (guint i = 0; i < count; i++)
		json_builder_add_int_value(b, queue[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "views");
	json_builder_begin_array(b);
	for (guint i = 0; i < views->len; i++) {
		enum room_layout layout;
		guint pinned;

		room_view(room, views->pdata[i], &layout, &pinned);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, views->pdata[i]);
		json_builder_set_member_name(b, "layout");
		json_builder_add_string_value(b, room_layout_name(layout));
		json_builder_set_member_name(b, "pinned");
		if (pinned)
			json_builder_add_int_value(b, pinned);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "participants");
	json_builder_begin_array(b);
	for (guint i = 0; i < people->len; i++)
		ws_room_add_participant(b, people->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
}

/* The event's name and data on the wire (docs/protocol.md, "Room events"). */
static const char *event_name(enum room_event_kind kind)
{
	static const char *const names[] = {
	    [ROOM_EVENT_JOINED] = "room.joined",
	    [ROOM_EVENT_LEFT] = "room.left",
	    [ROOM_EVENT_MUTED] = "room.muted",
	    [ROOM_EVENT_UNMUTED] = "room.unmuted",
	    [ROOM_EVENT_HAND_RAISED] = "room.hand_raised",
	    [ROOM_EVENT_HAND_LOWERED] = "room.hand_lowered",
	    [ROOM_EVENT_FLOOR_GRANTED] = "room.floor_granted",
	    [ROOM_EVENT_FLOOR_REVOKED] = "room.floor_revoked",
	    [ROOM_EVENT_LAYOUT] = "room.layout",
	    [ROOM_EVENT_PINNED] = "room.pinned",
	    [ROOM_EVENT_UNPINNED] = "room.unpinned",
	    [ROOM_EVENT_LOCKED] = "room.locked",
	    [ROOM_EVENT_UNLOCKED] = "room.unlocked",
	    [ROOM_EVENT_KICKED] = "room.kicked",
	    [ROOM_EVENT_ENDING] = "room.ending",
	    [ROOM_EVENT_SPEAKING] = "room.speaker",
	    [ROOM_EVENT_AWAY] = "room.away",
	    [ROOM_EVENT_BACK] = "room.back",
	};
	return names[kind];
}

static JsonNode *event_data(const struct room_event *ev)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "participant");
	if (ev->subject)
		ws_room_add_participant(b, ev->subject);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "by");
	if (ev->actor)
		json_builder_add_int_value(b, ev->actor->id);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "at");
	json_builder_add_int_value(b, ev->at_ms);
	switch (ev->kind) {
	case ROOM_EVENT_LEFT:
		json_builder_set_member_name(b, "reason");
		json_builder_add_string_value(b, ev->reason);
		break;
	case ROOM_EVENT_MUTED:
	case ROOM_EVENT_UNMUTED:
		json_builder_set_member_name(b, "media");
		json_builder_add_string_value(b, room_media_name(ev->media));
		json_builder_set_member_name(b, "by_chair");
		json_builder_add_boolean_value(b, ev->by_chair);
		break;
	case ROOM_EVENT_HAND_RAISED:
		json_builder_set_member_name(b, "position");
		json_builder_add_int_value(b, ev->queue_position);
		break;
	case ROOM_EVENT_LAYOUT:
	case ROOM_EVENT_PINNED:
	case ROOM_EVENT_UNPINNED:
		json_builder_set_member_name(b, "view");
		json_builder_add_string_value(b, ev->view);
		if (ev->kind == ROOM_EVENT_LAYOUT) {
			json_builder_set_member_name(b, "layout");
			json_builder_add_string_value(b, room_layout_name(ev->layout));
		}
		break;
	case ROOM_EVENT_SPEAKING:
		json_builder_set_member_name(b, "speaking");
		json_builder_add_boolean_value(b, ev->subject->speaking);
		break;
	default:
		break;
	}
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

/* ---- the minutes' record ---- */

static void append(struct ws_rooms *wr, struct room *room, const char *kind, gint64 endpoint_id,
                   const struct room_participant *actor, const char *layout, gint64 at)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *detail = NULL;

	json_builder_begin_object(b);
	if (actor) {
		json_builder_set_member_name(b, "by");
		json_builder_add_string_value(b, actor->name[0] ? actor->name : "chair");
	}
	if (layout) {
		json_builder_set_member_name(b, "layout");
		json_builder_add_string_value(b, layout);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	detail = json_generator_to_data(gen, NULL);
	if (!meeting_events_append(wr->ctx->store, room_meeting_id(room), kind, endpoint_id, detail,
	                           at, &error))
		g_warning("[room %" G_GINT64_FORMAT "] cannot record %s: %s", room_meeting_id(room),
		          kind, error->message);
}

/* Writes what the minutes need: attendance intervals, speaking, floor and chair actions. */
static void record(struct ws_rooms *wr, struct room *room, const struct room_event *ev)
{
	g_autoptr(GError) error = NULL;
	gint64 mid = room_meeting_id(room), endpoint = ev->subject ? ev->subject->endpoint_id : 0;
	bool chair_act = ev->actor && ev->actor != ev->subject;
	bool ok = true;

	switch (ev->kind) {
	case ROOM_EVENT_JOINED:
		ok = attendance_joined(wr->ctx->store, mid, endpoint, ev->at_ms, &error);
		break;
	case ROOM_EVENT_LEFT:
		ok = attendance_left(wr->ctx->store, mid, endpoint,
		                     ev->subject->away ? ev->subject->away_since_ms : ev->at_ms,
		                     &error);
		break;
	case ROOM_EVENT_SPEAKING:
		if (!ev->subject->speaking && ev->at_ms > ev->speaking_since_ms)
			ok = meeting_events_speaking(wr->ctx->store, mid, endpoint,
			                             ev->speaking_since_ms, ev->at_ms, &error);
		break;
	case ROOM_EVENT_HAND_RAISED:
		append(wr, room, "floor_requested", endpoint, NULL, NULL, ev->at_ms);
		break;
	case ROOM_EVENT_FLOOR_GRANTED:
	case ROOM_EVENT_FLOOR_REVOKED:
		append(wr, room,
		       ev->kind == ROOM_EVENT_FLOOR_GRANTED ? "floor_granted" : "floor_revoked",
		       endpoint, NULL, NULL, ev->at_ms);
		break;
	case ROOM_EVENT_MUTED:
	case ROOM_EVENT_UNMUTED:
		if (chair_act && ev->by_chair && ev->media == ROOM_MEDIA_AUDIO)
			append(wr, room, ev->kind == ROOM_EVENT_MUTED ? "mute" : "unmute", endpoint,
			       ev->actor, NULL, ev->at_ms);
		break;
	case ROOM_EVENT_PINNED:
	case ROOM_EVENT_UNPINNED:
		if (ev->subject)
			append(wr, room, ev->kind == ROOM_EVENT_PINNED ? "pin" : "unpin", endpoint,
			       ev->actor, NULL, ev->at_ms);
		break;
	case ROOM_EVENT_KICKED:
		append(wr, room, "kick", endpoint, ev->actor, NULL, ev->at_ms);
		break;
	case ROOM_EVENT_LAYOUT:
		append(wr, room, "layout", 0, ev->actor, room_layout_name(ev->layout), ev->at_ms);
		break;
	case ROOM_EVENT_LOCKED:
	case ROOM_EVENT_UNLOCKED:
		append(wr, room, ev->kind == ROOM_EVENT_LOCKED ? "lock" : "unlock", 0, ev->actor,
		       NULL, ev->at_ms);
		break;
	default:
		break;
	}
	if (!ok)
		g_warning("[room %" G_GINT64_FORMAT "] cannot record %s: %s", mid,
		          event_name(ev->kind), error->message);
}

/* ---- seats ---- */

static void seat_free(gpointer data)
{
	struct ws_seat *seat = data;

	if (seat->grace_source)
		g_source_remove(seat->grace_source);
	g_free(seat);
}

/* Takes the seat off its connection: its peers closed, the connection no longer joined. */
void ws_seat_detach(struct ws_seat *seat)
{
	struct ws_conn *conn = seat->conn;

	if (!conn)
		return;
	ws_peer_close_seat(conn, seat);
	ws_conn_set_seat(conn, NULL);
	seat->conn = NULL;
}

static gboolean grace_over(gpointer data)
{
	struct ws_seat *seat = data;
	struct room *room = ws_seat_room(seat);

	seat->grace_source = 0;
	g_info("[room %" G_GINT64_FORMAT " / participant %u] not back within %u s: seat given up",
	       seat->meeting_id, seat->participant, seat->wr->resume_seconds);
	if (room)
		room_leave(room, seat->participant, "dropped",
		           ws_rooms_now_ms(seat->wr)); /* frees seat */
	return G_SOURCE_REMOVE;
}

/* The room listener: record, fan out, and let a seat that left go. */
static void on_room_event(struct room *room, const struct room_event *ev, void *user_data)
{
	struct ws_rooms *wr = user_data;
	GPtrArray *people = room_participants(room);
	g_autoptr(JsonNode) data = NULL;
	struct ws_seat *seat;

	if (wr->ctx)
		record(wr, room, ev);
	data = event_data(ev);
	for (guint i = 0; i < people->len; i++) {
		struct room_participant *p = people->pdata[i];

		seat = p->owner;
		if (seat && seat->conn)
			ws_conn_send_event(seat->conn, event_name(ev->kind), json_node_copy(data));
	}
	if (ev->kind == ROOM_EVENT_LEFT && (seat = ev->subject->owner)) {
		if (seat->left)
			seat->left(seat->left_data);
		ws_seat_detach(seat);
		g_hash_table_remove(wr->seats, seat->resume_token); /* frees it */
	}
}

static void on_speaking(struct mcu_member *member, bool speaking, void *user_data)
{
	struct ws_seat *seat = user_data;
	struct room *room = ws_seat_room(seat);

	if (room)
		room_set_speaking(room, seat->participant, speaking, ws_rooms_now_ms(seat->wr));
}

bool ws_room_media_join(struct ws_conn *conn, struct mcu_rooms *mcu, struct ws_seat **out,
                        struct mcu_member **member, GError **error)
{
	struct ws_seat *seat = ws_conn_seat(conn);
	struct room *room = seat ? ws_seat_room(seat) : NULL;

	if (!room) {
		g_set_error(error, API_ERROR, API_ERROR_NOT_JOINED,
		            "join a room first (room.join), then make its peer");
		return false;
	}
	if (seat->media) {
		g_set_error(error, API_ERROR, API_ERROR_CONFLICT,
		            "this participant has a peer already; close it first");
		return false;
	}
	*member = mcu_member_join(mcu, room_media_name_of(room));
	ws_seat_set_media(seat, *member);
	*out = seat;
	return true;
}

void ws_seat_set_media(struct ws_seat *seat, struct mcu_member *member)
{
	struct room *room = ws_seat_room(seat);

	const struct rest_recorder *rec = seat->wr->ctx ? seat->wr->ctx->recorder : NULL;

	mcu_member_set_speaking_listener(member, on_speaking, seat);
	seat->media = member;
	if (room)
		room_set_media(room, seat->participant, member);
	if (rec && rec->media_joined) /* policy "auto": the first member starts the recording */
		rec->media_joined(rec->self, seat->meeting_id);
}

void ws_room_media_left(struct ws_seat *seat, struct mcu_member *member)
{
	struct room *room;

	if (!seat || seat->media != member)
		return;
	seat->media = NULL;
	if ((room = ws_seat_room(seat)))
		room_set_media(room, seat->participant, NULL);
}

void ws_room_conn_closed(struct ws_conn *conn)
{
	struct ws_seat *seat = ws_conn_seat(conn);
	struct room *room;

	if (!seat)
		return;
	seat->conn = NULL;
	ws_conn_set_seat(conn, NULL);
	if (!(room = ws_seat_room(seat)))
		return;
	room_set_away(room, seat->participant, true, ws_rooms_now_ms(seat->wr));
	seat->grace_source = g_timeout_add_seconds(seat->wr->resume_seconds, grace_over, seat);
}

/* ---- hub ---- */

struct ws_rooms *ws_rooms_new(struct rest_context *ctx, struct mcu_rooms *mcu, guint resume_seconds)
{
	struct ws_rooms *wr = g_new0(struct ws_rooms, 1);

	wr->ctx = ctx;
	wr->mcu = mcu;
	wr->resume_seconds = resume_seconds;
	wr->rooms = rooms_new(mcu, on_room_event, wr);
	wr->seats = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, seat_free);
	return wr;
}

void ws_rooms_meeting_closed(struct ws_rooms *wr, gint64 meeting_id)
{
	struct room *room = rooms_lookup(wr->rooms, meeting_id);

	if (!room || room_state(room) == ROOM_CLOSED)
		return;
	g_info("[room %" G_GINT64_FORMAT "] the meeting closed: ending the room", meeting_id);
	room_act(room, 0, ROOM_ACTION_END, NULL, ws_rooms_now_ms(wr), NULL);
}

void ws_rooms_recording_changed(struct ws_rooms *wr, gint64 meeting_id, bool on, JsonNode *row)
{
	struct room *room = rooms_lookup(wr->rooms, meeting_id);
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	g_autoptr(JsonNode) data = NULL;
	GPtrArray *people;

	if (!room)
		return;
	room_set_recording(room, on);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "participant");
	json_builder_add_null_value(b);
	json_builder_set_member_name(b, "by");
	if (wr->recording_by)
		json_builder_add_int_value(b, wr->recording_by);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "at");
	json_builder_add_int_value(b, ws_rooms_now_ms(wr));
	json_builder_set_member_name(b, "on");
	json_builder_add_boolean_value(b, on);
	json_builder_set_member_name(b, "recording");
	if (row)
		json_builder_add_value(b, json_node_copy(row));
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
	data = json_builder_get_root(b);
	people = room_participants(room);
	for (guint i = 0; i < people->len; i++) {
		struct ws_seat *seat = ((struct room_participant *)people->pdata[i])->owner;

		if (seat && seat->conn)
			ws_conn_send_event(seat->conn, "room.recording", json_node_copy(data));
	}
}

void ws_rooms_free(struct ws_rooms *wr)
{
	if (!wr)
		return;
	/* Every connection is gone (their peers closed): seats only wait for their grace. */
	g_hash_table_unref(wr->seats);
	rooms_free(wr->rooms);
	g_free(wr);
}
