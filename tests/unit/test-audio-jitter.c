/* SPDX-License-Identifier: MIT */
/* Unit tests for the audio jitter buffer, on an injected clock (zero wall time): order,
 * reordering, loss with FEC, late packets, wrap-around, restarts, DTX, adaptive delay. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "audio-fixture.h"
#include "media/jitter_buffer.h"

#define MS      1000u /* microseconds */
#define FRAME   (20 * MS)
#define T0      (1000000u * 1000u) /* an arbitrary start of the fake clock */
#define TS_BASE 1000u

/* One packet of a simulated stream; its payload says its sequence number. */
struct sim_packet {
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	uint64_t arrival_us;
	int level;
	bool vad;
	size_t len; /* 3 by default; 1 for a DTX frame */
	bool drop;
	int put_result;
};

struct sim_frame {
	enum jitter_action action;
	int seq; /* decoded from the payload: the packet played (PACKET) or used (FEC); or -1 */
};

struct sim {
	struct jitter_buffer *jb;
	GArray *packets; /* struct sim_packet, delivered in arrival order */
	GArray *frames;  /* struct sim_frame, one per tick */
	unsigned delivered;
	uint64_t now_us;
};

static struct sim *sim_new(const struct jitter_config *cfg)
{
	struct sim *s = g_new0(struct sim, 1);

	s->jb = jitter_buffer_new(cfg, "test");
	s->packets = g_array_new(FALSE, TRUE, sizeof(struct sim_packet));
	s->frames = g_array_new(FALSE, TRUE, sizeof(struct sim_frame));
	s->now_us = T0;
	return s;
}

static void sim_free(struct sim *s)
{
	jitter_buffer_free(s->jb);
	g_array_unref(s->packets);
	g_array_unref(s->frames);
	g_free(s);
}

static struct sim_packet *sim_add(struct sim *s, uint32_t ssrc, uint16_t seq, uint32_t ts,
                                  uint64_t arrival_us)
{
	struct sim_packet p = {
	    .ssrc = ssrc, .seq = seq, .ts = ts, .arrival_us = arrival_us, .level = -1, .len = 3};

	g_array_append_val(s->packets, p);
	return &g_array_index(s->packets, struct sim_packet, s->packets->len - 1);
}

/* A regular stream: count packets from seq/ts, sent every 20 ms from T0, transit 5 ms. */
static void sim_stream(struct sim *s, uint32_t ssrc, uint16_t seq, uint32_t ts, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		sim_add(s, ssrc, (uint16_t)(seq + i), ts + i * 960u, T0 + i * FRAME + 5 * MS);
}

static gint by_arrival(gconstpointer a, gconstpointer b)
{
	const struct sim_packet *x = a, *y = b;

	return (x->arrival_us > y->arrival_us) - (x->arrival_us < y->arrival_us);
}

static void deliver(struct sim *s)
{
	while (s->delivered < s->packets->len) {
		struct sim_packet *p = &g_array_index(s->packets, struct sim_packet, s->delivered);
		uint8_t payload[3] = {(uint8_t)(p->seq >> 8), (uint8_t)p->seq, 0x55};
		struct jitter_packet pkt = {.ssrc = p->ssrc,
		                            .seq = p->seq,
		                            .timestamp = p->ts,
		                            .arrival_us = p->arrival_us,
		                            .level = p->level,
		                            .vad = p->vad,
		                            .payload = payload,
		                            .payload_len = p->len};

		if (p->arrival_us > s->now_us)
			break;
		s->delivered++;
		if (!p->drop)
			p->put_result = jitter_buffer_put(s->jb, &pkt);
	}
}

/* Runs ticks: deliver what has arrived by now, pop, record, advance 20 ms. */
static void sim_run(struct sim *s, unsigned ticks)
{
	g_array_sort(s->packets, by_arrival);
	for (unsigned t = 0; t < ticks; t++) {
		struct jitter_frame f;
		struct sim_frame r;

		deliver(s);
		g_assert_cmpint(jitter_buffer_pop(s->jb, s->now_us, &f), ==, 0);
		r.action = f.action;
		r.seq = (f.action == JITTER_ACTION_PACKET || f.action == JITTER_ACTION_FEC) &&
		                f.payload_len >= 2
		            ? f.payload[0] << 8 | f.payload[1]
		            : -1;
		g_array_append_val(s->frames, r);
		s->now_us += FRAME;
	}
}

