/* SPDX-License-Identifier: MIT */
/* Unit tests of what the static file server decides from a path alone: which paths are
 * join links (served the participant client) and how paths are written to the log. */
#include "api/static_files.h"

#include <string.h>

/* A real token's shape: 78 characters of unpadded base64url. */
#define TOKEN "AQAAAAAAAAABAAAAAAAAAAIBAAABmqyJ-4Bx_a3Vd0wgqQ2Z3k9Yp7lB8cR1eT5uI0oP6sD4fG2hJ9"

static void test_join_link_shapes(void)
{
	g_autofree char *longest = g_strnfill(STATIC_JOIN_TOKEN_MAX, 'a');
	g_autofree char *too_long = g_strnfill(STATIC_JOIN_TOKEN_MAX + 1, 'a');
	g_autofree char *at_limit = g_strconcat("/join/", longest, NULL);
	g_autofree char *over_limit = g_strconcat("/join/", too_long, NULL);

	g_assert_cmpint(strlen(TOKEN), ==, 78);
	g_assert_true(static_files_is_join_link("/join/" TOKEN));
	g_assert_true(static_files_is_join_link("/join/a"));
	g_assert_true(static_files_is_join_link(at_limit));
	g_assert_false(static_files_is_join_link(over_limit));
	g_assert_false(static_files_is_join_link("/join/"));
	g_assert_false(static_files_is_join_link("/join"));
	g_assert_false(static_files_is_join_link("/joinx/" TOKEN));
	g_assert_false(static_files_is_join_link("/join/" TOKEN "/more"));
	g_assert_false(static_files_is_join_link("/join/join.css"));
	g_assert_false(static_files_is_join_link("/join/.."));
	g_assert_false(static_files_is_join_link("/join/a b"));
	g_assert_false(static_files_is_join_link("/join/a+b="));
	g_assert_false(static_files_is_join_link("/console/" TOKEN));
}

static void test_loggable_path_hides_tokens(void)
{
	g_autofree char *join = static_files_loggable_path("/join/" TOKEN);
	g_autofree char *odd = static_files_loggable_path("/join/not.a.token");
	g_autofree char *folder = static_files_loggable_path("/join/");
	g_autofree char *other = static_files_loggable_path("/console/js/main.js");

	g_assert_cmpstr(join, ==, "/join/[token]");
	g_assert_cmpstr(odd, ==, "/join/[token]");
	g_assert_cmpstr(folder, ==, "/join/");
	g_assert_cmpstr(other, ==, "/console/js/main.js");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/static-files/join-link-shapes", test_join_link_shapes);
	g_test_add_func("/static-files/loggable-path-hides-tokens",
	                test_loggable_path_hides_tokens);
	return g_test_run();
}
