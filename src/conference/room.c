/* SPDX-License-Identifier: MIT */
/* The meeting room: the registry by meeting id, seats, media effects and events; the
 * actions and their authorisation are in room_actions.c. */
#define G_LOG_DOMAIN "cau-room"
#include "room_private.h"

#include <string.h>

G_DEFINE_QUARK(cau - room - error - quark, room_error)

static const char *const role_names[] = {
    [ROOM_ROLE_VIEWER] = "viewer",
    [ROOM_ROLE_PARTICIPANT] = "participant",
    [ROOM_ROLE_CHAIR] = "chair",
    [ROOM_ROLE_OPERATOR] = "operator",
};
static const char *const state_names[] = {"open", "locked", "closed"};
static const char *const layout_names[] = {"speaker", "grid", "pinned"};
static const char *const media_names[] = {"audio", "video"};

const char *room_role_name(enum room_role role)
{
	return (size_t)role < G_N_ELEMENTS(role_names) ? role_names[role] : NULL;
}

const char *room_state_name(enum room_state state)
{
	return (size_t)state < G_N_ELEMENTS(state_names) ? state_names[state] : NULL;
}

const char *room_layout_name(enum room_layout layout)
{
	return (size_t)layout < G_N_ELEMENTS(layout_names) ? layout_names[layout] : NULL;
}

bool room_layout_from_name(const char *name, enum room_layout *out)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(layout_names); i++) {
		if (strcmp(layout_names[i], name) == 0) {
			*out = (enum room_layout)i;
			return true;
		}
	}
	return false;
}

const char *room_media_name(enum room_media media)
{
	return (size_t)media < G_N_ELEMENTS(media_names) ? media_names[media] : NULL;
}

bool room_participant_audible(const struct room_participant *p)
{
	return p->role != ROOM_ROLE_VIEWER && !p->muted_self[ROOM_MEDIA_AUDIO] &&
	       !p->muted_by_chair[ROOM_MEDIA_AUDIO];
}

/* ---- media effects: each behind one function ---- */

void room_apply_audio(struct room *room, struct room_participant *p)
{
	if (p->media)
		mcu_member_set_audio_muted(p->media, !room_participant_audible(p));
}

/* The room's mcu room, through any participant that has media; NULL before the first. */
static struct mcu_room *media_room(struct room *room)
{
	for (guint i = 0; i < room->participants->len; i++) {
		struct room_participant *p = room->participants->pdata[i];

		if (p->media)
			return mcu_member_room(p->media);
	}
	return NULL;
}

/* The composed picture follows the main view (the mcu room composes one): a pin in the
 * speaker layout shows the pinned participant large (the chair's pick, or the floor's
 * holder after a grant) instead of the loudest; grid and pinned are themselves. */
static enum layout_kind composed_layout(const struct room_view *view)
{
	switch (view->layout) {
	case ROOM_LAYOUT_GRID:
		return LAYOUT_GRID;
	case ROOM_LAYOUT_PINNED:
		return LAYOUT_PINNED;
	case ROOM_LAYOUT_SPEAKER:
	default:
		return view->pinned ? LAYOUT_PINNED : LAYOUT_SPEAKER;
	}
}

void room_apply_layout(struct room *room, struct room_view *view)
{
	struct mcu_room *media = media_room(room);

	if (media && view == room->views->pdata[0])
		mcu_room_set_layout(media, composed_layout(view));
}

void room_apply_pin(struct room *room, struct room_view *view)
{
	struct mcu_room *media = media_room(room);
	struct room_participant *pinned;

	if (!media || view != room->views->pdata[0])
		return;
	pinned = view->pinned ? room_find(room, view->pinned) : NULL;
	mcu_room_set_pinned(media, pinned && pinned->media ? pinned->media : NULL);
	mcu_room_set_layout(media, composed_layout(view));
}

/* ---- events ---- */

void room_emit(struct room *room, struct room_event *ev)
{
	if (room->rooms->fn)
		room->rooms->fn(room, ev, room->rooms->user_data);
}

void room_emit_simple(struct room *room, enum room_event_kind kind,
                      struct room_participant *subject, struct room_participant *actor,
                      gint64 now_ms)
{
	struct room_event ev = {.kind = kind, .at_ms = now_ms, .subject = subject, .actor = actor};

	room_emit(room, &ev);
}

/* ---- the registry ---- */

static void participant_free(gpointer data)
{
	struct room_participant *p = data;

	g_free(p->name);
	g_free(p->unit);
	g_free(p);
}

static void view_free(gpointer data)
{
	struct room_view *v = data;

	g_free(v->name);
	g_free(v);
}

struct room_view *room_view_add(struct room *room, const char *name, enum room_layout layout)
{
	struct room_view *v = g_new0(struct room_view, 1);

	v->name = g_strdup(name);
	v->layout = layout;
	g_ptr_array_add(room->views, v);
	return v;
}

