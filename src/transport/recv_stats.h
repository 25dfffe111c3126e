/* SPDX-License-Identifier: MIT */
/* RFC 3550 receiver statistics of one RTP source: extended sequence numbers, loss, jitter,
 * and the report block that tells the sender about them. */
#pragma once

#include "proto/rtcp.h"

#include <stdbool.h>
#include <stdint.h>

/* A plain value, used by one thread (the peer's worker); time is passed in. */
struct recv_stats {
	bool started;
	uint16_t max_seq;
	uint32_t cycles; /* sequence wraps, in units of 65536 */
	uint32_t base_seq;
	uint64_t packets;
	uint64_t bytes; /* payload bytes */
	/* Interarrival jitter (RFC 3550 A.8) in RTP timestamp units, scaled by 16. */
	uint32_t jitter_q4;
	bool have_transit;
	int64_t last_transit;
	/* State of the previous report block, for the fraction lost in between. */
	uint64_t expected_prior, received_prior;
	/* The last sender report: middle 32 bits of its NTP time and when it came. */
	uint32_t last_sr;
	int64_t last_sr_us;
};

void recv_stats_init(struct recv_stats *s);

/*
 * Counts one packet: seq, its RTP timestamp, arrival time (microseconds, any monotonic
 * clock), the stream's clock rate and its payload size. A retransmission updates the counts
 * but not the jitter.
 */
void recv_stats_update(struct recv_stats *s, uint16_t seq, uint32_t rtp_ts, int64_t arrival_us,
                       uint32_t clock_rate, size_t payload_bytes, bool retransmission);

/* Records a sender report (its 64-bit NTP timestamp) received at now_us. */
void recv_stats_on_sr(struct recv_stats *s, uint64_t ntp, int64_t now_us);

/* The extended highest sequence number received. */
uint32_t recv_stats_ext_highest(const struct recv_stats *s);

/* Packets expected but not received so far (negative with duplicates). */
int64_t recv_stats_lost(const struct recv_stats *s);

/* Jitter in milliseconds for a clock rate. */
double recv_stats_jitter_ms(const struct recv_stats *s, uint32_t clock_rate);

/*
 * Fills a report block about source ssrc at now_us and starts a new interval for the
 * fraction lost. Returns false (nothing filled) before the first packet.
 */
bool recv_stats_report_block(struct recv_stats *s, uint32_t ssrc, int64_t now_us,
                             struct rtcp_report_block *out);

/* The middle 32 bits of an NTP timestamp (the LSR/DLSR unit is 1/65536 s). */
uint32_t ntp_middle32(uint64_t ntp);

/* Converts a wall-clock time in microseconds since the Unix epoch to NTP 32.32. */
uint64_t ntp_from_unix_us(int64_t unix_us);

/*
 * Round-trip time from a report block about a stream this side sends (RFC 3550 6.4.1):
 * now_ntp_mid32 - lsr - dlsr, in microseconds. Returns -1 if the block carries no LSR.
 */
int64_t rtt_from_report(const struct rtcp_report_block *rb, uint32_t now_ntp_mid32);
