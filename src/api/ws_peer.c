/* SPDX-License-Identifier: MIT */
/* The peer.* methods and events of the WebSocket protocol: WebRTC signalling for rooms
 * (the echo room, mcu rooms, the meeting room joined with room.join), one function per
 * request. */
#define G_LOG_DOMAIN "cau-ws"
#include "ws_internal.h"
#include "ws_room.h"

#include "conference/echo.h"
#include "conference/mcu_room.h"
#include "errors.h"
#include "transport/peer.h"
#include "validate.h"

#include <string.h>

#define MAX_PEERS_PER_CONNECTION 8
#define MAX_SDP_CHARS            65536
#define MCU_ROOM_PREFIX          "mcu:"
#define MEETING_ROOM             "meeting"

/* One peer of a connection. */
struct ws_peer_entry {
	struct ws_conn *conn;
	struct peer *peer;
	struct ws_call *create_call; /* the peer.create reply waiting for the description */
	bool offered;                /* the server made the offer */
	/* The room's media callbacks and their user_data; fixed before the peer is made,
	 * read on its worker thread by the forwarders below. */
	const struct peer_media *media;
	void *media_data;
	struct mcu_member *mcu_member; /* in an mcu room: its place there, else NULL */
	struct ws_seat *seat;          /* in the meeting room: the seat it carries, else NULL */
};

void ws_peer_entry_free(gpointer data)
{
	struct ws_peer_entry *e = data;

	if (e->peer)
		peer_close(e->peer, "signalling connection closed");
	/* After peer_close() no media callback runs: the member may leave its room. */
	ws_room_media_left(e->seat, e->mcu_member);
	mcu_member_leave(e->mcu_member);
	peer_unref(e->peer);
	g_free(e);
}

/* ---- media, forwarded to the room (worker thread) ---- */

/* A peer's events and media share one user_data (the entry); these pass the room its own. */
static void forward_rtp(struct peer *peer, const struct peer_track *track,
                        const struct rtp_packet *pkt, const struct rtp_ext_values *ext,
                        void *user_data)
{
	struct ws_peer_entry *e = user_data;

	if (e->media->rtp)
		e->media->rtp(peer, track, pkt, ext, e->media_data);
}

static void forward_keyframe_request(struct peer *peer, const struct peer_track *track,
                                     void *user_data)
{
	struct ws_peer_entry *e = user_data;

	if (e->media->keyframe_request)
		e->media->keyframe_request(peer, track, e->media_data);
}

static void forward_bandwidth_estimate(struct peer *peer, uint64_t bps, void *user_data)
{
	struct ws_peer_entry *e = user_data;

	if (e->media->bandwidth_estimate)
		e->media->bandwidth_estimate(peer, bps, e->media_data);
}

static const struct peer_media forward_media = {
    .rtp = forward_rtp,
    .keyframe_request = forward_keyframe_request,
    .bandwidth_estimate = forward_bandwidth_estimate,
};

/* Whether room names a room: "echo", "meeting", or "mcu:NAME"; else false with error set. */
static bool check_room(const char *room, GError **error)
{
	if (strcmp(room, "echo") == 0 || strcmp(room, MEETING_ROOM) == 0 ||
	    (g_str_has_prefix(room, MCU_ROOM_PREFIX) && room[strlen(MCU_ROOM_PREFIX)] != '\0'))
		return true;
	g_set_error(error, API_ERROR, API_ERROR_NOT_FOUND,
	            "no room \"%s\" (the rooms are: echo, meeting, mcu:NAME)", room);
	return false;
}

/* Puts e in the room (check_room() said it exists; an mcu room is made on first join):
 * sets its media callbacks. The meeting room needs the connection's seat (room.join). */
