/* SPDX-License-Identifier: MIT */
/* The endpoints a meeting's invitees come to: those named, those of the units named, and
 * those of every unit under a unit named with include_descendants (the directory's
 * directory_units_under()); each once, enabled ones only. */
#define G_LOG_DOMAIN "cau-meetings"
#include "directory.h"
#include "meetings_private.h"

/* How many unit ids one query binds; well under SQLite's and PostgreSQL's limits. */
#define UNIT_CHUNK 500

#define ENDPOINT_SELECT                                                                            \
	"SELECT e.id, e.code, e.name, e.kind, e.unit_id, u.name FROM endpoints e JOIN units u "    \
	"ON u.id = e.unit_id WHERE e.disabled = 0 AND "

/* One invited endpoint; `id` first, so that arrays of these and of gint64 sort alike. */
struct invited {
	gint64 id;
	gint64 unit_id;
	char *code, *name, *kind, *unit_name;
};

static void invited_clear(gpointer p)
{
	struct invited *e = p;

	g_free(e->code);
	g_free(e->name);
	g_free(e->kind);
	g_free(e->unit_name);
}

static gint compare_ids(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return (x > y) - (x < y);
}

/* The units whose endpoints are invited to meeting `id`, sorted, each once. */
static bool invited_units(struct store *st, gint64 id, GArray *units, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    st,
	    "SELECT unit_id, include_descendants FROM meeting_invitees WHERE meeting_id = ? AND "
	    "unit_id IS NOT NULL",
	    STORE_PARAMS(STORE_INT(id)), error);
	guint kept = 0;

	if (!rows)
		return false;
	for (guint r = 0; r < store_rows_count(rows); r++) {
		gint64 unit = store_rows_get_int(rows, r, 0);
		if (!store_rows_get_int(rows, r, 1))
			g_array_append_val(units, unit);
		else if (!directory_units_under(st, unit, true, units, error))
			return false;
	}
	/* A unit named and also under another named one counts once. */
	g_array_sort(units, compare_ids);
	for (guint i = 0; i < units->len; i++) {
		if (!kept ||
		    g_array_index(units, gint64, i) != g_array_index(units, gint64, kept - 1))
			g_array_index(units, gint64, kept++) = g_array_index(units, gint64, i);
	}
	g_array_set_size(units, kept);
	return true;
}

/* Runs one ENDPOINT_SELECT query and appends the endpoints not `seen` yet. */
static bool take(struct store *st, const char *sql, const struct store_param *params, guint n,
                 GArray *out, GHashTable *seen, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, sql, params, n, error);

	if (!rows)
		return false;
	for (guint r = 0; r < store_rows_count(rows); r++) {
		struct invited e = {
		    .id = store_rows_get_int(rows, r, 0),
		    .unit_id = store_rows_get_int(rows, r, 4),
		};
		if (g_hash_table_contains(seen, &e.id))
			continue;
		g_hash_table_add(seen, g_memdup2(&e.id, sizeof e.id));
		e.code = g_strdup(store_rows_get(rows, r, 1));
		e.name = g_strdup(store_rows_get(rows, r, 2));
		e.kind = g_strdup(store_rows_get(rows, r, 3));
		e.unit_name = g_strdup(store_rows_get(rows, r, 5));
		g_array_append_val(out, e);
	}
	return true;
}

/* Every endpoint invited to meeting `id`, by id: a GArray of struct invited (freed with
 * its elements), or NULL on a store error. */
static GArray *collect(struct store *st, gint64 id, GError **error)
{
	g_autoptr(GArray) units = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(struct invited));
	g_autoptr(GHashTable) seen =
	    g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);

	g_array_set_clear_func(out, invited_clear);
	if (!invited_units(st, id, units, error))
		return NULL;
	for (guint start = 0; start < units->len; start += UNIT_CHUNK) {
		guint count = MIN(UNIT_CHUNK, units->len - start);
		g_autoptr(GString) sql = g_string_new(ENDPOINT_SELECT "e.unit_id IN (");
		g_autofree struct store_param *params = g_new(struct store_param, count);
		for (guint i = 0; i < count; i++) {
			g_string_append(sql, i ? ", ?" : "?");
			params[i] = STORE_INT(g_array_index(units, gint64, start + i));
		}
		g_string_append(sql, ")");
		if (!take(st, sql->str, params, count, out, seen, error))
			return NULL;
	}
	if (!take(st,
	          ENDPOINT_SELECT "e.id IN (SELECT endpoint_id FROM meeting_invitees WHERE "
	                          "meeting_id = ? AND endpoint_id IS NOT NULL)",
	          STORE_PARAMS(STORE_INT(id)), out, seen, error))
		return NULL;
	g_array_sort(out, compare_ids);
	return g_steal_pointer(&out);
}

