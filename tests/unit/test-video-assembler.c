/* SPDX-License-Identifier: MIT */
/* Unit tests of the frame assembler: frames come out whole and in order whatever the
 * packet order; a hole that is not filled in time drops the frame, asks for a key frame
 * and skips delta frames until one comes; a retransmission in time loses nothing; and
 * with real VP8, decoding resumes cleanly at the key frame. Time is injected. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "media/frame_assembler.h"
#include "video-fixture.h"

#define MS   1000u
#define SSRC 0x1234
#define WAIT (150 * MS)

/* A fake VP8 frame: a valid frame tag (and key frame header), then bytes of a pattern. */
static size_t fake_frame(uint8_t *buf, bool key, size_t size, unsigned seed)
{
	static const uint8_t key_header[] = {0x50, 0x42, 0x00, 0x9d, 0x01,
	                                     0x2a, 0x40, 0x01, 0xb4, 0x00}; /* 320x180 */
	static const uint8_t delta_header[] = {0x31, 0x10, 0x00};
	size_t hl = key ? sizeof(key_header) : sizeof(delta_header);

	memcpy(buf, key ? key_header : delta_header, hl);
	for (size_t i = hl; i < size; i++)
		buf[i] = (uint8_t)(i * 13 + seed * 101);
	return size;
}

/* A stream of fake frames, packetised: frames[f] has count[f] packets at first[f]. */
struct stream {
	struct vfix_packet pkts[400];
	unsigned count;
	unsigned first[40], per_frame[40];
	uint8_t frames[40][8000];
	size_t len[40];
	unsigned frame_count;
	uint16_t seq;
};

/* Frames: one key frame, then deltas; sizes chosen so frames take 1-5 packets. */
static void make_stream(struct stream *s, unsigned frames, const unsigned *keys, size_t nkeys)
{
	memset(s, 0, sizeof(*s));
	s->seq = 65530; /* wraps around inside the stream */
	for (unsigned f = 0; f < frames; f++) {
		bool key = false;

		for (size_t k = 0; k < nkeys; k++)
			key = key || keys[k] == f;
		s->len[f] =
		    fake_frame(s->frames[f], key, key ? 5000 : 300 + 1100 * ((f + 2) % 4), f);
		s->first[f] = s->count;
		s->per_frame[f] = vfix_packetize(s->frames[f], s->len[f], SSRC, &s->seq, f * 3000,
		                                 (uint16_t)f, &s->pkts[s->count], 400 - s->count);
		s->count += s->per_frame[f];
	}
	s->frame_count = frames;
}

static int put(struct frame_assembler *fa, const struct stream *s, unsigned i, uint64_t now)
{
	return frame_assembler_put(fa, &s->pkts[i].rtp, now);
}

/* Pops everything available; checks each frame against the stream; returns how many. */
static unsigned pop_all(struct frame_assembler *fa, const struct stream *s, uint64_t now,
                        unsigned *next_frame)
{
	struct assembled_frame out;
	unsigned n = 0;

	while (frame_assembler_pop(fa, now, &out) == 0) {
		unsigned f = out.timestamp / 3000;

		g_assert_cmpuint(f, >=, *next_frame);
		g_assert_cmpmem(out.data, out.len, s->frames[f], s->len[f]);
		g_assert_cmpuint(out.picture_id, ==, f);
		g_assert_cmpuint(out.ssrc, ==, SSRC);
		if (out.keyframe) {
			g_assert_cmpuint(out.width, ==, 320);
			g_assert_cmpuint(out.height, ==, 180);
		}
		*next_frame = f + 1;
		n++;
	}
	return n;
}

static void test_in_order(void)
{
	static const unsigned keys[] = {0};
	struct frame_assembler *fa = frame_assembler_new(NULL, "test");
	struct stream *s = g_new(struct stream, 1);
	struct frame_assembler_stats st;
	unsigned next = 0, got = 0;

	make_stream(s, 20, keys, 1);
	g_assert_true(frame_assembler_wants_keyframe(fa));
	for (unsigned f = 0; f < 20; f++) {
		for (unsigned i = 0; i < s->per_frame[f]; i++)
			g_assert_cmpint(put(fa, s, s->first[f] + i, f * 33 * MS), ==, 0);
		got += pop_all(fa, s, f * 33 * MS, &next);
		g_assert_cmpuint(got, ==, f + 1);
		g_assert_false(frame_assembler_wants_keyframe(fa));
	}
	frame_assembler_get_stats(fa, &st);
	g_assert_cmpuint(st.frames, ==, 20);
	g_assert_cmpuint(st.keyframes, ==, 1);
	g_assert_cmpuint(st.packets, ==, s->count);
	g_assert_cmpuint(st.frames_lost + st.frames_skipped + st.losses, ==, 0);
	/* A duplicate and a straggler are refused. */
	g_assert_cmpint(put(fa, s, s->count - 1, 0), ==, -ESTALE);
	frame_assembler_free(fa);
	g_free(s);
}

