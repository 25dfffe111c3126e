/* SPDX-License-Identifier: MIT */
/* Declarations shared by the SDP parser, model, writer and candidate files; not public. */
#pragma once

#include "proto/sdp.h"

/* State of one sdp_parse() call, handed to every line and attribute handler. */
struct sdp_parser {
	struct sdp_session *session;
	struct sdp_media *media; /* current m= section, NULL while in the session part */
	unsigned line;           /* 1-based number of the line being parsed */
	char type;               /* its type letter */
	const char *attr;        /* attribute name while parsing an a= line, else NULL */
	GError **error;
	bool seen_v, seen_o, seen_s, seen_t;
};

/*
 * Sets p->error to "line N: a=NAME: MESSAGE" (or "line N: X=: MESSAGE" outside attributes)
 * in SDP_ERROR_INVALID and returns false, so handlers can `return sdp_fail(p, ...)`.
 */
bool sdp_fail(struct sdp_parser *p, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* Like sdp_fail() with SDP_ERROR_LIMIT. */
bool sdp_fail_limit(struct sdp_parser *p, const char *format, ...) G_GNUC_PRINTF(2, 3);

/*
 * Parses s as a plain decimal number (digits only: no sign, blank or prefix) no larger than
 * max into *out. Returns false if it is not one.
 */
bool sdp_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* Splits s at runs of blanks (space, tab) into a new NULL-terminated vector (g_strfreev),
 * without empty tokens. */
char **sdp_split_blank(const char *s);

/* Returns whether s is a non-empty run of visible ASCII characters (0x21 to 0x7e). */
bool sdp_is_token(const char *s);

/* Returns s past any leading blanks. */
const char *sdp_skip_blank(const char *s);

/* Parses a candidate value that has no "candidate:" prefix; the error message has no
 * prefix either ('port "x" is not a number'). On failure *out is left cleared. */
bool sdp_candidate_parse_value(const char *value, struct sdp_candidate *out, GError **error);

/* Attribute handlers for media-level attributes (sdp_media.c), called with p->media set. */
bool sdp_attr_rtpmap(struct sdp_parser *p, const char *value);
bool sdp_attr_fmtp(struct sdp_parser *p, const char *value);
bool sdp_attr_rtcp_fb(struct sdp_parser *p, const char *value);
bool sdp_attr_extmap(struct sdp_parser *p, const char *value);
bool sdp_attr_msid(struct sdp_parser *p, const char *value);
bool sdp_attr_ssrc(struct sdp_parser *p, const char *value);
bool sdp_attr_ssrc_group(struct sdp_parser *p, const char *value);
bool sdp_attr_rid(struct sdp_parser *p, const char *value);
bool sdp_attr_simulcast(struct sdp_parser *p, const char *value);
bool sdp_attr_candidate(struct sdp_parser *p, const char *value);
bool sdp_attr_sctp_port(struct sdp_parser *p, const char *value);
bool sdp_attr_max_message_size(struct sdp_parser *p, const char *value);

/* Allocation and freeing of model pieces (sdp_model.c). The _alloc functions return
 * zeroed structs with their lists created; the _free functions accept NULL. */
struct sdp_session *sdp_session_alloc(void);
struct sdp_media *sdp_media_alloc(enum sdp_media_kind kind);
struct sdp_codec *sdp_codec_alloc(uint8_t pt);
struct sdp_simulcast *sdp_simulcast_alloc(void);
struct sdp_simulcast_stream *sdp_simulcast_stream_alloc(void);
void sdp_media_free(struct sdp_media *m);
void sdp_codec_free(struct sdp_codec *c);
void sdp_simulcast_free(struct sdp_simulcast *sc);
void sdp_simulcast_stream_free(struct sdp_simulcast_stream *stream);
void sdp_simulcast_rid_free(struct sdp_simulcast_rid *rid);
void sdp_candidate_free(struct sdp_candidate *c);

/* Appends a new struct sdp_attribute with copies of name and value to list. */
void sdp_attribute_append(GPtrArray *list, const char *name, const char *value);
