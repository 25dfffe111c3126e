/* SPDX-License-Identifier: MIT */
/* Soft-knee peak limiter turning a 32-bit mix into 16-bit PCM without wrap-around or hard
 * clipping. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The limiter looks at one frame at a time and never ahead of it:
 *  - static curve: a frame whose peak p is below the knee (-4.4 dBFS) passes unchanged;
 *    above it the output peak is knee + (ceiling - knee) * tanh((p - knee) / (ceiling -
 *    knee)), approaching the ceiling (-1 dBFS) smoothly however loud the input;
 *  - gain = curve(p) / p, applied to the whole frame, so the waveform keeps its shape;
 *  - attack: a lower gain is reached by a 1 ms linear ramp at the start of the frame;
 *    release: a higher gain is approached with a 100 ms time constant, ramped across the
 *    frame, so the gain never steps;
 *  - the few samples of an attack ramp that would still exceed the ceiling go through a
 *    soft saturator (tanh above -0.9 dBFS) that never reaches full scale, so no sample is
 *    ever clipped hard and nothing wraps.
 * Plain value, one per output stream (the gain history belongs to the stream); no locking.
 */
struct audio_limiter {
	float gain; /* gain at the end of the last frame (1 = none) */
	/* Counters since init, for the mixer's stats. */
	uint64_t frames;
	uint64_t active_frames;     /* frames with gain reduction */
	uint64_t saturated_samples; /* samples that went through the soft saturator */
	float min_gain;             /* lowest gain so far */
};

void audio_limiter_init(struct audio_limiter *lim);

/*
 * Limits n samples (one frame; n >= 64) of in into out. in may hold any int32 values
 * (a sum of many int16 streams); out is always within [-32767, 32767]. Returns true if
 * the frame had gain reduction or saturation. No allocation.
 */
bool audio_limiter_process(struct audio_limiter *lim, const int32_t *in, int16_t *out, size_t n);
