/* SPDX-License-Identifier: MIT */
/* SDP model: allocation, freeing, building by hand, lookups and small value helpers. */

#include "proto/sdp_internal.h"

#include <string.h>

/* ---- enum names ---- */

static const char *const direction_names[] = {
    [SDP_DIRECTION_UNSET] = "",
    [SDP_DIRECTION_SENDRECV] = "sendrecv",
    [SDP_DIRECTION_SENDONLY] = "sendonly",
    [SDP_DIRECTION_RECVONLY] = "recvonly",
    [SDP_DIRECTION_INACTIVE] = "inactive",
};

static const char *const setup_names[] = {
    [SDP_SETUP_UNSET] = "",
    [SDP_SETUP_ACTPASS] = "actpass",
    [SDP_SETUP_ACTIVE] = "active",
    [SDP_SETUP_PASSIVE] = "passive",
    [SDP_SETUP_HOLDCONN] = "holdconn",
};

static const char *const media_kind_names[] = {
    [SDP_MEDIA_AUDIO] = "audio",
    [SDP_MEDIA_VIDEO] = "video",
    [SDP_MEDIA_APPLICATION] = "application",
    [SDP_MEDIA_OTHER] = "",
};

const char *sdp_direction_to_string(enum sdp_direction direction)
{
	if ((unsigned)direction >= G_N_ELEMENTS(direction_names))
		return "";
	return direction_names[direction];
}

const char *sdp_setup_to_string(enum sdp_setup setup)
{
	if ((unsigned)setup >= G_N_ELEMENTS(setup_names))
		return "";
	return setup_names[setup];
}

const char *sdp_media_kind_to_string(enum sdp_media_kind kind)
{
	if ((unsigned)kind >= G_N_ELEMENTS(media_kind_names))
		return "";
	return media_kind_names[kind];
}

enum sdp_direction sdp_direction_reverse(enum sdp_direction direction)
{
	switch (direction) {
	case SDP_DIRECTION_SENDONLY:
		return SDP_DIRECTION_RECVONLY;
	case SDP_DIRECTION_RECVONLY:
		return SDP_DIRECTION_SENDONLY;
	default:
		return direction;
	}
}

/* ---- freeing ---- */

static void attribute_free(struct sdp_attribute *a)
{
	g_free(a->name);
	g_free(a->value);
	g_free(a);
}

static void group_free(struct sdp_group *g)
{
	g_free(g->semantics);
	g_ptr_array_unref(g->mids);
	g_free(g);
}

void sdp_codec_free(struct sdp_codec *c)
{
	if (c == NULL)
		return;
	g_free(c->name);
	g_free(c->fmtp);
	g_ptr_array_unref(c->feedback);
	g_free(c);
}

static void extmap_free(struct sdp_extmap *e)
{
	g_free(e->uri);
	g_free(e->attributes);
	g_free(e);
}

static void msid_free(struct sdp_msid *m)
{
	g_free(m->stream_id);
	g_free(m->track_id);
	g_free(m);
}

static void ssrc_free(struct sdp_ssrc *s)
{
	g_free(s->attribute);
	g_free(s->value);
	g_free(s);
}

static void ssrc_group_free(struct sdp_ssrc_group *g)
{
	g_free(g->semantics);
	g_array_unref(g->ssrcs);
	g_free(g);
}

static void rid_free(struct sdp_rid *r)
{
	g_free(r->id);
	g_free(r->params);
	g_free(r);
}

void sdp_simulcast_rid_free(struct sdp_simulcast_rid *rid)
{
	if (rid == NULL)
		return;
	g_free(rid->rid);
	g_free(rid);
}

void sdp_simulcast_stream_free(struct sdp_simulcast_stream *stream)
{
	if (stream == NULL)
		return;
	g_ptr_array_unref(stream->alternatives);
	g_free(stream);
}

