/* SPDX-License-Identifier: MIT */
/* Signing documents with the organisation's certificate: detached CMS (PKCS #7)
 * signatures over exact bytes, SHA-256, DER; their verification, optionally against a
 * CA; and a self-signed ECDSA P-256 certificate for servers that have none configured. */
#pragma once

#include <gio/gio.h>
#include <stdbool.h>

#define SIGN_ERROR (sign_error_quark())
GQuark sign_error_quark(void);

enum sign_error_code {
	SIGN_ERROR_FAILED,    /* a file cannot be read or written, a key is unusable, ... */
	SIGN_ERROR_MALFORMED, /* the signature file is not a CMS signed-data structure */
	SIGN_ERROR_INVALID,   /* the signature does not match the content */
	SIGN_ERROR_UNTRUSTED, /* valid, but the signer's certificate does not chain to the CA */
};

typedef struct signer signer;

/* Loads the certificate `cert_path` (PEM; certificates after the first are its chain,
 * which is embedded in every signature) and its private key `key_path` (PEM, not
 * encrypted). Fails naming the file when either cannot be read or they do not belong
 * together. Caller owns a reference; immutable, so any thread may use it. */
struct signer *signer_load(const char *cert_path, const char *key_path, GError **error);
/* Takes another reference (for a worker thread); returns `s`. */
struct signer *signer_ref(struct signer *s);
/* Drops a reference; the last frees. NULL is ignored. */
void signer_free(struct signer *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(signer, signer_free)

/* Writes a new self-signed certificate for `organisation` (UTF-8; C=VN, O and CN set to
 * it), ECDSA P-256, valid ten years, usable as its own CA, to `cert_path` (0644) and
 * its key to `key_path` (0600, written first). Refuses to overwrite either file. */
bool signer_create_self_signed(const char *cert_path, const char *key_path,
                               const char *organisation, GError **error);

/* The subject of the signing certificate, RFC 2253 with UTF-8 kept ("CN=...,O=...,C=VN");
 * owned by `s`. */
const char *signer_subject(const struct signer *s);

/* The organisation named by the certificate: its O, else its CN, else the subject;
 * owned by `s`. */
const char *signer_organisation(const struct signer *s);

/* A detached CMS signature (DER) of the `len` bytes at `data`: SHA-256, the signer's
 * certificate and chain included, the signing time as a signed attribute, the content
 * signed as binary (no MIME canonicalisation). Caller unrefs. */
GBytes *signer_sign(const struct signer *s, const void *data, size_t len, GError **error);

/* What a verification found. */
struct sign_verification {
	char *subject;          /* the signer's certificate subject, as signer_subject() */
	char *issuer;           /* its issuer */
	gint64 signing_time_ms; /* the signed signingTime attribute (Unix ms); 0: none */
	bool chain_checked;     /* a CA was given */
};

/* Checks that `signature` (DER, or PEM "-----BEGIN CMS-----"/"PKCS7") is a valid
 * detached CMS signature of exactly the `len` bytes at `data`, made with the key of the
 * certificate it carries; with `ca_pem` (a PEM file of trusted certificates; NULL: no
 * check) also that this certificate chains to one of them, as of the signing time (or
 * now when the signature states none), for any purpose. Fills `out` (clear it with
 * sign_verification_clear(); filled as far as known even on failure). Errors:
 * SIGN_ERROR_MALFORMED, SIGN_ERROR_INVALID (content or signature altered, or a
 * signature of something else), SIGN_ERROR_UNTRUSTED (with OpenSSL's reason),
 * SIGN_ERROR_FAILED (the CA file). Pure apart from reading `ca_pem`. */
bool sign_verify(const void *data, size_t len, const void *signature, size_t signature_len,
                 const char *ca_pem, struct sign_verification *out, GError **error);
void sign_verification_clear(struct sign_verification *v);
