/* SPDX-License-Identifier: MIT */
/* Content-addressed file storage in the data folder: DATA/blobs/ab/cdef... named by the
 * SHA-256 of the content (so equal files are stored once), written through temp files
 * in DATA/tmp that are fsync'd and renamed into place, so a crash never leaves a
 * half-written blob. Used from the control thread only. */
#pragma once

#include <gio/gio.h>
#include <stdbool.h>

#define BLOB_SHA256_HEX 64

typedef struct blobstore blobstore;
typedef struct blob_writer blob_writer;

/* Opens (creating) DATA/blobs and DATA/tmp under `data_dir` and removes the temp files
 * that uploads interrupted by a crash left in DATA/tmp. Caller owns the result. */
struct blobstore *blobstore_open(const char *data_dir, GError **error);
void blobstore_free(struct blobstore *bs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(blobstore, blobstore_free)

/* The path of the blob `sha256` (64 lower-case hex digits), whether or not it exists;
 * NULL when `sha256` is not such a name. Caller frees. */
char *blobstore_path(const struct blobstore *bs, const char *sha256);

/* Whether the blob `sha256` is stored. */
bool blobstore_has(const struct blobstore *bs, const char *sha256);

/* Removes the blob `sha256`; no error when it is already gone. */
bool blobstore_remove(struct blobstore *bs, const char *sha256, GError **error);

/* The names (SHA-256 hex) of every stored blob; caller owns the array. */
GPtrArray *blobstore_list(const struct blobstore *bs, GError **error);

/* Starts writing a new blob into a temp file of DATA/tmp. Caller owns the writer; freeing
 * it before blob_writer_commit() removes the temp file. */
struct blob_writer *blob_writer_new(struct blobstore *bs, GError **error);
void blob_writer_free(struct blob_writer *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(blob_writer, blob_writer_free)

/* Appends `len` bytes (hashed on the way). Fails on a write error (disk full). */
bool blob_writer_write(struct blob_writer *w, const void *data, size_t len, GError **error);

/* Bytes written so far. */
gint64 blob_writer_size(const struct blob_writer *w);

/* Ends the writing: flushes and fsyncs the temp file and fixes the SHA-256. Further
 * writes are refused. Idempotent. */
bool blob_writer_finish(struct blob_writer *w, GError **error);

/* After blob_writer_finish(): the SHA-256 (hex, owned by the writer), and the content
 * mapped read-only (not read into memory) for inspection; caller unrefs the bytes. */
const char *blob_writer_sha256(const struct blob_writer *w);
GBytes *blob_writer_map(struct blob_writer *w, GError **error);

/* Puts the finished blob in place: renamed atomically to its content address (and the
 * folder fsync'd), or, when that blob is stored already, the temp file removed.
 * `*existed` (may be NULL) tells which. */
bool blob_writer_commit(struct blob_writer *w, bool *existed, GError **error);
