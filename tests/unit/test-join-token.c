/* SPDX-License-Identifier: MIT */
/* Unit tests of join tokens: round trip, tampering, expiry, another secret, truncation,
 * and the secret file (created once, 0600, refused when others may read it). */
#include "control/join_token.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct join_claims claims = {
    .meeting_id = 42,
    .endpoint_id = 1337,
    .role = JOIN_ROLE_PARTICIPANT,
    .expires_at = G_GINT64_CONSTANT(1751864400000), /* 2025-07-07 12:00 Hà Nội */
};

static struct join_secret secret_of(guint8 fill)
{
	struct join_secret s;

	memset(s.key, fill, sizeof s.key);
	return s;
}

static void expect_refused(const struct join_secret *s, const char *token, gint64 now,
                           const char *message)
{
	g_autoptr(GError) error = NULL;
	struct join_claims out = {0};

	g_assert_false(join_token_verify(s, token, now, &out, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED);
	g_assert_cmpstr(error->message, ==, message);
	g_assert_cmpint(out.meeting_id, ==, 0);
}

static void test_round_trip(void)
{
	struct join_secret s = secret_of(7);
	static const enum join_role roles[] = {JOIN_ROLE_CHAIR, JOIN_ROLE_PARTICIPANT,
	                                       JOIN_ROLE_VIEWER};

	for (guint i = 0; i < G_N_ELEMENTS(roles); i++) {
		struct join_claims in = claims, out = {0};
		g_autoptr(GError) error = NULL;
		g_autofree char *token = NULL;

		in.role = roles[i];
		token = join_token_sign(&s, &in);
		g_assert_cmpuint(strlen(token), ==, JOIN_TOKEN_CHARS);
		/* URL-safe: nothing a path segment would need to escape. */
		for (const char *p = token; *p; p++)
			g_assert_true(g_ascii_isalnum(*p) || *p == '-' || *p == '_');
		g_assert_true(join_token_verify(&s, token, in.expires_at - 1, &out, &error));
		g_assert_no_error(error);
		g_assert_cmpint(out.meeting_id, ==, 42);
		g_assert_cmpint(out.endpoint_id, ==, 1337);
		g_assert_cmpint(out.role, ==, roles[i]);
		g_assert_cmpint(out.expires_at, ==, in.expires_at);
	}
	g_assert_cmpstr(join_role_name(JOIN_ROLE_VIEWER), ==, "viewer");
	g_assert_cmpint(join_role_from_name("chair"), ==, JOIN_ROLE_CHAIR);
	g_assert_cmpint(join_role_from_name("king"), ==, 0);
}

/* Every single-character change anywhere in the token is refused. */
static void test_tampering(void)
{
	struct join_secret s = secret_of(7);
	g_autofree char *token = join_token_sign(&s, &claims);
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	for (guint i = 0; i < JOIN_TOKEN_CHARS; i++) {
		g_autofree char *copy = g_strdup(token);
		const char *pos = strchr(alphabet, copy[i]);
		copy[i] = alphabet[(pos - alphabet + 1) % 64];
		expect_refused(&s, copy, claims.expires_at - 1, "invalid join token");
	}
	/* A forged token for another meeting, re-encoded with a guessed MAC. */
	struct join_claims other = claims;
	other.meeting_id = 43;
	g_autofree char *forged = join_token_sign(&s, &other);
	g_autofree char *head = g_strndup(forged, 35);
	g_autofree char *spliced = g_strconcat(head, token + 35, NULL);
	expect_refused(&s, spliced, claims.expires_at - 1, "invalid join token");
}

static void test_expiry(void)
{
	struct join_secret s = secret_of(7);
	g_autofree char *token = join_token_sign(&s, &claims);
	struct join_claims out;

	g_assert_true(join_token_verify(&s, token, claims.expires_at - 1, &out, NULL));
	expect_refused(&s, token, claims.expires_at, "join token expired");
	expect_refused(&s, token, claims.expires_at + 3600000, "join token expired");
}

static void test_wrong_secret(void)
{
	struct join_secret s = secret_of(7), other = secret_of(8);
	g_autofree char *token = join_token_sign(&s, &claims);

	expect_refused(&other, token, claims.expires_at - 1, "invalid join token");
}

static void test_malformed(void)
{
	struct join_secret s = secret_of(7);
	g_autofree char *token = join_token_sign(&s, &claims);
	g_autofree char *truncated = g_strndup(token, JOIN_TOKEN_CHARS - 1);
	g_autofree char *longer = g_strconcat(token, "A", NULL);
	g_autofree char *padded = g_strconcat(token, "==", NULL);
	g_autofree char *standard = g_strdup(token);
	g_autofree char *non_canonical = g_strdup(token);
	const char *last;

	for (char *p = standard; *p; p++)
		*p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
	/* The last character carries 2 bits of data and 4 that must be zero. */
	last = strchr("AQgw", token[JOIN_TOKEN_CHARS - 1]);
	g_assert_nonnull(last);
	non_canonical[JOIN_TOKEN_CHARS - 1] = (char)(token[JOIN_TOKEN_CHARS - 1] + 1);
	expect_refused(&s, truncated, 0, "invalid join token");
	expect_refused(&s, "", 0, "invalid join token");
	expect_refused(&s, NULL, 0, "invalid join token");
	expect_refused(&s, longer, 0, "invalid join token");
	expect_refused(&s, padded, 0, "invalid join token");
	expect_refused(&s, non_canonical, 0, "invalid join token");
	if (strcmp(standard, token) != 0)
		expect_refused(&s, standard, 0, "invalid join token");
	expect_refused(&s, "not a token at all, but exactly seventy-eight characters long........",
	               0, "invalid join token");
}

static void test_secret_file(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("cau-join-XXXXXX", &error);
	g_autofree char *data = g_build_filename(dir, "data", NULL);
	g_autofree char *path = g_build_filename(data, JOIN_SECRET_FILE, NULL);
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	struct join_secret first, again;
	struct stat st;

	/* Created once, with the folder, private to the user. */
	g_assert_true(join_secret_load(data, &first, &error));
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpint(st.st_size, ==, JOIN_SECRET_BYTES);
	/* Read back the same: tokens survive a restart. */
	g_assert_true(join_secret_load(data, &again, &error));
	g_assert_cmpmem(first.key, sizeof first.key, again.key, sizeof again.key);
	/* Readable by others: refused with the fix. */
	g_assert_cmpint(g_chmod(path, 0644), ==, 0);
	g_assert_false(join_secret_load(data, &again, &error));
	g_assert_nonnull(strstr(error->message, "may be read by others (mode 0644)"));
	g_assert_nonnull(strstr(error->message, "chmod 600"));
	g_clear_error(&error);
	/* The wrong size: refused. */
	g_assert_cmpint(g_chmod(path, 0600), ==, 0);
	g_assert_true(g_file_set_contents(path, "short", -1, NULL));
	g_assert_cmpint(g_chmod(path, 0600), ==, 0);
	g_assert_false(join_secret_load(data, &again, &error));
	g_assert_nonnull(strstr(error->message, "must hold exactly 32 bytes (it holds 5)"));
	g_assert_cmpint(system(cmd), ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/join-token/round-trip", test_round_trip);
	g_test_add_func("/join-token/tampering", test_tampering);
	g_test_add_func("/join-token/expiry", test_expiry);
	g_test_add_func("/join-token/wrong-secret", test_wrong_secret);
	g_test_add_func("/join-token/malformed", test_malformed);
	g_test_add_func("/join-token/secret-file", test_secret_file);
	return g_test_run();
}
