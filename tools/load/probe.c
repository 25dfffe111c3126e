/* SPDX-License-Identifier: MIT */
/* Measurements around a window of cau-load: a process's CPU time from /proc/PID/stat, the
 * tool's own from getrusage(), and counters and histograms read from a /metrics page. */
#define G_LOG_DOMAIN "cau-load"
#include "load.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

double probe_process_cpu_s(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
	g_autofree char *text = NULL;
	g_auto(GStrv) fields = NULL;
	const char *rest;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	rest = strrchr(text, ')');
	if (!rest)
		return -1;
	fields = g_strsplit(rest + 2, " ", -1);
	if (g_strv_length(fields) < 13)
		return -1;
	/* After the command: state is field 0, utime 11, stime 12 (proc(5), 14 and 15). */
	return (double)(g_ascii_strtoull(fields[11], NULL, 10) +
	                g_ascii_strtoull(fields[12], NULL, 10)) /
	       (double)sysconf(_SC_CLK_TCK);
}

double probe_self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* Every sample of a Prometheus text page: "name{labels}" -> value (a double in a box). */
GHashTable *probe_metrics(SoupSession *http, const char *url)
{
	g_autoptr(SoupMessage) msg = soup_message_new("GET", url);
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GError) error = NULL;
	GHashTable *samples = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_auto(GStrv) lines = NULL;
	g_autofree char *text = NULL;
	gsize len = 0;

	if (!msg)
		return samples;
	body = soup_session_send_and_read(http, msg, NULL, &error);
	if (!body) {
		g_warning("metrics %s: %s", url, error->message);
		return samples;
	}
	text = g_strndup(g_bytes_get_data(body, &len), g_bytes_get_size(body));
	lines = g_strsplit(text, "\n", -1);
	for (char **line = lines; *line; line++) {
		char *space = strrchr(*line, ' ');
		double *value;

		if (**line == '#' || !space)
			continue;
		value = g_new(double, 1);
		*value = g_ascii_strtod(space + 1, NULL);
		g_hash_table_insert(samples, g_strndup(*line, (gsize)(space - *line)), value);
	}
	return samples;
}

/* Whether key is a sample of the family name ("name" or "name{...}"). */
static bool is_sample_of(const char *key, const char *name)
{
	size_t len = strlen(name);

	return strncmp(key, name, len) == 0 && (key[len] == '\0' || key[len] == '{');
}

double probe_metrics_sum(GHashTable *before, GHashTable *after, const char *name)
{
	GHashTableIter iter;
	gpointer key, value;
	double sum = 0;

	g_hash_table_iter_init(&iter, after);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const double *old = g_hash_table_lookup(before, key);

		if (is_sample_of(key, name))
			sum += *(const double *)value - (old ? *old : 0);
	}
	return sum;
}

struct bucket {
	double le, count;
};

static int compare_bucket(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;

	return x->le < y->le ? -1 : x->le > y->le;
}

double probe_histogram_quantile(GHashTable *before, GHashTable *after, const char *name, double q)
{
	g_autofree char *family = g_strconcat(name, "_bucket", NULL);
	g_autoptr(GArray) buckets = g_array_new(FALSE, FALSE, sizeof(struct bucket));
	GHashTableIter iter;
	gpointer key, value;
	double total;

	/* Buckets of every room added up by their bound. */
	g_hash_table_iter_init(&iter, after);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const double *old = g_hash_table_lookup(before, key);
		const char *le = strstr(key, "le=\"");
		struct bucket b;
		bool found = false;

		if (!is_sample_of(key, family) || !le)
			continue;
		b.le = strncmp(le + 4, "+Inf", 4) == 0 ? G_MAXDOUBLE : g_ascii_strtod(le + 4, NULL);
		b.count = *(const double *)value - (old ? *old : 0);
		for (guint i = 0; i < buckets->len; i++) {
			struct bucket *have = &g_array_index(buckets, struct bucket, i);

			if (have->le == b.le) {
				have->count += b.count;
				found = true;
			}
		}
		if (!found)
			g_array_append_val(buckets, b);
	}
	if (buckets->len == 0)
		return -1;
	g_array_sort(buckets, compare_bucket);
	total = g_array_index(buckets, struct bucket, buckets->len - 1).count;
	if (total <= 0)
		return -1;
	for (guint i = 0; i < buckets->len; i++) {
		const struct bucket *b = &g_array_index(buckets, struct bucket, i);

		if (b->count >= q * total)
			return b->le;
	}
	return G_MAXDOUBLE;
}
