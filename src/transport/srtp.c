/* SPDX-License-Identifier: MIT */
/* SRTP/SRTCP protection for one peer: an outbound and an inbound libsrtp2 session. */
#define G_LOG_DOMAIN "cau-srtp"

#include "srtp.h"
#include "srtp_crypto.h"

#include <gio/gio.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <srtp2/srtp.h>
#include <string.h>

#define RTP_MIN_LEN  12 /* fixed header */
#define RTCP_MIN_LEN 8  /* header and sender SSRC */

/*
 * Large enough that a packet NACKed and retransmitted a second later at 1000 packets/s
 * (a 720p video tier) is still inside the window; libsrtp's default is 128.
 */
#define REPLAY_WINDOW 1024

struct cau_srtp {
	enum cau_srtp_profile profile;
	srtp_t outbound;
	srtp_t inbound;
	/* Bytes protect appends, from libsrtp for this profile. */
	size_t rtp_trailer;
	size_t rtcp_trailer;
};

const char *cau_srtp_profile_name(enum cau_srtp_profile profile)
{
	switch (profile) {
	case CAU_SRTP_AES128_CM_SHA1_80:
		return "SRTP_AES128_CM_SHA1_80";
	case CAU_SRTP_AEAD_AES_128_GCM:
		return "SRTP_AEAD_AES_128_GCM";
	}
	return "unknown";
}

size_t cau_srtp_profile_key_len(enum cau_srtp_profile profile)
{
	switch (profile) {
	case CAU_SRTP_AES128_CM_SHA1_80:
	case CAU_SRTP_AEAD_AES_128_GCM:
		return SRTP_AES_128_KEY_LEN;
	}
	return 0;
}

size_t cau_srtp_profile_salt_len(enum cau_srtp_profile profile)
{
	switch (profile) {
	case CAU_SRTP_AES128_CM_SHA1_80:
		return SRTP_SALT_LEN;
	case CAU_SRTP_AEAD_AES_128_GCM:
		return SRTP_AEAD_SALT_LEN;
	}
	return 0;
}

void cau_srtp_keys_clear(struct cau_srtp_keys *keys)
{
	OPENSSL_cleanse(keys, sizeof(*keys));
}

/* libsrtp keeps global state (the crypto kernel); it is set up once and never torn down. */
static gpointer init_libsrtp(gpointer data)
{
	g_autoptr(GError) error = NULL;
	srtp_err_status_t status = srtp_init();

	if (status != srtp_err_status_ok)
		return GINT_TO_POINTER(-(int)status);
	/* Debian's libsrtp2 encrypts through NSS, one lock for the whole process: swap in
	 * OpenSSL (srtp_crypto.c). libsrtp's own stay if that fails: slower, still right. */
	if (!srtp_crypto_install(&error))
		g_warning("%s; keeping libsrtp's own ciphers", error->message);
	return GINT_TO_POINTER(1);
}

static bool ensure_libsrtp(GError **error)
{
	static GOnce once = G_ONCE_INIT;
	int result = GPOINTER_TO_INT(g_once(&once, init_libsrtp, NULL));

	if (result == 1)
		return true;
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "srtp: srtp_init failed (status %d)",
	            -result);
	return false;
}

static bool set_crypto_policy(srtp_policy_t *policy, enum cau_srtp_profile profile)
{
	switch (profile) {
	case CAU_SRTP_AES128_CM_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
		return true;
	case CAU_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtcp);
		return true;
	}
	return false;
}

/* Makes one libsrtp session for key || salt, with a stream for each of the n known SSRCs
 * (most used first); wipes its copy of the key before returning. */
