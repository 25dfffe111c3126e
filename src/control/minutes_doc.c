/* SPDX-License-Identifier: MIT */
/* The minutes document, built from the meeting, attendance, the event log and
 * materials. */
#define G_LOG_DOMAIN "cau-minutes"
#include "attendance.h"
#include "meeting_events.h"
#include "minutes.h"

#include <stdlib.h>
#include <string.h>

/* What the sections share while the document is built. */
struct doc {
	struct store *st;
	gint64 meeting_id;
	GHashTable *endpoints; /* id -> JsonObject {id, code, name} */
	GHashTable *agenda;    /* id -> JsonObject {id, position, title} */
	GHashTable *speaking;  /* endpoint id -> GArray of struct attendance_interval */
	JsonArray *floor, *chair_actions, *decisions, *recordings, *votes;
	GHashTable *presented; /* material id -> JsonArray of {at, version, endpoint} */
};

static void set_opt_int(JsonObject *o, const char *name, const char *text)
{
	if (text)
		json_object_set_int_member(o, name, g_ascii_strtoll(text, NULL, 10));
	else
		json_object_set_null_member(o, name);
}

static void set_ref(JsonObject *o, const char *name, GHashTable *table, gint64 id)
{
	JsonObject *ref = id ? g_hash_table_lookup(table, &id) : NULL;

	if (ref)
		json_object_set_object_member(o, name, json_object_ref(ref));
	else
		json_object_set_null_member(o, name);
}

static JsonObject *meeting_section(struct doc *d, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    d->st,
	    "SELECT m.id, m.title, m.description, m.state, m.start_at, m.end_at, m.opened_at, "
	    "m.live_at, m.ended_at, m.chair_account_id, a.username, m.layout, m.recording_policy, "
	    "m.series_id FROM meetings m LEFT JOIN accounts a ON a.id = m.chair_account_id WHERE "
	    "m.id = ?",
	    STORE_PARAMS(STORE_INT(d->meeting_id)), error);
	JsonObject *m;

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting with id %" G_GINT64_FORMAT, d->meeting_id);
		return NULL;
	}
	m = json_object_new();
	json_object_set_int_member(m, "id", store_rows_get_int(rows, 0, 0));
	json_object_set_string_member(m, "title", store_rows_get(rows, 0, 1));
	json_object_set_string_member(m, "description", store_rows_get(rows, 0, 2));
	json_object_set_string_member(m, "state", store_rows_get(rows, 0, 3));
	json_object_set_int_member(m, "start_at", store_rows_get_int(rows, 0, 4));
	json_object_set_int_member(m, "end_at", store_rows_get_int(rows, 0, 5));
	set_opt_int(m, "opened_at", store_rows_get(rows, 0, 6));
	set_opt_int(m, "live_at", store_rows_get(rows, 0, 7));
	set_opt_int(m, "ended_at", store_rows_get(rows, 0, 8));
	if (store_rows_get(rows, 0, 9)) {
		JsonObject *chair = json_object_new();
		json_object_set_int_member(chair, "id", store_rows_get_int(rows, 0, 9));
		json_object_set_string_member(chair, "username", store_rows_get(rows, 0, 10));
		json_object_set_object_member(m, "chair", chair);
	} else {
		json_object_set_null_member(m, "chair");
	}
	json_object_set_string_member(m, "layout", store_rows_get(rows, 0, 11));
	json_object_set_string_member(m, "recording_policy", store_rows_get(rows, 0, 12));
	set_opt_int(m, "series_id", store_rows_get(rows, 0, 13));
	return m;
}

