/* SPDX-License-Identifier: MIT */
/* Meetings: their schedule, settings and state (scheduled -> open -> live -> ended, or
 * cancelled), agenda, invitees and the endpoints those invitees expand to. Every change
 * is audited in its own transaction and then reported to one listener (the scheduler). */
#pragma once

#include "control.h"
#include "core/clock.h"
#include "store/store.h"

#include <json-glib/json-glib.h>
#include <stdbool.h>

#define MEETING_TITLE_MAX        200
#define MEETING_DESCRIPTION_MAX  4000
#define MEETING_MAX_DURATION_MS  (24 * 3600 * G_GINT64_CONSTANT(1000))
#define MEETING_MAX_LEAD_MIN     120
#define MEETING_MAX_GRACE_MIN    120
#define AGENDA_TITLE_MAX         300
#define AGENDA_PRESENTER_MAX     200
#define AGENDA_MAX_ITEMS         100
#define AGENDA_MAX_DURATION_MIN  1440
#define MEETING_MAX_INVITEES     10000
#define MEETING_LIST_DEFAULT_MAX 200

enum meeting_state {
	MEETING_SCHEDULED,
	MEETING_OPEN,
	MEETING_LIVE,
	MEETING_ENDED,
	MEETING_CANCELLED,
	MEETING_STATE_NONE, /* before creation, in listener calls */
};

#define MEETING_STATE_BIT(s) (1u << (s))

/* "scheduled", "open", ...; NULL for MEETING_STATE_NONE. */
const char *meeting_state_name(enum meeting_state state);
/* The state named `name`, or MEETING_STATE_NONE. */
enum meeting_state meeting_state_from_name(const char *name);

/* Whether `name` is a layout ("speaker", "grid", "pinned") / a recording policy ("none",
 * "manual", "auto"). */
bool meeting_layout_valid(const char *name);
bool meeting_recording_policy_valid(const char *name);

/* Defaults for new meetings and series. */
struct meetings_config {
	gint64 lead_ms;       /* [scheduler] lead_minutes */
	gint64 grace_ms;      /* [scheduler] grace_minutes */
	const char *timezone; /* [scheduler] timezone, e.g. "Asia/Ho_Chi_Minh" (copied) */
};

/* Told after every committed change: `from` -> `to` of meeting `id` (equal when only its
 * settings changed; MEETING_STATE_NONE as `from` for a new meeting; id 0 and both NONE
 * when a series changed). Runs on the caller's thread, after the transaction. */
typedef void (*meetings_listener_fn)(gint64 id, enum meeting_state from, enum meeting_state to,
                                     gpointer user_data);

typedef struct meetings meetings;

/* The meetings service over `st`, reading the time from `clock` (both borrowed; they
 * must outlive it). One thread at a time. */
struct meetings *meetings_new(struct store *st, struct clock *clock,
                              const struct meetings_config *cfg);
