/* SPDX-License-Identifier: MIT */
/* What the directory's REST routes share: CSV uploads and downloads, query ids. */
#pragma once

#include "control/directory.h"
#include "rest.h"

/* A CSV import: the signature of directory_units_import() and _endpoints_import(). */
typedef bool (*rest_csv_import_fn)(struct store *st, const struct principal *who, const char *text,
                                   gsize len, struct directory_import_result *result,
                                   GError **error);

/* Runs `import` on the request's body (text/csv, UTF-8) and replies 200 with the result,
 * or 400/413/415 when the file cannot be imported at all. */
void rest_csv_import(struct rest_request *req, rest_csv_import_fn import);

/* Replies 200 with `text` (taken) as a CSV attachment named `filename`. */
void rest_csv_reply(struct rest_request *req, char *text, gsize len, const char *filename);

/* Reads the optional query parameter `name` as a positive id into `*id` (0 when
 * absent); replies 400 and returns false when it is not one. */
bool rest_query_id(struct rest_request *req, const char *name, gint64 *id);

/* For PATCH bodies: the string member `name`, "" when it is null (to clear it), NULL
 * when absent. */
const char *rest_nullable_string(JsonObject *body, const char *name);