static bool enter_room(struct ws_conn *conn, struct ws_peer_entry *e, const char *room,
                       GError **error)
{
	if (strcmp(room, "echo") == 0) {
		e->media = &echo_media;
		return true;
	}
	if (strcmp(room, MEETING_ROOM) == 0) {
		if (!ws_room_media_join(conn, ws_conn_mcu_rooms(conn), &e->seat, &e->mcu_member,
		                        error))
			return false;
		e->media = &mcu_media;
		e->media_data = e->mcu_member;
		return true;
	}
	e->mcu_member = mcu_member_join(ws_conn_mcu_rooms(conn), room + strlen(MCU_ROOM_PREFIX));
	e->media = &mcu_media;
	e->media_data = e->mcu_member;
	return true;
}

/* ---- events ---- */

static void on_state(struct peer *peer, enum peer_state state, enum peer_error error,
                     const char *reason, void *user_data)
{
	struct ws_peer_entry *e = user_data;
	struct ws_conn *conn = e->conn;
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "peer");
	json_builder_add_string_value(b, peer_id(peer));
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, peer_state_name(state));
	if (reason) {
		json_builder_set_member_name(b, "reason");
		json_builder_add_string_value(b, reason);
	}
	if (state == PEER_STATE_FAILED) {
		json_builder_set_member_name(b, "error");
		json_builder_add_string_value(b, peer_error_name(error));
	}
	json_builder_end_object(b);
	ws_conn_send_event(conn, "peer.state", json_builder_get_root(b));
	if (state == PEER_STATE_FAILED || state == PEER_STATE_CLOSED)
		g_hash_table_remove(ws_conn_peers(conn), peer_id(peer)); /* frees e */
}

static void on_candidate(struct peer *peer, const char *candidate, const char *mid, unsigned mline,
                         void *user_data)
{
	struct ws_peer_entry *e = user_data;
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "peer");
	json_builder_add_string_value(b, peer_id(peer));
	json_builder_set_member_name(b, "candidate");
	if (candidate)
		json_builder_add_string_value(b, candidate);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "sdpMid");
	json_builder_add_string_value(b, mid);
	json_builder_set_member_name(b, "sdpMLineIndex");
	json_builder_add_int_value(b, mline);
	json_builder_end_object(b);
	ws_conn_send_event(e->conn, "peer.candidate", json_builder_get_root(b));
}

static const struct peer_events events = {
    .state = on_state,
    .candidate = on_candidate,
};

/* ---- helpers ---- */

static struct ws_peer_entry *find_peer(struct ws_conn *conn, JsonObject *params, GError **error)
{
	const char *id = field_string(params, "peer", NULL);
	struct ws_peer_entry *e = id ? g_hash_table_lookup(ws_conn_peers(conn), id) : NULL;

	if (!e)
		g_set_error(error, API_ERROR, API_ERROR_NOT_FOUND,
		            "no peer \"%s\" on this connection", id ? id : "");
	return e;
}

static JsonNode *empty_result(void)
{
	return json_node_init_object(json_node_alloc(), json_object_new());
}

static void on_description(struct peer *peer, char *sdp, GError *error, void *user_data)
{
	struct ws_peer_entry *e = user_data;
	struct ws_call *call = g_steal_pointer(&e->create_call);
	g_autoptr(JsonBuilder) b = NULL;

	if (error) {
		ws_call_finish(call, NULL, error);
		g_error_free(error);
		g_hash_table_remove(ws_conn_peers(e->conn), peer_id(peer));
		return;
	}
	b = json_builder_new_immutable();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "peer");
	json_builder_add_string_value(b, peer_id(peer));
	json_builder_set_member_name(b, e->offered ? "offer" : "answer");
	json_builder_add_string_value(b, sdp);
	json_builder_end_object(b);
	g_free(sdp);
	ws_call_finish(call, json_builder_get_root(b), NULL);
}

/* ---- methods ---- */

