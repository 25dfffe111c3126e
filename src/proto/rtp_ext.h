/* SPDX-License-Identifier: MIT */
/* RFC 8285 RTP header extensions: element iteration, typed values, and writing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/rtp.h"

#define RTP_EXT_PROFILE_ONE_BYTE      0xBEDE
#define RTP_EXT_PROFILE_TWO_BYTE      0x1000 /* 0x100X: the low 4 bits are "appbits" */
#define RTP_EXT_PROFILE_TWO_BYTE_MASK 0xFFF0
#define RTP_EXT_ONE_BYTE_MAX_ID       14
#define RTP_EXT_ONE_BYTE_MAX_LEN      16
#define RTP_EXT_TWO_BYTE_MAX_LEN      255
/* Longest MID / RID this layer accepts, in characters (the NUL is extra). */
#define RTP_EXT_SDES_MAX_LEN          16

/* What a negotiated extension id means. UNKNOWN is 0 so a zeroed map knows nothing. */
enum rtp_ext_kind {
	RTP_EXT_UNKNOWN = 0,
	RTP_EXT_MID,
	RTP_EXT_RID,
	RTP_EXT_REPAIRED_RID,
	RTP_EXT_AUDIO_LEVEL,
	RTP_EXT_ABS_SEND_TIME,
	RTP_EXT_TWCC,
};

/* One extension element: local id and its data bytes. */
struct rtp_ext_element {
	uint8_t id;
	const uint8_t *data;
	size_t len;
};

/*
 * Cursor over the elements of one extension block. Borrowed pointers only; no cleanup.
 * Fields are private to rtp_ext.c.
 */
struct rtp_ext_iter {
	const uint8_t *data;
	size_t len;
	size_t pos;
	bool two_byte;
};

/*
 * Starts iterating the element bytes (data, len) of an extension block with the given
 * profile word, e.g. pkt->ext_profile, pkt->ext, pkt->ext_len from rtp_parse(). Returns 0,
 * or -ENOTSUP if the profile is neither 0xBEDE (one-byte) nor 0x100X (two-byte).
 */
int rtp_ext_iter_init(struct rtp_ext_iter *it, uint16_t profile, const uint8_t *data, size_t len);

/*
 * Fills *el with the next element; el->data points into the block. Padding bytes (id 0)
 * are skipped; in the one-byte form id 15 ends the block (RFC 8285 4.2). Returns 0, -ENOENT
 * when there are no more elements, or -EINVAL if an element overruns the block (iteration
 * should then stop).
 */
int rtp_ext_iter_next(struct rtp_ext_iter *it, struct rtp_ext_element *el);

/*
 * Finds the first element with the given id in pkt's extension block and fills *el, whose
 * data then points into the packet (so the caller may rewrite the value in place, e.g. a
 * transport-wide sequence number per receiver). Returns 0, -ENOENT if pkt has no such
 * element (or no extension block in a known form), or -EINVAL if the block is malformed
 * before the element is reached.
 */
int rtp_ext_find(const struct rtp_packet *pkt, uint8_t id, struct rtp_ext_element *el);

/* Maps the negotiated ids 1..255 to kinds. Plain value; zero it or use rtp_ext_map_init(). */
struct rtp_ext_map {
	uint8_t kind[256];
};

void rtp_ext_map_init(struct rtp_ext_map *map);

/* Binds id (1..255) to kind. Returns 0, or -EINVAL for id 0 or an out-of-range kind. */
int rtp_ext_map_set(struct rtp_ext_map *map, unsigned id, enum rtp_ext_kind kind);

/* Returns the kind bound to id, RTP_EXT_UNKNOWN if none (or id out of range). */
enum rtp_ext_kind rtp_ext_map_get(const struct rtp_ext_map *map, unsigned id);

/*
 * Returns the kind named by an SDP a=extmap URI (exact, case-sensitive match), or
 * RTP_EXT_UNKNOWN. uri is borrowed and must be NUL-terminated; NULL gives UNKNOWN.
 */
