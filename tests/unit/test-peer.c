/* SPDX-License-Identifier: MIT */
/* Unit tests for a peer's media path without ICE or DTLS: two bare peers with known SRTP
 * keys wired back to back through a queue that can lose packets, on a fake clock. RTP
 * both ways, NACK answered with RTX (and plainly without it), PLI passed up, reports and
 * RTT, transport-wide feedback, and bad input counted and dropped. */

#include "transport/peer_internal.h"

#include <string.h>

static int64_t fake_now = 1000000;

static int64_t now_us(void)
{
	return fake_now;
}

static uint32_t counter_random(void *data)
{
	uint32_t *state = data;

	*state = *state * 1664525u + 1013904223u;
	return *state;
}

/* One direction of the wire: datagrams waiting, and which ones to lose. */
struct wire {
	GQueue queue; /* of GBytes */
	unsigned sent;
	int drop_index;          /* the sent-th datagram to lose, -1 none */
	unsigned sender_reports; /* compound RTCP led by an SR (its type is not encrypted) */
	bool (*drop_if)(const uint8_t *buf, size_t len);
};

static void wire_sink(const uint8_t *buf, size_t len, void *data)
{
	struct wire *w = data;
	unsigned index = w->sent++;

	if (len >= 2 && buf[1] == 200)
		w->sender_reports++;

	if ((int)index == w->drop_index || (w->drop_if && w->drop_if(buf, len)))
		return;
	g_queue_push_tail(&w->queue, g_bytes_new(buf, len));
}

/* What a peer's media callbacks saw. */
struct seen {
	unsigned packets[PEER_MAX_TRACKS];
	uint16_t last_seq[PEER_MAX_TRACKS];
	GArray *seqs; /* uint16_t of the video track, in arrival order */
	unsigned keyframe_requests;
	char last_payload[64];
};

static void on_rtp(struct peer *peer, const struct peer_track *track, const struct rtp_packet *pkt,
                   const struct rtp_ext_values *ext, void *user_data)
{
	struct seen *s = user_data;

	s->packets[track->index]++;
	s->last_seq[track->index] = pkt->seq;
	if (track->kind == TRACK_VIDEO)
		g_array_append_val(s->seqs, pkt->seq);
	g_strlcpy(s->last_payload, (const char *)pkt->payload,
	          MIN(sizeof(s->last_payload), pkt->payload_len + 1));
}

static void on_keyframe(struct peer *peer, const struct peer_track *track, void *user_data)
{
	((struct seen *)user_data)->keyframe_requests++;
}

static const struct peer_media media = {.rtp = on_rtp, .keyframe_request = on_keyframe};

struct pair {
	struct transport *t;
	struct peer *server, *client;
	struct wire to_client, to_server;
	struct seen server_seen, client_seen;
};

static void fill_keys(struct cau_srtp_keys *k, uint8_t local, uint8_t remote)
{
	memset(k, 0, sizeof(*k));
	k->profile = CAU_SRTP_AES128_CM_SHA1_80;
	k->key_len = 16;
	k->salt_len = 14;
	memset(k->local_key, local, sizeof(k->local_key));
	memset(k->local_salt, local + 1, sizeof(k->local_salt));
	memset(k->remote_key, remote, sizeof(k->remote_key));
	memset(k->remote_salt, remote + 1, sizeof(k->remote_salt));
}

/* A server offer answered by the server's own answering code: tracks that match (audio,
 * and video unless audio_only). */
