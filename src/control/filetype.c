/* SPDX-License-Identifier: MIT */
/* File type recognition from magic bytes and, for ZIP-based office formats, the
 * archive's own directory. */
#include "filetype.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#define PDF_EOF_WINDOW 1024 /* "%%EOF" must be this close to the end (as readers expect) */
#define ZIP_EOCD_SIZE  22
#define ZIP_CDH_SIZE   46 /* central directory header without its variable fields */
#define ZIP_LFH_SIZE   30 /* local file header without its variable fields */
#define TEXT_WINDOW    4096

static const struct {
	const char *name, *mime, *phrase;
} types[] = {
    [FILETYPE_UNKNOWN] = {NULL, "application/octet-stream", "unrecognised data"},
    [FILETYPE_PDF] = {"pdf", "application/pdf", "a PDF document"},
    [FILETYPE_DOCX] = {"docx",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       "a Word document (DOCX)"},
    [FILETYPE_XLSX] = {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       "an Excel workbook (XLSX)"},
    [FILETYPE_PPTX] = {"pptx",
                       "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       "a PowerPoint presentation (PPTX)"},
    [FILETYPE_ODT] = {"odt", "application/vnd.oasis.opendocument.text",
                      "an OpenDocument text (ODT)"},
    [FILETYPE_ODS] = {"ods", "application/vnd.oasis.opendocument.spreadsheet",
                      "an OpenDocument spreadsheet (ODS)"},
    [FILETYPE_ODP] = {"odp", "application/vnd.oasis.opendocument.presentation",
                      "an OpenDocument presentation (ODP)"},
    [FILETYPE_PNG] = {"png", "image/png", "a PNG image"},
    [FILETYPE_JPEG] = {"jpeg", "image/jpeg", "a JPEG image"},
    [FILETYPE_WEBP] = {"webp", "image/webp", "a WebP image"},
};

/* Signatures of common binary types that are refused, so the message can say what came. */
static const struct {
	const char *magic;
	size_t len;
	const char *phrase;
} refused[] = {
    {"MZ", 2, "a Windows program (MZ executable)"},
    {"\x7f"
     "ELF",
     4, "a Linux program (ELF executable)"},
    {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8,
     "an old Microsoft Office file (.doc, .xls or .ppt; save it as DOCX, XLSX, PPTX or PDF)"},
    {"GIF87a", 6, "a GIF image"},
    {"GIF89a", 6, "a GIF image"},
    {"\x1f\x8b", 2, "a gzip archive"},
    {"Rar!\x1a\x07", 6, "a RAR archive"},
    {"7z\xbc\xaf\x27\x1c", 6, "a 7-Zip archive"},
    {"BM", 2, "a BMP image"},
    {"II*\0", 4, "a TIFF image"},
    {"MM\0*", 4, "a TIFF image"},
};

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool starts_with(const uint8_t *data, size_t len, const char *magic, size_t magic_len)
{
	return len >= magic_len && memcmp(data, magic, magic_len) == 0;
}

static enum filetype refuse(const char **detected, const char *phrase)
{
	if (detected)
		*detected = phrase;
	return FILETYPE_UNKNOWN;
}

static enum filetype accept(const char **detected, enum filetype type)
{
	if (detected)
		*detected = types[type].phrase;
	return type;
}

static enum filetype sniff_pdf(const uint8_t *data, size_t len, const char **detected)
{
	size_t window = len < PDF_EOF_WINDOW ? len : PDF_EOF_WINDOW;

	if (len < 8 || !g_ascii_isdigit(data[5]) || data[6] != '.' || !g_ascii_isdigit(data[7]))
		return refuse(detected, "a PDF header without a version: not a PDF document");
	if (!memmem(data + len - window, window, "%%EOF", 5))
		return refuse(detected, "a PDF document without its end marker (%%EOF): damaged "
		                        "or cut short");
	return accept(detected, FILETYPE_PDF);
}

static enum filetype sniff_png(const uint8_t *data, size_t len, const char **detected)
{
	static const uint8_t iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};

	/* signature, IHDR (length 13), IEND */
	if (len < 8 + 25 + 12 || le32(data + 8) != 0x0d000000u || memcmp(data + 12, "IHDR", 4))
		return refuse(detected, "a damaged PNG image (no IHDR chunk)");
	if (memcmp(data + len - sizeof iend, iend, sizeof iend) != 0)
		return refuse(detected, "a PNG image cut short (no IEND chunk at the end)");
	return accept(detected, FILETYPE_PNG);
}

