/* SPDX-License-Identifier: MIT */
/* What the meeting and series routes share: reading meeting settings and invitee lists
 * from JSON bodies. Private to api/. */
#pragma once

#include "control/meetings.h"

#include <json-glib/json-glib.h>

/* Latest time accepted in a body: 9999-12-31T23:59:59.999Z in Unix ms. */
#define REST_LATEST_MS G_GINT64_CONSTANT(253402300799999)

/* Fills the settings members of `f` from an already validated body: description,
 * lead_minutes, grace_minutes, chair_id (null: no chair), layout, recording_policy.
 * Members absent from the body keep their "keep" value. Strings are borrowed. */
void rest_meeting_settings(JsonObject *body, struct meeting_fields *f);

/* An invitee list read from {"units": [{"id", "include_descendants"}], "endpoints":
 * [ids]}; `list` points into the arrays. */
struct rest_invitees {
	GArray *units;     /* struct invitee_unit */
	GArray *endpoints; /* gint64 */
	struct invitee_list list;
};

/* Validates and reads `obj` (both members optional); fails with API_ERROR_BAD_REQUEST
 * naming the element. Clear `out` with rest_invitees_clear() in any case. */
bool rest_parse_invitees(JsonObject *obj, struct rest_invitees *out, GError **error);
void rest_invitees_clear(struct rest_invitees *inv);
