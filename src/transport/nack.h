/* SPDX-License-Identifier: MIT */
/* Loss detection on one received RTP stream and the NACKs (RFC 4585) that ask for it back. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NACK_MAX_MISSING 256

struct nack_params {
	unsigned max_retries;    /* NACKs per missing packet before giving up */
	int64_t max_age_us;      /* a packet missing for longer is given up */
	int64_t min_interval_us; /* least time between two NACKs of one packet */
	int64_t first_delay_us;  /* wait for reordering before the first NACK */
};

/* Defaults: 10 retries, 1 s, 20 ms, 0 (a gap is asked for at once: a receiver downstream
 * of a forwarder gives up on its own NACKs within a few round trips). */
extern const struct nack_params nack_default_params;

struct nack_entry {
	uint16_t seq;
	uint8_t retries;
	int64_t first_us;
	int64_t next_us;
};

/*
 * A plain value with a fixed table (no allocation); one per received stream, used by one
 * thread (the peer's worker). Time is passed in, so tests need no clock.
 */
struct nack_tracker {
	struct nack_params params;
	bool started;
	uint16_t highest;
	unsigned count;
	struct nack_entry missing[NACK_MAX_MISSING];
	/* Totals. */
	uint64_t requested; /* sequence numbers put in NACKs (retries included) */
	uint64_t recovered; /* missing packets that arrived later */
	uint64_t given_up;  /* missing packets dropped after max_retries or max_age */
};

void nack_init(struct nack_tracker *t, const struct nack_params *params);

enum nack_result {
	NACK_IN_ORDER,  /* the next packet */
	NACK_GAP,       /* a packet after a gap: the gap is now missing (NACK it now) */
	NACK_RECOVERED, /* a missing packet arrived */
	NACK_OLD,       /* a duplicate, or older than anything tracked */
	NACK_RESET,     /* the gap was larger than NACK_MAX_MISSING: tracking restarted; the
	                   caller should ask for a keyframe instead */
};

/* Records the arrival of packet seq at now_us. */
enum nack_result nack_on_packet(struct nack_tracker *t, uint16_t seq, int64_t now_us);

/*
 * Writes to seqs (at most cap, in increasing order) the missing sequence numbers due for a
 * NACK at now_us, given the round-trip time (rtt_us, 0 if unknown: 100 ms is assumed), and
 * schedules their next retry. Entries past their retries or age are dropped first.
 * Returns the count written.
 */
size_t nack_collect(struct nack_tracker *t, int64_t now_us, int64_t rtt_us, uint16_t *seqs,
                    size_t cap);
