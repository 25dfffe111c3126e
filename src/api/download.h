/* SPDX-License-Identifier: MIT */
/* Serving stored files over HTTP: single byte ranges (RFC 9110), ETags, and file names
 * in Content-Disposition (RFC 6266 with RFC 8187/5987 encoding), without reading the
 * file into memory. */
#pragma once

#include <libsoup/soup.h>
#include <stdbool.h>

enum download_range {
	DOWNLOAD_RANGE_NONE,          /* send the whole file */
	DOWNLOAD_RANGE_OK,            /* send bytes first..last */
	DOWNLOAD_RANGE_UNSATISFIABLE, /* answer 416 */
};

/* Parses the Range header `header` (may be NULL) for a file of `size` bytes. One range
 * is understood: "bytes=a-b", "bytes=a-", "bytes=-n" (the last n bytes); `*first` and
 * `*last` receive the inclusive byte positions, cut to the file. A range starting past
 * the end, or an empty suffix, is unsatisfiable. Anything else (no header, another unit,
 * several ranges, bad syntax) is DOWNLOAD_RANGE_NONE: the whole file is sent, as RFC
 * 9110 allows. Pure. */
enum download_range download_range_parse(const char *header, gint64 size, gint64 *first,
                                         gint64 *last);

/* The Content-Disposition value offering `file_name` (UTF-8): `disposition` ("attachment"
 * or "inline"), an ASCII fallback `filename="..."` (diacritics dropped: "Báo cáo.pdf" ->
 * "Bao cao.pdf") and `filename*=UTF-8''...` percent-encoded, which current browsers use.
 * Pure; caller frees. */
char *download_content_disposition(const char *disposition, const char *file_name);

/* What to serve. */
struct download_file {
	const char *path;      /* the file on disk, never modified while it exists */
	gint64 size;           /* its expected size; a different size is an error */
	const char *mime;      /* Content-Type */
	const char *etag;      /* a strong validator, without quotes (the content's SHA-256) */
	const char *file_name; /* offered to save as */
};

/* Answers `msg` with the file: 200 with the whole file, 206 with a satisfiable single
 * Range (honouring If-Range), 416 with "Content-Range: bytes * / size" otherwise, or 304
 * when If-None-Match has the ETag. Sets Accept-Ranges, ETag, Content-Type,
 * Content-Disposition, X-Content-Type-Options. The file is mapped and handed to libsoup,
 * which writes it out without copying it into memory. Fails (nothing answered) when the
 * file cannot be mapped or has the wrong size. */
bool download_serve(SoupServerMessage *msg, const struct download_file *file, GError **error);
