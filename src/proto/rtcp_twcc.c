/* SPDX-License-Identifier: MIT */
/* Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01): parsing, decoding into per-packet statuses, and writing. */
#include "proto/rtcp_internal.h"

#define TWCC_FIXED_LEN       16
#define TWCC_MAX_RUN         0x1fff
#define TWCC_SYMBOL_NONE     0
#define TWCC_SYMBOL_SMALL    1
#define TWCC_SYMBOL_LARGE    2
#define TWCC_SYMBOL_RESERVED 3
#define TWCC_MAX_TIME_US     (INT64_C(1) << 60)

int rtcp_parse_twcc(const struct rtcp_packet *pkt, struct rtcp_twcc *out)
{
	const uint8_t *b = pkt->body;

	if (rtcp_check_fb(pkt, RTCP_RTPFB, RTCP_RTPFB_TWCC, TWCC_FIXED_LEN) < 0)
		return -EINVAL;
	out->sender_ssrc = get32(b);
	out->media_ssrc = get32(b + 4);
	out->base_seq = get16(b + 8);
	out->status_count = get16(b + 10);
	out->reference_time = sign24(get24(b + 12));
	out->fb_count = b[15];
	out->chunks = b + TWCC_FIXED_LEN;
	out->chunks_len = pkt->body_len - TWCC_FIXED_LEN;
	return 0;
}

/*
 * Expands one packet status chunk into out[*n..], at most count - *n symbols; the symbol
 * is parked in delta_us until the deltas are read.
 */
static void expand_chunk(uint16_t chunk, struct rtcp_twcc_status *out, size_t *n, size_t count)
{
	if (!(chunk & 0x8000)) {
		int32_t symbol = (chunk >> 13) & 3;

		for (size_t run = chunk & TWCC_MAX_RUN; run > 0 && *n < count; run--)
			out[(*n)++].delta_us = symbol;
	} else if (!(chunk & 0x4000)) {
		for (int shift = 13; shift >= 0 && *n < count; shift--)
			out[(*n)++].delta_us = (chunk >> shift) & 1;
	} else {
		for (int shift = 12; shift >= 0 && *n < count; shift -= 2)
			out[(*n)++].delta_us = (chunk >> shift) & 3;
	}
}

int rtcp_twcc_decode(const struct rtcp_twcc *fb, struct rtcp_twcc_status *out, size_t cap)
{
	const uint8_t *p = fb->chunks;
	size_t count = fb->status_count, left = fb->chunks_len, n = 0;
	int64_t time_us = (int64_t)fb->reference_time * RTCP_TWCC_REF_US;

	if (cap < count)
		return -ENOSPC;
	while (n < count) {
		if (left < 2)
			return -EINVAL;
		expand_chunk(get16(p), out, &n, count);
		p += 2;
		left -= 2;
	}
	for (size_t i = 0; i < count; i++) {
		int32_t symbol = out[i].delta_us, ticks;

		out[i].seq = (uint16_t)(fb->base_seq + i);
		out[i].received = symbol != TWCC_SYMBOL_NONE;
		out[i].delta_us = 0;
		out[i].arrival_us = 0;
		if (symbol == TWCC_SYMBOL_NONE)
			continue;
		if (symbol == TWCC_SYMBOL_RESERVED)
			return -EINVAL;
		if (left < (size_t)symbol)
			return -EINVAL;
		ticks = symbol == TWCC_SYMBOL_SMALL ? p[0] : (int16_t)get16(p);
		p += symbol;
		left -= (size_t)symbol;
		out[i].delta_us = ticks * RTCP_TWCC_DELTA_US;
		time_us += out[i].delta_us;
		out[i].arrival_us = time_us;
	}
	return 0;
}

/* --- Transport-wide feedback writer --- */

/*
 * Walks the statuses base_seq, base_seq + 1, ... of a feedback message, matching them with
 * the caller's sorted arrivals and quantizing deltas. A copy of the struct is a lookahead.
 */
struct twcc_cursor {
	const struct rtcp_twcc_arrival *pkts;
	size_t count;
	size_t next;      /* index into pkts of the next listed packet */
	uint16_t seq;     /* sequence number of the next status */
	size_t remaining; /* statuses left */
	int64_t time_us;  /* quantized receive time of the last received packet */
};

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Produces the next status's symbol and delta in 250 us ticks. */
static int cursor_next(struct twcc_cursor *c, int *symbol, int32_t *ticks)
{
	const struct rtcp_twcc_arrival *pkt;
	uint16_t seq = c->seq++;
	int64_t diff, q;

	c->remaining--;
	if (c->next >= c->count || c->pkts[c->next].seq != seq) {
		*symbol = TWCC_SYMBOL_NONE;
		return 0;
	}
	pkt = &c->pkts[c->next++];
	if (!pkt->received) {
		*symbol = TWCC_SYMBOL_NONE;
		return 0;
	}
	diff = pkt->arrival_us - c->time_us;
	q = floor_div(diff + RTCP_TWCC_DELTA_US / 2, RTCP_TWCC_DELTA_US);
	if (q < INT16_MIN || q > INT16_MAX)
		return -EINVAL;
	*ticks = (int32_t)q;
	*symbol = (q >= 0 && q <= 255) ? TWCC_SYMBOL_SMALL : TWCC_SYMBOL_LARGE;
	c->time_us += q * RTCP_TWCC_DELTA_US;
	return 0;
}

