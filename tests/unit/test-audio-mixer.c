/* SPDX-License-Identifier: MIT */
/* Unit tests for the audio mixer through the real Opus codec: N-1 (nobody hears
 * themselves), encodes per tick = speakers + 1 at any size, decoding only what is heard,
 * muting, gain, shared payloads and their pool, leaving. */
#include <errno.h>
#include <glib.h>
#include <opus.h>
#include <string.h>

#include "audio-fixture.h"
#include "media/audio_mixer.h"

#define MS    1000u
#define FRAME (20 * MS)
#define N     AUDIO_FRAME_SAMPLES

/* The real libopus calls, counted: the test links with --wrap=opus_encode,opus_decode. */
static unsigned encode_calls, decode_calls;

int __real_opus_encode(OpusEncoder *st, const opus_int16 *pcm, int frame_size, unsigned char *data,
                       opus_int32 max_data_bytes);
int __wrap_opus_encode(OpusEncoder *st, const opus_int16 *pcm, int frame_size, unsigned char *data,
                       opus_int32 max_data_bytes);
int __real_opus_decode(OpusDecoder *st, const unsigned char *data, opus_int32 len, opus_int16 *pcm,
                       int frame_size, int decode_fec);
int __wrap_opus_decode(OpusDecoder *st, const unsigned char *data, opus_int32 len, opus_int16 *pcm,
                       int frame_size, int decode_fec);

int __wrap_opus_encode(OpusEncoder *st, const opus_int16 *pcm, int frame_size, unsigned char *data,
                       opus_int32 max_data_bytes)
{
	encode_calls++;
	return __real_opus_encode(st, pcm, frame_size, data, max_data_bytes);
}

int __wrap_opus_decode(OpusDecoder *st, const unsigned char *data, opus_int32 len, opus_int16 *pcm,
                       int frame_size, int decode_fec)
{
	decode_calls++;
	return __real_opus_decode(st, data, len, pcm, frame_size, decode_fec);
}

/* Packets of a participant who is not talking: room noise at about -70 dBov, encoded once
 * and replayed with each sender's own numbering. */
#define CANNED 8
static uint8_t canned[CANNED][AUDIO_PAYLOAD_MAX];
static size_t canned_len[CANNED];

static void make_canned(void)
{
	struct audio_encoder *enc = audio_encoder_new(NULL);
	GRand *rand = g_rand_new_with_seed(70);
	int16_t pcm[N];

	for (int f = 0; f < CANNED; f++) {
		for (int i = 0; i < N; i++)
			pcm[i] = (int16_t)g_rand_int_range(rand, -15, 16);
		audio_encoder_encode(enc, pcm, canned[f], AUDIO_PAYLOAD_MAX, &canned_len[f], NULL);
	}
	g_rand_free(rand);
	audio_encoder_free(enc);
}

struct party {
	unsigned slot;
	struct fixture_sender tx;
	double freq; /* 0: not talking */
	double amplitude;
	bool manual;              /* room_tick() sends nothing for it: the test puts its packets */
	struct audio_decoder *rx; /* what this participant's browser would decode */
	int16_t *heard;
	unsigned heard_frames;
};

struct room {
	struct audio_mixer *mixer;
	struct party *parties;
	unsigned count;
	uint64_t now_us;
	uint64_t frame;            /* media frames sent so far */
	unsigned encodes, decodes; /* in the last tick */
	const struct audio_mix_output *out;
};

static void room_init(struct room *r, unsigned count, const struct audio_mixer_config *cfg)
{
	r->mixer = audio_mixer_new(cfg, "test room");
	g_assert_nonnull(r->mixer);
	r->parties = g_new0(struct party, count);
	r->count = count;
	r->now_us = 1000000 * MS;
	r->frame = 0;
	for (unsigned i = 0; i < count; i++) {
		struct party *p = &r->parties[i];

		g_assert_cmpint(audio_mixer_add(r->mixer, &p->slot), ==, 0);
		fixture_sender_init(&p->tx, 0x1000 + i, (uint16_t)(i * 1000), i * 100000u, NULL);
	}
}

static void room_clear(struct room *r)
{
	for (unsigned i = 0; i < r->count; i++) {
		fixture_sender_clear(&r->parties[i].tx);
		audio_decoder_free(r->parties[i].rx);
		g_free(r->parties[i].heard);
	}
	g_free(r->parties);
	audio_mixer_free(r->mixer);
}

