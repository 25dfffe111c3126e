/* SPDX-License-Identifier: MIT */
/* Unit tests for the SDP parser and writer, run on SDPs captured from real WebRTC stacks. */

#include "proto/sdp.h"

#include <stdio.h>
#include <string.h>

/* ---- helpers ---- */

#define NO_DATA_MESSAGE                                                                            \
	"CAU_TEST_DATA is not set: it must hold the absolute path of tests/data (meson test "      \
	"sets it)"

/* Returns $CAU_TEST_DATA/sdp/NAME (caller frees); main() has checked the variable. */
static char *capture_path(const char *name)
{
	const char *data = g_getenv("CAU_TEST_DATA");

	if (data == NULL || *data == '\0')
		g_error(NO_DATA_MESSAGE);
	return g_build_filename(data, "sdp", name, NULL);
}

/* Reads and parses a capture, asserting that it parses. Caller frees the session. */
static struct sdp_session *load(const char *name, char **text_out)
{
	g_autofree char *path = capture_path(name);
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	struct sdp_session *s;
	gsize len;

	if (!g_file_get_contents(path, &text, &len, &error))
		g_error("cannot read capture %s: %s", path, error->message);
	s = sdp_parse(text, len, &error);
	if (s == NULL)
		g_error("capture %s does not parse: %s", name, error->message);
	if (text_out != NULL)
		*text_out = g_steal_pointer(&text);
	return s;
}

static struct sdp_session *parse_ok(const char *text)
{
	g_autoptr(GError) error = NULL;
	struct sdp_session *s = sdp_parse(text, strlen(text), &error);

	g_assert_no_error(error);
	g_assert_nonnull(s);
	return s;
}

static struct sdp_media *media_at(const struct sdp_session *s, unsigned index)
{
	g_assert_cmpuint(index, <, s->media->len);
	return g_ptr_array_index(s->media, index);
}

static const char *mid_at(const struct sdp_group *g, unsigned index)
{
	g_assert_cmpuint(index, <, g->mids->len);
	return g_ptr_array_index(g->mids, index);
}

static void assert_bundle(const struct sdp_session *s, const char *const *mids)
{
	const struct sdp_group *g = sdp_session_find_group(s, "BUNDLE");

	g_assert_nonnull(g);
	g_assert_cmpuint(g->mids->len, ==, g_strv_length((char **)mids));
	for (unsigned i = 0; mids[i] != NULL; i++)
		g_assert_cmpstr(mid_at(g, i), ==, mids[i]);
}

/* Checks parse -> write -> parse gives an equal model, and that writing is stable. */
static void assert_round_trip(const struct sdp_session *s)
{
	g_autofree char *written = sdp_write(s);
	g_autoptr(GError) error = NULL;
	g_autoptr(sdp_session) again = sdp_parse(written, strlen(written), &error);
	g_autofree char *rewritten = NULL;

	g_assert_no_error(error);
	g_assert_true(sdp_session_equal(s, again));
	rewritten = sdp_write(again);
	g_assert_cmpstr(written, ==, rewritten);
	g_assert_true(g_str_has_suffix(written, "\r\n"));
	g_assert_null(strstr(written, "\n\n"));
}

static void assert_fingerprint_sha256(const struct sdp_fingerprint *fp)
{
	uint8_t bytes[SDP_MAX_FINGERPRINT];

	g_assert_cmpstr(fp->hash, ==, "sha-256");
	g_assert_cmpint(sdp_fingerprint_to_bytes(fp->value, bytes, sizeof(bytes)), ==, 32);
}

static void assert_feedback(const struct sdp_media *m, const struct sdp_codec *c,
                            const char *const *feedback)
{
	for (unsigned i = 0; feedback[i] != NULL; i++) {
		if (!sdp_codec_has_feedback(m, c, feedback[i]))
			g_error("payload type %u lacks rtcp-fb %s", c->pt, feedback[i]);
	}
}

static const struct sdp_candidate *candidate_at(const struct sdp_media *m, unsigned index)
{
	g_assert_cmpuint(index, <, m->candidates->len);
	return g_ptr_array_index(m->candidates, index);
}

static const char *extension_value(const struct sdp_candidate *c, const char *name)
{
	for (unsigned i = 0; c->extensions != NULL && i < c->extensions->len; i++) {
		const struct sdp_candidate_extension *e = g_ptr_array_index(c->extensions, i);

		if (strcmp(e->name, name) == 0)
			return e->value;
	}
	return NULL;
}

static const char *const all_captures[] = {
    "aiortc-answer-to-chromium.sdp",
    "aiortc-av-offer.sdp",
    "aiortc-datachannel-offer.sdp",
    "chromium-answer-to-chromium.sdp",
    "chromium-av-offer.sdp",
    "chromium-datachannel-offer.sdp",
    "chromium-recvonly-offer.sdp",
    "chromium-simulcast-offer.sdp",
    "firefox-answer-to-firefox.sdp",
    "firefox-av-offer.sdp",
    "firefox-datachannel-offer.sdp",
    "firefox-simulcast-offer.sdp",
    "gstreamer-answer-to-chromium.sdp",
    "gstreamer-av-offer.sdp",
    "gstreamer-datachannel-offer.sdp",
};

/* ---- every capture ---- */

static void test_captures_round_trip(void)
{
	g_autofree char *dir_path = capture_path("");
	g_autoptr(GDir) dir = NULL;
	g_autoptr(GError) error = NULL;
	unsigned count = 0;
	const char *name;

	dir = g_dir_open(dir_path, 0, &error);
	g_assert_no_error(error);
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autoptr(sdp_session) s = NULL;

		if (!g_str_has_suffix(name, ".sdp"))
			continue;
		g_test_message("capture %s", name);
		s = load(name, NULL);
		g_assert_cmpuint(s->media->len, >=, 2);
		for (unsigned i = 0; i < s->media->len; i++) {
			const struct sdp_media *m = media_at(s, i);

			g_assert_nonnull(m->mid);
			g_assert_nonnull(m->ice_ufrag);
			g_assert_nonnull(m->ice_pwd);
			assert_fingerprint_sha256(&m->fingerprint);
			g_assert_cmpint(m->setup, !=, SDP_SETUP_UNSET);
		}
		assert_round_trip(s);
		count++;
	}
	g_assert_cmpuint(count, >=, G_N_ELEMENTS(all_captures));
	for (unsigned i = 0; i < G_N_ELEMENTS(all_captures); i++) {
		g_autofree char *path = capture_path(all_captures[i]);

		g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
	}
}

