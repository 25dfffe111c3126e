/* SPDX-License-Identifier: MIT */
/* Validation of JSON request bodies from a table of fields, with messages that say what
 * is wrong. */
#pragma once

#include <json-glib/json-glib.h>
#include <stdbool.h>

enum field_type {
	FIELD_STRING, /* min/max: length in characters */
	FIELD_INT,    /* min/max: value */
	FIELD_BOOL,
	FIELD_ARRAY, /* min/max: number of elements */
	FIELD_OBJECT,
};

struct field_spec {
	const char *name;
	enum field_type type;
	bool required;
	gint64 min, max;
};

/* Checks `obj` against `spec` (terminated by a NULL name): required fields present,
 * types and ranges right, no field that the spec does not name. Fails with an
 * API_ERROR_BAD_REQUEST naming the field. */
bool validate_fields(JsonObject *obj, const struct field_spec *spec, GError **error);

/* Typed readers for fields already validated; `fallback` when absent or null. */
const char *field_string(JsonObject *obj, const char *name, const char *fallback);
gint64 field_int(JsonObject *obj, const char *name, gint64 fallback);
/* 1/0, or -1 when absent. */
int field_bool(JsonObject *obj, const char *name);

/* Checks query parameters (`query` may be NULL: none) against `spec`: FIELD_STRING
 * (valid UTF-8, length in characters within min..max unless both are 0), FIELD_INT (a
 * decimal integer within min..max), FIELD_BOOL ("true"/"false"); required ones present,
 * none that the spec does not name. Fails with API_ERROR_BAD_REQUEST naming the
 * parameter. */
bool validate_query(GHashTable *query, const struct field_spec *spec, GError **error);

/* An integer query parameter already validated; `fallback` when absent. */
gint64 query_param_int(GHashTable *query, const char *name, gint64 fallback);