struct room_view *room_view_find(struct room *room, const char *name)
{
	for (guint i = 0; i < room->views->len; i++) {
		struct room_view *v = room->views->pdata[i];
		if (strcmp(v->name, name) == 0)
			return v;
	}
	return NULL;
}

static void room_free(gpointer data)
{
	struct room *room = data;

	g_ptr_array_unref(room->participants);
	g_ptr_array_unref(room->views);
	g_array_unref(room->queue);
	g_free(room->media_name);
	g_free(room);
}

struct rooms *rooms_new(struct mcu_rooms *mcu, room_event_fn fn, void *user_data)
{
	struct rooms *rooms = g_new0(struct rooms, 1);

	rooms->mcu = mcu;
	rooms->fn = fn;
	rooms->user_data = user_data;
	rooms->by_meeting = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, room_free);
	return rooms;
}

void rooms_free(struct rooms *rooms)
{
	if (!rooms)
		return;
	if (rooms->reap_source)
		g_source_remove(rooms->reap_source);
	g_hash_table_unref(rooms->by_meeting);
	g_free(rooms);
}

struct room *rooms_lookup(struct rooms *rooms, gint64 meeting_id)
{
	return g_hash_table_lookup(rooms->by_meeting, &meeting_id);
}

struct room *rooms_open(struct rooms *rooms, gint64 meeting_id, enum room_layout layout)
{
	struct room *room = rooms_lookup(rooms, meeting_id);

	if (room)
		return room;
	room = g_new0(struct room, 1);
	room->rooms = rooms;
	room->meeting_id = meeting_id;
	room->state = ROOM_OPEN;
	room->media_name = g_strdup_printf("meeting-%" G_GINT64_FORMAT, meeting_id);
	room->participants = g_ptr_array_new_with_free_func(participant_free);
	room->views = g_ptr_array_new_with_free_func(view_free);
	room->queue = g_array_new(FALSE, FALSE, sizeof(guint));
	room_view_add(room, ROOM_MAIN_VIEW, layout);
	g_hash_table_insert(rooms->by_meeting, &room->meeting_id, room);
	g_info("[room %" G_GINT64_FORMAT "] opened", meeting_id);
	return room;
}

GList *rooms_list(struct rooms *rooms)
{
	return g_hash_table_get_values(rooms->by_meeting);
}

static gboolean reap(gpointer user_data)
{
	struct rooms *rooms = user_data;
	GHashTableIter iter;
	gpointer value;

	rooms->reap_source = 0;
	g_hash_table_iter_init(&iter, rooms->by_meeting);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		struct room *room = value;
		if (room->state == ROOM_CLOSED && room->participants->len == 0) {
			g_info("[room %" G_GINT64_FORMAT "] freed", room->meeting_id);
			g_hash_table_iter_remove(&iter);
		}
	}
	return G_SOURCE_REMOVE;
}

void room_schedule_reap(struct room *room)
{
	if (room->state == ROOM_CLOSED && room->participants->len == 0 && !room->rooms->reap_source)
		room->rooms->reap_source = g_idle_add(reap, room->rooms);
}

gint64 room_meeting_id(const struct room *room)
{
	return room->meeting_id;
}

enum room_state room_state(const struct room *room)
{
	return room->state;
}

bool room_recording(const struct room *room)
{
	return room->recording;
}

bool room_set_recording(struct room *room, bool recording)
{
	if (room->recording == recording)
		return false;
	room->recording = recording;
	return true;
}

const char *room_media_name_of(const struct room *room)
{
	return room->media_name;
}

GPtrArray *room_participants(struct room *room)
{
	return room->participants;
}

struct room_participant *room_find(struct room *room, guint participant_id)
{
	for (guint i = 0; i < room->participants->len; i++) {
		struct room_participant *p = room->participants->pdata[i];
		if (p->id == participant_id)
			return p;
	}
	return NULL;
}

struct room_participant *room_find_endpoint(struct room *room, gint64 endpoint_id)
{
	for (guint i = 0; i < room->participants->len; i++) {
		struct room_participant *p = room->participants->pdata[i];
		if (p->endpoint_id == endpoint_id)
			return p;
	}
	return NULL;
}

const guint *room_floor_queue(struct room *room, guint *count)
{
	*count = room->queue->len;
	return (const guint *)room->queue->data;
}

struct room_participant *room_floor_holder(struct room *room)
{
	return room->floor ? room_find(room, room->floor) : NULL;
}

bool room_view(struct room *room, const char *view, enum room_layout *layout, guint *pinned)
{
	struct room_view *v = room_view_find(room, view);

	if (!v)
		return false;
	*layout = v->layout;
	*pinned = v->pinned;
	return true;
}

