/* SPDX-License-Identifier: MIT */
/* A peer's RTCP: reports and feedback received (NACK answered from the send history,
 * PLI/FIR passed up, RTT from report blocks) and sent (reports, NACKs, PLI/FIR,
 * transport-wide feedback), and the counters behind peer_get_stats(). */
#define G_LOG_DOMAIN "cau-peer"
#include "peer_internal.h"

#include "core/log.h"

#include <errno.h>
#include <string.h>

#define MAX_NACK_SEQS 128
#define RTCP_BUF      1400

/* The SSRC this side's feedback comes from: its first track's. */
static uint32_t sender_ssrc(const struct peer *p)
{
	return p->track_count ? p->tracks[0].local_ssrc : 1;
}

static int track_by_local_ssrc(const struct peer *p, uint32_t ssrc)
{
	for (unsigned i = 0; i < p->track_count; i++) {
		if (p->tracks[i].local_ssrc == ssrc)
			return (int)i;
	}
	return -1;
}

static int track_by_remote_ssrc(const struct peer *p, uint32_t ssrc)
{
	for (unsigned i = 0; i < p->track_count; i++) {
		if (p->in[i].ssrc == ssrc && ssrc)
			return (int)i;
	}
	return -1;
}

/* ---- sending ---- */

int peer_send_rtcp(struct peer *p, const uint8_t *buf, size_t len)
{
	uint8_t datagram[RTCP_BUF + CAU_SRTP_MAX_TRAILER_LEN];
	size_t out_len = 0;
	int err;

	if (len > RTCP_BUF)
		return -EMSGSIZE;
	g_mutex_lock(&p->send_lock);
	if (!p->srtp) {
		err = -ENOTCONN;
	} else {
		memcpy(p->scratch, buf, len);
		err = cau_srtp_protect_rtcp(p->srtp, p->scratch, len, sizeof(p->scratch), &out_len);
		if (!err)
			memcpy(datagram, p->scratch, out_len);
	}
	g_mutex_unlock(&p->send_lock);
	return err ? err : peer_transmit(p, datagram, out_len);
}

/* An empty receiver report opens every compound packet this side sends with feedback. */
static int write_empty_rr(const struct peer *p, uint8_t *buf, size_t cap)
{
	struct rtcp_rr rr = {.ssrc = sender_ssrc(p)};

	return rtcp_write_rr(buf, cap, &rr);
}

void peer_send_nacks(struct peer *p, unsigned idx, int64_t now)
{
	struct stream_in *in = &p->in[idx];
	uint16_t seqs[MAX_NACK_SEQS];
	uint8_t buf[RTCP_BUF];
	size_t n = nack_collect(in->nack, now, p->rtt_us, seqs, MAX_NACK_SEQS);
	int used, len;

	if (n == 0 || !in->ssrc)
		return;
	used = write_empty_rr(p, buf, sizeof(buf));
	len = rtcp_write_nack(buf + used, sizeof(buf) - used, sender_ssrc(p), in->ssrc, seqs, n);
	if (used < 0 || len < 0)
		return;
	cau_trace("[peer %s] track %u: NACK %zu packets from %u", p->id, idx, n, seqs[0]);
	transport_count(p->transport, COUNT_NACKS_SENT, (int64_t)n);
	peer_send_rtcp(p, buf, (size_t)(used + len));
}

static void send_twcc(struct peer *p, int64_t now)
{
	uint8_t buf[RTCP_BUF];
	uint32_t media = 0;
	int len;

	for (unsigned i = 0; i < p->track_count && !media; i++)
		media = p->tracks[i].receive ? p->in[i].ssrc : 0;
	len = twcc_build(p->twcc, buf, sizeof(buf), sender_ssrc(p), media);
	if (len > 0) {
		transport_count(p->transport, COUNT_TWCC_SENT, 1);
		peer_send_rtcp(p, buf, (size_t)len);
	}
}

