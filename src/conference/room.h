/* SPDX-License-Identifier: MIT */
/* The meeting room a chair runs: participants with roles and mute, hand and floor state,
 * the floor queue, chair actions and who may take them. No network and no store: callers
 * feed it joins and requests and are told what happened through one event callback. */
#pragma once

#include "mcu_room.h"

#include <glib.h>
#include <stdbool.h>

/*
 * Threads: everything here runs on the control thread. The room drives its participants'
 * mcu members (mcu_member_set_audio_muted()), which pass the change to the media thread.
 * Nothing here depends on how a participant is connected (WebSocket, WHIP, ...): the
 * caller joins it, gives it its media member when it has one, and makes it leave.
 */

#define ROOM_ERROR (room_error_quark())
GQuark room_error_quark(void);

enum room_error {
	ROOM_ERROR_FORBIDDEN, /* the actor's role may not do this (the message says why) */
	ROOM_ERROR_NOT_FOUND, /* no such participant or view */
	ROOM_ERROR_LOCKED,    /* the room is locked: no new joins but chairs */
	ROOM_ERROR_CLOSED,    /* the meeting has ended */
	ROOM_ERROR_INVALID,   /* a bad argument (a viewer given the floor, a bad view name) */
	ROOM_ERROR_FULL,      /* ROOM_MAX_PARTICIPANTS reached */
};

#define ROOM_MAX_PARTICIPANTS 1024
#define ROOM_MAX_VIEWS        8
#define ROOM_VIEW_NAME_MAX    32
#define ROOM_MAIN_VIEW        "main"

/* Ordered by power: a higher role may do what a lower one may. */
enum room_role {
	ROOM_ROLE_VIEWER = 1,
	ROOM_ROLE_PARTICIPANT = 2,
	ROOM_ROLE_CHAIR = 3,
	ROOM_ROLE_OPERATOR = 4, /* an operator acting in the room: a chair's powers */
};

enum room_state {
	ROOM_OPEN,
	ROOM_LOCKED,
	ROOM_CLOSED,
};

enum room_layout {
	ROOM_LAYOUT_SPEAKER,
	ROOM_LAYOUT_GRID,
	ROOM_LAYOUT_PINNED,
};

enum room_media {
	ROOM_MEDIA_AUDIO,
	ROOM_MEDIA_VIDEO,
};

/* What may be asked of a room; room_may() says by whom. */
enum room_action {
	ROOM_ACTION_MUTE,
	ROOM_ACTION_UNMUTE,
	ROOM_ACTION_MUTE_ALL,
	ROOM_ACTION_HAND_RAISE,
	ROOM_ACTION_HAND_LOWER,
	ROOM_ACTION_FLOOR_GRANT,
	ROOM_ACTION_FLOOR_REVOKE,
	ROOM_ACTION_LAYOUT,
	ROOM_ACTION_PIN,
	ROOM_ACTION_UNPIN,
	ROOM_ACTION_KICK,
	ROOM_ACTION_LOCK,
	ROOM_ACTION_UNLOCK,
	ROOM_ACTION_END,
	ROOM_ACTION_RECORD, /* start or stop the recording: only authorised here (below) */
	ROOM_ACTION_COUNT,
};

/* "chair", ...; "speaker", ...; "audio", ...; "mute", ...: wire names. */
const char *room_role_name(enum room_role role);
const char *room_state_name(enum room_state state);
const char *room_layout_name(enum room_layout layout);
bool room_layout_from_name(const char *name, enum room_layout *out);
const char *room_media_name(enum room_media media);
const char *room_action_name(enum room_action action);

/* One seat. Read-only for callers (the room changes it); valid until its LEFT event
 * has been delivered. */
struct room_participant {
	guint id; /* unique in the room, from 1 */
	gint64 endpoint_id;
	char *name, *unit;
	enum room_role role;
	bool muted_self[2];     /* by room_media: the participant muted itself */
	bool muted_by_chair[2]; /* by room_media: a chair muted it */
	bool hand_raised, has_floor, speaking;
	bool away; /* its connection dropped; the seat is kept (room_set_away()) */
	gint64 joined_at_ms, hand_raised_at_ms, speaking_since_ms, away_since_ms;
	struct mcu_member *media; /* borrowed; NULL until room_set_media() */
	void *owner;              /* the caller's, e.g. its connection; never read here */
};

