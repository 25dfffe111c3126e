/* SPDX-License-Identifier: MIT */
/* Compound RTCP (RFC 3550, 4585, 5104, REMB and transport-cc drafts): parsing and writing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rtcp_type {
	RTCP_SR = 200,
	RTCP_RR = 201,
	RTCP_SDES = 202,
	RTCP_BYE = 203,
	RTCP_APP = 204,
	RTCP_RTPFB = 205,
	RTCP_PSFB = 206,
	RTCP_XR = 207,
};

/* Feedback message types (the FMT field) within RTPFB and PSFB. */
enum {
	RTCP_RTPFB_NACK = 1,
	RTCP_RTPFB_TWCC = 15,
	RTCP_PSFB_PLI = 1,
	RTCP_PSFB_FIR = 4,
	RTCP_PSFB_AFB = 15, /* application layer feedback: REMB */
};

#define RTCP_HEADER_LEN       4
#define RTCP_MAX_COUNT        31 /* the 5-bit RC / SC field */
#define RTCP_REPORT_BLOCK_LEN 24u
#define RTCP_REMB_MAX_SSRCS   255

/*
 * One packet of a compound packet, as found by the iterator. Pointers borrow the compound
 * buffer. count is the 5-bit RC, SC or FMT field; body is what follows the 4-byte header,
 * without the padding when the P bit is set.
 */
struct rtcp_packet {
	bool padding;
	uint8_t count;
	uint8_t type;
	const uint8_t *data; /* the whole packet, header and padding included */
	size_t len;
	const uint8_t *body;
	size_t body_len;
};

/* Cursor over a compound packet; borrowed pointers only, no cleanup. Fields are private. */
struct rtcp_iter {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

/* Starts iterating the len bytes at buf (borrowed for the iterator's lifetime). */
void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *buf, size_t len);

/*
 * Fills *out with the next packet. Checks version 2, that the length word stays inside the
 * buffer (so the packets tile it exactly: a short tail is an error) and that a padding count
 * is non-zero and fits the body. Padding is accepted on any packet, not only the last, as
 * libwebrtc pads transport-wide feedback that way. Returns 0, -ENOENT at the end, or
 * -EINVAL (stop iterating then).
 */
int rtcp_iter_next(struct rtcp_iter *it, struct rtcp_packet *out);

/* Walks a whole compound packet. Returns 0 if it is well-formed and non-empty, else -EINVAL. */
int rtcp_validate(const uint8_t *buf, size_t len);

/* --- Sender and receiver reports (RFC 3550 6.4) --- */

struct rtcp_report_block {
	uint32_t ssrc;
	uint8_t fraction_lost;
	int32_t cumulative_lost; /* 24-bit signed on the wire */
	uint32_t ext_highest_seq;
	uint32_t jitter;
	uint32_t lsr;
	uint32_t dlsr;
};

struct rtcp_sr {
	uint32_t ssrc;
	uint64_t ntp_timestamp; /* 32.32 fixed point */
	uint32_t rtp_timestamp;
	uint32_t packet_count;
	uint32_t octet_count;
	uint8_t report_count;
	struct rtcp_report_block reports[RTCP_MAX_COUNT];
};

struct rtcp_rr {
	uint32_t ssrc;
	uint8_t report_count;
	struct rtcp_report_block reports[RTCP_MAX_COUNT];
};

/*
 * Parsers: each takes one packet from rtcp_iter_next() and fills a caller-owned struct.
 * They return 0, or -EINVAL if the packet is not of the expected type (and FMT, for
 * feedback) or is malformed. Trailing profile-specific bytes are ignored. Pointers in the
 * results borrow the packet's buffer.
 */
int rtcp_parse_sr(const struct rtcp_packet *pkt, struct rtcp_sr *out);
int rtcp_parse_rr(const struct rtcp_packet *pkt, struct rtcp_rr *out);

/* --- Source description (RFC 3550 6.5); only CNAME is kept --- */

struct rtcp_sdes_chunk {
	uint32_t ssrc;
	bool has_cname;
	const uint8_t *cname; /* not NUL-terminated */
	uint8_t cname_len;
};

struct rtcp_sdes {
	uint8_t chunk_count;
	struct rtcp_sdes_chunk chunks[RTCP_MAX_COUNT];
};

int rtcp_parse_sdes(const struct rtcp_packet *pkt, struct rtcp_sdes *out);

/* --- Goodbye (RFC 3550 6.6) --- */

struct rtcp_bye {
	uint8_t ssrc_count;
	uint32_t ssrcs[RTCP_MAX_COUNT];
	const uint8_t *reason; /* NULL if absent; not NUL-terminated */
	uint8_t reason_len;
};

int rtcp_parse_bye(const struct rtcp_packet *pkt, struct rtcp_bye *out);

/* --- Generic NACK (RFC 4585 6.2.1) --- */

struct rtcp_nack {
	uint32_t sender_ssrc;
	uint32_t media_ssrc;
	const uint8_t *fci; /* item_count 4-byte PID/BLP items */
	size_t item_count;
};

int rtcp_parse_nack(const struct rtcp_packet *pkt, struct rtcp_nack *out);

/* Reads item i (< item_count) of a parsed NACK. */
void rtcp_nack_item(const struct rtcp_nack *nack, size_t i, uint16_t *pid, uint16_t *blp);

/*
 * Expands a parsed NACK into the sequence numbers it asks for, in wire order (duplicates
 * kept), writing at most cap of them to seqs and their number to *out_count. Returns 0,
 * or -ENOSPC if there were more than cap (the first cap are written).
 */
