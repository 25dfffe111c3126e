/* SPDX-License-Identifier: MIT */
/* Wires the scheduler into `cau serve`: room events logged, counted and passed on. */
#define G_LOG_DOMAIN "cau"
#include "serve_meetings.h"

#include "app.h"
#include "control/scheduler.h"

/* How often the scheduler also rereads the store, for changes made by `cau meeting` or
 * another node: meetings they create still open within about a second. */
#define RESYNC_MS 1000

struct serve_meetings {
	struct clock *clock;
	struct meetings *meetings;
	struct scheduler *scheduler;
	struct join_secret secret;
	struct metrics *registry;
	guint64 opened, closed;
	serve_meetings_ended_fn ended_hook;
	gpointer ended_data;
	serve_meetings_closed_fn closed_hook;
	gpointer closed_data;
};

static void on_open(gint64 id, bool resumed, gpointer user_data)
{
	struct serve_meetings *sm = user_data;

	if (resumed) {
		g_info("[meeting %" G_GINT64_FORMAT "] room open again after the restart", id);
		return;
	}
	sm->opened++;
	g_info("[meeting %" G_GINT64_FORMAT "] room open", id);
}

static void on_close(gint64 id, gpointer user_data)
{
	struct serve_meetings *sm = user_data;

	sm->closed++;
	g_info("[meeting %" G_GINT64_FORMAT "] room closed", id);
	if (sm->closed_hook)
		sm->closed_hook(id, sm->closed_data);
}

static void on_ended(gint64 id, gpointer user_data)
{
	struct serve_meetings *sm = user_data;

	if (sm->ended_hook)
		sm->ended_hook(id, sm->ended_data);
}

void serve_meetings_on_ended(struct serve_meetings *sm, serve_meetings_ended_fn fn,
                             gpointer user_data)
{
	sm->ended_hook = fn;
	sm->ended_data = user_data;
}

void serve_meetings_on_room_closed(struct serve_meetings *sm, serve_meetings_closed_fn fn,
                                   gpointer user_data)
{
	sm->closed_hook = fn;
	sm->closed_data = user_data;
}

static void collect(GString *out, gpointer user_data)
{
	struct serve_meetings *sm = user_data;

	metrics_write_header(out, "cau_scheduler_transitions_total", "counter",
	                     "Meeting rooms opened and closed (on schedule, started or ended "
	                     "early, cancelled).");
	metrics_write_sample(out, "cau_scheduler_transitions_total", (double)sm->opened, "to",
	                     "open", NULL);
	metrics_write_sample(out, "cau_scheduler_transitions_total", (double)sm->closed, "to",
	                     "closed", NULL);
}

struct serve_meetings *serve_meetings_start(const struct config *cfg, struct store *st,
                                            struct metrics *registry, GError **error)
{
	g_autoptr(serve_meetings) sm = g_new0(struct serve_meetings, 1);
	struct meetings_config mc;
	struct scheduler_callbacks cb = {
	    .on_open = on_open, .on_close = on_close, .on_ended = on_ended};

	if (!app_meetings_config(cfg, &mc, error) ||
	    !join_secret_load(config_get_string(cfg, "data", "dir"), &sm->secret, error))
		return NULL;
	sm->clock = clock_new_real();
	sm->meetings = meetings_new(st, sm->clock, &mc);
	cb.user_data = sm;
	sm->scheduler = scheduler_new(sm->meetings, &cb, RESYNC_MS);
	sm->registry = registry;
	metrics_add_collector(registry, collect, sm);
	if (!scheduler_start(sm->scheduler, error))
		return NULL;
	return g_steal_pointer(&sm);
}

void serve_meetings_free(struct serve_meetings *sm)
{
	if (!sm)
		return;
	if (sm->registry)
		metrics_remove_collector(sm->registry, collect, sm);
	scheduler_free(sm->scheduler);
	meetings_free(sm->meetings);
	clock_free(sm->clock);
	g_free(sm);
}

struct meetings *serve_meetings_service(struct serve_meetings *sm)
{
	return sm->meetings;
}

const struct join_secret *serve_meetings_secret(struct serve_meetings *sm)
{
	return &sm->secret;
}
