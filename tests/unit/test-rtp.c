/* SPDX-License-Identifier: MIT */
/* Unit tests for RTP parsing/writing, RFC 8285 header extensions and packet demultiplexing. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "proto/rtp.h"
#include "proto/rtp_ext.h"

/*
 * A Chrome-style Opus packet: marker, PT 111, one-byte extensions
 * mid(1)="0", abs-send-time(2), transport-cc(3), audio-level(4, vad, -30 dBov), one byte
 * of element padding, then 4 payload bytes.
 */
static const uint8_t chrome_audio[] = {
    0x90, 0xef, 0x1a, 0x2b, 0x00, 0x00, 0x3a, 0x98, 0xde, 0xad, 0xbe, 0xef, /* fixed */
    0xbe, 0xde, 0x00, 0x03,                                                 /* 0xBEDE, 3 words */
    0x10, '0',                                                              /* mid */
    0x22, 0x12, 0x34, 0x56,                                                 /* abs-send-time */
    0x31, 0x01, 0x02,                                                       /* transport-cc */
    0x40, 0x9e,                                                             /* audio level */
    0x00,                                                                   /* padding */
    0xfc, 0x01, 0x02, 0x03,                                                 /* payload */
};

static void map_all(struct rtp_ext_map *map)
{
	rtp_ext_map_init(map);
	g_assert_cmpint(rtp_ext_map_set(map, 1, RTP_EXT_MID), ==, 0);
	g_assert_cmpint(rtp_ext_map_set(map, 2, RTP_EXT_ABS_SEND_TIME), ==, 0);
	g_assert_cmpint(rtp_ext_map_set(map, 3, RTP_EXT_TWCC), ==, 0);
	g_assert_cmpint(rtp_ext_map_set(map, 4, RTP_EXT_AUDIO_LEVEL), ==, 0);
	g_assert_cmpint(rtp_ext_map_set(map, 5, RTP_EXT_RID), ==, 0);
	g_assert_cmpint(rtp_ext_map_set(map, 6, RTP_EXT_REPAIRED_RID), ==, 0);
}

/* Parses a private heap copy of exactly len bytes so ASan catches any overread. */
static int parse_copy(const uint8_t *buf, size_t len, struct rtp_packet *pkt, uint8_t **copy)
{
	*copy = g_memdup2(buf, len);
	return rtp_parse(*copy, len, pkt);
}

static void test_parse_chrome_audio(void)
{
	struct rtp_packet pkt;
	struct rtp_ext_map map;
	struct rtp_ext_values v;

	g_assert_cmpint(rtp_parse(chrome_audio, sizeof(chrome_audio), &pkt), ==, 0);
	g_assert_cmpint(pkt.version, ==, 2);
	g_assert_false(pkt.padding);
	g_assert_true(pkt.extension);
	g_assert_cmpint(pkt.csrc_count, ==, 0);
	g_assert_true(pkt.marker);
	g_assert_cmpint(pkt.payload_type, ==, 111);
	g_assert_cmpint(pkt.seq, ==, 0x1a2b);
	g_assert_cmpuint(pkt.timestamp, ==, 15000);
	g_assert_cmpuint(pkt.ssrc, ==, 0xdeadbeef);
	g_assert_cmphex(pkt.ext_profile, ==, 0xbede);
	g_assert_cmpuint(pkt.ext_len, ==, 12);
	g_assert_true(pkt.ext == chrome_audio + 16);
	g_assert_cmpuint(pkt.header_len, ==, 28);
	g_assert_cmpuint(pkt.payload_len, ==, 4);
	g_assert_cmphex(pkt.payload[0], ==, 0xfc);
	g_assert_cmpint(pkt.padding_len, ==, 0);

	map_all(&map);
	g_assert_cmpint(rtp_ext_parse(&pkt, &map, &v), ==, 0);
	g_assert_true(v.has_mid);
	g_assert_cmpstr(v.mid, ==, "0");
	g_assert_true(v.has_abs_send_time);
	g_assert_cmphex(v.abs_send_time, ==, 0x123456);
	g_assert_true(v.has_twcc);
	g_assert_cmpint(v.twcc_seq, ==, 0x0102);
	g_assert_true(v.has_audio_level);
	g_assert_true(v.vad);
	g_assert_cmpint(v.audio_level, ==, 30);
	g_assert_false(v.has_rid);
	g_assert_false(v.has_repaired_rid);
}

