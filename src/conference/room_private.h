/* SPDX-License-Identifier: MIT */
/* What room.c and room_actions.c share: the structs behind the room's opaque types. */
#pragma once

#include "room.h"

struct room_view {
	char *name;
	enum room_layout layout;
	guint pinned; /* participant id; 0: none */
};

struct rooms {
	struct mcu_rooms *mcu;
	room_event_fn fn;
	void *user_data;
	GHashTable *by_meeting; /* &meeting_id -> struct room (owned) */
	guint reap_source;
};

struct room {
	struct rooms *rooms;
	gint64 meeting_id;
	enum room_state state;
	char *media_name;
	GPtrArray *participants; /* of struct room_participant (owned), in join order */
	GPtrArray *views;        /* of struct room_view (owned); [0] is the main view */
	GArray *queue;           /* of guint: raised hands, first first */
	guint floor;             /* participant holding the floor; 0: none */
	guint next_id;
	bool mute_on_join; /* after a mute-all, newcomers start muted by the chair */
	bool recording;    /* as room_set_recording() last said */
};

void room_emit(struct room *room, struct room_event *ev);
void room_emit_simple(struct room *room, enum room_event_kind kind,
                      struct room_participant *subject, struct room_participant *actor,
                      gint64 now_ms);
void room_apply_audio(struct room *room, struct room_participant *p);
void room_apply_layout(struct room *room, struct room_view *view);
void room_apply_pin(struct room *room, struct room_view *view);
struct room_view *room_view_add(struct room *room, const char *name, enum room_layout layout);
struct room_view *room_view_find(struct room *room, const char *name);
void room_queue_remove(struct room *room, guint id);
void room_schedule_reap(struct room *room);
