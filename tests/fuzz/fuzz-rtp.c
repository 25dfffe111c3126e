/* SPDX-License-Identifier: MIT */
/* libFuzzer target: RTP demultiplexing, parsing, header extensions, and write/re-parse. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/rtp.h"
#include "proto/rtp_ext.h"

#define MAX_ELEMENTS 64

static void map_all(struct rtp_ext_map *map)
{
	rtp_ext_map_init(map);
	rtp_ext_map_set(map, 1, RTP_EXT_MID);
	rtp_ext_map_set(map, 2, RTP_EXT_RID);
	rtp_ext_map_set(map, 3, RTP_EXT_REPAIRED_RID);
	rtp_ext_map_set(map, 4, RTP_EXT_AUDIO_LEVEL);
	rtp_ext_map_set(map, 5, RTP_EXT_ABS_SEND_TIME);
	rtp_ext_map_set(map, 6, RTP_EXT_TWCC);
}

/*
 * Collects the elements of pkt's extension block. Returns their number, or -1 if the block
 * cannot be rebuilt (unknown profile, malformed, too many elements).
 */
static int collect_elements(const struct rtp_packet *pkt, struct rtp_ext_element *elems)
{
	struct rtp_ext_iter it;
	int n = 0, ret;

	if (!pkt->extension)
		return 0;
	if (rtp_ext_iter_init(&it, pkt->ext_profile, pkt->ext, pkt->ext_len) < 0)
		return -1;
	while ((ret = rtp_ext_iter_next(&it, &elems[n])) == 0) {
		CHECK(elems[n].id != 0);
		CHECK(elems[n].data >= pkt->ext &&
		      elems[n].data + elems[n].len <= pkt->ext + pkt->ext_len);
		if (++n == MAX_ELEMENTS)
			return -1;
	}
	return ret == -ENOENT ? n : -1;
}

static void check_same_header(const struct rtp_packet *a, const struct rtp_packet *b)
{
	CHECK(a->version == b->version);
	CHECK(a->marker == b->marker);
	CHECK(a->payload_type == b->payload_type);
	CHECK(a->seq == b->seq);
	CHECK(a->timestamp == b->timestamp);
	CHECK(a->ssrc == b->ssrc);
	CHECK(a->csrc_count == b->csrc_count);
	CHECK(memcmp(a->csrc, b->csrc, 4u * a->csrc_count) == 0);
	CHECK(a->padding_len == b->padding_len);
	CHECK(a->payload_len == b->payload_len);
	CHECK(a->payload_len == 0 || memcmp(a->payload, b->payload, a->payload_len) == 0);
}

/* Rebuilds pkt from its parts with the writers and checks that it parses the same. */
static void rewrite_and_compare(const struct rtp_packet *pkt, const struct rtp_ext_map *map,
                                int ext_ret, const struct rtp_ext_values *values)
{
	struct rtp_ext_element elems[MAX_ELEMENTS], again_elems[MAX_ELEMENTS];
	struct rtp_ext_values values2;
	struct rtp_packet again;
	size_t cap, len;
	uint8_t *out;
	int n;

	n = collect_elements(pkt, elems);
	if (n < 0)
		return;
	/* Dropping padding and the extension's padding can only shrink the packet. */
	cap = pkt->header_len + pkt->payload_len + pkt->padding_len;
	out = malloc(cap);
	CHECK(out);
	CHECK(rtp_packet_write(out, cap, pkt, elems, (size_t)n, pkt->payload, pkt->payload_len,
	                       &len) == 0);
	CHECK(rtp_parse(out, len, &again) == 0);
	check_same_header(pkt, &again);
	CHECK(again.extension == (n > 0));
	CHECK(collect_elements(&again, again_elems) == n);
	for (int i = 0; i < n; i++) {
		CHECK(elems[i].id == again_elems[i].id);
		CHECK(elems[i].len == again_elems[i].len);
		CHECK(elems[i].len == 0 ||
		      memcmp(elems[i].data, again_elems[i].data, elems[i].len) == 0);
	}
	CHECK(rtp_ext_parse(&again, map, &values2) == ext_ret);
	if (ext_ret == 0)
		CHECK(memcmp(values, &values2, sizeof(values2)) == 0);

	/* Per-receiver rewrites touch only their own field. */
	const uint16_t flipped_seq = (uint16_t)(pkt->seq ^ 0xffffu);
	CHECK(rtp_set_seq(out, len, flipped_seq) == 0);
	CHECK(rtp_set_timestamp(out, len, ~pkt->timestamp) == 0);
	CHECK(rtp_set_ssrc(out, len, ~pkt->ssrc) == 0);
	CHECK(rtp_parse(out, len, &again) == 0);
	CHECK(again.seq == flipped_seq);
	CHECK(again.timestamp == ~pkt->timestamp);
	CHECK(again.ssrc == ~pkt->ssrc);
	CHECK(again.payload_type == pkt->payload_type && again.marker == pkt->marker);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtp_ext_map map;
	struct rtp_ext_values values;
	struct rtp_ext_element el;
	struct rtp_packet pkt;
	uint8_t header[RTP_FIXED_HEADER_LEN + 4 * RTP_MAX_CSRC];
	size_t header_len;
	int ext_ret;

	(void)packet_classify(data, size);
	if (rtp_parse(data, size, &pkt) < 0)
		return 0;
	CHECK(pkt.header_len + pkt.payload_len + pkt.padding_len == size);
	CHECK(pkt.payload == data + pkt.header_len);

	/* The fixed header and CSRCs are captured exactly. */
	CHECK(rtp_write_header(header, sizeof(header), &pkt, &header_len) == 0);
	CHECK(header_len == RTP_FIXED_HEADER_LEN + 4u * pkt.csrc_count);
	CHECK(memcmp(header, data, header_len) == 0);

	map_all(&map);
	ext_ret = rtp_ext_parse(&pkt, &map, &values);
	CHECK(ext_ret == 0 || ext_ret == -EINVAL);
	if (ext_ret == 0) {
		CHECK(!values.has_mid || strlen(values.mid) <= RTP_EXT_SDES_MAX_LEN);
		CHECK(!values.has_rid || strlen(values.rid) <= RTP_EXT_SDES_MAX_LEN);
		CHECK(values.audio_level <= 127);
		CHECK(values.abs_send_time <= 0xffffff);
	}
	if (rtp_ext_find(&pkt, 6, &el) == 0)
		CHECK(el.data >= data && el.data + el.len <= data + size);
	rewrite_and_compare(&pkt, &map, ext_ret, &values);
	return 0;
}
