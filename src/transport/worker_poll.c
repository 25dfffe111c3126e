/* SPDX-License-Identifier: MIT */
/* The workers' poll function (a batch period, then epoll) and the child contexts that keep
 * each libnice agent's sources out of the worker's own context (see worker_private.h). */
#define G_LOG_DOMAIN "cau-worker"
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "worker_private.h"

/* Iterations of a child in one go, at most: each that dispatched something is followed by
 * one more, which finds its sources' state afterwards (fds, next timeout). */
#define SUB_MAX_ROUNDS 4

/* One descriptor of a child context in the worker's epoll set. */
struct sub_fd {
	struct worker_sub *sub;
	int fd;
	gushort events;  /* registered */
	gushort revents; /* ready, from the last epoll_wait, until the child's poll takes it */
};

struct worker_sub {
	struct worker *w;
	GMainContext *context;
	bool shared;    /* no epoll: context is the worker's own */
	GPtrArray *fds; /* struct sub_fd *, as registered */
	GPollFD *seen;  /* the child's poll array as of its last poll */
	guint seen_n, seen_size;
	gint seen_timeout;   /* ms, -1: none */
	int64_t deadline_us; /* when the child must be iterated again; -1: only when ready */
	guint index;         /* in w->subs */
	bool queued;         /* in w->ready_subs */
	bool running;        /* being iterated */
	bool released;       /* worker_sub_release() was called */
};

/* The child being iterated on this thread (its GPollFunc has no user data). */
static __thread struct worker_sub *current_sub;

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

static gushort gio_events_of(uint32_t events)
{
	return (gushort)((events & EPOLLIN ? G_IO_IN : 0) | (events & EPOLLOUT ? G_IO_OUT : 0) |
	                 (events & EPOLLPRI ? G_IO_PRI : 0) | (events & EPOLLERR ? G_IO_ERR : 0) |
	                 (events & EPOLLHUP ? G_IO_HUP : 0));
}

/* epoll's user data: the worker's own descriptors as fd << 2, a child's as its struct
 * sub_fd pointer with the low bit set, a descriptor read by its owner (worker_fd_add()) as
 * its struct worker_fd pointer with the next bit set. */
#define TAG_CHILD 1u
#define TAG_FD    2u
#define TAG_MASK  3u

/* Changes what fd waits for in the epoll set, or registers it if it is not there yet. */
static void epoll_set(int epfd, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = {.events = events, .data.u64 = tag};

	if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
		return;
	if (errno == ENOENT && epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
		return;
	g_warning("epoll_ctl(%d): %s", fd, g_strerror(errno));
}

/* Who registered fd, other than the worker's own context: */
enum { OWNER_NONE, OWNER_CHILD, OWNER_FD };

static bool child_owns(const struct poller *p, int fd)
{
	return (guint)fd < p->child_fd_size && p->child_fd[fd] != OWNER_NONE;
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
		/* Gone: unless the number now belongs to a child's socket. */
		if (!p->want[p->last[i].fd] && !child_owns(p, p->last[i].fd))
			epoll_ctl(p->epfd, EPOLL_CTL_DEL, p->last[i].fd, NULL);
	}
	for (guint i = 0; i < nfds; i++) {
		int fd = fds[i].fd;

		if (!(p->want[fd] & 0x8000))
			continue; /* a duplicate, done */
		epoll_set(p->epfd, fd, epoll_events_of(p->want[fd]), (uint64_t)fd << 2);
		p->want[fd] = 0;
	}
	grow((void **)&p->last, &p->last_size, nfds, sizeof(*p->last));
	memcpy(p->last, fds, nfds * sizeof(*fds));
	p->last_n = nfds;
}

/* A descriptor its owner reads (worker_fd_add()). */
struct worker_fd {
	struct worker *w;
	int fd;
	worker_fd_fn fn;
	void *data;
	bool queued;  /* in w->ready_fds */
	bool running; /* fn is being called */
	bool removed; /* worker_fd_remove() was called: freed once neither of the above */
};

static void queue_fd(struct worker *w, struct worker_fd *wf)
{
	if (wf->queued || wf->removed)
		return;
	wf->queued = true;
	g_ptr_array_add(w->ready_fds, wf);
}

static void queue_sub(struct worker *w, struct worker_sub *s)
{
	if (s->queued)
		return;
	s->queued = true;
	g_ptr_array_add(w->ready_subs, s);
}

/* Queues the children whose timeout is due; returns the next deadline of the others (-1:
 * none). */
