/* SPDX-License-Identifier: MIT */
/* SDP parser: splits the text into lines, parses the session and m= lines, and dispatches
 * a= lines to one handler per attribute (media attributes live in sdp_media.c). */

#include "proto/sdp_internal.h"

#include <stdarg.h>
#include <string.h>

GQuark sdp_error_quark(void)
{
	return g_quark_from_static_string("sdp-error-quark");
}

static bool fail_with(struct sdp_parser *p, int code, const char *format, va_list args)
    G_GNUC_PRINTF(3, 0);

static bool fail_with(struct sdp_parser *p, int code, const char *format, va_list args)
{
	g_autofree char *message = g_strdup_vprintf(format, args);

	if (p->attr != NULL)
		g_set_error(p->error, SDP_ERROR, code, "line %u: a=%s: %s", p->line, p->attr,
		            message);
	else
		g_set_error(p->error, SDP_ERROR, code, "line %u: %c=: %s", p->line, p->type,
		            message);
	return false;
}

bool sdp_fail(struct sdp_parser *p, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	fail_with(p, SDP_ERROR_INVALID, format, args);
	va_end(args);
	return false;
}

bool sdp_fail_limit(struct sdp_parser *p, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	fail_with(p, SDP_ERROR_LIMIT, format, args);
	va_end(args);
	return false;
}

bool sdp_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t value = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (value > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		value = value * 10 + (uint64_t)(*s - '0');
	}
	*out = value;
	return true;
}

char **sdp_split_blank(const char *s)
{
	GPtrArray *tokens = g_ptr_array_new();

	while (*s != '\0') {
		size_t len;

		s = sdp_skip_blank(s);
		len = strcspn(s, " \t");
		if (len > 0)
			g_ptr_array_add(tokens, g_strndup(s, len));
		s += len;
	}
	g_ptr_array_add(tokens, NULL);
	return (char **)g_ptr_array_free(tokens, FALSE);
}

bool sdp_is_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < 0x21 || *s > 0x7e)
			return false;
	}
	return true;
}

const char *sdp_skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* ---- session and media attributes ---- */

/* Fills a single-valued string slot, refusing a second occurrence. */
static bool set_once(struct sdp_parser *p, char **slot, const char *value)
{
	if (*slot != NULL)
		return sdp_fail(p, "appears twice");
	*slot = g_strdup(value);
	return true;
}

/* ice-ufrag and ice-pwd: one token, at most once per level. */
static bool set_ice_token(struct sdp_parser *p, const char *value, char **slot)
{
	if (!sdp_is_token(value) || strlen(value) > SDP_MAX_TOKEN_LENGTH)
		return sdp_fail(p, "\"%s\" is not a token of at most %d characters", value,
		                SDP_MAX_TOKEN_LENGTH);
	return set_once(p, slot, value);
}

static bool attr_ice_ufrag(struct sdp_parser *p, const char *value)
{
	return set_ice_token(p, value,
	                     p->media != NULL ? &p->media->ice_ufrag : &p->session->ice_ufrag);
}

static bool attr_ice_pwd(struct sdp_parser *p, const char *value)
{
	return set_ice_token(p, value,
	                     p->media != NULL ? &p->media->ice_pwd : &p->session->ice_pwd);
}

static bool attr_ice_options(struct sdp_parser *p, const char *value)
{
	char **slot = p->media != NULL ? &p->media->ice_options : &p->session->ice_options;

	value = sdp_skip_blank(value);
	if (*value == '\0')
		return sdp_fail(p, "no option given");
	return set_once(p, slot, value);
}

/* Checks "AB:CD:..." as in RFC 8122: hex pairs joined by colons. */
static bool fingerprint_value_ok(const char *value)
{
	uint8_t bytes[SDP_MAX_FINGERPRINT];

	return sdp_fingerprint_to_bytes(value, bytes, sizeof(bytes)) > 0;
}

