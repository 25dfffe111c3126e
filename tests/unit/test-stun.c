/* SPDX-License-Identifier: MIT */
/* Unit tests for the STUN codec: RFC 5769 vectors, round trips and malformed input. */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>

#include "proto/stun.h"

#define PASSWORD "VOkJxbRl1RmTxUk/WvJxBt"

/* RFC 5769 2.1: a Binding request with short-term credentials (username "evtj:h6vY"). */
static const uint8_t rfc_request[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae,
    /* 20: SOFTWARE "STUN test client" */
    0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
    0x69, 0x65, 0x6e, 0x74,
    /* 40: PRIORITY */
    0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    /* 48: ICE-CONTROLLED */
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
    /* 60: USERNAME "evtj:h6vY", padded with spaces */
    0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20,
    /* 76: MESSAGE-INTEGRITY */
    0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5,
    0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2,
    /* 100: FINGERPRINT */
    0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
    /* 108 */
};

/* Offsets where an attribute of rfc_request ends, so a prefix ending there is a message. */
static const size_t rfc_request_boundaries[] = {20, 40, 48, 60, 76, 100, 108};

/* RFC 5769 2.2: a Binding success response, XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
static const uint8_t rfc_response_ipv4[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae,
    /* 20: SOFTWARE "test vector" */
    0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    /* 36: XOR-MAPPED-ADDRESS */
    0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    /* 48: MESSAGE-INTEGRITY */
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
    /* 72: FINGERPRINT */
    0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
    /* 80 */
};

/* RFC 5769 2.3: the same with XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
static const uint8_t rfc_response_ipv6[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae,
    /* 20: SOFTWARE "test vector" */
    0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    /* 36: XOR-MAPPED-ADDRESS */
    0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
    0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
    /* 60: MESSAGE-INTEGRITY */
    0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c,
    0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
    /* 84: FINGERPRINT */
    0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
    /* 92 */
};

static const uint8_t rfc_transaction[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                            0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

/* A message assembled attribute by attribute, its length field kept up to date. */
struct builder {
	uint8_t buf[2048];
	size_t len;
};

static void build_start(struct builder *b, uint16_t type)
{
	static const uint8_t header[] = {0x21, 0x12, 0xa4, 0x42, 1, 2,  3,  4,
	                                 5,    6,    7,    8,    9, 10, 11, 12};

	memset(b, 0, sizeof(*b));
	b->buf[0] = (uint8_t)(type >> 8);
	b->buf[1] = (uint8_t)type;
	memcpy(b->buf + 4, header, sizeof(header));
	b->len = STUN_HEADER_LEN;
}

/* Appends an attribute, zero padded; returns its offset. */
static size_t build_attr(struct builder *b, uint16_t type, const void *value, size_t len)
{
	size_t at = b->len;

	g_assert_cmpuint(at + 4 + len + 3, <=, sizeof(b->buf));
	b->buf[at] = (uint8_t)(type >> 8);
	b->buf[at + 1] = (uint8_t)type;
	b->buf[at + 2] = (uint8_t)(len >> 8);
	b->buf[at + 3] = (uint8_t)len;
	if (len)
		memcpy(b->buf + at + 4, value, len);
	b->len = at + 4 + ((len + 3) & ~(size_t)3);
	b->buf[2] = (uint8_t)((b->len - STUN_HEADER_LEN) >> 8);
	b->buf[3] = (uint8_t)(b->len - STUN_HEADER_LEN);
	return at;
}

/* Parses a private heap copy of exactly len bytes, so that ASan sees any overread. The copy is
 * gone on return: only msg's scalars may be looked at, not msg->username. */
static int parse_copy(const uint8_t *buf, size_t len, struct stun_message *msg)
{
	g_autofree uint8_t *copy = g_memdup2(buf, len);

	return stun_parse(copy, len, msg);
}

static void assert_ipv4(const struct sockaddr_storage *ss, const char *addr, uint16_t port)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	struct in_addr expect;

	g_assert_cmpint(ss->ss_family, ==, AF_INET);
	g_assert_cmpint(inet_pton(AF_INET, addr, &expect), ==, 1);
	g_assert_cmpint(ntohs(sin->sin_port), ==, port);
	g_assert_cmpmem(&sin->sin_addr, 4, &expect, 4);
}