static void send_frame(struct room *r, struct party *p)
{
	struct jitter_packet pkt;
	int16_t pcm[N];

	if (p->freq > 0) {
		memset(pcm, 0, sizeof(pcm));
		fixture_add_sine(pcm, N, r->frame * N, p->freq, p->amplitude);
		fixture_sender_encode(&p->tx, pcm, r->now_us - 10 * MS, &pkt);
	} else {
		pkt = (struct jitter_packet){.ssrc = p->tx.ssrc,
		                             .seq = p->tx.seq++,
		                             .timestamp = p->tx.ts,
		                             .arrival_us = r->now_us - 10 * MS,
		                             .level = p->tx.with_level ? 70 : -1,
		                             .payload = canned[r->frame % CANNED],
		                             .payload_len = canned_len[r->frame % CANNED]};
		p->tx.ts += N;
	}
	g_assert_cmpint(audio_mixer_put(r->mixer, p->slot, &pkt), ==, 0);
}

/* One 20 ms period: every participant sends a frame, the mixer ticks (its real Opus calls
 * counted), and, when listening, each participant decodes what it was sent. */
static void room_tick(struct room *r, bool listen)
{
	for (unsigned i = 0; i < r->count; i++)
		if (!r->parties[i].manual)
			send_frame(r, &r->parties[i]);
	encode_calls = decode_calls = 0;
	g_assert_cmpint(audio_mixer_tick(r->mixer, r->now_us, 1, &r->out), ==, 0);
	r->encodes = encode_calls;
	r->decodes = decode_calls;
	for (unsigned i = 0; listen && i < r->count; i++) {
		struct party *p = &r->parties[i];
		struct audio_payload *payload = r->out->payload_of[p->slot];

		g_assert_nonnull(payload);
		if (!p->rx) {
			p->rx = audio_decoder_new();
			p->heard = g_new0(int16_t, 1000 * N);
		}
		g_assert_cmpuint(p->heard_frames, <, 1000);
		g_assert_cmpint(audio_decoder_decode(p->rx, payload->data, payload->len,
		                                     p->heard + (size_t)p->heard_frames * N),
		                ==, 0);
		p->heard_frames++;
	}
	r->now_us += FRAME;
	r->frame++;
}

/* Power of freq in what p heard over its last `frames` frames. */
static double heard_power(struct party *p, unsigned frames, double freq)
{
	g_assert_cmpuint(p->heard_frames, >=, frames);
	return fixture_tone_power(p->heard + (size_t)(p->heard_frames - frames) * N,
	                          (size_t)frames * N, freq);
}

/*
 * Three talkers with their own tones and one listener. Each talker's N-1 stream, decoded
 * as its browser would, holds the two other tones and not its own (< -30 dB relative);
 * the listener's shared stream holds all three.
 */
static void test_never_hears_itself(void)
{
	static const double tones[3] = {440, 750, 1130};
	struct room r;

	room_init(&r, 4, NULL);
	for (int i = 0; i < 3; i++) {
		r.parties[i].freq = tones[i];
		r.parties[i].amplitude = 6000;
	}
	for (int t = 0; t < 150; t++)
		room_tick(&r, true);
	g_assert_cmpuint(r.out->speaker_count, ==, 3);

	for (int i = 0; i < 4; i++) {
		struct party *p = &r.parties[i];
		double expected = 6000.0 * 6000 / 4;

		for (int j = 0; j < 3; j++) {
			double db = fixture_db(heard_power(p, 100, tones[j]), expected);

			g_test_message("participant %d hears %.0f Hz at %+.1f dB", i, tones[j], db);
			if (i == j)
				g_assert_cmpfloat(db, <, -30);
			else
				g_assert_cmpfloat(db, >, -3);
		}
	}
	/* the N-1 streams are the speakers' own, the listener's is the shared one */
	for (int i = 0; i < 3; i++)
		g_assert_true(r.out->payload_of[r.parties[i].slot] != r.out->shared);
	g_assert_true(r.out->payload_of[r.parties[3].slot] == r.out->shared);
	room_clear(&r);
}

