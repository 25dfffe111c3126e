/* SPDX-License-Identifier: MIT */
/* The meeting room model without network: seats, mute flags, the floor queue, chair
 * actions, locking and ending, and the role matrix of who may do what. */
#include "conference/room.h"

#include <string.h>

/* Every event seen, as "kind:subject" strings, plus the room of the last one. */
struct fixture {
	struct rooms *rooms;
	struct room *room;
	GPtrArray *log;
};

static const char *const kind_names[] = {
    "joined",   "left",    "muted",  "unmuted",  "hand_raised", "hand_lowered",
    "granted",  "revoked", "layout", "pinned",   "unpinned",    "locked",
    "unlocked", "kicked",  "ending", "speaking", "away",        "back",
};

static void on_event(struct room *room, const struct room_event *ev, void *user_data)
{
	struct fixture *f = user_data;
	char *line;

	if (ev->kind == ROOM_EVENT_MUTED || ev->kind == ROOM_EVENT_UNMUTED)
		line = g_strdup_printf("%s:%u:%s%s", kind_names[ev->kind], ev->subject->id,
		                       room_media_name(ev->media), ev->by_chair ? ":chair" : "");
	else if (ev->kind == ROOM_EVENT_LEFT)
		line = g_strdup_printf("left:%u:%s", ev->subject->id, ev->reason);
	else if (ev->kind == ROOM_EVENT_HAND_RAISED)
		line = g_strdup_printf("hand_raised:%u:%u", ev->subject->id, ev->queue_position);
	else if (ev->subject)
		line = g_strdup_printf("%s:%u", kind_names[ev->kind], ev->subject->id);
	else
		line = g_strdup(kind_names[ev->kind]);
	g_ptr_array_add(f->log, line);
}

static void setup(struct fixture *f, gconstpointer data)
{
	f->log = g_ptr_array_new_with_free_func(g_free);
	f->rooms = rooms_new(NULL, on_event, f);
	f->room = rooms_open(f->rooms, 42, ROOM_LAYOUT_SPEAKER);
}

static void teardown(struct fixture *f, gconstpointer data)
{
	rooms_free(f->rooms);
	g_ptr_array_unref(f->log);
}

/* The log since the last call, joined with spaces; clears it. */
static char *take_log(struct fixture *f)
{
	char *text;

	g_ptr_array_add(f->log, NULL);
	text = g_strjoinv(" ", (char **)f->log->pdata);
	g_ptr_array_set_size(f->log, 0);
	return text;
}

#define assert_log(f, expected)                                                                    \
	do {                                                                                       \
		g_autofree char *got_ = take_log(f);                                               \
		g_assert_cmpstr(got_, ==, expected);                                               \
	} while (0)

static guint join(struct fixture *f, gint64 endpoint, enum room_role role)
{
	g_autoptr(GError) error = NULL;
	struct room_participant *p =
	    room_join(f->room, endpoint, "Xã Tân Phú", "LD-01", role, NULL, 1000, &error);

	g_assert_no_error(error);
	g_assert_nonnull(p);
	return p->id;
}

static bool act(struct fixture *f, guint actor, enum room_action action, guint target,
                GError **error)
{
	struct room_action_args args = {.target = target};

	return room_act(f->room, actor, action, &args, 2000, error);
}

static void test_join_and_registry(struct fixture *f, gconstpointer data)
{
	guint chair = join(f, 1, ROOM_ROLE_CHAIR), a = join(f, 2, ROOM_ROLE_PARTICIPANT);

	g_assert_true(rooms_lookup(f->rooms, 42) == f->room);
	g_assert_null(rooms_lookup(f->rooms, 43));
	g_assert_cmpstr(room_media_name_of(f->room), ==, "meeting-42");
	g_assert_cmpuint(room_participants(f->room)->len, ==, 2);
	assert_log(f, "joined:1 joined:2");
	/* The same endpoint again replaces its old seat. */
	guint again = join(f, 2, ROOM_ROLE_PARTICIPANT);
	g_assert_cmpuint(again, !=, a);
	assert_log(f, "left:2:replaced joined:3");
	room_leave(f->room, chair, "left", 3000);
	assert_log(f, "left:1:left");
	g_assert_null(room_find(f->room, chair));
}

