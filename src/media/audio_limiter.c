/* SPDX-License-Identifier: MIT */
/* Soft-knee peak limiter turning a 32-bit mix into 16-bit PCM without wrap-around or hard
 * clipping. */
#include "media/audio_limiter.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>

#include "media/opus_codec.h"

#define FULL_SCALE     32767.0f
#define KNEE           19660.0f /* 0.6 FS, -4.4 dBFS: below it nothing changes */
#define CEILING        29205.0f /* 0.89 FS, -1 dBFS: the curve's asymptote */
#define SATURATE_ABOVE 29491.0f /* 0.9 FS: the safety saturator's own knee */
#define ATTACK_SAMPLES 48       /* 1 ms at 48 kHz */
#define RELEASE_MS     100.0f

void audio_limiter_init(struct audio_limiter *lim)
{
	*lim = (struct audio_limiter){.gain = 1.0f, .min_gain = 1.0f};
}

/* The static curve: the gain that brings a frame peaking at `peak` under the ceiling. */
static float curve_gain(float peak)
{
	float span = CEILING - KNEE;

	if (peak <= KNEE)
		return 1.0f;
	return (KNEE + span * tanhf((peak - KNEE) / span)) / peak;
}

/* Never reaches full scale; identity below SATURATE_ABOVE; continuous slope there. */
static float saturate(float y, uint64_t *count)
{
	float span = FULL_SCALE - SATURATE_ABOVE;
	float a = fabsf(y);

	if (a <= SATURATE_ABOVE)
		return y;
	(*count)++;
	a = SATURATE_ABOVE + span * tanhf((a - SATURATE_ABOVE) / span);
	return y < 0 ? -a : a;
}

bool audio_limiter_process(struct audio_limiter *lim, const int32_t *in, int16_t *out, size_t n)
{
	int64_t peak = 0;
	float target, start = lim->gain, end, step;
	size_t ramp;
	uint64_t saturated = lim->saturated_samples;

	for (size_t i = 0; i < n; i++)
		peak = MAX(peak, llabs((long long)in[i]));
	target = curve_gain((float)peak);

	if (target < start) {
		end = target; /* attack: reach it within 1 ms */
		ramp = MIN((size_t)ATTACK_SAMPLES, n);
	} else {
		/* release: exponential approach, one step per frame, ramped across it */
		float keep = expf(-(float)n / (AUDIO_SAMPLE_RATE / 1000.0f) / RELEASE_MS);

		end = target - (target - start) * keep;
		if (target - end < 1e-4f)
			end = target;
		ramp = n;
	}
	step = (end - start) / (float)ramp;

	for (size_t i = 0; i < n; i++) {
		float g = i < ramp ? start + step * (float)(i + 1) : end;
		float y = saturate((float)in[i] * g, &lim->saturated_samples);

		out[i] = (int16_t)lrintf(y);
	}
	lim->gain = end;
	lim->frames++;
	lim->min_gain = MIN(lim->min_gain, end);
	if (end < 1.0f || lim->saturated_samples != saturated) {
		lim->active_frames++;
		return true;
	}
	return false;
}