/* Chooses and encodes the next chunk, advancing c past the statuses it covers. */
static int next_chunk(struct twcc_cursor *c, uint16_t *chunk)
{
	struct twcc_cursor look = *c;
	int first = 0, symbol, max_symbol = 0;
	size_t run = 0, n, i, width;
	int32_t ticks;
	int ret;

	/* Length of the run of the first symbol, and the largest of the next 14 symbols. */
	while (look.remaining > 0 && run < TWCC_MAX_RUN) {
		if ((ret = cursor_next(&look, &symbol, &ticks)) < 0)
			return ret;
		if (run == 0)
			first = symbol;
		if (run < 14 && symbol > max_symbol)
			max_symbol = symbol;
		if (symbol != first)
			break;
		run++;
	}
	for (i = run + 1; i < 14 && look.remaining > 0; i++) {
		if ((ret = cursor_next(&look, &symbol, &ticks)) < 0)
			return ret;
		if (symbol > max_symbol)
			max_symbol = symbol;
	}

	/* Symbol width: 0 for a run-length chunk, else 1 or 2 bits per status. */
	if (run >= 14 || run == c->remaining) {
		width = 0;
		*chunk = (uint16_t)(first << 13 | run);
		n = run;
	} else if (max_symbol <= TWCC_SYMBOL_SMALL) {
		width = 1;
		*chunk = 0x8000;
		n = c->remaining < 14 ? c->remaining : 14;
	} else {
		width = 2;
		*chunk = 0xc000;
		n = c->remaining < 7 ? c->remaining : 7;
	}
	for (i = 0; i < n; i++) {
		if ((ret = cursor_next(c, &symbol, &ticks)) < 0)
			return ret;
		if (width)
			*chunk |= (uint16_t)(symbol << (14 - width * (i + 1)));
	}
	return 0;
}

/*
 * Encodes chunks and deltas, writing them at out if it is not NULL (out must then have
 * room for *chunks_len + *deltas_len bytes, as computed by a first call with NULL).
 */
static int encode_twcc(const struct twcc_cursor *start, uint8_t *out, size_t *chunks_len,
                       size_t *deltas_len)
{
	struct twcc_cursor c = *start;
	size_t clen = 0, dlen = 0;
	uint16_t chunk;
	int32_t ticks;
	int symbol, ret;

	while (c.remaining > 0) {
		if ((ret = next_chunk(&c, &chunk)) < 0)
			return ret;
		if (out)
			put16(out + clen, chunk);
		clen += 2;
	}
	c = *start;
	while (c.remaining > 0) {
		if ((ret = cursor_next(&c, &symbol, &ticks)) < 0)
			return ret;
		if (symbol == TWCC_SYMBOL_NONE)
			continue;
		if (out && symbol == TWCC_SYMBOL_SMALL)
			out[clen + dlen] = (uint8_t)ticks;
		else if (out)
			put16(out + clen + dlen, (uint16_t)(int16_t)ticks);
		dlen += (size_t)symbol;
	}
	*chunks_len = clen;
	*deltas_len = dlen;
	return 0;
}

/* Validates pkts (order, times) and returns the number of statuses, or -EINVAL. */
static long twcc_status_count(const struct rtcp_twcc_arrival *pkts, size_t count)
{
	size_t statuses = 1;

	if (count == 0)
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		uint16_t step = i > 0 ? (uint16_t)(pkts[i].seq - pkts[i - 1].seq) : 1;

		/* Far beyond any real clock; keeps the delta arithmetic from overflowing. */
		if (pkts[i].received && (pkts[i].arrival_us > TWCC_MAX_TIME_US ||
		                         pkts[i].arrival_us < -TWCC_MAX_TIME_US))
			return -EINVAL;
		if (step == 0 || step >= 0x8000)
			return -EINVAL;
		statuses += i > 0 ? step : 0;
		if (statuses > RTCP_TWCC_MAX_COUNT)
			return -EINVAL;
	}
	return (long)statuses;
}

int rtcp_write_twcc(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                    uint8_t fb_count, const struct rtcp_twcc_arrival *pkts, size_t count)
{
	struct twcc_cursor start = {.pkts = pkts, .count = count};
	size_t chunks_len, deltas_len, len, pad;
	long statuses = twcc_status_count(pkts, count);
	int64_t reference = 0;
	int ret;

	if (statuses < 0)
		return (int)statuses;
	for (size_t i = 0; i < count; i++) {
		if (pkts[i].received) {
			reference = floor_div(pkts[i].arrival_us, RTCP_TWCC_REF_US);
			break;
		}
	}
	start.seq = pkts[0].seq;
	start.remaining = (size_t)statuses;
	start.time_us = reference * RTCP_TWCC_REF_US;
	if ((ret = encode_twcc(&start, NULL, &chunks_len, &deltas_len)) < 0)
		return ret;
	len = RTCP_HEADER_LEN + FB_HEADER_LEN + 8 + chunks_len + deltas_len;
	pad = (4 - len % 4) % 4;
	len += pad;
	if ((ret = rtcp_check_room(len, cap)) < 0)
		return ret;

	rtcp_write_fb_header(buf, RTCP_RTPFB_TWCC, RTCP_RTPFB, len, sender_ssrc, media_ssrc);
	buf[0] |= pad ? 0x20 : 0;
	put16(buf + 12, start.seq);
	put16(buf + 14, (uint16_t)statuses);
	put24(buf + 16, (uint32_t)reference & 0xffffff);
	buf[19] = fb_count;
	encode_twcc(&start, buf + 20, &chunks_len, &deltas_len);
	if (pad) {
		memset(buf + len - pad, 0, pad);
		buf[len - 1] = (uint8_t)pad;
	}
	return (int)len;
}
