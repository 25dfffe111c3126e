/* SPDX-License-Identifier: MIT */
/* Attendance: online intervals, operators' marks, the computed sheet, JSON and CSV. */
#define G_LOG_DOMAIN "cau-attendance"
#include "attendance.h"

#include "audit.h"

#include <stdlib.h>
#include <string.h>

#define REASON_MAX_CHARS 500
#define NO_REASON        "no reason given"

static const char *const status_names[] = {
    [ATTENDANCE_ABSENT] = "absent",
    [ATTENDANCE_IN_PERSON] = "in_person",
    [ATTENDANCE_ONLINE] = "online",
};

const char *attendance_status_name(enum attendance_status status)
{
	return status_names[status];
}

bool attendance_status_settable(const char *name, enum attendance_status *out)
{
	if (g_strcmp0(name, "in_person") == 0)
		*out = ATTENDANCE_IN_PERSON;
	else if (g_strcmp0(name, "absent") == 0)
		*out = ATTENDANCE_ABSENT;
	else
		return false;
	return true;
}

static int by_join(const void *a, const void *b)
{
	const struct attendance_interval *x = a, *y = b;

	return (x->joined_at > y->joined_at) - (x->joined_at < y->joined_at);
}

gint64 attendance_online_ms(const struct attendance_interval *intervals, size_t n, gint64 until_ms)
{
	g_autofree struct attendance_interval *sorted = NULL;
	gint64 total = 0, start = 0, end = 0;
	bool open = false;

	if (n == 0)
		return 0;
	sorted = g_memdup2(intervals, n * sizeof *intervals);
	qsort(sorted, n, sizeof *sorted, by_join);
	for (size_t i = 0; i < n; i++) {
		gint64 from = sorted[i].joined_at;
		gint64 to = sorted[i].left_at && sorted[i].left_at < until_ms ? sorted[i].left_at
		                                                              : until_ms;
		if (to <= from)
			continue;
		if (open && from <= end) {
			end = MAX(end, to); /* overlaps the run: extend it */
			continue;
		}
		if (open)
			total += end - start;
		start = from;
		end = to;
		open = true;
	}
	return open ? total + end - start : total;
}

enum attendance_status attendance_compute(size_t n_intervals, const char *marked,
                                          const char *marked_reason, const char **reason)
{
	enum attendance_status status = ATTENDANCE_ABSENT;

	if (n_intervals > 0) {
		*reason = "";
		return ATTENDANCE_ONLINE;
	}
	if (marked && attendance_status_settable(marked, &status)) {
		*reason = marked_reason ? marked_reason : "";
		if (status == ATTENDANCE_ABSENT && !**reason)
			*reason = NO_REASON;
		return status;
	}
	*reason = NO_REASON;
	return ATTENDANCE_ABSENT;
}

static bool ids_exist(struct store *st, gint64 meeting_id, gint64 endpoint_id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    st,
	    "SELECT (SELECT COUNT(*) FROM meetings WHERE id = ?), (SELECT COUNT(*) FROM "
	    "endpoints WHERE id = ?)",
	    STORE_PARAMS(STORE_INT(meeting_id), STORE_INT(endpoint_id)), error);

	if (!rows)
		return false;
	if (store_rows_get_int(rows, 0, 0) == 0 || store_rows_get_int(rows, 0, 1) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no %s with id %" G_GINT64_FORMAT,
		            store_rows_get_int(rows, 0, 0) ? "endpoint" : "meeting",
		            store_rows_get_int(rows, 0, 0) ? endpoint_id : meeting_id);
		return false;
	}
	return true;
}

bool attendance_joined(struct store *st, gint64 meeting_id, gint64 endpoint_id, gint64 at_ms,
                       GError **error)
{
	if (!ids_exist(st, meeting_id, endpoint_id, error))
		return false;
	if (!store_exec(
	        st,
	        "INSERT INTO attendance_intervals (meeting_id, endpoint_id, joined_at) "
	        "VALUES (?, ?, ?)",
	        STORE_PARAMS(STORE_INT(meeting_id), STORE_INT(endpoint_id), STORE_INT(at_ms)), NULL,
	        error))
		return false;
	g_debug("[attendance meeting %" G_GINT64_FORMAT " / endpoint %" G_GINT64_FORMAT "] joined",
	        meeting_id, endpoint_id);
	return true;
}