GPtrArray *room_view_names(struct room *room)
{
	GPtrArray *names = g_ptr_array_new();

	for (guint i = 0; i < room->views->len; i++)
		g_ptr_array_add(names, ((struct room_view *)room->views->pdata[i])->name);
	return names;
}

/* ---- seats ---- */

struct room_participant *room_join(struct room *room, gint64 endpoint_id, const char *name,
                                   const char *unit, enum room_role role, void *owner,
                                   gint64 now_ms, GError **error)
{
	struct room_participant *p, *old;

	if (room->state == ROOM_CLOSED) {
		g_set_error(error, ROOM_ERROR, ROOM_ERROR_CLOSED, "the meeting has ended");
		return NULL;
	}
	if (room->state == ROOM_LOCKED && role < ROOM_ROLE_CHAIR) {
		g_set_error(error, ROOM_ERROR, ROOM_ERROR_LOCKED,
		            "the room is locked: the chair lets nobody else in");
		return NULL;
	}
	if ((old = room_find_endpoint(room, endpoint_id)))
		room_leave(room, old->id, "replaced", now_ms);
	if (room->participants->len >= ROOM_MAX_PARTICIPANTS) {
		g_set_error(error, ROOM_ERROR, ROOM_ERROR_FULL, "the room is full (%d seats)",
		            ROOM_MAX_PARTICIPANTS);
		return NULL;
	}
	p = g_new0(struct room_participant, 1);
	p->id = ++room->next_id;
	p->endpoint_id = endpoint_id;
	p->name = g_strdup(name ? name : "");
	p->unit = g_strdup(unit ? unit : "");
	p->role = role;
	p->owner = owner;
	p->joined_at_ms = now_ms;
	if (room->mute_on_join && role < ROOM_ROLE_CHAIR)
		p->muted_by_chair[ROOM_MEDIA_AUDIO] = true;
	g_ptr_array_add(room->participants, p);
	g_info("[room %" G_GINT64_FORMAT " / participant %u] joined: endpoint %" G_GINT64_FORMAT
	       " as %s",
	       room->meeting_id, p->id, endpoint_id, room_role_name(role));
	room_emit_simple(room, ROOM_EVENT_JOINED, p, NULL, now_ms);
	return p;
}

void room_queue_remove(struct room *room, guint id)
{
	for (guint i = 0; i < room->queue->len; i++) {
		if (g_array_index(room->queue, guint, i) == id) {
			g_array_remove_index(room->queue, i);
			return;
		}
	}
}

void room_leave(struct room *room, guint id, const char *reason, gint64 now_ms)
{
	struct room_participant *p = room_find(room, id);
	struct room_event ev = {.kind = ROOM_EVENT_LEFT, .at_ms = now_ms, .reason = reason};
	guint index;

	if (!p)
		return;
	if (p->speaking)
		room_set_speaking(room, id, false, now_ms);
	room_queue_remove(room, id);
	p->hand_raised = false;
	if (room->floor == id)
		room->floor = 0;
	for (guint i = 0; i < room->views->len; i++) {
		struct room_view *v = room->views->pdata[i];
		if (v->pinned == id) {
			v->pinned = 0;
			room_apply_pin(room, v);
		}
	}
	ev.subject = p;
	g_info("[room %" G_GINT64_FORMAT " / participant %u] left (%s)", room->meeting_id, id,
	       reason);
	room_emit(room, &ev);
	if (g_ptr_array_find(room->participants, p, &index))
		g_ptr_array_remove_index(room->participants, index); /* frees p */
	room_schedule_reap(room);
}

void room_set_media(struct room *room, guint id, struct mcu_member *member)
{
	struct room_participant *p = room_find(room, id);

	if (!p)
		return;
	p->media = member;
	if (member)
		mcu_member_set_display_name(member, p->unit && *p->unit ? p->unit : p->name);
	room_apply_audio(room, p);
	/* A new mcu room starts with the server's default layout; a pinned participant
	 * coming back has a new member. */
	room_apply_pin(room, room->views->pdata[0]);
}

void room_set_away(struct room *room, guint id, bool away, gint64 now_ms)
{
	struct room_participant *p = room_find(room, id);

	if (!p || p->away == away)
		return;
	p->away = away;
	p->away_since_ms = away ? now_ms : 0;
	room_emit_simple(room, away ? ROOM_EVENT_AWAY : ROOM_EVENT_BACK, p, NULL, now_ms);
}

void room_set_speaking(struct room *room, guint id, bool speaking, gint64 now_ms)
{
	struct room_participant *p = room_find(room, id);
	struct room_event ev = {.kind = ROOM_EVENT_SPEAKING, .at_ms = now_ms};

	if (!p || p->speaking == speaking)
		return;
	p->speaking = speaking;
	if (speaking)
		p->speaking_since_ms = now_ms;
	ev.subject = p;
	ev.speaking_since_ms = p->speaking_since_ms;
	room_emit(room, &ev);
}
