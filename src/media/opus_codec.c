/* SPDX-License-Identifier: MIT */
/* libopus wrappers for the mixer: mono 48 kHz PCM in 20 ms frames, with PLC and in-band FEC. */
#define G_LOG_DOMAIN "cau-opus"
#include "media/opus_codec.h"

#include <errno.h>
#include <glib.h>
#include <opus.h>
#include <string.h>

struct audio_decoder {
	OpusDecoder *st;
};

struct audio_encoder {
	struct audio_encoder_config cfg;
	size_t state_size;
	OpusEncoder *st; /* g_malloc'd block of state_size bytes (position independent) */
};

struct audio_decoder *audio_decoder_new(void)
{
	struct audio_decoder *dec = g_new0(struct audio_decoder, 1);
	int err;

	dec->st = g_malloc(opus_decoder_get_size(1));
	err = opus_decoder_init(dec->st, AUDIO_SAMPLE_RATE, 1);
	/* Only bad arguments make init fail, and ours are constants. */
	g_assert(err == OPUS_OK);
	return dec;
}

void audio_decoder_free(struct audio_decoder *dec)
{
	if (!dec)
		return;
	g_free(dec->st);
	g_free(dec);
}

static int decoded(int ret)
{
	if (ret == AUDIO_FRAME_SAMPLES)
		return 0;
	return ret < 0 ? -EINVAL : -EMSGSIZE;
}

int audio_decoder_decode(struct audio_decoder *dec, const uint8_t *payload, size_t len,
                         int16_t pcm[AUDIO_FRAME_SAMPLES])
{
	int samples;

	if (!payload || len == 0 || len > AUDIO_PAYLOAD_MAX)
		return -EINVAL;
	/* Check the duration first: decoding a 40 ms packet into a 20 ms buffer fails in
	 * libopus anyway, but a 10 ms one would silently give half a frame. */
	samples = opus_packet_get_nb_samples(payload, (opus_int32)len, AUDIO_SAMPLE_RATE);
	if (samples < 0)
		return -EINVAL;
	if (samples != AUDIO_FRAME_SAMPLES)
		return -EMSGSIZE;
	return decoded(opus_decode(dec->st, payload, (opus_int32)len, pcm, AUDIO_FRAME_SAMPLES, 0));
}

int audio_decoder_decode_fec(struct audio_decoder *dec, const uint8_t *next, size_t len,
                             int16_t pcm[AUDIO_FRAME_SAMPLES])
{
	if (!next || len == 0 || len > AUDIO_PAYLOAD_MAX)
		return -EINVAL;
	/* frame_size is the duration of the lost frame (20 ms): libopus fills it from the
	 * LBRR of `next`, or conceals when there is none. */
	return decoded(opus_decode(dec->st, next, (opus_int32)len, pcm, AUDIO_FRAME_SAMPLES, 1));
}

int audio_decoder_conceal(struct audio_decoder *dec, int16_t pcm[AUDIO_FRAME_SAMPLES])
{
	return decoded(opus_decode(dec->st, NULL, 0, pcm, AUDIO_FRAME_SAMPLES, 0));
}

void audio_decoder_reset(struct audio_decoder *dec)
{
	opus_decoder_ctl(dec->st, OPUS_RESET_STATE);
}

void audio_encoder_config_init(struct audio_encoder_config *cfg)
{
	*cfg = (struct audio_encoder_config){
	    .bitrate = 32000,
	    .expected_loss = 10,
	    .fec = true,
	    .dtx = false,
	    .complexity = 10,
	};
}

static bool config_valid(const struct audio_encoder_config *cfg)
{
	return cfg->bitrate >= 6000 && cfg->bitrate <= 510000 && cfg->expected_loss >= 0 &&
	       cfg->expected_loss <= 100 && cfg->complexity >= 0 && cfg->complexity <= 10;
}