/*
 * Opus encodes per tick equal speakers + 1 whatever the room's size, counted on the real
 * opus_encode; and decodes equal the speakers: silent participants are not decoded.
 */
static void check_encodes(unsigned participants, unsigned talkers)
{
	struct audio_mixer_stats st;
	unsigned expected = MIN(talkers, 3u);
	struct room r;

	room_init(&r, participants, NULL);
	for (unsigned i = 0; i < talkers; i++) {
		r.parties[i].freq = 300 + 100 * i;
		r.parties[i].amplitude = 4000;
	}
	for (int t = 0; t < 10; t++)
		room_tick(&r, false);
	for (int t = 0; t < 40; t++) {
		room_tick(&r, false);
		g_assert_cmpuint(r.out->speaker_count, ==, expected);
		g_assert_cmpuint(r.encodes, ==, r.out->speaker_count + 1);
		/* talkers beyond the three speakers are still decoded: they may take the floor */
		g_assert_cmpuint(r.decodes, ==, talkers);
	}
	audio_mixer_get_stats(r.mixer, &st);
	g_test_message("%u participants, %u talking: %u speakers, %u encodes and %u decodes per "
	               "tick, %" G_GUINT64_FORMAT " decodes skipped",
	               participants, talkers, st.speakers, st.encodes, st.decodes,
	               st.decode_skips_total);
	g_assert_cmpuint(st.encodes, ==, expected + 1);
	g_assert_cmpuint(st.participants, ==, participants);
	g_assert_cmpuint(st.decode_skips_total, >=, 40u * (participants - talkers));

	/* Everybody stops: after the speakers' hold, one encode per tick for the whole room. */
	for (unsigned i = 0; i < talkers; i++)
		r.parties[i].freq = 0;
	for (int t = 0; t < 80; t++)
		room_tick(&r, false);
	g_assert_cmpuint(r.out->speaker_count, ==, 0);
	g_assert_cmpuint(r.encodes, ==, 1);
	g_assert_cmpuint(r.decodes, ==, 0);
	room_clear(&r);
}

static void test_encodes_3(void)
{
	check_encodes(3, 3);
	check_encodes(3, 1);
}

static void test_encodes_30(void)
{
	check_encodes(30, 3);
	check_encodes(30, 2);
}

static void test_encodes_169(void)
{
	check_encodes(169, 3);
	check_encodes(169, 1);
	check_encodes(169, 5);
}

/* A participant whose packets carry no RFC 6464 level is decoded to be measured. */
static void test_no_level_is_decoded(void)
{
	struct room r;

	room_init(&r, 10, NULL);
	r.parties[0].freq = 500;
	r.parties[0].amplitude = 5000;
	r.parties[5].tx.with_level = false;
	for (int t = 0; t < 20; t++)
		room_tick(&r, false);
	g_assert_cmpuint(r.out->speaker_count, ==, 1);
	g_assert_cmpuint(r.decodes, ==, 2);
	room_clear(&r);
}

/* Someone who starts talking is decoded from their first loud frame, a tick before they
 * can be selected, so their decoder is warm when they are first heard. */
static void test_warm_before_selected(void)
{
	unsigned decodes[100];
	int selected = -1;
	struct room r;

	room_init(&r, 20, NULL);
	r.parties[0].freq = 500;
	r.parties[0].amplitude = 5000;
	for (int t = 0; t < 100 && selected < 0; t++) {
		if (t == 30) {
			r.parties[7].freq = 900;
			r.parties[7].amplitude = 5000;
		}
		room_tick(&r, false);
		decodes[t] = r.decodes;
		for (size_t e = 0; e < r.out->event_count; e++)
			if (r.out->events[e].slot == r.parties[7].slot && r.out->events[e].speaking)
				selected = t;
	}
	g_assert_cmpint(selected, >, 30);
	g_assert_cmpuint(decodes[selected - 2], ==, 1);
	g_assert_cmpuint(decodes[selected - 1], ==, 2); /* decoded before being selected */
	g_assert_cmpuint(decodes[selected], ==, 2);
	room_clear(&r);
}

