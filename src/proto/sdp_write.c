/* SPDX-License-Identifier: MIT */
/* SDP writer: turns a struct sdp_session into text with "\r\n" line ends. */

#include "proto/sdp_internal.h"

#include <stdarg.h>

static void line(GString *out, const char *format, ...) G_GNUC_PRINTF(2, 3);

/* Appends one formatted line and its "\r\n". */
static void line(GString *out, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	g_string_append_vprintf(out, format, args);
	va_end(args);
	g_string_append(out, "\r\n");
}

static void write_attribute(GString *out, const char *name, const char *value)
{
	if (value != NULL)
		line(out, "a=%s:%s", name, value);
	else
		line(out, "a=%s", name);
}

static void write_attributes(GString *out, const GPtrArray *attributes)
{
	for (unsigned i = 0; i < attributes->len; i++) {
		const struct sdp_attribute *a = g_ptr_array_index(attributes, i);

		write_attribute(out, a->name, a->value);
	}
}

static void write_bandwidths(GString *out, const GPtrArray *bandwidths)
{
	for (unsigned i = 0; i < bandwidths->len; i++)
		line(out, "b=%s", (const char *)g_ptr_array_index(bandwidths, i));
}

/* The transport attributes a session and a section share. */
static void write_transport(GString *out, const char *ufrag, const char *pwd, const char *options,
                            const struct sdp_fingerprint *fp, enum sdp_setup setup)
{
	if (ufrag != NULL)
		line(out, "a=ice-ufrag:%s", ufrag);
	if (pwd != NULL)
		line(out, "a=ice-pwd:%s", pwd);
	if (options != NULL)
		line(out, "a=ice-options:%s", options);
	if (fp->hash != NULL)
		line(out, "a=fingerprint:%s %s", fp->hash, fp->value);
	if (setup != SDP_SETUP_UNSET)
		line(out, "a=setup:%s", sdp_setup_to_string(setup));
}

