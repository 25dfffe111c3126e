/* SPDX-License-Identifier: MIT */
/*
 * Micro-benchmark: the CPU a sending thread spends per datagram in the kernel's send paths
 * a bridge can take, to N receivers on loopback, each a socket drained by a reader thread
 * (the far end's work that loopback does in the sender's system call is counted, as it is
 * on a real NIC's driver path):
 *
 *   per-socket    one socket per receiver, sendto() each (what Cầu does: a port per peer)
 *   shared        one socket for all, sendto() each (a server with one port, ICE-lite)
 *   shared-mmsg   one socket for all, sendmmsg() of 64
 *   per-socket-gso one socket per receiver, the K packets of a frame in one sendmsg() with
 *                 UDP_SEGMENT (what the video fan-out does since session 8)
 *
 * Each run sends K datagrams of B bytes to each receiver every period. Modes alternate
 * over the repeats and the median CPU per datagram is printed, then one JSON line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define MMSG_BATCH 64
#define MAX_SEGS   32

enum mode { PER_SOCKET, SHARED, SHARED_MMSG, PER_SOCKET_GSO, MODE_COUNT };

static const char *const mode_names[MODE_COUNT] = {"per-socket", "shared", "shared-mmsg",
                                                   "per-socket-gso"};

struct options {
	int receivers, packets, size, periods, period_ms, repeats;
	char *modes;
};

struct setup {
	int n;
	int *rx, *tx, shared;
	struct sockaddr_in *to;
	gint stop; /* atomic */
};

static double thread_cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int udp_socket(struct sockaddr_in *bound)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int buf = 4 << 20;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		fprintf(stderr, "udp-send-bench: cannot bind a UDP socket on 127.0.0.1: %s\n",
		        g_strerror(errno));
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (bound)
		*bound = a;
	return fd;
}

