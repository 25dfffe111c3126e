/* SPDX-License-Identifier: MIT */
/* What the room.* methods (ws_room_methods.c), the seats and events (ws_room.c), the
 * peers (ws_peer.c) and the connections (ws.c) share. Control thread only. */
#pragma once

#include "conference/mcu_room.h"
#include "conference/room.h"
#include "control/join_token.h"
#include "control/meetings.h"
#include "rest.h"
#include "ws_internal.h"

#define RESUME_TOKEN_BYTES 16

/* One WebSocket participant's seat in a room: outlives its connection by the resume
 * grace, so that a client coming back with the resume token keeps it. */
struct ws_seat {
	struct ws_rooms *wr;
	gint64 meeting_id;
	guint participant;
	char resume_token[2 * RESUME_TOKEN_BYTES + 1];
	struct ws_conn *conn;     /* NULL while away */
	guint grace_source;       /* while away: the timer that gives the seat up */
	struct mcu_member *media; /* the mcu member of its peer, or NULL */
	/* A seat held by something other than a WebSocket (a WHIP or WHEP session): told
	 * when the seat leaves (before it is freed), or NULL. */
	void (*left)(void *data);
	void *left_data;
};

/* The rooms of the WebSocket hub and their seats. */
struct ws_rooms {
	struct rest_context *ctx; /* meetings, store, join secret; NULL: room.* unavailable */
	struct rooms *rooms;
	struct mcu_rooms *mcu;
	guint resume_seconds;
	GHashTable *seats;  /* resume token -> struct ws_seat (owned) */
	guint recording_by; /* the participant whose room.record is running; 0: none */
};

/* `ctx` and `mcu` are borrowed and outlive the result. */
struct ws_rooms *ws_rooms_new(struct rest_context *ctx, struct mcu_rooms *mcu,
                              guint resume_seconds);
/* The meeting has ended or closed elsewhere (REST, scheduler): its room, if open, ends as
 * if an operator ended it. */
void ws_rooms_meeting_closed(struct ws_rooms *wr, gint64 meeting_id);
/* Meeting `meeting_id`'s recording started (`on`) or stopped, whoever did it: its room,
 * if open, keeps it for its state and tells everyone (room.recording with `row`, the
 * recording as REST shows it, or null). `row` is borrowed. */
void ws_rooms_recording_changed(struct ws_rooms *wr, gint64 meeting_id, bool on, JsonNode *row);

/* After every connection has closed. */
void ws_rooms_free(struct ws_rooms *wr);

gint64 ws_rooms_now_ms(struct ws_rooms *wr);
/* The seat's room, or NULL once it is gone. */
struct room *ws_seat_room(struct ws_seat *seat);
/* Takes the seat off its connection: its peers closed, the connection no longer joined. */
void ws_seat_detach(struct ws_seat *seat);

void ws_room_add_participant(JsonBuilder *b, const struct room_participant *p);
/* {meeting_id, state, recording, floor, queue, views, participants}. */
void ws_room_add_state(JsonBuilder *b, struct room *room);

/* The connection's seat (NULL: not joined) and its setter. */
struct ws_seat *ws_conn_seat(struct ws_conn *conn);
void ws_conn_set_seat(struct ws_conn *conn, struct ws_seat *seat);
struct ws_rooms *ws_conn_rooms(struct ws_conn *conn);

/* peer.create in room "meeting": the connection's seat gets a new mcu member in its
 * room's mcu room ("meeting-ID"), driven by the room (mute, speaking). NOT_JOINED
 * without a seat, CONFLICT when the seat has a peer already. */
bool ws_room_media_join(struct ws_conn *conn, struct mcu_rooms *mcu, struct ws_seat **seat,
                        struct mcu_member **member, GError **error);
/* Gives the seat its mcu member (already in its room's mcu room): the room drives it
 * (mute) and hears its speaking. */
void ws_seat_set_media(struct ws_seat *seat, struct mcu_member *member);

/*
 * Seats endpoint `endpoint_id` (`endpoint` as meetings_invited_endpoint_json() shows it) of a
 * checked join token in the room of meeting `info` (opened, and the meeting marked live, if it is
 * not), with `role`, under a new resume token. Returns the seat (owned by wr->seats), or NULL with
 * a ROOM_ERROR.
 */
struct ws_seat *ws_room_seat_new(struct ws_rooms *wr, const struct meeting_info *info,
                                 gint64 endpoint_id, JsonNode *endpoint, enum room_role role,
                                 GError **error);
/* The room role a join token's role gives. */
enum room_role ws_room_role_of(enum join_role role);

/* The seat's peer is closing (before its member leaves). Accepts a NULL seat. */
void ws_room_media_left(struct ws_seat *seat, struct mcu_member *member);
/* Closes the peers of `conn` made for `seat` (ws_peer.c). */
void ws_peer_close_seat(struct ws_conn *conn, struct ws_seat *seat);

/* The connection is closing: its seat, if any, is kept away for the resume grace. */
void ws_room_conn_closed(struct ws_conn *conn);

/* The room.* methods (ws_room_methods.c). */
extern const struct ws_method ws_room_methods[];
extern const size_t ws_room_method_count;
