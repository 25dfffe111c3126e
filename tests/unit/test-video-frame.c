/* SPDX-License-Identifier: MIT */
/* Unit tests of I420 frames: the pool reuses buffers (no allocation in the steady state),
 * references keep frames alive past their pool, and letterboxed scaling puts the picture
 * in the fitted rectangle with black bars around it and nothing outside the area touched. */
#include <errno.h>
#include <glib.h>

#include "media/video_frame.h"

static void assert_pixel(const struct video_frame *f, int x, int y, int ey, int eu, int ev)
{
	int py = f->y[y * f->stride_y + x];
	int pu = f->u[(y / 2) * f->stride_uv + x / 2];
	int pv = f->v[(y / 2) * f->stride_uv + x / 2];

	if (ABS(py - ey) > 2 || ABS(pu - eu) > 2 || ABS(pv - ev) > 2)
		g_error("pixel (%d,%d) is %d/%d/%d, expected %d/%d/%d", x, y, py, pu, pv, ey, eu,
		        ev);
}

static void test_pool_reuse(void)
{
	struct video_frame_pool *pool = video_frame_pool_new(2);
	struct video_frame *a, *b, *c;
	uint64_t grows;

	a = video_frame_pool_take(pool, 320, 180);
	b = video_frame_pool_take(pool, 320, 180);
	g_assert_nonnull(a);
	g_assert_nonnull(b);
	g_assert_null(video_frame_pool_take(pool, 320, 180)); /* both in use */
	g_assert_cmpuint(video_frame_pool_grows(pool), ==, 2);
	video_frame_unref(a);
	grows = video_frame_pool_grows(pool);
	/* A steady stream: take, hand over, drop — the same two buffers, no allocation. */
	for (int i = 0; i < 100; i++) {
		c = video_frame_pool_take(pool, i % 2 ? 320 : 160, i % 2 ? 180 : 90);
		g_assert_nonnull(c);
		g_assert_true(c == a || c == b);
		video_frame_unref(c);
	}
	g_assert_cmpuint(video_frame_pool_grows(pool), ==, grows);
	/* A larger picture grows one buffer once. */
	c = video_frame_pool_take(pool, 640, 360);
	g_assert_cmpuint(video_frame_pool_grows(pool), ==, grows + 1);
	g_assert_cmpint(c->width, ==, 640);
	g_assert_cmpint(c->stride_uv, ==, 320);
	video_frame_unref(c);
	g_assert_null(video_frame_pool_take(pool, 641, 360));
	g_assert_null(video_frame_pool_take(pool, 0, 360));

	/* A frame outlives its pool's creator. */
	c = video_frame_pool_take(pool, 64, 64);
	video_frame_fill(c, 1, 2, 3);
	video_frame_pool_release(pool);
	video_frame_ref(c);
	video_frame_unref(c);
	assert_pixel(c, 63, 63, 1, 2, 3);
	video_frame_unref(c);
	video_frame_unref(b);
}

static void test_fill_and_new(void)
{
	struct video_frame *f = video_frame_new(64, 48);
	struct video_rect r = {10, 10, 20, 8};

	g_assert_nonnull(f);
	assert_pixel(f, 0, 0, VIDEO_BLACK_Y, VIDEO_BLACK_U, VIDEO_BLACK_V);
	video_frame_fill_rect(f, &r, 200, 50, 60);
	assert_pixel(f, 10, 10, 200, 50, 60);
	assert_pixel(f, 29, 17, 200, 50, 60);
	assert_pixel(f, 30, 17, VIDEO_BLACK_Y, VIDEO_BLACK_U, VIDEO_BLACK_V);
	assert_pixel(f, 10, 18, VIDEO_BLACK_Y, VIDEO_BLACK_U, VIDEO_BLACK_V);
	/* Clipped to the frame. */
	r = (struct video_rect){60, 40, 100, 100};
	video_frame_fill_rect(f, &r, 90, 90, 90);
	assert_pixel(f, 63, 47, 90, 90, 90);
	video_frame_unref(f);
	g_assert_null(video_frame_new(63, 48));
	g_assert_null(video_frame_new(0, 0));
}

/* A 4:3 red picture into a 16:9 area of a grey canvas: red in the fitted part, black
 * bars left and right inside the area, grey outside the area. */
static void test_blit_fit(void)
{
	struct video_frame *canvas = video_frame_new(1280, 720);
	struct video_frame *src = video_frame_new(640, 480);
	struct video_rect area = {256, 144, 512, 288}, fitted;

	video_frame_fill(canvas, 128, 128, 128);
	video_frame_fill(src, 81, 90, 240); /* red */
	g_assert_cmpint(video_frame_blit_fit(src, canvas, &area, &fitted), ==, 0);
	g_assert_cmpint(fitted.height, ==, 288);
	g_assert_cmpint(fitted.width, ==, 384);
	g_assert_cmpint(fitted.x, ==, 256 + 64);
	for (int y = area.y; y < area.y + area.height; y += 7) {
		for (int x = area.x; x < area.x + area.width; x += 5) {
			bool inside = x >= fitted.x && x < fitted.x + fitted.width;

			if (inside)
				assert_pixel(canvas, x, y, 81, 90, 240);
			else
				assert_pixel(canvas, x, y, VIDEO_BLACK_Y, VIDEO_BLACK_U,
				             VIDEO_BLACK_V);
		}
	}
	assert_pixel(canvas, area.x - 2, area.y, 128, 128, 128);
	assert_pixel(canvas, area.x, area.y - 2, 128, 128, 128);
	assert_pixel(canvas, area.x + area.width, area.y + area.height, 128, 128, 128);

	/* Scaling keeps the content's place: a picture half blue, half green. */
	struct video_rect left = {0, 0, 320, 480}, right = {320, 0, 320, 480};
	video_frame_fill_rect(src, &left, 41, 240, 110);
	video_frame_fill_rect(src, &right, 145, 54, 34);
	area = (struct video_rect){0, 0, 320, 240};
	g_assert_cmpint(video_frame_blit_fit(src, canvas, &area, NULL), ==, 0);
	assert_pixel(canvas, 40, 120, 41, 240, 110);
	assert_pixel(canvas, 280, 120, 145, 54, 34);

	area = (struct video_rect){1, 0, 320, 240};
	g_assert_cmpint(video_frame_blit_fit(src, canvas, &area, NULL), ==, -EINVAL);
	area = (struct video_rect){1200, 0, 320, 240};
	g_assert_cmpint(video_frame_blit_fit(src, canvas, &area, NULL), ==, -EINVAL);
	video_frame_unref(src);
	video_frame_unref(canvas);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/video-frame/pool", test_pool_reuse);
	g_test_add_func("/video-frame/fill", test_fill_and_new);
	g_test_add_func("/video-frame/blit-fit", test_blit_fit);
	return g_test_run();
}
