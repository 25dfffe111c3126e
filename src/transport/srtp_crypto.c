/* SPDX-License-Identifier: MIT */
/* SRTP's ciphers and MAC on OpenSSL 3 (AES-CTR, AES-GCM, HMAC-SHA1), put into libsrtp in
 * place of Debian's NSS-backed ones, whose every call takes one process-wide lock. */
#define G_LOG_DOMAIN "cau-srtp"
#include "srtp_crypto.h"

#include <gio/gio.h>
#include <limits.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/crypto_types.h>
#include <string.h>

/*
 * Why: Debian builds libsrtp2 against NSS, and NSS's softoken serialises every
 * PK11_Encrypt of the process on one lock, so the mixer thread and every transport worker
 * queue behind each other (docs/performance.md). OpenSSL's EVP contexts share nothing
 * once made: each SRTP session gets its own.
 *
 * libsrtp checks a replacement against its own test vectors before taking it
 * (srtp_replace_cipher_type() runs the existing type's self test on the new code), so a
 * mistake here refuses to load rather than corrupting media; the test data are the
 * library's, borrowed from the type being replaced.
 */

/* In libsrtp's crypto kernel, not in its installed headers. */
const srtp_cipher_type_t *srtp_crypto_kernel_get_cipher_type(srtp_cipher_type_id_t id);
const srtp_auth_type_t *srtp_crypto_kernel_get_auth_type(srtp_auth_type_id_t id);

#define ICM_SALT_LEN  14
#define GCM_SALT_LEN  12
#define HMAC_SHA1_LEN 20

/* The types as registered (libsrtp keeps these pointers): a cipher or MAC made must point
 * at its registered type, whose id libsrtp reads (key derivation depends on it). */
static srtp_cipher_type_t icm128, icm256, gcm128, gcm256;
static srtp_auth_type_t sha1;

/* Fetched once: an implicit fetch per packet would take OpenSSL's provider lock. */
static EVP_CIPHER *aes_ctr[3], *aes_gcm[3]; /* 128, 192, 256 */
static EVP_MAC *hmac;

static int aes_index(int key_bytes)
{
	return key_bytes == 16 ? 0 : key_bytes == 24 ? 1 : key_bytes == 32 ? 2 : -1;
}

/* ---- AES in counter mode (RFC 3711 4.1.1): IV = (salt || 0 0) XOR the packet's IV ---- */

struct icm_state {
	EVP_CIPHER_CTX *ctx;
	int key_bytes;
	uint8_t salt[16]; /* the session salt, in the first 14 bytes */
};

struct gcm_state {
	EVP_CIPHER_CTX *ctx;
	int key_bytes;
	int tag_len;
	int encrypting;
};

/* Both cipher states start with their EVP context and live right after the cipher. */
#define STATE_SIZE MAX(sizeof(struct icm_state), sizeof(struct gcm_state))

static srtp_err_status_t any_dealloc(srtp_cipher_pointer_t c)
{
	EVP_CIPHER_CTX_free(*(EVP_CIPHER_CTX **)c->state);
	OPENSSL_cleanse(c, sizeof(*c) + STATE_SIZE);
	g_free(c);
	return srtp_err_status_ok;
}

static srtp_err_status_t cipher_alloc(srtp_cipher_pointer_t *cp, int key_len, int algorithm,
                                      const srtp_cipher_type_t *type, size_t state_size)
{
	srtp_cipher_t *c = g_try_malloc0(sizeof(*c) + state_size);

	if (!c)
		return srtp_err_status_alloc_fail;
	c->state = c + 1;
	c->type = type;
	c->key_len = key_len;
	c->algorithm = algorithm;
	*cp = c;
	return srtp_err_status_ok;
}

