/* SPDX-License-Identifier: MIT */
/* Inside the worker pool: what worker.c (the pool, the loop, the tickers) and
 * worker_poll.c (the poll function and the child contexts) share. */
#pragma once

#include "worker.h"

/*
 * A worker's iterations begin at least a batch period apart: an iteration costs GLib a
 * prepare and a check of every source attached to the worker's context, so waking for
 * each of the 50,000 datagrams a second that 1,000 peers send would spend a core on
 * bookkeeping alone. The worker's poll function sleeps out the rest of the period before
 * it polls, so that the datagrams gather in the sockets, to be read in one iteration. The
 * period grows with the peers, from 0.25 ms to the configured maximum ([transport]
 * io_batch_us, 2 ms by default, reached at 440 peers); a packet waits at most that long,
 * well inside the jitter buffers' 20 ms.
 *
 * The poll itself is an epoll set that holds the context's descriptors from one iteration
 * to the next, so that a poll costs the ready sockets, not all of them (poll() asks every
 * socket's driver each time). GLib hands the poll function the whole array each time; it
 * is compared with the previous one and epoll is told only when it changed. A socket
 * closed and another opened on the same number between two polls leave the array as it
 * was while epoll forgot the closed one: every WORKER_EPOLL_REFRESH_US the whole set is
 * registered again (an idle worker wakes for it), which bounds the delay of that rare case.
 *
 * Child contexts (worker_sub_new()) keep a peer's libnice agent — its sockets and timers —
 * out of the worker's context: their descriptors sit in the same epoll set, tagged with
 * the child, and their next timeout in the child. A child is iterated only when one of
 * its descriptors is ready or its timeout is due, so GLib prepares and checks only that
 * agent's few sources instead of every agent's on every iteration.
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
	uint8_t *child_fd; /* indexed by fd: registered by a child context, not the worker's */
	guint child_fd_size;
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
	/* Child contexts (the worker's thread only): all of them, those due to be iterated,
	 * and the source on the worker's context that iterates them. */
	GPtrArray *subs;
	GPtrArray *ready_subs, *spare_subs;
	int64_t subs_next_due_us; /* no child is due before (-1: none has a deadline) */
	/* Descriptors read by their owners (worker_fd_add()): readable ones, to be run by the
	 * same source as the children, and how many are registered. */
	GPtrArray *ready_fds, *spare_fds;
	guint fd_count;
	GSource *subs_source;
};

struct ticker {
	worker_tick_fn fn;
	void *data;     /* NULL: removed while ticking, compacted afterwards */
	int64_t due_us; /* not called at ticks before this */
};

struct worker_pool {
	unsigned count;
	struct worker *workers;
	gint batch_max_us; /* atomic */
	gint use_epoll;    /* atomic */
	GMutex lock; /* serialises acquire so that two peers do not both see the same minimum */
};

/* The worker whose loop runs on this thread (a GPollFunc has no user data). */
extern __thread struct worker *worker_current;

/* worker_poll.c */
gint worker_poll(GPollFD *fds, guint nfds, gint timeout_ms);
void worker_poller_init(struct worker *w);
/* Frees the child contexts still there (with a warning) as w's thread ends. */
void worker_subs_drop(struct worker *w);
/* Frees w's poll state, after its thread ended. */
void worker_poller_clear(struct worker *w);
