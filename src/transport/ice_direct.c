/* SPDX-License-Identifier: MIT */
/*
 * Reading the selected pair's socket without libnice. Through libnice each datagram costs
 * an iteration of the agent's context (GLib's prepare, query, check and dispatch of its
 * sources), libnice's lock and its STUN demultiplexing, about a sixth of the server's CPU
 * in a large audio room. Once a plain UDP pair is selected, libnice's sources move to a
 * context nobody iterates, the socket joins the worker's epoll set (worker_fd_add()) and is
 * drained with recvmmsg(). What libnice did on it is then done here: STUN binding requests
 * from the remote (its consent checks, RFC 7675, and any late connectivity check) are
 * answered after checking USERNAME, MESSAGE-INTEGRITY and FINGERPRINT, and our own consent
 * checks go out every 4-6 s; 30 s without an answer is reported as consent lost. When
 * the remote is controlling and nominates another address (USE-CANDIDATE), media follows
 * it, as an ICE-lite agent would. Other datagrams are accepted only from the selected
 * remote address, as libnice accepts only known candidates.
 *
 * With [ice] lite there is no agent and no socket of the peer's own: the worker's shared
 * socket (ice_mux.c) hands each peer its STUN messages (ice_direct_stun()), the first
 * valid check selects the pair, and the consent checks are the same.
 */
#define G_LOG_DOMAIN "cau-ice"
#include "ice_private.h"

#include "core/random.h"
#include "proto/stun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#define RX_BATCH     16
#define RX_ROUNDS    4    /* recvmmsg() calls per readiness, at most (then the next poll) */
#define CONSENT_MS   5000 /* RFC 7675: 4-6 s, randomised */
#define CONSENT_LOST 30   /* s without an answer */

static __thread uint8_t rx_buf[RX_BATCH][ICE_RX_SIZE];

/* libnice's sources go here: attached, never dispatched. */
static GMainContext *parked_context(void)
{
	static GMainContext *parked;

	if (g_once_init_enter(&parked))
		g_once_init_leave(&parked, g_main_context_new());
	return parked;
}

/* ---- the remote's checks ---- */

static bool username_is_ours(const struct ice *ice, const struct stun_message *m)
{
	size_t n = strlen(ice->local_ufrag);

	return m->username && m->username_len > n + 1 && m->username[n] == ':' &&
	       !memcmp(m->username, ice->local_ufrag, n);
}

static void arm_consent_timer(struct ice *ice);

/* Media goes to `from` from socket fd now: the remote (controlling) nominated that pair, or,
 * with ICE-lite, its first valid check came from there. */
static void follow(struct ice *ice, int fd, const struct sockaddr_storage *from, const char *why)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	const void *ip = from->ss_family == AF_INET6
	                     ? (const void *)&((const struct sockaddr_in6 *)from)->sin6_addr
	                     : (const void *)&((const struct sockaddr_in *)from)->sin_addr;

	ice_set_path(ice, fd, from);
	if (ice->mux)
		ice_mux_route(ice->mux, ice, from);
	inet_ntop(from->ss_family, ip, addr, sizeof(addr));
	g_info("[%s] ice: %s %s:%u; media follows", ice->name, why, addr,
	       ntohs(((const struct sockaddr_in *)from)->sin_port));
}

/* ICE-lite (RFC 8445 7.3.1.5): the pair of the first valid check carries media at once
 * (DTLS need not wait for a remote that nominates in a later check); a nominating check
 * from elsewhere moves it. */
static void lite_select(struct ice *ice, int fd, const struct stun_message *m,
                        const struct sockaddr_storage *from, const struct ice_path *path)
{
	if (!path) {
		follow(ice, fd, from, "first valid check from");
		ice->consent_answered_us = g_get_monotonic_time();
		if (!ice->consent_timer)
			arm_consent_timer(ice);
		ice_set_state(ice, ICE_STATE_CONNECTED, NULL);
	} else if (m->use_candidate && (path->fd != fd || !ice_same_address(from, &path->to))) {
		follow(ice, fd, from, "the remote nominated");
	}
}

static void answer_check(struct ice *ice, int fd, const uint8_t *buf, const struct stun_message *m,
                         const struct sockaddr_storage *from)
{
	const struct ice_path *path = atomic_load(&ice->path);
	uint8_t out[128];
	size_t len;
	size_t pwd_len = strlen(ice->local_pwd);

	if (!m->fingerprint_at || !stun_check_fingerprint(buf, m) || !username_is_ours(ice, m) ||
	    !stun_check_integrity(buf, m, ice->local_pwd, pwd_len)) {
		ice->stats.stun_dropped++;
		return;
	}
	len = stun_write_binding_success(out, sizeof(out), m->transaction,
	                                 (const struct sockaddr *)from, ice->local_pwd, pwd_len);
	if (len && sendto(fd, out, len, MSG_DONTWAIT, (const struct sockaddr *)from,
	                  ice_address_len(from)) == (ssize_t)len)
		ice->stats.checks_answered++;
	if (ice->mux)
		lite_select(ice, fd, m, from, path);
	else if (m->use_candidate && !ice->controlling && path &&
	         !ice_same_address(from, &path->to))
		follow(ice, fd, from, "the remote nominated");
}

