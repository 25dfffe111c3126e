/* SPDX-License-Identifier: MIT */
/* SDP media-level attribute handlers: rtpmap, fmtp, rtcp-fb, extmap, msid, ssrc, rid,
 * simulcast, candidate and the SCTP attributes, one function per attribute. */

#include "proto/sdp_internal.h"

#include <string.h>

/* Splits value at its first run of blanks: *first gets a copy of the head, and the
 * returned pointer is the rest (past the blanks; "" when there is none). */
static const char *split_first(const char *value, char **first)
{
	size_t len = strcspn(value, " \t");

	*first = g_strndup(value, len);
	return sdp_skip_blank(value + len);
}

/* Finds the codec a payload-type token names, or fails. */
static bool codec_for_pt(struct sdp_parser *p, const char *token, struct sdp_codec **out)
{
	uint64_t pt;

	if (!sdp_parse_uint(token, UINT64_MAX, &pt))
		return sdp_fail(p, "payload type \"%s\" is not a number", token);
	for (unsigned i = 0; i < p->media->codecs->len; i++) {
		*out = g_ptr_array_index(p->media->codecs, i);
		if ((*out)->pt == pt)
			return true;
	}
	return sdp_fail(p, "payload type %s is not on the m= line", token);
}

bool sdp_attr_rtpmap(struct sdp_parser *p, const char *value)
{
	g_auto(GStrv) tokens = sdp_split_blank(value);
	g_auto(GStrv) parts = NULL;
	struct sdp_codec *codec = NULL;
	uint64_t clock_rate, channels = 0;

	if (g_strv_length(tokens) != 2)
		return sdp_fail(p, "expected PT NAME/CLOCK-RATE[/CHANNELS]");
	if (!codec_for_pt(p, tokens[0], &codec))
		return false;
	if (codec->name != NULL)
		return sdp_fail(p, "payload type %u has two a=rtpmap lines", codec->pt);
	parts = g_strsplit(tokens[1], "/", 4);
	if (g_strv_length(parts) < 2 || g_strv_length(parts) > 3 || *parts[0] == '\0')
		return sdp_fail(p, "\"%s\" is not NAME/CLOCK-RATE[/CHANNELS]", tokens[1]);
	if (!sdp_parse_uint(parts[1], UINT32_MAX, &clock_rate) || clock_rate == 0)
		return sdp_fail(p, "clock rate \"%s\" is not a positive 32-bit number", parts[1]);
	if (parts[2] != NULL && (!sdp_parse_uint(parts[2], 255, &channels) || channels == 0))
		return sdp_fail(p, "channel count \"%s\" is not a number from 1 to 255", parts[2]);
	codec->name = g_strdup(parts[0]);
	codec->clock_rate = (uint32_t)clock_rate;
	codec->channels = (uint8_t)channels;
	return true;
}

bool sdp_attr_fmtp(struct sdp_parser *p, const char *value)
{
	g_autofree char *pt = NULL;
	const char *params = split_first(value, &pt);
	struct sdp_codec *codec = NULL;

	if (!codec_for_pt(p, pt, &codec))
		return false;
	if (*params == '\0')
		return sdp_fail(p, "no parameters after the payload type");
	if (codec->fmtp != NULL)
		return sdp_fail(p, "payload type %u has two a=fmtp lines", codec->pt);
	codec->fmtp = g_strdup(params);
	return true;
}

bool sdp_attr_rtcp_fb(struct sdp_parser *p, const char *value)
{
	g_autofree char *pt = NULL;
	const char *feedback = split_first(value, &pt);
	struct sdp_codec *codec = NULL;

	if (*feedback == '\0')
		return sdp_fail(p, "no feedback type after the payload type");
	if (strcmp(pt, "*") == 0) {
		g_ptr_array_add(p->media->feedback_any, g_strdup(feedback));
		return true;
	}
	if (!codec_for_pt(p, pt, &codec))
		return false;
	sdp_codec_add_feedback(codec, feedback);
	return true;
}

