/* SPDX-License-Identifier: MIT */
/* Meetings: creation, changes, state transitions and their JSON, each write audited in
 * the transaction that makes it. */
#define G_LOG_DOMAIN "cau-meetings"
#include "audit.h"
#include "meetings_private.h"

#include <string.h>

#define MINUTE_MS      G_GINT64_CONSTANT(60000)
/* 9999-12-31T23:59:59.999Z: later times are surely a unit mistake (µs, ns). */
#define LATEST_TIME_MS G_GINT64_CONSTANT(253402300799999)

static const char *const state_names[] = {"scheduled", "open", "live", "ended", "cancelled"};
static const char *const layouts[] = {"speaker", "grid", "pinned", NULL};
static const char *const recording_policies[] = {"none", "manual", "auto", NULL};

const char *meeting_state_name(enum meeting_state state)
{
	return (guint)state < G_N_ELEMENTS(state_names) ? state_names[state] : NULL;
}

enum meeting_state meeting_state_from_name(const char *name)
{
	for (guint i = 0; name && i < G_N_ELEMENTS(state_names); i++) {
		if (strcmp(state_names[i], name) == 0)
			return (enum meeting_state)i;
	}
	return MEETING_STATE_NONE;
}

bool meeting_layout_valid(const char *name)
{
	return name && g_strv_contains(layouts, name);
}

bool meeting_recording_policy_valid(const char *name)
{
	return name && g_strv_contains(recording_policies, name);
}

struct meetings *meetings_new(struct store *st, struct clock *clock,
                              const struct meetings_config *cfg)
{
	struct meetings *m = g_new0(struct meetings, 1);

	m->store = st;
	m->clock = clock;
	m->cfg = *cfg;
	m->cfg.timezone = g_strdup(cfg->timezone ? cfg->timezone : "UTC");
	return m;
}

void meetings_free(struct meetings *m)
{
	if (!m)
		return;
	g_free((char *)m->cfg.timezone);
	g_free(m);
}

void meetings_set_listener(struct meetings *m, meetings_listener_fn fn, gpointer user_data)
{
	m->listener = fn;
	m->listener_data = user_data;
}

struct store *meetings_store(struct meetings *m)
{
	return m->store;
}

struct clock *meetings_clock(struct meetings *m)
{
	return m->clock;
}

const struct meetings_config *meetings_config(struct meetings *m)
{
	return &m->cfg;
}

void meetings_notify(struct meetings *m, gint64 id, enum meeting_state from, enum meeting_state to)
{
	if (m->listener)
		m->listener(id, from, to, m->listener_data);
}

/* ---- JSON helpers ---- */

void meetings_json_int(JsonBuilder *b, const char *name, gint64 v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

void meetings_json_int_or_null(JsonBuilder *b, const char *name, gint64 v)
{
	json_builder_set_member_name(b, name);
	if (v)
		json_builder_add_int_value(b, v);
	else
		json_builder_add_null_value(b);
}

void meetings_json_string(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

char *meetings_json_text(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

/* ---- validation ---- */

bool meetings_check_title(const char *title, glong max, const char *what, GError **error)
{
	glong len = title && g_utf8_validate(title, -1, NULL) ? g_utf8_strlen(title, -1) : 0;
	bool blank = true;

	for (const char *p = title; p && *p && blank; p++)
		blank = g_ascii_isspace(*p);
	if (len < 1 || len > max || blank) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "%s must have 1 to %ld characters, not only spaces", what, max);
		return false;
	}
	return true;
}

static bool check_minutes(gint64 ms, gint64 max_min, const char *what, GError **error)
{
	if (ms == -1 || (ms >= 0 && ms <= max_min * MINUTE_MS))
		return true;
	g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
	            "%s must be between 0 and %" G_GINT64_FORMAT, what, max_min);
	return false;
}

