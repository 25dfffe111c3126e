/* SPDX-License-Identifier: MIT */
/* SDP (RFC 8866) parser and writer for unified-plan WebRTC offers and answers (JSEP, RFC 8829). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Everything here is pure: no globals, no I/O, no logging. Any thread may call any function
 * on structures it owns.
 *
 * Ownership: a struct sdp_session owns everything reachable from it. Every char * in these
 * structs is g_malloc'ed and owned by the struct that holds it (replace one with
 * sdp_set_string()); every GPtrArray frees its elements. Lists are never NULL in a session
 * or section made by sdp_parse() or the constructors below (struct sdp_candidate is the
 * exception: its extensions may be NULL). Optional strings are NULL when absent.
 *
 * Session-level ice-ufrag, ice-pwd, ice-options, fingerprint and setup are copied into
 * every media section that lacks its own, so readers only look at the section.
 */

#define SDP_MAX_TEXT         (64 * 1024) /* bytes of SDP text accepted by sdp_parse() */
#define SDP_MAX_MEDIA        64          /* m= sections */
#define SDP_MAX_PAYLOADS     128         /* payload types on one m= line */
#define SDP_MAX_GROUP_SSRCS  32          /* SSRCs in one a=ssrc-group */
#define SDP_MAX_FINGERPRINT  64          /* bytes of one certificate fingerprint */
#define SDP_MAX_TOKEN_LENGTH 256         /* ice-ufrag, ice-pwd, mid, rid ids */

#define SDP_ERROR (sdp_error_quark())

enum sdp_error {
	SDP_ERROR_INVALID, /* a line is malformed, or a required line is missing */
	SDP_ERROR_LIMIT,   /* a size cap above is exceeded */
};

enum sdp_media_kind {
	SDP_MEDIA_AUDIO,
	SDP_MEDIA_VIDEO,
	SDP_MEDIA_APPLICATION,
	SDP_MEDIA_OTHER, /* any other token ("text", "message"...): see kind_name */
};

enum sdp_direction {
	SDP_DIRECTION_UNSET, /* no direction attribute; RFC 3264 reads that as sendrecv */
	SDP_DIRECTION_SENDRECV,
	SDP_DIRECTION_SENDONLY,
	SDP_DIRECTION_RECVONLY,
	SDP_DIRECTION_INACTIVE,
};

enum sdp_setup {
	SDP_SETUP_UNSET,
	SDP_SETUP_ACTPASS,
	SDP_SETUP_ACTIVE,
	SDP_SETUP_PASSIVE,
	SDP_SETUP_HOLDCONN,
};

enum sdp_rid_direction {
	SDP_RID_SEND,
	SDP_RID_RECV,
};

enum sdp_candidate_type {
	SDP_CANDIDATE_HOST,
	SDP_CANDIDATE_SRFLX,
	SDP_CANDIDATE_PRFLX,
	SDP_CANDIDATE_RELAY,
};

/* An attribute the parser does not interpret; value is NULL for a flag ("a=bundle-only"). */
struct sdp_attribute {
	char *name;
	char *value;
};

/* a=fingerprint: hash is the hash function name as written ("sha-256"), value the colon
 * separated upper or lower case hex bytes as written. hash == NULL means absent. */
struct sdp_fingerprint {
	char *hash;
	char *value;
};

/* a=group: semantics ("BUNDLE", "LS") and the mids it names (char *), in order. */
struct sdp_group {
	char *semantics;
	GPtrArray *mids;
};

/* One payload type of an RTP section with its a=rtpmap, a=fmtp and a=rtcp-fb lines. */
struct sdp_codec {
	uint8_t pt;
	char *name;          /* encoding name as written ("opus", "OPUS"); NULL without a=rtpmap */
	uint32_t clock_rate; /* 0 without a=rtpmap */
	uint8_t channels;    /* 0 when a=rtpmap gives no channel count */
	char *fmtp;          /* parameters after "a=fmtp:PT ", NULL when absent */
	GPtrArray
	    *feedback; /* char *: "nack", "nack pli", "ccm fir", "goog-remb", "transport-cc" */
};

