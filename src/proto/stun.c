/* SPDX-License-Identifier: MIT */
/* STUN messages (RFC 5389/8489) for ICE checks and consent freshness: parsing and writing. */
#include "proto/stun.h"

#include "proto/bytes.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

enum stun_attr {
	ATTR_MAPPED_ADDRESS = 0x0001,
	ATTR_USERNAME = 0x0006,
	ATTR_MESSAGE_INTEGRITY = 0x0008,
	ATTR_ERROR_CODE = 0x0009,
	ATTR_UNKNOWN_ATTRIBUTES = 0x000A,
	ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C,
	ATTR_XOR_MAPPED_ADDRESS = 0x0020,
	ATTR_PRIORITY = 0x0024,
	ATTR_USE_CANDIDATE = 0x0025,
	ATTR_FINGERPRINT = 0x8028,
	ATTR_ICE_CONTROLLED = 0x8029,
	ATTR_ICE_CONTROLLING = 0x802A,
};

#define ATTR_HEADER_LEN      4
#define INTEGRITY_LEN        20 /* HMAC-SHA1 */
#define FINGERPRINT_LEN      4
#define FINGERPRINT_XOR      0x5354554eu
#define TRAILER_LEN          (ATTR_HEADER_LEN + INTEGRITY_LEN + ATTR_HEADER_LEN + FINGERPRINT_LEN)
#define ADDRESS_IPV4_LEN     8
#define ADDRESS_IPV6_LEN     20
/* ICE checks are ~100 bytes: larger messages are copied to the heap to be authenticated. */
#define INTEGRITY_STACK_COPY 1024

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* CRC-32 (IEEE 802.3, reflected, zlib's), four bits at a time: a 16-entry constant table
 * needs no set-up and is plenty fast for messages of a few hundred bytes. */
static uint32_t crc32_ieee(const uint8_t *p, size_t len)
{
	static const uint32_t table[16] = {
	    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	    0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	    0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ table[crc & 0xf];
		crc = (crc >> 4) ^ table[crc & 0xf];
	}
	return ~crc;
}

/* HMAC-SHA1 of the len bytes at data; false if OpenSSL fails. */
static bool hmac_sha1(const void *key, size_t key_len, const uint8_t *data, size_t len,
                      uint8_t mac[INTEGRITY_LEN])
{
	/* OpenSSL 3.0's HMAC() fails on a NULL key even when its length is 0. */
	static const uint8_t empty_key[1];
	unsigned mac_len = 0;

	if (key_len > INT_MAX)
		return false;
	if (!key || key_len == 0)
		key = empty_key;
	return HMAC(EVP_sha1(), key, (int)key_len, data, len, mac, &mac_len) &&
	       mac_len == INTEGRITY_LEN;
}

bool stun_is_stun(const uint8_t *buf, size_t len)
{
	return len >= STUN_HEADER_LEN && buf[0] <= 3 && get16(buf + 2) % 4 == 0 &&
	       get16(buf + 2) == len - STUN_HEADER_LEN && get32(buf + 4) == STUN_MAGIC_COOKIE;
}

/*
 * Decodes a MAPPED-ADDRESS or XOR-MAPPED-ADDRESS value. mask is the 16 bytes XORed into the
 * port and address: cookie || transaction for XOR-MAPPED-ADDRESS, zeros for MAPPED-ADDRESS.
 */
static int decode_address(const uint8_t *v, size_t len, const uint8_t mask[16],
                          struct sockaddr_storage *out)
{
	uint8_t addr[16];
	uint16_t port;

	if (len < 4)
		return -EINVAL;
	port = get16(v + 2) ^ get16(mask);
	memset(out, 0, sizeof(*out));
	if (v[1] == 1 && len == ADDRESS_IPV4_LEN) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};

		for (int i = 0; i < 4; i++)
			addr[i] = v[4 + i] ^ mask[i];
		memcpy(&sin.sin_addr, addr, 4);
		memcpy(out, &sin, sizeof(sin));
	} else if (v[1] == 2 && len == ADDRESS_IPV6_LEN) {
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};

		for (int i = 0; i < 16; i++)
			addr[i] = v[4 + i] ^ mask[i];
		memcpy(&sin6.sin6_addr, addr, 16);
		memcpy(out, &sin6, sizeof(sin6));
	} else {
		return -EINVAL;
	}
	return 0;
}

/* Encodes from as an XOR-MAPPED-ADDRESS value into v; returns its length, 0 for a family
 * that STUN cannot carry. */
static size_t encode_address(uint8_t *v, const struct sockaddr *from, const uint8_t mask[16])
{
	const uint8_t *addr;
	size_t addr_len;
	uint16_t port;

	if (from->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)from;

		addr = (const uint8_t *)&sin->sin_addr;
		addr_len = 4;
		port = ntohs(sin->sin_port);
	} else if (from->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)from;

		addr = (const uint8_t *)&sin6->sin6_addr;
		addr_len = 16;
		port = ntohs(sin6->sin6_port);
	} else {
		return 0;
	}
	v[0] = 0;
	v[1] = addr_len == 4 ? 1 : 2;
	put16(v + 2, port ^ get16(mask));
	for (size_t i = 0; i < addr_len; i++)
		v[4 + i] = addr[i] ^ mask[i];
	return 4 + addr_len;
}