static JsonNode *method_create(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                               GError **error)
{
	static const struct field_spec spec[] = {
	    {"room", FIELD_STRING, true, 1, 64},
	    {"offer", FIELD_STRING, false, 1, MAX_SDP_CHARS},
	    {"trickle", FIELD_BOOL, false},
	    {"name", FIELD_STRING, false, 1, 127},
	    {NULL},
	};
	const char *room, *offer, *name;
	struct ws_peer_entry *e;
	struct transport *t = ws_conn_transport(conn);

	if (!validate_fields(params, spec, error))
		return NULL;
	room = field_string(params, "room", NULL);
	if (!check_room(room, error))
		return NULL;
	if (!t) {
		g_set_error(error, API_ERROR, API_ERROR_UNAVAILABLE,
		            "this server has no media "
		            "transport");
		return NULL;
	}
	if (g_hash_table_size(ws_conn_peers(conn)) >= MAX_PEERS_PER_CONNECTION) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "at most %d peers per connection", MAX_PEERS_PER_CONNECTION);
		return NULL;
	}
	e = g_new0(struct ws_peer_entry, 1);
	e->conn = conn;
	if (!enter_room(conn, e, room, error)) {
		g_free(e);
		return NULL;
	}
	name = field_string(params, "name", NULL);
	if (name && e->mcu_member) /* the name tile shown while it has no video */
		mcu_member_set_display_name(e->mcu_member, name);
	offer = field_string(params, "offer", NULL);
	if (offer) {
		e->peer =
		    peer_new_answer(t, offer, strlen(offer), &events, &forward_media, e, error);
		if (!e->peer) {
			ws_peer_entry_free(e);
			return NULL;
		}
	} else {
		e->offered = true;
		e->peer = peer_new_offer(t, field_bool(params, "trickle") == 1, &events,
		                         &forward_media, e);
	}
	if (e->mcu_member)
		mcu_member_attach(e->mcu_member, e->peer);
	g_hash_table_insert(ws_conn_peers(conn), (gpointer)peer_id(e->peer), e);
	g_debug("[ws %" G_GUINT64_FORMAT "] peer %s in room %s", ws_conn_id(conn), peer_id(e->peer),
	        room);
	ws_call_defer(call);
	e->create_call = call;
	peer_local_description(e->peer, on_description, e);
	return NULL;
}

static JsonNode *method_answer(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                               GError **error)
{
	static const struct field_spec spec[] = {
	    {"peer", FIELD_STRING, true, 1, 64},
	    {"answer", FIELD_STRING, true, 1, MAX_SDP_CHARS},
	    {NULL},
	};
	struct ws_peer_entry *e;
	const char *answer;

	if (!validate_fields(params, spec, error) || !(e = find_peer(conn, params, error)))
		return NULL;
	answer = field_string(params, "answer", "");
	if (!peer_set_answer(e->peer, answer, strlen(answer), error))
		return NULL;
	return empty_result();
}

static JsonNode *method_candidate(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                                  GError **error)
{
	static const struct field_spec spec[] = {
	    {"peer", FIELD_STRING, true, 1, 64},
	    {"candidate", FIELD_STRING, false, 0, 1024},
	    {"sdpMid", FIELD_STRING, false, 0, 64},
	    {"sdpMLineIndex", FIELD_INT, false, 0, 63},
	    {"usernameFragment", FIELD_STRING, false, 0, 256},
	    {NULL},
	};
	struct ws_peer_entry *e;

	if (!validate_fields(params, spec, error) || !(e = find_peer(conn, params, error)))
		return NULL;
	if (!peer_add_remote_candidate(e->peer, field_string(params, "candidate", NULL),
	                               field_string(params, "sdpMid", NULL), error))
		return NULL;
	return empty_result();
}

static JsonNode *method_close(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                              GError **error)
{
	static const struct field_spec spec[] = {
	    {"peer", FIELD_STRING, true, 1, 64},
	    {NULL},
	};
	struct ws_peer_entry *e;

	if (!validate_fields(params, spec, error) || !(e = find_peer(conn, params, error)))
		return NULL;
	if (e->create_call) {
		g_autoptr(GError) closed = g_error_new(API_ERROR, API_ERROR_CONFLICT,
		                                       "peer closed before its description");
		ws_call_finish(g_steal_pointer(&e->create_call), NULL, closed);
	}
	g_hash_table_remove(ws_conn_peers(conn), peer_id(e->peer)); /* closes it */
	return empty_result();
}