static JsonArray *agenda_section(struct doc *d, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    d->st,
	    "SELECT id, position, title, presenter, duration_min FROM agenda_items WHERE "
	    "meeting_id = ? ORDER BY position",
	    STORE_PARAMS(STORE_INT(d->meeting_id)), error);
	JsonArray *agenda;

	if (!rows)
		return NULL;
	agenda = json_array_new();
	for (guint r = 0; r < store_rows_count(rows); r++) {
		JsonObject *item = json_object_new(), *ref = json_object_new();
		gint64 id = store_rows_get_int(rows, r, 0);
		json_object_set_int_member(item, "id", id);
		json_object_set_int_member(item, "position", store_rows_get_int(rows, r, 1));
		json_object_set_string_member(item, "title", store_rows_get(rows, r, 2));
		json_object_set_string_member(item, "presenter", store_rows_get(rows, r, 3));
		json_object_set_int_member(item, "duration_minutes",
		                           store_rows_get_int(rows, r, 4));
		json_array_add_object_element(agenda, item);
		json_object_set_int_member(ref, "id", id);
		json_object_set_int_member(ref, "position", store_rows_get_int(rows, r, 1));
		json_object_set_string_member(ref, "title", store_rows_get(rows, r, 2));
		g_hash_table_insert(d->agenda, g_memdup2(&id, sizeof id), ref);
	}
	return agenda;
}

static JsonObject *named(gint64 id, const char *code, const char *name)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "id", id);
	json_object_set_string_member(o, "code", code);
	json_object_set_string_member(o, "name", name);
	return o;
}

/* The attendance sheet, reshaped: endpoint and unit as objects, without what only
 * makes sense live (online_now) or is derived (online_minutes). */
static JsonObject *attendance_section(struct doc *d, gint64 now_ms, GError **error)
{
	g_autoptr(JsonNode) sheet = attendance_list(d->st, d->meeting_id, now_ms, error);
	static const char *const kept[] = {"status",    "reason",    "first_join", "last_leave",
	                                   "online_ms", "intervals", "marked_by",  "marked_at"};
	JsonObject *section, *summary;
	JsonArray *lines, *out;
	gint64 counts[3] = {0};

	if (!sheet)
		return NULL;
	lines = json_node_get_array(sheet);
	out = json_array_new();
	for (guint i = 0; i < json_array_get_length(lines); i++) {
		JsonObject *l = json_array_get_object_element(lines, i), *e = json_object_new();
		enum attendance_status status = ATTENDANCE_ABSENT;
		json_object_set_object_member(
		    e, "endpoint",
		    named(json_object_get_int_member(l, "endpoint_id"),
		          json_object_get_string_member(l, "endpoint_code"),
		          json_object_get_string_member(l, "endpoint_name")));
		json_object_set_object_member(e, "unit",
		                              named(json_object_get_int_member(l, "unit_id"),
		                                    json_object_get_string_member(l, "unit_code"),
		                                    json_object_get_string_member(l, "unit_name")));
		for (size_t k = 0; k < G_N_ELEMENTS(kept); k++)
			json_object_set_member(e, kept[k],
			                       json_node_copy(json_object_get_member(l, kept[k])));
		if (g_strcmp0(json_object_get_string_member(l, "status"), "online") == 0)
			status = ATTENDANCE_ONLINE;
		else if (!attendance_status_settable(json_object_get_string_member(l, "status"),
		                                     &status))
			status = ATTENDANCE_ABSENT;
		counts[status]++;
		json_array_add_object_element(out, e);
	}
	summary = json_object_new();
	json_object_set_int_member(summary, "invited", json_array_get_length(out));
	json_object_set_int_member(summary, "online", counts[ATTENDANCE_ONLINE]);
	json_object_set_int_member(summary, "in_person", counts[ATTENDANCE_IN_PERSON]);
	json_object_set_int_member(summary, "absent", counts[ATTENDANCE_ABSENT]);
	section = json_object_new();
	json_object_set_object_member(section, "summary", summary);
	json_object_set_array_member(section, "endpoints", out);
	return section;
}

/* The endpoints the event log names, for references to them. */
static bool load_endpoints(struct doc *d, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(d->st,
	                "SELECT id, code, name FROM endpoints WHERE id IN (SELECT endpoint_id FROM "
	                "meeting_events WHERE meeting_id = ?)",
	                STORE_PARAMS(STORE_INT(d->meeting_id)), error);

	if (!rows)
		return false;
	for (guint r = 0; r < store_rows_count(rows); r++) {
		gint64 id = store_rows_get_int(rows, r, 0);
		g_hash_table_insert(
		    d->endpoints, g_memdup2(&id, sizeof id),
		    named(id, store_rows_get(rows, r, 1), store_rows_get(rows, r, 2)));
	}
	return true;
}