static int64_t queue_due_subs(struct worker *w, int64_t now)
{
	int64_t next = -1;

	/* No child is due before the earliest deadline of the last scan, unless one was set
	 * since (sub_set_deadline() lowers it): the scan of every child is skipped. */
	if (w->subs_next_due_us < 0 || now < w->subs_next_due_us)
		return w->subs_next_due_us;
	for (guint i = 0; i < w->subs->len; i++) {
		struct worker_sub *s = g_ptr_array_index(w->subs, i);

		if (s->deadline_us < 0)
			continue;
		if (s->deadline_us <= now)
			queue_sub(w, s);
		else if (next < 0 || s->deadline_us < next)
			next = s->deadline_us;
	}
	w->subs_next_due_us = next;
	return next;
}

static void sub_set_deadline(struct worker_sub *s, int64_t deadline_us)
{
	struct worker *w = s->w;

	s->deadline_us = deadline_us;
	if (deadline_us >= 0 && (w->subs_next_due_us < 0 || deadline_us < w->subs_next_due_us))
		w->subs_next_due_us = deadline_us;
}

/* Waits up to timeout_ms for the descriptors of fds (and the children's); returns the
 * number of fds ready, as poll(). Ready children are queued. */
static gint poller_wait(struct worker *w, GPollFD *fds, guint nfds, gint timeout_ms)
{
	struct poller *p = &w->poller;
	struct epoll_event events[WORKER_EPOLL_EVENTS];
	int64_t now = g_get_monotonic_time();
	int64_t next_due = queue_due_subs(w, now);
	int n, ready = 0;

	if (!same_array(p, fds, nfds) || now - p->refreshed_us >= WORKER_EPOLL_REFRESH_US) {
		poller_sync(p, fds, nfds);
		p->refreshed_us = now;
	}
	/* Not asleep past the next refresh, a child's timeout, or at all when a child is
	 * already due. */
	if (timeout_ms < 0 || timeout_ms > WORKER_EPOLL_REFRESH_US / 1000)
		timeout_ms = WORKER_EPOLL_REFRESH_US / 1000;
	if (next_due >= 0)
		timeout_ms = (gint)MIN(timeout_ms, (next_due - now + 999) / 1000);
	if (w->ready_subs->len || w->ready_fds->len)
		timeout_ms = 0;
	n = epoll_wait(p->epfd, events, G_N_ELEMENTS(events), timeout_ms);
	if (n < 0)
		return -1; /* errno set: GLib retries on EINTR */
	for (int i = 0; i < n; i++) {
		uint64_t tag = events[i].data.u64;

		if ((tag & TAG_MASK) == TAG_CHILD) {
			struct sub_fd *sf = (struct sub_fd *)(uintptr_t)(tag & ~(uint64_t)TAG_MASK);

			sf->revents |= gio_events_of(events[i].events);
			queue_sub(w, sf->sub);
		} else if ((tag & TAG_MASK) == TAG_FD) {
			queue_fd(w, (struct worker_fd *)(uintptr_t)(tag & ~(uint64_t)TAG_MASK));
		} else if ((tag >> 2) < p->want_size) {
			p->want[tag >> 2] = gio_events_of(events[i].events);
		}
	}
	for (guint i = 0; i < nfds; i++) {
		fds[i].revents = p->want[fds[i].fd] & (fds[i].events | G_IO_ERR | G_IO_HUP);
		ready += fds[i].revents != 0;
	}
	for (int i = 0; i < n; i++) {
		uint64_t tag = events[i].data.u64;

		if (!(tag & TAG_MASK) && (tag >> 2) < p->want_size)
			p->want[tag >> 2] = 0;
	}
	/* Scanned again only once the earliest deadline has passed. */
	if (next_due >= 0 && (now = g_get_monotonic_time()) >= next_due)
		queue_due_subs(w, now);
	return ready;
}

/* The worker contexts' GPollFunc: sleeps out the batch period, then polls. */
gint worker_poll(GPollFD *fds, guint nfds, gint timeout_ms)
{
	struct worker *w = worker_current;
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
	/* With children the epoll set is the only way to hear them. */
	ret = w->poller.epfd >= 0 && (g_atomic_int_get(&w->pool->use_epoll) || w->subs->len)
	          ? poller_wait(w, fds, nfds, timeout_ms)
	          : g_poll(fds, nfds, timeout_ms);
	w->poller.last_return_us = g_get_monotonic_time();
	return ret;
}

/* ---- child contexts ---- */

