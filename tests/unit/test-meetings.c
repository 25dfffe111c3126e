/* SPDX-License-Identifier: MIT */
/* Unit tests of meetings: validation with clear messages, updates by state, the agenda,
 * listing, and the expansion of invitees (units with the units under them, endpoints)
 * over a province's directory written with SQL. */
#include "meetings-fixture.h"

/* Monday 7 July 2025, 00:00 in Hà Nội. */
#define T0 hcm(2025, 7, 7, 0, 0)

static void setup(struct fixture *f, gconstpointer backend)
{
	fixture_setup_at(f, backend, T0, "Asia/Ho_Chi_Minh");
}

static void expect_invalid(struct fixture *f, const struct meeting_fields *fields,
                           const char *message)
{
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(meetings_create(f->m, &f->operator_, fields, &error), ==, 0);
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID);
	if (!strstr(error->message, message))
		g_error("expected \"%s\" in \"%s\"", message, error->message);
}

static void test_create_validation(struct fixture *f, gconstpointer data)
{
	struct meeting_fields good = MEETING_FIELDS_KEEP, bad;
	g_autofree char *long_title = g_strnfill(201, 'x');
	g_autoptr(store_rows) rows = NULL;

	good.title = "Họp Ủy ban nhân dân tỉnh";
	good.start_at = T0 + HOUR_MS;
	good.end_at = T0 + 2 * HOUR_MS;
#define CASE(field, value, message)                                                                \
	do {                                                                                       \
		bad = good;                                                                        \
		bad.field = value;                                                                 \
		expect_invalid(f, &bad, message);                                                  \
	} while (0)
	CASE(title, NULL, "title must have 1 to 200 characters");
	CASE(title, "", "title must have 1 to 200 characters");
	CASE(title, "   ", "not only spaces");
	CASE(title, long_title, "title must have 1 to 200 characters");
	CASE(end_at, T0 + HOUR_MS, "end_at must be after start_at");
	CASE(end_at, T0 + 30 * MIN_MS, "end_at must be after start_at");
	CASE(end_at, T0 + HOUR_MS + DAY_MS + 1, "at most 24 hours");
	CASE(lead_ms, 121 * MIN_MS, "lead_minutes must be between 0 and 120");
	CASE(grace_ms, 121 * MIN_MS, "grace_minutes must be between 0 and 120");
	CASE(layout, "mosaic", "layout must be \"speaker\", \"grid\" or \"pinned\"");
	CASE(recording_policy, "always", "recording_policy must be");
	CASE(chair_account_id, 99, "chair: no account with id 99");
	CASE(chair_account_id, 3, "chair: account \"cu.ngung\" is disabled");
	CASE(start_at, G_GINT64_CONSTANT(1751850000000000), "Unix times in milliseconds");
#undef CASE
	bad = good;
	bad.start_at = T0 - 3 * HOUR_MS;
	bad.end_at = T0 - HOUR_MS;
	expect_invalid(f, &bad, "end_at is in the past");
	/* Nothing was written. */
	rows = store_query(f->st, "SELECT COUNT(*) FROM meetings", NULL, 0, NULL);
	g_assert_cmpint(store_rows_get_int(rows, 0, 0), ==, 0);
	/* 24 hours exactly and 120 minutes of lead are fine. */
	good.end_at = good.start_at + DAY_MS;
	good.lead_ms = 120 * MIN_MS;
	g_assert_cmpint(meetings_create(f->m, &f->operator_, &good, NULL), >, 0);
}