static bool attr_fingerprint(struct sdp_parser *p, const char *value)
{
	struct sdp_fingerprint *fp =
	    p->media != NULL ? &p->media->fingerprint : &p->session->fingerprint;
	g_auto(GStrv) tokens = sdp_split_blank(value);

	if (g_strv_length(tokens) != 2)
		return sdp_fail(p, "expected a hash function and a fingerprint");
	if (!fingerprint_value_ok(tokens[1]))
		return sdp_fail(p, "\"%s\" is not colon-separated hex bytes (at most %d)",
		                tokens[1], SDP_MAX_FINGERPRINT);
	if (fp->hash != NULL) {
		/* RFC 8122 allows several; the first one is the one we use. */
		sdp_attribute_append(p->media != NULL ? p->media->attributes
		                                      : p->session->attributes,
		                     "fingerprint", value);
		return true;
	}
	sdp_fingerprint_set(fp, tokens[0], tokens[1]);
	return true;
}

static bool attr_setup(struct sdp_parser *p, const char *value)
{
	enum sdp_setup *slot = p->media != NULL ? &p->media->setup : &p->session->setup;

	if (*slot != SDP_SETUP_UNSET)
		return sdp_fail(p, "appears twice");
	for (int i = SDP_SETUP_ACTPASS; i <= SDP_SETUP_HOLDCONN; i++) {
		if (strcmp(value, sdp_setup_to_string(i)) == 0) {
			*slot = i;
			return true;
		}
	}
	return sdp_fail(p, "\"%s\" is not actpass, active, passive or holdconn", value);
}

static bool attr_extmap_allow_mixed(struct sdp_parser *p, const char *value)
{
	if (p->media != NULL)
		p->media->extmap_allow_mixed = true;
	else
		p->session->extmap_allow_mixed = true;
	return true;
}

static bool attr_end_of_candidates(struct sdp_parser *p, const char *value)
{
	if (p->media != NULL)
		p->media->end_of_candidates = true;
	else
		p->session->end_of_candidates = true;
	return true;
}

static bool attr_ice_lite(struct sdp_parser *p, const char *value)
{
	p->session->ice_lite = true;
	return true;
}

static bool attr_msid_semantic(struct sdp_parser *p, const char *value)
{
	value = sdp_skip_blank(value);
	if (*value == '\0')
		return sdp_fail(p, "no semantic given");
	return set_once(p, &p->session->msid_semantic, value);
}

static bool attr_group(struct sdp_parser *p, const char *value)
{
	g_auto(GStrv) tokens = sdp_split_blank(value);
	struct sdp_group *group;

	if (tokens[0] == NULL)
		return sdp_fail(p, "no semantics given");
	group = sdp_session_add_group(p->session, tokens[0]);
	for (unsigned i = 1; tokens[i] != NULL; i++)
		sdp_group_add_mid(group, tokens[i]);
	return true;
}

static bool attr_mid(struct sdp_parser *p, const char *value)
{
	if (!sdp_is_token(value) || strlen(value) > SDP_MAX_TOKEN_LENGTH)
		return sdp_fail(p, "\"%s\" is not a token of at most %d characters", value,
		                SDP_MAX_TOKEN_LENGTH);
	if (p->media->mid != NULL)
		return sdp_fail(p, "appears twice");
	if (sdp_session_find_media(p->session, value) != NULL)
		return sdp_fail(p, "mid \"%s\" is used by two sections", value);
	p->media->mid = g_strdup(value);
	return true;
}

static bool set_direction(struct sdp_parser *p, enum sdp_direction direction)
{
	if (p->media->direction != SDP_DIRECTION_UNSET)
		return sdp_fail(p, "the section already has a direction attribute");
	p->media->direction = direction;
	return true;
}

static bool attr_sendrecv(struct sdp_parser *p, const char *value)
{
	return set_direction(p, SDP_DIRECTION_SENDRECV);
}

static bool attr_sendonly(struct sdp_parser *p, const char *value)
{
	return set_direction(p, SDP_DIRECTION_SENDONLY);
}