static bool is_chair_action(const char *kind)
{
	static const char *const actions[] = {"mute", "unmute", "pin",  "unpin",
	                                      "kick", "layout", "lock", "unlock"};

	for (size_t i = 0; i < G_N_ELEMENTS(actions); i++)
		if (strcmp(kind, actions[i]) == 0)
			return true;
	return false;
}

/* The element of `list` whose member `key` is `value`, or NULL. */
static JsonObject *find_by(JsonArray *list, const char *key, const char *value)
{
	for (guint i = 0; i < json_array_get_length(list); i++) {
		JsonObject *o = json_array_get_object_element(list, i);
		if (g_strcmp0(json_object_get_string_member(o, key), value) == 0)
			return o;
	}
	return NULL;
}

static void recording_event(struct doc *d, const char *kind, gint64 at, JsonObject *detail)
{
	const char *ref = json_object_get_string_member(detail, "recording");
	JsonObject *rec = find_by(d->recordings, "recording", ref);
	static const char *const facts[] = {"file", "size", "sha256"};

	if (!rec) {
		rec = json_object_new();
		json_object_set_string_member(rec, "recording", ref);
		json_object_set_null_member(rec, "started_at");
		json_object_set_null_member(rec, "stopped_at");
		for (size_t i = 0; i < G_N_ELEMENTS(facts); i++)
			json_object_set_null_member(rec, facts[i]);
		json_array_add_object_element(d->recordings, rec);
	}
	json_object_set_int_member(
	    rec, strcmp(kind, "recording_started") == 0 ? "started_at" : "stopped_at", at);
	for (size_t i = 0; i < G_N_ELEMENTS(facts); i++)
		if (json_object_has_member(detail, facts[i]))
			json_object_set_member(
			    rec, facts[i],
			    json_node_copy(json_object_get_member(detail, facts[i])));
}

static void vote_opened(struct doc *d, gint64 at, JsonObject *detail)
{
	JsonObject *v = json_object_new();
	JsonArray *options = json_array_new();
	JsonArray *texts = json_object_get_array_member(detail, "options");

	json_object_set_string_member(v, "vote", json_object_get_string_member(detail, "vote"));
	json_object_set_string_member(v, "question",
	                              json_object_get_string_member(detail, "question"));
	json_object_set_boolean_member(v, "secret",
	                               json_object_get_boolean_member(detail, "secret"));
	set_ref(v, "agenda_item", d->agenda,
	        json_object_get_int_member_with_default(detail, "agenda_item", 0));
	json_object_set_int_member(v, "opened_at", at);
	json_object_set_null_member(v, "closed_at");
	for (guint i = 0; i < json_array_get_length(texts); i++) {
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, "text", json_array_get_string_element(texts, i));
		json_object_set_null_member(o, "count");
		json_array_add_object_element(options, o);
	}
	json_object_set_array_member(v, "options", options);
	json_object_set_array_member(v, "choices", json_array_new());
	json_array_add_object_element(d->votes, v);
}

static void vote_closed(struct doc *d, gint64 at, JsonObject *detail)
{
	JsonObject *v = find_by(d->votes, "vote", json_object_get_string_member(detail, "vote"));
	JsonArray *counts = json_object_get_array_member(detail, "counts");
	JsonArray *options, *choices;

	if (!v)
		return; /* the log never has it: closing checks the opening */
	json_object_set_int_member(v, "closed_at", at);
	options = json_object_get_array_member(v, "options");
	for (guint i = 0; i < json_array_get_length(options) && i < json_array_get_length(counts);
	     i++)
		json_object_set_int_member(json_array_get_object_element(options, i), "count",
		                           json_array_get_int_element(counts, i));
	choices = json_object_get_array_member(v, "choices");
	if (!json_object_has_member(detail, "choices"))
		return;
	counts = json_object_get_array_member(detail, "choices");
	for (guint i = 0; i < json_array_get_length(counts); i++) {
		JsonObject *c = json_array_get_object_element(counts, i), *out = json_object_new();
		set_ref(out, "endpoint", d->endpoints, json_object_get_int_member(c, "endpoint"));
		json_object_set_int_member(out, "option", json_object_get_int_member(c, "option"));
		json_array_add_object_element(choices, out);
	}
}

