/* SPDX-License-Identifier: MIT */
/* `cau meeting create|list|show|cancel`: meetings from the command line, on the
 * configured store (audited as the system), with times read and printed in the
 * [scheduler] time zone. A running server picks the changes up within a second. */
#include "app.h"
#include "commands.h"
#include "control/accounts.h"
#include "control/meetings.h"

#include <stdio.h>
#include <string.h>

#define MINUTE_MS G_GINT64_CONSTANT(60000)
#define NOT_GIVEN G_MININT

struct meeting_options {
	char *config_path, *title, *start, *end, *chair, *description, *layout, *recording;
	char *from, *to, *state;
	int lead, grace;
};

/* GLib wants seconds; people write "2025-07-07T08:00". Adds ":00" after a bare HH:MM.
 * Caller frees. */
static char *with_seconds(const char *text)
{
	const char *t = strchr(text, 'T');

	if (t && strlen(t) >= 6 && g_ascii_isdigit(t[1]) && g_ascii_isdigit(t[2]) && t[3] == ':' &&
	    g_ascii_isdigit(t[4]) && g_ascii_isdigit(t[5]) && t[6] != ':')
		return g_strdup_printf("%.*s:00%s", (int)(t + 6 - text), text, t + 6);
	return g_strdup(text);
}

/* `text` as Unix ms; a time without an offset is in `tz`. */
static bool parse_time(const char *option, const char *text, GTimeZone *tz, gint64 *out,
                       GError **error)
{
	g_autofree char *full = text ? with_seconds(text) : NULL;
	g_autoptr(GDateTime) t = full ? g_date_time_new_from_iso8601(full, tz) : NULL;

	if (!t) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--%s \"%s\": not an ISO 8601 time (e.g. 2025-07-07T08:00 or "
		            "2025-07-07T08:00:00+07:00)",
		            option, text ? text : "");
		return false;
	}
	*out = g_date_time_to_unix(t) * 1000 + g_date_time_get_microsecond(t) / 1000;
	return true;
}

/* "2025-07-07 08:00" in `tz`, or "-" for 0. Caller frees. */
static char *format_time(gint64 ms, GTimeZone *tz)
{
	g_autoptr(GDateTime) utc = NULL, local = NULL;

	if (!ms)
		return g_strdup("-");
	utc = g_date_time_new_from_unix_utc(ms / 1000);
	local = g_date_time_to_timezone(utc, tz);
	return g_date_time_format(local, "%Y-%m-%d %H:%M");
}

static int meeting_create(struct meetings *m, struct store *st, const struct meeting_options *o,
                          GTimeZone *tz)
{
	g_autoptr(GError) error = NULL;
	struct meeting_fields f = MEETING_FIELDS_KEEP;
	gint64 id;

	if (!parse_time("start", o->start, tz, &f.start_at, &error) ||
	    !parse_time("end", o->end, tz, &f.end_at, &error)) {
		app_print_error(error);
		return 2;
	}
	if (o->chair && !(f.chair_account_id = accounts_id_by_name(st, o->chair, &error))) {
		g_prefix_error(&error, "--chair: ");
		app_print_error(error);
		return 1;
	}
	f.title = o->title;
	f.description = o->description;
	f.layout = o->layout;
	f.recording_policy = o->recording;
	/* Out of range (negative included) is refused by meetings_create(). */
	f.lead_ms = o->lead != NOT_GIVEN ? o->lead * MINUTE_MS : -1;
	f.grace_ms = o->grace != NOT_GIVEN ? o->grace * MINUTE_MS : -1;
	id = meetings_create(m, NULL, &f, &error);
	if (!id) {
		app_print_error(error);
		return 1;
	}
	printf("meeting %" G_GINT64_FORMAT " created\n", id);
	return 0;
}

static void print_row(JsonObject *o, GTimeZone *tz)
{
	g_autofree char *start = format_time(json_object_get_int_member(o, "start_at"), tz);
	g_autofree char *end = format_time(json_object_get_int_member(o, "end_at"), tz);

	printf("%-6" G_GINT64_FORMAT " %-10s %-16s %-16s %s\n", json_object_get_int_member(o, "id"),
	       json_object_get_string_member(o, "state"), start, end,
	       json_object_get_string_member(o, "title"));
}