static void assert_ipv6(const struct sockaddr_storage *ss, const char *addr, uint16_t port)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	struct in6_addr expect;

	g_assert_cmpint(ss->ss_family, ==, AF_INET6);
	g_assert_cmpint(inet_pton(AF_INET6, addr, &expect), ==, 1);
	g_assert_cmpint(ntohs(sin6->sin6_port), ==, port);
	g_assert_cmpmem(&sin6->sin6_addr, 16, &expect, 16);
}

static void test_rfc5769_request(void)
{
	struct stun_message msg;

	g_assert_true(stun_is_stun(rfc_request, sizeof(rfc_request)));
	g_assert_cmpint(stun_parse(rfc_request, sizeof(rfc_request), &msg), ==, 0);
	g_assert_cmpint(msg.method, ==, STUN_METHOD_BINDING);
	g_assert_cmpint(msg.cls, ==, STUN_CLASS_REQUEST);
	g_assert_cmpmem(msg.transaction, 12, rfc_transaction, 12);
	g_assert_cmpuint(msg.len, ==, sizeof(rfc_request));
	g_assert_cmpmem(msg.username, msg.username_len, "evtj:h6vY", 9);
	g_assert_true(msg.has_priority);
	g_assert_cmphex(msg.priority, ==, 0x6e0001ff);
	g_assert_true(msg.has_controlled);
	g_assert_false(msg.has_controlling);
	g_assert_cmphex(msg.tie_breaker, ==, 0x932ff9b151263b36);
	g_assert_false(msg.use_candidate);
	g_assert_false(msg.has_mapped);
	g_assert_cmpuint(msg.error_code, ==, 0);
	g_assert_cmpuint(msg.unknown_required, ==, 0);
	g_assert_cmpuint(msg.integrity_at, ==, 76);
	g_assert_cmpuint(msg.fingerprint_at, ==, 100);
	g_assert_true(stun_check_integrity(rfc_request, &msg, PASSWORD, strlen(PASSWORD)));
	g_assert_true(stun_check_fingerprint(rfc_request, &msg));
	g_assert_false(
	    stun_check_integrity(rfc_request, &msg, "VOkJxbRl1RmTxUk/WvJxBu", strlen(PASSWORD)));
	g_assert_false(stun_check_integrity(rfc_request, &msg, PASSWORD, strlen(PASSWORD) - 1));
}

/* Any changed byte before the attributes is caught by both checks. */
static void test_rfc5769_request_tampered(void)
{
	uint8_t copy[sizeof(rfc_request)];
	struct stun_message msg;

	for (size_t i = 0; i < 76; i++) {
		if (i == 2 || i == 3 || (i >= 4 && i < 8))
			continue; /* length and cookie: no longer parses at all */
		memcpy(copy, rfc_request, sizeof(copy));
		copy[i] ^= 0x01;
		if (stun_parse(copy, sizeof(copy), &msg) < 0)
			continue; /* an attribute header became malformed */
		g_assert_false(stun_check_integrity(copy, &msg, PASSWORD, strlen(PASSWORD)));
		g_assert_false(stun_check_fingerprint(copy, &msg));
	}
	/* Every byte of the MAC, and the CRC. */
	for (size_t i = 80; i < 100; i++) {
		memcpy(copy, rfc_request, sizeof(copy));
		copy[i] ^= 0x80;
		g_assert_cmpint(stun_parse(copy, sizeof(copy), &msg), ==, 0);
		g_assert_false(stun_check_integrity(copy, &msg, PASSWORD, strlen(PASSWORD)));
	}
	memcpy(copy, rfc_request, sizeof(copy));
	copy[107] ^= 0x01;
	g_assert_cmpint(stun_parse(copy, sizeof(copy), &msg), ==, 0);
	g_assert_true(stun_check_integrity(copy, &msg, PASSWORD, strlen(PASSWORD)));
	g_assert_false(stun_check_fingerprint(copy, &msg));
}