static void add_speaking(struct doc *d, gint64 endpoint, gint64 start, gint64 end)
{
	GArray *list = g_hash_table_lookup(d->speaking, &endpoint);
	struct attendance_interval iv = {start, end};

	if (!list) {
		list = g_array_new(FALSE, FALSE, sizeof iv);
		g_hash_table_insert(d->speaking, g_memdup2(&endpoint, sizeof endpoint), list);
	}
	g_array_append_val(list, iv);
}

static void add_presented(struct doc *d, gint64 at, gint64 endpoint, JsonObject *detail)
{
	gint64 material = json_object_get_int_member(detail, "material");
	JsonArray *list = g_hash_table_lookup(d->presented, &material);
	JsonObject *p = json_object_new();

	if (!list) {
		list = json_array_new();
		g_hash_table_insert(d->presented, g_memdup2(&material, sizeof material), list);
	}
	json_object_set_int_member(p, "at", at);
	json_object_set_int_member(p, "version", json_object_get_int_member(detail, "version"));
	set_ref(p, "endpoint", d->endpoints, endpoint);
	json_array_add_object_element(list, p);
}

/* Files one event of the log under its section. */
static void file_event(struct doc *d, const char *kind, gint64 at, gint64 end_at, gint64 endpoint,
                       const char *actor, JsonObject *detail)
{
	JsonObject *e;

	if (strcmp(kind, "speaking") == 0) {
		add_speaking(d, endpoint, at, end_at);
	} else if (g_str_has_prefix(kind, "floor_")) {
		e = json_object_new();
		json_object_set_int_member(e, "at", at);
		json_object_set_string_member(e, "event", kind + strlen("floor_"));
		set_ref(e, "endpoint", d->endpoints, endpoint);
		json_array_add_object_element(d->floor, e);
	} else if (is_chair_action(kind)) {
		e = json_object_new();
		json_object_set_int_member(e, "at", at);
		json_object_set_string_member(e, "action", kind);
		set_ref(e, "endpoint", d->endpoints, endpoint);
		json_object_set_object_member(e, "detail", json_object_ref(detail));
		json_array_add_object_element(d->chair_actions, e);
	} else if (strcmp(kind, "decision") == 0) {
		e = json_object_new();
		json_object_set_int_member(e, "at", at);
		json_object_set_string_member(e, "text",
		                              json_object_get_string_member(detail, "text"));
		set_ref(e, "agenda_item", d->agenda,
		        json_object_get_int_member_with_default(detail, "agenda_item", 0));
		json_object_set_string_member(e, "by", actor);
		json_array_add_object_element(d->decisions, e);
	} else if (strcmp(kind, "material_presented") == 0) {
		add_presented(d, at, endpoint, detail);
	} else if (g_str_has_prefix(kind, "recording_")) {
		recording_event(d, kind, at, detail);
	} else if (strcmp(kind, "vote_opened") == 0) {
		vote_opened(d, at, detail);
	} else if (strcmp(kind, "vote_closed") == 0) {
		vote_closed(d, at, detail);
	} else {
		g_warning("[meeting %" G_GINT64_FORMAT "] minutes: event kind %s left out",
		          d->meeting_id, kind);
	}
}

static bool read_events(struct doc *d, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    d->st,
	    "SELECT kind, at, end_at, endpoint_id, actor, detail FROM meeting_events WHERE "
	    "meeting_id = ? ORDER BY at, id",
	    STORE_PARAMS(STORE_INT(d->meeting_id)), error);

	if (!rows)
		return false;
	for (guint r = 0; r < store_rows_count(rows); r++) {
		g_autoptr(JsonNode) detail = json_from_string(store_rows_get(rows, r, 5), NULL);
		if (!detail || !JSON_NODE_HOLDS_OBJECT(detail))
			continue; /* only meeting_events.c writes it, always an object */
		file_event(d, store_rows_get(rows, r, 0), store_rows_get_int(rows, r, 1),
		           store_rows_get_int(rows, r, 2), store_rows_get_int(rows, r, 3),
		           store_rows_get(rows, r, 4), json_node_get_object(detail));
	}
	return true;
}