static void test_self_mute_and_chair_mute(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	guint chair = join(f, 1, ROOM_ROLE_CHAIR), a = join(f, 2, ROOM_ROLE_PARTICIPANT);
	struct room_participant *pa = room_find(f->room, a);

	g_ptr_array_set_size(f->log, 0);
	g_assert_true(act(f, a, ROOM_ACTION_MUTE, 0, NULL));
	g_assert_true(pa->muted_self[ROOM_MEDIA_AUDIO] && !room_participant_audible(pa));
	g_assert_true(act(f, a, ROOM_ACTION_UNMUTE, 0, NULL));
	g_assert_true(room_participant_audible(pa));
	assert_log(f, "muted:2:audio unmuted:2:audio");

	/* Muted by the chair: it may not unmute itself, and the flag stays the chair's. */
	g_assert_true(act(f, chair, ROOM_ACTION_MUTE, a, NULL));
	g_assert_false(act(f, a, ROOM_ACTION_UNMUTE, 0, &error));
	g_assert_error(error, ROOM_ERROR, ROOM_ERROR_FORBIDDEN);
	g_assert_true(pa->muted_by_chair[ROOM_MEDIA_AUDIO]);
	/* It may still mute itself; the chair's unmute then leaves its own mute alone. */
	g_assert_true(act(f, a, ROOM_ACTION_MUTE, 0, NULL));
	g_assert_true(act(f, chair, ROOM_ACTION_UNMUTE, a, NULL));
	g_assert_false(room_participant_audible(pa));
	g_assert_true(act(f, a, ROOM_ACTION_UNMUTE, 0, NULL));
	g_assert_true(room_participant_audible(pa));
	assert_log(f, "muted:2:audio:chair muted:2:audio unmuted:2:audio:chair unmuted:2:audio");
	/* Muting the muted changes nothing and says nothing. */
	g_assert_true(act(f, chair, ROOM_ACTION_MUTE, a, NULL));
	g_assert_true(act(f, chair, ROOM_ACTION_MUTE, a, NULL));
	assert_log(f, "muted:2:audio:chair");
}

static void test_floor_queue(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	guint chair = join(f, 1, ROOM_ROLE_CHAIR), a = join(f, 2, ROOM_ROLE_PARTICIPANT),
	      b = join(f, 3, ROOM_ROLE_PARTICIPANT), c = join(f, 4, ROOM_ROLE_PARTICIPANT);
	guint count, pinned;
	const guint *queue;
	enum room_layout layout;

	g_assert_true(act(f, chair, ROOM_ACTION_MUTE_ALL, 0, NULL));
	g_assert_true(room_participant_audible(room_find(f->room, chair)));
	g_ptr_array_set_size(f->log, 0);
	g_assert_false(act(f, chair, ROOM_ACTION_FLOOR_GRANT, 0, &error));
	g_assert_error(error, ROOM_ERROR, ROOM_ERROR_INVALID);
	g_clear_error(&error);

	g_assert_true(act(f, b, ROOM_ACTION_HAND_RAISE, 0, NULL));
	g_assert_true(act(f, c, ROOM_ACTION_HAND_RAISE, 0, NULL));
	g_assert_true(act(f, a, ROOM_ACTION_HAND_RAISE, 0, NULL));
	g_assert_true(act(f, b, ROOM_ACTION_HAND_RAISE, 0, NULL)); /* twice: kept in place */
	g_assert_true(act(f, c, ROOM_ACTION_HAND_LOWER, 0, NULL));
	queue = room_floor_queue(f->room, &count);
	g_assert_cmpuint(count, ==, 2);
	g_assert_cmpuint(queue[0], ==, b);
	g_assert_cmpuint(queue[1], ==, a);
	assert_log(f, "hand_raised:3:1 hand_raised:4:2 hand_raised:2:3 hand_lowered:4");

	/* Grant to the head of the queue: unmuted and pinned in the main view. */
	g_assert_true(act(f, chair, ROOM_ACTION_FLOOR_GRANT, 0, NULL));
	g_assert_true(room_floor_holder(f->room) == room_find(f->room, b));
	g_assert_true(room_participant_audible(room_find(f->room, b)));
	g_assert_false(room_find(f->room, b)->hand_raised);
	g_assert_true(room_view(f->room, ROOM_MAIN_VIEW, &layout, &pinned));
	g_assert_cmpuint(pinned, ==, b);
	assert_log(f, "unmuted:3:audio:chair pinned:3 granted:3");
	/* The next grant takes the floor back from b first. */
	g_assert_true(act(f, chair, ROOM_ACTION_FLOOR_GRANT, a, NULL));
	assert_log(f, "muted:3:audio:chair unpinned:3 revoked:3 unmuted:2:audio:chair pinned:2 "
	              "granted:2");
	g_assert_false(room_participant_audible(room_find(f->room, b)));
	g_assert_true(act(f, chair, ROOM_ACTION_FLOOR_REVOKE, 0, NULL));
	assert_log(f, "muted:2:audio:chair unpinned:2 revoked:2");
	g_assert_null(room_floor_holder(f->room));
	queue = room_floor_queue(f->room, &count);
	g_assert_cmpuint(count, ==, 0);
	/* A newcomer after a mute-all starts muted by the chair. */
	guint d = join(f, 5, ROOM_ROLE_PARTICIPANT);
	g_assert_false(room_participant_audible(room_find(f->room, d)));
}