static int meeting_list(struct meetings *m, const struct meeting_options *o, GTimeZone *tz)
{
	g_autoptr(GError) error = NULL;
	struct meeting_filter filter = {.limit = 1000};
	g_autoptr(JsonNode) list = NULL;
	JsonArray *a;

	if ((o->from && !parse_time("from", o->from, tz, &filter.from_ms, &error)) ||
	    (o->to && !parse_time("to", o->to, tz, &filter.to_ms, &error))) {
		app_print_error(error);
		return 2;
	}
	if (o->state) {
		enum meeting_state s = meeting_state_from_name(o->state);
		if (s == MEETING_STATE_NONE) {
			fprintf(stderr,
			        "cau: error: --state must be scheduled, open, live, ended or "
			        "cancelled\n");
			return 2;
		}
		filter.states = MEETING_STATE_BIT(s);
	}
	list = meetings_list_json(m, &filter, &error);
	if (!list) {
		app_print_error(error);
		return 1;
	}
	a = json_node_get_array(list);
	printf("%-6s %-10s %-16s %-16s %s\n", "ID", "STATE", "START", "END", "TITLE");
	for (guint i = 0; i < json_array_get_length(a); i++)
		print_row(json_array_get_object_element(a, i), tz);
	return 0;
}

static void print_field(const char *name, const char *value)
{
	printf("%-17s %s\n", name, value && *value ? value : "-");
}

static int meeting_show(struct meetings *m, gint64 id, GTimeZone *tz)
{
	static const char *const times[] = {"start_at",  "end_at",  "opens_at", "closes_at",
	                                    "opened_at", "live_at", "ended_at"};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = meetings_get_json(m, id, &error);
	JsonObject *o, *chair;
	JsonArray *agenda;

	if (!node) {
		app_print_error(error);
		return 1;
	}
	o = json_node_get_object(node);
	chair = json_object_get_null_member(o, "chair") ? NULL
	                                                : json_object_get_object_member(o, "chair");
	printf("%-17s %" G_GINT64_FORMAT "\n", "id", id);
	print_field("title", json_object_get_string_member(o, "title"));
	print_field("state", json_object_get_string_member(o, "state"));
	for (guint i = 0; i < G_N_ELEMENTS(times); i++) {
		JsonNode *t = json_object_get_member(o, times[i]);
		g_autofree char *text =
		    format_time(JSON_NODE_HOLDS_NULL(t) ? 0 : json_node_get_int(t), tz);
		print_field(times[i], text);
	}
	print_field("chair", chair ? json_object_get_string_member(chair, "username") : "-");
	print_field("layout", json_object_get_string_member(o, "layout"));
	print_field("recording_policy", json_object_get_string_member(o, "recording_policy"));
	print_field("description", json_object_get_string_member(o, "description"));
	agenda = json_object_get_array_member(o, "agenda");
	for (guint i = 0; i < json_array_get_length(agenda); i++) {
		JsonObject *item = json_array_get_object_element(agenda, i);
		printf("agenda %2u         %s (%s, %" G_GINT64_FORMAT " min)\n", i + 1,
		       json_object_get_string_member(item, "title"),
		       json_object_get_string_member(item, "presenter"),
		       json_object_get_int_member(item, "duration_minutes"));
	}
	return 0;
}

static int meeting_cancel(struct meetings *m, gint64 id)
{
	g_autoptr(GError) error = NULL;

	if (!meetings_cancel(m, NULL, id, &error)) {
		app_print_error(error);
		return 1;
	}
	printf("meeting %" G_GINT64_FORMAT " cancelled\n", id);
	return 0;
}

static const char usage[] =
    "cau: usage: cau meeting create --title T --start ISO8601 --end ISO8601 [--chair USER] "
    "[--lead MIN] [--grace MIN] [--description D] [--layout L] [--recording P]\n"
    "            | list [--from ISO8601] [--to ISO8601] [--state S] | show ID | cancel ID\n";