static srtp_err_status_t icm_alloc(srtp_cipher_pointer_t *cp, int key_len, int tag_len)
{
	int key_bytes = key_len - ICM_SALT_LEN;
	struct icm_state *s;
	srtp_err_status_t status;

	if (aes_index(key_bytes) < 0 || key_bytes == 24)
		return srtp_err_status_bad_param;
	status = cipher_alloc(cp, key_len, key_bytes == 16 ? SRTP_AES_ICM_128 : SRTP_AES_ICM_256,
	                      key_bytes == 16 ? &icm128 : &icm256, STATE_SIZE);
	if (status)
		return status;
	s = (*cp)->state;
	s->key_bytes = key_bytes;
	s->ctx = EVP_CIPHER_CTX_new();
	if (!s->ctx) {
		g_free(*cp);
		return srtp_err_status_alloc_fail;
	}
	return srtp_err_status_ok;
}

static srtp_err_status_t icm_init(void *state, const uint8_t *key)
{
	struct icm_state *s = state;

	memset(s->salt, 0, sizeof(s->salt));
	memcpy(s->salt, key + s->key_bytes, ICM_SALT_LEN);
	if (!EVP_EncryptInit_ex(s->ctx, aes_ctr[aes_index(s->key_bytes)], NULL, key, NULL))
		return srtp_err_status_init_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t icm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t direction)
{
	struct icm_state *s = state;
	uint8_t counter[16];

	for (int i = 0; i < 16; i++)
		counter[i] = s->salt[i] ^ iv[i];
	/* Counter mode encrypts and decrypts alike. */
	if (!EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, counter))
		return srtp_err_status_init_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t icm_crypt(void *state, uint8_t *buf, unsigned int *len)
{
	struct icm_state *s = state;
	int out = 0;

	if (*len > INT_MAX || !EVP_EncryptUpdate(s->ctx, buf, &out, buf, (int)*len))
		return srtp_err_status_cipher_fail;
	return srtp_err_status_ok;
}

static const srtp_cipher_type_t icm_type = {
    .alloc = icm_alloc,
    .dealloc = any_dealloc,
    .init = icm_init,
    .encrypt = icm_crypt,
    .decrypt = icm_crypt,
    .set_iv = icm_set_iv,
    .description = "AES-ICM (OpenSSL, Cầu)",
};

/* ---- AES-GCM (RFC 7714): libsrtp computes the 12-byte IV and passes the AAD ---- */

static srtp_err_status_t gcm_alloc(srtp_cipher_pointer_t *cp, int key_len, int tag_len)
{
	int key_bytes = key_len - GCM_SALT_LEN;
	struct gcm_state *s;
	srtp_err_status_t status;

	if ((key_bytes != 16 && key_bytes != 32) || (tag_len != 8 && tag_len != 16))
		return srtp_err_status_bad_param;
	status = cipher_alloc(cp, key_len, key_bytes == 16 ? SRTP_AES_GCM_128 : SRTP_AES_GCM_256,
	                      key_bytes == 16 ? &gcm128 : &gcm256, STATE_SIZE);
	if (status)
		return status;
	s = (*cp)->state;
	s->key_bytes = key_bytes;
	s->tag_len = tag_len;
	s->ctx = EVP_CIPHER_CTX_new();
	if (!s->ctx) {
		g_free(*cp);
		return srtp_err_status_alloc_fail;
	}
	return srtp_err_status_ok;
}

