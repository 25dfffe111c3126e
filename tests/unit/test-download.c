/* SPDX-License-Identifier: MIT */
/* Unit tests of download helpers: Range headers (RFC 9110) and Content-Disposition file
 * names (RFC 6266 / 8187) with Vietnamese names. */
#include "api/download.h"

#include <string.h>

static void test_ranges(void)
{
	static const struct {
		const char *header;
		gint64 size;
		enum download_range result;
		gint64 first, last;
	} cases[] = {
	    {NULL, 100, DOWNLOAD_RANGE_NONE, 0, 0},
	    {"bytes=0-9", 100, DOWNLOAD_RANGE_OK, 0, 9},
	    {"bytes=10-", 100, DOWNLOAD_RANGE_OK, 10, 99},
	    {"bytes=-10", 100, DOWNLOAD_RANGE_OK, 90, 99},
	    {"bytes=-1000", 100, DOWNLOAD_RANGE_OK, 0, 99},
	    {"bytes=50-1000", 100, DOWNLOAD_RANGE_OK, 50, 99},
	    {"bytes=99-99", 100, DOWNLOAD_RANGE_OK, 99, 99},
	    {" BYTES= 5-6 ", 100, DOWNLOAD_RANGE_OK, 5, 6},
	    {"bytes=100-", 100, DOWNLOAD_RANGE_UNSATISFIABLE, 0, 0},
	    {"bytes=100-200", 100, DOWNLOAD_RANGE_UNSATISFIABLE, 0, 0},
	    {"bytes=-0", 100, DOWNLOAD_RANGE_UNSATISFIABLE, 0, 0},
	    {"bytes=0-", 0, DOWNLOAD_RANGE_UNSATISFIABLE, 0, 0},
	    /* not understood: the whole file is sent */
	    {"bytes=9-0", 100, DOWNLOAD_RANGE_NONE, 0, 0},
	    {"bytes=0-1,5-6", 100, DOWNLOAD_RANGE_NONE, 0, 0},
	    {"items=0-1", 100, DOWNLOAD_RANGE_NONE, 0, 0},
	    {"bytes=", 100, DOWNLOAD_RANGE_NONE, 0, 0},
	    {"bytes=-", 100, DOWNLOAD_RANGE_NONE, 0, 0},
	    {"bytes=a-b", 100, DOWNLOAD_RANGE_NONE, 0, 0},
	    {"bytes=+1-2", 100, DOWNLOAD_RANGE_NONE, 0, 0},
	    {"bytes=99999999999999999999-", 100, DOWNLOAD_RANGE_NONE, 0, 0},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		gint64 first = 0, last = 0;
		enum download_range r =
		    download_range_parse(cases[i].header, cases[i].size, &first, &last);

		g_test_message("%s", cases[i].header ? cases[i].header : "(none)");
		g_assert_cmpint(r, ==, cases[i].result);
		if (r == DOWNLOAD_RANGE_OK) {
			g_assert_cmpint(first, ==, cases[i].first);
			g_assert_cmpint(last, ==, cases[i].last);
		}
	}
}

static void test_content_disposition(void)
{
	g_autofree char *vi =
	    download_content_disposition("attachment", "Báo cáo Tỉnh Lâm Đồng 2024.pdf");
	g_autofree char *odd = download_content_disposition("inline", "a\"b\\c;d\n.png");

	/* Browsers take filename*; older clients the ASCII fallback without diacritics. */
	g_assert_cmpstr(vi, ==,
	                "attachment; filename=\"Bao cao Tinh Lam Dong 2024.pdf\"; "
	                "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20T%E1%BB%89nh%20L%C3%A2m%20%C4%90"
	                "%E1%BB%93ng%202024.pdf");
	g_assert_cmpstr(odd, ==,
	                "inline; filename=\"a_b_c;d_.png\"; "
	                "filename*=UTF-8''a%22b%5Cc%3Bd%0A.png");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/download/ranges", test_ranges);
	g_test_add_func("/download/content-disposition", test_content_disposition);
	return g_test_run();
}
