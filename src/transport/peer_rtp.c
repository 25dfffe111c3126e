/* SPDX-License-Identifier: MIT */
/* A peer's media path: demultiplexing received datagrams, SRTP, RTP to tracks (RTX
 * repaired), loss tracking; and sending RTP with the peer's own SSRCs and history. */
#define G_LOG_DOMAIN "cau-peer"
#include "peer_internal.h"

#include "core/log.h"

#include <errno.h>
#include <string.h>

#define HISTORY_MAX_PACKET 1300
#define RTX_OSN_LEN        2

void peer_dtls_receive(struct peer *p, const uint8_t *buf, size_t len, int64_t now_us);

/* ---- per-track stream state ---- */

void peer_streams_init(struct peer *p)
{
	unsigned need_twcc = 0;
	bool video_in = false;

	for (unsigned i = 0; i < p->track_count; i++) {
		const struct peer_track *t = &p->tracks[i];
		struct stream_out *o = &p->out[i];
		struct stream_in *in = &p->in[i];

		memset(o, 0, sizeof(*o));
		o->seq = (uint16_t)g_random_int();
		o->rtx_seq = (uint16_t)g_random_int();
		o->seq_offset = (uint16_t)g_random_int();
		o->remote_ssrc = t->remote_ssrc;
		if (t->send && t->kind == TRACK_VIDEO && t->fb_nack)
			o->history = send_history_new(p->transport->settings.history_packets,
			                              HISTORY_MAX_PACKET);
		memset(in, 0, sizeof(*in));
		in->ssrc = t->remote_ssrc;
		in->rtx_ssrc = t->remote_rtx_ssrc;
		recv_stats_init(&in->stats);
		if (t->receive && t->fb_nack) {
			in->nack = g_new(struct nack_tracker, 1);
			nack_init(in->nack, NULL);
		}
		need_twcc += t->receive && t->fb_twcc;
		video_in = video_in || (t->receive && t->kind == TRACK_VIDEO);
	}
	p->twcc_interval_us = video_in ? PEER_TWCC_US : PEER_TWCC_AUDIO_US;
	if (need_twcc && !p->twcc) {
		p->twcc = g_new(struct twcc_recorder, 1);
		twcc_init(p->twcc);
	}
	for (unsigned i = 0; i < p->track_count && !p->bwe; i++) {
		if (p->tracks[i].send && p->tracks[i].ext_twcc) {
			p->bwe = g_new(struct peer_bwe, 1);
			send_bwe_init(&p->bwe->est);
			p->bwe->est.cfg.start_bps = p->transport->settings.bwe_start_bps;
		}
	}
}

void peer_streams_clear(struct peer *p)
{
	for (unsigned i = 0; i < PEER_MAX_TRACKS; i++) {
		g_clear_pointer(&p->out[i].history, send_history_free);
		g_clear_pointer(&p->in[i].nack, g_free);
	}
}

/* ---- receiving ---- */

static void drop(struct peer *p, enum drop_reason reason)
{
	p->dropped++;
	transport_drop(p->transport, reason);
}

static enum drop_reason srtp_drop_reason(int err)
{
	switch (err) {
	case CAU_SRTP_ERR_AUTH:
		return DROP_SRTP_AUTH;
	case CAU_SRTP_ERR_REPLAY:
		return DROP_SRTP_REPLAY;
	case CAU_SRTP_ERR_PARAM:
		return DROP_MALFORMED;
	default:
		return DROP_SRTP_OTHER;
	}
}

/* Does pkt carry track t's mid in its MID header extension? */
static bool mid_matches(const struct rtp_packet *pkt, const struct peer_track *t)
{
	struct rtp_ext_element el;

	if (!t->ext_mid || rtp_ext_find(pkt, t->ext_mid, &el) != 0)
		return false;
	return el.len == strlen(t->mid) && memcmp(el.data, t->mid, el.len) == 0;
}

/*
 * Finds the track of pkt: by SSRC, else by MID extension, else by a payload type that only
 * one track uses; a new SSRC is then bound to the track (as its RTX one for the RTX payload
 * type). Returns the track index or -1.
 */
