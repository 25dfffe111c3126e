/* SPDX-License-Identifier: MIT */
/* RFC 8285 RTP header extensions: element iteration, typed values, and writing. */
#include "proto/rtp_ext.h"

#include <errno.h>
#include <string.h>

#define ONE_BYTE_RESERVED_ID 15

static const char *const kind_uris[] = {
    [RTP_EXT_MID] = "urn:ietf:params:rtp-hdrext:sdes:mid",
    [RTP_EXT_RID] = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    [RTP_EXT_REPAIRED_RID] = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    [RTP_EXT_AUDIO_LEVEL] = "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    [RTP_EXT_ABS_SEND_TIME] = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    [RTP_EXT_TWCC] = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
};

#define KIND_COUNT (sizeof(kind_uris) / sizeof(kind_uris[0]))

int rtp_ext_iter_init(struct rtp_ext_iter *it, uint16_t profile, const uint8_t *data, size_t len)
{
	if (profile == RTP_EXT_PROFILE_ONE_BYTE)
		it->two_byte = false;
	else if ((profile & RTP_EXT_PROFILE_TWO_BYTE_MASK) == RTP_EXT_PROFILE_TWO_BYTE)
		it->two_byte = true;
	else
		return -ENOTSUP;
	it->data = data;
	it->len = data ? len : 0;
	it->pos = 0;
	return 0;
}

int rtp_ext_iter_next(struct rtp_ext_iter *it, struct rtp_ext_element *el)
{
	while (it->pos < it->len) {
		uint8_t first = it->data[it->pos];
		size_t id, len, hdr;

		if (first == 0) {
			/* A padding byte, in either form. */
			it->pos++;
			continue;
		}
		if (it->two_byte) {
			if (it->len - it->pos < 2)
				return -EINVAL;
			id = first;
			len = it->data[it->pos + 1];
			hdr = 2;
		} else {
			id = first >> 4;
			len = (size_t)(first & 0x0f) + 1;
			hdr = 1;
			if (id == 0) {
				/* Id 0 is padding; RFC 8285 lets receivers skip it byte by byte. */
				it->pos++;
				continue;
			}
			if (id == ONE_BYTE_RESERVED_ID) {
				it->pos = it->len;
				return -ENOENT;
			}
		}
		if (it->len - it->pos - hdr < len)
			return -EINVAL;
		el->id = (uint8_t)id;
		el->data = it->data + it->pos + hdr;
		el->len = len;
		it->pos += hdr + len;
		return 0;
	}
	return -ENOENT;
}

int rtp_ext_find(const struct rtp_packet *pkt, uint8_t id, struct rtp_ext_element *el)
{
	struct rtp_ext_iter it;
	int ret;

	if (!pkt->extension || rtp_ext_iter_init(&it, pkt->ext_profile, pkt->ext, pkt->ext_len) < 0)
		return -ENOENT;
	while ((ret = rtp_ext_iter_next(&it, el)) == 0) {
		if (el->id == id)
			return 0;
	}
	return ret;
}

void rtp_ext_map_init(struct rtp_ext_map *map)
{
	memset(map, 0, sizeof(*map));
}

int rtp_ext_map_set(struct rtp_ext_map *map, unsigned id, enum rtp_ext_kind kind)
{
	if (id == 0 || id > 255 || (unsigned)kind >= KIND_COUNT)
		return -EINVAL;
	map->kind[id] = (uint8_t)kind;
	return 0;
}

enum rtp_ext_kind rtp_ext_map_get(const struct rtp_ext_map *map, unsigned id)
{
	if (id == 0 || id > 255 || map->kind[id] >= KIND_COUNT)
		return RTP_EXT_UNKNOWN;
	return (enum rtp_ext_kind)map->kind[id];
}

enum rtp_ext_kind rtp_ext_kind_from_uri(const char *uri)
{
	if (!uri)
		return RTP_EXT_UNKNOWN;
	for (size_t kind = 1; kind < KIND_COUNT; kind++) {
		if (strcmp(uri, kind_uris[kind]) == 0)
			return (enum rtp_ext_kind)kind;
	}
	return RTP_EXT_UNKNOWN;
}

