/* SPDX-License-Identifier: MIT */
/* Unit tests of minutes: canonical JSON (pure), and on SQLite and PostgreSQL the document
 * built from a meeting and its event log (speaking time with overlapping intervals,
 * floor, chair actions, decisions, materials, recordings, votes), the same bytes for
 * the same meeting, the PDF (its text read back with pdftotext, Vietnamese exact), and
 * signed versions on disk and in the index. */
#include "control/minutes.h"
#include "minutes-fixture.h"
#include "record/canonical_json.h"
#include "record/minutes_pdf.h"
#include "record/sign.h"

#include <stdlib.h>
#include <string.h>

static char *canonical_of(const char *json)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = json_from_string(json, &error);
	char *out;

	g_assert_no_error(error);
	out = canonical_json(node, NULL, &error);
	g_assert_no_error(error);
	return out;
}

static void test_canonical(void)
{
	g_autofree char *a =
	    canonical_of("{ \"b\": [3, -1, 0, 9007199254740993], \"a\": {\"z\": null, \"é\": true, "
	                 "\"A\": false},"
	                 " \"s\": \"Xã Tân Phú \\\"1\\\" \\\\ \\n\\t\\u0001\\u001f/\\u007f\" }");
	g_autofree char *b = canonical_of("{\"s\":\"Xã Tân Phú \\\"1\\\" \\\\ \\n\\t\\u0001\\u001f/"
	                                  "\\u007f\",\"a\":{\"A\":false,\"é\":true,\"z\":null},"
	                                  "\"b\":[3,-1,0,9007199254740993]}");
	g_autoptr(JsonNode) real = json_from_string("{\"x\": 1.5}", NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *refused = NULL;

	/* members sorted (é, U+00E9, after the ASCII letters), no spaces, integers exact,
	 * only '"', '\\' and controls escaped, UTF-8 and DEL kept as they are */
	g_assert_cmpstr(
	    a, ==,
	    "{\"a\":{\"A\":false,\"z\":null,\"é\":true},\"b\":[3,-1,0,9007199254740993],"
	    "\"s\":\"Xã Tân Phú \\\"1\\\" \\\\ \\n\\t\\u0001\\u001f/\x7f\"}");
	g_assert_cmpstr(a, ==, b);
	refused = canonical_json(real, NULL, &error);
	g_assert_null(refused);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* The event log of a meeting as the rooms layer would write it. */
static void fill_events(struct fixture *f)
{
	GError *error = NULL;

	ok(attendance_joined(f->st, 1, 1, T0 - 5 * MIN_MS, &error), error);
	ok(attendance_left(f->st, 1, 1, T0 + 100 * MIN_MS, &error), error);
	ok(attendance_joined(f->st, 1, 4, T0, &error), error);
	ok(attendance_set(f->st, &admin, 1, 2, ATTENDANCE_IN_PERSON, "", &error), error);
	ok(attendance_set(f->st, &admin, 1, 3, ATTENDANCE_ABSENT, "Mất điện", &error), error);
	/* LD-01: 08:01-08:05 and 08:04-08:06 (one turn, 5 minutes), 08:30-08:31 */
	ok(meeting_events_speaking(f->st, 1, 4, T0 + 1 * MIN_MS, T0 + 5 * MIN_MS, &error), error);
	ok(meeting_events_speaking(f->st, 1, 4, T0 + 4 * MIN_MS, T0 + 6 * MIN_MS, &error), error);
	ok(meeting_events_speaking(f->st, 1, 4, T0 + 30 * MIN_MS, T0 + 31 * MIN_MS, &error), error);
	/* TP-01 speaks over LD-01 for 2 minutes: each counts its own time */
	ok(meeting_events_speaking(f->st, 1, 1, T0 + 3 * MIN_MS, T0 + 5 * MIN_MS, &error), error);
	event(f, "floor_requested", 1, NULL, T0 + 2 * MIN_MS);
	event(f, "floor_granted", 1, "{\"by\": \"chu.tich\"}", T0 + 3 * MIN_MS);
	event(f, "mute", 5, NULL, T0 + 7 * MIN_MS);
	event(f, "layout", 0, "{\"layout\": \"grid\"}", T0 + 8 * MIN_MS);
	event(f, "material_presented", 4, "{\"material\": 1, \"version\": 2}", T0 + 10 * MIN_MS);
	event(f, "vote_opened", 0,
	      "{\"vote\": \"v1\", \"question\": \"Thông qua tờ trình ngân sách?\", \"options\": "
	      "[\"Đồng ý\", \"Không đồng ý\"], \"secret\": false, \"agenda_item\": 2}",
	      T0 + 40 * MIN_MS);
	event(f, "vote_closed", 0,
	      "{\"vote\": \"v1\", \"counts\": [2, 0], \"choices\": [{\"endpoint\": 1, \"option\": "
	      "0}, "
	      "{\"endpoint\": 4, \"option\": 0}]}",
	      T0 + 42 * MIN_MS);
	g_assert_cmpint(meeting_events_decide(f->st, &admin, 1,
	                                      "Thông qua tờ trình ngân sách xã Tân Phú", 2,
	                                      T0 + 43 * MIN_MS, &error),
	                >, 0);
	g_assert_no_error(error);
	exec(f, "UPDATE meetings SET state = 'ended', ended_at = 1714964400000 WHERE id = 1");
}

static JsonObject *section(JsonNode *doc, const char *name, guint i)
{
	return json_array_get_object_element(
	    json_object_get_array_member(json_node_get_object(doc), name), i);
}

static void test_document(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) doc = NULL, again = NULL;
	g_autofree char *bytes = NULL, *bytes_again = NULL;
	JsonObject *root, *s, *att, *m, *v;

	fill_events(f);
	doc = minutes_document(f->st, 1, "Ủy ban nhân dân tỉnh Lâm Đồng", "Asia/Ho_Chi_Minh",
	                       T0 + 500 * MIN_MS, &error);
	g_assert_no_error(error);
	root = json_node_get_object(doc);
	g_assert_cmpstr(json_object_get_string_member(root, "format"), ==, "cau-minutes");
	g_assert_cmpstr(
	    json_object_get_string_member(json_object_get_object_member(root, "meeting"), "title"),
	    ==, "Họp giao ban UBND tỉnh Lâm Đồng tháng 5");
	/* speaking: most time first; overlaps of one endpoint counted once */
	s = section(doc, "speaking", 0);
	g_assert_cmpstr(
	    json_object_get_string_member(json_object_get_object_member(s, "endpoint"), "code"), ==,
	    "LD-01");
	g_assert_cmpint(json_object_get_int_member(s, "total_ms"), ==, 6 * MIN_MS);
	g_assert_cmpint(json_object_get_int_member(s, "turns"), ==, 2);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(s, "intervals")), ==,
	                 3);
	s = section(doc, "speaking", 1);
	g_assert_cmpint(json_object_get_int_member(s, "total_ms"), ==, 2 * MIN_MS);
	/* attendance: LD-01's open interval ends with the meeting */
	att = json_object_get_object_member(root, "attendance");
	g_assert_cmpint(
	    json_object_get_int_member(json_object_get_object_member(att, "summary"), "online"), ==,
	    2);
	g_assert_cmpint(
	    json_object_get_int_member(json_object_get_object_member(att, "summary"), "invited"),
	    ==, 5);
	g_assert_cmpstr(json_object_get_string_member(section(doc, "floor", 1), "event"), ==,
	                "granted");
	g_assert_cmpstr(json_object_get_string_member(section(doc, "chair_actions", 1), "action"),
	                ==, "layout");
	g_assert_cmpstr(json_object_get_string_member(section(doc, "decisions", 0), "by"), ==,
	                "admin");
	m = section(doc, "materials", 0);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(m, "versions")), ==, 2);
	g_assert_cmpint(
	    json_object_get_int_member(
	        json_array_get_object_element(json_object_get_array_member(m, "presented"), 0),
	        "version"),
	    ==, 2);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(root, "materials")), ==,
	                 1);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(root, "recordings")),
	                 ==, 0);
	v = section(doc, "votes", 0);
	g_assert_cmpint(
	    json_object_get_int_member(
	        json_array_get_object_element(json_object_get_array_member(v, "options"), 0),
	        "count"),
	    ==, 2);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(v, "choices")), ==, 2);

	/* the same meeting, later: the same bytes */
	bytes = canonical_json(doc, NULL, &error);
	g_assert_no_error(error);
	again = minutes_document(f->st, 1, "Ủy ban nhân dân tỉnh Lâm Đồng", "Asia/Ho_Chi_Minh",
	                         T0 + 900 * MIN_MS, &error);
	bytes_again = canonical_json(again, NULL, &error);
	g_assert_cmpstr(bytes, ==, bytes_again);
	g_assert_nonnull(strstr(bytes, "\"speaking\":[{\"endpoint\":{\"code\":\"LD-01\",\"id\":4,"
	                               "\"name\":\"Phòng họp UBND tỉnh, tầng 2\"},"));
	g_assert_null(minutes_document(f->st, 9, "", "UTC", 0, &error));
}

