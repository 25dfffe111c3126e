/* SPDX-License-Identifier: MIT */
/* The ICE side of one peer connection: a libnice agent with one stream and one component
 * (BUNDLE + rtcp-mux), full ICE, trickle or not. Once a plain UDP pair is selected its
 * socket is read without libnice, and the remote's checks and our consent freshness checks
 * (RFC 7675) are handled here (ice_direct.c); libnice keeps relayed pairs. Or, with
 * [ice] lite, an ICE-lite agent on the worker's shared socket (ice_mux.h). */
#pragma once

#include "worker.h"

#include <gio/gio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Process-wide ICE settings ([ice] in the configuration), read-only once peers exist. */
struct ice_config {
	unsigned port_min, port_max; /* UDP host candidate ports; 0, 0: any */
	char **addresses;            /* local IPs to gather on (NULL-terminated; NULL: all) */
	char *public_address;        /* 1:1 NAT: announced instead of host addresses; NULL */
	char *stun_host;             /* STUN server IP, NULL for none */
	unsigned stun_port;
	char *turn_host; /* TURN (UDP) server IP, NULL for none */
	unsigned turn_port;
	char *turn_user, *turn_password;
	/* Read the selected pair's socket without libnice once it is plain UDP, answering the
	 * remote's checks and sending RFC 7675 consent checks ourselves (no TURN server
	 * configured). false: libnice reads every datagram. */
	bool direct_receive;
	/* ICE-lite on one shared socket per worker and address (ice_mux.h), on ports
	 * port_min + worker index (port_min 0: any free ports). Excludes turn_host. */
	bool lite;
};

/*
 * Fills cfg from the [ice] keys: interfaces (names resolved to their IPv4 addresses) and
 * addresses are merged into cfg->addresses; STUN/TURN "host:port" values are resolved
 * once, here. Control thread, at start-up (resolution may block). Fails naming the key.
 * Free with ice_config_clear().
 */
struct config;
bool ice_config_load(struct ice_config *cfg, const struct config *conf, GError **error);
void ice_config_clear(struct ice_config *cfg);

enum ice_state {
	ICE_STATE_NEW,
	ICE_STATE_CHECKING,
	ICE_STATE_CONNECTED,
	/* Our RFC 7675 consent checks went unanswered for 30 s after the connection was up.
	 * Datagrams are still sent and received; whether the remote is gone is for the
	 * caller to judge (from what still arrives). Final for the agent's state reporting. */
	ICE_STATE_CONSENT_LOST,
	ICE_STATE_FAILED,
};

const char *ice_state_name(enum ice_state state);

/*
 * Upward news, all delivered on the thread of the worker given to ice_new(), never while libnice
 * holds its lock in a way that forbids calling back into the ice object (except ice_free():
 * schedule that instead).
 */
struct ice_callbacks {
	/* A local candidate ("candidate:..." without "a="), addresses already rewritten for
	 * a public address; candidate NULL means gathering is complete. */
	void (*candidate)(const char *candidate, void *user_data);
	void (*state)(enum ice_state state, const char *reason, void *user_data);
	/* One datagram; buf is writable and only valid during the call. */
	void (*receive)(uint8_t *buf, size_t len, void *user_data);
};

struct ice;

/*
 * Creates the agent on a child context of `worker` (worker_sub_new(): its sockets and
 * timers are polled by the worker, but prepared and checked only when due) with the local
 * credentials ufrag and pwd (see ice_make_credentials()). The caller must be the worker's
 * thread, which delivers every callback. controlling: the ICE role (the server controls
 * when it made the offer). cfg and cb are borrowed and must outlive the object; name is
 * used in log lines. Call ice_gather() next.
 *
 * With mux (the worker's shared sockets, ice_mux.h; NULL: none) there is no agent: the
 * object is an ICE-lite agent, controlled whatever `controlling` says, whose candidates are
 * the mux's sockets and whose pair is the one the remote's checks select. The description
 * must then say a=ice-lite.
 */
struct ice_mux;
struct ice *ice_new(struct worker *worker, const struct ice_config *cfg, struct ice_mux *mux,
                    bool controlling, const char *ufrag, const char *pwd,
                    const struct ice_callbacks *cb, void *user_data, const char *name);

