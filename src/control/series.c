/* SPDX-License-Identifier: MIT */
/* Recurring series: the weekly rule, local-time arithmetic with GDateTime/GTimeZone, and
 * the occurrences materialised ahead as meetings. */
#define G_LOG_DOMAIN "cau-series"
#include "series.h"

#include "audit.h"
#include "meetings_private.h"

#include <string.h>

#define MINUTE_MS G_GINT64_CONSTANT(60000)

static const char *const day_codes[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

static bool parse_days(const char *text, guint8 *days)
{
	g_auto(GStrv) codes = g_strsplit(text, ",", -1);

	*days = 0;
	for (char **c = codes; *c; c++) {
		guint d;
		for (d = 0; d < G_N_ELEMENTS(day_codes); d++) {
			if (g_ascii_strcasecmp(*c, day_codes[d]) == 0)
				break;
		}
		if (d == G_N_ELEMENTS(day_codes))
			return false;
		*days |= (guint8)(1u << d);
	}
	return *days != 0;
}

/* A decimal number of 1 to `max_digits` digits in [min, max] filling all of `text`. */
static bool parse_number(const char *text, guint max_digits, int min, int max, int *out)
{
	guint64 v;
	size_t len = strlen(text);

	if (len < 1 || len > max_digits ||
	    !g_ascii_string_to_unsigned(text, 10, (guint64)min, (guint64)max, &v, NULL))
		return false;
	*out = (int)v;
	return true;
}

bool series_rule_parse(const char *text, struct series_rule *rule, GError **error)
{
	const char *at = text ? strchr(text, '@') : NULL;
	const char *slash = at ? strchr(at, '/') : NULL;
	const char *colon = at ? strchr(at, ':') : NULL;
	bool ok =
	    text && g_str_has_prefix(text, "weekly:") && at && slash && colon && colon < slash;

	if (ok) {
		g_autofree char *days =
		    g_strndup(text + strlen("weekly:"), (gsize)(at - text) - strlen("weekly:"));
		g_autofree char *hour = g_strndup(at + 1, (gsize)(colon - at - 1));
		g_autofree char *minute = g_strndup(colon + 1, (gsize)(slash - colon - 1));
		ok = parse_days(days, &rule->days) && strlen(hour) == 2 && strlen(minute) == 2 &&
		     parse_number(hour, 2, 0, 23, &rule->hour) &&
		     parse_number(minute, 2, 0, 59, &rule->minute) &&
		     parse_number(slash + 1, 4, 1, 1440, &rule->duration_min);
	}
	if (!ok)
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "rule must look like \"weekly:MO,TH@08:00/90\": days from MO TU WE TH "
		            "FR SA SU, the local start time HH:MM, the duration in minutes "
		            "(1-1440)");
	return ok;
}

char *series_rule_format(const struct series_rule *rule)
{
	GString *out = g_string_new("weekly:");

	for (guint d = 0, n = 0; d < G_N_ELEMENTS(day_codes); d++) {
		if (rule->days & (1u << d))
			g_string_append_printf(out, "%s%s", n++ ? "," : "", day_codes[d]);
	}
	g_string_append_printf(out, "@%02d:%02d/%d", rule->hour, rule->minute, rule->duration_min);
	return g_string_free(out, FALSE);
}

guint series_rule_next(const struct series_rule *rule, GTimeZone *tz, gint64 after_ms,
                       gint64 *starts, guint n)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(after_ms / 1000);
	g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, tz);
	GDate day;
	guint found = 0;

	if (!rule->days || !local)
		return 0;
	/* Walk the calendar in local days (GDate knows month ends and leap years); the local
	 * start time of each matching day becomes an instant through the zone's rules. The
	 * day before is included: after_ms may be just past midnight in a zone behind. */
	g_date_clear(&day, 1);
	g_date_set_dmy(&day, (GDateDay)g_date_time_get_day_of_month(local),
	               (GDateMonth)g_date_time_get_month(local),
	               (GDateYear)g_date_time_get_year(local));
	g_date_subtract_days(&day, 1);
	for (guint i = 0; found < n && i < 7 * (n + 2); i++, g_date_add_days(&day, 1)) {
		guint bit = (guint)g_date_get_weekday(&day) - 1; /* G_DATE_MONDAY is 1 */
		g_autoptr(GDateTime) start = NULL;
		gint64 ms;

		if (!(rule->days & (1u << bit)))
			continue;
		start = g_date_time_new(tz, g_date_get_year(&day), g_date_get_month(&day),
		                        g_date_get_day(&day), rule->hour, rule->minute, 0);
		if (!start)
			continue;
		ms = g_date_time_to_unix(start) * 1000;
		if (ms > after_ms)
			starts[found++] = ms;
	}
	return found;
}