static void test_get_json(struct fixture *f, gconstpointer data)
{
	struct meeting_fields fields = MEETING_FIELDS_KEEP;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;
	JsonObject *o, *chair;
	gint64 id;

	fields.title = "Giao ban tháng 7";
	fields.description = "Đánh giá tình hình kinh tế - xã hội";
	fields.start_at = T0 + 8 * HOUR_MS;
	fields.end_at = T0 + 10 * HOUR_MS;
	fields.chair_account_id = 2;
	fields.layout = "grid";
	fields.recording_policy = "auto";
	id = meetings_create(f->m, &f->operator_, &fields, &error);
	g_assert_no_error(error);
	node = meetings_get_json(f->m, id, &error);
	g_assert_no_error(error);
	o = json_node_get_object(node);
	g_assert_cmpint(json_object_get_int_member(o, "id"), ==, id);
	g_assert_cmpstr(json_object_get_string_member(o, "title"), ==, "Giao ban tháng 7");
	g_assert_cmpint(json_object_get_int_member(o, "lead_minutes"), ==, 15);
	g_assert_cmpint(json_object_get_int_member(o, "opens_at"), ==,
	                T0 + 7 * HOUR_MS + 45 * MIN_MS);
	g_assert_cmpint(json_object_get_int_member(o, "closes_at"), ==,
	                T0 + 10 * HOUR_MS + 15 * MIN_MS);
	chair = json_object_get_object_member(o, "chair");
	g_assert_cmpstr(json_object_get_string_member(chair, "username"), ==, "chu.tich");
	g_assert_cmpstr(json_object_get_string_member(o, "layout"), ==, "grid");
	g_assert_cmpstr(json_object_get_string_member(o, "recording_policy"), ==, "auto");
	g_assert_cmpstr(json_object_get_string_member(o, "state"), ==, "scheduled");
	g_assert_true(json_object_get_null_member(o, "opened_at"));
	g_assert_true(json_object_get_null_member(o, "series_id"));
	g_assert_cmpstr(json_object_get_string_member(o, "created_by"), ==, "admin");
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "agenda")), ==, 0);
	g_clear_pointer(&node, json_node_unref);
	g_assert_null(meetings_get_json(f->m, id + 1, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
}

static void test_update_by_state(struct fixture *f, gconstpointer data)
{
	gint64 id = make_meeting(f, "Họp A", T0 + HOUR_MS, T0 + 2 * HOUR_MS, 0, 0);
	struct meeting_fields change = MEETING_FIELDS_KEEP;
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) audit = NULL;

	change.title = "Họp A (dời giờ)";
	change.end_at = T0 + 3 * HOUR_MS;
	change.chair_account_id = 2;
	g_assert_true(meetings_update(f->m, &f->operator_, id, &change, &error));
	g_assert_no_error(error);
	g_assert_cmpint(meeting_column(f, id, "end_at"), ==, T0 + 3 * HOUR_MS);
	g_assert_cmpint(meeting_column(f, id, "chair_account_id"), ==, 2);
	/* Clearing the chair. */
	change = (struct meeting_fields)MEETING_FIELDS_KEEP;
	change.chair_account_id = 0;
	g_assert_true(meetings_update(f->m, &f->operator_, id, &change, &error));
	g_assert_cmpint(meeting_column(f, id, "chair_account_id"), ==, 0);
	/* Validated like a creation. */
	change = (struct meeting_fields)MEETING_FIELDS_KEEP;
	change.start_at = T0 + 4 * HOUR_MS;
	g_assert_false(meetings_update(f->m, &f->operator_, id, &change, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID);
	g_assert_cmpstr(error->message, ==, "end_at must be after start_at");
	g_clear_error(&error);
	/* Not once it is live, ended or cancelled. */
	g_assert_true(meetings_mark_live(f->m, &f->operator_, id, &error));
	change = (struct meeting_fields)MEETING_FIELDS_KEEP;
	change.title = "Muộn rồi";
	g_assert_false(meetings_update(f->m, &f->operator_, id, &change, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_assert_nonnull(strstr(error->message, "is live; only a scheduled or open meeting"));
	g_clear_error(&error);
	g_assert_false(meetings_update(f->m, &f->operator_, 999, &change, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	audit = store_query(f->st,
	                    "SELECT action, detail FROM audit_log WHERE action = 'meeting.update' "
	                    "ORDER BY id",
	                    NULL, 0, NULL);
	g_assert_cmpuint(store_rows_count(audit), ==, 2);
	g_assert_nonnull(strstr(store_rows_get(audit, 0, 1), "\"title\":\"Họp A (dời giờ)\""));
	g_assert_cmpstr(store_rows_get(audit, 1, 1), ==, "{\"chair_id\":null}");
}

static void test_agenda(struct fixture *f, gconstpointer data)
{
	gint64 id = make_meeting(f, "Họp HĐND", T0 + HOUR_MS, T0 + 3 * HOUR_MS, 0, 0);
	const struct agenda_item items[] = {
	    {"Khai mạc", "Chủ tịch UBND tỉnh", 10},
	    {"Báo cáo kinh tế - xã hội 6 tháng", "Giám đốc Sở Tài chính", 45},
	    {"Thảo luận", NULL, 60},
	};
	g_autofree char *long_title = g_strnfill(301, 'a');
	const struct agenda_item bad[] = {{"Khai mạc", NULL, 0}, {long_title, NULL, 0}};
	const struct agenda_item negative[] = {{"Khai mạc", NULL, -5}};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;
	JsonArray *agenda;

	g_assert_true(meetings_set_agenda(f->m, &f->operator_, id, items, 3, &error));
	g_assert_no_error(error);
	node = meetings_get_json(f->m, id, &error);
	agenda = json_object_get_array_member(json_node_get_object(node), "agenda");
	g_assert_cmpuint(json_array_get_length(agenda), ==, 3);
	g_assert_cmpstr(
	    json_object_get_string_member(json_array_get_object_element(agenda, 1), "title"), ==,
	    "Báo cáo kinh tế - xã hội 6 tháng");
	g_assert_cmpint(
	    json_object_get_int_member(json_array_get_object_element(agenda, 2), "position"), ==,
	    3);
	g_assert_false(meetings_set_agenda(f->m, &f->operator_, id, bad, 2, &error));
	g_assert_cmpstr(error->message, ==,
	                "agenda item 2: title must have 1 to 300 characters, not only spaces");
	g_clear_error(&error);
	g_assert_false(meetings_set_agenda(f->m, &f->operator_, id, negative, 1, &error));
	g_assert_nonnull(strstr(error->message, "duration_minutes must be between 0 and 1440"));
	g_clear_error(&error);
	/* Replaced, not appended. */
	g_assert_true(meetings_set_agenda(f->m, &f->operator_, id, items + 2, 1, &error));
	g_clear_pointer(&node, json_node_unref);
	node = meetings_get_json(f->m, id, &error);
	agenda = json_object_get_array_member(json_node_get_object(node), "agenda");
	g_assert_cmpuint(json_array_get_length(agenda), ==, 1);
	g_assert_cmpstr(
	    json_object_get_string_member(json_array_get_object_element(agenda, 0), "presenter"),
	    ==, "");
	g_assert_true(meetings_cancel(f->m, &f->operator_, id, &error));
	g_assert_false(meetings_set_agenda(f->m, &f->operator_, id, items, 3, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
}

/* The agenda of meeting `id` as "ID:TITLE|ID:TITLE|...", by position. */
static char *agenda_summary(struct fixture *f, gint64 id)
{
	g_autoptr(JsonNode) node = meetings_get_json(f->m, id, NULL);
	JsonArray *agenda = json_object_get_array_member(json_node_get_object(node), "agenda");
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < json_array_get_length(agenda); i++) {
		JsonObject *item = json_array_get_object_element(agenda, i);
		g_assert_cmpint(json_object_get_int_member(item, "position"), ==, i + 1);
		g_string_append_printf(out, "%s%" G_GINT64_FORMAT ":%s", i ? "|" : "",
		                       json_object_get_int_member(item, "id"),
		                       json_object_get_string_member(item, "title"));
	}
	return g_string_free(out, FALSE);
}

static void test_agenda_keeps_ids(struct fixture *f, gconstpointer data)
{
	gint64 id = make_meeting(f, "Họp HĐND", T0 + HOUR_MS, T0 + 3 * HOUR_MS, 0, 0);
	gint64 other = make_meeting(f, "Họp khác", T0 + HOUR_MS, T0 + 2 * HOUR_MS, 0, 0);
	const struct agenda_item first[] = {
	    {"Khai mạc", NULL, 10}, {"Báo cáo", NULL, 30}, {"Thảo luận", NULL, 60}};
	const struct agenda_item other_items[] = {{"Điểm danh", NULL, 5}};
	g_autoptr(GError) error = NULL;
	g_autofree char *before = NULL, *other_agenda = NULL, *after = NULL, *unchanged = NULL;
	g_autofree char *twice_message = NULL;
	gint64 ids[3], foreign;
	char *end;

	g_assert_true(meetings_set_agenda(f->m, &f->operator_, id, first, 3, &error));
	g_assert_true(meetings_set_agenda(f->m, &f->operator_, other, other_items, 1, &error));
	g_assert_no_error(error);
	before = agenda_summary(f, id);
	end = before;
	for (int i = 0; i < 3; i++) {
		ids[i] = g_ascii_strtoll(i ? strchr(end, '|') + 1 : end, &end, 10);
		g_assert_cmpint(ids[i], >, 0);
	}
	other_agenda = agenda_summary(f, other);
	foreign = g_ascii_strtoll(other_agenda, NULL, 10);
	g_assert_cmpint(foreign, >, 0);

	/* Reordered and renamed: the kept items keep their ids; "Khai mạc" goes, one is new. */
	const struct agenda_item reordered[] = {{"Thảo luận và kết luận", NULL, 45, ids[2]},
	                                        {"Báo cáo", "Sở Tài chính", 30, ids[1]},
	                                        {"Bế mạc", NULL, 5}};
	g_assert_true(meetings_set_agenda(f->m, &f->operator_, id, reordered, 3, &error));
	g_assert_no_error(error);
	after = agenda_summary(f, id);
	g_autofree char *expected = g_strdup_printf(
	    "%" G_GINT64_FORMAT ":Thảo luận và kết luận|%" G_GINT64_FORMAT ":Báo cáo|", ids[2],
	    ids[1]);
	g_assert_true(g_str_has_prefix(after, expected));
	g_assert_true(g_str_has_suffix(after, ":Bế mạc"));
	g_assert_null(strstr(after, "Khai mạc"));

	/* An item of another meeting, a removed one, or one named twice: refused, nothing
	 * changed. */
	const struct agenda_item foreign_item[] = {{"Điểm danh", NULL, 5, foreign}};
	const struct agenda_item removed_item[] = {{"Khai mạc", NULL, 5, ids[0]}};
	const struct agenda_item twice[] = {{"Báo cáo", NULL, 5, ids[1]}, {"Lại", NULL, 5, ids[1]}};
	g_assert_false(meetings_set_agenda(f->m, &f->operator_, id, foreign_item, 1, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "is not an item of this meeting's agenda"));
	g_clear_error(&error);
	g_assert_false(meetings_set_agenda(f->m, &f->operator_, id, removed_item, 1, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(meetings_set_agenda(f->m, &f->operator_, id, twice, 2, &error));
	twice_message =
	    g_strdup_printf("agenda item 2: id %" G_GINT64_FORMAT " is named twice", ids[1]);
	g_assert_cmpstr(error->message, ==, twice_message);
	unchanged = agenda_summary(f, id);
	g_assert_cmpstr(unchanged, ==, after);
}

static void test_list_filters(struct fixture *f, gconstpointer data)
{
	gint64 a = make_meeting(f, "Sáng thứ Hai", T0 + 8 * HOUR_MS, T0 + 10 * HOUR_MS, 0, 0);
	gint64 b = make_meeting(f, "Chiều thứ Hai", T0 + 14 * HOUR_MS, T0 + 16 * HOUR_MS, 0, 0);
	gint64 c =
	    make_meeting(f, "Thứ Ba", T0 + DAY_MS + 8 * HOUR_MS, T0 + DAY_MS + 9 * HOUR_MS, 0, 0);
	struct meeting_filter window = {.from_ms = T0 + 9 * HOUR_MS, .to_ms = T0 + 15 * HOUR_MS};
	struct meeting_filter cancelled = {.states = MEETING_STATE_BIT(MEETING_CANCELLED)};
	struct meeting_filter all = {0};
	g_autoptr(JsonNode) l1 = NULL, l2 = NULL, l3 = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(meetings_cancel(f->m, &f->operator_, c, &error));
	/* Overlapping the window: a (ends 10:00) and b (starts 14:00). */
	l1 = meetings_list_json(f->m, &window, &error);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(l1)), ==, 2);
	g_assert_cmpint(json_object_get_int_member(
	                    json_array_get_object_element(json_node_get_array(l1), 0), "id"),
	                ==, a);
	g_assert_cmpint(json_object_get_int_member(
	                    json_array_get_object_element(json_node_get_array(l1), 1), "id"),
	                ==, b);
	l2 = meetings_list_json(f->m, &cancelled, &error);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(l2)), ==, 1);
	l3 = meetings_list_json(f->m, &all, &error);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(l3)), ==, 3);
}

/* ---- invitees over a directory ---- */

static gint64 insert_unit(struct fixture *f, const char *code, const char *name, const char *level,
                          gint64 parent)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = store_query(
	    f->st,
	    "INSERT INTO units (code, name, level, parent_id, created_at) VALUES (?, ?, ?, ?, 0) "
	    "RETURNING id",
	    STORE_PARAMS(STORE_TEXT(code), STORE_TEXT(name), STORE_TEXT(level),
	                 parent ? STORE_INT(parent) : STORE_NULL),
	    &error);

	g_assert_no_error(error);
	return store_rows_get_int(rows, 0, 0);
}

static gint64 insert_endpoint(struct fixture *f, const char *code, const char *name, gint64 unit)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = store_query(
	    f->st,
	    "INSERT INTO endpoints (code, name, unit_id, kind, created_at) VALUES (?, ?, ?, "
	    "'browser', 0) RETURNING id",
	    STORE_PARAMS(STORE_TEXT(code), STORE_TEXT(name), STORE_INT(unit)), &error);

	g_assert_no_error(error);
	return store_rows_get_int(rows, 0, 0);
}

