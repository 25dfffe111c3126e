/* SPDX-License-Identifier: MIT */
/* A participant's audio level: from RFC 6464 when the sender gives it, else measured on the
 * decoded PCM; smoothed, with a "speaking" decision that does not flicker. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIO_LEVEL_SILENT_DBOV (-127.0f)

/* audio_level_config_init() sets the defaults shown. */
struct audio_level_config {
	float speech_dbov;   /* -50: a frame louder than this counts as voice */
	unsigned attack_ms;  /* 40: voice this long (in a row) before "speaking" */
	unsigned release_ms; /* 400: no voice this long before "not speaking" (hangover) */
};

/* Plain value, owned by whoever embeds it (the mixer, per participant); no locking. */
struct audio_level {
	struct audio_level_config cfg;
	float smoothed_dbov; /* AUDIO_LEVEL_SILENT_DBOV .. 0 */
	bool speaking;
	unsigned voice_ms;
	unsigned quiet_ms;
};

void audio_level_config_init(struct audio_level_config *cfg);

/* Starts silent and not speaking, with cfg (NULL: defaults). */
void audio_level_init(struct audio_level *al, const struct audio_level_config *cfg);

/* Converts an RFC 6464 level (0..127, -dBov, 0 loudest) to dBov. Out-of-range values are
 * clamped. */
float audio_level_from_rfc6464(int level);

/* Converts dBov to the RFC 6464 level (what the mixer would write in its own packets). */
int audio_level_to_rfc6464(float dbov);

/*
 * Measures n samples of PCM: RMS relative to full scale (32767), in dBov, clamped to
 * [-127, 0], as RFC 6464 senders compute it (a full-scale sine is about -3 dBov). Digital
 * silence is -127.
 */
float audio_level_measure(const int16_t *pcm, size_t n);

/*
 * Feeds the level of one 20 ms frame (dBov). The smoothed level rises fast (a talker
 * must be heard from the first syllable) and falls slowly (between words); speaking
 * starts after attack_ms of voice and ends after release_ms without. No allocation.
 */
void audio_level_update(struct audio_level *al, float frame_dbov);
