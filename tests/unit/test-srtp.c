/* SPDX-License-Identifier: MIT */
/* Unit tests for the libsrtp2 wrapper: round trips, tampering, replay, retransmission, sizes. */
#include <errno.h>
#include <gio/gio.h>
#include <glib.h>
#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <string.h>

#include "proto/rtp.h"
#include "transport/srtp.h"

#define PAYLOAD_LEN 160

/* Both profiles, each with the trailer lengths RFC 3711 and RFC 7714 give. */
static const struct profile_case {
	enum cau_srtp_profile profile;
	size_t rtp_trailer;
	size_t rtcp_trailer;
} profiles[] = {
    {CAU_SRTP_AES128_CM_SHA1_80, 10, 4 + 10},
    {CAU_SRTP_AEAD_AES_128_GCM, 16, 16 + 4},
};

/* Two mirrored key sets, as the two ends of one DTLS handshake would hold them. */
static void make_keys(enum cau_srtp_profile profile, struct cau_srtp_keys *a,
                      struct cau_srtp_keys *b)
{
	memset(a, 0, sizeof(*a));
	a->profile = profile;
	a->key_len = cau_srtp_profile_key_len(profile);
	a->salt_len = cau_srtp_profile_salt_len(profile);
	for (size_t i = 0; i < a->key_len; i++) {
		a->local_key[i] = (uint8_t)(0x10 + i);
		a->remote_key[i] = (uint8_t)(0x80 + i);
	}
	for (size_t i = 0; i < a->salt_len; i++) {
		a->local_salt[i] = (uint8_t)(0x40 + i);
		a->remote_salt[i] = (uint8_t)(0xc0 + i);
	}
	*b = *a;
	memcpy(b->local_key, a->remote_key, sizeof(b->local_key));
	memcpy(b->local_salt, a->remote_salt, sizeof(b->local_salt));
	memcpy(b->remote_key, a->local_key, sizeof(b->remote_key));
	memcpy(b->remote_salt, a->local_salt, sizeof(b->remote_salt));
}

static void make_pair(enum cau_srtp_profile profile, cau_srtp **a, cau_srtp **b)
{
	g_autoptr(GError) error = NULL;
	struct cau_srtp_keys ka, kb;

	make_keys(profile, &ka, &kb);
	*a = cau_srtp_new(&ka, &error);
	g_assert_no_error(error);
	*b = cau_srtp_new(&kb, &error);
	g_assert_no_error(error);
	cau_srtp_keys_clear(&ka);
	cau_srtp_keys_clear(&kb);
	g_assert_cmpint(ka.key_len, ==, 0);
}

/*
 * An RTP packet with seq and a payload derived from it, in a heap buffer of exactly
 * len + room bytes so that ASan catches a write past the promised trailer.
 */
static uint8_t *make_rtp(uint16_t seq, size_t room, size_t *len)
{
	struct rtp_packet hdr = {
	    .payload_type = 96, .seq = seq, .timestamp = 90u * seq, .ssrc = 0x11223344};
	size_t header_len;
	uint8_t *buf = g_malloc(RTP_FIXED_HEADER_LEN + PAYLOAD_LEN + room);

	g_assert_cmpint(rtp_write_header(buf, RTP_FIXED_HEADER_LEN, &hdr, &header_len), ==, 0);
	for (size_t i = 0; i < PAYLOAD_LEN; i++)
		buf[header_len + i] = (uint8_t)(seq + i);
	*len = header_len + PAYLOAD_LEN;
	return buf;
}

/* A receiver report with one report block (32 bytes), in a buffer with room to spare. */
static uint8_t *make_rtcp(uint32_t ssrc, size_t room, size_t *len)
{
	static const uint8_t rr[32] = {0x81, 201, 0, 7};
	uint8_t *buf = g_malloc(sizeof(rr) + room);

	memcpy(buf, rr, sizeof(rr));
	buf[4] = (uint8_t)(ssrc >> 24);
	buf[5] = (uint8_t)(ssrc >> 16);
	buf[6] = (uint8_t)(ssrc >> 8);
	buf[7] = (uint8_t)ssrc;
	for (size_t i = 8; i < sizeof(rr); i++)
		buf[i] = (uint8_t)i;
	*len = sizeof(rr);
	return buf;
}

