/* SPDX-License-Identifier: MIT */
/* ICE candidate attribute (RFC 8839 a=candidate) parsing, printing and copying. */

#include "proto/sdp_internal.h"

#include <stdarg.h>
#include <string.h>

#define FOUNDATION_MAX 32

static const char *const candidate_type_names[] = {
    [SDP_CANDIDATE_HOST] = "host",
    [SDP_CANDIDATE_SRFLX] = "srflx",
    [SDP_CANDIDATE_PRFLX] = "prflx",
    [SDP_CANDIDATE_RELAY] = "relay",
};

const char *sdp_candidate_type_to_string(enum sdp_candidate_type type)
{
	if ((unsigned)type >= G_N_ELEMENTS(candidate_type_names))
		return "";
	return candidate_type_names[type];
}

static bool fail(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);

static bool fail(GError **error, const char *format, ...)
{
	g_autofree char *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error_literal(error, SDP_ERROR, SDP_ERROR_INVALID, message);
	return false;
}

/* RFC 8839 foundation: 1*32 ice-char (ALPHA / DIGIT / "+" / "/"). */
static bool foundation_ok(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len <= FOUNDATION_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/") == len;
}

static bool parse_number(const char *token, const char *what, uint64_t max, uint64_t *out,
                         GError **error)
{
	if (!sdp_parse_uint(token, max, out))
		return fail(error, "%s \"%s\" is not a number up to %" G_GUINT64_FORMAT, what,
		            token, max);
	return true;
}

static bool parse_type(const char *token, enum sdp_candidate_type *out, GError **error)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(candidate_type_names); i++) {
		if (strcmp(token, candidate_type_names[i]) == 0) {
			*out = i;
			return true;
		}
	}
	return fail(error, "candidate type \"%s\" is not host, srflx, prflx or relay", token);
}

/* Parses the name/value pairs after "typ TYPE". */
static bool parse_pairs(char **tokens, struct sdp_candidate *c, GError **error)
{
	for (unsigned i = 0; tokens[i] != NULL; i += 2) {
		const char *name = tokens[i], *value = tokens[i + 1];
		uint64_t number;

		if (value == NULL)
			return fail(error, "\"%s\" has no value", name);
		if (strcmp(name, "raddr") == 0) {
			if (c->raddr != NULL)
				return fail(error, "raddr appears twice");
			c->raddr = g_strdup(value);
		} else if (strcmp(name, "rport") == 0) {
			if (c->has_rport)
				return fail(error, "rport appears twice");
			if (!parse_number(value, "rport", UINT16_MAX, &number, error))
				return false;
			c->rport = (uint16_t)number;
			c->has_rport = true;
		} else if (strcmp(name, "tcptype") == 0) {
			if (c->tcptype != NULL)
				return fail(error, "tcptype appears twice");
			if (strcmp(value, "active") != 0 && strcmp(value, "passive") != 0 &&
			    strcmp(value, "so") != 0)
				return fail(error, "tcptype \"%s\" is not active, passive or so",
				            value);
			c->tcptype = g_strdup(value);
		} else {
			sdp_candidate_add_extension(c, name, value);
		}
	}
	return true;
}

static bool parse_fields(char **tokens, struct sdp_candidate *c, GError **error)
{
	uint64_t number;

	if (g_strv_length(tokens) < 8)
		return fail(error, "expected at least 8 fields, got %u", g_strv_length(tokens));
	for (unsigned i = 0; tokens[i] != NULL; i++) {
		if (!sdp_is_token(tokens[i]))
			return fail(error, "field %u holds a non-ASCII character", i + 1);
	}
	if (!foundation_ok(tokens[0]))
		return fail(error, "foundation \"%s\" is not 1 to 32 letters, digits, + or /",
		            tokens[0]);
	c->foundation = g_strdup(tokens[0]);
	if (!parse_number(tokens[1], "component", 256, &number, error))
		return false;
	if (number == 0)
		return fail(error, "component 0 is not valid");
	c->component = (uint16_t)number;
	c->transport = g_ascii_strdown(tokens[2], -1);
	if (!parse_number(tokens[3], "priority", UINT32_MAX, &number, error))
		return false;
	c->priority = (uint32_t)number;
	c->address = g_strdup(tokens[4]);
	if (!parse_number(tokens[5], "port", UINT16_MAX, &number, error))
		return false;
	c->port = (uint16_t)number;
	if (strcmp(tokens[6], "typ") != 0)
		return fail(error, "expected \"typ\" as field 7, got \"%s\"", tokens[6]);
	if (!parse_type(tokens[7], &c->type, error))
		return false;
	return parse_pairs(tokens + 8, c, error);
}

