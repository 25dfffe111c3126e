/* SPDX-License-Identifier: MIT */
/* Offer/answer for the server side of a WebRTC peer (JSEP, RFC 8829): which sections,
 * codecs, feedback and extensions are accepted, and the SDP the server writes. Pure: no
 * I/O, no globals, any thread (fuzzed through the peer receive target's setup). */
#pragma once

#include "proto/sdp.h"
#include "transport/track.h"

#include <glib.h>
#include <stdbool.h>

#define NEGOTIATE_ERROR (negotiate_error_quark())
GQuark negotiate_error_quark(void);

enum negotiate_error {
	NEGOTIATE_ERROR_UNSUPPORTED, /* well-formed SDP the server cannot accept */
	NEGOTIATE_ERROR_STATE,       /* an answer without an offer, or the like */
};

/* The remote side's transport parameters (from the BUNDLE-tagged section). Owns its strings. */
struct remote_transport {
	char *ice_ufrag, *ice_pwd;
	char *fingerprint_alg, *fingerprint;
	enum sdp_setup setup;
	bool trickle;           /* a=ice-options:trickle */
	bool end_of_candidates; /* a=end-of-candidates */
	bool ice_lite;          /* a=ice-lite: this side must control (RFC 8445 6.1.1) */
	GPtrArray *candidates;  /* char *: "candidate:..." values */
};

void remote_transport_clear(struct remote_transport *rt);

/* This side's transport parameters for writing a description. Borrowed strings. */
struct local_transport {
	const char *ice_ufrag, *ice_pwd;
	const char *fingerprint; /* sha-256, "AB:CD:..." */
	enum sdp_setup setup;
	bool trickle;                /* announce a=ice-options:trickle */
	const GPtrArray *candidates; /* char *: "candidate:..."; NULL or empty for none */
	bool end_of_candidates;      /* write a=end-of-candidates */
	bool ice_lite;               /* write a=ice-lite: the remote must control */
};

/*
 * The media side of a session: the tracks agreed on and what is needed to write the
 * server's description again. A plain value apart from `sdp` (the description this side
 * wrote, without its transport attributes, owned here; free with negotiation_clear()).
 */
struct negotiation {
	unsigned track_count;
	struct peer_track tracks[PEER_MAX_TRACKS];
	char cname[24];
	char stream_id[40];
	bool rtcp_rsize;
	bool offered;            /* the server made the offer */
	struct sdp_session *sdp; /* the server's offer or answer, transport-free */
};

void negotiation_clear(struct negotiation *n);

/*
 * Random values for SSRCs and identifiers; tests pass a deterministic one. Returns 32 bits.
 */
typedef uint32_t (*negotiate_random_fn)(void *user_data);

/*
 * Answers an offer (len bytes of SDP text). On success fills *n (tracks with local SSRCs
 * from rnd, the answer in n->sdp) and *remote, and returns true. On failure returns false
 * with error set in SDP_ERROR (malformed) or NEGOTIATE_ERROR, the message naming the line
 * and why, e.g. "line 12 (m=video, mid 1): no a=rtcp-mux: RTP and RTCP must share the
 * port". Accepts audio with opus/48000/2 and video with VP8/90000 (with RTX when offered);
 * a section with neither, or of another kind (data channels), is refused in the answer
 * (port 0) while the others go on; at least one must be accepted. Requires every accepted
 * section to be in one BUNDLE group (when there is more than one section), rtcp-mux,
 * ICE credentials, a fingerprint and a DTLS setup role.
 */
bool negotiate_answer(const char *offer, size_t len, negotiate_random_fn rnd, void *rnd_data,
                      struct negotiation *n, struct remote_transport *remote, GError **error);

/*
 * Makes the server's offer: one sendrecv audio section (opus) and one video section (VP8
 * with RTX), BUNDLEd, with NACK, PLI, FIR, transport-wide feedback, mid, audio level and
 * transport-wide sequence extensions. Fills *n; never fails.
 */
void negotiate_offer(negotiate_random_fn rnd, void *rnd_data, struct negotiation *n);

/* As negotiate_offer(), with the video section only when with_video (an audio-only
 * endpoint's offer: one audio section). */
void negotiate_offer_kinds(negotiate_random_fn rnd, void *rnd_data, bool with_video,
                           struct negotiation *n);

/*
 * Applies the remote answer (len bytes) to the offer in *n: narrows each track to what the
 * answer accepted (codec, RTX, feedback, extensions, direction), records remote SSRCs and
 * fills *remote. Returns false with error set as negotiate_answer() does; *n is then
 * unchanged.
 */
bool negotiate_apply_answer(struct negotiation *n, const char *answer, size_t len,
                            struct remote_transport *remote, GError **error);

/* Writes n's description with the transport attributes of local. Caller frees. */
char *negotiate_write(const struct negotiation *n, const struct local_transport *local);
