/* SPDX-License-Identifier: MIT */
/* Canonical JSON: one byte sequence for one JSON value, so that a document's SHA-256
 * and signature identify its content (RFC 8785 for the values Cầu writes). */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>

/* Writes `node` canonically: object members sorted by name (by UTF-16 code units, as
 * RFC 8785 says; the same as byte order for the ASCII names Cầu uses), no whitespace,
 * integers in plain decimal, strings in UTF-8 with only '"', '\\' and control
 * characters escaped (\b \f \n \r \t, else \u00xx in lower case), null/true/false.
 * Fails with G_IO_ERROR_INVALID_DATA for what has no canonical form here: a floating
 * point number or a string that is not valid UTF-8. Pure; caller frees the string
 * (`*length` receives its length in bytes, if not NULL). */
char *canonical_json(JsonNode *node, gsize *length, GError **error);
