/* SPDX-License-Identifier: MIT */
/* Unit tests for the limiter: two full-scale sines summed never wrap or clip, the gain moves
 * smoothly, quiet audio passes bit-exact, and extreme sums stay in range. */
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio-fixture.h"
#include "media/audio_limiter.h"

#define N AUDIO_FRAME_SAMPLES

static void sum_of_sines(int32_t *out, size_t n, uint64_t start, double f1, double f2, double a)
{
	for (size_t i = 0; i < n; i++) {
		double t = (double)(start + i) / AUDIO_SAMPLE_RATE;

		out[i] = (int32_t)lround(a * sin(2 * G_PI * f1 * t)) +
		         (int32_t)lround(a * sin(2 * G_PI * f2 * t));
	}
}

/*
 * Two full-scale sines (440 and 554 Hz) summed peak near 65534. After limiting: no sample
 * beyond 16-bit full scale, none with its sign flipped (wrap-around), the output follows
 * the input's shape (correlation), and the per-sample gain y/x moves in small steps.
 */
static void test_two_full_scale_sines(void)
{
	struct audio_limiter lim;
	int32_t in[N];
	int16_t out[N];
	double max_step = 0, sxy = 0, sxx = 0, syy = 0, prev_gain = -1;
	int peak = 0;

	audio_limiter_init(&lim);
	for (int f = 0; f < 100; f++) {
		sum_of_sines(in, N, (uint64_t)f * N, 440, 554, 32767);
		g_assert_true(audio_limiter_process(&lim, in, out, N));
		for (int i = 0; i < N; i++) {
			peak = MAX(peak, abs(out[i]));
			if (in[i] != 0 && out[i] != 0)
				g_assert_cmpint(in[i] > 0, ==, out[i] > 0);
			sxy += (double)in[i] * out[i];
			sxx += (double)in[i] * in[i];
			syy += (double)out[i] * out[i];
			/* the gain is measurable where the input is large */
			if (abs(in[i]) > 8000) {
				double g = (double)out[i] / in[i];

				if (prev_gain >= 0 && f > 0)
					max_step = MAX(max_step, fabs(g - prev_gain));
				prev_gain = g;
			} else {
				prev_gain = -1;
			}
		}
	}
	g_test_message("peak %d, min gain %.3f, max gain step %.5f, correlation %.5f, saturated "
	               "%" G_GUINT64_FORMAT,
	               peak, lim.min_gain, max_step, sxy / sqrt(sxx * syy), lim.saturated_samples);
	g_assert_cmpint(peak, <=, 32767);
	g_assert_cmpint(peak, >, 28000); /* limited, not crushed */
	g_assert_cmpfloat(sxy / sqrt(sxx * syy), >, 0.999);
	g_assert_cmpfloat(max_step, <, 0.01);
	g_assert_cmpfloat(lim.min_gain, >, 0.4);
	g_assert_cmpuint(lim.active_frames, ==, 100);
}

/* Below the knee the limiter is transparent: bit-exact, no gain change. */
static void test_quiet_passes(void)
{
	struct audio_limiter lim;
	int32_t in[N];
	int16_t out[N];

	audio_limiter_init(&lim);
	for (int f = 0; f < 20; f++) {
		sum_of_sines(in, N, (uint64_t)f * N, 300, 500, 8000);
		g_assert_false(audio_limiter_process(&lim, in, out, N));
		for (int i = 0; i < N; i++)
			g_assert_cmpint(out[i], ==, in[i]);
	}
	g_assert_cmpuint(lim.active_frames, ==, 0);
}

/* A burst: the gain drops within the first frame, then recovers over ~100 ms without a
 * step larger than a release ramp allows, and returns to exactly 1. */
static void test_burst_and_release(void)
{
	struct audio_limiter lim;
	int32_t in[N];
	int16_t out[N];
	float prev;

	audio_limiter_init(&lim);
	sum_of_sines(in, N, 0, 440, 660, 60000);
	audio_limiter_process(&lim, in, out, N);
	g_assert_cmpfloat(lim.gain, <, 0.3f);
	for (int i = 0; i < N; i++)
		g_assert_cmpint(abs(out[i]), <=, 32767);
	prev = lim.gain;
	for (int f = 1; f < 60; f++) {
		sum_of_sines(in, N, (uint64_t)f * N, 440, 660, 3000);
		audio_limiter_process(&lim, in, out, N);
		g_assert_cmpfloat(lim.gain, >=, prev);
		g_assert_cmpfloat(lim.gain - prev, <, 0.2f);
		prev = lim.gain;
	}
	g_assert_cmpfloat(lim.gain, ==, 1.0f);
}

/* The worst a 32-bit sum can hold: no overflow, no wrap, in range. */
static void test_extreme(void)
{
	struct audio_limiter lim;
	int32_t in[N];
	int16_t out[N];

	audio_limiter_init(&lim);
	for (int i = 0; i < N; i++)
		in[i] = i % 3 == 0 ? INT32_MAX : i % 3 == 1 ? INT32_MIN : 0;
	for (int f = 0; f < 3; f++) {
		audio_limiter_process(&lim, in, out, N);
		for (int i = 0; i < N; i++) {
			g_assert_cmpint(abs(out[i]), <=, 32767);
			if (in[i] != 0 && f > 0)
				g_assert_cmpint(in[i] > 0, ==, out[i] > 0);
		}
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/audio/limiter/two-full-scale-sines", test_two_full_scale_sines);
	g_test_add_func("/audio/limiter/quiet-passes", test_quiet_passes);
	g_test_add_func("/audio/limiter/burst-and-release", test_burst_and_release);
	g_test_add_func("/audio/limiter/extreme", test_extreme);
	return g_test_run();
}