/* Makes every run of white space one space, in place. */
static void squeeze(char *text)
{
	g_strdelimit(text, "\n\r\t\f", ' ');
	for (char *p = text, *q = text;; p++) {
		if (*p == ' ' && q > text && q[-1] == ' ')
			continue;
		*q++ = *p;
		if (!*p)
			break;
	}
}

/* The text pdftotext reads from `pdf` (in content order with `raw`, else as laid out),
 * white space squeezed, or NULL without pdftotext. */
static char *pdf_text(struct fixture *f, GBytes *pdf, bool raw)
{
	g_autofree char *path = g_build_filename(f->dir, "minutes.pdf", NULL);
	g_autofree char *text_path = g_build_filename(f->dir, "minutes.txt", NULL);
	g_autofree char *cmd = g_strdup_printf("pdftotext %s -enc UTF-8 '%s' '%s'",
	                                       raw ? "-raw" : "", path, text_path);
	g_autofree char *pdftotext = g_find_program_in_path("pdftotext");
	char *text = NULL;

	g_assert_true(g_file_set_contents(path, g_bytes_get_data(pdf, NULL),
	                                  (gssize)g_bytes_get_size(pdf), NULL));
	if (g_getenv("CAU_TEST_PDF_OUT"))
		g_assert_true(g_file_set_contents(g_getenv("CAU_TEST_PDF_OUT"),
		                                  g_bytes_get_data(pdf, NULL),
		                                  (gssize)g_bytes_get_size(pdf), NULL));
	if (!pdftotext)
		return NULL;
	g_assert_cmpint(system(cmd), ==, 0);
	g_assert_true(g_file_get_contents(text_path, &text, NULL, NULL));
	squeeze(text);
	return text;
}

