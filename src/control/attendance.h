/* SPDX-License-Identifier: MIT */
/* Attendance of a meeting's invited endpoints: when they were online (join and leave
 * times, recorded by the room layer), what an operator recorded for the others (in
 * person, or absent with a reason), the status computed from both, and a CSV export. */
#pragma once

#include "control.h"
#include "store/store.h"

#include <json-glib/json-glib.h>

enum attendance_status {
	ATTENDANCE_ABSENT,
	ATTENDANCE_IN_PERSON,
	ATTENDANCE_ONLINE,
};

/* "absent", "in_person", "online". */
const char *attendance_status_name(enum attendance_status status);
/* The status named `name` among those an operator may set ("in_person", "absent");
 * false for any other name. */
bool attendance_status_settable(const char *name, enum attendance_status *out);

/* Endpoint `endpoint_id` connected to meeting `meeting_id` at `at_ms` (Unix ms): opens
 * an online interval. For the room layer; not audited (the intervals are the record).
 * NOT_FOUND when the meeting or the endpoint does not exist. */
bool attendance_joined(struct store *st, gint64 meeting_id, gint64 endpoint_id, gint64 at_ms,
                       GError **error);

/* Endpoint `endpoint_id` left meeting `meeting_id` at `at_ms`: closes its most recently
 * opened interval. CONFLICT when it has no open interval, INVALID when `at_ms` is before
 * that interval's start. */
bool attendance_left(struct store *st, gint64 meeting_id, gint64 endpoint_id, gint64 at_ms,
                     GError **error);

/* An operator records that endpoint `endpoint_id` attended meeting `meeting_id` in person
 * (ATTENDANCE_IN_PERSON) or was absent (ATTENDANCE_ABSENT, `reason` may be empty),
 * replacing what was recorded before; audited as attendance.set. NOT_FOUND when the
 * meeting does not exist or the endpoint is not one of its invitees; INVALID for
 * ATTENDANCE_ONLINE (which only connecting gives) or a reason over 500 characters. */
bool attendance_set(struct store *st, const struct principal *who, gint64 meeting_id,
                    gint64 endpoint_id, enum attendance_status status, const char *reason,
                    GError **error);

/* The attendance of every invitee of the meeting (the endpoints invited directly or
 * through their units, and any other endpoint that joined or was marked), ordered by
 * unit code and endpoint code: [{endpoint_id, endpoint_code, endpoint_name, unit_id,
 * unit_code, unit_name, status, reason, online_now, first_join, last_leave, online_ms,
 * online_minutes, intervals: [{joined_at, left_at}], marked_by, marked_at}]. Intervals
 * still open count until `now_ms` (or the meeting's end once it ended). NOT_FOUND when
 * the meeting does not exist. Caller owns the node. */
JsonNode *attendance_list(struct store *st, gint64 meeting_id, gint64 now_ms, GError **error);

/* The same as CSV for spreadsheets: UTF-8 with a byte-order mark (so that Excel reads
 * Vietnamese right), CRLF line ends, columns unit, endpoint_code, endpoint_name, status,
 * first_join, last_leave, online_minutes, reason; times as "YYYY-MM-DD HH:MM:SS" in
 * `tz`. Caller frees. */
char *attendance_csv(struct store *st, gint64 meeting_id, gint64 now_ms, GTimeZone *tz,
                     GError **error);

/* One online interval; `left_at` 0 while still connected. */
struct attendance_interval {
	gint64 joined_at;
	gint64 left_at;
};

/* Time online in `n` intervals, overlaps counted once, open intervals (and any that end
 * later) cut at `until_ms`. Pure. */
gint64 attendance_online_ms(const struct attendance_interval *intervals, size_t n, gint64 until_ms);

/* The status of an invitee: online if it has any interval, else what an operator set
 * (`marked`, or NULL when nothing was set), else absent. `*reason` receives the reason to
 * show: the operator's for a mark, "no reason given" for an absence without one, "" when
 * online. Pure; `*reason` is `marked_reason` or a static string. */
enum attendance_status attendance_compute(size_t n_intervals, const char *marked,
                                          const char *marked_reason, const char **reason);