static struct sim_frame *frame_at(struct sim *s, unsigned i)
{
	return &g_array_index(s->frames, struct sim_frame, i);
}

/* Index of the first frame that played packet seq (taken modulo 2^16), or -1. */
static int played_at(struct sim *s, int seq)
{
	for (unsigned i = 0; i < s->frames->len; i++)
		if (frame_at(s, i)->action == JITTER_ACTION_PACKET &&
		    frame_at(s, i)->seq == (seq & 0xffff))
			return (int)i;
	return -1;
}

/* A buffer that stays at two frames whatever it measures: exact, predictable turns. */
static struct jitter_config fixed_config(void)
{
	struct jitter_config cfg;

	jitter_config_init(&cfg);
	cfg.initial_delay_ms = 40;
	cfg.min_delay_ms = 40;
	cfg.max_delay_ms = 40;
	return cfg;
}

/* Checks that frames from `first` on play seq from..to one per tick, in order. */
static void assert_consecutive(struct sim *s, int from, int to)
{
	int first = played_at(s, from);

	g_assert_cmpint(first, >=, 0);
	for (int seq = from; seq <= to; seq++) {
		struct sim_frame *f = frame_at(s, (unsigned)(first + seq - from));

		g_assert_cmpint(f->action, ==, JITTER_ACTION_PACKET);
		g_assert_cmpint(f->seq, ==, seq & 0xffff);
	}
}

static void test_in_order(void)
{
	struct jitter_config cfg = fixed_config();
	struct sim *s = sim_new(&cfg);
	struct jitter_stats st;

	sim_stream(s, 1, 0, TS_BASE, 200);
	sim_run(s, 201);
	g_assert_cmpint(frame_at(s, 0)->action, ==, JITTER_ACTION_NONE);
	assert_consecutive(s, 0, 195);
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.received, ==, 200);
	g_assert_cmpuint(st.lost + st.late + st.concealed + st.dropped + st.duplicates, ==, 0);
	g_assert_cmpuint(st.target_ms, ==, 40);
	g_assert_cmpuint(st.jitter, ==, 0);
	g_assert_cmpuint(st.highest_seq, ==, 199);
	sim_free(s);
}

static void test_reorder(void)
{
	struct jitter_config cfg = fixed_config();
	struct sim *s = sim_new(&cfg);
	struct jitter_stats st;

	sim_stream(s, 1, 100, TS_BASE, 100);
	/* Every odd packet overtakes the even one before it. */
	for (unsigned i = 0; i + 1 < 100; i += 2)
		g_array_index(s->packets, struct sim_packet, i).arrival_us += 4 * MS;
	sim_run(s, 100);
	assert_consecutive(s, 100, 195);
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.lost + st.late + st.concealed, ==, 0);
	sim_free(s);
}

static void test_loss_fec(void)
{
	struct jitter_config cfg = fixed_config();
	struct sim *s = sim_new(&cfg);
	struct jitter_stats st;
	int at;

	sim_stream(s, 1, 0, TS_BASE, 100);
	g_array_index(s->packets, struct sim_packet, 50).drop = true;
	g_array_index(s->packets, struct sim_packet, 70).drop = true;
	g_array_index(s->packets, struct sim_packet, 71).drop = true;
	sim_run(s, 100);

	at = played_at(s, 49);
	g_assert_cmpint(frame_at(s, at + 1)->action, ==, JITTER_ACTION_FEC);
	g_assert_cmpint(frame_at(s, at + 1)->seq, ==, 51); /* decoded from the next packet */
	g_assert_cmpint(frame_at(s, at + 2)->action, ==, JITTER_ACTION_PACKET);
	g_assert_cmpint(frame_at(s, at + 2)->seq, ==, 51);

	at = played_at(s, 69);
	g_assert_cmpint(frame_at(s, at + 1)->action, ==, JITTER_ACTION_CONCEAL); /* 71 gone too */
	g_assert_cmpint(frame_at(s, at + 2)->action, ==, JITTER_ACTION_FEC);
	g_assert_cmpint(frame_at(s, at + 2)->seq, ==, 72);
	g_assert_cmpint(frame_at(s, at + 3)->seq, ==, 72);

	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.lost, ==, 3);
	g_assert_cmpuint(st.fec, ==, 2);
	g_assert_cmpuint(st.concealed, ==, 1);
	sim_free(s);
}