/* Report blocks about every source received, for the first SR or RR. */
static uint8_t report_blocks(struct peer *p, int64_t now, struct rtcp_report_block *blocks)
{
	uint8_t n = 0;

	for (unsigned i = 0; i < p->track_count && n < RTCP_MAX_COUNT; i++) {
		if (p->in[i].ssrc &&
		    recv_stats_report_block(&p->in[i].stats, p->in[i].ssrc, now, &blocks[n]))
			n++;
	}
	return n;
}

/* One SR for each track that sent since the last report (the first carries the report
 * blocks), or one RR; then SDES CNAME. */
static void send_reports(struct peer *p, int64_t now)
{
	uint8_t buf[RTCP_BUF];
	struct rtcp_report_block blocks[RTCP_MAX_COUNT];
	uint8_t n_blocks = report_blocks(p, now, blocks);
	int64_t wall = g_get_real_time();
	size_t used = 0;
	int len;

	g_mutex_lock(&p->send_lock);
	for (unsigned i = 0; i < p->track_count; i++) {
		const struct peer_track *t = &p->tracks[i];
		struct stream_out *o = &p->out[i];
		struct rtcp_sr sr = {.ssrc = t->local_ssrc};

		if (!o->sent_since_report)
			continue;
		o->sent_since_report = false;
		sr.ntp_timestamp = ntp_from_unix_us(wall);
		/* The RTP time of `wall`: the last packet's, advanced by the time since it was
		 * sent, less its lip-sync delay (its content goes with what the other tracks
		 * carry that much later). */
		sr.rtp_timestamp =
		    o->last_rtp_ts + (uint32_t)((now - o->last_send_us - o->sync_delay_us) *
		                                (int64_t)t->codec.clock_rate / 1000000);
		sr.packet_count = (uint32_t)o->packets;
		sr.octet_count = (uint32_t)o->bytes;
		sr.report_count = used ? 0 : n_blocks;
		memcpy(sr.reports, blocks, sizeof(blocks[0]) * sr.report_count);
		len = rtcp_write_sr(buf + used, sizeof(buf) - used, &sr);
		if (len > 0)
			used += (size_t)len;
	}
	g_mutex_unlock(&p->send_lock);
	if (!used) {
		struct rtcp_rr rr = {.ssrc = sender_ssrc(p), .report_count = n_blocks};

		memcpy(rr.reports, blocks, sizeof(blocks[0]) * n_blocks);
		len = rtcp_write_rr(buf, sizeof(buf), &rr);
		if (len < 0)
			return;
		used = (size_t)len;
	}
	len = rtcp_write_sdes_cname(buf + used, sizeof(buf) - used, sender_ssrc(p), p->neg.cname);
	if (len > 0)
		used += (size_t)len;
	peer_send_rtcp(p, buf, used);
}

void peer_rtcp_tick(struct peer *p, int64_t now)
{
	for (unsigned i = 0; i < p->track_count; i++) {
		if (p->in[i].nack)
			peer_send_nacks(p, i, now);
	}
	if (p->twcc && now >= p->next_twcc_us) {
		send_twcc(p, now);
		p->next_twcc_us = now + p->twcc_interval_us;
	}
	if (now >= p->next_report_us) {
		if (p->next_report_us)
			send_reports(p, now);
		/* RFC 3550 6.3.1: randomised between 0.5 and 1.5 times the interval. */
		p->next_report_us =
		    now + PEER_REPORT_US / 2 + g_random_int_range(0, PEER_REPORT_US);
	}
}