/* Protects a fresh packet with seq on tx; returns the SRTP packet (caller frees). */
static uint8_t *protect_seq(cau_srtp *tx, uint16_t seq, size_t *len)
{
	size_t plain_len;
	uint8_t *buf = make_rtp(seq, CAU_SRTP_MAX_TRAILER_LEN, &plain_len);

	g_assert_cmpint(
	    cau_srtp_protect_rtp(tx, buf, plain_len, plain_len + CAU_SRTP_MAX_TRAILER_LEN, len), ==,
	    0);
	return buf;
}

static int unprotect_copy(cau_srtp *rx, const uint8_t *srtp, size_t len)
{
	g_autofree uint8_t *copy = g_memdup2(srtp, len);
	size_t out_len;

	return cau_srtp_unprotect_rtp(rx, copy, len, &out_len);
}

static void test_rtp_round_trip(gconstpointer data)
{
	const struct profile_case *pc = data;
	g_autoptr(cau_srtp) a = NULL;
	g_autoptr(cau_srtp) b = NULL;
	size_t len, srtp_len, plain_len;

	make_pair(pc->profile, &a, &b);
	g_assert_cmpint(cau_srtp_get_profile(a), ==, pc->profile);
	for (uint16_t seq = 65530; seq != 10; seq++) { /* across the sequence number wrap */
		g_autofree uint8_t *plain = make_rtp(seq, 0, &len);
		g_autofree uint8_t *buf = make_rtp(seq, pc->rtp_trailer, &len);

		g_assert_cmpint(cau_srtp_protect_rtp(a, buf, len, len + pc->rtp_trailer, &srtp_len),
		                ==, 0);
		g_assert_cmpuint(srtp_len, ==, len + pc->rtp_trailer);
		/* The header stays in the clear, the payload does not. */
		g_assert_cmpmem(buf, RTP_FIXED_HEADER_LEN, plain, RTP_FIXED_HEADER_LEN);
		g_assert_true(memcmp(buf + RTP_FIXED_HEADER_LEN, plain + RTP_FIXED_HEADER_LEN,
		                     PAYLOAD_LEN) != 0);
		g_assert_cmpint(cau_srtp_unprotect_rtp(b, buf, srtp_len, &plain_len), ==, 0);
		g_assert_cmpmem(buf, plain_len, plain, len);
	}
}

static void test_rtcp_round_trip(gconstpointer data)
{
	const struct profile_case *pc = data;
	g_autoptr(cau_srtp) a = NULL;
	g_autoptr(cau_srtp) b = NULL;
	size_t len, srtcp_len, plain_len;

	make_pair(pc->profile, &a, &b);
	for (int i = 0; i < 5; i++) {
		g_autofree uint8_t *plain = make_rtcp(0xabcd0000u + (uint32_t)i, 0, &len);
		g_autofree uint8_t *buf =
		    make_rtcp(0xabcd0000u + (uint32_t)i, pc->rtcp_trailer, &len);

		/* Both directions: each side's outbound session feeds the other's inbound. */
		cau_srtp *tx = i % 2 ? a : b, *rx = i % 2 ? b : a;
		g_assert_cmpint(
		    cau_srtp_protect_rtcp(tx, buf, len, len + pc->rtcp_trailer, &srtcp_len), ==, 0);
		g_assert_cmpuint(srtcp_len, ==, len + pc->rtcp_trailer);
		g_assert_cmpint(cau_srtp_unprotect_rtcp(rx, buf, srtcp_len, &plain_len), ==, 0);
		g_assert_cmpmem(buf, plain_len, plain, len);
	}
}