static void test_leave_drops_hand_floor_and_pin(struct fixture *f, gconstpointer data)
{
	guint chair = join(f, 1, ROOM_ROLE_CHAIR), a = join(f, 2, ROOM_ROLE_PARTICIPANT),
	      b = join(f, 3, ROOM_ROLE_PARTICIPANT), count, pinned;
	enum room_layout layout;

	g_assert_true(act(f, a, ROOM_ACTION_HAND_RAISE, 0, NULL));
	g_assert_true(act(f, b, ROOM_ACTION_HAND_RAISE, 0, NULL));
	g_assert_true(act(f, chair, ROOM_ACTION_FLOOR_GRANT, a, NULL));
	room_set_speaking(f->room, a, true, 2500);
	g_ptr_array_set_size(f->log, 0);
	room_leave(f->room, a, "left", 3000);
	room_leave(f->room, b, "left", 3000);
	assert_log(f, "speaking:2 left:2:left left:3:left");
	room_floor_queue(f->room, &count);
	g_assert_cmpuint(count, ==, 0);
	g_assert_null(room_floor_holder(f->room));
	g_assert_true(room_view(f->room, ROOM_MAIN_VIEW, &layout, &pinned));
	g_assert_cmpuint(pinned, ==, 0);
}

static void test_layout_pin_kick_lock_end(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	guint chair = join(f, 1, ROOM_ROLE_CHAIR), a = join(f, 2, ROOM_ROLE_PARTICIPANT);
	struct room_action_args args = {.view = "hall", .layout = ROOM_LAYOUT_GRID};
	enum room_layout layout;
	guint pinned;

	g_ptr_array_set_size(f->log, 0);
	g_assert_true(room_act(f->room, chair, ROOM_ACTION_LAYOUT, &args, 2000, NULL));
	g_assert_true(room_view(f->room, "hall", &layout, &pinned));
	g_assert_cmpint(layout, ==, ROOM_LAYOUT_GRID);
	args.target = a;
	g_assert_true(room_act(f->room, chair, ROOM_ACTION_PIN, &args, 2000, NULL));
	g_assert_true(room_view(f->room, "hall", &layout, &pinned));
	g_assert_cmpuint(pinned, ==, a);
	args.view = "nowhere";
	g_assert_false(room_act(f->room, chair, ROOM_ACTION_PIN, &args, 2000, &error));
	g_assert_error(error, ROOM_ERROR, ROOM_ERROR_NOT_FOUND);
	g_clear_error(&error);
	assert_log(f, "layout pinned:2");

	g_assert_true(act(f, chair, ROOM_ACTION_LOCK, 0, NULL));
	g_assert_null(room_join(f->room, 9, "late", "", ROOM_ROLE_PARTICIPANT, NULL, 2000, &error));
	g_assert_error(error, ROOM_ERROR, ROOM_ERROR_LOCKED);
	g_clear_error(&error);
	guint chair2 = join(f, 10, ROOM_ROLE_CHAIR); /* chairs still get in */
	g_assert_true(act(f, chair, ROOM_ACTION_KICK, a, NULL));
	g_assert_null(room_find(f->room, a));
	assert_log(f, "locked joined:3 kicked:2 left:2:kicked");

	g_assert_true(act(f, chair2, ROOM_ACTION_END, 0, NULL));
	g_assert_cmpint(room_state(f->room), ==, ROOM_CLOSED);
	g_assert_cmpuint(room_participants(f->room)->len, ==, 0);
	assert_log(f, "ending left:3:ended left:1:ended");
	g_assert_null(room_join(f->room, 11, "x", "", ROOM_ROLE_CHAIR, NULL, 2000, &error));
	g_assert_error(error, ROOM_ERROR, ROOM_ERROR_CLOSED);
	g_clear_error(&error);
	g_assert_false(act(f, 0, ROOM_ACTION_UNLOCK, 0, &error));
	g_assert_error(error, ROOM_ERROR, ROOM_ERROR_CLOSED);
}

