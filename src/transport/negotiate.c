/* SPDX-License-Identifier: MIT */
/* Offer/answer: which sections, codecs, feedback and extensions the server accepts. */
#include "negotiate.h"

#include <string.h>

#define OFFER_AUDIO_PT  111
#define OFFER_VIDEO_PT  96
#define OFFER_RTX_PT    97
#define OFFER_EXT_MID   1
#define OFFER_EXT_LEVEL 2
#define OFFER_EXT_TWCC  3
/* usedtx=1 asks the sender for discontinuous transmission (RFC 7587): a participant who is
 * not talking sends a few comfort-noise packets a second instead of fifty. */
#define OPUS_FMTP       "minptime=10;useinbandfec=1;usedtx=1"

G_DEFINE_QUARK(cau - negotiate - error - quark, negotiate_error)

const char *track_kind_name(enum track_kind kind)
{
	return kind == TRACK_AUDIO ? "audio" : "video";
}

void remote_transport_clear(struct remote_transport *rt)
{
	g_free(rt->ice_ufrag);
	g_free(rt->ice_pwd);
	g_free(rt->fingerprint_alg);
	g_free(rt->fingerprint);
	if (rt->candidates)
		g_ptr_array_unref(rt->candidates);
	memset(rt, 0, sizeof(*rt));
}

void negotiation_clear(struct negotiation *n)
{
	g_clear_pointer(&n->sdp, sdp_session_free);
	memset(n, 0, sizeof(*n));
}

/* ---- error messages that name the line ---- */

/* Line numbers (1-based) of the m= lines of text, in order. */
static GArray *media_lines(const char *text, size_t len)
{
	GArray *lines = g_array_new(FALSE, FALSE, sizeof(unsigned));
	unsigned line = 1;

	for (size_t i = 0; i < len; i++) {
		if ((i == 0 || text[i - 1] == '\n') && i + 1 < len && text[i] == 'm' &&
		    text[i + 1] == '=')
			g_array_append_val(lines, line);
		if (text[i] == '\n')
			line++;
	}
	return lines;
}

/* Where problems are reported: the text's m= line numbers and the section being read. */
struct where {
	GArray *lines;
	unsigned index;
	const struct sdp_media *m;
};

