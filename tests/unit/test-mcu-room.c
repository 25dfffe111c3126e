/* SPDX-License-Identifier: MIT */
/* The mcu room registry without peers: rooms made on first join and gone with the last
 * leave, joins reaching the mixer through the media thread, and the per-room metrics. */
#include "conference/mcu_room.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

static char *collect(struct mcu_rooms *rooms)
{
	GString *out = g_string_new(NULL);

	mcu_rooms_collect(out, rooms);
	return g_string_free(out, FALSE);
}

/* Polls the metrics until `line` shows up (the media thread ticks every 20 ms). */
static gboolean wait_for_line(struct mcu_rooms *rooms, const char *line)
{
	for (int i = 0; i < 200; i++) {
		g_autofree char *text = collect(rooms);
		if (strstr(text, line))
			return TRUE;
		g_usleep(10000);
	}
	return FALSE;
}

static void test_rooms_come_and_go(void)
{
	struct mcu_rooms *rooms = mcu_rooms_new(NULL);
	struct mcu_member *a1 = mcu_member_join(rooms, "a");
	struct mcu_member *a2 = mcu_member_join(rooms, "a");
	struct mcu_member *b1 = mcu_member_join(rooms, "b");
	g_autofree char *after_a = NULL, *after_all = NULL;

	/* Joined members get mixer slots on the media thread, peer or not. */
	g_assert_true(wait_for_line(rooms, "cau_mixer_participants{room=\"a\"} 2\n"));
	g_assert_true(wait_for_line(rooms, "cau_mixer_participants{room=\"b\"} 1\n"));
	g_assert_true(wait_for_line(rooms, "cau_mixer_speakers{room=\"a\"} 0\n"));
	/* bad input is counted per reason (the mixer's unit tests make it happen) */
	g_assert_true(
	    wait_for_line(rooms, "cau_mixer_rejected_total{room=\"a\",reason=\"invalid\"} 0\n"));
	g_assert_true(
	    wait_for_line(rooms, "cau_mixer_rejected_total{room=\"b\",reason=\"overflow\"} 0\n"));
	g_assert_true(wait_for_line(rooms, "cau_mixer_resyncs_total{room=\"a\"} 0\n"));

	mcu_member_leave(a1);
	g_assert_true(wait_for_line(rooms, "cau_mixer_participants{room=\"a\"} 1\n"));
	mcu_member_leave(a2);
	after_a = collect(rooms);
	g_assert_null(strstr(after_a, "room=\"a\""));
	g_assert_nonnull(strstr(after_a, "room=\"b\""));

	mcu_member_leave(b1);
	after_all = collect(rooms);
	g_assert_null(strstr(after_all, "room="));
	g_assert_nonnull(strstr(after_all, "# TYPE cau_mixer_encodes_total counter"));
	mcu_rooms_free(rooms);
}

static void test_leave_before_first_tick(void)
{
	struct mcu_rooms *rooms = mcu_rooms_new(NULL);

	/* Joined and gone before the media thread saw it: no slot, no leak (ASan). */
	for (int i = 0; i < 20; i++)
		mcu_member_leave(mcu_member_join(rooms, "quick"));
	mcu_rooms_free(rooms);
}

/* What a tap was handed, written on the media thread. */
struct tap_log {
	gint calls; /* atomic */
	gint closed;
	uint32_t first_ts, last_ts;
	int64_t first_ns, last_ns;
	gint bad; /* a payload that is not an Opus packet, or time going backwards */
};

static void on_tap_audio(void *user_data, uint32_t rtp_ts, int64_t time_ns, const uint8_t *data,
                         size_t len)
{
	struct tap_log *log = user_data;

	if (len == 0 || len > 1276 || !data || (log->calls && time_ns <= log->last_ns))
		g_atomic_int_inc(&log->bad);
	if (log->calls == 0) {
		log->first_ts = rtp_ts;
		log->first_ns = time_ns;
	}
	log->last_ts = rtp_ts;
	log->last_ns = time_ns;
	g_atomic_int_inc(&log->calls);
}

static void on_tap_closed(void *user_data)
{
	struct tap_log *log = user_data;

	log->closed++;
}

/* The tap gets the shared mix every tick, with an RTP clock that advances 960 per 20 ms
 * like the tick times; once untapped it gets nothing; a room that closes tells it. */