static void make_pair_of(struct pair *pr, bool rtx, bool audio_only)
{
	struct negotiation server, client;
	struct remote_transport rt1, rt2;
	struct local_transport local = {.ice_ufrag = "abcd",
	                                .ice_pwd = "0123456789abcdefghijklmn",
	                                .fingerprint = "AA:BB",
	                                .setup = SDP_SETUP_ACTPASS};
	struct cau_srtp_keys ks, kc;
	uint32_t seed = 99;
	g_autofree char *offer = NULL, *answer = NULL;

	memset(pr, 0, sizeof(*pr));
	pr->to_client.drop_index = pr->to_server.drop_index = -1;
	pr->server_seen.seqs = g_array_new(FALSE, FALSE, sizeof(uint16_t));
	pr->client_seen.seqs = g_array_new(FALSE, FALSE, sizeof(uint16_t));
	negotiate_offer_kinds(counter_random, &seed, !audio_only, &server);
	if (!rtx && !audio_only) {
		/* The same offer without RTX: no rtx payload type, no FID group. */
		struct sdp_media *m = g_ptr_array_index(server.sdp->media, 1);

		g_ptr_array_remove_index(m->codecs, 1);
		g_ptr_array_set_size(m->ssrc_groups, 0);
		server.tracks[1].codec.has_rtx = false;
		server.tracks[1].local_rtx_ssrc = 0;
	}
	offer = negotiate_write(&server, &local);
	g_assert_true(
	    negotiate_answer(offer, strlen(offer), counter_random, &seed, &client, &rt1, NULL));
	local.setup = SDP_SETUP_ACTIVE;
	answer = negotiate_write(&client, &local);
	g_assert_true(negotiate_apply_answer(&server, answer, strlen(answer), &rt2, NULL));
	g_assert_cmpint(audio_only ? rtx : server.tracks[1].codec.has_rtx, ==, rtx);
	pr->t = transport_new_bare();
	fill_keys(&ks, 1, 2);
	fill_keys(&kc, 2, 1);
	pr->server = peer_new_bare(pr->t, &server, &ks, now_us, wire_sink, &pr->to_client, &media,
	                           &pr->server_seen);
	pr->client = peer_new_bare(pr->t, &client, &kc, now_us, wire_sink, &pr->to_server, &media,
	                           &pr->client_seen);
	g_assert_cmpint(peer_state(pr->server), ==, PEER_STATE_CONNECTED);
	remote_transport_clear(&rt1);
	remote_transport_clear(&rt2);
	negotiation_clear(&server);
	negotiation_clear(&client);
}

static void make_pair(struct pair *pr, bool rtx)
{
	make_pair_of(pr, rtx, false);
}

static void free_pair(struct pair *pr)
{
	peer_unref(pr->server);
	peer_unref(pr->client);
	g_queue_clear_full(&pr->to_client.queue, (GDestroyNotify)g_bytes_unref);
	g_queue_clear_full(&pr->to_server.queue, (GDestroyNotify)g_bytes_unref);
	g_array_unref(pr->server_seen.seqs);
	g_array_unref(pr->client_seen.seqs);
	transport_free(pr->t);
}

/* Delivers everything queued both ways until nothing is left. */
static void pump(struct pair *pr)
{
	GBytes *b;
	bool moved = true;

	while (moved) {
		moved = false;
		while ((b = g_queue_pop_head(&pr->to_client.queue))) {
			gsize len;
			uint8_t *copy = g_bytes_unref_to_data(b, &len);
			peer_receive(pr->client, copy, len, fake_now);
			g_free(copy);
			moved = true;
		}
		while ((b = g_queue_pop_head(&pr->to_server.queue))) {
			gsize len;
			uint8_t *copy = g_bytes_unref_to_data(b, &len);
			peer_receive(pr->server, copy, len, fake_now);
			g_free(copy);
			moved = true;
		}
	}
}

static void send_video(struct peer *p, unsigned count, uint16_t first_seq)
{
	for (unsigned i = 0; i < count; i++) {
		char payload[32];
		struct peer_rtp_out out = {
		    .has_seq = true,
		    .seq = (uint16_t)(first_seq + i),
		    .timestamp = 3000 * i,
		    .payload = (const uint8_t *)payload,
		    .payload_len = (size_t)g_snprintf(payload, sizeof(payload), "frame %u", i)};
		g_assert_cmpint(peer_send_rtp(p, 1, &out), ==, 0);
		fake_now += 1000;
	}
}

