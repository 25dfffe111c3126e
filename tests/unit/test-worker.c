/* SPDX-License-Identifier: MIT */
/* Unit tests for the transport worker pool: assignment to the least loaded worker, work
 * run on the worker's own thread, and its batched epoll polling. */

#include "transport/worker.h"

#include <gio/gio.h>
#include <stddef.h>
#include <stdint.h>

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
	int a, b, c; /* calls of the tickers */
	bool on_worker, done;
};

static int64_t tick_b(void *data)
{
	struct tick_probe *t = (struct tick_probe *)((char *)data - offsetof(struct tick_probe, b));

	g_mutex_lock(&t->lock);
	t->b++;
	g_mutex_unlock(&t->lock);
	return 0;
}

/* Asks for a call every third tick. */
static int64_t tick_c(void *data)
{
	struct tick_probe *t = (struct tick_probe *)((char *)data - offsetof(struct tick_probe, c));

	g_mutex_lock(&t->lock);
	t->c++;
	g_mutex_unlock(&t->lock);
	return 3 * WORKER_TICK_MS * 1000;
}

/* Removes b during its third tick (b comes after it: b must not run in that tick), then
 * itself at its sixth. */
static int64_t tick_a(void *data)
{
	struct tick_probe *t = data;

	g_mutex_lock(&t->lock);
	t->a++;
	t->on_worker = t->on_worker && worker_is_current(t->worker);
	if (t->a == 3)
		worker_remove_ticker(t->worker, &t->b);
	if (t->a == 30) {
		worker_remove_ticker(t->worker, t);
		worker_remove_ticker(t->worker, &t->c);
		t->done = true;
		g_cond_signal(&t->cond);
	}
	g_mutex_unlock(&t->lock);
	return 0;
}

static gboolean add_tickers(gpointer data)
{
	struct tick_probe *t = data;

	worker_add_ticker(t->worker, tick_a, t);
	worker_add_ticker(t->worker, tick_b, &t->b);
	worker_add_ticker(t->worker, tick_c, &t->c);
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
	g_assert_cmpint(t.a, ==, 30);
	g_assert_cmpint(t.b, ==, 2);
	/* Every third of a's ticks: 1, 4, ..., 28 (a removes c at its 30th, before c's
	 * turn), 10. A tick that runs whole periods late counts once for a but may find c
	 * due, so a loaded machine gives a little more. */
	g_assert_cmpint(t.c, >=, 9);
	g_assert_cmpint(t.c, <=, 14);
	g_mutex_unlock(&t.lock);
	g_clear_pointer(&pool, worker_pool_free); /* joins: no tick can come after */
	g_assert_cmpint(t.a, ==, 30);
	g_assert_cmpint(t.b, ==, 2);
	g_mutex_clear(&t.lock);
	g_cond_clear(&t.cond);
}

static void test_default_size(void)
{
	g_autoptr(worker_pool) pool = worker_pool_new(0);

	g_assert_cmpuint(worker_pool_size(pool), ==, g_get_num_processors());
}

/* ---- batched polling ---- */

#define BURST   64
#define BURSTS  40
#define WAIT_US (10 * G_USEC_PER_SEC)

struct rx {
	struct worker *worker;
	GSocket *socket;
	GSource *source;
	GMutex lock;
	GCond cond;
	unsigned received; /* datagrams read */
	bool in_order;     /* each carried the next sequence number */
	bool attached;
};

static gboolean rx_readable(GSocket *socket, GIOCondition cond, gpointer data)
{
	struct rx *rx = data;
	uint32_t seq;

	while (g_socket_receive(socket, (gchar *)&seq, sizeof(seq), NULL, NULL) ==
	       (gssize)sizeof(seq)) {
		g_mutex_lock(&rx->lock);
		rx->in_order = rx->in_order && seq == rx->received;
		rx->received++;
		g_cond_signal(&rx->cond);
		g_mutex_unlock(&rx->lock);
	}
	return G_SOURCE_CONTINUE;
}