/* A muted talker is never decoded nor heard; a talker at gain 0.5 is heard 6 dB down. */
static void test_mute_and_gain(void)
{
	struct room r;

	room_init(&r, 3, NULL);
	r.parties[0].freq = 500;
	r.parties[0].amplitude = 8000;
	r.parties[1].freq = 900;
	r.parties[1].amplitude = 8000;
	g_assert_cmpint(audio_mixer_set_muted(r.mixer, r.parties[1].slot, true), ==, 0);
	g_assert_cmpint(audio_mixer_set_gain(r.mixer, r.parties[0].slot, 0.5f), ==, 0);
	g_assert_cmpint(audio_mixer_set_gain(r.mixer, r.parties[0].slot, 9.0f), ==, -EINVAL);
	for (int t = 0; t < 100; t++) {
		room_tick(&r, true);
		g_assert_false(r.out->speaker_count == 2);
		if (t > 10)
			g_assert_cmpuint(r.decodes, ==, 1); /* talker 0 only: 1 is muted */
	}
	g_assert_cmpfloat(fixture_db(heard_power(&r.parties[2], 80, 500), 8000.0 * 8000 / 4), <,
	                  -5);
	g_assert_cmpfloat(fixture_db(heard_power(&r.parties[2], 80, 500), 8000.0 * 8000 / 4), >,
	                  -7.5);
	g_assert_cmpfloat(fixture_db(heard_power(&r.parties[2], 80, 900), 8000.0 * 8000 / 4), <,
	                  -40);
	/* the muted talker still hears the room */
	g_assert_true(r.out->payload_of[r.parties[1].slot] == r.out->shared);
	g_assert_cmpfloat(fixture_db(heard_power(&r.parties[1], 80, 500), 8000.0 * 8000 / 4), >,
	                  -7.5);
	room_clear(&r);
}

/* Payloads are shared, ref-counted and never rewritten while referenced; when consumers
 * hold them all, encodes are skipped and counted rather than allocating. */
static void test_payload_pool(void)
{
	struct audio_mixer_config cfg;
	struct audio_payload *kept[40];
	uint8_t copy[AUDIO_PAYLOAD_MAX];
	size_t copy_len;
	struct audio_mixer_stats st;
	struct room r;

	audio_mixer_config_init(&cfg);
	cfg.payload_pool = 8;
	room_init(&r, 5, &cfg);
	r.parties[0].freq = 600;
	r.parties[0].amplitude = 5000;
	for (int t = 0; t < 10; t++)
		room_tick(&r, false);
	g_assert_cmpuint(r.out->rtp_ts_advance, ==, 960);
	kept[0] = audio_payload_ref(r.out->shared);
	copy_len = kept[0]->len;
	memcpy(copy, kept[0]->data, copy_len);
	for (int t = 1; t < 40; t++) {
		room_tick(&r, false);
		kept[t] = r.out->shared ? audio_payload_ref(r.out->shared) : NULL;
	}
	g_assert_cmpmem(kept[0]->data, kept[0]->len, copy, copy_len);
	audio_mixer_get_stats(r.mixer, &st);
	g_assert_cmpuint(st.pool_exhausted, >, 0);
	for (int t = 0; t < 40; t++)
		if (kept[t])
			audio_payload_unref(kept[t]);
	room_tick(&r, false);
	g_assert_nonnull(r.out->shared);
	g_assert_cmpuint(r.encodes, ==, 2);
	/* a payload may outlive its mixer */
	kept[0] = audio_payload_ref(r.out->shared);
	room_clear(&r);
	g_assert_cmpuint(kept[0]->len, >, 0);
	audio_payload_unref(kept[0]);
}

/* A tick after skipped ones advances RTP time by all of them. */
static void test_skipped_ticks(void)
{
	const struct audio_mix_output *out;
	struct audio_mixer *mixer = audio_mixer_new(NULL, "skip");
	unsigned slot;

	g_assert_cmpint(audio_mixer_add(mixer, &slot), ==, 0);
	g_assert_cmpint(audio_mixer_tick(mixer, 0, 0, &out), ==, -EINVAL);
	g_assert_cmpint(audio_mixer_tick(mixer, 1000, 3, &out), ==, 0);
	g_assert_cmpuint(out->rtp_ts_advance, ==, 3 * 960);
	g_assert_true(out->payload_of[slot] == out->shared);
	audio_mixer_free(mixer);
}

