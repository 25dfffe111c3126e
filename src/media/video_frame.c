/* SPDX-License-Identifier: MIT */
/* Reference-counted I420 pictures from pools that reuse their buffers, and the libyuv
 * scaling that puts a picture into a rectangle of a canvas, letterboxed. */
#include "media/video_frame.h"

#include <errno.h>
#include <glib.h>
#include <libyuv.h>

struct video_frame_pool {
	int refcount; /* atomic: the creator's, plus one per frame in use */
	unsigned count;
	unsigned next; /* where the next search starts (creator thread only) */
	uint64_t grows;
	struct video_frame *frames;
};

static bool valid_size(int width, int height)
{
	return width >= 2 && height >= 2 && width <= VIDEO_FRAME_MAX_SIDE &&
	       height <= VIDEO_FRAME_MAX_SIDE && !(width & 1) && !(height & 1);
}

/* Points the planes of f at its buffer for width x height; the buffer must be big enough. */
static void set_geometry(struct video_frame *f, int width, int height)
{
	size_t luma = (size_t)width * (size_t)height;

	f->width = width;
	f->height = height;
	f->stride_y = width;
	f->stride_uv = width / 2;
	f->y = f->data;
	f->u = f->data + luma;
	f->v = f->u + luma / 4;
}

static size_t buffer_size(int width, int height)
{
	return (size_t)width * (size_t)height * 3 / 2;
}

struct video_frame *video_frame_new(int width, int height)
{
	struct video_frame *f;

	if (!valid_size(width, height))
		return NULL;
	f = g_new0(struct video_frame, 1);
	f->refcount = 1;
	f->cap = buffer_size(width, height);
	f->data = g_malloc(f->cap);
	set_geometry(f, width, height);
	video_frame_fill(f, VIDEO_BLACK_Y, VIDEO_BLACK_U, VIDEO_BLACK_V);
	return f;
}

static void pool_unref(struct video_frame_pool *pool)
{
	if (g_atomic_int_dec_and_test(&pool->refcount)) {
		for (unsigned i = 0; i < pool->count; i++)
			g_free(pool->frames[i].data);
		g_free(pool->frames);
		g_free(pool);
	}
}

struct video_frame *video_frame_ref(struct video_frame *f)
{
	g_atomic_int_inc(&f->refcount);
	return f;
}

void video_frame_unref(struct video_frame *f)
{
	if (!f || !g_atomic_int_dec_and_test(&f->refcount))
		return;
	if (f->pool) {
		pool_unref(f->pool);
	} else {
		g_free(f->data);
		g_free(f);
	}
}

struct video_frame_pool *video_frame_pool_new(unsigned count)
{
	struct video_frame_pool *pool = g_new0(struct video_frame_pool, 1);

	pool->refcount = 1;
	pool->count = MAX(count, 1u);
	pool->frames = g_new0(struct video_frame, pool->count);
	for (unsigned i = 0; i < pool->count; i++)
		pool->frames[i].pool = pool;
	return pool;
}

void video_frame_pool_release(struct video_frame_pool *pool)
{
	if (pool)
		pool_unref(pool);
}

struct video_frame *video_frame_pool_take(struct video_frame_pool *pool, int width, int height)
{
	size_t need = buffer_size(width, height);

	if (!valid_size(width, height))
		return NULL;
	for (unsigned n = 0; n < pool->count; n++) {
		struct video_frame *f = &pool->frames[(pool->next + n) % pool->count];

		/* Only this thread raises a count from 0, so a 0 seen here stays 0. */
		if (g_atomic_int_get(&f->refcount) != 0)
			continue;
		pool->next = (pool->next + n + 1) % pool->count;
		if (f->cap < need) {
			g_free(f->data);
			f->data = g_malloc(need);
			f->cap = need;
			pool->grows++;
		}
		set_geometry(f, width, height);
		f->serial = 0;
		g_atomic_int_inc(&pool->refcount);
		g_atomic_int_set(&f->refcount, 1);
		return f;
	}
	return NULL;
}