static void test_rfc5769_response_ipv4(void)
{
	struct stun_message msg;

	g_assert_cmpint(stun_parse(rfc_response_ipv4, sizeof(rfc_response_ipv4), &msg), ==, 0);
	g_assert_cmpint(msg.method, ==, STUN_METHOD_BINDING);
	g_assert_cmpint(msg.cls, ==, STUN_CLASS_SUCCESS);
	g_assert_cmpmem(msg.transaction, 12, rfc_transaction, 12);
	g_assert_null(msg.username);
	g_assert_true(msg.has_mapped);
	assert_ipv4(&msg.mapped, "192.0.2.1", 32853);
	g_assert_true(stun_check_integrity(rfc_response_ipv4, &msg, PASSWORD, strlen(PASSWORD)));
	g_assert_true(stun_check_fingerprint(rfc_response_ipv4, &msg));
	g_assert_false(stun_check_integrity(rfc_response_ipv4, &msg, "x", 1));
}

static void test_rfc5769_response_ipv6(void)
{
	struct stun_message msg;

	g_assert_cmpint(stun_parse(rfc_response_ipv6, sizeof(rfc_response_ipv6), &msg), ==, 0);
	g_assert_cmpint(msg.cls, ==, STUN_CLASS_SUCCESS);
	g_assert_true(msg.has_mapped);
	assert_ipv6(&msg.mapped, "2001:db8:1234:5678:11:2233:4455:6677", 32853);
	g_assert_true(stun_check_integrity(rfc_response_ipv6, &msg, PASSWORD, strlen(PASSWORD)));
	g_assert_true(stun_check_fingerprint(rfc_response_ipv6, &msg));
}

static void check_request_round_trip(const char *username, bool controlling)
{
	static const uint8_t transaction[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	uint8_t out[1024];
	struct stun_message msg;
	size_t len;

	len = stun_write_binding_request(out, sizeof(out), transaction, username, 0x7e7f00ff,
	                                 controlling, 0x0123456789abcdefu, "secret", 6);
	g_assert_cmpuint(len, >, 0);
	g_assert_cmpuint(len % 4, ==, 0);
	g_assert_true(stun_is_stun(out, len));
	g_assert_cmpint(stun_parse(out, len, &msg), ==, 0);
	g_assert_cmpint(msg.method, ==, STUN_METHOD_BINDING);
	g_assert_cmpint(msg.cls, ==, STUN_CLASS_REQUEST);
	g_assert_cmpmem(msg.transaction, 12, transaction, 12);
	g_assert_cmpuint(msg.len, ==, len);
	g_assert_nonnull(msg.username);
	g_assert_cmpmem(msg.username, msg.username_len, username, strlen(username));
	g_assert_true(msg.has_priority);
	g_assert_cmphex(msg.priority, ==, 0x7e7f00ff);
	g_assert_cmpint(msg.has_controlling, ==, controlling);
	g_assert_cmpint(msg.has_controlled, ==, !controlling);
	g_assert_cmphex(msg.tie_breaker, ==, 0x0123456789abcdefu);
	g_assert_cmpuint(msg.unknown_required, ==, 0);
	g_assert_cmpuint(msg.integrity_at, ==, len - 32);
	g_assert_cmpuint(msg.fingerprint_at, ==, len - 8);
	g_assert_true(stun_check_integrity(out, &msg, "secret", 6));
	g_assert_false(stun_check_integrity(out, &msg, "secreT", 6));
	g_assert_true(stun_check_fingerprint(out, &msg));
	/* Padding is zeros. */
	for (size_t i = 24 + strlen(username); i % 4; i++)
		g_assert_cmpint(out[i], ==, 0);
}

static void test_request_round_trip(void)
{
	char longest[STUN_MAX_USERNAME + 2];
	uint8_t out[1024];

	check_request_round_trip("abcd:efgh", true);
	check_request_round_trip("abcd:efgh", false);
	check_request_round_trip("0123:4567", true);
	check_request_round_trip("", false);
	memset(longest, 'u', STUN_MAX_USERNAME);
	longest[STUN_MAX_USERNAME] = '\0';
	check_request_round_trip(longest, true);
	longest[STUN_MAX_USERNAME] = 'u';
	longest[STUN_MAX_USERNAME + 1] = '\0';
	g_assert_cmpuint(stun_write_binding_request(out, sizeof(out), rfc_transaction, longest, 1,
	                                            true, 2, "k", 1),
	                 ==, 0);
}

static void check_success_round_trip(const struct sockaddr *from, socklen_t from_len)
{
	static const uint8_t transaction[12] = {0xff, 0, 0x21, 0x12, 0xa4, 0x42,
	                                        7,    8, 9,    10,   11,   12};
	uint8_t out[256];
	struct stun_message msg;
	size_t len;

	len = stun_write_binding_success(out, sizeof(out), transaction, from, "pw", 2);
	g_assert_cmpuint(len, >, 0);
	g_assert_true(stun_is_stun(out, len));
	g_assert_cmpint(stun_parse(out, len, &msg), ==, 0);
	g_assert_cmpint(msg.method, ==, STUN_METHOD_BINDING);
	g_assert_cmpint(msg.cls, ==, STUN_CLASS_SUCCESS);
	g_assert_cmpmem(msg.transaction, 12, transaction, 12);
	g_assert_true(msg.has_mapped);
	g_assert_cmpmem(&msg.mapped, from_len, from, from_len);
	g_assert_true(stun_check_integrity(out, &msg, "pw", 2));
	g_assert_false(stun_check_integrity(out, &msg, "pW", 2));
	g_assert_true(stun_check_fingerprint(out, &msg));

	/* A changed address byte is caught by both. */
	out[STUN_HEADER_LEN + 8] ^= 0x10;
	g_assert_cmpint(stun_parse(out, len, &msg), ==, 0);
	g_assert_false(stun_check_integrity(out, &msg, "pw", 2));
	g_assert_false(stun_check_fingerprint(out, &msg));
}

static void test_success_round_trip(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(50000)};
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(3478)};
	struct other_family {
		sa_family_t family;
		char path[14];
	} other = {AF_UNIX, "x"};
	uint8_t out[256];

	g_assert_cmpint(inet_pton(AF_INET, "203.0.113.7", &sin.sin_addr), ==, 1);
	check_success_round_trip((struct sockaddr *)&sin, sizeof(sin));
	g_assert_cmpint(inet_pton(AF_INET6, "2001:db8::8a2e:370:7334", &sin6.sin6_addr), ==, 1);
	check_success_round_trip((struct sockaddr *)&sin6, sizeof(sin6));
	g_assert_cmpuint(stun_write_binding_success(out, sizeof(out), rfc_transaction,
	                                            (struct sockaddr *)&other, "pw", 2),
	                 ==, 0);
}