bool attendance_left(struct store *st, gint64 meeting_id, gint64 endpoint_id, gint64 at_ms,
                     GError **error)
{
	g_autoptr(store_rows) open = store_query(
	    st,
	    "SELECT id, joined_at FROM attendance_intervals WHERE meeting_id = ? AND endpoint_id "
	    "= ? AND left_at IS NULL ORDER BY joined_at DESC, id DESC LIMIT 1",
	    STORE_PARAMS(STORE_INT(meeting_id), STORE_INT(endpoint_id)), error);

	if (!open)
		return false;
	if (store_rows_count(open) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT,
		            "endpoint %" G_GINT64_FORMAT
		            " is not online in meeting %" G_GINT64_FORMAT,
		            endpoint_id, meeting_id);
		return false;
	}
	if (at_ms < store_rows_get_int(open, 0, 1)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "endpoint %" G_GINT64_FORMAT " cannot leave before it joined",
		            endpoint_id);
		return false;
	}
	if (!store_exec(st, "UPDATE attendance_intervals SET left_at = ? WHERE id = ?",
	                STORE_PARAMS(STORE_INT(at_ms), STORE_INT(store_rows_get_int(open, 0, 0))),
	                NULL, error))
		return false;
	g_debug("[attendance meeting %" G_GINT64_FORMAT " / endpoint %" G_GINT64_FORMAT "] left",
	        meeting_id, endpoint_id);
	return true;
}

/* The endpoints taking part in a meeting: invited directly, or through a unit (and the
 * units under it when the invitation says so), or present in the attendance tables.
 * Takes the meeting id four times. */
#define ATTENDEES_CTE                                                                              \
	"WITH RECURSIVE invited_units (id, deep) AS ("                                             \
	" SELECT unit_id, include_descendants FROM meeting_invitees"                               \
	"  WHERE meeting_id = ? AND unit_id IS NOT NULL"                                           \
	" UNION"                                                                                   \
	" SELECT u.id, 1 FROM units u JOIN invited_units iu ON u.parent_id = iu.id"                \
	"  WHERE iu.deep = 1"                                                                      \
	"), attendees (endpoint_id) AS ("                                                          \
	" SELECT e.id FROM endpoints e JOIN invited_units iu ON e.unit_id = iu.id"                 \
	" UNION SELECT endpoint_id FROM meeting_invitees"                                          \
	"  WHERE meeting_id = ? AND endpoint_id IS NOT NULL"                                       \
	" UNION SELECT endpoint_id FROM attendance_intervals WHERE meeting_id = ?"                 \
	" UNION SELECT endpoint_id FROM attendance_marks WHERE meeting_id = ?"                     \
	") "

struct set_ctx {
	const struct principal *who;
	gint64 meeting_id, endpoint_id;
	enum attendance_status status;
	const char *reason;
};

static char *set_detail(const struct set_ctx *s, const char *endpoint_code)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "endpoint");
	json_builder_add_int_value(b, s->endpoint_id);
	json_builder_set_member_name(b, "endpoint_code");
	json_builder_add_string_value(b, endpoint_code);
	json_builder_set_member_name(b, "status");
	json_builder_add_string_value(b, attendance_status_name(s->status));
	json_builder_set_member_name(b, "reason");
	json_builder_add_string_value(b, s->reason);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