struct directory {
	gint64 province, district, other_province;
	gint64 province_room, district_room, disabled_room, other_room;
	guint communes; /* under the province, at any depth */
};

/* Tỉnh Lâm Đồng with 40 communes of its own and a district (older data) with 3 more;
 * Tỉnh Đắk Nông beside it. One endpoint per unit; one commune's endpoint disabled. */
static struct directory make_directory(struct fixture *f)
{
	static const char *const named[] = {"Phường Xuân Hương - Đà Lạt",
	                                    "Phường Cam Ly - Đà Lạt",
	                                    "Phường Lâm Viên - Đà Lạt",
	                                    "Phường Bảo Lộc 1",
	                                    "Xã Tân Phú",
	                                    "Xã Đạ Huoai",
	                                    "Xã Lạc Dương",
	                                    "Xã Đơn Dương",
	                                    "Xã Ka Đô",
	                                    "Xã Lâm Hà",
	                                    "Xã Nam Ban",
	                                    "Xã Đinh Văn"};
	static const char *const district_communes[] = {"Xã Hiệp Thạnh", "Xã Ninh Gia",
	                                                "Xã Tà Năng"};
	struct directory d = {0};
	gint64 government = insert_unit(f, "CP", "Chính phủ", "government", 0);

	d.province = insert_unit(f, "LD", "Tỉnh Lâm Đồng", "province", government);
	d.province_room = insert_endpoint(f, "LD-UBND", "Phòng họp UBND tỉnh", d.province);
	for (guint i = 0; i < 40; i++) {
		g_autofree char *code = g_strdup_printf("LD-%02u", i + 1);
		g_autofree char *name = i < G_N_ELEMENTS(named)
		                            ? g_strdup(named[i])
		                            : g_strdup_printf("Phường %u", i - 11);
		g_autofree char *room = g_strdup_printf("Phòng họp %s", name);
		g_autofree char *ecode = g_strconcat(code, "-P1", NULL);
		gint64 unit = insert_unit(f, code, name, "commune", d.province);
		gint64 ep = insert_endpoint(f, ecode, room, unit);
		if (i == 7)
			d.disabled_room = ep;
	}
	d.district = insert_unit(f, "LD-DT", "Huyện Đức Trọng", "district", d.province);
	d.district_room = insert_endpoint(f, "LD-DT-P1", "Phòng họp huyện Đức Trọng", d.district);
	for (guint i = 0; i < G_N_ELEMENTS(district_communes); i++) {
		g_autofree char *code = g_strdup_printf("LD-DT-%u", i + 1);
		g_autofree char *ecode = g_strconcat(code, "-P1", NULL);
		insert_endpoint(f, ecode, district_communes[i],
		                insert_unit(f, code, district_communes[i], "commune", d.district));
	}
	g_assert_true(store_exec(f->st, "UPDATE endpoints SET disabled = 1 WHERE id = ?",
	                         STORE_PARAMS(STORE_INT(d.disabled_room)), NULL, NULL));
	d.other_province = insert_unit(f, "DN", "Tỉnh Đắk Nông", "province", government);
	d.other_room =
	    insert_endpoint(f, "DN-UBND", "Phòng họp UBND tỉnh Đắk Nông", d.other_province);
	insert_endpoint(f, "DN-01-P1", "Xã Quảng Khê",
	                insert_unit(f, "DN-01", "Xã Quảng Khê", "commune", d.other_province));
	d.communes = 43;
	return d;
}

