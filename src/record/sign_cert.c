/* SPDX-License-Identifier: MIT */
/* A self-signed ECDSA P-256 certificate for an organisation that has configured none. */
#define G_LOG_DOMAIN "cau-sign"
#include "sign_private.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <unistd.h>

#define VALID_DAYS 3650
#define NAME_CHARS 64 /* ub-organization-name, ub-common-name (RFC 5280) */

static bool add_extension(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
	bool ok = ext && X509_add_ext(x, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok;
}

static bool set_names(X509 *x, const char *organisation)
{
	X509_NAME *name = X509_get_subject_name(x);
	g_autofree char *cut = g_utf8_strlen(organisation, -1) > NAME_CHARS
	                           ? g_utf8_substring(organisation, 0, NAME_CHARS)
	                           : g_strdup(organisation);
	const unsigned char *text = (const unsigned char *)cut;

	return X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"VN", -1,
	                                  -1, 0) == 1 &&
	       X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, text, -1, -1, 0) == 1 &&
	       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, text, -1, -1, 0) == 1 &&
	       X509_set_issuer_name(x, name) == 1;
}

static X509 *make_certificate(EVP_PKEY *key, const char *organisation)
{
	X509 *x = X509_new();
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	X509V3_CTX ctx;
	bool ok;

	RAND_bytes(serial, sizeof serial);
	serial[0] &= 0x7f; /* a positive number */
	bn = BN_bin2bn(serial, sizeof serial, NULL);
	ok = x && X509_set_version(x, X509_VERSION_3) &&
	     BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) &&
	     X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
	     X509_time_adj_ex(X509_getm_notAfter(x), VALID_DAYS, 0, NULL) &&
	     set_names(x, organisation) && X509_set_pubkey(x, key);
	BN_free(bn);
	if (ok) {
		X509V3_set_ctx_nodb(&ctx);
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		/* Its own CA, so that `cau verify --ca` can be given this very file. */
		ok = add_extension(x, &ctx, NID_basic_constraints, "critical,CA:TRUE") &&
		     add_extension(x, &ctx, NID_key_usage,
		                   "critical,digitalSignature,nonRepudiation,keyCertSign") &&
		     add_extension(x, &ctx, NID_subject_key_identifier, "hash") &&
		     X509_sign(x, key, EVP_sha256()) > 0;
	}
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Opens `path` for writing, failing when it exists. */
static FILE *create_exclusive(const char *path, int mode, GError **error)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f) {
		g_set_error(error, SIGN_ERROR, SIGN_ERROR_FAILED, "cannot create %s: %s", path,
		            g_strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return f;
}

static bool write_pem(const char *path, int mode, EVP_PKEY *key, X509 *cert, GError **error)
{
	FILE *f = create_exclusive(path, mode, error);
	bool ok;

	if (!f)
		return false;
	ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1
	         : PEM_write_X509(f, cert) == 1;
	ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
	ok = fclose(f) == 0 && ok;
	if (!ok) {
		sign_set_openssl_error(error, SIGN_ERROR_FAILED, path);
		unlink(path);
	}
	return ok;
}

bool signer_create_self_signed(const char *cert_path, const char *key_path,
                               const char *organisation, GError **error)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = key ? make_certificate(key, organisation) : NULL;
	bool ok = false;

	if (!cert) {
		sign_set_openssl_error(error, SIGN_ERROR_FAILED,
		                       "cannot make a self-signed certificate");
		goto out;
	}
	if (g_file_test(cert_path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, SIGN_ERROR, SIGN_ERROR_FAILED, "%s exists already", cert_path);
		goto out;
	}
	/* The key first: a certificate without its key would be of no use. */
	if (!write_pem(key_path, 0600, key, NULL, error))
		goto out;
	if (!write_pem(cert_path, 0644, NULL, cert, error)) {
		unlink(key_path);
		goto out;
	}
	ok = true;
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	return ok;
}