/* Records one attribute met before MESSAGE-INTEGRITY; at is its offset in buf. */
static int parse_attribute(const uint8_t *buf, size_t at, struct stun_message *msg)
{
	static const uint8_t no_mask[16];
	uint16_t type = get16(buf + at);
	size_t len = get16(buf + at + 2);
	const uint8_t *v = buf + at + ATTR_HEADER_LEN;
	struct sockaddr_storage ignored;

	switch (type) {
	case ATTR_MAPPED_ADDRESS:
		return decode_address(v, len, no_mask, &ignored);
	case ATTR_XOR_MAPPED_ADDRESS:
		if (decode_address(v, len, buf + 4, msg->has_mapped ? &ignored : &msg->mapped) < 0)
			return -EINVAL;
		msg->has_mapped = true;
		return 0;
	case ATTR_USERNAME:
		if (len > STUN_MAX_USERNAME)
			return -EINVAL;
		if (!msg->username) {
			msg->username = v;
			msg->username_len = len;
		}
		return 0;
	case ATTR_MESSAGE_INTEGRITY:
		if (len != INTEGRITY_LEN)
			return -EINVAL;
		msg->integrity_at = at;
		return 0;
	case ATTR_ERROR_CODE:
		/* 21 reserved bits, the class (3..6) in 3 bits, the number (0..99), a reason. */
		if (len < 4 || (v[2] & 7) < 3 || (v[2] & 7) > 6 || v[3] > 99)
			return -EINVAL;
		if (!msg->error_code)
			msg->error_code = (uint16_t)((v[2] & 7) * 100 + v[3]);
		return 0;
	case ATTR_UNKNOWN_ATTRIBUTES:
		return len % 2 == 0 ? 0 : -EINVAL;
	case ATTR_PRIORITY:
		if (len != 4)
			return -EINVAL;
		if (!msg->has_priority)
			msg->priority = get32(v);
		msg->has_priority = true;
		return 0;
	case ATTR_USE_CANDIDATE:
		if (len != 0)
			return -EINVAL;
		msg->use_candidate = true;
		return 0;
	case ATTR_ICE_CONTROLLED:
	case ATTR_ICE_CONTROLLING:
		if (len != 8)
			return -EINVAL;
		if (!msg->has_controlled && !msg->has_controlling)
			msg->tie_breaker = (uint64_t)get32(v) << 32 | get32(v + 4);
		if (type == ATTR_ICE_CONTROLLING)
			msg->has_controlling = true;
		else
			msg->has_controlled = true;
		return 0;
	case ATTR_MESSAGE_INTEGRITY_SHA256:
		return 0;
	default:
		if (type < 0x8000)
			msg->unknown_required++;
		return 0;
	}
}

int stun_parse(const uint8_t *buf, size_t len, struct stun_message *msg)
{
	size_t pos = STUN_HEADER_LEN;
	uint16_t type;

	memset(msg, 0, sizeof(*msg));
	if (!stun_is_stun(buf, len))
		return -EINVAL;
	/* The type field interleaves the method M11..M0 with the class bits C1 C0 (RFC 5389 6). */
	type = get16(buf);
	msg->method = (uint16_t)((type & 0x000f) | (type & 0x00e0) >> 1 | (type & 0x3e00) >> 2);
	msg->cls = (enum stun_class)((type >> 4 & 1) | (type >> 7 & 2));
	memcpy(msg->transaction, buf + 8, sizeof(msg->transaction));
	msg->len = len;

	while (pos < len) {
		uint16_t attr;
		size_t value_len;

		if (len - pos < ATTR_HEADER_LEN)
			goto out_invalid;
		attr = get16(buf + pos);
		value_len = get16(buf + pos + 2);
		if (pad4(value_len) > len - pos - ATTR_HEADER_LEN || msg->fingerprint_at)
			goto out_invalid;
		if (attr == ATTR_FINGERPRINT) {
			if (value_len != FINGERPRINT_LEN)
				goto out_invalid;
			msg->fingerprint_at = pos;
		} else if (!msg->integrity_at && parse_attribute(buf, pos, msg) < 0) {
			goto out_invalid;
		}
		pos += ATTR_HEADER_LEN + pad4(value_len);
	}
	return 0;

out_invalid:
	memset(msg, 0, sizeof(*msg));
	return -EINVAL;
}

bool stun_check_fingerprint(const uint8_t *buf, const struct stun_message *msg)
{
	size_t at = msg->fingerprint_at;

	if (!at || at + ATTR_HEADER_LEN + FINGERPRINT_LEN > msg->len)
		return false;
	return (crc32_ieee(buf, at) ^ FINGERPRINT_XOR) == get32(buf + at + ATTR_HEADER_LEN);
}