static bool check_chair(struct store *st, gint64 account_id, GError **error)
{
	g_autoptr(store_rows) rows = NULL;

	if (account_id <= 0)
		return true;
	rows = store_query(st, "SELECT username, disabled FROM accounts WHERE id = ?",
	                   STORE_PARAMS(STORE_INT(account_id)), error);
	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "chair: no account with id %" G_GINT64_FORMAT, account_id);
		return false;
	}
	if (store_rows_get_int(rows, 0, 1)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "chair: account \"%s\" is disabled", store_rows_get(rows, 0, 0));
		return false;
	}
	return true;
}

bool meetings_check_settings(struct store *st, const char *description, gint64 lead_ms,
                             gint64 grace_ms, const char *layout, const char *recording_policy,
                             gint64 chair_account_id, GError **error)
{
	if (description && (!g_utf8_validate(description, -1, NULL) ||
	                    g_utf8_strlen(description, -1) > MEETING_DESCRIPTION_MAX)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "description must have at most %d characters", MEETING_DESCRIPTION_MAX);
		return false;
	}
	if (!check_minutes(lead_ms, MEETING_MAX_LEAD_MIN, "lead_minutes", error) ||
	    !check_minutes(grace_ms, MEETING_MAX_GRACE_MIN, "grace_minutes", error))
		return false;
	if (layout && !meeting_layout_valid(layout)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "layout must be \"speaker\", \"grid\" or \"pinned\"");
		return false;
	}
	if (recording_policy && !meeting_recording_policy_valid(recording_policy)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "recording_policy must be \"none\", \"manual\" or \"auto\"");
		return false;
	}
	return check_chair(st, chair_account_id, error);
}

/* Start before end, at most 24 h apart, both plausible Unix milliseconds. */
static bool check_times(gint64 start_at, gint64 end_at, GError **error)
{
	if (start_at <= 0 || end_at <= 0 || start_at > LATEST_TIME_MS || end_at > LATEST_TIME_MS) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "start_at and end_at must be Unix times in milliseconds");
		return false;
	}
	if (end_at <= start_at) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "end_at must be after start_at");
		return false;
	}
	if (end_at - start_at > MEETING_MAX_DURATION_MS) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "a meeting lasts at most 24 hours (end_at - start_at)");
		return false;
	}
	return true;
}

static const char *actor_name(const struct principal *who)
{
	return who && who->account_id ? who->username : "system";
}

static struct store_param chair_param(gint64 chair_account_id)
{
	return chair_account_id > 0 ? STORE_INT(chair_account_id) : STORE_NULL;
}

/* ---- create ---- */

struct create_ctx {
	struct meetings *m;
	const struct principal *who;
	const struct meeting_fields *f; /* defaults filled in */
	gint64 id;
};

static bool insert_meeting(struct store *st, gpointer user_data, GError **error)
{
	struct create_ctx *c = user_data;
	const struct meeting_fields *f = c->f;
	gint64 now = clock_now_ms(c->m->clock);
	g_autoptr(store_rows) rows = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	g_autofree char *target = NULL, *detail = NULL;

	rows = store_query(
	    st,
	    "INSERT INTO meetings (title, description, start_at, end_at, lead_ms, grace_ms, "
	    "chair_account_id, layout, recording_policy, created_by, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    STORE_PARAMS(STORE_TEXT(f->title), STORE_TEXT(f->description), STORE_INT(f->start_at),
	                 STORE_INT(f->end_at), STORE_INT(f->lead_ms), STORE_INT(f->grace_ms),
	                 chair_param(f->chair_account_id), STORE_TEXT(f->layout),
	                 STORE_TEXT(f->recording_policy), STORE_TEXT(actor_name(c->who)),
	                 STORE_INT(now), STORE_INT(now)),
	    error);
	if (!rows)
		return false;
	c->id = store_rows_get_int(rows, 0, 0);
	json_builder_begin_object(b);
	meetings_json_string(b, "title", f->title);
	meetings_json_int(b, "start_at", f->start_at);
	meetings_json_int(b, "end_at", f->end_at);
	json_builder_end_object(b);
	detail = meetings_json_text(b);
	target = g_strdup_printf("%" G_GINT64_FORMAT, c->id);
	return audit_append(st, c->who, "meeting.create", target, detail, error);
}

