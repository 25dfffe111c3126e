/* SPDX-License-Identifier: MIT */
/* Table-driven validation of JSON objects. */
#include "validate.h"

#include "errors.h"

#include <string.h>

static const char *type_name(enum field_type t)
{
	static const char *const names[] = {"a string", "an integer", "a boolean", "an array",
	                                    "an object"};
	return names[t];
}

static bool has_type(JsonNode *node, enum field_type t)
{
	switch (t) {
	case FIELD_STRING:
		return JSON_NODE_HOLDS_VALUE(node) &&
		       json_node_get_value_type(node) == G_TYPE_STRING;
	case FIELD_INT:
		return JSON_NODE_HOLDS_VALUE(node) &&
		       json_node_get_value_type(node) == G_TYPE_INT64;
	case FIELD_BOOL:
		return JSON_NODE_HOLDS_VALUE(node) &&
		       json_node_get_value_type(node) == G_TYPE_BOOLEAN;
	case FIELD_ARRAY:
		return JSON_NODE_HOLDS_ARRAY(node);
	case FIELD_OBJECT:
		return JSON_NODE_HOLDS_OBJECT(node);
	}
	return false;
}

/* Checks the size or value bounds of a field of the right type. */
static bool in_range(const struct field_spec *f, JsonNode *node, GError **error)
{
	gint64 v;
	const char *what;

	switch (f->type) {
	case FIELD_STRING:
		v = g_utf8_strlen(json_node_get_string(node), -1);
		what = "characters";
		break;
	case FIELD_INT:
		v = json_node_get_int(node);
		what = NULL;
		break;
	case FIELD_ARRAY:
		v = json_array_get_length(json_node_get_array(node));
		what = "elements";
		break;
	default:
		return true;
	}
	if (f->min == 0 && f->max == 0)
		return true;
	if (v >= f->min && v <= f->max)
		return true;
	if (what)
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "\"%s\" must have %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " %s",
		            f->name, f->min, f->max, what);
	else
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "\"%s\" must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
		            f->name, f->min, f->max);
	return false;
}

static const struct field_spec *find_spec(const struct field_spec *spec, const char *name)
{
	for (; spec->name; spec++) {
		if (strcmp(spec->name, name) == 0)
			return spec;
	}
	return NULL;
}

bool validate_fields(JsonObject *obj, const struct field_spec *spec, GError **error)
{
	g_autoptr(GList) members = json_object_get_members(obj);

	for (GList *l = members; l; l = l->next) {
		if (!find_spec(spec, l->data)) {
			g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST, "unknown field \"%s\"",
			            (const char *)l->data);
			return false;
		}
	}
	for (const struct field_spec *f = spec; f->name; f++) {
		JsonNode *node = json_object_get_member(obj, f->name);
		if (!node || JSON_NODE_HOLDS_NULL(node)) {
			if (f->required) {
				g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
				            "\"%s\" is required", f->name);
				return false;
			}
			continue;
		}
		if (!has_type(node, f->type)) {
			g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST, "\"%s\" must be %s",
			            f->name, type_name(f->type));
			return false;
		}
		if (!in_range(f, node, error))
			return false;
	}
	return true;
}

const char *field_string(JsonObject *obj, const char *name, const char *fallback)
{
	JsonNode *node = obj ? json_object_get_member(obj, name) : NULL;

	if (!node || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return fallback;
	return json_node_get_string(node);
}

gint64 field_int(JsonObject *obj, const char *name, gint64 fallback)
{
	JsonNode *node = obj ? json_object_get_member(obj, name) : NULL;

	if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
		return fallback;
	return json_node_get_int(node);
}

int field_bool(JsonObject *obj, const char *name)
{
	JsonNode *node = obj ? json_object_get_member(obj, name) : NULL;

	if (!node || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_BOOLEAN)
		return -1;
	return json_node_get_boolean(node) ? 1 : 0;
}

/* Checks one query parameter's text against its spec. */
static bool valid_param(const struct field_spec *f, const char *text, GError **error)
{
	gint64 v = 0;

	switch (f->type) {
	case FIELD_STRING:
		if (!g_utf8_validate(text, -1, NULL)) {
			g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
			            "query parameter \"%s\" is not valid UTF-8", f->name);
			return false;
		}
		v = g_utf8_strlen(text, -1);
		if ((f->min || f->max) && (v < f->min || v > f->max)) {
			g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
			            "query parameter \"%s\" must have %" G_GINT64_FORMAT
			            " to %" G_GINT64_FORMAT " characters",
			            f->name, f->min, f->max);
			return false;
		}
		return true;
	case FIELD_INT:
		if (!g_ascii_string_to_signed(text, 10, f->min, f->max, &v, NULL)) {
			g_set_error(
			    error, API_ERROR, API_ERROR_BAD_REQUEST,
			    "query parameter \"%s\" must be an integer from %" G_GINT64_FORMAT
			    " to %" G_GINT64_FORMAT,
			    f->name, f->min, f->max);
			return false;
		}
		return true;
	case FIELD_BOOL:
		if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0) {
			g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
			            "query parameter \"%s\" must be true or false", f->name);
			return false;
		}
		return true;
	default:
		g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
		            "query parameter \"%s\" cannot be given in the query", f->name);
		return false;
	}
}

bool validate_query(GHashTable *query, const struct field_spec *spec, GError **error)
{
	GHashTableIter iter;
	gpointer key;

	if (query) {
		g_hash_table_iter_init(&iter, query);
		while (g_hash_table_iter_next(&iter, &key, NULL)) {
			if (!find_spec(spec, key)) {
				g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
				            "unknown query parameter \"%s\"", (const char *)key);
				return false;
			}
		}
	}
	for (const struct field_spec *f = spec; f->name; f++) {
		const char *text = query ? g_hash_table_lookup(query, f->name) : NULL;
		if (!text) {
			if (f->required) {
				g_set_error(error, API_ERROR, API_ERROR_BAD_REQUEST,
				            "query parameter \"%s\" is required", f->name);
				return false;
			}
			continue;
		}
		if (!valid_param(f, text, error))
			return false;
	}
	return true;
}

gint64 query_param_int(GHashTable *query, const char *name, gint64 fallback)
{
	const char *text = query ? g_hash_table_lookup(query, name) : NULL;
	gint64 v;

	if (!text || !g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &v, NULL))
		return fallback;
	return v;
}
