/* SPDX-License-Identifier: MIT */
/* Inside the ice object: what ice.c (libnice's agent) and ice_direct.c (reading the
 * selected pair's socket without libnice) share. */
#pragma once

#include "ice.h"

#include <netinet/in.h>
#include <nice/agent.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

#define ICE_COMPONENT       1
/* Receive buffers: larger than any datagram a WebRTC peer sends (MTU ~1500). */
#define ICE_RX_SIZE         2048
/* Consent checks whose answer is still accepted (one is sent every 4-6 s). */
#define ICE_CONSENT_PENDING 4

/* Where media goes: immutable once published. */
struct ice_path {
	int fd;
	struct sockaddr_storage to;
	socklen_t to_len;
};

/* A remote address as a hash key (family and port, address): see ice_mux.c. */
struct ice_addr_key {
	uint32_t w[5];
};

struct ice_mux;

struct ice {
	/* ICE-lite on the worker's shared socket (ice_mux.c) instead of an agent; NULL: full
	 * ICE with libnice. Then `mux_key` is the remote address datagrams are routed to us
	 * from, when `mux_routed`. The worker's thread. */
	struct ice_mux *mux;
	struct ice_addr_key mux_key;
	bool mux_routed;
	NiceAgent *agent; /* NULL with a mux */
	guint stream;
	struct worker *worker;
	struct worker_sub *sub; /* the agent's context */
	GMainContext *context;
	const struct ice_config *cfg;
	const struct ice_callbacks *cb;
	void *user_data;
	char *name;
	enum ice_state state;
	bool closed;
	bool controlling;
	char *local_ufrag, *local_pwd;
	char *remote_ufrag, *remote_pwd; /* NULL until known */
	uint64_t tie_breaker;
	/* The selected pair's socket, when it is a plain UDP socket (not relayed), and the
	 * path media takes: one sendto() on its descriptor to the remote address, instead of
	 * nice_agent_send(), which takes the agent's lock and turns the address into a
	 * GSocketAddress and back for every datagram. Senders (any thread) load `path`
	 * without a lock; the agent's thread replaces it (ice_set_path()) and keeps the
	 * replaced ones until ice_free(), after which no sender runs (see ice_send()). */
	GSocket *direct_socket;
	struct ice_path *_Atomic path;
	GPtrArray *old_paths;
	/* The kernel refused segmentation offload on this path once (ice_send_segments()):
	 * datagrams go one by one from then on. Any sending thread. */
	atomic_bool no_offload;
	/* Reading that socket ourselves (ice_direct.c), the agent's thread only: the worker's
	 * registration, the descriptor, and our RFC 7675 consent checks. */
	struct worker_fd *rx;
	int rx_fd;
	GSource *consent_timer;
	uint8_t consent_sent[ICE_CONSENT_PENDING][12];
	unsigned consent_next;
	int64_t consent_answered_us;
	struct ice_direct_stats stats;
};

static inline bool ice_same_address(const struct sockaddr_storage *a,
                                    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	return false;
}

static inline socklen_t ice_address_len(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* ice.c */
void ice_set_state(struct ice *ice, enum ice_state state, const char *reason);
/* libnice's receive callback, for ice_direct_stop() to give the socket back. */
void ice_libnice_receive(NiceAgent *agent, guint stream, guint component, guint len, gchar *buf,
                         gpointer data);

/* ice_direct.c */
/* Publishes the path to `to` on fd (fd < 0: none). The agent's thread. */
void ice_set_path(struct ice *ice, int fd, const struct sockaddr_storage *to);
/* Reads the selected pair's socket (ice->direct_socket, set) directly and answers the
 * remote's checks, or keeps doing so for a new remote address. Falls back to libnice
 * (does nothing) when the worker cannot. */
void ice_direct_start(struct ice *ice);
/* Gives the socket back to libnice (unless ice is closing) and stops the consent checks. */
void ice_direct_stop(struct ice *ice);
/* A parsed Binding message (request, answer or error) that came in on fd from `from`:
 * answers the remote's checks (with ICE-lite, the first valid one, then each nominating
 * one from another address, select the path) and takes our consent checks' answers. */
struct stun_message;
void ice_direct_stun(struct ice *ice, int fd, const uint8_t *buf, const struct stun_message *m,
                     const struct sockaddr_storage *from);

/* One recvmmsg() of up to count datagrams (count <= 64) from fd into bufs, their sources
 * into from and their lengths and flags (MSG_TRUNC: cut short) into msgs: the number read
 * (0 when it would block), or -errno. */
struct mmsghdr;
int ice_recv_batch(int fd, uint8_t (*bufs)[ICE_RX_SIZE], unsigned count, struct mmsghdr *msgs,
                   struct sockaddr_storage *from);

/* ice_mux.c, the worker's thread */
void ice_addr_key_set(struct ice_addr_key *key, const struct sockaddr_storage *addr);
/* Takes the binding requests for ice->local_ufrag. */
void ice_mux_add(struct ice_mux *mux, struct ice *ice);
/* Forgets ice (its ufrag and the address routed to it). */
void ice_mux_remove(struct ice_mux *mux, struct ice *ice);
/* Routes what comes from `from` to ice, instead of what ice had. */
void ice_mux_route(struct ice_mux *mux, struct ice *ice, const struct sockaddr_storage *from);
/* Calls fn with each shared socket's host candidate ("candidate:..." without "a="). */
void ice_mux_candidates(struct ice_mux *mux, void (*fn)(const char *line, void *data), void *data);
/* One datagram read on shared socket `sock` (an index) from `from` (cut short when
 * truncated): to the peer it is for, or counted. (on_readable(), and the fuzzer.) */
void ice_mux_dispatch(struct ice_mux *mux, unsigned sock, uint8_t *buf, size_t len, bool truncated,
                      const struct sockaddr_storage *from);
/* The IP and port of the shared socket fd ("?" and 0 if it is none of them). */
const char *ice_mux_local(const struct ice_mux *mux, int fd, unsigned *port);
