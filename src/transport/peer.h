/* SPDX-License-Identifier: MIT */
/* One WebRTC peer connection: negotiated tracks, ICE, DTLS-SRTP, RTP/RTCP with NACK, RTX,
 * keyframe requests and transport-wide feedback. Knows nothing of rooms. */
#pragma once

#include "proto/rtp.h"
#include "proto/rtp_ext.h"
#include "transport/track.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct transport;
struct peer;

/*
 * Threads. A peer is made on a thread with a GMainContext (the owner's: the control
 * thread), lives on one transport worker (its ICE agent, DTLS session, timers and
 * receive path), and may be sent to from any thread.
 *
 *   owner thread:   peer_new_*, peer_set_answer, peer_local_description,
 *                   peer_add_remote_candidate, peer_close; struct peer_events
 *   any thread:     peer_ref/unref, peer_id, peer_track*, peer_send_rtp,
 *                   peer_request_keyframe, peer_send_remb, peer_get_stats, peer_state
 *   worker thread:  struct peer_media callbacks
 */

enum peer_state {
	PEER_STATE_NEW,        /* made, ICE not yet checking */
	PEER_STATE_CONNECTING, /* ICE checks or DTLS handshake under way */
	PEER_STATE_CONNECTED,  /* DTLS done, SRTP keys in place: media flows */
	PEER_STATE_FAILED,     /* ICE, DTLS or consent failed; resources released */
	PEER_STATE_CLOSED,     /* closed by the owner; resources released */
};

/* "new", "connecting", "connected", "failed", "closed". Static. */
const char *peer_state_name(enum peer_state state);

/* Why a peer failed, for clients and metrics; the reason text says more. */
enum peer_error {
	PEER_ERROR_NONE,             /* not failed (or closed) */
	PEER_ERROR_DTLS_FINGERPRINT, /* the remote's certificate does not match its SDP */
	PEER_ERROR_DTLS,             /* any other DTLS failure (handshake, timeout) */
	PEER_ERROR_ICE,              /* no candidate pair works; no usable local address */
	PEER_ERROR_CONSENT,          /* connected, then nothing arrived for consent_timeout_s */
	PEER_ERROR_CONNECT_TIMEOUT,  /* not connected within connect_timeout_s */
	PEER_ERROR_INTERNAL,         /* anything else (SRTP set-up refused) */
	PEER_ERROR_COUNT,
};

/* "none", "dtls_fingerprint", "dtls_failed", "ice_failed", "consent_expired",
 * "connect_timeout", "internal". Static. */
const char *peer_error_name(enum peer_error error);

/*
 * News for the owner, delivered on the owner's thread (the thread-default main context
 * when the peer was made), never after peer_close() returned. Every member may be NULL.
 *
 * state: the peer moved to state; for FAILED, error says why in one word and reason in
 * words ("dtls: remote certificate fingerprint mismatch: ...", "consent expired: nothing
 * received for 10 s"); for CLOSED by the remote, reason says so; else PEER_ERROR_NONE and
 * NULL. After FAILED or CLOSED the peer's resources are gone; the owner should drop it.
 *
 * candidate: a local candidate to trickle ("candidate:..."), with the mid and m= index of
 * the BUNDLE-tagged section; NULL candidate: end of candidates. Only for peers whose
 * description does not carry the candidates (trickle, see peer_local_description()).
 */
struct peer_events {
	void (*state)(struct peer *peer, enum peer_state state, enum peer_error error,
	              const char *reason, void *user_data);
	void (*candidate)(struct peer *peer, const char *candidate, const char *mid, unsigned mline,
	                  void *user_data);
};

/*
 * Media for the layer above, delivered on the peer's worker thread. Every member may be
 * NULL. They may call peer_send_rtp() and peer_request_keyframe() on any peer.
 *
 * rtp: one received RTP packet of track (decrypted, parsed, RTX already turned back into
 * the original packet). pkt and ext point into a buffer valid only during the call.
 *
 * keyframe_request: the remote asked (PLI or FIR) for a keyframe of what this server
 * sends on track.
 *
 * bandwidth_estimate: the bandwidth available from this server to the remote, in bits
 * per second, for the whole peer connection: the smaller of the remote's own estimate
 * (REMB, draft-alvestrand-rmcat-remb) and the server's send-side estimate from the
 * remote's transport-wide feedback (send_bwe.c), whichever are known; called at each
 * REMB and each feedback message. The layer above picks what to send with it (a video
 * tier); the transport itself does not limit what is sent.
 */
struct peer_media {
	void (*rtp)(struct peer *peer, const struct peer_track *track, const struct rtp_packet *pkt,
	            const struct rtp_ext_values *ext, void *user_data);
	void (*keyframe_request)(struct peer *peer, const struct peer_track *track,
	                         void *user_data);
	void (*bandwidth_estimate)(struct peer *peer, uint64_t bps, void *user_data);
};

