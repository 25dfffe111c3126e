/* SPDX-License-Identifier: MIT */
/* Content-addressed blobs: temp file, fsync, rename into DATA/blobs/ab/cdef... */
#define G_LOG_DOMAIN "cau-blobstore"
#include "blobstore.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define TEMP_PREFIX  "upload-"
#define WRITE_BUFFER (256 * 1024)

struct blobstore {
	char *blobs_dir;
	char *tmp_dir;
};

struct blob_writer {
	struct blobstore *bs;
	char *temp_path;
	int fd;
	GChecksum *hash;
	char *sha256;
	gint64 size;
	guint8 *buffer;
	size_t buffered;
	bool committed;
};

static bool set_errno_error(GError **error, int err, const char *what, const char *path)
{
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s %s: %s", what, path,
	            g_strerror(err));
	return false;
}

/* fsync of a folder, so that a rename or unlink in it survives a crash. */
static bool sync_dir(const char *dir, GError **error)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return set_errno_error(error, errno, "cannot open", dir);
	if (fsync(fd) != 0) {
		int err = errno;
		close(fd);
		return set_errno_error(error, err, "cannot fsync", dir);
	}
	close(fd);
	return true;
}

/* Removes the temp files of uploads that a crash interrupted. */
static void clean_tmp(struct blobstore *bs)
{
	g_autoptr(GDir) dir = g_dir_open(bs->tmp_dir, 0, NULL);
	const char *name;
	guint removed = 0;

	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree char *path = NULL;
		if (!g_str_has_prefix(name, TEMP_PREFIX))
			continue;
		path = g_build_filename(bs->tmp_dir, name, NULL);
		if (g_unlink(path) == 0)
			removed++;
		else
			g_warning("[blobstore %s] cannot remove %s: %s", bs->blobs_dir, path,
			          g_strerror(errno));
	}
	if (removed)
		g_info("[blobstore %s] removed %u temp files of interrupted uploads", bs->blobs_dir,
		       removed);
}

struct blobstore *blobstore_open(const char *data_dir, GError **error)
{
	g_autofree char *blobs = g_build_filename(data_dir, "blobs", NULL);
	g_autofree char *tmp = g_build_filename(data_dir, "tmp", NULL);
	struct blobstore *bs;

	if (g_mkdir_with_parents(blobs, 0750) != 0 || g_mkdir_with_parents(tmp, 0750) != 0) {
		set_errno_error(error, errno, "cannot create the blob folders in", data_dir);
		return NULL;
	}
	bs = g_new0(struct blobstore, 1);
	bs->blobs_dir = g_steal_pointer(&blobs);
	bs->tmp_dir = g_steal_pointer(&tmp);
	clean_tmp(bs);
	return bs;
}

void blobstore_free(struct blobstore *bs)
{
	if (!bs)
		return;
	g_free(bs->blobs_dir);
	g_free(bs->tmp_dir);
	g_free(bs);
}

static bool valid_name(const char *sha256)
{
	if (!sha256 || strlen(sha256) != BLOB_SHA256_HEX)
		return false;
	for (const char *p = sha256; *p; p++) {
		if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
			return false;
	}
	return true;
}

char *blobstore_path(const struct blobstore *bs, const char *sha256)
{
	char prefix[3];

	if (!valid_name(sha256))
		return NULL;
	memcpy(prefix, sha256, 2);
	prefix[2] = '\0';
	return g_build_filename(bs->blobs_dir, prefix, sha256 + 2, NULL);
}

bool blobstore_has(const struct blobstore *bs, const char *sha256)
{
	g_autofree char *path = blobstore_path(bs, sha256);

	return path && g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

bool blobstore_remove(struct blobstore *bs, const char *sha256, GError **error)
{
	g_autofree char *path = blobstore_path(bs, sha256);
	g_autofree char *dir = NULL;

	if (!path) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "\"%s\" is not a blob name",
		            sha256);
		return false;
	}
	if (g_unlink(path) != 0 && errno != ENOENT)
		return set_errno_error(error, errno, "cannot remove", path);
	dir = g_path_get_dirname(path);
	g_rmdir(dir); /* only when empty; a folder left behind is harmless */
	return true;
}