static void test_tampered(gconstpointer data)
{
	const struct profile_case *pc = data;
	g_autoptr(cau_srtp) a = NULL;
	g_autoptr(cau_srtp) b = NULL;
	size_t len, out_len, plain_len;

	make_pair(pc->profile, &a, &b);
	/* One flipped bit anywhere -- header, payload or tag -- fails authentication. */
	for (size_t pos = 0; pos < RTP_FIXED_HEADER_LEN + PAYLOAD_LEN + pc->rtp_trailer; pos += 7) {
		g_autofree uint8_t *buf = protect_seq(a, (uint16_t)(100 + pos), &len);

		if (pos < 2)
			continue; /* V/P/X/CC, M/PT: a bad version is a parse error, not auth */
		buf[pos] ^= 0x01;
		g_assert_cmpint(cau_srtp_unprotect_rtp(b, buf, len, &out_len), ==,
		                CAU_SRTP_ERR_AUTH);
	}
	/* RTCP, tampered in the body. */
	g_autofree uint8_t *rtcp = make_rtcp(7, CAU_SRTP_MAX_TRAILER_LEN, &len);
	g_assert_cmpint(
	    cau_srtp_protect_rtcp(a, rtcp, len, len + CAU_SRTP_MAX_TRAILER_LEN, &out_len), ==, 0);
	rtcp[12] ^= 0x80;
	g_assert_cmpint(cau_srtp_unprotect_rtcp(b, rtcp, out_len, &plain_len), ==,
	                CAU_SRTP_ERR_AUTH);
	/* A's own outbound traffic does not verify with A's inbound (other direction's key). */
	g_autofree uint8_t *own = protect_seq(a, 5000, &len);
	g_assert_cmpint(unprotect_copy(a, own, len), ==, CAU_SRTP_ERR_AUTH);
	g_assert_cmpstr(cau_srtp_strerror(CAU_SRTP_ERR_AUTH), ==, "authentication failed");
}

static void test_replay(gconstpointer data)
{
	const struct profile_case *pc = data;
	g_autoptr(cau_srtp) a = NULL;
	g_autoptr(cau_srtp) b = NULL;
	size_t len, srtcp_len, plain_len;

	make_pair(pc->profile, &a, &b);
	g_autofree uint8_t *pkt = protect_seq(a, 42, &len);
	g_assert_cmpint(unprotect_copy(b, pkt, len), ==, 0);
	g_assert_cmpint(unprotect_copy(b, pkt, len), ==, CAU_SRTP_ERR_REPLAY);
	g_assert_cmpint(CAU_SRTP_ERR_REPLAY, ==, -EALREADY);

	g_autofree uint8_t *rtcp = make_rtcp(9, CAU_SRTP_MAX_TRAILER_LEN, &len);
	g_assert_cmpint(
	    cau_srtp_protect_rtcp(a, rtcp, len, len + CAU_SRTP_MAX_TRAILER_LEN, &srtcp_len), ==, 0);
	g_autofree uint8_t *copy = g_memdup2(rtcp, srtcp_len);
	g_assert_cmpint(cau_srtp_unprotect_rtcp(b, rtcp, srtcp_len, &plain_len), ==, 0);
	g_assert_cmpint(cau_srtp_unprotect_rtcp(b, copy, srtcp_len, &plain_len), ==,
	                CAU_SRTP_ERR_REPLAY);
}

/*
 * A NACKed packet is protected again with the same sequence number (allow_repeat_tx): the
 * sender accepts it, and a receiver that lost the first copy accepts the second, which is
 * the same bytes.
 */
