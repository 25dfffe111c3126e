/* SPDX-License-Identifier: MIT */
/* Detached CMS signatures with OpenSSL 3: loading the signer, signing, verifying. */
#define G_LOG_DOMAIN "cau-sign"
#include "sign.h"

#include "sign_private.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <time.h>

G_DEFINE_QUARK(cau - sign - error - quark, sign_error)

struct signer {
	grefcount refs;
	X509 *cert;
	EVP_PKEY *key;
	STACK_OF(X509) * chain; /* the certificates after the first in the PEM file */
	char *subject;
	char *organisation;
};

void sign_set_openssl_error(GError **error, int code, const char *what)
{
	unsigned long e, last = 0;

	while ((e = ERR_get_error()) != 0)
		last = e; /* the last queued error is the closest to the cause */
	if (last && ERR_reason_error_string(last))
		g_set_error(error, SIGN_ERROR, code, "%s: %s", what, ERR_reason_error_string(last));
	else
		g_set_error(error, SIGN_ERROR, code, "%s", what);
}

char *sign_name_text(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n;
	char *text;

	/* RFC 2253 without escaping bytes over 0x7f: UTF-8 stays readable. */
	X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_get_mem_data(b, &data);
	text = g_strndup(data, (gsize)n);
	BIO_free(b);
	return text;
}

/* Never prompt for a pass phrase on the terminal: encrypted keys are refused. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

static bool read_certificates(struct signer *s, const char *cert_path, GError **error)
{
	BIO *in = BIO_new_file(cert_path, "r");
	X509 *extra;

	if (!in) {
		sign_set_openssl_error(error, SIGN_ERROR_FAILED, cert_path);
		return false;
	}
	s->cert = PEM_read_bio_X509(in, NULL, no_password, NULL);
	s->chain = sk_X509_new_null();
	while (s->cert && (extra = PEM_read_bio_X509(in, NULL, no_password, NULL)) != NULL)
		sk_X509_push(s->chain, extra);
	ERR_clear_error(); /* the end of the file reads as "no start line" */
	BIO_free(in);
	if (!s->cert) {
		g_set_error(error, SIGN_ERROR, SIGN_ERROR_FAILED,
		            "%s: no PEM certificate (\"-----BEGIN CERTIFICATE-----\") in it",
		            cert_path);
		return false;
	}
	return true;
}

static bool read_key(struct signer *s, const char *key_path, GError **error)
{
	BIO *in = BIO_new_file(key_path, "r");
	g_autofree char *what = NULL;

	if (!in) {
		sign_set_openssl_error(error, SIGN_ERROR_FAILED, key_path);
		return false;
	}
	s->key = PEM_read_bio_PrivateKey(in, NULL, no_password, NULL);
	BIO_free(in);
	if (!s->key) {
		what = g_strdup_printf("%s: no usable private key (PEM, not encrypted)", key_path);
		sign_set_openssl_error(error, SIGN_ERROR_FAILED, what);
		return false;
	}
	return true;
}

/* The first entry `nid` of `name` as UTF-8, or NULL. */
static char *name_entry(const X509_NAME *name, int nid)
{
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	X509_NAME_ENTRY *e = i >= 0 ? X509_NAME_get_entry(name, i) : NULL;
	unsigned char *utf8 = NULL;
	int n = e ? ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e)) : -1;
	char *text = n >= 0 ? g_strndup((const char *)utf8, (gsize)n) : NULL;

	OPENSSL_free(utf8);
	return text;
}

struct signer *signer_load(const char *cert_path, const char *key_path, GError **error)
{
	g_autoptr(signer) s = g_new0(struct signer, 1);

	g_ref_count_init(&s->refs);
	if (!read_certificates(s, cert_path, error) || !read_key(s, key_path, error))
		return NULL;
	if (X509_check_private_key(s->cert, s->key) != 1) {
		ERR_clear_error();
		g_set_error(error, SIGN_ERROR, SIGN_ERROR_FAILED,
		            "the key %s does not belong to the certificate %s", key_path,
		            cert_path);
		return NULL;
	}
	s->subject = sign_name_text(X509_get_subject_name(s->cert));
	s->organisation = name_entry(X509_get_subject_name(s->cert), NID_organizationName);
	if (!s->organisation)
		s->organisation = name_entry(X509_get_subject_name(s->cert), NID_commonName);
	if (!s->organisation)
		s->organisation = g_strdup(s->subject);
	return g_steal_pointer(&s);
}

struct signer *signer_ref(struct signer *s)
{
	g_ref_count_inc(&s->refs);
	return s;
}

void signer_free(struct signer *s)
{
	if (!s || !g_ref_count_dec(&s->refs))
		return;
	X509_free(s->cert);
	EVP_PKEY_free(s->key);
	sk_X509_pop_free(s->chain, X509_free);
	g_free(s->subject);
	g_free(s->organisation);
	g_free(s);
}

const char *signer_subject(const struct signer *s)
{
	return s->subject;
}

const char *signer_organisation(const struct signer *s)
{
	return s->organisation;
}

GBytes *signer_sign(const struct signer *s, const void *data, size_t len, GError **error)
{
	const unsigned int flags = CMS_DETACHED | CMS_BINARY;
	BIO *content = BIO_new_mem_buf(data, (int)len);
	BIO *out = BIO_new(BIO_s_mem());
	CMS_ContentInfo *cms = CMS_sign(NULL, NULL, s->chain, NULL, flags | CMS_PARTIAL);
	GBytes *result = NULL;
	char *der = NULL;
	long n;

	if (len > G_MAXINT) {
		g_set_error(error, SIGN_ERROR, SIGN_ERROR_FAILED, "too large to sign");
		goto out;
	}
	/* CMS_add1_signer also adds the signer's certificate and, when the content is
	 * finalised, the signingTime attribute. */
	if (!cms || !CMS_add1_signer(cms, s->cert, s->key, EVP_sha256(), flags) ||
	    !CMS_final(cms, content, NULL, flags) || i2d_CMS_bio(out, cms) != 1) {
		sign_set_openssl_error(error, SIGN_ERROR_FAILED, "cannot sign");
		goto out;
	}
	n = BIO_get_mem_data(out, &der);
	result = g_bytes_new(der, (gsize)n);
out:
	CMS_ContentInfo_free(cms);
	BIO_free(content);
	BIO_free(out);
	return result;
}