static void test_rtp_both_ways(void)
{
	struct pair pr;
	struct peer_rtp_out out = {.timestamp = 960,
	                           .payload = (const uint8_t *)"opus",
	                           .payload_len = 4,
	                           .has_audio_level = true,
	                           .audio_level = 30};

	make_pair(&pr, true);
	g_assert_cmpint(peer_send_rtp(pr.server, 0, &out), ==, 0);
	g_assert_cmpint(peer_send_rtp(pr.client, 0, &out), ==, 0);
	send_video(pr.server, 5, 100);
	pump(&pr);
	g_assert_cmpuint(pr.client_seen.packets[0], ==, 1);
	g_assert_cmpuint(pr.server_seen.packets[0], ==, 1);
	g_assert_cmpuint(pr.client_seen.packets[1], ==, 5);
	g_assert_cmpstr(pr.client_seen.last_payload, ==, "frame 4");
	/* The forwarder's numbering keeps its order (offset by the track's constant). */
	for (unsigned i = 1; i < pr.client_seen.seqs->len; i++)
		g_assert_cmpuint((uint16_t)(g_array_index(pr.client_seen.seqs, uint16_t, i) -
		                            g_array_index(pr.client_seen.seqs, uint16_t, i - 1)),
		                 ==, 1);
	g_assert_cmpint(peer_send_rtp(pr.server, 7, &out), ==, -EINVAL);
	free_pair(&pr);
}

/* A frame's packets in one batch, each a rewritten head and a shared rest: they arrive
 * in order, numbered one after the other, with their bytes; too many is refused whole. */
/* Five packets of a frame: each a 2-byte head of its own ("H0".."H4") and rest_len[i]
 * bytes at rests + 40 * i (in owner, when not NULL). */
static void fill_batch(struct peer_rtp_out outs[5], uint8_t heads[5][2], const uint8_t *rests,
                       const size_t rest_len[5], GBytes *owner)
{
	for (unsigned i = 0; i < 5; i++) {
		heads[i][0] = 'H';
		heads[i][1] = (uint8_t)('0' + i);
		outs[i] = (struct peer_rtp_out){.marker = i == 4,
		                                .timestamp = 9000,
		                                .payload = heads[i],
		                                .payload_len = 2,
		                                .payload_rest = rests + 40 * i,
		                                .payload_rest_len = rest_len[i],
		                                .payload_rest_owner = owner};
	}
}

static void test_batch(void)
{
	struct pair pr;
	struct peer_rtp_out outs[PEER_BATCH_MAX + 1];
	uint8_t shared[5][40], heads[5][2];
	static const size_t rest_len[5] = {40, 40, 40, 40, 10};
	struct peer_stats ss;

	make_pair(&pr, true);
	for (unsigned i = 0; i < 5; i++)
		memset(shared[i], 'a' + (int)i, sizeof(shared[i]));
	fill_batch(outs, heads, shared[0], rest_len, NULL);
	g_assert_cmpint(peer_send_rtp_batch(pr.server, 1, outs, 5), ==, 0);
	g_assert_cmpuint(pr.to_client.sent, ==, 5);
	pump(&pr);
	g_assert_cmpuint(pr.client_seen.packets[1], ==, 5);
	for (unsigned i = 1; i < 5; i++)
		g_assert_cmpuint((uint16_t)(g_array_index(pr.client_seen.seqs, uint16_t, i) -
		                            g_array_index(pr.client_seen.seqs, uint16_t, i - 1)),
		                 ==, 1);
	/* The last one: its head, then its ten shared bytes. */
	g_assert_cmpstr(pr.client_seen.last_payload, ==, "H4eeeeeeeeee");
	peer_publish_stats(pr.server);
	peer_get_stats(pr.server, &ss);
	g_assert_cmpuint(ss.tracks[1].packets_sent, ==, 5);
	g_assert_cmpint(transport_counter(pr.t, COUNT_PACKETS_OUT), ==, 5);
	/* Bare peers write to a sink, one datagram at a time: nothing offloaded. */
	g_assert_cmpint(transport_counter(pr.t, COUNT_OFFLOADED_OUT), ==, 0);
	g_assert_cmpint(peer_send_rtp_batch(pr.server, 1, outs, PEER_BATCH_MAX + 1), ==, -E2BIG);
	g_assert_cmpint(peer_send_rtp_batch(pr.server, 7, outs, 1), ==, -EINVAL);
	g_assert_cmpuint(pr.to_client.sent, ==, 5);
	free_pair(&pr);
}