static void test_retransmission(gconstpointer data)
{
	const struct profile_case *pc = data;
	g_autoptr(cau_srtp) a = NULL;
	g_autoptr(cau_srtp) b = NULL;
	size_t len1, len2;

	make_pair(pc->profile, &a, &b);
	g_autofree uint8_t *first = protect_seq(a, 1000, &len1);
	g_autofree uint8_t *later = protect_seq(a, 1001, &len2);
	g_autofree uint8_t *again = protect_seq(a, 1000, &len2); /* the retransmission */
	g_assert_cmpmem(first, len1, again, len2);
	/* The first copy was lost on the way; the receiver saw 1001 and then the repeat. */
	g_assert_cmpint(unprotect_copy(b, later, len2), ==, 0);
	g_assert_cmpint(unprotect_copy(b, again, len2), ==, 0);
	g_assert_cmpint(unprotect_copy(b, again, len2), ==, CAU_SRTP_ERR_REPLAY);
}

/* The replay window is 1024 packets, not libsrtp's default 128. */
static void test_replay_window(void)
{
	g_autoptr(cau_srtp) a = NULL;
	g_autoptr(cau_srtp) b = NULL;
	g_autofree uint8_t *late_ok = NULL, *too_late = NULL;
	size_t len, late_len = 0, too_late_len = 0;

	make_pair(CAU_SRTP_AEAD_AES_128_GCM, &a, &b);
	for (uint16_t seq = 0; seq < 2000; seq++) {
		g_autofree uint8_t *pkt = protect_seq(a, seq, &len);

		if (seq == 500) { /* held back: 1499 behind at the end */
			too_late = g_steal_pointer(&pkt);
			too_late_len = len;
			continue;
		}
		if (seq == 1000) { /* held back: 999 behind at the end */
			late_ok = g_steal_pointer(&pkt);
			late_len = len;
			continue;
		}
		g_assert_cmpint(unprotect_copy(b, pkt, len), ==, 0);
	}
	g_assert_cmpint(unprotect_copy(b, late_ok, late_len), ==, 0);
	g_assert_cmpint(unprotect_copy(b, too_late, too_late_len), ==, CAU_SRTP_ERR_REPLAY);
}

/* An SRTP packet of ssrc with seq from tx; the plain one in *plain (both freed by the
 * caller). */
