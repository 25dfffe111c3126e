/* SPDX-License-Identifier: MIT */
/* The transport worker pool: threads with their own main loops and a peer count each. */
#define G_LOG_DOMAIN "cau-worker"
#include "worker.h"

struct worker {
	struct worker_pool *pool;
	unsigned index;
	GMainContext *context;
	GMainLoop *loop;
	GThread *thread;
	gint load; /* atomic: peers assigned */
};

struct worker_pool {
	unsigned count;
	struct worker *workers;
	GMutex lock; /* serialises acquire so that two peers do not both see the same minimum */
};

static gpointer worker_main(gpointer data)
{
	struct worker *w = data;

	g_main_context_push_thread_default(w->context);
	g_debug("[worker %u] running", w->index);
	g_main_loop_run(w->loop);
	/* Sources queued before the quit (last unrefs, closes) still deserve to run. */
	while (g_main_context_iteration(w->context, FALSE))
		;
	g_main_context_pop_thread_default(w->context);
	g_debug("[worker %u] stopped", w->index);
	return NULL;
}

struct worker_pool *worker_pool_new(unsigned count)
{
	struct worker_pool *pool = g_new0(struct worker_pool, 1);

	pool->count = count ? count : g_get_num_processors();
	pool->workers = g_new0(struct worker, pool->count);
	g_mutex_init(&pool->lock);
	for (unsigned i = 0; i < pool->count; i++) {
		struct worker *w = &pool->workers[i];
		g_autofree char *name = g_strdup_printf("cau-transport-%u", i);

		w->pool = pool;
		w->index = i;
		w->context = g_main_context_new();
		w->loop = g_main_loop_new(w->context, FALSE);
		w->thread = g_thread_new(name, worker_main, w);
	}
	g_info("transport: %u worker thread%s", pool->count, pool->count == 1 ? "" : "s");
	return pool;
}

static gboolean quit_loop(gpointer data)
{
	struct worker *w = data;

	g_main_loop_quit(w->loop);
	return G_SOURCE_REMOVE;
}

void worker_pool_free(struct worker_pool *pool)
{
	if (!pool)
		return;
	for (unsigned i = 0; i < pool->count; i++) {
		struct worker *w = &pool->workers[i];

		if (g_atomic_int_get(&w->load) != 0)
			g_warning("[worker %u] stopping with %d peers still assigned", i,
			          g_atomic_int_get(&w->load));
		g_main_context_invoke(w->context, quit_loop, w);
		g_thread_join(w->thread);
		g_main_loop_unref(w->loop);
		g_main_context_unref(w->context);
	}
	g_mutex_clear(&pool->lock);
	g_free(pool->workers);
	g_free(pool);
}

unsigned worker_pool_size(const struct worker_pool *pool)
{
	return pool->count;
}

struct worker *worker_pool_get(struct worker_pool *pool, unsigned i)
{
	g_return_val_if_fail(i < pool->count, NULL);
	return &pool->workers[i];
}

struct worker *worker_pool_acquire(struct worker_pool *pool)
{
	struct worker *best = &pool->workers[0];

	g_mutex_lock(&pool->lock);
	for (unsigned i = 1; i < pool->count; i++) {
		if (g_atomic_int_get(&pool->workers[i].load) < g_atomic_int_get(&best->load))
			best = &pool->workers[i];
	}
	g_atomic_int_inc(&best->load);
	g_mutex_unlock(&pool->lock);
	return best;
}

void worker_release(struct worker *w)
{
	gint before = g_atomic_int_add(&w->load, -1);

	g_warn_if_fail(before > 0);
}

unsigned worker_load(const struct worker *w)
{
	return (unsigned)g_atomic_int_get(&w->load);
}

unsigned worker_index(const struct worker *w)
{
	return w->index;
}

GMainContext *worker_context(struct worker *w)
{
	return w->context;
}

bool worker_is_current(const struct worker *w)
{
	return g_main_context_is_owner(w->context);
}

void worker_invoke(struct worker *w, GSourceFunc fn, gpointer data, GDestroyNotify destroy)
{
	g_main_context_invoke_full(w->context, G_PRIORITY_DEFAULT, fn, data, destroy);
}
