/* SPDX-License-Identifier: MIT */
/* libopus wrappers for the mixer: mono 48 kHz PCM in 20 ms frames, with PLC and in-band FEC. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIO_SAMPLE_RATE   48000
#define AUDIO_FRAME_MS      20
#define AUDIO_FRAME_SAMPLES 960 /* 20 ms at 48 kHz */
/* Largest Opus packet holding 20 ms (RFC 6716 3.4: 1275 bytes per frame, plus the TOC). */
#define AUDIO_PAYLOAD_MAX   1276

/*
 * Threads: an encoder or a decoder is a plain single-owner object. Nothing here locks;
 * the owner (the mixer, on its room's media thread) calls it from one thread at a time.
 * Creation allocates and is meant for join time, never for the 20 ms tick; the tick
 * functions allocate nothing.
 */
struct audio_decoder;
struct audio_encoder;

/*
 * A decoder producing mono 48 kHz PCM whatever the stream carries: libopus mixes a stereo
 * stream down to mono itself when the decoder is opened with one channel (SILK decodes only
 * the mid channel, CELT averages the two), which is cheaper than decoding stereo and
 * averaging here, and is what the mixer wants. The caller owns the result; free it with
 * audio_decoder_free().
 */
struct audio_decoder *audio_decoder_new(void);
void audio_decoder_free(struct audio_decoder *dec);

/*
 * Decodes one packet (payload, len) holding exactly 20 ms into pcm (960 samples). Returns
 * 0; -EINVAL for an empty, corrupt or oversized packet; -EMSGSIZE for a packet that is
 * valid Opus but not 20 ms long (the SDP answer asks for ptime 20; the caller conceals).
 * pcm is left unspecified on error.
 */
int audio_decoder_decode(struct audio_decoder *dec, const uint8_t *payload, size_t len,
                         int16_t pcm[AUDIO_FRAME_SAMPLES]);

/*
 * Recovers the 20 ms frame lost just before `next` (the packet that follows it) from the
 * low-bit-rate redundancy (LBRR) that `next` carries when its sender had FEC on. When
 * `next` has no LBRR for the frame (CELT-only packets, or FEC off), libopus conceals
 * instead, so the result is never worse than audio_decoder_conceal(). `next` is only
 * read: decode it normally afterwards. Returns 0 or -EINVAL.
 */
int audio_decoder_decode_fec(struct audio_decoder *dec, const uint8_t *next, size_t len,
                             int16_t pcm[AUDIO_FRAME_SAMPLES]);

/* Packet-loss concealment: extrapolates 20 ms from the decoder's history. Returns 0 or
 * -EINVAL. */
int audio_decoder_conceal(struct audio_decoder *dec, int16_t pcm[AUDIO_FRAME_SAMPLES]);

/* Forgets the decoder's history (as if new), e.g. before decoding a stream again after
 * frames were skipped, or after the sender restarted. */
void audio_decoder_reset(struct audio_decoder *dec);

/* Encoder settings; audio_encoder_config_init() fills the defaults shown. */
struct audio_encoder_config {
	int bitrate;       /* bits/s, 6000..510000; default 32000 */
	int expected_loss; /* percent 0..100 the FEC is sized for; default 10 */
	bool fec;          /* in-band FEC (LBRR); default true */
	bool dtx;          /* discontinuous transmission; default false */
	int complexity;    /* 0..10; default 10 (libopus's own default) */
};

void audio_encoder_config_init(struct audio_encoder_config *cfg);

/*
 * A mono 48 kHz encoder in VoIP mode (OPUS_APPLICATION_VOIP: tuned for speech, SILK and
 * hybrid modes where the in-band FEC lives) with cfg's settings (NULL: defaults).
 * Returns NULL if cfg holds an out-of-range value. The caller owns the result.
 */
struct audio_encoder *audio_encoder_new(const struct audio_encoder_config *cfg);
void audio_encoder_free(struct audio_encoder *enc);

/* Change one setting for the next frames. Return 0 or -EINVAL (out of range). */
int audio_encoder_set_bitrate(struct audio_encoder *enc, int bitrate);
int audio_encoder_set_expected_loss(struct audio_encoder *enc, int percent);
int audio_encoder_set_dtx(struct audio_encoder *enc, bool dtx);

/*
 * Encodes one 20 ms frame (960 samples) into out (cap bytes; AUDIO_PAYLOAD_MAX is always
 * enough) and sets *out_len. With DTX on, a result of 1 or 2 bytes means "nothing worth
 * sending" (libopus's convention); *out_dtx says so. Returns 0, -ENOSPC if cap is too
 * small, or -EIO if libopus fails.
 */
int audio_encoder_encode(struct audio_encoder *enc, const int16_t pcm[AUDIO_FRAME_SAMPLES],
                         uint8_t *out, size_t cap, size_t *out_len, bool *out_dtx);

/*
 * Makes dst an exact copy of src: same settings and same history, so the next frame dst
 * encodes continues src's stream seamlessly. libopus documents its encoder state as
 * position independent and copyable with memcpy(); the mixer uses this to start a new
 * speaker's N-1 stream from the shared stream that speaker's decoder has been following.
 */
void audio_encoder_copy_state(struct audio_encoder *dst, const struct audio_encoder *src);

/* Returns the current bitrate or expected loss (as last set). */
int audio_encoder_get_bitrate(const struct audio_encoder *enc);
int audio_encoder_get_expected_loss(const struct audio_encoder *enc);