static srtp_err_status_t gcm_init(void *state, const uint8_t *key)
{
	struct gcm_state *s = state;

	if (!EVP_CipherInit_ex(s->ctx, aes_gcm[aes_index(s->key_bytes)], NULL, key, NULL, 1))
		return srtp_err_status_init_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t gcm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t direction)
{
	struct gcm_state *s = state;

	s->encrypting = direction == srtp_direction_encrypt;
	if (!EVP_CipherInit_ex(s->ctx, NULL, NULL, NULL, iv, s->encrypting))
		return srtp_err_status_init_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t gcm_set_aad(void *state, const uint8_t *aad, uint32_t len)
{
	struct gcm_state *s = state;
	int out = 0;

	if (len > INT_MAX || !EVP_CipherUpdate(s->ctx, NULL, &out, aad, (int)len))
		return srtp_err_status_algo_fail;
	return srtp_err_status_ok;
}

/* Encrypts in place; the tag comes from gcm_get_tag(). */
static srtp_err_status_t gcm_encrypt(void *state, uint8_t *buf, unsigned int *len)
{
	struct gcm_state *s = state;
	int out = 0;

	if (!s->encrypting || *len > INT_MAX ||
	    !EVP_CipherUpdate(s->ctx, buf, &out, buf, (int)*len) ||
	    !EVP_CipherFinal_ex(s->ctx, buf + out, &out))
		return srtp_err_status_cipher_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t gcm_get_tag(void *state, uint8_t *tag, uint32_t *len)
{
	struct gcm_state *s = state;

	if (!EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_GCM_GET_TAG, s->tag_len, tag))
		return srtp_err_status_algo_fail;
	*len = (uint32_t)s->tag_len;
	return srtp_err_status_ok;
}

/* buf holds the ciphertext and then the tag; on success *len loses the tag. */
static srtp_err_status_t gcm_decrypt(void *state, uint8_t *buf, unsigned int *len)
{
	struct gcm_state *s = state;
	int out = 0, body;

	if (s->encrypting || *len < (unsigned)s->tag_len || *len > INT_MAX)
		return srtp_err_status_bad_param;
	body = (int)*len - s->tag_len;
	if (!EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_GCM_SET_TAG, s->tag_len, buf + body) ||
	    !EVP_CipherUpdate(s->ctx, buf, &out, buf, body))
		return srtp_err_status_cipher_fail;
	if (!EVP_CipherFinal_ex(s->ctx, buf + out, &out))
		return srtp_err_status_auth_fail;
	*len = (unsigned)body;
	return srtp_err_status_ok;
}

static const srtp_cipher_type_t gcm_type = {
    .alloc = gcm_alloc,
    .dealloc = any_dealloc,
    .init = gcm_init,
    .set_aad = gcm_set_aad,
    .encrypt = gcm_encrypt,
    .decrypt = gcm_decrypt,
    .set_iv = gcm_set_iv,
    .get_tag = gcm_get_tag,
    .description = "AES-GCM (OpenSSL, Cầu)",
};

/* ---- HMAC-SHA1, truncated to the policy's tag length ---- */

struct hmac_state {
	EVP_MAC_CTX *ctx;
};

static srtp_err_status_t hmac_alloc(srtp_auth_pointer_t *ap, int key_len, int out_len)
{
	srtp_auth_t *a;
	struct hmac_state *s;

	if (key_len < 0 || key_len > HMAC_SHA1_LEN || out_len < 0 || out_len > HMAC_SHA1_LEN)
		return srtp_err_status_bad_param;
	a = g_try_malloc0(sizeof(*a) + sizeof(*s));
	if (!a)
		return srtp_err_status_alloc_fail;
	s = (struct hmac_state *)(a + 1);
	s->ctx = EVP_MAC_CTX_new(hmac);
	if (!s->ctx) {
		g_free(a);
		return srtp_err_status_alloc_fail;
	}
	a->state = s;
	a->type = &sha1;
	a->out_len = out_len;
	a->key_len = key_len;
	a->prefix_len = 0;
	*ap = a;
	return srtp_err_status_ok;
}

static srtp_err_status_t hmac_dealloc(srtp_auth_pointer_t a)
{
	struct hmac_state *s = a->state;

	EVP_MAC_CTX_free(s->ctx);
	OPENSSL_cleanse(a, sizeof(*a) + sizeof(*s));
	g_free(a);
	return srtp_err_status_ok;
}

static srtp_err_status_t hmac_init(void *state, const uint8_t *key, int key_len)
{
	struct hmac_state *s = state;
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0),
	    OSSL_PARAM_construct_end(),
	};

	if (!EVP_MAC_init(s->ctx, key, (size_t)key_len, params))
		return srtp_err_status_auth_fail;
	return srtp_err_status_ok;
}

