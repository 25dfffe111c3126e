/* SPDX-License-Identifier: MIT */
/* What a meeting holds besides its schedule: the agenda and the invitees (units and
 * endpoints); their expansion is in meetings_invited.c. */
#define G_LOG_DOMAIN "cau-meetings"
#include "audit.h"
#include "meetings_private.h"

#include <string.h>

/* How many ids one existence query checks. */
#define ID_CHUNK 500

/* Agenda and invitees may change until the meeting is over. */
#define CONTENT_STATES                                                                             \
	(MEETING_STATE_BIT(MEETING_SCHEDULED) | MEETING_STATE_BIT(MEETING_OPEN) |                  \
	 MEETING_STATE_BIT(MEETING_LIVE))

static bool check_content_state(struct store *st, gint64 id, const char *what, GError **error)
{
	enum meeting_state state;

	if (!meetings_state_of(st, id, &state, error))
		return false;
	if (!(CONTENT_STATES & MEETING_STATE_BIT(state))) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "meeting %" G_GINT64_FORMAT " is %s; its %s can no longer be changed",
		            id, meeting_state_name(state), what);
		return false;
	}
	return true;
}

static bool touch_and_audit(struct store *st, struct meetings *m, const struct principal *who,
                            gint64 id, const char *action, const char *detail, GError **error)
{
	g_autofree char *target = g_strdup_printf("%" G_GINT64_FORMAT, id);

	return store_exec(st, "UPDATE meetings SET updated_at = ? WHERE id = ?",
	                  STORE_PARAMS(STORE_INT(clock_now_ms(m->clock)), STORE_INT(id)), NULL,
	                  error) &&
	       audit_append(st, who, action, target, detail, error);
}

/* ---- agenda ---- */

static bool check_agenda(const struct agenda_item *items, guint n_items, GError **error)
{
	if (n_items > AGENDA_MAX_ITEMS) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "an agenda has at most %d items", AGENDA_MAX_ITEMS);
		return false;
	}
	for (guint i = 0; i < n_items; i++) {
		g_autofree char *what = g_strdup_printf("agenda item %u: title", i + 1);
		const char *presenter = items[i].presenter ? items[i].presenter : "";
		if (!meetings_check_title(items[i].title, AGENDA_TITLE_MAX, what, error))
			return false;
		if (!g_utf8_validate(presenter, -1, NULL) ||
		    g_utf8_strlen(presenter, -1) > AGENDA_PRESENTER_MAX) {
			g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
			            "agenda item %u: presenter must have at most %d characters",
			            i + 1, AGENDA_PRESENTER_MAX);
			return false;
		}
		if (items[i].duration_min < 0 || items[i].duration_min > AGENDA_MAX_DURATION_MIN) {
			g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
			            "agenda item %u: duration_minutes must be between 0 and %d",
			            i + 1, AGENDA_MAX_DURATION_MIN);
			return false;
		}
	}
	return true;
}

struct agenda_ctx {
	struct meetings *m;
	const struct principal *who;
	gint64 id;
	const struct agenda_item *items;
	guint n_items;
};

/* Checks that every id among the items is an item of meeting `c->id`'s agenda, named
 * once. */
static bool check_agenda_ids(struct store *st, const struct agenda_ctx *c, GError **error)
{
	g_autoptr(GHashTable) existing = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_autoptr(GHashTable) named = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_autoptr(store_rows) rows =
	    store_query(st, "SELECT id FROM agenda_items WHERE meeting_id = ?",
	                STORE_PARAMS(STORE_INT(c->id)), error);
	g_autofree gint64 *values = NULL;

	if (!rows)
		return false;
	values = g_new(gint64, store_rows_count(rows) + 1);
	for (guint r = 0; r < store_rows_count(rows); r++) {
		values[r] = store_rows_get_int(rows, r, 0);
		g_hash_table_add(existing, &values[r]);
	}
	for (guint i = 0; i < c->n_items; i++) {
		const gint64 *item_id = &c->items[i].id;
		const char *problem = NULL;
		if (!*item_id)
			continue;
		if (!g_hash_table_contains(existing, item_id))
			problem = "is not an item of this meeting's agenda";
		else if (!g_hash_table_add(named, (gpointer)item_id))
			problem = "is named twice";
		if (problem) {
			g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
			            "agenda item %u: id %" G_GINT64_FORMAT " %s", i + 1, *item_id,
			            problem);
			return false;
		}
	}
	return true;
}

