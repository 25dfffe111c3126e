/* SPDX-License-Identifier: MIT */
/* Unit tests of signing: the self-signed organisation certificate, detached CMS
 * signatures made and verified, a changed byte refused, a signature of other bytes
 * refused, the chain checked against the right CA and refused against another. */
#include "record/sign.h"

#include <glib/gstdio.h>

#include <stdlib.h>
#include <string.h>

#define ORG "Ủy ban nhân dân tỉnh Lâm Đồng"

struct keys {
	char *dir;
	char *cert, *key; /* the organisation */
	char *other_cert; /* another organisation, as a wrong CA */
	struct signer *org;
};

static void keys_setup(struct keys *k, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *other_key = NULL;

	k->dir = g_dir_make_tmp("cau-sign-XXXXXX", &error);
	g_assert_no_error(error);
	k->cert = g_build_filename(k->dir, "org.pem", NULL);
	k->key = g_build_filename(k->dir, "org.key", NULL);
	k->other_cert = g_build_filename(k->dir, "other.pem", NULL);
	other_key = g_build_filename(k->dir, "other.key", NULL);
	g_assert_true(signer_create_self_signed(k->cert, k->key, ORG, &error));
	g_assert_no_error(error);
	g_assert_true(
	    signer_create_self_signed(k->other_cert, other_key, "Phường Bến Nghé", &error));
	k->org = signer_load(k->cert, k->key, &error);
	g_assert_no_error(error);
}

static void keys_teardown(struct keys *k, gconstpointer data)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", k->dir);

	signer_free(k->org);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(k->dir);
	g_free(k->cert);
	g_free(k->key);
	g_free(k->other_cert);
}

static void test_self_signed(struct keys *k, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	GStatBuf st;

	g_assert_cmpstr(signer_subject(k->org), ==, "CN=" ORG ",O=" ORG ",C=VN");
	g_assert_cmpstr(signer_organisation(k->org), ==, ORG);
	g_assert_cmpint(g_stat(k->key, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	/* never overwritten */
	g_assert_false(signer_create_self_signed(k->cert, k->key, ORG, &error));
	g_assert_error(error, SIGN_ERROR, SIGN_ERROR_FAILED);
}

static void test_round_trip(struct keys *k, gconstpointer data)
{
	static const char doc[] = "{\"meeting\":{\"title\":\"Họp giao ban Xã Tân Phú\"}}";
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) sig = signer_sign(k->org, doc, strlen(doc), &error);
	struct sign_verification v;
	gint64 now = g_get_real_time() / 1000;

	g_assert_no_error(error);
	g_assert_true(sign_verify(doc, strlen(doc), g_bytes_get_data(sig, NULL),
	                          g_bytes_get_size(sig), NULL, &v, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(v.subject, ==, signer_subject(k->org));
	g_assert_cmpstr(v.issuer, ==, signer_subject(k->org));
	g_assert_false(v.chain_checked);
	g_assert_cmpint(v.signing_time_ms, <=, now + 1000);
	g_assert_cmpint(v.signing_time_ms, >=, now - 60000);
	sign_verification_clear(&v);
	/* with the organisation's own certificate as the CA */
	g_assert_true(sign_verify(doc, strlen(doc), g_bytes_get_data(sig, NULL),
	                          g_bytes_get_size(sig), k->cert, &v, &error));
	g_assert_no_error(error);
	g_assert_true(v.chain_checked);
	sign_verification_clear(&v);
}

static void test_tampered(struct keys *k, gconstpointer data)
{
	static const char doc[] = "Biên bản họp Phường Bến Nghé";
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) sig = signer_sign(k->org, doc, strlen(doc), &error);
	g_autofree char *changed = g_strdup(doc);
	g_autofree guint8 *bad_sig = g_memdup2(g_bytes_get_data(sig, NULL), g_bytes_get_size(sig));
	gsize n = g_bytes_get_size(sig);
	struct sign_verification v;

	/* one byte of the content changed */
	changed[5] ^= 1;
	g_assert_false(sign_verify(changed, strlen(changed), bad_sig, n, NULL, &v, &error));
	g_assert_error(error, SIGN_ERROR, SIGN_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "does not match"));
	sign_verification_clear(&v);
	g_clear_error(&error);
	/* one byte of the signature value (at the end of the DER) changed */
	bad_sig[n - 3] ^= 0x40;
	g_assert_false(sign_verify(doc, strlen(doc), bad_sig, n, NULL, &v, &error));
	g_assert_true(g_error_matches(error, SIGN_ERROR, SIGN_ERROR_INVALID) ||
	              g_error_matches(error, SIGN_ERROR, SIGN_ERROR_MALFORMED));
	sign_verification_clear(&v);
	g_clear_error(&error);
	/* not a signature at all */
	g_assert_false(sign_verify(doc, strlen(doc), doc, strlen(doc), NULL, &v, &error));
	g_assert_error(error, SIGN_ERROR, SIGN_ERROR_MALFORMED);
	sign_verification_clear(&v);
}

static void test_wrong_ca(struct keys *k, gconstpointer data)
{
	static const char doc[] = "Xã Tân Phú";
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) sig = signer_sign(k->org, doc, strlen(doc), &error);
	struct sign_verification v;

	g_assert_false(sign_verify(doc, strlen(doc), g_bytes_get_data(sig, NULL),
	                           g_bytes_get_size(sig), k->other_cert, &v, &error));
	g_assert_error(error, SIGN_ERROR, SIGN_ERROR_UNTRUSTED);
	g_assert_nonnull(strstr(error->message, "does not chain to"));
	/* the signature itself was fine: the signer is known */
	g_assert_cmpstr(v.subject, ==, signer_subject(k->org));
	sign_verification_clear(&v);
	g_clear_error(&error);
	g_assert_false(sign_verify(doc, strlen(doc), g_bytes_get_data(sig, NULL),
	                           g_bytes_get_size(sig), "/nonexistent/ca.pem", &v, &error));
	g_assert_error(error, SIGN_ERROR, SIGN_ERROR_FAILED);
	sign_verification_clear(&v);
}

static void test_load_errors(struct keys *k, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *other_key = g_build_filename(k->dir, "other.key", NULL);

	g_assert_null(signer_load("/nonexistent.pem", k->key, &error));
	g_assert_error(error, SIGN_ERROR, SIGN_ERROR_FAILED);
	g_clear_error(&error);
	g_assert_null(signer_load(k->key, k->key, &error)); /* a key is no certificate */
	g_assert_nonnull(strstr(error->message, "no PEM certificate"));
	g_clear_error(&error);
	g_assert_null(signer_load(k->cert, other_key, &error));
	g_assert_nonnull(strstr(error->message, "does not belong to the certificate"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add("/sign/" name, struct keys, NULL, keys_setup, fn, keys_teardown)
	ADD("self-signed", test_self_signed);
	ADD("round-trip", test_round_trip);
	ADD("tampered", test_tampered);
	ADD("wrong-ca", test_wrong_ca);
	ADD("load-errors", test_load_errors);
	return g_test_run();
}