static bool write_mark(struct store *st, gpointer user_data, GError **error)
{
	struct set_ctx *s = user_data;
	const char *by = s->who && s->who->account_id ? s->who->username : "system";
	g_autoptr(store_rows) invited = store_query(
	    st,
	    ATTENDEES_CTE "SELECT e.code FROM attendees a JOIN endpoints e ON e.id = a.endpoint_id "
	                  "WHERE a.endpoint_id = ?",
	    STORE_PARAMS(STORE_INT(s->meeting_id), STORE_INT(s->meeting_id),
	                 STORE_INT(s->meeting_id), STORE_INT(s->meeting_id),
	                 STORE_INT(s->endpoint_id)),
	    error);
	g_autofree char *detail = NULL, *target = NULL;

	if (!invited)
		return false;
	if (store_rows_count(invited) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "endpoint %" G_GINT64_FORMAT
		            " is not invited to meeting %" G_GINT64_FORMAT,
		            s->endpoint_id, s->meeting_id);
		return false;
	}
	if (!store_exec(st,
	                "INSERT INTO attendance_marks (meeting_id, endpoint_id, status, reason, "
	                "set_by, set_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id, "
	                "endpoint_id) DO UPDATE SET status = excluded.status, reason = "
	                "excluded.reason, set_by = excluded.set_by, set_at = excluded.set_at",
	                STORE_PARAMS(STORE_INT(s->meeting_id), STORE_INT(s->endpoint_id),
	                             STORE_TEXT(attendance_status_name(s->status)),
	                             STORE_TEXT(s->reason), STORE_TEXT(by),
	                             STORE_INT(g_get_real_time() / 1000)),
	                NULL, error))
		return false;
	detail = set_detail(s, store_rows_get(invited, 0, 0));
	target = g_strdup_printf("meeting/%" G_GINT64_FORMAT, s->meeting_id);
	return audit_append(st, s->who, "attendance.set", target, detail, error);
}

bool attendance_set(struct store *st, const struct principal *who, gint64 meeting_id,
                    gint64 endpoint_id, enum attendance_status status, const char *reason,
                    GError **error)
{
	struct set_ctx s = {who, meeting_id, endpoint_id, status, reason ? reason : ""};

	if (status == ATTENDANCE_ONLINE) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "\"online\" comes from connecting; set \"in_person\" or \"absent\"");
		return false;
	}
	if (!g_utf8_validate(s.reason, -1, NULL) ||
	    g_utf8_strlen(s.reason, -1) > REASON_MAX_CHARS) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID,
		            "the reason must be UTF-8 text of at most %d characters",
		            REASON_MAX_CHARS);
		return false;
	}
	if (!ids_exist(st, meeting_id, endpoint_id, error))
		return false;
	return store_transaction(st, write_mark, &s, error);
}

/* One invitee's line of the sheet; strings borrowed from the sheet's rows. */
struct line {
	gint64 endpoint_id, unit_id;
	const char *endpoint_code, *endpoint_name, *unit_code, *unit_name;
	const char *marked_by;
	gint64 marked_at;
	GArray *intervals; /* struct attendance_interval, borrowed from the sheet */
	enum attendance_status status;
	const char *reason;
	bool online_now;
	gint64 first_join, last_leave, online_ms; /* 0: none */
};

typedef struct sheet sheet;
struct sheet {
	struct store_rows *rows;
	GHashTable *intervals; /* endpoint id -> GArray of struct attendance_interval */
	GArray *lines;         /* struct line */
};

static void sheet_free(struct sheet *s)
{
	store_rows_free(s->rows);
	if (s->intervals)
		g_hash_table_destroy(s->intervals);
	g_array_unref(s->lines);
	g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sheet, sheet_free)

/* The moment open intervals count until: now, or the meeting's end once it ended. */
static bool sheet_until(struct store *st, gint64 meeting_id, gint64 now_ms, gint64 *until,
                        GError **error)
{
	g_autoptr(store_rows) rows = store_query(st, "SELECT ended_at FROM meetings WHERE id = ?",
	                                         STORE_PARAMS(STORE_INT(meeting_id)), error);

	if (!rows)
		return false;
	if (store_rows_count(rows) == 0) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND,
		            "no meeting with id %" G_GINT64_FORMAT, meeting_id);
		return false;
	}
	*until = now_ms;
	if (store_rows_get(rows, 0, 0) && store_rows_get_int(rows, 0, 0) < now_ms)
		*until = store_rows_get_int(rows, 0, 0);
	return true;
}