uint64_t video_frame_pool_grows(const struct video_frame_pool *pool)
{
	return pool->grows;
}

void video_frame_fill(struct video_frame *f, uint8_t y, uint8_t u, uint8_t v)
{
	struct video_rect all = {0, 0, f->width, f->height};

	video_frame_fill_rect(f, &all, y, u, v);
}

void video_frame_fill_rect(struct video_frame *f, const struct video_rect *r, uint8_t y, uint8_t u,
                           uint8_t v)
{
	int x0 = MAX(r->x, 0) & ~1, y0 = MAX(r->y, 0) & ~1;
	int x1 = MIN(r->x + r->width, f->width) & ~1, y1 = MIN(r->y + r->height, f->height) & ~1;

	if (x1 <= x0 || y1 <= y0)
		return;
	I420Rect(f->y, f->stride_y, f->u, f->stride_uv, f->v, f->stride_uv, x0, y0, x1 - x0,
	         y1 - y0, y, u, v);
}

void video_frame_copy_planes(struct video_frame *f, const uint8_t *y, int stride_y,
                             const uint8_t *u, int stride_u, const uint8_t *v, int stride_v)
{
	I420Copy(y, stride_y, u, stride_u, v, stride_v, f->y, f->stride_y, f->u, f->stride_uv, f->v,
	         f->stride_uv, f->width, f->height);
}

static bool rect_inside(const struct video_rect *r, const struct video_frame *f)
{
	return r->x >= 0 && r->y >= 0 && r->width >= 2 && r->height >= 2 &&
	       r->x + r->width <= f->width && r->y + r->height <= f->height &&
	       !((r->x | r->y | r->width | r->height) & 1);
}

int video_frame_scale_into(const struct video_frame *src, struct video_frame *dst,
                           const struct video_rect *r)
{
	int uv_off;

	if (!rect_inside(r, dst))
		return -EINVAL;
	uv_off = (r->y / 2) * dst->stride_uv + r->x / 2;
	return I420Scale(src->y, src->stride_y, src->u, src->stride_uv, src->v, src->stride_uv,
	                 src->width, src->height, dst->y + r->y * dst->stride_y + r->x,
	                 dst->stride_y, dst->u + uv_off, dst->stride_uv, dst->v + uv_off,
	                 dst->stride_uv, r->width, r->height, kFilterBilinear) == 0
	           ? 0
	           : -EINVAL;
}

void video_frame_fill_bars(struct video_frame *dst, const struct video_rect *area,
                           const struct video_rect *inner)
{
	struct video_rect top = {area->x, area->y, area->width, inner->y - area->y};
	struct video_rect bottom = {area->x, inner->y + inner->height, area->width,
	                            area->y + area->height - inner->y - inner->height};
	struct video_rect left = {area->x, inner->y, inner->x - area->x, inner->height};
	struct video_rect right = {inner->x + inner->width, inner->y,
	                           area->x + area->width - inner->x - inner->width, inner->height};
	const struct video_rect *bars[] = {&top, &bottom, &left, &right};

	for (size_t i = 0; i < G_N_ELEMENTS(bars); i++)
		if (bars[i]->width > 0 && bars[i]->height > 0)
			video_frame_fill_rect(dst, bars[i], VIDEO_BLACK_Y, VIDEO_BLACK_U,
			                      VIDEO_BLACK_V);
}

int video_frame_blit_fit(const struct video_frame *src, struct video_frame *dst,
                         const struct video_rect *area, struct video_rect *out_fitted)
{
	struct video_rect fitted;

	if (!rect_inside(area, dst))
		return -EINVAL;
	layout_fit(area, src->width, src->height, &fitted);
	video_frame_fill_bars(dst, area, &fitted);
	if (out_fitted)
		*out_fitted = fitted;
	return video_frame_scale_into(src, dst, &fitted);
}