static int find_track(struct peer *p, const struct rtp_packet *pkt, bool *is_rtx)
{
	int by_pt = -1, pt_matches = 0;

	/* 0 stands for "not known yet" in the table, so it never matches. */
	for (unsigned i = 0; i < p->track_count && pkt->ssrc; i++) {
		if (p->in[i].ssrc == pkt->ssrc || p->in[i].rtx_ssrc == pkt->ssrc) {
			*is_rtx = p->in[i].ssrc != pkt->ssrc;
			return (int)i;
		}
	}
	for (unsigned i = 0; i < p->track_count; i++) {
		const struct peer_track *t = &p->tracks[i];
		bool rtx = t->codec.has_rtx && pkt->payload_type == t->codec.rtx_pt;

		if (pkt->payload_type != t->codec.pt && !rtx)
			continue;
		if (mid_matches(pkt, t)) {
			by_pt = (int)i;
			pt_matches = 1;
			break;
		}
		if (!(rtx ? p->in[i].rtx_ssrc : p->in[i].ssrc)) {
			by_pt = (int)i;
			pt_matches++;
		}
	}
	if (pt_matches != 1)
		return -1;
	*is_rtx =
	    p->tracks[by_pt].codec.has_rtx && pkt->payload_type == p->tracks[by_pt].codec.rtx_pt;
	if (*is_rtx) {
		p->in[by_pt].rtx_ssrc = pkt->ssrc;
	} else {
		p->in[by_pt].ssrc = pkt->ssrc;
		g_mutex_lock(&p->send_lock);
		p->out[by_pt].remote_ssrc = pkt->ssrc;
		g_mutex_unlock(&p->send_lock);
	}
	g_debug("[peer %s] track %u (%s): remote %sSSRC %u", p->id, by_pt, p->tracks[by_pt].mid,
	        *is_rtx ? "RTX " : "", pkt->ssrc);
	return by_pt;
}

/*
 * Turns the RTX packet in buf (RFC 4588: the original sequence number, then the original
 * payload) back into the original packet, in place: the header moves 2 bytes forward.
 * Returns the new start of the packet and sets *len, or NULL if it is malformed.
 */
static uint8_t *unwrap_rtx(const struct peer_track *t, const struct stream_in *in, uint8_t *buf,
                           size_t *len, struct rtp_packet *pkt)
{
	uint16_t osn;
	size_t header = pkt->header_len;
	uint8_t *start;

	if (pkt->payload_len < RTX_OSN_LEN)
		return NULL;
	osn = (uint16_t)(pkt->payload[0] << 8 | pkt->payload[1]);
	memmove(buf + RTX_OSN_LEN, buf, header);
	start = buf + RTX_OSN_LEN;
	*len -= RTX_OSN_LEN;
	start[1] = (uint8_t)((start[1] & 0x80) | t->codec.pt);
	rtp_set_seq(start, *len, osn);
	rtp_set_ssrc(start, *len, in->ssrc);
	return rtp_parse(start, *len, pkt) == 0 ? start : NULL;
}

static void track_received(struct peer *p, unsigned idx, const struct rtp_packet *pkt,
                           bool repaired, int64_t now)
{
	const struct peer_track *t = &p->tracks[idx];
	struct stream_in *in = &p->in[idx];
	struct rtp_ext_values ext;

	enum nack_result loss = in->nack ? nack_on_packet(in->nack, pkt->seq, now) : NACK_IN_ORDER;

	if (repaired && loss == NACK_OLD)
		return; /* an RTX of a packet that was not missing (a sender's probe): a duplicate
		         */
	recv_stats_update(&in->stats, pkt->seq, pkt->timestamp, now, t->codec.clock_rate,
	                  pkt->payload_len, repaired);
	if (loss == NACK_GAP)
		peer_send_nacks(p, idx, now); /* at once; retries come with the timer */
	if (loss == NACK_RESET) {
		g_debug("[peer %s] track %u: gap too large for NACKs, asking for a keyframe", p->id,
		        idx);
		peer_request_keyframe(p, idx);
	}
	if (rtp_ext_parse(pkt, &t->ext, &ext) != 0)
		memset(&ext, 0, sizeof(ext));
	if (p->media.rtp && peer_media_enter(p)) {
		p->media.rtp(p, t, pkt, &ext, p->user_data);
		peer_media_leave(p);
	}
}