/* Whether the participant's voice is mixed: not a viewer and muted by nobody. */
bool room_participant_audible(const struct room_participant *p);

enum room_event_kind {
	ROOM_EVENT_JOINED,
	ROOM_EVENT_LEFT, /* reason: "left", "kicked", "ended", "dropped", "replaced" */
	ROOM_EVENT_MUTED,
	ROOM_EVENT_UNMUTED,
	ROOM_EVENT_HAND_RAISED,
	ROOM_EVENT_HAND_LOWERED,
	ROOM_EVENT_FLOOR_GRANTED,
	ROOM_EVENT_FLOOR_REVOKED,
	ROOM_EVENT_LAYOUT,
	ROOM_EVENT_PINNED,
	ROOM_EVENT_UNPINNED,
	ROOM_EVENT_LOCKED,
	ROOM_EVENT_UNLOCKED,
	ROOM_EVENT_KICKED,
	ROOM_EVENT_ENDING,
	ROOM_EVENT_SPEAKING, /* speaking changed; speaking_since_ms is when a turn began */
	ROOM_EVENT_AWAY,     /* the connection dropped, the seat is kept */
	ROOM_EVENT_BACK,     /* it came back */
};

/* What happened; pointers valid during the callback only. */
struct room_event {
	enum room_event_kind kind;
	gint64 at_ms;
	const struct room_participant *subject; /* NULL for room-wide events */
	const struct room_participant *actor;   /* who did it; NULL: the server or an operator */
	enum room_media media;                  /* MUTED, UNMUTED */
	bool by_chair;                          /* MUTED, UNMUTED: a chair's mute flag changed */
	const char *view;                       /* LAYOUT, PINNED, UNPINNED */
	enum room_layout layout;                /* LAYOUT */
	const char *reason;                     /* LEFT */
	gint64 speaking_since_ms;               /* SPEAKING */
	guint queue_position;                   /* HAND_RAISED: 1 = next */
};

struct room;
struct rooms;

/* Told of every event of every room, on the control thread. The callback may read the
 * room but must not change it (no room_* call that changes state). */
typedef void (*room_event_fn)(struct room *room, const struct room_event *event, void *user_data);

/* An empty registry of rooms by meeting id; members are made in `mcu` (borrowed) in the
 * mcu room named "meeting-<ID>". The caller owns the result. */
struct rooms *rooms_new(struct mcu_rooms *mcu, room_event_fn fn, void *user_data);
/* Frees the registry and any room left (their participants leave without events). */
void rooms_free(struct rooms *rooms);

/* The room of meeting `meeting_id`, or NULL. Borrowed. */
struct room *rooms_lookup(struct rooms *rooms, gint64 meeting_id);
/* The room of meeting `meeting_id`, opened with `layout` in its main view if there is
 * none. A room closed by END stays (refusing joins) until its last participant left. */
struct room *rooms_open(struct rooms *rooms, gint64 meeting_id, enum room_layout layout);
/* Every room (borrowed), for listing and shutdown. Caller frees the list. */
GList *rooms_list(struct rooms *rooms);

gint64 room_meeting_id(const struct room *room);
enum room_state room_state(const struct room *room);
/* Whether the meeting is being recorded, as the caller last said (room_set_recording()). */
bool room_recording(const struct room *room);
/* The caller's recorder started (true) or stopped (false) recording the room's meeting:
 * kept for the room's state. Returns whether it changed. No event: the caller announces
 * it with the recording's details. */
bool room_set_recording(struct room *room, bool recording);
/* The mcu room name: "meeting-<ID>". Owned by the room. */
const char *room_media_name_of(const struct room *room);
/* The participants in join order (borrowed array of struct room_participant *). */
GPtrArray *room_participants(struct room *room);
struct room_participant *room_find(struct room *room, guint participant_id);
struct room_participant *room_find_endpoint(struct room *room, gint64 endpoint_id);
/* The floor queue: participant ids, first raised first; *count receives the length.
 * Borrowed until the next change. */