static void test_parse_unmapped_ids_ignored(void)
{
	struct rtp_packet pkt;
	struct rtp_ext_map map;
	struct rtp_ext_values v;

	rtp_ext_map_init(&map);
	g_assert_cmpint(rtp_ext_map_set(&map, 3, RTP_EXT_TWCC), ==, 0);
	g_assert_cmpint(rtp_parse(chrome_audio, sizeof(chrome_audio), &pkt), ==, 0);
	g_assert_cmpint(rtp_ext_parse(&pkt, &map, &v), ==, 0);
	g_assert_true(v.has_twcc);
	g_assert_false(v.has_mid);
	g_assert_false(v.has_audio_level);
}

static void test_parse_two_byte_csrc_padding(void)
{
	/* Two-byte form (appbits 5) with a zero-length element, padding bytes between
	 * elements, a 17-byte RID-sized element under an unmapped id, two CSRCs, and 3 bytes
	 * of RTP padding. */
	static const uint8_t pkt_bytes[] = {
	    0xb2, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
	    0x00, 0x03, 0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, /* CSRCs */
	    0x10, 0x05, 0x00, 0x03,                                     /* 0x1005, 3 words */
	    0x07, 0x00,                                                 /* id 7, empty */
	    0x00,                                                       /* padding */
	    0x05, 0x02, 'h',  'i',                                      /* rid "hi" */
	    0x00,                                                       /* padding */
	    0x01, 0x01, 'a',                                            /* mid "a" */
	    0x00,                                                       /* padding */
	    0xaa, 0xbb,                                                 /* payload */
	    0x00, 0x00, 0x03,                                           /* padding */
	};
	struct rtp_packet pkt;
	struct rtp_ext_map map;
	struct rtp_ext_values v;
	struct rtp_ext_iter it;
	struct rtp_ext_element el;

	g_assert_cmpint(rtp_parse(pkt_bytes, sizeof(pkt_bytes), &pkt), ==, 0);
	g_assert_true(pkt.padding);
	g_assert_cmpint(pkt.csrc_count, ==, 2);
	g_assert_cmphex(pkt.csrc[0], ==, 0x11111111);
	g_assert_cmphex(pkt.csrc[1], ==, 0x22222222);
	g_assert_false(pkt.marker);
	g_assert_cmpint(pkt.payload_type, ==, 96);
	g_assert_cmphex(pkt.ext_profile, ==, 0x1005);
	g_assert_cmpuint(pkt.header_len, ==, 36);
	g_assert_cmpuint(pkt.payload_len, ==, 2);
	g_assert_cmpint(pkt.padding_len, ==, 3);

	g_assert_cmpint(rtp_ext_iter_init(&it, pkt.ext_profile, pkt.ext, pkt.ext_len), ==, 0);
	g_assert_cmpint(rtp_ext_iter_next(&it, &el), ==, 0);
	g_assert_cmpint(el.id, ==, 7);
	g_assert_cmpuint(el.len, ==, 0);
	g_assert_cmpint(rtp_ext_iter_next(&it, &el), ==, 0);
	g_assert_cmpint(el.id, ==, 5);
	g_assert_cmpuint(el.len, ==, 2);
	g_assert_cmpint(rtp_ext_iter_next(&it, &el), ==, 0);
	g_assert_cmpint(el.id, ==, 1);
	g_assert_cmpint(rtp_ext_iter_next(&it, &el), ==, -ENOENT);

	map_all(&map);
	g_assert_cmpint(rtp_ext_parse(&pkt, &map, &v), ==, 0);
	g_assert_cmpstr(v.mid, ==, "a");
	g_assert_cmpstr(v.rid, ==, "hi");
}

