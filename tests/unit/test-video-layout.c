/* SPDX-License-Identifier: MIT */
/* Unit tests of the layouts: grid rectangles for 1..30 sources and paging, the speaker and
 * pinned layouts, and the letterbox arithmetic. */
#include <errno.h>
#include <glib.h>

#include "media/layout.h"

static void assert_rect_ok(const struct video_rect *r, int w, int h)
{
	g_assert_cmpint(r->x, >=, 0);
	g_assert_cmpint(r->y, >=, 0);
	g_assert_cmpint(r->width, >=, 2);
	g_assert_cmpint(r->height, >=, 2);
	g_assert_cmpint(r->x + r->width, <=, w);
	g_assert_cmpint(r->y + r->height, <=, h);
	g_assert_cmpint((r->x | r->y | r->width | r->height) & 1, ==, 0);
}

static void assert_no_overlap(const struct layout_result *res)
{
	for (unsigned i = 0; i < res->tile_count; i++)
		for (unsigned j = i + 1; j < res->tile_count; j++)
			g_assert_false(layout_rects_overlap(&res->tiles[i], &res->tiles[j]));
}

/* The shape by count: 1x1 up to 5x5. */
static void test_grid_shapes(void)
{
	static const unsigned expect[26][2] = {
	    {0, 0}, {1, 1}, {2, 1}, {2, 2}, {2, 2}, {3, 2}, {3, 2}, {3, 3}, {3, 3},
	    {3, 3}, {4, 3}, {4, 3}, {4, 3}, {4, 4}, {4, 4}, {4, 4}, {4, 4}, {5, 4},
	    {5, 4}, {5, 4}, {5, 4}, {5, 5}, {5, 5}, {5, 5}, {5, 5}, {5, 5},
	};

	for (unsigned n = 1; n <= 25; n++) {
		struct layout_request req = {LAYOUT_GRID, 1280, 720, n, 0, 0, 0, 0};
		struct layout_result res;

		g_assert_cmpint(layout_compute(&req, &res), ==, 0);
		g_assert_cmpuint(res.columns, ==, expect[n][0]);
		g_assert_cmpuint(res.rows, ==, expect[n][1]);
		g_assert_cmpuint(res.tile_count, ==, n);
	}
}

/* Every source count 1..30 on three canvases, every page: tiles inside the canvas, even,
 * disjoint, all of one size (within the 2-pixel rounding), and the right sources. */
static void test_grid_all_counts(void)
{
	static const int canvases[][2] = {{1280, 720}, {640, 360}, {320, 180}, {720, 1280}};

	for (size_t c = 0; c < G_N_ELEMENTS(canvases); c++) {
		int w = canvases[c][0], h = canvases[c][1];

		for (unsigned n = 1; n <= 30; n++) {
			unsigned pages = layout_page_count(n, 25), shown = 0;

			g_assert_cmpuint(pages, ==, n <= 25 ? 1 : 2);
			for (unsigned page = 0; page < pages; page++) {
				struct layout_request req = {LAYOUT_GRID, w, h, n, page, 25, 0, 2};
				struct layout_result res;

				g_assert_cmpint(layout_compute(&req, &res), ==, 0);
				g_assert_cmpuint(res.page, ==, page);
				g_assert_cmpuint(res.page_count, ==, pages);
				g_assert_cmpuint(res.first_source, ==, page * 25);
				g_assert_cmpuint(res.tile_count, ==, MIN(25u, n - page * 25));
				for (unsigned i = 0; i < res.tile_count; i++) {
					assert_rect_ok(&res.tiles[i], w, h);
					g_assert_cmpint(
					    ABS(res.tiles[i].width - res.tiles[0].width), <=, 2);
					g_assert_cmpint(
					    ABS(res.tiles[i].height - res.tiles[0].height), <=, 2);
				}
				assert_no_overlap(&res);
				shown += res.tile_count;
			}
			g_assert_cmpuint(shown, ==, n);
		}
	}
}