const guint *room_floor_queue(struct room *room, guint *count);
/* The participant holding the floor, or NULL. */
struct room_participant *room_floor_holder(struct room *room);
/* A view's layout and pinned participant (0: none); false when there is no such view. */
bool room_view(struct room *room, const char *view, enum room_layout *layout, guint *pinned);
/* The view names (borrowed strings). */
GPtrArray *room_view_names(struct room *room);

/*
 * Seats a new participant (`name` and `unit` copied; `owner` kept for the caller). A
 * participant or viewer is refused with ROOM_ERROR_LOCKED in a locked room; nobody joins
 * a closed one (ROOM_ERROR_CLOSED). A participant starts muted by the chair when the
 * room's "mute on join" is on (after a mute-all). An endpoint already seated is replaced:
 * the old seat leaves first (reason "replaced"). Emits JOINED. Returns the seat
 * (borrowed), or NULL.
 */
struct room_participant *room_join(struct room *room, gint64 endpoint_id, const char *name,
                                   const char *unit, enum room_role role, void *owner,
                                   gint64 now_ms, GError **error);

/* Takes participant `id` out: its hand lowered, floor revoked and pins dropped
 * (quietly), any speaking turn ended (SPEAKING), then LEFT with `reason`. The seat is
 * freed after the event. A closed room left empty is freed later, from an idle callback
 * of the thread's main context (or by rooms_free()). */
void room_leave(struct room *room, guint id, const char *reason, gint64 now_ms);

/* Gives the participant its media member (NULL to take it away); its mute state is
 * applied to it at once. */
void room_set_media(struct room *room, guint id, struct mcu_member *member);

/* Marks the participant's connection dropped (away) or back; emits AWAY or BACK. */
void room_set_away(struct room *room, guint id, bool away, gint64 now_ms);

/* The mixer says the participant started or stopped speaking; emits SPEAKING. */
void room_set_speaking(struct room *room, guint id, bool speaking, gint64 now_ms);

/*
 * Whether a participant of role `actor` may take `action` on `target` (the actor itself
 * when `on_self`). The rules (docs/protocol.md, "Who may do what"):
 * - viewers watch: they may do nothing but leave;
 * - participants may mute and unmute themselves and raise and lower their own hand;
 *   they may not unmute themselves while a chair has them muted (`chair_muted`): they
 *   raise their hand and wait for the floor;
 * - chairs and operators may do everything, to anyone.
 * False with ROOM_ERROR_FORBIDDEN saying why. Pure.
 */
bool room_may(enum room_role actor, enum room_action action, bool on_self, bool chair_muted,
              GError **error);

/* The arguments of room_act(); unused members are ignored. */
struct room_action_args {
	guint target;            /* participant id; 0: the actor itself (mute, unmute, hand) or
	                          * the head of the floor queue (grant) or the holder (revoke) */
	enum room_media media;   /* mute, unmute */
	const char *view;        /* layout, pin, unpin; NULL: ROOM_MAIN_VIEW */
	enum room_layout layout; /* layout */
};

/*
 * Participant `actor_id` (0: an operator acting from outside the room) takes `action`
 * with `args`, after room_may(). What each does and the events it emits are in
 * docs/protocol.md; END closes the room and makes everyone leave (reason "ended"), KICK
 * makes the target leave (reason "kicked"). RECORD is only authorised and changes nothing:
 * the room does not record; its caller starts or stops its recorder after it. An action that
 * changes nothing (muting the muted) succeeds without an event. Errors: ROOM_ERROR_FORBIDDEN,
 * NOT_FOUND (target, view), INVALID (a viewer given the floor, an empty floor queue, too many
 * views), CLOSED.
 */
bool room_act(struct room *room, guint actor_id, enum room_action action,
              const struct room_action_args *args, gint64 now_ms, GError **error);