static const char *actor_name(const struct principal *who)
{
	return who && who->account_id ? who->username : "system";
}

/* ---- materialising ---- */

/* Inserts the occurrence of series `series_id` at `start` unless it exists. */
static bool make_occurrence(struct store *st, const struct principal *who, gint64 series_id,
                            gint64 start, gint64 end, gint64 now, GError **error)
{
	g_autoptr(store_rows) exists =
	    store_query(st, "SELECT id FROM meetings WHERE series_id = ? AND series_slot = ?",
	                STORE_PARAMS(STORE_INT(series_id), STORE_INT(start)), error);
	g_autoptr(store_rows) rows = NULL;
	g_autofree char *target = NULL, *detail = NULL;
	gint64 id;

	if (!exists)
		return false;
	if (store_rows_count(exists) > 0)
		return true;
	rows = store_query(
	    st,
	    /* Typed casts: PostgreSQL cannot infer a parameter's type in a SELECT list. */
	    "INSERT INTO meetings (series_id, series_slot, title, description, start_at, end_at, "
	    "lead_ms, grace_ms, chair_account_id, layout, recording_policy, created_by, "
	    "created_at, updated_at) SELECT id, CAST(? AS BIGINT), title, description, CAST(? AS "
	    "BIGINT), CAST(? AS BIGINT), lead_ms, grace_ms, chair_account_id, layout, "
	    "recording_policy, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT) FROM "
	    "meeting_series WHERE id = ? RETURNING id",
	    STORE_PARAMS(STORE_INT(start), STORE_INT(start), STORE_INT(end),
	                 STORE_TEXT(actor_name(who)), STORE_INT(now), STORE_INT(now),
	                 STORE_INT(series_id)),
	    error);
	if (!rows)
		return false;
	id = store_rows_get_int(rows, 0, 0);
	if (!store_exec(st,
	                "INSERT INTO meeting_invitees (meeting_id, unit_id, endpoint_id, "
	                "include_descendants) SELECT CAST(? AS BIGINT), unit_id, endpoint_id, "
	                "include_descendants "
	                "FROM series_invitees WHERE series_id = ? ORDER BY id",
	                STORE_PARAMS(STORE_INT(id), STORE_INT(series_id)), NULL, error))
		return false;
	target = g_strdup_printf("%" G_GINT64_FORMAT, id);
	detail =
	    g_strdup_printf("{\"series_id\":%" G_GINT64_FORMAT ",\"start_at\":%" G_GINT64_FORMAT
	                    ",\"end_at\":%" G_GINT64_FORMAT "}",
	                    series_id, start, end);
	g_info("[series %" G_GINT64_FORMAT "] occurrence at %" G_GINT64_FORMAT
	       " materialised as meeting %" G_GINT64_FORMAT,
	       series_id, start, id);
	return audit_append(st, who, "meeting.create", target, detail, error);
}

/* Materialises the next occurrences of one series; `*first` gets the earliest start. */
static bool materialise_one(struct store *st, const struct principal *who, gint64 series_id,
                            const char *rule_text, const char *tz_name, gint64 now, gint64 *first,
                            GError **error)
{
	struct series_rule rule;
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(tz_name);
	gint64 starts[SERIES_OCCURRENCES_AHEAD];
	guint n;

	*first = 0;
	if (!tz || !series_rule_parse(rule_text, &rule, NULL)) {
		g_warning("[series %" G_GINT64_FORMAT "] unusable rule \"%s\" or time zone \"%s\"; "
		          "skipped",
		          series_id, rule_text, tz_name);
		return true;
	}
	n = series_rule_next(&rule, tz, now, starts, G_N_ELEMENTS(starts));
	for (guint i = 0; i < n; i++) {
		if (!make_occurrence(st, who, series_id, starts[i],
		                     starts[i] + rule.duration_min * MINUTE_MS, now, error))
			return false;
	}
	*first = n ? starts[0] : 0;
	return true;
}