bool sdp_candidate_parse_value(const char *value, struct sdp_candidate *out, GError **error)
{
	g_auto(GStrv) tokens = sdp_split_blank(value);

	memset(out, 0, sizeof(*out));
	if (!parse_fields(tokens, out, error)) {
		sdp_candidate_clear(out);
		return false;
	}
	return true;
}

bool sdp_candidate_parse(const char *attr_value, struct sdp_candidate *out, GError **error)
{
	const char *value = attr_value;

	g_return_val_if_fail(attr_value != NULL && out != NULL, false);
	if (g_str_has_prefix(value, "a="))
		value += 2;
	if (g_str_has_prefix(value, "candidate:"))
		value += strlen("candidate:");
	if (!sdp_candidate_parse_value(value, out, error)) {
		g_prefix_error(error, "candidate: ");
		return false;
	}
	return true;
}

char *sdp_candidate_to_string(const struct sdp_candidate *c)
{
	GString *out = g_string_new(NULL);

	g_string_append_printf(out, "candidate:%s %u %s %" G_GUINT32_FORMAT " %s %u typ %s",
	                       c->foundation, c->component, c->transport, c->priority, c->address,
	                       c->port, sdp_candidate_type_to_string(c->type));
	if (c->raddr != NULL)
		g_string_append_printf(out, " raddr %s", c->raddr);
	if (c->has_rport)
		g_string_append_printf(out, " rport %u", c->rport);
	if (c->tcptype != NULL)
		g_string_append_printf(out, " tcptype %s", c->tcptype);
	for (unsigned i = 0; c->extensions != NULL && i < c->extensions->len; i++) {
		const struct sdp_candidate_extension *ext = g_ptr_array_index(c->extensions, i);

		g_string_append_printf(out, " %s %s", ext->name, ext->value);
	}
	return g_string_free(out, FALSE);
}

static void extension_free(struct sdp_candidate_extension *ext)
{
	g_free(ext->name);
	g_free(ext->value);
	g_free(ext);
}

void sdp_candidate_add_extension(struct sdp_candidate *c, const char *name, const char *value)
{
	struct sdp_candidate_extension *ext = g_new0(struct sdp_candidate_extension, 1);

	if (c->extensions == NULL)
		c->extensions = g_ptr_array_new_with_free_func((GDestroyNotify)extension_free);
	ext->name = g_strdup(name);
	ext->value = g_strdup(value);
	g_ptr_array_add(c->extensions, ext);
}

void sdp_candidate_clear(struct sdp_candidate *c)
{
	g_free(c->foundation);
	g_free(c->transport);
	g_free(c->address);
	g_free(c->raddr);
	g_free(c->tcptype);
	if (c->extensions != NULL)
		g_ptr_array_unref(c->extensions);
	memset(c, 0, sizeof(*c));
}

void sdp_candidate_free(struct sdp_candidate *c)
{
	if (c == NULL)
		return;
	sdp_candidate_clear(c);
	g_free(c);
}

void sdp_candidate_copy(struct sdp_candidate *dst, const struct sdp_candidate *src)
{
	*dst = *src;
	dst->foundation = g_strdup(src->foundation);
	dst->transport = g_strdup(src->transport);
	dst->address = g_strdup(src->address);
	dst->raddr = g_strdup(src->raddr);
	dst->tcptype = g_strdup(src->tcptype);
	dst->extensions = NULL;
	for (unsigned i = 0; src->extensions != NULL && i < src->extensions->len; i++) {
		const struct sdp_candidate_extension *ext = g_ptr_array_index(src->extensions, i);

		sdp_candidate_add_extension(dst, ext->name, ext->value);
	}
}

static unsigned extension_count(const struct sdp_candidate *c)
{
	return c->extensions != NULL ? c->extensions->len : 0;
}

bool sdp_candidate_equal(const struct sdp_candidate *a, const struct sdp_candidate *b)
{
	if (g_strcmp0(a->foundation, b->foundation) != 0 || a->component != b->component ||
	    g_ascii_strcasecmp(a->transport ? a->transport : "",
	                       b->transport ? b->transport : "") != 0 ||
	    a->priority != b->priority || g_strcmp0(a->address, b->address) != 0 ||
	    a->port != b->port || a->type != b->type || g_strcmp0(a->raddr, b->raddr) != 0 ||
	    a->has_rport != b->has_rport || a->rport != b->rport ||
	    g_strcmp0(a->tcptype, b->tcptype) != 0 || extension_count(a) != extension_count(b))
		return false;
	for (unsigned i = 0; i < extension_count(a); i++) {
		const struct sdp_candidate_extension *x = g_ptr_array_index(a->extensions, i);
		const struct sdp_candidate_extension *y = g_ptr_array_index(b->extensions, i);

		if (strcmp(x->name, y->name) != 0 || strcmp(x->value, y->value) != 0)
			return false;
	}
	return true;
}