static GSocket *bound_udp(void)
{
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
	GSocket *s =
	    g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);

	g_assert_nonnull(s);
	g_assert_true(g_socket_bind(s, addr, FALSE, NULL));
	g_socket_set_blocking(s, FALSE);
	return s;
}

static gboolean rx_attach(gpointer data)
{
	struct rx *rx = data;

	rx->source = g_socket_create_source(rx->socket, G_IO_IN, NULL);
	g_source_set_callback(rx->source, (GSourceFunc)(void (*)(void))rx_readable, rx, NULL);
	g_source_attach(rx->source, worker_context(rx->worker));
	g_mutex_lock(&rx->lock);
	rx->attached = true;
	g_cond_signal(&rx->cond);
	g_mutex_unlock(&rx->lock);
	return G_SOURCE_REMOVE;
}

static gboolean rx_detach(gpointer data)
{
	struct rx *rx = data;

	g_source_destroy(rx->source);
	g_clear_pointer(&rx->source, g_source_unref);
	g_mutex_lock(&rx->lock);
	rx->attached = false;
	g_cond_signal(&rx->cond);
	g_mutex_unlock(&rx->lock);
	return G_SOURCE_REMOVE;
}

/* Waits until rx has read `count` datagrams and its source is (attached), up to WAIT_US. */
static bool rx_wait(struct rx *rx, unsigned count, bool attached)
{
	gint64 deadline = g_get_monotonic_time() + WAIT_US;
	bool ok = true;

	g_mutex_lock(&rx->lock);
	while (ok && (rx->received < count || rx->attached != attached))
		ok = g_cond_wait_until(&rx->cond, &rx->lock, deadline);
	g_mutex_unlock(&rx->lock);
	return ok;
}

/* Waits up to timeout_us for rx to have read `count` datagrams. */
static bool rx_wait_us(struct rx *rx, unsigned count, gint64 timeout_us)
{
	gint64 deadline = g_get_monotonic_time() + timeout_us;
	bool ok = true;

	g_mutex_lock(&rx->lock);
	while (ok && rx->received < count)
		ok = g_cond_wait_until(&rx->cond, &rx->lock, deadline);
	g_mutex_unlock(&rx->lock);
	return ok;
}

static void send_seq(GSocket *from, GSocket *to, uint32_t seq)
{
	g_autoptr(GSocketAddress) addr = g_socket_get_local_address(to, NULL);

	g_assert_cmpint(g_socket_send_to(from, addr, (const gchar *)&seq, sizeof(seq), NULL, NULL),
	                ==, sizeof(seq));
}

/* Bursts of datagrams to a socket on a worker that holds 440 peers (a 2 ms batch period):
 * every one is read, in order, and the worker polls at most once a period however fast
 * they come. */
static void test_batched_bursts(void)
{
	g_autoptr(worker_pool) pool = worker_pool_new(1);
	g_autoptr(GSocket) tx = bound_udp();
	struct rx rx = {.in_order = true};
	gint64 start, elapsed;
	uint64_t polls;
	uint32_t seq = 0;

	g_mutex_init(&rx.lock);
	g_cond_init(&rx.cond);
	rx.worker = worker_pool_acquire(pool);
	for (unsigned i = 1; i < 440; i++)
		g_assert_true(worker_pool_acquire(pool) == rx.worker);
	rx.socket = bound_udp();
	worker_invoke(rx.worker, rx_attach, &rx, NULL);
	g_assert_true(rx_wait(&rx, 0, true));
	start = g_get_monotonic_time();
	polls = worker_polls(rx.worker);
	for (unsigned b = 0; b < BURSTS; b++) {
		for (unsigned i = 0; i < BURST; i++)
			send_seq(tx, rx.socket, seq++);
		g_assert_true(rx_wait(&rx, seq, true));
	}
	polls = worker_polls(rx.worker) - polls;
	elapsed = g_get_monotonic_time() - start;
	g_assert_true(rx.in_order);
	g_assert_cmpuint(rx.received, ==, BURST * BURSTS);
	/* A poll begins at least a period (2 ms) after the previous one returned. */
	g_test_message("%" G_GUINT64_FORMAT " polls in %" G_GINT64_FORMAT " us", polls, elapsed);
	g_assert_cmpuint(polls, <=, (uint64_t)(elapsed / WORKER_BATCH_MAX_US) + 2);
	worker_invoke(rx.worker, rx_detach, &rx, NULL);
	g_assert_true(rx_wait(&rx, 0, false));
	for (unsigned i = 0; i < 440; i++)
		worker_release(rx.worker);
	g_clear_object(&rx.socket);
	g_mutex_clear(&rx.lock);
	g_cond_clear(&rx.cond);
}

