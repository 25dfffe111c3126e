/* SPDX-License-Identifier: MIT */
/* Unit tests of the content-addressed blob store: what is on disk after a commit, after
 * an abandoned write, after a "crash" (a temp file left behind), and deduplication. */
#include "control/blobstore.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
	char *dir;
	struct blobstore *bs;
};

static void setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("cau-blobs-XXXXXX", &error);
	g_assert_no_error(error);
	f->bs = blobstore_open(f->dir, &error);
	g_assert_no_error(error);
}

static void teardown(struct fixture *f, gconstpointer data)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

	blobstore_free(f->bs);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->dir);
}

/* The names in DATA/tmp (sorted). */
static char *tmp_listing(struct fixture *f)
{
	g_autofree char *tmp = g_build_filename(f->dir, "tmp", NULL);
	g_autoptr(GDir) dir = g_dir_open(tmp, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	while (dir && (name = g_dir_read_name(dir)))
		g_ptr_array_add(names, g_strdup(name));
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	g_ptr_array_add(names, NULL);
	return g_strjoinv(" ", (char **)names->pdata);
}

/* Writes `len` bytes of `data` in uneven pieces and finishes the writer. */
static struct blob_writer *write_all(struct fixture *f, const guint8 *data, gsize len)
{
	g_autoptr(GError) error = NULL;
	struct blob_writer *w = blob_writer_new(f->bs, &error);
	gsize done = 0, piece = 1;

	g_assert_no_error(error);
	while (done < len) {
		gsize n = MIN(piece, len - done);
		g_assert_true(blob_writer_write(w, data + done, n, &error));
		done += n;
		piece = piece * 3 + 7;
	}
	g_assert_cmpint(blob_writer_size(w), ==, (gint64)len);
	g_assert_true(blob_writer_finish(w, &error));
	g_assert_no_error(error);
	return w;
}

static void test_commit(struct fixture *f, gconstpointer data)
{
	const gsize len = 3 * 1024 * 1024 + 17; /* several write buffers */
	g_autofree guint8 *content = g_malloc(len);
	g_autofree char *expected = NULL, *path = NULL, *stored = NULL, *listing = NULL;
	g_autofree char *suffix = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) mapped = NULL;
	g_autoptr(blob_writer) w = NULL;
	gsize stored_len = 0;
	bool existed = true;

	for (gsize i = 0; i < len; i++)
		content[i] = (guint8)(i * 7 + i / 251);
	expected = g_compute_checksum_for_data(G_CHECKSUM_SHA256, content, len);
	w = write_all(f, content, len);
	g_assert_cmpstr(blob_writer_sha256(w), ==, expected);
	/* Before the commit: no blob, one temp file, whose mapping is the content. */
	g_assert_false(blobstore_has(f->bs, expected));
	listing = tmp_listing(f);
	g_assert_true(g_str_has_prefix(listing, "upload-") && !strchr(listing, ' '));
	mapped = blob_writer_map(w, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(mapped, NULL), g_bytes_get_size(mapped), content, len);
	g_assert_true(blob_writer_commit(w, &existed, &error));
	g_assert_no_error(error);
	g_assert_false(existed);
	/* After: DATA/blobs/ab/cdef... holds it, DATA/tmp is empty. */
	path = blobstore_path(f->bs, expected);
	suffix = g_strdup_printf("/blobs/%.2s/%s", expected, expected + 2);
	g_assert_true(g_str_has_suffix(path, suffix));
	g_assert_true(g_file_get_contents(path, &stored, &stored_len, &error));
	g_assert_cmpmem(stored, stored_len, content, len);
	g_clear_pointer(&listing, g_free);
	listing = tmp_listing(f);
	g_assert_cmpstr(listing, ==, "");
	g_assert_true(blobstore_has(f->bs, expected));
}

static void test_same_content_stored_once(struct fixture *f, gconstpointer data)
{
	static const guint8 content[] = "%PDF-1.4 Biên bản họp Xã Tân Phú %%EOF";
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) names = NULL;
	g_autofree char *listing = NULL;
	bool existed[2];

	for (int i = 0; i < 2; i++) {
		g_autoptr(blob_writer) w = write_all(f, content, sizeof content);
		g_assert_true(blob_writer_commit(w, &existed[i], &error));
		g_assert_no_error(error);
	}
	g_assert_false(existed[0]);
	g_assert_true(existed[1]);
	names = blobstore_list(f->bs, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(names->len, ==, 1);
	listing = tmp_listing(f);
	g_assert_cmpstr(listing, ==, "");
}

/* A writer dropped before its commit (a refused or broken upload) leaves nothing. */
static void test_abandoned(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) names = NULL;
	g_autofree char *listing = NULL;
	struct blob_writer *unfinished = blob_writer_new(f->bs, &error);
	struct blob_writer *finished = write_all(f, (const guint8 *)"abc", 3);

	g_assert_true(blob_writer_write(unfinished, "half", 4, &error));
	blob_writer_free(unfinished);
	blob_writer_free(finished);
	listing = tmp_listing(f);
	g_assert_cmpstr(listing, ==, "");
	names = blobstore_list(f->bs, &error);
	g_assert_cmpuint(names->len, ==, 0);
}

/* After a crash, the next open removes the uploads' temp files (and only those). */
static void test_open_cleans_tmp(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *left = g_build_filename(f->dir, "tmp", "upload-Ab12Cd", NULL);
	g_autofree char *other = g_build_filename(f->dir, "tmp", "keep.txt", NULL);
	g_autofree char *listing = NULL;

	g_assert_true(g_file_set_contents(left, "half an upload", -1, NULL));
	g_assert_true(g_file_set_contents(other, "not ours", -1, NULL));
	blobstore_free(f->bs);
	f->bs = blobstore_open(f->dir, &error);
	g_assert_no_error(error);
	listing = tmp_listing(f);
	g_assert_cmpstr(listing, ==, "keep.txt");
}

static void test_names_and_remove(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(blob_writer) w = write_all(f, (const guint8 *)"x", 1);
	g_autofree char *sha = NULL, *upper = NULL;
	g_autoptr(GPtrArray) names = NULL;

	g_assert_true(blob_writer_commit(w, NULL, &error));
	sha = g_strdup(blob_writer_sha256(w));
	upper = g_ascii_strup(sha, -1);
	g_assert_null(blobstore_path(f->bs, "../../etc/passwd"));
	g_assert_null(blobstore_path(f->bs, upper));
	g_assert_null(blobstore_path(f->bs, "abc"));
	names = blobstore_list(f->bs, &error);
	g_assert_cmpuint(names->len, ==, 1);
	g_assert_cmpstr(names->pdata[0], ==, sha);
	g_assert_true(blobstore_remove(f->bs, sha, &error));
	g_assert_false(blobstore_has(f->bs, sha));
	g_assert_true(blobstore_remove(f->bs, sha, &error)); /* gone already: fine */
	g_assert_false(blobstore_remove(f->bs, "../x", &error));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/blobstore/commit", struct fixture, NULL, setup, test_commit, teardown);
	g_test_add("/blobstore/same-content-once", struct fixture, NULL, setup,
	           test_same_content_stored_once, teardown);
	g_test_add("/blobstore/abandoned", struct fixture, NULL, setup, test_abandoned, teardown);
	g_test_add("/blobstore/open-cleans-tmp", struct fixture, NULL, setup, test_open_cleans_tmp,
	           teardown);
	g_test_add("/blobstore/names-and-remove", struct fixture, NULL, setup,
	           test_names_and_remove, teardown);
	return g_test_run();
}
