/* SPDX-License-Identifier: MIT */
/* Unit tests of the CSV reader and writer: quoting, line ends, BOM, line numbers of
 * malformed records, limits and the write/read round trip. */
#include "control/csv.h"

#include <string.h>

static struct csv_table *parse(const char *text, const struct csv_options *options)
{
	g_autoptr(GError) error = NULL;
	struct csv_table *t = csv_parse(text, strlen(text), options, &error);

	g_assert_no_error(error);
	g_assert_nonnull(t);
	return t;
}

static struct csv_record *record(struct csv_table *t, guint i)
{
	g_assert_cmpuint(i, <, t->records->len);
	return g_ptr_array_index(t->records, i);
}

/* Asserts the record's line and fields ("a|b|c"). */
static void assert_record(struct csv_table *t, guint i, guint line, const char *joined)
{
	struct csv_record *r = record(t, i);
	g_autofree char *got = g_strjoinv("|", r->fields);

	g_assert_null(r->error);
	g_assert_cmpuint(r->line, ==, line);
	g_assert_cmpstr(got, ==, joined);
}

static void test_plain(void)
{
	g_autoptr(csv_table) t = parse("code,name,level\nLD,Tỉnh Lâm Đồng,tỉnh\n", NULL);

	g_assert_false(t->had_bom);
	g_assert_cmpuint(t->records->len, ==, 2);
	assert_record(t, 0, 1, "code|name|level");
	assert_record(t, 1, 2, "LD|Tỉnh Lâm Đồng|tỉnh");
	g_assert_cmpuint(record(t, 1)->n_fields, ==, 3);
}

static void test_line_ends_and_blank_lines(void)
{
	/* CRLF, LF and a lone CR; blank lines are skipped but still counted; no newline at
	 * the end. */
	g_autoptr(csv_table) t = parse("a,b\r\n\r\nc,d\n\ne,f\rg,h", NULL);

	g_assert_cmpuint(t->records->len, ==, 4);
	assert_record(t, 0, 1, "a|b");
	assert_record(t, 1, 3, "c|d");
	assert_record(t, 2, 5, "e|f");
	assert_record(t, 3, 6, "g|h");
}

static void test_quoted(void)
{
	g_autoptr(csv_table) t = parse("\"Xã Tân Phú, huyện Định Quán\",\"say \"\"hi\"\"\",\"\"\n"
	                               "\"two\r\nlines\",x\n"
	                               "after,\"three\nlines\nhere\"\n"
	                               "last,\n",
	                               NULL);

	g_assert_cmpuint(t->records->len, ==, 4);
	assert_record(t, 0, 1, "Xã Tân Phú, huyện Định Quán|say \"hi\"|");
	/* A line break inside quotes is read as \n, and lines keep being counted. */
	assert_record(t, 1, 2, "two\nlines|x");
	assert_record(t, 2, 4, "after|three\nlines\nhere");
	/* A trailing delimiter makes an empty last field. */
	assert_record(t, 3, 7, "last|");
}

static void test_bom(void)
{
	g_autoptr(csv_table) t = parse("\xEF\xBB\xBF"
	                               "code,name\r\nHN,Hà Nội\r\n",
	                               NULL);

	g_assert_true(t->had_bom);
	assert_record(t, 0, 1, "code|name");
	assert_record(t, 1, 2, "HN|Hà Nội");
}

static void test_malformed_records(void)
{
	/* Each malformed record is reported on its own line and the reader goes on. */
	g_autoptr(csv_table) t = parse("a,b\n"
	                               "ab\"c,d\n"
	                               "\"x\"y,z\n"
	                               "ok,1\n"
	                               "\"open,\nstill open\n",
	                               NULL);

	g_assert_cmpuint(t->records->len, ==, 5);
	assert_record(t, 0, 1, "a|b");
	g_assert_cmpuint(record(t, 1)->line, ==, 2);
	g_assert_nonnull(strstr(record(t, 1)->error, "field 1 holds a quote"));
	g_assert_cmpuint(record(t, 2)->line, ==, 3);
	g_assert_nonnull(strstr(record(t, 2)->error, "text after its closing quote"));
	assert_record(t, 3, 4, "ok|1");
	g_assert_cmpuint(record(t, 4)->line, ==, 5);
	g_assert_nonnull(strstr(record(t, 4)->error, "never closed"));
}