/* ---- our consent checks ---- */

static void consent_answer(struct ice *ice, const uint8_t *buf, const struct stun_message *m)
{
	bool ours = false;

	for (unsigned i = 0; i < ICE_CONSENT_PENDING && !ours; i++)
		ours = !memcmp(ice->consent_sent[i], m->transaction, sizeof(m->transaction));
	if (!ours) {
		ice->stats.stun_unmatched++;
		return;
	}
	if (!ice->remote_pwd ||
	    !stun_check_integrity(buf, m, ice->remote_pwd, strlen(ice->remote_pwd))) {
		ice->stats.stun_dropped++;
		return;
	}
	ice->stats.consent_answered++;
	ice->consent_answered_us = g_get_monotonic_time();
}

static void send_consent_check(struct ice *ice)
{
	const struct ice_path *path = atomic_load(&ice->path);
	g_autofree char *username = NULL;
	uint8_t out[256], *tx = ice->consent_sent[ice->consent_next];
	/* A peer-reflexive candidate's priority (RFC 8445 5.1.2.1: type preference 110). */
	const uint32_t priority = (110u << 24) | (65535u << 8) | (256 - ICE_COMPONENT);
	size_t len;

	if (!ice->remote_ufrag || !ice->remote_pwd || !path)
		return;
	username = g_strconcat(ice->remote_ufrag, ":", ice->local_ufrag, NULL);
	random_bytes(tx, sizeof(ice->consent_sent[0]));
	ice->consent_next = (ice->consent_next + 1) % ICE_CONSENT_PENDING;
	len =
	    stun_write_binding_request(out, sizeof(out), tx, username, priority, ice->controlling,
	                               ice->tie_breaker, ice->remote_pwd, strlen(ice->remote_pwd));
	if (len && sendto(path->fd, out, len, MSG_DONTWAIT, (const struct sockaddr *)&path->to,
	                  path->to_len) > 0)
		ice->stats.consent_sent++;
}

static gboolean on_consent_timer(gpointer data);

static void arm_consent_timer(struct ice *ice)
{
	guint ms = CONSENT_MS * 4 / 5 + g_random_int_range(0, CONSENT_MS * 2 / 5 + 1);

	ice->consent_timer = g_timeout_source_new(ms);
	g_source_set_callback(ice->consent_timer, on_consent_timer, ice, NULL);
	g_source_attach(ice->consent_timer, ice->context);
}

static gboolean on_consent_timer(gpointer data)
{
	struct ice *ice = data;
	int64_t silent_us = g_get_monotonic_time() - ice->consent_answered_us;

	g_clear_pointer(&ice->consent_timer, g_source_unref);
	if (ice->closed || (!ice->rx && !ice->mux))
		return G_SOURCE_REMOVE;
	if (silent_us > CONSENT_LOST * G_USEC_PER_SEC && ice->state == ICE_STATE_CONNECTED)
		ice_set_state(ice, ICE_STATE_CONSENT_LOST,
		              "ice: no answer to consent checks for 30 s (RFC 7675)");
	send_consent_check(ice);
	arm_consent_timer(ice);
	return G_SOURCE_REMOVE;
}

/* ---- reading ---- */

void ice_direct_stun(struct ice *ice, int fd, const uint8_t *buf, const struct stun_message *m,
                     const struct sockaddr_storage *from)
{
	/* An error answers nothing we send rightly; indications (keepalives) need nothing. */
	if (m->cls == STUN_CLASS_REQUEST)
		answer_check(ice, fd, buf, m, from);
	else if (m->cls == STUN_CLASS_SUCCESS)
		consent_answer(ice, buf, m);
	else if (m->cls == STUN_CLASS_ERROR)
		ice->stats.stun_unmatched++;
}

static void handle_stun(struct ice *ice, const uint8_t *buf, size_t len,
                        const struct sockaddr_storage *from)
{
	struct stun_message m;

	if (stun_parse(buf, len, &m) < 0 || m.method != STUN_METHOD_BINDING) {
		ice->stats.stun_dropped++;
		return;
	}
	ice_direct_stun(ice, ice->rx_fd, buf, &m, from);
}

