/* SPDX-License-Identifier: MIT */
/* Micro-benchmark: CPU time of one transport worker holding N UDP sockets, each receiving
 * a datagram every 20 ms (a participant's audio), by batch period and by poll method. */
#include <errno.h>
#include <gio/gio.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "transport/worker.h"

struct options {
	int sockets;
	double seconds;
	char *batches;
	char *methods;
};

struct run {
	struct worker *worker;
	GSocket **rx;
	GSource **sources;
	unsigned n;
	gint received; /* atomic */
	gint attached; /* atomic */
	gint stop;     /* atomic */
	double sender_cpu_s;
	uint64_t sent;
	double seconds;
};

static double rusage_s(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static gboolean on_readable(GSocket *socket, GIOCondition cond, gpointer data)
{
	struct run *r = data;
	char buf[256];

	while (g_socket_receive(socket, buf, sizeof(buf), NULL, NULL) > 0)
		g_atomic_int_inc(&r->received);
	return G_SOURCE_CONTINUE;
}

static gboolean attach_all(gpointer data)
{
	struct run *r = data;

	for (unsigned i = 0; i < r->n; i++) {
		r->sources[i] = g_socket_create_source(r->rx[i], G_IO_IN, NULL);
		g_source_set_callback(r->sources[i], (GSourceFunc)(void (*)(void))on_readable, r,
		                      NULL);
		g_source_attach(r->sources[i], worker_context(r->worker));
	}
	g_atomic_int_set(&r->attached, 1);
	return G_SOURCE_REMOVE;
}

static gboolean detach_all(gpointer data)
{
	struct run *r = data;

	for (unsigned i = 0; i < r->n; i++) {
		g_source_destroy(r->sources[i]);
		g_source_unref(r->sources[i]);
	}
	g_atomic_int_set(&r->attached, 0);
	return G_SOURCE_REMOVE;
}

static GSocket *bound_udp(void)
{
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
	GSocket *s =
	    g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);

	if (!s || !g_socket_bind(s, addr, FALSE, NULL)) {
		fprintf(stderr, "worker-poll-bench: cannot bind a UDP socket on 127.0.0.1\n");
		exit(1);
	}
	g_socket_set_blocking(s, FALSE);
	return s;
}