/* Closes the socket and opens another, which gets the same descriptor number, between two
 * polls: the poll array looks the same, yet the new socket's datagrams are read. */
static gboolean swap_socket(gpointer data)
{
	struct rx *rx = data;
	int old_fd = g_socket_get_fd(rx->socket);

	g_source_destroy(rx->source);
	g_clear_pointer(&rx->source, g_source_unref);
	g_socket_close(rx->socket, NULL);
	g_clear_object(&rx->socket);
	rx->socket = bound_udp();
	g_assert_cmpint(g_socket_get_fd(rx->socket), ==, old_fd);
	rx_attach(rx);
	return G_SOURCE_REMOVE;
}

static void test_descriptor_reused(void)
{
	g_autoptr(worker_pool) pool = worker_pool_new(1);
	g_autoptr(GSocket) tx = bound_udp();
	struct rx rx = {.in_order = true};

	g_mutex_init(&rx.lock);
	g_cond_init(&rx.cond);
	rx.worker = worker_pool_get(pool, 0);
	rx.socket = bound_udp();
	worker_invoke(rx.worker, rx_attach, &rx, NULL);
	g_assert_true(rx_wait(&rx, 0, true));
	send_seq(tx, rx.socket, 0);
	g_assert_true(rx_wait(&rx, 1, true));
	g_mutex_lock(&rx.lock);
	rx.attached = false;
	g_mutex_unlock(&rx.lock);
	worker_invoke(rx.worker, swap_socket, &rx, NULL);
	g_assert_true(rx_wait(&rx, 1, true));
	send_seq(tx, rx.socket, 1);
	g_assert_true(rx_wait(&rx, 2, true));
	g_assert_true(rx.in_order);
	worker_invoke(rx.worker, rx_detach, &rx, NULL);
	g_assert_true(rx_wait(&rx, 0, false));
	g_clear_object(&rx.socket);
	g_mutex_clear(&rx.lock);
	g_cond_clear(&rx.cond);
}

/* ---- child contexts ---- */

/* A child context on the worker, with a socket source, a timer and the test's view. */
struct child {
	struct worker *worker;
	struct worker_sub *sub;
	struct rx rx;
	gint64 timer_due_us, timer_fired_us;
	bool idle_ran, idle_on_worker;
	bool release_inside; /* the socket's callback releases the child */
	bool made, released;
};

static void child_signal(struct child *c)
{
	g_mutex_lock(&c->rx.lock);
	g_cond_signal(&c->rx.cond);
	g_mutex_unlock(&c->rx.lock);
}