enum rtp_ext_kind rtp_ext_kind_from_uri(const char *uri);

/* Returns the canonical URI of kind (a static string), or NULL for RTP_EXT_UNKNOWN. */
const char *rtp_ext_kind_to_uri(enum rtp_ext_kind kind);

/* Values of the extensions this server understands, as found in one packet. */
struct rtp_ext_values {
	bool has_mid;
	bool has_rid;
	bool has_repaired_rid;
	bool has_audio_level;
	bool has_abs_send_time;
	bool has_twcc;
	char mid[RTP_EXT_SDES_MAX_LEN + 1];
	char rid[RTP_EXT_SDES_MAX_LEN + 1];
	char repaired_rid[RTP_EXT_SDES_MAX_LEN + 1];
	bool vad;               /* RFC 6464 voice activity flag */
	uint8_t audio_level;    /* 0..127, in -dBov (0 is loudest) */
	uint32_t abs_send_time; /* 24-bit 6.18 fixed-point seconds */
	uint16_t twcc_seq;
};

/*
 * Decodes every element of pkt (from rtp_parse()) whose id map knows into *out, which is
 * first cleared. A packet without an extension block, or with a profile other than the
 * RFC 8285 ones, yields no values and 0. MID/RID values must be 1..16 printable ASCII
 * characters (0x21-0x7E) and are copied NUL-terminated; audio level must be 1 byte,
 * abs-send-time 3, transport-wide sequence 2. If an id repeats, the last one wins.
 * Returns 0, or -EINVAL if the block is malformed or a known element has an invalid value
 * (then *out is unspecified).
 */
int rtp_ext_parse(const struct rtp_packet *pkt, const struct rtp_ext_map *map,
                  struct rtp_ext_values *out);

/*
 * Writes a whole extension block (the 4-byte profile/length word, the elements, zero
 * padding to a 32-bit boundary) for count elements into buf (cap bytes), and sets
 * *out_len to the bytes written and *out_profile to the profile used: one-byte 0xBEDE when
 * every id is 1..14 and every length 1..16, otherwise two-byte 0x1000. elems and their data
 * are borrowed and must not overlap buf. count 0 writes nothing (*out_len = 0; do not set
 * the X bit then). Returns 0, -EINVAL for an id 0, a length over 255 or a block longer
 * than the 16-bit length word allows, or -ENOSPC (nothing is written then).
 */
int rtp_ext_write(uint8_t *buf, size_t cap, const struct rtp_ext_element *elems, size_t count,
                  uint16_t *out_profile, size_t *out_len);

/*
 * Writes a whole RTP packet into buf (cap bytes): the header from hdr (as
 * rtp_write_header(), but X is set iff ext_count > 0 and P iff hdr->padding_len > 0), the
 * extension block from elems (as rtp_ext_write()), payload_len bytes of payload (which may
 * already lie inside buf: it is moved, not copied; the elements' data must not) and
 * hdr->padding_len padding octets (zeros, the last one holding the count). Sets *out_len to
 * the total length. Returns 0, -EINVAL for invalid header fields or elements, or -ENOSPC
 * (nothing is written then).
 */
int rtp_packet_write(uint8_t *buf, size_t cap, const struct rtp_packet *hdr,
                     const struct rtp_ext_element *elems, size_t ext_count, const uint8_t *payload,
                     size_t payload_len, size_t *out_len);

/* Encoders for element data, for building elems for the writers above. */
uint8_t rtp_ext_encode_audio_level(bool vad, uint8_t level);
void rtp_ext_encode_abs_send_time(uint8_t out[3], uint32_t abs_send_time);
void rtp_ext_encode_twcc(uint8_t out[2], uint16_t seq);

/* Converts a time in microseconds to the 24-bit 6.18 fixed-point abs-send-time value. */
uint32_t rtp_ext_abs_send_time_from_us(uint64_t time_us);