/*
 * Makes a peer that answers offer (len bytes of SDP) and starts ICE on a worker (the
 * server is the controlled agent). events and media are copied; user_data is passed to
 * both and must outlive the peer's callbacks (until peer_close(), or FAILED). Returns a
 * new reference (peer_unref()), or NULL with error set when the offer cannot be accepted:
 * SDP_ERROR or NEGOTIATE_ERROR, the message naming the line. Owner thread.
 */
struct peer *peer_new_answer(struct transport *t, const char *offer, size_t len,
                             const struct peer_events *events, const struct peer_media *media,
                             void *user_data, GError **error);

/*
 * Makes a peer that offers audio (opus) and video (VP8) and starts ICE on a worker (the
 * server controls). trickle: the offer announces trickle and carries no candidate (they
 * come through events->candidate); otherwise it carries them all. The remote answer comes
 * with peer_set_answer(). Owner thread.
 */
struct peer *peer_new_offer(struct transport *t, bool trickle, const struct peer_events *events,
                            const struct peer_media *media, void *user_data);

/* As peer_new_offer(), offering video only when with_video (an audio-only endpoint, such
 * as cau-load's in an audio bench). Owner thread. */
struct peer *peer_new_offer_kinds(struct transport *t, bool trickle, bool with_video,
                                  const struct peer_events *events, const struct peer_media *media,
                                  void *user_data);

/* The callback of peer_local_description(): sdp (caller frees) or error (caller frees). */
typedef void (*peer_description_fn)(struct peer *peer, char *sdp, GError *error, void *user_data);

/*
 * Produces the server's description (the answer, or the offer) and calls done with it on
 * the owner's thread: at once when the remote trickles (no candidates in it), otherwise
 * once gathering is complete (every candidate and a=end-of-candidates in it). done may run
 * before this returns. If the peer fails or is closed first, done gets an error. Owner
 * thread; once per peer.
 */
void peer_local_description(struct peer *peer, peer_description_fn done, void *user_data);

/*
 * Makes peer_local_description() wait for gathering and carry every candidate even when
 * the remote announced trickle, and no candidate event: for signalling with no way to
 * send candidates later (WHIP and WHEP answers). Owner thread, before
 * peer_local_description().
 */
void peer_disable_local_trickle(struct peer *peer);

/*
 * Applies the remote answer to the server's offer (peer_new_offer()): tracks narrowed,
 * remote ICE credentials, candidates and fingerprint handed to the worker. Returns false
 * with error set (SDP_ERROR or NEGOTIATE_ERROR) if it cannot be accepted; the peer is
 * unchanged then. Owner thread.
 */
bool peer_set_answer(struct peer *peer, const char *answer, size_t len, GError **error);

/*
 * Adds a trickled remote candidate ("candidate:..." with or without "a="); NULL or ""
 * means the remote's end of candidates. mid, if not NULL, must name a bundled section.
 * Fails for a malformed candidate (the peer goes on); a candidate the agent cannot use
 * (TCP, an mDNS name) is dropped with a debug line and no error. Owner thread.
 */
bool peer_add_remote_candidate(struct peer *peer, const char *candidate, const char *mid,
                               GError **error);

/*
 * Closes the peer: no more events or media callbacks after this returns; the worker
 * sends a DTLS close_notify, releases ICE (and TURN allocations) and the SRTP keys.
 * reason is logged. Idempotent. Owner thread. The caller still holds its reference.
 */
void peer_close(struct peer *peer, const char *reason);

/* Reference counting; atomic, any thread. unref accepts NULL. */
struct peer *peer_ref(struct peer *peer);
void peer_unref(struct peer *peer);

/* The peer's id: 8 hex digits, unique in the process. Owned by peer. Any thread. */
const char *peer_id(const struct peer *peer);

/* The current state. Any thread. */
enum peer_state peer_state(const struct peer *peer);

/*
 * The negotiated tracks. The array is fixed once the description exchange is complete
 * (for a server offer: after peer_set_answer()); remote SSRCs learned from packets are
 * not reflected here. Owned by peer. Any thread.
 */
unsigned peer_track_count(const struct peer *peer);
const struct peer_track *peer_track(const struct peer *peer, unsigned index);

/*
 * What the layer above sends on a track; the peer adds SSRC, payload type and the
 * negotiated header extensions. The sequence number is the peer's own, unless has_seq:
 * then seq plus a fixed per-track offset, so that a forwarder keeps the sender's order
 * and gaps (the receiver's NACKs then match what was lost).
 */
struct peer_rtp_out {
	bool has_seq;
	uint16_t seq;
	bool marker;
	uint32_t timestamp;
	const uint8_t *payload;
	size_t payload_len;
	/* More payload, sent after payload's bytes: a shared payload whose first bytes the
	 * caller rewrote for this receiver (in payload) without copying the rest. */
	const uint8_t *payload_rest;
	size_t payload_rest_len;
	/* Holds payload_rest, unchanged while referenced (NULL: nothing does): the peer's
	 * send history then keeps a reference instead of a copy of it, for retransmissions. */
	GBytes *payload_rest_owner;
	bool has_audio_level;
	bool vad;
	uint8_t audio_level;
	/* Lip sync: how much later than it is sent the content should be shown beside the
	 * peer's other tracks (a composite sent ahead of the mixed audio it goes with). The
	 * track's sender reports then map its RTP clock that much later, so that a receiver
	 * synchronising by them delays it. 0: none. */
	int32_t sync_delay_us;
};

