/* SPDX-License-Identifier: MIT */
/* The transport worker pool: threads with their own main loops and a peer count each. */
#define G_LOG_DOMAIN "cau-worker"
#include "worker.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/*
 * A worker's iterations begin at least a batch period apart: an iteration costs GLib a
 * prepare and a check of every source attached (a libnice socket per peer), so waking for
 * each of the 50,000 datagrams a second that 1,000 peers send would spend a core on
 * bookkeeping alone. The worker's poll function sleeps out the rest of the period before
 * it polls, so that the datagrams gather in the sockets, to be read in one iteration. The
 * period grows with the peers (as the cost of an iteration does), from 0.25 ms to the
 * configured maximum ([transport] io_batch_us, 2 ms by default, reached at 440 peers); a
 * packet waits at most that long, well inside the jitter buffers' 20 ms.
 *
 * The poll itself is an epoll set that holds the context's descriptors from one iteration
 * to the next, so that a poll costs the ready sockets, not all of them (poll() asks every
 * socket's driver each time). GLib hands the poll function the whole array each time; it
 * is compared with the previous one and epoll is told only when it changed. A socket
 * closed and another opened on the same number between two polls leave the array as it
 * was while epoll forgot the closed one: every WORKER_EPOLL_REFRESH_US the whole set is
 * registered again (an idle worker wakes for it), which bounds the delay of that rare case.
 */
#define WORKER_BATCH_MIN_US      250
#define WORKER_BATCH_PER_PEER_US 4
#define WORKER_EPOLL_REFRESH_US  1000000
#define WORKER_EPOLL_EVENTS      256

/* A worker's poll state: the worker's thread only. */
struct poller {
	int epfd;      /* -1: epoll unavailable, g_poll() does it */
	GPollFD *last; /* the array of the previous poll (fd and events) */
	guint last_n, last_size;
	uint16_t *want; /* indexed by fd: events wanted (scratch) and then ready */
	guint want_size;
	int64_t last_return_us, refreshed_us;
	uint64_t polls; /* atomic: polls entered */
};

struct worker {
	struct worker_pool *pool;
	unsigned index;
	GMainContext *context;
	GThread *thread;
	gint running; /* atomic: cleared on the worker's thread to stop it */
	gint load;    /* atomic: peers assigned */
	struct poller poller;
	/* One timer for every peer's periodic work, instead of a GSource each (which GLib
	 * would prepare and check on every iteration), on absolute deadlines. The worker's
	 * thread only. */
	GSource *ticker;
	int64_t tick_next_us;
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
	gint batch_max_us; /* atomic */
	gint use_epoll;    /* atomic */
	GMutex lock; /* serialises acquire so that two peers do not both see the same minimum */
};

/* The worker whose loop runs on this thread (GPollFunc has no user data). */
static __thread struct worker *current_worker;

/* ---- the poll function ---- */

static int64_t batch_period(const struct worker *w)
{
	int64_t max = g_atomic_int_get(&w->pool->batch_max_us);
	int64_t grown =
	    WORKER_BATCH_MIN_US + WORKER_BATCH_PER_PEER_US * (int64_t)g_atomic_int_get(&w->load);

	return MIN(grown, max);
}

static bool grow(void **array, guint *size, guint need, size_t elem)
{
	if (need <= *size)
		return false;
	guint n = MAX(need, *size * 2);

	*array = g_realloc_n(*array, n, elem);
	memset((char *)*array + *size * elem, 0, (n - *size) * elem);
	*size = n;
	return true;
}

static bool same_array(const struct poller *p, const GPollFD *fds, guint nfds)
{
	if (nfds != p->last_n)
		return false;
	for (guint i = 0; i < nfds; i++) {
		if (fds[i].fd != p->last[i].fd || fds[i].events != p->last[i].events)
			return false;
	}
	return true;
}

static uint32_t epoll_events_of(unsigned short events)
{
	return (events & G_IO_IN ? EPOLLIN : 0) | (events & G_IO_OUT ? EPOLLOUT : 0) |
	       (events & G_IO_PRI ? EPOLLPRI : 0);
}

/* Registers every descriptor of fds (their events merged when one appears twice) and
 * forgets those of the previous array that are gone. */
static void poller_sync(struct poller *p, const GPollFD *fds, guint nfds)
{
	int max_fd = -1;

	for (guint i = 0; i < nfds; i++)
		max_fd = MAX(max_fd, fds[i].fd);
	for (guint i = 0; i < p->last_n; i++)
		max_fd = MAX(max_fd, p->last[i].fd);
	grow((void **)&p->want, &p->want_size, (guint)max_fd + 1, sizeof(*p->want));
	for (guint i = 0; i < nfds; i++)
		p->want[fds[i].fd] |= fds[i].events | 0x8000; /* 0x8000: present */
	for (guint i = 0; i < p->last_n; i++) {
		if (!p->want[p->last[i].fd])
			epoll_ctl(p->epfd, EPOLL_CTL_DEL, p->last[i].fd, NULL);
	}
	for (guint i = 0; i < nfds; i++) {
		int fd = fds[i].fd;
		struct epoll_event ev = {.events = epoll_events_of(p->want[fd]), .data.fd = fd};

		if (!(p->want[fd] & 0x8000))
			continue; /* a duplicate, done */
		if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT &&
		    epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
			g_warning("epoll_ctl(ADD %d): %s", fd, g_strerror(errno));
		p->want[fd] = 0;
	}
	grow((void **)&p->last, &p->last_size, nfds, sizeof(*p->last));
	memcpy(p->last, fds, nfds * sizeof(*fds));
	p->last_n = nfds;
}

/* Waits up to timeout_ms for the descriptors of fds; returns the number ready, as poll(). */
static gint poller_wait(struct poller *p, GPollFD *fds, guint nfds, gint timeout_ms)
{
	struct epoll_event events[WORKER_EPOLL_EVENTS];
	int64_t now = g_get_monotonic_time();
	int n, ready = 0;

	if (!same_array(p, fds, nfds) || now - p->refreshed_us >= WORKER_EPOLL_REFRESH_US) {
		poller_sync(p, fds, nfds);
		p->refreshed_us = now;
	}
	/* Not asleep past the next refresh, even with nothing to time. */
	if (timeout_ms < 0 || timeout_ms > WORKER_EPOLL_REFRESH_US / 1000)
		timeout_ms = WORKER_EPOLL_REFRESH_US / 1000;
	n = epoll_wait(p->epfd, events, G_N_ELEMENTS(events), timeout_ms);
	if (n < 0)
		return -1; /* errno set: GLib retries on EINTR */
	for (int i = 0; i < n; i++) {
		int fd = events[i].data.fd;

		if (fd >= 0 && (guint)fd < p->want_size)
			p->want[fd] = (uint16_t)((events[i].events & EPOLLIN ? G_IO_IN : 0) |
			                         (events[i].events & EPOLLOUT ? G_IO_OUT : 0) |
			                         (events[i].events & EPOLLPRI ? G_IO_PRI : 0) |
			                         (events[i].events & EPOLLERR ? G_IO_ERR : 0) |
			                         (events[i].events & EPOLLHUP ? G_IO_HUP : 0));
	}
	for (guint i = 0; i < nfds; i++) {
		fds[i].revents = p->want[fds[i].fd] & (fds[i].events | G_IO_ERR | G_IO_HUP);
		ready += fds[i].revents != 0;
	}
	for (int i = 0; i < n; i++) {
		if (events[i].data.fd >= 0 && (guint)events[i].data.fd < p->want_size)
			p->want[events[i].data.fd] = 0;
	}
	return ready;
}

/* The worker contexts' GPollFunc: sleeps out the batch period, then polls. */
static gint worker_poll(GPollFD *fds, guint nfds, gint timeout_ms)
{
	struct worker *w = current_worker;
	int64_t now, nap;
	gint ret;

	if (!w)
		return g_poll(fds, nfds, timeout_ms);
	__atomic_add_fetch(&w->poller.polls, 1, __ATOMIC_RELAXED);
	now = g_get_monotonic_time();
	nap = w->poller.last_return_us + batch_period(w) - now;
	if (nap > 0) {
		g_usleep((gulong)nap);
		if (timeout_ms > 0)
			timeout_ms = (gint)MAX(0, timeout_ms - (nap + 999) / 1000);
	}
	ret = w->poller.epfd >= 0 && g_atomic_int_get(&w->pool->use_epoll)
	          ? poller_wait(&w->poller, fds, nfds, timeout_ms)
	          : g_poll(fds, nfds, timeout_ms);
	w->poller.last_return_us = g_get_monotonic_time();
	return ret;
}

static void poller_init(struct poller *p)
{
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0)
		g_warning("epoll_create1: %s: the worker polls with poll()", g_strerror(errno));
}

static void poller_clear(struct poller *p)
{
	if (p->epfd >= 0)
		close(p->epfd);
	g_free(p->last);
	g_free(p->want);
	memset(p, 0, sizeof(*p));
}

/* ---- the loop ---- */

static gpointer worker_main(gpointer data)
{
	struct worker *w = data;

	current_worker = w;
	g_main_context_push_thread_default(w->context);
	g_debug("[worker %u] running", w->index);
	while (g_atomic_int_get(&w->running))
		g_main_context_iteration(w->context, TRUE);
	/* Sources queued before the quit (last unrefs, closes) still deserve to run. */
	while (g_main_context_iteration(w->context, FALSE))
		;
	g_main_context_pop_thread_default(w->context);
	current_worker = NULL;
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
		poller_init(&w->poller);
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

static gboolean ticker_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
	return callback(data);
}

static GSourceFuncs ticker_funcs = {.dispatch = ticker_dispatch};

void worker_add_ticker(struct worker *w, worker_tick_fn fn, void *data)
{
	struct ticker t = {fn, data};

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
		poller_clear(&w->poller);
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
