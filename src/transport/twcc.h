/* SPDX-License-Identifier: MIT */
/* Arrival times of received packets by transport-wide sequence number, turned into
 * transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc). */
#pragma once

#include "proto/rtcp.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TWCC_WINDOW 1024 /* packets between two feedback messages, at most */

/*
 * A plain value with fixed tables (no allocation); one per peer, used by its worker
 * thread. Sequence numbers are unwrapped to 64 bits internally.
 */
struct twcc_recorder {
	bool started;
	int64_t last_unwrapped; /* of the latest packet recorded */
	int64_t next_base;      /* first sequence number of the next feedback */
	int64_t max_seen;       /* highest sequence number recorded */
	uint8_t fb_count;
	int64_t arrival_us[TWCC_WINDOW]; /* by unwrapped seq % window; 0: not received */
	int64_t slot_seq[TWCC_WINDOW];   /* which unwrapped seq each slot holds */
	struct rtcp_twcc_arrival scratch[TWCC_WINDOW];
	uint64_t sent; /* feedback messages written */
};

void twcc_init(struct twcc_recorder *r);

/* Records that the packet with transport-wide sequence number seq arrived at arrival_us
 * (> 0, on the receiver's monotonic clock). Packets older than the last feedback sent are
 * ignored. */
void twcc_record(struct twcc_recorder *r, uint16_t seq, int64_t arrival_us);

/*
 * Writes one feedback message covering every sequence number since the previous one up to
 * the highest recorded, into buf (cap bytes). Returns its length, 0 if there is nothing to
 * report, or a negative errno from rtcp_write_twcc() (the covered range is dropped then, so
 * that one bad range cannot block feedback for good).
 */
int twcc_build(struct twcc_recorder *r, uint8_t *buf, size_t cap, uint32_t sender_ssrc,
               uint32_t media_ssrc);