/* No word of the PDF written by pdf_text() lies between the bottom margin (64 pt) and
 * the footer (40 pt from the foot of the page): nothing ran off a page. */
static void assert_within_margins(struct fixture *f)
{
	g_autofree char *cmd =
	    g_strdup_printf("pdftotext -bbox '%s/minutes.pdf' '%s/bbox.html'", f->dir, f->dir);
	g_autofree char *path = g_build_filename(f->dir, "bbox.html", NULL);
	g_autofree char *html = NULL;
	g_autoptr(GRegex) word = g_regex_new("yMin=\"([0-9.]+)\"", 0, 0, NULL);
	g_autoptr(GMatchInfo) m = NULL;
	guint words = 0;

	g_assert_cmpint(system(cmd), ==, 0);
	g_assert_true(g_file_get_contents(path, &html, NULL, NULL));
	for (g_regex_match(word, html, 0, &m); g_match_info_matches(m);
	     g_match_info_next(m, NULL)) {
		g_autofree char *y = g_match_info_fetch(m, 1);
		double top = g_ascii_strtod(y, NULL);
		if (top > 841.89 - 64 && top < 841.89 - 44)
			g_error("a word at y = %s runs into the foot of a page", y);
		words++;
	}
	g_assert_cmpuint(words, >, 1000);
}

