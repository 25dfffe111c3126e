/* SPDX-License-Identifier: MIT */
/* The transport worker pool: threads with their own main loops and a peer count each. */
#define G_LOG_DOMAIN "cau-worker"
#include "worker.h"

/*
 * A worker begins its iterations at least a batch period apart: an iteration costs GLib
 * a prepare, a check and a poll entry for every source attached (a libnice socket per
 * peer), so waking for each of the 25,000 datagrams a second that 500 peers send would
 * spend a core on bookkeeping alone. Sleeping out the rest of the period lets the
 * datagrams gather in the sockets, to be read in one iteration. The period grows with the
 * peers (as the cost of an iteration does), from 0.25 ms to 2 ms at 440 peers and more; a
 * packet waits at most that long, well inside the jitter buffers' 20 ms.
 */
#define WORKER_BATCH_MIN_US      250
#define WORKER_BATCH_PER_PEER_US 4
#define WORKER_BATCH_MAX_US      2000

struct worker {
	struct worker_pool *pool;
	unsigned index;
	GMainContext *context;
	GThread *thread;
	gint running; /* atomic: cleared on the worker's thread to stop it */
	gint load;    /* atomic: peers assigned */
	/* One timer for every peer's periodic work, instead of a GSource each (which GLib
	 * would prepare and check on every iteration). The worker's thread only. */
	GSource *ticker;
	GArray *tickers; /* struct ticker */
	bool ticking;    /* inside the ticker's callback: removals only clear entries */
};

struct ticker {
	worker_tick_fn fn;
	void *data; /* NULL: removed while ticking, compacted afterwards */
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
	while (g_atomic_int_get(&w->running)) {
		int64_t start = g_get_monotonic_time();

		g_main_context_iteration(w->context, TRUE);
		/* One that waited longer in poll() (the sources were idle) is followed at once. */
		int64_t period = MIN(WORKER_BATCH_MIN_US + WORKER_BATCH_PER_PEER_US *
		                                               (int64_t)g_atomic_int_get(&w->load),
		                     WORKER_BATCH_MAX_US);
		int64_t since = g_get_monotonic_time() - start;
		if (since < period)
			g_usleep((gulong)(period - since));
	}
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
		w->running = 1;
		w->tickers = g_array_new(FALSE, FALSE, sizeof(struct ticker));
		w->thread = g_thread_new(name, worker_main, w);
	}
	g_info("transport: %u worker thread%s", pool->count, pool->count == 1 ? "" : "s");
	return pool;
}

static gboolean run_tickers(gpointer data)
{
	struct worker *w = data;
	guint kept = 0;

	w->ticking = true;
	for (guint i = 0; i < w->tickers->len; i++) {
		struct ticker *t = &g_array_index(w->tickers, struct ticker, i);

		if (t->data)
			t->fn(t->data);
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

void worker_add_ticker(struct worker *w, worker_tick_fn fn, void *data)
{
	struct ticker t = {fn, data};

	g_return_if_fail(worker_is_current(w) && data);
	g_array_append_val(w->tickers, t);
	if (!w->ticker) {
		w->ticker = g_timeout_source_new(WORKER_TICK_MS);
		g_source_set_callback(w->ticker, run_tickers, w, NULL);
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