void sdp_simulcast_free(struct sdp_simulcast *sc)
{
	if (sc == NULL)
		return;
	g_ptr_array_unref(sc->send);
	g_ptr_array_unref(sc->recv);
	g_free(sc);
}

static void fingerprint_clear(struct sdp_fingerprint *fp)
{
	g_clear_pointer(&fp->hash, g_free);
	g_clear_pointer(&fp->value, g_free);
}

void sdp_media_free(struct sdp_media *m)
{
	if (m == NULL)
		return;
	g_free(m->kind_name);
	g_free(m->proto);
	g_free(m->formats);
	g_free(m->connection);
	g_free(m->mid);
	g_free(m->ice_ufrag);
	g_free(m->ice_pwd);
	g_free(m->ice_options);
	fingerprint_clear(&m->fingerprint);
	g_ptr_array_unref(m->codecs);
	g_ptr_array_unref(m->bandwidths);
	g_ptr_array_unref(m->feedback_any);
	g_ptr_array_unref(m->extmaps);
	g_ptr_array_unref(m->msids);
	g_ptr_array_unref(m->ssrcs);
	g_ptr_array_unref(m->ssrc_groups);
	g_ptr_array_unref(m->rids);
	sdp_simulcast_free(m->simulcast);
	g_ptr_array_unref(m->candidates);
	g_ptr_array_unref(m->attributes);
	g_free(m);
}

void sdp_session_free(struct sdp_session *s)
{
	if (s == NULL)
		return;
	g_free(s->origin.username);
	g_free(s->origin.sess_id);
	g_free(s->origin.nettype);
	g_free(s->origin.addrtype);
	g_free(s->origin.address);
	g_free(s->name);
	g_free(s->connection);
	g_free(s->ice_ufrag);
	g_free(s->ice_pwd);
	g_free(s->ice_options);
	g_free(s->msid_semantic);
	fingerprint_clear(&s->fingerprint);
	g_ptr_array_unref(s->bandwidths);
	g_ptr_array_unref(s->groups);
	g_ptr_array_unref(s->attributes);
	g_ptr_array_unref(s->media);
	g_free(s);
}

/* ---- allocation ---- */

/* Every free function here takes its own struct pointer, hence the cast, as usual in GLib. */
#define list_new(free_func) g_ptr_array_new_with_free_func((GDestroyNotify)(free_func))

struct sdp_session *sdp_session_alloc(void)
{
	struct sdp_session *s = g_new0(struct sdp_session, 1);

	s->bandwidths = list_new(g_free);
	s->groups = list_new(group_free);
	s->attributes = list_new(attribute_free);
	s->media = list_new(sdp_media_free);
	return s;
}

struct sdp_media *sdp_media_alloc(enum sdp_media_kind kind)
{
	struct sdp_media *m = g_new0(struct sdp_media, 1);

	m->kind = kind;
	m->codecs = list_new(sdp_codec_free);
	m->bandwidths = list_new(g_free);
	m->feedback_any = list_new(g_free);
	m->extmaps = list_new(extmap_free);
	m->msids = list_new(msid_free);
	m->ssrcs = list_new(ssrc_free);
	m->ssrc_groups = list_new(ssrc_group_free);
	m->rids = list_new(rid_free);
	m->candidates = list_new(sdp_candidate_free);
	m->attributes = list_new(attribute_free);
	return m;
}

struct sdp_codec *sdp_codec_alloc(uint8_t pt)
{
	struct sdp_codec *c = g_new0(struct sdp_codec, 1);

	c->pt = pt;
	c->feedback = list_new(g_free);
	return c;
}

struct sdp_simulcast *sdp_simulcast_alloc(void)
{
	struct sdp_simulcast *sc = g_new0(struct sdp_simulcast, 1);

	sc->send = list_new(sdp_simulcast_stream_free);
	sc->recv = list_new(sdp_simulcast_stream_free);
	return sc;
}

struct sdp_simulcast_stream *sdp_simulcast_stream_alloc(void)
{
	struct sdp_simulcast_stream *stream = g_new0(struct sdp_simulcast_stream, 1);