static guint expanded_count(struct fixture *f, gint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) list = meetings_invited_endpoints_json(f->m, id, &error);

	g_assert_no_error(error);
	return json_array_get_length(json_node_get_array(list));
}

/* Asking about one endpoint (what every join does) answers as the whole expansion does,
 * for every endpoint of the directory, disabled ones included. */
static void assert_lookup_matches_expansion(struct fixture *f, gint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) list = meetings_invited_endpoints_json(f->m, id, &error);
	g_autoptr(GHashTable) expanded = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_autoptr(store_rows) rows = store_query(f->st, "SELECT id FROM endpoints", NULL, 0, NULL);
	JsonArray *array = json_node_get_array(list);
	g_autofree gint64 *ids = g_new(gint64, json_array_get_length(array));

	for (guint i = 0; i < json_array_get_length(array); i++) {
		ids[i] = json_object_get_int_member(json_array_get_object_element(array, i), "id");
		g_hash_table_add(expanded, &ids[i]);
	}
	g_assert_cmpuint(store_rows_count(rows), >, 40);
	for (guint r = 0; r < store_rows_count(rows); r++) {
		gint64 endpoint = store_rows_get_int(rows, r, 0);
		bool invited;

		g_assert_true(meetings_is_invited(f->m, id, endpoint, &invited, &error));
		g_assert_no_error(error);
		g_assert_cmpint(invited, ==, g_hash_table_contains(expanded, &endpoint));
	}
}

