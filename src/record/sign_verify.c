/* SPDX-License-Identifier: MIT */
/* Verification of detached CMS signatures, and of the signer against a CA. */
#define G_LOG_DOMAIN "cau-sign"
#include "sign_private.h"

/* pem.h first: cms.h declares the PEM functions of CMS only after it. */
#include <openssl/pem.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <string.h>
#include <time.h>

void sign_verification_clear(struct sign_verification *v)
{
	g_clear_pointer(&v->subject, g_free);
	g_clear_pointer(&v->issuer, g_free);
}

/* Reads DER, or PEM ("CMS" or "PKCS7"). */
static CMS_ContentInfo *read_cms(const void *signature, size_t len, GError **error)
{
	BIO *in = BIO_new_mem_buf(signature, (int)MIN(len, (size_t)G_MAXINT));
	CMS_ContentInfo *cms = d2i_CMS_bio(in, NULL);

	if (!cms) {
		BIO_free(in);
		in = BIO_new_mem_buf(signature, (int)MIN(len, (size_t)G_MAXINT));
		cms = PEM_read_bio_CMS(in, NULL, NULL, NULL);
	}
	BIO_free(in);
	ERR_clear_error();
	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		g_set_error(error, SIGN_ERROR, SIGN_ERROR_MALFORMED,
		            "not a CMS/PKCS#7 signature (signed-data, DER or PEM)");
		CMS_ContentInfo_free(cms);
		return NULL;
	}
	if (!CMS_is_detached(cms)) {
		g_set_error(error, SIGN_ERROR, SIGN_ERROR_MALFORMED,
		            "the signature carries its own content; a detached signature is "
		            "expected");
		CMS_ContentInfo_free(cms);
		return NULL;
	}
	return cms;
}

/* The signed signingTime attribute of the first signer, in Unix ms, or 0. */
static gint64 signing_time(CMS_ContentInfo *cms)
{
	STACK_OF(CMS_SignerInfo) *infos = CMS_get0_SignerInfos(cms);
	CMS_SignerInfo *si = infos ? sk_CMS_SignerInfo_value(infos, 0) : NULL;
	int idx = si ? CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) : -1;
	X509_ATTRIBUTE *attr = idx >= 0 ? CMS_signed_get_attr(si, idx) : NULL;
	ASN1_TYPE *value = attr ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
	struct tm tm;

	if (!value || (value->type != V_ASN1_UTCTIME && value->type != V_ASN1_GENERALIZEDTIME))
		return 0;
	if (ASN1_TIME_to_tm((const ASN1_TIME *)value->value.asn1_string, &tm) != 1)
		return 0;
	return (gint64)timegm(&tm) * 1000;
}

/* Checks that `cert` chains to a certificate of `ca_pem`, with the certificates the
 * signature carries as intermediates, at `at_ms` (0: now). */
static bool check_chain(CMS_ContentInfo *cms, X509 *cert, const char *ca_pem, gint64 at_ms,
                        GError **error)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *carried = CMS_get1_certs(cms);
	bool ok = false;

	if (X509_STORE_load_file(store, ca_pem) != 1) {
		g_autofree char *what =
		    g_strdup_printf("cannot read the CA certificates %s", ca_pem);
		sign_set_openssl_error(error, SIGN_ERROR_FAILED, what);
		goto out;
	}
	if (X509_STORE_CTX_init(ctx, store, cert, carried) != 1) {
		sign_set_openssl_error(error, SIGN_ERROR_FAILED, "cannot check the chain");
		goto out;
	}
	if (at_ms)
		X509_STORE_CTX_set_time(ctx, 0, (time_t)(at_ms / 1000));
	if (X509_verify_cert(ctx) == 1) {
		ok = true;
		goto out;
	}
	g_set_error(error, SIGN_ERROR, SIGN_ERROR_UNTRUSTED,
	            "the signer's certificate does not chain to %s: %s", ca_pem,
	            X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
out:
	ERR_clear_error();
	sk_X509_pop_free(carried, X509_free);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

bool sign_verify(const void *data, size_t len, const void *signature, size_t signature_len,
                 const char *ca_pem, struct sign_verification *out, GError **error)
{
	CMS_ContentInfo *cms = NULL;
	BIO *content = NULL;
	STACK_OF(X509) *signers = NULL;
	X509 *cert;
	bool ok = false;

	memset(out, 0, sizeof *out);
	if (len > G_MAXINT) {
		g_set_error(error, SIGN_ERROR, SIGN_ERROR_FAILED, "the file is too large");
		return false;
	}
	cms = read_cms(signature, signature_len, error);
	if (!cms)
		return false;
	out->signing_time_ms = signing_time(cms);
	content = BIO_new_mem_buf(data, (int)len);
	/* First the signature alone: the signer's key signed exactly these bytes. */
	if (CMS_verify(cms, NULL, NULL, content, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) !=
	    1) {
		sign_set_openssl_error(error, SIGN_ERROR_INVALID,
		                       "the signature does not match this file");
		goto out;
	}
	signers = CMS_get0_signers(cms);
	cert = signers && sk_X509_num(signers) > 0 ? sk_X509_value(signers, 0) : NULL;
	if (!cert) {
		g_set_error(error, SIGN_ERROR, SIGN_ERROR_INVALID,
		            "the signature carries no signer certificate");
		goto out;
	}
	out->subject = sign_name_text(X509_get_subject_name(cert));
	out->issuer = sign_name_text(X509_get_issuer_name(cert));
	out->chain_checked = ca_pem != NULL;
	ok = !ca_pem || check_chain(cms, cert, ca_pem, out->signing_time_ms, error);
out:
	ERR_clear_error();
	sk_X509_free(signers);
	BIO_free(content);
	CMS_ContentInfo_free(cms);
	return ok;
}
