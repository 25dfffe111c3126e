/* SPDX-License-Identifier: MIT */
/* The DTLS context: the process's certificate and key, its fingerprint, the SSL_CTX. */
#define G_LOG_DOMAIN "cau-dtls"

#include "transport/dtls_private.h"

#include <errno.h>
#include <gio/gio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

/*
 * DTLS 1.2 suites with forward secrecy, AEAD first. The server side only ever uses the
 * ECDSA ones (its certificate is ECDSA); the RSA ones are for clients talking to peers
 * with RSA certificates (older Firefox, some SIP gateways). The CBC-SHA suites stay for
 * old stacks that lack GCM in DTLS.
 */
static const char cipher_list[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                  "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                  "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                                  "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
                                  "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA";

/* RFC 5764 names; the order is the preference (a server picks the first one both have). */
static const char default_srtp_profiles[] = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";

#define CERT_VALID_DAYS 365

static void set_openssl_error(GError **error, const char *what)
{
	char detail[256] = "no detail";
	unsigned long code = ERR_peek_last_error();

	if (code)
		ERR_error_string_n(code, detail, sizeof(detail));
	ERR_clear_error();
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "dtls: %s: %s", what, detail);
}

const EVP_MD *dtls_fingerprint_md(const char *alg)
{
	static const struct {
		const char *name;
		const EVP_MD *(*md)(void);
	} table[] = {
	    {"sha-1", EVP_sha1},     {"sha-224", EVP_sha224}, {"sha-256", EVP_sha256},
	    {"sha-384", EVP_sha384}, {"sha-512", EVP_sha512},
	};

	if (!alg)
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
		if (g_ascii_strcasecmp(alg, table[i].name) == 0)
			return table[i].md();
	}
	return NULL;
}

void dtls_fingerprint_format(const uint8_t *digest, size_t len, char *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		out[3 * i] = hex[digest[i] >> 4];
		out[3 * i + 1] = hex[digest[i] & 0xf];
		out[3 * i + 2] = i + 1 < len ? ':' : '\0';
	}
	if (len == 0)
		out[0] = '\0';
}

bool dtls_fingerprint_parse(const char *text, uint8_t *out, size_t len)
{
	if (!text || len == 0 || strlen(text) != 3 * len - 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		const char *p = text + 3 * i;
		int hi = g_ascii_xdigit_value(p[0]), lo = g_ascii_xdigit_value(p[1]);

		if (hi < 0 || lo < 0 || (i + 1 < len && p[2] != ':'))
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* A self-signed certificate for key; its serial is random as RFC 5280 asks. */
static X509 *make_certificate(EVP_PKEY *key)
{
	X509 *cert = X509_new();
	BIGNUM *serial = BN_new();
	X509_NAME *name;
	bool ok;

	ok = cert && serial && X509_set_version(cert, X509_VERSION_3) &&
	     BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
	     BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) &&
	     X509_gmtime_adj(X509_getm_notBefore(cert), -24 * 3600) &&
	     X509_gmtime_adj(X509_getm_notAfter(cert), (long)CERT_VALID_DAYS * 24 * 3600) &&
	     X509_set_pubkey(cert, key);
	if (ok) {
		name = X509_get_subject_name(cert);
		ok = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		                                (const unsigned char *)"cau", -1, -1, 0) &&
		     X509_set_issuer_name(cert, name) && X509_sign(cert, key, EVP_sha256()) > 0;
	}
	BN_free(serial);
	if (!ok) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

static bool generate_identity(X509 **cert, EVP_PKEY **key, GError **error)
{
	*key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!*key) {
		set_openssl_error(error, "cannot generate an ECDSA P-256 key");
		return false;
	}
	*cert = make_certificate(*key);
	if (!*cert) {
		set_openssl_error(error, "cannot make a self-signed certificate");
		return false;
	}
	return true;
}

