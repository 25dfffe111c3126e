/* SPDX-License-Identifier: MIT */
/* The last packets sent on one RTP stream, kept to answer NACKs (RFC 4585, RFC 4588). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * A ring of `slots` plain (unprotected) RTP packets indexed by sequence number, all memory
 * allocated up front: storing and finding never allocate. Not thread safe: the peer keeps
 * it under its send lock.
 */
struct send_history;

/* slots: a power of two (e.g. 512); max_packet: the largest packet stored (bytes). */
struct send_history *send_history_new(unsigned slots, size_t max_packet);
void send_history_free(struct send_history *h);

/*
 * Stores a copy of the len-byte packet pkt sent with sequence number seq at now_us,
 * replacing whatever had the same slot. Returns 0, or -EMSGSIZE if len > max_packet
 * (nothing stored).
 */
int send_history_put(struct send_history *h, uint16_t seq, const uint8_t *pkt, size_t len,
                     int64_t now_us);

/*
 * Finds packet seq. On success *pkt points into the history (valid until the next put),
 * *len is its length and *sent_us when it was stored, and 0 is returned; -ENOENT if it is
 * no longer (or never was) there.
 */
int send_history_get(const struct send_history *h, uint16_t seq, const uint8_t **pkt, size_t *len,
                     int64_t *sent_us);
