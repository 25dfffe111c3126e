/* SPDX-License-Identifier: MIT */
/* The minutes document laid out as a PDF, section by section. */
#define G_LOG_DOMAIN "cau-pdf"
#include "minutes_pdf.h"

#include "pdf_doc.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

struct render {
	struct pdf_doc *d;
	GTimeZone *tz;
	GPtrArray *pool; /* strings made for the current row, freed together */
};

/* Members that may be absent or null. */
static const char *str(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
	           ? json_node_get_string(n)
	           : "";
}

static gint64 num(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64
	           ? json_node_get_int(n)
	           : 0;
}

static JsonObject *obj(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static guint count(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_array_get_length(json_node_get_array(n)) : 0;
}

static JsonObject *item(JsonObject *o, const char *name, guint i)
{
	return json_array_get_object_element(json_object_get_array_member(o, name), i);
}

static const char *keep(struct render *r, char *s)
{
	g_ptr_array_add(r->pool, s);
	return s;
}

/* "06/05/2024 08:00" (or with seconds) in the document's time zone; "" for 0. */
static const char *when(struct render *r, gint64 ms, bool seconds)
{
	g_autoptr(GDateTime) utc = NULL, local = NULL;

	if (!ms)
		return "";
	utc = g_date_time_new_from_unix_utc(ms / 1000);
	local = g_date_time_to_timezone(utc, r->tz);
	return keep(r, g_date_time_format(local, seconds ? "%d/%m/%Y %H:%M:%S" : "%d/%m/%Y %H:%M"));
}

static const char *duration(struct render *r, gint64 ms)
{
	gint64 s = (ms + 500) / 1000;

	return keep(r, g_strdup_printf("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600,
	                               (int)(s / 60 % 60), (int)(s % 60)));
}

/* "CODE — Name" of an endpoint object, or "" for none. */
static const char *endpoint(struct render *r, JsonObject *e)
{
	if (!e)
		return "";
	return keep(r, g_strdup_printf("%s — %s", str(e, "code"), str(e, "name")));
}

static void row(struct render *r, const char *const *cells)
{
	pdf_doc_table_row(r->d, cells);
	g_ptr_array_set_size(r->pool, 0);
}

static void none(struct render *r)
{
	pdf_doc_text(r->d, "Không có. (None.)", PDF_BODY, PANGO_ALIGN_LEFT, 0);
}

static void title_block(struct render *r, JsonObject *doc)
{
	JsonObject *m = obj(doc, "meeting");
	const char *left[] = {*str(doc, "organisation") ? str(doc, "organisation") : "Cầu", NULL};
	const char *right[] = {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
	                       NULL};
	g_autofree char *number =
	    g_strdup_printf("Cuộc họp số %" G_GINT64_FORMAT " (meeting %" G_GINT64_FORMAT ")",
	                    num(m, "id"), num(m, "id"));

	pdf_doc_pair(r->d, left, right);
	pdf_doc_text(r->d, "BIÊN BẢN CUỘC HỌP", PDF_TITLE, PANGO_ALIGN_CENTER, 26);
	pdf_doc_text(r->d, "Minutes of the meeting", PDF_SMALL, PANGO_ALIGN_CENTER, 2);
	pdf_doc_text(r->d, str(m, "title"), PDF_HEADING, PANGO_ALIGN_CENTER, 8);
	pdf_doc_text(r->d, number, PDF_SMALL, PANGO_ALIGN_CENTER, 2);
}

static const char *state_name(const char *state)
{
	static const char *const names[][2] = {
	    {"scheduled", "Đã lên lịch (scheduled)"},
	    {"open", "Đang mở (open)"},
	    {"live", "Đang họp (live)"},
	    {"ended", "Đã kết thúc (ended)"},
	    {"cancelled", "Đã hủy (cancelled)"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_strcmp0(state, names[i][0]) == 0)
			return names[i][1];
	return state;
}

static void meeting_section(struct render *r, JsonObject *doc)
{
	static const struct pdf_column cols[] = {{"Mục (item)", 0.3, PDF_BOLD},
	                                         {"Nội dung (value)", 0.7, PDF_BODY}};
	JsonObject *m = obj(doc, "meeting"), *chair = obj(m, "chair");
	const char *rows[][2] = {
	    {"Tên cuộc họp (title)", str(m, "title")},
	    {"Thời gian dự kiến (scheduled)",
	     keep(r, g_strdup_printf("%s – %s", when(r, num(m, "start_at"), false),
	                             when(r, num(m, "end_at"), false)))},
	    {"Mở phòng (opened)", when(r, num(m, "opened_at"), true)},
	    {"Bắt đầu (live)", when(r, num(m, "live_at"), true)},
	    {"Kết thúc (ended)", when(r, num(m, "ended_at"), true)},
	    {"Trạng thái (state)", state_name(str(m, "state"))},
	    {"Chủ trì (chair)", chair ? str(chair, "username") : "—"},
	    {"Múi giờ (time zone)", str(doc, "timezone")},
	};

	pdf_doc_heading(r->d, "I. Thông tin cuộc họp (meeting)");
	pdf_doc_table_begin(r->d, cols, G_N_ELEMENTS(cols));
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
		pdf_doc_table_row(r->d, rows[i]);
	g_ptr_array_set_size(r->pool, 0);
	pdf_doc_table_end(r->d);
	if (*str(m, "description")) { /* up to 4000 characters: a paragraph, not a cell */
		pdf_doc_titled_text(r->d, "Nội dung (description):", str(m, "description"), 4);
	}
}

static void agenda_section(struct render *r, JsonObject *doc)
{
	static const struct pdf_column cols[] = {{"#", 0.06, PDF_BODY},
	                                         {"Nội dung (item)", 0.6, PDF_BODY},
	                                         {"Trình bày (presenter)", 0.22, PDF_BODY},
	                                         {"Phút (min)", 0.12, PDF_BODY}};

	pdf_doc_heading(r->d, "II. Chương trình họp (agenda)");
	if (!count(doc, "agenda")) {
		none(r);
		return;
	}
	pdf_doc_table_begin(r->d, cols, G_N_ELEMENTS(cols));
	for (guint i = 0; i < count(doc, "agenda"); i++) {
		JsonObject *a = item(doc, "agenda", i);
		const char *cells[] = {
		    keep(r, g_strdup_printf("%" G_GINT64_FORMAT, num(a, "position"))),
		    str(a, "title"), str(a, "presenter"),
		    keep(r, g_strdup_printf("%" G_GINT64_FORMAT, num(a, "duration_minutes")))};
		row(r, cells);
	}
	pdf_doc_table_end(r->d);
}

static const char *status_name(const char *status)
{
	if (g_strcmp0(status, "online") == 0)
		return "Trực tuyến (online)";
	if (g_strcmp0(status, "in_person") == 0)
		return "Trực tiếp (in person)";
	return "Vắng (absent)";
}

static void attendance_section(struct render *r, JsonObject *doc)
{
	static const struct pdf_column cols[] = {
	    {"Đơn vị (unit)", 0.2, PDF_BODY},       {"Điểm cầu (endpoint)", 0.24, PDF_BODY},
	    {"Tham dự (status)", 0.14, PDF_BODY},   {"Vào – ra (join – leave)", 0.2, PDF_SMALL},
	    {"Trực tuyến (online)", 0.1, PDF_BODY}, {"Lý do (reason)", 0.12, PDF_SMALL}};
	JsonObject *att = obj(doc, "attendance"), *sum = obj(att, "summary");
	g_autofree char *summary =
	    g_strdup_printf("Mời %" G_GINT64_FORMAT " điểm cầu; trực tuyến %" G_GINT64_FORMAT
	                    ", trực tiếp %" G_GINT64_FORMAT ", vắng %" G_GINT64_FORMAT
	                    ". (Invited %" G_GINT64_FORMAT "; online, in person, absent.)",
	                    num(sum, "invited"), num(sum, "online"), num(sum, "in_person"),
	                    num(sum, "absent"), num(sum, "invited"));

	pdf_doc_heading(r->d, "III. Thành phần tham dự (attendance)");
	pdf_doc_text(r->d, summary, PDF_BODY, PANGO_ALIGN_LEFT, 0);
	if (!count(att, "endpoints"))
		return;
	pdf_doc_text(r->d, "", PDF_SMALL, PANGO_ALIGN_LEFT, 2);
	pdf_doc_table_begin(r->d, cols, G_N_ELEMENTS(cols));
	for (guint i = 0; i < count(att, "endpoints"); i++) {
		JsonObject *e = item(att, "endpoints", i);
		const char *status = str(e, "status");
		const char *reason = g_strcmp0(status, "online") == 0 ? "" : str(e, "reason");
		const char *cells[] = {
		    str(obj(e, "unit"), "name"),
		    endpoint(r, obj(e, "endpoint")),
		    status_name(status),
		    num(e, "first_join")
		        ? keep(r, g_strdup_printf("%s – %s", when(r, num(e, "first_join"), true),
		                                  num(e, "last_leave")
		                                      ? when(r, num(e, "last_leave"), true)
		                                      : "…"))
		        : "",
		    g_strcmp0(status, "online") == 0 ? duration(r, num(e, "online_ms")) : "",
		    g_strcmp0(reason, "no reason given") == 0 ? "Không rõ lý do" : reason,
		};
		row(r, cells);
	}
	pdf_doc_table_end(r->d);
}

static void speaking_section(struct render *r, JsonObject *doc)
{
	static const struct pdf_column cols[] = {{"Điểm cầu (endpoint)", 0.58, PDF_BODY},
	                                         {"Số lượt (turns)", 0.2, PDF_BODY},
	                                         {"Thời gian (time)", 0.22, PDF_BODY}};

	pdf_doc_heading(r->d, "IV. Thời gian phát biểu (speaking time)");
	if (!count(doc, "speaking")) {
		none(r);
		return;
	}
	pdf_doc_table_begin(r->d, cols, G_N_ELEMENTS(cols));
	for (guint i = 0; i < count(doc, "speaking"); i++) {
		JsonObject *s = item(doc, "speaking", i);
		const char *cells[] = {
		    endpoint(r, obj(s, "endpoint")),
		    keep(r, g_strdup_printf("%" G_GINT64_FORMAT, num(s, "turns"))),
		    duration(r, num(s, "total_ms"))};
		row(r, cells);
	}
	pdf_doc_table_end(r->d);
}

static const char *floor_name(const char *event)
{
	if (g_strcmp0(event, "requested") == 0)
		return "Xin phát biểu (requested)";
	if (g_strcmp0(event, "granted") == 0)
		return "Được phát biểu (granted)";
	return "Thu hồi quyền phát biểu (revoked)";
}

static void floor_section(struct render *r, JsonObject *doc)
{
	static const struct pdf_column cols[] = {{"Thời điểm (time)", 0.24, PDF_BODY},
	                                         {"Sự kiện (event)", 0.32, PDF_BODY},
	                                         {"Điểm cầu (endpoint)", 0.44, PDF_BODY}};

	pdf_doc_heading(r->d, "V. Đăng ký và cho phát biểu (floor requests and grants)");
	if (!count(doc, "floor")) {
		none(r);
		return;
	}
	pdf_doc_table_begin(r->d, cols, G_N_ELEMENTS(cols));
	for (guint i = 0; i < count(doc, "floor"); i++) {
		JsonObject *f = item(doc, "floor", i);
		const char *cells[] = {when(r, num(f, "at"), true), floor_name(str(f, "event")),
		                       endpoint(r, obj(f, "endpoint"))};
		row(r, cells);
	}
	pdf_doc_table_end(r->d);
}

static void chair_section(struct render *r, JsonObject *doc)
{
	static const struct pdf_column cols[] = {{"Thời điểm (time)", 0.24, PDF_BODY},
	                                         {"Thao tác (action)", 0.18, PDF_BODY},
	                                         {"Điểm cầu (endpoint)", 0.36, PDF_BODY},
	                                         {"Chi tiết (detail)", 0.22, PDF_SMALL}};

	pdf_doc_heading(r->d, "VI. Điều hành của chủ trì (chair actions)");
	if (!count(doc, "chair_actions")) {
		none(r);
		return;
	}
	pdf_doc_table_begin(r->d, cols, G_N_ELEMENTS(cols));
	for (guint i = 0; i < count(doc, "chair_actions"); i++) {
		JsonObject *a = item(doc, "chair_actions", i);
		JsonNode *detail = json_object_get_member(a, "detail");
		const char *cells[] = {when(r, num(a, "at"), true), str(a, "action"),
		                       endpoint(r, obj(a, "endpoint")),
		                       detail && JSON_NODE_HOLDS_OBJECT(detail) &&
		                               json_object_get_size(json_node_get_object(detail))
		                           ? keep(r, json_to_string(detail, FALSE))
		                           : ""};
		row(r, cells);
	}
	pdf_doc_table_end(r->d);
}

static const char *agenda_ref(struct render *r, JsonObject *a)
{
	if (!a)
		return "";
	return keep(
	    r, g_strdup_printf("%" G_GINT64_FORMAT ". %s", num(a, "position"), str(a, "title")));
}

/* Each decision as a line saying when, about what and by whom, then its text as a
 * paragraph (up to 4000 characters: it may run over pages). */
static void decisions_section(struct render *r, JsonObject *doc)
{
	pdf_doc_heading(r->d, "VII. Kết luận (decisions)");
	if (!count(doc, "decisions")) {
		none(r);
		return;
	}
	for (guint i = 0; i < count(doc, "decisions"); i++) {
		JsonObject *c = item(doc, "decisions", i);
		g_autofree char *head = g_strdup_printf(
		    "%u. %s%s%s — ghi bởi (by) %s", i + 1, when(r, num(c, "at"), false),
		    obj(c, "agenda_item") ? " — mục " : "", agenda_ref(r, obj(c, "agenda_item")),
		    str(c, "by"));
		pdf_doc_titled_text(r->d, head, str(c, "text"), i ? 6 : 0);
		g_ptr_array_set_size(r->pool, 0);
	}
}

/* The material's file name, its agenda item, and when this version was presented. */
static const char *material_cell(struct render *r, JsonObject *m, JsonObject *ver)
{
	GString *s = g_string_new(str(ver, "file_name"));

	if (obj(m, "agenda_item"))
		g_string_append_printf(s, "\nMục %s", agenda_ref(r, obj(m, "agenda_item")));
	for (guint i = 0; i < count(m, "presented"); i++) {
		JsonObject *p = item(m, "presented", i);
		if (num(p, "version") == num(ver, "version"))
			g_string_append_printf(s, "\nTrình chiếu (presented) %s",
			                       when(r, num(p, "at"), true));
	}
	return keep(r, g_string_free(s, FALSE));
}

static void materials_section(struct render *r, JsonObject *doc)
{
	/* a SHA-256 in 7 pt mono takes 270 points: its column holds it on one line */
	static const struct pdf_column cols[] = {{"Tài liệu (material)", 0.33, PDF_BODY},
	                                         {"Bản (ver.)", 0.08, PDF_BODY},
	                                         {"SHA-256", 0.59, PDF_MONO}};

	pdf_doc_heading(r->d, "VIII. Tài liệu (materials)");
	if (!count(doc, "materials")) {
		none(r);
		return;
	}
	pdf_doc_table_begin(r->d, cols, G_N_ELEMENTS(cols));
	for (guint i = 0; i < count(doc, "materials"); i++) {
		JsonObject *m = item(doc, "materials", i);
		for (guint v = 0; v < count(m, "versions"); v++) {
			JsonObject *ver = item(m, "versions", v);
			const char *cells[] = {
			    material_cell(r, m, ver),
			    keep(r, g_strdup_printf("%" G_GINT64_FORMAT, num(ver, "version"))),
			    str(ver, "sha256")};
			row(r, cells);
		}
	}
	pdf_doc_table_end(r->d);
}

static void recordings_section(struct render *r, JsonObject *doc)
{
	static const struct pdf_column cols[] = {{"Tệp (file)", 0.2, PDF_BODY},
	                                         {"Thời gian (time)", 0.21, PDF_SMALL},
	                                         {"SHA-256", 0.59, PDF_MONO}};

	pdf_doc_heading(r->d, "IX. Ghi hình (recordings)");
	if (!count(doc, "recordings")) {
		none(r);
		return;
	}
	pdf_doc_table_begin(r->d, cols, G_N_ELEMENTS(cols));
	for (guint i = 0; i < count(doc, "recordings"); i++) {
		JsonObject *rec = item(doc, "recordings", i);
		const char *cells[] = {
		    str(rec, "file"),
		    keep(r, g_strdup_printf("%s – %s", when(r, num(rec, "started_at"), true),
		                            when(r, num(rec, "stopped_at"), true))),
		    str(rec, "sha256")};
		row(r, cells);
	}
	pdf_doc_table_end(r->d);
}

static void votes_section(struct render *r, JsonObject *doc)
{
	static const struct pdf_column cols[] = {{"Nội dung (question)", 0.4, PDF_BODY},
	                                         {"Kết quả (result)", 0.4, PDF_BODY},
	                                         {"Hình thức (kind)", 0.2, PDF_SMALL}};

	pdf_doc_heading(r->d, "X. Biểu quyết (votes)");
	if (!count(doc, "votes")) {
		none(r);
		return;
	}
	pdf_doc_table_begin(r->d, cols, G_N_ELEMENTS(cols));
	for (guint i = 0; i < count(doc, "votes"); i++) {
		JsonObject *v = item(doc, "votes", i);
		GString *result = g_string_new(NULL);
		for (guint o = 0; o < count(v, "options"); o++) {
			JsonObject *opt = item(v, "options", o);
			g_string_append_printf(result, "%s%s: %" G_GINT64_FORMAT, o ? "\n" : "",
			                       str(opt, "text"), num(opt, "count"));
		}
		const char *cells[] = {
		    str(v, "question"), keep(r, g_string_free(result, FALSE)),
		    json_object_get_boolean_member_with_default(v, "secret", FALSE)
		        ? "Bỏ phiếu kín (secret)"
		        : "Công khai (open)"};
		row(r, cells);
	}
	pdf_doc_table_end(r->d);
}

static void closing(struct render *r, const struct minutes_pdf_info *info)
{
	g_autofree char *made = g_strdup_printf(
	    "Bản %d, lập lúc %s; ký số bởi (signed by): %s. Chữ ký số rời (detached CMS) nằm "
	    "trong tệp .p7s đi kèm; kiểm tra bằng `cau verify` hoặc `openssl cms -verify`.",
	    info->version, when(r, info->generated_at, true), info->signer ? info->signer : "");

	pdf_doc_heading(r->d, "Xác thực (verification)");
	pdf_doc_text(r->d, made, PDF_BODY, PANGO_ALIGN_LEFT, 0);
	pdf_doc_text(r->d,
	             "Mã SHA-256 của tệp JSON biên bản (SHA-256 of the minutes JSON):", PDF_BODY,
	             PANGO_ALIGN_LEFT, 6);
	pdf_doc_text(r->d, info->json_sha256, PDF_HASH, PANGO_ALIGN_LEFT, 2);
	g_ptr_array_set_size(r->pool, 0);
}

/* Lays the whole document out once; returns the number of pages. */
static int lay_out(cairo_surface_t *surface, PangoFontMap *fonts, JsonObject *doc,
                   const struct minutes_pdf_info *info, GTimeZone *tz, int total_pages)
{
	cairo_t *cr = cairo_create(surface);
	g_autoptr(GPtrArray) pool = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *footer = g_strdup_printf(
	    "Biên bản cuộc họp số %" G_GINT64_FORMAT ", bản %d — %s",
	    num(obj(doc, "meeting"), "id"), info->version, str(obj(doc, "meeting"), "title"));
	struct render r = {pdf_doc_new(cr, fonts, total_pages, footer), tz, pool};
	int pages;

	title_block(&r, doc);
	meeting_section(&r, doc);
	agenda_section(&r, doc);
	attendance_section(&r, doc);
	speaking_section(&r, doc);
	floor_section(&r, doc);
	chair_section(&r, doc);
	decisions_section(&r, doc);
	materials_section(&r, doc);
	recordings_section(&r, doc);
	votes_section(&r, doc);
	closing(&r, info);
	pages = pdf_doc_finish(r.d);
	cairo_destroy(cr);
	return pages;
}

static cairo_status_t append(void *closure, const unsigned char *data, unsigned int length)
{
	if (closure)
		g_byte_array_append(closure, data, length);
	return CAIRO_STATUS_SUCCESS;
}

static void set_metadata(cairo_surface_t *surface, JsonObject *doc,
                         const struct minutes_pdf_info *info)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(info->generated_at / 1000);
	g_autofree char *date = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
	g_autofree char *title = g_strdup_printf("Biên bản: %s", str(obj(doc, "meeting"), "title"));

	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR,
	                               str(doc, "organisation"));
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Cầu");
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
}

GBytes *minutes_pdf_render(JsonObject *doc, const struct minutes_pdf_info *info, GError **error)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(str(doc, "timezone"));
	g_autoptr(PangoFontMap) fonts = pango_cairo_font_map_new();
	GByteArray *out = g_byte_array_new();
	cairo_surface_t *surface;
	cairo_status_t status;
	int pages;

	if (!tz)
		tz = g_time_zone_new_utc();
	/* A first pass to a sink counts the pages for the footers of the second. */
	surface = cairo_pdf_surface_create_for_stream(append, NULL, PDF_A4_WIDTH, PDF_A4_HEIGHT);
	pages = lay_out(surface, fonts, doc, info, tz, 0);
	cairo_surface_destroy(surface);
	surface = cairo_pdf_surface_create_for_stream(append, out, PDF_A4_WIDTH, PDF_A4_HEIGHT);
	set_metadata(surface, doc, info);
	lay_out(surface, fonts, doc, info, tz, pages);
	cairo_surface_finish(surface);
	status = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	if (status != CAIRO_STATUS_SUCCESS) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cairo: %s",
		            cairo_status_to_string(status));
		g_byte_array_unref(out);
		return NULL;
	}
	return g_byte_array_free_to_bytes(out);
}
