/* SPDX-License-Identifier: MIT */
/* Compound RTCP (RFC 3550, 4585, 5104, REMB and transport-cc drafts): parsing and writing. */
#include "proto/rtcp_internal.h"

#include <errno.h>
#include <string.h>

/* --- Iteration --- */

void rtcp_iter_init(struct rtcp_iter *it, const uint8_t *buf, size_t len)
{
	it->buf = buf;
	it->len = buf ? len : 0;
	it->pos = 0;
}

int rtcp_iter_next(struct rtcp_iter *it, struct rtcp_packet *out)
{
	const uint8_t *p;
	size_t left, len, pad = 0;

	if (it->pos >= it->len)
		return -ENOENT;
	p = it->buf + it->pos;
	left = it->len - it->pos;
	if (left < RTCP_HEADER_LEN || p[0] >> 6 != RTCP_VERSION)
		goto out_invalid;
	len = 4 * ((size_t)get16(p + 2) + 1);
	if (len > left)
		goto out_invalid;
	out->padding = p[0] & 0x20;
	if (out->padding) {
		pad = p[len - 1];
		if (pad == 0 || pad > len - RTCP_HEADER_LEN)
			goto out_invalid;
	}
	out->count = p[0] & 0x1f;
	out->type = p[1];
	out->data = p;
	out->len = len;
	out->body = p + RTCP_HEADER_LEN;
	out->body_len = len - RTCP_HEADER_LEN - pad;
	it->pos += len;
	return 0;

out_invalid:
	/* Stop here for good: what follows a bad length word cannot be located. */
	it->pos = it->len;
	return -EINVAL;
}

int rtcp_validate(const uint8_t *buf, size_t len)
{
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	int ret;

	if (len == 0)
		return -EINVAL;
	rtcp_iter_init(&it, buf, len);
	while ((ret = rtcp_iter_next(&it, &pkt)) == 0)
		;
	return ret == -ENOENT ? 0 : ret;
}

/* --- Reports --- */

static void parse_report_block(const uint8_t *p, struct rtcp_report_block *rb)
{
	rb->ssrc = get32(p);
	rb->fraction_lost = p[4];
	rb->cumulative_lost = sign24(get24(p + 5));
	rb->ext_highest_seq = get32(p + 8);
	rb->jitter = get32(p + 12);
	rb->lsr = get32(p + 16);
	rb->dlsr = get32(p + 20);
}

static void write_report_block(uint8_t *p, const struct rtcp_report_block *rb)
{
	put32(p, rb->ssrc);
	p[4] = rb->fraction_lost;
	put24(p + 5, (uint32_t)rb->cumulative_lost & 0xffffff);
	put32(p + 8, rb->ext_highest_seq);
	put32(p + 12, rb->jitter);
	put32(p + 16, rb->lsr);
	put32(p + 20, rb->dlsr);
}

int rtcp_parse_sr(const struct rtcp_packet *pkt, struct rtcp_sr *out)
{
	const uint8_t *b = pkt->body;

	if (pkt->type != RTCP_SR || pkt->body_len < 24 + RTCP_REPORT_BLOCK_LEN * pkt->count)
		return -EINVAL;
	out->ssrc = get32(b);
	out->ntp_timestamp = (uint64_t)get32(b + 4) << 32 | get32(b + 8);
	out->rtp_timestamp = get32(b + 12);
	out->packet_count = get32(b + 16);
	out->octet_count = get32(b + 20);
	out->report_count = pkt->count;
	for (unsigned i = 0; i < pkt->count; i++)
		parse_report_block(b + 24 + RTCP_REPORT_BLOCK_LEN * i, &out->reports[i]);
	return 0;
}

