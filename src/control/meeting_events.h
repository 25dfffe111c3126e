/* SPDX-License-Identifier: MIT */
/* The event log of a meeting, for its minutes: what happened in the room (speaking,
 * floor, chair actions, materials presented, recordings, votes) and what operators
 * record (decisions). Append-only; joins and leaves go to the attendance intervals. */
#pragma once

#include "attendance.h"
#include "control.h"
#include "store/store.h"

#include <json-glib/json-glib.h>

#define MEETING_EVENT_DETAIL_MAX 32768 /* bytes of detail JSON (a 4000-character decision fits) */
#define MEETING_DECISION_MAX     4000  /* characters of a decision's text */

/* Appends one event of kind `kind` to meeting `meeting_id` at `at_ms` (Unix ms), about
 * endpoint `endpoint_id` (0: none), with `detail_json` (a JSON object as text; NULL or
 * "" for {}). Kinds, whether each takes an endpoint, and the members of each detail are
 * listed in docs/minutes.md: speaking ({"end_at"}), floor_requested, floor_granted,
 * floor_revoked, mute, unmute, pin, unpin, kick, layout ({"layout"}), lock, unlock,
 * material_presented ({"material", "version"}), recording_started and
 * recording_stopped ({"recording", "file", "size", "sha256"}), vote_opened
 * ({"vote", "question", "options", "secret", "agenda_item"}), vote_closed ({"vote",
 * "counts", "choices"}), decision ({"text", "agenda_item"}); "joined" and "left" are
 * passed to attendance_joined()/attendance_left(). For the rooms layer: written as
 * actor "room", not audited (the log is the record). Errors: NOT_FOUND (meeting,
 * endpoint, material, agenda item, vote), CONFLICT (a meeting not open, live or
 * ended; a vote opened twice or closed unopened), INVALID (kind, endpoint given or
 * missing, time, detail) with a message naming what is wrong. */
bool meeting_events_append(struct store *st, gint64 meeting_id, const char *kind,
                           gint64 endpoint_id, const char *detail_json, gint64 at_ms,
                           GError **error);

/* Endpoint `endpoint_id` spoke in meeting `meeting_id` from `start_ms` to `end_ms`
 * (the audio mixer's speaker detection): meeting_events_append() of kind "speaking". */
bool meeting_events_speaking(struct store *st, gint64 meeting_id, gint64 endpoint_id,
                             gint64 start_ms, gint64 end_ms, GError **error);

/* `who` records a decision of meeting `meeting_id`: `text` (1-4000 characters), about
 * agenda item `agenda_item_id` of that meeting (0: none), at `at_ms`. Written with
 * `who` as actor and audited as meeting.decision in the same transaction. Returns the
 * event's id, or 0 (errors as meeting_events_append()). */
gint64 meeting_events_decide(struct store *st, const struct principal *who, gint64 meeting_id,
                             const char *text, gint64 agenda_item_id, gint64 at_ms, GError **error);

/* The events of meeting `meeting_id` in time order (then id), only those of kind `kind`
 * unless it is NULL, as a JSON array of {id, kind, at, end_at, endpoint_id, actor,
 * detail}. NOT_FOUND when the meeting does not exist. Caller owns the node. */
JsonNode *meeting_events_list(struct store *st, gint64 meeting_id, const char *kind,
                              GError **error);

/* One event as meeting_events_list() shows it; NOT_FOUND. Caller owns the node. */
JsonNode *meeting_events_get(struct store *st, gint64 event_id, GError **error);

/* Speaking time of one endpoint from its intervals (`left_at` as the end): overlapping
 * or touching intervals are merged and counted once; `*turns` receives the number of
 * merged runs. Intervals with no positive length are ignored. Pure. */
gint64 meeting_speaking_total(const struct attendance_interval *intervals, size_t n, guint *turns);