/* Each capture with "\r\n" replaced by "\n" parses to the same model. */
static void test_captures_lf_only(void)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(all_captures); i++) {
		g_autofree char *text = NULL;
		g_autoptr(sdp_session) crlf = load(all_captures[i], &text);
		g_auto(GStrv) lines = g_strsplit(text, "\r\n", -1);
		g_autofree char *lf = g_strjoinv("\n", lines);
		g_autoptr(sdp_session) s = parse_ok(lf);

		g_assert_true(sdp_session_equal(crlf, s));
	}
}

/* ---- Chromium ---- */

static void check_chromium_audio(const struct sdp_media *audio)
{
	static const char *const opus_fb[] = {"transport-cc", NULL};
	const struct sdp_codec *opus = sdp_media_find_codec(audio, "opus", 48000, 2);
	const struct sdp_extmap *mid_ext;
	uint32_t value;

	g_assert_cmpint(audio->kind, ==, SDP_MEDIA_AUDIO);
	g_assert_cmpstr(audio->proto, ==, "UDP/TLS/RTP/SAVPF");
	g_assert_cmpstr(audio->mid, ==, "0");
	g_assert_cmpint(audio->direction, ==, SDP_DIRECTION_SENDRECV);
	g_assert_true(audio->rtcp_mux && audio->rtcp_rsize);
	g_assert_nonnull(opus);
	g_assert_cmpuint(opus->pt, ==, 111);
	g_assert_true(sdp_fmtp_get_uint(opus->fmtp, "useinbandfec", &value) && value == 1);
	g_assert_true(sdp_fmtp_get_uint(opus->fmtp, "minptime", &value) && value == 10);
	assert_feedback(audio, opus, opus_fb);
	g_assert_cmpuint(((const struct sdp_codec *)audio->codecs->pdata[0])->pt, ==, 111);
	g_assert_nonnull(sdp_media_find_codec(audio, "PCMU", 8000, 1));
	g_assert_cmpuint(sdp_media_find_codec(audio, "telephone-event", 48000, 0)->pt, ==, 110);
	mid_ext = sdp_media_find_extmap(audio, "urn:ietf:params:rtp-hdrext:sdes:mid");
	g_assert_nonnull(mid_ext);
	g_assert_cmpuint(mid_ext->id, ==, 4);
	g_assert_nonnull(
	    sdp_media_find_extmap(audio, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
	g_assert_cmpuint(audio->msids->len, ==, 1);
	g_assert_cmpuint(audio->ssrcs->len, ==, 2);
	g_assert_cmpstr(((struct sdp_ssrc *)audio->ssrcs->pdata[0])->attribute, ==, "cname");
	g_assert_cmpstr(sdp_media_find_attribute(audio, "rtcp")->value, ==, "9 IN IP4 0.0.0.0");
}

static void check_chromium_video(const struct sdp_media *video)
{
	static const char *const vp8_fb[] = {"nack",         "nack pli", "goog-remb",
	                                     "transport-cc", "ccm fir",  NULL};
	const struct sdp_codec *vp8 = sdp_media_find_codec(video, "VP8", 90000, 0);
	const struct sdp_codec *rtx, *h264 = NULL;
	const struct sdp_ssrc_group *fid;

	g_assert_cmpint(video->kind, ==, SDP_MEDIA_VIDEO);
	g_assert_cmpstr(video->mid, ==, "1");
	g_assert_nonnull(vp8);
	g_assert_cmpuint(vp8->pt, ==, 96);
	assert_feedback(video, vp8, vp8_fb);
	rtx = sdp_media_find_rtx(video, 96);
	g_assert_nonnull(rtx);
	g_assert_cmpuint(rtx->pt, ==, 97);
	g_assert_cmpuint(rtx->clock_rate, ==, 90000);
	for (unsigned i = 0; i < video->codecs->len; i++) {
		const struct sdp_codec *c = g_ptr_array_index(video->codecs, i);
		g_autofree char *plid = sdp_fmtp_get(c->fmtp, "profile-level-id");

		if (g_strcmp0(plid, "42e01f") == 0 && h264 == NULL)
			h264 = c;
	}
	g_assert_nonnull(h264);
	g_assert_cmpstr(h264->name, ==, "H264");
	g_assert_cmpuint(video->ssrc_groups->len, ==, 1);
	fid = g_ptr_array_index(video->ssrc_groups, 0);
	g_assert_cmpstr(fid->semantics, ==, "FID");
	g_assert_cmpuint(fid->ssrcs->len, ==, 2);
	g_assert_cmpuint(g_array_index(fid->ssrcs, uint32_t, 0), ==,
	                 ((struct sdp_ssrc *)video->ssrcs->pdata[0])->ssrc);
}

static void test_chromium_av_offer(void)
{
	static const char *const bundle[] = {"0", "1", NULL};
	g_autoptr(sdp_session) s = load("chromium-av-offer.sdp", NULL);
	const struct sdp_media *audio, *video;
	const struct sdp_candidate *c;

	g_assert_cmpstr(s->origin.username, ==, "-");
	g_assert_cmpuint(s->origin.sess_version, ==, 2);
	g_assert_cmpstr(s->name, ==, "-");
	assert_bundle(s, bundle);
	g_assert_true(s->extmap_allow_mixed);
	g_assert_true(g_str_has_prefix(s->msid_semantic, "WMS "));
	g_assert_cmpuint(s->media->len, ==, 2);
	audio = media_at(s, 0);
	video = media_at(s, 1);
	check_chromium_audio(audio);
	check_chromium_video(video);
	g_assert_cmpint(audio->setup, ==, SDP_SETUP_ACTPASS);
	assert_fingerprint_sha256(&audio->fingerprint);
	g_assert_cmpstr(audio->ice_ufrag, ==, "LOXl");
	g_assert_cmpstr(audio->ice_options, ==, "trickle");
	g_assert_cmpstr(((struct sdp_msid *)audio->msids->pdata[0])->stream_id, ==,
	                ((struct sdp_msid *)video->msids->pdata[0])->stream_id);
	c = candidate_at(audio, 0);
	g_assert_cmpstr(c->transport, ==, "udp");
	g_assert_cmpint(c->type, ==, SDP_CANDIDATE_HOST);
	g_assert_cmpstr(c->address, ==, "127.0.0.1");
	g_assert_cmpuint(c->port, ==, audio->port);
	g_assert_cmpstr(extension_value(c, "generation"), ==, "0");
	c = candidate_at(audio, 4);
	g_assert_cmpstr(c->transport, ==, "tcp");
	g_assert_cmpstr(c->tcptype, ==, "active");
	g_assert_cmpuint(c->port, ==, 9);
}

static void test_chromium_simulcast_offer(void)
{
	g_autoptr(sdp_session) s = load("chromium-simulcast-offer.sdp", NULL);
	const struct sdp_media *video = media_at(s, 1);
	static const char *const rids[] = {"q", "h", "f"};

	g_assert_cmpint(media_at(s, 0)->direction, ==, SDP_DIRECTION_SENDRECV);
	g_assert_cmpint(video->direction, ==, SDP_DIRECTION_SENDONLY);
	g_assert_cmpuint(video->rids->len, ==, 3);
	g_assert_nonnull(video->simulcast);
	g_assert_cmpuint(video->simulcast->send->len, ==, 3);
	g_assert_cmpuint(video->simulcast->recv->len, ==, 0);
	for (unsigned i = 0; i < 3; i++) {
		const struct sdp_rid *rid = g_ptr_array_index(video->rids, i);
		const struct sdp_simulcast_stream *stream =
		    g_ptr_array_index(video->simulcast->send, i);
		const struct sdp_simulcast_rid *alt = g_ptr_array_index(stream->alternatives, 0);

		g_assert_cmpstr(rid->id, ==, rids[i]);
		g_assert_cmpint(rid->direction, ==, SDP_RID_SEND);
		g_assert_cmpuint(stream->alternatives->len, ==, 1);
		g_assert_cmpstr(alt->rid, ==, rids[i]);
		g_assert_false(alt->paused);
	}
	g_assert_nonnull(
	    sdp_media_find_extmap(video, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"));
	g_assert_nonnull(
	    sdp_media_find_extmap(video, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"));
}

static void test_chromium_datachannel_offer(void)
{
	static const char *const bundle[] = {"0", "1", "2", NULL};
	g_autoptr(sdp_session) s = load("chromium-datachannel-offer.sdp", NULL);
	const struct sdp_media *app = media_at(s, 2);

	assert_bundle(s, bundle);
	g_assert_cmpint(app->kind, ==, SDP_MEDIA_APPLICATION);
	g_assert_cmpstr(app->proto, ==, "UDP/DTLS/SCTP");
	g_assert_cmpstr(app->formats, ==, "webrtc-datachannel");
	g_assert_cmpuint(app->codecs->len, ==, 0);
	g_assert_true(app->has_sctp_port);
	g_assert_cmpuint(app->sctp_port, ==, 5000);
	g_assert_true(app->has_max_message_size);
	g_assert_cmpuint(app->max_message_size, ==, 262144);
	g_assert_cmpint(app->direction, ==, SDP_DIRECTION_UNSET);
}

static void test_chromium_recvonly_offer(void)
{
	g_autoptr(sdp_session) s = load("chromium-recvonly-offer.sdp", NULL);

	g_assert_cmpstr(s->msid_semantic, ==, "WMS");
	for (unsigned i = 0; i < 2; i++) {
		const struct sdp_media *m = media_at(s, i);

		g_assert_cmpint(m->direction, ==, SDP_DIRECTION_RECVONLY);
		g_assert_cmpint(sdp_direction_reverse(m->direction), ==, SDP_DIRECTION_SENDONLY);
		g_assert_cmpuint(m->msids->len, ==, 0);
		g_assert_cmpuint(m->ssrcs->len, ==, 0);
	}
	g_assert_nonnull(sdp_media_find_codec(media_at(s, 1), "VP8", 90000, 0));
}

static void test_chromium_answer(void)
{
	static const char *const bundle[] = {"0", "1", NULL};
	g_autoptr(sdp_session) s = load("chromium-answer-to-chromium.sdp", NULL);

	assert_bundle(s, bundle);
	for (unsigned i = 0; i < 2; i++) {
		g_assert_cmpint(media_at(s, i)->setup, ==, SDP_SETUP_ACTIVE);
		g_assert_cmpint(media_at(s, i)->direction, ==, SDP_DIRECTION_SENDRECV);
		g_assert_cmpstr(media_at(s, i)->ice_ufrag, ==, "lW1n");
	}
	g_assert_cmpuint(sdp_media_find_codec(media_at(s, 0), "opus", 48000, 2)->pt, ==, 111);
	g_assert_cmpuint(media_at(s, 1)->candidates->len, ==, 0);
}

/* ---- Firefox ---- */

static void test_firefox_av_offer(void)
{
	static const char *const vp8_fb[] = {"nack",      "nack pli",     "ccm fir",
	                                     "goog-remb", "transport-cc", NULL};
	g_autoptr(sdp_session) s = load("firefox-av-offer.sdp", NULL);
	const struct sdp_media *audio = media_at(s, 0), *video = media_at(s, 1);
	const struct sdp_codec *opus = sdp_media_find_codec(audio, "opus", 48000, 2);
	const struct sdp_codec *vp8 = sdp_media_find_codec(video, "VP8", 90000, 0);
	const struct sdp_extmap *csrc_level =
	    sdp_media_find_extmap(audio, "urn:ietf:params:rtp-hdrext:csrc-audio-level");
	const struct sdp_candidate *rtcp = candidate_at(audio, 4);
	uint32_t stereo;

	g_assert_cmpstr(s->origin.username, ==, "mozilla...THIS_IS_SDPARTA-99.0");
	g_assert_cmpstr(s->msid_semantic, ==, "WMS *");
	/* Session-level fingerprint, copied into each section; session a=sendrecv kept. */
	assert_fingerprint_sha256(&s->fingerprint);
	g_assert_cmpstr(audio->fingerprint.value, ==, s->fingerprint.value);
	g_assert_null(sdp_session_find_attribute(s, "sendrecv")->value);
	g_assert_cmpstr(audio->ice_options, ==, "trickle");
	g_assert_nonnull(opus);
	g_assert_cmpuint(opus->pt, ==, 109);
	g_assert_true(sdp_fmtp_get_uint(opus->fmtp, "stereo", &stereo) && stereo == 1);
	g_assert_cmpuint(sdp_media_find_codec(audio, "G722", 8000, 1)->channels, ==, 1);
	g_assert_nonnull(csrc_level);
	g_assert_cmpuint(csrc_level->id, ==, 2);
	g_assert_cmpint(csrc_level->direction, ==, SDP_DIRECTION_RECVONLY);
	g_assert_true(audio->end_of_candidates);
	g_assert_true(audio->extmap_allow_mixed);
	g_assert_true(g_str_has_suffix(rtcp->address, ".local"));
	g_assert_cmpuint(rtcp->component, ==, 2);
	g_assert_nonnull(vp8);
	g_assert_cmpuint(vp8->pt, ==, 120);
	assert_feedback(video, vp8, vp8_fb);
	g_assert_cmpuint(sdp_media_find_rtx(video, 120)->pt, ==, 124);
	g_assert_cmpstr(((struct sdp_msid *)video->msids->pdata[0])->stream_id, ==,
	                "{05f4710d-18c7-4f6a-a0bc-93224bf76a26}");
}

static void test_firefox_simulcast_and_datachannel(void)
{
	g_autoptr(sdp_session) sim = load("firefox-simulcast-offer.sdp", NULL);
	g_autoptr(sdp_session) dc = load("firefox-datachannel-offer.sdp", NULL);
	g_autoptr(sdp_session) answer = load("firefox-answer-to-firefox.sdp", NULL);
	const struct sdp_media *video = media_at(sim, 1), *app = media_at(dc, 2);

	g_assert_cmpuint(video->rids->len, ==, 3);
	g_assert_cmpuint(video->simulcast->send->len, ==, 3);
	g_assert_cmpint(video->direction, ==, SDP_DIRECTION_SENDONLY);
	g_assert_cmpstr(app->formats, ==, "webrtc-datachannel");
	g_assert_cmpuint(app->sctp_port, ==, 5000);
	g_assert_cmpuint(app->max_message_size, ==, 1073741823);
	g_assert_cmpint(media_at(answer, 0)->setup, ==, SDP_SETUP_ACTIVE);
}

/* ---- GStreamer webrtcbin ---- */

static void test_gstreamer(void)
{
	static const char *const bundle[] = {"audio0", "video1", NULL};
	static const char *const vp8_fb[] = {"nack pli", "ccm fir", "transport-cc", NULL};
	g_autoptr(sdp_session) s = load("gstreamer-av-offer.sdp", NULL);
	g_autoptr(sdp_session) answer = load("gstreamer-answer-to-chromium.sdp", NULL);
	const struct sdp_media *audio = media_at(s, 0), *video = media_at(s, 1);
	const struct sdp_codec *opus = sdp_media_find_codec(audio, "opus", 48000, 2);

	assert_bundle(s, bundle);
	g_assert_cmpstr(s->ice_options, ==, "trickle");
	g_assert_cmpstr(video->ice_options, ==, "trickle"); /* inherited */
	g_assert_cmpstr(opus->name, ==, "OPUS");
	g_assert_cmpuint(opus->pt, ==, 111);
	g_assert_cmpuint(video->port, ==, 0);
	g_assert_nonnull(sdp_media_find_attribute(video, "bundle-only"));
	g_assert_nonnull(sdp_media_find_attribute(video, "rtcp-mux-only"));
	assert_feedback(video, sdp_media_find_codec(video, "vp8", 90000, 0), vp8_fb);
	g_assert_cmpstr(candidate_at(audio, 2)->transport, ==, "tcp");
	g_assert_cmpstr(candidate_at(audio, 2)->tcptype, ==, "passive");
	for (unsigned i = 0; i < 2; i++) {
		g_assert_cmpint(media_at(answer, i)->setup, ==, SDP_SETUP_ACTIVE);
		g_assert_cmpint(media_at(answer, i)->direction, ==, SDP_DIRECTION_RECVONLY);
	}
}

/* ---- aiortc ---- */

static void test_aiortc(void)
{
	g_autoptr(sdp_session) s = load("aiortc-av-offer.sdp", NULL);
	g_autoptr(sdp_session) dc = load("aiortc-datachannel-offer.sdp", NULL);
	const struct sdp_media *audio = media_at(s, 0), *video = media_at(s, 1);
	const struct sdp_media *app = media_at(dc, 2);

	g_assert_cmpstr(s->msid_semantic, ==, "WMS *");
	g_assert_cmpstr(audio->ice_ufrag, !=, video->ice_ufrag);
	g_assert_true(audio->end_of_candidates);
	g_assert_cmpuint(sdp_media_find_codec(audio, "opus", 48000, 2)->pt, ==, 96);
	g_assert_cmpuint(sdp_media_find_rtx(video, 97)->pt, ==, 98);
	g_assert_cmpstr(video->connection, ==, "IN IP4 192.0.2.2");
	/* Legacy SCTP syntax: "DTLS/SCTP 5000" with a=sctpmap, kept as is. */
	g_assert_cmpstr(app->proto, ==, "DTLS/SCTP");
	g_assert_cmpstr(app->formats, ==, "5000");
	g_assert_cmpstr(sdp_media_find_attribute(app, "sctpmap")->value, ==,
	                "5000 webrtc-datachannel 65535");
	g_assert_cmpuint(app->max_message_size, ==, 65536);
}

/* ---- candidates ---- */

static void test_candidate_round_trip(void)
{
	static const char *const texts[] = {
	    "candidate:118747606 1 udp 2122194687 127.0.0.1 50030 typ host generation 0 "
	    "network-id 3 network-cost 50",
	    "candidate:842163049 1 udp 1677729535 203.0.113.7 61234 typ srflx raddr 10.0.0.5 "
	    "rport 50030 generation 0 ufrag LOXl network-cost 999",
	    "candidate:3746294830 1 udp 41885439 198.51.100.1 3478 typ relay raddr 203.0.113.7 "
	    "rport 61234 generation 0",
	    "candidate:1 2 udp 1845501695 203.0.113.7 5000 typ prflx raddr 0.0.0.0 rport 0",
	    "candidate:4189660482 1 tcp 1518214911 127.0.0.1 9 typ host tcptype active "
	    "generation 0 network-id 3",
	    "candidate:3 1 tcp 1010827519 192.0.2.2 50141 typ host tcptype passive",
	    "candidate:0 1 udp 2122187007 d1069a81-d653-4367-86f9-4ed705f00e79.local 43990 typ "
	    "host",
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(texts); i++) {
		struct sdp_candidate c, copy;
		g_autoptr(GError) error = NULL;
		g_autofree char *printed = NULL;

		g_assert_true(sdp_candidate_parse(texts[i], &c, &error));
		g_assert_no_error(error);
		printed = sdp_candidate_to_string(&c);
		g_assert_cmpstr(printed, ==, texts[i]);
		sdp_candidate_copy(&copy, &c);
		g_assert_true(sdp_candidate_equal(&c, &copy));
		sdp_candidate_clear(&copy);
		sdp_candidate_clear(&c);
	}
}

static void test_candidate_fields(void)
{
	g_autoptr(GError) error = NULL;
	struct sdp_candidate c;
	g_autofree char *printed = NULL;

	/* "a=" prefix, upper-case transport (GStreamer) and no "candidate:" prefix forms. */
	g_assert_true(sdp_candidate_parse("a=candidate:2 1 UDP 1677729535 203.0.113.7 61234 typ "
	                                  "srflx raddr 10.0.0.5 rport 50030",
	                                  &c, &error));
	g_assert_cmpstr(c.foundation, ==, "2");
	g_assert_cmpuint(c.component, ==, 1);
	g_assert_cmpstr(c.transport, ==, "udp");
	g_assert_cmpuint(c.priority, ==, 1677729535);
	g_assert_cmpstr(c.address, ==, "203.0.113.7");
	g_assert_cmpuint(c.port, ==, 61234);
	g_assert_cmpint(c.type, ==, SDP_CANDIDATE_SRFLX);
	g_assert_cmpstr(c.raddr, ==, "10.0.0.5");
	g_assert_true(c.has_rport);
	g_assert_cmpuint(c.rport, ==, 50030);
	g_assert_null(c.tcptype);
	g_assert_null(c.extensions);
	sdp_candidate_clear(&c);
	g_assert_true(sdp_candidate_parse("7 1 tcp 1 ::1 9 typ host tcptype so", &c, &error));
	printed = sdp_candidate_to_string(&c);
	g_assert_cmpstr(printed, ==, "candidate:7 1 tcp 1 ::1 9 typ host tcptype so");
	sdp_candidate_clear(&c);
}

static void test_candidate_errors(void)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
	    {"candidate:1 1 udp 1 1.2.3.4 70000 typ host",
	     "candidate: port \"70000\" is not a number up to 65535"},
	    {"candidate:1 1 udp 1 1.2.3.4 5000 host",
	     "candidate: expected at least 8 fields, got 7"},
	    {"candidate:1 1 udp 1 1.2.3.4 5000 type host",
	     "candidate: expected \"typ\" as field 7, got \"type\""},
	    {"candidate:1 1 udp 1 1.2.3.4 5000 typ turn",
	     "candidate: candidate type \"turn\" is not host, srflx, prflx or relay"},
	    {"candidate:1 1 udp 1 1.2.3.4 5000 typ host generation",
	     "candidate: \"generation\" has no value"},
	    {"candidate:1 1 tcp 1 1.2.3.4 9 typ host tcptype both",
	     "candidate: tcptype \"both\" is not active, passive or so"},
	    {"candidate:a-b 1 udp 1 1.2.3.4 5000 typ host",
	     "candidate: foundation \"a-b\" is not 1 to 32 letters, digits, + or /"},
	    {"candidate:1 0 udp 1 1.2.3.4 5000 typ host", "candidate: component 0 is not valid"},
	    {"candidate:1 1 udp 4294967296 1.2.3.4 5000 typ host",
	     "candidate: priority \"4294967296\" is not a number up to 4294967295"},
	    {"candidate:1 1 udp 1 1.2.3.4 5000 typ srflx rport x",
	     "candidate: rport \"x\" is not a number up to 65535"},
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		struct sdp_candidate c;

		g_assert_false(sdp_candidate_parse(cases[i].text, &c, &error));
		g_assert_error(error, SDP_ERROR, SDP_ERROR_INVALID);
		g_assert_cmpstr(error->message, ==, cases[i].message);
		g_assert_null(c.foundation);
	}
}

/* ---- errors ---- */

#define HEAD                                                                                       \
	"v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"                                        \
	"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"

/* Malformed inputs and the exact message each must give. */
static const struct {
	const char *text;
	int code;
	const char *message;
} parse_error_cases[] = {
    {"", SDP_ERROR_INVALID, "line 1: end of text: no v= line"},
    {"v=1\r\n", SDP_ERROR_INVALID, "line 1: v=: the description must start with v=0"},
    {"v=0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n", SDP_ERROR_INVALID,
     "line 4: m=: m= line before the session's o= line"},
    {"v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\nt=0 0\r\n", SDP_ERROR_INVALID,
     "line 4: end of text: no s= line"},
    {"v=0\r\no=- 1 2 IN IP4\r\n", SDP_ERROR_INVALID, "line 2: o=: expected 6 fields, got 5"},
    {HEAD "a=rtpmap:abc opus/48000/2\r\n", SDP_ERROR_INVALID,
     "line 7: a=rtpmap: payload type \"abc\" is not a number"},
    {HEAD "a=rtpmap:96 VP8/90000\r\n", SDP_ERROR_INVALID,
     "line 7: a=rtpmap: payload type 96 is not on the m= line"},
    {HEAD "a=rtpmap:111 opus/fast/2\r\n", SDP_ERROR_INVALID,
     "line 7: a=rtpmap: clock rate \"fast\" is not a positive 32-bit number"},
    {HEAD "a=rtpmap:111 opus\r\n", SDP_ERROR_INVALID,
     "line 7: a=rtpmap: \"opus\" is not NAME/CLOCK-RATE[/CHANNELS]"},
    {HEAD "a=fmtp:111\r\n", SDP_ERROR_INVALID,
     "line 7: a=fmtp: no parameters after the payload type"},
    {HEAD "a=extmap:0 urn:x\r\n", SDP_ERROR_INVALID,
     "line 7: a=extmap: id \"0\" is not a number from 1 to 255"},
    {HEAD "a=extmap:1/sideways urn:x\r\n", SDP_ERROR_INVALID,
     "line 7: a=extmap: \"1/sideways\" is not ID/sendrecv, sendonly, recvonly or inactive"},
    {HEAD "a=extmap:1 urn:x\r\na=extmap:1 urn:y\r\n", SDP_ERROR_INVALID,
     "line 8: a=extmap: id 1 is used twice"},
    {HEAD "a=candidate:1 1 udp 1 1.2.3.4 port typ host\r\n", SDP_ERROR_INVALID,
     "line 7: a=candidate: port \"port\" is not a number up to 65535"},
    {HEAD "a=fingerprint:sha-256 AB:CD:G0\r\n", SDP_ERROR_INVALID,
     "line 7: a=fingerprint: \"AB:CD:G0\" is not colon-separated hex bytes (at most 64)"},
    {HEAD "a=fingerprint:sha-256\r\n", SDP_ERROR_INVALID,
     "line 7: a=fingerprint: expected a hash function and a fingerprint"},
    {HEAD "a=ssrc:4294967296 cname:x\r\n", SDP_ERROR_INVALID,
     "line 7: a=ssrc: SSRC \"4294967296\" is not a 32-bit number"},
    {HEAD "a=ssrc:1\r\n", SDP_ERROR_INVALID, "line 7: a=ssrc: no attribute after the SSRC"},
    {HEAD "a=ssrc-group:FID\r\n", SDP_ERROR_INVALID,
     "line 7: a=ssrc-group: expected semantics and at least one SSRC"},
    {HEAD "a=rid:q sideways\r\n", SDP_ERROR_INVALID,
     "line 7: a=rid: direction \"sideways\" is not send or recv"},
    {HEAD "a=simulcast:send q;;f\r\n", SDP_ERROR_INVALID,
     "line 7: a=simulcast: \"\" in \"q;;f\" is not a rid id"},
    {HEAD "a=setup:both\r\n", SDP_ERROR_INVALID,
     "line 7: a=setup: \"both\" is not actpass, active, passive or holdconn"},
    {HEAD "a=rtcp-mux:yes\r\n", SDP_ERROR_INVALID, "line 7: a=rtcp-mux: takes no value"},
    {HEAD "a=sendonly\r\na=recvonly\r\n", SDP_ERROR_INVALID,
     "line 8: a=recvonly: the section already has a direction attribute"},
    {HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n", SDP_ERROR_INVALID,
     "line 8: a=mid: mid \"0\" is used by two sections"},
    {HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96 300\r\n", SDP_ERROR_INVALID,
     "line 7: m=: payload type \"300\" is not a number up to 127"},
    {HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96 96\r\n", SDP_ERROR_INVALID,
     "line 7: m=: payload type 96 is listed twice"},
    {HEAD "m=video 99999 UDP/TLS/RTP/SAVPF 96\r\n", SDP_ERROR_INVALID,
     "line 7: m=: port \"99999\" is not a number up to 65535"},
    {HEAD "m=video 9 UDP/TLS/RTP/SAVPF\r\n", SDP_ERROR_INVALID,
     "line 7: m=: expected media, port, protocol and at least one format"},
    {HEAD "a=sctp-port:x\r\n", SDP_ERROR_INVALID,
     "line 7: a=sctp-port: \"x\" is not a port number"},
    {HEAD "x=1\r\n", SDP_ERROR_INVALID, "line 7: x=: unknown line type"},
    {HEAD "a=foo\x01\r\n", SDP_ERROR_INVALID, "line 7: control character 0x01 at column 6"},
    {HEAD "hello\r\n", SDP_ERROR_INVALID, "line 7: expected a line of the form x=value"},
    {HEAD "a=\r\n", SDP_ERROR_INVALID, "line 7: a=: \"\" is not a valid attribute name"},
};

static void test_parse_errors(void)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(parse_error_cases); i++) {
		const char *text = parse_error_cases[i].text;
		g_autoptr(GError) error = NULL;
		g_autoptr(sdp_session) s = sdp_parse(text, strlen(text), &error);

		g_test_message("case %u: %s", i, parse_error_cases[i].message);
		g_assert_null(s);
		g_assert_error(error, SDP_ERROR, parse_error_cases[i].code);
		g_assert_cmpstr(error->message, ==, parse_error_cases[i].message);
	}
}

static void test_parse_limits(void)
{
	g_autoptr(GString) text = g_string_new("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
	g_autoptr(GString) many_pts = g_string_new(text->str);
	g_autoptr(GError) error = NULL;
	g_autoptr(sdp_session) s = NULL;
	g_autofree char *big = g_malloc(SDP_MAX_TEXT + 1);

	for (unsigned i = 0; i <= SDP_MAX_MEDIA; i++)
		g_string_append_printf(text, "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:%u\r\n", i);
	s = sdp_parse(text->str, text->len, &error);
	g_assert_null(s);
	g_assert_error(error, SDP_ERROR, SDP_ERROR_LIMIT);
	g_assert_cmpstr(error->message, ==, "line 133: m=: more than 64 media sections");
	g_clear_error(&error);

	g_string_append(many_pts, "m=video 9 UDP/TLS/RTP/SAVPF");
	for (unsigned i = 0; i <= SDP_MAX_PAYLOADS; i++)
		g_string_append_printf(many_pts, " %u", i);
	s = sdp_parse(many_pts->str, many_pts->len, &error);
	g_assert_null(s);
	g_assert_error(error, SDP_ERROR, SDP_ERROR_LIMIT);
	g_assert_cmpstr(error->message, ==, "line 5: m=: more than 128 payload types");
	g_clear_error(&error);

	memset(big, 'x', SDP_MAX_TEXT + 1);
	s = sdp_parse(big, SDP_MAX_TEXT + 1, &error);
	g_assert_null(s);
	g_assert_error(error, SDP_ERROR, SDP_ERROR_LIMIT);
	g_assert_cmpstr(error->message, ==,
	                "the description is 65537 bytes, more than the 65536 "
	                "allowed");
}

/* ---- leniency and helpers ---- */

static void test_parse_lenient(void)
{
	/* No final line end, "\n" only, blank lines, trailing blanks, unknown lines kept. */
	g_autoptr(sdp_session) s = parse_ok("v=0\no=- 1 2 IN IP4 0.0.0.0\ns= \ni=info\nt=0 0\n\n"
	                                    "a=x-session:1\nm=video 9 UDP/TLS/RTP/SAVPF 96 97  \n"
	                                    "b=AS:500\na=rtcp-fb:* nack\na=rtpmap:96 VP8/90000\n"
	                                    "a=rtcp-fb:96 ccm fir\na=x-flag\na=x-empty:");
	const struct sdp_media *m = media_at(s, 0);
	const struct sdp_codec *vp8 = sdp_media_find_codec_by_pt(m, 96);

	g_assert_cmpstr(s->name, ==, "");
	g_assert_cmpstr(sdp_session_find_attribute(s, "x-session")->value, ==, "1");
	g_assert_cmpuint(m->codecs->len, ==, 2);
	g_assert_null(sdp_media_find_codec_by_pt(m, 97)->name);
	g_assert_cmpstr(g_ptr_array_index(m->bandwidths, 0), ==, "AS:500");
	g_assert_true(sdp_codec_has_feedback(m, vp8, "nack"));
	g_assert_true(sdp_codec_has_feedback(m, vp8, "CCM FIR"));
	g_assert_false(sdp_codec_has_feedback(m, vp8, "nack pli"));
	g_assert_null(sdp_media_find_attribute(m, "x-flag")->value);
	g_assert_cmpstr(sdp_media_find_attribute(m, "x-empty")->value, ==, "");
	g_assert_cmpint(m->direction, ==, SDP_DIRECTION_UNSET);
	assert_round_trip(s);
}

static void test_simulcast_alternatives(void)
{
	g_autoptr(sdp_session) s = parse_ok(
	    "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
	    "a=rid:1 recv pt=96;max-width=1280\r\na=rid:2 recv\r\na=rid:3 recv\r\n"
	    "a=rid:4 send\r\na=simulcast:recv 1,~2;3 send ~4\r\n");
	const struct sdp_media *m = media_at(s, 0);
	const struct sdp_simulcast_stream *first = g_ptr_array_index(m->simulcast->recv, 0);
	const struct sdp_simulcast_rid *alt = g_ptr_array_index(first->alternatives, 1);
	const struct sdp_simulcast_stream *send = g_ptr_array_index(m->simulcast->send, 0);
	g_autofree char *text = sdp_write(s);

	g_assert_cmpstr(((struct sdp_rid *)m->rids->pdata[0])->params, ==, "pt=96;max-width=1280");
	g_assert_cmpuint(m->simulcast->recv->len, ==, 2);
	g_assert_cmpuint(first->alternatives->len, ==, 2);
	g_assert_cmpstr(alt->rid, ==, "2");
	g_assert_true(alt->paused);
	g_assert_true(((struct sdp_simulcast_rid *)send->alternatives->pdata[0])->paused);
	g_assert_nonnull(strstr(text, "\r\na=simulcast:send ~4 recv 1,~2;3\r\n"));
	assert_round_trip(s);
}

static void test_fmtp_and_fingerprint_helpers(void)
{
	const char *fmtp =
	    "level-asymmetry-allowed=1; packetization-mode=1;profile-level-id=42e01f;"
	    "flag";
	uint8_t bytes[4];
	uint32_t value = 7;
	g_autofree char *plid = sdp_fmtp_get(fmtp, "PROFILE-LEVEL-ID");
	g_autofree char *mode = sdp_fmtp_get(fmtp, "packetization-mode");
	g_autofree char *flag = sdp_fmtp_get(fmtp, "flag");
	g_autofree char *level = sdp_fmtp_get(fmtp, "level");

	g_assert_cmpstr(plid, ==, "42e01f");
	g_assert_cmpstr(mode, ==, "1");
	g_assert_cmpstr(flag, ==, "");
	g_assert_null(level);
	g_assert_null(sdp_fmtp_get(NULL, "apt"));
	g_assert_false(sdp_fmtp_get_uint("apt=x", "apt", &value));
	g_assert_false(sdp_fmtp_get_uint("111/111", "apt", &value));
	g_assert_cmpuint(value, ==, 7);
	g_assert_true(sdp_fmtp_get_uint("apt=96", "apt", &value));
	g_assert_cmpuint(value, ==, 96);
	g_assert_cmpint(sdp_fingerprint_to_bytes("0a:FF:10", bytes, sizeof(bytes)), ==, 3);
	g_assert_cmpuint(bytes[0], ==, 0x0a);
	g_assert_cmpuint(bytes[1], ==, 0xff);
	g_assert_cmpint(sdp_fingerprint_to_bytes("0a:FF:10:11:12", bytes, sizeof(bytes)), ==, -1);
	g_assert_cmpint(sdp_fingerprint_to_bytes("0a:F", bytes, sizeof(bytes)), ==, -1);
	g_assert_cmpint(sdp_fingerprint_to_bytes("0a:", bytes, sizeof(bytes)), ==, -1);
	g_assert_cmpint(sdp_fingerprint_to_bytes("", bytes, sizeof(bytes)), ==, -1);
	g_assert_cmpint(sdp_fingerprint_to_bytes("0aFF", bytes, sizeof(bytes)), ==, -1);
}

/* ---- building by hand ---- */

static struct sdp_session *build_answer(void)
{
	struct sdp_session *s = sdp_session_new(42, 1);
	struct sdp_group *bundle = sdp_session_add_group(s, "BUNDLE");
	struct sdp_media *audio = sdp_session_add_media(s, SDP_MEDIA_AUDIO, "0");
	struct sdp_media *video = sdp_session_add_media(s, SDP_MEDIA_VIDEO, "1");
	struct sdp_media *app = sdp_session_add_media(s, SDP_MEDIA_APPLICATION, "2");
	struct sdp_codec *vp8;
	static const uint32_t fid[] = {1111, 2222};
	struct sdp_candidate c;

	sdp_group_add_mid(bundle, "0");
	sdp_group_add_mid(bundle, "1");
	sdp_group_add_mid(bundle, "2");
	sdp_set_string(&s->msid_semantic, "WMS cau");
	s->ice_lite = true;
	g_assert_true(
	    sdp_candidate_parse("candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host", &c, NULL));
	for (unsigned i = 0; i < s->media->len; i++) {
		struct sdp_media *m = media_at(s, i);

		sdp_set_string(&m->ice_ufrag, "cauU");
		sdp_set_string(&m->ice_pwd, "cauPasswordPasswordPass");
		sdp_fingerprint_set(&m->fingerprint, "sha-256", "AA:BB:CC");
		m->setup = SDP_SETUP_PASSIVE;
		sdp_media_add_candidate(m, &c);
		m->end_of_candidates = true;
	}
	sdp_candidate_clear(&c);
	audio->direction = SDP_DIRECTION_SENDRECV;
	sdp_codec_add_feedback(
	    sdp_media_add_codec(audio, 111, "opus", 48000, 2, "minptime=10;useinbandfec=1"),
	    "transport-cc");
	sdp_media_add_extmap(audio, 1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
	sdp_media_add_msid(audio, "cau", "mix");
	sdp_media_add_ssrc(audio, 1234, "cname", "cau");
	video->direction = SDP_DIRECTION_SENDONLY;
	vp8 = sdp_media_add_codec(video, 96, "VP8", 90000, 0, NULL);
	sdp_codec_add_feedback(vp8, "nack");
	sdp_codec_add_feedback(vp8, "nack pli");
	sdp_media_add_codec(video, 97, "rtx", 90000, 0, "apt=96");
	sdp_media_add_extmap(video, 2, "urn:3gpp:video-orientation")->direction =
	    SDP_DIRECTION_SENDONLY;
	sdp_media_add_ssrc_group(video, "FID", fid, 2);
	sdp_media_add_ssrc(video, 1111, "cname", "cau");
	sdp_media_add_ssrc(video, 2222, "cname", "cau");
	sdp_media_add_rid(video, "h", SDP_RID_SEND, NULL);
	sdp_media_add_attribute(video, "x-google-flag", "conference");
	app->has_sctp_port = true;
	app->sctp_port = 5000;
	app->has_max_message_size = true;
	app->max_message_size = 262144;
	return s;
}

static void test_build_and_write(void)
{
	g_autoptr(sdp_session) s = build_answer();
	g_autofree char *text = sdp_write(s);
	g_autoptr(sdp_session) parsed = parse_ok(text);
	const struct sdp_media *video = sdp_session_find_media(parsed, "1");

	g_assert_true(g_str_has_prefix(text, "v=0\r\no=- 42 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
	                                     "a=group:BUNDLE 0 1 2\r\n"));
	g_assert_nonnull(strstr(text, "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
	                              "c=IN IP4 0.0.0.0\r\na=mid:0\r\n"));
	g_assert_nonnull(strstr(text, "\r\na=rtpmap:111 opus/48000/2\r\n"
	                              "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
	                              "a=rtcp-fb:111 transport-cc\r\n"));
	g_assert_nonnull(strstr(text, "\r\na=extmap:2/sendonly urn:3gpp:video-orientation\r\n"));
	g_assert_nonnull(strstr(text, "\r\na=ssrc-group:FID 1111 2222\r\n"));
	g_assert_nonnull(strstr(text, "\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
	g_assert_nonnull(strstr(text, "\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n"));
	g_assert_nonnull(strstr(text, "\r\na=candidate:1 1 udp 2130706431 192.0.2.1 40000 typ "
	                              "host\r\na=end-of-candidates\r\n"));
	g_assert_nonnull(strstr(text, "\r\na=ice-lite\r\n"));
	g_assert_true(sdp_session_equal(s, parsed));
	g_assert_nonnull(video);
	g_assert_cmpuint(sdp_media_find_rtx(video, 96)->pt, ==, 97);
	g_assert_true(sdp_group_has_mid(sdp_session_find_group(parsed, "bundle"), "2"));
	g_assert_null(sdp_session_find_media(parsed, "3"));
	assert_round_trip(parsed);
}

/* Copy the offered codecs the server keeps into an answer, the way a bridge would. */
static void test_answer_from_offer(void)
{
	g_autoptr(sdp_session) offer = load("chromium-av-offer.sdp", NULL);
	g_autoptr(sdp_session) answer = sdp_session_new(7, 1);
	const struct sdp_media *offered = media_at(offer, 1);
	struct sdp_media *m = sdp_session_add_media(answer, SDP_MEDIA_VIDEO, offered->mid);
	const struct sdp_codec *vp8 = sdp_media_find_codec(offered, "VP8", 90000, 0);
	g_autofree char *text = NULL;
	g_autoptr(sdp_session) parsed = NULL;

	sdp_media_copy_codec(m, vp8);
	sdp_media_copy_codec(m, sdp_media_find_rtx(offered, vp8->pt));
	m->direction = sdp_direction_reverse(SDP_DIRECTION_RECVONLY);
	text = sdp_write(answer);
	parsed = parse_ok(text);
	g_assert_true(sdp_session_equal(answer, parsed));
	g_assert_nonnull(strstr(text, "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"));
	g_assert_nonnull(strstr(text, "a=rtcp-fb:96 nack pli\r\n"));
	g_assert_nonnull(strstr(text, "a=sendonly\r\n"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (g_getenv("CAU_TEST_DATA") == NULL || *g_getenv("CAU_TEST_DATA") == '\0') {
		/* "Bail out!" makes a TAP harness (meson test) report the reason. */
		printf("Bail out! %s\n", NO_DATA_MESSAGE);
		return 1;
	}
	g_test_add_func("/sdp/captures/round-trip", test_captures_round_trip);
	g_test_add_func("/sdp/captures/lf-only", test_captures_lf_only);
	g_test_add_func("/sdp/chromium/av-offer", test_chromium_av_offer);
	g_test_add_func("/sdp/chromium/simulcast-offer", test_chromium_simulcast_offer);
	g_test_add_func("/sdp/chromium/datachannel-offer", test_chromium_datachannel_offer);
	g_test_add_func("/sdp/chromium/recvonly-offer", test_chromium_recvonly_offer);
	g_test_add_func("/sdp/chromium/answer", test_chromium_answer);
	g_test_add_func("/sdp/firefox/av-offer", test_firefox_av_offer);
	g_test_add_func("/sdp/firefox/simulcast-datachannel",
	                test_firefox_simulcast_and_datachannel);
	g_test_add_func("/sdp/gstreamer", test_gstreamer);
	g_test_add_func("/sdp/aiortc", test_aiortc);
	g_test_add_func("/sdp/candidate/round-trip", test_candidate_round_trip);
	g_test_add_func("/sdp/candidate/fields", test_candidate_fields);
	g_test_add_func("/sdp/candidate/errors", test_candidate_errors);
	g_test_add_func("/sdp/parse/errors", test_parse_errors);
	g_test_add_func("/sdp/parse/limits", test_parse_limits);
	g_test_add_func("/sdp/parse/lenient", test_parse_lenient);
	g_test_add_func("/sdp/simulcast/alternatives", test_simulcast_alternatives);
	g_test_add_func("/sdp/helpers/fmtp-fingerprint", test_fmtp_and_fingerprint_helpers);
	g_test_add_func("/sdp/build/write", test_build_and_write);
	g_test_add_func("/sdp/build/answer-from-offer", test_answer_from_offer);
	return g_test_run();
}
