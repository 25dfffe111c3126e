/* SPDX-License-Identifier: MIT */
/* Unit tests for the Opus wrappers: round trip, stereo mixdown, PLC, in-band FEC, encoder
 * settings and state copy. */
#include <errno.h>
#include <glib.h>
#include <opus.h>
#include <string.h>

#include "audio-fixture.h"
#include "media/opus_codec.h"

#define N AUDIO_FRAME_SAMPLES

/* A 20 ms frame of a 440 Hz tone survives the round trip as a 440 Hz tone. */
static void test_round_trip(void)
{
	struct audio_encoder *enc = audio_encoder_new(NULL);
	struct audio_decoder *dec = audio_decoder_new();
	int16_t in[N], out[N], all_out[50 * N];
	uint8_t buf[AUDIO_PAYLOAD_MAX];
	size_t len;
	bool dtx;

	for (int f = 0; f < 50; f++) {
		memset(in, 0, sizeof(in));
		fixture_add_sine(in, N, (uint64_t)f * N, 440, 8000);
		g_assert_cmpint(audio_encoder_encode(enc, in, buf, sizeof(buf), &len, &dtx), ==, 0);
		g_assert_false(dtx);
		g_assert_cmpuint(len, >, 10);
		g_assert_cmpuint(len, <, 200); /* about 32 kb/s: 80 bytes */
		g_assert_cmpint(audio_decoder_decode(dec, buf, len, out), ==, 0);
		memcpy(all_out + f * N, out, sizeof(out));
	}
	/* A sine of amplitude 8000 has power 8000^2/4 at its frequency; allow codec loss. */
	g_assert_cmpfloat(
	    fixture_db(fixture_tone_power(all_out + 10 * N, 40 * N, 440), 8000.0 * 8000 / 4), >,
	    -1.5);
	g_assert_cmpfloat(
	    fixture_db(fixture_tone_power(all_out + 10 * N, 40 * N, 1000), 8000.0 * 8000 / 4), <,
	    -40);
	audio_encoder_free(enc);
	audio_decoder_free(dec);
}

/* A stereo stream (L 500 Hz, R 900 Hz) decodes to mono holding both tones. */
static void test_stereo_mixdown(void)
{
	int err;
	OpusEncoder *st = opus_encoder_create(48000, 2, OPUS_APPLICATION_VOIP, &err);
	struct audio_decoder *dec = audio_decoder_new();
	int16_t stereo[2 * N], left[N], right[N], out[50 * N];
	uint8_t buf[AUDIO_PAYLOAD_MAX];

	g_assert_cmpint(err, ==, OPUS_OK);
	opus_encoder_ctl(st, OPUS_SET_BITRATE(64000));
	for (int f = 0; f < 50; f++) {
		memset(left, 0, sizeof(left));
		memset(right, 0, sizeof(right));
		fixture_add_sine(left, N, (uint64_t)f * N, 500, 8000);
		fixture_add_sine(right, N, (uint64_t)f * N, 900, 8000);
		for (int i = 0; i < N; i++) {
			stereo[2 * i] = left[i];
			stereo[2 * i + 1] = right[i];
		}
		int len = opus_encode(st, stereo, N, buf, sizeof(buf));
		g_assert_cmpint(len, >, 0);
		g_assert_cmpint(opus_packet_get_nb_channels(buf), ==, 2);
		g_assert_cmpint(audio_decoder_decode(dec, buf, (size_t)len, out + f * N), ==, 0);
	}
	/* Each channel at half amplitude in the mono downmix: -6 dB, give or take. */
	double ref = 8000.0 * 8000 / 4;
	double p500 = fixture_db(fixture_tone_power(out + 10 * N, 40 * N, 500), ref);
	double p900 = fixture_db(fixture_tone_power(out + 10 * N, 40 * N, 900), ref);
	g_assert_cmpfloat(p500, >, -9);
	g_assert_cmpfloat(p500, <, -3);
	g_assert_cmpfloat(p900, >, -9);
	g_assert_cmpfloat(p900, <, -3);
	opus_encoder_destroy(st);
	audio_decoder_free(dec);
}