/* A batch whose payloads lie in one shared buffer (a composed frame): the sender's history
 * keeps a reference to it, not a copy, and the lost packet comes back whole from it. */
static void test_nack_shared(void)
{
	struct pair pr;
	static uint8_t frame[5 * 40];
	GBytes *shared;
	struct peer_rtp_out outs[5];
	uint8_t heads[5][2];
	static const size_t rest_len[5] = {40, 40, 40, 40, 40};
	char expect[64];
	uint16_t lost;

	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)('a' + i / 40);
	shared = g_bytes_new(frame, sizeof(frame));
	make_pair(&pr, true);
	pr.to_client.drop_index = 2;
	fill_batch(outs, heads, g_bytes_get_data(shared, NULL), rest_len, shared);
	g_assert_cmpint(peer_send_rtp_batch(pr.server, 1, outs, 5), ==, 0);
	g_bytes_unref(shared); /* the history holds it now */
	pump(&pr);
	g_assert_cmpuint(pr.client_seen.packets[1], ==, 5);
	lost = (uint16_t)(g_array_index(pr.client_seen.seqs, uint16_t, 0) + 2);
	/* The repair came last: its head, then its own forty shared bytes. */
	g_assert_cmpuint(pr.client_seen.last_seq[1], ==, lost);
	memset(expect, 0, sizeof(expect));
	expect[0] = 'H';
	expect[1] = '2';
	memset(expect + 2, 'c', 40);
	g_assert_cmpstr(pr.client_seen.last_payload, ==, expect);
	g_assert_cmpint(transport_counter(pr.t, COUNT_RTX_RECEIVED), ==, 1);
	free_pair(&pr);
}

/* A lost video packet: the receiver NACKs at once, the sender answers from its history
 * (RTX when negotiated), the receiver gets the original sequence number back. */
static void nack_round_trip(bool rtx)
{
	struct pair pr;
	struct peer_stats ss, cs;
	uint16_t lost;

	make_pair(&pr, rtx);
	pr.to_client.drop_index = 2;
	send_video(pr.server, 5, 500);
	pump(&pr);
	g_assert_cmpuint(pr.client_seen.packets[1], ==, 5);
	/* Arrival order: 0, 1, 3, 2 (repaired), 4 -- or 3, 4 then 2: the repair comes late. */
	lost = (uint16_t)(g_array_index(pr.client_seen.seqs, uint16_t, 0) + 2);
	bool found = false;
	for (unsigned i = 0; i < pr.client_seen.seqs->len; i++)
		found = found || g_array_index(pr.client_seen.seqs, uint16_t, i) == lost;
	g_assert_true(found);
	peer_publish_stats(pr.server);
	peer_publish_stats(pr.client);
	peer_get_stats(pr.server, &ss);
	peer_get_stats(pr.client, &cs);
	g_assert_cmpuint(ss.tracks[1].nacks_received, ==, 1);
	g_assert_cmpuint(ss.tracks[1].retransmissions, ==, 1);
	g_assert_cmpuint(cs.tracks[1].nacks_sent, ==, 1);
	g_assert_cmpuint(cs.tracks[1].recovered, ==, 1);
	g_assert_cmpint(cs.tracks[1].packets_lost, ==, 0);
	g_assert_cmpint(transport_counter(pr.t, COUNT_NACKS_ANSWERED), ==, 1);
	g_assert_cmpint(transport_counter(pr.t, COUNT_RTX_RECEIVED), ==, rtx ? 1 : 0);
	free_pair(&pr);
}

static void test_nack_rtx(void)
{
	nack_round_trip(true);
}

static void test_nack_plain(void)
{
	nack_round_trip(false);
}

/* The RTX payload type of the server's offer (negotiate.c). */
static bool is_rtx(const uint8_t *buf, size_t len)
{
	return len > 2 && buf[0] >> 6 == 2 && (buf[1] & 0x7f) == 97;
}