/* Packets shuffled within a window of 6: the same frames in the same order. */
static void test_reordered(void)
{
	static const unsigned keys[] = {0};
	struct frame_assembler *fa = frame_assembler_new(NULL, "test");
	struct stream *s = g_new(struct stream, 1);
	unsigned order[400], next = 0, got = 0;
	GRand *rand = g_rand_new_with_seed(42);

	make_stream(s, 30, keys, 1);
	for (unsigned i = 0; i < s->count; i++)
		order[i] = i;
	for (unsigned i = 0; i + 6 <= s->count; i += 6)
		for (unsigned j = 5; j > 0; j--) {
			unsigned k = (unsigned)g_rand_int_range(rand, 0, (gint32)j + 1), t;

			t = order[i + j], order[i + j] = order[i + k], order[i + k] = t;
		}
	for (unsigned i = 0; i < s->count; i++) {
		g_assert_cmpint(put(fa, s, order[i], i * MS), ==, 0);
		if (i % 3 == 0)
			g_assert_cmpint(put(fa, s, order[i], i * MS), ==, -EALREADY);
		got += pop_all(fa, s, i * MS, &next);
	}
	g_assert_cmpuint(got, ==, 30);
	g_assert_false(frame_assembler_wants_keyframe(fa));
	g_rand_free(rand);
	frame_assembler_free(fa);
	g_free(s);
}

/*
 * A packet lost inside frame 5 (or frame 5 lost whole): nothing is handed out while the
 * hole may still be repaired; after max_wait the frame is dropped and a key frame wanted;
 * delta frames 6-9 are skipped; the key frame 10 resumes the stream.
 */
static void check_loss(bool whole_frame)
{
	static const unsigned keys[] = {0, 10};
	struct frame_assembler *fa = frame_assembler_new(NULL, "test");
	struct stream *s = g_new(struct stream, 1);
	struct frame_assembler_stats st;
	unsigned next = 0, got = 0;
	uint64_t now = 0;

	make_stream(s, 14, keys, 2);
	g_assert_cmpuint(s->per_frame[5], >=, 3);
	for (unsigned f = 0; f < 14; f++, now += 33 * MS) {
		for (unsigned i = 0; i < s->per_frame[f]; i++) {
			if (f == 5 && (whole_frame || i == 1))
				continue;
			put(fa, s, s->first[f] + i, now);
		}
		got += pop_all(fa, s, now, &next);
		if (f < 5)
			g_assert_cmpuint(got, ==, f + 1);
		else if (f < 10)
			g_assert_cmpuint(got, ==, 5);
		/* The hole may still be repaired for 150 ms after it shows (at frame 5 or 6). */
		if (f >= 5 && f <= 9)
			g_assert_false(frame_assembler_wants_keyframe(fa));
	}
	/* Frames 0-4, then 10-13. */
	g_assert_cmpuint(got, ==, 9);
	g_assert_false(frame_assembler_wants_keyframe(fa));
	frame_assembler_get_stats(fa, &st);
	g_assert_cmpuint(st.losses, ==, 1);
	g_assert_cmpuint(st.frames_lost, ==, 1);
	g_assert_cmpuint(st.frames_skipped, ==, 4);
	g_assert_cmpuint(st.packets_lost, ==, whole_frame ? s->per_frame[5] : 1);
	g_assert_cmpuint(st.keyframes, ==, 2);
	frame_assembler_free(fa);
	g_free(s);
}

static void test_loss_inside_frame(void)
{
	check_loss(false);
}

static void test_loss_between_frames(void)
{
	check_loss(true);
}

/* The missing packet comes back (a NACK retransmission) before max_wait: no loss. */
static void test_retransmission_in_time(void)
{
	static const unsigned keys[] = {0};
	struct frame_assembler *fa = frame_assembler_new(NULL, "test");
	struct stream *s = g_new(struct stream, 1);
	struct frame_assembler_stats st;
	unsigned next = 0, got = 0, held;
	uint64_t now = 0;

	make_stream(s, 10, keys, 1);
	held = s->first[3] + 1;
	for (unsigned f = 0; f < 10; f++, now += 33 * MS) {
		for (unsigned i = 0; i < s->per_frame[f]; i++)
			if (s->first[f] + i != held)
				put(fa, s, s->first[f] + i, now);
		if (f == 6) /* 100 ms later */
			put(fa, s, held, now);
		got += pop_all(fa, s, now, &next);
		if (f >= 3 && f < 6)
			g_assert_cmpuint(got, ==, 3);
	}
	g_assert_cmpuint(got, ==, 10);
	frame_assembler_get_stats(fa, &st);
	g_assert_cmpuint(st.losses + st.frames_lost + st.frames_skipped, ==, 0);
	frame_assembler_free(fa);
	g_free(s);
}

