/* SPDX-License-Identifier: MIT */
/* What meetings.c, meetings_content.c and series.c share; private to control/. */
#pragma once

#include "meetings.h"

struct meetings {
	struct store *store;
	struct clock *clock;
	struct meetings_config cfg; /* timezone owned */
	meetings_listener_fn listener;
	gpointer listener_data;
};

/* Tells the listener, if any, about a committed change. */
void meetings_notify(struct meetings *m, gint64 id, enum meeting_state from, enum meeting_state to);

/* Checks a title: 1 to `max` characters and not only blanks. `what` names it in the
 * message ("title", "agenda item 3 title"). */
bool meetings_check_title(const char *title, glong max, const char *what, GError **error);

/* Checks the settings shared by meetings and series: description length, lead and grace
 * (0-120 minutes), layout, recording policy and chair (an enabled account; 0 or -1 for
 * none). NULL strings and -1 numbers are not checked. */
bool meetings_check_settings(struct store *st, const char *description, gint64 lead_ms,
                             gint64 grace_ms, const char *layout, const char *recording_policy,
                             gint64 chair_account_id, GError **error);

/* Inserts `list` into `table` (meeting_invitees or series_invitees) for the row whose
 * `owner_column` is `owner_id`. */
bool meetings_insert_invitees(struct store *st, const char *table, const char *owner_column,
                              gint64 owner_id, const struct invitee_list *list, GError **error);

/* The state of meeting `id` within a transaction; CONTROL_ERROR_NOT_FOUND. */
bool meetings_state_of(struct store *st, gint64 id, enum meeting_state *state, GError **error);

/* Adds the endpoints invited to meeting `id` to `b` as an array, as
 * meetings_invited_endpoints_json() describes. */
bool meetings_add_invited_endpoints(struct store *st, gint64 id, JsonBuilder *b, GError **error);

/* Adds the agenda of meeting `id` to `b` as an array of {position, title, presenter,
 * duration_minutes}. */
bool meetings_agenda_json(struct store *st, gint64 id, JsonBuilder *b, GError **error);

/* Appends "name": value to a builder: an integer, or null when `v` is 0 / the text. */
void meetings_json_int_or_null(JsonBuilder *b, const char *name, gint64 v);
void meetings_json_string(JsonBuilder *b, const char *name, const char *v);
void meetings_json_int(JsonBuilder *b, const char *name, gint64 v);
/* The builder's root as compact JSON text. Caller frees. */
char *meetings_json_text(JsonBuilder *b);
