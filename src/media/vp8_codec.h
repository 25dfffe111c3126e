/* SPDX-License-Identifier: MIT */
/* libvpx VP8 wrappers: a realtime, error-resilient encoder with key frames on demand and
 * optional temporal layers, and a decoder that hands out pooled I420 frames. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/video_frame.h"

#define VP8_TEMPORAL_LAYERS_MAX 3
#define VP8_RTP_CLOCK           90000

/*
 * Threads: an encoder or a decoder is a plain single-owner object, used from one thread
 * at a time (the room's media thread). Creation allocates and is meant for set-up time;
 * encode and decode allocate nothing of their own (libvpx keeps its buffers).
 */
struct vp8_encoder;
struct vp8_decoder;

/* Encoder settings; vp8_encoder_config_init() fills the defaults shown. */
struct vp8_encoder_config {
	int width, height;        /* even, 16..4096; no default: set them */
	int fps;                  /* 1..60, default 30 */
	int bitrate_kbps;         /* 30..20000, default 1000 */
	int cpu_used;             /* libvpx speed 0..16 (realtime), default 8 */
	int threads;              /* 1..8, default 1: the media thread does one encode at once */
	bool error_resilient;     /* default true: no entropy carried across frames */
	unsigned temporal_layers; /* 1 (default), 2 or 3; see vp8_encoder_encode() */
	int min_quantizer;        /* default 2 */
	int max_quantizer;        /* default 56, as WebRTC's VP8 encoder */
};

void vp8_encoder_config_init(struct vp8_encoder_config *cfg);

/* What one encode produced, besides the bytes. */
struct vp8_encoded_info {
	size_t len;
	bool keyframe;
	uint8_t tid;        /* temporal layer, 0 with one layer */
	bool layer_sync;    /* depends only on layer 0 frames (RFC 7741 Y bit) */
	bool non_reference; /* updates no reference buffer: may be dropped (N bit) */
};

/*
 * A VP8 encoder for realtime use: CBR rate control, no lag, no frame dropping, no
 * automatic key frames (they come on request only), static-block skipping (the
 * composed picture is mostly still), the given speed and error resilience. name labels
 * its log lines (copied). Returns NULL if cfg is out of range or libvpx refuses it.
 * The caller owns the result.
 */
struct vp8_encoder *vp8_encoder_new(const struct vp8_encoder_config *cfg, const char *name);
void vp8_encoder_free(struct vp8_encoder *enc);

/*
 * Encodes one frame (its size must be the encoder's) with presentation time pts in
 * 90 kHz units, fills *info and points *out_data at the encoded bytes (info->len of
 * them), which stay libvpx's: valid until the next encode or free, so the caller copies
 * them once into a buffer it sizes from info->len. force_keyframe makes it a key frame.
 * With temporal layers, frames follow a fixed pattern that restarts at each key frame —
 * 2 layers: 0 1 0 1 ...; 3 layers: 0 2 1 2 ... — where layer 0 refers to and updates the
 * LAST buffer only, layer 1 (of 3) refers to LAST and updates GOLDEN, and the top layer
 * refers to LAST (and GOLDEN after a layer 1 frame) and updates nothing: dropping the
 * top layer, or every layer above 0, leaves a decodable stream at half or a quarter of
 * the frame rate. Returns 0; -EINVAL for a frame of the wrong size; -EAGAIN if libvpx
 * produced no frame; -EIO on a libvpx error.
 */
int vp8_encoder_encode(struct vp8_encoder *enc, const struct video_frame *frame, uint64_t pts,
                       bool force_keyframe, struct vp8_encoded_info *info,
                       const uint8_t **out_data);

/*
 * The macroblocks the next encodes may spend work on: map has one byte per 16x16
 * macroblock, row by row ((height + 15) / 16 rows of (width + 15) / 16), non-zero for
 * active. An inactive macroblock is coded as unchanged from the LAST reference without any
 * search; the caller vouches that its pixels are the same as when LAST was made. NULL
 * makes every macroblock active again (the default). Key frames code every macroblock.
 * Returns 0, or -EIO if libvpx refuses the map.
 */
int vp8_encoder_set_active_map(struct vp8_encoder *enc, const uint8_t *map);

/* Change the target bitrate or frame rate for the next frames. Return 0 or -EINVAL. */
int vp8_encoder_set_bitrate(struct vp8_encoder *enc, int kbps);
int vp8_encoder_set_fps(struct vp8_encoder *enc, int fps);

/* The settings in force. */
const struct vp8_encoder_config *vp8_encoder_get_config(const struct vp8_encoder *enc);

/* A VP8 decoder; name labels its log lines. The caller owns the result. NULL if libvpx
 * cannot make one. */
struct vp8_decoder *vp8_decoder_new(const char *name);
void vp8_decoder_free(struct vp8_decoder *dec);

/*
 * Decodes one complete VP8 frame. When it shows a picture, a frame of the picture's size
 * is taken from pool, the picture copied in, and *out set to it with one reference (the
 * caller's); otherwise (a hidden frame) *out is NULL. Returns 0; -EINVAL if libvpx
 * refuses the data or reports the picture corrupt (the caller drops it and waits for a
 * key frame); -ENOMEM if the pool has no free frame (the decode itself happened, so the
 * decoder stays in step; only this picture is not kept).
 */
int vp8_decoder_decode(struct vp8_decoder *dec, const uint8_t *data, size_t len,
                       struct video_frame_pool *pool, struct video_frame **out);