/* a=extmap (RFC 8285). direction is UNSET when the line has none. */
struct sdp_extmap {
	uint16_t id;
	enum sdp_direction direction;
	char *uri;
	char *attributes; /* extension attributes after the URI, NULL when none */
};

/* a=msid (RFC 8830): stream id ("-" for none) and the optional track id (appdata). */
struct sdp_msid {
	char *stream_id;
	char *track_id;
};

/* a=ssrc (RFC 5576): "a=ssrc:1234 cname:abc" is {1234, "cname", "abc"}; value may be NULL. */
struct sdp_ssrc {
	uint32_t ssrc;
	char *attribute;
	char *value;
};

/* a=ssrc-group: semantics ("FID", "SIM", "FEC-FR") and its SSRCs (uint32_t) in order. */
struct sdp_ssrc_group {
	char *semantics;
	GArray *ssrcs;
};

/* a=rid (RFC 8851): id, direction and the raw restriction list ("pt=96;max-width=640"). */
struct sdp_rid {
	char *id;
	enum sdp_rid_direction direction;
	char *params;
};

/* One rid in a=simulcast; paused when written with "~". */
struct sdp_simulcast_rid {
	char *rid;
	bool paused;
};

/* One simulcast stream: its alternatives (struct sdp_simulcast_rid *), first preferred.
 * "a=simulcast:send 1,2;3" has two streams, the first with alternatives 1 and 2. */
struct sdp_simulcast_stream {
	GPtrArray *alternatives;
};

/* a=simulcast (RFC 8853): streams (struct sdp_simulcast_stream *) per direction; a list is
 * empty when its direction is absent. */
struct sdp_simulcast {
	GPtrArray *send;
	GPtrArray *recv;
};

/* A candidate extension attribute pair ("generation" "0", "network-id" "3", "ufrag" "x"). */
struct sdp_candidate_extension {
	char *name;
	char *value;
};

/* a=candidate (RFC 8839). Owns its strings; release with sdp_candidate_clear(). */
struct sdp_candidate {
	char *foundation;
	uint16_t component; /* 1 RTP, 2 RTCP */
	char *transport;    /* lower case: "udp", "tcp" */
	uint32_t priority;
	char *address; /* IP address or mDNS name */
	uint16_t port;
	enum sdp_candidate_type type;
	char *raddr; /* related address, NULL when absent */
	uint16_t rport;
	bool has_rport;
	char *tcptype;         /* "active", "passive", "so"; NULL when absent */
	GPtrArray *extensions; /* struct sdp_candidate_extension *, may be NULL */
};

/* One m= section. */
struct sdp_media {
	enum sdp_media_kind kind;
	char *kind_name; /* the m= token for SDP_MEDIA_OTHER, NULL otherwise */
	uint16_t port;
	unsigned port_count; /* the "/2" of "m=audio 9/2 ...", 0 when absent */
	char *proto;         /* "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP", ... */
	/* RTP protocols: one codec (struct sdp_codec *) per payload type, in m= order, and
	 * formats == NULL. Other protocols: no codecs, formats = the m= format list as written
	 * ("webrtc-datachannel"). */
	GPtrArray *codecs;
	char *formats;
	char *connection;      /* c= value ("IN IP4 0.0.0.0"), NULL when absent */
	GPtrArray *bandwidths; /* char *: b= values ("AS:500", "TIAS:500000") */
	char *mid;
	enum sdp_direction direction;
	bool rtcp_mux;
	bool rtcp_rsize;
	bool extmap_allow_mixed;
	bool end_of_candidates;
	char *ice_ufrag;
	char *ice_pwd;
	char *ice_options;
	struct sdp_fingerprint fingerprint;
	enum sdp_setup setup;
	GPtrArray *feedback_any;         /* char *: a=rtcp-fb:* values, for every payload type */
	GPtrArray *extmaps;              /* struct sdp_extmap * */
	GPtrArray *msids;                /* struct sdp_msid * */
	GPtrArray *ssrcs;                /* struct sdp_ssrc *, one per a=ssrc line */
	GPtrArray *ssrc_groups;          /* struct sdp_ssrc_group * */
	GPtrArray *rids;                 /* struct sdp_rid * */
	struct sdp_simulcast *simulcast; /* NULL when absent */
	GPtrArray *candidates;           /* struct sdp_candidate * */
	uint16_t sctp_port;
	bool has_sctp_port;
	uint64_t max_message_size;
	bool has_max_message_size;
	GPtrArray *attributes; /* struct sdp_attribute *: everything else, in order */
};