/* Writes one item at `position`: its kept row updated, or a new row. */
static bool write_agenda_item(struct store *st, gint64 meeting_id, guint position,
                              const struct agenda_item *item, GError **error)
{
	const char *presenter = item->presenter ? item->presenter : "";

	if (item->id)
		return store_exec(st,
		                  "UPDATE agenda_items SET position = ?, title = ?, presenter = ?, "
		                  "duration_min = ? WHERE id = ?",
		                  STORE_PARAMS(STORE_INT(position), STORE_TEXT(item->title),
		                               STORE_TEXT(presenter), STORE_INT(item->duration_min),
		                               STORE_INT(item->id)),
		                  NULL, error);
	return store_exec(st,
	                  "INSERT INTO agenda_items (meeting_id, position, title, presenter, "
	                  "duration_min) VALUES (?, ?, ?, ?, ?)",
	                  STORE_PARAMS(STORE_INT(meeting_id), STORE_INT(position),
	                               STORE_TEXT(item->title), STORE_TEXT(presenter),
	                               STORE_INT(item->duration_min)),
	                  NULL, error);
}

/* The old items first move to negative positions, out of the way of the (meeting,
 * position) uniqueness; kept ones then take their new place, and the old items still
 * negative afterwards are those not kept. */
static bool replace_agenda(struct store *st, gpointer user_data, GError **error)
{
	struct agenda_ctx *c = user_data;
	g_autofree char *detail = NULL;

	if (!check_content_state(st, c->id, "agenda", error) || !check_agenda_ids(st, c, error) ||
	    !store_exec(st, "UPDATE agenda_items SET position = -position WHERE meeting_id = ?",
	                STORE_PARAMS(STORE_INT(c->id)), NULL, error))
		return false;
	for (guint i = 0; i < c->n_items; i++) {
		if (!write_agenda_item(st, c->id, i + 1, &c->items[i], error))
			return false;
	}
	if (!store_exec(st, "DELETE FROM agenda_items WHERE meeting_id = ? AND position < 0",
	                STORE_PARAMS(STORE_INT(c->id)), NULL, error))
		return false;
	detail = g_strdup_printf("{\"items\":%u}", c->n_items);
	return touch_and_audit(st, c->m, c->who, c->id, "meeting.agenda", detail, error);
}

bool meetings_set_agenda(struct meetings *m, const struct principal *who, gint64 id,
                         const struct agenda_item *items, guint n_items, GError **error)
{
	struct agenda_ctx c = {m, who, id, items, n_items};
	enum meeting_state state = MEETING_STATE_NONE;

	if (!check_agenda(items, n_items, error) ||
	    !store_transaction(m->store, replace_agenda, &c, error))
		return false;
	g_info("[meeting %" G_GINT64_FORMAT "] agenda set: %u items", id, n_items);
	if (meetings_state_of(m->store, id, &state, NULL))
		meetings_notify(m, id, state, state);
	return true;
}