const char *rtp_ext_kind_to_uri(enum rtp_ext_kind kind)
{
	if (kind <= RTP_EXT_UNKNOWN || (size_t)kind >= KIND_COUNT)
		return NULL;
	return kind_uris[kind];
}

/* Copies an SDES-style identifier (MID, RID) into a NUL-terminated string. */
static int copy_sdes_id(char *dst, const struct rtp_ext_element *el)
{
	if (el->len == 0 || el->len > RTP_EXT_SDES_MAX_LEN)
		return -EINVAL;
	for (size_t i = 0; i < el->len; i++) {
		/* Identifiers are tokens; refusing controls and NULs keeps them safe to log and
		 * keeps the C string the same length as the element. */
		if (el->data[i] < 0x21 || el->data[i] > 0x7e)
			return -EINVAL;
		dst[i] = (char)el->data[i];
	}
	dst[el->len] = '\0';
	return 0;
}

static int decode_element(const struct rtp_ext_element *el, enum rtp_ext_kind kind,
                          struct rtp_ext_values *out)
{
	const uint8_t *d = el->data;

	switch (kind) {
	case RTP_EXT_MID:
		out->has_mid = true;
		return copy_sdes_id(out->mid, el);
	case RTP_EXT_RID:
		out->has_rid = true;
		return copy_sdes_id(out->rid, el);
	case RTP_EXT_REPAIRED_RID:
		out->has_repaired_rid = true;
		return copy_sdes_id(out->repaired_rid, el);
	case RTP_EXT_AUDIO_LEVEL:
		if (el->len != 1)
			return -EINVAL;
		out->has_audio_level = true;
		out->vad = d[0] & 0x80;
		out->audio_level = d[0] & 0x7f;
		return 0;
	case RTP_EXT_ABS_SEND_TIME:
		if (el->len != 3)
			return -EINVAL;
		out->has_abs_send_time = true;
		out->abs_send_time = (uint32_t)d[0] << 16 | (uint32_t)d[1] << 8 | d[2];
		return 0;
	case RTP_EXT_TWCC:
		if (el->len != 2)
			return -EINVAL;
		out->has_twcc = true;
		out->twcc_seq = (uint16_t)(d[0] << 8 | d[1]);
		return 0;
	case RTP_EXT_UNKNOWN:
		break;
	}
	return 0;
}

int rtp_ext_parse(const struct rtp_packet *pkt, const struct rtp_ext_map *map,
                  struct rtp_ext_values *out)
{
	struct rtp_ext_iter it;
	struct rtp_ext_element el;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!pkt->extension || rtp_ext_iter_init(&it, pkt->ext_profile, pkt->ext, pkt->ext_len) < 0)
		return 0;
	while ((ret = rtp_ext_iter_next(&it, &el)) == 0) {
		ret = decode_element(&el, rtp_ext_map_get(map, el.id), out);
		if (ret < 0)
			return ret;
	}
	return ret == -ENOENT ? 0 : ret;
}

/*
 * Computes the size of the extension block for elems, its 4-byte word included, and the
 * form to use. Returns 0 or -EINVAL.
 */
static int block_size(const struct rtp_ext_element *elems, size_t count, bool *two_byte,
                      size_t *out_size)
{
	size_t body = 0;

	*two_byte = false;
	for (size_t i = 0; i < count; i++) {
		if (elems[i].id == 0 || elems[i].len > RTP_EXT_TWO_BYTE_MAX_LEN)
			return -EINVAL;
		if (elems[i].id > RTP_EXT_ONE_BYTE_MAX_ID || elems[i].len == 0 ||
		    elems[i].len > RTP_EXT_ONE_BYTE_MAX_LEN)
			*two_byte = true;
		body += elems[i].len;
		/* Bounded: beyond this the length word cannot describe the block anyway. */
		if (body > 4u * 0xffff)
			return -EINVAL;
	}
	body += count * (*two_byte ? 2 : 1);
	body = (body + 3) & ~(size_t)3;
	if (body / 4 > 0xffff)
		return -EINVAL;
	*out_size = count ? 4 + body : 0;
	return 0;
}