static void test_nack_retry_then_give_up(void)
{
	struct pair pr;
	struct peer_stats ss, cs;

	make_pair(&pr, true);
	/* The packet and every retransmission of it are lost: NACKs repeat with the timer
	 * (not faster than a round trip), then the receiver gives up. */
	pr.to_client.drop_index = 1;
	pr.to_client.drop_if = is_rtx;
	send_video(pr.server, 3, 10);
	pump(&pr);
	for (int i = 0; i < 100; i++) {
		fake_now += PEER_TICK_MS * 1000;
		peer_tick(pr.client, fake_now);
		pump(&pr);
	}
	peer_publish_stats(pr.client);
	peer_get_stats(pr.client, &cs);
	peer_publish_stats(pr.server);
	peer_get_stats(pr.server, &ss);
	g_assert_cmpuint(cs.tracks[1].nacks_sent, ==, nack_default_params.max_retries);
	g_assert_cmpuint(ss.tracks[1].retransmissions, ==, nack_default_params.max_retries);
	g_assert_cmpuint(cs.tracks[1].recovered, ==, 0);
	g_assert_cmpint(cs.tracks[1].packets_lost, ==, 1);
	free_pair(&pr);
}

static void test_keyframe_request(void)
{
	struct pair pr;

	make_pair(&pr, true);
	send_video(pr.server, 2, 1);
	pump(&pr);
	g_assert_cmpint(peer_request_keyframe(pr.client, 1), ==, 0);
	g_assert_cmpint(peer_request_keyframe(pr.client, 1), ==, -EAGAIN);
	g_assert_cmpint(peer_request_keyframe(pr.client, 0), ==, -EINVAL); /* audio */
	pump(&pr);
	g_assert_cmpuint(pr.server_seen.keyframe_requests, ==, 1);
	fake_now += PEER_KEYFRAME_GAP_US;
	g_assert_cmpint(peer_request_keyframe(pr.client, 1), ==, 0);
	pump(&pr);
	g_assert_cmpuint(pr.server_seen.keyframe_requests, ==, 2);
	free_pair(&pr);
}

static void test_remb_reaches_the_sender(void)
{
	struct pair pr;
	struct peer_stats ss;

	make_pair(&pr, true);
	send_video(pr.server, 2, 1);
	pump(&pr);
	g_assert_cmpint(peer_send_remb(pr.client, 200000), ==, 0);
	pump(&pr);
	peer_publish_stats(pr.server);
	peer_get_stats(pr.server, &ss);
	g_assert_cmpuint(ss.remb_received, ==, 1);
	/* 18-bit mantissa: 200000 is exact. */
	g_assert_cmpuint(ss.remb_bps, ==, 200000);
	free_pair(&pr);
}

static void test_reports_and_feedback(void)
{
	struct pair pr;
	struct peer_stats ss;

	make_pair(&pr, true);
	for (int round = 0; round < 5; round++) {
		send_video(pr.server, 10, (uint16_t)(round * 10));
		send_video(pr.client, 10, (uint16_t)(round * 10));
		fake_now += 700000;
		peer_tick(pr.server, fake_now);
		peer_tick(pr.client, fake_now);
		pump(&pr);
	}
	peer_publish_stats(pr.server);
	peer_get_stats(pr.server, &ss);
	g_assert_cmpuint(ss.tracks[1].packets_received, ==, 50);
	g_assert_cmpuint(ss.tracks[1].packets_sent, ==, 50);
	g_assert_cmpuint(ss.twcc_feedback_sent, >, 0);
	g_assert_cmpint(transport_counter(pr.t, COUNT_TWCC_SENT), >, 0);
	/* Both sent SRs and RRs; with a zero-delay wire the RTT is known and tiny. */
	g_assert_cmpfloat(ss.rtt_ms, <, 50.0);
	free_pair(&pr);
}

/* The worker's timer calls a peer again only once the wait its tick returned is over. An
 * audio-only pair, each sending 50 packets a second for 3 s, ticked that way: far fewer
 * ticks than one every 20 ms, yet transport-wide feedback every 250 ms and reports both
 * ways (the RTT is known). A peer receiving video with NACK wants every tick. */