int rtcp_nack_expand(const struct rtcp_nack *nack, uint16_t *seqs, size_t cap, size_t *out_count);

/* --- Picture loss indication (RFC 4585 6.3.1) and full intra request (RFC 5104 4.3.1) --- */

struct rtcp_pli {
	uint32_t sender_ssrc;
	uint32_t media_ssrc;
};

int rtcp_parse_pli(const struct rtcp_packet *pkt, struct rtcp_pli *out);

struct rtcp_fir_entry {
	uint32_t ssrc;
	uint8_t seqnr;
};

struct rtcp_fir {
	uint32_t sender_ssrc;
	const uint8_t *fci; /* entry_count 8-byte entries */
	size_t entry_count;
};

int rtcp_parse_fir(const struct rtcp_packet *pkt, struct rtcp_fir *out);

/* Reads entry i (< entry_count) of a parsed FIR. */
void rtcp_fir_entry(const struct rtcp_fir *fir, size_t i, struct rtcp_fir_entry *out);

/* --- Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb) --- */

struct rtcp_remb {
	uint32_t sender_ssrc;
	uint64_t bitrate_bps;
	uint8_t ssrc_count;
	uint32_t ssrcs[RTCP_REMB_MAX_SSRCS];
};

/*
 * As the other parsers, but returns -ENOENT for a PSFB FMT 15 packet that is some other
 * application layer feedback than REMB, and -EINVAL if the bitrate overflows 64 bits.
 */
int rtcp_parse_remb(const struct rtcp_packet *pkt, struct rtcp_remb *out);

/* --- Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc) --- */

#define RTCP_TWCC_DELTA_US  250   /* unit of a receive delta */
#define RTCP_TWCC_REF_US    64000 /* unit of the reference time */
#define RTCP_TWCC_MAX_COUNT 0xffff

struct rtcp_twcc {
	uint32_t sender_ssrc;
	uint32_t media_ssrc;
	uint16_t base_seq;
	uint16_t status_count;
	int32_t reference_time; /* 24-bit signed, in units of 64 ms */
	uint8_t fb_count;
	const uint8_t *chunks; /* chunks then deltas, up to the end of the body */
	size_t chunks_len;
};

/* One packet's fate as reported by a feedback message. */
struct rtcp_twcc_status {
	uint16_t seq;
	bool received;
	int32_t delta_us;   /* from the previous received packet (or the reference time) */
	int64_t arrival_us; /* reference_time * 64000 + the deltas so far; 0 if not received */
};

/* Parses the fixed part of a transport-wide feedback message (PT 205 FMT 15). */
int rtcp_parse_twcc(const struct rtcp_packet *pkt, struct rtcp_twcc *out);

/*
 * Decodes the packet status chunks and receive deltas of fb into out[0..status_count),
 * which the caller owns (cap entries). Returns 0, -ENOSPC if cap < fb->status_count, or
 * -EINVAL if the chunks or deltas are truncated or use the reserved symbol (out is then
 * unspecified).
 */
int rtcp_twcc_decode(const struct rtcp_twcc *fb, struct rtcp_twcc_status *out, size_t cap);

/*
 * Writers. Each writes one RTCP packet at buf (cap bytes) and returns its length, or
 * -ENOSPC if it does not fit (buf is then left untouched), or -EINVAL for arguments the
 * format cannot carry. Append packets to build a compound: buf + used, cap - used. Input
 * structs and arrays are borrowed.
 */
int rtcp_write_sr(uint8_t *buf, size_t cap, const struct rtcp_sr *sr);
int rtcp_write_rr(uint8_t *buf, size_t cap, const struct rtcp_rr *rr);
/* One chunk with one CNAME item; cname is NUL-terminated, at most 255 bytes. */
int rtcp_write_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname);
/* count <= 31 SSRCs; reason may be NULL, else NUL-terminated, at most 255 bytes. */
int rtcp_write_bye(uint8_t *buf, size_t cap, const uint32_t *ssrcs, size_t count,
                   const char *reason);
/*
 * Packs count sequence numbers into PID/BLP items: each number within 1..16 after the
 * current item's PID joins its bitmask, any other starts a new item, so sorted input gives
 * the fewest items. Duplicates are dropped. count must be >= 1.
 */
int rtcp_write_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                    const uint16_t *seqs, size_t count);
int rtcp_write_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc);
/* count >= 1 entries. */
int rtcp_write_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                   const struct rtcp_fir_entry *entries, size_t count);
/* bitrate_bps is rounded down to an 18-bit mantissa; count <= 255 SSRCs. */
int rtcp_write_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint64_t bitrate_bps,
                    const uint32_t *ssrcs, size_t count);

/* One packet for rtcp_write_twcc(). */
struct rtcp_twcc_arrival {
	uint16_t seq;
	bool received;
	int64_t arrival_us; /* receive time on the receiver's clock; ignored if !received */
};

/*
 * Writes a transport-wide feedback message for pkts[0..count), which must be in increasing
 * sequence order (16-bit wrap allowed); gaps are reported as not received. The base
 * sequence is pkts[0].seq; the reference time is the first received arrival rounded down
 * to 64 ms (0 if none was received). Deltas are quantized to 250 us without accumulating
 * error. Pads with the P bit to a 32-bit boundary, as libwebrtc does. Returns the length,
 * -ENOSPC, or -EINVAL if count is 0, the order is wrong, more than 65535 statuses would be
 * needed, an arrival time is beyond +-2^60 us, or a delta needs more than 16 bits (more than
 * ~8 s; start a new message then).
 */
int rtcp_write_twcc(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                    uint8_t fb_count, const struct rtcp_twcc_arrival *pkts, size_t count);
