/* SPDX-License-Identifier: MIT */
/* Unit tests of name tiles: Vietnamese diacritics are really drawn (the tile of "Xã Tân
 * Phú" differs from "Xa Tan Phu" exactly where the marks are), long names fit, tiles are
 * cached per name and size. Saves the tiles as PNG in a temporary folder to look at. */
#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libyuv.h>
#include <string.h>

#include "media/name_tile.h"

#define W 256
#define H 144

static char *tmp_dir;

/* Saves a frame as PNG (converted back to RGB) for a person to look at. */
static void save_png(const struct video_frame *f, const char *file)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, f->width, f->height);
	g_autofree char *path = g_build_filename(tmp_dir, file, NULL);

	cairo_surface_flush(s);
	I420ToARGB(f->y, f->stride_y, f->u, f->stride_uv, f->v, f->stride_uv,
	           cairo_image_surface_get_data(s), cairo_image_surface_get_stride(s), f->width,
	           f->height);
	cairo_surface_mark_dirty(s);
	g_assert_cmpint(cairo_surface_write_to_png(s, path), ==, CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);
	g_test_message("saved %s", path);
}

#define INK 120 /* luma above this is text (white on a dark slate background) */

/* Text pixels in columns [r.x, r.x + r.width) and rows [y0, y1). */
static unsigned ink_in(const struct video_frame *f, const struct video_rect *r, int y0, int y1)
{
	unsigned n = 0;

	for (int y = MAX(y0, 0); y < MIN(y1, f->height); y++)
		for (int x = MAX(r->x, 0); x < MIN(r->x + r->width, f->width); x++)
			n += f->y[y * f->stride_y + x] > INK;
	return n;
}

/* The first row of a letter's box holding text, or -1. */
static int ink_top(const struct video_frame *f, const struct video_rect *r)
{
	for (int y = r->y; y < r->y + r->height; y++)
		if (ink_in(f, r, y, y + 1))
			return y;
	return -1;
}

static bool inside(const struct video_rect *r, int x, int y, int slack)
{
	return x >= r->x - slack && x < r->x + r->width + slack && y >= r->y - slack &&
	       y < r->y + r->height + slack;
}

/*
 * Renders text and its twin without the marks on top of the letters, and checks that
 * (1) the two tiles differ only inside the boxes of the marked letters, and (2) in each
 * marked letter's box, pixels above the plain letter (the zone of the mark) are text in
 * text's tile and background in the twin's: the marks are really drawn, where they belong.
 */
static void check_marks(struct name_tile_cache *cache, const char *text, const char *twin_text,
                        const size_t (*marked)[2], size_t marked_count, const char *png)
{
	struct video_frame *tile = name_tile_get(cache, text, W, H);
	struct video_frame *twin = name_tile_get(cache, twin_text, W, H);
	struct video_rect boxes[8];
	unsigned differ = 0;

	g_assert_nonnull(tile);
	g_assert_nonnull(twin);
	g_assert_cmpuint(marked_count, <=, G_N_ELEMENTS(boxes));
	for (size_t i = 0; i < marked_count; i++) {
		struct video_rect twin_box;
		int plain_top;
		unsigned mark;

		g_assert_cmpint(name_tile_char_box(cache, text, W, H, marked[i][0], &boxes[i]), ==,
		                0);
		g_assert_cmpint(name_tile_char_box(cache, twin_text, W, H, marked[i][1], &twin_box),
		                ==, 0);
		g_assert_cmpmem(&boxes[i], sizeof(twin_box), &twin_box, sizeof(twin_box));
		plain_top = ink_top(twin, &twin_box);
		g_assert_cmpint(plain_top, >, twin_box.y + 2);
		/* The zone above the plain letter, a pixel short of it for antialiasing. */
		mark = ink_in(tile, &boxes[i], boxes[i].y, plain_top - 1);
		g_test_message("\"%s\" byte %zu: box %dx%d+%d+%d, letter from row %d, %u mark px",
		               text, marked[i][0], boxes[i].width, boxes[i].height, boxes[i].x,
		               boxes[i].y, plain_top, mark);
		if (mark < 4)
			g_error("\"%s\": the mark on the letter at byte %zu was not drawn (%u px)",
			        text, marked[i][0], mark);
		g_assert_cmpuint(ink_in(twin, &twin_box, twin_box.y, plain_top - 1), ==, 0);
	}
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			bool in_box = false;

			if (ABS(tile->y[y * W + x] - twin->y[y * W + x]) <= 24)
				continue;
			differ++;
			for (size_t i = 0; i < marked_count; i++)
				in_box = in_box || inside(&boxes[i], x, y, 2);
			if (!in_box)
				g_error("\"%s\": pixel (%d,%d) differs outside every marked letter",
				        text, x, y);
		}
	}
	g_assert_cmpuint(differ, >, 10);
	save_png(tile, png);
	video_frame_unref(tile);
	video_frame_unref(twin);
}