	stream->alternatives = list_new(sdp_simulcast_rid_free);
	return stream;
}

/* ---- building ---- */

void sdp_set_string(char **field, const char *value)
{
	char *copy = g_strdup(value);

	g_free(*field);
	*field = copy;
}

void sdp_fingerprint_set(struct sdp_fingerprint *fp, const char *hash, const char *value)
{
	sdp_set_string(&fp->hash, hash);
	sdp_set_string(&fp->value, value);
}

void sdp_attribute_append(GPtrArray *list, const char *name, const char *value)
{
	struct sdp_attribute *a = g_new0(struct sdp_attribute, 1);

	a->name = g_strdup(name);
	a->value = g_strdup(value);
	g_ptr_array_add(list, a);
}

struct sdp_session *sdp_session_new(uint64_t sess_id, uint64_t sess_version)
{
	struct sdp_session *s = sdp_session_alloc();

	s->origin.username = g_strdup("-");
	s->origin.sess_id = g_strdup_printf("%" G_GUINT64_FORMAT, sess_id);
	s->origin.sess_version = sess_version;
	s->origin.nettype = g_strdup("IN");
	s->origin.addrtype = g_strdup("IP4");
	s->origin.address = g_strdup("0.0.0.0");
	s->name = g_strdup("-");
	return s;
}

struct sdp_media *sdp_session_add_media(struct sdp_session *s, enum sdp_media_kind kind,
                                        const char *mid)
{
	struct sdp_media *m;

	g_return_val_if_fail(kind != SDP_MEDIA_OTHER, NULL);
	m = sdp_media_alloc(kind);
	m->port = 9;
	m->connection = g_strdup("IN IP4 0.0.0.0");
	m->mid = g_strdup(mid);
	if (kind == SDP_MEDIA_APPLICATION) {
		m->proto = g_strdup("UDP/DTLS/SCTP");
		m->formats = g_strdup("webrtc-datachannel");
	} else {
		m->proto = g_strdup("UDP/TLS/RTP/SAVPF");
		m->rtcp_mux = true;
	}
	g_ptr_array_add(s->media, m);
	return m;
}

struct sdp_group *sdp_session_add_group(struct sdp_session *s, const char *semantics)
{
	struct sdp_group *g = g_new0(struct sdp_group, 1);

	g->semantics = g_strdup(semantics);
	g->mids = list_new(g_free);
	g_ptr_array_add(s->groups, g);
	return g;
}

void sdp_group_add_mid(struct sdp_group *g, const char *mid)
{
	g_ptr_array_add(g->mids, g_strdup(mid));
}

void sdp_session_add_attribute(struct sdp_session *s, const char *name, const char *value)
{
	sdp_attribute_append(s->attributes, name, value);
}

void sdp_media_add_attribute(struct sdp_media *m, const char *name, const char *value)
{
	sdp_attribute_append(m->attributes, name, value);
}

struct sdp_codec *sdp_media_add_codec(struct sdp_media *m, uint8_t pt, const char *name,
                                      uint32_t clock_rate, uint8_t channels, const char *fmtp)
{
	struct sdp_codec *c = sdp_codec_alloc(pt);

	c->name = g_strdup(name);
	c->clock_rate = clock_rate;
	c->channels = channels;
	c->fmtp = g_strdup(fmtp);
	g_ptr_array_add(m->codecs, c);
	return c;
}

struct sdp_codec *sdp_media_copy_codec(struct sdp_media *m, const struct sdp_codec *codec)
{
	struct sdp_codec *c = sdp_media_add_codec(m, codec->pt, codec->name, codec->clock_rate,
	                                          codec->channels, codec->fmtp);

	for (unsigned i = 0; i < codec->feedback->len; i++)
		sdp_codec_add_feedback(c, g_ptr_array_index(codec->feedback, i));
	return c;
}

