/* SPDX-License-Identifier: MIT */
/*
 * ICE-lite on one UDP socket per worker (and local address), shared by all of the worker's
 * peers ([ice] lite). A thousand peers each with a socket of their own cost the kernel a
 * thousand sockets' state on every send and one readiness event and one read per datagram;
 * on a shared socket one recvmmsg() reads many peers' datagrams and the sending thread
 * keeps one socket's state in its cache. The price is ICE-lite (RFC 8445 2.5): the server
 * offers only host candidates, never checks, and the remote (a full agent, which becomes
 * controlling on a=ice-lite) nominates. No relayed candidates: TURN needs full ICE.
 *
 * Datagrams are demultiplexed by the USERNAME of STUN requests (the local ufrag) and, for
 * everything else, by the source address a valid check selected.
 */
#pragma once

#include "ice.h"
#include "worker.h"

#include <glib.h>
#include <stdint.h>

struct ice_mux;

/* Datagrams the mux could give to no peer; relaxed atomics, any thread reads them. */
struct ice_mux_stats {
	uint64_t unknown_source; /* not STUN, from an address no peer selected */
	uint64_t stun_dropped;   /* STUN that parses not, or for no peer of ours */
	uint64_t oversized;      /* larger than any WebRTC datagram, from no peer */
};

/*
 * Binds w's sockets: one per local address (cfg->addresses, else every non-loopback,
 * non-link-local address of the machine), on `port` (0: any free port), with large socket
 * buffers. Control thread, at start-up. Fails naming the address and port.
 */
struct ice_mux *ice_mux_new(struct worker *w, const struct ice_config *cfg, unsigned port,
                            GError **error);

/* Starts reading the sockets on w's thread. Any thread. */
void ice_mux_start(struct ice_mux *mux);

/* Stops reading (waits until w's thread has stopped when called from another), closes the
 * sockets and frees mux. Every ice on it must have been freed. NULL is allowed. */
void ice_mux_free(struct ice_mux *mux);

/* The counters of datagrams no peer took. Any thread. */
void ice_mux_get_stats(const struct ice_mux *mux, struct ice_mux_stats *out);

/* The port and the descriptor of the mux's first socket (for log lines and tests). */
unsigned ice_mux_port(const struct ice_mux *mux);
int ice_mux_fd(const struct ice_mux *mux);
