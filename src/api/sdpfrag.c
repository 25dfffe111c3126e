/* SPDX-License-Identifier: MIT */
/* Parses application/trickle-ice-sdpfrag bodies (the PATCH of WHIP and WHEP). */
#define G_LOG_DOMAIN "cau-whip"
#include "sdpfrag.h"

#include "errors.h"

#include <string.h>

static void candidate_free(gpointer data)
{
	struct sdpfrag_candidate *c = data;

	g_free(c->mid);
	g_free(c->candidate);
	g_free(c);
}

void sdpfrag_clear(struct sdpfrag *frag)
{
	g_clear_pointer(&frag->ufrag, g_free);
	g_clear_pointer(&frag->pwd, g_free);
	g_clear_pointer(&frag->candidates, g_ptr_array_unref);
}

/* Takes one "x=value" line (no line end); false with error. */
static bool take_line(struct sdpfrag *out, char **mid, const char *line, guint n, GError **error)
{
	struct sdpfrag_candidate *c;
	const char *value;

	if (!g_ascii_isalpha(line[0]) || line[1] != '=') {
		g_set_error(error, API_ERROR, API_ERROR_BAD_SDP,
		            "line %u: expected a line of the form x=value", n);
		return false;
	}
	if (strcmp(line, "a=end-of-candidates") == 0) {
		value = NULL;
	} else if (g_str_has_prefix(line, "a=candidate:")) {
		value = line + 2;
	} else if (g_str_has_prefix(line, "a=mid:") || g_str_has_prefix(line, "a=ice-ufrag:") ||
	           g_str_has_prefix(line, "a=ice-pwd:")) {
		const char *v = strchr(line, ':') + 1;
		char **slot = line[2] == 'm' ? mid : line[6] == 'u' ? &out->ufrag : &out->pwd;

		if (!*v) {
			g_set_error(error, API_ERROR, API_ERROR_BAD_SDP, "line %u: empty value", n);
			return false;
		}
		g_free(*slot);
		*slot = g_strdup(v);
		return true;
	} else {
		return true; /* other attributes say nothing to trickle */
	}
	if (out->candidates->len >= SDPFRAG_MAX_CANDIDATES) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_SDP,
		            "line %u: more than %d candidates in one fragment", n,
		            SDPFRAG_MAX_CANDIDATES);
		return false;
	}
	c = g_new0(struct sdpfrag_candidate, 1);
	c->mid = g_strdup(*mid);
	c->candidate = g_strdup(value);
	g_ptr_array_add(out->candidates, c);
	return true;
}

bool sdpfrag_parse(const char *data, size_t len, struct sdpfrag *out, GError **error)
{
	g_autofree char *mid = NULL;
	char line[SDPFRAG_MAX_LINE + 1];
	size_t at = 0;
	guint n = 0;

	memset(out, 0, sizeof(*out));
	out->candidates = g_ptr_array_new_with_free_func(candidate_free);
	if (len && memchr(data, '\0', len)) {
		g_set_error(error, API_ERROR, API_ERROR_BAD_SDP, "the fragment holds a NUL byte");
		return false;
	}
	while (at < len) {
		const char *end = memchr(data + at, '\n', len - at);
		size_t line_len = (end ? (size_t)(end - data) : len) - at;
		size_t next = at + line_len + (end ? 1 : 0);

		n++;
		if (line_len && data[at + line_len - 1] == '\r')
			line_len--;
		if (line_len > SDPFRAG_MAX_LINE) {
			g_set_error(error, API_ERROR, API_ERROR_BAD_SDP,
			            "line %u: longer than %d characters", n, SDPFRAG_MAX_LINE);
			return false;
		}
		memcpy(line, data + at, line_len);
		line[line_len] = '\0';
		at = next;
		if (line_len && !take_line(out, &mid, line, n, error))
			return false;
	}
	return true;
}