int rtcp_parse_rr(const struct rtcp_packet *pkt, struct rtcp_rr *out)
{
	if (pkt->type != RTCP_RR || pkt->body_len < 4 + RTCP_REPORT_BLOCK_LEN * pkt->count)
		return -EINVAL;
	out->ssrc = get32(pkt->body);
	out->report_count = pkt->count;
	for (unsigned i = 0; i < pkt->count; i++)
		parse_report_block(pkt->body + 4 + RTCP_REPORT_BLOCK_LEN * i, &out->reports[i]);
	return 0;
}

/* --- SDES and BYE --- */

/*
 * Parses one SDES chunk starting at body[*pos], a 32-bit boundary, and leaves *pos at the
 * next chunk. Items other than CNAME are skipped by their length octet.
 */
static int parse_sdes_chunk(const uint8_t *body, size_t body_len, size_t *pos,
                            struct rtcp_sdes_chunk *chunk)
{
	size_t p = *pos;

	if (body_len - p < 4)
		return -EINVAL;
	chunk->ssrc = get32(body + p);
	chunk->has_cname = false;
	chunk->cname = NULL;
	chunk->cname_len = 0;
	p += 4;
	for (;;) {
		uint8_t type, len;

		if (p >= body_len)
			return -EINVAL;
		type = body[p];
		if (type == 0)
			break;
		if (body_len - p < 2 || body_len - p - 2 < body[p + 1])
			return -EINVAL;
		len = body[p + 1];
		if (type == 1 && !chunk->has_cname) {
			chunk->has_cname = true;
			chunk->cname = body + p + 2;
			chunk->cname_len = len;
		}
		p += 2 + (size_t)len;
	}
	/* The end octet plus null octets up to the next 32-bit boundary. */
	p = (p + 4) & ~(size_t)3;
	if (p > body_len)
		return -EINVAL;
	*pos = p;
	return 0;
}

