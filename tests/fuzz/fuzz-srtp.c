/* SPDX-License-Identifier: MIT */
/* libFuzzer target: SRTP/SRTCP unprotect of arbitrary bytes, and protect/unprotect round trips. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "transport/srtp.h"

/*
 * Mirrored sessions for one profile: a protects for b_round_trip, b takes attacker bytes
 * (apart, so that what b accepted cannot count as a replay in the round trip).
 */
struct pair {
	cau_srtp *a;
	cau_srtp *b;
	cau_srtp *b_round_trip;
};

static struct cau_srtp_keys keys_for(enum cau_srtp_profile profile, bool mirrored)
{
	struct cau_srtp_keys keys = {.profile = profile,
	                             .key_len = cau_srtp_profile_key_len(profile),
	                             .salt_len = cau_srtp_profile_salt_len(profile)};

	memset(mirrored ? keys.remote_key : keys.local_key, 0x11, sizeof(keys.local_key));
	memset(mirrored ? keys.local_key : keys.remote_key, 0x22, sizeof(keys.local_key));
	memset(mirrored ? keys.remote_salt : keys.local_salt, 0x33, sizeof(keys.local_salt));
	memset(mirrored ? keys.local_salt : keys.remote_salt, 0x44, sizeof(keys.local_salt));
	return keys;
}

/*
 * Fresh sessions per input keep runs reproducible (replay state would otherwise carry
 * over); making them costs a few key derivations.
 */
static struct pair make_pair(enum cau_srtp_profile profile)
{
	struct cau_srtp_keys ka = keys_for(profile, false), kb = keys_for(profile, true);
	struct pair p = {cau_srtp_new(&ka, NULL), cau_srtp_new(&kb, NULL), cau_srtp_new(&kb, NULL)};

	CHECK(p.a && p.b && p.b_round_trip);
	return p;
}

/* Unprotect of attacker bytes must fail cleanly or yield a shorter packet, in place. */
static void unprotect_any(cau_srtp *rx, const uint8_t *data, size_t size, bool rtcp)
{
	uint8_t *buf = malloc(size ? size : 1);
	size_t out_len = 0;
	int ret;

	memcpy(buf, data, size);
	ret = rtcp ? cau_srtp_unprotect_rtcp(rx, buf, size, &out_len)
	           : cau_srtp_unprotect_rtp(rx, buf, size, &out_len);
	CHECK(ret <= 0);
	if (ret == 0)
		CHECK(out_len < size);
	else
		CHECK(cau_srtp_strerror(ret)[0] != '\0');
	free(buf);
}

/* Whatever protect accepts, the mirrored session must unprotect to the same bytes. */
static void round_trip(struct pair *p, const uint8_t *data, size_t size, bool rtcp)
{
	const size_t cap = size + CAU_SRTP_MAX_TRAILER_LEN;
	uint8_t *buf = malloc(cap);
	size_t protected_len = 0, plain_len = 0;
	int ret;

	memcpy(buf, data, size);
	ret = rtcp ? cau_srtp_protect_rtcp(p->a, buf, size, cap, &protected_len)
	           : cau_srtp_protect_rtp(p->a, buf, size, cap, &protected_len);
	if (ret == 0) {
		CHECK(protected_len > size && protected_len <= cap);
		ret = rtcp
		          ? cau_srtp_unprotect_rtcp(p->b_round_trip, buf, protected_len, &plain_len)
		          : cau_srtp_unprotect_rtp(p->b_round_trip, buf, protected_len, &plain_len);
		CHECK(ret == 0);
		CHECK(plain_len == size && memcmp(buf, data, size) == 0);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum cau_srtp_profile profile;
	struct pair p;

	if (size < 1)
		return 0;
	profile = data[0] & 1 ? CAU_SRTP_AEAD_AES_128_GCM : CAU_SRTP_AES128_CM_SHA1_80;
	p = make_pair(profile);
	data++;
	size--;
	unprotect_any(p.b, data, size, false);
	unprotect_any(p.b, data, size, true);
	round_trip(&p, data, size, false);
	round_trip(&p, data, size, true);
	cau_srtp_free(p.a);
	cau_srtp_free(p.b);
	cau_srtp_free(p.b_round_trip);
	return 0;
}
