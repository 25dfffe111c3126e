/* SPDX-License-Identifier: MIT */
/* `cau verify FILE [--signature FILE.p7s] [--ca CERT.pem]`: checks a file (minutes, or
 * anything signed the same way) against its detached CMS signature, offline, with no
 * configuration or database. */
#include "app.h"
#include "commands.h"
#include "record/sign.h"

#include <stdio.h>

static GMappedFile *open_file(const char *path, const char *what)
{
	g_autoptr(GError) error = NULL;
	GMappedFile *f = g_mapped_file_new(path, FALSE, &error);

	if (!f)
		fprintf(stderr, "cau verify: cannot read the %s: %s\n", what, error->message);
	return f;
}

static void print_time(const char *label, gint64 ms)
{
	g_autoptr(GDateTime) t = NULL;
	g_autofree char *text = NULL;

	if (!ms) {
		printf("%-11s (not stated)\n", label);
		return;
	}
	t = g_date_time_new_from_unix_utc(ms / 1000);
	text = g_date_time_format(t, "%Y-%m-%d %H:%M:%S UTC");
	printf("%-11s %s\n", label, text);
}

/* Checks the signature; prints what it found; returns the exit code. */
static int check(const char *path, GMappedFile *file, GMappedFile *sig, const char *ca)
{
	g_autoptr(GError) error = NULL;
	const char *data = g_mapped_file_get_contents(file);
	gsize len = g_mapped_file_get_length(file);
	g_autofree char *sha256 =
	    g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)(data ? data : ""), len);
	struct sign_verification v;
	bool ok = sign_verify(data ? data : "", len, g_mapped_file_get_contents(sig),
	                      g_mapped_file_get_length(sig), ca, &v, &error);

	printf("%-11s %s\n", "file", path);
	printf("%-11s %s\n", "sha256", sha256);
	if (v.subject) {
		printf("%-11s %s\n", "signer", v.subject);
		printf("%-11s %s\n", "issuer", v.issuer);
		print_time("signed at", v.signing_time_ms);
	}
	sign_verification_clear(&v);
	if (!ok && g_error_matches(error, SIGN_ERROR, SIGN_ERROR_FAILED)) {
		fprintf(stderr, "cau verify: %s\n", error->message);
		return 2;
	}
	if (!ok) {
		printf("INVALID: %s\n", error->message);
		return 1;
	}
	if (ca)
		printf("signature valid; signer certified by %s\n", ca);
	else
		printf("signature valid; signer not checked against a CA: pass --ca to do so\n");
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	g_autofree char *signature = NULL, *ca = NULL;
	GOptionEntry entries[] = {
	    {"signature", 's', 0, G_OPTION_ARG_FILENAME, &signature,
	     "the detached CMS signature (DER or PEM; default: FILE.p7s)", "FILE.p7s"},
	    {"ca", 0, 0, G_OPTION_ARG_FILENAME, &ca,
	     "also check that the signer's certificate chains to a certificate of this PEM file",
	     "CERT.pem"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("FILE");
	g_autoptr(GError) error = NULL;
	g_autoptr(GMappedFile) file = NULL, sig = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(
	    ctx, "Check FILE against its detached CMS signature: exit 0 when the signature is "
	         "valid for exactly these bytes (and, with --ca, the signer chains to that CA), "
	         "1 when not, 2 on a usage error. Needs nothing but the files.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2) {
		fprintf(stderr,
		        "cau verify: %s\nusage: cau verify FILE [--signature FILE.p7s] "
		        "[--ca CERT.pem]\n",
		        error ? error->message : "name one file");
		return 2;
	}
	if (!signature)
		signature = g_strconcat(argv[1], ".p7s", NULL);
	if (!(file = open_file(argv[1], "file")) || !(sig = open_file(signature, "signature")))
		return 2;
	return check(argv[1], file, sig, ca);
}