/* Cut short, a message no longer matches its length field. */
static void test_truncated(void)
{
	struct stun_message msg;

	for (size_t len = 0; len < sizeof(rfc_request); len++) {
		g_autofree uint8_t *copy = g_memdup2(rfc_request, len);

		g_assert_false(stun_is_stun(copy, len));
		g_assert_cmpint(parse_copy(rfc_request, len, &msg), ==, -EINVAL);
		g_assert_cmpuint(msg.len, ==, 0); /* all zero on error */
		g_assert_cmpuint(msg.integrity_at, ==, 0);
	}
}

/* Cut short with the length field patched to match, a message parses exactly when the cut
 * falls between two attributes; MESSAGE-INTEGRITY still verifies without FINGERPRINT. */
static void test_truncated_patched(void)
{
	struct stun_message msg;

	for (size_t len = STUN_HEADER_LEN; len <= sizeof(rfc_request); len++) {
		uint8_t copy[sizeof(rfc_request)];
		bool boundary = false;

		memcpy(copy, rfc_request, len);
		copy[2] = (uint8_t)((len - STUN_HEADER_LEN) >> 8);
		copy[3] = (uint8_t)(len - STUN_HEADER_LEN);
		for (size_t i = 0; i < G_N_ELEMENTS(rfc_request_boundaries); i++)
			boundary |= rfc_request_boundaries[i] == len;
		g_assert_cmpint(stun_is_stun(copy, len), ==, len % 4 == 0);
		g_assert_cmpint(parse_copy(copy, len, &msg), ==, boundary ? 0 : -EINVAL);
		if (len == 100) {
			g_assert_cmpint(stun_parse(copy, len, &msg), ==, 0);
			g_assert_cmpuint(msg.integrity_at, ==, 76);
			g_assert_cmpuint(msg.fingerprint_at, ==, 0);
			g_assert_true(stun_check_integrity(copy, &msg, PASSWORD, strlen(PASSWORD)));
			g_assert_false(stun_check_fingerprint(copy, &msg));
		}
	}
}