/* o= line. sess_id is kept as the digits written (it may not fit 64 bits elsewhere). */
struct sdp_origin {
	char *username;
	char *sess_id;
	uint64_t sess_version;
	char *nettype;
	char *addrtype;
	char *address;
};

/* A whole session description. */
struct sdp_session {
	struct sdp_origin origin;
	char *name; /* s= */
	char *connection;
	GPtrArray *bandwidths;
	uint64_t start_time; /* t= */
	uint64_t stop_time;
	GPtrArray *groups; /* struct sdp_group *, from a=group */
	char *ice_ufrag;
	char *ice_pwd;
	char *ice_options;
	struct sdp_fingerprint fingerprint;
	enum sdp_setup setup;
	bool ice_lite;
	bool extmap_allow_mixed;
	bool end_of_candidates;
	char *msid_semantic;   /* a=msid-semantic value without leading blanks ("WMS *") */
	GPtrArray *attributes; /* struct sdp_attribute * */
	GPtrArray *media;      /* struct sdp_media * */
};

/* Lets callers write g_autoptr(sdp_session). */
typedef struct sdp_session sdp_session;

GQuark sdp_error_quark(void);

/*
 * Parses len bytes of SDP text (need not be NUL terminated; lines end in "\r\n" or "\n").
 * Returns a new session the caller owns (sdp_session_free()), or NULL with *error set in
 * SDP_ERROR. The message names the line and its problem, for example
 * 'line 14: a=rtpmap: payload type "abc" is not a number'.
 *
 * Rejects: text over SDP_MAX_TEXT bytes or holding control characters; a first line other
 * than v=0; an m= line before the o=, s= and t= lines; malformed v/o/s/t/c/b/m lines;
 * malformed rtpmap, fmtp, rtcp-fb, extmap, candidate, fingerprint, ssrc, ssrc-group, rid,
 * simulcast, msid, mid, setup, group, sctp-port and max-message-size attributes; duplicate
 * mids, payload types or extmap ids; rtpmap/fmtp/rtcp-fb lines for a payload type missing
 * from the m= line; more than SDP_MAX_MEDIA sections or SDP_MAX_PAYLOADS payload types in one.
 * Keeps attributes it does not interpret in the attributes lists; i=, u=, e=, p=, z=, k= and
 * r= lines are accepted and dropped. A second a=fingerprint (RFC 8122 allows several) goes
 * to the attributes list too.
 */
struct sdp_session *sdp_parse(const char *text, size_t len, GError **error);

/*
 * Writes s as SDP text with "\r\n" line ends. Returns a NUL-terminated string the caller
 * owns (g_free()). Every field of the model is written, so sdp_parse() of the result gives
 * a session sdp_session_equal() to s, provided s holds what sdp_parse() accepts: for
 * example tokens without blanks, and at least one codec in every RTP section. Values a
 * section inherited from the session level are written in the section too, so the text
 * can be longer than what was parsed (even past SDP_MAX_TEXT for input near that cap).
 */
char *sdp_write(const struct sdp_session *s);

/* Frees s and everything it owns. NULL is allowed. */
void sdp_session_free(struct sdp_session *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sdp_session, sdp_session_free)

/* Returns whether a and b hold the same values in every field, list order included. */
bool sdp_session_equal(const struct sdp_session *a, const struct sdp_session *b);

/* ---- building a description by hand ---- */

/*
 * Returns a new empty session (caller owns it): "o=- SESS_ID SESS_VERSION IN IP4 0.0.0.0",
 * "s=-", "t=0 0", no attributes and no media.
 */
struct sdp_session *sdp_session_new(uint64_t sess_id, uint64_t sess_version);