static void test_late_and_duplicate(void)
{
	struct jitter_config cfg = fixed_config();
	struct sim *s = sim_new(&cfg);
	struct jitter_stats st;
	struct sim_packet *late;
	int at;

	sim_stream(s, 1, 0, TS_BASE, 100);
	g_array_index(s->packets, struct sim_packet, 30).arrival_us += 200 * MS;
	/* a duplicate of 40, 1 ms after the original */
	late = sim_add(s, 1, 40, TS_BASE + 40 * 960, T0 + 40 * FRAME + 6 * MS);
	(void)late;
	sim_run(s, 100);

	at = played_at(s, 29);
	g_assert_cmpint(frame_at(s, at + 1)->action, ==, JITTER_ACTION_FEC);
	g_assert_cmpint(played_at(s, 30), ==, -1);
	g_assert_cmpint(frame_at(s, at + 2)->seq, ==, 31);
	for (unsigned i = 0; i < s->packets->len; i++) {
		struct sim_packet *p = &g_array_index(s->packets, struct sim_packet, i);

		if (p->seq == 30)
			g_assert_cmpint(p->put_result, ==, -ETIME);
	}
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.late, ==, 1);
	g_assert_cmpuint(st.duplicates, ==, 1);
	sim_free(s);
}

static void test_wrap_around(void)
{
	struct jitter_config cfg = fixed_config();
	struct sim *s = sim_new(&cfg);
	struct jitter_stats st;

	/* Both counters wrap within the run. */
	sim_stream(s, 7, 65500, 0xFFFFFFFFu - 960u * 50, 120);
	g_array_index(s->packets, struct sim_packet, 40).drop = true; /* seq 65540 = 4 */
	sim_run(s, 121);
	assert_consecutive(s, 65500, 65500 + 39);
	assert_consecutive(s, 65500 + 41, 65500 + 110);
	g_assert_cmpint(frame_at(s, (unsigned)played_at(s, 65500 + 39) + 1)->action, ==,
	                JITTER_ACTION_FEC);
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.lost, ==, 1);
	g_assert_cmpuint(st.late + st.resyncs + st.invalid, ==, 0);
	g_assert_cmpuint(st.highest_seq, ==, 65500 + 119);
	sim_free(s);
}

static void test_new_ssrc(void)
{
	struct jitter_config cfg = fixed_config();
	struct sim *s = sim_new(&cfg);
	struct jitter_stats st;

	sim_stream(s, 1, 1000, TS_BASE, 50);
	/* The sender restarts at 1 s with another SSRC and unrelated numbering. */
	for (unsigned i = 0; i < 50; i++)
		sim_add(s, 2, (uint16_t)(40000 + i), 3000000000u + i * 960u,
		        T0 + (50 + i) * FRAME + 5 * MS);
	/* A straggler of the old stream arrives after the switch. */
	sim_add(s, 1, 1050, TS_BASE + 50 * 960, T0 + 51 * FRAME + 7 * MS);
	sim_run(s, 100);
	assert_consecutive(s, 1000, 1047);
	assert_consecutive(s, 40000, 40045);
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.resyncs, ==, 1);
	g_assert_cmpuint(st.ssrc, ==, 2);
	g_assert_cmpuint(st.late, ==, 1);
	sim_free(s);
}

static void test_timestamp_reset(void)
{
	struct jitter_config cfg = fixed_config();
	struct sim *s = sim_new(&cfg);
	struct jitter_stats st;

	sim_stream(s, 1, 0, 50000000u, 50);
	/* Same SSRC and sequence, but the timestamp goes back 10 minutes. */
	for (unsigned i = 0; i < 50; i++)
		sim_add(s, 1, (uint16_t)(50 + i), 1000u + i * 960u, T0 + (50 + i) * FRAME + 5 * MS);
	sim_run(s, 100);
	assert_consecutive(s, 0, 47);
	/* 50 was the suspect, 51 confirmed the reset and starts the new timeline. */
	assert_consecutive(s, 51, 96);
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.resyncs, ==, 1);
	g_assert_cmpuint(st.invalid, ==, 1);
	sim_free(s);
}

static void test_sequence_jump(void)
{
	struct jitter_config cfg = fixed_config();
	struct sim *s = sim_new(&cfg);
	struct jitter_stats st;

	sim_stream(s, 1, 0, TS_BASE, 30);
	/* One stray packet far ahead is ignored... */
	sim_add(s, 1, 20000, TS_BASE, T0 + 10 * FRAME + 6 * MS);
	/* ... but a sender that really jumped is followed after a second packet. */
	for (unsigned i = 0; i < 30; i++)
		sim_add(s, 1, (uint16_t)(30000 + i), TS_BASE + (30 + i) * 960u,
		        T0 + (30 + i) * FRAME + 5 * MS);
	sim_run(s, 60);
	assert_consecutive(s, 0, 28);
	assert_consecutive(s, 30001, 30025);
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.resyncs, ==, 1);
	g_assert_cmpuint(st.invalid, ==, 2);
	sim_free(s);
}

