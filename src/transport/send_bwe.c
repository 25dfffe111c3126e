/* SPDX-License-Identifier: MIT */
/* A send-side bandwidth estimate from transport-wide feedback: loss and queueing delay push
 * it down, a clear path lets it grow slowly (a loss- and delay-based controller after GCC). */
#include "send_bwe.h"

#include <string.h>

#define BASE_DELAY_KEEP_US 10000000 /* the path's base delay is re-learned after 10 s */
#define MIN_SPAN_US        20000    /* a delivery rate needs arrivals spread over 20 ms */
#define MAX_STEP_US        1000000  /* growth is counted over at most a second at once */

void send_bwe_init(struct send_bwe *b)
{
	memset(b, 0, sizeof(*b));
	b->cfg = (struct send_bwe_config){
	    .start_bps = 600000,
	    .min_bps = 30000,
	    .max_bps = 5000000,
	    .loss_high_percent = 10,
	    .loss_low_percent = 2,
	    .growth_percent = 8,
	    .queue_high_us = 60000,
	};
}

void send_bwe_on_sent(struct send_bwe *b, uint16_t seq, size_t size, int64_t now_us)
{
	struct send_bwe_sent *s = &b->sent[seq % SEND_BWE_WINDOW];

	s->seq = seq;
	s->size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	s->send_us = now_us ? now_us : 1;
}

/* What one feedback says about the packets it covers. */
struct sample {
	uint64_t acked, lost, bytes;
	uint64_t first_size; /* the first arrival's bytes: the span starts as it arrives */
	int64_t first_arrival, last_arrival;
	int64_t last_delay; /* one-way delay (arrival - send, clocks unrelated) of the last */
	int64_t min_delay;
	bool any;
};

static void tally(struct send_bwe *b, const struct rtcp_twcc_status *st, size_t count,
                  struct sample *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < count; i++) {
		struct send_bwe_sent *s = &b->sent[st[i].seq % SEND_BWE_WINDOW];
		int64_t delay;

		if (s->send_us == 0 || s->seq != st[i].seq) {
			b->stats.unknown++;
			continue;
		}
		if (!st[i].received) {
			out->lost++;
			continue; /* kept: a later feedback may report it received after all */
		}
		out->acked++;
		out->bytes += s->size;
		delay = st[i].arrival_us - s->send_us;
		if (!out->any || st[i].arrival_us < out->first_arrival) {
			out->first_arrival = st[i].arrival_us;
			out->first_size = s->size;
		}
		if (!out->any || st[i].arrival_us >= out->last_arrival) {
			out->last_arrival = st[i].arrival_us;
			out->last_delay = delay;
		}
		if (!out->any || delay < out->min_delay)
			out->min_delay = delay;
		out->any = true;
		s->send_us = 0; /* reported: forget it */
	}
}

/* The queueing delay now: the last one-way delay above the path's recent minimum. */
static uint64_t queue_delay(struct send_bwe *b, const struct sample *smp, int64_t now_us)
{
	if (!b->have_base || smp->min_delay < b->base_delay_us ||
	    now_us - b->base_since_us > BASE_DELAY_KEEP_US) {
		b->base_delay_us = smp->min_delay;
		b->base_since_us = now_us;
		b->have_base = true;
	}
	return smp->last_delay > b->base_delay_us ? (uint64_t)(smp->last_delay - b->base_delay_us)
	                                          : 0;
}

uint64_t send_bwe_on_feedback(struct send_bwe *b, const struct rtcp_twcc_status *st, size_t count,
                              int64_t now_us)
{
	struct sample smp;
	uint64_t total, loss_pct, queue, rate = 0, est = b->estimate_bps;
	int64_t step;

	tally(b, st, count, &smp);
	total = smp.acked + smp.lost;
	if (total == 0)
		return b->estimate_bps;
	b->stats.feedbacks++;
	b->stats.acked += smp.acked;
	b->stats.lost += smp.lost;
	loss_pct = smp.lost * 100 / total;
	queue = smp.any ? queue_delay(b, &smp, now_us) : 0;
	if (smp.any && smp.last_arrival - smp.first_arrival >= MIN_SPAN_US)
		rate = (smp.bytes - smp.first_size) * 8 * 1000000 /
		       (uint64_t)(smp.last_arrival - smp.first_arrival);
	b->stats.queue_us = queue;
	b->stats.rate_bps = rate;
	b->growing = queue > b->cfg.queue_high_us && queue > b->last_queue_us ? b->growing + 1 : 0;
	b->last_queue_us = queue;
	step = b->last_update_us ? now_us - b->last_update_us : 0;
	step = step < 0 ? 0 : step > MAX_STEP_US ? MAX_STEP_US : step;

	if (est == 0) {
		if (rate == 0)
			return 0; /* nothing to start from yet */
		est = rate > b->cfg.start_bps ? rate : b->cfg.start_bps;
	} else if (loss_pct > b->cfg.loss_high_percent) {
		est = est * (200 - loss_pct) / 200; /* est * (1 - loss / 2) */
		b->stats.decreases++;
	} else if (b->growing >= 2 && rate > 0 && rate * 85 / 100 < est) {
		est = rate * 85 / 100;
		b->stats.decreases++;
	} else if (loss_pct < b->cfg.loss_low_percent && queue <= b->cfg.queue_high_us / 2) {
		est += est * b->cfg.growth_percent * (uint64_t)step / 100 / 1000000;
	}
	if (est < b->cfg.min_bps)
		est = b->cfg.min_bps;
	if (est > b->cfg.max_bps)
		est = b->cfg.max_bps;
	b->estimate_bps = est;
	b->last_update_us = now_us;
	return est;
}
