/* SPDX-License-Identifier: MIT */
/* libFuzzer target: STUN parsing, both checks, and write/re-parse of requests and responses. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/stun.h"

/* The RFC 5769 password, so that the committed vectors take the "integrity holds" path. */
#define KEY "VOkJxbRl1RmTxUk/WvJxBt"

static uint8_t out[1024];

/* Parses what a writer just produced (len bytes at out) and checks both trailers. */
static void reparse(size_t len, struct stun_message *msg, enum stun_class cls,
                    const uint8_t transaction[12])
{
	CHECK(len > 0 && len <= sizeof(out) && len % 4 == 0);
	CHECK(stun_is_stun(out, len));
	CHECK(stun_parse(out, len, msg) == 0);
	CHECK(msg->method == STUN_METHOD_BINDING && msg->cls == cls);
	CHECK(memcmp(msg->transaction, transaction, 12) == 0);
	CHECK(msg->unknown_required == 0 && msg->fingerprint_at == len - 8);
	CHECK(stun_check_integrity(out, msg, KEY, strlen(KEY)));
	CHECK(!stun_check_integrity(out, msg, KEY, strlen(KEY) - 1));
	CHECK(stun_check_fingerprint(out, msg));
}

static size_t address_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

/* Answers msg with a success response to its XOR-MAPPED-ADDRESS, or else to 192.0.2.1:3478. */
static void fuzz_success(const struct stun_message *msg)
{
	struct sockaddr_in fallback = {.sin_family = AF_INET, .sin_port = htons(3478)};
	struct sockaddr_storage from = msg->mapped;
	struct stun_message again;
	size_t len;

	if (!msg->has_mapped) {
		fallback.sin_addr.s_addr = htonl(0xc0000201);
		memset(&from, 0, sizeof(from));
		memcpy(&from, &fallback, sizeof(fallback));
	}
	len = stun_write_binding_success(out, sizeof(out), msg->transaction,
	                                 (const struct sockaddr *)&from, KEY, strlen(KEY));
	reparse(len, &again, STUN_CLASS_SUCCESS, msg->transaction);
	CHECK(again.has_mapped && again.username == NULL);
	CHECK(memcmp(&again.mapped, &from, address_len(&from)) == 0);
}

static void fuzz_request(const struct stun_message *msg)
{
	char username[STUN_MAX_USERNAME + 1];
	struct stun_message again;
	size_t len;

	if (msg->username_len && memchr(msg->username, 0, msg->username_len))
		return;
	memcpy(username, msg->username, msg->username_len);
	username[msg->username_len] = '\0';
	len =
	    stun_write_binding_request(out, sizeof(out), msg->transaction, username, msg->priority,
	                               msg->has_controlling, msg->tie_breaker, KEY, strlen(KEY));
	reparse(len, &again, STUN_CLASS_REQUEST, msg->transaction);
	CHECK(again.username == out + STUN_HEADER_LEN + 4);
	CHECK(again.username_len == msg->username_len);
	CHECK(memcmp(again.username, username, msg->username_len) == 0);
	CHECK(again.has_priority && again.priority == msg->priority);
	CHECK(again.has_controlling == msg->has_controlling);
	CHECK(again.has_controlled == !msg->has_controlling);
	CHECK(again.tie_breaker == msg->tie_breaker);
	CHECK(!again.use_candidate && !again.has_mapped && again.error_code == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stun_message msg;
	int ret;

	ret = stun_parse(data, size, &msg);
	if (ret < 0) {
		CHECK(ret == -EINVAL && msg.len == 0 && msg.username == NULL);
		return 0;
	}
	CHECK(ret == 0 && stun_is_stun(data, size) && msg.len == size);
	CHECK(msg.cls <= STUN_CLASS_ERROR);
	if (msg.username) {
		CHECK(msg.username >= data + STUN_HEADER_LEN + 4);
		CHECK(msg.username + msg.username_len <= data + size);
		CHECK(msg.username_len <= STUN_MAX_USERNAME);
	}
	if (msg.integrity_at)
		CHECK(msg.integrity_at >= STUN_HEADER_LEN && msg.integrity_at + 24 <= size);
	if (msg.fingerprint_at) {
		CHECK(msg.fingerprint_at + 8 == size && msg.fingerprint_at > msg.integrity_at);
	}
	if (msg.has_mapped)
		CHECK(msg.mapped.ss_family == AF_INET || msg.mapped.ss_family == AF_INET6);
	CHECK(msg.error_code == 0 || (msg.error_code >= 300 && msg.error_code <= 699));

	(void)stun_check_fingerprint(data, &msg);
	(void)stun_check_integrity(data, &msg, KEY, strlen(KEY));
	if (!msg.fingerprint_at)
		CHECK(!stun_check_fingerprint(data, &msg));
	if (!msg.integrity_at)
		CHECK(!stun_check_integrity(data, &msg, KEY, strlen(KEY)));

	if (msg.has_mapped || (msg.cls == STUN_CLASS_REQUEST && msg.username))
		fuzz_success(&msg);
	if (msg.cls == STUN_CLASS_REQUEST && msg.username)
		fuzz_request(&msg);
	return 0;
}