static bool create_session(srtp_t *out, const struct cau_srtp_keys *keys, const uint8_t *key,
                           const uint8_t *salt, srtp_ssrc_type_t direction, const uint32_t *known,
                           size_t n, GError **error)
{
	uint8_t master[CAU_SRTP_MAX_KEY_LEN + CAU_SRTP_MAX_SALT_LEN];
	srtp_policy_t policy[1 + CAU_SRTP_KNOWN_MAX];
	srtp_err_status_t status;
	size_t count = 1;

	memset(policy, 0, sizeof(policy));
	set_crypto_policy(&policy[0], keys->profile);
	memcpy(master, key, keys->key_len);
	memcpy(master + keys->key_len, salt, keys->salt_len);
	policy[0].ssrc.type = direction;
	policy[0].key = master;
	policy[0].window_size = REPLAY_WINDOW;
	policy[0].allow_repeat_tx = 1;
	/* libsrtp puts each new stream in front: the least used goes in first. */
	for (size_t i = MIN(n, (size_t)CAU_SRTP_KNOWN_MAX); i-- > 0;) {
		bool seen = known[i] == 0;

		for (size_t j = 0; j < i && !seen; j++)
			seen = known[j] == known[i];
		if (seen) /* kept at its first, more used place */
			continue;
		policy[count] = policy[0];
		policy[count].ssrc.type = ssrc_specific;
		policy[count].ssrc.value = known[i];
		policy[count].next = NULL;
		policy[count - 1].next = &policy[count];
		count++;
	}
	status = srtp_create(out, policy);
	OPENSSL_cleanse(master, sizeof(master));
	if (status != srtp_err_status_ok) {
		*out = NULL;
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "srtp: cannot create the %s session (libsrtp status %d)",
		            direction == ssrc_any_inbound ? "inbound" : "outbound", (int)status);
		return false;
	}
	return true;
}

static bool read_trailers(struct cau_srtp *srtp, GError **error)
{
	uint32_t rtp = 0, rtcp = 0;

	if (srtp_get_protect_trailer_length(srtp->outbound, 0, 0, &rtp) != srtp_err_status_ok ||
	    srtp_get_protect_rtcp_trailer_length(srtp->outbound, 0, 0, &rtcp) !=
	        srtp_err_status_ok) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "srtp: libsrtp cannot tell the trailer length");
		return false;
	}
	/* The header's promise to callers; a libsrtp that needs more would break it. */
	g_assert(rtp <= CAU_SRTP_MAX_TRAILER_LEN && rtcp <= CAU_SRTP_MAX_TRAILER_LEN);
	srtp->rtp_trailer = rtp;
	srtp->rtcp_trailer = rtcp;
	return true;
}

struct cau_srtp *cau_srtp_new(const struct cau_srtp_keys *keys, GError **error)
{
	return cau_srtp_new_with_ssrcs(keys, NULL, error);
}

struct cau_srtp *cau_srtp_new_with_ssrcs(const struct cau_srtp_keys *keys,
                                         const struct cau_srtp_ssrcs *known, GError **error)
{
	static const struct cau_srtp_ssrcs none;
	g_autoptr(cau_srtp) srtp = NULL;
	srtp_policy_t probe;

	if (!ensure_libsrtp(error))
		return NULL;
	if (!set_crypto_policy(&probe, keys->profile) ||
	    keys->key_len != cau_srtp_profile_key_len(keys->profile) ||
	    keys->salt_len != cau_srtp_profile_salt_len(keys->profile)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "srtp: unsupported profile 0x%04x or key/salt lengths %zu/%zu",
		            (unsigned)keys->profile, keys->key_len, keys->salt_len);
		return NULL;
	}
	if (!known)
		known = &none;
	srtp = g_new0(struct cau_srtp, 1);
	srtp->profile = keys->profile;
	if (!create_session(&srtp->outbound, keys, keys->local_key, keys->local_salt,
	                    ssrc_any_outbound, known->local, known->n_local, error) ||
	    !create_session(&srtp->inbound, keys, keys->remote_key, keys->remote_salt,
	                    ssrc_any_inbound, known->remote, known->n_remote, error) ||
	    !read_trailers(srtp, error))
		return NULL;
	g_debug("[srtp %p] sessions ready: %s, replay window %d", (void *)srtp,
	        cau_srtp_profile_name(srtp->profile), REPLAY_WINDOW);
	return g_steal_pointer(&srtp);
}