static void test_one_byte_id15_stops(void)
{
	static const uint8_t ext[] = {0x10, 'x', 0xf3, 0x20, 'y', 0x00, 0x00, 0x00};
	struct rtp_ext_iter it;
	struct rtp_ext_element el;

	g_assert_cmpint(rtp_ext_iter_init(&it, 0xbede, ext, sizeof(ext)), ==, 0);
	g_assert_cmpint(rtp_ext_iter_next(&it, &el), ==, 0);
	g_assert_cmpint(el.id, ==, 1);
	g_assert_cmpint(rtp_ext_iter_next(&it, &el), ==, -ENOENT);
	g_assert_cmpint(rtp_ext_iter_init(&it, 0x1234, ext, sizeof(ext)), ==, -ENOTSUP);
}

static void test_malformed_rtp(void)
{
	struct rtp_packet pkt;
	uint8_t buf[64], *copy;

	/* Truncated at every length short of the header: never valid, never overread. */
	for (size_t len = 0; len < 28; len++) {
		g_assert_cmpint(parse_copy(chrome_audio, len, &pkt, &copy), ==, -EINVAL);
		g_free(copy);
	}
	for (size_t len = 28; len <= sizeof(chrome_audio); len++) {
		g_assert_cmpint(parse_copy(chrome_audio, len, &pkt, &copy), ==, 0);
		g_assert_cmpuint(pkt.payload_len, ==, len - 28);
		g_free(copy);
	}

	memcpy(buf, chrome_audio, sizeof(chrome_audio));
	buf[0] = 0x50; /* version 1 */
	g_assert_cmpint(rtp_parse(buf, sizeof(chrome_audio), &pkt), ==, -EINVAL);
	buf[0] = 0xd0; /* version 3 */
	g_assert_cmpint(rtp_parse(buf, sizeof(chrome_audio), &pkt), ==, -EINVAL);

	/* Extension length word overflowing the packet. */
	memcpy(buf, chrome_audio, sizeof(chrome_audio));
	buf[14] = 0xff;
	buf[15] = 0xff;
	g_assert_cmpint(rtp_parse(buf, sizeof(chrome_audio), &pkt), ==, -EINVAL);
	buf[14] = 0x00;
	buf[15] = 0x04; /* 16 bytes: one more than there is */
	g_assert_cmpint(parse_copy(buf, 31, &pkt, &copy), ==, -EINVAL);
	g_free(copy);

	/* CSRC count beyond the packet. */
	memcpy(buf, chrome_audio, sizeof(chrome_audio));
	buf[0] = 0x8f;
	g_assert_cmpint(parse_copy(buf, 20, &pkt, &copy), ==, -EINVAL);
	g_free(copy);

	/* Padding: longer than the payload, and zero. */
	memcpy(buf, chrome_audio, sizeof(chrome_audio));
	buf[0] |= 0x20;
	buf[sizeof(chrome_audio) - 1] = 5;
	g_assert_cmpint(rtp_parse(buf, sizeof(chrome_audio), &pkt), ==, -EINVAL);
	buf[sizeof(chrome_audio) - 1] = 0;
	g_assert_cmpint(rtp_parse(buf, sizeof(chrome_audio), &pkt), ==, -EINVAL);
	buf[sizeof(chrome_audio) - 1] = 4; /* exactly the payload: allowed */
	g_assert_cmpint(rtp_parse(buf, sizeof(chrome_audio), &pkt), ==, 0);
	g_assert_cmpuint(pkt.payload_len, ==, 0);
	g_assert_cmpint(pkt.padding_len, ==, 4);
}