/* Every action by every role, on itself and on another: only the allowed succeed. */
static void test_role_matrix(void)
{
	static const enum room_role roles[] = {ROOM_ROLE_VIEWER, ROOM_ROLE_PARTICIPANT,
	                                       ROOM_ROLE_CHAIR, ROOM_ROLE_OPERATOR};
	for (size_t r = 0; r < G_N_ELEMENTS(roles); r++) {
		for (int action = 0; action < ROOM_ACTION_COUNT; action++) {
			for (int on_self = 0; on_self <= 1; on_self++) {
				for (int chair_muted = 0; chair_muted <= 1; chair_muted++) {
					g_autoptr(GError) error = NULL;
					bool self_ok =
					    action == ROOM_ACTION_MUTE ||
					    action == ROOM_ACTION_HAND_RAISE ||
					    action == ROOM_ACTION_HAND_LOWER ||
					    (action == ROOM_ACTION_UNMUTE && !chair_muted);
					bool expected = roles[r] >= ROOM_ROLE_CHAIR ||
					                (roles[r] == ROOM_ROLE_PARTICIPANT &&
					                 on_self && self_ok);
					bool got = room_may(roles[r], action, on_self, chair_muted,
					                    &error);

					if (got != expected)
						g_error("%s %s self=%d muted=%d: got %d",
						        room_role_name(roles[r]),
						        room_action_name(action), on_self,
						        chair_muted, got);
					if (!got)
						g_assert_error(error, ROOM_ERROR,
						               ROOM_ERROR_FORBIDDEN);
				}
			}
		}
	}
}

/* The same matrix through room_act(), with real seats: a refused action changes
 * nothing. */
static void test_role_matrix_through_act(struct fixture *f, gconstpointer data)
{
	guint viewer = join(f, 1, ROOM_ROLE_VIEWER), part = join(f, 2, ROOM_ROLE_PARTICIPANT),
	      other = join(f, 3, ROOM_ROLE_PARTICIPANT);

	for (int action = 0; action < ROOM_ACTION_COUNT; action++) {
		g_autoptr(GError) e1 = NULL;
		g_autoptr(GError) e2 = NULL;

		g_assert_false(act(f, viewer, action, 0, &e1));
		g_assert_error(e1, ROOM_ERROR, ROOM_ERROR_FORBIDDEN);
		if (action == ROOM_ACTION_FLOOR_GRANT || action == ROOM_ACTION_END)
			continue;
		g_assert_false(act(f, part, action, other, &e2));
		g_assert_error(e2, ROOM_ERROR, ROOM_ERROR_FORBIDDEN);
	}
	g_assert_cmpint(room_state(f->room), ==, ROOM_OPEN);
	g_assert_nonnull(room_find(f->room, other));
	g_assert_true(room_participant_audible(room_find(f->room, other)));
	/* A viewer is never heard. */
	g_assert_false(room_participant_audible(room_find(f->room, viewer)));
}

static void test_speaking_and_away(struct fixture *f, gconstpointer data)
{
	guint a = join(f, 2, ROOM_ROLE_PARTICIPANT);

	g_ptr_array_set_size(f->log, 0);
	room_set_speaking(f->room, a, true, 5000);
	room_set_speaking(f->room, a, true, 5100);
	g_assert_cmpint(room_find(f->room, a)->speaking_since_ms, ==, 5000);
	room_set_speaking(f->room, a, false, 6000);
	room_set_away(f->room, a, true, 7000);
	room_set_away(f->room, a, false, 8000);
	assert_log(f, "speaking:1 speaking:1 away:1 back:1");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, struct fixture, NULL, setup, fn, teardown)
	ADD("/room/join-and-registry", test_join_and_registry);
	ADD("/room/self-mute-and-chair-mute", test_self_mute_and_chair_mute);
	ADD("/room/floor-queue", test_floor_queue);
	ADD("/room/leave-drops-hand-floor-and-pin", test_leave_drops_hand_floor_and_pin);
	ADD("/room/layout-pin-kick-lock-end", test_layout_pin_kick_lock_end);
	ADD("/room/role-matrix-through-act", test_role_matrix_through_act);
	ADD("/room/speaking-and-away", test_speaking_and_away);
	g_test_add_func("/room/role-matrix", test_role_matrix);
	return g_test_run();
}
