/* SPDX-License-Identifier: MIT */
/* A participant's audio level: from RFC 6464 when the sender gives it, else measured on the
 * decoded PCM; smoothed, with a "speaking" decision that does not flicker. */
#include "media/audio_level.h"

#include <glib.h>
#include <math.h>

#include "media/opus_codec.h"

/* Smoothing per 20 ms frame, in the dB domain: rise fast, fall slowly. */
#define RISE 0.7f
#define FALL 0.1f

void audio_level_config_init(struct audio_level_config *cfg)
{
	*cfg = (struct audio_level_config){
	    .speech_dbov = -50.0f,
	    .attack_ms = 40,
	    .release_ms = 400,
	};
}

void audio_level_init(struct audio_level *al, const struct audio_level_config *cfg)
{
	*al = (struct audio_level){.smoothed_dbov = AUDIO_LEVEL_SILENT_DBOV};
	if (cfg)
		al->cfg = *cfg;
	else
		audio_level_config_init(&al->cfg);
}

float audio_level_from_rfc6464(int level)
{
	return -(float)CLAMP(level, 0, 127);
}

int audio_level_to_rfc6464(float dbov)
{
	return (int)CLAMP(lroundf(-dbov), 0, 127);
}

float audio_level_measure(const int16_t *pcm, size_t n)
{
	uint64_t energy = 0;
	double mean_square;

	if (n == 0)
		return AUDIO_LEVEL_SILENT_DBOV;
	for (size_t i = 0; i < n; i++)
		energy += (uint64_t)((int32_t)pcm[i] * pcm[i]);
	if (energy == 0)
		return AUDIO_LEVEL_SILENT_DBOV;
	mean_square = (double)energy / (double)n / (32767.0 * 32767.0);
	return (float)CLAMP(10.0 * log10(mean_square), -127.0, 0.0);
}

void audio_level_update(struct audio_level *al, float frame_dbov)
{
	float x = CLAMP(frame_dbov, AUDIO_LEVEL_SILENT_DBOV, 0.0f);

	al->smoothed_dbov += (x > al->smoothed_dbov ? RISE : FALL) * (x - al->smoothed_dbov);

	if (x > al->cfg.speech_dbov) {
		al->voice_ms = MIN(al->voice_ms + AUDIO_FRAME_MS, 1u << 30);
		al->quiet_ms = 0;
		if (al->voice_ms >= al->cfg.attack_ms)
			al->speaking = true;
	} else {
		al->quiet_ms = MIN(al->quiet_ms + AUDIO_FRAME_MS, 1u << 30);
		al->voice_ms = 0;
		if (al->quiet_ms >= al->cfg.release_ms)
			al->speaking = false;
	}
}