/* A full 5x5 page of 1280x720: 256x144 cells less a 2-pixel border. */
static void test_grid_exact_cells(void)
{
	struct layout_request req = {LAYOUT_GRID, 1280, 720, 25, 0, 0, 0, 2};
	struct layout_result res;

	g_assert_cmpint(layout_compute(&req, &res), ==, 0);
	g_assert_cmpint(res.tiles[0].x, ==, 2);
	g_assert_cmpint(res.tiles[0].y, ==, 2);
	g_assert_cmpint(res.tiles[0].width, ==, 252);
	g_assert_cmpint(res.tiles[0].height, ==, 140);
	g_assert_cmpint(res.tiles[24].x, ==, 1024 + 2);
	g_assert_cmpint(res.tiles[24].y, ==, 576 + 2);

	/* Two sources side by side, each a half-canvas cell. */
	req = (struct layout_request){LAYOUT_GRID, 1280, 720, 2, 0, 0, 0, 0};
	g_assert_cmpint(layout_compute(&req, &res), ==, 0);
	g_assert_cmpint(res.tiles[0].width, ==, 640);
	g_assert_cmpint(res.tiles[0].height, ==, 720);
	g_assert_cmpint(res.tiles[1].x, ==, 640);

	/* Three: 2x2 with the last row's single tile centred. */
	req.sources = 3;
	g_assert_cmpint(layout_compute(&req, &res), ==, 0);
	g_assert_cmpint(res.tiles[2].x, ==, 320);
	g_assert_cmpint(res.tiles[2].y, ==, 360);
	g_assert_cmpint(res.tiles[2].width, ==, 640);
}

static void test_grid_paging(void)
{
	struct layout_request req = {LAYOUT_GRID, 1280, 720, 169, 0, 25, 0, 0};
	struct layout_result res;

	g_assert_cmpuint(layout_page_count(169, 25), ==, 7);
	g_assert_cmpuint(layout_page_count(169, 0), ==, 7);
	g_assert_cmpuint(layout_page_count(0, 25), ==, 1);
	g_assert_cmpuint(layout_page_count(25, 25), ==, 1);
	g_assert_cmpuint(layout_page_count(26, 25), ==, 2);
	g_assert_cmpuint(layout_page_count(10, 4), ==, 3);

	req.page = 6; /* the last page: 169 - 150 = 19 sources, 5x4 */
	g_assert_cmpint(layout_compute(&req, &res), ==, 0);
	g_assert_cmpuint(res.first_source, ==, 150);
	g_assert_cmpuint(res.tile_count, ==, 19);
	g_assert_cmpuint(res.columns, ==, 5);
	g_assert_cmpuint(res.rows, ==, 4);
	req.page = 99; /* clamped to the last page */
	g_assert_cmpint(layout_compute(&req, &res), ==, 0);
	g_assert_cmpuint(res.page, ==, 6);
	g_assert_cmpuint(res.first_source, ==, 150);

	req.page_size = 9;
	req.page = 2;
	g_assert_cmpint(layout_compute(&req, &res), ==, 0);
	g_assert_cmpuint(res.page_count, ==, 19);
	g_assert_cmpuint(res.first_source, ==, 18);
	g_assert_cmpuint(res.tile_count, ==, 9);
	g_assert_cmpuint(res.columns, ==, 3);

	req = (struct layout_request){LAYOUT_GRID, 1280, 720, 0, 3, 25, 0, 0};
	g_assert_cmpint(layout_compute(&req, &res), ==, 0);
	g_assert_cmpuint(res.tile_count, ==, 0);
	g_assert_cmpuint(res.page, ==, 0);
	g_assert_cmpuint(res.page_count, ==, 1);
}

static void test_speaker_and_pinned(void)
{
	for (int kind = LAYOUT_SPEAKER; kind <= LAYOUT_PINNED; kind++) {
		struct layout_request req = {kind, 1280, 720, 1, 0, 0, 5, 0};
		struct layout_result res;

		g_assert_cmpint(layout_compute(&req, &res), ==, 0);
		g_assert_cmpuint(res.tile_count, ==, 1);
		g_assert_cmpint(res.tiles[0].width, ==, 1280);
		g_assert_cmpint(res.tiles[0].height, ==, 720);

		/* Speaker + 3 recent: the strip is the bottom fifth, 256x144 cells, centred. */
		req.sources = 4;
		g_assert_cmpint(layout_compute(&req, &res), ==, 0);
		g_assert_cmpuint(res.tile_count, ==, 4);
		g_assert_cmpint(res.tiles[0].height, ==, 576);
		g_assert_cmpint(res.tiles[0].width, ==, 1280);
		for (unsigned i = 1; i < 4; i++) {
			g_assert_cmpint(res.tiles[i].y, ==, 576);
			g_assert_cmpint(res.tiles[i].width, ==, 256);
			g_assert_cmpint(res.tiles[i].height, ==, 144);
		}
		g_assert_cmpint(res.tiles[1].x, ==, 256);
		g_assert_cmpint(res.tiles[3].x + res.tiles[3].width, ==, 1024);
		assert_no_overlap(&res);

		/* More sources than the strip holds: the strip is full, the rest unseen. */
		req.sources = 169;
		req.margin = 2;
		g_assert_cmpint(layout_compute(&req, &res), ==, 0);
		g_assert_cmpuint(res.tile_count, ==, 6);
		for (unsigned i = 0; i < res.tile_count; i++)
			assert_rect_ok(&res.tiles[i], 1280, 720);
		assert_no_overlap(&res);

		/* No strip asked: the large tile alone. */
		req.strip_max = 0;
		g_assert_cmpint(layout_compute(&req, &res), ==, 0);
		g_assert_cmpuint(res.tile_count, ==, 1);
		req.sources = 0;
		g_assert_cmpint(layout_compute(&req, &res), ==, 0);
		g_assert_cmpuint(res.tile_count, ==, 0);
	}
}