static void receive_rtp(struct peer *p, uint8_t *buf, size_t len, int64_t now)
{
	struct rtp_packet pkt;
	bool is_rtx = false;
	int idx, err;
	struct rtp_ext_element el;

	if (!p->srtp) {
		drop(p, DROP_NOT_READY);
		return;
	}
	err = cau_srtp_unprotect_rtp(p->srtp, buf, len, &len);
	if (err) {
		cau_trace("[peer %s] srtp: %s", p->id, cau_srtp_strerror(err));
		drop(p, srtp_drop_reason(err));
		return;
	}
	if (rtp_parse(buf, len, &pkt) != 0) {
		drop(p, DROP_MALFORMED);
		return;
	}
	idx = find_track(p, &pkt, &is_rtx);
	if (idx < 0) {
		cau_trace("[peer %s] rtp: unknown SSRC %u (pt %u)", p->id, pkt.ssrc,
		          pkt.payload_type);
		drop(p, DROP_UNKNOWN_SSRC);
		return;
	}
	if (!p->tracks[idx].receive) {
		drop(p, DROP_NOT_RECEIVING);
		return;
	}
	transport_count(p->transport, COUNT_PACKETS_IN, 1);
	transport_count(p->transport, COUNT_BYTES_IN, (int64_t)len);
	if (p->twcc && p->tracks[idx].ext_twcc &&
	    rtp_ext_find(&pkt, p->tracks[idx].ext_twcc, &el) == 0 && el.len == 2)
		twcc_record(p->twcc, (uint16_t)(el.data[0] << 8 | el.data[1]), now);
	if (is_rtx) {
		if (pkt.payload_len == 0)
			return; /* padding only: a bandwidth probe, nothing to repair */
		if (!p->in[idx].ssrc ||
		    !unwrap_rtx(&p->tracks[idx], &p->in[idx], buf, &len, &pkt)) {
			drop(p, DROP_MALFORMED);
			return;
		}
		p->in[idx].rtx_received++;
		transport_count(p->transport, COUNT_RTX_RECEIVED, 1);
	}
	track_received(p, (unsigned)idx, &pkt, is_rtx, now);
}

static void receive_rtcp(struct peer *p, uint8_t *buf, size_t len, int64_t now)
{
	int err;

	if (!p->srtp) {
		drop(p, DROP_NOT_READY);
		return;
	}
	err = cau_srtp_unprotect_rtcp(p->srtp, buf, len, &len);
	if (err) {
		cau_trace("[peer %s] srtcp: %s", p->id, cau_srtp_strerror(err));
		drop(p, srtp_drop_reason(err));
		return;
	}
	if (rtcp_validate(buf, len) != 0) {
		drop(p, DROP_MALFORMED);
		return;
	}
	peer_receive_rtcp(p, buf, len, now);
}

void peer_receive(struct peer *p, uint8_t *buf, size_t len, int64_t now_us)
{
	if (p->released)
		return;
	switch (packet_classify(buf, len)) {
	case PACKET_STUN:
		/* libnice keeps STUN for itself; one that gets here is stray. */
		break;
	case PACKET_DTLS:
		peer_dtls_receive(p, buf, len, now_us);
		break;
	case PACKET_RTP:
		receive_rtp(p, buf, len, now_us);
		break;
	case PACKET_RTCP:
		receive_rtcp(p, buf, len, now_us);
		break;
	default:
		drop(p, DROP_UNKNOWN_TYPE);
		break;
	}
}

/* ---- sending ---- */

/* Protects the plain packet in p->scratch (len bytes) and copies it to out. Under
 * send_lock. Returns the protected length or -errno. */
static int protect_rtp_locked(struct peer *p, size_t len, uint8_t *out)
{
	size_t protected_len;
	int err =
	    cau_srtp_protect_rtp(p->srtp, p->scratch, len, sizeof(p->scratch), &protected_len);

	if (err)
		return err;
	memcpy(out, p->scratch, protected_len);
	return (int)protected_len;
}