static bool attr_recvonly(struct sdp_parser *p, const char *value)
{
	return set_direction(p, SDP_DIRECTION_RECVONLY);
}

static bool attr_inactive(struct sdp_parser *p, const char *value)
{
	return set_direction(p, SDP_DIRECTION_INACTIVE);
}

static bool attr_rtcp_mux(struct sdp_parser *p, const char *value)
{
	p->media->rtcp_mux = true;
	return true;
}

static bool attr_rtcp_rsize(struct sdp_parser *p, const char *value)
{
	p->media->rtcp_rsize = true;
	return true;
}

enum {
	AT_SESSION = 1 << 0,
	AT_MEDIA = 1 << 1,
	IS_FLAG = 1 << 2, /* takes no value */
};

struct attr_handler {
	const char *name;
	unsigned flags;
	bool (*parse)(struct sdp_parser *p, const char *value);
};

static const struct attr_handler attr_handlers[] = {
    {"group", AT_SESSION, attr_group},
    {"ice-lite", AT_SESSION | IS_FLAG, attr_ice_lite},
    {"msid-semantic", AT_SESSION, attr_msid_semantic},
    {"ice-ufrag", AT_SESSION | AT_MEDIA, attr_ice_ufrag},
    {"ice-pwd", AT_SESSION | AT_MEDIA, attr_ice_pwd},
    {"ice-options", AT_SESSION | AT_MEDIA, attr_ice_options},
    {"fingerprint", AT_SESSION | AT_MEDIA, attr_fingerprint},
    {"setup", AT_SESSION | AT_MEDIA, attr_setup},
    {"extmap-allow-mixed", AT_SESSION | AT_MEDIA | IS_FLAG, attr_extmap_allow_mixed},
    {"end-of-candidates", AT_SESSION | AT_MEDIA | IS_FLAG, attr_end_of_candidates},
    {"mid", AT_MEDIA, attr_mid},
    {"sendrecv", AT_MEDIA | IS_FLAG, attr_sendrecv},
    {"sendonly", AT_MEDIA | IS_FLAG, attr_sendonly},
    {"recvonly", AT_MEDIA | IS_FLAG, attr_recvonly},
    {"inactive", AT_MEDIA | IS_FLAG, attr_inactive},
    {"rtcp-mux", AT_MEDIA | IS_FLAG, attr_rtcp_mux},
    {"rtcp-rsize", AT_MEDIA | IS_FLAG, attr_rtcp_rsize},
    {"rtpmap", AT_MEDIA, sdp_attr_rtpmap},
    {"fmtp", AT_MEDIA, sdp_attr_fmtp},
    {"rtcp-fb", AT_MEDIA, sdp_attr_rtcp_fb},
    {"extmap", AT_MEDIA, sdp_attr_extmap},
    {"msid", AT_MEDIA, sdp_attr_msid},
    {"ssrc", AT_MEDIA, sdp_attr_ssrc},
    {"ssrc-group", AT_MEDIA, sdp_attr_ssrc_group},
    {"rid", AT_MEDIA, sdp_attr_rid},
    {"simulcast", AT_MEDIA, sdp_attr_simulcast},
    {"candidate", AT_MEDIA, sdp_attr_candidate},
    {"sctp-port", AT_MEDIA, sdp_attr_sctp_port},
    {"max-message-size", AT_MEDIA, sdp_attr_max_message_size},
};

static const struct attr_handler *find_handler(const char *name, unsigned level)
{
	for (size_t i = 0; i < G_N_ELEMENTS(attr_handlers); i++) {
		if ((attr_handlers[i].flags & level) && strcmp(attr_handlers[i].name, name) == 0)
			return &attr_handlers[i];
	}
	return NULL;
}

/* An attribute name is a token without ':' (RFC 8866 att-field). */
static bool attr_name_ok(const char *name)
{
	return sdp_is_token(name) && strchr(name, ':') == NULL;
}