static void add_track_stats(JsonBuilder *b, const struct peer_track *t,
                            const struct peer_track_stats *s)
{
	json_builder_begin_object(b);
#define INT(name, value)                                                                           \
	json_builder_set_member_name(b, name);                                                     \
	json_builder_add_int_value(b, (gint64)(value))
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, track_kind_name(t->kind));
	json_builder_set_member_name(b, "mid");
	json_builder_add_string_value(b, t->mid);
	json_builder_set_member_name(b, "codec");
	json_builder_add_string_value(b, t->codec.name);
	INT("packets_received", s->packets_received);
	INT("bytes_received", s->bytes_received);
	INT("packets_sent", s->packets_sent);
	INT("bytes_sent", s->bytes_sent);
	INT("packets_lost", s->packets_lost);
	INT("nacks_sent", s->nacks_sent);
	INT("nacks_received", s->nacks_received);
	INT("retransmissions", s->retransmissions);
	INT("recovered", s->recovered);
	INT("keyframes_requested", s->keyframes_requested);
	INT("keyframe_requests_received", s->keyframe_requests_received);
#undef INT
	json_builder_set_member_name(b, "jitter_ms");
	json_builder_add_double_value(b, s->jitter_ms);
	json_builder_end_object(b);
}

static JsonNode *method_stats(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                              GError **error)
{
	static const struct field_spec spec[] = {
	    {"peer", FIELD_STRING, true, 1, 64},
	    {NULL},
	};
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	struct ws_peer_entry *e;
	struct peer_stats s;

	if (!validate_fields(params, spec, error) || !(e = find_peer(conn, params, error)))
		return NULL;
	peer_get_stats(e->peer, &s);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, peer_state_name(s.state));
	json_builder_set_member_name(b, "rtt_ms");
	json_builder_add_double_value(b, s.rtt_ms);
	json_builder_set_member_name(b, "dropped");
	json_builder_add_int_value(b, (gint64)s.dropped);
	json_builder_set_member_name(b, "remb_bps");
	json_builder_add_int_value(b, (gint64)s.remb_bps);
	json_builder_set_member_name(b, "send_estimate_bps");
	json_builder_add_int_value(b, (gint64)s.send_estimate_bps);
	json_builder_set_member_name(b, "ice");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "direct");
	json_builder_add_boolean_value(b, s.ice_direct);
	json_builder_set_member_name(b, "checks_answered");
	json_builder_add_int_value(b, (gint64)s.ice_checks_answered);
	json_builder_set_member_name(b, "consent_sent");
	json_builder_add_int_value(b, (gint64)s.ice_consent_sent);
	json_builder_set_member_name(b, "consent_answered");
	json_builder_add_int_value(b, (gint64)s.ice_consent_answered);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "tracks");
	json_builder_begin_array(b);
	for (unsigned i = 0; i < s.track_count && i < peer_track_count(e->peer); i++)
		add_track_stats(b, peer_track(e->peer, i), &s.tracks[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

void ws_peer_close_seat(struct ws_conn *conn, struct ws_seat *seat)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, ws_conn_peers(conn));
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		struct ws_peer_entry *e = value;

		if (e->seat != seat)
			continue;
		if (e->create_call) {
			g_autoptr(GError) closed = g_error_new(
			    API_ERROR, API_ERROR_CONFLICT, "peer closed: its seat left the room");
			ws_call_finish(g_steal_pointer(&e->create_call), NULL, closed);
		}
		g_hash_table_iter_remove(&iter); /* closes it */
	}
}

const struct ws_method ws_peer_methods[] = {
    {"peer.create", method_create},       {"peer.answer", method_answer},
    {"peer.candidate", method_candidate}, {"peer.close", method_close},
    {"peer.stats", method_stats},
};

const size_t ws_peer_method_count = G_N_ELEMENTS(ws_peer_methods);