gint64 meetings_create(struct meetings *m, const struct principal *who,
                       const struct meeting_fields *fields, GError **error)
{
	struct meeting_fields f = *fields;
	struct create_ctx c = {m, who, &f, 0};

	f.description = f.description ? f.description : "";
	f.lead_ms = f.lead_ms != -1 ? f.lead_ms : m->cfg.lead_ms;
	f.grace_ms = f.grace_ms != -1 ? f.grace_ms : m->cfg.grace_ms;
	f.layout = f.layout ? f.layout : "speaker";
	f.recording_policy = f.recording_policy ? f.recording_policy : "manual";
	if (!meetings_check_title(f.title, MEETING_TITLE_MAX, "title", error) ||
	    !check_times(f.start_at, f.end_at, error) ||
	    !meetings_check_settings(m->store, f.description, f.lead_ms, f.grace_ms, f.layout,
	                             f.recording_policy, f.chair_account_id, error))
		return 0;
	if (f.end_at <= clock_now_ms(m->clock)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID, "end_at is in the past");
		return 0;
	}
	if (!store_transaction(m->store, insert_meeting, &c, error))
		return 0;
	g_info("[meeting %" G_GINT64_FORMAT "] created by %s: \"%s\"", c.id, actor_name(who),
	       f.title);
	meetings_notify(m, c.id, MEETING_STATE_NONE, MEETING_SCHEDULED);
	return c.id;
}

/* ---- update ---- */

bool meetings_state_of(struct store *st, gint64 id, enum meeting_state *state, GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT state FROM meetings WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(id)), error);

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting with id %" G_GINT64_FORMAT, id);
		return false;
	}
	*state = meeting_state_from_name(store_rows_get(rows, 0, 0));
	return true;
}

struct update_ctx {
	struct meetings *m;
	const struct principal *who;
	gint64 id;
	const struct meeting_fields *f;
	enum meeting_state from, to;
};

/* The fields given, with their new values, for the audit log. */
static char *update_detail(const struct meeting_fields *f, enum meeting_state from,
                           enum meeting_state to)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();

	json_builder_begin_object(b);
	if (f->title)
		meetings_json_string(b, "title", f->title);
	if (f->description)
		meetings_json_string(b, "description", f->description);
	if (f->start_at)
		meetings_json_int(b, "start_at", f->start_at);
	if (f->end_at)
		meetings_json_int(b, "end_at", f->end_at);
	if (f->lead_ms >= 0)
		meetings_json_int(b, "lead_minutes", f->lead_ms / MINUTE_MS);
	if (f->grace_ms >= 0)
		meetings_json_int(b, "grace_minutes", f->grace_ms / MINUTE_MS);
	if (f->chair_account_id >= 0)
		meetings_json_int_or_null(b, "chair_id", f->chair_account_id);
	if (f->layout)
		meetings_json_string(b, "layout", f->layout);
	if (f->recording_policy)
		meetings_json_string(b, "recording_policy", f->recording_policy);
	if (from != to)
		meetings_json_string(b, "state", meeting_state_name(to));
	json_builder_end_object(b);
	return meetings_json_text(b);
}

#define PICK(given, keep, old) ((given) != (keep) ? (given) : (old))