struct materialise_ctx {
	struct meetings *m;
	const struct principal *who;
	gint64 only_series; /* 0: every series */
	gint64 next_ms;
};

static bool materialise_all(struct store *st, gpointer user_data, GError **error)
{
	struct materialise_ctx *c = user_data;
	gint64 now = clock_now_ms(c->m->clock);
	g_autoptr(store_rows) rows =
	    c->only_series
	        ? store_query(st,
	                      "SELECT id, rule, timezone FROM meeting_series WHERE id = ? AND "
	                      "deleted_at IS NULL",
	                      STORE_PARAMS(STORE_INT(c->only_series)), error)
	        : store_query(st,
	                      "SELECT id, rule, timezone FROM meeting_series WHERE deleted_at IS "
	                      "NULL ORDER BY id",
	                      NULL, 0, error);

	if (!rows)
		return false;
	c->next_ms = 0;
	for (guint r = 0; r < store_rows_count(rows); r++) {
		gint64 first = 0;
		if (!materialise_one(st, c->who, store_rows_get_int(rows, r, 0),
		                     store_rows_get(rows, r, 1), store_rows_get(rows, r, 2), now,
		                     &first, error))
			return false;
		if (first && (!c->next_ms || first < c->next_ms))
			c->next_ms = first;
	}
	return true;
}

bool series_materialise(struct meetings *m, const struct principal *who, gint64 *next_ms,
                        GError **error)
{
	struct materialise_ctx c = {m, who, 0, 0};

	if (!store_transaction(m->store, materialise_all, &c, error))
		return false;
	*next_ms = c.next_ms;
	return true;
}

/* ---- create and delete ---- */

struct create_ctx {
	struct meetings *m;
	const struct principal *who;
	const struct series_fields *f; /* defaults filled in */
	const char *rule;              /* canonical */
	gint64 id;
};

static bool insert_series(struct store *st, gpointer user_data, GError **error)
{
	struct create_ctx *c = user_data;
	const struct series_fields *f = c->f;
	gint64 now = clock_now_ms(c->m->clock);
	struct materialise_ctx mc = {c->m, c->who, 0, 0};
	g_autoptr(store_rows) rows = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	g_autofree char *target = NULL, *detail = NULL;

	if (f->invitees && !meetings_check_invitees(st, f->invitees, error))
		return false;
	rows = store_query(
	    st,
	    "INSERT INTO meeting_series (rule, timezone, created_at, title, description, lead_ms, "
	    "grace_ms, chair_account_id, layout, recording_policy, created_by) VALUES (?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    STORE_PARAMS(STORE_TEXT(c->rule), STORE_TEXT(f->timezone), STORE_INT(now),
	                 STORE_TEXT(f->title), STORE_TEXT(f->description), STORE_INT(f->lead_ms),
	                 STORE_INT(f->grace_ms),
	                 f->chair_account_id > 0 ? STORE_INT(f->chair_account_id) : STORE_NULL,
	                 STORE_TEXT(f->layout), STORE_TEXT(f->recording_policy),
	                 STORE_TEXT(actor_name(c->who))),
	    error);
	if (!rows)
		return false;
	c->id = mc.only_series = store_rows_get_int(rows, 0, 0);
	if (f->invitees && !meetings_insert_invitees(st, "series_invitees", "series_id", c->id,
	                                             f->invitees, error))
		return false;
	json_builder_begin_object(b);
	meetings_json_string(b, "title", f->title);
	meetings_json_string(b, "rule", c->rule);
	meetings_json_string(b, "timezone", f->timezone);
	json_builder_end_object(b);
	detail = meetings_json_text(b);
	target = g_strdup_printf("%" G_GINT64_FORMAT, c->id);
	return audit_append(st, c->who, "series.create", target, detail, error) &&
	       materialise_all(st, &mc, error);
}