bool meetings_agenda_json(struct store *st, gint64 id, JsonBuilder *b, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(st,
	                "SELECT position, title, presenter, duration_min, id FROM agenda_items "
	                "WHERE meeting_id = ? ORDER BY position",
	                STORE_PARAMS(STORE_INT(id)), error);

	if (!rows)
		return false;
	json_builder_begin_array(b);
	for (guint r = 0; r < store_rows_count(rows); r++) {
		json_builder_begin_object(b);
		/* the id materials and decisions name the item by */
		meetings_json_int(b, "id", store_rows_get_int(rows, r, 4));
		meetings_json_int(b, "position", store_rows_get_int(rows, r, 0));
		meetings_json_string(b, "title", store_rows_get(rows, r, 1));
		meetings_json_string(b, "presenter", store_rows_get(rows, r, 2));
		meetings_json_int(b, "duration_minutes", store_rows_get_int(rows, r, 3));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return true;
}

/* ---- invitees ---- */

/* Sets `*missing` to the first of `ids` that has no row in `table`, or 0. */
static bool find_missing(struct store *st, const char *table, const gint64 *ids, guint n,
                         gint64 *missing, GError **error)
{
	*missing = 0;
	for (guint start = 0; start < n && !*missing; start += ID_CHUNK) {
		guint count = MIN(ID_CHUNK, n - start);
		g_autoptr(GString) sql = g_string_new(NULL);
		g_autofree struct store_param *params = g_new(struct store_param, count);
		g_autoptr(GHashTable) found = g_hash_table_new(g_int64_hash, g_int64_equal);
		g_autoptr(store_rows) rows = NULL;

		g_string_printf(sql, "SELECT id FROM %s WHERE id IN (", table);
		for (guint i = 0; i < count; i++) {
			g_string_append(sql, i ? ", ?" : "?");
			params[i] = STORE_INT(ids[start + i]);
		}
		g_string_append(sql, ")");
		rows = store_query(st, sql->str, params, count, error);
		if (!rows)
			return false;
		g_autofree gint64 *values = g_new(gint64, store_rows_count(rows));
		for (guint r = 0; r < store_rows_count(rows); r++) {
			values[r] = store_rows_get_int(rows, r, 0);
			g_hash_table_add(found, &values[r]);
		}
		for (guint i = 0; i < count && !*missing; i++) {
			if (!g_hash_table_contains(found, &ids[start + i]))
				*missing = ids[start + i];
		}
	}
	return true;
}

/* The first id listed twice, or 0. */
static gint64 first_duplicate(const gint64 *ids, guint n)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash, g_int64_equal);

	for (guint i = 0; i < n; i++) {
		if (!g_hash_table_add(seen, (gpointer)&ids[i]))
			return ids[i];
	}
	return 0;
}

bool meetings_check_invitees(struct store *st, const struct invitee_list *list, GError **error)
{
	g_autofree gint64 *unit_ids = g_new(gint64, list->n_units + 1);
	gint64 bad = 0;

	if (list->n_units + list->n_endpoints > MEETING_MAX_INVITEES) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "at most %d invitees (units and endpoints)", MEETING_MAX_INVITEES);
		return false;
	}
	for (guint i = 0; i < list->n_units; i++)
		unit_ids[i] = list->units[i].unit_id;
	if ((bad = first_duplicate(unit_ids, list->n_units))) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "unit %" G_GINT64_FORMAT " is listed twice", bad);
		return false;
	}
	if ((bad = first_duplicate(list->endpoints, list->n_endpoints))) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "endpoint %" G_GINT64_FORMAT " is listed twice", bad);
		return false;
	}
	if (!find_missing(st, "units", unit_ids, list->n_units, &bad, error))
		return false;
	if (bad) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "no unit with id %" G_GINT64_FORMAT, bad);
		return false;
	}
	if (!find_missing(st, "endpoints", list->endpoints, list->n_endpoints, &bad, error))
		return false;
	if (bad) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "no endpoint with id %" G_GINT64_FORMAT, bad);
		return false;
	}
	return true;
}

bool meetings_insert_invitees(struct store *st, const char *table, const char *owner_column,
                              gint64 owner_id, const struct invitee_list *list, GError **error)
{
	g_autofree char *unit_sql =
	    g_strdup_printf("INSERT INTO %s (%s, unit_id, include_descendants) VALUES (?, ?, ?)",
	                    table, owner_column);
	g_autofree char *endpoint_sql =
	    g_strdup_printf("INSERT INTO %s (%s, endpoint_id) VALUES (?, ?)", table, owner_column);

	for (guint i = 0; i < list->n_units; i++) {
		if (!store_exec(st, unit_sql,
		                STORE_PARAMS(STORE_INT(owner_id), STORE_INT(list->units[i].unit_id),
		                             STORE_INT(list->units[i].include_descendants ? 1 : 0)),
		                NULL, error))
			return false;
	}
	for (guint i = 0; i < list->n_endpoints; i++) {
		if (!store_exec(st, endpoint_sql,
		                STORE_PARAMS(STORE_INT(owner_id), STORE_INT(list->endpoints[i])),
		                NULL, error))
			return false;
	}
	return true;
}

