/* SPDX-License-Identifier: MIT */
/* What dtls.c (sessions) and dtls_context.c (certificate, SSL_CTX) share; not public. */
#pragma once

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "transport/dtls.h"

/* "AB:CD:..." for the longest digest (SHA-512), with its NUL. */
#define DTLS_FINGERPRINT_MAX_STR (EVP_MAX_MD_SIZE * 3)

struct dtls_context {
	gatomicrefcount refcount;
	SSL_CTX *ssl_ctx; /* certificate, key, ciphers, use_srtp, peer verification */
	char fingerprint[DTLS_FINGERPRINT_MAX_STR];
};

/*
 * The digest named by an SDP hash function name (RFC 8122: "sha-256", any case), or NULL.
 */
const EVP_MD *dtls_fingerprint_md(const char *alg);

/* Writes len digest bytes as "AB:CD:..." into out (at least 3 * len bytes). */
void dtls_fingerprint_format(const uint8_t *digest, size_t len, char *out);

/*
 * Parses "AB:CD:..." (either case) of exactly len bytes into out. Returns false if the text
 * is not that.
 */
bool dtls_fingerprint_parse(const char *text, uint8_t *out, size_t len);

/*
 * Checks the peer's certificate against the session's SDP fingerprint. Installed on every
 * SSL_CTX with SSL_CTX_set_cert_verify_callback(); defined in dtls.c.
 */
int dtls_verify_peer_certificate(X509_STORE_CTX *store, void *arg);