static enum filetype sniff_webp(const uint8_t *data, size_t len, const char **detected)
{
	uint32_t riff_size;

	if (len < 20 || memcmp(data + 8, "WEBP", 4) != 0)
		return refuse(detected, "a RIFF file that is not a WebP image (WAV or AVI?)");
	if (memcmp(data + 12, "VP8 ", 4) && memcmp(data + 12, "VP8L", 4) &&
	    memcmp(data + 12, "VP8X", 4))
		return refuse(detected, "a damaged WebP image (no VP8 chunk)");
	riff_size = le32(data + 4);
	if ((uint64_t)riff_size + 8 > len)
		return refuse(detected, "a WebP image cut short");
	return accept(detected, FILETYPE_WEBP);
}

/* The offset of the end-of-central-directory record, or -1. It is the last 22 bytes,
 * or followed by a comment whose length it gives. */
static long find_eocd(const uint8_t *data, size_t len)
{
	size_t lowest, pos;

	if (len < ZIP_EOCD_SIZE)
		return -1;
	lowest = len - ZIP_EOCD_SIZE > 0xffff ? len - ZIP_EOCD_SIZE - 0xffff : 0;
	for (pos = len - ZIP_EOCD_SIZE;; pos--) {
		if (memcmp(data + pos, "PK\x05\x06", 4) == 0 &&
		    pos + ZIP_EOCD_SIZE + le16(data + pos + 20) == len)
			return (long)pos;
		if (pos == lowest)
			return -1;
	}
}

struct zip_parts {
	bool content_types, word, xl, ppt;
};

/* Walks the central directory, noting the OOXML parts present. False when the
 * directory is not where the end record says or an entry runs past it. */
static bool read_central_directory(const uint8_t *data, size_t len, struct zip_parts *parts)
{
	long eocd = find_eocd(data, len);
	uint32_t count, cd_size, cd_offset;
	size_t p, end;

	if (eocd < 0)
		return false;
	count = le16(data + eocd + 10);
	cd_size = le32(data + eocd + 12);
	cd_offset = le32(data + eocd + 16);
	if ((uint64_t)cd_offset + cd_size > (uint64_t)eocd)
		return false;
	p = cd_offset;
	end = (size_t)cd_offset + cd_size;
	for (uint32_t i = 0; i < count; i++) {
		size_t name_len, entry_len;
		const char *name;

		if (p + ZIP_CDH_SIZE > end || memcmp(data + p, "PK\x01\x02", 4) != 0)
			return false;
		name_len = le16(data + p + 28);
		entry_len = ZIP_CDH_SIZE + name_len + le16(data + p + 30) + le16(data + p + 32);
		if (p + entry_len > end)
			return false;
		name = (const char *)data + p + ZIP_CDH_SIZE;
		if (name_len == 19 && memcmp(name, "[Content_Types].xml", 19) == 0)
			parts->content_types = true;
		else if (name_len > 5 && memcmp(name, "word/", 5) == 0)
			parts->word = true;
		else if (name_len > 3 && memcmp(name, "xl/", 3) == 0)
			parts->xl = true;
		else if (name_len > 4 && memcmp(name, "ppt/", 4) == 0)
			parts->ppt = true;
		p += entry_len;
	}
	return true;
}

#define ODF_PREFIX "application/vnd.oasis.opendocument."

/* OpenDocument: the first entry is "mimetype", stored uncompressed, holding the type. */
static enum filetype sniff_odf(const uint8_t *data, size_t len, const char **detected)
{
	static const struct {
		const char *suffix;
		enum filetype type;
	} kinds[] = {
	    {"text", FILETYPE_ODT},
	    {"spreadsheet", FILETYPE_ODS},
	    {"presentation", FILETYPE_ODP},
	};
	size_t name_len = le16(data + 26), extra_len = le16(data + 28);
	size_t size = le32(data + 18), start = ZIP_LFH_SIZE + name_len + extra_len;
	const char *mime = (const char *)data + start;

	if (le16(data + 8) != 0 || start + size > len || size <= strlen(ODF_PREFIX) ||
	    memcmp(mime, ODF_PREFIX, strlen(ODF_PREFIX)) != 0)
		return refuse(detected, "a ZIP archive with a \"mimetype\" entry that is not an "
		                        "OpenDocument type");
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
		size_t n = strlen(kinds[i].suffix);
		if (size == strlen(ODF_PREFIX) + n &&
		    memcmp(mime + strlen(ODF_PREFIX), kinds[i].suffix, n) == 0)
			return accept(detected, kinds[i].type);
	}
	return refuse(detected,
	              "an OpenDocument file that is not a text, spreadsheet or presentation");
}

