/* SPDX-License-Identifier: MIT */
/* What peers share through the transport: settings, certificate, workers, counters. */
#pragma once

#include "transport/dtls.h"
#include "transport/ice.h"
#include "transport/peer.h"
#include "transport/transport.h"
#include "transport/worker.h"

#include <stdatomic.h>
#include <stdint.h>

struct peer;

/* Why a received datagram was dropped; each has a cau_transport_dropped_total label. */
enum drop_reason {
	DROP_MALFORMED,     /* RTP/RTCP that does not parse */
	DROP_UNKNOWN_SSRC,  /* RTP of no negotiated track */
	DROP_SRTP_AUTH,     /* SRTP/SRTCP authentication failed */
	DROP_SRTP_REPLAY,   /* SRTP/SRTCP replayed or too old */
	DROP_SRTP_OTHER,    /* other SRTP failures */
	DROP_NOT_READY,     /* RTP/RTCP before the DTLS keys */
	DROP_UNKNOWN_TYPE,  /* neither STUN, DTLS, RTP nor RTCP (RFC 7983) */
	DROP_NOT_RECEIVING, /* RTP on a track this side does not receive */
	/* On a directly read pair (ice_direct.c): */
	DROP_STUN,           /* STUN malformed, with wrong credentials, or not Binding */
	DROP_UNKNOWN_SOURCE, /* other datagrams from an address not the selected remote */
	DROP_COUNT,
};

/* Counters shared by every peer of the process: relaxed atomics. */
enum transport_counter {
	COUNT_PEERS_CREATED,
	COUNT_PACKETS_IN,
	COUNT_BYTES_IN,
	COUNT_PACKETS_OUT,
	COUNT_BYTES_OUT,
	COUNT_NACKS_SENT,         /* sequence numbers asked for */
	COUNT_NACKS_RECEIVED,     /* sequence numbers asked of us */
	COUNT_NACKS_ANSWERED,     /* retransmissions sent */
	COUNT_RTX_RECEIVED,       /* RTX packets turned back into originals */
	COUNT_KEYFRAMES_SENT,     /* PLI/FIR sent */
	COUNT_KEYFRAMES_RECEIVED, /* PLI/FIR received */
	COUNT_TWCC_SENT,
	COUNT_CONSENT_LOST,  /* libnice's consent timer expired on a connected peer */
	COUNT_OFFLOADED_OUT, /* datagrams sent in UDP segmentation-offload batches */
	COUNT_COUNTERS,
};

struct transport_settings {
	struct ice_config ice;
	int64_t consent_timeout_us; /* nothing received for this long: the peer fails */
	int64_t connect_timeout_us; /* not connected after this long: the peer fails */
	unsigned history_packets;   /* send history per video stream */
	uint64_t bwe_start_bps;     /* the send-side estimate's floor at its start */
};

struct transport {
	struct transport_settings settings;
	dtls_context *dtls;          /* NULL in a bare transport */
	struct worker_pool *workers; /* NULL in a bare transport */
	struct ice_mux **muxes;      /* one per worker with [ice] lite, else NULL */
	struct metrics *metrics;
	GMutex lock;       /* guards peers */
	GHashTable *peers; /* id -> struct peer * (not a reference: removed when finalised) */
	gint live;         /* peers holding resources */
	_Atomic int64_t dropped[DROP_COUNT];
	struct transport_counters *counters; /* TRANSPORT_COUNTER_SHARDS of them */
	_Atomic int64_t failures[PEER_ERROR_COUNT];
};

/* The shared sockets of worker w with [ice] lite, else NULL. Any thread. */
struct ice_mux *transport_mux(struct transport *t, struct worker *w);

/* A transport without workers, certificate or metrics, for tests and fuzzing: peers made
 * with peer_new_bare() only. */
struct transport *transport_new_bare(void);

/*
 * The packet and byte counters are bumped for every datagram by the room's media thread
 * (sent) and the workers (received): one shared array would bounce its cache line between
 * the cores on each of them, a hundred thousand times a second in a large room. Each
 * thread adds to a shard of its own (a cache line apart); /metrics sums them.
 */
#define TRANSPORT_COUNTER_SHARDS 8

struct transport_counters {
	_Alignas(64) _Atomic int64_t v[COUNT_COUNTERS];
};

unsigned transport_counter_shard(void);
/* The sum of the shards. Any thread. */
int64_t transport_counter(struct transport *t, enum transport_counter c);

static inline void transport_count(struct transport *t, enum transport_counter c, int64_t n)
{
	atomic_fetch_add_explicit(&t->counters[transport_counter_shard()].v[c], n,
	                          memory_order_relaxed);
}

static inline void transport_count_failure(struct transport *t, enum peer_error e)
{
	atomic_fetch_add_explicit(&t->failures[e], 1, memory_order_relaxed);
}

static inline void transport_drop_n(struct transport *t, enum drop_reason r, int64_t n)
{
	atomic_fetch_add_explicit(&t->dropped[r], n, memory_order_relaxed);
}

static inline void transport_drop(struct transport *t, enum drop_reason r)
{
	transport_drop_n(t, r, 1);
}

/* Registry of peers by id; register picks the id. */
void transport_register_peer(struct transport *t, struct peer *p, char id[9]);
void transport_unregister_peer(struct transport *t, const char *id);