/* Builds a packet with the given extension bytes (word aligned) and parses it. */
static int parse_with_ext(uint16_t profile, const uint8_t *ext, size_t ext_len,
                          const struct rtp_ext_map *map, struct rtp_ext_values *v)
{
	uint8_t buf[128] = {0x90, 0x60};
	struct rtp_packet pkt;

	g_assert_cmpuint(ext_len % 4, ==, 0);
	buf[12] = (uint8_t)(profile >> 8);
	buf[13] = (uint8_t)profile;
	buf[15] = (uint8_t)(ext_len / 4);
	memcpy(buf + 16, ext, ext_len);
	g_assert_cmpint(rtp_parse(buf, 16 + ext_len, &pkt), ==, 0);
	return rtp_ext_parse(&pkt, map, v);
}

static void test_malformed_ext(void)
{
	static const uint8_t overrun_one[] = {0x10, 'a', 0x2f, 0x00}; /* id 2 wants 16 */
	static const uint8_t overrun_two[] = {0x01, 0x05, 'a', 'b'};  /* len 5, 2 left */
	static const uint8_t lone_two[] = {0x01, 0x01, 'a', 0x02};    /* id with no len */
	static const uint8_t long_mid[] = {0x01, 17,  'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
	                                   'a',  'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 0x00};
	static const uint8_t nul_mid[] = {0x11, 'a', 0x00, 0x00};    /* "a\0" */
	static const uint8_t empty_mid[] = {0x01, 0x00, 0x00, 0x00}; /* two-byte, "" */
	static const uint8_t bad_level[] = {0x41, 0x80, 0x01, 0x00}; /* 2 bytes */
	static const uint8_t bad_ast[] = {0x21, 0x01, 0x02, 0x00};   /* 2 bytes */
	static const uint8_t bad_twcc[] = {0x30, 0x01, 0x00, 0x00};  /* 1 byte */
	static const uint8_t max_mid[] = {0x1f, '0', '1', '2', '3', '4', '5', '6', '7', '8',
	                                  '9',  'a', 'b', 'c', 'd', 'e', 'f', 0,   0,   0};
	struct rtp_ext_map map;
	struct rtp_ext_values v;

	map_all(&map);
	g_assert_cmpint(parse_with_ext(0xbede, overrun_one, 4, &map, &v), ==, -EINVAL);
	g_assert_cmpint(parse_with_ext(0x1000, overrun_two, 4, &map, &v), ==, -EINVAL);
	g_assert_cmpint(parse_with_ext(0x1000, lone_two, 4, &map, &v), ==, -EINVAL);
	g_assert_cmpint(parse_with_ext(0x1000, long_mid, 20, &map, &v), ==, -EINVAL);
	g_assert_cmpint(parse_with_ext(0xbede, nul_mid, 4, &map, &v), ==, -EINVAL);
	g_assert_cmpint(parse_with_ext(0x1000, empty_mid, 4, &map, &v), ==, -EINVAL);
	g_assert_cmpint(parse_with_ext(0xbede, bad_level, 4, &map, &v), ==, -EINVAL);
	g_assert_cmpint(parse_with_ext(0xbede, bad_ast, 4, &map, &v), ==, -EINVAL);
	g_assert_cmpint(parse_with_ext(0xbede, bad_twcc, 4, &map, &v), ==, -EINVAL);
	g_assert_cmpint(parse_with_ext(0xbede, max_mid, 20, &map, &v), ==, 0);
	g_assert_cmpstr(v.mid, ==, "0123456789abcdef");
	/* Unknown profile: no values, no error. */
	g_assert_cmpint(parse_with_ext(0x1234, bad_twcc, 4, &map, &v), ==, 0);
	g_assert_false(v.has_twcc);
}

static void test_ext_write_forms(void)
{
	static const uint8_t sixteen[16] = {1};
	static const uint8_t seventeen[17] = {1};
	struct rtp_ext_element one[] = {{1, (const uint8_t *)"m", 1}, {14, sixteen, 16}};
	struct rtp_ext_element id15[] = {{15, (const uint8_t *)"m", 1}};
	struct rtp_ext_element long17[] = {{1, seventeen, 17}};
	struct rtp_ext_element empty[] = {{2, NULL, 0}};
	struct rtp_ext_element bad[] = {{0, sixteen, 1}};
	uint8_t buf[64];
	uint16_t profile;
	size_t len;

	g_assert_cmpint(rtp_ext_write(buf, sizeof(buf), one, 2, &profile, &len), ==, 0);
	g_assert_cmphex(profile, ==, 0xbede);
	g_assert_cmpuint(len, ==, 4 + 20); /* 2 + 17 = 19 -> 20 */
	g_assert_cmphex(buf[4], ==, 0x10);
	g_assert_cmphex(buf[6], ==, 0xef);
	g_assert_cmphex(buf[23], ==, 0x00);
	g_assert_cmpint(rtp_ext_write(buf, sizeof(buf), id15, 1, &profile, &len), ==, 0);
	g_assert_cmphex(profile, ==, 0x1000);
	g_assert_cmpuint(len, ==, 8);
	g_assert_cmpint(rtp_ext_write(buf, sizeof(buf), long17, 1, &profile, &len), ==, 0);
	g_assert_cmphex(profile, ==, 0x1000);
	g_assert_cmpuint(len, ==, 4 + 20);
	g_assert_cmpint(rtp_ext_write(buf, sizeof(buf), empty, 1, &profile, &len), ==, 0);
	g_assert_cmphex(profile, ==, 0x1000);
	g_assert_cmpuint(len, ==, 8);
	g_assert_cmpint(rtp_ext_write(buf, sizeof(buf), bad, 1, &profile, &len), ==, -EINVAL);
	g_assert_cmpint(rtp_ext_write(buf, 23, one, 2, &profile, &len), ==, -ENOSPC);
	g_assert_cmpint(rtp_ext_write(buf, 0, one, 0, &profile, &len), ==, 0);
	g_assert_cmpuint(len, ==, 0);
}

static void test_packet_round_trip(void)
{
	uint8_t ast[3], twcc[2], level = rtp_ext_encode_audio_level(false, 127);
	struct rtp_ext_element elems[] = {
	    {1, (const uint8_t *)"video0", 6},
	    {5, (const uint8_t *)"hi", 2},
	    {6, (const uint8_t *)"lo", 2},
	    {2, ast, 3},
	    {3, twcc, 2},
	    {4, &level, 1},
	};
	static const uint8_t payload[] = {0x90, 0x80, 0x12, 0x34, 0x56};
	struct rtp_packet hdr = {0}, pkt;
	struct rtp_ext_map map;
	struct rtp_ext_values v;
	uint8_t buf[128];
	size_t len;

	rtp_ext_encode_abs_send_time(ast, 0xabcdef);
	rtp_ext_encode_twcc(twcc, 65535);
	hdr.marker = true;
	hdr.payload_type = 96;
	hdr.seq = 65535;
	hdr.timestamp = 0xfffffff0;
	hdr.ssrc = 42;
	hdr.csrc_count = 1;
	hdr.csrc[0] = 7;
	hdr.padding_len = 6;

	g_assert_cmpint(rtp_packet_write(buf, sizeof(buf), &hdr, elems, G_N_ELEMENTS(elems),
	                                 payload, sizeof(payload), &len),
	                ==, 0);
	g_assert_cmpint(rtp_parse(buf, len, &pkt), ==, 0);
	g_assert_true(pkt.marker);
	g_assert_true(pkt.extension);
	g_assert_true(pkt.padding);
	g_assert_cmpint(pkt.padding_len, ==, 6);
	g_assert_cmpint(pkt.payload_type, ==, 96);
	g_assert_cmpint(pkt.seq, ==, 65535);
	g_assert_cmpuint(pkt.timestamp, ==, 0xfffffff0);
	g_assert_cmpuint(pkt.ssrc, ==, 42);
	g_assert_cmpuint(pkt.csrc[0], ==, 7);
	g_assert_cmpmem(pkt.payload, pkt.payload_len, payload, sizeof(payload));
	g_assert_cmphex(pkt.ext_profile, ==, 0xbede);

	map_all(&map);
	g_assert_cmpint(rtp_ext_parse(&pkt, &map, &v), ==, 0);
	g_assert_cmpstr(v.mid, ==, "video0");
	g_assert_cmpstr(v.rid, ==, "hi");
	g_assert_cmpstr(v.repaired_rid, ==, "lo");
	g_assert_cmphex(v.abs_send_time, ==, 0xabcdef);
	g_assert_cmpint(v.twcc_seq, ==, 65535);
	g_assert_false(v.vad);
	g_assert_cmpint(v.audio_level, ==, 127);

	/* Too small by one byte at every size. */
	for (size_t cap = 0; cap < len; cap++)
		g_assert_cmpint(rtp_packet_write(buf, cap, &hdr, elems, G_N_ELEMENTS(elems),
		                                 payload, sizeof(payload), &len),
		                ==, -ENOSPC);
}

static void test_packet_write_payload_in_place(void)
{
	uint8_t buf[64];
	struct rtp_ext_element el = {3, (const uint8_t *)"\x00\x07", 2};
	struct rtp_packet hdr = {.payload_type = 100, .seq = 9}, pkt;
	size_t len;

	/* The encoder left the payload at offset 12; the header grows to 20 bytes. */
	memcpy(buf + 12, "PAYLOAD!", 8);
	g_assert_cmpint(rtp_packet_write(buf, sizeof(buf), &hdr, &el, 1, buf + 12, 8, &len), ==, 0);
	g_assert_cmpuint(len, ==, 28);
	g_assert_cmpint(rtp_parse(buf, len, &pkt), ==, 0);
	g_assert_cmpmem(pkt.payload, pkt.payload_len, "PAYLOAD!", 8);
}

static void test_header_write_and_rewrite(void)
{
	struct rtp_packet hdr = {0}, pkt;
	uint8_t buf[80];
	size_t len;

	hdr.csrc_count = 15;
	for (unsigned i = 0; i < 15; i++)
		hdr.csrc[i] = i * 1000;
	hdr.payload_type = 127;
	g_assert_cmpint(rtp_write_header(buf, 71, &hdr, &len), ==, -ENOSPC);
	g_assert_cmpint(rtp_write_header(buf, sizeof(buf), &hdr, &len), ==, 0);
	g_assert_cmpuint(len, ==, 72);
	g_assert_cmpint(rtp_set_seq(buf, len, 0xbeef), ==, 0);
	g_assert_cmpint(rtp_set_timestamp(buf, len, 0x01020304), ==, 0);
	g_assert_cmpint(rtp_set_ssrc(buf, len, 0xcafebabe), ==, 0);
	g_assert_cmpint(rtp_set_ssrc(buf, 11, 1), ==, -EINVAL);
	g_assert_cmpint(rtp_parse(buf, len, &pkt), ==, 0);
	g_assert_cmpint(pkt.seq, ==, 0xbeef);
	g_assert_cmphex(pkt.timestamp, ==, 0x01020304);
	g_assert_cmphex(pkt.ssrc, ==, 0xcafebabe);
	g_assert_cmpint(pkt.payload_type, ==, 127);
	g_assert_cmpuint(pkt.csrc[14], ==, 14000);

	hdr.csrc_count = 16;
	g_assert_cmpint(rtp_write_header(buf, sizeof(buf), &hdr, &len), ==, -EINVAL);
	hdr.csrc_count = 0;
	hdr.payload_type = 128;
	g_assert_cmpint(rtp_write_header(buf, sizeof(buf), &hdr, &len), ==, -EINVAL);
}

static void test_ext_find_rewrite(void)
{
	uint8_t buf[sizeof(chrome_audio)];
	struct rtp_packet pkt;
	struct rtp_ext_element el;
	struct rtp_ext_map map;
	struct rtp_ext_values v;

	memcpy(buf, chrome_audio, sizeof(buf));
	g_assert_cmpint(rtp_parse(buf, sizeof(buf), &pkt), ==, 0);
	g_assert_cmpint(rtp_ext_find(&pkt, 3, &el), ==, 0);
	g_assert_cmpuint(el.len, ==, 2);
	rtp_ext_encode_twcc(buf + (el.data - buf), 0x0a0b);
	g_assert_cmpint(rtp_ext_find(&pkt, 9, &el), ==, -ENOENT);
	map_all(&map);
	g_assert_cmpint(rtp_ext_parse(&pkt, &map, &v), ==, 0);
	g_assert_cmpint(v.twcc_seq, ==, 0x0a0b);
}

static void test_ext_map_and_uris(void)
{
	struct rtp_ext_map map;

	g_assert_cmpint(rtp_ext_kind_from_uri("urn:ietf:params:rtp-hdrext:sdes:mid"), ==,
	                RTP_EXT_MID);
	g_assert_cmpint(rtp_ext_kind_from_uri("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"), ==,
	                RTP_EXT_RID);
	g_assert_cmpint(
	    rtp_ext_kind_from_uri("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"), ==,
	    RTP_EXT_REPAIRED_RID);
	g_assert_cmpint(rtp_ext_kind_from_uri("urn:ietf:params:rtp-hdrext:ssrc-audio-level"), ==,
	                RTP_EXT_AUDIO_LEVEL);
	g_assert_cmpint(
	    rtp_ext_kind_from_uri("http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"), ==,
	    RTP_EXT_ABS_SEND_TIME);
	g_assert_cmpint(rtp_ext_kind_from_uri("http://www.ietf.org/id/"
	                                      "draft-holmer-rmcat-transport-wide-cc-extensions-01"),
	                ==, RTP_EXT_TWCC);
	g_assert_cmpint(rtp_ext_kind_from_uri("urn:ietf:params:rtp-hdrext:toffset"), ==,
	                RTP_EXT_UNKNOWN);
	g_assert_cmpint(rtp_ext_kind_from_uri(NULL), ==, RTP_EXT_UNKNOWN);
	for (int k = RTP_EXT_MID; k <= RTP_EXT_TWCC; k++)
		g_assert_cmpint(rtp_ext_kind_from_uri(rtp_ext_kind_to_uri(k)), ==, k);
	g_assert_null(rtp_ext_kind_to_uri(RTP_EXT_UNKNOWN));

	rtp_ext_map_init(&map);
	g_assert_cmpint(rtp_ext_map_set(&map, 0, RTP_EXT_MID), ==, -EINVAL);
	g_assert_cmpint(rtp_ext_map_set(&map, 256, RTP_EXT_MID), ==, -EINVAL);
	g_assert_cmpint(rtp_ext_map_set(&map, 255, RTP_EXT_TWCC), ==, 0);
	g_assert_cmpint(rtp_ext_map_get(&map, 255), ==, RTP_EXT_TWCC);
	g_assert_cmpint(rtp_ext_map_get(&map, 1), ==, RTP_EXT_UNKNOWN);
	g_assert_cmpint(rtp_ext_map_get(&map, 1000), ==, RTP_EXT_UNKNOWN);
}

static void test_abs_send_time(void)
{
	g_assert_cmphex(rtp_ext_abs_send_time_from_us(0), ==, 0);
	g_assert_cmphex(rtp_ext_abs_send_time_from_us(1000000), ==, 1 << 18);
	g_assert_cmphex(rtp_ext_abs_send_time_from_us(64000000), ==, 0);
	g_assert_cmphex(rtp_ext_abs_send_time_from_us(65500000), ==, 0x60000); /* 1.5 s */
	g_assert_cmphex(rtp_ext_abs_send_time_from_us(UINT64_MAX), <=, 0xffffff);
	g_assert_cmphex(rtp_ext_encode_audio_level(true, 200), ==, 0xff);
}

static void test_classify(void)
{
	uint8_t buf[32] = {0};

	g_assert_cmpint(packet_classify(buf, 0), ==, PACKET_UNKNOWN);
	g_assert_cmpint(packet_classify(buf, 20), ==, PACKET_STUN);
	g_assert_cmpint(packet_classify(buf, 19), ==, PACKET_UNKNOWN);
	buf[0] = 3;
	g_assert_cmpint(packet_classify(buf, 20), ==, PACKET_STUN);
	buf[0] = 4;
	g_assert_cmpint(packet_classify(buf, 20), ==, PACKET_UNKNOWN);
	buf[0] = 19; /* ZRTP */
	g_assert_cmpint(packet_classify(buf, 20), ==, PACKET_UNKNOWN);
	buf[0] = 20;
	g_assert_cmpint(packet_classify(buf, 13), ==, PACKET_DTLS);
	buf[0] = 22; /* handshake */
	g_assert_cmpint(packet_classify(buf, 12), ==, PACKET_UNKNOWN);
	buf[0] = 63;
	g_assert_cmpint(packet_classify(buf, 20), ==, PACKET_DTLS);
	buf[0] = 64; /* TURN channel */
	g_assert_cmpint(packet_classify(buf, 20), ==, PACKET_UNKNOWN);
	buf[0] = 127;
	g_assert_cmpint(packet_classify(buf, 20), ==, PACKET_UNKNOWN);
	g_assert_cmpint(packet_classify(chrome_audio, sizeof(chrome_audio)), ==, PACKET_RTP);
	g_assert_cmpint(packet_classify(chrome_audio, 11), ==, PACKET_UNKNOWN);
	buf[0] = 0x80;
	buf[1] = 200; /* SR */
	g_assert_cmpint(packet_classify(buf, 28), ==, PACKET_RTCP);
	buf[1] = 192;
	g_assert_cmpint(packet_classify(buf, 4), ==, PACKET_RTCP);
	buf[1] = 223;
	g_assert_cmpint(packet_classify(buf, 8), ==, PACKET_RTCP);
	buf[1] = 224; /* marker + PT 96 */
	g_assert_cmpint(packet_classify(buf, 12), ==, PACKET_RTP);
	buf[1] = 191; /* marker + PT 63 */
	g_assert_cmpint(packet_classify(buf, 12), ==, PACKET_RTP);
	buf[0] = 0xbf;
	g_assert_cmpint(packet_classify(buf, 12), ==, PACKET_RTP);
	buf[0] = 0xc0;
	g_assert_cmpint(packet_classify(buf, 12), ==, PACKET_UNKNOWN);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rtp/parse/chrome-audio", test_parse_chrome_audio);
	g_test_add_func("/rtp/parse/unmapped-ids", test_parse_unmapped_ids_ignored);
	g_test_add_func("/rtp/parse/two-byte-csrc-padding", test_parse_two_byte_csrc_padding);
	g_test_add_func("/rtp/parse/one-byte-id15", test_one_byte_id15_stops);
	g_test_add_func("/rtp/parse/malformed", test_malformed_rtp);
	g_test_add_func("/rtp/ext/malformed", test_malformed_ext);
	g_test_add_func("/rtp/ext/write-forms", test_ext_write_forms);
	g_test_add_func("/rtp/ext/find-rewrite", test_ext_find_rewrite);
	g_test_add_func("/rtp/ext/map-uris", test_ext_map_and_uris);
	g_test_add_func("/rtp/ext/abs-send-time", test_abs_send_time);
	g_test_add_func("/rtp/write/round-trip", test_packet_round_trip);
	g_test_add_func("/rtp/write/payload-in-place", test_packet_write_payload_in_place);
	g_test_add_func("/rtp/write/header-rewrite", test_header_write_and_rewrite);
	g_test_add_func("/rtp/classify", test_classify);
	return g_test_run();
}