static void test_fit(void)
{
	struct video_rect area = {100, 50, 400, 400}, out;

	/* 16:9 in a square: full width, bars above and below. */
	layout_fit(&area, 1280, 720, &out);
	g_assert_cmpint(out.width, ==, 400);
	g_assert_cmpint(out.height, ==, 224); /* 225 rounded down to even */
	g_assert_cmpint(out.x, ==, 100);
	g_assert_cmpint(out.y, ==, 50 + 88);
	/* 9:16 in a 16:9 cell: full height, bars left and right. */
	area = (struct video_rect){0, 0, 640, 360};
	layout_fit(&area, 720, 1280, &out);
	g_assert_cmpint(out.height, ==, 360);
	g_assert_cmpint(out.width, ==, 202);
	g_assert_cmpint(out.x, ==, 218);
	g_assert_cmpint(out.y, ==, 0);
	/* Same aspect: the whole area. */
	layout_fit(&area, 320, 180, &out);
	g_assert_cmpint(out.width, ==, 640);
	g_assert_cmpint(out.height, ==, 360);
	g_assert_cmpint(out.x, ==, 0);
	/* 4:3 in a 640x720 half-canvas cell of a 2-source grid. */
	area = (struct video_rect){640, 0, 640, 720};
	layout_fit(&area, 640, 480, &out);
	g_assert_cmpint(out.width, ==, 640);
	g_assert_cmpint(out.height, ==, 480);
	g_assert_cmpint(out.y, ==, 120);
	/* A degenerate picture fills the area. */
	layout_fit(&area, 0, 0, &out);
	g_assert_cmpint(out.width, ==, 640);
	g_assert_cmpint(out.height, ==, 720);
	/* Extreme ratios stay inside the area, even and non-empty. */
	area = (struct video_rect){10, 10, 100, 100};
	layout_fit(&area, 4000, 2, &out);
	g_assert_cmpint(out.height, >=, 2);
	g_assert_cmpint(out.y + out.height, <=, 110);
	g_assert_cmpint((out.x | out.y | out.width | out.height) & 1, ==, 0);
}

static void test_errors(void)
{
	struct layout_request req = {LAYOUT_GRID, 1281, 720, 4, 0, 0, 0, 0};
	struct layout_result res;

	g_assert_cmpint(layout_compute(&req, &res), ==, -EINVAL);
	req.canvas_width = 16;
	g_assert_cmpint(layout_compute(&req, &res), ==, -EINVAL);
	req.canvas_width = 1280;
	req.margin = 1;
	g_assert_cmpint(layout_compute(&req, &res), ==, -EINVAL);
	req.margin = 0;
	req.page_size = 26;
	g_assert_cmpint(layout_compute(&req, &res), ==, -EINVAL);
	req.page_size = 0;
	req.kind = LAYOUT_SPEAKER;
	req.strip_max = 9;
	g_assert_cmpint(layout_compute(&req, &res), ==, -EINVAL);
	req.strip_max = 0;
	req.kind = (enum layout_kind)7;
	g_assert_cmpint(layout_compute(&req, &res), ==, -EINVAL);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/layout/grid-shapes", test_grid_shapes);
	g_test_add_func("/layout/grid-1-to-30", test_grid_all_counts);
	g_test_add_func("/layout/grid-cells", test_grid_exact_cells);
	g_test_add_func("/layout/grid-paging", test_grid_paging);
	g_test_add_func("/layout/speaker-pinned", test_speaker_and_pinned);
	g_test_add_func("/layout/fit", test_fit);
	g_test_add_func("/layout/errors", test_errors);
	return g_test_run();
}