static bool parse_attribute(struct sdp_parser *p, char *text)
{
	char *colon = strchr(text, ':');
	const char *value = NULL;
	const struct attr_handler *handler;
	bool ok;

	if (colon != NULL) {
		*colon = '\0';
		value = colon + 1;
	}
	if (!attr_name_ok(text))
		return sdp_fail(p, "\"%s\" is not a valid attribute name", text);
	handler = find_handler(text, p->media != NULL ? AT_MEDIA : AT_SESSION);
	if (handler == NULL) {
		sdp_attribute_append(
		    p->media != NULL ? p->media->attributes : p->session->attributes, text, value);
		return true;
	}
	p->attr = handler->name;
	if ((handler->flags & IS_FLAG) && value != NULL)
		ok = sdp_fail(p, "takes no value");
	else if (!(handler->flags & IS_FLAG) && value == NULL)
		ok = sdp_fail(p, "needs a value");
	else
		ok = handler->parse(p, value != NULL ? sdp_skip_blank(value) : NULL);
	p->attr = NULL;
	return ok;
}

/* ---- non-attribute lines ---- */

static bool parse_origin(struct sdp_parser *p, const char *value)
{
	struct sdp_origin *o = &p->session->origin;
	g_auto(GStrv) tokens = sdp_split_blank(value);

	if (p->seen_o)
		return sdp_fail(p, "appears twice");
	if (g_strv_length(tokens) != 6)
		return sdp_fail(p, "expected 6 fields, got %u", g_strv_length(tokens));
	if (strspn(tokens[1], "0123456789") != strlen(tokens[1]))
		return sdp_fail(p, "session id \"%s\" is not a number", tokens[1]);
	if (!sdp_parse_uint(tokens[2], UINT64_MAX, &o->sess_version))
		return sdp_fail(p, "session version \"%s\" is not a 64-bit number", tokens[2]);
	o->username = g_strdup(tokens[0]);
	o->sess_id = g_strdup(tokens[1]);
	o->nettype = g_strdup(tokens[3]);
	o->addrtype = g_strdup(tokens[4]);
	o->address = g_strdup(tokens[5]);
	p->seen_o = true;
	return true;
}

static bool parse_timing(struct sdp_parser *p, const char *value)
{
	g_auto(GStrv) tokens = sdp_split_blank(value);

	if (p->seen_t)
		return sdp_fail(p, "more than one t= line is not supported");
	if (g_strv_length(tokens) != 2 ||
	    !sdp_parse_uint(tokens[0], UINT64_MAX, &p->session->start_time) ||
	    !sdp_parse_uint(tokens[1], UINT64_MAX, &p->session->stop_time))
		return sdp_fail(p, "expected two numbers");
	p->seen_t = true;
	return true;
}

static bool parse_connection(struct sdp_parser *p, const char *value)
{
	char **slot = p->media != NULL ? &p->media->connection : &p->session->connection;
	g_auto(GStrv) tokens = sdp_split_blank(value);

	if (g_strv_length(tokens) != 3)
		return sdp_fail(p, "expected network type, address type and address");
	if (*slot != NULL)
		return sdp_fail(p, "appears twice");
	*slot = g_strjoinv(" ", tokens);
	return true;
}

static bool parse_bandwidth(struct sdp_parser *p, const char *value)
{
	const char *colon = strchr(value, ':');
	uint64_t number;
	g_autofree char *type = NULL;

	if (colon == NULL)
		return sdp_fail(p, "expected TYPE:NUMBER");
	type = g_strndup(value, (size_t)(colon - value));
	if (!sdp_is_token(type) || !sdp_parse_uint(colon + 1, UINT64_MAX, &number))
		return sdp_fail(p, "expected TYPE:NUMBER");
	g_ptr_array_add(p->media != NULL ? p->media->bandwidths : p->session->bandwidths,
	                g_strdup(value));
	return true;
}

static bool media_kind_from_token(const char *token, enum sdp_media_kind *kind)
{
	for (int i = SDP_MEDIA_AUDIO; i < SDP_MEDIA_OTHER; i++) {
		if (strcmp(token, sdp_media_kind_to_string(i)) == 0) {
			*kind = i;
			return true;
		}
	}
	*kind = SDP_MEDIA_OTHER;
	return false;
}