static enum filetype sniff_zip(const uint8_t *data, size_t len, const char **detected)
{
	struct zip_parts parts = {0};

	if (len < ZIP_LFH_SIZE || !read_central_directory(data, len, &parts))
		return refuse(detected, "a damaged or cut-short ZIP archive");
	if (le16(data + 26) == 8 && len >= ZIP_LFH_SIZE + 8 &&
	    memcmp(data + ZIP_LFH_SIZE, "mimetype", 8) == 0)
		return sniff_odf(data, len, detected);
	if (parts.content_types && parts.word)
		return accept(detected, FILETYPE_DOCX);
	if (parts.content_types && parts.xl)
		return accept(detected, FILETYPE_XLSX);
	if (parts.content_types && parts.ppt)
		return accept(detected, FILETYPE_PPTX);
	return refuse(detected, "a ZIP archive that is not an office document");
}

/* Text: valid UTF-8 (a character cut at the window's end allowed) without control
 * characters other than white space. */
static bool looks_like_text(const uint8_t *data, size_t len)
{
	size_t window = len < TEXT_WINDOW ? len : TEXT_WINDOW;
	const char *end = NULL;

	for (size_t i = 0; i < window; i++) {
		if (data[i] < 0x20 && data[i] != '\t' && data[i] != '\n' && data[i] != '\r' &&
		    data[i] != '\f')
			return false;
	}
	if (g_utf8_validate_len((const char *)data, window, &end))
		return true;
	/* A multi-byte character cut by the window is fine; anything earlier is not. */
	return window < len && (const uint8_t *)end + 4 > data + window;
}

/* What a refused text file is, from its first characters. */
static const char *text_kind(const uint8_t *data, size_t len)
{
	size_t skip = starts_with(data, len, "\xef\xbb\xbf", 3) ? 3 : 0;
	const char *text;

	while (skip < len && g_ascii_isspace(data[skip]))
		skip++;
	text = (const char *)data + skip;
	len -= skip;
	if (len >= 5 && (g_ascii_strncasecmp(text, "<!doc", 5) == 0 ||
	                 g_ascii_strncasecmp(text, "<html", 5) == 0))
		return "an HTML page";
	if (starts_with(data + skip, len, "<?xml", 5))
		return "an XML document";
	if (starts_with(data + skip, len, "{\\rtf", 5))
		return "an RTF document";
	if (starts_with(data + skip, len, "#!", 2))
		return "a script";
	return "plain text";
}

static enum filetype sniff_other(const uint8_t *data, size_t len, const char **detected)
{
	if (looks_like_text(data, len))
		return refuse(detected, text_kind(data, len));
	for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
		if (starts_with(data, len, refused[i].magic, refused[i].len))
			return refuse(detected, refused[i].phrase);
	}
	return refuse(detected, "unrecognised binary data");
}

enum filetype filetype_sniff(const uint8_t *data, size_t len, const char **detected)
{
	if (len == 0)
		return refuse(detected, "an empty file");
	if (starts_with(data, len, "%PDF-", 5))
		return sniff_pdf(data, len, detected);
	if (starts_with(data, len, "\x89PNG\r\n\x1a\n", 8))
		return sniff_png(data, len, detected);
	if (starts_with(data, len, "\xff\xd8\xff", 3))
		return len >= 4 && data[3] >= 0xc0 ? accept(detected, FILETYPE_JPEG)
		                                   : refuse(detected, "a damaged JPEG image");
	if (starts_with(data, len, "RIFF", 4))
		return sniff_webp(data, len, detected);
	if (starts_with(data, len, "PK\x03\x04", 4))
		return sniff_zip(data, len, detected);
	if (starts_with(data, len, "PK\x05\x06", 4))
		return refuse(detected, "an empty ZIP archive");
	return sniff_other(data, len, detected);
}

const char *filetype_name(enum filetype type)
{
	return (size_t)type < G_N_ELEMENTS(types) ? types[type].name : NULL;
}

const char *filetype_mime(enum filetype type)
{
	return (size_t)type < G_N_ELEMENTS(types) && type != FILETYPE_UNKNOWN
	           ? types[type].mime
	           : types[FILETYPE_UNKNOWN].mime;
}
