/* SPDX-License-Identifier: MIT */
/* Unit tests for the transport worker pool: assignment to the least loaded worker and work
 * run on the worker's own thread. */

#include "transport/worker.h"

#include <stddef.h>

struct probe {
	struct worker *worker;
	GMutex lock;
	GCond cond;
	bool ran, on_worker, destroyed;
	GThread *thread;
};

static gboolean probe_run(gpointer data)
{
	struct probe *p = data;

	g_mutex_lock(&p->lock);
	p->ran = true;
	p->on_worker = worker_is_current(p->worker) &&
	               g_main_context_get_thread_default() == worker_context(p->worker);
	p->thread = g_thread_self();
	g_mutex_unlock(&p->lock);
	return G_SOURCE_REMOVE;
}

static void probe_destroy(gpointer data)
{
	struct probe *p = data;

	g_mutex_lock(&p->lock);
	p->destroyed = true;
	g_cond_signal(&p->cond);
	g_mutex_unlock(&p->lock);
}

static void test_invoke_runs_on_worker(void)
{
	g_autoptr(worker_pool) pool = worker_pool_new(2);
	struct probe p = {0};
	GThread *first = NULL;

	g_mutex_init(&p.lock);
	g_cond_init(&p.cond);
	for (unsigned i = 0; i < 2; i++) {
		p.worker = worker_pool_get(pool, i);
		g_assert_false(worker_is_current(p.worker));
		g_mutex_lock(&p.lock);
		p.ran = p.destroyed = false;
		g_mutex_unlock(&p.lock);
		worker_invoke(p.worker, probe_run, &p, probe_destroy);
		g_mutex_lock(&p.lock);
		while (!p.destroyed)
			g_cond_wait(&p.cond, &p.lock);
		g_assert_true(p.ran && p.on_worker);
		g_assert_true(p.thread != g_thread_self());
		if (i == 0)
			first = p.thread;
		else
			g_assert_true(p.thread != first);
		g_mutex_unlock(&p.lock);
	}
	g_mutex_clear(&p.lock);
	g_cond_clear(&p.cond);
}

static void test_least_loaded(void)
{
	g_autoptr(worker_pool) pool = worker_pool_new(3);
	struct worker *a, *b, *c, *d;

	g_assert_cmpuint(worker_pool_size(pool), ==, 3);
	a = worker_pool_acquire(pool);
	b = worker_pool_acquire(pool);
	c = worker_pool_acquire(pool);
	g_assert_true(a != b && b != c && a != c);
	g_assert_cmpuint(worker_index(a), ==, 0);
	worker_release(b);
	d = worker_pool_acquire(pool); /* b is the only one with no peer */
	g_assert_true(d == b);
	d = worker_pool_acquire(pool); /* all at one: the lowest index */
	g_assert_true(d == a);
	g_assert_cmpuint(worker_load(a), ==, 2);
	worker_release(a);
	worker_release(a);
	worker_release(b);
	worker_release(c);
}

struct tick_probe {
	struct worker *worker;
	GMutex lock;
	GCond cond;
	int a, b; /* calls of the two tickers */
	bool on_worker, done;
};

static void tick_b(void *data)
{
	struct tick_probe *t = (struct tick_probe *)((char *)data - offsetof(struct tick_probe, b));

	g_mutex_lock(&t->lock);
	t->b++;
	g_mutex_unlock(&t->lock);
}

/* Removes b during its third tick (b comes after it: b must not run in that tick), then
 * itself at its sixth. */
static void tick_a(void *data)
{
	struct tick_probe *t = data;

	g_mutex_lock(&t->lock);
	t->a++;
	t->on_worker = t->on_worker && worker_is_current(t->worker);
	if (t->a == 3)
		worker_remove_ticker(t->worker, &t->b);
	if (t->a == 6) {
		worker_remove_ticker(t->worker, t);
		t->done = true;
		g_cond_signal(&t->cond);
	}
	g_mutex_unlock(&t->lock);
}

static gboolean add_tickers(gpointer data)
{
	struct tick_probe *t = data;

	worker_add_ticker(t->worker, tick_a, t);
	worker_add_ticker(t->worker, tick_b, &t->b);
	return G_SOURCE_REMOVE;
}

static void test_tickers(void)
{
	g_autoptr(worker_pool) pool = worker_pool_new(1);
	struct tick_probe t = {.worker = worker_pool_get(pool, 0), .on_worker = true};

	g_mutex_init(&t.lock);
	g_cond_init(&t.cond);
	worker_invoke(t.worker, add_tickers, &t, NULL);
	g_mutex_lock(&t.lock);
	while (!t.done)
		g_cond_wait(&t.cond, &t.lock);
	g_assert_true(t.on_worker);
	g_assert_cmpint(t.a, ==, 6);
	g_assert_cmpint(t.b, ==, 2);
	g_mutex_unlock(&t.lock);
	g_clear_pointer(&pool, worker_pool_free); /* joins: no tick can come after */
	g_assert_cmpint(t.a, ==, 6);
	g_assert_cmpint(t.b, ==, 2);
	g_mutex_clear(&t.lock);
	g_cond_clear(&t.cond);
}

static void test_default_size(void)
{
	g_autoptr(worker_pool) pool = worker_pool_new(0);

	g_assert_cmpuint(worker_pool_size(pool), ==, g_get_num_processors());
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/worker/invoke-runs-on-worker", test_invoke_runs_on_worker);
	g_test_add_func("/worker/least-loaded", test_least_loaded);
	g_test_add_func("/worker/default-size", test_default_size);
	g_test_add_func("/worker/tickers", test_tickers);
	return g_test_run();
}