static void fail_section(const struct where *w, GError **error, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

static void fail_section(const struct where *w, GError **error, const char *format, ...)
{
	g_autofree char *why = NULL;
	const char *kind =
	    w->m->kind == SDP_MEDIA_OTHER ? w->m->kind_name : sdp_media_kind_to_string(w->m->kind);
	unsigned line = w->index < w->lines->len ? g_array_index(w->lines, unsigned, w->index) : 0;
	va_list ap;

	va_start(ap, format);
	why = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_set_error(error, NEGOTIATE_ERROR, NEGOTIATE_ERROR_UNSUPPORTED,
	            "line %u (m=%s, mid %s): %s", line, kind, w->m->mid ? w->m->mid : "none", why);
}

/* ---- reading a remote description ---- */

static bool is_bundled(const struct sdp_media *m)
{
	return m->port != 0 || sdp_media_find_attribute(m, "bundle-only") != NULL;
}

static const struct sdp_codec *supported_codec(const struct sdp_media *m)
{
	if (m->kind == SDP_MEDIA_AUDIO)
		return sdp_media_find_codec(m, "opus", 48000, 2);
	if (m->kind == SDP_MEDIA_VIDEO)
		return sdp_media_find_codec(m, "VP8", 90000, 0);
	return NULL;
}

/* Remote SSRCs of a section: the FID pair if any, else the first a=ssrc. */
static void remote_ssrcs(const struct sdp_media *m, struct peer_track *t)
{
	for (unsigned i = 0; i < m->ssrc_groups->len; i++) {
		const struct sdp_ssrc_group *g = g_ptr_array_index(m->ssrc_groups, i);

		if (g_ascii_strcasecmp(g->semantics, "FID") == 0 && g->ssrcs->len >= 2) {
			t->remote_ssrc = g_array_index(g->ssrcs, uint32_t, 0);
			t->remote_rtx_ssrc = g_array_index(g->ssrcs, uint32_t, 1);
			return;
		}
	}
	if (m->ssrcs->len) {
		const struct sdp_ssrc *s = g_ptr_array_index(m->ssrcs, 0);
		t->remote_ssrc = s->ssrc;
	}
}

static bool known_fingerprint_alg(const char *alg)
{
	static const char *const algs[] = {"sha-1", "sha-224", "sha-256", "sha-384", "sha-512"};

	for (size_t i = 0; i < G_N_ELEMENTS(algs); i++) {
		if (g_ascii_strcasecmp(alg, algs[i]) == 0)
			return true;
	}
	return false;
}

/* Reads ICE and DTLS parameters from the BUNDLE-tagged section m and candidates from
 * every bundled section. */
static bool read_transport(const struct sdp_session *s, const struct where *w,
                           struct remote_transport *rt, GError **error)
{
	const struct sdp_media *m = w->m;

	if (!m->ice_ufrag || !m->ice_pwd) {
		fail_section(w, error, "no a=ice-ufrag/a=ice-pwd: ICE credentials are required");
		return false;
	}
	if (!m->fingerprint.hash) {
		fail_section(w, error,
		             "no a=fingerprint: DTLS-SRTP needs the certificate's "
		             "fingerprint");
		return false;
	}
	if (!known_fingerprint_alg(m->fingerprint.hash)) {
		fail_section(w, error,
		             "a=fingerprint hash \"%s\" is not one of sha-1, sha-224, "
		             "sha-256, sha-384, sha-512",
		             m->fingerprint.hash);
		return false;
	}
	if (m->setup == SDP_SETUP_HOLDCONN) {
		fail_section(w, error, "a=setup:holdconn: the DTLS connection must be set up now");
		return false;
	}
	rt->ice_ufrag = g_strdup(m->ice_ufrag);
	rt->ice_pwd = g_strdup(m->ice_pwd);
	rt->fingerprint_alg = g_ascii_strdown(m->fingerprint.hash, -1);
	rt->fingerprint = g_strdup(m->fingerprint.value);
	rt->setup = m->setup == SDP_SETUP_UNSET ? SDP_SETUP_ACTIVE : m->setup;
	rt->trickle = (m->ice_options && strstr(m->ice_options, "trickle")) ||
	              (s->ice_options && strstr(s->ice_options, "trickle"));
	rt->end_of_candidates = m->end_of_candidates || s->end_of_candidates;
	rt->ice_lite = s->ice_lite;
	rt->candidates = g_ptr_array_new_with_free_func(g_free);
	for (unsigned i = 0; i < s->media->len; i++) {
		const struct sdp_media *other = g_ptr_array_index(s->media, i);

		if (!is_bundled(other) || g_strcmp0(other->ice_ufrag, m->ice_ufrag) != 0)
			continue;
		for (unsigned c = 0; c < other->candidates->len; c++) {
			char *line =
			    sdp_candidate_to_string(g_ptr_array_index(other->candidates, c));
			bool seen = false;

			for (unsigned k = 0; k < rt->candidates->len && !seen; k++)
				seen = strcmp(g_ptr_array_index(rt->candidates, k), line) == 0;
			if (seen)
				g_free(line);
			else
				g_ptr_array_add(rt->candidates, line);
		}
		rt->end_of_candidates = rt->end_of_candidates || other->end_of_candidates;
	}
	return true;
}

/* Checks what every accepted RTP section needs, whatever side offered. */
static bool check_section(const struct where *w, const struct sdp_group *bundle,
                          unsigned media_count, GError **error)
{
	const struct sdp_media *m = w->m;

	if (!m->mid) {
		fail_section(w, error, "no a=mid: every section needs one (unified plan)");
		return false;
	}
	if (strlen(m->mid) > TRACK_MAX_MID) {
		fail_section(w, error, "a=mid is longer than %d characters", TRACK_MAX_MID);
		return false;
	}
	if (strcmp(m->proto, "UDP/TLS/RTP/SAVPF") != 0) {
		fail_section(w, error,
		             "protocol %s: only UDP/TLS/RTP/SAVPF (DTLS-SRTP with "
		             "feedback) is supported",
		             m->proto);
		return false;
	}
	if (!m->rtcp_mux) {
		fail_section(w, error,
		             "no a=rtcp-mux: RTP and RTCP must share one port "
		             "(RFC 5761)");
		return false;
	}
	if (media_count > 1 && (!bundle || !sdp_group_has_mid(bundle, m->mid))) {
		fail_section(w, error,
		             "not in an a=group:BUNDLE: every section must share one "
		             "transport (RFC 9143)");
		return false;
	}
	return true;
}

/* Fills t's extension map from m's a=extmap lines of the kinds this server uses. */
static void read_extensions(const struct sdp_media *m, struct peer_track *t)
{
	rtp_ext_map_init(&t->ext);
	t->ext_mid = t->ext_audio_level = t->ext_twcc = 0;
	for (unsigned i = 0; i < m->extmaps->len; i++) {
		const struct sdp_extmap *e = g_ptr_array_index(m->extmaps, i);
		enum rtp_ext_kind kind = rtp_ext_kind_from_uri(e->uri);

		if (e->id == 0 || e->id > 255)
			continue;
		if (kind == RTP_EXT_MID)
			t->ext_mid = (uint8_t)e->id;
		else if (kind == RTP_EXT_AUDIO_LEVEL && t->kind == TRACK_AUDIO)
			t->ext_audio_level = (uint8_t)e->id;
		else if (kind == RTP_EXT_TWCC)
			t->ext_twcc = (uint8_t)e->id;
		else
			continue;
		rtp_ext_map_set(&t->ext, e->id, kind);
	}
}

static void direction_flags(enum sdp_direction ours, struct peer_track *t)
{
	t->send = ours == SDP_DIRECTION_SENDRECV || ours == SDP_DIRECTION_SENDONLY ||
	          ours == SDP_DIRECTION_UNSET;
	t->receive = ours == SDP_DIRECTION_SENDRECV || ours == SDP_DIRECTION_RECVONLY ||
	             ours == SDP_DIRECTION_UNSET;
}

static enum sdp_direction direction_of(const struct peer_track *t)
{
	if (t->send && t->receive)
		return SDP_DIRECTION_SENDRECV;
	if (t->send)
		return SDP_DIRECTION_SENDONLY;
	if (t->receive)
		return SDP_DIRECTION_RECVONLY;
	return SDP_DIRECTION_INACTIVE;
}

static void copy_codec(struct track_codec *out, const struct sdp_codec *c)
{
	out->pt = c->pt;
	g_strlcpy(out->name, c->name ? c->name : "", sizeof(out->name));
	out->clock_rate = c->clock_rate;
	out->channels = c->channels;
	g_strlcpy(out->fmtp, c->fmtp ? c->fmtp : "", sizeof(out->fmtp));
}

/* The remote side's Opus fmtp asks this side to send with DTX. */
static bool remote_asks_dtx(enum track_kind kind, const struct sdp_codec *c)
{
	uint32_t v = 0;

	return kind == TRACK_AUDIO && c->fmtp && sdp_fmtp_get_uint(c->fmtp, "usedtx", &v) && v == 1;
}

/* ---- writing this side's sections ---- */

static bool ssrc_used(const struct peer_track *t, uint32_t ssrc)
{
	return ssrc == t->local_ssrc || ssrc == t->local_rtx_ssrc || ssrc == t->remote_ssrc ||
	       ssrc == t->remote_rtx_ssrc;
}

/* A random SSRC used by no track of n and not by t (which may not be counted in n yet). */
static uint32_t fresh_ssrc(negotiate_random_fn rnd, void *data, const struct negotiation *n,
                           const struct peer_track *t)
{
	for (;;) {
		uint32_t ssrc = rnd(data);
		bool taken = ssrc == 0 || ssrc_used(t, ssrc);

		for (unsigned i = 0; i < n->track_count && !taken; i++)
			taken = ssrc_used(&n->tracks[i], ssrc);
		if (!taken)
			return ssrc;
	}
}

static void pick_ssrcs(struct peer_track *t, negotiate_random_fn rnd, void *data,
                       const struct negotiation *n)
{
	t->local_ssrc = t->local_rtx_ssrc = 0;
	t->local_ssrc = fresh_ssrc(rnd, data, n, t);
	if (t->codec.has_rtx)
		t->local_rtx_ssrc = fresh_ssrc(rnd, data, n, t);
}

/* Writes the codec, feedback, extensions and SSRCs of t into section am. */
static void write_track(const struct negotiation *n, const struct peer_track *t,
                        struct sdp_media *am)
{
	struct sdp_codec *c =
	    sdp_media_add_codec(am, t->codec.pt, t->codec.name, t->codec.clock_rate,
	                        t->codec.channels, t->codec.fmtp[0] ? t->codec.fmtp : NULL);
	g_autofree char *track_id = g_strdup_printf("%s-%s", track_kind_name(t->kind), t->mid);

	if (t->fb_nack)
		sdp_codec_add_feedback(c, "nack");
	if (t->fb_pli)
		sdp_codec_add_feedback(c, "nack pli");
	if (t->fb_fir)
		sdp_codec_add_feedback(c, "ccm fir");
	if (t->fb_twcc)
		sdp_codec_add_feedback(c, "transport-cc");
	if (t->codec.has_rtx) {
		g_autofree char *apt = g_strdup_printf("apt=%u", t->codec.pt);
		sdp_media_add_codec(am, t->codec.rtx_pt, "rtx", t->codec.clock_rate, 0, apt);
	}
	for (unsigned id = 1; id < 256; id++) {
		enum rtp_ext_kind kind = rtp_ext_map_get(&t->ext, id);
		if (kind != RTP_EXT_UNKNOWN)
			sdp_media_add_extmap(am, (uint16_t)id, rtp_ext_kind_to_uri(kind));
	}
	am->direction = direction_of(t);
	am->rtcp_mux = true;
	am->rtcp_rsize = n->rtcp_rsize;
	if (!t->send)
		return;
	sdp_media_add_msid(am, n->stream_id, track_id);
	if (t->local_rtx_ssrc) {
		uint32_t fid[2] = {t->local_ssrc, t->local_rtx_ssrc};
		sdp_media_add_ssrc_group(am, "FID", fid, 2);
	}
	sdp_media_add_ssrc(am, t->local_ssrc, "cname", n->cname);
	if (t->local_rtx_ssrc)
		sdp_media_add_ssrc(am, t->local_rtx_ssrc, "cname", n->cname);
}

/* A refused section in an answer: same kind, protocol and formats, port 0. */
static void write_rejected(struct sdp_session *answer, const struct sdp_media *m)
{
	enum sdp_media_kind kind = m->kind == SDP_MEDIA_OTHER ? SDP_MEDIA_APPLICATION : m->kind;
	struct sdp_media *am = sdp_session_add_media(answer, kind, m->mid);

	am->kind = m->kind;
	sdp_set_string(&am->kind_name, m->kind_name);
	sdp_set_string(&am->proto, m->proto);
	am->port = 0;
	if (m->codecs->len) {
		g_ptr_array_set_size(am->codecs, 0);
		sdp_media_copy_codec(am, g_ptr_array_index(m->codecs, 0));
		g_clear_pointer(&am->formats, g_free);
	} else {
		sdp_set_string(&am->formats, m->formats ? m->formats : "0");
	}
	am->direction = SDP_DIRECTION_INACTIVE;
	am->rtcp_mux = m->rtcp_mux;
}

static void init_identity(struct negotiation *n, negotiate_random_fn rnd, void *data)
{
	g_snprintf(n->cname, sizeof(n->cname), "cau-%08x", rnd(data));
	g_snprintf(n->stream_id, sizeof(n->stream_id), "cau-%08x%08x", rnd(data), rnd(data));
}

static struct sdp_session *new_session(negotiate_random_fn rnd, void *data)
{
	uint64_t id = ((uint64_t)(rnd(data) & 0x7fffffff) << 32) | rnd(data);
	struct sdp_session *s = sdp_session_new(id, 2);

	sdp_set_string(&s->msid_semantic, "WMS *");
	return s;
}

/* ---- answering ---- */

/* Accepts section m as track t if it carries a supported codec; false: refuse it. */
static bool accept_offered(const struct sdp_media *m, struct peer_track *t)
{
	const struct sdp_codec *codec = supported_codec(m);
	const struct sdp_codec *rtx;

	if (!codec)
		return false;
	t->kind = m->kind == SDP_MEDIA_AUDIO ? TRACK_AUDIO : TRACK_VIDEO;
	g_strlcpy(t->mid, m->mid, sizeof(t->mid));
	copy_codec(&t->codec, codec);
	t->remote_usedtx = remote_asks_dtx(t->kind, codec);
	if (t->kind == TRACK_AUDIO)
		g_strlcpy(t->codec.fmtp, OPUS_FMTP, sizeof(t->codec.fmtp));
	rtx = t->kind == TRACK_VIDEO ? sdp_media_find_rtx(m, codec->pt) : NULL;
	t->codec.has_rtx = rtx != NULL;
	t->codec.rtx_pt = rtx ? rtx->pt : 0;
	read_extensions(m, t);
	t->fb_nack = t->kind == TRACK_VIDEO && sdp_codec_has_feedback(m, codec, "nack");
	t->fb_pli = t->kind == TRACK_VIDEO && sdp_codec_has_feedback(m, codec, "nack pli");
	t->fb_fir = t->kind == TRACK_VIDEO && sdp_codec_has_feedback(m, codec, "ccm fir");
	t->fb_twcc = t->ext_twcc && sdp_codec_has_feedback(m, codec, "transport-cc");
	if (!t->fb_twcc && t->ext_twcc) {
		/* Without the feedback the sequence numbers are of no use to either side. */
		rtp_ext_map_set(&t->ext, t->ext_twcc, RTP_EXT_UNKNOWN);
		t->ext_twcc = 0;
	}
	direction_flags(sdp_direction_reverse(m->direction), t);
	remote_ssrcs(m, t);
	return true;
}

/* The BUNDLE-tagged section: the first mid of the group, or the only section. */
static int bundle_tag(const struct sdp_session *s, const struct sdp_group *bundle)
{
	for (unsigned i = 0; i < s->media->len; i++) {
		const struct sdp_media *m = g_ptr_array_index(s->media, i);

		if (!bundle && s->media->len == 1)
			return 0;
		if (bundle && bundle->mids->len && m->mid &&
		    strcmp(m->mid, g_ptr_array_index(bundle->mids, 0)) == 0)
			return (int)i;
	}
	return -1;
}

static bool answer_sections(const struct sdp_session *offer, struct where *w,
                            negotiate_random_fn rnd, void *data, struct negotiation *n,
                            struct sdp_group *answer_bundle, GError **error)
{
	const struct sdp_group *bundle = sdp_session_find_group(offer, "BUNDLE");

	for (w->index = 0; w->index < offer->media->len; w->index++) {
		struct peer_track *t = &n->tracks[n->track_count];
		const struct sdp_media *m = g_ptr_array_index(offer->media, w->index);

		w->m = m;
		if (!is_bundled(m) || n->track_count == PEER_MAX_TRACKS ||
		    (m->kind != SDP_MEDIA_AUDIO && m->kind != SDP_MEDIA_VIDEO)) {
			write_rejected(n->sdp, m);
			continue;
		}
		if (!check_section(w, bundle, offer->media->len, error))
			return false;
		memset(t, 0, sizeof(*t));
		t->index = n->track_count;
		t->mline = w->index;
		if (!accept_offered(m, t)) {
			write_rejected(n->sdp, m);
			continue;
		}
		pick_ssrcs(t, rnd, data, n);
		n->track_count++;
		write_track(n, t, sdp_session_add_media(n->sdp, m->kind, m->mid));
		sdp_group_add_mid(answer_bundle, m->mid);
	}
	return true;
}

bool negotiate_answer(const char *offer_text, size_t len, negotiate_random_fn rnd, void *rnd_data,
                      struct negotiation *n, struct remote_transport *remote, GError **error)
{
	g_autoptr(sdp_session) offer = sdp_parse(offer_text, len, error);
	g_autoptr(GArray) lines = media_lines(offer_text, len);
	struct where w = {.lines = lines};
	struct sdp_group *answer_bundle;
	int tag;

	memset(n, 0, sizeof(*n));
	memset(remote, 0, sizeof(*remote));
	if (!offer)
		return false;
	if (offer->media->len == 0) {
		g_set_error(error, NEGOTIATE_ERROR, NEGOTIATE_ERROR_UNSUPPORTED,
		            "the offer has no m= section");
		return false;
	}
	init_identity(n, rnd, rnd_data);
	n->sdp = new_session(rnd, rnd_data);
	n->sdp->extmap_allow_mixed = offer->extmap_allow_mixed;
	answer_bundle = sdp_session_add_group(n->sdp, "BUNDLE");
	if (!answer_sections(offer, &w, rnd, rnd_data, n, answer_bundle, error))
		goto out_fail;
	if (n->track_count == 0) {
		g_set_error(error, NEGOTIATE_ERROR, NEGOTIATE_ERROR_UNSUPPORTED,
		            "line %u: no section the server can accept: it needs audio with "
		            "opus/48000/2 or video with VP8/90000 over UDP/TLS/RTP/SAVPF",
		            lines->len ? g_array_index(lines, unsigned, 0) : 0);
		goto out_fail;
	}
	tag = bundle_tag(offer, sdp_session_find_group(offer, "BUNDLE"));
	if (tag < 0) {
		g_set_error(error, NEGOTIATE_ERROR, NEGOTIATE_ERROR_UNSUPPORTED,
		            "a=group:BUNDLE names no section of the offer");
		goto out_fail;
	}
	w.index = (unsigned)tag;
	w.m = g_ptr_array_index(offer->media, tag);
	if (!read_transport(offer, &w, remote, error))
		goto out_fail;
	for (unsigned i = 0; i < n->track_count; i++) {
		const struct sdp_media *m = g_ptr_array_index(offer->media, n->tracks[i].mline);
		n->rtcp_rsize = n->rtcp_rsize || m->rtcp_rsize;
	}
	return true;
out_fail:
	remote_transport_clear(remote);
	negotiation_clear(n);
	return false;
}

/* ---- offering ---- */

static struct peer_track *offer_track(struct negotiation *n, enum track_kind kind, const char *mid)
{
	struct peer_track *t = &n->tracks[n->track_count];

	memset(t, 0, sizeof(*t));
	t->index = t->mline = n->track_count++;
	t->kind = kind;
	g_strlcpy(t->mid, mid, sizeof(t->mid));
	t->send = t->receive = true;
	rtp_ext_map_init(&t->ext);
	t->ext_mid = OFFER_EXT_MID;
	rtp_ext_map_set(&t->ext, OFFER_EXT_MID, RTP_EXT_MID);
	t->ext_twcc = OFFER_EXT_TWCC;
	rtp_ext_map_set(&t->ext, OFFER_EXT_TWCC, RTP_EXT_TWCC);
	t->fb_twcc = true;
	return t;
}

void negotiate_offer(negotiate_random_fn rnd, void *rnd_data, struct negotiation *n)
{
	negotiate_offer_kinds(rnd, rnd_data, true, n);
}

void negotiate_offer_kinds(negotiate_random_fn rnd, void *rnd_data, bool with_video,
                           struct negotiation *n)
{
	struct peer_track *audio, *video;
	struct sdp_group *bundle;

	memset(n, 0, sizeof(*n));
	n->offered = true;
	n->rtcp_rsize = true;
	init_identity(n, rnd, rnd_data);
	n->sdp = new_session(rnd, rnd_data);
	bundle = sdp_session_add_group(n->sdp, "BUNDLE");

	audio = offer_track(n, TRACK_AUDIO, "0");
	audio->codec = (struct track_codec){.pt = OFFER_AUDIO_PT,
	                                    .name = "opus",
	                                    .clock_rate = 48000,
	                                    .channels = 2,
	                                    .fmtp = OPUS_FMTP};
	audio->ext_audio_level = OFFER_EXT_LEVEL;
	rtp_ext_map_set(&audio->ext, OFFER_EXT_LEVEL, RTP_EXT_AUDIO_LEVEL);
	pick_ssrcs(audio, rnd, rnd_data, n);

	if (with_video) {
		video = offer_track(n, TRACK_VIDEO, "1");
		video->codec = (struct track_codec){.pt = OFFER_VIDEO_PT,
		                                    .name = "VP8",
		                                    .clock_rate = 90000,
		                                    .has_rtx = true,
		                                    .rtx_pt = OFFER_RTX_PT};
		video->fb_nack = video->fb_pli = video->fb_fir = true;
		pick_ssrcs(video, rnd, rnd_data, n);
	}

	for (unsigned i = 0; i < n->track_count; i++) {
		struct peer_track *t = &n->tracks[i];
		enum sdp_media_kind kind =
		    t->kind == TRACK_AUDIO ? SDP_MEDIA_AUDIO : SDP_MEDIA_VIDEO;

		write_track(n, t, sdp_session_add_media(n->sdp, kind, t->mid));
		sdp_group_add_mid(bundle, t->mid);
	}
}

/* ---- applying an answer ---- */

/* Narrows offered track t to what answer section m accepted. */
static bool narrow_track(const struct where *w, struct peer_track *t, GError **error)
{
	const struct sdp_media *m = w->m;
	const struct sdp_codec *codec = sdp_media_find_codec_by_pt(m, t->codec.pt);
	const struct sdp_codec *rtx;

	if (!codec || !codec->name || g_ascii_strcasecmp(codec->name, t->codec.name) != 0) {
		fail_section(w, error,
		             "the answer does not accept %s with payload type %u "
		             "(an answer keeps the offer's payload types)",
		             t->codec.name, t->codec.pt);
		return false;
	}
	rtx = t->codec.has_rtx ? sdp_media_find_rtx(m, t->codec.pt) : NULL;
	if (!rtx || rtx->pt != t->codec.rtx_pt) {
		t->codec.has_rtx = false;
		t->local_rtx_ssrc = 0;
	}
	t->remote_usedtx = remote_asks_dtx(t->kind, codec);
	t->fb_nack = t->fb_nack && sdp_codec_has_feedback(m, codec, "nack");
	t->fb_pli = t->fb_pli && sdp_codec_has_feedback(m, codec, "nack pli");
	t->fb_fir = t->fb_fir && sdp_codec_has_feedback(m, codec, "ccm fir");
	read_extensions(m, t);
	t->fb_twcc = t->ext_twcc && sdp_codec_has_feedback(m, codec, "transport-cc");
	direction_flags(sdp_direction_reverse(m->direction), t);
	remote_ssrcs(m, t);
	return true;
}

static bool check_answer_shape(const struct negotiation *n, const struct sdp_session *answer,
                               GError **error)
{
	if (!n->offered || !n->sdp) {
		g_set_error(error, NEGOTIATE_ERROR, NEGOTIATE_ERROR_STATE,
		            "no offer of the server is waiting for an answer");
		return false;
	}
	if (answer->media->len != n->sdp->media->len) {
		g_set_error(error, NEGOTIATE_ERROR, NEGOTIATE_ERROR_UNSUPPORTED,
		            "the answer has %u m= sections, the offer had %u", answer->media->len,
		            n->sdp->media->len);
		return false;
	}
	return true;
}

bool negotiate_apply_answer(struct negotiation *n, const char *text, size_t len,
                            struct remote_transport *remote, GError **error)
{
	g_autoptr(sdp_session) answer = sdp_parse(text, len, error);
	g_autoptr(GArray) lines = media_lines(text, len);
	const struct sdp_group *bundle;
	struct peer_track tracks[PEER_MAX_TRACKS];
	struct where w = {.lines = lines};
	int tag = -1;

	memset(remote, 0, sizeof(*remote));
	if (!answer || !check_answer_shape(n, answer, error))
		return false;
	bundle = sdp_session_find_group(answer, "BUNDLE");
	memcpy(tracks, n->tracks, sizeof(tracks));
	for (unsigned i = 0; i < n->track_count; i++) {
		struct peer_track *t = &tracks[i];

		w.index = t->mline;
		w.m = g_ptr_array_index(answer->media, t->mline);
		if (g_strcmp0(w.m->mid, t->mid) != 0) {
			fail_section(&w, error, "a=mid should be \"%s\" as in the offer", t->mid);
			return false;
		}
		if (!is_bundled(w.m)) {
			t->send = t->receive = false;
			continue;
		}
		if (!check_section(&w, bundle, answer->media->len, error) ||
		    !narrow_track(&w, t, error))
			return false;
		if (tag < 0)
			tag = (int)t->mline;
	}
	if (tag < 0) {
		g_set_error(error, NEGOTIATE_ERROR, NEGOTIATE_ERROR_UNSUPPORTED,
		            "the answer refuses every section");
		return false;
	}
	w.index = (unsigned)tag;
	w.m = g_ptr_array_index(answer->media, tag);
	if (!read_transport(answer, &w, remote, error)) {
		remote_transport_clear(remote);
		return false;
	}
	if (remote->setup == SDP_SETUP_ACTPASS) {
		fail_section(&w, error, "a=setup:actpass is not allowed in an answer (RFC 5763)");
		remote_transport_clear(remote);
		return false;
	}
	memcpy(n->tracks, tracks, sizeof(tracks));
	return true;
}

/* ---- writing ---- */

static void add_transport(struct sdp_media *m, const struct local_transport *local)
{
	sdp_set_string(&m->ice_ufrag, local->ice_ufrag);
	sdp_set_string(&m->ice_pwd, local->ice_pwd);
	sdp_set_string(&m->ice_options, local->trickle ? "trickle" : NULL);
	sdp_fingerprint_set(&m->fingerprint, "sha-256", local->fingerprint);
	m->setup = local->setup;
	for (unsigned i = 0; local->candidates && i < local->candidates->len; i++) {
		struct sdp_candidate c;

		if (!sdp_candidate_parse(g_ptr_array_index(local->candidates, i), &c, NULL))
			continue;
		sdp_media_add_candidate(m, &c);
		sdp_candidate_clear(&c);
	}
	m->end_of_candidates = local->end_of_candidates;
}

char *negotiate_write(const struct negotiation *n, const struct local_transport *local)
{
	g_autofree char *bare = sdp_write(n->sdp);
	g_autoptr(sdp_session) s = sdp_parse(bare, strlen(bare), NULL);

	g_return_val_if_fail(s != NULL, NULL);
	for (unsigned i = 0; i < s->media->len; i++) {
		struct sdp_media *m = g_ptr_array_index(s->media, i);

		if (is_bundled(m))
			add_transport(m, local);
	}
	s->ice_lite = local->ice_lite;
	return sdp_write(s);
}