static uint8_t *protect_ssrc(cau_srtp *tx, uint32_t ssrc, uint16_t seq, size_t *len,
                             uint8_t **plain)
{
	size_t plain_len;
	uint8_t *buf = make_rtp(seq, CAU_SRTP_MAX_TRAILER_LEN, &plain_len);

	for (int i = 0; i < 4; i++)
		buf[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	*plain = g_memdup2(buf, plain_len);
	g_assert_cmpint(
	    cau_srtp_protect_rtp(tx, buf, plain_len, plain_len + CAU_SRTP_MAX_TRAILER_LEN, len), ==,
	    0);
	return buf;
}

/* Sessions made with known SSRCs (repeats and zeros among them) protect and unprotect as
 * the plain ones do, for known and unknown SSRCs alike, both ways and for RTCP; replay is
 * still refused and a retransmission still protected on a stream made up front. */
static void test_known_ssrcs(gconstpointer data)
{
	const struct profile_case *pc = data;
	const struct cau_srtp_ssrcs known = {
	    .local = {0x11, 0x22, 0, 0x11, 0x33},
	    .n_local = 5,
	    .remote = {0x44, 0x55},
	    .n_remote = 2,
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(cau_srtp) a = NULL;
	g_autoptr(cau_srtp) b = NULL;
	struct cau_srtp_keys ka, kb;

	make_keys(pc->profile, &ka, &kb);
	a = cau_srtp_new_with_ssrcs(&ka, &known, &error);
	g_assert_no_error(error);
	b = cau_srtp_new(&kb, &error);
	g_assert_no_error(error);
	cau_srtp_keys_clear(&ka);
	cau_srtp_keys_clear(&kb);
	for (uint16_t seq = 1; seq < 40; seq++) {
		static const uint32_t ssrcs[] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
		uint32_t ssrc = ssrcs[seq % G_N_ELEMENTS(ssrcs)];
		/* a sends its own SSRCs and an unknown one; b those a expects, and another. */
		cau_srtp *tx = ssrc == 0x11 || ssrc == 0x22 || ssrc == 0x33 || seq % 2 ? a : b;
		cau_srtp *rx = tx == a ? b : a;
		g_autofree uint8_t *plain = NULL;
		size_t len, out_len;
		g_autofree uint8_t *pkt = protect_ssrc(tx, ssrc, seq, &len, &plain);
		g_autofree uint8_t *again = g_memdup2(pkt, len);

		g_assert_cmpuint(len, ==, RTP_FIXED_HEADER_LEN + PAYLOAD_LEN + pc->rtp_trailer);
		g_assert_cmpint(cau_srtp_unprotect_rtp(rx, pkt, len, &out_len), ==, 0);
		g_assert_cmpmem(pkt, out_len, plain, RTP_FIXED_HEADER_LEN + PAYLOAD_LEN);
		g_assert_cmpint(cau_srtp_unprotect_rtp(rx, again, len, &out_len), ==,
		                CAU_SRTP_ERR_REPLAY);
	}
	/* A retransmission of a known stream's packet: protected again, the copy refused. */
	{
		g_autofree uint8_t *plain = NULL, *plain_again = NULL;
		size_t len;
		g_autofree uint8_t *first = protect_ssrc(a, 0x22, 100, &len, &plain);
		g_autofree uint8_t *second = protect_ssrc(a, 0x22, 100, &len, &plain_again);

		g_assert_cmpint(unprotect_copy(b, first, len), ==, 0);
		g_assert_cmpint(unprotect_copy(b, second, len), ==, CAU_SRTP_ERR_REPLAY);
	}
	for (int i = 0; i < 4; i++) {
		uint32_t ssrc = i < 2 ? 0x11 : 0x44;
		cau_srtp *tx = i < 2 ? a : b, *rx = i < 2 ? b : a;
		size_t len, srtcp_len, plain_len;
		g_autofree uint8_t *buf = make_rtcp(ssrc, pc->rtcp_trailer, &len);

		g_assert_cmpint(
		    cau_srtp_protect_rtcp(tx, buf, len, len + pc->rtcp_trailer, &srtcp_len), ==, 0);
		g_assert_cmpint(cau_srtp_unprotect_rtcp(rx, buf, srtcp_len, &plain_len), ==, 0);
		g_assert_cmpuint(plain_len, ==, len);
	}
}

static void test_sizes(gconstpointer data)
{
	const struct profile_case *pc = data;
	g_autoptr(cau_srtp) a = NULL;
	g_autoptr(cau_srtp) b = NULL;
	size_t len, out_len = 12345;

	make_pair(pc->profile, &a, &b);
	g_autofree uint8_t *buf = make_rtp(1, pc->rtp_trailer, &len);
	g_autofree uint8_t *plain = g_memdup2(buf, len);
	/* One byte short of the trailer: refused, nothing written. */
	g_assert_cmpint(cau_srtp_protect_rtp(a, buf, len, len + pc->rtp_trailer - 1, &out_len), ==,
	                -ENOSPC);
	g_assert_cmpint(cau_srtp_protect_rtp(a, buf, len, len - 1, &out_len), ==, -ENOSPC);
	g_assert_cmpmem(buf, len, plain, len);
	g_assert_cmpuint(out_len, ==, 12345);
	g_autofree uint8_t *rtcp = make_rtcp(1, pc->rtcp_trailer, &len);
	g_assert_cmpint(cau_srtp_protect_rtcp(a, rtcp, len, len + pc->rtcp_trailer - 1, &out_len),
	                ==, -ENOSPC);
	/* Too short to be RTP or RTCP at all. */
	g_assert_cmpint(cau_srtp_protect_rtp(a, buf, 11, 100, &out_len), ==, -EINVAL);
	g_assert_cmpint(cau_srtp_protect_rtcp(a, rtcp, 7, 100, &out_len), ==, -EINVAL);
	g_assert_cmpint(cau_srtp_unprotect_rtp(b, buf, 11, &out_len), ==, -EINVAL);
	g_assert_cmpint(cau_srtp_unprotect_rtcp(b, rtcp, 7, &out_len), ==, -EINVAL);
	/* A bare header with no room for a tag cannot be SRTP. */
	g_assert_cmpint(cau_srtp_unprotect_rtp(b, buf, 12, &out_len), <, 0);
	g_assert_cmpint(cau_srtp_unprotect_rtcp(b, rtcp, 8, &out_len), <, 0);
	g_assert_cmpuint(out_len, ==, 12345);
}

static void test_bad_keys(void)
{
	g_autoptr(GError) error = NULL;
	struct cau_srtp_keys keys, other;

	make_keys(CAU_SRTP_AEAD_AES_128_GCM, &keys, &other);
	keys.salt_len = 14; /* GCM salts are 12 bytes */
	g_assert_null(cau_srtp_new(&keys, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&error);
	keys.profile = 0x0002; /* SRTP_AES128_CM_SHA1_32: not offered, not supported */
	g_assert_null(cau_srtp_new(&keys, &error));
	g_assert_nonnull(strstr(error->message, "0x0002"));
	g_assert_cmpstr(cau_srtp_profile_name(CAU_SRTP_AEAD_AES_128_GCM), ==,
	                "SRTP_AEAD_AES_128_GCM");
	g_assert_cmpstr(cau_srtp_profile_name(0x0002), ==, "unknown");
}

static void add_profile_test(const char *name, GTestDataFunc func)
{
	for (size_t i = 0; i < G_N_ELEMENTS(profiles); i++) {
		g_autofree char *path = g_strdup_printf("/srtp/%s/%s", name,
		                                        cau_srtp_profile_name(profiles[i].profile));
		g_test_add_data_func(path, &profiles[i], func);
	}
}

/* In libsrtp's crypto kernel (not in its installed headers). */
const srtp_cipher_type_t *srtp_crypto_kernel_get_cipher_type(srtp_cipher_type_id_t id);
const srtp_auth_type_t *srtp_crypto_kernel_get_auth_type(srtp_auth_type_id_t id);

/* Once a session exists, libsrtp encrypts and authenticates with the OpenSSL types
 * (srtp_crypto.c), which passed its test vectors to get there; the round trips above ran
 * on them. */
static void test_openssl_types(void)
{
	static const srtp_cipher_type_id_t ciphers[] = {SRTP_AES_ICM_128, SRTP_AES_ICM_256,
	                                                SRTP_AES_GCM_128, SRTP_AES_GCM_256};
	cau_srtp *a, *b;

	make_pair(CAU_SRTP_AES128_CM_SHA1_80, &a, &b);
	for (size_t i = 0; i < G_N_ELEMENTS(ciphers); i++) {
		const srtp_cipher_type_t *t = srtp_crypto_kernel_get_cipher_type(ciphers[i]);

		g_assert_nonnull(t);
		g_assert_nonnull(strstr(t->description, "OpenSSL"));
		g_assert_cmpuint(t->id, ==, ciphers[i]);
	}
	g_assert_nonnull(
	    strstr(srtp_crypto_kernel_get_auth_type(SRTP_HMAC_SHA1)->description, "OpenSSL"));
	cau_srtp_free(a);
	cau_srtp_free(b);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	add_profile_test("rtp-round-trip", test_rtp_round_trip);
	add_profile_test("rtcp-round-trip", test_rtcp_round_trip);
	add_profile_test("tampered", test_tampered);
	add_profile_test("replay", test_replay);
	add_profile_test("retransmission", test_retransmission);
	add_profile_test("sizes", test_sizes);
	add_profile_test("known-ssrcs", test_known_ssrcs);
	g_test_add_func("/srtp/replay-window", test_replay_window);
	g_test_add_func("/srtp/bad-keys", test_bad_keys);
	g_test_add_func("/srtp/openssl-types", test_openssl_types);
	return g_test_run();
}