static void test_bad_packets(void)
{
	struct audio_decoder *dec = audio_decoder_new();
	int16_t pcm[N];
	uint8_t ten_ms[3] = {12 << 3, 0, 0}; /* TOC config 12: hybrid SWB 10 ms, code 0 */
	uint8_t garbage[2] = {0xff, 0xff};   /* code 3 with a frame count of 63: too long */

	g_assert_cmpint(audio_decoder_decode(dec, ten_ms, sizeof(ten_ms), pcm), ==, -EMSGSIZE);
	g_assert_cmpint(audio_decoder_decode(dec, garbage, sizeof(garbage), pcm), ==, -EINVAL);
	g_assert_cmpint(audio_decoder_decode(dec, NULL, 0, pcm), ==, -EINVAL);
	g_assert_cmpint(audio_decoder_decode_fec(dec, NULL, 0, pcm), ==, -EINVAL);
	g_assert_cmpint(audio_decoder_conceal(dec, pcm), ==, 0);
	audio_decoder_free(dec);
}

/*
 * Every 10th packet is lost. Decoding each lost frame from the next packet's in-band FEC
 * gives audio closer to the lossless decode than concealment does.
 */
static void test_fec_beats_plc(void)
{
	enum { FRAMES = 200 };
	struct audio_encoder_config cfg;
	struct audio_encoder *enc;
	struct audio_decoder *ref = audio_decoder_new(), *fec = audio_decoder_new();
	struct audio_decoder *plc = audio_decoder_new();
	static uint8_t packets[FRAMES][AUDIO_PAYLOAD_MAX];
	size_t lens[FRAMES];
	int16_t in[N], a[N], b[N], c[N];
	double err_fec = 0, err_plc = 0;

	audio_encoder_config_init(&cfg);
	cfg.expected_loss = 10;
	cfg.fec = true;
	enc = audio_encoder_new(&cfg);
	for (int f = 0; f < FRAMES; f++) {
		memset(in, 0, sizeof(in));
		fixture_voice(in, N, (uint64_t)f * N, 140, 9000);
		g_assert_cmpint(
		    audio_encoder_encode(enc, in, packets[f], AUDIO_PAYLOAD_MAX, &lens[f], NULL),
		    ==, 0);
	}
	for (int f = 0; f < FRAMES - 1; f++) {
		g_assert_cmpint(audio_decoder_decode(ref, packets[f], lens[f], a), ==, 0);
		if (f % 10 == 5) {
			g_assert_cmpint(
			    audio_decoder_decode_fec(fec, packets[f + 1], lens[f + 1], b), ==, 0);
			g_assert_cmpint(audio_decoder_conceal(plc, c), ==, 0);
			err_fec += fixture_error(a, b, N);
			err_plc += fixture_error(a, c, N);
		} else {
			g_assert_cmpint(audio_decoder_decode(fec, packets[f], lens[f], b), ==, 0);
			g_assert_cmpint(audio_decoder_decode(plc, packets[f], lens[f], c), ==, 0);
		}
	}
	g_test_message("lost-frame error vs lossless: FEC %.3g, PLC %.3g (%.1f dB better)", err_fec,
	               err_plc, fixture_db(err_plc, err_fec));
	g_assert_cmpfloat(err_fec * 2, <, err_plc);
	audio_encoder_free(enc);
	audio_decoder_free(ref);
	audio_decoder_free(fec);
	audio_decoder_free(plc);
}