/* Sends a datagram to every socket every 20 ms (absolute deadlines) until stopped. */
static gpointer sender_main(gpointer data)
{
	struct run *r = data;
	g_autoptr(GSocket) tx = bound_udp();
	GSocketAddress **to = g_new(GSocketAddress *, r->n);
	double cpu0 = rusage_s(RUSAGE_THREAD);
	char payload[120] = {0};
	struct timespec next;

	for (unsigned i = 0; i < r->n; i++)
		to[i] = g_socket_get_local_address(r->rx[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!g_atomic_int_get(&r->stop)) {
		for (unsigned i = 0; i < r->n; i++) {
			if (g_socket_send_to(tx, to[i], payload, sizeof(payload), NULL, NULL) > 0)
				r->sent++;
		}
		next.tv_nsec += 20000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	r->sender_cpu_s = rusage_s(RUSAGE_THREAD) - cpu0;
	for (unsigned i = 0; i < r->n; i++)
		g_object_unref(to[i]);
	g_free(to);
	return NULL;
}

static void wait_flag(gint *flag, gint value)
{
	while (g_atomic_int_get(flag) != value)
		g_usleep(1000);
}

/* One measurement: the worker's CPU (the process's minus the sender's) per second. */
static void run_one(const struct options *o, bool epoll, unsigned batch_us, double *cpu_pct,
                    double *us_per_datagram, double *polls_per_s, double *delivered)
{
	g_autoptr(worker_pool) pool = worker_pool_new(1);
	struct run r = {.n = (unsigned)o->sockets, .seconds = o->seconds};
	uint64_t polls0;
	double cpu0, cpu;
	gint64 t0, t1;
	GThread *sender;

	r.worker = worker_pool_get(pool, 0);
	worker_pool_set_batch_max(pool, batch_us);
	worker_pool_set_epoll(pool, epoll);
	for (unsigned i = 0; i < r.n; i++)
		worker_pool_acquire(pool); /* the batch period grows with the peers */
	r.rx = g_new(GSocket *, r.n);
	r.sources = g_new(GSource *, r.n);
	for (unsigned i = 0; i < r.n; i++)
		r.rx[i] = bound_udp();
	worker_invoke(r.worker, attach_all, &r, NULL);
	wait_flag(&r.attached, 1);
	sender = g_thread_new("sender", sender_main, &r);
	g_usleep(500000); /* warm-up */
	g_atomic_int_set(&r.received, 0);
	polls0 = worker_polls(r.worker);
	cpu0 = rusage_s(RUSAGE_SELF);
	t0 = g_get_monotonic_time();
	g_usleep((gulong)(o->seconds * G_USEC_PER_SEC));
	t1 = g_get_monotonic_time();
	cpu = rusage_s(RUSAGE_SELF) - cpu0;
	*polls_per_s = (double)(worker_polls(r.worker) - polls0) / ((t1 - t0) / 1e6);
	*delivered = g_atomic_int_get(&r.received);
	g_atomic_int_set(&r.stop, 1);
	g_thread_join(sender);
	/* The sender's CPU covers warm-up and the window: scaled to the window. */
	cpu -= r.sender_cpu_s * ((t1 - t0) / 1e6) / (o->seconds + 0.5);
	*cpu_pct = 100.0 * cpu / ((t1 - t0) / 1e6);
	*us_per_datagram = *delivered > 0 ? cpu * 1e6 / *delivered : 0;
	*delivered = *delivered / (r.n * 50.0 * ((t1 - t0) / 1e6));
	worker_invoke(r.worker, detach_all, &r, NULL);
	wait_flag(&r.attached, 0);
	for (unsigned i = 0; i < r.n; i++) {
		g_object_unref(r.rx[i]);
		worker_release(r.worker);
	}
	g_free(r.rx);
	g_free(r.sources);
}

int main(int argc, char **argv)
{
	struct options o = {.sockets = 500, .seconds = 5};
	GOptionEntry entries[] = {
	    {"sockets", 0, 0, G_OPTION_ARG_INT, &o.sockets, "Sockets on the worker", "N"},
	    {"seconds", 0, 0, G_OPTION_ARG_DOUBLE, &o.seconds, "Measured seconds per run", "S"},
	    {"batch-us", 0, 0, G_OPTION_ARG_STRING, &o.batches,
	     "Longest batch periods to try (µs, comma separated)", "LIST"},
	    {"methods", 0, 0, G_OPTION_ARG_STRING, &o.methods, "poll, epoll or both", "LIST"},
	    {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- one transport worker's CPU");
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) batches = NULL, methods = NULL;
	GString *json = g_string_new("{\"bench\": \"worker-poll\", \"runs\": [");
	double load[1] = {0};

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || o.sockets < 1 ||
	    o.sockets > 4000 || o.seconds <= 0) {
		fprintf(stderr, "worker-poll-bench: %s\n", error ? error->message : "bad option");
		return 2;
	}
	batches = g_strsplit(o.batches ? o.batches : "0,1000,2000,4000", ",", -1);
	methods = g_strsplit(o.methods ? o.methods : "poll,epoll", ",", -1);
	getloadavg(load, 1);
	printf("worker-poll: one transport worker, %d UDP sockets each receiving 50 datagrams/s "
	       "(%d/s), %.0f s per run; load average %.1f\n",
	       o.sockets, o.sockets * 50, o.seconds, load[0]);
	printf("%-6s %9s %8s %15s %8s %9s\n", "method", "batch_us", "cpu_pct", "us_per_datagram",
	       "polls_s", "delivered");
	for (char **m = methods; *m; m++) {
		for (char **b = batches; *b; b++) {
			double cpu, per, polls, delivered;
			bool epoll = strcmp(*m, "epoll") == 0;
			unsigned batch = (unsigned)strtoul(*b, NULL, 10);

			run_one(&o, epoll, batch, &cpu, &per, &polls, &delivered);
			printf("%-6s %9u %8.2f %15.3f %8.0f %9.3f\n", epoll ? "epoll" : "poll",
			       batch, cpu, per, polls, delivered);
			fflush(stdout);
			g_string_append_printf(
			    json,
			    "%s{\"method\": \"%s\", \"batch_us\": %u, \"cpu_pct\": %.2f, "
			    "\"us_per_datagram\": %.3f, \"polls_per_s\": %.0f, \"delivered\": "
			    "%.3f}",
			    json->str[json->len - 1] == '[' ? "" : ", ", epoll ? "epoll" : "poll",
			    batch, cpu, per, polls, delivered);
		}
	}
	g_string_append_printf(json, "], \"sockets\": %d}", o.sockets);
	printf("%s\n", json->str);
	g_string_free(json, TRUE);
	return 0;
}
