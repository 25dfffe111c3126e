/* SPDX-License-Identifier: MIT */
/* Shared helpers of the audio tests: synthetic signals, tone detection, and a fake sender
 * that encodes PCM into RTP-like packets for the jitter buffer and the mixer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/jitter_buffer.h"
#include "media/opus_codec.h"

/* Adds amplitude * sin(2 pi freq t) for samples start..start+n-1 (t = sample / 48000). */
void fixture_add_sine(int16_t *pcm, size_t n, uint64_t start, double freq, double amplitude);

/* A voiced, speech-like signal: harmonics of a pitch that glides around f0, shaped by two
 * formants and a syllable envelope, so that codecs treat it as speech and PLC cannot
 * simply continue it. */
void fixture_voice(int16_t *pcm, size_t n, uint64_t start, double f0, double amplitude);

/* Power of pcm at freq (Goertzel), normalised so that a sine of amplitude A gives A^2/4. */
double fixture_tone_power(const int16_t *pcm, size_t n, double freq);

/* Sum of squared differences of a and b. */
double fixture_error(const int16_t *a, const int16_t *b, size_t n);

/* Ratio in dB. */
double fixture_db(double power, double reference);

/* A sender: an Opus encoder and RTP numbering. */
struct fixture_sender {
	struct audio_encoder *enc;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	uint8_t buf[AUDIO_PAYLOAD_MAX];
	bool with_level; /* put an RFC 6464 level in its packets */
};

void fixture_sender_init(struct fixture_sender *s, uint32_t ssrc, uint16_t seq, uint32_t ts,
                         const struct audio_encoder_config *cfg);
void fixture_sender_clear(struct fixture_sender *s);

/* Encodes one 20 ms frame into *pkt (payload points into s->buf, valid until the next
 * call), level measured on pcm, arrival as given; advances seq and ts. */
void fixture_sender_encode(struct fixture_sender *s, const int16_t *pcm, uint64_t arrival_us,
                           struct jitter_packet *pkt);