bool stun_check_integrity(const uint8_t *buf, const struct stun_message *msg, const void *key,
                          size_t key_len)
{
	uint8_t stack_copy[INTEGRITY_STACK_COPY];
	uint8_t mac[INTEGRITY_LEN];
	size_t at = msg->integrity_at;
	uint8_t *copy = stack_copy;
	bool ok;

	if (!at || at + ATTR_HEADER_LEN + INTEGRITY_LEN > msg->len)
		return false;
	/* buf is read-only, so the length field is patched in a copy of what the HMAC covers. */
	if (at > sizeof(stack_copy) && !(copy = malloc(at)))
		return false;
	memcpy(copy, buf, at);
	put16(copy + 2, at + ATTR_HEADER_LEN + INTEGRITY_LEN - STUN_HEADER_LEN);
	ok = hmac_sha1(key, key_len, copy, at, mac) &&
	     CRYPTO_memcmp(mac, buf + at + ATTR_HEADER_LEN, INTEGRITY_LEN) == 0;
	if (copy != stack_copy)
		free(copy);
	return ok;
}

/* Writes a Binding header of class cls; the length field is left for finish(). */
static size_t put_header(uint8_t *out, enum stun_class cls, const uint8_t transaction[12])
{
	uint16_t method = STUN_METHOD_BINDING;

	put16(out, (method & 0x000f) | (method & 0x0070) << 1 | (method & 0x0f80) << 2 |
	               (cls & 1) << 4 | (cls & 2) << 7);
	put16(out + 2, 0);
	put32(out + 4, STUN_MAGIC_COOKIE);
	memcpy(out + 8, transaction, 12);
	return STUN_HEADER_LEN;
}

/* Appends an attribute at pos with zero padding; returns the position after it. */
static size_t put_attr(uint8_t *out, size_t pos, uint16_t type, const void *value, size_t len)
{
	put16(out + pos, type);
	put16(out + pos + 2, len);
	if (len)
		memcpy(out + pos + ATTR_HEADER_LEN, value, len);
	memset(out + pos + ATTR_HEADER_LEN + len, 0, pad4(len) - len);
	return pos + ATTR_HEADER_LEN + pad4(len);
}

/* Appends MESSAGE-INTEGRITY and FINGERPRINT to the pos bytes at out, each computed with the
 * length field covering itself (RFC 5389 15.4, 15.5); returns the length, 0 if HMAC fails. */
static size_t finish(uint8_t *out, size_t pos, const void *key, size_t key_len)
{
	uint8_t mac[INTEGRITY_LEN], crc[FINGERPRINT_LEN];

	put16(out + 2, pos + ATTR_HEADER_LEN + INTEGRITY_LEN - STUN_HEADER_LEN);
	if (!hmac_sha1(key, key_len, out, pos, mac))
		return 0;
	pos = put_attr(out, pos, ATTR_MESSAGE_INTEGRITY, mac, INTEGRITY_LEN);
	put16(out + 2, pos + ATTR_HEADER_LEN + FINGERPRINT_LEN - STUN_HEADER_LEN);
	put32(crc, crc32_ieee(out, pos) ^ FINGERPRINT_XOR);
	return put_attr(out, pos, ATTR_FINGERPRINT, crc, FINGERPRINT_LEN);
}

size_t stun_write_binding_success(uint8_t *out, size_t cap, const uint8_t transaction[12],
                                  const struct sockaddr *from, const void *key, size_t key_len)
{
	uint8_t mask[16], addr[ADDRESS_IPV6_LEN];
	size_t addr_len, pos;

	put32(mask, STUN_MAGIC_COOKIE);
	memcpy(mask + 4, transaction, 12);
	addr_len = encode_address(addr, from, mask);
	if (!addr_len || cap < STUN_HEADER_LEN + ATTR_HEADER_LEN + addr_len + TRAILER_LEN)
		return 0;
	pos = put_header(out, STUN_CLASS_SUCCESS, transaction);
	pos = put_attr(out, pos, ATTR_XOR_MAPPED_ADDRESS, addr, addr_len);
	return finish(out, pos, key, key_len);
}

size_t stun_write_binding_request(uint8_t *out, size_t cap, const uint8_t transaction[12],
                                  const char *username, uint32_t priority, bool controlling,
                                  uint64_t tie_breaker, const void *key, size_t key_len)
{
	size_t username_len = strlen(username), pos;
	uint8_t value[8];

	if (username_len > STUN_MAX_USERNAME || cap < STUN_HEADER_LEN + ATTR_HEADER_LEN +
	                                                  pad4(username_len) + ATTR_HEADER_LEN + 4 +
	                                                  ATTR_HEADER_LEN + 8 + TRAILER_LEN)
		return 0;
	pos = put_header(out, STUN_CLASS_REQUEST, transaction);
	pos = put_attr(out, pos, ATTR_USERNAME, username, username_len);
	put32(value, priority);
	pos = put_attr(out, pos, ATTR_PRIORITY, value, 4);
	put32(value, (uint32_t)(tie_breaker >> 32));
	put32(value + 4, (uint32_t)tie_breaker);
	pos =
	    put_attr(out, pos, controlling ? ATTR_ICE_CONTROLLING : ATTR_ICE_CONTROLLED, value, 8);
	return finish(out, pos, key, key_len);
}