static void test_not_stun(void)
{
	uint8_t copy[sizeof(rfc_request) + 4];
	struct stun_message msg;

	/* Wrong cookie. */
	memcpy(copy, rfc_request, sizeof(rfc_request));
	copy[7] = 0x43;
	g_assert_false(stun_is_stun(copy, sizeof(rfc_request)));
	g_assert_cmpint(stun_parse(copy, sizeof(rfc_request), &msg), ==, -EINVAL);
	/* RTP/RTCP (first byte 128..191) and DTLS (20..63). */
	memcpy(copy, rfc_request, sizeof(rfc_request));
	copy[0] = 0x80;
	g_assert_false(stun_is_stun(copy, sizeof(rfc_request)));
	g_assert_cmpint(stun_parse(copy, sizeof(rfc_request), &msg), ==, -EINVAL);
	copy[0] = 0x16;
	g_assert_false(stun_is_stun(copy, sizeof(rfc_request)));
	copy[0] = 0x04;
	g_assert_false(stun_is_stun(copy, sizeof(rfc_request)));
	copy[0] = 0x03;
	g_assert_true(stun_is_stun(copy, sizeof(rfc_request)));
	/* A length field that is not a multiple of 4, matching the buffer or not. */
	memcpy(copy, rfc_request, sizeof(rfc_request));
	copy[sizeof(rfc_request)] = 0;
	copy[3] = 0x59;
	g_assert_false(stun_is_stun(copy, sizeof(rfc_request) + 1));
	g_assert_cmpint(stun_parse(copy, sizeof(rfc_request) + 1, &msg), ==, -EINVAL);
	/* A length field that is right but for the buffer being longer. */
	memcpy(copy, rfc_request, sizeof(rfc_request));
	memset(copy + sizeof(rfc_request), 0, 4);
	g_assert_false(stun_is_stun(copy, sizeof(copy)));
}

static void test_attribute_past_end(void)
{
	struct builder b;
	struct stun_message msg;
	uint8_t value[4] = {0};
	size_t at;

	build_start(&b, 0x0001);
	build_attr(&b, 0x0024, value, 4);
	at = build_attr(&b, 0x8022, "abcdefgh", 8);
	g_assert_cmpint(parse_copy(b.buf, b.len, &msg), ==, 0);
	b.buf[at + 3] = 9; /* its padding would run past the end */
	g_assert_cmpint(parse_copy(b.buf, b.len, &msg), ==, -EINVAL);
	b.buf[at + 3] = 12;
	g_assert_cmpint(parse_copy(b.buf, b.len, &msg), ==, -EINVAL);
	b.buf[at + 2] = 0xff;
	g_assert_cmpint(parse_copy(b.buf, b.len, &msg), ==, -EINVAL);
}

/* Parses a message holding one attribute of the given type and value. */
static int parse_one(uint16_t type, const void *value, size_t len, struct stun_message *msg)
{
	struct builder b;

	build_start(&b, 0x0001);
	build_attr(&b, type, value, len);
	return parse_copy(b.buf, b.len, msg);
}

