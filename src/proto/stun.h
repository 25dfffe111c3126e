/* SPDX-License-Identifier: MIT */
/* STUN messages (RFC 5389/8489) for ICE connectivity and consent checks (RFC 8445, 7675). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define STUN_HEADER_LEN     20
#define STUN_MAGIC_COOKIE   0x2112A442u
#define STUN_METHOD_BINDING 0x001
#define STUN_MAX_USERNAME   513

enum stun_class {
	STUN_CLASS_REQUEST = 0,
	STUN_CLASS_INDICATION = 1,
	STUN_CLASS_SUCCESS = 2,
	STUN_CLASS_ERROR = 3
};

/* A parsed message: pointers point into the buffer given to stun_parse(). */
struct stun_message {
	uint16_t method;
	enum stun_class cls;
	uint8_t transaction[12];
	size_t len;              /* whole message, header included */
	const uint8_t *username; /* USERNAME value, NULL if absent */
	size_t username_len;
	size_t integrity_at;   /* offset of the MESSAGE-INTEGRITY attribute header; 0: absent */
	size_t fingerprint_at; /* offset of the FINGERPRINT attribute header; 0: absent */
	bool has_priority;
	uint32_t priority;
	bool use_candidate;
	bool has_controlling, has_controlled;
	uint64_t tie_breaker;
	bool has_mapped;
	struct sockaddr_storage mapped; /* XOR-MAPPED-ADDRESS, decoded */
	uint16_t error_code;            /* ERROR-CODE as class*100+number, 0: absent */
	unsigned unknown_required; /* comprehension-required attributes (< 0x8000) not understood */
};

/*
 * All functions are pure (no globals, no I/O) and may be called from any thread. Buffers are
 * borrowed for the duration of the call, except that stun_parse() leaves msg->username
 * pointing into buf, so msg is only valid while buf is.
 */

/* Cheap test for demultiplexing (RFC 7983): first byte 0..3, length >= 20, the magic cookie,
 * the header's length field a multiple of 4 equal to len - 20. */
bool stun_is_stun(const uint8_t *buf, size_t len);

/* Parses a whole message: header, then every attribute (TLV, values padded to 4). Returns 0,
 * or -EINVAL when the message is malformed (not STUN, an attribute running past the end,
 * a known attribute with a wrong size, an XOR-MAPPED-ADDRESS family other than 1/2, an
 * attribute after FINGERPRINT). Attributes other than FINGERPRINT after MESSAGE-INTEGRITY
 * are ignored per RFC 5389 15.4: nothing after MI except FINGERPRINT is recorded, and they
 * are not an error. USERNAME longer than STUN_MAX_USERNAME is -EINVAL. Of a repeated
 * attribute only the first counts (RFC 5389 15). On error *msg is all zero. */
int stun_parse(const uint8_t *buf, size_t len, struct stun_message *msg);

/* True when msg has a FINGERPRINT and it is the CRC-32 of everything before it XOR 0x5354554e
 * (RFC 5389 15.5). buf is the buffer msg was parsed from. */
bool stun_check_fingerprint(const uint8_t *buf, const struct stun_message *msg);

/* True when msg has MESSAGE-INTEGRITY and it is the HMAC-SHA1, keyed with key (ICE: the
 * password, short-term credentials), of the message up to the attribute, with the header's
 * length field set as if MESSAGE-INTEGRITY were the last attribute (RFC 5389 15.4).
 * Constant-time compare (CRYPTO_memcmp). buf is the buffer msg was parsed from. */
bool stun_check_integrity(const uint8_t *buf, const struct stun_message *msg, const void *key,
                          size_t key_len);

/* Writers: return the message length, or 0 when cap is too small (or the arguments cannot
 * be encoded, or OpenSSL fails). Each ends with MESSAGE-INTEGRITY (HMAC-SHA1 keyed with key)
 * and FINGERPRINT. */
/* Binding success response to `transaction`, with XOR-MAPPED-ADDRESS = from (IPv4 or IPv6;
 * any other family gives 0). */
size_t stun_write_binding_success(uint8_t *out, size_t cap, const uint8_t transaction[12],
                                  const struct sockaddr *from, const void *key, size_t key_len);
/* Binding request (an ICE check): USERNAME, PRIORITY, ICE-CONTROLLING or ICE-CONTROLLED (per
 * controlling) with tie_breaker, then MESSAGE-INTEGRITY and FINGERPRINT. username is
 * NUL-terminated, at most STUN_MAX_USERNAME bytes (else 0). */
size_t stun_write_binding_request(uint8_t *out, size_t cap, const uint8_t transaction[12],
                                  const char *username, uint32_t priority, bool controlling,
                                  uint64_t tie_breaker, const void *key, size_t key_len);