static const char *endpoint_code(JsonObject *entry)
{
	JsonNode *e = json_object_get_member(entry, "endpoint");

	return e && JSON_NODE_HOLDS_OBJECT(e)
	           ? json_object_get_string_member(json_node_get_object(e), "code")
	           : NULL;
}

static gint by_speaking_time(gconstpointer a, gconstpointer b)
{
	JsonObject *x = json_node_get_object((JsonNode *)a),
	           *y = json_node_get_object((JsonNode *)b);
	gint64 tx = json_object_get_int_member(x, "total_ms");
	gint64 ty = json_object_get_int_member(y, "total_ms");

	if (tx != ty)
		return tx > ty ? -1 : 1;
	return g_strcmp0(endpoint_code(x), endpoint_code(y));
}

static int by_interval_start(const void *a, const void *b)
{
	const struct attendance_interval *x = a, *y = b;

	if (x->joined_at != y->joined_at)
		return (x->joined_at > y->joined_at) - (x->joined_at < y->joined_at);
	return (x->left_at > y->left_at) - (x->left_at < y->left_at);
}

/* Per endpoint: total (overlaps once), turns, and the intervals; most speaking first. */
static JsonArray *speaking_section(struct doc *d)
{
	GHashTableIter iter;
	gpointer key, value;
	GList *entries = NULL;
	JsonArray *out = json_array_new();

	g_hash_table_iter_init(&iter, d->speaking);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		GArray *list = value;
		JsonObject *e = json_object_new();
		JsonArray *intervals = json_array_new();
		guint turns;
		g_array_sort(list, by_interval_start);
		set_ref(e, "endpoint", d->endpoints, *(gint64 *)key);
		json_object_set_int_member(
		    e, "total_ms",
		    meeting_speaking_total((struct attendance_interval *)list->data, list->len,
		                           &turns));
		json_object_set_int_member(e, "turns", turns);
		for (guint i = 0; i < list->len; i++) {
			struct attendance_interval *iv =
			    &g_array_index(list, struct attendance_interval, i);
			JsonObject *o = json_object_new();
			json_object_set_int_member(o, "start", iv->joined_at);
			json_object_set_int_member(o, "end", iv->left_at);
			json_array_add_object_element(intervals, o);
		}
		json_object_set_array_member(e, "intervals", intervals);
		entries = g_list_prepend(entries, json_node_init_object(json_node_alloc(), e));
		json_object_unref(e);
	}
	entries = g_list_sort(entries, by_speaking_time);
	for (GList *l = entries; l; l = l->next)
		json_array_add_element(out, l->data);
	g_list_free(entries);
	return out;
}

static JsonObject *version_of(struct store_rows *rows, guint r)
{
	JsonObject *v = json_object_new();

	json_object_set_int_member(v, "version", store_rows_get_int(rows, r, 3));
	json_object_set_string_member(v, "file_name", store_rows_get(rows, r, 4));
	json_object_set_int_member(v, "size", store_rows_get_int(rows, r, 5));
	json_object_set_string_member(v, "sha256", store_rows_get(rows, r, 6));
	json_object_set_string_member(v, "type", store_rows_get(rows, r, 7));
	json_object_set_string_member(v, "uploaded_by", store_rows_get(rows, r, 8));
	json_object_set_int_member(v, "uploaded_at", store_rows_get_int(rows, r, 9));
	return v;
}