/* Parses "PORT" or "PORT/COUNT". */
static bool parse_media_port(struct sdp_parser *p, struct sdp_media *m, const char *token)
{
	g_auto(GStrv) parts = g_strsplit(token, "/", 3);
	uint64_t number;

	if (!sdp_parse_uint(parts[0], UINT16_MAX, &number))
		return sdp_fail(p, "port \"%s\" is not a number up to 65535", parts[0]);
	m->port = (uint16_t)number;
	if (parts[1] == NULL)
		return true;
	if (parts[2] != NULL || !sdp_parse_uint(parts[1], 65535, &number) || number == 0)
		return sdp_fail(p, "port count in \"%s\" is not a number from 1", token);
	m->port_count = (unsigned)number;
	return true;
}

static bool is_rtp_proto(const char *proto)
{
	return strstr(proto, "RTP/") != NULL;
}

static bool parse_payload_types(struct sdp_parser *p, struct sdp_media *m, char **formats)
{
	for (unsigned i = 0; formats[i] != NULL; i++) {
		uint64_t pt;

		if (i >= SDP_MAX_PAYLOADS)
			return sdp_fail_limit(p, "more than %d payload types", SDP_MAX_PAYLOADS);
		if (!sdp_parse_uint(formats[i], 127, &pt))
			return sdp_fail(p, "payload type \"%s\" is not a number up to 127",
			                formats[i]);
		if (sdp_media_find_codec_by_pt(m, (unsigned)pt) != NULL)
			return sdp_fail(p, "payload type %s is listed twice", formats[i]);
		g_ptr_array_add(m->codecs, sdp_codec_alloc((uint8_t)pt));
	}
	return true;
}

static bool parse_media(struct sdp_parser *p, const char *value)
{
	g_auto(GStrv) tokens = sdp_split_blank(value);
	struct sdp_media *m;
	enum sdp_media_kind kind;

	if (!p->seen_o || !p->seen_s || !p->seen_t)
		return sdp_fail(p, "m= line before the session's %s line",
		                !p->seen_o   ? "o="
		                : !p->seen_s ? "s="
		                             : "t=");
	if (p->session->media->len >= SDP_MAX_MEDIA)
		return sdp_fail_limit(p, "more than %d media sections", SDP_MAX_MEDIA);
	if (g_strv_length(tokens) < 4)
		return sdp_fail(p, "expected media, port, protocol and at least one format");
	if (!media_kind_from_token(tokens[0], &kind) && !attr_name_ok(tokens[0]))
		return sdp_fail(p, "\"%s\" is not a media type", tokens[0]);
	m = sdp_media_alloc(kind);
	g_ptr_array_add(p->session->media, m);
	p->media = m;
	if (kind == SDP_MEDIA_OTHER)
		m->kind_name = g_strdup(tokens[0]);
	if (!parse_media_port(p, m, tokens[1]))
		return false;
	m->proto = g_strdup(tokens[2]);
	if (is_rtp_proto(m->proto))
		return parse_payload_types(p, m, tokens + 3);
	m->formats = g_strjoinv(" ", tokens + 3);
	return true;
}

static bool parse_typed_line(struct sdp_parser *p, char *value)
{
	switch (p->type) {
	case 'v':
		return sdp_fail(p, "appears twice");
	case 'o':
		return parse_origin(p, value);
	case 's':
		if (p->seen_s)
			return sdp_fail(p, "appears twice");
		p->session->name = g_strdup(value);
		p->seen_s = true;
		return true;
	case 't':
		return parse_timing(p, value);
	case 'c':
		return parse_connection(p, value);
	case 'b':
		return parse_bandwidth(p, value);
	case 'm':
		return parse_media(p, value);
	case 'a':
		return parse_attribute(p, value);
	case 'i':
	case 'u':
	case 'e':
	case 'p':
	case 'z':
	case 'k':
	case 'r':
		return true;
	default:
		return sdp_fail(p, "unknown line type");
	}
}

