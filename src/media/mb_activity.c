/* SPDX-License-Identifier: MIT */
/* Macroblock change tracking for the encoders' active maps (see mb_activity.h). */
#include "media/mb_activity.h"

#include <glib.h>
#include <string.h>

#define AGE_MAX 255

struct mb_activity {
	int width, height;
	int cols, rows;
	unsigned refine;
	uint8_t *changed; /* marked since the last encode */
	uint8_t *age;     /* encodes since the last change, saturating */
	uint8_t *map;     /* the last encode's active map */
};

struct mb_activity *mb_activity_new(int width, int height, unsigned refine)
{
	struct mb_activity *a;
	size_t n;

	if (width < 2 || height < 2 || width > 4096 || height > 4096 || ((width | height) & 1) ||
	    refine > 32)
		return NULL;
	a = g_new0(struct mb_activity, 1);
	a->width = width;
	a->height = height;
	a->cols = (width + 15) / 16;
	a->rows = (height + 15) / 16;
	a->refine = refine;
	n = (size_t)a->cols * (size_t)a->rows;
	a->changed = g_malloc(n);
	a->age = g_malloc(n);
	a->map = g_malloc(n);
	memset(a->changed, 1, n);
	memset(a->age, AGE_MAX, n);
	return a;
}

void mb_activity_free(struct mb_activity *a)
{
	if (!a)
		return;
	g_free(a->changed);
	g_free(a->age);
	g_free(a->map);
	g_free(a);
}

void mb_activity_grid(const struct mb_activity *a, int *cols, int *rows)
{
	*cols = a->cols;
	*rows = a->rows;
}

void mb_activity_mark(struct mb_activity *a, const struct video_rect *r)
{
	int x0 = MAX(r->x, 0), y0 = MAX(r->y, 0);
	int x1 = MIN(r->x + r->width, a->width), y1 = MIN(r->y + r->height, a->height);

	if (r->width <= 0 || r->height <= 0 || x0 >= x1 || y0 >= y1)
		return;
	for (int row = y0 / 16; row <= (y1 - 1) / 16; row++)
		memset(a->changed + (size_t)row * (size_t)a->cols + (size_t)(x0 / 16), 1,
		       (size_t)((x1 - 1) / 16 - x0 / 16 + 1));
}

void mb_activity_mark_all(struct mb_activity *a)
{
	memset(a->changed, 1, (size_t)a->cols * (size_t)a->rows);
}

const uint8_t *mb_activity_next(struct mb_activity *a, unsigned *active)
{
	size_t n = (size_t)a->cols * (size_t)a->rows;
	unsigned count = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned age = a->changed[i] ? 0 : MIN(a->age[i] + 1u, (unsigned)AGE_MAX);
		bool on = age == 0 || (age >= 2 && age < 2 + a->refine);

		a->age[i] = (uint8_t)age;
		a->map[i] = on;
		count += on;
	}
	memset(a->changed, 0, n);
	*active = count;
	return count == n ? NULL : a->map;
}
