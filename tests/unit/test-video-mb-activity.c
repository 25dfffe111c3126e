/* SPDX-License-Identifier: MIT */
/* Macroblock change tracking for the encoders' active maps: which blocks a changed
 * rectangle touches (clipped, at the grid's edges), the ages and the refinement schedule
 * of a still block, and no map when every block is active. */
#include <glib.h>
#include <string.h>

#include "media/mb_activity.h"

/* The map of the next encode as a string of '1' and '.', row by row. */
static char *next_map(struct mb_activity *a, unsigned *active)
{
	const uint8_t *map = mb_activity_next(a, active);
	int cols, rows;
	GString *s = g_string_new(NULL);

	mb_activity_grid(a, &cols, &rows);
	for (int i = 0; i < cols * rows; i++)
		g_string_append_c(s, !map || map[i] ? '1' : '.');
	return g_string_free(s, FALSE);
}

static void test_grid_and_marks(void)
{
	struct mb_activity *a = mb_activity_new(70, 34, 0); /* 5 x 3 blocks, the last partial */
	unsigned active;
	int cols, rows;
	char *m;

	g_assert_null(mb_activity_new(0, 16, 0));
	g_assert_null(mb_activity_new(33, 16, 0));
	g_assert_null(mb_activity_new(16, 16, 33));
	mb_activity_grid(a, &cols, &rows);
	g_assert_cmpint(cols, ==, 5);
	g_assert_cmpint(rows, ==, 3);
	/* Everything starts changed: the first encode needs no map. */
	g_assert_null(mb_activity_next(a, &active));
	g_assert_cmpuint(active, ==, 15);
	/* Nothing changed, no refinement: every block skipped. */
	m = next_map(a, &active);
	g_assert_cmpstr(m, ==, "...............");
	g_assert_cmpuint(active, ==, 0);
	g_free(m);
	/* Pixels 15..16 x 16..16: two blocks in the second row (a rectangle touching a block
	 * by one pixel marks it). */
	mb_activity_mark(a, &(struct video_rect){15, 16, 2, 1});
	/* Clipped at the right and bottom edges: the last column's last row. */
	mb_activity_mark(a, &(struct video_rect){66, 33, 100, 100});
	/* Outside, or empty: nothing. */
	mb_activity_mark(a, &(struct video_rect){-40, 0, 20, 34});
	mb_activity_mark(a, &(struct video_rect){0, 0, 0, 34});
	mb_activity_mark(a, &(struct video_rect){80, 0, 10, 10});
	m = next_map(a, &active);
	g_assert_cmpstr(m, ==,
	                "....."
	                "11..."
	                "....1");
	g_assert_cmpuint(active, ==, 3);
	g_free(m);
	/* A negative origin is clipped, not wrapped. */
	mb_activity_mark(a, &(struct video_rect){-8, -8, 10, 10});
	m = next_map(a, &active);
	g_assert_cmpstr(m, ==, "1..............");
	g_free(m);
	mb_activity_mark_all(a);
	g_assert_null(mb_activity_next(a, &active));
	g_assert_cmpuint(active, ==, 15);
	mb_activity_free(a);
	mb_activity_free(NULL);
}

/* A block that changes once is coded then, skipped the encode after, refined `refine`
 * times, then skipped for good; one changing every second encode (a 15 fps camera in a
 * 30 fps picture) is coded when it changes only. */
static void test_refinement(void)
{
	struct mb_activity *a = mb_activity_new(32, 16, 3);
	const struct video_rect left = {0, 0, 16, 16}, right = {16, 0, 16, 16};
	GString *seen = g_string_new(NULL);
	unsigned active;

	g_assert_null(mb_activity_next(a, &active)); /* the first: everything */
	for (unsigned e = 0; e < 10; e++) {
		char *m;

		if (e == 0)
			mb_activity_mark(a, &left);
		if (e % 2 == 0)
			mb_activity_mark(a, &right);
		m = next_map(a, &active);
		g_string_append_printf(seen, "%s ", m);
		g_free(m);
	}
	/* left: changed at 0, skipped at 1, refined at 2, 3, 4, then still. */
	g_assert_cmpstr(seen->str, ==, "11 .. 11 1. 11 .. .1 .. .1 .. ");
	g_string_free(seen, TRUE);
	mb_activity_free(a);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mb-activity/grid-and-marks", test_grid_and_marks);
	g_test_add_func("/mb-activity/refinement", test_refinement);
	return g_test_run();
}