gint64 series_create(struct meetings *m, const struct principal *who,
                     const struct series_fields *fields, GError **error)
{
	struct series_fields f = *fields;
	struct series_rule rule;
	g_autoptr(GTimeZone) tz = NULL;
	g_autofree char *canonical = NULL;
	struct create_ctx c = {m, who, &f, NULL, 0};

	f.description = f.description ? f.description : "";
	f.timezone = f.timezone ? f.timezone : m->cfg.timezone;
	f.lead_ms = f.lead_ms != -1 ? f.lead_ms : m->cfg.lead_ms;
	f.grace_ms = f.grace_ms != -1 ? f.grace_ms : m->cfg.grace_ms;
	f.layout = f.layout ? f.layout : "speaker";
	f.recording_policy = f.recording_policy ? f.recording_policy : "manual";
	if (!meetings_check_title(f.title, MEETING_TITLE_MAX, "title", error) ||
	    !series_rule_parse(f.rule, &rule, error) ||
	    !meetings_check_settings(m->store, f.description, f.lead_ms, f.grace_ms, f.layout,
	                             f.recording_policy, f.chair_account_id, error))
		return 0;
	tz = g_time_zone_new_identifier(f.timezone);
	if (!tz) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "timezone \"%s\" is not a known time zone (e.g. Asia/Ho_Chi_Minh)",
		            f.timezone);
		return 0;
	}
	canonical = series_rule_format(&rule);
	c.rule = canonical;
	if (!store_transaction(m->store, insert_series, &c, error))
		return 0;
	g_info("[series %" G_GINT64_FORMAT "] created by %s: \"%s\" %s in %s", c.id,
	       actor_name(who), f.title, canonical, f.timezone);
	meetings_notify(m, 0, MEETING_STATE_NONE, MEETING_STATE_NONE);
	return c.id;
}

struct delete_ctx {
	struct meetings *m;
	const struct principal *who;
	gint64 id;
	GArray *cancelled; /* struct cancelled_occurrence */
};

struct cancelled_occurrence {
	gint64 id;
	enum meeting_state from;
};

/* Cancels the occurrences of the series not yet live, each audited. */
static bool cancel_occurrences(struct store *st, struct delete_ctx *c, gint64 now, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    st,
	    "SELECT id, state FROM meetings WHERE series_id = ? AND state IN ('scheduled', "
	    "'open') ORDER BY start_at",
	    STORE_PARAMS(STORE_INT(c->id)), error);

	if (!rows)
		return false;
	for (guint r = 0; r < store_rows_count(rows); r++) {
		struct cancelled_occurrence o = {
		    store_rows_get_int(rows, r, 0),
		    meeting_state_from_name(store_rows_get(rows, r, 1))};
		g_autofree char *target = g_strdup_printf("%" G_GINT64_FORMAT, o.id);
		g_autofree char *detail =
		    g_strdup_printf("{\"from\":\"%s\",\"to\":\"cancelled\",\"reason\":\"series "
		                    "deleted\"}",
		                    meeting_state_name(o.from));
		if (!store_exec(
		        st,
		        "UPDATE meetings SET state = 'cancelled', updated_at = ?, ended_at = ? "
		        "WHERE id = ?",
		        STORE_PARAMS(STORE_INT(now), STORE_INT(now), STORE_INT(o.id)), NULL,
		        error) ||
		    !audit_append(st, c->who, "meeting.cancel", target, detail, error))
			return false;
		g_array_append_val(c->cancelled, o);
	}
	return true;
}

static bool delete_series(struct store *st, gpointer user_data, GError **error)
{
	struct delete_ctx *c = user_data;
	gint64 now = clock_now_ms(c->m->clock), changes = 0;
	g_autofree char *target = g_strdup_printf("%" G_GINT64_FORMAT, c->id);
	g_autofree char *detail = NULL;

	if (!store_exec(st,
	                "UPDATE meeting_series SET deleted_at = ? WHERE id = ? AND deleted_at "
	                "IS NULL",
	                STORE_PARAMS(STORE_INT(now), STORE_INT(c->id)), &changes, error))
		return false;
	if (changes == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no series with id %" G_GINT64_FORMAT, c->id);
		return false;
	}
	if (!cancel_occurrences(st, c, now, error))
		return false;
	detail = g_strdup_printf("{\"cancelled\":%u}", c->cancelled->len);
	return audit_append(st, c->who, "series.delete", target, detail, error);
}

