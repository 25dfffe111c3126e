/* SPDX-License-Identifier: MIT */
/* Pre-encoded Opus clips of cau-load: one second of a tone, of a quiet room's noise or of
 * a muted microphone's silence, encoded once at start as a browser would (VoIP mode, 32 kb/s, FEC,
 * DTX only when the server asks for it) and looped. */
#include "load.h"

#include <math.h>

#define CLIP_FRAMES 50
#define TONE_PEAK   3277.0 /* -20 dBFS peak, -23 dBov RMS: a talker at speaking level */
#define NOISE_RMS   10.4   /* -70 dBov: the room noise of a participant not talking */
#define TONE_LEVEL  23
#define NOISE_LEVEL 70
#define MUTED_LEVEL 127 /* RFC 6464: digital silence */

/* A deterministic uniform noise sample with the given RMS (xorshift). */
static int16_t noise_sample(uint32_t *state, double rms)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return (int16_t)lround(((double)(*state % 65536) / 32768.0 - 1.0) * rms * sqrt(3.0));
}

/* Sample n of signal. */
static int16_t clip_sample(enum clip_signal signal, unsigned tone_hz, uint64_t n, uint32_t *seed)
{
	switch (signal) {
	case CLIP_TONE:
		return (int16_t)lround(TONE_PEAK *
		                       sin(2 * M_PI * tone_hz * (double)n / AUDIO_SAMPLE_RATE));
	case CLIP_NOISE:
		return noise_sample(seed, NOISE_RMS);
	default:
		return 0;
	}
}

struct audio_clip *audio_clip_new(enum clip_signal signal, unsigned tone_hz, bool with_dtx)
{
	struct audio_clip *clip = g_new0(struct audio_clip, 1);
	struct audio_encoder_config cfg;
	struct audio_encoder *enc;

	audio_encoder_config_init(&cfg);
	cfg.dtx = with_dtx;
	enc = audio_encoder_new(&cfg);
	int16_t pcm[AUDIO_FRAME_SAMPLES];
	uint8_t out[AUDIO_PAYLOAD_MAX];
	uint32_t seed = 0x9e3779b9u ^ tone_hz;

	g_assert(enc);
	clip->signal = signal;
	clip->tone_hz = signal == CLIP_TONE ? tone_hz : 0;
	clip->audio_level = signal == CLIP_TONE    ? TONE_LEVEL
	                    : signal == CLIP_NOISE ? NOISE_LEVEL
	                                           : MUTED_LEVEL;
	clip->vad = signal == CLIP_TONE;
	clip->frames = CLIP_FRAMES;
	/* Two seconds encoded, the second kept: the encoder has settled, and a whole number
	 * of hertz makes one second loop without a phase jump. */
	for (unsigned f = 0; f < 2 * CLIP_FRAMES; f++) {
		size_t len = 0;
		bool dtx = false;

		for (unsigned i = 0; i < AUDIO_FRAME_SAMPLES; i++)
			pcm[i] = clip_sample(signal, tone_hz, (uint64_t)f * AUDIO_FRAME_SAMPLES + i,
			                     &seed);
		if (audio_encoder_encode(enc, pcm, out, sizeof(out), &len, &dtx) != 0)
			g_error("cau-load: Opus encode failed");
		if (f >= CLIP_FRAMES) {
			clip->payload[f - CLIP_FRAMES] = g_memdup2(out, len);
			clip->len[f - CLIP_FRAMES] = len;
			clip->dtx[f - CLIP_FRAMES] = dtx;
		}
	}
	audio_encoder_free(enc);
	return clip;
}

void audio_clip_free(struct audio_clip *clip)
{
	if (!clip)
		return;
	for (unsigned i = 0; i < clip->frames; i++)
		g_free(clip->payload[i]);
	g_free(clip);
}
