/* SPDX-License-Identifier: MIT */
/* The last packets sent on one RTP stream, kept to answer NACKs (RFC 4585, RFC 4588). */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* The most bytes of a packet kept in the history's own memory when the rest of it is
 * shared (send_history_put_shared()): an RTP header with its extensions and a payload
 * descriptor. */
#define SEND_HISTORY_HEAD_MAX 64

/*
 * A ring of `slots` plain (unprotected) RTP packets indexed by sequence number. A packet
 * is kept either as a copy or, when most of it is a payload many receivers share (a
 * composed video frame), as a copy of its head and a reference to that payload: 169
 * receivers' histories then hold one payload instead of 169 copies. The heads' memory is
 * allocated up front, the whole-packet copies' at the first packet stored by copy. Not
 * thread safe: the peer keeps it under its send lock.
 */
struct send_history;

/* slots: a power of two (e.g. 512); max_packet: the largest packet stored (bytes). */
struct send_history *send_history_new(unsigned slots, size_t max_packet);
/* Drops the references the history holds. NULL is allowed. */
void send_history_free(struct send_history *h);

/*
 * Stores a copy of the len-byte packet pkt sent with sequence number seq at now_us,
 * replacing whatever had the same slot. Returns 0, or -EMSGSIZE if len > max_packet
 * (nothing stored).
 */
int send_history_put(struct send_history *h, uint16_t seq, const uint8_t *pkt, size_t len,
                     int64_t now_us);

/*
 * The same for a packet whose last rest_len bytes are also at `rest`, inside `owner`
 * (which must not change while referenced): the first len - rest_len bytes are copied and
 * a reference to owner is kept instead of the rest. Without an owner, or with a head
 * longer than SEND_HISTORY_HEAD_MAX, the packet is stored as send_history_put() would.
 */
int send_history_put_shared(struct send_history *h, uint16_t seq, const uint8_t *pkt, size_t len,
                            GBytes *owner, const uint8_t *rest, size_t rest_len, int64_t now_us);

/*
 * Copies packet seq into buf (cap bytes), setting *len and *sent_us (when it was stored):
 * 0, -ENOENT if it is no longer (or never was) there, -ENOSPC if cap is too small.
 */
int send_history_get(const struct send_history *h, uint16_t seq, uint8_t *buf, size_t cap,
                     size_t *len, int64_t *sent_us);