static void test_pdf(struct fixture *f, gconstpointer backend)
{
	static const char *const expected[] = {
	    "Ủy ban nhân dân tỉnh Lâm Đồng",
	    "BIÊN BẢN CUỘC HỌP",
	    "Họp giao ban UBND tỉnh Lâm Đồng tháng 5",
	    "Xã Tân Phú",
	    "Phường Bến Nghé",
	    "Phòng họp UBND tỉnh, tầng 2",
	    "Thông qua tờ trình ngân sách xã Tân Phú",
	    "Mất điện",
	    SHA_B,
	    "Trang 1/",
	    "06/05/2024 08:02:00 Xin phát biểu (requested) TP-01",
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) doc = NULL;
	g_autoptr(GBytes) pdf = NULL;
	g_autofree char *text = NULL, *laid_out = NULL;
	struct minutes_pdf_info info = {
	    1, T0 + 130 * MIN_MS,
	    "c0ffee0000000000000000000000000000000000000000000000000000000000",
	    "CN=Ủy ban nhân dân tỉnh Lâm Đồng,O=Ủy ban nhân dân tỉnh Lâm Đồng,C=VN"};

	fill_events(f);
	/* a decision of 4000 characters runs over a page break */
	g_autoptr(GString) long_text = g_string_new(NULL);
	while (g_utf8_strlen(long_text->str, -1) < 3930)
		g_string_append(long_text, "Giao Ủy ban nhân dân Xã Tân Phú hoàn thiện hồ sơ. ");
	g_string_append(long_text, "Hết kết luận.");
	g_assert_cmpint(
	    meeting_events_decide(f->st, &admin, 1, long_text->str, 0, T0 + 50 * MIN_MS, &error), >,
	    0);
	/* enough communes for the attendance table to run over a page */
	for (int i = 0; i < 60; i++) {
		g_autofree char *sql = g_strdup_printf(
		    "INSERT INTO endpoints (code, name, unit_id, kind, created_at) VALUES "
		    "('X-%02d', 'Phòng họp xã số %d', 3, 'browser', 0)",
		    i, i + 1);
		exec(f, sql);
	}
	doc = minutes_document(f->st, 1, "Ủy ban nhân dân tỉnh Lâm Đồng", "Asia/Ho_Chi_Minh", T0,
	                       &error);
	g_assert_no_error(error);
	pdf = minutes_pdf_render(json_node_get_object(doc), &info, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(g_bytes_get_data(pdf, NULL), "%PDF-"));
	text = pdf_text(f, pdf, true);
	laid_out = pdf_text(f, pdf, false);
	if (!text) {
		g_test_skip("pdftotext (poppler-utils) is not installed");
		return;
	}
	/* table cells wrap, and pdftotext reads cells side by side as one line unless told
	 * to follow the content's order, which splits right-aligned footers: either will do */
	for (size_t i = 0; i < G_N_ELEMENTS(expected); i++)
		if (!strstr(text, expected[i]) && !strstr(laid_out, expected[i]))
			g_error("the PDF's text lacks \"%s\" (test %zu)", expected[i], i);
	g_assert_nonnull(strstr(text, info.json_sha256));
	g_assert_null(strstr(laid_out, "Trang 1/1 ")); /* more than one page */
	assert_within_margins(f);
}

static void made(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;

	*(JsonNode **)user_data = minutes_generate_finish(result, &error);
	g_assert_no_error(error);
}