static void test_attribute_sizes(void)
{
	static const struct {
		uint16_t type;
		size_t len;
		uint8_t family; /* first 2 bytes of the value */
		int ret;
	} cases[] = {
	    {0x0024, 4, 0, 0},        {0x0024, 3, 0, -EINVAL},  {0x0024, 8, 0, -EINVAL},
	    {0x0025, 0, 0, 0},        {0x0025, 4, 0, -EINVAL},  {0x8029, 8, 0, 0},
	    {0x8029, 4, 0, -EINVAL},  {0x802a, 12, 0, -EINVAL}, {0x0008, 20, 0, 0},
	    {0x0008, 16, 0, -EINVAL}, {0x8028, 4, 0, 0},        {0x8028, 8, 0, -EINVAL},
	    {0x0020, 8, 1, 0},        {0x0020, 20, 2, 0},       {0x0020, 8, 3, -EINVAL},
	    {0x0020, 8, 0, -EINVAL},  {0x0020, 20, 1, -EINVAL}, {0x0020, 8, 2, -EINVAL},
	    {0x0020, 2, 1, -EINVAL},  {0x0001, 8, 1, 0},        {0x0001, 20, 2, 0},
	    {0x0001, 12, 1, -EINVAL}, {0x000a, 2, 0, 0},        {0x000a, 3, 0, -EINVAL},
	    {0x0006, 0, 0, 0},        {0x0006, 513, 0, 0},      {0x0006, 514, 0, -EINVAL},
	    {0x001c, 32, 0, 0},       {0x8022, 7, 0, 0},
	};
	struct stun_message msg;
	uint8_t value[600] = {0};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		value[1] = cases[i].family;
		g_test_message("case %zu: type 0x%04x length %zu", i, cases[i].type, cases[i].len);
		g_assert_cmpint(parse_one(cases[i].type, value, cases[i].len, &msg), ==,
		                cases[i].ret);
		g_assert_cmpuint(msg.unknown_required, ==, 0);
	}
}

static void test_unknown_and_error_code(void)
{
	/* 21 reserved bits, class 4, number 87, the reason phrase. */
	static const char error_487[] = "\x00\x00\x04\x57Role Conflict";
	uint8_t bad_error[4] = {0, 0, 4, 100};
	struct builder b;
	struct stun_message msg;

	/* Comprehension-required ones are counted, optional ones skipped. */
	build_start(&b, 0x0001);
	build_attr(&b, 0x0030, "ab", 2);
	build_attr(&b, 0x7fff, NULL, 0);
	build_attr(&b, 0xc001, "abc", 3);
	build_attr(&b, 0x8000, NULL, 0);
	build_attr(&b, 0x0025, NULL, 0);
	g_assert_cmpint(parse_copy(b.buf, b.len, &msg), ==, 0);
	g_assert_cmpuint(msg.unknown_required, ==, 2);
	g_assert_true(msg.use_candidate);

	/* An error response: 487 Role Conflict. */
	build_start(&b, 0x0111);
	build_attr(&b, 0x0009, error_487, sizeof(error_487) - 1);
	g_assert_cmpint(parse_copy(b.buf, b.len, &msg), ==, 0);
	g_assert_cmpint(msg.cls, ==, STUN_CLASS_ERROR);
	g_assert_cmpint(msg.method, ==, STUN_METHOD_BINDING);
	g_assert_cmpuint(msg.error_code, ==, 487);
	g_assert_cmpint(parse_one(0x0009, bad_error, 4, &msg), ==, -EINVAL);
	bad_error[2] = 7;
	bad_error[3] = 0;
	g_assert_cmpint(parse_one(0x0009, bad_error, 4, &msg), ==, -EINVAL);
	g_assert_cmpint(parse_one(0x0009, bad_error, 3, &msg), ==, -EINVAL);

	/* Class bits: an indication, and a method with bits on both sides of C0 and C1. */
	build_start(&b, 0x0011);
	g_assert_cmpint(parse_copy(b.buf, b.len, &msg), ==, 0);
	g_assert_cmpint(msg.cls, ==, STUN_CLASS_INDICATION);
	g_assert_cmpint(msg.method, ==, STUN_METHOD_BINDING);
	build_start(&b, 0x03ff);
	g_assert_cmpint(parse_copy(b.buf, b.len, &msg), ==, 0);
	g_assert_cmpint(msg.cls, ==, STUN_CLASS_ERROR);
	g_assert_cmphex(msg.method, ==, 0x00ff);
}