static void test_vietnamese_marks(void)
{
	struct name_tile_cache *cache = name_tile_cache_new(0, NULL);
	/* Byte offsets of ã, â, ú in "Xã Tân Phú" and of a, a, u in "Xa Tan Phu". */
	static const size_t tan_phu[][2] = {{1, 1}, {5, 4}, {11, 9}};
	/* Byte offsets of ờ, ế, é in "Phường Bến Nghé" and of ơ, e, e in its twin, which
	 * keeps the horns (a horn is part of the letter, not a mark on top of it). */
	static const size_t ben_nghe[][2] = {{4, 4}, {11, 10}, {19, 16}};

	check_marks(cache, "Xã Tân Phú", "Xa Tan Phu", tan_phu, G_N_ELEMENTS(tan_phu),
	            "xa-tan-phu.png");
	check_marks(cache, "Phường Bến Nghé", "Phương Ben Nghe", ben_nghe, G_N_ELEMENTS(ben_nghe),
	            "phuong-ben-nghe.png");
	name_tile_cache_free(cache);
}

/* A decomposed (NFD) name draws exactly like the precomposed one. */
static void test_nfd_input(void)
{
	struct name_tile_cache *cache = name_tile_cache_new(0, NULL);
	g_autofree char *nfd = g_utf8_normalize("Xã Tân Phú", -1, G_NORMALIZE_NFD);
	struct video_frame *a = name_tile_get(cache, "Xã Tân Phú", W, H);
	struct video_frame *b = name_tile_get(cache, nfd, W, H);

	g_assert_cmpstr(nfd, !=, "Xã Tân Phú");
	g_assert_cmpmem(a->data, (size_t)W * H * 3 / 2, b->data, (size_t)W * H * 3 / 2);
	video_frame_unref(a);
	video_frame_unref(b);
	name_tile_cache_free(cache);
}

/* A long name wraps inside the tile (the text never touches its sides) and is not one
 * solid colour; nor is any tile black like a letterbox bar. */
static void test_long_name(void)
{
	struct name_tile_cache *cache = name_tile_cache_new(0, NULL);
	const char *name = "Ủy ban nhân dân tỉnh Lâm Đồng";
	struct video_frame *tile = name_tile_get(cache, name, W, H);
	int min = 255, max = 0;

	g_assert_nonnull(tile);
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			int v = tile->y[y * tile->stride_y + x];

			min = MIN(min, v);
			max = MAX(max, v);
			if (x < 4 || x >= W - 4)
				g_assert_cmpint(v, <, 120); /* background at the sides */
		}
	}
	g_assert_cmpint(max - min, >, 100);
	g_assert_cmpint(min, >, 30); /* the background is not black */
	save_png(tile, "uy-ban-lam-dong.png");
	video_frame_unref(tile);
	name_tile_cache_free(cache);
}

static void test_cache(void)
{
	struct name_tile_cache *cache = name_tile_cache_new(2, NULL);
	struct video_frame *a = name_tile_get(cache, "Xã Tân Phú", W, H);
	struct video_frame *b = name_tile_get(cache, "Xã Tân Phú", W, H);
	struct video_frame *c;

	g_assert_true(a == b);
	g_assert_cmpuint(name_tile_renders(cache), ==, 1);
	c = name_tile_get(cache, "Xã Tân Phú", 128, 72); /* another size: another render */
	g_assert_true(c != a);
	g_assert_cmpint(c->width, ==, 128);
	g_assert_cmpuint(name_tile_renders(cache), ==, 2);
	video_frame_unref(c);
	/* Served again, the 256x144 tile is the most recently used; a third entry then
	 * evicts the 128x72 one, not it. */
	video_frame_unref(name_tile_get(cache, "Xã Tân Phú", W, H));
	video_frame_unref(name_tile_get(cache, "Phường Bến Nghé", W, H));
	g_assert_cmpuint(name_tile_renders(cache), ==, 3);
	video_frame_unref(name_tile_get(cache, "Xã Tân Phú", W, H));
	g_assert_cmpuint(name_tile_renders(cache), ==, 3);
	video_frame_unref(name_tile_get(cache, "Xã Tân Phú", 128, 72));
	g_assert_cmpuint(name_tile_renders(cache), ==, 4);
	g_assert_null(name_tile_get(cache, "x", 3, 72));
	video_frame_unref(a);
	video_frame_unref(b);
	name_tile_cache_free(cache);
}

int main(int argc, char **argv)
{
	int ret;

	g_test_init(&argc, &argv, NULL);
	tmp_dir = g_dir_make_tmp("cau-name-tile-XXXXXX", NULL);
	g_assert_nonnull(tmp_dir);
	g_test_add_func("/name-tile/vietnamese-marks", test_vietnamese_marks);
	g_test_add_func("/name-tile/nfd", test_nfd_input);
	g_test_add_func("/name-tile/long-name", test_long_name);
	g_test_add_func("/name-tile/cache", test_cache);
	ret = g_test_run();
	printf("# name tiles saved in %s\n", tmp_dir);
	g_free(tmp_dir);
	return ret;
}
