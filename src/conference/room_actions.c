/* SPDX-License-Identifier: MIT */
/* The room's actions: who may take them (room_may), and what each does to the seats, the
 * floor queue and the views, with the events it emits. */
#define G_LOG_DOMAIN "cau-room"
#include "room_private.h"

#include <string.h>

static const char *const action_names[] = {
    [ROOM_ACTION_MUTE] = "mute",
    [ROOM_ACTION_UNMUTE] = "unmute",
    [ROOM_ACTION_MUTE_ALL] = "mute_all",
    [ROOM_ACTION_HAND_RAISE] = "hand_raise",
    [ROOM_ACTION_HAND_LOWER] = "hand_lower",
    [ROOM_ACTION_FLOOR_GRANT] = "floor_grant",
    [ROOM_ACTION_FLOOR_REVOKE] = "floor_revoke",
    [ROOM_ACTION_LAYOUT] = "layout",
    [ROOM_ACTION_PIN] = "pin",
    [ROOM_ACTION_UNPIN] = "unpin",
    [ROOM_ACTION_KICK] = "kick",
    [ROOM_ACTION_LOCK] = "lock",
    [ROOM_ACTION_UNLOCK] = "unlock",
    [ROOM_ACTION_END] = "end",
    [ROOM_ACTION_RECORD] = "record",
};

const char *room_action_name(enum room_action action)
{
	return (size_t)action < G_N_ELEMENTS(action_names) ? action_names[action] : NULL;
}

/* What a participant may do to itself. */
static bool self_action(enum room_action action)
{
	return action == ROOM_ACTION_MUTE || action == ROOM_ACTION_UNMUTE ||
	       action == ROOM_ACTION_HAND_RAISE || action == ROOM_ACTION_HAND_LOWER;
}

bool room_may(enum room_role actor, enum room_action action, bool on_self, bool chair_muted,
              GError **error)
{
	const char *name = room_action_name(action);

	if (actor >= ROOM_ROLE_CHAIR)
		return true;
	if (actor == ROOM_ROLE_VIEWER) {
		g_set_error(error, ROOM_ERROR, ROOM_ERROR_FORBIDDEN,
		            "a viewer only watches: %s is not allowed", name);
		return false;
	}
	if (!self_action(action)) {
		g_set_error(error, ROOM_ERROR, ROOM_ERROR_FORBIDDEN, "only a chair may %s", name);
		return false;
	}
	if (!on_self) {
		g_set_error(error, ROOM_ERROR, ROOM_ERROR_FORBIDDEN,
		            "a participant may %s only itself", name);
		return false;
	}
	if (action == ROOM_ACTION_UNMUTE && chair_muted) {
		g_set_error(error, ROOM_ERROR, ROOM_ERROR_FORBIDDEN,
		            "the chair has muted you: raise your hand and wait for the floor");
		return false;
	}
	return true;
}

/* ---- one function per action; `actor` is NULL for an operator outside the room ---- */

static void emit_mute(struct room *room, struct room_participant *p, struct room_participant *actor,
                      enum room_media media, bool muted, bool by_chair, gint64 now_ms)
{
	struct room_event ev = {.kind = muted ? ROOM_EVENT_MUTED : ROOM_EVENT_UNMUTED,
	                        .at_ms = now_ms,
	                        .subject = p,
	                        .actor = actor,
	                        .media = media,
	                        .by_chair = by_chair};

	if (media == ROOM_MEDIA_AUDIO)
		room_apply_audio(room, p);
	room_emit(room, &ev);
}

/* Sets one of p's mute flags; emits when it changed. */
static void set_mute(struct room *room, struct room_participant *p, struct room_participant *actor,
                     enum room_media media, bool by_chair, bool muted, gint64 now_ms)
{
	bool *flag = by_chair ? &p->muted_by_chair[media] : &p->muted_self[media];

	if (*flag == muted)
		return;
	*flag = muted;
	emit_mute(room, p, actor, media, muted, by_chair, now_ms);
}

static bool is_self(const struct room_participant *actor, const struct room_participant *target)
{
	return actor && actor == target;
}

static void do_mute(struct room *room, struct room_participant *actor, struct room_participant *p,
                    enum room_media media, bool mute, gint64 now_ms)
{
	if (is_self(actor, p)) {
		set_mute(room, p, actor, media, false, mute, now_ms);
		/* A chair unmuting itself also lifts a mute another chair put on it. */
		if (!mute && actor->role >= ROOM_ROLE_CHAIR)
			set_mute(room, p, actor, media, true, false, now_ms);
		return;
	}
	/* A chair's mute is its own flag: unmuting never overrides the participant's own
	 * mute (nobody turns on another room's microphone). */
	set_mute(room, p, actor, media, true, mute, now_ms);
}

static void set_pin(struct room *room, struct room_view *v, guint id,
                    struct room_participant *actor, gint64 now_ms)
{
	struct room_event ev = {.at_ms = now_ms, .actor = actor, .view = v->name};