void sdp_codec_add_feedback(struct sdp_codec *codec, const char *feedback)
{
	g_ptr_array_add(codec->feedback, g_strdup(feedback));
}

struct sdp_extmap *sdp_media_add_extmap(struct sdp_media *m, uint16_t id, const char *uri)
{
	struct sdp_extmap *e = g_new0(struct sdp_extmap, 1);

	e->id = id;
	e->uri = g_strdup(uri);
	g_ptr_array_add(m->extmaps, e);
	return e;
}

void sdp_media_add_msid(struct sdp_media *m, const char *stream_id, const char *track_id)
{
	struct sdp_msid *msid = g_new0(struct sdp_msid, 1);

	msid->stream_id = g_strdup(stream_id);
	msid->track_id = g_strdup(track_id);
	g_ptr_array_add(m->msids, msid);
}

void sdp_media_add_ssrc(struct sdp_media *m, uint32_t ssrc, const char *attribute,
                        const char *value)
{
	struct sdp_ssrc *s = g_new0(struct sdp_ssrc, 1);

	s->ssrc = ssrc;
	s->attribute = g_strdup(attribute);
	s->value = g_strdup(value);
	g_ptr_array_add(m->ssrcs, s);
}

struct sdp_ssrc_group *sdp_media_add_ssrc_group(struct sdp_media *m, const char *semantics,
                                                const uint32_t *ssrcs, unsigned count)
{
	struct sdp_ssrc_group *g = g_new0(struct sdp_ssrc_group, 1);

	g->semantics = g_strdup(semantics);
	g->ssrcs = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), count);
	g_array_append_vals(g->ssrcs, ssrcs, count);
	g_ptr_array_add(m->ssrc_groups, g);
	return g;
}

void sdp_media_add_rid(struct sdp_media *m, const char *id, enum sdp_rid_direction direction,
                       const char *params)
{
	struct sdp_rid *r = g_new0(struct sdp_rid, 1);

	r->id = g_strdup(id);
	r->direction = direction;
	r->params = g_strdup(params);
	g_ptr_array_add(m->rids, r);
}

void sdp_media_add_candidate(struct sdp_media *m, const struct sdp_candidate *candidate)
{
	struct sdp_candidate *c = g_new0(struct sdp_candidate, 1);

	sdp_candidate_copy(c, candidate);
	g_ptr_array_add(m->candidates, c);
}

/* ---- reading ---- */

struct sdp_media *sdp_session_find_media(const struct sdp_session *s, const char *mid)
{
	for (unsigned i = 0; mid != NULL && i < s->media->len; i++) {
		struct sdp_media *m = g_ptr_array_index(s->media, i);

		if (g_strcmp0(m->mid, mid) == 0)
			return m;
	}
	return NULL;
}

const struct sdp_group *sdp_session_find_group(const struct sdp_session *s, const char *semantics)
{
	for (unsigned i = 0; i < s->groups->len; i++) {
		const struct sdp_group *g = g_ptr_array_index(s->groups, i);

		if (g_ascii_strcasecmp(g->semantics, semantics) == 0)
			return g;
	}
	return NULL;
}

bool sdp_group_has_mid(const struct sdp_group *g, const char *mid)
{
	for (unsigned i = 0; i < g->mids->len; i++) {
		if (strcmp(g_ptr_array_index(g->mids, i), mid) == 0)
			return true;
	}
	return false;
}