int peer_request_keyframe(struct peer *p, unsigned idx)
{
	uint8_t buf[RTCP_BUF];
	const struct peer_track *t;
	struct stream_out *o;
	int64_t now = p->now_us();
	int used, len, ret = 0;

	g_mutex_lock(&p->send_lock);
	if (idx >= p->track_count) {
		g_mutex_unlock(&p->send_lock);
		return -EINVAL;
	}
	t = &p->tracks[idx];
	o = &p->out[idx];
	if (!p->srtp || !o->remote_ssrc)
		ret = -ENOTCONN;
	else if (!t->receive || t->kind != TRACK_VIDEO)
		ret = -EINVAL;
	else if (!t->fb_pli && !t->fb_fir)
		ret = -ENOTSUP;
	else if (o->last_keyframe_request_us &&
	         now - o->last_keyframe_request_us < PEER_KEYFRAME_GAP_US)
		ret = -EAGAIN;
	if (ret) {
		g_mutex_unlock(&p->send_lock);
		return ret;
	}
	o->last_keyframe_request_us = now;
	o->keyframes_requested++;
	used = write_empty_rr(p, buf, sizeof(buf));
	if (t->fb_pli) {
		len =
		    rtcp_write_pli(buf + used, sizeof(buf) - used, sender_ssrc(p), o->remote_ssrc);
	} else {
		struct rtcp_fir_entry fir = {.ssrc = o->remote_ssrc, .seqnr = ++o->fir_seq};
		len = rtcp_write_fir(buf + used, sizeof(buf) - used, sender_ssrc(p), &fir, 1);
	}
	g_mutex_unlock(&p->send_lock);
	if (used < 0 || len < 0)
		return -EINVAL;
	transport_count(p->transport, COUNT_KEYFRAMES_SENT, 1);
	g_debug("[peer %s] track %u: keyframe requested (%s)", p->id, idx,
	        t->fb_pli ? "PLI" : "FIR");
	return peer_send_rtcp(p, buf, (size_t)(used + len));
}

int peer_send_remb(struct peer *p, uint64_t bps)
{
	uint8_t buf[RTCP_BUF];
	uint32_t ssrcs[8];
	size_t count = 0;
	int used, len;

	g_mutex_lock(&p->send_lock);
	for (unsigned i = 0; p->srtp && i < p->track_count && count < G_N_ELEMENTS(ssrcs); i++)
		if (p->tracks[i].receive && p->tracks[i].kind == TRACK_VIDEO &&
		    p->out[i].remote_ssrc)
			ssrcs[count++] = p->out[i].remote_ssrc;
	g_mutex_unlock(&p->send_lock);
	if (count == 0)
		return -ENOTCONN;
	used = write_empty_rr(p, buf, sizeof(buf));
	len = used < 0 ? -1
	               : rtcp_write_remb(buf + used, sizeof(buf) - (size_t)used, sender_ssrc(p),
	                                 bps, ssrcs, count);
	if (used < 0 || len < 0)
		return -EINVAL;
	return peer_send_rtcp(p, buf, (size_t)(used + len));
}

/* ---- receiving ---- */

static void on_report_blocks(struct peer *p, const struct rtcp_report_block *blocks, unsigned count)
{
	uint32_t now_mid = ntp_middle32(ntp_from_unix_us(g_get_real_time()));

	for (unsigned i = 0; i < count; i++) {
		int idx = track_by_local_ssrc(p, blocks[i].ssrc);
		int64_t rtt;

		if (idx < 0)
			continue;
		rtt = rtt_from_report(&blocks[i], now_mid);
		if (rtt >= 0)
			p->rtt_us = p->rtt_us ? (p->rtt_us * 7 + rtt) / 8 : rtt;
		g_mutex_lock(&p->send_lock);
		p->out[idx].remote_fraction_lost = blocks[i].fraction_lost / 256.0;
		g_mutex_unlock(&p->send_lock);
	}
}

static void on_nack(struct peer *p, const struct rtcp_packet *pkt, int64_t now)
{
	struct rtcp_nack nack;
	uint16_t seqs[MAX_NACK_SEQS];
	size_t n = 0;
	int idx;

	if (rtcp_parse_nack(pkt, &nack) != 0) {
		transport_drop(p->transport, DROP_MALFORMED);
		return;
	}
	idx = track_by_local_ssrc(p, nack.media_ssrc);
	if (idx < 0)
		return;
	rtcp_nack_expand(&nack, seqs, MAX_NACK_SEQS, &n);
	transport_count(p->transport, COUNT_NACKS_RECEIVED, (int64_t)n);
	g_mutex_lock(&p->send_lock);
	p->out[idx].nacks_received += n;
	g_mutex_unlock(&p->send_lock);
	for (size_t i = 0; i < n; i++)
		peer_retransmit(p, (unsigned)idx, seqs[i], now);
}

