/* SPDX-License-Identifier: MIT */
/* Receiver statistics (RFC 3550 appendix A.1, A.3, A.8) and NTP helpers. */
#include "recv_stats.h"

#include <glib.h>
#include <string.h>

#define NTP_UNIX_OFFSET_S 2208988800ull

void recv_stats_init(struct recv_stats *s)
{
	memset(s, 0, sizeof(*s));
}

void recv_stats_update(struct recv_stats *s, uint16_t seq, uint32_t rtp_ts, int64_t arrival_us,
                       uint32_t clock_rate, size_t payload_bytes, bool retransmission)
{
	if (!s->started) {
		s->started = true;
		s->max_seq = seq;
		s->base_seq = seq;
	} else {
		uint16_t delta = (uint16_t)(seq - s->max_seq);

		if (delta && delta < 0x8000) {
			if (seq < s->max_seq)
				s->cycles += 65536;
			s->max_seq = seq;
		}
	}
	s->packets++;
	s->bytes += payload_bytes;
	if (retransmission || clock_rate == 0)
		return;
	/* Transit time in RTP units; only differences matter, so any epoch will do. */
	int64_t arrival = arrival_us * (int64_t)clock_rate / 1000000;
	int64_t transit = arrival - (int64_t)rtp_ts;
	if (s->have_transit) {
		int64_t d = transit - s->last_transit;
		if (d < 0)
			d = -d;
		/* J += (|D| - J) / 16, kept scaled by 16 (A.8). Huge |D| (a timestamp jump) is
		 * clamped so that one outlier cannot wreck the estimate. */
		if (d > (int64_t)clock_rate * 10)
			d = (int64_t)clock_rate * 10;
		s->jitter_q4 = (uint32_t)((int64_t)s->jitter_q4 + d - ((s->jitter_q4 + 8) >> 4));
	}
	s->last_transit = transit;
	s->have_transit = true;
}

void recv_stats_on_sr(struct recv_stats *s, uint64_t ntp, int64_t now_us)
{
	s->last_sr = ntp_middle32(ntp);
	s->last_sr_us = now_us;
}

uint32_t recv_stats_ext_highest(const struct recv_stats *s)
{
	return s->cycles + s->max_seq;
}

static uint64_t expected(const struct recv_stats *s)
{
	return s->started ? (uint64_t)recv_stats_ext_highest(s) - s->base_seq + 1 : 0;
}

int64_t recv_stats_lost(const struct recv_stats *s)
{
	return (int64_t)expected(s) - (int64_t)s->packets;
}

double recv_stats_jitter_ms(const struct recv_stats *s, uint32_t clock_rate)
{
	if (!clock_rate)
		return 0;
	return (double)(s->jitter_q4 >> 4) * 1000.0 / clock_rate;
}

bool recv_stats_report_block(struct recv_stats *s, uint32_t ssrc, int64_t now_us,
                             struct rtcp_report_block *out)
{
	uint64_t exp = expected(s);
	int64_t expected_interval, lost_interval, lost = recv_stats_lost(s);

	if (!s->started)
		return false;
	expected_interval = (int64_t)(exp - s->expected_prior);
	lost_interval = expected_interval - (int64_t)(s->packets - s->received_prior);
	s->expected_prior = exp;
	s->received_prior = s->packets;
	memset(out, 0, sizeof(*out));
	out->ssrc = ssrc;
	out->fraction_lost = expected_interval > 0 && lost_interval > 0
	                         ? (uint8_t)((lost_interval << 8) / expected_interval)
	                         : 0;
	/* 24-bit signed on the wire. */
	out->cumulative_lost = (int32_t)CLAMP(lost, -0x800000, 0x7fffff);
	out->ext_highest_seq = recv_stats_ext_highest(s);
	out->jitter = s->jitter_q4 >> 4;
	if (s->last_sr_us) {
		out->lsr = s->last_sr;
		out->dlsr = (uint32_t)((now_us - s->last_sr_us) * 65536 / 1000000);
	}
	return true;
}

uint32_t ntp_middle32(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

uint64_t ntp_from_unix_us(int64_t unix_us)
{
	uint64_t secs = (uint64_t)(unix_us / 1000000) + NTP_UNIX_OFFSET_S;
	uint64_t frac = ((uint64_t)(unix_us % 1000000) << 32) / 1000000;

	return (secs << 32) | frac;
}

int64_t rtt_from_report(const struct rtcp_report_block *rb, uint32_t now_ntp_mid32)
{
	uint32_t rtt;

	if (rb->lsr == 0)
		return -1;
	rtt = now_ntp_mid32 - rb->lsr - rb->dlsr;
	if (rtt > 0x7fffffff)
		return 0; /* clocks disagree by a little: call it no delay */
	return (int64_t)rtt * 1000000 / 65536;
}