static bool apply_update(struct store *st, gpointer user_data, GError **error)
{
	struct update_ctx *u = user_data;
	const struct meeting_fields *f = u->f;
	gint64 now = clock_now_ms(u->m->clock), changes = 0, start, end, lead, grace, chair;
	g_autoptr(store_rows) r = store_query(
	    st,
	    "SELECT state, start_at, end_at, lead_ms, grace_ms, chair_account_id FROM meetings "
	    "WHERE id = ?",
	    STORE_PARAMS(STORE_INT(u->id)), error);
	g_autofree char *sql = NULL, *detail = NULL, *target = NULL;

	if (!r)
		return false;
	if (store_rows_count(r) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting with id %" G_GINT64_FORMAT, u->id);
		return false;
	}
	u->from = u->to = meeting_state_from_name(store_rows_get(r, 0, 0));
	if (u->from != MEETING_SCHEDULED && u->from != MEETING_OPEN) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "meeting %" G_GINT64_FORMAT " is %s; only a scheduled or open meeting "
		            "can be changed",
		            u->id, meeting_state_name(u->from));
		return false;
	}
	start = PICK(f->start_at, 0, store_rows_get_int(r, 0, 1));
	end = PICK(f->end_at, 0, store_rows_get_int(r, 0, 2));
	lead = PICK(f->lead_ms, -1, store_rows_get_int(r, 0, 3));
	grace = PICK(f->grace_ms, -1, store_rows_get_int(r, 0, 4));
	chair = PICK(f->chair_account_id, -1, store_rows_get_int(r, 0, 5));
	if (f->start_at || f->end_at) {
		if (!check_times(start, end, error))
			return false;
		if (end <= now) {
			g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
			            "end_at is in the past");
			return false;
		}
	}
	/* Moved later: the room closes again until its new opening time. */
	if (u->from == MEETING_OPEN && start - lead > now)
		u->to = MEETING_SCHEDULED;
	sql = g_strdup_printf(
	    "UPDATE meetings SET title = COALESCE(?, title), description = COALESCE(?, "
	    "description), start_at = ?, end_at = ?, lead_ms = ?, grace_ms = ?, "
	    "chair_account_id = ?, layout = COALESCE(?, layout), recording_policy = COALESCE(?, "
	    "recording_policy), state = ?, updated_at = ?%s WHERE id = ? AND state = ?",
	    u->to != u->from ? ", opened_at = NULL" : "");
	if (!store_exec(
	        st, sql,
	        STORE_PARAMS(f->title ? STORE_TEXT(f->title) : STORE_NULL,
	                     f->description ? STORE_TEXT(f->description) : STORE_NULL,
	                     STORE_INT(start), STORE_INT(end), STORE_INT(lead), STORE_INT(grace),
	                     chair_param(chair), f->layout ? STORE_TEXT(f->layout) : STORE_NULL,
	                     f->recording_policy ? STORE_TEXT(f->recording_policy) : STORE_NULL,
	                     STORE_TEXT(meeting_state_name(u->to)), STORE_INT(now),
	                     STORE_INT(u->id), STORE_TEXT(meeting_state_name(u->from))),
	        &changes, error))
		return false;
	detail = update_detail(f, u->from, u->to);
	target = g_strdup_printf("%" G_GINT64_FORMAT, u->id);
	return audit_append(st, u->who, "meeting.update", target, detail, error);
}

bool meetings_update(struct meetings *m, const struct principal *who, gint64 id,
                     const struct meeting_fields *fields, GError **error)
{
	struct update_ctx u = {m, who, id, fields, MEETING_STATE_NONE, MEETING_STATE_NONE};

	if (fields->title &&
	    !meetings_check_title(fields->title, MEETING_TITLE_MAX, "title", error))
		return false;
	if (!meetings_check_settings(m->store, fields->description, fields->lead_ms,
	                             fields->grace_ms, fields->layout, fields->recording_policy,
	                             fields->chair_account_id, error))
		return false;
	if (!store_transaction(m->store, apply_update, &u, error))
		return false;
	g_info("[meeting %" G_GINT64_FORMAT "] updated by %s%s", id, actor_name(who),
	       u.from != u.to ? "; back to scheduled until its new opening time" : "");
	meetings_notify(m, id, u.from, u.to);
	return true;
}

/* ---- state transitions ---- */

struct transition {
	guint allowed_from; /* MEETING_STATE_BIT()s */
	enum meeting_state to;
	const char *action;
	const char *past; /* "cancelled", for messages */
	const char *reason;
};

static const struct transition to_cancelled = {
    MEETING_STATE_BIT(MEETING_SCHEDULED) | MEETING_STATE_BIT(MEETING_OPEN), MEETING_CANCELLED,
    "meeting.cancel", "cancelled", NULL};
static const struct transition to_open = {MEETING_STATE_BIT(MEETING_SCHEDULED), MEETING_OPEN,
                                          "meeting.open", "opened", "schedule"};
static const struct transition to_live = {MEETING_STATE_BIT(MEETING_SCHEDULED) |
                                              MEETING_STATE_BIT(MEETING_OPEN),
                                          MEETING_LIVE, "meeting.live", "started", NULL};