static GHashTable *load_intervals(struct store *st, gint64 meeting_id, GError **error)
{
	g_autoptr(store_rows) rows = store_query(
	    st,
	    "SELECT endpoint_id, joined_at, left_at FROM attendance_intervals WHERE meeting_id = "
	    "? ORDER BY endpoint_id, joined_at",
	    STORE_PARAMS(STORE_INT(meeting_id)), error);
	GHashTable *table;

	if (!rows)
		return NULL;
	table = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	                              (GDestroyNotify)g_array_unref);
	for (guint r = 0; r < store_rows_count(rows); r++) {
		gint64 id = store_rows_get_int(rows, r, 0);
		struct attendance_interval iv = {store_rows_get_int(rows, r, 1),
		                                 store_rows_get_int(rows, r, 2)};
		GArray *list = g_hash_table_lookup(table, &id);
		if (!list) {
			list = g_array_new(FALSE, FALSE, sizeof iv);
			g_hash_table_insert(table, g_memdup2(&id, sizeof id), list);
		}
		g_array_append_val(list, iv);
	}
	return table;
}

static void compute_line(struct line *l, const char *marked, const char *marked_reason,
                         gint64 until)
{
	const struct attendance_interval *iv =
	    l->intervals ? (const struct attendance_interval *)l->intervals->data : NULL;
	guint n = l->intervals ? l->intervals->len : 0;

	l->status = attendance_compute(n, marked, marked_reason, &l->reason);
	l->online_ms = attendance_online_ms(iv, n, until);
	for (guint i = 0; i < n; i++) {
		if (!l->first_join || iv[i].joined_at < l->first_join)
			l->first_join = iv[i].joined_at;
		if (!iv[i].left_at)
			l->online_now = true;
		l->last_leave = MAX(l->last_leave, iv[i].left_at);
	}
	if (l->online_now)
		l->last_leave = 0; /* has not left (yet) */
}

static struct sheet *sheet_load(struct store *st, gint64 meeting_id, gint64 now_ms, GError **error)
{
	g_autoptr(sheet) s = g_new0(struct sheet, 1);
	gint64 until;

	s->lines = g_array_new(FALSE, TRUE, sizeof(struct line));
	if (!sheet_until(st, meeting_id, now_ms, &until, error))
		return NULL;
	s->intervals = load_intervals(st, meeting_id, error);
	if (!s->intervals)
		return NULL;
	s->rows = store_query(
	    st,
	    ATTENDEES_CTE
	    "SELECT e.id, e.code, e.name, u.id, u.code, u.name, m.status, m.reason, m.set_by, "
	    "m.set_at FROM attendees a JOIN endpoints e ON e.id = a.endpoint_id JOIN units u ON "
	    "u.id = e.unit_id LEFT JOIN attendance_marks m ON m.meeting_id = ? AND "
	    "m.endpoint_id = e.id ORDER BY u.code, e.code",
	    STORE_PARAMS(STORE_INT(meeting_id), STORE_INT(meeting_id), STORE_INT(meeting_id),
	                 STORE_INT(meeting_id), STORE_INT(meeting_id)),
	    error);
	if (!s->rows)
		return NULL;
	for (guint r = 0; r < store_rows_count(s->rows); r++) {
		struct line l = {
		    .endpoint_id = store_rows_get_int(s->rows, r, 0),
		    .endpoint_code = store_rows_get(s->rows, r, 1),
		    .endpoint_name = store_rows_get(s->rows, r, 2),
		    .unit_id = store_rows_get_int(s->rows, r, 3),
		    .unit_code = store_rows_get(s->rows, r, 4),
		    .unit_name = store_rows_get(s->rows, r, 5),
		    .marked_by = store_rows_get(s->rows, r, 8),
		    .marked_at = store_rows_get_int(s->rows, r, 9),
		};
		l.intervals = g_hash_table_lookup(s->intervals, &l.endpoint_id);
		compute_line(&l, store_rows_get(s->rows, r, 6), store_rows_get(s->rows, r, 7),
		             until);
		g_array_append_val(s->lines, l);
	}
	return g_steal_pointer(&s);
}

static void add_time(JsonBuilder *b, const char *name, gint64 ms)
{
	json_builder_set_member_name(b, name);
	if (ms)
		json_builder_add_int_value(b, ms);
	else
		json_builder_add_null_value(b);
}

