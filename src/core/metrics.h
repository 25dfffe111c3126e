/* SPDX-License-Identifier: MIT */
/* A registry of metric collectors rendered in the Prometheus text format. Each module
 * keeps its own counters (atomics on hot paths) and registers a collector that writes
 * them when /metrics is read. */
#pragma once

#include <glib.h>

typedef struct metrics metrics;

/* Writes the module's samples to `out` with metrics_write_header/metrics_write_sample.
 * Called on the thread that renders, so it must read shared counters safely. */
typedef void (*metrics_collect_fn)(GString *out, gpointer user_data);

/* A registry that already holds the process collector (CPU, memory, fds, start time) and
 * cau_build_info. Free with metrics_free(); not thread safe: register from one thread. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(metrics, metrics_free)

/* Adds a collector; `user_data` must outlive the registry or be removed first. */
void metrics_add_collector(struct metrics *m, metrics_collect_fn fn, gpointer user_data);
void metrics_remove_collector(struct metrics *m, metrics_collect_fn fn, gpointer user_data);

/* Renders every collector. Caller owns the returned string. */
char *metrics_render(struct metrics *m);

/* Writes "# HELP" and "# TYPE" lines; `type` is counter, gauge, ... */
void metrics_write_header(GString *out, const char *name, const char *type, const char *help);

/* Writes one sample. `labels` is NULL or name/value pairs ending with NULL; values are
 * escaped as the format requires. */
void metrics_write_sample(GString *out, const char *name, double value, ...) G_GNUC_NULL_TERMINATED;