	if (v->pinned == id)
		return;
	ev.kind = id ? ROOM_EVENT_PINNED : ROOM_EVENT_UNPINNED;
	ev.subject = room_find(room, id ? id : v->pinned);
	v->pinned = id;
	room_apply_pin(room, v);
	room_emit(room, &ev);
}

static void revoke_floor(struct room *room, struct room_participant *actor, gint64 now_ms)
{
	struct room_participant *p = room_floor_holder(room);
	struct room_view *main_view = room->views->pdata[0];

	if (!p)
		return;
	room->floor = 0;
	p->has_floor = false;
	set_mute(room, p, actor, ROOM_MEDIA_AUDIO, true, true, now_ms);
	if (main_view->pinned == p->id)
		set_pin(room, main_view, 0, actor, now_ms);
	room_emit_simple(room, ROOM_EVENT_FLOOR_REVOKED, p, actor, now_ms);
}

static bool grant_floor(struct room *room, struct room_participant *actor,
                        struct room_participant *p, gint64 now_ms, GError **error)
{
	if (p->role == ROOM_ROLE_VIEWER) {
		g_set_error(error, ROOM_ERROR, ROOM_ERROR_INVALID,
		            "participant %u is a viewer: it cannot take the floor", p->id);
		return false;
	}
	if (room->floor == p->id)
		return true;
	revoke_floor(room, actor, now_ms);
	room_queue_remove(room, p->id);
	p->hand_raised = false;
	p->has_floor = true;
	room->floor = p->id;
	set_mute(room, p, actor, ROOM_MEDIA_AUDIO, true, false, now_ms);
	set_pin(room, room->views->pdata[0], p->id, actor, now_ms);
	room_emit_simple(room, ROOM_EVENT_FLOOR_GRANTED, p, actor, now_ms);
	return true;
}

static void raise_hand(struct room *room, struct room_participant *actor,
                       struct room_participant *p, gint64 now_ms)
{
	struct room_event ev = {.kind = ROOM_EVENT_HAND_RAISED, .at_ms = now_ms, .subject = p};

	if (p->hand_raised || p->has_floor)
		return;
	p->hand_raised = true;
	p->hand_raised_at_ms = now_ms;
	g_array_append_val(room->queue, p->id);
	ev.actor = actor;
	ev.queue_position = room->queue->len;
	room_emit(room, &ev);
}

static void lower_hand(struct room *room, struct room_participant *actor,
                       struct room_participant *p, gint64 now_ms)
{
	if (!p->hand_raised)
		return;
	p->hand_raised = false;
	room_queue_remove(room, p->id);
	room_emit_simple(room, ROOM_EVENT_HAND_LOWERED, p, actor, now_ms);
}

static void mute_all(struct room *room, struct room_participant *actor, gint64 now_ms)
{
	revoke_floor(room, actor, now_ms);
	room->mute_on_join = true;
	for (guint i = 0; i < room->participants->len; i++) {
		struct room_participant *p = room->participants->pdata[i];
		if (p->role == ROOM_ROLE_PARTICIPANT)
			set_mute(room, p, actor, ROOM_MEDIA_AUDIO, true, true, now_ms);
	}
}

static bool set_layout(struct room *room, struct room_participant *actor, const char *view,
                       enum room_layout layout, gint64 now_ms, GError **error)
{
	struct room_view *v = room_view_find(room, view);
	struct room_event ev = {.kind = ROOM_EVENT_LAYOUT, .at_ms = now_ms, .actor = actor};

	if (!v) {
		if (room->views->len >= ROOM_MAX_VIEWS) {
			g_set_error(error, ROOM_ERROR, ROOM_ERROR_INVALID,
			            "at most %d views per room", ROOM_MAX_VIEWS);
			return false;
		}
		v = room_view_add(room, view, layout);
	} else if (v->layout == layout) {
		return true;
	}
	v->layout = layout;
	room_apply_layout(room, v);
	ev.view = v->name;
	ev.layout = layout;
	room_emit(room, &ev);
	return true;
}

static void set_state(struct room *room, struct room_participant *actor, enum room_state state,
                      gint64 now_ms)
{
	if (room->state == state)
		return;
	room->state = state;
	room_emit_simple(room, state == ROOM_LOCKED ? ROOM_EVENT_LOCKED : ROOM_EVENT_UNLOCKED, NULL,
	                 actor, now_ms);
}

static void end_meeting(struct room *room, struct room_participant *actor, gint64 now_ms)
{
	room_emit_simple(room, ROOM_EVENT_ENDING, NULL, actor, now_ms);
	room->state = ROOM_CLOSED;
	while (room->participants->len > 0) {
		struct room_participant *p = room->participants->pdata[room->participants->len - 1];
		room_leave(room, p->id, "ended", now_ms);
	}
	room_schedule_reap(room);
}