static void add_string(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void add_line(JsonBuilder *b, const struct line *l)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "endpoint_id");
	json_builder_add_int_value(b, l->endpoint_id);
	add_string(b, "endpoint_code", l->endpoint_code);
	add_string(b, "endpoint_name", l->endpoint_name);
	json_builder_set_member_name(b, "unit_id");
	json_builder_add_int_value(b, l->unit_id);
	add_string(b, "unit_code", l->unit_code);
	add_string(b, "unit_name", l->unit_name);
	add_string(b, "status", attendance_status_name(l->status));
	add_string(b, "reason", l->reason);
	json_builder_set_member_name(b, "online_now");
	json_builder_add_boolean_value(b, l->online_now);
	add_time(b, "first_join", l->first_join);
	add_time(b, "last_leave", l->last_leave);
	json_builder_set_member_name(b, "online_ms");
	json_builder_add_int_value(b, l->online_ms);
	json_builder_set_member_name(b, "online_minutes");
	json_builder_add_int_value(b, (l->online_ms + 30000) / 60000);
	json_builder_set_member_name(b, "intervals");
	json_builder_begin_array(b);
	for (guint i = 0; l->intervals && i < l->intervals->len; i++) {
		const struct attendance_interval *iv =
		    &g_array_index(l->intervals, struct attendance_interval, i);
		json_builder_begin_object(b);
		add_time(b, "joined_at", iv->joined_at);
		add_time(b, "left_at", iv->left_at);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	add_string(b, "marked_by", l->marked_by);
	add_time(b, "marked_at", l->marked_at);
	json_builder_end_object(b);
}

JsonNode *attendance_list(struct store *st, gint64 meeting_id, gint64 now_ms, GError **error)
{
	g_autoptr(sheet) s = sheet_load(st, meeting_id, now_ms, error);
	g_autoptr(JsonBuilder) b = NULL;

	if (!s)
		return NULL;
	b = json_builder_new_immutable();
	json_builder_begin_array(b);
	for (guint i = 0; i < s->lines->len; i++)
		add_line(b, &g_array_index(s->lines, struct line, i));
	json_builder_end_array(b);
	return json_builder_get_root(b);
}

/* Appends one CSV field (RFC 4180 quoting). Text that a spreadsheet would run as a
 * formula gets a leading apostrophe. */
static void csv_field(GString *out, const char *value, bool last)
{
	const char *v = value ? value : "";
	g_autofree char *text =
	    v[0] && strchr("=+-@\t\r", v[0]) ? g_strconcat("'", v, NULL) : g_strdup(v);

	if (strpbrk(text, ",\"\r\n")) {
		g_string_append_c(out, '"');
		for (const char *p = text; *p; p++) {
			if (*p == '"')
				g_string_append_c(out, '"');
			g_string_append_c(out, *p);
		}
		g_string_append_c(out, '"');
	} else {
		g_string_append(out, text);
	}
	g_string_append(out, last ? "\r\n" : ",");
}

static char *csv_time(gint64 ms, GTimeZone *tz)
{
	g_autoptr(GDateTime) utc = NULL, local = NULL;

	if (!ms)
		return g_strdup("");
	utc = g_date_time_new_from_unix_utc(ms / 1000);
	local = g_date_time_to_timezone(utc, tz);
	return g_date_time_format(local, "%Y-%m-%d %H:%M:%S");
}

char *attendance_csv(struct store *st, gint64 meeting_id, gint64 now_ms, GTimeZone *tz,
                     GError **error)
{
	g_autoptr(sheet) s = sheet_load(st, meeting_id, now_ms, error);
	GString *out;

	if (!s)
		return NULL;
	out = g_string_new("\xef\xbb\xbf"
	                   "unit,endpoint_code,endpoint_name,status,first_join,last_leave,"
	                   "online_minutes,reason\r\n");
	for (guint i = 0; i < s->lines->len; i++) {
		const struct line *l = &g_array_index(s->lines, struct line, i);
		g_autofree char *first = csv_time(l->first_join, tz);
		g_autofree char *last = csv_time(l->last_leave, tz);
		g_autofree char *minutes =
		    g_strdup_printf("%" G_GINT64_FORMAT, (l->online_ms + 30000) / 60000);

		csv_field(out, l->unit_name, false);
		csv_field(out, l->endpoint_code, false);
		csv_field(out, l->endpoint_name, false);
		csv_field(out, attendance_status_name(l->status), false);
		csv_field(out, first, false);
		csv_field(out, last, false);
		csv_field(out, minutes, false);
		csv_field(out, l->reason, true);
	}
	return g_string_free(out, FALSE);
}
