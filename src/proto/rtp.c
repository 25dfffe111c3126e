/* SPDX-License-Identifier: MIT */
/* RFC 3550 RTP fixed-header parsing and writing, and RFC 7983/5761 demultiplexing. */
#include "proto/rtp.h"

#include "proto/bytes.h"

#include <errno.h>
#include <string.h>

int rtp_parse(const uint8_t *buf, size_t len, struct rtp_packet *out)
{
	size_t pos;

	if (len < RTP_FIXED_HEADER_LEN)
		return -EINVAL;

	out->version = buf[0] >> 6;
	if (out->version != RTP_VERSION)
		return -EINVAL;
	out->padding = buf[0] & 0x20;
	out->extension = buf[0] & 0x10;
	out->csrc_count = buf[0] & 0x0f;
	out->marker = buf[1] & 0x80;
	out->payload_type = buf[1] & 0x7f;
	out->seq = get16(buf + 2);
	out->timestamp = get32(buf + 4);
	out->ssrc = get32(buf + 8);
	pos = RTP_FIXED_HEADER_LEN;

	if (len - pos < 4u * out->csrc_count)
		return -EINVAL;
	for (unsigned i = 0; i < out->csrc_count; i++, pos += 4)
		out->csrc[i] = get32(buf + pos);

	out->ext_profile = 0;
	out->ext = NULL;
	out->ext_len = 0;
	if (out->extension) {
		if (len - pos < 4)
			return -EINVAL;
		out->ext_profile = get16(buf + pos);
		out->ext_len = 4u * get16(buf + pos + 2);
		pos += 4;
		if (len - pos < out->ext_len)
			return -EINVAL;
		out->ext = buf + pos;
		pos += out->ext_len;
	}
	out->header_len = pos;

	out->padding_len = 0;
	if (out->padding) {
		/* The count includes itself, so 0 cannot be produced by a correct sender. */
		out->padding_len = buf[len - 1];
		if (out->padding_len == 0 || out->padding_len > len - pos)
			return -EINVAL;
	}
	out->payload = buf + pos;
	out->payload_len = len - pos - out->padding_len;
	return 0;
}

int rtp_write_header(uint8_t *buf, size_t cap, const struct rtp_packet *hdr, size_t *out_len)
{
	size_t len;

	if (hdr->csrc_count > RTP_MAX_CSRC || hdr->payload_type > 0x7f)
		return -EINVAL;
	len = RTP_FIXED_HEADER_LEN + 4u * hdr->csrc_count;
	if (cap < len)
		return -ENOSPC;

	buf[0] = (uint8_t)(RTP_VERSION << 6 | (hdr->padding ? 0x20 : 0) |
	                   (hdr->extension ? 0x10 : 0) | hdr->csrc_count);
	buf[1] = (uint8_t)((hdr->marker ? 0x80 : 0) | hdr->payload_type);
	put16(buf + 2, hdr->seq);
	put32(buf + 4, hdr->timestamp);
	put32(buf + 8, hdr->ssrc);
	for (unsigned i = 0; i < hdr->csrc_count; i++)
		put32(buf + RTP_FIXED_HEADER_LEN + 4 * i, hdr->csrc[i]);
	*out_len = len;
	return 0;
}

int rtp_set_seq(uint8_t *buf, size_t len, uint16_t seq)
{
	if (len < RTP_FIXED_HEADER_LEN)
		return -EINVAL;
	put16(buf + 2, seq);
	return 0;
}

int rtp_set_timestamp(uint8_t *buf, size_t len, uint32_t timestamp)
{
	if (len < RTP_FIXED_HEADER_LEN)
		return -EINVAL;
	put32(buf + 4, timestamp);
	return 0;
}

int rtp_set_ssrc(uint8_t *buf, size_t len, uint32_t ssrc)
{
	if (len < RTP_FIXED_HEADER_LEN)
		return -EINVAL;
	put32(buf + 8, ssrc);
	return 0;
}

enum packet_class packet_classify(const uint8_t *buf, size_t len)
{
	uint8_t first;

	if (len == 0)
		return PACKET_UNKNOWN;
	first = buf[0];
	if (first <= 3)
		return len >= 20 ? PACKET_STUN : PACKET_UNKNOWN;
	if (first >= 20 && first <= 63)
		return len >= 13 ? PACKET_DTLS : PACKET_UNKNOWN;
	if (first >= 128 && first <= 191 && len >= 4) {
		/* RFC 5761: RTCP packet types 192-223 collide with RTP payload types 64-95 only
		 * when the marker bit is set, which is why RTP must not use those. */
		if (buf[1] >= 192 && buf[1] <= 223)
			return PACKET_RTCP;
		return len >= RTP_FIXED_HEADER_LEN ? PACKET_RTP : PACKET_UNKNOWN;
	}
	return PACKET_UNKNOWN;
}