/* The target of an action: args->target, or the default for 0 (see room_act()). */
static struct room_participant *find_target(struct room *room, struct room_participant *actor,
                                            enum room_action action,
                                            const struct room_action_args *args, GError **error)
{
	guint id = args->target;
	struct room_participant *p;

	if (!id && action == ROOM_ACTION_FLOOR_GRANT) {
		if (room->queue->len == 0) {
			g_set_error(error, ROOM_ERROR, ROOM_ERROR_INVALID,
			            "no raised hand to give the floor to");
			return NULL;
		}
		id = g_array_index(room->queue, guint, 0);
	} else if (!id) {
		if (!actor) {
			g_set_error(error, ROOM_ERROR, ROOM_ERROR_INVALID,
			            "%s needs a target participant", room_action_name(action));
			return NULL;
		}
		return actor;
	}
	if (!(p = room_find(room, id)))
		g_set_error(error, ROOM_ERROR, ROOM_ERROR_NOT_FOUND,
		            "no participant %u in the room", id);
	return p;
}

static bool needs_target(enum room_action action)
{
	return action == ROOM_ACTION_MUTE || action == ROOM_ACTION_UNMUTE ||
	       action == ROOM_ACTION_HAND_RAISE || action == ROOM_ACTION_HAND_LOWER ||
	       action == ROOM_ACTION_FLOOR_GRANT || action == ROOM_ACTION_PIN ||
	       action == ROOM_ACTION_KICK;
}

/* Runs an authorised action. */
static bool act(struct room *room, struct room_participant *actor, enum room_action action,
                struct room_participant *target, const struct room_action_args *args,
                struct room_view *view, gint64 now_ms, GError **error)
{
	switch (action) {
	case ROOM_ACTION_MUTE:
	case ROOM_ACTION_UNMUTE:
		do_mute(room, actor, target, args->media, action == ROOM_ACTION_MUTE, now_ms);
		return true;
	case ROOM_ACTION_MUTE_ALL:
		mute_all(room, actor, now_ms);
		return true;
	case ROOM_ACTION_HAND_RAISE:
		raise_hand(room, actor, target, now_ms);
		return true;
	case ROOM_ACTION_HAND_LOWER:
		lower_hand(room, actor, target, now_ms);
		return true;
	case ROOM_ACTION_FLOOR_GRANT:
		return grant_floor(room, actor, target, now_ms, error);
	case ROOM_ACTION_FLOOR_REVOKE:
		revoke_floor(room, actor, now_ms);
		return true;
	case ROOM_ACTION_LAYOUT:
		return set_layout(room, actor, args->view ? args->view : ROOM_MAIN_VIEW,
		                  args->layout, now_ms, error);
	case ROOM_ACTION_PIN:
		set_pin(room, view, target->id, actor, now_ms);
		return true;
	case ROOM_ACTION_UNPIN:
		set_pin(room, view, 0, actor, now_ms);
		return true;
	case ROOM_ACTION_KICK:
		room_emit_simple(room, ROOM_EVENT_KICKED, target, actor, now_ms);
		room_leave(room, target->id, "kicked", now_ms);
		return true;
	case ROOM_ACTION_LOCK:
	case ROOM_ACTION_UNLOCK:
		set_state(room, actor, action == ROOM_ACTION_LOCK ? ROOM_LOCKED : ROOM_OPEN,
		          now_ms);
		return true;
	case ROOM_ACTION_END:
		end_meeting(room, actor, now_ms);
		return true;
	case ROOM_ACTION_RECORD:
		return true; /* authorised: the caller's recorder does the rest */
	case ROOM_ACTION_COUNT:
		break;
	}
	g_set_error(error, ROOM_ERROR, ROOM_ERROR_INVALID, "no such action");
	return false;
}

bool room_act(struct room *room, guint actor_id, enum room_action action,
              const struct room_action_args *args, gint64 now_ms, GError **error)
{
	static const struct room_action_args none = {0};
	struct room_participant *actor = NULL, *target = NULL;
	struct room_view *view = NULL;
	enum room_role role = ROOM_ROLE_OPERATOR;

	if (!args)
		args = &none;
	if (room->state == ROOM_CLOSED) {
		g_set_error(error, ROOM_ERROR, ROOM_ERROR_CLOSED, "the meeting has ended");
		return false;
	}
	if (actor_id) {
		if (!(actor = room_find(room, actor_id))) {
			g_set_error(error, ROOM_ERROR, ROOM_ERROR_NOT_FOUND,
			            "no participant %u in the room", actor_id);
			return false;
		}
		role = actor->role;
	}
	/* Authorise before looking the target up, so that a participant probing ids learns
	 * nothing. */
	if (!room_may(role, action, args->target == 0 || args->target == actor_id,
	              actor && actor->muted_by_chair[args->media], error))
		return false;
	if (needs_target(action) && !(target = find_target(room, actor, action, args, error)))
		return false;
	if ((action == ROOM_ACTION_PIN || action == ROOM_ACTION_UNPIN) &&
	    !(view = room_view_find(room, args->view ? args->view : ROOM_MAIN_VIEW))) {
		g_set_error(error, ROOM_ERROR, ROOM_ERROR_NOT_FOUND, "no view \"%s\"", args->view);
		return false;
	}
	return act(room, actor, action, target, args, view, now_ms, error);
}
