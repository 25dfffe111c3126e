/* SPDX-License-Identifier: MIT */
/* A preallocated ring of sent RTP packets, by sequence number. */
#include "send_history.h"

#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <string.h>

struct slot {
	bool used;
	uint16_t seq;
	uint16_t len;
	int64_t sent_us;
};

struct send_history {
	unsigned mask;
	size_t max_packet;
	struct slot *slots;
	uint8_t *data; /* slots * max_packet bytes */
};

struct send_history *send_history_new(unsigned slots, size_t max_packet)
{
	struct send_history *h = g_new0(struct send_history, 1);

	g_return_val_if_fail(slots && (slots & (slots - 1)) == 0 && max_packet <= UINT16_MAX, NULL);
	h->mask = slots - 1;
	h->max_packet = max_packet;
	h->slots = g_new0(struct slot, slots);
	h->data = g_malloc((gsize)slots * max_packet);
	return h;
}

void send_history_free(struct send_history *h)
{
	if (!h)
		return;
	g_free(h->slots);
	g_free(h->data);
	g_free(h);
}

int send_history_put(struct send_history *h, uint16_t seq, const uint8_t *pkt, size_t len,
                     int64_t now_us)
{
	unsigned i = seq & h->mask;

	if (len > h->max_packet)
		return -EMSGSIZE;
	memcpy(h->data + (size_t)i * h->max_packet, pkt, len);
	h->slots[i] =
	    (struct slot){.used = true, .seq = seq, .len = (uint16_t)len, .sent_us = now_us};
	return 0;
}

int send_history_get(const struct send_history *h, uint16_t seq, const uint8_t **pkt, size_t *len,
                     int64_t *sent_us)
{
	unsigned i = seq & h->mask;
	const struct slot *s = &h->slots[i];

	if (!s->used || s->seq != seq)
		return -ENOENT;
	*pkt = h->data + (size_t)i * h->max_packet;
	*len = s->len;
	*sent_us = s->sent_us;
	return 0;
}
