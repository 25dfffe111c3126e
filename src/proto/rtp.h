/* SPDX-License-Identifier: MIT */
/* RFC 3550 RTP fixed-header parsing and writing, and RFC 7983/5761 demultiplexing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTP_VERSION          2
#define RTP_FIXED_HEADER_LEN 12
#define RTP_MAX_CSRC         15

/*
 * One parsed RTP packet. Every pointer points into the buffer given to rtp_parse() and is
 * valid only as long as that buffer is; the struct owns nothing and needs no cleanup.
 *
 * Layout of a packet: [fixed header | CSRCs | extension block | payload | padding].
 * header_len covers the fixed header, the CSRCs and the whole extension block (its 4-byte
 * profile/length word included), so payload == buf + header_len.
 */
struct rtp_packet {
	uint8_t version;
	bool padding;
	bool extension;
	uint8_t csrc_count;
	bool marker;
	uint8_t payload_type;
	uint16_t seq;
	uint32_t timestamp;
	uint32_t ssrc;
	uint32_t csrc[RTP_MAX_CSRC];
	/* Extension block: profile word and the element bytes after the 4-byte block header
	 * (ext_len is a multiple of 4). Zero/NULL when extension is false. */
	uint16_t ext_profile;
	const uint8_t *ext;
	size_t ext_len;
	const uint8_t *payload;
	size_t payload_len;
	/* Count of padding octets at the end, the count octet included (0 if none). */
	uint8_t padding_len;
	size_t header_len;
};

/*
 * Parses one RTP packet of len bytes at buf into *out. buf is borrowed: out's pointers
 * point into it. Checks version 2, that the CSRC list and the extension block fit, and
 * that the padding count is non-zero and fits after the header. Does not interpret the
 * extension elements (see rtp_ext.h). Returns 0, or -EINVAL if the packet is malformed
 * (then *out is unspecified). Never reads outside [buf, buf + len).
 */
int rtp_parse(const uint8_t *buf, size_t len, struct rtp_packet *out);

/*
 * Writes the fixed header and CSRC list described by hdr into buf (cap bytes) and sets
 * *out_len to the bytes written (12 + 4 * csrc_count). Uses hdr's padding, extension,
 * csrc_count, marker, payload_type, seq, timestamp, ssrc and csrc fields; the version is
 * always 2 and the other fields are ignored. The P and X bits are copied as given: the
 * caller appends the extension block (rtp_ext_write()) and padding itself, or uses
 * rtp_packet_write() which does all of it. Returns 0, -EINVAL if csrc_count > 15 or
 * payload_type > 127, or -ENOSPC if cap is too small (nothing is written then).
 */
int rtp_write_header(uint8_t *buf, size_t cap, const struct rtp_packet *hdr, size_t *out_len);

/*
 * Rewrite one field in place in an already-built packet of len bytes, leaving every other
 * byte as it was; the MCU shares one payload and only rewrites these per receiver.
 * Return 0, or -EINVAL if len is shorter than the fixed header.
 */
int rtp_set_seq(uint8_t *buf, size_t len, uint16_t seq);
int rtp_set_timestamp(uint8_t *buf, size_t len, uint32_t timestamp);
int rtp_set_ssrc(uint8_t *buf, size_t len, uint32_t ssrc);

enum packet_class {
	PACKET_STUN,
	PACKET_DTLS,
	PACKET_RTP,
	PACKET_RTCP,
	PACKET_UNKNOWN,
};

/*
 * Classifies a datagram received on a shared ICE component (RFC 7983, with RTP and RTCP
 * muxed per RFC 5761) by its first byte: 0-3 STUN, 20-63 DTLS, 128-191 RTP or RTCP, the
 * latter when the second byte (marker bit and payload type together) is 192-223. A
 * datagram too short to hold the smallest header of its class (STUN 20, DTLS record 13,
 * RTP 12, RTCP 4 bytes) is PACKET_UNKNOWN, as is everything else (ZRTP, TURN channels).
 * Only looks; the parsers still validate.
 */
enum packet_class packet_classify(const uint8_t *buf, size_t len);
