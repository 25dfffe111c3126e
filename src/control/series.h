/* SPDX-License-Identifier: MIT */
/* Recurring meetings: a weekly rule in local time ("weekly:MO,TH@08:00/90" in
 * Asia/Ho_Chi_Minh), and its next occurrences kept materialised as ordinary meetings. */
#pragma once

#include "meetings.h"

/* How many future occurrences of each series exist as meetings at any time. */
#define SERIES_OCCURRENCES_AHEAD 4

struct series_rule {
	guint8 days;      /* bit 0 Monday ... bit 6 Sunday */
	int hour, minute; /* local time of the start */
	int duration_min; /* 1..1440 */
};

/* Parses "weekly:DAYS@HH:MM/MINUTES", DAYS a comma-separated list of MO TU WE TH FR SA
 * SU. Fails with CONTROL_ERROR_INVALID saying what is expected. */
bool series_rule_parse(const char *text, struct series_rule *rule, GError **error);

/* The rule in its canonical form (days in week order). Caller frees. */
char *series_rule_format(const struct series_rule *rule);

/* Fills `starts` with the first `n` start times (Unix ms) of `rule` in `tz` strictly
 * after `after_ms`, computed in local time (so 08:00 stays 08:00 across daylight saving
 * changes). Returns how many were found (n unless the rule has no days). */
guint series_rule_next(const struct series_rule *rule, GTimeZone *tz, gint64 after_ms,
                       gint64 *starts, guint n);

/* What a new series is; its occurrences get these settings and invitees. */
struct series_fields {
	const char *title;
	const char *description;             /* NULL: "" */
	const char *rule;                    /* as series_rule_parse() */
	const char *timezone;                /* NULL: the configured one */
	gint64 lead_ms, grace_ms;            /* -1: the configured default */
	gint64 chair_account_id;             /* <= 0: none */
	const char *layout;                  /* NULL: "speaker" */
	const char *recording_policy;        /* NULL: "manual" */
	const struct invitee_list *invitees; /* NULL: none */
};

/* Creates a series and materialises its next occurrences, all in one transaction.
 * Audited `series.create` (and `meeting.create` for each occurrence). Returns the id,
 * or 0 with CONTROL_ERROR_INVALID naming the problem. */
gint64 series_create(struct meetings *m, const struct principal *who,
                     const struct series_fields *fields, GError **error);

/* Deletes a series: no more occurrences are made, and those not yet live (scheduled or
 * open) are cancelled; live and past ones are kept. Audited `series.delete` and
 * `meeting.cancel` for each. `*cancelled` (may be NULL) receives how many were
 * cancelled. CONTROL_ERROR_NOT_FOUND when there is no such series or it is deleted. */
bool series_delete(struct meetings *m, const struct principal *who, gint64 id, guint *cancelled,
                   GError **error);

/* Makes the next SERIES_OCCURRENCES_AHEAD occurrences of every series as meetings where
 * they do not exist yet (a cancelled or moved occurrence counts as existing), audited as
 * `who`. `*next_ms` receives when the window next moves (the earliest upcoming start of
 * an occurrence), or 0 when there is no series. */
bool series_materialise(struct meetings *m, const struct principal *who, gint64 *next_ms,
                        GError **error);

/* One series as {id, title, description, rule, timezone, lead_minutes, grace_minutes,
 * chair, layout, recording_policy, created_by, created_at, meetings} where meetings are
 * its occurrences not yet over; CONTROL_ERROR_NOT_FOUND for none or a deleted one.
 * Caller owns the node. */
JsonNode *series_get_json(struct meetings *m, gint64 id, GError **error);

/* The series not deleted, as an array of objects like series_get_json() without
 * "meetings". Caller owns the node. */
JsonNode *series_list_json(struct meetings *m, GError **error);
