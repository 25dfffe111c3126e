/* SPDX-License-Identifier: MIT */
/* Unit tests of the WHIP/WHEP PATCH body parser (api/sdpfrag.c). */
#include "api/errors.h"
#include "api/sdpfrag.h"

#include <string.h>

static void test_candidates_by_mid(void)
{
	const char *text = "a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
	                   "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"
	                   "a=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host\r\n"
	                   "a=end-of-candidates\r\n\r\na=mid:1\n"
	                   "a=candidate:2 1 udp 2122260223 192.0.2.1 61766 typ host\n";
	struct sdpfrag frag;
	g_autoptr(GError) error = NULL;
	const struct sdpfrag_candidate *c;

	g_assert_true(sdpfrag_parse(text, strlen(text), &frag, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(frag.ufrag, ==, "EsAw");
	g_assert_cmpstr(frag.pwd, ==, "P2uYro0UCOQ4zxjKXaWCBui1");
	g_assert_cmpuint(frag.candidates->len, ==, 3);
	c = frag.candidates->pdata[0];
	g_assert_cmpstr(c->mid, ==, "0");
	g_assert_cmpstr(c->candidate, ==, "candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host");
	c = frag.candidates->pdata[1];
	g_assert_cmpstr(c->mid, ==, "0");
	g_assert_null(c->candidate); /* end of candidates */
	c = frag.candidates->pdata[2];
	g_assert_cmpstr(c->mid, ==, "1");
	g_assert_cmpstr(c->candidate, ==, "candidate:2 1 udp 2122260223 192.0.2.1 61766 typ host");
	sdpfrag_clear(&frag);
}

static void expect_error(const char *text, size_t len, const char *message)
{
	struct sdpfrag frag;
	g_autoptr(GError) error = NULL;

	g_assert_false(sdpfrag_parse(text, len, &frag, &error));
	g_assert_error(error, API_ERROR, API_ERROR_BAD_SDP);
	g_assert_cmpstr(error->message, ==, message);
	sdpfrag_clear(&frag);
}

static void test_errors_name_the_line(void)
{
	g_autoptr(GString) many = g_string_new("a=mid:0\r\n");
	g_autofree char *long_line = NULL;

	expect_error("a=mid:0\r\nbogus\r\n", 16, "line 2: expected a line of the form x=value");
	expect_error("a=mid:\r\n", 8, "line 1: empty value");
	expect_error("a=mid:0\0", 8, "the fragment holds a NUL byte");
	for (int i = 0; i <= SDPFRAG_MAX_CANDIDATES; i++)
		g_string_append(many, "a=candidate:1 1 udp 1 192.0.2.1 9 typ host\r\n");
	expect_error(many->str, many->len, "line 66: more than 64 candidates in one fragment");
	long_line = g_strnfill(SDPFRAG_MAX_LINE + 1, 'x');
	long_line[0] = 'a';
	long_line[1] = '=';
	expect_error(long_line, strlen(long_line), "line 1: longer than 1024 characters");
}

static void test_empty_is_no_candidates(void)
{
	struct sdpfrag frag;

	g_assert_true(sdpfrag_parse("", 0, &frag, NULL));
	g_assert_cmpuint(frag.candidates->len, ==, 0);
	g_assert_null(frag.ufrag);
	sdpfrag_clear(&frag);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sdpfrag/candidates-by-mid", test_candidates_by_mid);
	g_test_add_func("/sdpfrag/errors-name-the-line", test_errors_name_the_line);
	g_test_add_func("/sdpfrag/empty", test_empty_is_no_candidates);
	return g_test_run();
}
