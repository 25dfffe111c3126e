/* SPDX-License-Identifier: MIT */
/* libvpx VP8 wrappers: a realtime, error-resilient encoder with key frames on demand and
 * optional temporal layers, and a decoder that hands out pooled I420 frames. */
#define G_LOG_DOMAIN "cau-vp8"
#include "media/vp8_codec.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

struct vp8_encoder {
	char name[64];
	struct vp8_encoder_config cfg;
	vpx_codec_enc_cfg_t vpx_cfg;
	vpx_codec_ctx_t ctx;
	vpx_image_t img;
	unsigned pattern_pos; /* position in the temporal layer pattern */
};

struct vp8_decoder {
	char name[64];
	vpx_codec_ctx_t ctx;
};

void vp8_encoder_config_init(struct vp8_encoder_config *cfg)
{
	*cfg = (struct vp8_encoder_config){
	    .fps = 30,
	    .bitrate_kbps = 1000,
	    .cpu_used = 8,
	    .threads = 1,
	    .error_resilient = true,
	    .temporal_layers = 1,
	    .min_quantizer = 2,
	    .max_quantizer = 56,
	};
}

static bool config_valid(const struct vp8_encoder_config *cfg)
{
	return cfg->width >= 16 && cfg->height >= 16 && cfg->width <= VIDEO_FRAME_MAX_SIDE &&
	       cfg->height <= VIDEO_FRAME_MAX_SIDE && !((cfg->width | cfg->height) & 1) &&
	       cfg->fps >= 1 && cfg->fps <= 60 && cfg->bitrate_kbps >= 30 &&
	       cfg->bitrate_kbps <= 20000 && cfg->cpu_used >= 0 && cfg->cpu_used <= 16 &&
	       cfg->threads >= 1 && cfg->threads <= 8 && cfg->temporal_layers >= 1 &&
	       cfg->temporal_layers <= VP8_TEMPORAL_LAYERS_MAX && cfg->min_quantizer >= 0 &&
	       cfg->max_quantizer <= 63 && cfg->min_quantizer <= cfg->max_quantizer;
}

static void fill_vpx_config(vpx_codec_enc_cfg_t *c, const struct vp8_encoder_config *cfg)
{
	c->g_w = (unsigned)cfg->width;
	c->g_h = (unsigned)cfg->height;
	c->g_threads = (unsigned)cfg->threads;
	c->g_timebase.num = 1;
	c->g_timebase.den = VP8_RTP_CLOCK;
	c->g_lag_in_frames = 0;
	c->g_pass = VPX_RC_ONE_PASS;
	c->g_error_resilient = cfg->error_resilient ? VPX_ERROR_RESILIENT_DEFAULT : 0;
	c->rc_end_usage = VPX_CBR;
	c->rc_target_bitrate = (unsigned)cfg->bitrate_kbps;
	c->rc_min_quantizer = (unsigned)cfg->min_quantizer;
	c->rc_max_quantizer = (unsigned)cfg->max_quantizer;
	/* An MCU must produce every frame it is asked for (tier streams stay in step). */
	c->rc_dropframe_thresh = 0;
	c->rc_resize_allowed = 0;
	c->rc_undershoot_pct = 100;
	c->rc_overshoot_pct = 15;
	c->rc_buf_initial_sz = 500;
	c->rc_buf_optimal_sz = 600;
	c->rc_buf_sz = 1000;
	c->kf_mode = VPX_KF_DISABLED;
}

struct vp8_encoder *vp8_encoder_new(const struct vp8_encoder_config *cfg, const char *name)
{
	struct vp8_encoder *enc;
	vpx_codec_err_t err;

	if (!config_valid(cfg))
		return NULL;
	enc = g_new0(struct vp8_encoder, 1);
	enc->cfg = *cfg;
	g_strlcpy(enc->name, name ? name : "vp8 encoder", sizeof(enc->name));
	err = vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &enc->vpx_cfg, 0);
	if (err != VPX_CODEC_OK)
		goto out_free;
	fill_vpx_config(&enc->vpx_cfg, cfg);
	err = vpx_codec_enc_init(&enc->ctx, vpx_codec_vp8_cx(), &enc->vpx_cfg, 0);
	if (err != VPX_CODEC_OK)
		goto out_free;
	vpx_codec_control(&enc->ctx, VP8E_SET_CPUUSED, cfg->cpu_used);
	vpx_codec_control(&enc->ctx, VP8E_SET_NOISE_SENSITIVITY, 0u);
	/* Skip blocks that barely changed: most of a composed picture is still. */
	vpx_codec_control(&enc->ctx, VP8E_SET_STATIC_THRESHOLD, 1u);
	vpx_codec_control(&enc->ctx, VP8E_SET_TOKEN_PARTITIONS, (int)VP8_ONE_TOKENPARTITION);
	/* Cap a key frame's size relative to an average frame as WebRTC does (half the
	 * optimal buffer's worth of frames, at least 3): a key frame goes to every receiver of
	 * the tier at once and must not flood weak links. */
	vpx_codec_control(&enc->ctx, VP8E_SET_MAX_INTRA_BITRATE_PCT,
	                  (unsigned)MAX(300, 600 / 2 * cfg->fps / 10));
	g_debug("[%s] vp8: encoder %dx%d@%d %d kb/s, cpu-used %d, %u temporal layer(s)", enc->name,
	        cfg->width, cfg->height, cfg->fps, cfg->bitrate_kbps, cfg->cpu_used,
	        cfg->temporal_layers);
	return enc;

