/* SPDX-License-Identifier: MIT */
/* The audit log: every control action (who, what, target, when), append-only. */
#pragma once

#include "control.h"
#include "store/store.h"

#include <json-glib/json-glib.h>
#include <stdbool.h>

/* Appends one entry at the current time. `detail` is optional JSON text. Call it in the
 * same transaction as the action it records, so neither exists without the other. */
bool audit_append(struct store *st, const struct principal *who, const char *action,
                  const char *target, const char *detail, GError **error);

struct audit_filter {
	gint64 since_ms; /* 0: no lower bound */
	gint64 until_ms; /* 0: no upper bound */
	const char *actor;
	const char *action_prefix; /* e.g. "meeting." */
	gint64 before_id;          /* 0: newest first from the end; else entries with id < it */
	guint limit;               /* 1..1000 */
};

/* Entries matching `filter`, newest first, as a JSON array of objects {id, at, actor,
 * action, target, detail}. Caller owns the node. */
JsonNode *audit_query(struct store *st, const struct audit_filter *filter, GError **error);