static void sub_fd_forget(struct worker_sub *s, struct sub_fd *sf)
{
	struct poller *p = &s->w->poller;

	/* Unless its owner reads it now (worker_fd_add() took it over). */
	if ((guint)sf->fd >= p->child_fd_size || p->child_fd[sf->fd] != OWNER_FD) {
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, sf->fd, NULL); /* gone if it was closed */
		if ((guint)sf->fd < p->child_fd_size)
			p->child_fd[sf->fd] = OWNER_NONE;
	}
	g_free(sf);
}

/* Makes the epoll set hold the descriptors of the child's last poll, with their events. */
static void sub_register(struct worker_sub *s)
{
	struct poller *p = &s->w->poller;

	/* Those no longer polled go (their revents, if any, are stale). */
	for (guint i = s->fds->len; i-- > 0;) {
		struct sub_fd *sf = g_ptr_array_index(s->fds, i);
		bool kept = false;

		for (guint j = 0; j < s->seen_n && !kept; j++)
			kept = s->seen[j].fd == sf->fd;
		if (!kept) {
			sub_fd_forget(s, sf);
			g_ptr_array_remove_index_fast(s->fds, i);
		}
	}
	for (guint j = 0; j < s->seen_n; j++) {
		int fd = s->seen[j].fd;
		gushort events = 0;
		struct sub_fd *sf = NULL;

		for (guint k = 0; k < s->seen_n; k++) /* GLib may poll one fd twice */
			if (s->seen[k].fd == fd)
				events |= s->seen[k].events;
		for (guint i = 0; i < s->fds->len && !sf; i++) {
			struct sub_fd *cand = g_ptr_array_index(s->fds, i);

			if (cand->fd == fd)
				sf = cand;
		}
		if (sf && sf->events == events)
			continue;
		if (!sf) {
			sf = g_new0(struct sub_fd, 1);
			sf->sub = s;
			sf->fd = fd;
			g_ptr_array_add(s->fds, sf);
		}
		sf->events = events;
		epoll_set(p->epfd, fd, epoll_events_of(events),
		          (uint64_t)(uintptr_t)sf | TAG_CHILD);
		grow((void **)&p->child_fd, &p->child_fd_size, (guint)fd + 1, 1);
		p->child_fd[fd] = OWNER_CHILD;
	}
}

/* A child context's GPollFunc: never waits. It hands GLib what the worker's epoll_wait
 * found for the child, and keeps the array and the timeout GLib asked for, so that the
 * child is registered for exactly those once its iteration is over. */
static gint sub_poll(GPollFD *fds, guint nfds, gint timeout_ms)
{
	struct worker_sub *s = current_sub;
	gint ready = 0;

	if (!s)
		return g_poll(fds, nfds, 0); /* iterated by someone else: never block */
	grow((void **)&s->seen, &s->seen_size, nfds, sizeof(*s->seen));
	memcpy(s->seen, fds, nfds * sizeof(*fds));
	s->seen_n = nfds;
	s->seen_timeout = timeout_ms;
	for (guint i = 0; i < nfds; i++) {
		fds[i].revents = 0;
		for (guint k = 0; k < s->fds->len; k++) {
			const struct sub_fd *sf = g_ptr_array_index(s->fds, k);

			if (sf->fd == fds[i].fd)
				fds[i].revents =
				    sf->revents & (fds[i].events | G_IO_ERR | G_IO_HUP);
		}
		ready += fds[i].revents != 0;
	}
	for (guint k = 0; k < s->fds->len; k++)
		((struct sub_fd *)g_ptr_array_index(s->fds, k))->revents = 0;
	return ready;
}

static void sub_free(struct worker_sub *s)
{
	struct worker *w = s->w;
	guint last = w->subs->len - 1;

	if (!s->shared) {
		for (guint i = 0; i < s->fds->len; i++)
			sub_fd_forget(s, g_ptr_array_index(s->fds, i));
		g_ptr_array_set_size(s->fds, 0);
		/* Swap-remove, keeping the moved child's index true. */
		g_ptr_array_index(w->subs, s->index) = g_ptr_array_index(w->subs, last);
		((struct worker_sub *)g_ptr_array_index(w->subs, s->index))->index = s->index;
		g_ptr_array_set_size(w->subs, last);
	}
	g_ptr_array_unref(s->fds);
	g_free(s->seen);
	if (!s->shared)
		g_main_context_release(s->context);
	g_main_context_unref(s->context);
	g_free(s);
}

/* After a dispatch: prepares the child again; if nothing is ready, keeps the descriptors
 * and timeout it now waits for (as its poll function would have) and returns false. GLib
 * allows a prepare and a query without the check that would follow. */