static void keyframe_wanted(struct peer *p, uint32_t media_ssrc)
{
	int idx = track_by_local_ssrc(p, media_ssrc);

	if (idx < 0)
		return;
	p->in[idx].keyframe_requests_received++;
	transport_count(p->transport, COUNT_KEYFRAMES_RECEIVED, 1);
	if (p->media.keyframe_request && peer_media_enter(p)) {
		p->media.keyframe_request(p, &p->tracks[idx], p->user_data);
		peer_media_leave(p);
	}
}

/* The bandwidth towards the remote for the layer above: the smaller of the remote's REMB
 * and the send-side estimate, whichever are known. */
static void report_estimate(struct peer *p)
{
	uint64_t bps = p->remb_bps;

	if (p->send_estimate_bps && (!bps || p->send_estimate_bps < bps))
		bps = p->send_estimate_bps;
	if (bps && p->media.bandwidth_estimate && peer_media_enter(p)) {
		p->media.bandwidth_estimate(p, bps, p->user_data);
		peer_media_leave(p);
	}
}

/* The remote's receive estimate: counted, published and handed to the layer above. */
static void on_remb(struct peer *p, const struct rtcp_packet *pkt)
{
	struct rtcp_remb remb;

	if (rtcp_parse_remb(pkt, &remb) != 0)
		return; /* another application layer feedback, or malformed */
	p->remb_received++;
	p->remb_bps = remb.bitrate_bps;
	report_estimate(p);
}

/* Transport-wide feedback about what this server sent: the send-side estimate. */
static void on_twcc(struct peer *p, const struct rtcp_packet *pkt, int64_t now)
{
	struct rtcp_twcc fb;
	uint64_t bps = 0;
	bool used = false;

	if (rtcp_parse_twcc(pkt, &fb) != 0)
		return;
	g_mutex_lock(&p->send_lock);
	if (p->bwe && fb.status_count <= SEND_BWE_WINDOW &&
	    rtcp_twcc_decode(&fb, p->bwe->statuses, SEND_BWE_WINDOW) == 0) {
		bps = send_bwe_on_feedback(&p->bwe->est, p->bwe->statuses, fb.status_count, now);
		used = true;
	}
	g_mutex_unlock(&p->send_lock);
	if (!used)
		return;
	p->send_estimate_bps = bps;
	report_estimate(p);
}

static void on_psfb(struct peer *p, const struct rtcp_packet *pkt)
{
	struct rtcp_pli pli;
	struct rtcp_fir fir;
	struct rtcp_fir_entry entry;

	if (pkt->count == RTCP_PSFB_AFB) {
		on_remb(p, pkt);
	} else if (pkt->count == RTCP_PSFB_PLI && rtcp_parse_pli(pkt, &pli) == 0) {
		keyframe_wanted(p, pli.media_ssrc);
	} else if (pkt->count == RTCP_PSFB_FIR && rtcp_parse_fir(pkt, &fir) == 0) {
		for (size_t i = 0; i < fir.entry_count; i++) {
			rtcp_fir_entry(&fir, i, &entry);
			keyframe_wanted(p, entry.ssrc);
		}
	}
}

static void on_packet(struct peer *p, const struct rtcp_packet *pkt, int64_t now)
{
	struct rtcp_sr sr;
	struct rtcp_rr rr;
	int idx;

	switch (pkt->type) {
	case RTCP_SR:
		if (rtcp_parse_sr(pkt, &sr) != 0)
			break;
		idx = track_by_remote_ssrc(p, sr.ssrc);
		if (idx >= 0)
			recv_stats_on_sr(&p->in[idx].stats, sr.ntp_timestamp, now);
		on_report_blocks(p, sr.reports, sr.report_count);
		break;
	case RTCP_RR:
		if (rtcp_parse_rr(pkt, &rr) == 0)
			on_report_blocks(p, rr.reports, rr.report_count);
		break;
	case RTCP_RTPFB:
		if (pkt->count == RTCP_RTPFB_NACK)
			on_nack(p, pkt, now);
		else if (pkt->count == RTCP_RTPFB_TWCC)
			on_twcc(p, pkt, now);
		break;
	case RTCP_PSFB:
		on_psfb(p, pkt);
		break;
	case RTCP_BYE:
		g_debug("[peer %s] rtcp: BYE", p->id);
		break;
	default:
		break; /* SDES, APP, XR: not used */
	}
}