/* Runs the subcommand on an open store. */
static int run(int argc, char **argv, const struct meeting_options *o, struct config *cfg)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store) st = NULL;
	g_autoptr(meetings) m = NULL;
	g_autoptr(GTimeZone) tz = NULL;
	struct clock *clock = NULL;
	struct meetings_config mc;
	guint64 id = 0;
	int rc;

	if (!app_meetings_config(cfg, &mc, &error)) {
		app_print_error(error);
		return 2;
	}
	tz = g_time_zone_new_identifier(mc.timezone);
	if (argc == 3 && !g_ascii_string_to_unsigned(argv[2], 10, 1, G_MAXINT64, &id, NULL)) {
		fprintf(stderr, "cau: error: \"%s\" is not a meeting id\n", argv[2]);
		return 2;
	}
	st = app_open_store(cfg, &error);
	if (!st || !store_migrate(st, &error)) {
		app_print_error(error);
		return 1;
	}
	clock = clock_new_real();
	m = meetings_new(st, clock, &mc);
	if (strcmp(argv[1], "create") == 0)
		rc = meeting_create(m, st, o, tz);
	else if (strcmp(argv[1], "list") == 0)
		rc = meeting_list(m, o, tz);
	else if (strcmp(argv[1], "show") == 0)
		rc = meeting_show(m, (gint64)id, tz);
	else
		rc = meeting_cancel(m, (gint64)id);
	g_clear_pointer(&m, meetings_free);
	clock_free(clock);
	return rc;
}

static void options_clear(struct meeting_options *o)
{
	char **strings[] = {&o->config_path, &o->title,       &o->start,  &o->end,
	                    &o->chair,       &o->description, &o->layout, &o->recording,
	                    &o->from,        &o->to,          &o->state};

	for (guint i = 0; i < G_N_ELEMENTS(strings); i++)
		g_clear_pointer(strings[i], g_free);
}

int cmd_meeting(int argc, char **argv)
{
	struct meeting_options o = {.lead = NOT_GIVEN, .grace = NOT_GIVEN};
	GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config_path, "configuration file", "FILE"},
	    {"title", 't', 0, G_OPTION_ARG_STRING, &o.title, "title (create)", "T"},
	    {"start", 0, 0, G_OPTION_ARG_STRING, &o.start, "start time (create)", "ISO8601"},
	    {"end", 0, 0, G_OPTION_ARG_STRING, &o.end, "end time (create)", "ISO8601"},
	    {"chair", 0, 0, G_OPTION_ARG_STRING, &o.chair, "chair's user name (create)", "USER"},
	    {"lead", 0, 0, G_OPTION_ARG_INT, &o.lead, "minutes the room opens early", "MIN"},
	    {"grace", 0, 0, G_OPTION_ARG_INT, &o.grace, "minutes the room stays open", "MIN"},
	    {"description", 0, 0, G_OPTION_ARG_STRING, &o.description, "description", "D"},
	    {"layout", 0, 0, G_OPTION_ARG_STRING, &o.layout, "speaker, grid or pinned", "L"},
	    {"recording", 0, 0, G_OPTION_ARG_STRING, &o.recording, "none, manual or auto", "P"},
	    {"from", 0, 0, G_OPTION_ARG_STRING, &o.from, "meetings ending after (list)", "ISO8601"},
	    {"to", 0, 0, G_OPTION_ARG_STRING, &o.to, "meetings starting before (list)", "ISO8601"},
	    {"state", 0, 0, G_OPTION_ARG_STRING, &o.state, "only this state (list)", "S"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx =
	    g_option_context_new("create OPTIONS | list | show ID | cancel ID");
	g_autoptr(GError) error = NULL;
	g_autoptr(config) cfg = NULL;
	bool ok;
	int rc = 2;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx, "Schedule, list, show and cancel meetings. Times "
	                                  "without an offset are in [scheduler] timezone.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "cau: meeting: %s\n", error->message);
		goto out;
	}
	ok = (argc == 2 && strcmp(argv[1], "create") == 0 && o.title && o.start && o.end) ||
	     (argc == 2 && strcmp(argv[1], "list") == 0) ||
	     (argc == 3 && (strcmp(argv[1], "show") == 0 || strcmp(argv[1], "cancel") == 0));
	if (!ok) {
		fputs(usage, stderr);
		goto out;
	}
	cfg = app_load_config(o.config_path, &error);
	if (!cfg) {
		app_print_error(error);
		goto out;
	}
	rc = run(argc, argv, &o, cfg);
out:
	options_clear(&o);
	return rc;
}