/*
 * Sends one RTP packet on track (an index, < peer_track_count()): the peer numbers it,
 * protects it and keeps it for NACKs. Hot path: no allocation. Returns 0, -ENOTCONN before
 * the peer is connected (or after), -EINVAL if the track does not send, -EMSGSIZE if the
 * packet would not fit a datagram, or another negative errno from SRTP or the socket (the
 * packet is dropped). Any thread.
 */
int peer_send_rtp(struct peer *peer, unsigned track, const struct peer_rtp_out *out);

/*
 * Hints that peer_send_rtp() on track comes soon, so that its state is in the cache when
 * it does: stage 0 fetches the peer's own lines (clock, lock, track, stream, SRTP and ICE
 * pointers), stage 1 what those lines point to (SRTP session, ICE object, estimator). A
 * loop sending to many receivers gives stage 1 to the next but one and stage 0 to the
 * one after: a thousand receivers' state does not stay cached from one 20 ms tick to the
 * next, and each send would otherwise wait for its misses one after the other. Changes
 * nothing; any thread.
 */
void peer_prefetch_send(const struct peer *peer, unsigned track, unsigned stage);

/* The most packets peer_send_rtp_batch() takes at once. */
#define PEER_BATCH_MAX 32

/*
 * Sends count (<= PEER_BATCH_MAX) RTP packets on track, as peer_send_rtp() would one after
 * the other, with one lock and, when every packet but the last has the same size (a
 * video frame cut by the VP8 packetiser), one system call: the kernel cuts the datagrams
 * apart (UDP segmentation offload, ice_send_segments()). Returns 0 or the first error, as
 * peer_send_rtp() would: a packet that cannot be written (-EMSGSIZE, SRTP) is dropped with
 * the ones after it, the ones before still sent; a socket error drops the packets it
 * concerns. -E2BIG if count is too large (nothing sent). Any thread.
 */
int peer_send_rtp_batch(struct peer *peer, unsigned track, const struct peer_rtp_out *outs,
                        size_t count);

/*
 * Asks the remote sender of track for a keyframe: PLI if negotiated, else FIR. Requests
 * closer than 300 ms to the previous one are merged into it. Returns 0, -ENOTCONN,
 * -EINVAL (not a receiving video track), -ENOTSUP (neither negotiated) or -EAGAIN (merged).
 * Any thread.
 */
int peer_request_keyframe(struct peer *peer, unsigned track);

/*
 * Tells the remote the bitrate this side can take of its video, bps bits per second, in a
 * REMB (draft-alvestrand-rmcat-remb) naming the SSRCs of every video track received: a
 * receiver's estimate towards a sender, or a cap asked of a sender. Not rate limited: the
 * caller sends one when the figure changes, and again about once a second. Returns 0,
 * -ENOTCONN when no video is received yet, or another negative errno (the packet is
 * dropped). Any thread.
 */
int peer_send_remb(struct peer *peer, uint64_t bps);

/* Counters of one track, since the peer was made. */
struct peer_track_stats {
	uint64_t packets_received, bytes_received;
	uint64_t packets_sent, bytes_sent;
	int64_t packets_lost; /* of what the remote sent, by sequence numbers */
	double jitter_ms;
	double remote_fraction_lost; /* what the remote reports about what we send, 0..1 */
	uint64_t nacks_sent;         /* sequence numbers asked for again */
	uint64_t nacks_received;     /* sequence numbers the remote asked for */
	uint64_t retransmissions;    /* of those, answered (RTX or plain) */
	uint64_t recovered;          /* missing packets that arrived after all */
	uint64_t keyframes_requested, keyframe_requests_received;
};

struct peer_stats {
	enum peer_state state;
	unsigned track_count;
	struct peer_track_stats tracks[PEER_MAX_TRACKS];
	double rtt_ms; /* from receiver reports; 0 until known */
	uint64_t twcc_feedback_sent;
	uint64_t remb_received;     /* REMB messages from the remote */
	uint64_t remb_bps;          /* the last one's estimate; 0 until one came */
	uint64_t send_estimate_bps; /* from its transport-wide feedback; 0 until known */
	uint64_t dropped;           /* received datagrams dropped (malformed, unknown SSRC, SRTP) */
	/* The selected pair's socket read without libnice (ice.h, struct ice_direct_stats):
	 * whether it is, the remote's checks answered, our consent checks sent and answered. */
	bool ice_direct;
	uint64_t ice_checks_answered, ice_consent_sent, ice_consent_answered;
};

/* Copies the latest counters (refreshed every few tens of milliseconds). Any thread. */
void peer_get_stats(struct peer *peer, struct peer_stats *out);
