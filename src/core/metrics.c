/* SPDX-License-Identifier: MIT */
/* The metrics registry and the process collector. */
#include "metrics.h"

#include "cau-build.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

struct collector {
	metrics_collect_fn fn;
	gpointer user_data;
};

struct metrics {
	GArray *collectors; /* of struct collector */
	double start_time;  /* unix seconds */
};

static void escape_label(GString *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			g_string_append_c(out, '\\');
		if (*v == '\n') {
			g_string_append(out, "\\n");
			continue;
		}
		g_string_append_c(out, *v);
	}
}

void metrics_write_header(GString *out, const char *name, const char *type, const char *help)
{
	g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void metrics_write_sample(GString *out, const char *name, double value, ...)
{
	va_list ap;
	const char *label;
	bool first = true;
	char num[G_ASCII_DTOSTR_BUF_SIZE];

	g_string_append(out, name);
	va_start(ap, value);
	while ((label = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);
		g_string_append(out, first ? "{" : ",");
		g_string_append_printf(out, "%s=\"", label);
		escape_label(out, v ? v : "");
		g_string_append_c(out, '"');
		first = false;
	}
	va_end(ap);
	if (!first)
		g_string_append_c(out, '}');
	g_string_append_printf(out, " %s\n", g_ascii_dtostr(num, sizeof num, value));
}

/* Counts the entries of /proc/self/fd; -1 if it cannot be read. */
static int open_fds(void)
{
	g_autoptr(GDir) dir = g_dir_open("/proc/self/fd", 0, NULL);
	int n = 0;

	if (!dir)
		return -1;
	while (g_dir_read_name(dir))
		n++;
	return n - 1; /* the GDir's own descriptor */
}

/* Resident set size in bytes from /proc/self/statm. */
static double resident_bytes(void)
{
	g_autofree char *statm = NULL;
	unsigned long size = 0, resident = 0;

	if (!g_file_get_contents("/proc/self/statm", &statm, NULL, NULL) ||
	    sscanf(statm, "%lu %lu", &size, &resident) != 2)
		return 0;
	return (double)resident * (double)sysconf(_SC_PAGESIZE);
}

static void collect_process(GString *out, gpointer user_data)
{
	struct metrics *m = user_data;
	struct rusage ru;
	double cpu = 0;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
		      ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
	metrics_write_header(out, "process_cpu_seconds_total", "counter",
	                     "User and system CPU time spent, in seconds.");
	metrics_write_sample(out, "process_cpu_seconds_total", cpu, NULL);
	metrics_write_header(out, "process_resident_memory_bytes", "gauge",
	                     "Resident memory size in bytes.");
	metrics_write_sample(out, "process_resident_memory_bytes", resident_bytes(), NULL);
	metrics_write_header(out, "process_open_fds", "gauge", "Open file descriptors.");
	metrics_write_sample(out, "process_open_fds", open_fds(), NULL);
	metrics_write_header(out, "process_start_time_seconds", "gauge",
	                     "Start time of the process since the Unix epoch, in seconds.");
	metrics_write_sample(out, "process_start_time_seconds", m->start_time, NULL);
	metrics_write_header(out, "cau_build_info", "gauge", "Build information; always 1.");
	metrics_write_sample(out, "cau_build_info", 1, "version", CAU_VERSION, NULL);
}

struct metrics *metrics_new(void)
{
	struct metrics *m = g_new0(struct metrics, 1);

	m->collectors = g_array_new(FALSE, FALSE, sizeof(struct collector));
	m->start_time = (double)g_get_real_time() / 1e6;
	metrics_add_collector(m, collect_process, m);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	g_array_free(m->collectors, TRUE);
	g_free(m);
}

void metrics_add_collector(struct metrics *m, metrics_collect_fn fn, gpointer user_data)
{
	struct collector c = {fn, user_data};

	g_array_append_val(m->collectors, c);
}

void metrics_remove_collector(struct metrics *m, metrics_collect_fn fn, gpointer user_data)
{
	for (guint i = 0; i < m->collectors->len; i++) {
		struct collector *c = &g_array_index(m->collectors, struct collector, i);
		if (c->fn == fn && c->user_data == user_data) {
			g_array_remove_index(m->collectors, i);
			return;
		}
	}
}

char *metrics_render(struct metrics *m)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < m->collectors->len; i++) {
		struct collector *c = &g_array_index(m->collectors, struct collector, i);
		c->fn(out, c->user_data);
	}
	return g_string_free(out, FALSE);
}