static void test_invitee_expansion(struct fixture *f, gconstpointer data)
{
	struct directory d = make_directory(f);
	gint64 id =
	    make_meeting(f, "Hội nghị trực tuyến toàn tỉnh", T0 + HOUR_MS, T0 + 3 * HOUR_MS, 0, 0);
	struct invitee_unit whole_province[] = {{d.province, true}};
	struct invitee_unit district_only[] = {{d.district, false}};
	gint64 endpoints[] = {d.other_room, d.province_room};
	struct invitee_list list = {whole_province, 1, endpoints, 2};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) invitees = NULL;
	JsonObject *o;
	bool invited;

	/* The province with every unit under it (its own room, 40 communes less the disabled
	 * one, the district and its 3 communes), plus Đắk Nông's room; the province room
	 * named twice counts once. */
	g_assert_true(meetings_set_invitees(f->m, &f->operator_, id, &list, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(expanded_count(f, id), ==, 1 + (d.communes - 1) + 1 + 1);
	assert_lookup_matches_expansion(f, id);
	g_assert_true(meetings_is_invited(f->m, id, d.other_room, &invited, &error));
	g_assert_true(invited);
	g_assert_true(meetings_is_invited(f->m, id, d.disabled_room, &invited, &error));
	g_assert_false(invited);
	invitees = meetings_invitees_json(f->m, id, &error);
	o = json_node_get_object(invitees);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "units")), ==, 1);
	g_assert_cmpstr(
	    json_object_get_string_member(
	        json_array_get_object_element(json_object_get_array_member(o, "units"), 0), "name"),
	    ==, "Tỉnh Lâm Đồng");
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "endpoints")), ==,
	                 2);

	/* A unit without the units under it: its own endpoint only. */
	list = (struct invitee_list){district_only, 1, NULL, 0};
	g_assert_true(meetings_set_invitees(f->m, &f->operator_, id, &list, &error));
	g_assert_cmpuint(expanded_count(f, id), ==, 1);
	assert_lookup_matches_expansion(f, id);
	g_assert_true(meetings_is_invited(f->m, id, d.district_room, &invited, &error));
	g_assert_true(invited);
	g_assert_true(meetings_is_invited(f->m, id, d.other_room, &invited, &error));
	g_assert_false(invited);
	/* With them: 4. */
	district_only[0].include_descendants = true;
	g_assert_true(meetings_set_invitees(f->m, &f->operator_, id, &list, &error));
	g_assert_cmpuint(expanded_count(f, id), ==, 4);
	assert_lookup_matches_expansion(f, id);
}