struct invitees_ctx {
	struct meetings *m;
	const struct principal *who;
	gint64 id;
	const struct invitee_list *list;
};

static bool replace_invitees(struct store *st, gpointer user_data, GError **error)
{
	struct invitees_ctx *c = user_data;
	g_autofree char *detail = NULL;

	if (!check_content_state(st, c->id, "invitees", error) ||
	    !meetings_check_invitees(st, c->list, error) ||
	    !store_exec(st, "DELETE FROM meeting_invitees WHERE meeting_id = ?",
	                STORE_PARAMS(STORE_INT(c->id)), NULL, error) ||
	    !meetings_insert_invitees(st, "meeting_invitees", "meeting_id", c->id, c->list, error))
		return false;
	detail = g_strdup_printf("{\"units\":%u,\"endpoints\":%u}", c->list->n_units,
	                         c->list->n_endpoints);
	return touch_and_audit(st, c->m, c->who, c->id, "meeting.invitees", detail, error);
}

bool meetings_set_invitees(struct meetings *m, const struct principal *who, gint64 id,
                           const struct invitee_list *list, GError **error)
{
	struct invitees_ctx c = {m, who, id, list};
	enum meeting_state state = MEETING_STATE_NONE;

	if (!store_transaction(m->store, replace_invitees, &c, error))
		return false;
	g_info("[meeting %" G_GINT64_FORMAT "] invitees set: %u units, %u endpoints", id,
	       list->n_units, list->n_endpoints);
	if (meetings_state_of(m->store, id, &state, NULL))
		meetings_notify(m, id, state, state);
	return true;
}

/* Adds the invitees named (units or endpoints) as an array. */
static bool add_named(struct store *st, gint64 id, bool units, JsonBuilder *b, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    st,
	    units ? "SELECT u.id, u.code, u.name, i.include_descendants FROM meeting_invitees i "
	            "JOIN units u ON u.id = i.unit_id WHERE i.meeting_id = ? ORDER BY i.id"
	          : "SELECT e.id, e.code, e.name FROM meeting_invitees i JOIN endpoints e ON "
	            "e.id = i.endpoint_id WHERE i.meeting_id = ? ORDER BY i.id",
	    STORE_PARAMS(STORE_INT(id)), error);

	if (!rows)
		return false;
	json_builder_begin_array(b);
	for (guint r = 0; r < store_rows_count(rows); r++) {
		json_builder_begin_object(b);
		meetings_json_int(b, "id", store_rows_get_int(rows, r, 0));
		meetings_json_string(b, "code", store_rows_get(rows, r, 1));
		meetings_json_string(b, "name", store_rows_get(rows, r, 2));
		if (units) {
			json_builder_set_member_name(b, "include_descendants");
			json_builder_add_boolean_value(b, store_rows_get_int(rows, r, 3) != 0);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return true;
}

JsonNode *meetings_invitees_json(struct meetings *m, gint64 id, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	enum meeting_state state;

	if (!meetings_state_of(m->store, id, &state, error))
		return NULL;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "units");
	if (!add_named(m->store, id, true, b, error))
		return NULL;
	json_builder_set_member_name(b, "endpoints");
	if (!add_named(m->store, id, false, b, error))
		return NULL;
	json_builder_set_member_name(b, "expanded");
	if (!meetings_add_invited_endpoints(m->store, id, b, error))
		return NULL;
	json_builder_end_object(b);
	return json_builder_get_root(b);
}