static void handle(struct ice *ice, uint8_t *buf, size_t len, const struct sockaddr_storage *from)
{
	const struct ice_path *path = atomic_load_explicit(&ice->path, memory_order_relaxed);

	ice->stats.datagrams++;
	if (stun_is_stun(buf, len)) {
		handle_stun(ice, buf, len, from);
		return;
	}
	if (!path || !ice_same_address(from, &path->to)) {
		ice->stats.unknown_source++;
		return;
	}
	if (len)
		ice->cb->receive(buf, len, ice->user_data);
}

int ice_recv_batch(int fd, uint8_t (*bufs)[ICE_RX_SIZE], unsigned count, struct mmsghdr *msgs,
                   struct sockaddr_storage *from)
{
	struct iovec iov[64];
	int n;

	g_return_val_if_fail(count <= G_N_ELEMENTS(iov), -EINVAL);
	memset(msgs, 0, sizeof(*msgs) * count);
	for (unsigned i = 0; i < count; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = ICE_RX_SIZE;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &from[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	n = recvmmsg(fd, msgs, count, MSG_DONTWAIT, NULL);
	if (n >= 0)
		return n;
	return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
}

static bool on_readable(void *data)
{
	struct ice *ice = data;
	struct mmsghdr msgs[RX_BATCH];
	struct sockaddr_storage from[RX_BATCH];

	for (unsigned round = 0; round < RX_ROUNDS; round++) {
		int n = ice_recv_batch(ice->rx_fd, rx_buf, RX_BATCH, msgs, from);

		if (n < 0) {
			/* A pending error (an ICMP port unreachable: ECONNREFUSED) is consumed by
			 * the call that reports it; what queued behind it is read next. */
			if (n != -EINTR)
				g_debug("[%s] ice: recvmmsg: %s", ice->name, g_strerror(-n));
			continue;
		}
		if (n == 0)
			return false;
		for (int i = 0; i < n; i++) {
			/* A callback may have given the socket back (never freed ice: that is
			 * scheduled). */
			if (ice->closed || !ice->rx)
				return false;
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				ice->stats.datagrams++;
				ice->stats.oversized++;
				continue;
			}
			handle(ice, rx_buf[i], msgs[i].msg_len, &from[i]);
		}
		/* A short read: it would block now (or an error is pending behind what was read,
		 * which the next datagram's edge brings us back to). */
		if (n < RX_BATCH)
			return false;
	}
	return true; /* more, perhaps: after the next poll */
}

/* ---- switching ---- */

void ice_set_path(struct ice *ice, int fd, const struct sockaddr_storage *to)
{
	struct ice_path *old = atomic_load(&ice->path), *path = NULL;

	if (fd >= 0) {
		path = g_new0(struct ice_path, 1);
		path->fd = fd;
		path->to = *to;
		path->to_len = ice_address_len(to);
	}
	atomic_store_explicit(&ice->path, path, memory_order_release);
	if (old)
		g_ptr_array_add(ice->old_paths, old);
}

void ice_direct_start(struct ice *ice)
{
	int fd = g_socket_get_fd(ice->direct_socket);

	if (ice->rx && ice->rx_fd == fd)
		return; /* the same socket, perhaps another remote address */
	if (ice->rx) {
		worker_fd_remove(ice->rx);
		ice->rx = NULL;
	}
	ice->rx = worker_fd_add(ice->worker, fd, on_readable, ice);
	if (!ice->rx)
		return; /* no epoll set: libnice keeps reading */
	ice->rx_fd = fd;
	nice_agent_attach_recv(ice->agent, ice->stream, ICE_COMPONENT, parked_context(), NULL,
	                       NULL);
	ice->consent_answered_us = g_get_monotonic_time();
	if (!ice->consent_timer)
		arm_consent_timer(ice);
	g_debug("[%s] ice: reading the selected pair's socket directly", ice->name);
}

void ice_direct_stop(struct ice *ice)
{
	if (ice->consent_timer) {
		g_source_destroy(ice->consent_timer);
		g_clear_pointer(&ice->consent_timer, g_source_unref);
	}
	if (!ice->rx)
		return;
	worker_fd_remove(ice->rx);
	ice->rx = NULL;
	ice->rx_fd = -1;
	if (!ice->closed)
		nice_agent_attach_recv(ice->agent, ice->stream, ICE_COMPONENT, ice->context,
		                       ice_libnice_receive, ice);
}

void ice_get_direct_stats(const struct ice *ice, struct ice_direct_stats *out)
{
	*out = ice->stats;
	out->active = ice->rx != NULL || (ice->mux && atomic_load(&ice->path));
}
