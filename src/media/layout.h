/* SPDX-License-Identifier: MIT */
/* Where each source goes on a view's canvas: grid (paged), speaker and pinned layouts, and
 * the letterbox fit of a picture in its tile. Pure geometry, no state. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* A rectangle of a canvas, in pixels. Every rectangle made here has even x, y, width and
 * height, so it maps onto whole chroma samples of an I420 picture. */
struct video_rect {
	int x, y, width, height;
};

enum layout_kind {
	LAYOUT_GRID,    /* equal tiles, 1x1 up to 5x5 by count, paged beyond page_size */
	LAYOUT_SPEAKER, /* the active speaker large, recent speakers in a strip below */
	LAYOUT_PINNED,  /* as speaker, but the large source is the one the chair picked */
};

#define LAYOUT_GRID_MAX_SIDE 5
#define LAYOUT_PAGE_SIZE_MAX (LAYOUT_GRID_MAX_SIDE * LAYOUT_GRID_MAX_SIDE)
#define LAYOUT_STRIP_MAX     8
#define LAYOUT_MAX_TILES     LAYOUT_PAGE_SIZE_MAX /* more than 1 + LAYOUT_STRIP_MAX */
#define LAYOUT_MIN_CANVAS    32
#define LAYOUT_MAX_CANVAS    4096

/*
 * What to lay out. sources is the length of the view's ordered source list: for a grid,
 * everyone in display order; for speaker and pinned, the large source first, then the
 * strip's. page_size (grid; 1..25, 0 = 25) is how many tiles a page holds; page is clamped
 * to the last page. strip_max (speaker/pinned; 0..8, 0 = no strip) is the strip's length.
 * margin (even, >= 0) is the border left around each tile inside its cell.
 */
struct layout_request {
	enum layout_kind kind;
	int canvas_width, canvas_height;
	unsigned sources;
	unsigned page;
	unsigned page_size;
	unsigned strip_max;
	int margin;
};

/*
 * The tiles: tiles[i] shows source first_source + i of the list. page is the page shown
 * (after clamping) and page_count the number of pages (1 for speaker/pinned, and for an
 * empty grid).
 */
struct layout_result {
	unsigned tile_count;
	unsigned first_source;
	unsigned page;
	unsigned page_count;
	unsigned columns, rows; /* grid shape (speaker/pinned: 0) */
	struct video_rect tiles[LAYOUT_MAX_TILES];
};

/*
 * Computes the tiles of req. Grid: columns = ceil(sqrt(n)), rows = ceil(n / columns) for
 * the n tiles of the page; the canvas is cut into equal cells, and a short last row is
 * centred. Speaker/pinned: with a strip, the strip takes the bottom fifth of the canvas in
 * strip_max equal cells (256x144 on 1280x720: 16:9 like the canvas), its tiles centred;
 * the large tile takes the rest (the whole canvas without a strip). Returns 0, or -EINVAL
 * for a canvas outside LAYOUT_MIN_CANVAS..LAYOUT_MAX_CANVAS or odd, an odd or negative
 * margin, page_size > 25, strip_max > 8, or an unknown kind. Pure.
 */
int layout_compute(const struct layout_request *req, struct layout_result *out);

/* The number of grid pages for sources sources, page_size per page (0 = 25): at least 1. */
unsigned layout_page_count(unsigned sources, unsigned page_size);

/*
 * Letterbox: the largest rectangle of the picture's aspect ratio (src_width x src_height)
 * that fits in area, centred, with even coordinates; the rest of area is the bars.
 * A degenerate picture (zero size) fills the area. Pure.
 */
void layout_fit(const struct video_rect *area, int src_width, int src_height,
                struct video_rect *out);

/* Whether two rectangles share at least one pixel. */
bool layout_rects_overlap(const struct video_rect *a, const struct video_rect *b);
