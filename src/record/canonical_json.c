/* SPDX-License-Identifier: MIT */
/* Canonical JSON writer (RFC 8785 subset: no floating point). */
#include "canonical_json.h"

#include "core/log.h"

#include <stdlib.h>
#include <string.h>

static bool write_node(GString *out, JsonNode *node, GError **error);

static void write_string(GString *out, const char *s)
{
	log_json_escape(out, s);
}

/* RFC 8785 orders names by their UTF-16 code units. */
static int utf16_compare(const char *a, const char *b)
{
	g_autofree gunichar2 *x = g_utf8_to_utf16(a, -1, NULL, NULL, NULL);
	g_autofree gunichar2 *y = g_utf8_to_utf16(b, -1, NULL, NULL, NULL);
	size_t i = 0;

	for (; x[i] && y[i] && x[i] == y[i]; i++)
		;
	return (int)x[i] - (int)y[i];
}

static int by_name(const void *a, const void *b)
{
	return utf16_compare(*(const char *const *)a, *(const char *const *)b);
}

static bool check_utf8(const char *s, GError **error)
{
	if (g_utf8_validate(s, -1, NULL))
		return true;
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
	            "canonical JSON: a string is not valid UTF-8");
	return false;
}

static bool write_object(GString *out, JsonObject *obj, GError **error)
{
	GList *names = json_object_get_members(obj);
	guint n = g_list_length(names), i = 0;
	g_autofree const char **sorted = g_new(const char *, n + 1);
	bool ok = true;

	for (GList *l = names; l; l = l->next)
		sorted[i++] = l->data;
	g_list_free(names);
	for (i = 0; i < n; i++) {
		if (!check_utf8(sorted[i], error))
			return false;
	}
	qsort(sorted, n, sizeof *sorted, by_name);
	g_string_append_c(out, '{');
	for (i = 0; ok && i < n; i++) {
		if (i)
			g_string_append_c(out, ',');
		write_string(out, sorted[i]);
		g_string_append_c(out, ':');
		ok = write_node(out, json_object_get_member(obj, sorted[i]), error);
	}
	g_string_append_c(out, '}');
	return ok;
}

static bool write_array(GString *out, JsonArray *array, GError **error)
{
	guint n = json_array_get_length(array);

	g_string_append_c(out, '[');
	for (guint i = 0; i < n; i++) {
		if (i)
			g_string_append_c(out, ',');
		if (!write_node(out, json_array_get_element(array, i), error))
			return false;
	}
	g_string_append_c(out, ']');
	return true;
}

static bool write_value(GString *out, JsonNode *node, GError **error)
{
	switch (json_node_get_value_type(node)) {
	case G_TYPE_INT64:
		g_string_append_printf(out, "%" G_GINT64_FORMAT, json_node_get_int(node));
		return true;
	case G_TYPE_BOOLEAN:
		g_string_append(out, json_node_get_boolean(node) ? "true" : "false");
		return true;
	case G_TYPE_STRING:
		if (!check_utf8(json_node_get_string(node), error))
			return false;
		write_string(out, json_node_get_string(node));
		return true;
	default:
		g_set_error(
		    error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
		    "canonical JSON: only integers, strings and booleans are written, not %s",
		    g_type_name(json_node_get_value_type(node)));
		return false;
	}
}

static bool write_node(GString *out, JsonNode *node, GError **error)
{
	switch (JSON_NODE_TYPE(node)) {
	case JSON_NODE_OBJECT:
		return write_object(out, json_node_get_object(node), error);
	case JSON_NODE_ARRAY:
		return write_array(out, json_node_get_array(node), error);
	case JSON_NODE_NULL:
		g_string_append(out, "null");
		return true;
	case JSON_NODE_VALUE:
		return write_value(out, node, error);
	}
	return false;
}

char *canonical_json(JsonNode *node, gsize *length, GError **error)
{
	g_autoptr(GString) out = g_string_new(NULL);

	if (!write_node(out, node, error))
		return NULL;
	if (length)
		*length = out->len;
	return g_string_free(g_steal_pointer(&out), FALSE);
}