static bool sub_still_ready(struct worker_sub *s)
{
	gint prio, n;

	if (g_main_context_prepare(s->context, &prio))
		return true;
	n = g_main_context_query(s->context, prio, &s->seen_timeout, s->seen, (gint)s->seen_size);
	if ((guint)n > s->seen_size) {
		grow((void **)&s->seen, &s->seen_size, (guint)n, sizeof(*s->seen));
		n = g_main_context_query(s->context, prio, &s->seen_timeout, s->seen,
		                         (gint)s->seen_size);
	}
	s->seen_n = (guint)n;
	return false;
}

/* Iterates the child until nothing more is ready (at most SUB_MAX_ROUNDS iterations),
 * then registers the descriptors and timeout it waits for. */
static void run_sub(struct worker_sub *s)
{
	int64_t now;
	unsigned round;

	s->running = true;
	for (round = 0; round < SUB_MAX_ROUNDS; round++) {
		gboolean dispatched;

		current_sub = s;
		/* May block: it only makes GLib hand the poll function the real timeout; the
		 * child's poll function returns at once. */
		dispatched = g_main_context_iteration(s->context, TRUE);
		current_sub = NULL;
		if (!dispatched || s->released)
			break;
		if (!sub_still_ready(s))
			break;
	}
	s->running = false;
	if (s->released) {
		sub_free(s);
		return;
	}
	sub_register(s);
	now = g_get_monotonic_time();
	if (round == SUB_MAX_ROUNDS)
		sub_set_deadline(s, now); /* still busy: again at the next poll */
	else
		sub_set_deadline(s,
		                 s->seen_timeout < 0 ? -1 : now + (int64_t)s->seen_timeout * 1000);
}

/* Calls the owners of the descriptors found readable. */
static void run_fds(struct worker *w)
{
	GPtrArray *batch = w->ready_fds;

	w->ready_fds = w->spare_fds; /* as for the children below */
	w->spare_fds = batch;
	for (guint i = 0; i < batch->len; i++) {
		struct worker_fd *wf = g_ptr_array_index(batch, i);

		wf->queued = false;
		if (!wf->removed) {
			bool more;

			wf->running = true;
			more = wf->fn(wf->data);
			wf->running = false;
			if (more)
				queue_fd(w, wf); /* into the new array: after the next poll */
		}
		if (wf->removed)
			g_free(wf);
	}
	g_ptr_array_set_size(batch, 0);
}

static gboolean subs_prepare(GSource *source, gint *timeout)
{
	struct worker *w = *(struct worker **)(source + 1);

	*timeout = -1;
	return w->ready_subs->len > 0 || w->ready_fds->len > 0;
}

static gboolean subs_check(GSource *source)
{
	struct worker *w = *(struct worker **)(source + 1);

	return w->ready_subs->len > 0 || w->ready_fds->len > 0;
}

static gboolean subs_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
	struct worker *w = *(struct worker **)(source + 1);
	GPtrArray *batch;

	run_fds(w);
	batch = w->ready_subs;
	/* Children made ready while these run wait for the next poll (in the spare array,
	 * swapped back and forth so that nothing is allocated per iteration). */
	w->ready_subs = w->spare_subs;
	w->spare_subs = batch;
	for (guint i = 0; i < batch->len; i++) {
		struct worker_sub *s = g_ptr_array_index(batch, i);

		s->queued = false;
		if (s->released)
			sub_free(s);
		else
			run_sub(s);
	}
	g_ptr_array_set_size(batch, 0);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs subs_funcs = {
    .prepare = subs_prepare,
    .check = subs_check,
    .dispatch = subs_dispatch,
};

/* The source on the worker's context that runs the children and the descriptors' owners. */
static void ensure_subs_source(struct worker *w)
{
	if (w->subs_source)
		return;
	w->subs_source = g_source_new(&subs_funcs, sizeof(GSource) + sizeof(struct worker *));
	*(struct worker **)(w->subs_source + 1) = w;
	g_source_attach(w->subs_source, w->context);
}

struct worker_sub *worker_sub_new(struct worker *w)
{
	struct worker_sub *s;

	g_return_val_if_fail(worker_is_current(w), NULL);
	s = g_new0(struct worker_sub, 1);
	s->w = w;
	s->fds = g_ptr_array_new();
	s->deadline_us = -1;
	if (w->poller.epfd < 0) {
		s->shared = true;
		s->context = g_main_context_ref(w->context);
		return s;
	}
	/* Ownerless polling: GLib signals the context's wakeup whenever a source is attached,
	 * from any thread, even from the worker's own outside the child's iteration (libnice
	 * adds its check timers when the remote candidates are set), so the child is run and
	 * registers the new timeout. It stays acquired by the worker's thread, its only user. */
	s->context = g_main_context_new_with_flags(G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING);
	g_main_context_acquire(s->context);
	g_main_context_set_poll_func(s->context, sub_poll);
	ensure_subs_source(w);
	s->index = w->subs->len;
	g_ptr_array_add(w->subs, s);
	queue_sub(w, s); /* registered at its first iteration */
	return s;
}

