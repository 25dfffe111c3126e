/* SPDX-License-Identifier: MIT */
/* Unit tests of the material type sniffer: the real sample files of
 * tests/fuzz/corpus/filetype (made by tools/make-sample-materials.py), the refused
 * look-alikes beside them, every truncation of the samples, and garbage. */
#include "control/filetype.h"

#include <glib.h>
#include <string.h>

static GBytes *sample(const char *name)
{
	g_autofree char *path = g_build_filename(g_getenv("CAU_TEST_SOURCE_DIR"), "tests", "fuzz",
	                                         "corpus", "filetype", name, NULL);
	g_autoptr(GError) error = NULL;
	char *data = NULL;
	gsize len = 0;

	g_file_get_contents(path, &data, &len, &error);
	g_assert_no_error(error);
	return g_bytes_new_take(data, len);
}

static enum filetype sniff(GBytes *bytes, gsize len, const char **detected)
{
	/* A private copy of exactly `len` bytes, so that an overread shows under ASan. */
	g_autofree guint8 *copy = g_memdup2(g_bytes_get_data(bytes, NULL), len);

	return filetype_sniff(copy, len, detected);
}

static const struct {
	const char *file;
	enum filetype type;
	const char *name, *mime;
} accepted[] = {
    {"sample.pdf", FILETYPE_PDF, "pdf", "application/pdf"},
    {"sample.docx", FILETYPE_DOCX, "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"sample.xlsx", FILETYPE_XLSX, "xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"sample.pptx", FILETYPE_PPTX, "pptx",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"sample.odt", FILETYPE_ODT, "odt", "application/vnd.oasis.opendocument.text"},
    {"sample.ods", FILETYPE_ODS, "ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"sample.odp", FILETYPE_ODP, "odp", "application/vnd.oasis.opendocument.presentation"},
    {"sample.png", FILETYPE_PNG, "png", "image/png"},
    {"sample.jpg", FILETYPE_JPEG, "jpeg", "image/jpeg"},
    {"sample.webp", FILETYPE_WEBP, "webp", "image/webp"},
};

static void test_real_files(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(accepted); i++) {
		g_autoptr(GBytes) bytes = sample(accepted[i].file);
		const char *detected = NULL;
		enum filetype type = sniff(bytes, g_bytes_get_size(bytes), &detected);

		g_test_message("%s: %s", accepted[i].file, detected);
		g_assert_cmpint(type, ==, accepted[i].type);
		g_assert_cmpstr(filetype_name(type), ==, accepted[i].name);
		g_assert_cmpstr(filetype_mime(type), ==, accepted[i].mime);
	}
	g_assert_null(filetype_name(FILETYPE_UNKNOWN));
	g_assert_cmpstr(filetype_mime(FILETYPE_UNKNOWN), ==, "application/octet-stream");
}

static void test_refused_files(void)
{
	static const struct {
		const char *file, *says;
	} refused[] = {
	    {"refused-exe-named.pdf", "a Windows program (MZ executable)"},
	    {"refused-text.pdf", "plain text"},
	    {"refused-cut.pdf", "without its end marker"},
	    {"refused-cut.docx", "damaged or cut-short ZIP archive"},
	    {"refused-cut.png", "damaged PNG"},
	    {"refused-plain.zip", "a ZIP archive that is not an office document"},
	    {"refused-graphics.odg", "OpenDocument file that is not a text"},
	    {"refused-old-office.doc", "old Microsoft Office file"},
	    {"refused-page.html", "an HTML page"},
	    {"refused-empty", "an empty file"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
		g_autoptr(GBytes) bytes = sample(refused[i].file);
		const char *detected = NULL;

		g_assert_cmpint(sniff(bytes, g_bytes_get_size(bytes), &detected), ==,
		                FILETYPE_UNKNOWN);
		g_test_message("%s: %s", refused[i].file, detected);
		g_assert_nonnull(strstr(detected, refused[i].says));
	}
}

/* A file cut short is refused for every format with an end to check: ZIP's central
 * directory, PNG's IEND, WebP's RIFF size, PDF's %%EOF (up to where it starts). JPEG
 * has no such check; its prefixes must only be safe to read. */
static void test_truncations(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(accepted); i++) {
		g_autoptr(GBytes) bytes = sample(accepted[i].file);
		gsize len = g_bytes_get_size(bytes), must_refuse_below = len;

		if (accepted[i].type == FILETYPE_PDF)
			must_refuse_below =
			    (gsize)((const char *)memmem(g_bytes_get_data(bytes, NULL), len,
			                                 "%%EOF", 5) -
			            (const char *)g_bytes_get_data(bytes, NULL)) +
			    5;
		if (accepted[i].type == FILETYPE_JPEG)
			must_refuse_below = 4;
		for (gsize cut = 0; cut < len; cut++) {
			const char *detected = NULL;
			enum filetype type = sniff(bytes, cut, &detected);
			g_assert_nonnull(detected);
			if (cut < must_refuse_below && type != FILETYPE_UNKNOWN)
				g_error("%s cut to %zu bytes taken for %s", accepted[i].file, cut,
				        filetype_name(type));
		}
	}
}

