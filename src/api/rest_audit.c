/* SPDX-License-Identifier: MIT */
/* /api/v1/audit: operators read the audit log. */
#define G_LOG_DOMAIN "cau-rest"
#include "control/audit.h"
#include "errors.h"
#include "http.h"
#include "rest.h"

/* Reads an optional non-negative integer query parameter; replies 400 when malformed. */
static bool query_int(struct rest_request *req, const char *name, guint64 max, gint64 *out)
{
	const char *text = rest_query(req, name);
	guint64 v = 0;

	if (!text)
		return true;
	if (!g_ascii_string_to_unsigned(text, 10, 0, max, &v, NULL)) {
		http_reply_error(
		    req->msg, API_ERROR_BAD_REQUEST,
		    "query parameter \"%s\" must be an integer from 0 to %" G_GUINT64_FORMAT, name,
		    max);
		return false;
	}
	*out = (gint64)v;
	return true;
}

static void get_audit(struct rest_request *req)
{
	struct audit_filter filter = {
	    .actor = rest_query(req, "actor"),
	    .action_prefix = rest_query(req, "action"),
	};
	gint64 limit = 100;
	g_autoptr(GError) error = NULL;
	JsonNode *entries;

	if (!query_int(req, "since", G_MAXINT64, &filter.since_ms) ||
	    !query_int(req, "until", G_MAXINT64, &filter.until_ms) ||
	    !query_int(req, "before", G_MAXINT64, &filter.before_id) ||
	    !query_int(req, "limit", 1000, &limit))
		return;
	filter.limit = (guint)MAX(limit, 1);
	entries = audit_query(req->ctx->store, &filter, &error);
	if (!entries) {
		rest_reply_error(req, error);
		return;
	}
	rest_reply(req, SOUP_STATUS_OK, entries);
}

static const struct rest_route routes[] = {
    {"GET", "audit", ROLE_OPERATOR, get_audit, "/api/v1/audit"},
};

const struct rest_route_table rest_audit_routes = {routes, G_N_ELEMENTS(routes)};
