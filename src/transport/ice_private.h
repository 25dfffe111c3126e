/* SPDX-License-Identifier: MIT */
/* Inside the ice object: what ice.c (libnice's agent) and ice_direct.c (reading the
 * selected pair's socket without libnice) share. */
#pragma once

#include "ice.h"

#include <nice/agent.h>
#include <stdatomic.h>
#include <sys/socket.h>

#define ICE_COMPONENT       1
/* Consent checks whose answer is still accepted (one is sent every 4-6 s). */
#define ICE_CONSENT_PENDING 4

/* Where media goes: immutable once published. */
struct ice_path {
	int fd;
	struct sockaddr_storage to;
	socklen_t to_len;
};

struct ice {
	NiceAgent *agent;
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