/* Every material attached, each version with its hash, and when it was presented. */
static JsonArray *materials_section(struct doc *d, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    d->st,
	    "SELECT m.id, m.name, m.agenda_item_id, v.version, v.file_name, v.size, v.sha256, "
	    "v.type, v.uploaded_by, v.uploaded_at FROM materials m JOIN material_versions v ON "
	    "v.material_id = m.id WHERE m.meeting_id = ? ORDER BY m.id, v.version",
	    STORE_PARAMS(STORE_INT(d->meeting_id)), error);
	JsonArray *out, *versions = NULL;
	gint64 current = 0;

	if (!rows)
		return NULL;
	out = json_array_new();
	for (guint r = 0; r < store_rows_count(rows); r++) {
		gint64 id = store_rows_get_int(rows, r, 0);
		if (id != current) {
			JsonObject *m = json_object_new();
			JsonArray *presented = g_hash_table_lookup(d->presented, &id);
			current = id;
			json_object_set_int_member(m, "id", id);
			json_object_set_string_member(m, "name", store_rows_get(rows, r, 1));
			set_ref(m, "agenda_item", d->agenda, store_rows_get_int(rows, r, 2));
			versions = json_array_new();
			json_object_set_array_member(m, "versions", versions);
			json_object_set_array_member(m, "presented",
			                             presented ? json_array_ref(presented)
			                                       : json_array_new());
			json_array_add_object_element(out, m);
		}
		json_array_add_object_element(versions, version_of(rows, r));
	}
	return out;
}

static void doc_clear(struct doc *d)
{
	g_hash_table_destroy(d->endpoints);
	g_hash_table_destroy(d->agenda);
	g_hash_table_destroy(d->speaking);
	g_hash_table_destroy(d->presented);
	json_array_unref(d->floor);
	json_array_unref(d->chair_actions);
	json_array_unref(d->decisions);
	json_array_unref(d->recordings);
	json_array_unref(d->votes);
}

JsonNode *minutes_document(struct store *st, gint64 meeting_id, const char *organisation,
                           const char *tz, gint64 now_ms, GError **error)
{
	struct doc d = {
	    .st = st,
	    .meeting_id = meeting_id,
	    .endpoints = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	                                       (GDestroyNotify)json_object_unref),
	    .agenda = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	                                    (GDestroyNotify)json_object_unref),
	    .speaking = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	                                      (GDestroyNotify)g_array_unref),
	    .presented = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	                                       (GDestroyNotify)json_array_unref),
	    .floor = json_array_new(),
	    .chair_actions = json_array_new(),
	    .decisions = json_array_new(),
	    .recordings = json_array_new(),
	    .votes = json_array_new(),
	};
	JsonObject *doc = json_object_new(), *meeting = NULL, *attendance = NULL;
	JsonArray *agenda = NULL, *materials = NULL;
	JsonNode *root = NULL;

	if (!(meeting = meeting_section(&d, error)) || !(agenda = agenda_section(&d, error)) ||
	    !(attendance = attendance_section(&d, now_ms, error)) || !load_endpoints(&d, error) ||
	    !read_events(&d, error) || !(materials = materials_section(&d, error)))
		goto out;
	json_object_set_string_member(doc, "format", MINUTES_FORMAT);
	json_object_set_int_member(doc, "format_version", MINUTES_FORMAT_VERSION);
	json_object_set_string_member(doc, "organisation", organisation ? organisation : "");
	json_object_set_string_member(doc, "timezone", tz ? tz : "UTC");
	json_object_set_object_member(doc, "meeting", g_steal_pointer(&meeting));
	json_object_set_array_member(doc, "agenda", g_steal_pointer(&agenda));
	json_object_set_object_member(doc, "attendance", g_steal_pointer(&attendance));
	json_object_set_array_member(doc, "speaking", speaking_section(&d));
	json_object_set_array_member(doc, "floor", json_array_ref(d.floor));
	json_object_set_array_member(doc, "chair_actions", json_array_ref(d.chair_actions));
	json_object_set_array_member(doc, "decisions", json_array_ref(d.decisions));
	json_object_set_array_member(doc, "materials", g_steal_pointer(&materials));
	json_object_set_array_member(doc, "recordings", json_array_ref(d.recordings));
	json_object_set_array_member(doc, "votes", json_array_ref(d.votes));
	root = json_node_init_object(json_node_alloc(), doc);
out:
	if (meeting)
		json_object_unref(meeting);
	if (agenda)
		json_array_unref(agenda);
	if (attendance)
		json_object_unref(attendance);
	json_object_unref(doc);
	doc_clear(&d);
	return root;
}