/*
 * DTX: the sender goes quiet, sends nothing for 500 ms, and resumes with the next sequence
 * number and a timestamp 500 ms later. That gap is silence, not loss, and the packet after
 * it waits the target delay again.
 */
static void test_dtx_gap(void)
{
	struct jitter_config cfg = fixed_config();
	struct sim *s = sim_new(&cfg);
	struct jitter_stats st;
	int dtx, resume;

	for (unsigned i = 0; i < 40; i++) {
		struct sim_packet *p =
		    sim_add(s, 1, (uint16_t)i, TS_BASE + i * 960u, T0 + i * FRAME + 5 * MS);

		p->level = i < 30 ? 20 : 127; /* the last ones are quiet */
		p->vad = i < 30;
		if (i == 39)
			p->len = 1; /* the DTX frame itself */
	}
	for (unsigned i = 0; i < 40; i++)
		sim_add(s, 1, (uint16_t)(40 + i), TS_BASE + (39 + 25 + i) * 960u,
		        T0 + (39 + 25 + i) * FRAME + 5 * MS);
	sim_run(s, 100);
	dtx = played_at(s, 38) + 1; /* the 1-byte DTX frame (its payload cannot say its seq) */
	g_assert_cmpint(frame_at(s, (unsigned)dtx)->action, ==, JITTER_ACTION_PACKET);
	resume = played_at(s, 40);
	for (int i = dtx + 1; i < resume; i++)
		g_assert_cmpint(frame_at(s, (unsigned)i)->action, ==, JITTER_ACTION_SILENCE);
	assert_consecutive(s, 40, 70);
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.lost + st.concealed + st.late, ==, 0);
	g_assert_cmpuint(st.silence, >=, 20);
	/* played at the same delay as before the gap */
	g_assert_cmpint(resume - dtx, ==, 25);
	sim_free(s);
}

/* A sender that stops mid-word: a few frames of PLC, then silence; still no loss. */
static void test_abrupt_pause(void)
{
	struct jitter_config cfg = fixed_config();
	struct sim *s = sim_new(&cfg);
	struct jitter_stats st;
	int last;

	sim_stream(s, 1, 0, TS_BASE, 40);
	for (unsigned i = 0; i < 20; i++)
		sim_add(s, 1, (uint16_t)(40 + i), TS_BASE + (40 + 50 + i) * 960u,
		        T0 + (40 + 50 + i) * FRAME + 5 * MS);
	sim_run(s, 120);
	last = played_at(s, 39);
	for (int i = 1; i <= 5; i++)
		g_assert_cmpint(frame_at(s, (unsigned)(last + i))->action, ==,
		                JITTER_ACTION_CONCEAL);
	g_assert_cmpint(frame_at(s, (unsigned)(last + 6))->action, ==, JITTER_ACTION_SILENCE);
	assert_consecutive(s, 40, 55);
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.lost + st.late, ==, 0);
	sim_free(s);
}

/*
 * At the 20 ms minimum the packet after a lost one arrives too late for its FEC to be
 * used; the first loss makes the buffer keep one more frame, so the next losses are
 * recovered from FEC, and 10 s without loss give the frame back.
 */
static void test_fec_headroom(void)
{
	struct jitter_config cfg;
	struct jitter_stats st;
	struct sim *s;

	jitter_config_init(&cfg);
	cfg.initial_delay_ms = 20; /* start at the minimum */
	s = sim_new(&cfg);

	sim_stream(s, 1, 0, TS_BASE, 1200);
	g_array_index(s->packets, struct sim_packet, 100).drop = true;
	g_array_index(s->packets, struct sim_packet, 200).drop = true;
	g_array_index(s->packets, struct sim_packet, 300).drop = true;
	sim_run(s, 350);
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpint(frame_at(s, (unsigned)played_at(s, 99) + 1)->action, !=, JITTER_ACTION_FEC);
	g_assert_cmpint(frame_at(s, (unsigned)played_at(s, 199) + 1)->action, ==,
	                JITTER_ACTION_FEC);
	g_assert_cmpint(frame_at(s, (unsigned)played_at(s, 299) + 1)->action, ==,
	                JITTER_ACTION_FEC);
	g_assert_cmpuint(st.target_ms, ==, 40);
	g_assert_cmpuint(st.lost, ==, 3);
	sim_run(s, 800);
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.target_ms, ==, 20);
	g_assert_cmpint(st.delay_ms, <, 40);
	sim_free(s);
}