struct audio_encoder *audio_encoder_new(const struct audio_encoder_config *cfg)
{
	struct audio_encoder_config defaults;
	struct audio_encoder *enc;
	int err;

	if (!cfg) {
		audio_encoder_config_init(&defaults);
		cfg = &defaults;
	}
	if (!config_valid(cfg))
		return NULL;

	enc = g_new0(struct audio_encoder, 1);
	enc->cfg = *cfg;
	enc->state_size = (size_t)opus_encoder_get_size(1);
	enc->st = g_malloc(enc->state_size);
	err = opus_encoder_init(enc->st, AUDIO_SAMPLE_RATE, 1, OPUS_APPLICATION_VOIP);
	g_assert(err == OPUS_OK);
	opus_encoder_ctl(enc->st, OPUS_SET_BITRATE(cfg->bitrate));
	opus_encoder_ctl(enc->st, OPUS_SET_INBAND_FEC(cfg->fec ? 1 : 0));
	opus_encoder_ctl(enc->st, OPUS_SET_PACKET_LOSS_PERC(cfg->expected_loss));
	opus_encoder_ctl(enc->st, OPUS_SET_DTX(cfg->dtx ? 1 : 0));
	opus_encoder_ctl(enc->st, OPUS_SET_COMPLEXITY(cfg->complexity));
	opus_encoder_ctl(enc->st, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
	return enc;
}

void audio_encoder_free(struct audio_encoder *enc)
{
	if (!enc)
		return;
	g_free(enc->st);
	g_free(enc);
}

int audio_encoder_set_bitrate(struct audio_encoder *enc, int bitrate)
{
	if (bitrate < 6000 || bitrate > 510000)
		return -EINVAL;
	enc->cfg.bitrate = bitrate;
	return opus_encoder_ctl(enc->st, OPUS_SET_BITRATE(bitrate)) == OPUS_OK ? 0 : -EINVAL;
}

int audio_encoder_set_expected_loss(struct audio_encoder *enc, int percent)
{
	if (percent < 0 || percent > 100)
		return -EINVAL;
	enc->cfg.expected_loss = percent;
	return opus_encoder_ctl(enc->st, OPUS_SET_PACKET_LOSS_PERC(percent)) == OPUS_OK ? 0
	                                                                                : -EINVAL;
}

int audio_encoder_set_dtx(struct audio_encoder *enc, bool dtx)
{
	enc->cfg.dtx = dtx;
	return opus_encoder_ctl(enc->st, OPUS_SET_DTX(dtx ? 1 : 0)) == OPUS_OK ? 0 : -EINVAL;
}

int audio_encoder_get_bitrate(const struct audio_encoder *enc)
{
	return enc->cfg.bitrate;
}

int audio_encoder_get_expected_loss(const struct audio_encoder *enc)
{
	return enc->cfg.expected_loss;
}

int audio_encoder_encode(struct audio_encoder *enc, const int16_t pcm[AUDIO_FRAME_SAMPLES],
                         uint8_t *out, size_t cap, size_t *out_len, bool *out_dtx)
{
	opus_int32 ret;

	if (cap > AUDIO_PAYLOAD_MAX)
		cap = AUDIO_PAYLOAD_MAX;
	ret = opus_encode(enc->st, pcm, AUDIO_FRAME_SAMPLES, out, (opus_int32)cap);
	if (ret == OPUS_BUFFER_TOO_SMALL)
		return -ENOSPC;
	if (ret < 0) {
		g_warning_once("[encoder %p] opus_encode: %s", (void *)enc, opus_strerror(ret));
		return -EIO;
	}
	*out_len = (size_t)ret;
	if (out_dtx)
		*out_dtx = enc->cfg.dtx && ret <= 2;
	return 0;
}

void audio_encoder_copy_state(struct audio_encoder *dst, const struct audio_encoder *src)
{
	g_assert(dst->state_size == src->state_size);
	dst->cfg = src->cfg;
	memcpy(dst->st, src->st, src->state_size);
}