/* A speaker who leaves: NULL payload, a stop event at the next tick, and its slot is not
 * handed out again before that tick. */
static void test_leave(void)
{
	struct jitter_packet pkt = {0};
	unsigned slot;
	bool stopped = false;
	struct room r;

	room_init(&r, 3, NULL);
	r.parties[1].freq = 600;
	r.parties[1].amplitude = 5000;
	for (int t = 0; t < 10; t++)
		room_tick(&r, false);
	g_assert_cmpuint(r.out->speaker_count, ==, 1);
	g_assert_cmpint(audio_mixer_remove(r.mixer, r.parties[1].slot), ==, 0);
	g_assert_cmpint(audio_mixer_put(r.mixer, r.parties[1].slot, &pkt), ==, -ENOENT);
	g_assert_cmpint(audio_mixer_add(r.mixer, &slot), ==, 0);
	g_assert_cmpuint(slot, ==, 3); /* not 1, yet */
	g_assert_cmpint(audio_mixer_remove(r.mixer, slot), ==, 0);
	r.parties[1].freq = 0;

	encode_calls = 0;
	g_assert_cmpint(audio_mixer_tick(r.mixer, r.now_us, 1, &r.out), ==, 0);
	for (size_t e = 0; e < r.out->event_count; e++)
		stopped |= r.out->events[e].slot == r.parties[1].slot && !r.out->events[e].speaking;
	g_assert_true(stopped);
	g_assert_null(r.out->payload_of[r.parties[1].slot]);
	g_assert_cmpuint(r.out->speaker_count, ==, 0);
	g_assert_cmpint(audio_mixer_add(r.mixer, &slot), ==, 0);
	g_assert_cmpuint(slot, ==, 1); /* reused now */
	g_assert_cmpint(audio_mixer_remove(r.mixer, slot), ==, 0);
	/* the test's own bookkeeping still sends for slot 1: re-add it as it was */
	g_assert_cmpint(audio_mixer_tick(r.mixer, r.now_us + FRAME, 1, &r.out), ==, 0);
	g_assert_cmpint(audio_mixer_add(r.mixer, &slot), ==, 0);
	g_assert_cmpuint(slot, ==, 1);
	room_clear(&r);
}

/* One packet of the misbehaving sender in test_bad_input(). */
static int put_bad(struct room *r, unsigned slot, uint32_t ssrc, uint16_t seq, uint32_t ts,
                   const uint8_t *payload, size_t len)
{
	struct jitter_packet pkt = {.ssrc = ssrc,
	                            .seq = seq,
	                            .timestamp = ts,
	                            .arrival_us = r->now_us - 10 * MS,
	                            .level = -1,
	                            .payload = payload,
	                            .payload_len = len};

	return audio_mixer_put(r->mixer, slot, &pkt);
}

/*
 * A sender of garbage (not Opus), empty and oversized payloads, duplicates, a sequence
 * jump, a new SSRC and a flood: each is counted by kind, and the room goes on — the
 * listener still hears the good talker at its level.
 */