/*
 * Appends an m= section of the given kind (not SDP_MEDIA_OTHER) and returns it, owned by s.
 * Audio and video get "UDP/TLS/RTP/SAVPF" and rtcp-mux; application gets "UDP/DTLS/SCTP"
 * with format "webrtc-datachannel". All get port 9, "c=IN IP4 0.0.0.0" and the given mid
 * (may be NULL). Add codecs with sdp_media_add_codec().
 */
struct sdp_media *sdp_session_add_media(struct sdp_session *s, enum sdp_media_kind kind,
                                        const char *mid);

/* Appends an a=group of the given semantics with no mids yet and returns it, owned by s. */
struct sdp_group *sdp_session_add_group(struct sdp_session *s, const char *semantics);

/* Appends a mid to g. */
void sdp_group_add_mid(struct sdp_group *g, const char *mid);

/* Appends an uninterpreted attribute (value NULL for a flag) to the session or a section. */
void sdp_session_add_attribute(struct sdp_session *s, const char *name, const char *value);
void sdp_media_add_attribute(struct sdp_media *m, const char *name, const char *value);

/*
 * Appends payload type pt to m's m= line with "a=rtpmap:PT NAME/CLOCK[/CHANNELS]" (channels
 * 0 omits it) and, unless fmtp is NULL, "a=fmtp:PT FMTP". Returns the codec, owned by m.
 * The caller keeps payload types unique.
 */
struct sdp_codec *sdp_media_add_codec(struct sdp_media *m, uint8_t pt, const char *name,
                                      uint32_t clock_rate, uint8_t channels, const char *fmtp);

/* Appends a copy of codec (payload type, rtpmap, fmtp and feedback) to m; returns it. */
struct sdp_codec *sdp_media_copy_codec(struct sdp_media *m, const struct sdp_codec *codec);

/* Appends an a=rtcp-fb value ("nack pli") to codec. */
void sdp_codec_add_feedback(struct sdp_codec *codec, const char *feedback);

/* Appends "a=extmap:ID URI" to m and returns it, owned by m (set direction on it if needed). */
struct sdp_extmap *sdp_media_add_extmap(struct sdp_media *m, uint16_t id, const char *uri);

/* Appends "a=msid:STREAM [TRACK]"; track_id may be NULL. */
void sdp_media_add_msid(struct sdp_media *m, const char *stream_id, const char *track_id);

/* Appends "a=ssrc:SSRC ATTRIBUTE[:VALUE]"; value may be NULL. */
void sdp_media_add_ssrc(struct sdp_media *m, uint32_t ssrc, const char *attribute,
                        const char *value);

/* Appends "a=ssrc-group:SEMANTICS SSRC..." with the count SSRCs at ssrcs; returns it. */
struct sdp_ssrc_group *sdp_media_add_ssrc_group(struct sdp_media *m, const char *semantics,
                                                const uint32_t *ssrcs, unsigned count);

/* Appends "a=rid:ID DIRECTION [PARAMS]"; params may be NULL. */
void sdp_media_add_rid(struct sdp_media *m, const char *id, enum sdp_rid_direction direction,
                       const char *params);

/* Appends a copy of candidate to m. */
void sdp_media_add_candidate(struct sdp_media *m, const struct sdp_candidate *candidate);

/* Replaces the owned string *field with a copy of value (NULL clears it). */
void sdp_set_string(char **field, const char *value);

/* Sets fp to copies of hash and value (both NULL clears it). */
void sdp_fingerprint_set(struct sdp_fingerprint *fp, const char *hash, const char *value);

/* ---- reading ---- */

/* Returns the section whose mid is mid, owned by s, or NULL. */
struct sdp_media *sdp_session_find_media(const struct sdp_session *s, const char *mid);

/* Returns the first a=group with these semantics (case-insensitive), owned by s, or NULL. */
const struct sdp_group *sdp_session_find_group(const struct sdp_session *s, const char *semantics);

/* Returns whether g names mid. */
bool sdp_group_has_mid(const struct sdp_group *g, const char *mid);

/* Returns the first uninterpreted attribute called name, owned by its holder, or NULL. */
const struct sdp_attribute *sdp_session_find_attribute(const struct sdp_session *s,
                                                       const char *name);
const struct sdp_attribute *sdp_media_find_attribute(const struct sdp_media *m, const char *name);