/* The consumer stops popping: the buffer keeps the newest 640 ms, counts the rest, and
 * afterwards drops a frame per tick until its delay is back under the maximum. */
static void test_overflow(void)
{
	struct jitter_config cfg = fixed_config();
	struct sim *s = sim_new(&cfg);
	struct jitter_stats st;

	sim_stream(s, 1, 0, TS_BASE, 300);
	sim_run(s, 10);
	s->now_us += 100 * FRAME; /* no pops for 2 s: packets up to 110 are in */
	sim_run(s, 60);
	jitter_buffer_get_stats(s->jb, &st);
	g_assert_cmpuint(st.dropped, >=, 100 - JITTER_CAPACITY);
	g_assert_cmpint(frame_at(s, 10)->action, ==, JITTER_ACTION_PACKET);
	g_assert_cmpint(frame_at(s, 10)->seq, ==, 110 - JITTER_CAPACITY + 1);
	for (unsigned i = 11; i < 70; i++) {
		g_assert_cmpint(frame_at(s, i)->action, ==, JITTER_ACTION_PACKET);
		g_assert_cmpint(frame_at(s, i)->seq, >, frame_at(s, i - 1)->seq);
	}
	g_assert_cmpint(st.delay_ms, <=, 40 + 25);
	sim_free(s);
}

static unsigned count_actions(struct sim *s, unsigned from, unsigned to, enum jitter_action a)
{
	unsigned n = 0;

	for (unsigned i = from; i < to; i++)
		n += frame_at(s, i)->action == a;
	return n;
}

/*
 * 6 s of jitter (5-85 ms transit, uniformly random, so packets also reorder), then 8 s
 * of a clean path. The target grows to cover the jitter, few frames are lost to lateness
 * once it has, and it comes back down afterwards; the real delay follows it.
 */
static void test_adaptive_delay(void)
{
	struct sim *s = sim_new(NULL);
	GRand *rand = g_rand_new_with_seed(6464);
	struct jitter_stats st;
	int64_t wall = g_get_monotonic_time();
	unsigned lost_late;

	for (unsigned i = 0; i < 700; i++) {
		uint64_t transit = 5 * MS;

		if (i < 300)
			transit += (uint64_t)g_rand_int_range(rand, 0, 80 * MS);
		sim_add(s, 1, (uint16_t)i, TS_BASE + i * 960u, T0 + i * FRAME + transit);
	}
	sim_run(s, 300);
	jitter_buffer_get_stats(s->jb, &st);
	g_test_message("after 6 s of jitter: target %u ms, delay %d ms, RFC 3550 jitter %u",
	               st.target_ms, st.delay_ms, st.jitter);
	g_assert_cmpuint(st.target_ms, >=, 80);
	g_assert_cmpint(st.delay_ms, >=, 60);
	g_assert_cmpuint(st.jitter, >, 48 * 15); /* > 15 ms in RTP units */
	/* over the last 3 s of jitter, < 3% of frames were not played from their packet */
	lost_late = 150 - count_actions(s, 150, 300, JITTER_ACTION_PACKET);
	g_assert_cmpuint(lost_late, <, 5);

	sim_run(s, 400);
	jitter_buffer_get_stats(s->jb, &st);
	g_test_message("after 8 s clean: target %u ms, delay %d ms, dropped %" G_GUINT64_FORMAT
	               ", stretched %" G_GUINT64_FORMAT,
	               st.target_ms, st.delay_ms, st.dropped, st.stretched);
	g_assert_cmpuint(st.target_ms, <=, 30);
	g_assert_cmpint(st.delay_ms, <=, 50);
	g_assert_cmpuint(st.dropped, >=, 2);
	/* 14 s of media took no real time */
	g_assert_cmpint(g_get_monotonic_time() - wall, <, 2 * G_USEC_PER_SEC);
	g_rand_free(rand);
	sim_free(s);
}

/* Through the real codec: a lost frame is recovered from the next packet's FEC and comes
 * out closer to the original than concealment alone would give. */