static void add_invited(JsonBuilder *b, const struct invited *e)
{
	json_builder_begin_object(b);
	meetings_json_int(b, "id", e->id);
	meetings_json_string(b, "code", e->code);
	meetings_json_string(b, "name", e->name);
	meetings_json_string(b, "kind", e->kind);
	json_builder_set_member_name(b, "unit");
	json_builder_begin_object(b);
	meetings_json_int(b, "id", e->unit_id);
	meetings_json_string(b, "name", e->unit_name);
	json_builder_end_object(b);
	json_builder_end_object(b);
}

bool meetings_add_invited_endpoints(struct store *st, gint64 id, JsonBuilder *b, GError **error)
{
	g_autoptr(GArray) list = collect(st, id, error);

	if (!list)
		return false;
	json_builder_begin_array(b);
	for (guint i = 0; i < list->len; i++)
		add_invited(b, &g_array_index(list, struct invited, i));
	json_builder_end_array(b);
	return true;
}

JsonNode *meetings_invited_endpoints_json(struct meetings *m, gint64 id, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	enum meeting_state state;

	if (!meetings_state_of(m->store, id, &state, error) ||
	    !meetings_add_invited_endpoints(m->store, id, b, error))
		return NULL;
	return json_builder_get_root(b);
}

/* Appends `unit_id` and the units above it to `ids`, nearest first (at most 32 levels, as
 * the directory allows). */
static bool unit_and_ancestors(struct store *st, gint64 unit_id, GArray *ids, GError **error)
{
	for (int depth = 0; unit_id && depth <= 32; depth++) {
		g_autoptr(store_rows) rows =
		    store_query(st, "SELECT parent_id FROM units WHERE id = ?",
		                STORE_PARAMS(STORE_INT(unit_id)), error);

		if (!rows)
			return false;
		g_array_append_val(ids, unit_id);
		unit_id = store_rows_count(rows) && store_rows_get(rows, 0, 0)
		              ? store_rows_get_int(rows, 0, 0)
		              : 0;
	}
	return true;
}

/* Whether the enabled endpoint `e` is invited to meeting `id`: named itself, its unit
 * named, or a unit above it named with include_descendants. The same answer as looking it
 * up in collect()'s expansion, without expanding a province of invitees on each join. */
static bool is_invited(struct store *st, gint64 id, const struct invited *e, bool *invited,
                       GError **error)
{
	g_autoptr(GArray) units = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GString) sql = g_string_new(
	    "SELECT 1 FROM meeting_invitees WHERE meeting_id = ? AND (endpoint_id = ? OR "
	    "unit_id = ?");
	g_autofree struct store_param *params = NULL;
	g_autoptr(store_rows) rows = NULL;
	guint n = 3;

	if (!unit_and_ancestors(st, e->unit_id, units, error))
		return false;
	params = g_new(struct store_param, 3 + units->len);
	params[0] = STORE_INT(id);
	params[1] = STORE_INT(e->id);
	params[2] = STORE_INT(e->unit_id);
	if (units->len > 1) {
		g_string_append(sql, " OR (include_descendants = 1 AND unit_id IN (");
		for (guint i = 1; i < units->len; i++) {
			g_string_append(sql, i > 1 ? ", ?" : "?");
			params[n++] = STORE_INT(g_array_index(units, gint64, i));
		}
		g_string_append(sql, "))");
	}
	g_string_append(sql, ") LIMIT 1");
	if (!(rows = store_query(st, sql->str, params, n, error)))
		return false;
	*invited = store_rows_count(rows) > 0;
	return true;
}

JsonNode *meetings_invited_endpoint_json(struct meetings *m, gint64 id, gint64 endpoint_id,
                                         GError **error)
{
	g_autoptr(GArray) one = g_array_new(FALSE, FALSE, sizeof(struct invited));
	g_autoptr(GHashTable) seen =
	    g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	g_autoptr(JsonBuilder) b = NULL;
	bool invited = false;

	g_array_set_clear_func(one, invited_clear);
	if (!take(m->store, ENDPOINT_SELECT "e.id = ?", STORE_PARAMS(STORE_INT(endpoint_id)), one,
	          seen, error))
		return NULL;
	if (one->len == 1 &&
	    !is_invited(m->store, id, &g_array_index(one, struct invited, 0), &invited, error))
		return NULL;
	if (!invited) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "endpoint %" G_GINT64_FORMAT
		            " is not invited to meeting %" G_GINT64_FORMAT,
		            endpoint_id, id);
		return NULL;
	}
	b = json_builder_new_immutable();
	add_invited(b, &g_array_index(one, struct invited, 0));
	return json_builder_get_root(b);
}

bool meetings_is_invited(struct meetings *m, gint64 id, gint64 endpoint_id, bool *invited,
                         GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(JsonNode) node = meetings_invited_endpoint_json(m, id, endpoint_id, &local);

	*invited = node != NULL;
	if (!node && !g_error_matches(local, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return false;
	}
	return true;
}
