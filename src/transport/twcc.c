/* SPDX-License-Identifier: MIT */
/* Transport-wide feedback generation from recorded arrivals. */
#include "twcc.h"

#include <errno.h>
#include <string.h>

void twcc_init(struct twcc_recorder *r)
{
	memset(r, 0, sizeof(*r));
}

static int64_t unwrap(struct twcc_recorder *r, uint16_t seq)
{
	int16_t delta = (int16_t)(uint16_t)(seq - (uint16_t)r->last_unwrapped);
	int64_t value = r->last_unwrapped + delta;

	if (value > r->last_unwrapped)
		r->last_unwrapped = value;
	return value;
}

void twcc_record(struct twcc_recorder *r, uint16_t seq, int64_t arrival_us)
{
	int64_t useq;
	unsigned slot;

	if (!r->started) {
		r->started = true;
		/* Start far from 0 so that unwrapped numbers stay positive. */
		r->last_unwrapped = ((int64_t)1 << 32) + seq;
		r->next_base = r->last_unwrapped;
		r->max_seen = r->last_unwrapped - 1;
	}
	useq = unwrap(r, seq);
	if (useq < r->next_base)
		return;
	if (useq - r->next_base >= TWCC_WINDOW) {
		/* Too far ahead: what lies before the window can no longer be reported. */
		r->next_base = useq - TWCC_WINDOW + 1;
	}
	slot = (unsigned)(useq % TWCC_WINDOW);
	r->slot_seq[slot] = useq;
	r->arrival_us[slot] = arrival_us;
	if (useq > r->max_seen)
		r->max_seen = useq;
}

int twcc_build(struct twcc_recorder *r, uint8_t *buf, size_t cap, uint32_t sender_ssrc,
               uint32_t media_ssrc)
{
	size_t count = 0;
	int len;

	if (!r->started || r->max_seen < r->next_base)
		return 0;
	for (int64_t s = r->next_base; s <= r->max_seen; s++) {
		unsigned slot = (unsigned)(s % TWCC_WINDOW);
		struct rtcp_twcc_arrival *a = &r->scratch[count++];

		a->seq = (uint16_t)s;
		a->received = r->slot_seq[slot] == s && r->arrival_us[slot] > 0;
		a->arrival_us = a->received ? r->arrival_us[slot] : 0;
	}
	len = rtcp_write_twcc(buf, cap, sender_ssrc, media_ssrc, r->fb_count, r->scratch, count);
	if (len == -ENOSPC)
		return len; /* try again with more room; nothing is lost */
	r->next_base = r->max_seen + 1;
	if (len > 0) {
		r->fb_count++;
		r->sent++;
	}
	return len;
}