/* Random bytes, alone and behind each format's magic, never read out of bounds (ASan)
 * and are refused. */
static void test_garbage(void)
{
	static const struct {
		const char *bytes;
		size_t len;
	} magics[] = {
	    {"", 0},
	    {"%PDF-1.7\n", 9},
	    {"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16},
	    {"RIFF\xff\xff\xff\x7fWEBPVP8 ", 16},
	    {"PK\x03\x04", 4},
	    /* a local header naming "mimetype" first, as OpenDocument has */
	    {"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x08\0\0\0mimetype", 38},
	};
	GRand *rand = g_rand_new_with_seed(20240506);

	for (gsize m = 0; m < G_N_ELEMENTS(magics); m++) {
		for (int round = 0; round < 300; round++) {
			gsize len = (gsize)g_rand_int_range(rand, 0, 3000);
			g_autofree guint8 *data = g_malloc(len + 1);
			const char *detected = NULL;

			for (gsize k = 0; k < len; k++)
				data[k] = (guint8)g_rand_int(rand);
			memcpy(data, magics[m].bytes, MIN(magics[m].len, len));
			g_assert_cmpint(filetype_sniff(data, len, &detected), ==, FILETYPE_UNKNOWN);
			g_assert_nonnull(detected);
		}
	}
	g_rand_free(rand);
}

/* A ZIP whose end record points its directory past the end, and one whose entry's name
 * runs out of the directory: both refused as damaged. */
static void test_lying_zip(void)
{
	g_autoptr(GBytes) docx = sample("sample.docx");
	gsize len = g_bytes_get_size(docx);
	g_autofree guint8 *bad = g_memdup2(g_bytes_get_data(docx, NULL), len);
	const char *detected = NULL;
	guint8 *eocd = bad + len - 22;
	guint32 cd_offset = eocd[16] | eocd[17] << 8;

	g_assert_cmpmem(eocd, 4, "PK\x05\x06", 4);
	eocd[16] = 0xf0; /* directory offset far past the end */
	eocd[19] = 0x7f;
	g_assert_cmpint(filetype_sniff(bad, len, &detected), ==, FILETYPE_UNKNOWN);
	g_assert_nonnull(strstr(detected, "damaged"));
	memcpy(bad, g_bytes_get_data(docx, NULL), len);
	bad[cd_offset + 28] = 0xff; /* first entry's name length */
	bad[cd_offset + 29] = 0xff;
	g_assert_cmpint(filetype_sniff(bad, len, &detected), ==, FILETYPE_UNKNOWN);
	g_assert_nonnull(strstr(detected, "damaged"));
}

/* What text says about itself: a BOM and leading blanks do not hide HTML; a UTF-8
 * character cut by the 4 KiB window is still text; a NUL makes it binary. */
static void test_text_kinds(void)
{
	g_autofree char *long_text = g_strnfill(5000, 'a');
	const char *detected = NULL;

	memcpy(long_text + 4095, "\xe1\xba\xa1", 3); /* "ạ" across the window's end */
	g_assert_cmpint(filetype_sniff((const guint8 *)long_text, 5000, &detected), ==,
	                FILETYPE_UNKNOWN);
	g_assert_cmpstr(detected, ==, "plain text");
	filetype_sniff((const guint8 *)"\xef\xbb\xbf  <html>", 11, &detected);
	g_assert_cmpstr(detected, ==, "an HTML page");
	filetype_sniff((const guint8 *)"#!/bin/sh\nrm -rf /\n", 19, &detected);
	g_assert_cmpstr(detected, ==, "a script");
	filetype_sniff((const guint8 *)"abc\0def", 7, &detected);
	g_assert_cmpstr(detected, ==, "unrecognised binary data");
	filetype_sniff((const guint8 *)"\x7f"
	                               "ELF\x02\x01\x01\0",
	               8, &detected);
	g_assert_cmpstr(detected, ==, "a Linux program (ELF executable)");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/filetype/real-files", test_real_files);
	g_test_add_func("/filetype/refused-files", test_refused_files);
	g_test_add_func("/filetype/truncations", test_truncations);
	g_test_add_func("/filetype/garbage", test_garbage);
	g_test_add_func("/filetype/lying-zip", test_lying_zip);
	g_test_add_func("/filetype/text-kinds", test_text_kinds);
	return g_test_run();
}