/* Writes the block of known size into buf; elems already validated by block_size(). */
static void write_block(uint8_t *buf, size_t size, const struct rtp_ext_element *elems,
                        size_t count, bool two_byte)
{
	uint16_t profile = two_byte ? RTP_EXT_PROFILE_TWO_BYTE : RTP_EXT_PROFILE_ONE_BYTE;
	size_t words = (size - 4) / 4;
	size_t pos = 4;

	buf[0] = (uint8_t)(profile >> 8);
	buf[1] = (uint8_t)profile;
	buf[2] = (uint8_t)(words >> 8);
	buf[3] = (uint8_t)words;
	for (size_t i = 0; i < count; i++) {
		if (two_byte) {
			buf[pos++] = elems[i].id;
			buf[pos++] = (uint8_t)elems[i].len;
		} else {
			buf[pos++] = (uint8_t)(elems[i].id << 4 | (elems[i].len - 1));
		}
		if (elems[i].len)
			memcpy(buf + pos, elems[i].data, elems[i].len);
		pos += elems[i].len;
	}
	memset(buf + pos, 0, size - pos);
}

int rtp_ext_write(uint8_t *buf, size_t cap, const struct rtp_ext_element *elems, size_t count,
                  uint16_t *out_profile, size_t *out_len)
{
	bool two_byte;
	size_t size;
	int ret;

	ret = block_size(elems, count, &two_byte, &size);
	if (ret < 0)
		return ret;
	if (cap < size)
		return -ENOSPC;
	if (size)
		write_block(buf, size, elems, count, two_byte);
	*out_profile = two_byte ? RTP_EXT_PROFILE_TWO_BYTE : RTP_EXT_PROFILE_ONE_BYTE;
	*out_len = size;
	return 0;
}

int rtp_packet_write(uint8_t *buf, size_t cap, const struct rtp_packet *hdr,
                     const struct rtp_ext_element *elems, size_t ext_count, const uint8_t *payload,
                     size_t payload_len, size_t *out_len)
{
	struct rtp_packet fixed = *hdr;
	size_t fixed_len, ext_len, total;
	bool two_byte;
	int ret;

	if (hdr->csrc_count > RTP_MAX_CSRC || hdr->payload_type > 0x7f)
		return -EINVAL;
	ret = block_size(elems, ext_count, &two_byte, &ext_len);
	if (ret < 0)
		return ret;
	fixed_len = RTP_FIXED_HEADER_LEN + 4u * hdr->csrc_count;
	total = fixed_len + ext_len;
	if (cap < total || cap - total < payload_len ||
	    cap - total - payload_len < hdr->padding_len)
		return -ENOSPC;

	/* The payload goes first: it may sit where the header is about to be written. */
	if (payload_len)
		memmove(buf + total, payload, payload_len);
	fixed.extension = ext_count > 0;
	fixed.padding = hdr->padding_len > 0;
	ret = rtp_write_header(buf, cap, &fixed, &fixed_len);
	if (ret < 0)
		return ret;
	if (ext_len)
		write_block(buf + fixed_len, ext_len, elems, ext_count, two_byte);
	total += payload_len;
	if (hdr->padding_len) {
		memset(buf + total, 0, hdr->padding_len);
		total += hdr->padding_len;
		buf[total - 1] = hdr->padding_len;
	}
	*out_len = total;
	return 0;
}

uint8_t rtp_ext_encode_audio_level(bool vad, uint8_t level)
{
	return (uint8_t)((vad ? 0x80 : 0) | (level > 127 ? 127 : level));
}

void rtp_ext_encode_abs_send_time(uint8_t out[3], uint32_t abs_send_time)
{
	out[0] = (uint8_t)(abs_send_time >> 16);
	out[1] = (uint8_t)(abs_send_time >> 8);
	out[2] = (uint8_t)abs_send_time;
}

void rtp_ext_encode_twcc(uint8_t out[2], uint16_t seq)
{
	out[0] = (uint8_t)(seq >> 8);
	out[1] = (uint8_t)seq;
}

uint32_t rtp_ext_abs_send_time_from_us(uint64_t time_us)
{
	/* The value wraps every 64 s; reducing first keeps the shift from overflowing. */
	uint64_t wrapped = time_us % (64u * 1000000u);

	return (uint32_t)((((wrapped << 18) + 500000) / 1000000) & 0xffffff);
}