bool series_delete(struct meetings *m, const struct principal *who, gint64 id, guint *cancelled,
                   GError **error)
{
	g_autoptr(GArray) list = g_array_new(FALSE, FALSE, sizeof(struct cancelled_occurrence));
	struct delete_ctx c = {m, who, id, list};

	if (!store_transaction(m->store, delete_series, &c, error))
		return false;
	g_info("[series %" G_GINT64_FORMAT "] deleted by %s; %u occurrences cancelled", id,
	       actor_name(who), list->len);
	for (guint i = 0; i < list->len; i++) {
		const struct cancelled_occurrence *o =
		    &g_array_index(list, struct cancelled_occurrence, i);
		meetings_notify(m, o->id, o->from, MEETING_CANCELLED);
	}
	meetings_notify(m, 0, MEETING_STATE_NONE, MEETING_STATE_NONE);
	if (cancelled)
		*cancelled = list->len;
	return true;
}

/* ---- reading ---- */

#define SERIES_SELECT                                                                              \
	"SELECT s.id, s.title, s.description, s.rule, s.timezone, s.lead_ms, s.grace_ms, "         \
	"s.chair_account_id, a.username, s.layout, s.recording_policy, s.created_by, "             \
	"s.created_at FROM meeting_series s LEFT JOIN accounts a ON a.id = s.chair_account_id "    \
	"WHERE s.deleted_at IS NULL"

static void add_series_members(JsonBuilder *b, const struct store_rows *rows, guint r)
{
	static const char *const text_members[] = {"title", "description", "rule", "timezone"};

	meetings_json_int(b, "id", store_rows_get_int(rows, r, 0));
	for (guint i = 0; i < G_N_ELEMENTS(text_members); i++)
		meetings_json_string(b, text_members[i], store_rows_get(rows, r, 1 + i));
	meetings_json_int(b, "lead_minutes", store_rows_get_int(rows, r, 5) / MINUTE_MS);
	meetings_json_int(b, "grace_minutes", store_rows_get_int(rows, r, 6) / MINUTE_MS);
	json_builder_set_member_name(b, "chair");
	if (store_rows_get(rows, r, 7)) {
		json_builder_begin_object(b);
		meetings_json_int(b, "id", store_rows_get_int(rows, r, 7));
		meetings_json_string(b, "username", store_rows_get(rows, r, 8));
		json_builder_end_object(b);
	} else {
		json_builder_add_null_value(b);
	}
	meetings_json_string(b, "layout", store_rows_get(rows, r, 9));
	meetings_json_string(b, "recording_policy", store_rows_get(rows, r, 10));
	meetings_json_string(b, "created_by", store_rows_get(rows, r, 11));
	meetings_json_int(b, "created_at", store_rows_get_int(rows, r, 12));
}

JsonNode *series_get_json(struct meetings *m, gint64 id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(m->store, SERIES_SELECT " AND s.id = ?",
	                                         STORE_PARAMS(STORE_INT(id)), error);
	struct meeting_filter filter = {
	    .series_id = id,
	    .states = MEETING_STATE_BIT(MEETING_SCHEDULED) | MEETING_STATE_BIT(MEETING_OPEN) |
	              MEETING_STATE_BIT(MEETING_LIVE),
	    .limit = 1000,
	};
	g_autoptr(JsonBuilder) b = NULL;
	JsonNode *occurrences;

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no series with id %" G_GINT64_FORMAT, id);
		return NULL;
	}
	occurrences = meetings_list_json(m, &filter, error);
	if (!occurrences)
		return NULL;
	b = json_builder_new_immutable();
	json_builder_begin_object(b);
	add_series_members(b, rows, 0);
	json_builder_set_member_name(b, "meetings");
	json_builder_add_value(b, occurrences);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

JsonNode *series_list_json(struct meetings *m, GError **error)
{
	g_autoptr(store_rows) rows =
	    store_query(m->store, SERIES_SELECT " ORDER BY s.id", NULL, 0, error);
	g_autoptr(JsonBuilder) b = NULL;

	if (!rows)
		return NULL;
	b = json_builder_new_immutable();
	json_builder_begin_array(b);
	for (guint r = 0; r < store_rows_count(rows); r++) {
		json_builder_begin_object(b);
		add_series_members(b, rows, r);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return json_builder_get_root(b);
}