static void test_tick_waits(void)
{
	struct pair pr;
	struct peer_stats ss;
	int64_t due[2] = {0, 0};
	unsigned ticks = 0;
	struct peer_rtp_out out = {.payload = (const uint8_t *)"opus", .payload_len = 4};

	make_pair_of(&pr, true, true);
	g_assert_cmpuint(peer_track_count(pr.server), ==, 1);
	for (int step = 0; step < 150; step++) {
		struct peer *peers[2] = {pr.server, pr.client};

		out.timestamp = (uint32_t)step * 960;
		g_assert_cmpint(peer_send_rtp(pr.server, 0, &out), ==, 0);
		g_assert_cmpint(peer_send_rtp(pr.client, 0, &out), ==, 0);
		pump(&pr);
		for (int i = 0; i < 2; i++) {
			if (fake_now < due[i])
				continue;
			due[i] = fake_now + peer_tick(peers[i], fake_now) - 10000;
			ticks++;
		}
		fake_now += 20000; /* what the ticks sent arrives 20 ms later */
		pump(&pr);
	}
	peer_publish_stats(pr.server);
	peer_get_stats(pr.server, &ss);
	g_assert_cmpuint(ss.tracks[0].packets_received, ==, 150);
	/* 3 s: at the counters' publications (every 100 ms: 30), feedback (12) and reports
	 * (at most 6) of each, not 150 each. */
	g_assert_cmpuint(ticks, <=, 2 * 60);
	g_assert_cmpuint(ticks, >=, 2 * 30);
	/* Feedback every 250 ms from each side: 12 each in 3 s, give or take one. */
	g_assert_cmpuint(ss.twcc_feedback_sent, >=, 11);
	g_assert_cmpint(transport_counter(pr.t, COUNT_TWCC_SENT), >=, 22);
	/* Sender reports both ways, every 0.5-1.5 s. */
	g_assert_cmpuint(ss.tracks[0].packets_sent, ==, 150);
	g_assert_cmpuint(pr.to_client.sender_reports, >=, 2);
	g_assert_cmpuint(pr.to_server.sender_reports, >=, 2);
	free_pair(&pr);

	make_pair(&pr, true);
	send_video(pr.client, 3, 0);
	pump(&pr);
	g_assert_cmpint(peer_tick(pr.server, fake_now), ==, 0);
	free_pair(&pr);
}

/* The RTP timestamp in the server's next sender report of its video track, read off the
 * wire with the client's keys (-1 if none was sent). */
static int64_t video_sr_timestamp(struct pair *pr)
{
	struct cau_srtp_keys k;
	struct cau_srtp *reader;
	int64_t found = -1;
	GBytes *b;

	fill_keys(&k, 2, 1);
	reader = cau_srtp_new(&k, NULL);
	while ((b = g_queue_pop_head(&pr->to_client.queue))) {
		gsize len;
		uint8_t *buf = g_bytes_unref_to_data(b, &len);
		size_t plain;
		struct rtcp_iter it;
		struct rtcp_packet pkt;
		struct rtcp_sr sr;

		if (len > 1 && buf[1] >= 200 && buf[1] <= 206 &&
		    cau_srtp_unprotect_rtcp(reader, buf, len, &plain) == 0) {
			rtcp_iter_init(&it, buf, plain);
			while (rtcp_iter_next(&it, &pkt) == 0)
				if (rtcp_parse_sr(&pkt, &sr) == 0 &&
				    sr.ssrc == peer_track(pr->server, 1)->local_ssrc)
					found = sr.rtp_timestamp;
		}
		g_free(buf);
	}
	cau_srtp_free(reader);
	return found;
}

/* Lip sync: a video packet sent with a 120 ms sync delay makes the track's sender report
 * map its RTP clock 120 ms (10,800 ticks at 90 kHz) later than without. */
