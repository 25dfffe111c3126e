/* SPDX-License-Identifier: MIT */
/* Unit tests for offer/answer: real offers of Chromium, Firefox, webrtcbin and aiortc, the
 * server's own offer, and SDPs the server must refuse with the line named. */

#include "transport/negotiate.h"

#include <string.h>

static uint32_t counter_random(void *data)
{
	uint32_t *state = data;

	*state = *state * 1664525u + 1013904223u;
	return *state;
}

static char *read_capture(const char *name, gsize *len)
{
	const char *data = g_getenv("CAU_TEST_DATA");
	g_autofree char *path = NULL;
	g_autoptr(GError) error = NULL;
	char *text = NULL;

	if (!data || !*data)
		g_error("CAU_TEST_DATA is not set (meson test sets it)");
	path = g_build_filename(data, "sdp", name, NULL);
	if (!g_file_get_contents(path, &text, len, &error))
		g_error("cannot read %s: %s", path, error->message);
	return text;
}

static const struct local_transport test_local = {
    .ice_ufrag = "abcd",
    .ice_pwd = "0123456789abcdefghijkl",
    .fingerprint = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:"
                   "33:44:55:66:77:88:99",
    .setup = SDP_SETUP_ACTIVE,
};

/* Answers a capture and checks the common shape: audio opus + video VP8, BUNDLEd. */
static void answer_capture(const char *name, gconstpointer expect_rtx)
{
	gsize len;
	g_autofree char *offer = read_capture(name, &len);
	struct negotiation n;
	struct remote_transport rt;
	g_autoptr(GError) error = NULL;
	uint32_t seed = 1;
	g_autofree char *answer = NULL;
	g_autoptr(sdp_session) parsed = NULL;

	g_assert_true(negotiate_answer(offer, len, counter_random, &seed, &n, &rt, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(n.track_count, ==, 2);
	g_assert_cmpint(n.tracks[0].kind, ==, TRACK_AUDIO);
	g_assert_cmpstr(n.tracks[0].codec.name, ==, n.tracks[0].codec.name);
	g_assert_cmpuint(n.tracks[0].codec.clock_rate, ==, 48000);
	g_assert_cmpint(n.tracks[1].kind, ==, TRACK_VIDEO);
	g_assert_cmpuint(g_ascii_strcasecmp(n.tracks[1].codec.name, "VP8"), ==, 0);
	g_assert_cmpint(n.tracks[1].codec.has_rtx, ==, GPOINTER_TO_INT(expect_rtx));
	for (unsigned i = 0; i < 2; i++) {
		g_assert_true(n.tracks[i].send && n.tracks[i].receive);
		g_assert_cmpuint(n.tracks[i].local_ssrc, !=, 0);
	}
	g_assert_nonnull(rt.ice_ufrag);
	g_assert_nonnull(rt.fingerprint);
	g_assert_cmpint(rt.setup, ==, SDP_SETUP_ACTPASS);

	answer = negotiate_write(&n, &test_local);
	parsed = sdp_parse(answer, strlen(answer), &error);
	g_assert_no_error(error);
	g_assert_nonnull(sdp_session_find_group(parsed, "BUNDLE"));
	for (unsigned i = 0; i < parsed->media->len; i++) {
		const struct sdp_media *m = g_ptr_array_index(parsed->media, i);
		if (m->port == 0)
			continue;
		g_assert_cmpstr(m->ice_ufrag, ==, "abcd");
		g_assert_cmpint(m->setup, ==, SDP_SETUP_ACTIVE);
		g_assert_true(m->rtcp_mux);
		if (m->kind == SDP_MEDIA_AUDIO) {
			/* The server asks every sender for DTX: silence costs a few packets a
			 * second, not fifty. */
			const struct sdp_codec *opus = g_ptr_array_index(m->codecs, 0);
			uint32_t dtx = 0;

			g_assert_true(sdp_fmtp_get_uint(opus->fmtp, "usedtx", &dtx) && dtx == 1);
		}
	}
	/* None of the captured offers asks the server for DTX on what it sends. */
	g_assert_false(n.tracks[0].remote_usedtx);
	remote_transport_clear(&rt);
	negotiation_clear(&n);
}

static void test_answer_chromium(void)
{
	answer_capture("chromium-av-offer.sdp", GINT_TO_POINTER(TRUE));
}

static void test_answer_firefox(void)
{
	answer_capture("firefox-av-offer.sdp", GINT_TO_POINTER(TRUE));
}

static void test_answer_webrtcbin(void)
{
	answer_capture("gstreamer-av-offer.sdp", GINT_TO_POINTER(FALSE));
}

static void test_answer_aiortc(void)
{
	gsize len;
	g_autofree char *offer = read_capture("aiortc-av-offer.sdp", &len);
	struct negotiation n;
	struct remote_transport rt;
	uint32_t seed = 7;

	answer_capture("aiortc-av-offer.sdp", GINT_TO_POINTER(TRUE));
	g_assert_true(negotiate_answer(offer, len, counter_random, &seed, &n, &rt, NULL));
	/* aiortc lists its candidates and SSRCs; the answer keeps its extension ids. */
	g_assert_cmpuint(rt.candidates->len, ==, 2);
	g_assert_true(rt.end_of_candidates);
	g_assert_false(rt.trickle);
	g_assert_cmpuint(n.tracks[0].remote_ssrc, ==, 1879195884u);
	g_assert_cmpuint(n.tracks[1].remote_ssrc, ==, 4092428392u);
	g_assert_cmpuint(n.tracks[1].remote_rtx_ssrc, ==, 681370418u);
	g_assert_cmpuint(n.tracks[0].ext_audio_level, ==, 2);
	g_assert_cmpuint(n.tracks[1].ext_mid, ==, 1);
	g_assert_true(n.tracks[1].fb_nack && n.tracks[1].fb_pli);
	remote_transport_clear(&rt);
	negotiation_clear(&n);
}

static void datachannel_refused(const char *name)
{
	gsize len;
	g_autofree char *offer = read_capture(name, &len);
	struct negotiation n;
	struct remote_transport rt;
	g_autoptr(GError) error = NULL;
	uint32_t seed = 3;
	g_autofree char *answer = NULL;
	g_autoptr(sdp_session) parsed = NULL;
	const struct sdp_media *app;

	/* Audio and video are taken; the data channel gets port 0 and leaves the BUNDLE. */
	g_assert_true(negotiate_answer(offer, len, counter_random, &seed, &n, &rt, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(n.track_count, ==, 2);
	answer = negotiate_write(&n, &test_local);
	parsed = sdp_parse(answer, strlen(answer), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(parsed->media->len, ==, 3);
	app = g_ptr_array_index(parsed->media, 2);
	g_assert_cmpuint(app->port, ==, 0);
	g_assert_false(sdp_group_has_mid(sdp_session_find_group(parsed, "BUNDLE"), app->mid));
	remote_transport_clear(&rt);
	negotiation_clear(&n);
}

static void test_datachannel_refused(void)
{
	datachannel_refused("chromium-datachannel-offer.sdp");
	datachannel_refused("firefox-datachannel-offer.sdp");
	datachannel_refused("aiortc-datachannel-offer.sdp");
}

static const char h264_only[] = "v=0\r\n"
                                "o=- 1 1 IN IP4 0.0.0.0\r\n"
                                "s=-\r\n"
                                "t=0 0\r\n"
                                "m=video 9 UDP/TLS/RTP/SAVPF 102\r\n"
                                "a=mid:v\r\n"
                                "a=rtcp-mux\r\n"
                                "a=rtpmap:102 H264/90000\r\n";

/* Offers derived from the Chromium capture with one line changed. */
static char *edit_capture(const char *needle, const char *replacement)
{
	gsize len;
	g_autofree char *text = read_capture("chromium-av-offer.sdp", &len);
	char *at = strstr(text, needle);

	g_assert_nonnull(at);
	*at = '\0';
	return g_strconcat(text, replacement, at + strlen(needle), NULL);
}

static void expect_refusal(const char *offer, const char *fragment)
{
	struct negotiation n;
	struct remote_transport rt;
	g_autoptr(GError) error = NULL;
	uint32_t seed = 5;

	g_assert_false(
	    negotiate_answer(offer, strlen(offer), counter_random, &seed, &n, &rt, &error));
	g_assert_nonnull(error);
	if (!strstr(error->message, fragment))
		g_error("message \"%s\" lacks \"%s\"", error->message, fragment);
}

static void test_refusals(void)
{
	g_autofree char *no_mux = edit_capture("a=rtcp-mux\r\n", "");
	g_autofree char *no_bundle = edit_capture("a=group:BUNDLE 0 1\r\n", "");
	g_autofree char *plain = edit_capture("UDP/TLS/RTP/SAVPF 111", "RTP/AVP 111");
	g_autofree char *garbage = edit_capture("a=mid:0", "a=rtpmap:abc");

	expect_refusal(no_mux, "line 8 (m=audio, mid 0): no a=rtcp-mux");
	expect_refusal(no_bundle, "line 7 (m=audio, mid 0): not in an a=group:BUNDLE");
	expect_refusal(plain, "line 8 (m=audio, mid 0): protocol RTP/AVP");
	expect_refusal(garbage, "line ");
	expect_refusal("", "");
	expect_refusal(h264_only, "line 5: no section the server can accept: it needs audio with "
	                          "opus/48000/2 or video with VP8/90000");
}

static void test_server_offer_and_answer(void)
{
	struct negotiation server, client;
	struct remote_transport from_client, from_server;
	g_autoptr(GError) error = NULL;
	uint32_t seed = 11;
	g_autofree char *offer = NULL, *answer = NULL;
	struct local_transport local = test_local;

	negotiate_offer(counter_random, &seed, &server);
	local.setup = SDP_SETUP_ACTPASS;
	local.trickle = true;
	offer = negotiate_write(&server, &local);
	/* The server's own answering code plays the client. */
	g_assert_true(negotiate_answer(offer, strlen(offer), counter_random, &seed, &client,
	                               &from_server, &error));
	g_assert_no_error(error);
	g_assert_true(from_server.trickle);
	g_assert_cmpint(from_server.setup, ==, SDP_SETUP_ACTPASS);
	g_assert_cmpuint(client.tracks[1].remote_rtx_ssrc, ==, server.tracks[1].local_rtx_ssrc);
	local.setup = SDP_SETUP_ACTIVE;
	local.trickle = false;
	answer = negotiate_write(&client, &local);
	g_assert_true(
	    negotiate_apply_answer(&server, answer, strlen(answer), &from_client, &error));
	g_assert_no_error(error);
	g_assert_cmpint(from_client.setup, ==, SDP_SETUP_ACTIVE);
	g_assert_cmpuint(server.tracks[0].remote_ssrc, ==, client.tracks[0].local_ssrc);
	g_assert_cmpuint(server.tracks[1].remote_rtx_ssrc, ==, client.tracks[1].local_rtx_ssrc);
	g_assert_true(server.tracks[1].codec.has_rtx && server.tracks[1].fb_twcc);
	g_assert_cmpuint(server.tracks[0].ext_audio_level, ==, 2);
	/* Both sides' fmtp say usedtx=1: each learns that the other wants DTX. */
	g_assert_true(client.tracks[0].remote_usedtx && server.tracks[0].remote_usedtx);
	g_assert_false(server.tracks[1].remote_usedtx);
	remote_transport_clear(&from_client);
	remote_transport_clear(&from_server);
	negotiation_clear(&client);
	negotiation_clear(&server);
}

/* An audio-only offer (cau-load's in the audio bench) has one section, which the server's
 * answering code accepts as audio only. */
static void test_audio_only_offer(void)
{
	struct negotiation server, client;
	struct remote_transport from_server;
	g_autoptr(GError) error = NULL;
	uint32_t seed = 5;
	g_autofree char *offer = NULL;
	struct local_transport local = test_local;

	negotiate_offer_kinds(counter_random, &seed, false, &server);
	local.setup = SDP_SETUP_ACTPASS;
	offer = negotiate_write(&server, &local);
	g_assert_null(strstr(offer, "m=video"));
	g_assert_nonnull(strstr(offer, "m=audio"));
	g_assert_true(negotiate_answer(offer, strlen(offer), counter_random, &seed, &client,
	                               &from_server, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(server.track_count, ==, 1);
	g_assert_cmpuint(client.track_count, ==, 1);
	g_assert_cmpint(client.tracks[0].kind, ==, TRACK_AUDIO);
	remote_transport_clear(&from_server);
	negotiation_clear(&client);
	negotiation_clear(&server);
}

static void test_answer_without_offer(void)
{
	gsize len;
	g_autofree char *text = read_capture("chromium-answer-to-chromium.sdp", &len);
	struct negotiation n = {0};
	struct remote_transport rt;
	g_autoptr(GError) error = NULL;

	g_assert_false(negotiate_apply_answer(&n, text, len, &rt, &error));
	g_assert_error(error, NEGOTIATE_ERROR, NEGOTIATE_ERROR_STATE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/negotiate/answer/chromium", test_answer_chromium);
	g_test_add_func("/negotiate/answer/firefox", test_answer_firefox);
	g_test_add_func("/negotiate/answer/webrtcbin", test_answer_webrtcbin);
	g_test_add_func("/negotiate/answer/aiortc", test_answer_aiortc);
	g_test_add_func("/negotiate/answer/datachannel-refused", test_datachannel_refused);
	g_test_add_func("/negotiate/answer/refusals", test_refusals);
	g_test_add_func("/negotiate/offer/round-trip", test_server_offer_and_answer);
	g_test_add_func("/negotiate/offer/answer-without-offer", test_answer_without_offer);
	g_test_add_func("/negotiate/offer/audio-only", test_audio_only_offer);
	return g_test_run();
}