void meetings_free(struct meetings *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(meetings, meetings_free)

/* Sets the one listener (NULL to remove). */
void meetings_set_listener(struct meetings *m, meetings_listener_fn fn, gpointer user_data);

struct store *meetings_store(struct meetings *m);
struct clock *meetings_clock(struct meetings *m);
const struct meetings_config *meetings_config(struct meetings *m);

/* What a create or update sets. For create, title/start_at/end_at are required and the
 * rest default; for update, a field left at its "keep" value is unchanged. */
struct meeting_fields {
	const char *title;            /* NULL: keep */
	const char *description;      /* NULL: keep ("" on create) */
	gint64 start_at, end_at;      /* Unix ms; 0: keep */
	gint64 lead_ms, grace_ms;     /* -1: keep (the configured default on create) */
	gint64 chair_account_id;      /* -1: keep (none on create); 0: no chair */
	const char *layout;           /* NULL: keep ("speaker" on create) */
	const char *recording_policy; /* NULL: keep ("manual" on create) */
};

#define MEETING_FIELDS_KEEP                                                                        \
	{                                                                                          \
		.lead_ms = -1, .grace_ms = -1, .chair_account_id = -1                              \
	}

/* Creates a meeting in state `scheduled`. Fails with CONTROL_ERROR_INVALID naming the
 * field (title 1-200 characters, end after start, at most 24 h, lead and grace 0-120
 * minutes, a known layout and policy, an existing chair account, an end not already
 * past). Audited `meeting.create`. Returns the id, or 0. */
gint64 meetings_create(struct meetings *m, const struct principal *who,
                       const struct meeting_fields *fields, GError **error);

/* Changes the fields set, while the meeting is `scheduled` or `open` (else
 * CONTROL_ERROR_CONFLICT); validated as on create. An `open` meeting whose new opening
 * time is still ahead goes back to `scheduled`. Audited `meeting.update`. */
bool meetings_update(struct meetings *m, const struct principal *who, gint64 id,
                     const struct meeting_fields *fields, GError **error);

/* State changes, each audited as named and refused with CONTROL_ERROR_CONFLICT from a
 * state that does not allow it:
 * - cancel (`meeting.cancel`): scheduled or open -> cancelled;
 * - open (`meeting.open`, the scheduler): scheduled -> open;
 * - mark_live (`meeting.live`: the rooms layer at the first join, or "start now"):
 *   scheduled or open -> live;
 * - end (`meeting.end`, a chair or operator ending early): open or live -> ended;
 * - close (`meeting.end` with reason "schedule", the scheduler at end + grace):
 *   scheduled, open or live -> ended. */
bool meetings_cancel(struct meetings *m, const struct principal *who, gint64 id, GError **error);
bool meetings_open(struct meetings *m, const struct principal *who, gint64 id, GError **error);
bool meetings_mark_live(struct meetings *m, const struct principal *who, gint64 id, GError **error);
bool meetings_end(struct meetings *m, const struct principal *who, gint64 id, GError **error);
bool meetings_close(struct meetings *m, const struct principal *who, gint64 id, GError **error);

/* The facts of a meeting that other modules decide on. */
struct meeting_info {
	gint64 id;
	gint64 series_id; /* 0: none */
	enum meeting_state state;
	gint64 start_at, end_at, lead_ms, grace_ms;
	gint64 chair_account_id; /* 0: none */
	gint64 opened_at;        /* 0: not yet */
};

/* Fills `info`; CONTROL_ERROR_NOT_FOUND. */
bool meetings_lookup(struct meetings *m, gint64 id, struct meeting_info *info, GError **error);

/* One meeting as a JSON object {id, series_id, title, description, start_at, end_at,
 * lead_minutes, grace_minutes, opens_at, closes_at, chair, layout, recording_policy,
 * state, opened_at, live_at, ended_at, created_by, created_at, updated_at, agenda};
 * CONTROL_ERROR_NOT_FOUND. Caller owns the node. */
JsonNode *meetings_get_json(struct meetings *m, gint64 id, GError **error);

struct meeting_filter {
	gint64 from_ms;   /* 0: no bound; else meetings ending at or after it */
	gint64 to_ms;     /* 0: no bound; else meetings starting at or before it */
	guint states;     /* MEETING_STATE_BIT()s; 0: every state */
	gint64 series_id; /* 0: any */
	guint limit;      /* 1..1000; 0: MEETING_LIST_DEFAULT_MAX */
};

/* The meetings matching `filter`, by start time, as a JSON array of objects like
 * meetings_get_json() without "agenda". Caller owns the node. */
JsonNode *meetings_list_json(struct meetings *m, const struct meeting_filter *filter,
                             GError **error);

/* ---- agenda (meetings_content.c) ---- */

struct agenda_item {
	const char *title;     /* 1-300 characters */
	const char *presenter; /* 0-200 characters; NULL: "" */
	gint64 duration_min;   /* 0-1440 */
	gint64 id;             /* 0: a new item; else an item of this agenda, kept */
};

/* Replaces the agenda with `items` in that order, while the meeting is scheduled, open
 * or live. An item with an `id` keeps its row (so materials attached to it stay
 * attached) and takes its new position and values; items not named go (their materials
 * then belong to the meeting alone). An id that is not an item of this meeting's agenda,
 * or is named twice, is CONTROL_ERROR_INVALID. Audited `meeting.agenda`. */
bool meetings_set_agenda(struct meetings *m, const struct principal *who, gint64 id,
                         const struct agenda_item *items, guint n_items, GError **error);

/* ---- invitees (meetings_content.c) ---- */

struct invitee_unit {
	gint64 unit_id;
	bool include_descendants; /* also every unit under it, at any depth */
};

struct invitee_list {
	const struct invitee_unit *units;
	guint n_units;
	const gint64 *endpoints;
	guint n_endpoints;
};

/* Checks that every unit and endpoint exists and none is listed twice
 * (CONTROL_ERROR_INVALID naming it). */
bool meetings_check_invitees(struct store *st, const struct invitee_list *list, GError **error);

/* Replaces the invitees, while the meeting is scheduled, open or live. Audited
 * `meeting.invitees`. */
bool meetings_set_invitees(struct meetings *m, const struct principal *who, gint64 id,
                           const struct invitee_list *list, GError **error);

/* {"units": [{id, code, name, include_descendants}], "endpoints": [{id, code, name}],
 * "expanded": [...meetings_invited_endpoints_json()]}. Caller owns the node. */
JsonNode *meetings_invitees_json(struct meetings *m, gint64 id, GError **error);

/* The endpoints invited to meeting `id`: those named, those of the units named, and
 * those of every unit under a unit named with include_descendants; each once, enabled
 * ones only, by id, as a JSON array of {id, code, name, kind, unit: {id, name}}.
 * Caller owns the node. */
JsonNode *meetings_invited_endpoints_json(struct meetings *m, gint64 id, GError **error);

/* Whether endpoint `endpoint_id` is among the endpoints invited to `id`. */
bool meetings_is_invited(struct meetings *m, gint64 id, gint64 endpoint_id, bool *invited,
                         GError **error);

/* Endpoint `endpoint_id` as an element of meetings_invited_endpoints_json(), or NULL
 * with CONTROL_ERROR_NOT_FOUND when it is not invited to `id`. Caller owns the node. */
JsonNode *meetings_invited_endpoint_json(struct meetings *m, gint64 id, gint64 endpoint_id,
                                         GError **error);
