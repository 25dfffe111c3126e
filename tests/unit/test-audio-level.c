/* SPDX-License-Identifier: MIT */
/* Unit tests for audio levels: RFC 6464 conversion, PCM measurement, smoothing and the
 * speaking decision. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "audio-fixture.h"
#include "media/audio_level.h"

static void test_rfc6464(void)
{
	g_assert_cmpfloat(audio_level_from_rfc6464(0), ==, 0.0f);
	g_assert_cmpfloat(audio_level_from_rfc6464(30), ==, -30.0f);
	g_assert_cmpfloat(audio_level_from_rfc6464(127), ==, -127.0f);
	g_assert_cmpfloat(audio_level_from_rfc6464(200), ==, -127.0f);
	g_assert_cmpfloat(audio_level_from_rfc6464(-5), ==, 0.0f);
	g_assert_cmpint(audio_level_to_rfc6464(-30.4f), ==, 30);
	g_assert_cmpint(audio_level_to_rfc6464(-200.0f), ==, 127);
	g_assert_cmpint(audio_level_to_rfc6464(3.0f), ==, 0);
}

static void test_measure(void)
{
	int16_t pcm[AUDIO_FRAME_SAMPLES];

	memset(pcm, 0, sizeof(pcm));
	g_assert_cmpfloat(audio_level_measure(pcm, AUDIO_FRAME_SAMPLES), ==, -127.0f);
	fixture_add_sine(pcm, AUDIO_FRAME_SAMPLES, 0, 1000, 32767);
	g_assert_cmpfloat(fabsf(audio_level_measure(pcm, AUDIO_FRAME_SAMPLES) + 3.01f), <, 0.1f);
	memset(pcm, 0, sizeof(pcm));
	fixture_add_sine(pcm, AUDIO_FRAME_SAMPLES, 0, 1000, 32767 / 100.0); /* -40 dB */
	g_assert_cmpfloat(fabsf(audio_level_measure(pcm, AUDIO_FRAME_SAMPLES) + 43.01f), <, 0.2f);
	for (int i = 0; i < AUDIO_FRAME_SAMPLES; i++)
		pcm[i] = (int16_t)(i % 2 ? -32768 : 32767);
	g_assert_cmpfloat(audio_level_measure(pcm, AUDIO_FRAME_SAMPLES), ==, 0.0f);
}

/* Speaking starts after 40 ms of voice and survives pauses shorter than 400 ms. */
static void test_speaking(void)
{
	struct audio_level al;

	audio_level_init(&al, NULL);
	g_assert_false(al.speaking);
	audio_level_update(&al, -20);
	g_assert_false(al.speaking); /* one 20 ms frame is not enough */
	audio_level_update(&al, -20);
	g_assert_true(al.speaking);
	g_assert_cmpfloat(al.smoothed_dbov, >, -40);

	/* a 300 ms pause between words */
	for (int i = 0; i < 15; i++)
		audio_level_update(&al, -90);
	g_assert_true(al.speaking);
	audio_level_update(&al, -25);
	for (int i = 0; i < 19; i++) {
		audio_level_update(&al, -90);
		g_assert_true(al.speaking);
	}
	audio_level_update(&al, -90); /* 400 ms of silence */
	g_assert_false(al.speaking);
	g_assert_cmpfloat(al.smoothed_dbov, <, -80);

	/* isolated clicks never make a speaker */
	for (int i = 0; i < 50; i++)
		audio_level_update(&al, i % 2 ? -10 : -100);
	g_assert_false(al.speaking);
}

/* The smoothed level rises within a few frames and decays over several hundred ms. */
static void test_smoothing(void)
{
	struct audio_level al;

	audio_level_init(&al, NULL);
	for (int i = 0; i < 4; i++)
		audio_level_update(&al, -20);
	g_assert_cmpfloat(al.smoothed_dbov, >, -30);
	audio_level_update(&al, -100);
	g_assert_cmpfloat(al.smoothed_dbov, >, -35); /* one quiet frame barely moves it */
	for (int i = 0; i < 50; i++)
		audio_level_update(&al, -100);
	g_assert_cmpfloat(al.smoothed_dbov, <, -95);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/audio/level/rfc6464", test_rfc6464);
	g_test_add_func("/audio/level/measure", test_measure);
	g_test_add_func("/audio/level/speaking", test_speaking);
	g_test_add_func("/audio/level/smoothing", test_smoothing);
	return g_test_run();
}