int rtcp_parse_sdes(const struct rtcp_packet *pkt, struct rtcp_sdes *out)
{
	size_t pos = 0;
	int ret;

	if (pkt->type != RTCP_SDES)
		return -EINVAL;
	out->chunk_count = pkt->count;
	for (unsigned i = 0; i < pkt->count; i++) {
		ret = parse_sdes_chunk(pkt->body, pkt->body_len, &pos, &out->chunks[i]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int rtcp_parse_bye(const struct rtcp_packet *pkt, struct rtcp_bye *out)
{
	size_t pos = 4u * pkt->count;

	if (pkt->type != RTCP_BYE || pkt->body_len < pos)
		return -EINVAL;
	out->ssrc_count = pkt->count;
	for (unsigned i = 0; i < pkt->count; i++)
		out->ssrcs[i] = get32(pkt->body + 4 * i);
	out->reason = NULL;
	out->reason_len = 0;
	if (pkt->body_len > pos) {
		out->reason_len = pkt->body[pos];
		if (pkt->body_len - pos - 1 < out->reason_len)
			return -EINVAL;
		out->reason = pkt->body + pos + 1;
	}
	return 0;
}

/* --- Feedback --- */

int rtcp_check_fb(const struct rtcp_packet *pkt, uint8_t type, uint8_t fmt, size_t min_len)
{
	if (pkt->type != type || pkt->count != fmt || pkt->body_len < min_len)
		return -EINVAL;
	return 0;
}

int rtcp_parse_nack(const struct rtcp_packet *pkt, struct rtcp_nack *out)
{
	/* RFC 4585: the FCI holds at least one item. */
	if (rtcp_check_fb(pkt, RTCP_RTPFB, RTCP_RTPFB_NACK, FB_HEADER_LEN + 4) < 0)
		return -EINVAL;
	out->sender_ssrc = get32(pkt->body);
	out->media_ssrc = get32(pkt->body + 4);
	out->fci = pkt->body + FB_HEADER_LEN;
	out->item_count = (pkt->body_len - FB_HEADER_LEN) / 4;
	return 0;
}

void rtcp_nack_item(const struct rtcp_nack *nack, size_t i, uint16_t *pid, uint16_t *blp)
{
	*pid = get16(nack->fci + 4 * i);
	*blp = get16(nack->fci + 4 * i + 2);
}

int rtcp_nack_expand(const struct rtcp_nack *nack, uint16_t *seqs, size_t cap, size_t *out_count)
{
	size_t n = 0;

	for (size_t i = 0; i < nack->item_count; i++) {
		uint16_t pid, blp;

		rtcp_nack_item(nack, i, &pid, &blp);
		for (unsigned bit = 0; bit <= 16; bit++) {
			if (bit > 0 && !(blp & (1u << (bit - 1))))
				continue;
			if (n == cap) {
				*out_count = n;
				return -ENOSPC;
			}
			seqs[n++] = (uint16_t)(pid + bit);
		}
	}
	*out_count = n;
	return 0;
}

int rtcp_parse_pli(const struct rtcp_packet *pkt, struct rtcp_pli *out)
{
	if (rtcp_check_fb(pkt, RTCP_PSFB, RTCP_PSFB_PLI, FB_HEADER_LEN) < 0)
		return -EINVAL;
	out->sender_ssrc = get32(pkt->body);
	out->media_ssrc = get32(pkt->body + 4);
	return 0;
}

int rtcp_parse_fir(const struct rtcp_packet *pkt, struct rtcp_fir *out)
{
	/* RFC 5104: the media SSRC is unused (0); the entries name the targets. */
	if (rtcp_check_fb(pkt, RTCP_PSFB, RTCP_PSFB_FIR, FB_HEADER_LEN + 8) < 0)
		return -EINVAL;
	out->sender_ssrc = get32(pkt->body);
	out->fci = pkt->body + FB_HEADER_LEN;
	out->entry_count = (pkt->body_len - FB_HEADER_LEN) / 8;
	return 0;
}

void rtcp_fir_entry(const struct rtcp_fir *fir, size_t i, struct rtcp_fir_entry *out)
{
	out->ssrc = get32(fir->fci + 8 * i);
	out->seqnr = fir->fci[8 * i + 4];
}

int rtcp_parse_remb(const struct rtcp_packet *pkt, struct rtcp_remb *out)
{
	const uint8_t *fci = pkt->body + FB_HEADER_LEN;
	uint32_t mantissa;
	unsigned exponent;

	if (rtcp_check_fb(pkt, RTCP_PSFB, RTCP_PSFB_AFB, FB_HEADER_LEN) < 0)
		return -EINVAL;
	if (pkt->body_len < FB_HEADER_LEN + 4 || memcmp(fci, "REMB", 4) != 0)
		return -ENOENT;
	if (pkt->body_len < FB_HEADER_LEN + 8)
		return -EINVAL;
	out->sender_ssrc = get32(pkt->body);
	out->ssrc_count = fci[4];
	exponent = fci[5] >> 2;
	mantissa = get24(fci + 5) & 0x3ffff;
	/* An 18-bit mantissa shifted by more than 46 may not fit in 64 bits. */
	if (exponent > 46 && (mantissa >> (64 - exponent)) != 0)
		return -EINVAL;
	out->bitrate_bps = (uint64_t)mantissa << exponent;
	if (pkt->body_len - FB_HEADER_LEN - 8 < 4u * out->ssrc_count)
		return -EINVAL;
	for (unsigned i = 0; i < out->ssrc_count; i++)
		out->ssrcs[i] = get32(fci + 8 + 4 * i);
	return 0;
}

/* --- Writers --- */

/* Writes the common header for a packet of len bytes (a multiple of 4). */
void rtcp_write_header(uint8_t *buf, bool padding, uint8_t count, uint8_t type, size_t len)
{
	buf[0] = (uint8_t)(RTCP_VERSION << 6 | (padding ? 0x20 : 0) | count);
	buf[1] = type;
	put16(buf + 2, (uint16_t)(len / 4 - 1));
}

/* Checks that a packet of len bytes is representable and fits in cap. */
int rtcp_check_room(size_t len, size_t cap)
{
	if (len / 4 - 1 > 0xffff)
		return -EINVAL;
	return len > cap ? -ENOSPC : 0;
}

int rtcp_write_sr(uint8_t *buf, size_t cap, const struct rtcp_sr *sr)
{
	size_t len = RTCP_HEADER_LEN + 24 + RTCP_REPORT_BLOCK_LEN * (size_t)sr->report_count;
	int ret;

	if (sr->report_count > RTCP_MAX_COUNT)
		return -EINVAL;
	if ((ret = rtcp_check_room(len, cap)) < 0)
		return ret;
	rtcp_write_header(buf, false, sr->report_count, RTCP_SR, len);
	put32(buf + 4, sr->ssrc);
	put32(buf + 8, (uint32_t)(sr->ntp_timestamp >> 32));
	put32(buf + 12, (uint32_t)sr->ntp_timestamp);
	put32(buf + 16, sr->rtp_timestamp);
	put32(buf + 20, sr->packet_count);
	put32(buf + 24, sr->octet_count);
	for (unsigned i = 0; i < sr->report_count; i++)
		write_report_block(buf + 28 + RTCP_REPORT_BLOCK_LEN * i, &sr->reports[i]);
	return (int)len;
}

int rtcp_write_rr(uint8_t *buf, size_t cap, const struct rtcp_rr *rr)
{
	size_t len = RTCP_HEADER_LEN + 4 + RTCP_REPORT_BLOCK_LEN * (size_t)rr->report_count;
	int ret;

	if (rr->report_count > RTCP_MAX_COUNT)
		return -EINVAL;
	if ((ret = rtcp_check_room(len, cap)) < 0)
		return ret;
	rtcp_write_header(buf, false, rr->report_count, RTCP_RR, len);
	put32(buf + 4, rr->ssrc);
	for (unsigned i = 0; i < rr->report_count; i++)
		write_report_block(buf + 8 + RTCP_REPORT_BLOCK_LEN * i, &rr->reports[i]);
	return (int)len;
}

int rtcp_write_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname)
{
	size_t cname_len = strlen(cname);
	/* SSRC, type, length, text, then 1-4 null octets up to the boundary. */
	size_t len = RTCP_HEADER_LEN + ((4 + 2 + cname_len + 4) & ~(size_t)3);
	int ret;

	if (cname_len > 255)
		return -EINVAL;
	if ((ret = rtcp_check_room(len, cap)) < 0)
		return ret;
	memset(buf, 0, len);
	rtcp_write_header(buf, false, 1, RTCP_SDES, len);
	put32(buf + 4, ssrc);
	buf[8] = 1; /* CNAME */
	buf[9] = (uint8_t)cname_len;
	memcpy(buf + 10, cname, cname_len);
	return (int)len;
}

int rtcp_write_bye(uint8_t *buf, size_t cap, const uint32_t *ssrcs, size_t count,
                   const char *reason)
{
	size_t reason_len = reason ? strlen(reason) : 0;
	size_t len = RTCP_HEADER_LEN + 4 * count;
	int ret;

	if (count > RTCP_MAX_COUNT || reason_len > 255)
		return -EINVAL;
	if (reason)
		len += (1 + reason_len + 3) & ~(size_t)3;
	if ((ret = rtcp_check_room(len, cap)) < 0)
		return ret;
	memset(buf, 0, len);
	rtcp_write_header(buf, false, (uint8_t)count, RTCP_BYE, len);
	for (size_t i = 0; i < count; i++)
		put32(buf + 4 + 4 * i, ssrcs[i]);
	if (reason) {
		buf[4 + 4 * count] = (uint8_t)reason_len;
		memcpy(buf + 5 + 4 * count, reason, reason_len);
	}
	return (int)len;
}

/*
 * Packs seqs into PID/BLP items (written at fci unless it is NULL) and returns how many
 * items that takes.
 */
static size_t pack_nack(const uint16_t *seqs, size_t count, uint8_t *fci)
{
	size_t items = 0;
	uint16_t pid = 0, blp = 0;

	for (size_t i = 0; i < count; i++) {
		uint16_t diff = (uint16_t)(seqs[i] - pid);

		if (items > 0 && diff == 0)
			continue;
		if (items > 0 && diff <= 16) {
			blp |= (uint16_t)(1u << (diff - 1));
		} else {
			items++;
			pid = seqs[i];
			blp = 0;
		}
		if (fci) {
			put16(fci + 4 * (items - 1), pid);
			put16(fci + 4 * (items - 1) + 2, blp);
		}
	}
	return items;
}

void rtcp_write_fb_header(uint8_t *buf, uint8_t fmt, uint8_t type, size_t len, uint32_t sender_ssrc,
                          uint32_t media_ssrc)
{
	rtcp_write_header(buf, false, fmt, type, len);
	put32(buf + 4, sender_ssrc);
	put32(buf + 8, media_ssrc);
}

int rtcp_write_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                    const uint16_t *seqs, size_t count)
{
	size_t items, len;
	int ret;

	if (count == 0)
		return -EINVAL;
	items = pack_nack(seqs, count, NULL);
	len = RTCP_HEADER_LEN + FB_HEADER_LEN + 4 * items;
	if ((ret = rtcp_check_room(len, cap)) < 0)
		return ret;
	rtcp_write_fb_header(buf, RTCP_RTPFB_NACK, RTCP_RTPFB, len, sender_ssrc, media_ssrc);
	pack_nack(seqs, count, buf + RTCP_HEADER_LEN + FB_HEADER_LEN);
	return (int)len;
}

int rtcp_write_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc)
{
	size_t len = RTCP_HEADER_LEN + FB_HEADER_LEN;

	if (len > cap)
		return -ENOSPC;
	rtcp_write_fb_header(buf, RTCP_PSFB_PLI, RTCP_PSFB, len, sender_ssrc, media_ssrc);
	return (int)len;
}

