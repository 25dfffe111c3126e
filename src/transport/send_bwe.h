/* SPDX-License-Identifier: MIT */
/* A send-side bandwidth estimate from transport-wide congestion control feedback: what the
 * remote received of what this server sent, when, and with how much queueing (pure). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/rtcp.h"

#define SEND_BWE_WINDOW 2048 /* sent packets remembered, by transport-wide sequence number */

/* send_bwe_init() sets the defaults shown. */
struct send_bwe_config {
	uint64_t start_bps; /* 600 kb/s: the first estimate is at least this, as what is sent
	                     * at first is often less than the path carries ([video] start_kbps) */
	uint64_t min_bps;   /* 30 kb/s: never below */
	uint64_t max_bps;   /* 5 Mb/s: never above */
	unsigned loss_high_percent; /* 10: more loss than this backs off */
	unsigned loss_low_percent;  /* 2: less than this (and no queue) lets it grow */
	unsigned growth_percent;    /* 8: growth a second while the path looks clear */
	uint64_t queue_high_us;     /* 60 ms: queueing delay above the path's base that means
	                             * the link is full */
};

struct send_bwe_stats {
	uint64_t feedbacks; /* feedback messages used */
	uint64_t acked;     /* sent packets reported received */
	uint64_t lost;      /* sent packets reported lost */
	uint64_t unknown;   /* statuses of packets not remembered (too old, not ours) */
	uint64_t decreases; /* back-offs (loss or queueing) */
	uint64_t queue_us;  /* queueing delay at the last feedback */
	uint64_t rate_bps;  /* delivery rate at the last feedback, 0 if too short to tell */
};

struct send_bwe_sent {
	int64_t send_us; /* 0: free */
	uint32_t size;
	uint16_t seq;
};

/* One peer's estimator. Plain state; the caller serialises on_sent and on_feedback. */
struct send_bwe {
	struct send_bwe_config cfg;
	struct send_bwe_sent sent[SEND_BWE_WINDOW];
	uint64_t estimate_bps; /* 0 until the first useful feedback */
	int64_t last_update_us;
	int64_t base_delay_us; /* smallest one-way delay (arrival - send) seen lately */
	int64_t base_since_us; /* when that base was set: it is forgotten after 10 s */
	bool have_base;
	uint64_t last_queue_us; /* the queueing delay at the previous feedback */
	unsigned growing;       /* feedbacks in a row with a high queue that kept growing */
	struct send_bwe_stats stats;
};

void send_bwe_init(struct send_bwe *b);

/* A packet of size bytes (the datagram) sent now with transport-wide sequence seq. */
void send_bwe_on_sent(struct send_bwe *b, uint16_t seq, size_t size, int64_t now_us);

/*
 * A feedback message's statuses (rtcp_twcc_decode()), received now. Updates the estimate:
 * loss above loss_high backs off by half the loss ratio; a queueing delay above
 * queue_high (the one-way delay over its recent minimum) that grew over two feedbacks in
 * a row (a full link, not a scheduling hiccup that drains at once) lowers it to 85% of
 * the delivery rate; a clear path (little loss, no queue) grows it by growth_percent a second. The
 * first useful feedback starts it at the delivery rate or start_bps, the larger, and
 * the next ones back off from there at once if the path is congested. Returns the
 * estimate (bits per second; 0: none yet).
 */
uint64_t send_bwe_on_feedback(struct send_bwe *b, const struct rtcp_twcc_status *st, size_t count,
                              int64_t now_us);