static bool load_identity(const char *cert_file, const char *key_file, X509 **cert, EVP_PKEY **key,
                          GError **error)
{
	g_autofree char *what = NULL;
	BIO *in;

	in = BIO_new_file(cert_file, "r");
	if (in) {
		*cert = PEM_read_bio_X509(in, NULL, NULL, NULL);
		BIO_free(in);
	}
	if (!*cert) {
		what = g_strdup_printf("cannot read a PEM certificate from %s", cert_file);
		set_openssl_error(error, what);
		return false;
	}
	in = BIO_new_file(key_file, "r");
	if (in) {
		*key = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL);
		BIO_free(in);
	}
	if (!*key) {
		what = g_strdup_printf("cannot read a PEM private key from %s", key_file);
		set_openssl_error(error, what);
		return false;
	}
	if (X509_check_private_key(*cert, *key) != 1) {
		what = g_strdup_printf("the key in %s does not match the certificate in %s",
		                       key_file, cert_file);
		set_openssl_error(error, what);
		return false;
	}
	return true;
}

/* Everything a session inherits: protocol, ciphers, use_srtp, peer verification. */
static bool configure_ssl_ctx(SSL_CTX *ssl_ctx, X509 *cert, EVP_PKEY *key, GError **error)
{
	if (SSL_CTX_use_certificate(ssl_ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ssl_ctx, key) != 1) {
		set_openssl_error(error, "cannot use the certificate");
		return false;
	}
	if (SSL_CTX_set_min_proto_version(ssl_ctx, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ssl_ctx, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ssl_ctx, cipher_list) != 1 ||
	    SSL_CTX_set1_groups_list(ssl_ctx, "X25519:P-256:P-384") != 1) {
		set_openssl_error(error, "cannot set the DTLS 1.2 parameters");
		return false;
	}
	/* Returns 0 on success, unlike the rest of OpenSSL. */
	if (SSL_CTX_set_tlsext_use_srtp(ssl_ctx, default_srtp_profiles) != 0) {
		set_openssl_error(error, "cannot enable use_srtp");
		return false;
	}
	/*
	 * Certificates are self-signed and trusted by their SDP fingerprint alone: ask for the
	 * peer's certificate in both roles and check it ourselves instead of against a CA.
	 */
	SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(ssl_ctx, dtls_verify_peer_certificate, NULL);
	/* One full handshake per peer: no resumption (it would skip the fingerprint check). */
	SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
	                                 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_QUERY_MTU);
	SSL_CTX_set_read_ahead(ssl_ctx, 1);
	return true;
}

static bool set_fingerprint(dtls_context *ctx, X509 *cert, GError **error)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (X509_digest(cert, EVP_sha256(), digest, &len) != 1) {
		set_openssl_error(error, "cannot hash the certificate");
		return false;
	}
	dtls_fingerprint_format(digest, len, ctx->fingerprint);
	return true;
}

dtls_context *dtls_context_new(const char *cert_file, const char *key_file, GError **error)
{
	dtls_context *ctx = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	bool ok;

	if ((cert_file == NULL) != (key_file == NULL)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "dtls: a certificate file needs its key file and the other way round");
		return NULL;
	}
	ERR_clear_error();
	ok = cert_file ? load_identity(cert_file, key_file, &cert, &key, error)
	               : generate_identity(&cert, &key, error);
	if (!ok)
		goto out_free_identity;
	ctx = g_new0(dtls_context, 1);
	g_atomic_ref_count_init(&ctx->refcount);
	ctx->ssl_ctx = SSL_CTX_new(DTLS_method());
	if (!ctx->ssl_ctx) {
		set_openssl_error(error, "cannot make an SSL_CTX");
		goto out_free_context;
	}
	if (!configure_ssl_ctx(ctx->ssl_ctx, cert, key, error) ||
	    !set_fingerprint(ctx, cert, error))
		goto out_free_context;
	g_info("[dtls-context %p] %s certificate, sha-256 fingerprint %s", (void *)ctx,
	       cert_file ? cert_file : "self-signed ECDSA P-256", ctx->fingerprint);
	goto out_free_identity;

out_free_context:
	SSL_CTX_free(ctx->ssl_ctx);
	g_clear_pointer(&ctx, g_free);
out_free_identity:
	/* The SSL_CTX holds its own references. */
	X509_free(cert);
	EVP_PKEY_free(key);
	return ctx;
}

dtls_context *dtls_context_ref(dtls_context *ctx)
{
	g_atomic_ref_count_inc(&ctx->refcount);
	return ctx;
}

void dtls_context_unref(dtls_context *ctx)
{
	if (!ctx || !g_atomic_ref_count_dec(&ctx->refcount))
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	g_free(ctx);
}

const char *dtls_context_get_fingerprint(const dtls_context *ctx)
{
	return ctx->fingerprint;
}