static bool direction_from_token(const char *token, enum sdp_direction *out)
{
	for (int i = SDP_DIRECTION_SENDRECV; i <= SDP_DIRECTION_INACTIVE; i++) {
		if (strcmp(token, sdp_direction_to_string(i)) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

bool sdp_attr_extmap(struct sdp_parser *p, const char *value)
{
	g_auto(GStrv) tokens = sdp_split_blank(value);
	g_auto(GStrv) id_dir = NULL;
	enum sdp_direction direction = SDP_DIRECTION_UNSET;
	struct sdp_extmap *ext;
	uint64_t id;

	if (g_strv_length(tokens) < 2)
		return sdp_fail(p, "expected ID[/DIRECTION] URI [ATTRIBUTES]");
	id_dir = g_strsplit(tokens[0], "/", 3);
	if (!sdp_parse_uint(id_dir[0], 255, &id) || id == 0)
		return sdp_fail(p, "id \"%s\" is not a number from 1 to 255", id_dir[0]);
	if (id_dir[1] != NULL &&
	    (id_dir[2] != NULL || !direction_from_token(id_dir[1], &direction)))
		return sdp_fail(p, "\"%s\" is not ID/sendrecv, sendonly, recvonly or inactive",
		                tokens[0]);
	for (unsigned i = 0; i < p->media->extmaps->len; i++) {
		const struct sdp_extmap *other = g_ptr_array_index(p->media->extmaps, i);

		if (other->id == id)
			return sdp_fail(p, "id %u is used twice", (unsigned)id);
	}
	ext = sdp_media_add_extmap(p->media, (uint16_t)id, tokens[1]);
	ext->direction = direction;
	if (tokens[2] != NULL)
		ext->attributes = g_strjoinv(" ", tokens + 2);
	return true;
}

bool sdp_attr_msid(struct sdp_parser *p, const char *value)
{
	g_auto(GStrv) tokens = sdp_split_blank(value);
	unsigned count = g_strv_length(tokens);

	if (count < 1 || count > 2)
		return sdp_fail(p, "expected a stream id and an optional track id");
	sdp_media_add_msid(p->media, tokens[0], tokens[1]);
	return true;
}

bool sdp_attr_ssrc(struct sdp_parser *p, const char *value)
{
	g_autofree char *ssrc_text = NULL;
	g_autofree char *attribute = NULL;
	const char *rest = split_first(value, &ssrc_text);
	const char *colon;
	uint64_t ssrc;

	if (!sdp_parse_uint(ssrc_text, UINT32_MAX, &ssrc))
		return sdp_fail(p, "SSRC \"%s\" is not a 32-bit number", ssrc_text);
	if (*rest == '\0')
		return sdp_fail(p, "no attribute after the SSRC");
	colon = strchr(rest, ':');
	attribute = colon != NULL ? g_strndup(rest, (size_t)(colon - rest)) : g_strdup(rest);
	if (!sdp_is_token(attribute))
		return sdp_fail(p, "\"%s\" is not an attribute name", attribute);
	sdp_media_add_ssrc(p->media, (uint32_t)ssrc, attribute, colon != NULL ? colon + 1 : NULL);
	return true;
}

bool sdp_attr_ssrc_group(struct sdp_parser *p, const char *value)
{
	g_auto(GStrv) tokens = sdp_split_blank(value);
	uint32_t ssrcs[SDP_MAX_GROUP_SSRCS];
	unsigned count = 0;

	if (tokens[0] == NULL || tokens[1] == NULL)
		return sdp_fail(p, "expected semantics and at least one SSRC");
	for (unsigned i = 1; tokens[i] != NULL; i++) {
		uint64_t ssrc;

		if (count == SDP_MAX_GROUP_SSRCS)
			return sdp_fail_limit(p, "more than %d SSRCs", SDP_MAX_GROUP_SSRCS);
		if (!sdp_parse_uint(tokens[i], UINT32_MAX, &ssrc))
			return sdp_fail(p, "SSRC \"%s\" is not a 32-bit number", tokens[i]);
		ssrcs[count++] = (uint32_t)ssrc;
	}
	sdp_media_add_ssrc_group(p->media, tokens[0], ssrcs, count);
	return true;
}

/* RFC 8851 rid-id: 1*(ALPHA / DIGIT / "-" / "_"). */
static bool rid_id_ok(const char *id)
{
	size_t len = strlen(id);

	return len > 0 && len <= SDP_MAX_TOKEN_LENGTH &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
	           len;
}

bool sdp_attr_rid(struct sdp_parser *p, const char *value)
{
	g_auto(GStrv) tokens = sdp_split_blank(value);
	g_autofree char *params = NULL;
	enum sdp_rid_direction direction;

	if (tokens[0] == NULL || tokens[1] == NULL)
		return sdp_fail(p, "expected ID send|recv [PARAMS]");
	if (!rid_id_ok(tokens[0]))
		return sdp_fail(p, "\"%s\" is not a rid id (letters, digits, - and _)", tokens[0]);
	if (strcmp(tokens[1], "send") == 0)
		direction = SDP_RID_SEND;
	else if (strcmp(tokens[1], "recv") == 0)
		direction = SDP_RID_RECV;
	else
		return sdp_fail(p, "direction \"%s\" is not send or recv", tokens[1]);
	for (unsigned i = 0; i < p->media->rids->len; i++) {
		const struct sdp_rid *other = g_ptr_array_index(p->media->rids, i);

		if (strcmp(other->id, tokens[0]) == 0)
			return sdp_fail(p, "rid \"%s\" is declared twice", tokens[0]);
	}
	if (tokens[2] != NULL)
		params = g_strjoinv(" ", tokens + 2);
	sdp_media_add_rid(p->media, tokens[0], direction, params);
	return true;
}

/* Parses one direction's list: "a,~b;c" into streams of alternatives. */
static bool parse_simulcast_list(struct sdp_parser *p, const char *list, GPtrArray *streams)
{
	g_auto(GStrv) stream_texts = g_strsplit(list, ";", -1);

	for (unsigned i = 0; stream_texts[i] != NULL; i++) {
		g_auto(GStrv) alternatives = g_strsplit(stream_texts[i], ",", -1);
		struct sdp_simulcast_stream *stream;

		if (alternatives[0] == NULL) /* g_strsplit() gives no field for "" */
			return sdp_fail(p, "\"\" in \"%s\" is not a rid id", list);
		stream = sdp_simulcast_stream_alloc();
		g_ptr_array_add(streams, stream);
		for (unsigned j = 0; alternatives[j] != NULL; j++) {
			struct sdp_simulcast_rid *rid = g_new0(struct sdp_simulcast_rid, 1);
			const char *id = alternatives[j];

			g_ptr_array_add(stream->alternatives, rid);
			rid->paused = id[0] == '~';
			if (!rid_id_ok(id + rid->paused))
				return sdp_fail(p, "\"%s\" in \"%s\" is not a rid id", id, list);
			rid->rid = g_strdup(id + rid->paused);
		}
	}
	return true;
}

bool sdp_attr_simulcast(struct sdp_parser *p, const char *value)
{
	g_auto(GStrv) tokens = sdp_split_blank(value);
	unsigned count = g_strv_length(tokens);

	if (p->media->simulcast != NULL)
		return sdp_fail(p, "appears twice");
	if (count != 2 && count != 4)
		return sdp_fail(p, "expected send|recv LIST [send|recv LIST]");
	p->media->simulcast = sdp_simulcast_alloc();
	for (unsigned i = 0; i < count; i += 2) {
		GPtrArray *streams;

		if (strcmp(tokens[i], "send") == 0)
			streams = p->media->simulcast->send;
		else if (strcmp(tokens[i], "recv") == 0)
			streams = p->media->simulcast->recv;
		else
			return sdp_fail(p, "direction \"%s\" is not send or recv", tokens[i]);
		if (streams->len > 0)
			return sdp_fail(p, "direction %s is given twice", tokens[i]);
		if (!parse_simulcast_list(p, tokens[i + 1], streams))
			return false;
	}
	return true;
}

bool sdp_attr_candidate(struct sdp_parser *p, const char *value)
{
	g_autoptr(GError) local = NULL;
	struct sdp_candidate *c = g_new0(struct sdp_candidate, 1);

	if (!sdp_candidate_parse_value(value, c, &local)) {
		g_free(c);
		return sdp_fail(p, "%s", local->message);
	}
	g_ptr_array_add(p->media->candidates, c);
	return true;
}

bool sdp_attr_sctp_port(struct sdp_parser *p, const char *value)
{
	uint64_t port;

	if (p->media->has_sctp_port)
		return sdp_fail(p, "appears twice");
	if (!sdp_parse_uint(value, UINT16_MAX, &port))
		return sdp_fail(p, "\"%s\" is not a port number", value);
	p->media->sctp_port = (uint16_t)port;
	p->media->has_sctp_port = true;
	return true;
}

bool sdp_attr_max_message_size(struct sdp_parser *p, const char *value)
{
	if (p->media->has_max_message_size)
		return sdp_fail(p, "appears twice");
	if (!sdp_parse_uint(value, UINT64_MAX, &p->media->max_message_size))
		return sdp_fail(p, "\"%s\" is not a number", value);
	p->media->has_max_message_size = true;
	return true;
}