/* Joining mid-stream: the rest of a frame and delta frames are skipped until a key frame. */
static void test_join_mid_stream(void)
{
	static const unsigned keys[] = {0, 6};
	struct frame_assembler *fa = frame_assembler_new(NULL, "test");
	struct stream *s = g_new(struct stream, 1);
	unsigned next = 0, got = 0;

	make_stream(s, 10, keys, 2);
	for (unsigned i = s->first[1] + 1; i < s->count; i++)
		put(fa, s, i, i * MS);
	/* The partial frame might be the reordered start of the stream: it waits, then goes. */
	g_assert_cmpuint(pop_all(fa, s, 1000 * MS, &next), ==, 0);
	got = pop_all(fa, s, 1000 * MS + WAIT, &next);
	g_assert_cmpuint(got, ==, 4); /* 6, 7, 8, 9 */
	g_assert_false(frame_assembler_wants_keyframe(fa));
	/* A decode error upstream: wait for a key frame again. */
	frame_assembler_wait_keyframe(fa);
	g_assert_true(frame_assembler_wants_keyframe(fa));
	frame_assembler_free(fa);
	g_free(s);
}

/* A new SSRC restarts the stream and waits for its key frame; so does a jump. */
static void test_restart(void)
{
	static const unsigned keys[] = {0, 3};
	struct frame_assembler *fa = frame_assembler_new(NULL, "test");
	struct stream *s = g_new(struct stream, 1);
	struct frame_assembler_stats st;
	struct assembled_frame out;
	struct rtp_packet other;
	unsigned next = 0;

	make_stream(s, 6, keys, 2);
	for (unsigned i = 0; i < s->first[2]; i++)
		put(fa, s, i, 0);
	g_assert_cmpuint(pop_all(fa, s, 0, &next), ==, 2);
	other = s->pkts[s->first[2]].rtp;
	other.ssrc = SSRC + 1;
	g_assert_cmpint(frame_assembler_put(fa, &other, 0), ==, 0);
	g_assert_true(frame_assembler_wants_keyframe(fa));
	g_assert_cmpint(frame_assembler_pop(fa, 0, &out), ==, -EAGAIN);
	frame_assembler_get_stats(fa, &st);
	g_assert_cmpuint(st.resets, ==, 1);
	/* Far ahead of the window: restart there. */
	other = s->pkts[s->first[3]].rtp;
	other.ssrc = SSRC + 1;
	other.seq = (uint16_t)(other.seq + 5000);
	g_assert_cmpint(frame_assembler_put(fa, &other, 0), ==, 0);
	frame_assembler_get_stats(fa, &st);
	g_assert_cmpuint(st.resets, ==, 2);
	/* Not VP8 at all. */
	other.payload_len = 0;
	g_assert_cmpint(frame_assembler_put(fa, &other, 0), ==, -EINVAL);
	frame_assembler_free(fa);
	g_free(s);
}

/* Real VP8: a lost packet in a delta frame, the frame dropped, decoding resumes at the
 * requested key frame with the right picture. */
static void test_real_vp8_recovery(void)
{
	struct frame_assembler *fa = frame_assembler_new(NULL, "test");
	struct vp8_decoder *dec = vp8_decoder_new("test");
	struct video_frame_pool *pool = video_frame_pool_new(2);
	struct vfix_sender tx;
	struct vfix_packet *pkts = g_new(struct vfix_packet, 64);
	struct video_rect body = {0, 180, 640, 180};
	unsigned decoded = 0;
	uint64_t now = 0;
	bool asked = false;

	vfix_sender_init(&tx, 640, 360, 30, 2000, SSRC, vfix_colour_of(7));
	for (unsigned f = 0; f < 30; f++, now += 33 * MS) {
		unsigned n = vfix_sender_next(&tx, asked, pkts, 64);
		struct assembled_frame out;

		asked = false;
		for (unsigned i = 0; i < n; i++)
			if (!(f == 10 && i == n - 1)) /* frame 10 loses its last packet */
				g_assert_cmpint(frame_assembler_put(fa, &pkts[i].rtp, now), ==, 0);
		while (frame_assembler_pop(fa, now, &out) == 0) {
			struct video_frame *pic = NULL;

			g_assert_cmpint(vp8_decoder_decode(dec, out.data, out.len, pool, &pic), ==,
			                0);
			g_assert_true(vfix_rect_is(pic, &body, 4, tx.colour, 6));
			video_frame_unref(pic);
			decoded++;
		}
		/* The room turns the wish into a PLI; the sender answers with a key frame. */
		asked = frame_assembler_wants_keyframe(fa);
		if (asked)
			g_assert_cmpuint(f, >=, 14); /* 150 ms after the hole showed */
	}
	g_assert_cmpuint(decoded, >=, 30 - 7);
	g_assert_false(frame_assembler_wants_keyframe(fa));
	vfix_sender_clear(&tx);
	g_free(pkts);
	video_frame_pool_release(pool);
	vp8_decoder_free(dec);
	frame_assembler_free(fa);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/assembler/in-order", test_in_order);
	g_test_add_func("/assembler/reordered", test_reordered);
	g_test_add_func("/assembler/loss-inside-frame", test_loss_inside_frame);
	g_test_add_func("/assembler/loss-between-frames", test_loss_between_frames);
	g_test_add_func("/assembler/retransmission", test_retransmission_in_time);
	g_test_add_func("/assembler/join-mid-stream", test_join_mid_stream);
	g_test_add_func("/assembler/restart", test_restart);
	g_test_add_func("/assembler/real-vp8-recovery", test_real_vp8_recovery);
	return g_test_run();
}