static const struct transition to_ended_early = {
    MEETING_STATE_BIT(MEETING_OPEN) | MEETING_STATE_BIT(MEETING_LIVE), MEETING_ENDED, "meeting.end",
    "ended", "ended early"};
static const struct transition to_closed = {MEETING_STATE_BIT(MEETING_SCHEDULED) |
                                                MEETING_STATE_BIT(MEETING_OPEN) |
                                                MEETING_STATE_BIT(MEETING_LIVE),
                                            MEETING_ENDED, "meeting.end", "ended", "schedule"};

struct transition_ctx {
	struct meetings *m;
	const struct principal *who;
	gint64 id;
	const struct transition *t;
	enum meeting_state from;
};

static const char *const transition_sql[] = {
    [MEETING_OPEN] = "UPDATE meetings SET state = ?, updated_at = ?, opened_at = ? "
                     "WHERE id = ? AND state = ?",
    [MEETING_LIVE] = "UPDATE meetings SET state = ?, updated_at = ?, live_at = ?, "
                     "opened_at = COALESCE(opened_at, ?) WHERE id = ? AND state = ?",
    [MEETING_ENDED] = "UPDATE meetings SET state = ?, updated_at = ?, ended_at = ? "
                      "WHERE id = ? AND state = ?",
    [MEETING_CANCELLED] = "UPDATE meetings SET state = ?, updated_at = ?, ended_at = ? "
                          "WHERE id = ? AND state = ?",
};

static bool apply_transition(struct store *st, gpointer user_data, GError **error)
{
	struct transition_ctx *c = user_data;
	gint64 now = clock_now_ms(c->m->clock), changes = 0;
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	g_autofree char *detail = NULL, *target = NULL;

	if (!meetings_state_of(st, c->id, &c->from, error))
		return false;
	if (!(c->t->allowed_from & MEETING_STATE_BIT(c->from))) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "meeting %" G_GINT64_FORMAT " is %s; it cannot be %s", c->id,
		            meeting_state_name(c->from), c->t->past);
		return false;
	}
	struct store_param to = STORE_TEXT(meeting_state_name(c->t->to));
	struct store_param from = STORE_TEXT(meeting_state_name(c->from));
	bool ok;

	/* "live" sets two times: live_at, and opened_at when it skipped "open". */
	if (c->t->to == MEETING_LIVE)
		ok = store_exec(st, transition_sql[c->t->to],
		                STORE_PARAMS(to, STORE_INT(now), STORE_INT(now), STORE_INT(now),
		                             STORE_INT(c->id), from),
		                &changes, error);
	else
		ok = store_exec(
		    st, transition_sql[c->t->to],
		    STORE_PARAMS(to, STORE_INT(now), STORE_INT(now), STORE_INT(c->id), from),
		    &changes, error);
	if (!ok)
		return false;
	if (changes != 1) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "meeting %" G_GINT64_FORMAT " changed meanwhile; try again", c->id);
		return false;
	}
	json_builder_begin_object(b);
	meetings_json_string(b, "from", meeting_state_name(c->from));
	meetings_json_string(b, "to", meeting_state_name(c->t->to));
	if (c->t->reason)
		meetings_json_string(b, "reason", c->t->reason);
	json_builder_end_object(b);
	detail = meetings_json_text(b);
	target = g_strdup_printf("%" G_GINT64_FORMAT, c->id);
	return audit_append(st, c->who, c->t->action, target, detail, error);
}

static bool transition(struct meetings *m, const struct principal *who, gint64 id,
                       const struct transition *t, GError **error)
{
	struct transition_ctx c = {m, who, id, t, MEETING_STATE_NONE};

	if (!store_transaction(m->store, apply_transition, &c, error))
		return false;
	g_info("[meeting %" G_GINT64_FORMAT "] %s -> %s by %s", id, meeting_state_name(c.from),
	       meeting_state_name(t->to), actor_name(who));
	meetings_notify(m, id, c.from, t->to);
	return true;
}