static void test_bad_input(void)
{
	static const uint8_t not_opus[2] = {0x03, 0x00}; /* code 3 with 0 frames: invalid */
	static uint8_t big[AUDIO_PAYLOAD_MAX + 1];
	struct audio_mixer_stats st;
	uint32_t ssrc = 0xbad, ts = 7777;
	uint16_t seq = 100;
	unsigned bad;
	struct room r;

	room_init(&r, 3, NULL);
	r.parties[0].freq = 700;
	r.parties[0].amplitude = 8000;
	r.parties[1].manual = true;
	bad = r.parties[1].slot;
	for (int t = 0; t < 150; t++) {
		g_assert_cmpint(put_bad(&r, bad, ssrc, seq, ts, not_opus, 2), ==, 0);
		if (t == 20) {
			g_assert_cmpint(put_bad(&r, bad, ssrc, seq, ts, not_opus, 0), ==, -EINVAL);
			g_assert_cmpint(put_bad(&r, bad, ssrc, seq, ts, big, sizeof(big)), ==,
			                -EINVAL);
			g_assert_cmpint(put_bad(&r, bad, ssrc, seq, ts, not_opus, 2), ==,
			                -EALREADY);
		} else if (t == 30) {
			seq += 20000; /* a jump, confirmed by the next packet */
			ts += 20000 * N;
			g_assert_cmpint(put_bad(&r, bad, ssrc, seq, ts, not_opus, 2), ==, -EAGAIN);
		} else if (t == 40) {
			ssrc = 0xbad2; /* a restart */
		} else if (t == 50) {
			for (int i = 0; i < 300; i++) /* a flood: 6 s of audio in one go */
				put_bad(&r, bad, ssrc, ++seq, ts += N, not_opus, 2);
		}
		seq++;
		ts += N;
		room_tick(&r, true);
	}
	audio_mixer_get_stats(r.mixer, &st);
	g_test_message("invalid %" G_GUINT64_FORMAT " duplicate %" G_GUINT64_FORMAT
	               " jump %" G_GUINT64_FORMAT " resyncs %" G_GUINT64_FORMAT
	               " overflow %" G_GUINT64_FORMAT " decode errors %" G_GUINT64_FORMAT,
	               st.rejects.invalid, st.rejects.duplicate, st.rejects.jump,
	               st.rejects.resyncs, st.rejects.overflow, st.decode_errors);
	g_assert_cmpuint(st.rejects.invalid, ==, 2);
	g_assert_cmpuint(st.rejects.duplicate, ==, 1);
	g_assert_cmpuint(st.rejects.jump, ==, 1);
	g_assert_cmpuint(st.rejects.resyncs, >=, 2);
	g_assert_cmpuint(st.rejects.overflow, >, 0);
	g_assert_cmpuint(st.decode_errors, >, 0);
	g_assert_cmpuint(st.ticks, ==, 150);
	/* the good talker, as heard by the third participant, is untouched */
	g_assert_cmpfloat(fixture_db(heard_power(&r.parties[2], 50, 700), 8000.0 * 8000 / 4), >,
	                  -3);
	room_clear(&r);
}

static void test_config(void)
{
	struct audio_mixer_config cfg;
	struct audio_mixer *mixer;
	unsigned slot;

	audio_mixer_config_init(&cfg);
	g_assert_cmpuint(cfg.speakers.max_speakers, ==, 3);
	cfg.capacity = 0;
	g_assert_null(audio_mixer_new(&cfg, "bad"));
	audio_mixer_config_init(&cfg);
	cfg.encoder.bitrate = 1;
	g_assert_null(audio_mixer_new(&cfg, "bad"));
	audio_mixer_config_init(&cfg);
	cfg.capacity = 2;
	mixer = audio_mixer_new(&cfg, "small");
	g_assert_cmpint(audio_mixer_add(mixer, &slot), ==, 0);
	g_assert_cmpint(audio_mixer_add(mixer, &slot), ==, 0);
	g_assert_cmpint(audio_mixer_add(mixer, &slot), ==, -ENOSPC);
	g_assert_cmpint(audio_mixer_set_expected_loss(mixer, 20), ==, 0);
	g_assert_cmpint(audio_mixer_set_expected_loss(mixer, 200), ==, -EINVAL);
	g_assert_cmpint(audio_mixer_set_bitrate(mixer, 24000), ==, 0);
	g_assert_cmpint(audio_mixer_set_muted(mixer, 7, true), ==, -ENOENT);
	audio_mixer_free(mixer);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	make_canned();
	g_test_add_func("/audio/mixer/never-hears-itself", test_never_hears_itself);
	g_test_add_func("/audio/mixer/encodes/3", test_encodes_3);
	g_test_add_func("/audio/mixer/encodes/30", test_encodes_30);
	g_test_add_func("/audio/mixer/encodes/169", test_encodes_169);
	g_test_add_func("/audio/mixer/no-level-is-decoded", test_no_level_is_decoded);
	g_test_add_func("/audio/mixer/warm-before-selected", test_warm_before_selected);
	g_test_add_func("/audio/mixer/mute-and-gain", test_mute_and_gain);
	g_test_add_func("/audio/mixer/payload-pool", test_payload_pool);
	g_test_add_func("/audio/mixer/skipped-ticks", test_skipped_ticks);
	g_test_add_func("/audio/mixer/leave", test_leave);
	g_test_add_func("/audio/mixer/bad-input", test_bad_input);
	g_test_add_func("/audio/mixer/config", test_config);
	return g_test_run();
}
