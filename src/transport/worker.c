/* SPDX-License-Identifier: MIT */
/* The transport worker pool: threads with their own main loops and a peer count each. */
#define G_LOG_DOMAIN "cau-worker"
#include "worker_private.h"

#include <string.h>

__thread struct worker *worker_current;

/* ---- the loop ---- */

static gpointer worker_main(gpointer data)
{
	struct worker *w = data;

	worker_current = w;
	g_main_context_push_thread_default(w->context);
	g_debug("[worker %u] running", w->index);
	while (g_atomic_int_get(&w->running))
		g_main_context_iteration(w->context, TRUE);
	/* Sources queued before the quit (last unrefs, closes) still deserve to run. */
	while (g_main_context_iteration(w->context, FALSE))
		;
	worker_subs_drop(w);
	g_main_context_pop_thread_default(w->context);
	worker_current = NULL;
	g_debug("[worker %u] stopped", w->index);
	return NULL;
}

struct worker_pool *worker_pool_new(unsigned count)
{
	struct worker_pool *pool = g_new0(struct worker_pool, 1);

	pool->count = count ? count : g_get_num_processors();
	pool->workers = g_new0(struct worker, pool->count);
	pool->batch_max_us = WORKER_BATCH_MAX_US;
	pool->use_epoll = 1;
	g_mutex_init(&pool->lock);
	for (unsigned i = 0; i < pool->count; i++) {
		struct worker *w = &pool->workers[i];
		g_autofree char *name = g_strdup_printf("cau-transport-%u", i);

		w->pool = pool;
		w->index = i;
		w->context = g_main_context_new();
		w->running = 1;
		w->tickers = g_array_new(FALSE, FALSE, sizeof(struct ticker));
		worker_poller_init(w);
		g_main_context_set_poll_func(w->context, worker_poll);
		w->thread = g_thread_new(name, worker_main, w);
	}
	g_info("transport: %u worker thread%s", pool->count, pool->count == 1 ? "" : "s");
	return pool;
}

static gboolean run_tickers(gpointer data)
{
	struct worker *w = data;
	int64_t now = g_source_get_time(w->ticker);
	guint kept = 0;

	/* The next deadline is one period after this one, not after now: the ticks keep
	 * their rhythm however late one runs. Behind by whole periods, those are skipped. */
	w->tick_next_us += WORKER_TICK_MS * 1000;
	if (w->tick_next_us <= now)
		w->tick_next_us +=
		    (now - w->tick_next_us) / (WORKER_TICK_MS * 1000) * (WORKER_TICK_MS * 1000) +
		    WORKER_TICK_MS * 1000;
	g_source_set_ready_time(w->ticker, w->tick_next_us);

	w->ticking = true;
	for (guint i = 0; i < w->tickers->len; i++) {
		struct ticker *t = &g_array_index(w->tickers, struct ticker, i);
		int64_t wait;

		if (!t->data || now < t->due_us)
			continue;
		wait = t->fn(t->data);
		/* A tick runs a little after its deadline, by more or less each time: half a
		 * period of slack, so that a wait of k periods is k ticks, not sometimes k + 1. */
		t = &g_array_index(w->tickers, struct ticker, i); /* fn may have added one */
		t->due_us = now + wait - WORKER_TICK_MS * 1000 / 2;
	}
	w->ticking = false;
	for (guint i = 0; i < w->tickers->len; i++) {
		struct ticker t = g_array_index(w->tickers, struct ticker, i);

		if (t.data)
			g_array_index(w->tickers, struct ticker, kept++) = t;
	}
	g_array_set_size(w->tickers, kept);
	return G_SOURCE_CONTINUE;
}

static gboolean ticker_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
	return callback(data);
}

static GSourceFuncs ticker_funcs = {.dispatch = ticker_dispatch};

void worker_add_ticker(struct worker *w, worker_tick_fn fn, void *data)
{
	struct ticker t = {fn, data, 0};

	g_return_if_fail(worker_is_current(w) && data);
	g_array_append_val(w->tickers, t);
	if (!w->ticker) {
		w->ticker = g_source_new(&ticker_funcs, sizeof(GSource));
		g_source_set_callback(w->ticker, run_tickers, w, NULL);
		w->tick_next_us = g_get_monotonic_time() + WORKER_TICK_MS * 1000;
		g_source_set_ready_time(w->ticker, w->tick_next_us);
		g_source_attach(w->ticker, w->context);
	}
}

void worker_remove_ticker(struct worker *w, void *data)
{
	g_return_if_fail(worker_is_current(w));
	for (guint i = 0; i < w->tickers->len; i++) {
		struct ticker *t = &g_array_index(w->tickers, struct ticker, i);

		if (t->data != data)
			continue;
		if (w->ticking)
			t->data = NULL;
		else
			g_array_remove_index_fast(w->tickers, i);
		return;
	}
}

static gboolean quit_loop(gpointer data)
{
	struct worker *w = data;

	g_atomic_int_set(&w->running, 0);
	if (w->ticker) {
		g_source_destroy(w->ticker);
		g_clear_pointer(&w->ticker, g_source_unref);
	}
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
		g_warn_if_fail(w->tickers->len == 0);
		g_array_unref(w->tickers);
		worker_poller_clear(w);
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

void worker_pool_set_batch_max(struct worker_pool *pool, unsigned max_us)
{
	g_atomic_int_set(&pool->batch_max_us, (gint)MIN(max_us, (unsigned)G_MAXINT));
}

uint64_t worker_polls(const struct worker *w)
{
	return __atomic_load_n(&w->poller.polls, __ATOMIC_RELAXED);
}

void worker_pool_set_epoll(struct worker_pool *pool, bool epoll)
{
	g_atomic_int_set(&pool->use_epoll, epoll);
}
