/* SPDX-License-Identifier: MIT */
/* The peer's insides, shared by peer.c (lifecycle, ICE, DTLS), peer_rtp.c (media in and
 * out) and peer_rtcp.c (reports and feedback); also the seams the tests and the fuzz
 * target use. */
#pragma once

#include "transport/dtls.h"
#include "transport/ice.h"
#include "transport/nack.h"
#include "transport/negotiate.h"
#include "transport/peer.h"
#include "transport/recv_stats.h"
#include "transport/send_bwe.h"
#include "transport/send_history.h"
#include "transport/srtp.h"
#include "transport/transport_internal.h"
#include "transport/twcc.h"

#define PEER_MTU                   1500 /* largest datagram handled */
#define PEER_TICK_MS               WORKER_TICK_MS
#define PEER_REPORT_US             1000000 /* RTCP report interval (randomised +-50%) */
#define PEER_TWCC_US               50000
#define PEER_PUBLISH_US            100000  /* counters published every 100 ms */
#define PEER_LIVENESS_US           1000000 /* a connected peer's silence checked every 1 s */
/* Feedback interval when no video is received: Chrome's longest (its feedback rate follows
 * the received bitrate, 5% of it at most), so an audio-only peer at 50 packets/s gets a
 * feedback every 12 packets instead of every 2-3, and a room of a thousand sends 4,000
 * feedback packets a second rather than 20,000. */
#define PEER_TWCC_AUDIO_US         250000
#define PEER_KEYFRAME_GAP_US       300000
#define PEER_MAX_RETRANSMIT_AGE_US 1000000

/* Send side of one track; under peer->send_lock. */
struct stream_out {
	uint16_t seq, rtx_seq;
	uint16_t seq_offset; /* added to caller-numbered packets (forwarding) */
	uint64_t packets, bytes;
	uint32_t last_rtp_ts;
	int64_t last_send_us;
	int32_t sync_delay_us; /* of the last packet: the sender reports are that much later */
	bool sent_since_report;
	struct send_history *history; /* video tracks with NACK */
	int64_t last_keyframe_request_us;
	uint8_t fir_seq;
	uint64_t keyframes_requested;
	uint64_t nacks_received, retransmissions;
	double remote_fraction_lost;
	uint32_t remote_ssrc; /* of the remote sender on this track, for PLI/FIR */
};

/* Receive side of one track; worker thread only. */
struct stream_in {
	uint32_t ssrc, rtx_ssrc; /* learned, or from the SDP */
	struct recv_stats stats;
	struct nack_tracker *nack; /* video tracks with NACK */
	uint64_t keyframe_requests_received;
	uint64_t rtx_received;
};

/* A datagram sink replacing ICE in bare peers (tests, fuzzing). */
typedef void (*peer_sink_fn)(const uint8_t *buf, size_t len, void *user_data);

/* The send-side estimator and room to decode one feedback message into. */
struct peer_bwe {
	struct send_bwe est;
	struct rtcp_twcc_status statuses[SEND_BWE_WINDOW];
};

struct peer {
	gint refcount;
	char id[9];
	struct transport *transport;
	struct worker *worker;   /* NULL for a bare peer */
	GMainContext *owner;     /* NULL for a bare peer */
	int64_t (*now_us)(void); /* monotonic clock, replaceable in tests */
	gint state;              /* enum peer_state, atomic */
	/* peer_close() returns only once no media callback runs and none will: the worker
	 * counts the callbacks it is inside (media_busy) and checks media_closed. Atomic. */
	gint media_busy;
	gint media_closed;

	/* Owner thread. */
	struct peer_events events;
	struct peer_media media;
	void *user_data;
	bool closed_by_owner;
	struct negotiation neg;
	char *ufrag, *pwd;
	bool trickle_local; /* our description carries no candidate: they are events */
	GPtrArray *local_candidates;
	bool gathering_done;
	peer_description_fn desc_done;
	void *desc_data;
	bool answer_applied;
	enum dtls_role dtls_role; /* set by the owner before the worker reads it */

	/* Tracks: written under send_lock (by the worker), read under it or on the worker. */
	unsigned track_count;
	struct peer_track tracks[PEER_MAX_TRACKS];

	/* Send side. */
	GMutex send_lock;
	struct stream_out out[PEER_MAX_TRACKS];
	uint16_t twcc_seq;
	struct peer_bwe *bwe;  /* when a sending track numbers transport-wide; under send_lock */
	struct cau_srtp *srtp; /* set/cleared under send_lock by the worker */
	uint8_t scratch[PEER_MTU + CAU_SRTP_MAX_TRAILER_LEN];
	GRWLock ice_lock; /* readers send; the worker frees ICE as writer */
	struct ice *ice;
	peer_sink_fn sink;
	void *sink_data;