static void test_invitee_validation(struct fixture *f, gconstpointer data)
{
	struct directory d = make_directory(f);
	gint64 id = make_meeting(f, "Họp", T0 + HOUR_MS, T0 + 3 * HOUR_MS, 0, 0);
	struct invitee_unit twice[] = {{d.province, true}, {d.province, false}};
	struct invitee_unit unknown[] = {{d.province, true}, {999, false}};
	gint64 bad_endpoint[] = {d.other_room, 4242};
	struct invitee_list cases[] = {
	    {twice, 2, NULL, 0}, {unknown, 2, NULL, 0}, {NULL, 0, bad_endpoint, 2}};
	g_autofree char *m0 =
	    g_strdup_printf("unit %" G_GINT64_FORMAT " is listed twice", d.province);
	const char *messages[] = {m0, "no unit with id 999", "no endpoint with id 4242"};
	g_autoptr(store_rows) rows = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false(meetings_set_invitees(f->m, &f->operator_, id, &cases[i], &error));
		g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_INVALID);
		g_assert_cmpstr(error->message, ==, messages[i]);
	}
	rows = store_query(f->st, "SELECT COUNT(*) FROM meeting_invitees", NULL, 0, NULL);
	g_assert_cmpint(store_rows_get_int(rows, 0, 0), ==, 0);
}

