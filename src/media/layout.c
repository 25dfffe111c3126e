/* SPDX-License-Identifier: MIT */
/* Where each source goes on a view's canvas: grid (paged), speaker and pinned layouts, and
 * the letterbox fit of a picture in its tile. Pure geometry, no state. */
#include "media/layout.h"

#include <errno.h>
#include <string.h>

static int even_down(int v)
{
	return v & ~1;
}

/* The boundary i of n equal parts of length total, starting at origin, on an even pixel:
 * consecutive cells share their boundary, so cells tile the span exactly. */
static int cut(int origin, int total, unsigned i, unsigned n)
{
	return origin + even_down((int)((int64_t)total * i / n));
}

/* A cell between boundaries, shrunk by margin on every side (never below 2x2). */
static struct video_rect cell(int x0, int y0, int x1, int y1, int margin)
{
	struct video_rect r = {x0, y0, x1 - x0, y1 - y0};

	if (r.width > 2 * margin + 2 && r.height > 2 * margin + 2) {
		r.x += margin;
		r.y += margin;
		r.width -= 2 * margin;
		r.height -= 2 * margin;
	}
	return r;
}

unsigned layout_page_count(unsigned sources, unsigned page_size)
{
	if (page_size == 0 || page_size > LAYOUT_PAGE_SIZE_MAX)
		page_size = LAYOUT_PAGE_SIZE_MAX;
	return sources == 0 ? 1 : (sources + page_size - 1) / page_size;
}

static void grid_shape(unsigned n, unsigned *columns, unsigned *rows)
{
	unsigned c = 1;

	while (c * c < n)
		c++;
	*columns = c;
	*rows = n == 0 ? 0 : (n + c - 1) / c;
}

static void layout_grid(const struct layout_request *req, struct layout_result *out)
{
	unsigned page_size = req->page_size ? req->page_size : LAYOUT_PAGE_SIZE_MAX;
	unsigned n, columns, rows;
	int w = req->canvas_width, h = req->canvas_height;

	out->page_count = layout_page_count(req->sources, page_size);
	out->page = req->page < out->page_count ? req->page : out->page_count - 1;
	out->first_source = out->page * page_size;
	n = req->sources > out->first_source ? req->sources - out->first_source : 0;
	if (n > page_size)
		n = page_size;
	grid_shape(n, &columns, &rows);
	out->columns = columns;
	out->rows = rows;
	out->tile_count = n;
	for (unsigned i = 0; i < n; i++) {
		unsigned row = i / columns, col = i % columns;
		unsigned in_row = row == rows - 1 ? n - row * columns : columns;
		/* A short last row is centred: shift it by half the missing cells. */
		int shift = (int)((int64_t)w * (columns - in_row) / (2 * columns));
		int x0 = cut(0, w, col, columns) + even_down(shift);
		int x1 = cut(0, w, col + 1, columns) + even_down(shift);

		out->tiles[i] =
		    cell(x0, cut(0, h, row, rows), x1, cut(0, h, row + 1, rows), req->margin);
	}
}

static void layout_speaker(const struct layout_request *req, struct layout_result *out)
{
	int w = req->canvas_width, h = req->canvas_height;
	unsigned strip = req->sources > 1 ? req->sources - 1 : 0;
	int strip_top, shift;

	out->page_count = 1;
	out->tile_count = req->sources ? 1 : 0;
	if (strip > req->strip_max)
		strip = req->strip_max;
	if (req->sources == 0)
		return;
	if (strip == 0) {
		out->tiles[0] = cell(0, 0, w, h, req->margin);
		return;
	}
	strip_top = h - even_down(h / 5);
	out->tiles[0] = cell(0, 0, w, strip_top, req->margin);
	shift = even_down((int)((int64_t)w * (req->strip_max - strip) / (2 * req->strip_max)));
	for (unsigned i = 0; i < strip; i++)
		out->tiles[1 + i] = cell(cut(0, w, i, req->strip_max) + shift, strip_top,
		                         cut(0, w, i + 1, req->strip_max) + shift, h, req->margin);
	out->tile_count = 1 + strip;
}

int layout_compute(const struct layout_request *req, struct layout_result *out)
{
	memset(out, 0, sizeof(*out));
	if (req->canvas_width < LAYOUT_MIN_CANVAS || req->canvas_width > LAYOUT_MAX_CANVAS ||
	    req->canvas_height < LAYOUT_MIN_CANVAS || req->canvas_height > LAYOUT_MAX_CANVAS ||
	    (req->canvas_width | req->canvas_height) & 1)
		return -EINVAL;
	if (req->margin < 0 || req->margin & 1 || req->page_size > LAYOUT_PAGE_SIZE_MAX ||
	    req->strip_max > LAYOUT_STRIP_MAX)
		return -EINVAL;
	switch (req->kind) {
	case LAYOUT_GRID:
		layout_grid(req, out);
		return 0;
	case LAYOUT_SPEAKER:
	case LAYOUT_PINNED:
		layout_speaker(req, out);
		return 0;
	}
	return -EINVAL;
}

void layout_fit(const struct video_rect *area, int src_width, int src_height,
                struct video_rect *out)
{
	int64_t w = area->width, h = area->height;

	*out = *area;
	if (src_width <= 0 || src_height <= 0)
		return;
	/* Compare the aspect ratios exactly: src_w/src_h against area_w/area_h. */
	if ((int64_t)src_width * h > (int64_t)src_height * w)
		h = w * src_height / src_width; /* wider than the area: bars above and below */
	else
		w = h * src_width / src_height; /* taller: bars left and right */
	out->width = even_down((int)w);
	out->height = even_down((int)h);
	if (out->width < 2)
		out->width = 2 <= area->width ? 2 : area->width;
	if (out->height < 2)
		out->height = 2 <= area->height ? 2 : area->height;
	out->x = area->x + even_down((area->width - out->width) / 2);
	out->y = area->y + even_down((area->height - out->height) / 2);
}

bool layout_rects_overlap(const struct video_rect *a, const struct video_rect *b)
{
	return a->x < b->x + b->width && b->x < a->x + a->width && a->y < b->y + b->height &&
	       b->y < a->y + a->height;
}