void cau_srtp_free(struct cau_srtp *srtp)
{
	if (!srtp)
		return;
	/* srtp_dealloc() zeroes the session keys before freeing them. */
	if (srtp->outbound)
		srtp_dealloc(srtp->outbound);
	if (srtp->inbound)
		srtp_dealloc(srtp->inbound);
	g_free(srtp);
}

enum cau_srtp_profile cau_srtp_get_profile(const struct cau_srtp *srtp)
{
	return srtp->profile;
}

static int map_status(srtp_err_status_t status)
{
	switch (status) {
	case srtp_err_status_ok:
		return 0;
	case srtp_err_status_auth_fail:
		return CAU_SRTP_ERR_AUTH;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return CAU_SRTP_ERR_REPLAY;
	case srtp_err_status_bad_param:
	case srtp_err_status_parse_err:
	case srtp_err_status_bad_mki:
		return CAU_SRTP_ERR_PARAM;
	default:
		return CAU_SRTP_ERR_OTHER;
	}
}

/* Checks the size contract of a protect call; libsrtp 2 itself trusts the caller. */
static int check_protect(size_t len, size_t min_len, size_t cap, size_t trailer)
{
	if (len < min_len || len > (size_t)INT_MAX - CAU_SRTP_MAX_TRAILER_LEN)
		return CAU_SRTP_ERR_PARAM;
	if (cap < len || cap - len < trailer)
		return CAU_SRTP_ERR_NOSPACE;
	return 0;
}

int cau_srtp_protect_rtp(struct cau_srtp *srtp, uint8_t *buf, size_t len, size_t cap,
                         size_t *out_len)
{
	int n = (int)len, ret;

	ret = check_protect(len, RTP_MIN_LEN, cap, srtp->rtp_trailer);
	if (ret < 0)
		return ret;
	ret = map_status(srtp_protect(srtp->outbound, buf, &n));
	if (ret == 0)
		*out_len = (size_t)n;
	return ret;
}

int cau_srtp_protect_rtcp(struct cau_srtp *srtp, uint8_t *buf, size_t len, size_t cap,
                          size_t *out_len)
{
	int n = (int)len, ret;

	ret = check_protect(len, RTCP_MIN_LEN, cap, srtp->rtcp_trailer);
	if (ret < 0)
		return ret;
	ret = map_status(srtp_protect_rtcp(srtp->outbound, buf, &n));
	if (ret == 0)
		*out_len = (size_t)n;
	return ret;
}

int cau_srtp_unprotect_rtp(struct cau_srtp *srtp, uint8_t *buf, size_t len, size_t *out_len)
{
	int n = (int)len, ret;

	if (len < RTP_MIN_LEN || len > (size_t)INT_MAX)
		return CAU_SRTP_ERR_PARAM;
	ret = map_status(srtp_unprotect(srtp->inbound, buf, &n));
	if (ret == 0)
		*out_len = (size_t)n;
	return ret;
}

int cau_srtp_unprotect_rtcp(struct cau_srtp *srtp, uint8_t *buf, size_t len, size_t *out_len)
{
	int n = (int)len, ret;

	if (len < RTCP_MIN_LEN || len > (size_t)INT_MAX)
		return CAU_SRTP_ERR_PARAM;
	ret = map_status(srtp_unprotect_rtcp(srtp->inbound, buf, &n));
	if (ret == 0)
		*out_len = (size_t)n;
	return ret;
}

const char *cau_srtp_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case CAU_SRTP_ERR_AUTH:
		return "authentication failed";
	case CAU_SRTP_ERR_REPLAY:
		return "replayed or too old";
	case CAU_SRTP_ERR_PARAM:
		return "malformed or too short packet";
	case CAU_SRTP_ERR_NOSPACE:
		return "no room for the SRTP trailer";
	default:
		return "SRTP failure";
	}
}
