/* SPDX-License-Identifier: MIT */
/* The PDF of a meeting's minutes: the minutes document (docs/minutes.md) laid out on A4
 * pages in Vietnamese, with English beside the headings. */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>

/* What the PDF shows beyond the document. */
struct minutes_pdf_info {
	gint version;
	gint64 generated_at;     /* Unix ms */
	const char *json_sha256; /* the SHA-256 of the canonical JSON, printed at the end */
	const char *signer;      /* the subject of the signing certificate */
};

/* The minutes document `doc` as an A4 PDF (fonts embedded as subsets), times shown in
 * its "timezone". Laid out twice: once to count the pages, then with "Trang n/N" in
 * the footers. Caller unrefs. Fails only when cairo does. */
GBytes *minutes_pdf_render(JsonObject *doc, const struct minutes_pdf_info *info, GError **error);