static void test_fec_through_buffer(void)
{
	enum { FRAMES = 150 };
	struct jitter_config cfg = fixed_config();
	struct jitter_buffer *jb = jitter_buffer_new(&cfg, "fec");
	struct fixture_sender tx;
	struct audio_decoder *ref = audio_decoder_new(), *fec = audio_decoder_new();
	struct audio_decoder *plc = audio_decoder_new();
	struct jitter_stats st;
	static int16_t lossless[FRAMES][AUDIO_FRAME_SAMPLES];
	int16_t in[AUDIO_FRAME_SAMPLES], b[AUDIO_FRAME_SAMPLES], c[AUDIO_FRAME_SAMPLES];
	double err_fec = 0, err_plc = 0;
	unsigned fec_frames = 0;
	uint64_t now = T0;

	fixture_sender_init(&tx, 9, 500, 7777, NULL); /* FEC on, expected loss 10% */
	for (unsigned f = 0; f < FRAMES; f++, now += FRAME) {
		struct jitter_packet pkt;
		struct jitter_frame out;
		unsigned played;

		memset(in, 0, sizeof(in));
		fixture_voice(in, AUDIO_FRAME_SAMPLES, (uint64_t)f * AUDIO_FRAME_SAMPLES, 150,
		              9000);
		fixture_sender_encode(&tx, in, now, &pkt);
		g_assert_cmpint(
		    audio_decoder_decode(ref, pkt.payload, pkt.payload_len, lossless[f]), ==, 0);
		if (f % 10 != 7)
			g_assert_cmpint(jitter_buffer_put(jb, &pkt), ==, 0);
		jitter_buffer_pop(jb, now + 19 * MS, &out);
		played = (out.timestamp - 7777u) / AUDIO_FRAME_SAMPLES;
		if (out.action == JITTER_ACTION_PACKET) {
			g_assert_cmpint(audio_decoder_decode(fec, out.payload, out.payload_len, b),
			                ==, 0);
			g_assert_cmpint(audio_decoder_decode(plc, out.payload, out.payload_len, c),
			                ==, 0);
		} else if (out.action == JITTER_ACTION_FEC) {
			g_assert_cmpuint(played % 10, ==, 7);
			g_assert_cmpint(
			    audio_decoder_decode_fec(fec, out.payload, out.payload_len, b), ==, 0);
			g_assert_cmpint(audio_decoder_conceal(plc, c), ==, 0);
			err_fec += fixture_error(lossless[played], b, AUDIO_FRAME_SAMPLES);
			err_plc += fixture_error(lossless[played], c, AUDIO_FRAME_SAMPLES);
			fec_frames++;
		}
	}
	jitter_buffer_get_stats(jb, &st);
	g_test_message("%u frames recovered by FEC; error vs lossless: FEC %.3g, PLC %.3g",
	               fec_frames, err_fec, err_plc);
	g_assert_cmpuint(fec_frames, ==, FRAMES / 10);
	g_assert_cmpuint(st.fec, ==, fec_frames);
	g_assert_cmpfloat(err_fec * 2, <, err_plc);
	fixture_sender_clear(&tx);
	audio_decoder_free(ref);
	audio_decoder_free(fec);
	audio_decoder_free(plc);
	jitter_buffer_free(jb);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/audio/jitter/in-order", test_in_order);
	g_test_add_func("/audio/jitter/reorder", test_reorder);
	g_test_add_func("/audio/jitter/loss-fec", test_loss_fec);
	g_test_add_func("/audio/jitter/late-and-duplicate", test_late_and_duplicate);
	g_test_add_func("/audio/jitter/wrap-around", test_wrap_around);
	g_test_add_func("/audio/jitter/new-ssrc", test_new_ssrc);
	g_test_add_func("/audio/jitter/timestamp-reset", test_timestamp_reset);
	g_test_add_func("/audio/jitter/sequence-jump", test_sequence_jump);
	g_test_add_func("/audio/jitter/dtx-gap", test_dtx_gap);
	g_test_add_func("/audio/jitter/abrupt-pause", test_abrupt_pause);
	g_test_add_func("/audio/jitter/fec-headroom", test_fec_headroom);
	g_test_add_func("/audio/jitter/overflow", test_overflow);
	g_test_add_func("/audio/jitter/adaptive-delay", test_adaptive_delay);
	g_test_add_func("/audio/jitter/fec-through-codec", test_fec_through_buffer);
	return g_test_run();
}