static void write_session_part(GString *out, const struct sdp_session *s)
{
	const struct sdp_origin *o = &s->origin;

	line(out, "v=0");
	line(out, "o=%s %s %" G_GUINT64_FORMAT " %s %s %s", o->username, o->sess_id,
	     o->sess_version, o->nettype, o->addrtype, o->address);
	line(out, "s=%s", s->name != NULL ? s->name : "-");
	if (s->connection != NULL)
		line(out, "c=%s", s->connection);
	write_bandwidths(out, s->bandwidths);
	line(out, "t=%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, s->start_time, s->stop_time);
	for (unsigned i = 0; i < s->groups->len; i++) {
		const struct sdp_group *g = g_ptr_array_index(s->groups, i);

		g_string_append_printf(out, "a=group:%s", g->semantics);
		for (unsigned j = 0; j < g->mids->len; j++)
			g_string_append_printf(out, " %s", (const char *)g->mids->pdata[j]);
		g_string_append(out, "\r\n");
	}
	if (s->extmap_allow_mixed)
		line(out, "a=extmap-allow-mixed");
	if (s->msid_semantic != NULL)
		line(out, "a=msid-semantic:%s", s->msid_semantic);
	if (s->ice_lite)
		line(out, "a=ice-lite");
	write_transport(out, s->ice_ufrag, s->ice_pwd, s->ice_options, &s->fingerprint, s->setup);
	if (s->end_of_candidates)
		line(out, "a=end-of-candidates");
	write_attributes(out, s->attributes);
}

static void write_m_line(GString *out, const struct sdp_media *m)
{
	const char *kind =
	    m->kind == SDP_MEDIA_OTHER ? m->kind_name : sdp_media_kind_to_string(m->kind);

	g_string_append_printf(out, "m=%s %u", kind, m->port);
	if (m->port_count != 0)
		g_string_append_printf(out, "/%u", m->port_count);
	g_string_append_printf(out, " %s", m->proto);
	if (m->formats != NULL)
		g_string_append_printf(out, " %s", m->formats);
	for (unsigned i = 0; i < m->codecs->len; i++) {
		const struct sdp_codec *c = g_ptr_array_index(m->codecs, i);

		g_string_append_printf(out, " %u", c->pt);
	}
	g_string_append(out, "\r\n");
}

static void write_codecs(GString *out, const struct sdp_media *m)
{
	for (unsigned i = 0; i < m->codecs->len; i++) {
		const struct sdp_codec *c = g_ptr_array_index(m->codecs, i);

		if (c->name != NULL && c->channels != 0)
			line(out, "a=rtpmap:%u %s/%" G_GUINT32_FORMAT "/%u", c->pt, c->name,
			     c->clock_rate, c->channels);
		else if (c->name != NULL)
			line(out, "a=rtpmap:%u %s/%" G_GUINT32_FORMAT, c->pt, c->name,
			     c->clock_rate);
		if (c->fmtp != NULL)
			line(out, "a=fmtp:%u %s", c->pt, c->fmtp);
		for (unsigned j = 0; j < c->feedback->len; j++)
			line(out, "a=rtcp-fb:%u %s", c->pt,
			     (const char *)g_ptr_array_index(c->feedback, j));
	}
	for (unsigned i = 0; i < m->feedback_any->len; i++)
		line(out, "a=rtcp-fb:* %s", (const char *)g_ptr_array_index(m->feedback_any, i));
}

static void write_extmaps(GString *out, const struct sdp_media *m)
{
	for (unsigned i = 0; i < m->extmaps->len; i++) {
		const struct sdp_extmap *e = g_ptr_array_index(m->extmaps, i);

		g_string_append_printf(out, "a=extmap:%u", e->id);
		if (e->direction != SDP_DIRECTION_UNSET)
			g_string_append_printf(out, "/%s", sdp_direction_to_string(e->direction));
		g_string_append_printf(out, " %s", e->uri);
		if (e->attributes != NULL)
			g_string_append_printf(out, " %s", e->attributes);
		g_string_append(out, "\r\n");
	}
}

static void write_ssrcs(GString *out, const struct sdp_media *m)
{
	for (unsigned i = 0; i < m->ssrc_groups->len; i++) {
		const struct sdp_ssrc_group *g = g_ptr_array_index(m->ssrc_groups, i);

		g_string_append_printf(out, "a=ssrc-group:%s", g->semantics);
		for (unsigned j = 0; j < g->ssrcs->len; j++)
			g_string_append_printf(out, " %" G_GUINT32_FORMAT,
			                       g_array_index(g->ssrcs, uint32_t, j));
		g_string_append(out, "\r\n");
	}
	for (unsigned i = 0; i < m->ssrcs->len; i++) {
		const struct sdp_ssrc *s = g_ptr_array_index(m->ssrcs, i);

		g_string_append_printf(out, "a=ssrc:%" G_GUINT32_FORMAT " %s", s->ssrc,
		                       s->attribute);
		if (s->value != NULL)
			g_string_append_printf(out, ":%s", s->value);
		g_string_append(out, "\r\n");
	}
}

static void write_simulcast_list(GString *out, const char *direction, const GPtrArray *streams,
                                 bool *first)
{
	if (streams->len == 0)
		return;
	g_string_append_printf(out, "%s%s ", *first ? "" : " ", direction);
	*first = false;
	for (unsigned i = 0; i < streams->len; i++) {
		const struct sdp_simulcast_stream *stream = g_ptr_array_index(streams, i);

		if (i > 0)
			g_string_append_c(out, ';');
		for (unsigned j = 0; j < stream->alternatives->len; j++) {
			const struct sdp_simulcast_rid *rid =
			    g_ptr_array_index(stream->alternatives, j);

			g_string_append_printf(out, "%s%s%s", j > 0 ? "," : "",
			                       rid->paused ? "~" : "", rid->rid);
		}
	}
}

static void write_rids(GString *out, const struct sdp_media *m)
{
	for (unsigned i = 0; i < m->rids->len; i++) {
		const struct sdp_rid *r = g_ptr_array_index(m->rids, i);
		const char *direction = r->direction == SDP_RID_SEND ? "send" : "recv";

		if (r->params != NULL)
			line(out, "a=rid:%s %s %s", r->id, direction, r->params);
		else
			line(out, "a=rid:%s %s", r->id, direction);
	}
	if (m->simulcast != NULL) {
		bool first = true;

		g_string_append(out, "a=simulcast:");
		write_simulcast_list(out, "send", m->simulcast->send, &first);
		write_simulcast_list(out, "recv", m->simulcast->recv, &first);
		g_string_append(out, "\r\n");
	}
}

static void write_candidates(GString *out, const struct sdp_media *m)
{
	for (unsigned i = 0; i < m->candidates->len; i++) {
		g_autofree char *text =
		    sdp_candidate_to_string(g_ptr_array_index(m->candidates, i));

		line(out, "a=%s", text);
	}
	if (m->end_of_candidates)
		line(out, "a=end-of-candidates");
}

static void write_media(GString *out, const struct sdp_media *m)
{
	write_m_line(out, m);
	if (m->connection != NULL)
		line(out, "c=%s", m->connection);
	write_bandwidths(out, m->bandwidths);
	if (m->mid != NULL)
		line(out, "a=mid:%s", m->mid);
	write_transport(out, m->ice_ufrag, m->ice_pwd, m->ice_options, &m->fingerprint, m->setup);
	if (m->direction != SDP_DIRECTION_UNSET)
		line(out, "a=%s", sdp_direction_to_string(m->direction));
	for (unsigned i = 0; i < m->msids->len; i++) {
		const struct sdp_msid *msid = g_ptr_array_index(m->msids, i);

		if (msid->track_id != NULL)
			line(out, "a=msid:%s %s", msid->stream_id, msid->track_id);
		else
			line(out, "a=msid:%s", msid->stream_id);
	}
	if (m->rtcp_mux)
		line(out, "a=rtcp-mux");
	if (m->rtcp_rsize)
		line(out, "a=rtcp-rsize");
	if (m->extmap_allow_mixed)
		line(out, "a=extmap-allow-mixed");
	write_extmaps(out, m);
	write_codecs(out, m);
	write_ssrcs(out, m);
	write_rids(out, m);
	if (m->has_sctp_port)
		line(out, "a=sctp-port:%u", m->sctp_port);
	if (m->has_max_message_size)
		line(out, "a=max-message-size:%" G_GUINT64_FORMAT, m->max_message_size);
	write_attributes(out, m->attributes);
	write_candidates(out, m);
}

char *sdp_write(const struct sdp_session *s)
{
	GString *out = g_string_sized_new(4096);

	write_session_part(out, s);
	for (unsigned i = 0; i < s->media->len; i++)
		write_media(out, g_ptr_array_index(s->media, i));
	return g_string_free(out, FALSE);
}
