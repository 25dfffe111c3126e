/* SPDX-License-Identifier: MIT */
/* Whether a join token still lets its holder in: signed and unexpired, its meeting still
 * taking joins and its endpoint still invited. Shared by the join page's check (REST) and
 * the rooms' join (WebSocket). */
#pragma once

#include "join_token.h"
#include "meetings.h"

#include <json-glib/json-glib.h>

/* Whether a meeting in `state` takes joins: scheduled, open or live. */
bool meeting_state_joinable(enum meeting_state state);

/*
 * Verifies `token` (join_token_verify() at the meetings' clock), then that its meeting
 * exists and takes joins and that its endpoint is still invited. Fills `claims`,
 * `*endpoint` (the endpoint as meetings_invited_endpoint_json() shows it; caller owns it)
 * and `*info` (may be NULL). Fails with CONTROL_ERROR_UNAUTHORIZED: "invalid join token",
 * "join token expired", "meeting M is ended" (or its state), "this endpoint is no longer
 * invited to meeting M". Control thread.
 */
bool join_check(struct meetings *m, const struct join_secret *secret, const char *token,
                struct join_claims *claims, JsonNode **endpoint, struct meeting_info *info,
                GError **error);
