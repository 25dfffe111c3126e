/* SPDX-License-Identifier: MIT */
/* Unit tests of the metrics registry and its text format. */
#include "core/metrics.h"

#include <string.h>

static void collect_sample(GString *out, gpointer user_data)
{
	int *calls = user_data;

	(*calls)++;
	metrics_write_header(out, "cau_test_total", "counter", "A test counter.");
	metrics_write_sample(out, "cau_test_total", 3, "route", "/a\"b\\c", "status", "200", NULL);
}

static void test_render(void)
{
	g_autoptr(metrics) m = metrics_new();
	int calls = 0;
	g_autofree char *with = NULL, *without = NULL;

	metrics_add_collector(m, collect_sample, &calls);
	with = metrics_render(m);
	g_assert_cmpint(calls, ==, 1);
	g_assert_nonnull(strstr(with, "# TYPE cau_test_total counter\n"));
	g_assert_nonnull(strstr(with, "cau_test_total{route=\"/a\\\"b\\\\c\",status=\"200\"} 3\n"));
	g_assert_nonnull(strstr(with, "process_cpu_seconds_total "));
	g_assert_nonnull(strstr(with, "process_resident_memory_bytes "));
	g_assert_nonnull(strstr(with, "cau_build_info{version=\""));

	metrics_remove_collector(m, collect_sample, &calls);
	without = metrics_render(m);
	g_assert_cmpint(calls, ==, 1);
	g_assert_null(strstr(without, "cau_test_total"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/metrics/render", test_render);
	return g_test_run();
}