int rtcp_write_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                   const struct rtcp_fir_entry *entries, size_t count)
{
	size_t len = RTCP_HEADER_LEN + FB_HEADER_LEN + 8 * count;
	int ret;

	if (count == 0 || count > 0xffff)
		return -EINVAL;
	if ((ret = rtcp_check_room(len, cap)) < 0)
		return ret;
	rtcp_write_fb_header(buf, RTCP_PSFB_FIR, RTCP_PSFB, len, sender_ssrc, 0);
	for (size_t i = 0; i < count; i++) {
		uint8_t *e = buf + RTCP_HEADER_LEN + FB_HEADER_LEN + 8 * i;

		put32(e, entries[i].ssrc);
		put32(e + 4, (uint32_t)entries[i].seqnr << 24);
	}
	return (int)len;
}

int rtcp_write_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint64_t bitrate_bps,
                    const uint32_t *ssrcs, size_t count)
{
	size_t len = RTCP_HEADER_LEN + FB_HEADER_LEN + 8 + 4 * count;
	unsigned exponent = 0;
	uint8_t *fci = buf + RTCP_HEADER_LEN + FB_HEADER_LEN;
	int ret;

	if (count > RTCP_REMB_MAX_SSRCS)
		return -EINVAL;
	if ((ret = rtcp_check_room(len, cap)) < 0)
		return ret;
	while ((bitrate_bps >> exponent) > 0x3ffff)
		exponent++;
	rtcp_write_fb_header(buf, RTCP_PSFB_AFB, RTCP_PSFB, len, sender_ssrc, 0);
	memcpy(fci, "REMB", 4);
	fci[4] = (uint8_t)count;
	put24(fci + 5, (uint32_t)(exponent << 18 | (bitrate_bps >> exponent)));
	for (size_t i = 0; i < count; i++)
		put32(fci + 8 + 4 * i, ssrcs[i]);
	return (int)len;
}
