/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the SDP parser, writer and the standalone candidate parser. */

#include "proto/sdp.h"

#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz-sdp: %s%s%s\n", what, detail != NULL ? ": " : "",
	        detail != NULL ? detail : "");
	__builtin_trap();
}

/* Whatever parses must write, parse again to an equal model, and write the same text. */
static void check_round_trip(const struct sdp_session *s)
{
	g_autofree char *text = sdp_write(s);
	g_autoptr(GError) error = NULL;
	g_autoptr(sdp_session) again = sdp_parse(text, strlen(text), &error);
	g_autofree char *text_again = NULL;

	if (again == NULL) {
		/* The writer may legitimately outgrow the parser's input cap ("\n" becoming
		 * "\r\n", session values repeated in every section); nothing else may fail. */
		if (g_error_matches(error, SDP_ERROR, SDP_ERROR_LIMIT) &&
		    strlen(text) > SDP_MAX_TEXT)
			return;
		die("written SDP does not parse", error->message);
	}
	if (!sdp_session_equal(s, again))
		die("written SDP parses to a different model", NULL);
	text_again = sdp_write(again);
	if (strcmp(text, text_again) != 0)
		die("writing is not stable", NULL);
}

static void check_candidate(const uint8_t *data, size_t size)
{
	g_autofree char *text = g_strndup((const char *)data, size);
	struct sdp_candidate c, again;
	g_autofree char *printed = NULL;

	if (!sdp_candidate_parse(text, &c, NULL))
		return;
	printed = sdp_candidate_to_string(&c);
	if (!sdp_candidate_parse(printed, &again, NULL))
		die("printed candidate does not parse", printed);
	if (!sdp_candidate_equal(&c, &again))
		die("printed candidate parses differently", printed);
	sdp_candidate_clear(&again);
	sdp_candidate_clear(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(sdp_session) s = sdp_parse((const char *)data, size, NULL);

	if (s != NULL)
		check_round_trip(s);
	if (size <= 4096)
		check_candidate(data, size);
	return 0;
}
