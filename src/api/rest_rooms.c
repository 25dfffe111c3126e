/* SPDX-License-Identifier: MIT */
/* /api/v1/rooms and /api/v1/meetings/{id}/room: the running meeting rooms as operators
 * watch them, each participant with its seat's state and its link (bytes, loss, round
 * trip, the server's bandwidth estimate) from its peer's counters. */
#define G_LOG_DOMAIN "cau-rest"
#include "conference/room.h"
#include "errors.h"
#include "http.h"
#include "rest.h"
#include "validate.h"
#include "ws_room.h"

/* Whether the rooms can be read; replies 500 when the server has none. */
static bool rooms_here(struct rest_request *req)
{
	if (req->ctx->rooms)
		return true;
	http_reply_error(req->msg, API_ERROR_INTERNAL, "this server runs no meeting rooms");
	return false;
}

/* Neither route takes a query parameter. */
static bool no_query(struct rest_request *req)
{
	static const struct field_spec none[] = {{NULL}};
	g_autoptr(GError) error = NULL;

	if (validate_query(req->query, none, &error))
		return true;
	rest_reply_error(req, error);
	return false;
}

static double percent(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0.0;
}

/* The link of a participant's peer: totals over its tracks and what the server knows of
 * the path. Null while it has no peer (joining, or away). */
static JsonNode *link_json(struct room_participant *p)
{
	struct peer *peer = p->media ? mcu_member_peer(p->media) : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	struct peer_stats s;
	guint64 rx_bytes = 0, tx_bytes = 0, rx_packets = 0;
	gint64 lost = 0;
	double lost_out = 0;

	if (!peer)
		return json_node_new(JSON_NODE_NULL);
	peer_get_stats(peer, &s);
	for (unsigned i = 0; i < s.track_count && i < PEER_MAX_TRACKS; i++) {
		rx_bytes += s.tracks[i].bytes_received;
		tx_bytes += s.tracks[i].bytes_sent;
		rx_packets += s.tracks[i].packets_received;
		lost += MAX(s.tracks[i].packets_lost, 0);
		lost_out = MAX(lost_out, s.tracks[i].remote_fraction_lost);
	}
#define MEMBER(name, kind, value)                                                                  \
	json_builder_set_member_name(b, name);                                                     \
	json_builder_add_##kind##_value(b, value)
	json_builder_begin_object(b);
	MEMBER("state", string, peer_state_name(s.state));
	json_builder_set_member_name(b, "rtt_ms");
	if (s.rtt_ms > 0)
		json_builder_add_double_value(b, s.rtt_ms);
	else
		json_builder_add_null_value(b);
	MEMBER("bytes_received", int, (gint64)rx_bytes);
	MEMBER("bytes_sent", int, (gint64)tx_bytes);
	MEMBER("packets_received", int, (gint64)rx_packets);
	MEMBER("packets_lost", int, lost);
	MEMBER("loss_in_percent", double,
	       percent((double)lost, (double)(rx_packets + (guint64)lost)));
	MEMBER("loss_out_percent", double, 100.0 * lost_out);
	MEMBER("estimate_bps", int,
	       (gint64)(s.send_estimate_bps ? s.send_estimate_bps : s.remb_bps));
	json_builder_end_object(b);
#undef MEMBER
	return json_builder_get_root(b);
}

/* One participant as in the room's roster (docs/protocol.md), with `joined_at` and `link`. */
static JsonNode *participant_json(struct room_participant *p)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	JsonNode *node;
	JsonObject *o;

	ws_room_add_participant(b, p);
	node = json_builder_get_root(b);
	o = json_node_get_object(node);
	json_object_set_int_member(o, "joined_at", p->joined_at_ms);
	json_object_set_member(o, "link", link_json(p));
	return node;
}

/* A room: its meeting (title and state from the store), its own state and participants. */
static JsonNode *room_json(struct rest_request *req, struct room *room)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) meeting =
	    meetings_get_json(req->ctx->meetings, room_meeting_id(room), &error);
	JsonObject *o = json_object_new();
	JsonArray *people = json_array_new();
	GPtrArray *seats = room_participants(room);
	struct room_participant *holder = room_floor_holder(room);
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);

	json_object_set_int_member(o, "meeting_id", room_meeting_id(room));
	json_object_set_string_member(o, "title",
	                              meeting ? json_object_get_string_member_with_default(
	                                            json_node_get_object(meeting), "title", "")
	                                      : "");
	json_object_set_string_member(o, "meeting_state",
	                              meeting ? json_object_get_string_member_with_default(
	                                            json_node_get_object(meeting), "state", "")
	                                      : "");
	json_object_set_string_member(o, "state", room_state_name(room_state(room)));
	json_object_set_boolean_member(o, "recording", room_recording(room));
	if (holder)
		json_object_set_int_member(o, "floor", holder->id);
	else
		json_object_set_null_member(o, "floor");
	for (guint i = 0; i < seats->len; i++)
		json_array_add_element(people, participant_json(seats->pdata[i]));
	json_object_set_array_member(o, "participants", people);
	json_node_take_object(node, o);
	return node;
}

static gint by_meeting(gconstpointer a, gconstpointer b)
{
	gint64 x = room_meeting_id(a), y = room_meeting_id(b);

	return x < y ? -1 : x > y;
}

/* {"at": now, "rooms": [room, ...]} by meeting id: `at` lets a watcher turn two readings
 * of the byte counters into a bit rate. */
static void get_rooms(struct rest_request *req)
{
	g_autoptr(GList) list = NULL;
	JsonObject *o;
	JsonArray *rooms;
	JsonNode *node;

	if (!rooms_here(req) || !no_query(req))
		return;
	list = g_list_sort(rooms_list(req->ctx->rooms), by_meeting);
	o = json_object_new();
	rooms = json_array_new();
	json_object_set_int_member(o, "at", clock_now_ms(meetings_clock(req->ctx->meetings)));
	for (GList *l = list; l; l = l->next)
		json_array_add_element(rooms, room_json(req, l->data));
	json_object_set_array_member(o, "rooms", rooms);
	node = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(node, o);
	rest_reply(req, SOUP_STATUS_OK, node);
}

/* {"at": now, "room": room}; 404 when the meeting does not exist or has no room running. */
static void get_room(struct rest_request *req)
{
	g_autoptr(GError) error = NULL;
	gint64 meeting_id = rest_param_id(req, 0);
	struct meeting_info info;
	struct room *room;
	JsonObject *o;
	JsonNode *node;

	if (!meeting_id || !rooms_here(req) || !no_query(req))
		return;
	if (!meetings_lookup(req->ctx->meetings, meeting_id, &info, &error)) {
		rest_reply_error(req, error);
		return;
	}
	if (!(room = rooms_lookup(req->ctx->rooms, meeting_id))) {
		http_reply_error(req->msg, API_ERROR_NOT_FOUND,
		                 "meeting %" G_GINT64_FORMAT " has no room running", meeting_id);
		return;
	}
	o = json_object_new();
	json_object_set_int_member(o, "at", clock_now_ms(meetings_clock(req->ctx->meetings)));
	json_object_set_member(o, "room", room_json(req, room));
	node = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(node, o);
	rest_reply(req, SOUP_STATUS_OK, node);
}

static const struct rest_route routes[] = {
    {"GET", "rooms", ROLE_OPERATOR, get_rooms, "/api/v1/rooms"},
    {"GET", "meetings/{id}/room", ROLE_OPERATOR, get_room, "/api/v1/meetings/{id}/room"},
};

const struct rest_route_table rest_rooms_routes = {routes, G_N_ELEMENTS(routes)};