out_free:
	g_warning("[%s] vp8: cannot create encoder %dx%d: %s", enc->name, cfg->width, cfg->height,
	          vpx_codec_err_to_string(err));
	g_free(enc);
	return NULL;
}

void vp8_encoder_free(struct vp8_encoder *enc)
{
	if (!enc)
		return;
	vpx_codec_destroy(&enc->ctx);
	g_free(enc);
}

/* The layer of the frame at pattern position pos, its encode flags and its properties. */
static vpx_enc_frame_flags_t layer_flags(unsigned layers, unsigned pos, uint8_t *tid, bool *sync,
                                         bool *non_reference)
{
	const vpx_enc_frame_flags_t no_gf_arf =
	    VP8_EFLAG_NO_REF_GF | VP8_EFLAG_NO_REF_ARF | VP8_EFLAG_NO_UPD_GF | VP8_EFLAG_NO_UPD_ARF;
	const vpx_enc_frame_flags_t droppable = VP8_EFLAG_NO_UPD_LAST | VP8_EFLAG_NO_UPD_GF |
	                                        VP8_EFLAG_NO_UPD_ARF | VP8_EFLAG_NO_UPD_ENTROPY;

	*tid = 0;
	*sync = false;
	*non_reference = false;
	if (layers == 1)
		return 0;
	if (pos % 2 == 0 && (layers == 2 || pos % 4 == 0))
		return no_gf_arf; /* layer 0: refers to and updates LAST only */
	if (layers == 2 || pos % 4 == 1) {
		/* top layer right after a layer-0 frame: refers to LAST only */
		*tid = (uint8_t)(layers - 1);
		*sync = true;
		*non_reference = true;
		return droppable | VP8_EFLAG_NO_REF_GF | VP8_EFLAG_NO_REF_ARF;
	}
	if (pos % 4 == 2) {
		/* layer 1 of 3: refers to LAST, keeps itself in GOLDEN for the next frame */
		*tid = 1;
		*sync = true;
		return VP8_EFLAG_NO_REF_GF | VP8_EFLAG_NO_REF_ARF | VP8_EFLAG_NO_UPD_LAST |
		       VP8_EFLAG_NO_UPD_ARF | VP8_EFLAG_NO_UPD_ENTROPY;
	}
	/* layer 2 of 3 after a layer-1 frame: refers to LAST and GOLDEN */
	*tid = 2;
	*non_reference = true;
	return droppable | VP8_EFLAG_NO_REF_ARF;
}

int vp8_encoder_encode(struct vp8_encoder *enc, const struct video_frame *frame, uint64_t pts,
                       bool force_keyframe, struct vp8_encoded_info *info, const uint8_t **out_data)
{
	const vpx_codec_cx_pkt_t *pkt;
	vpx_codec_iter_t iter = NULL;
	vpx_enc_frame_flags_t flags;
	vpx_codec_err_t err;

	memset(info, 0, sizeof(*info));
	*out_data = NULL;
	if (frame->width != enc->cfg.width || frame->height != enc->cfg.height)
		return -EINVAL;
	if (force_keyframe)
		enc->pattern_pos = 0;
	flags = layer_flags(enc->cfg.temporal_layers, enc->pattern_pos, &info->tid,
	                    &info->layer_sync, &info->non_reference);
	if (force_keyframe)
		flags = VPX_EFLAG_FORCE_KF;
	/* Wrap the frame's planes: libvpx copies them in, so nothing is kept past this call. */
	vpx_img_wrap(&enc->img, VPX_IMG_FMT_I420, (unsigned)frame->width, (unsigned)frame->height,
	             1, frame->data);
	enc->img.planes[VPX_PLANE_Y] = frame->y;
	enc->img.planes[VPX_PLANE_U] = frame->u;
	enc->img.planes[VPX_PLANE_V] = frame->v;
	enc->img.stride[VPX_PLANE_Y] = frame->stride_y;
	enc->img.stride[VPX_PLANE_U] = frame->stride_uv;
	enc->img.stride[VPX_PLANE_V] = frame->stride_uv;
	err = vpx_codec_encode(&enc->ctx, &enc->img, (vpx_codec_pts_t)pts,
	                       VP8_RTP_CLOCK / (unsigned long)enc->cfg.fps, flags, VPX_DL_REALTIME);
	if (err != VPX_CODEC_OK)
		return -EIO;
	/* VP8 without partition output makes one frame packet per encode. */
	while ((pkt = vpx_codec_get_cx_data(&enc->ctx, &iter))) {
		if (pkt->kind != VPX_CODEC_CX_FRAME_PKT || *out_data)
			continue;
		*out_data = pkt->data.frame.buf;
		info->len = pkt->data.frame.sz;
		info->keyframe = pkt->data.frame.flags & VPX_FRAME_IS_KEY;
	}
	if (!*out_data || info->len == 0)
		return -EAGAIN;
	if (info->keyframe) {
		/* A key frame restarts the pattern: it is layer 0 and refreshes every buffer. */
		info->tid = 0;
		info->layer_sync = false;
		info->non_reference = false;
		enc->pattern_pos = 0;
	}
	enc->pattern_pos = (enc->pattern_pos + 1) % 4;
	return 0;
}