/* Restarts with the key given to hmac_init(). */
static srtp_err_status_t hmac_start(void *state)
{
	struct hmac_state *s = state;

	if (!EVP_MAC_init(s->ctx, NULL, 0, NULL))
		return srtp_err_status_auth_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t hmac_update(void *state, const uint8_t *buf, int len)
{
	struct hmac_state *s = state;

	if (len < 0 || !EVP_MAC_update(s->ctx, buf, (size_t)len))
		return srtp_err_status_auth_fail;
	return srtp_err_status_ok;
}

static srtp_err_status_t hmac_compute(void *state, const uint8_t *buf, int len, int tag_len,
                                      uint8_t *tag)
{
	struct hmac_state *s = state;
	uint8_t full[HMAC_SHA1_LEN];
	size_t out = 0;

	if (tag_len < 0 || tag_len > HMAC_SHA1_LEN || hmac_update(state, buf, len) ||
	    !EVP_MAC_final(s->ctx, full, &out, sizeof(full)))
		return srtp_err_status_auth_fail;
	memcpy(tag, full, (size_t)tag_len);
	return srtp_err_status_ok;
}

static const srtp_auth_type_t hmac_type = {
    .alloc = hmac_alloc,
    .dealloc = hmac_dealloc,
    .init = hmac_init,
    .compute = hmac_compute,
    .update = hmac_update,
    .start = hmac_start,
    .description = "HMAC-SHA1 (OpenSSL, Cầu)",
};

/* ---- installing them ---- */

static bool fetch_all(void)
{
	static const char *const ctr[] = {"AES-128-CTR", "AES-192-CTR", "AES-256-CTR"};
	static const char *const gcm[] = {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"};

	for (int i = 0; i < 3; i++) {
		aes_ctr[i] = EVP_CIPHER_fetch(NULL, ctr[i], NULL);
		aes_gcm[i] = EVP_CIPHER_fetch(NULL, gcm[i], NULL);
		if (!aes_ctr[i] || !aes_gcm[i])
			return false;
	}
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	return hmac != NULL;
}

/* A copy of `ours` with the test vectors of the type it replaces. */
static srtp_err_status_t replace_cipher(const srtp_cipher_type_t *ours, srtp_cipher_type_id_t id,
                                        srtp_cipher_type_t *slot)
{
	const srtp_cipher_type_t *theirs = srtp_crypto_kernel_get_cipher_type(id);

	if (!theirs)
		return srtp_err_status_ok; /* not in this build: nothing to replace */
	*slot = *ours;
	slot->test_data = theirs->test_data;
	slot->id = id;
	return srtp_replace_cipher_type(slot, id);
}

bool srtp_crypto_install(GError **error)
{
	const srtp_auth_type_t *theirs_sha1;
	srtp_err_status_t status;
	const char *what = NULL;

	if (!fetch_all()) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "srtp: OpenSSL lacks AES-CTR, AES-GCM or HMAC");
		return false;
	}
	if ((status = replace_cipher(&icm_type, SRTP_AES_ICM_128, &icm128)))
		what = "AES-ICM-128";
	else if ((status = replace_cipher(&icm_type, SRTP_AES_ICM_256, &icm256)))
		what = "AES-ICM-256";
	else if ((status = replace_cipher(&gcm_type, SRTP_AES_GCM_128, &gcm128)))
		what = "AES-GCM-128";
	else if ((status = replace_cipher(&gcm_type, SRTP_AES_GCM_256, &gcm256)))
		what = "AES-GCM-256";
	else if ((theirs_sha1 = srtp_crypto_kernel_get_auth_type(SRTP_HMAC_SHA1))) {
		sha1 = hmac_type;
		sha1.test_data = theirs_sha1->test_data;
		sha1.id = SRTP_HMAC_SHA1;
		if ((status = srtp_replace_auth_type(&sha1, SRTP_HMAC_SHA1)))
			what = "HMAC-SHA1";
	}
	if (what) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "srtp: the OpenSSL %s failed libsrtp's self test (status %d)", what,
		            (int)status);
		return false;
	}
	return true;
}