/* Fresh random local credentials (RFC 8839 ice-chars: 8 for the ufrag, 24 for the
 * password), so that a description can be written before the agent exists. Caller frees
 * both. Any thread. */
void ice_make_credentials(char **ufrag, char **pwd);

/*
 * Starts gathering. Host candidates are reported through cb->candidate before this
 * returns; server-reflexive and relayed ones later, then NULL. Fails (e.g. no free port
 * in the range, no usable address) with a message.
 */
bool ice_gather(struct ice *ice, GError **error);

/* Sets the remote credentials (before adding remote candidates). */
bool ice_set_remote_credentials(struct ice *ice, const char *ufrag, const char *pwd,
                                GError **error);

/*
 * Adds one remote candidate ("candidate:..." with or without "a="). A candidate the agent
 * cannot use (TCP, an mDNS name, component 2) is ignored and reported as false with a
 * reason; the connection carries on.
 */
bool ice_add_remote_candidate(struct ice *ice, const char *candidate, GError **error);

/* The remote has no more candidates (a=end-of-candidates or a trickled end). */
void ice_remote_gathering_done(struct ice *ice);

/*
 * Sends one datagram on the selected pair: with sendto() on its socket when it is plain
 * UDP, else through libnice. Any thread (no lock on the direct path). Returns 0,
 * -ENOTCONN before a pair is selected, -EAGAIN when the socket would block (the datagram
 * is dropped), or -EIO.
 */
int ice_send(struct ice *ice, const uint8_t *buf, size_t len);

/* The most ice_send_segments() takes at once: Linux accepts up to 64 segments (128
 * since 6.x) and 64 KiB per send. */
#define ICE_SEGMENTS_MAX       32
#define ICE_SEGMENTS_MAX_BYTES 65000

/*
 * Sends the datagrams that lie back to back in buf, each seg bytes but the last, which may
 * be shorter (total bytes in all; at most ICE_SEGMENTS_MAX of them and
 * ICE_SEGMENTS_MAX_BYTES): a video frame's packets to one receiver. On a direct path they
 * leave in one sendmsg() with UDP segmentation offload (UDP_SEGMENT), the kernel (or the
 * NIC) cutting them apart: one system call, route lookup and socket buffer charge for the
 * frame instead of one per packet. Else, and from the first time the kernel refuses it
 * on this path, one ice_send() each. Sets *offloaded when the offload carried them.
 * Returns 0, -EINVAL (sizes out of bounds) or the first error of ice_send() (the datagram
 * is dropped, the others still sent; offloaded, all are dropped together). Any thread.
 */
int ice_send_segments(struct ice *ice, const uint8_t *buf, size_t seg, size_t total,
                      bool *offloaded);

/* What reading the selected pair's socket directly has seen (ice_config.direct_receive). */
struct ice_direct_stats {
	bool active;               /* the socket is read directly now */
	uint64_t datagrams;        /* read directly, of any kind */
	uint64_t checks_answered;  /* the remote's binding requests (checks, consent) answered */
	uint64_t stun_dropped;     /* STUN malformed, with wrong credentials, or not Binding */
	uint64_t stun_unmatched;   /* answers to no check of ours (libnice's, still in flight
	                            * when the socket was taken over): ignored */
	uint64_t unknown_source;   /* other datagrams from an address not the selected remote */
	uint64_t oversized;        /* larger than any WebRTC datagram (cut short): dropped */
	uint64_t consent_sent;     /* our consent checks (RFC 7675) */
	uint64_t consent_answered; /* ... answered with the right credentials */
};

/* Copies those counters. The worker's thread. */
void ice_get_direct_stats(const struct ice *ice, struct ice_direct_stats *out);

/* Describes the selected pair, "192.0.2.1:5000 <-> 198.51.100.2:6000 (host/prflx)";
 * NULL before one is selected. Caller frees. */
char *ice_selected_pair(struct ice *ice);

/* Closes the agent (releasing TURN allocations; its child context goes with it) and frees
 * ice. No callback is delivered afterwards. The worker's thread. NULL is allowed. */
void ice_free(struct ice *ice);