static void test_generate(struct fixture *f, gconstpointer backend)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *cert = g_build_filename(f->dir, "org.pem", NULL);
	g_autofree char *key = g_build_filename(f->dir, "org.key", NULL);
	g_autoptr(signer) org = NULL;
	struct clock *now = clock_new_fake(T0 + 130 * MIN_MS);
	struct minutes_config cfg = {f->dir, "", "Asia/Ho_Chi_Minh"};
	g_autoptr(minutes) mn = NULL;
	g_autoptr(JsonNode) v1 = NULL, v2 = NULL, list = NULL;
	JsonNode *v3 = NULL;
	g_autofree char *json1 = NULL, *json2 = NULL, *sig = NULL;
	gsize n1, n2, n_sig;
	struct minutes_file file;
	struct sign_verification check;

	g_assert_true(
	    signer_create_self_signed(cert, key, "Ủy ban nhân dân tỉnh Lâm Đồng", &error));
	org = signer_load(cert, key, &error);
	g_assert_no_error(error);
	mn = minutes_new(f->st, now, org, &cfg, &error);
	g_assert_no_error(error);
	fill_events(f);
	v1 = minutes_generate(mn, NULL, 1, &error);
	g_assert_no_error(error);
	clock_fake_advance(now, MIN_MS);
	v2 = minutes_generate(mn, &admin, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpint(json_object_get_int_member(json_node_get_object(v2), "version"), ==, 2);
	g_assert_cmpstr(json_object_get_string_member(json_node_get_object(v2), "created_by"), ==,
	                "admin");
	list = minutes_list(mn, 1, &error);
	g_assert_cmpuint(json_array_get_length(json_node_get_array(list)), ==, 2);

	/* both versions of the unchanged meeting: the same JSON bytes, each signed */
	g_assert_true(minutes_find_file(mn, 1, 1, MINUTES_FILE_JSON, &file, &error));
	g_assert_true(g_file_get_contents(file.path, &json1, &n1, NULL));
	g_assert_cmpstr(file.file_name, ==, "minutes-1-v1.json");
	g_assert_cmpint(file.size, ==, (gint64)n1);
	minutes_file_clear(&file);
	g_assert_true(minutes_find_file(mn, 1, 2, MINUTES_FILE_JSON, &file, &error));
	g_assert_true(g_file_get_contents(file.path, &json2, &n2, NULL));
	minutes_file_clear(&file);
	g_assert_cmpmem(json1, n1, json2, n2);
	g_assert_true(minutes_find_file(mn, 1, 2, MINUTES_FILE_JSON_P7S, &file, &error));
	g_assert_true(g_file_get_contents(file.path, &sig, &n_sig, NULL));
	minutes_file_clear(&file);
	g_assert_true(sign_verify(json2, n2, sig, n_sig, cert, &check, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(check.subject, ==, signer_subject(org));
	sign_verification_clear(&check);
	/* the organisation comes from the certificate when none is configured */
	g_assert_nonnull(strstr(json1, "\"organisation\":\"Ủy ban nhân dân tỉnh Lâm Đồng\""));

	g_assert_false(minutes_find_file(mn, 1, 3, MINUTES_FILE_PDF, &file, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* in a worker thread: one at a time per meeting, committed back on this thread */
	minutes_generate_async(mn, &admin, 1, made, &v3);
	g_assert_null(minutes_generate(mn, &admin, 1, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_assert_nonnull(strstr(error->message, "are being made"));
	g_clear_error(&error);
	while (!v3)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpint(json_object_get_int_member(json_node_get_object(v3), "version"), ==, 3);
	g_assert_true(minutes_find_file(mn, 1, 3, MINUTES_FILE_PDF, &file, &error));
	g_assert_true(g_file_test(file.path, G_FILE_TEST_EXISTS));
	minutes_file_clear(&file);
	json_node_unref(v3);
	g_assert_null(minutes_generate(mn, &admin, 2, &error));
	g_assert_error(error, CONTROL_ERROR, CONTROL_ERROR_CONFLICT);
	g_clear_pointer(&mn, minutes_free);
	clock_free(now);
}

static void test_file_names(void)
{
	gint v = 0;
	enum minutes_file_kind kind;

	g_assert_true(minutes_file_parse("3.json", &v, &kind));
	g_assert_cmpint(v, ==, 3);
	g_assert_cmpint(kind, ==, MINUTES_FILE_JSON);
	g_assert_true(minutes_file_parse("12.pdf.p7s", &v, &kind));
	g_assert_cmpint(kind, ==, MINUTES_FILE_PDF_P7S);
	g_assert_false(minutes_file_parse("0.pdf", &v, &kind));
	g_assert_false(minutes_file_parse("1.docx", &v, &kind));
	g_assert_false(minutes_file_parse("x.json", &v, &kind));
	g_assert_false(minutes_file_parse("1", &v, &kind));
	g_assert_false(minutes_file_parse("-1.json", &v, &kind));
}

int main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/minutes/canonical-json", test_canonical);
	g_test_add_func("/minutes/file-names", test_file_names);
#define ADD(name, fn)                                                                              \
	DB_FIXTURE_ADD("/minutes", name, DB_FIXTURE_BOTH, struct fixture, setup, fn, teardown)
	ADD("document", test_document);
	ADD("pdf", test_pdf);
	ADD("generate", test_generate);
	/* fontconfig's one-time leak is suppressed for LeakSanitizer by tests/lsan.supp;
	 * FcFini() at exit aborted at random while pango still held fonts. */
	rc = g_test_run();
	return rc;
}