static gboolean child_readable(GSocket *socket, GIOCondition cond, gpointer data)
{
	struct child *c = data;

	rx_readable(socket, cond, &c->rx);
	if (c->release_inside && !c->released) {
		worker_sub_release(c->sub);
		g_mutex_lock(&c->rx.lock);
		c->released = true;
		g_cond_signal(&c->rx.cond);
		g_mutex_unlock(&c->rx.lock);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean child_timer(gpointer data)
{
	struct child *c = data;

	g_mutex_lock(&c->rx.lock);
	c->timer_fired_us = g_get_monotonic_time();
	g_cond_signal(&c->rx.cond);
	g_mutex_unlock(&c->rx.lock);
	return G_SOURCE_REMOVE;
}

static gboolean child_idle(gpointer data)
{
	struct child *c = data;

	g_mutex_lock(&c->rx.lock);
	c->idle_ran = true;
	c->idle_on_worker = worker_is_current(c->worker);
	g_cond_signal(&c->rx.cond);
	g_mutex_unlock(&c->rx.lock);
	return G_SOURCE_REMOVE;
}

/* On the worker: makes the child, a socket source and a 60 ms timer on its context. */
static gboolean child_make(gpointer data)
{
	struct child *c = data;
	GMainContext *ctx;
	GSource *src;

	c->sub = worker_sub_new(c->worker);
	ctx = worker_sub_context(c->sub);
	g_assert_true(ctx != worker_context(c->worker));
	c->rx.source = g_socket_create_source(c->rx.socket, G_IO_IN, NULL);
	g_source_set_callback(c->rx.source, (GSourceFunc)(void (*)(void))child_readable, c, NULL);
	g_source_attach(c->rx.source, ctx);
	src = g_timeout_source_new(60);
	g_source_set_callback(src, child_timer, c, NULL);
	g_source_attach(src, ctx);
	g_source_unref(src);
	g_mutex_lock(&c->rx.lock);
	c->timer_due_us = g_get_monotonic_time() + 60000;
	c->made = true;
	c->rx.attached = true;
	g_cond_signal(&c->rx.cond);
	g_mutex_unlock(&c->rx.lock);
	return G_SOURCE_REMOVE;
}

static gboolean child_release(gpointer data)
{
	struct child *c = data;

	if (c->rx.source) {
		g_source_destroy(c->rx.source);
		g_clear_pointer(&c->rx.source, g_source_unref);
	}
	if (!c->released)
		worker_sub_release(c->sub);
	c->released = true;
	child_signal(c);
	return G_SOURCE_REMOVE;
}

/* Waits until pred(c) holds, up to WAIT_US. */
static bool child_wait(struct child *c, bool (*pred)(const struct child *))
{
	gint64 deadline = g_get_monotonic_time() + WAIT_US;
	bool ok = true;

	g_mutex_lock(&c->rx.lock);
	while (ok && !pred(c))
		ok = g_cond_wait_until(&c->rx.cond, &c->rx.lock, deadline);
	g_mutex_unlock(&c->rx.lock);
	return ok;
}

/* On the worker, outside the child's own iteration (as libnice adds its check timers
 * when the peer's answer is applied): a 30 ms timer on the child. */
static gboolean child_add_timer(gpointer data)
{
	struct child *c = data;
	GSource *src = g_timeout_source_new(30);

	g_source_set_callback(src, child_timer, c, NULL);
	g_source_attach(src, worker_sub_context(c->sub));
	g_source_unref(src);
	g_mutex_lock(&c->rx.lock);
	c->timer_due_us = g_get_monotonic_time() + 30000;
	g_mutex_unlock(&c->rx.lock);
	return G_SOURCE_REMOVE;
}

static bool is_made(const struct child *c)
{
	return c->made;
}

static bool timer_fired(const struct child *c)
{
	return c->timer_fired_us != 0;
}

static bool idle_ran(const struct child *c)
{
	return c->idle_ran;
}

static bool is_released(const struct child *c)
{
	return c->released;
}

static void child_init(struct child *c, struct worker *w)
{
	c->worker = w;
	c->rx.in_order = true;
	c->rx.socket = bound_udp();
	g_mutex_init(&c->rx.lock);
	g_cond_init(&c->rx.cond);
	worker_invoke(w, child_make, c, NULL);
	g_assert_true(child_wait(c, is_made));
}

static void child_clear(struct child *c)
{
	if (!c->released || c->rx.source) {
		worker_invoke(c->worker, child_release, c, NULL);
		g_assert_true(child_wait(c, is_released));
	}
	g_clear_object(&c->rx.socket);
	g_mutex_clear(&c->rx.lock);
	g_cond_clear(&c->rx.cond);
}

/* Two children on one worker: each one's datagrams reach its own source, in order, on
 * the worker's thread; a child's timer fires when due, not before, also one added from
 * the worker's thread while the child was idle; a source attached to a child from another
 * thread runs on the worker. */
static void test_child_contexts(void)
{
	g_autoptr(worker_pool) pool = worker_pool_new(1);
	g_autoptr(GSocket) tx = bound_udp();
	struct worker *w = worker_pool_get(pool, 0);
	struct child a = {0}, b = {0};
	GSource *idle;

	child_init(&a, w);
	child_init(&b, w);
	for (uint32_t seq = 0; seq < 20; seq++) {
		send_seq(tx, a.rx.socket, seq);
		if (seq % 2 == 0)
			send_seq(tx, b.rx.socket, seq / 2);
	}
	g_assert_true(rx_wait(&a.rx, 20, true));
	g_assert_true(rx_wait(&b.rx, 10, true));
	g_assert_cmpuint(a.rx.received, ==, 20);
	g_assert_cmpuint(b.rx.received, ==, 10);
	g_assert_true(a.rx.in_order && b.rx.in_order);

	g_assert_true(child_wait(&a, timer_fired));
	g_assert_cmpint(a.timer_fired_us, >=, a.timer_due_us);
	g_test_message("timer late by %" G_GINT64_FORMAT " us", a.timer_fired_us - a.timer_due_us);

	/* A timer added by the worker's own thread between two of the child's iterations
	 * wakes it too, though nothing else is due. */
	g_mutex_lock(&a.rx.lock);
	a.timer_fired_us = 0; /* before the worker adds the timer, so the wait is for it */
	g_mutex_unlock(&a.rx.lock);
	worker_invoke(w, child_add_timer, &a, NULL);
	g_assert_true(child_wait(&a, timer_fired));
	g_assert_cmpint(a.timer_fired_us, >=, a.timer_due_us);

	idle = g_idle_source_new();
	g_source_set_callback(idle, child_idle, &b, NULL);
	g_source_attach(idle, worker_sub_context(b.sub));
	g_source_unref(idle);
	g_assert_true(child_wait(&b, idle_ran));
	g_assert_true(b.idle_on_worker);

	child_clear(&a);
	child_clear(&b);
}

/* A child released from inside its own source's callback is freed after that iteration
 * (AddressSanitizer watches), and the worker goes on serving another child. */
static void test_child_released_inside(void)
{
	g_autoptr(worker_pool) pool = worker_pool_new(1);
	g_autoptr(GSocket) tx = bound_udp();
	struct worker *w = worker_pool_get(pool, 0);
	struct child a = {0}, b = {0};

	child_init(&a, w);
	child_init(&b, w);
	a.release_inside = true;
	send_seq(tx, a.rx.socket, 0);
	g_assert_true(child_wait(&a, is_released));
	g_clear_pointer(&a.rx.source, g_source_unref); /* its context is gone with the child */
	send_seq(tx, b.rx.socket, 0);
	g_assert_true(rx_wait(&b.rx, 1, true));
	g_assert_cmpuint(b.rx.received, ==, 1);
	child_clear(&a);
	child_clear(&b);
}

/* ---- descriptors read by their owners ---- */

struct taken {
	struct child c;
	struct worker_fd *wf;
	unsigned remove_after; /* the callback removes itself after this many datagrams */
	bool removed;
};

static bool taken_readable(void *data)
{
	struct taken *t = data;

	g_assert_true(worker_is_current(t->c.worker));
	rx_readable(t->c.rx.socket, G_IO_IN, &t->c.rx);
	if (t->remove_after && t->c.rx.received >= t->remove_after && !t->removed) {
		worker_fd_remove(t->wf);
		g_mutex_lock(&t->c.rx.lock);
		t->removed = true;
		g_cond_signal(&t->c.rx.cond);
		g_mutex_unlock(&t->c.rx.lock);
	}
	return false; /* read until it would block */
}

/* On the worker, as ice_direct_start() does: the child stops polling the socket (its
 * source goes), and the socket is read by its owner instead. A timer on the child makes
 * it iterate again afterwards, when it forgets the descriptor. */
static gboolean take_over(gpointer data)
{
	struct taken *t = data;

	g_source_destroy(t->c.rx.source);
	g_clear_pointer(&t->c.rx.source, g_source_unref);
	t->wf = worker_fd_add(t->c.worker, g_socket_get_fd(t->c.rx.socket), taken_readable, t);
	g_assert_nonnull(t->wf);
	child_add_timer(&t->c);
	g_mutex_lock(&t->c.rx.lock);
	t->c.rx.attached = false;
	g_cond_signal(&t->c.rx.cond);
	g_mutex_unlock(&t->c.rx.lock);
	return G_SOURCE_REMOVE;
}

static bool is_removed(const struct child *c)
{
	return ((const struct taken *)c)->removed;
}

/* A socket a child context polled, taken over with worker_fd_add(): what was waiting in
 * it and what comes afterwards reaches the owner's callback, in order, on the worker's
 * thread, also after the child has iterated again (forgetting the descriptor must not take
 * it out of the epoll set); a callback that removes itself is not called again, and the
 * worker goes on (AddressSanitizer watches the freeing). */
static void test_fd_taken_over(void)
{
	g_autoptr(worker_pool) pool = worker_pool_new(1);
	g_autoptr(GSocket) tx = bound_udp();
	struct worker *w = worker_pool_get(pool, 0);
	struct taken t = {0};
	uint32_t seq = 0;

	child_init(&t.c, w);
	send_seq(tx, t.c.rx.socket, seq++);
	g_assert_true(rx_wait(&t.c.rx, 1, true));
	g_mutex_lock(&t.c.rx.lock);
	t.c.timer_fired_us = 0;
	g_mutex_unlock(&t.c.rx.lock);
	worker_invoke(w, take_over, &t, NULL);
	g_assert_true(rx_wait(&t.c.rx, 1, false));
	for (; seq < 10; seq++)
		send_seq(tx, t.c.rx.socket, seq);
	g_assert_true(rx_wait(&t.c.rx, 10, false));
	g_assert_true(child_wait(&t.c, timer_fired)); /* the child ran and forgot the socket */
	t.remove_after = 20;
	for (; seq < 20; seq++)
		send_seq(tx, t.c.rx.socket, seq);
	g_assert_true(rx_wait(&t.c.rx, 20, false));
	g_assert_true(t.c.rx.in_order);
	g_assert_true(child_wait(&t.c, is_removed));
	/* Removed: a datagram now stays in the socket. */
	send_seq(tx, t.c.rx.socket, seq++);
	g_assert_false(rx_wait_us(&t.c.rx, 21, 100000));
	g_assert_cmpuint(t.c.rx.received, ==, 20);
	child_clear(&t.c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/worker/invoke-runs-on-worker", test_invoke_runs_on_worker);
	g_test_add_func("/worker/least-loaded", test_least_loaded);
	g_test_add_func("/worker/default-size", test_default_size);
	g_test_add_func("/worker/tickers", test_tickers);
	g_test_add_func("/worker/batched-bursts", test_batched_bursts);
	g_test_add_func("/worker/descriptor-reused", test_descriptor_reused);
	g_test_add_func("/worker/child-contexts", test_child_contexts);
	g_test_add_func("/worker/child-released-inside", test_child_released_inside);
	g_test_add_func("/worker/fd-taken-over", test_fd_taken_over);
	return g_test_run();
}
