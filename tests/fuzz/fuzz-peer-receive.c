/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a peer's receive path -- RFC 7983 demultiplexing, DTLS hand-off, SRTP
 * and SRTCP unprotection, RTP to tracks (RTX repair, NACK tracking, transport-wide
 * sequence numbers), RTCP handling (reports, NACK answered from the history, PLI/FIR) --
 * on a connected peer with known SRTP keys whose echo sends everything back.
 *
 * Input: records [flags:1][length:2, big endian][bytes:length] until the data ends.
 *   flags & 1  protect the bytes first (SRTP, or SRTCP for RTCP) with the remote's keys,
 *              so that the parsers behind SRTP see the fuzzer's plain packet
 *   flags & 2  put known SSRCs in first: RTP gets the remote SSRC of track (flags >> 4)
 *              (its RTX SSRC with flags & 8); RTCP gets the remote's SSRC as sender and
 *              the server's SSRC of that track as media source (bytes 8..11)
 *   flags & 4  afterwards, advance the clock 25 ms and run the peer's timer
 * A fresh peer per input keeps runs independent. */
#include "conference/echo.h"
#include "core/log.h"
#include "transport/peer_internal.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct transport *fuzz_transport;
static struct negotiation server_side, client_side;
static struct cau_srtp_keys server_keys, client_keys;
static int64_t clock_us;

static int64_t now_us(void)
{
	return clock_us;
}

static uint32_t fixed_random(void *data)
{
	uint32_t *state = data;

	*state = *state * 1664525u + 1013904223u;
	return *state;
}

static void sink(const uint8_t *buf, size_t len, void *user_data)
{
}

static void mute(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void keys(struct cau_srtp_keys *k, uint8_t local, uint8_t remote)
{
	memset(k, 0, sizeof(*k));
	k->profile = CAU_SRTP_AES128_CM_SHA1_80;
	k->key_len = 16;
	k->salt_len = 14;
	memset(k->local_key, local, 16);
	memset(k->local_salt, local, 14);
	memset(k->remote_key, remote, 16);
	memset(k->remote_salt, remote, 14);
}

/* A server offer answered by the server's own code: the two sides' tracks match. */
static void setup(void)
{
	struct remote_transport rt;
	struct local_transport local = {.ice_ufrag = "fuzz",
	                                .ice_pwd = "0123456789abcdefghijklmn",
	                                .fingerprint = "AA:BB",
	                                .setup = SDP_SETUP_ACTPASS};
	uint32_t seed = 1;
	char *offer, *answer;

	/* Quiet: per-packet trace lines and debug output would swamp the fuzzer. */
	g_log_set_handler("cau-peer", G_LOG_LEVEL_MASK | CAU_LOG_LEVEL_TRACE, mute, NULL);
	g_log_set_handler("cau-echo", G_LOG_LEVEL_MASK | CAU_LOG_LEVEL_TRACE, mute, NULL);
	fuzz_transport = transport_new_bare();
	fuzz_transport->settings.history_packets = 64;
	negotiate_offer(fixed_random, &seed, &server_side);
	offer = negotiate_write(&server_side, &local);
	if (!negotiate_answer(offer, strlen(offer), fixed_random, &seed, &client_side, &rt, NULL))
		__builtin_trap();
	remote_transport_clear(&rt);
	local.setup = SDP_SETUP_ACTIVE;
	answer = negotiate_write(&client_side, &local);
	if (!negotiate_apply_answer(&server_side, answer, strlen(answer), &rt, NULL))
		__builtin_trap();
	remote_transport_clear(&rt);
	g_free(offer);
	g_free(answer);
	keys(&server_keys, 1, 2);
	keys(&client_keys, 2, 1);
}

static void fix_ssrcs(uint8_t *buf, size_t len, uint8_t flags)
{
	unsigned t = (flags >> 4) % server_side.track_count;
	const struct peer_track *remote = &client_side.tracks[t];

	if (packet_classify(buf, len) == PACKET_RTCP) {
		if (len >= 8)
			put32(buf + 4, client_side.tracks[0].local_ssrc);
		if (len >= 12)
			put32(buf + 8, server_side.tracks[t].local_ssrc);
	} else if (len >= 12) {
		put32(buf + 8, (flags & 8) && remote->local_rtx_ssrc ? remote->local_rtx_ssrc
		                                                     : remote->local_ssrc);
	}
}

static void feed(struct peer *p, struct cau_srtp *forger, const uint8_t *data, size_t len,
                 uint8_t flags)
{
	uint8_t buf[PEER_MTU + CAU_SRTP_MAX_TRAILER_LEN];
	size_t out_len = len;

	if (len > PEER_MTU)
		return;
	memcpy(buf, data, len);
	if (flags & 2)
		fix_ssrcs(buf, len, flags);
	if (flags & 1) {
		int err = packet_classify(buf, len) == PACKET_RTCP
		              ? cau_srtp_protect_rtcp(forger, buf, len, sizeof(buf), &out_len)
		              : cau_srtp_protect_rtp(forger, buf, len, sizeof(buf), &out_len);
		if (err)
			out_len = len; /* libsrtp refused it: feed it as it is */
	}
	peer_receive(p, buf, out_len, clock_us);
	if (flags & 4) {
		clock_us += 25000;
		peer_tick(p, clock_us);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct peer *p;
	struct cau_srtp *forger;

	if (!fuzz_transport)
		setup();
	clock_us = 1000000;
	g_random_set_seed(1); /* the peer's initial sequence numbers: the same on every run */
	p = peer_new_bare(fuzz_transport, &server_side, &server_keys, now_us, sink, NULL,
	                  &echo_media, NULL);
	/* The echo then sends with the fuzzer's own sequence numbers, which its NACKs name. */
	for (unsigned i = 0; i < p->track_count; i++)
		p->out[i].seq_offset = 0;
	forger = cau_srtp_new(&client_keys, NULL);
	while (size >= 3) {
		uint8_t flags = data[0];
		size_t len = (size_t)data[1] << 8 | data[2];

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		feed(p, forger, data, len, flags);
		data += len;
		size -= len;
	}
	cau_srtp_free(forger);
	peer_unref(p);
	return 0;
}