GPtrArray *blobstore_list(const struct blobstore *bs, GError **error)
{
	g_autoptr(GDir) top = g_dir_open(bs->blobs_dir, 0, error);
	g_autoptr(GPtrArray) names = NULL;
	const char *prefix;

	if (!top)
		return NULL;
	names = g_ptr_array_new_with_free_func(g_free);
	while ((prefix = g_dir_read_name(top))) {
		g_autofree char *path = g_build_filename(bs->blobs_dir, prefix, NULL);
		g_autoptr(GDir) sub = g_dir_open(path, 0, NULL);
		const char *rest;

		while (sub && strlen(prefix) == 2 && (rest = g_dir_read_name(sub))) {
			g_autofree char *name = g_strconcat(prefix, rest, NULL);
			if (valid_name(name))
				g_ptr_array_add(names, g_steal_pointer(&name));
		}
	}
	return g_steal_pointer(&names);
}

struct blob_writer *blob_writer_new(struct blobstore *bs, GError **error)
{
	g_autofree char *path = g_build_filename(bs->tmp_dir, TEMP_PREFIX "XXXXXX", NULL);
	int fd = g_mkstemp_full(path, O_WRONLY | O_CLOEXEC, 0640);
	struct blob_writer *w;

	if (fd < 0) {
		set_errno_error(error, errno, "cannot create a temp file in", bs->tmp_dir);
		return NULL;
	}
	w = g_new0(struct blob_writer, 1);
	w->bs = bs;
	w->temp_path = g_steal_pointer(&path);
	w->fd = fd;
	w->hash = g_checksum_new(G_CHECKSUM_SHA256);
	w->buffer = g_malloc(WRITE_BUFFER);
	return w;
}

void blob_writer_free(struct blob_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (!w->committed && g_unlink(w->temp_path) != 0 && errno != ENOENT)
		g_warning("[blobstore %s] cannot remove %s: %s", w->bs->blobs_dir, w->temp_path,
		          g_strerror(errno));
	g_checksum_free(w->hash);
	g_free(w->temp_path);
	g_free(w->sha256);
	g_free(w->buffer);
	g_free(w);
}

static bool flush(struct blob_writer *w, GError **error)
{
	size_t done = 0;

	while (done < w->buffered) {
		ssize_t n = write(w->fd, w->buffer + done, w->buffered - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return set_errno_error(error, errno, "cannot write", w->temp_path);
		done += (size_t)n;
	}
	w->buffered = 0;
	return true;
}

bool blob_writer_write(struct blob_writer *w, const void *data, size_t len, GError **error)
{
	const guint8 *p = data;

	if (w->sha256) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_CLOSED, "write to a finished blob");
		return false;
	}
	g_checksum_update(w->hash, data, (gssize)len);
	w->size += (gint64)len;
	while (len > 0) {
		size_t n = MIN(len, WRITE_BUFFER - w->buffered);
		memcpy(w->buffer + w->buffered, p, n);
		w->buffered += n;
		p += n;
		len -= n;
		if (w->buffered == WRITE_BUFFER && !flush(w, error))
			return false;
	}
	return true;
}

gint64 blob_writer_size(const struct blob_writer *w)
{
	return w->size;
}

bool blob_writer_finish(struct blob_writer *w, GError **error)
{
	if (w->sha256)
		return true;
	if (!flush(w, error))
		return false;
	if (fsync(w->fd) != 0)
		return set_errno_error(error, errno, "cannot fsync", w->temp_path);
	w->sha256 = g_strdup(g_checksum_get_string(w->hash));
	return true;
}

const char *blob_writer_sha256(const struct blob_writer *w)
{
	return w->sha256;
}

GBytes *blob_writer_map(struct blob_writer *w, GError **error)
{
	g_autoptr(GMappedFile) mapped = NULL;

	g_return_val_if_fail(w->sha256 != NULL, NULL);
	mapped = g_mapped_file_new(w->temp_path, FALSE, error);
	return mapped ? g_mapped_file_get_bytes(mapped) : NULL;
}

bool blob_writer_commit(struct blob_writer *w, bool *existed, GError **error)
{
	g_autofree char *path = NULL, *dir = NULL;

	g_return_val_if_fail(w->sha256 != NULL && !w->committed, false);
	path = blobstore_path(w->bs, w->sha256);
	dir = g_path_get_dirname(path);
	if (existed)
		*existed = g_file_test(path, G_FILE_TEST_IS_REGULAR);
	if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		/* Same content, same name: keep the stored copy. */
		g_unlink(w->temp_path);
		w->committed = true;
		return true;
	}
	if (g_mkdir(dir, 0750) != 0 && errno != EEXIST)
		return set_errno_error(error, errno, "cannot create", dir);
	if (g_rename(w->temp_path, path) != 0)
		return set_errno_error(error, errno, "cannot rename into", path);
	w->committed = true;
	/* The rename (and a new folder) must be durable before a row points at the blob. */
	return sync_dir(dir, error) && sync_dir(w->bs->blobs_dir, error);
}
