/* SPDX-License-Identifier: MIT */
/* `cau verify FILE [--signature FILE.p7s] [--ca CERT.pem]`: checks a file (minutes, a
 * recording's manifest, or anything signed the same way) against its detached CMS
 * signature, and a manifest's recording against the manifest, offline, with no
 * configuration or database. */
#include "app.h"
#include "commands.h"
#include "record/sign.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#define MANIFEST_FORMAT "cau-recording-manifest"

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

/* After a valid signature of a recording's manifest: the recording it names, beside it,
 * has the size and SHA-256 it states. Returns the exit code. */
static int check_recording(const char *manifest_path, JsonObject *rec)
{
	const char *name = json_object_get_string_member_with_default(rec, "file", "");
	const char *want = json_object_get_string_member_with_default(rec, "sha256", "");
	gint64 want_size = json_object_get_int_member_with_default(rec, "size", -1);
	g_autofree char *dir = g_path_get_dirname(manifest_path);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GMappedFile) file = NULL;
	g_autofree char *have = NULL;
	gsize len;

	if (!*name || strchr(name, '/')) {
		printf("INVALID: %s names no recording file\n", manifest_path);
		return 1;
	}
	if (!(file = open_file(path, "recording")))
		return 2;
	len = g_mapped_file_get_length(file);
	have = g_compute_checksum_for_data(
	    G_CHECKSUM_SHA256, (const guchar *)(len ? g_mapped_file_get_contents(file) : ""), len);
	printf("%-11s %s\n", "recording", path);
	printf("%-11s %s\n", "sha256", have);
	if ((gint64)len != want_size || strcmp(have, want) != 0) {
		printf("INVALID: %s: %" G_GSIZE_FORMAT
		       " bytes with SHA-256 %s, the manifest states "
		       "%" G_GINT64_FORMAT " bytes with SHA-256 %s\n",
		       name, len, have, want_size, want);
		return 1;
	}
	printf("recording matches its signed manifest (%s)\n",
	       json_object_get_string_member_with_default(rec, "state", "?"));
	return 0;
}

/* The recording a manifest describes, when `file` is one; NULL otherwise. */
static JsonObject *manifest_recording(JsonParser *parser, GMappedFile *file)
{
	JsonNode *root;
	JsonObject *doc;

	if (!json_parser_load_from_data(parser, g_mapped_file_get_contents(file),
	                                (gssize)g_mapped_file_get_length(file), NULL) ||
	    !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	doc = json_node_get_object(root);
	if (g_strcmp0(json_object_get_string_member_with_default(doc, "format", ""),
	              MANIFEST_FORMAT) != 0 ||
	    !json_object_has_member(doc, "recording") ||
	    !JSON_NODE_HOLDS_OBJECT(json_object_get_member(doc, "recording")))
		return NULL;
	return json_object_get_object_member(doc, "recording");
}

/* A recording (NAME.webm) is checked through its manifest, NAME.manifest.json, when it
 * has no signature of its own. Returns the path to check (caller frees). */
static char *subject_of(const char *path, bool has_signature_option)
{
	g_autofree char *own = g_strconcat(path, ".p7s", NULL);

	if (!has_signature_option && g_str_has_suffix(path, ".webm") &&
	    !g_file_test(own, G_FILE_TEST_EXISTS)) {
		g_autofree char *stem = g_strndup(path, strlen(path) - strlen(".webm"));
		return g_strconcat(stem, ".manifest.json", NULL);
	}
	return g_strdup(path);
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
	         "1 when not, 2 on a usage error. A recording (NAME.webm) is checked through its "
	         "signed manifest NAME.manifest.json. Needs nothing but the files.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2) {
		fprintf(stderr,
		        "cau verify: %s\nusage: cau verify FILE [--signature FILE.p7s] "
		        "[--ca CERT.pem]\n",
		        error ? error->message : "name one file");
		return 2;
	}
	g_autofree char *path = subject_of(argv[1], signature != NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *rec;
	int code;

	if (!signature)
		signature = g_strconcat(path, ".p7s", NULL);
	if (!(file = open_file(path, "file")) || !(sig = open_file(signature, "signature")))
		return 2;
	code = check(path, file, sig, ca);
	if (code == 0 && (rec = manifest_recording(parser, file)))
		code = check_recording(path, rec);
	return code;
}