/* A series copies its invitees to every occurrence. */
static void test_series_invitees(struct fixture *f, gconstpointer data)
{
	struct directory d = make_directory(f);
	struct invitee_unit units[] = {{d.province, true}};
	struct invitee_list list = {units, 1, NULL, 0};
	struct series_fields fields = {
	    .title = "Giao ban sáng thứ Hai",
	    .rule = "weekly:MO@08:00/90",
	    .lead_ms = -1,
	    .grace_ms = -1,
	    .invitees = &list,
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(store_rows) rows = NULL;
	gint64 s = series_create(f->m, &f->operator_, &fields, &error);

	g_assert_no_error(error);
	rows = store_query(f->st, "SELECT id, lead_ms FROM meetings WHERE series_id = ?",
	                   STORE_PARAMS(STORE_INT(s)), NULL);
	g_assert_cmpuint(store_rows_count(rows), ==, SERIES_OCCURRENCES_AHEAD);
	for (guint r = 0; r < store_rows_count(rows); r++) {
		/* province room, communes less the disabled one, the district's room */
		g_assert_cmpuint(expanded_count(f, store_rows_get_int(rows, r, 0)), ==,
		                 1 + (d.communes - 1) + 1);
		g_assert_cmpint(store_rows_get_int(rows, r, 1), ==, 15 * MIN_MS);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	FIXTURE_ADD("/meetings", "create-validation", setup, test_create_validation);
	FIXTURE_ADD("/meetings", "get-json", setup, test_get_json);
	FIXTURE_ADD("/meetings", "update-by-state", setup, test_update_by_state);
	FIXTURE_ADD("/meetings", "agenda", setup, test_agenda);
	FIXTURE_ADD("/meetings", "agenda-keeps-ids", setup, test_agenda_keeps_ids);
	FIXTURE_ADD("/meetings", "list-filters", setup, test_list_filters);
	FIXTURE_ADD("/meetings", "invitee-expansion", setup, test_invitee_expansion);
	FIXTURE_ADD("/meetings", "invitee-validation", setup, test_invitee_validation);
	FIXTURE_ADD("/meetings", "series-invitees", setup, test_series_invitees);
	return g_test_run();
}