GMainContext *worker_sub_context(struct worker_sub *s)
{
	return s->context;
}

void worker_sub_release(struct worker_sub *s)
{
	if (!s)
		return;
	g_return_if_fail(worker_is_current(s->w) && !s->released);
	s->released = true;
	if (!s->running && !s->queued)
		sub_free(s);
}

/* ---- descriptors read by their owners ---- */

struct worker_fd *worker_fd_add(struct worker *w, int fd, worker_fd_fn fn, void *data)
{
	struct poller *p = &w->poller;
	struct worker_fd *wf;

	g_return_val_if_fail(worker_is_current(w) && fd >= 0, NULL);
	if (p->epfd < 0)
		return NULL;
	wf = g_new0(struct worker_fd, 1);
	wf->w = w;
	wf->fd = fd;
	wf->fn = fn;
	wf->data = data;
	ensure_subs_source(w);
	grow((void **)&p->child_fd, &p->child_fd_size, (guint)fd + 1, 1);
	p->child_fd[fd] = OWNER_FD;
	/* Edge-triggered: a level-triggered descriptor that was reported is polled again at
	 * the next epoll_wait() (to see whether it still is), a second pass over every ready
	 * socket's driver. */
	epoll_set(p->epfd, fd, EPOLLIN | EPOLLET, (uint64_t)(uintptr_t)wf | TAG_FD);
	w->fd_count++;
	/* Datagrams that came before it was registered are found at once. */
	queue_fd(w, wf);
	return wf;
}

void worker_fd_remove(struct worker_fd *wf)
{
	struct poller *p;

	if (!wf)
		return;
	g_return_if_fail(worker_is_current(wf->w) && !wf->removed);
	p = &wf->w->poller;
	wf->removed = true;
	wf->w->fd_count--;
	if ((guint)wf->fd < p->child_fd_size && p->child_fd[wf->fd] == OWNER_FD) {
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, wf->fd, NULL);
		p->child_fd[wf->fd] = OWNER_NONE;
	}
	if (!wf->queued && !wf->running)
		g_free(wf);
}

/* ---- set-up and tear-down ---- */

void worker_poller_init(struct worker *w)
{
	struct poller *p = &w->poller;

	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0)
		g_warning("epoll_create1: %s: the worker polls with poll()", g_strerror(errno));
	w->subs = g_ptr_array_new();
	w->subs_next_due_us = -1;
	w->ready_subs = g_ptr_array_new();
	w->spare_subs = g_ptr_array_new();
	w->ready_fds = g_ptr_array_new();
	w->spare_fds = g_ptr_array_new();
}

void worker_subs_drop(struct worker *w)
{
	if (w->subs->len)
		g_warning("[worker %u] stopping with %u agent contexts not released", w->index,
		          w->subs->len);
	while (w->subs->len)
		sub_free(g_ptr_array_index(w->subs, w->subs->len - 1));
	g_ptr_array_set_size(w->ready_subs, 0);
	if (w->fd_count)
		g_warning("[worker %u] stopping with %u descriptors still read by their owners",
		          w->index, w->fd_count);
	/* Those removed while queued (the others belong to their owners, who leaked them). */
	for (guint i = 0; i < w->ready_fds->len; i++) {
		struct worker_fd *wf = g_ptr_array_index(w->ready_fds, i);

		if (wf->removed)
			g_free(wf);
	}
	g_ptr_array_set_size(w->ready_fds, 0);
	if (w->subs_source) {
		g_source_destroy(w->subs_source);
		g_clear_pointer(&w->subs_source, g_source_unref);
	}
}

void worker_poller_clear(struct worker *w)
{
	struct poller *p = &w->poller;

	g_ptr_array_unref(w->subs);
	g_ptr_array_unref(w->ready_subs);
	g_ptr_array_unref(w->spare_subs);
	g_ptr_array_unref(w->ready_fds);
	g_ptr_array_unref(w->spare_fds);
	if (p->epfd >= 0)
		close(p->epfd);
	g_free(p->last);
	g_free(p->want);
	g_free(p->child_fd);
	memset(p, 0, sizeof(*p));
}