static void test_sender_report_sync_delay(void)
{
	int64_t ts[2];

	for (int i = 0; i < 2; i++) {
		struct pair pr;
		struct peer_rtp_out out = {.timestamp = 900000,
		                           .payload = (const uint8_t *)"frame",
		                           .payload_len = 5,
		                           .sync_delay_us = i ? 120000 : 0};

		make_pair(&pr, true);
		peer_tick(pr.server, fake_now); /* the first tick schedules the reports */
		g_assert_cmpint(peer_send_rtp(pr.server, 1, &out), ==, 0);
		fake_now += 1600000; /* past the randomised interval (0.5-1.5 s) */
		peer_tick(pr.server, fake_now);
		ts[i] = video_sr_timestamp(&pr);
		g_assert_cmpint(ts[i], >=, 0);
		free_pair(&pr);
	}
	/* Without a delay: 1.6 s after the packet, 144,000 ticks later. */
	g_assert_cmpint(ts[0], ==, 900000 + 144000);
	g_assert_cmpint(ts[0] - ts[1], ==, 10800);
}

static void test_bad_input_is_counted(void)
{
	struct pair pr;
	uint8_t buf[200];
	size_t len;
	struct rtp_packet hdr = {.payload_type = 96, .seq = 1, .ssrc = 0xBADC0DE};
	struct cau_srtp_keys k;
	struct cau_srtp *forger;

	make_pair(&pr, true);
	/* No RFC 7983 class. */
	memset(buf, 0xff, 40);
	peer_receive(pr.client, buf, 40, fake_now);
	/* RTP-looking garbage: fails SRTP authentication. */
	memset(buf, 0x11, 60);
	buf[0] = 0x80;
	buf[1] = 96;
	peer_receive(pr.client, buf, 60, fake_now);
	/* Properly protected, but of an SSRC no track has. */
	fill_keys(&k, 1, 2);
	forger = cau_srtp_new(&k, NULL);
	g_assert_cmpint(
	    rtp_packet_write(buf, sizeof(buf), &hdr, NULL, 0, (const uint8_t *)"xx", 2, &len), ==,
	    0);
	buf[1] = 127; /* no payload type match either */
	g_assert_cmpint(cau_srtp_protect_rtp(forger, buf, len, sizeof(buf), &len), ==, 0);
	peer_receive(pr.client, buf, len, fake_now);
	/* Protected RTCP whose length word overruns the packet. */
	memset(buf, 0, 32);
	buf[0] = 0x80;
	buf[1] = 200;
	buf[3] = 40;
	g_assert_cmpint(cau_srtp_protect_rtcp(forger, buf, 32, sizeof(buf), &len), ==, 0);
	peer_receive(pr.client, buf, len, fake_now);
	/* The same SRTCP again: a replay. */
	peer_receive(pr.client, buf, len, fake_now);
	cau_srtp_free(forger);
	g_assert_cmpint(atomic_load(&pr.t->dropped[DROP_UNKNOWN_TYPE]), ==, 1);
	g_assert_cmpint(atomic_load(&pr.t->dropped[DROP_SRTP_AUTH]), ==, 1);
	g_assert_cmpint(atomic_load(&pr.t->dropped[DROP_UNKNOWN_SSRC]), ==, 1);
	g_assert_cmpint(atomic_load(&pr.t->dropped[DROP_MALFORMED]), ==, 1);
	g_assert_cmpint(atomic_load(&pr.t->dropped[DROP_SRTP_REPLAY]), ==, 1);
	/* And the peer goes on. */
	send_video(pr.server, 2, 7);
	pump(&pr);
	g_assert_cmpuint(pr.client_seen.packets[1], ==, 2);
	free_pair(&pr);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/peer/rtp-both-ways", test_rtp_both_ways);
	g_test_add_func("/peer/batch", test_batch);
	g_test_add_func("/peer/nack/shared-payload", test_nack_shared);
	g_test_add_func("/peer/nack/rtx", test_nack_rtx);
	g_test_add_func("/peer/nack/plain", test_nack_plain);
	g_test_add_func("/peer/nack/retry-then-give-up", test_nack_retry_then_give_up);
	g_test_add_func("/peer/keyframe-request", test_keyframe_request);
	g_test_add_func("/peer/remb", test_remb_reaches_the_sender);
	g_test_add_func("/peer/reports-and-feedback", test_reports_and_feedback);
	g_test_add_func("/peer/tick-waits", test_tick_waits);
	g_test_add_func("/peer/sender-report-sync-delay", test_sender_report_sync_delay);
	g_test_add_func("/peer/bad-input-is-counted", test_bad_input_is_counted);
	return g_test_run();
}
