/* SPDX-License-Identifier: MIT */
/* Receiver-side loss tracking: missing sequence numbers, NACK timing and give-up rules. */
#include "nack.h"

#include <string.h>

#define DEFAULT_RTT_US 100000

const struct nack_params nack_default_params = {
    .max_retries = 10,
    .max_age_us = 1000000,
    .min_interval_us = 20000,
    .first_delay_us = 0,
};

void nack_init(struct nack_tracker *t, const struct nack_params *params)
{
	memset(t, 0, sizeof(*t));
	t->params = params ? *params : nack_default_params;
}

static void remove_at(struct nack_tracker *t, unsigned i)
{
	memmove(&t->missing[i], &t->missing[i + 1], (t->count - i - 1) * sizeof(t->missing[0]));
	t->count--;
}

/* Makes room for n more entries by giving up the oldest ones. */
static void make_room(struct nack_tracker *t, unsigned n)
{
	while (t->count && t->count + n > NACK_MAX_MISSING) {
		remove_at(t, 0);
		t->given_up++;
	}
}

enum nack_result nack_on_packet(struct nack_tracker *t, uint16_t seq, int64_t now_us)
{
	int16_t delta;

	if (!t->started) {
		t->started = true;
		t->highest = seq;
		return NACK_IN_ORDER;
	}
	delta = (int16_t)(uint16_t)(seq - t->highest);
	if (delta > NACK_MAX_MISSING) {
		t->given_up += t->count;
		t->count = 0;
		t->highest = seq;
		return NACK_RESET;
	}
	if (delta > 0) {
		unsigned gap = (unsigned)delta - 1;

		make_room(t, gap);
		for (unsigned k = 1; k <= gap; k++) {
			struct nack_entry *e = &t->missing[t->count++];

			*e = (struct nack_entry){.seq = (uint16_t)(t->highest + k),
			                         .first_us = now_us,
			                         .next_us = now_us + t->params.first_delay_us};
		}
		t->highest = seq;
		return gap ? NACK_GAP : NACK_IN_ORDER;
	}
	for (unsigned i = 0; i < t->count; i++) {
		if (t->missing[i].seq == seq) {
			remove_at(t, i);
			t->recovered++;
			return NACK_RECOVERED;
		}
	}
	return NACK_OLD;
}

size_t nack_collect(struct nack_tracker *t, int64_t now_us, int64_t rtt_us, uint16_t *seqs,
                    size_t cap)
{
	int64_t interval = rtt_us > 0 ? rtt_us + rtt_us / 4 : DEFAULT_RTT_US;
	size_t n = 0;

	if (interval < t->params.min_interval_us)
		interval = t->params.min_interval_us;
	for (unsigned i = 0; i < t->count;) {
		struct nack_entry *e = &t->missing[i];

		if (e->retries >= t->params.max_retries ||
		    now_us - e->first_us > t->params.max_age_us) {
			remove_at(t, i);
			t->given_up++;
			continue;
		}
		if (e->next_us <= now_us && n < cap) {
			seqs[n++] = e->seq;
			e->retries++;
			e->next_us = now_us + interval;
			t->requested++;
		}
		i++;
	}
	return n;
}