void peer_receive_rtcp(struct peer *p, const uint8_t *buf, size_t len, int64_t now)
{
	struct rtcp_iter it;
	struct rtcp_packet pkt;

	rtcp_iter_init(&it, buf, len);
	while (rtcp_iter_next(&it, &pkt) == 0)
		on_packet(p, &pkt, now);
}

/* ---- counters ---- */

void peer_publish_stats(struct peer *p)
{
	struct peer_stats s = {0};

	s.state = g_atomic_int_get(&p->state);
	s.track_count = p->track_count;
	s.rtt_ms = (double)p->rtt_us / 1000.0;
	s.twcc_feedback_sent = p->twcc ? p->twcc->sent : 0;
	s.remb_received = p->remb_received;
	s.remb_bps = p->remb_bps;
	s.send_estimate_bps = p->send_estimate_bps;
	if (p->ice) {
		struct ice_direct_stats now;
		int64_t stun, unknown_source, oversized;

		/* The drops since the last publication go to the transport's counters. */
		ice_get_direct_stats(p->ice, &now);
		stun = (int64_t)(now.stun_dropped - p->ice_stats.stun_dropped);
		unknown_source = (int64_t)(now.unknown_source - p->ice_stats.unknown_source);
		oversized = (int64_t)(now.oversized - p->ice_stats.oversized);
		transport_drop_n(p->transport, DROP_STUN, stun);
		transport_drop_n(p->transport, DROP_UNKNOWN_SOURCE, unknown_source);
		transport_drop_n(p->transport, DROP_MALFORMED, oversized);
		p->dropped += (uint64_t)(stun + unknown_source + oversized);
		p->ice_stats = now;
	}
	s.dropped = p->dropped;
	s.ice_direct = p->ice && p->ice_stats.active;
	s.ice_checks_answered = p->ice_stats.checks_answered;
	s.ice_consent_sent = p->ice_stats.consent_sent;
	s.ice_consent_answered = p->ice_stats.consent_answered;
	g_mutex_lock(&p->send_lock);
	for (unsigned i = 0; i < p->track_count; i++) {
		struct peer_track_stats *ts = &s.tracks[i];
		const struct stream_out *o = &p->out[i];
		const struct stream_in *in = &p->in[i];

		ts->packets_sent = o->packets;
		ts->bytes_sent = o->bytes;
		ts->remote_fraction_lost = o->remote_fraction_lost;
		ts->nacks_received = o->nacks_received;
		ts->retransmissions = o->retransmissions;
		ts->keyframes_requested = o->keyframes_requested;
		ts->packets_received = in->stats.packets;
		ts->bytes_received = in->stats.bytes;
		ts->packets_lost = recv_stats_lost(&in->stats);
		ts->jitter_ms = recv_stats_jitter_ms(&in->stats, p->tracks[i].codec.clock_rate);
		ts->nacks_sent = in->nack ? in->nack->requested : 0;
		ts->recovered = in->nack ? in->nack->recovered : 0;
		ts->keyframe_requests_received = in->keyframe_requests_received;
	}
	g_mutex_unlock(&p->send_lock);
	g_mutex_lock(&p->stats_lock);
	p->published = s;
	g_mutex_unlock(&p->stats_lock);
}

void peer_get_stats(struct peer *p, struct peer_stats *out)
{
	g_mutex_lock(&p->stats_lock);
	*out = p->published;
	g_mutex_unlock(&p->stats_lock);
	out->state = g_atomic_int_get(&p->state);
}