static size_t build_extensions(struct peer *p, const struct peer_track *t,
                               const struct peer_rtp_out *o, struct rtp_ext_element *els,
                               uint8_t *level, uint8_t *twcc)
{
	size_t n = 0;

	if (t->ext_mid)
		els[n++] =
		    (struct rtp_ext_element){t->ext_mid, (const uint8_t *)t->mid, strlen(t->mid)};
	if (t->ext_audio_level && o->has_audio_level) {
		*level = rtp_ext_encode_audio_level(o->vad, o->audio_level);
		els[n++] = (struct rtp_ext_element){t->ext_audio_level, level, 1};
	}
	if (t->ext_twcc) {
		rtp_ext_encode_twcc(twcc, ++p->twcc_seq);
		els[n++] = (struct rtp_ext_element){t->ext_twcc, twcc, 2};
	}
	return n;
}

static int send_locked(struct peer *p, unsigned idx, const struct peer_rtp_out *o, uint8_t *out,
                       int64_t now)
{
	const struct peer_track *t = &p->tracks[idx];
	struct stream_out *so = &p->out[idx];
	struct rtp_ext_element els[3];
	uint8_t level, twcc[2];
	size_t len;
	struct rtp_packet hdr = {
	    .marker = o->marker,
	    .payload_type = t->codec.pt,
	    .timestamp = o->timestamp,
	    .ssrc = t->local_ssrc,
	};
	size_t n_ext = build_extensions(p, t, o, els, &level, twcc);
	size_t protected_len;
	int ret;

	if (o->payload_rest_len > PEER_MTU)
		return -EMSGSIZE;
	hdr.seq = o->has_seq ? (uint16_t)(o->seq + so->seq_offset) : ++so->seq;
	/* Written and protected in the sending thread's buffer (in its cache) rather than in
	 * the peer's scratch: a room's media thread sends to each receiver in turn.
	 * The peer never pads, so the rest of the payload simply follows. */
	ret = rtp_packet_write(out, PEER_MTU - o->payload_rest_len, &hdr, els, n_ext, o->payload,
	                       o->payload_len, &len);
	if (ret)
		return ret == -ENOSPC ? -EMSGSIZE : ret;
	if (o->payload_rest_len) {
		memcpy(out + len, o->payload_rest, o->payload_rest_len);
		len += o->payload_rest_len;
	}
	if (so->history) /* a copy, unless an owner holds the rest */
		send_history_put_shared(so->history, hdr.seq, out, len, o->payload_rest_owner,
		                        o->payload_rest, o->payload_rest_len, now);
	ret = cau_srtp_protect_rtp(p->srtp, out, len, PEER_MTU + CAU_SRTP_MAX_TRAILER_LEN,
	                           &protected_len);
	if (ret)
		return ret;
	ret = (int)protected_len;
	if (t->ext_twcc && p->bwe)
		send_bwe_on_sent(&p->bwe->est, p->twcc_seq, (size_t)ret, now);
	so->packets++;
	so->bytes += o->payload_len + o->payload_rest_len;
	so->last_rtp_ts = o->timestamp;
	so->last_send_us = now;
	so->sync_delay_us = o->sync_delay_us;
	so->sent_since_report = true;
	return ret;
}

void peer_prefetch_send(const struct peer *p, unsigned track, unsigned stage)
{
	if (!p || track >= PEER_MAX_TRACKS)
		return;
	if (stage == 0) {
		const struct peer_track *t = &p->tracks[track];

		__builtin_prefetch(p);
		__builtin_prefetch(&p->send_lock);
		__builtin_prefetch(&p->srtp);
		__builtin_prefetch(&p->ice_lock);
		__builtin_prefetch(&p->out[track]);
		__builtin_prefetch(t);
		__builtin_prefetch(&t->codec);
		__builtin_prefetch(&t->ext_mid);
		return;
	}
	/* The pointers may change under the send lock meanwhile: a prefetch of a stale one
	 * is harmless, and nothing is read through them here. */
	__builtin_prefetch(__atomic_load_n(&p->srtp, __ATOMIC_RELAXED));
	__builtin_prefetch(__atomic_load_n(&p->ice, __ATOMIC_RELAXED));
	__builtin_prefetch(__atomic_load_n(&p->bwe, __ATOMIC_RELAXED));
}

/* A batch's datagrams (or a single one), back to back: the sending thread's, so that a
 * room's media thread writes its packets for each receiver in turn into the same warm
 * buffer. */