static void test_semicolon(void)
{
	struct csv_options options = {.delimiter = ';'};
	const char *text = "code;name;note\nLD;\"Lâm Đồng; cũ\";x,y\n";
	g_autoptr(csv_table) t = NULL;

	g_assert_cmpint(csv_sniff_delimiter(text, strlen(text)), ==, ';');
	g_assert_cmpint(csv_sniff_delimiter("a,b;c\n", 6), ==, ',');
	g_assert_cmpint(csv_sniff_delimiter("abc\nx;y", 7), ==, ',');
	t = parse(text, &options);
	assert_record(t, 0, 1, "code|name|note");
	assert_record(t, 1, 2, "LD|Lâm Đồng; cũ|x,y");
}

static void test_limits_and_encoding(void)
{
	struct csv_options options = {.max_bytes = 10, .max_records = 2};
	g_autoptr(GError) error = NULL;
	struct csv_table *t;

	t = csv_parse("a\nb\nc\nd\ne\nf\n", 12, &options, &error);
	g_assert_error(error, CSV_ERROR, CSV_ERROR_TOO_LARGE);
	g_assert_null(t);
	g_clear_error(&error);
	t = csv_parse("a\nb\nc\n", 6, &options, &error);
	g_assert_error(error, CSV_ERROR, CSV_ERROR_TOO_MANY_ROWS);
	g_assert_null(t);
	g_clear_error(&error);
	/* Windows-1258 "Đ" (0xD0) is not UTF-8: the message names the line. */
	t = csv_parse("a,b\nc,\xD0\x61\n", 8, NULL, &error);
	g_assert_error(error, CSV_ERROR, CSV_ERROR_ENCODING);
	g_assert_cmpstr(error->message, ==, "line 2 is not UTF-8 text");
	g_assert_null(t);
	g_clear_error(&error);
	t = csv_parse("a\r\nb\0c", 6, NULL, &error);
	g_assert_error(error, CSV_ERROR, CSV_ERROR_ENCODING);
	g_assert_cmpstr(error->message, ==, "line 2 holds a NUL byte");
	g_clear_error(&error);
	t = csv_parse("", 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(t->records->len, ==, 0);
	csv_table_free(t);
}

static void test_writer_round_trip(void)
{
	static const char *const values[] = {
	    "LD", "Tỉnh Lâm Đồng", "a,b", "say \"hi\"", "two\nlines", " padded ", "", "x;y",
	};
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(csv_table) t = NULL;

	for (char delimiter = ','; delimiter; delimiter = delimiter == ',' ? ';' : 0) {
		struct csv_options options = {.delimiter = delimiter};
		g_string_truncate(out, 0);
		for (guint i = 0; i < G_N_ELEMENTS(values); i++)
			csv_append_field(out, values[i], i == 0, delimiter);
		csv_end_record(out);
		/* A record of one empty field is written as "" so it is not an empty line. */
		csv_append_field(out, "", true, delimiter);
		csv_end_record(out);
		g_clear_pointer(&t, csv_table_free);
		t = parse(out->str, &options);
		g_assert_cmpuint(t->records->len, ==, 2);
		g_assert_cmpuint(record(t, 0)->n_fields, ==, G_N_ELEMENTS(values));
		for (guint i = 0; i < G_N_ELEMENTS(values); i++)
			g_assert_cmpstr(record(t, 0)->fields[i], ==, values[i]);
		assert_record(t, 1, 3, "");
	}
	g_string_truncate(out, 0);
	csv_append_field(out, "plain", true, ',');
	csv_append_field(out, "a,b", false, ',');
	csv_end_record(out);
	g_assert_cmpstr(out->str, ==, "plain,\"a,b\"\r\n");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/csv/plain", test_plain);
	g_test_add_func("/csv/line-ends", test_line_ends_and_blank_lines);
	g_test_add_func("/csv/quoted", test_quoted);
	g_test_add_func("/csv/bom", test_bom);
	g_test_add_func("/csv/malformed", test_malformed_records);
	g_test_add_func("/csv/semicolon", test_semicolon);
	g_test_add_func("/csv/limits", test_limits_and_encoding);
	g_test_add_func("/csv/round-trip", test_writer_round_trip);
	return g_test_run();
}
