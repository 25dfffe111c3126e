/* SPDX-License-Identifier: MIT */
/* Appending to and reading the audit log. */
#define G_LOG_DOMAIN "cau-audit"
#include "audit.h"

bool audit_append(struct store *st, const struct principal *who, const char *action,
                  const char *target, const char *detail, GError **error)
{
	/* An account, or a named actor without one (a chair's endpoint: "endpoint/ID"). */
	const char *actor = who && (who->account_id || who->username[0]) ? who->username : "system";

	return store_exec(st,
	                  "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, "
	                  "?, ?, ?)",
	                  STORE_PARAMS(STORE_INT(g_get_real_time() / 1000), STORE_TEXT(actor),
	                               STORE_TEXT(action), STORE_TEXT(target), STORE_TEXT(detail)),
	                  NULL, error);
}

static void add_entry(JsonBuilder *b, const struct store_rows *rows, guint r)
{
	static const char *const text_columns[] = {"actor", "action", "target"};
	const char *detail = store_rows_get(rows, r, 5);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, store_rows_get_int(rows, r, 0));
	json_builder_set_member_name(b, "at");
	json_builder_add_int_value(b, store_rows_get_int(rows, r, 1));
	for (guint c = 0; c < G_N_ELEMENTS(text_columns); c++) {
		json_builder_set_member_name(b, text_columns[c]);
		json_builder_add_string_value(b, store_rows_get(rows, r, 2 + c));
	}
	json_builder_set_member_name(b, "detail");
	if (detail) {
		g_autoptr(JsonNode) parsed = json_from_string(detail, NULL);
		if (parsed)
			json_builder_add_value(b, g_steal_pointer(&parsed));
		else
			json_builder_add_string_value(b, detail);
	} else {
		json_builder_add_null_value(b);
	}
	json_builder_end_object(b);
}

/* Adds "AND column op ?" with its parameter. */
static void add_condition(GString *sql, GArray *params, const char *condition,
                          struct store_param param)
{
	g_string_append_printf(sql, " AND %s", condition);
	g_array_append_val(params, param);
}

JsonNode *audit_query(struct store *st, const struct audit_filter *f, GError **error)
{
	g_autofree char *prefix =
	    f->action_prefix ? g_strconcat(f->action_prefix, "%", NULL) : NULL;
	g_autoptr(GString) sql =
	    g_string_new("SELECT id, at, actor, action, target, detail FROM audit_log WHERE 1 = 1");
	g_autoptr(GArray) params = g_array_new(FALSE, FALSE, sizeof(struct store_param));
	g_autoptr(store_rows) rows = NULL;
	g_autoptr(JsonBuilder) b = NULL;

	/* Only the conditions in use, so every parameter has a type the database can infer. */
	if (f->since_ms)
		add_condition(sql, params, "at >= ?", STORE_INT(f->since_ms));
	if (f->until_ms)
		add_condition(sql, params, "at <= ?", STORE_INT(f->until_ms));
	if (f->actor)
		add_condition(sql, params, "actor = ?", STORE_TEXT(f->actor));
	if (prefix)
		add_condition(sql, params, "action LIKE ?", STORE_TEXT(prefix));
	if (f->before_id)
		add_condition(sql, params, "id < ?", STORE_INT(f->before_id));
	g_string_append_printf(sql, " ORDER BY id DESC LIMIT %u", CLAMP(f->limit, 1, 1000));
	rows =
	    store_query(st, sql->str, (const struct store_param *)params->data, params->len, error);
	if (!rows)
		return NULL;
	b = json_builder_new_immutable();
	json_builder_begin_array(b);
	for (guint r = 0; r < store_rows_count(rows); r++)
		add_entry(b, rows, r);
	json_builder_end_array(b);
	return json_builder_get_root(b);
}