static __thread uint8_t batch_buf[PEER_BATCH_MAX * (PEER_MTU + CAU_SRTP_MAX_TRAILER_LEN)];

int peer_send_rtp_batch(struct peer *p, unsigned track, const struct peer_rtp_out *outs,
                        size_t count)
{
	size_t lens[PEER_BATCH_MAX], total = 0, n = 0;
	int64_t now = p->now_us();
	int err = 0, ret;

	if (count > PEER_BATCH_MAX)
		return -E2BIG;
	g_mutex_lock(&p->send_lock);
	if (!p->srtp || g_atomic_int_get(&p->state) != PEER_STATE_CONNECTED)
		err = -ENOTCONN;
	else if (track >= p->track_count || !p->tracks[track].send)
		err = -EINVAL;
	for (size_t i = 0; !err && i < count; i++) {
		int len = send_locked(p, track, &outs[i], batch_buf + total, now);

		if (len < 0) {
			err = len;
			break;
		}
		lens[n++] = (size_t)len;
		total += (size_t)len;
	}
	g_mutex_unlock(&p->send_lock);
	if (n == 0)
		return err;
	transport_count(p->transport, COUNT_PACKETS_OUT, (int64_t)n);
	transport_count(p->transport, COUNT_BYTES_OUT, (int64_t)total);
	ret = peer_transmit_many(p, batch_buf, lens, n);
	return err ? err : ret;
}

int peer_send_rtp(struct peer *p, unsigned track, const struct peer_rtp_out *out)
{
	return peer_send_rtp_batch(p, track, out, 1);
}

/* Builds the RTX packet (RFC 4588) of the plain packet orig (len bytes) in p->scratch. */
static int build_rtx_locked(struct peer *p, unsigned idx, const uint8_t *orig, size_t len)
{
	const struct peer_track *t = &p->tracks[idx];
	struct rtp_packet pkt;
	size_t header, payload;

	if (rtp_parse(orig, len, &pkt) != 0)
		return -EINVAL;
	header = pkt.header_len;
	payload = pkt.payload_len;
	if (header + RTX_OSN_LEN + payload > PEER_MTU)
		return -EMSGSIZE;
	memcpy(p->scratch, orig, header);
	p->scratch[0] &= (uint8_t)~0x20; /* no padding */
	p->scratch[header] = (uint8_t)(pkt.seq >> 8);
	p->scratch[header + 1] = (uint8_t)pkt.seq;
	memcpy(p->scratch + header + RTX_OSN_LEN, pkt.payload, payload);
	len = header + RTX_OSN_LEN + payload;
	p->scratch[1] = (uint8_t)((p->scratch[1] & 0x80) | t->codec.rtx_pt);
	rtp_set_seq(p->scratch, len, ++p->out[idx].rtx_seq);
	rtp_set_ssrc(p->scratch, len, t->local_rtx_ssrc);
	return (int)len;
}

int peer_retransmit(struct peer *p, unsigned idx, uint16_t seq, int64_t now)
{
	uint8_t datagram[PEER_MTU + CAU_SRTP_MAX_TRAILER_LEN];
	uint8_t orig[PEER_MTU];
	size_t orig_len;
	int64_t sent_us;
	int len;

	g_mutex_lock(&p->send_lock);
	if (!p->srtp || !p->out[idx].history) {
		len = -ENOTCONN;
	} else if (send_history_get(p->out[idx].history, seq, orig, sizeof(orig), &orig_len,
	                            &sent_us) != 0 ||
	           now - sent_us > PEER_MAX_RETRANSMIT_AGE_US) {
		len = -ENOENT;
	} else if (p->tracks[idx].codec.has_rtx) {
		len = build_rtx_locked(p, idx, orig, orig_len);
	} else {
		memcpy(p->scratch, orig, orig_len);
		len = (int)orig_len;
	}
	if (len > 0)
		len = protect_rtp_locked(p, (size_t)len, datagram);
	if (len > 0)
		p->out[idx].retransmissions++;
	g_mutex_unlock(&p->send_lock);
	if (len < 0)
		return len;
	transport_count(p->transport, COUNT_NACKS_ANSWERED, 1);
	return peer_transmit(p, datagram, (size_t)len);
}
