/* SPDX-License-Identifier: MIT */
/* A fixed pool of transport worker threads, each running its own GMainContext, to which
 * peers (their libnice agents, sockets and timers) are assigned. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct worker;
struct worker_pool;

typedef struct worker_pool worker_pool;

/*
 * Starts `count` worker threads (0: one per online CPU), each iterating its own
 * GMainContext until worker_pool_free(). Call from the control thread; the pool is owned
 * by the caller. Never fails (thread creation failure aborts, as allocation does).
 */
struct worker_pool *worker_pool_new(unsigned count);

/*
 * Stops every worker (their loops quit after the sources already queued have run) and
 * joins the threads. Every worker handed out by worker_pool_acquire() must have been
 * released, and every source attached to the workers' contexts destroyed, before this is
 * called. NULL is allowed.
 */
void worker_pool_free(struct worker_pool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(worker_pool, worker_pool_free)

/* Default of the longest batch period ([transport] io_batch_us). */
#define WORKER_BATCH_MAX_US 2000

/*
 * Sets the longest time (µs) a worker lets datagrams gather in its sockets between two
 * polls (default WORKER_BATCH_MAX_US; 0: it polls again as soon as it has dispatched).
 * The period in force grows with the worker's peers, from 0.25 ms to this maximum; it is
 * the most a datagram or a worker_invoke() waits before the worker sees it. Any thread.
 */
void worker_pool_set_batch_max(struct worker_pool *pool, unsigned max_us);

/* Whether the workers poll through their epoll sets (the default) or with g_poll(), for
 * benchmarks comparing the two. Any thread; takes effect at each worker's next poll. */
void worker_pool_set_epoll(struct worker_pool *pool, bool epoll);

/* Number of workers in the pool. Any thread. */
unsigned worker_pool_size(const struct worker_pool *pool);

/* Worker i (< worker_pool_size()), owned by the pool. Any thread. */
struct worker *worker_pool_get(struct worker_pool *pool, unsigned i);

/*
 * Picks the worker with the fewest assigned peers (the lowest index on a tie) and counts
 * one more peer on it. Pair with worker_release(). Any thread. The worker is owned by the
 * pool and lives as long as the pool.
 */
struct worker *worker_pool_acquire(struct worker_pool *pool);

/* Counts one peer less on w. Any thread. */
void worker_release(struct worker *w);

/* The number of peers currently assigned to w. Any thread. */
unsigned worker_load(const struct worker *w);

/* The worker's index in its pool, for log lines ("[worker 1]"). */
unsigned worker_index(const struct worker *w);

/* The worker's main context (owned by the worker): attach sources and create libnice
 * agents on it. Any thread. */
GMainContext *worker_context(struct worker *w);

/* The number of times w's loop has polled its descriptors (for tests and metrics). Any
 * thread. */
uint64_t worker_polls(const struct worker *w);

/* Whether the calling thread is w's thread. */
bool worker_is_current(const struct worker *w);

/*
 * Runs fn(data) on w's thread: at once if the caller already is that thread, otherwise
 * as soon as the worker's loop gets to it (g_main_context_invoke_full). `destroy` (may be
 * NULL) is called on data afterwards, on the worker's thread. Any thread.
 */
void worker_invoke(struct worker *w, GSourceFunc fn, gpointer data, GDestroyNotify destroy);

/*
 * A child context of w for one libnice agent (its sockets and timers): its descriptors
 * wait in w's epoll set and it is iterated, on w's thread, only when one of them is ready
 * or its next timeout is due, so that the cost of an iteration of w's loop does not grow
 * with the agents it holds. Give the agent worker_sub_context(). worker_sub_new() and
 * worker_sub_release(): w's thread only. Sources may be attached to the child's context
 * from any thread (that wakes it); they are dispatched on w's thread.
 */
struct worker_sub;
struct worker_sub *worker_sub_new(struct worker *w);
GMainContext *worker_sub_context(struct worker_sub *sub);
/* Stops iterating sub and frees it (at once, or after its iteration when called from
 * inside it); sources still attached to its context are never dispatched again. w's
 * thread only. NULL is allowed. */
void worker_sub_release(struct worker_sub *sub);

/*
 * A descriptor its owner reads itself, on w's thread, without GLib: it waits in w's epoll
 * set (edge-triggered), and fn(data) is called from w's loop when something arrived, and
 * once at once after it is added. fn reads until the descriptor would block, or returns
 * true to be called again after the next poll (having left something unread). A descriptor a child
 * context polled may be taken over this way (the child must stop polling it: its sources moved
 * elsewhere). Returns NULL when w has no epoll set (then keep reading through GLib).
 * worker_fd_add() and worker_fd_remove(): w's thread only; fn is not called after
 * worker_fd_remove() returns, which may be called from inside fn. Remove it before the descriptor
 * is closed. NULL is allowed.
 */
struct worker_fd;
typedef bool (*worker_fd_fn)(void *data);
struct worker_fd *worker_fd_add(struct worker *w, int fd, worker_fd_fn fn, void *data);
void worker_fd_remove(struct worker_fd *wf);

/* Period of the workers' shared timer. */
#define WORKER_TICK_MS 20

/* A ticker: returns how long (microseconds) it can wait before its next call; less than
 * WORKER_TICK_MS (0, say): at the next tick. */
typedef int64_t (*worker_tick_fn)(void *data);

/*
 * Calls fn(data) on w's thread at the ticks of a WORKER_TICK_MS timer (absolute
 * deadlines: a late tick does not delay the next ones), at the first tick once the wait it
 * last returned is over, with every other ticker of w, until worker_remove_ticker(w,
 * data). One timer serves them all, and a ticker that waits is skipped without touching
 * its data: a thousand idle peers cost a scan of an array. data must not be NULL and must
 * stay valid until removed. w's thread only.
 */
void worker_add_ticker(struct worker *w, worker_tick_fn fn, void *data);

/* Stops the ticker added with data; it is not called after this returns, even when
 * removed from inside a tick. w's thread only. */
void worker_remove_ticker(struct worker *w, void *data);
