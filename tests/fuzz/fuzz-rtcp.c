/* SPDX-License-Identifier: MIT */
/* libFuzzer target: compound RTCP walking, every parser, and write/re-parse consistency. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/rtcp.h"

/* Big enough for any packet the writers can produce from a parsed one. */
#define OUT_CAP (4 * 0x10000 + 64)

static uint8_t out[OUT_CAP];

/* Checks a writer's result (len bytes at out) is exactly one packet, and returns it. */
static void reparse(int len, struct rtcp_packet *pkt)
{
	struct rtcp_iter it;

	CHECK(len > 0);
	rtcp_iter_init(&it, out, (size_t)len);
	CHECK(rtcp_iter_next(&it, pkt) == 0);
	CHECK(pkt->len == (size_t)len);
}

static bool same_blocks(const struct rtcp_report_block *a, const struct rtcp_report_block *b,
                        unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		if (a[i].ssrc != b[i].ssrc || a[i].fraction_lost != b[i].fraction_lost ||
		    a[i].cumulative_lost != b[i].cumulative_lost ||
		    a[i].ext_highest_seq != b[i].ext_highest_seq || a[i].jitter != b[i].jitter ||
		    a[i].lsr != b[i].lsr || a[i].dlsr != b[i].dlsr)
			return false;
	}
	return true;
}

static void fuzz_reports(const struct rtcp_packet *pkt)
{
	static struct rtcp_sr sr, sr2;
	static struct rtcp_rr rr, rr2;
	struct rtcp_packet again;

	if (pkt->type == RTCP_SR && rtcp_parse_sr(pkt, &sr) == 0) {
		reparse(rtcp_write_sr(out, OUT_CAP, &sr), &again);
		CHECK(rtcp_parse_sr(&again, &sr2) == 0);
		CHECK(sr.ssrc == sr2.ssrc && sr.ntp_timestamp == sr2.ntp_timestamp);
		CHECK(sr.rtp_timestamp == sr2.rtp_timestamp);
		CHECK(sr.packet_count == sr2.packet_count && sr.octet_count == sr2.octet_count);
		CHECK(sr.report_count == sr2.report_count);
		CHECK(same_blocks(sr.reports, sr2.reports, sr.report_count));
	}
	if (pkt->type == RTCP_RR && rtcp_parse_rr(pkt, &rr) == 0) {
		reparse(rtcp_write_rr(out, OUT_CAP, &rr), &again);
		CHECK(rtcp_parse_rr(&again, &rr2) == 0);
		CHECK(rr.ssrc == rr2.ssrc && rr.report_count == rr2.report_count);
		CHECK(same_blocks(rr.reports, rr2.reports, rr.report_count));
	}
}

/* Copies len bytes into a NUL-terminated string; false if they contain a NUL. */
static bool to_cstring(char *dst, const uint8_t *src, size_t len)
{
	if (len && memchr(src, 0, len))
		return false;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
	return true;
}

static void fuzz_sdes_bye(const struct rtcp_packet *pkt)
{
	static struct rtcp_sdes sdes, sdes2;
	struct rtcp_bye bye, bye2;
	struct rtcp_packet again;
	char text[256];

	if (pkt->type == RTCP_SDES && rtcp_parse_sdes(pkt, &sdes) == 0 && sdes.chunk_count > 0 &&
	    sdes.chunks[0].has_cname &&
	    to_cstring(text, sdes.chunks[0].cname, sdes.chunks[0].cname_len)) {
		reparse(rtcp_write_sdes_cname(out, OUT_CAP, sdes.chunks[0].ssrc, text), &again);
		CHECK(rtcp_parse_sdes(&again, &sdes2) == 0);
		CHECK(sdes2.chunk_count == 1 && sdes2.chunks[0].ssrc == sdes.chunks[0].ssrc);
		CHECK(sdes2.chunks[0].cname_len == sdes.chunks[0].cname_len);
		CHECK(memcmp(sdes2.chunks[0].cname, text, sdes2.chunks[0].cname_len) == 0);
	}
	if (pkt->type == RTCP_BYE && rtcp_parse_bye(pkt, &bye) == 0 &&
	    (!bye.reason || to_cstring(text, bye.reason, bye.reason_len))) {
		reparse(rtcp_write_bye(out, OUT_CAP, bye.ssrcs, bye.ssrc_count,
		                       bye.reason ? text : NULL),
		        &again);
		CHECK(rtcp_parse_bye(&again, &bye2) == 0);
		CHECK(bye2.ssrc_count == bye.ssrc_count);
		CHECK(memcmp(bye2.ssrcs, bye.ssrcs, 4u * bye.ssrc_count) == 0);
		CHECK(bye2.reason_len == bye.reason_len && !bye2.reason == !bye.reason);
	}
}

/* Marks each sequence number of seqs in a 65536-bit set. */
static void mark(uint8_t *set, const uint16_t *seqs, size_t n)
{
	memset(set, 0, 0x10000 / 8);
	for (size_t i = 0; i < n; i++)
		set[seqs[i] / 8] |= (uint8_t)(1u << (seqs[i] % 8));
}

