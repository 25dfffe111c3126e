/* SPDX-License-Identifier: MIT */
/* Reference-counted I420 pictures from pools that reuse their buffers, and the libyuv
 * scaling that puts a picture into a rectangle of a canvas, letterboxed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/layout.h"

#define VIDEO_FRAME_MAX_SIDE 4096

/* Black in limited-range BT.601 YUV, for letterbox bars and empty canvases. */
#define VIDEO_BLACK_Y 16
#define VIDEO_BLACK_U 128
#define VIDEO_BLACK_V 128

/*
 * One I420 picture: a width x height luma plane and two half-size chroma planes, in one
 * buffer. Whoever keeps a frame past the call that handed it over takes a reference
 * (video_frame_ref) and drops it when done (video_frame_unref), from any thread. A frame's
 * pixels are written only by its producer before it is shared; once more than one
 * reference exists it is read-only.
 */
struct video_frame {
	int refcount; /* atomic */
	int width, height;
	uint8_t *y, *u, *v;
	int stride_y, stride_uv;
	uint64_t serial; /* set by the producer: a new number for new content */
	size_t cap;      /* bytes allocated at data */
	uint8_t *data;
	struct video_frame_pool *pool; /* NULL for a frame made by video_frame_new() */
};

/*
 * A frame of its own (not pooled), black, with one reference, the caller's. For caches
 * and tests, not for the per-frame path. Returns NULL for a size outside
 * 2..VIDEO_FRAME_MAX_SIDE or odd.
 */
struct video_frame *video_frame_new(int width, int height);

/* Takes a reference; returns f. Any thread. */
struct video_frame *video_frame_ref(struct video_frame *f);

/* Drops a reference (NULL is ignored); the last one returns a pooled frame to its pool,
 * or frees a frame of its own. Any thread. */
void video_frame_unref(struct video_frame *f);

struct video_frame_pool;

/* A pool of count frames (at least 1), their buffers allocated on first use. The creator
 * owns one reference to the pool. */
struct video_frame_pool *video_frame_pool_new(unsigned count);

/* Drops the creator's reference; the memory goes when the last frame taken is unreffed. */
void video_frame_pool_release(struct video_frame_pool *pool);

/*
 * A free frame of width x height (even, 2..VIDEO_FRAME_MAX_SIDE) with one reference, the
 * caller's; its pixels are whatever the buffer held. The buffer is reused when it is large
 * enough, so the steady state allocates nothing; it grows only for a larger picture than
 * the frame held before (counted in video_frame_pool_grows()). Returns NULL when every
 * frame is still referenced or the size is invalid. Only the creator's thread may take.
 */
struct video_frame *video_frame_pool_take(struct video_frame_pool *pool, int width, int height);

/* How many times a pool buffer had to be (re)allocated, for tests and counters. */
uint64_t video_frame_pool_grows(const struct video_frame_pool *pool);

/* Fills the whole frame, or one (even) rectangle of it clipped to the frame, with a colour. */
void video_frame_fill(struct video_frame *f, uint8_t y, uint8_t u, uint8_t v);
void video_frame_fill_rect(struct video_frame *f, const struct video_rect *r, uint8_t y, uint8_t u,
                           uint8_t v);

/* Copies planes of the frame's own size into it (e.g. a decoder's output). */
void video_frame_copy_planes(struct video_frame *f, const uint8_t *y, int stride_y,
                             const uint8_t *u, int stride_u, const uint8_t *v, int stride_v);

/*
 * Scales the whole of src into rectangle r of dst (libyuv I420Scale, bilinear; a plain
 * copy when the sizes are equal), ignoring aspect ratio. r must be even and inside dst.
 * Returns 0 or -EINVAL.
 */
int video_frame_scale_into(const struct video_frame *src, struct video_frame *dst,
                           const struct video_rect *r);

/*
 * Letterboxes src into area of dst: scales it into the largest centred rectangle of its
 * aspect ratio (layout_fit) and paints the rest of area black. Sets *out_fitted (may be
 * NULL) to where the picture went. Returns 0 or -EINVAL (area not even or not inside dst).
 */
int video_frame_blit_fit(const struct video_frame *src, struct video_frame *dst,
                         const struct video_rect *area, struct video_rect *out_fitted);

/* Paints area black except for inner (which must lie inside it): the letterbox bars. */
void video_frame_fill_bars(struct video_frame *dst, const struct video_rect *area,
                           const struct video_rect *inner);
