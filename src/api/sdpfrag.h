/* SPDX-License-Identifier: MIT */
/* The body of a WHIP/WHEP PATCH (application/trickle-ice-sdpfrag, RFC 8840): its ICE
 * credentials and its trickled candidates by media section. Pure; fuzzed. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define SDPFRAG_MAX_CANDIDATES 64
#define SDPFRAG_MAX_LINE       1024

/* One trickled candidate ("candidate:..." without "a="), or the end of a section's
 * candidates (candidate NULL). mid: the a=mid before it, or NULL. */
struct sdpfrag_candidate {
	char *mid;
	char *candidate;
};

struct sdpfrag {
	char *ufrag, *pwd;     /* a=ice-ufrag, a=ice-pwd, or NULL */
	GPtrArray *candidates; /* of struct sdpfrag_candidate, in order */
};

/*
 * Parses `len` bytes of a fragment into `out` (cleared by sdpfrag_clear() whatever the
 * result). Lines end in CRLF or LF; blank lines are skipped; every other line is
 * "x=value". Lines other than a=mid, a=ice-ufrag, a=ice-pwd, a=candidate and
 * a=end-of-candidates are ignored. False with API_ERROR_BAD_SDP naming the line ("line
 * 3: ...") for a NUL byte, a line over SDPFRAG_MAX_LINE, a line not "x=value", an empty
 * value or more than SDPFRAG_MAX_CANDIDATES candidates. Any thread.
 */
bool sdpfrag_parse(const char *data, size_t len, struct sdpfrag *out, GError **error);
void sdpfrag_clear(struct sdpfrag *frag);