static void fuzz_nack(const struct rtcp_packet *pkt)
{
	static uint16_t seqs[17 * 0x10000], seqs2[17 * 0x10000];
	static uint8_t set[0x2000], set2[0x2000];
	struct rtcp_nack nack, nack2;
	struct rtcp_packet again;
	size_t n, n2;

	if (rtcp_parse_nack(pkt, &nack) < 0)
		return;
	CHECK(nack.item_count >= 1);
	if (rtcp_nack_expand(&nack, seqs, 3, &n) == -ENOSPC)
		CHECK(n == 3);
	CHECK(rtcp_nack_expand(&nack, seqs, sizeof(seqs) / sizeof(seqs[0]), &n) == 0);
	CHECK(n >= nack.item_count && n <= 17 * nack.item_count);

	/* Re-packing the expansion must ask for exactly the same set of packets. */
	reparse(rtcp_write_nack(out, OUT_CAP, nack.sender_ssrc, nack.media_ssrc, seqs, n), &again);
	CHECK(rtcp_parse_nack(&again, &nack2) == 0);
	CHECK(nack2.item_count <= nack.item_count);
	CHECK(rtcp_nack_expand(&nack2, seqs2, sizeof(seqs2) / sizeof(seqs2[0]), &n2) == 0);
	mark(set, seqs, n);
	mark(set2, seqs2, n2);
	CHECK(memcmp(set, set2, sizeof(set)) == 0);
}

static void fuzz_psfb(const struct rtcp_packet *pkt)
{
	static struct rtcp_remb remb, remb2;
	static struct rtcp_fir_entry entries[0x8000];
	struct rtcp_fir fir, fir2;
	struct rtcp_fir_entry e;
	struct rtcp_pli pli;
	struct rtcp_packet again;

	(void)rtcp_parse_pli(pkt, &pli);
	if (rtcp_parse_fir(pkt, &fir) == 0) {
		CHECK(fir.entry_count >= 1 && fir.entry_count <= 0x8000);
		for (size_t i = 0; i < fir.entry_count; i++)
			rtcp_fir_entry(&fir, i, &entries[i]);
		reparse(rtcp_write_fir(out, OUT_CAP, fir.sender_ssrc, entries, fir.entry_count),
		        &again);
		CHECK(rtcp_parse_fir(&again, &fir2) == 0);
		CHECK(fir2.entry_count == fir.entry_count);
		for (size_t i = 0; i < fir.entry_count; i++) {
			rtcp_fir_entry(&fir2, i, &e);
			CHECK(e.ssrc == entries[i].ssrc && e.seqnr == entries[i].seqnr);
		}
	}
	if (rtcp_parse_remb(pkt, &remb) == 0) {
		reparse(rtcp_write_remb(out, OUT_CAP, remb.sender_ssrc, remb.bitrate_bps,
		                        remb.ssrcs, remb.ssrc_count),
		        &again);
		CHECK(rtcp_parse_remb(&again, &remb2) == 0);
		/* A value that came off the wire is representable, so it survives exactly. */
		CHECK(remb2.bitrate_bps == remb.bitrate_bps);
		CHECK(remb2.ssrc_count == remb.ssrc_count);
		CHECK(memcmp(remb2.ssrcs, remb.ssrcs, 4u * remb.ssrc_count) == 0);
	}
}

static void fuzz_twcc(const struct rtcp_packet *pkt)
{
	/* The period of reconstructed times: the 24-bit reference time wraps. */
	const int64_t wrap_us = (int64_t)RTCP_TWCC_REF_US << 24;
	static struct rtcp_twcc_status st[RTCP_TWCC_MAX_COUNT], st2[RTCP_TWCC_MAX_COUNT];
	static struct rtcp_twcc_arrival arrivals[RTCP_TWCC_MAX_COUNT];
	struct rtcp_twcc fb, fb2;
	struct rtcp_packet again;

	if (rtcp_parse_twcc(pkt, &fb) < 0)
		return;
	if (fb.status_count > 0)
		CHECK(rtcp_twcc_decode(&fb, st, fb.status_count - 1u) == -ENOSPC);
	if (rtcp_twcc_decode(&fb, st, RTCP_TWCC_MAX_COUNT) < 0 || fb.status_count == 0)
		return;

	/* Re-encoding the decoded arrivals gives the same statuses and times: they all lie
	 * on the 250 us grid, which the 64 ms reference grid shares. */
	for (size_t i = 0; i < fb.status_count; i++)
		arrivals[i] =
		    (struct rtcp_twcc_arrival){st[i].seq, st[i].received, st[i].arrival_us};
	reparse(rtcp_write_twcc(out, OUT_CAP, fb.sender_ssrc, fb.media_ssrc, fb.fb_count, arrivals,
	                        fb.status_count),
	        &again);
	CHECK(rtcp_parse_twcc(&again, &fb2) == 0);
	CHECK(fb2.base_seq == fb.base_seq && fb2.status_count == fb.status_count);
	CHECK(fb2.fb_count == fb.fb_count && fb2.media_ssrc == fb.media_ssrc);
	CHECK(rtcp_twcc_decode(&fb2, st2, RTCP_TWCC_MAX_COUNT) == 0);
	for (size_t i = 0; i < fb.status_count; i++) {
		CHECK(st2[i].seq == st[i].seq && st2[i].received == st[i].received);
		CHECK((st2[i].arrival_us - st[i].arrival_us) % wrap_us == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	size_t walked = 0;
	int ret;

	rtcp_iter_init(&it, data, size);
	while ((ret = rtcp_iter_next(&it, &pkt)) == 0) {
		CHECK(pkt.data == data + walked && pkt.len % 4 == 0);
		CHECK(pkt.body + pkt.body_len <= pkt.data + pkt.len);
		walked += pkt.len;
		fuzz_reports(&pkt);
		fuzz_sdes_bye(&pkt);
		if (pkt.type == RTCP_RTPFB) {
			fuzz_nack(&pkt);
			fuzz_twcc(&pkt);
		} else if (pkt.type == RTCP_PSFB) {
			fuzz_psfb(&pkt);
		}
	}
	CHECK(ret == -EINVAL || ret == -ENOENT);
	CHECK((rtcp_validate(data, size) == 0) == (ret == -ENOENT && size > 0));
	CHECK(ret == -EINVAL || walked == size);
	return 0;
}