int vp8_encoder_set_active_map(struct vp8_encoder *enc, const uint8_t *map)
{
	vpx_active_map_t am = {.active_map = (unsigned char *)map,
	                       .rows = (unsigned)(enc->cfg.height + 15) / 16,
	                       .cols = (unsigned)(enc->cfg.width + 15) / 16};

	if (vpx_codec_control(&enc->ctx, VP8E_SET_ACTIVEMAP, &am) != VPX_CODEC_OK)
		return -EIO;
	return 0;
}

int vp8_encoder_set_bitrate(struct vp8_encoder *enc, int kbps)
{
	if (kbps < 30 || kbps > 20000)
		return -EINVAL;
	enc->vpx_cfg.rc_target_bitrate = (unsigned)kbps;
	if (vpx_codec_enc_config_set(&enc->ctx, &enc->vpx_cfg) != VPX_CODEC_OK)
		return -EINVAL;
	enc->cfg.bitrate_kbps = kbps;
	return 0;
}

int vp8_encoder_set_fps(struct vp8_encoder *enc, int fps)
{
	if (fps < 1 || fps > 60)
		return -EINVAL;
	enc->cfg.fps = fps;
	return 0;
}

const struct vp8_encoder_config *vp8_encoder_get_config(const struct vp8_encoder *enc)
{
	return &enc->cfg;
}

struct vp8_decoder *vp8_decoder_new(const char *name)
{
	struct vp8_decoder *dec = g_new0(struct vp8_decoder, 1);
	vpx_codec_dec_cfg_t cfg = {.threads = 1};

	g_strlcpy(dec->name, name ? name : "vp8 decoder", sizeof(dec->name));
	if (vpx_codec_dec_init(&dec->ctx, vpx_codec_vp8_dx(), &cfg, 0) != VPX_CODEC_OK) {
		g_warning("[%s] vp8: cannot create decoder", dec->name);
		g_free(dec);
		return NULL;
	}
	return dec;
}

void vp8_decoder_free(struct vp8_decoder *dec)
{
	if (!dec)
		return;
	vpx_codec_destroy(&dec->ctx);
	g_free(dec);
}

int vp8_decoder_decode(struct vp8_decoder *dec, const uint8_t *data, size_t len,
                       struct video_frame_pool *pool, struct video_frame **out)
{
	vpx_codec_iter_t iter = NULL;
	vpx_image_t *img;
	int corrupt = 0;
	int ret = 0;

	*out = NULL;
	if (len == 0 || len > UINT32_MAX)
		return -EINVAL;
	if (vpx_codec_decode(&dec->ctx, data, (unsigned)len, NULL, 0) != VPX_CODEC_OK)
		return -EINVAL;
	if (vpx_codec_control(&dec->ctx, VP8D_GET_FRAME_CORRUPTED, &corrupt) == VPX_CODEC_OK &&
	    corrupt)
		ret = -EINVAL;
	while ((img = vpx_codec_get_frame(&dec->ctx, &iter))) {
		struct video_frame *f;

		/* Keep only the last picture shown; odd sizes are rounded down to even. */
		if (ret < 0 || img->fmt != VPX_IMG_FMT_I420)
			continue;
		f = video_frame_pool_take(pool, (int)img->d_w & ~1, (int)img->d_h & ~1);
		if (!f) {
			ret = -ENOMEM;
			continue;
		}
		video_frame_copy_planes(f, img->planes[VPX_PLANE_Y], img->stride[VPX_PLANE_Y],
		                        img->planes[VPX_PLANE_U], img->stride[VPX_PLANE_U],
		                        img->planes[VPX_PLANE_V], img->stride[VPX_PLANE_V]);
		video_frame_unref(*out);
		*out = f;
	}
	if (ret < 0) {
		video_frame_unref(*out);
		*out = NULL;
	}
	return ret;
}