/* The far end: drains every receiver as it becomes readable. */
static gpointer reader(gpointer data)
{
	struct setup *s = data;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	static char buf[65536];

	for (int i = 0; i < s->n; i++) {
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)i};

		epoll_ctl(ep, EPOLL_CTL_ADD, s->rx[i], &e);
	}
	while (!g_atomic_int_get(&s->stop)) {
		struct epoll_event ev[64];
		int n = epoll_wait(ep, ev, 64, 50);

		for (int k = 0; k < n; k++)
			while (recv(s->rx[ev[k].data.u32], buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
	}
	close(ep);
	return NULL;
}

static long send_gso(int fd, const struct sockaddr_in *to, const uint8_t *buf, int size, int k)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {(void *)buf, (size_t)size * (size_t)k};
	struct msghdr msg = {.msg_name = (void *)to,
	                     .msg_namelen = sizeof(*to),
	                     .msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = control.buf,
	                     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	uint16_t seg = (uint16_t)size;

	if (k == 1)
		return sendto(fd, buf, (size_t)size, 0, (const struct sockaddr *)to, sizeof(*to)) >
		       0;
	memset(&control, 0, sizeof(control));
	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
	return sendmsg(fd, &msg, 0) > 0 ? k : 0;
}

static long send_mmsg(struct setup *s, const uint8_t *buf, int size, int k)
{
	struct mmsghdr m[MMSG_BATCH];
	struct iovec iov = {(void *)buf, (size_t)size};
	int filled = 0;
	long sent = 0;

	for (int i = 0; i < s->n; i++) {
		for (int p = 0; p < k; p++) {
			m[filled].msg_hdr = (struct msghdr){.msg_name = &s->to[i],
			                                    .msg_namelen = sizeof(s->to[i]),
			                                    .msg_iov = &iov,
			                                    .msg_iovlen = 1};
			if (++filled == MMSG_BATCH || (i == s->n - 1 && p == k - 1)) {
				int r = sendmmsg(s->shared, m, (unsigned)filled, 0);

				sent += r > 0 ? r : 0;
				filled = 0;
			}
		}
	}
	return sent;
}

/* One period's datagrams in mode m; returns how many left. */
static long send_period(struct setup *s, enum mode m, const uint8_t *buf, int size, int k)
{
	long sent = 0;

	if (m == SHARED_MMSG)
		return send_mmsg(s, buf, size, k);
	for (int i = 0; i < s->n; i++) {
		const struct sockaddr *to = (const struct sockaddr *)&s->to[i];

		if (m == PER_SOCKET_GSO) {
			sent += send_gso(s->tx[i], &s->to[i], buf, size, k);
			continue;
		}
		for (int p = 0; p < k; p++)
			sent += sendto(m == SHARED ? s->shared : s->tx[i], buf, (size_t)size, 0, to,
			               sizeof(s->to[i])) > 0;
	}
	return sent;
}

/* CPU microseconds per datagram sent, over o->periods periods at o->period_ms. */
static double run(struct setup *s, enum mode m, const struct options *o, const uint8_t *buf)
{
	struct timespec next;
	long sent = 0;
	double cpu = thread_cpu_s();

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (int t = 0; t < o->periods; t++) {
		sent += send_period(s, m, buf, o->size, o->packets);
		next.tv_nsec += (long)o->period_ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	cpu = thread_cpu_s() - cpu;
	return sent ? cpu * 1e6 / (double)sent : 0;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static bool parse(int argc, char **argv, struct options *o)
{
	GOptionEntry entries[] = {
	    {"receivers", 'n', 0, G_OPTION_ARG_INT, &o->receivers, "receivers (default 169)", "N"},
	    {"packets", 'k', 0, G_OPTION_ARG_INT, &o->packets,
	     "datagrams per receiver and period (default 5, at most 32)", "K"},
	    {"size", 's', 0, G_OPTION_ARG_INT, &o->size, "bytes per datagram (default 1216)", "B"},
	    {"periods", 'p', 0, G_OPTION_ARG_INT, &o->periods, "periods per run (default 150)",
	     "P"},
	    {"period-ms", 0, 0, G_OPTION_ARG_INT, &o->period_ms, "period (default 33 ms)", "MS"},
	    {"repeats", 'r', 0, G_OPTION_ARG_INT, &o->repeats, "runs per mode (default 3)", "R"},
	    {"modes", 'm', 0, G_OPTION_ARG_STRING, &o->modes,
	     "comma-separated (default all: per-socket,shared,shared-mmsg,per-socket-gso)", "LIST"},
	    {NULL}};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- kernel send paths, per datagram");
	g_autoptr(GError) error = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "udp-send-bench: %s\n", error->message);
		return false;
	}
	if (o->receivers < 1 || o->packets < 1 || o->packets > MAX_SEGS || o->size < 16 ||
	    o->size > 1472 || o->periods < 1 || o->period_ms < 1 || o->repeats < 1) {
		fprintf(stderr,
		        "udp-send-bench: receivers >= 1, 1 <= packets <= %d, "
		        "16 <= size <= 1472, periods, period-ms and repeats >= 1\n",
		        MAX_SEGS);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct options o = {169, 5, 1216, 150, 33, 3, NULL};
	struct setup s = {0};
	bool want[MODE_COUNT] = {0};
	double *cpu[MODE_COUNT];
	g_autofree uint8_t *buf = NULL;
	g_autoptr(GString) json = g_string_new("{\"bench\": \"udp-send\", \"results\": [");
	GThread *thread;

	if (!parse(argc, argv, &o))
		return 2;
	g_auto(GStrv) names = g_strsplit(o.modes ? o.modes
	                                         : "per-socket,shared,shared-mmsg,"
	                                           "per-socket-gso",
	                                 ",", -1);
	for (char **name = names; *name; name++) {
		int m = 0;

		while (m < MODE_COUNT && strcmp(*name, mode_names[m]) != 0)
			m++;
		if (m == MODE_COUNT) {
			fprintf(stderr, "udp-send-bench: no mode \"%s\"\n", *name);
			return 2;
		}
		want[m] = true;
	}
	buf = g_malloc0((size_t)o.size * MAX_SEGS);
	s.n = o.receivers;
	s.rx = g_new(int, s.n);
	s.tx = g_new(int, s.n);
	s.to = g_new(struct sockaddr_in, s.n);
	for (int i = 0; i < s.n; i++) {
		s.rx[i] = udp_socket(&s.to[i]);
		s.tx[i] = udp_socket(NULL);
	}
	s.shared = udp_socket(NULL);
	thread = g_thread_new("reader", reader, &s);
	for (int m = 0; m < MODE_COUNT; m++)
		cpu[m] = g_new0(double, o.repeats);
	for (int r = 0; r < o.repeats; r++)
		for (int m = 0; m < MODE_COUNT; m++)
			if (want[m])
				cpu[m][r] = run(&s, (enum mode)m, &o, buf);
	g_atomic_int_set(&s.stop, 1);
	g_thread_join(thread);

	printf("udp-send: %d receivers on loopback, %d datagrams of %d bytes each every %d ms, "
	       "median of %d runs of %d periods, modes alternating\n",
	       o.receivers, o.packets, o.size, o.period_ms, o.repeats, o.periods);
	printf("%-15s %15s %14s\n", "mode", "us_per_datagram", "ms_per_period");
	for (int m = 0, first = 1; m < MODE_COUNT; m++) {
		double median;

		if (!want[m])
			continue;
		qsort(cpu[m], (size_t)o.repeats, sizeof(double), compare);
		median = cpu[m][o.repeats / 2];
		printf("%-15s %15.3f %14.3f\n", mode_names[m], median,
		       median * o.receivers * o.packets / 1000);
		g_string_append_printf(json, "%s{\"mode\": \"%s\", \"us_per_datagram\": %.3f}",
		                       first ? "" : ", ", mode_names[m], median);
		first = 0;
	}
	g_string_append_printf(json,
	                       "], \"receivers\": %d, \"packets\": %d, \"size\": %d, "
	                       "\"period_ms\": %d}",
	                       o.receivers, o.packets, o.size, o.period_ms);
	printf("%s\n", json->str);
	for (int m = 0; m < MODE_COUNT; m++)
		g_free(cpu[m]);
	for (int i = 0; i < s.n; i++) {
		close(s.rx[i]);
		close(s.tx[i]);
	}
	close(s.shared);
	g_free(s.rx);
	g_free(s.tx);
	g_free(s.to);
	return 0;
}
