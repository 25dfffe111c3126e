/* SPDX-License-Identifier: MIT */
/* Shared helpers of the audio tests: synthetic signals, tone detection, and a fake sender
 * that encodes PCM into RTP-like packets for the jitter buffer and the mixer. */
#include "audio-fixture.h"

#include <glib.h>
#include <math.h>

#include "media/audio_level.h"

static int16_t clamp16(double v)
{
	return (int16_t)CLAMP(lround(v), -32768, 32767);
}

void fixture_add_sine(int16_t *pcm, size_t n, uint64_t start, double freq, double amplitude)
{
	for (size_t i = 0; i < n; i++) {
		double t = (double)(start + i) / AUDIO_SAMPLE_RATE;

		pcm[i] = clamp16(pcm[i] + amplitude * sin(2 * G_PI * freq * t));
	}
}

void fixture_voice(int16_t *pcm, size_t n, uint64_t start, double f0, double amplitude)
{
	for (size_t i = 0; i < n; i++) {
		double t = (double)(start + i) / AUDIO_SAMPLE_RATE;
		/* pitch glides +-15% at 3 Hz; its phase is the integral of the frequency */
		double phase = 2 * G_PI * f0 * (t - 0.15 / (2 * G_PI * 3) * cos(2 * G_PI * 3 * t));
		double envelope = 0.55 + 0.45 * sin(2 * G_PI * 4 * t);
		double v = 0;

		for (int h = 1; h <= 12; h++) {
			double f = f0 * h;
			double formant = exp(-pow((f - 700) / 300, 2)) +
			                 0.6 * exp(-pow((f - 1800) / 400, 2)) + 0.05;

			v += formant * sin(h * phase) / h;
		}
		pcm[i] = clamp16(pcm[i] + amplitude * envelope * v);
	}
}

double fixture_tone_power(const int16_t *pcm, size_t n, double freq)
{
	double w = 2 * G_PI * freq / AUDIO_SAMPLE_RATE;
	double coeff = 2 * cos(w), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = pcm[i] + coeff * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / ((double)n * n);
}

double fixture_error(const int16_t *a, const int16_t *b, size_t n)
{
	double e = 0;

	for (size_t i = 0; i < n; i++)
		e += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
	return e;
}

double fixture_db(double power, double reference)
{
	return 10 * log10((power + 1e-12) / (reference + 1e-12));
}

void fixture_sender_init(struct fixture_sender *s, uint32_t ssrc, uint16_t seq, uint32_t ts,
                         const struct audio_encoder_config *cfg)
{
	s->enc = audio_encoder_new(cfg);
	g_assert_nonnull(s->enc);
	s->ssrc = ssrc;
	s->seq = seq;
	s->ts = ts;
	s->with_level = true;
}

void fixture_sender_clear(struct fixture_sender *s)
{
	audio_encoder_free(s->enc);
	s->enc = NULL;
}

void fixture_sender_encode(struct fixture_sender *s, const int16_t *pcm, uint64_t arrival_us,
                           struct jitter_packet *pkt)
{
	size_t len = 0;
	float dbov = audio_level_measure(pcm, AUDIO_FRAME_SAMPLES);

	g_assert_cmpint(audio_encoder_encode(s->enc, pcm, s->buf, sizeof(s->buf), &len, NULL), ==,
	                0);
	*pkt = (struct jitter_packet){
	    .ssrc = s->ssrc,
	    .seq = s->seq,
	    .timestamp = s->ts,
	    .arrival_us = arrival_us,
	    .level = s->with_level ? audio_level_to_rfc6464(dbov) : -1,
	    .vad = dbov > -50.0f,
	    .payload = s->buf,
	    .payload_len = len,
	};
	s->seq++;
	s->ts += AUDIO_FRAME_SAMPLES;
}