bool meetings_cancel(struct meetings *m, const struct principal *who, gint64 id, GError **error)
{
	return transition(m, who, id, &to_cancelled, error);
}

bool meetings_open(struct meetings *m, const struct principal *who, gint64 id, GError **error)
{
	return transition(m, who, id, &to_open, error);
}

bool meetings_mark_live(struct meetings *m, const struct principal *who, gint64 id, GError **error)
{
	return transition(m, who, id, &to_live, error);
}

bool meetings_end(struct meetings *m, const struct principal *who, gint64 id, GError **error)
{
	return transition(m, who, id, &to_ended_early, error);
}

bool meetings_close(struct meetings *m, const struct principal *who, gint64 id, GError **error)
{
	return transition(m, who, id, &to_closed, error);
}

/* ---- reading ---- */

bool meetings_lookup(struct meetings *m, gint64 id, struct meeting_info *info, GError **error)
{
	g_autoptr(store_rows) r = store_query(
	    m->store,
	    "SELECT series_id, state, start_at, end_at, lead_ms, grace_ms, chair_account_id, "
	    "opened_at FROM meetings WHERE id = ?",
	    STORE_PARAMS(STORE_INT(id)), error);

	if (!r)
		return false;
	if (store_rows_count(r) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting with id %" G_GINT64_FORMAT, id);
		return false;
	}
	*info = (struct meeting_info){
	    .id = id,
	    .series_id = store_rows_get_int(r, 0, 0),
	    .state = meeting_state_from_name(store_rows_get(r, 0, 1)),
	    .start_at = store_rows_get_int(r, 0, 2),
	    .end_at = store_rows_get_int(r, 0, 3),
	    .lead_ms = store_rows_get_int(r, 0, 4),
	    .grace_ms = store_rows_get_int(r, 0, 5),
	    .chair_account_id = store_rows_get_int(r, 0, 6),
	    .opened_at = store_rows_get_int(r, 0, 7),
	};
	return true;
}

#define MEETING_SELECT                                                                             \
	"SELECT m.id, m.series_id, m.title, m.description, m.start_at, m.end_at, m.lead_ms, "      \
	"m.grace_ms, m.chair_account_id, a.username, m.layout, m.recording_policy, m.state, "      \
	"m.opened_at, m.live_at, m.ended_at, m.created_by, m.created_at, m.updated_at FROM "       \
	"meetings m LEFT JOIN accounts a ON a.id = m.chair_account_id"

enum meeting_column {
	COL_ID,
	COL_SERIES,
	COL_TITLE,
	COL_DESCRIPTION,
	COL_START,
	COL_END,
	COL_LEAD,
	COL_GRACE,
	COL_CHAIR_ID,
	COL_CHAIR_NAME,
	COL_LAYOUT,
	COL_RECORDING,
	COL_STATE,
	COL_OPENED,
	COL_LIVE,
	COL_ENDED,
	COL_CREATED_BY,
	COL_CREATED,
	COL_UPDATED,
};

