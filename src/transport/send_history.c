/* SPDX-License-Identifier: MIT */
/* A ring of sent RTP packets, by sequence number: copies, or heads and shared payloads. */
#include "send_history.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

struct slot {
	bool used;
	uint16_t seq;
	uint16_t len;      /* bytes in the history's memory (the head, or the whole packet) */
	uint16_t rest_len; /* bytes at `rest`, after them */
	int64_t sent_us;
	GBytes *owner; /* holds `rest`, or NULL */
	const uint8_t *rest;
};

struct send_history {
	unsigned mask;
	size_t max_packet;
	struct slot *slots;
	uint8_t *heads; /* slots * SEND_HISTORY_HEAD_MAX bytes */
	uint8_t *data;  /* slots * max_packet bytes, at the first copy stored */
};

struct send_history *send_history_new(unsigned slots, size_t max_packet)
{
	struct send_history *h;

	g_return_val_if_fail(slots && (slots & (slots - 1)) == 0 && max_packet <= UINT16_MAX, NULL);
	h = g_new0(struct send_history, 1);
	h->mask = slots - 1;
	h->max_packet = max_packet;
	h->slots = g_new0(struct slot, slots);
	h->heads = g_malloc((gsize)slots * SEND_HISTORY_HEAD_MAX);
	return h;
}

void send_history_free(struct send_history *h)
{
	if (!h)
		return;
	for (unsigned i = 0; i <= h->mask; i++)
		g_clear_pointer(&h->slots[i].owner, g_bytes_unref);
	g_free(h->slots);
	g_free(h->heads);
	g_free(h->data);
	g_free(h);
}

/* The slot for seq, emptied of what it held. */
static struct slot *take_slot(struct send_history *h, uint16_t seq)
{
	struct slot *s = &h->slots[seq & h->mask];

	g_clear_pointer(&s->owner, g_bytes_unref);
	s->used = false;
	return s;
}

int send_history_put(struct send_history *h, uint16_t seq, const uint8_t *pkt, size_t len,
                     int64_t now_us)
{
	unsigned i = seq & h->mask;
	struct slot *s;

	if (len > h->max_packet)
		return -EMSGSIZE;
	if (!h->data)
		h->data = g_malloc((gsize)(h->mask + 1) * h->max_packet);
	s = take_slot(h, seq);
	memcpy(h->data + (size_t)i * h->max_packet, pkt, len);
	*s = (struct slot){.used = true, .seq = seq, .len = (uint16_t)len, .sent_us = now_us};
	return 0;
}

int send_history_put_shared(struct send_history *h, uint16_t seq, const uint8_t *pkt, size_t len,
                            GBytes *owner, const uint8_t *rest, size_t rest_len, int64_t now_us)
{
	size_t head = len - rest_len;
	struct slot *s;

	if (len > h->max_packet || rest_len > len)
		return -EMSGSIZE;
	if (head > SEND_HISTORY_HEAD_MAX || !owner)
		return send_history_put(h, seq, pkt, len, now_us);
	s = take_slot(h, seq);
	memcpy(h->heads + (size_t)(seq & h->mask) * SEND_HISTORY_HEAD_MAX, pkt, head);
	*s = (struct slot){.used = true,
	                   .seq = seq,
	                   .len = (uint16_t)head,
	                   .rest_len = (uint16_t)rest_len,
	                   .sent_us = now_us,
	                   .owner = g_bytes_ref(owner),
	                   .rest = rest};
	return 0;
}

int send_history_get(const struct send_history *h, uint16_t seq, uint8_t *buf, size_t cap,
                     size_t *len, int64_t *sent_us)
{
	unsigned i = seq & h->mask;
	const struct slot *s = &h->slots[i];

	if (!s->used || s->seq != seq)
		return -ENOENT;
	if ((size_t)s->len + s->rest_len > cap)
		return -ENOSPC;
	if (s->owner) {
		memcpy(buf, h->heads + (size_t)i * SEND_HISTORY_HEAD_MAX, s->len);
		memcpy(buf + s->len, s->rest, s->rest_len);
	} else {
		memcpy(buf, h->data + (size_t)i * h->max_packet, s->len);
	}
	*len = (size_t)s->len + s->rest_len;
	*sent_us = s->sent_us;
	return 0;
}
