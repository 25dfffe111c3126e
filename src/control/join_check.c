/* SPDX-License-Identifier: MIT */
/* Join tokens checked against the meetings: still joinable, still invited. */
#define G_LOG_DOMAIN "cau-control"
#include "join_check.h"

bool meeting_state_joinable(enum meeting_state state)
{
	return state == MEETING_SCHEDULED || state == MEETING_OPEN || state == MEETING_LIVE;
}

bool join_check(struct meetings *m, const struct join_secret *secret, const char *token,
                struct join_claims *claims, JsonNode **endpoint, struct meeting_info *info,
                GError **error)
{
	struct meeting_info local;
	gint64 now = clock_now_ms(meetings_clock(m));

	if (!info)
		info = &local;
	*endpoint = NULL;
	if (!join_token_verify(secret, token, now, claims, error))
		return false;
	if (!meetings_lookup(m, claims->meeting_id, info, NULL)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED, "invalid join token");
		return false;
	}
	if (!meeting_state_joinable(info->state)) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED,
		            "meeting %" G_GINT64_FORMAT " is %s", info->id,
		            meeting_state_name(info->state));
		return false;
	}
	*endpoint =
	    meetings_invited_endpoint_json(m, claims->meeting_id, claims->endpoint_id, NULL);
	if (!*endpoint) {
		g_set_error(error, CONTROL_ERROR, CONTROL_ERROR_UNAUTHORIZED,
		            "this endpoint is no longer invited to meeting %" G_GINT64_FORMAT,
		            info->id);
		return false;
	}
	return true;
}