/* Adds the members of one meeting row to the open object of `b`. */
static void add_meeting_members(JsonBuilder *b, const struct store_rows *rows, guint r)
{
	gint64 start = store_rows_get_int(rows, r, COL_START);
	gint64 end = store_rows_get_int(rows, r, COL_END);
	gint64 lead = store_rows_get_int(rows, r, COL_LEAD);
	gint64 grace = store_rows_get_int(rows, r, COL_GRACE);

	meetings_json_int(b, "id", store_rows_get_int(rows, r, COL_ID));
	meetings_json_int_or_null(b, "series_id", store_rows_get_int(rows, r, COL_SERIES));
	meetings_json_string(b, "title", store_rows_get(rows, r, COL_TITLE));
	meetings_json_string(b, "description", store_rows_get(rows, r, COL_DESCRIPTION));
	meetings_json_int(b, "start_at", start);
	meetings_json_int(b, "end_at", end);
	meetings_json_int(b, "lead_minutes", lead / MINUTE_MS);
	meetings_json_int(b, "grace_minutes", grace / MINUTE_MS);
	meetings_json_int(b, "opens_at", start - lead);
	meetings_json_int(b, "closes_at", end + grace);
	json_builder_set_member_name(b, "chair");
	if (store_rows_get(rows, r, COL_CHAIR_ID)) {
		json_builder_begin_object(b);
		meetings_json_int(b, "id", store_rows_get_int(rows, r, COL_CHAIR_ID));
		meetings_json_string(b, "username", store_rows_get(rows, r, COL_CHAIR_NAME));
		json_builder_end_object(b);
	} else {
		json_builder_add_null_value(b);
	}
	meetings_json_string(b, "layout", store_rows_get(rows, r, COL_LAYOUT));
	meetings_json_string(b, "recording_policy", store_rows_get(rows, r, COL_RECORDING));
	meetings_json_string(b, "state", store_rows_get(rows, r, COL_STATE));
	meetings_json_int_or_null(b, "opened_at", store_rows_get_int(rows, r, COL_OPENED));
	meetings_json_int_or_null(b, "live_at", store_rows_get_int(rows, r, COL_LIVE));
	meetings_json_int_or_null(b, "ended_at", store_rows_get_int(rows, r, COL_ENDED));
	meetings_json_string(b, "created_by", store_rows_get(rows, r, COL_CREATED_BY));
	meetings_json_int(b, "created_at", store_rows_get_int(rows, r, COL_CREATED));
	meetings_json_int(b, "updated_at", store_rows_get_int(rows, r, COL_UPDATED));
}

JsonNode *meetings_get_json(struct meetings *m, gint64 id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(m->store, MEETING_SELECT " WHERE m.id = ?",
	                                         STORE_PARAMS(STORE_INT(id)), error);
	g_autoptr(JsonBuilder) b = NULL;

	if (!rows)
		return NULL;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting with id %" G_GINT64_FORMAT, id);
		return NULL;
	}
	b = json_builder_new_immutable();
	json_builder_begin_object(b);
	add_meeting_members(b, rows, 0);
	json_builder_set_member_name(b, "agenda");
	if (!meetings_agenda_json(m->store, id, b, error))
		return NULL;
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static void add_condition(GString *sql, GArray *params, const char *condition,
                          struct store_param param)
{
	g_string_append_printf(sql, " AND %s", condition);
	g_array_append_val(params, param);
}

JsonNode *meetings_list_json(struct meetings *m, const struct meeting_filter *filter,
                             GError **error)
{
	g_autoptr(GString) sql = g_string_new(MEETING_SELECT " WHERE 1 = 1");
	g_autoptr(GArray) params = g_array_new(FALSE, FALSE, sizeof(struct store_param));
	g_autoptr(store_rows) rows = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	guint limit = filter->limit ? MIN(filter->limit, 1000) : MEETING_LIST_DEFAULT_MAX;

	/* Only the conditions in use, so every parameter has a type the database infers. */
	if (filter->from_ms)
		add_condition(sql, params, "m.end_at >= ?", STORE_INT(filter->from_ms));
	if (filter->to_ms)
		add_condition(sql, params, "m.start_at <= ?", STORE_INT(filter->to_ms));
	if (filter->series_id)
		add_condition(sql, params, "m.series_id = ?", STORE_INT(filter->series_id));
	if (filter->states) {
		g_string_append(sql, " AND m.state IN (");
		for (guint s = 0, n = 0; s < MEETING_STATE_NONE; s++) {
			struct store_param p = STORE_TEXT(meeting_state_name(s));
			if (!(filter->states & MEETING_STATE_BIT(s)))
				continue;
			g_string_append(sql, n++ ? ", ?" : "?");
			g_array_append_val(params, p);
		}
		g_string_append(sql, ")");
	}
	g_string_append_printf(sql, " ORDER BY m.start_at, m.id LIMIT %u", limit);
	rows = store_query(m->store, sql->str, (const struct store_param *)params->data,
	                   params->len, error);
	if (!rows)
		return NULL;
	b = json_builder_new_immutable();
	json_builder_begin_array(b);
	for (guint r = 0; r < store_rows_count(rows); r++) {
		json_builder_begin_object(b);
		add_meeting_members(b, rows, r);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return json_builder_get_root(b);
}