/* Strips the line end and trailing blanks, then checks for control characters. */
static bool clean_line(struct sdp_parser *p, char *line, size_t *len)
{
	while (*len > 0 &&
	       (line[*len - 1] == '\r' || line[*len - 1] == ' ' || line[*len - 1] == '\t'))
		line[--*len] = '\0';
	for (size_t i = 0; i < *len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			g_set_error(p->error, SDP_ERROR, SDP_ERROR_INVALID,
			            "line %u: control character 0x%02x at column %zu", p->line, c,
			            i + 1);
			return false;
		}
	}
	return true;
}

static bool parse_line(struct sdp_parser *p, char *line, size_t len)
{
	if (!clean_line(p, line, &len))
		return false;
	if (len == 0)
		return true; /* tolerate blank lines, as most stacks do */
	if (len < 2 || line[1] != '=' || !g_ascii_islower(line[0])) {
		g_set_error(p->error, SDP_ERROR, SDP_ERROR_INVALID,
		            "line %u: expected a line of the form x=value", p->line);
		return false;
	}
	p->type = line[0];
	if (!p->seen_v) {
		if (strcmp(line, "v=0") != 0)
			return sdp_fail(p, "the description must start with v=0");
		p->seen_v = true;
		return true;
	}
	return parse_typed_line(p, line + 2);
}

/* Copies session-level transport attributes into sections that lack their own. */
static void inherit_session_values(struct sdp_session *s)
{
	for (unsigned i = 0; i < s->media->len; i++) {
		struct sdp_media *m = g_ptr_array_index(s->media, i);

		if (m->ice_ufrag == NULL)
			m->ice_ufrag = g_strdup(s->ice_ufrag);
		if (m->ice_pwd == NULL)
			m->ice_pwd = g_strdup(s->ice_pwd);
		if (m->ice_options == NULL)
			m->ice_options = g_strdup(s->ice_options);
		if (m->fingerprint.hash == NULL)
			sdp_fingerprint_set(&m->fingerprint, s->fingerprint.hash,
			                    s->fingerprint.value);
		if (m->setup == SDP_SETUP_UNSET)
			m->setup = s->setup;
	}
}

static bool check_complete(struct sdp_parser *p)
{
	const char *missing = !p->seen_v ? "v=" : !p->seen_o ? "o=" : !p->seen_s ? "s=" : "t=";

	if (p->seen_v && p->seen_o && p->seen_s && p->seen_t)
		return true;
	g_set_error(p->error, SDP_ERROR, SDP_ERROR_INVALID, "line %u: end of text: no %s line",
	            p->line + 1, missing);
	return false;
}

struct sdp_session *sdp_parse(const char *text, size_t len, GError **error)
{
	g_autoptr(sdp_session) session = NULL;
	g_autofree char *buf = NULL;
	struct sdp_parser p = {.error = error};
	size_t pos = 0;

	g_return_val_if_fail(text != NULL || len == 0, NULL);
	if (len > SDP_MAX_TEXT) {
		g_set_error(error, SDP_ERROR, SDP_ERROR_LIMIT,
		            "the description is %zu bytes, more than the %d allowed", len,
		            SDP_MAX_TEXT);
		return NULL;
	}
	session = sdp_session_alloc();
	p.session = session;
	buf = g_malloc(len + 1);
	if (len > 0)
		memcpy(buf, text, len);
	buf[len] = '\0';
	while (pos < len) {
		char *line = buf + pos;
		char *newline = memchr(line, '\n', len - pos);
		size_t line_len = newline != NULL ? (size_t)(newline - line) : len - pos;

		line[line_len] = '\0';
		p.line++;
		if (!parse_line(&p, line, line_len))
			return NULL;
		pos += line_len + 1;
	}
	if (!check_complete(&p))
		return NULL;
	inherit_session_values(session);
	return g_steal_pointer(&session);
}