static const struct sdp_attribute *find_attribute(const GPtrArray *list, const char *name)
{
	for (unsigned i = 0; i < list->len; i++) {
		const struct sdp_attribute *a = g_ptr_array_index(list, i);

		if (strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}

const struct sdp_attribute *sdp_session_find_attribute(const struct sdp_session *s,
                                                       const char *name)
{
	return find_attribute(s->attributes, name);
}

const struct sdp_attribute *sdp_media_find_attribute(const struct sdp_media *m, const char *name)
{
	return find_attribute(m->attributes, name);
}

const struct sdp_codec *sdp_media_find_codec(const struct sdp_media *m, const char *name,
                                             uint32_t clock_rate, uint8_t channels)
{
	for (unsigned i = 0; i < m->codecs->len; i++) {
		const struct sdp_codec *c = g_ptr_array_index(m->codecs, i);
		unsigned codec_channels = c->channels != 0 ? c->channels : 1;

		if (c->name == NULL || g_ascii_strcasecmp(c->name, name) != 0)
			continue;
		if ((clock_rate == 0 || c->clock_rate == clock_rate) &&
		    (channels == 0 || codec_channels == channels))
			return c;
	}
	return NULL;
}

const struct sdp_codec *sdp_media_find_codec_by_pt(const struct sdp_media *m, unsigned pt)
{
	for (unsigned i = 0; i < m->codecs->len; i++) {
		const struct sdp_codec *c = g_ptr_array_index(m->codecs, i);

		if (c->pt == pt)
			return c;
	}
	return NULL;
}

const struct sdp_codec *sdp_media_find_rtx(const struct sdp_media *m, uint8_t apt)
{
	for (unsigned i = 0; i < m->codecs->len; i++) {
		const struct sdp_codec *c = g_ptr_array_index(m->codecs, i);
		uint32_t value;

		if (c->name != NULL && g_ascii_strcasecmp(c->name, "rtx") == 0 &&
		    sdp_fmtp_get_uint(c->fmtp, "apt", &value) && value == apt)
			return c;
	}
	return NULL;
}

static bool list_has_string(const GPtrArray *list, const char *value)
{
	for (unsigned i = 0; i < list->len; i++) {
		if (g_ascii_strcasecmp(g_ptr_array_index(list, i), value) == 0)
			return true;
	}
	return false;
}

bool sdp_codec_has_feedback(const struct sdp_media *m, const struct sdp_codec *codec,
                            const char *feedback)
{
	return list_has_string(codec->feedback, feedback) ||
	       list_has_string(m->feedback_any, feedback);
}

const struct sdp_extmap *sdp_media_find_extmap(const struct sdp_media *m, const char *uri)
{
	for (unsigned i = 0; i < m->extmaps->len; i++) {
		const struct sdp_extmap *e = g_ptr_array_index(m->extmaps, i);

		if (strcmp(e->uri, uri) == 0)
			return e;
	}
	return NULL;
}

/* ---- value helpers ---- */

char *sdp_fmtp_get(const char *fmtp, const char *key)
{
	size_t key_len = strlen(key);

	while (fmtp != NULL && *fmtp != '\0') {
		size_t len;

		fmtp = sdp_skip_blank(fmtp);
		len = strcspn(fmtp, ";");
		if (len >= key_len && g_ascii_strncasecmp(fmtp, key, key_len) == 0) {
			const char *rest = fmtp + key_len;

			if (rest == fmtp + len)
				return g_strdup("");
			if (*rest == '=')
				return g_strndup(rest + 1, len - key_len - 1);
		}
		fmtp += len;
		if (*fmtp == ';')
			fmtp++;
	}
	return NULL;
}

bool sdp_fmtp_get_uint(const char *fmtp, const char *key, uint32_t *out)
{
	g_autofree char *value = sdp_fmtp_get(fmtp, key);
	uint64_t number;

	if (value == NULL || !sdp_parse_uint(value, UINT32_MAX, &number))
		return false;
	*out = (uint32_t)number;
	return true;
}

int sdp_fingerprint_to_bytes(const char *value, uint8_t *out, size_t out_size)
{
	size_t count = 0;

	for (const char *s = value;; s += 3) {
		int high = g_ascii_xdigit_value(s[0]);
		int low = high >= 0 ? g_ascii_xdigit_value(s[1]) : -1;

		if (low < 0 || count == out_size || (s[2] != ':' && s[2] != '\0'))
			return -1;
		out[count++] = (uint8_t)(high << 4 | low);
		if (s[2] == '\0')
			return (int)count;
	}
}