	/* Worker thread. */
	bool controlling;
	bool ice_connected;
	bool released;
	dtls_session *dtls;
	int64_t dtls_deadline_us; /* 0: no timer */
	struct remote_transport remote;
	bool remote_known;
	struct stream_in in[PEER_MAX_TRACKS];
	struct twcc_recorder *twcc;
	bool ticking; /* on the worker's shared timer */
	int64_t next_publish_us;
	int64_t created_us, connected_us, last_recv_us;
	int64_t next_report_us, next_twcc_us;
	int64_t twcc_interval_us; /* PEER_TWCC_US, or PEER_TWCC_AUDIO_US without video in */
	int64_t rtt_us;
	uint64_t dropped;
	struct ice_direct_stats ice_stats; /* as of the last publication while ice was there */
	uint64_t remb_received, remb_bps;
	uint64_t send_estimate_bps; /* from transport-wide feedback; 0 until known */

	/* Published counters. */
	GMutex stats_lock;
	struct peer_stats published;
};

/* ---- peer.c ---- */

static inline bool peer_state_is_final(enum peer_state s)
{
	return s == PEER_STATE_FAILED || s == PEER_STATE_CLOSED;
}

/* Moves the peer to FAILED with error and reason (to CLOSED for PEER_ERROR_NONE: the
 * remote left), tells the owner and schedules the release of its resources. Worker. */
void peer_fail(struct peer *p, enum peer_error error, const char *reason);

/* Sends one datagram through ICE (or the sink). Any thread, no lock held. */
int peer_transmit(struct peer *p, const uint8_t *buf, size_t len);

/* Sends the count datagrams that lie back to back in buf (lens[i] bytes each): in one
 * segmentation-offload send when every one but the last has the first's size, else one
 * by one. Returns 0 or the first error. Any thread, no lock held. */
int peer_transmit_many(struct peer *p, const uint8_t *buf, const size_t *lens, size_t count);

/* A registered peer in state NEW with one reference; events, media copied. Owner. */
struct peer *peer_alloc(struct transport *t, const struct peer_events *events,
                        const struct peer_media *media, void *user_data);

/* Copies the negotiated tracks (p->neg) into the peer and resets its streams. */
void peer_install_tracks(struct peer *p);

/* Gives the peer a worker and starts ICE there (credentials, tracks already set). Owner. */
void peer_start(struct peer *p);

/* g_get_monotonic_time(), the default clock. */
int64_t peer_monotonic_us(void);

/* Calls the pending description callback, with the description or error. Owner. */
void peer_finish_description(struct peer *p, GError *error);

/* Hands the remote ICE and DTLS parameters (p->remote) to the agent and makes the DTLS
 * session. Worker. */
void peer_apply_remote(struct peer *p);

/* Adds one remote candidate to the agent; an unusable one is logged and dropped. Worker. */
void peer_add_candidate(struct peer *p, const char *candidate);

/* ---- peer_rtp.c ---- */

/* Handles one received datagram (STUN, DTLS, SRTP, SRTCP). buf is writable. Worker. */
void peer_receive(struct peer *p, uint8_t *buf, size_t len, int64_t now_us);

/* Brackets a struct peer_media callback on the worker: false (skip the call, and no
 * peer_media_leave()) once the owner has closed the peer. */
bool peer_media_enter(struct peer *p);
void peer_media_leave(struct peer *p);

/* Resets the per-track stream state once the tracks are final. Worker, under send_lock. */
void peer_streams_init(struct peer *p);
void peer_streams_clear(struct peer *p);

/* Retransmits packet seq of track t (RTX when negotiated). Returns 0 or -errno. */
int peer_retransmit(struct peer *p, unsigned t, uint16_t seq, int64_t now_us);

/* ---- peer_rtcp.c ---- */

/* Handles one unprotected compound RTCP packet. Worker thread. */
void peer_receive_rtcp(struct peer *p, const uint8_t *buf, size_t len, int64_t now_us);

/* Periodic RTCP: NACKs due, transport-wide feedback, sender/receiver reports. Worker. */
void peer_rtcp_tick(struct peer *p, int64_t now_us);

/* Sends a NACK for the missing packets of track idx that are due. Worker thread. */
void peer_send_nacks(struct peer *p, unsigned idx, int64_t now_us);

/* Protects (under send_lock) and sends one compound RTCP packet. Returns 0 or -errno. */
int peer_send_rtcp(struct peer *p, const uint8_t *buf, size_t len);

/* Publishes the counters for peer_get_stats(). Worker thread. */
void peer_publish_stats(struct peer *p);

/* ---- seams for tests and fuzzing ---- */

/*
 * A connected peer without ICE, DTLS or worker: the tracks of n (copied), SRTP from keys
 * (local protects, remote unprotects), datagrams it sends go to sink, time from now_us.
 * Use peer_receive() and peer_tick() on one thread. Free with peer_unref().
 */
struct peer *peer_new_bare(struct transport *t, const struct negotiation *n,
                           const struct cau_srtp_keys *keys, int64_t (*now_us)(void),
                           peer_sink_fn sink, void *sink_data, const struct peer_media *media,
                           void *user_data);

/* One timer tick: DTLS timers, liveness, RTCP, counters. Returns how long the peer can
 * wait for the next (microseconds; 0: at the next of the worker's ticks). */
int64_t peer_tick(struct peer *p, int64_t now_us);