/* A copied encoder continues the original's stream byte for byte. */
static void test_copy_state(void)
{
	struct audio_encoder *a = audio_encoder_new(NULL);
	struct audio_encoder *b = audio_encoder_new(NULL);
	uint8_t pa[AUDIO_PAYLOAD_MAX], pb[AUDIO_PAYLOAD_MAX];
	size_t la, lb;
	int16_t in[N];

	audio_encoder_set_bitrate(b, 12000); /* different settings, overwritten by the copy */
	for (int f = 0; f < 30; f++) {
		memset(in, 0, sizeof(in));
		fixture_voice(in, N, (uint64_t)f * N, 120, 7000);
		g_assert_cmpint(audio_encoder_encode(a, in, pa, sizeof(pa), &la, NULL), ==, 0);
	}
	audio_encoder_copy_state(b, a);
	g_assert_cmpint(audio_encoder_get_bitrate(b), ==, 32000);
	for (int f = 30; f < 60; f++) {
		memset(in, 0, sizeof(in));
		fixture_voice(in, N, (uint64_t)f * N, 120, 7000);
		g_assert_cmpint(audio_encoder_encode(a, in, pa, sizeof(pa), &la, NULL), ==, 0);
		g_assert_cmpint(audio_encoder_encode(b, in, pb, sizeof(pb), &lb, NULL), ==, 0);
		g_assert_cmpmem(pa, la, pb, lb);
	}
	audio_encoder_free(a);
	audio_encoder_free(b);
}

static size_t mean_size(struct audio_encoder *enc, bool silent, bool *saw_dtx)
{
	uint8_t buf[AUDIO_PAYLOAD_MAX];
	size_t len, total = 0;
	int16_t in[N];
	bool dtx;

	for (int f = 0; f < 50; f++) {
		memset(in, 0, sizeof(in));
		if (!silent)
			fixture_voice(in, N, (uint64_t)f * N, 130, 8000);
		g_assert_cmpint(audio_encoder_encode(enc, in, buf, sizeof(buf), &len, &dtx), ==, 0);
		if (f >= 25)
			total += len;
		if (dtx && saw_dtx)
			*saw_dtx = true;
	}
	return total / 25;
}

static void test_settings(void)
{
	struct audio_encoder_config cfg;
	struct audio_encoder *enc;
	bool saw_dtx = false;
	size_t low, high;

	audio_encoder_config_init(&cfg);
	g_assert_cmpint(cfg.bitrate, ==, 32000);
	g_assert_true(cfg.fec);
	g_assert_cmpint(cfg.expected_loss, ==, 10);
	cfg.bitrate = 1000;
	g_assert_null(audio_encoder_new(&cfg));

	enc = audio_encoder_new(NULL);
	g_assert_cmpint(audio_encoder_set_bitrate(enc, 16000), ==, 0);
	low = mean_size(enc, false, NULL);
	g_assert_cmpint(audio_encoder_set_bitrate(enc, 64000), ==, 0);
	high = mean_size(enc, false, NULL);
	g_assert_cmpuint(high, >, low * 2);
	g_assert_cmpint(audio_encoder_set_bitrate(enc, 5), ==, -EINVAL);
	g_assert_cmpint(audio_encoder_set_expected_loss(enc, 30), ==, 0);
	g_assert_cmpint(audio_encoder_get_expected_loss(enc), ==, 30);
	g_assert_cmpint(audio_encoder_set_expected_loss(enc, 101), ==, -EINVAL);

	g_assert_cmpint(audio_encoder_set_dtx(enc, true), ==, 0);
	g_assert_cmpuint(mean_size(enc, true, &saw_dtx), <=, 3);
	g_assert_true(saw_dtx);
	audio_encoder_free(enc);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/audio/codec/round-trip", test_round_trip);
	g_test_add_func("/audio/codec/stereo-mixdown", test_stereo_mixdown);
	g_test_add_func("/audio/codec/bad-packets", test_bad_packets);
	g_test_add_func("/audio/codec/fec-beats-plc", test_fec_beats_plc);
	g_test_add_func("/audio/codec/copy-state", test_copy_state);
	g_test_add_func("/audio/codec/settings", test_settings);
	return g_test_run();
}