/* The first of a repeated attribute counts. */
static void test_repeated(void)
{
	static const uint8_t first[8] = {0, 0, 0, 1, 0, 0, 0, 2};
	static const uint8_t second[8] = {0, 0, 0, 3, 0, 0, 0, 4};
	struct builder b;
	struct stun_message msg;

	build_start(&b, 0x0001);
	build_attr(&b, 0x0024, first, 4);
	build_attr(&b, 0x0006, "one", 3);
	build_attr(&b, 0x802a, first, 8);
	build_attr(&b, 0x0024, second, 4);
	build_attr(&b, 0x0006, "two!", 4);
	build_attr(&b, 0x8029, second, 8);
	g_assert_cmpint(stun_parse(b.buf, b.len, &msg), ==, 0);
	g_assert_cmpuint(msg.priority, ==, 1);
	g_assert_cmpmem(msg.username, msg.username_len, "one", 3);
	g_assert_cmphex(msg.tie_breaker, ==, 0x0000000100000002u);
	g_assert_true(msg.has_controlling && msg.has_controlled);
}

/* After MESSAGE-INTEGRITY only FINGERPRINT counts; after FINGERPRINT nothing may follow. */
static void test_after_integrity(void)
{
	static const uint8_t priority[4] = {0, 0, 0, 9};
	struct builder b;
	struct stun_message msg;

	build_start(&b, 0x0001);
	memcpy(b.buf, rfc_request, 100);
	b.len = 100;
	build_attr(&b, 0x0025, NULL, 0);
	build_attr(&b, 0x0024, priority, 4);
	build_attr(&b, 0x0030, "x", 1);
	build_attr(&b, 0x0024, priority, 3); /* malformed, but ignored */
	g_assert_cmpint(parse_copy(b.buf, b.len, &msg), ==, 0);
	g_assert_false(msg.use_candidate);
	g_assert_cmphex(msg.priority, ==, 0x6e0001ff);
	g_assert_cmpuint(msg.unknown_required, ==, 0);
	g_assert_cmpuint(msg.integrity_at, ==, 76);
	g_assert_cmpuint(msg.fingerprint_at, ==, 0);
	g_assert_cmpint(stun_parse(b.buf, b.len, &msg), ==, 0);
	/* The HMAC covers the length as if MESSAGE-INTEGRITY were last, so it still holds. */
	g_assert_true(stun_check_integrity(b.buf, &msg, PASSWORD, strlen(PASSWORD)));

	build_attr(&b, 0x8028, "\x01\x02\x03\x04", 4);
	g_assert_cmpint(stun_parse(b.buf, b.len, &msg), ==, 0);
	g_assert_cmpuint(msg.fingerprint_at, ==, b.len - 8);
	g_assert_false(stun_check_fingerprint(b.buf, &msg));
	g_assert_true(stun_check_integrity(b.buf, &msg, PASSWORD, strlen(PASSWORD)));

	build_attr(&b, 0x8022, "late", 4);
	g_assert_cmpint(parse_copy(b.buf, b.len, &msg), ==, -EINVAL);
	/* Also right after the RFC's own FINGERPRINT. */
	memcpy(b.buf, rfc_request, sizeof(rfc_request));
	b.len = sizeof(rfc_request);
	build_attr(&b, 0x8028, "\x01\x02\x03\x04", 4);
	g_assert_cmpint(parse_copy(b.buf, b.len, &msg), ==, -EINVAL);
	g_assert_cmpuint(msg.fingerprint_at, ==, 0);
}

/* A message longer than the 1024-byte stack copy in stun_check_integrity still verifies:
 * its MESSAGE-INTEGRITY is computed here with GLib's HMAC, independently of the writers. */
