/* SPDX-License-Identifier: MIT */
/* The type of an uploaded file, recognised from its bytes (never from its name): the
 * document and image formats meeting materials may have. Pure: bytes in, type out. */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum filetype {
	FILETYPE_UNKNOWN = 0, /* not one of the accepted types */
	FILETYPE_PDF,
	FILETYPE_DOCX,
	FILETYPE_XLSX,
	FILETYPE_PPTX,
	FILETYPE_ODT,
	FILETYPE_ODS,
	FILETYPE_ODP,
	FILETYPE_PNG,
	FILETYPE_JPEG,
	FILETYPE_WEBP,
};

/* Recognises the whole file `data` of `len` bytes (ZIP-based formats are read from their
 * central directory at the end, so a cut-short file is not taken for a document).
 * Returns FILETYPE_UNKNOWN for anything that is not an accepted type. `*detected` (may
 * be NULL) receives a static phrase naming what the bytes look like, for messages:
 * "a PDF document", "a Windows program (MZ executable)", "plain text", ... Reads only
 * within `data[0..len)`; any input is safe. */
enum filetype filetype_sniff(const uint8_t *data, size_t len, const char **detected);

/* The short name of a type ("pdf", "docx", ...); NULL for FILETYPE_UNKNOWN. */
const char *filetype_name(enum filetype type);

/* The MIME type of a type; "application/octet-stream" for FILETYPE_UNKNOWN. */
const char *filetype_mime(enum filetype type);