static void test_tap(void)
{
	struct mcu_rooms *rooms = mcu_rooms_new(NULL);
	struct mcu_member *m = mcu_member_join(rooms, "meeting-7");
	struct tap_log log = {0}, other = {0};
	struct mcu_tap tap = {.audio = on_tap_audio, .closed = on_tap_closed, .user_data = &log};
	struct mcu_tap tap2 = {.audio = on_tap_audio, .user_data = &other};
	bool video = true;
	gint calls;

	g_assert_cmpint(mcu_rooms_tap(rooms, "meeting-8", &tap, NULL), ==, -ENOENT);
	g_assert_cmpint(mcu_rooms_tap(rooms, "meeting-7", &tap, &video), ==, 0);
	g_assert_true(video); /* the room's compositor hands the tap its top tier */
	g_assert_cmpint(mcu_rooms_tap(rooms, "meeting-7", &tap2, NULL), ==, -EBUSY);
	for (int i = 0; i < 300 && g_atomic_int_get(&log.calls) < 10; i++)
		g_usleep(10000);
	mcu_rooms_untap(rooms, "meeting-7", &log);
	calls = g_atomic_int_get(&log.calls);
	g_assert_cmpint(calls, >=, 10);
	g_assert_cmpint(log.bad, ==, 0);
	/* 48 kHz RTP against nanosecond tick times: the same span. */
	g_assert_cmpint((int64_t)(log.last_ts - log.first_ts) * 1000000000 / 48000, ==,
	                log.last_ns - log.first_ns);
	g_assert_cmpuint((log.last_ts - log.first_ts) % 960, ==, 0);
	g_usleep(60000);
	g_assert_cmpint(g_atomic_int_get(&log.calls), ==, calls);
	g_assert_cmpint(log.closed, ==, 0);

	g_assert_cmpint(mcu_rooms_tap(rooms, "meeting-7", &tap, NULL), ==, 0);
	mcu_member_leave(m); /* the room goes */
	g_assert_cmpint(log.closed, ==, 1);
	mcu_rooms_untap(rooms, "meeting-7", &log); /* harmless now */
	mcu_rooms_free(rooms);
}

/* The chair's controls on a room without peers: accepted, refused when out of range, and
 * the room's video counters are published (a compositor with no source yet). */
static void test_video_controls(void)
{
	struct mcu_rooms *rooms = mcu_rooms_new(NULL);
	struct mcu_member *a = mcu_member_join(rooms, "v");
	struct mcu_member *b = mcu_member_join(rooms, "v");
	struct mcu_room *room = mcu_member_room(a);
	enum layout_kind kind;
	char long_name[400];

	g_assert_true(mcu_member_room(b) == room);
	g_assert_cmpstr(mcu_room_name(room), ==, "v");
	g_assert_cmpint(mcu_room_set_layout(room, LAYOUT_GRID), ==, 0);
	g_assert_cmpint(mcu_room_set_layout(room, LAYOUT_PINNED), ==, 0);
	g_assert_cmpint(mcu_room_set_layout(room, (enum layout_kind)7), ==, -EINVAL);
	mcu_room_set_pinned(room, b);
	mcu_room_set_pinned(room, NULL);
	mcu_room_set_pinned(room, a);
	mcu_member_set_display_name(a, "Xã Tân Phú");
	/* A long name is cut on a character boundary: 3-byte characters past 127 bytes. */
	for (size_t i = 0; i + 3 < sizeof(long_name); i += 3)
		memcpy(long_name + i, "ầ", 3), long_name[i + 3] = '\0';
	mcu_member_set_display_name(b, long_name);
	g_assert_true(mcu_layout_from_name("speaker", &kind) && kind == LAYOUT_SPEAKER);
	g_assert_true(mcu_layout_from_name("grid", &kind) && kind == LAYOUT_GRID);
	g_assert_true(mcu_layout_from_name("pinned", &kind) && kind == LAYOUT_PINNED);
	g_assert_false(mcu_layout_from_name("mosaic", &kind));
	g_assert_true(wait_for_line(rooms, "cau_video_sources{room=\"v\"} 0\n"));
	g_assert_true(wait_for_line(rooms, "cau_video_receivers{room=\"v\",tier=\"320x180\"} 0\n"));
	mcu_member_leave(a); /* the pinned member leaves: unpinned */
	mcu_member_leave(b);
	mcu_rooms_free(rooms);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mcu-room/rooms-come-and-go", test_rooms_come_and_go);
	g_test_add_func("/mcu-room/leave-before-first-tick", test_leave_before_first_tick);
	g_test_add_func("/mcu-room/video-controls", test_video_controls);
	g_test_add_func("/mcu-room/tap", test_tap);
	return g_test_run();
}