static void test_long_message(void)
{
	static const uint8_t transaction[12] = {9};
	uint8_t value[1000];
	struct builder b;
	struct stun_message msg;
	uint8_t out[256];
	size_t len, mac_len = 20;
	uint8_t mac[20];
	g_autoptr(GHmac) hmac = g_hmac_new(G_CHECKSUM_SHA1, (const guchar *)"k", 1);

	len = stun_write_binding_request(out, sizeof(out), transaction, "a:b", 5, false, 6, "k", 1);
	g_assert_cmpuint(len, >, 0);
	memset(value, 'v', sizeof(value));
	build_start(&b, 0x0001);
	memcpy(b.buf, out, len - 32); /* up to MESSAGE-INTEGRITY */
	b.len = len - 32;
	build_attr(&b, 0x8022, value, sizeof(value));
	b.buf[2] = (uint8_t)((b.len + 24 - STUN_HEADER_LEN) >> 8);
	b.buf[3] = (uint8_t)(b.len + 24 - STUN_HEADER_LEN);
	g_hmac_update(hmac, b.buf, (gssize)b.len);
	g_hmac_get_digest(hmac, mac, &mac_len);
	g_assert_cmpuint(mac_len, ==, 20);
	build_attr(&b, 0x0008, mac, 20);
	g_assert_cmpint(stun_parse(b.buf, b.len, &msg), ==, 0);
	g_assert_cmpuint(msg.integrity_at, >, 1024);
	g_assert_true(stun_check_integrity(b.buf, &msg, "k", 1));
	g_assert_false(stun_check_integrity(b.buf, &msg, "K", 1));
	g_assert_false(stun_check_integrity(b.buf, &msg, NULL, 0));
}

/* Every writer refuses a buffer one byte short, and writes nothing into it. */
static void test_writers_no_space(void)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(9)};
	uint8_t full[256];
	size_t request_len, success_len;

	request_len = stun_write_binding_request(full, sizeof(full), rfc_transaction, "evtj:h6vY",
	                                         1, true, 2, "k", 1);
	success_len = stun_write_binding_success(full, sizeof(full), rfc_transaction,
	                                         (struct sockaddr *)&sin6, "k", 1);
	g_assert_cmpuint(request_len, ==, 20 + 16 + 8 + 12 + 24 + 8);
	g_assert_cmpuint(success_len, ==, 20 + 24 + 24 + 8);
	for (size_t cap = 0; cap < request_len; cap++) {
		g_autofree uint8_t *out = g_malloc0(cap + 1);

		g_assert_cmpuint(stun_write_binding_request(out, cap, rfc_transaction, "evtj:h6vY",
		                                            1, true, 2, "k", 1),
		                 ==, 0);
		for (size_t i = 0; i <= cap; i++)
			g_assert_cmpint(out[i], ==, 0);
	}
	for (size_t cap = 0; cap < success_len; cap++) {
		g_autofree uint8_t *out = g_malloc0(cap + 1);

		g_assert_cmpuint(stun_write_binding_success(out, cap, rfc_transaction,
		                                            (struct sockaddr *)&sin6, "k", 1),
		                 ==, 0);
		for (size_t i = 0; i <= cap; i++)
			g_assert_cmpint(out[i], ==, 0);
	}
	/* Exactly enough, in a buffer of exactly that size: the same bytes. */
	{
		g_autofree uint8_t *out = g_malloc(success_len);

		g_assert_cmpuint(stun_write_binding_success(out, success_len, rfc_transaction,
		                                            (struct sockaddr *)&sin6, "k", 1),
		                 ==, success_len);
		g_assert_cmpmem(out, success_len, full, success_len);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/stun/rfc5769/request", test_rfc5769_request);
	g_test_add_func("/stun/rfc5769/request-tampered", test_rfc5769_request_tampered);
	g_test_add_func("/stun/rfc5769/response-ipv4", test_rfc5769_response_ipv4);
	g_test_add_func("/stun/rfc5769/response-ipv6", test_rfc5769_response_ipv6);
	g_test_add_func("/stun/round-trip/request", test_request_round_trip);
	g_test_add_func("/stun/round-trip/success", test_success_round_trip);
	g_test_add_func("/stun/reject/truncated", test_truncated);
	g_test_add_func("/stun/reject/truncated-patched", test_truncated_patched);
	g_test_add_func("/stun/reject/not-stun", test_not_stun);
	g_test_add_func("/stun/reject/attribute-past-end", test_attribute_past_end);
	g_test_add_func("/stun/parse/attribute-sizes", test_attribute_sizes);
	g_test_add_func("/stun/parse/unknown-and-error-code", test_unknown_and_error_code);
	g_test_add_func("/stun/parse/repeated", test_repeated);
	g_test_add_func("/stun/parse/after-integrity", test_after_integrity);
	g_test_add_func("/stun/integrity/long-message", test_long_message);
	g_test_add_func("/stun/writers/no-space", test_writers_no_space);
	return g_test_run();
}