/*
 * Returns the first codec of m whose encoding name matches name (case-insensitive), whose
 * clock rate is clock_rate unless that is 0, and whose channel count is channels unless that
 * is 0 (a codec without a count is taken as 1 channel). Owned by m; NULL when none.
 * Example: sdp_media_find_codec(m, "opus", 48000, 2).
 */
const struct sdp_codec *sdp_media_find_codec(const struct sdp_media *m, const char *name,
                                             uint32_t clock_rate, uint8_t channels);

/* Returns the codec of m with payload type pt, owned by m, or NULL. */
const struct sdp_codec *sdp_media_find_codec_by_pt(const struct sdp_media *m, unsigned pt);

/* Returns the "rtx" codec of m whose fmtp says apt=APT, owned by m, or NULL. */
const struct sdp_codec *sdp_media_find_rtx(const struct sdp_media *m, uint8_t apt);

/* Returns whether codec (of m) has feedback ("nack", "nack pli"...) on its own or by
 * a=rtcp-fb:*. Compares case-insensitively. */
bool sdp_codec_has_feedback(const struct sdp_media *m, const struct sdp_codec *codec,
                            const char *feedback);

/* Returns m's a=extmap with this URI, owned by m, or NULL. */
const struct sdp_extmap *sdp_media_find_extmap(const struct sdp_media *m, const char *uri);

/*
 * Reads key from an fmtp parameter string ("minptime=10;useinbandfec=1"), keys compared
 * case-insensitively. Returns a new string the caller frees ("" for a key without "="), or
 * NULL when absent (also when fmtp is NULL).
 */
char *sdp_fmtp_get(const char *fmtp, const char *key);

/* Like sdp_fmtp_get() for a decimal value that fits 32 bits: stores it in *out and returns
 * true, or returns false (absent or not a number) leaving *out alone. */
bool sdp_fmtp_get_uint(const char *fmtp, const char *key, uint32_t *out);

/*
 * Decodes a fingerprint value ("AB:CD:...") into out (out_size bytes). Returns the byte
 * count, or -1 if the value is malformed or longer than out_size.
 */
int sdp_fingerprint_to_bytes(const char *value, uint8_t *out, size_t out_size);

/* The SDP token of each enum value ("sendrecv", "actpass", "video", "srflx"); UNSET gives "". */
const char *sdp_direction_to_string(enum sdp_direction direction);
const char *sdp_setup_to_string(enum sdp_setup setup);
const char *sdp_media_kind_to_string(enum sdp_media_kind kind);
const char *sdp_candidate_type_to_string(enum sdp_candidate_type type);

/* The direction an answerer mirrors: sendonly <-> recvonly; others, UNSET included, as is. */
enum sdp_direction sdp_direction_reverse(enum sdp_direction direction);

/* ---- candidates (also used alone, for trickle ICE) ---- */

/*
 * Parses one candidate: the a=candidate value, with or without a leading "a=" and
 * "candidate:" ("candidate:1 1 udp 2122194687 192.0.2.1 50000 typ host generation 0").
 * On success fills *out (which the caller then owns: sdp_candidate_clear()) and returns
 * true. On failure returns false with *error set (SDP_ERROR) and leaves *out cleared.
 */
bool sdp_candidate_parse(const char *attr_value, struct sdp_candidate *out, GError **error);

/* Returns "candidate:FOUNDATION COMPONENT ..." for c (no "a=", no line end); caller frees. */
char *sdp_candidate_to_string(const struct sdp_candidate *c);

/* Frees what c owns and zeroes it; c itself is the caller's. */
void sdp_candidate_clear(struct sdp_candidate *c);

/* Makes *dst (uninitialised or cleared) a deep copy of *src. */
void sdp_candidate_copy(struct sdp_candidate *dst, const struct sdp_candidate *src);

/* Appends an extension pair ("generation", "0") to c. */
void sdp_candidate_add_extension(struct sdp_candidate *c, const char *name, const char *value);

/* Returns whether a and b hold the same values (transport compared case-insensitively). */
bool sdp_candidate_equal(const struct sdp_candidate *a, const struct sdp_candidate *b);
