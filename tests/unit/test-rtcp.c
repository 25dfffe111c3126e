/* SPDX-License-Identifier: MIT */
/* Unit tests for compound RTCP parsing and writing: reports, SDES, BYE and feedback. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "proto/rtcp.h"

/* A compound packet assembled by hand from the RFC diagrams; offsets in the comments. */
static const uint8_t compound[] = {
    /* 0: SR, RC 1, 13 words */
    0x81, 0xc8, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44, 0xe5, 0xa0, 0xb0, 0xc0, 0x80, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x5f, 0x90, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x27, 0x10,
    /* report block: ssrc, 25% lost, cumulative -1, ext seq, jitter, lsr, dlsr */
    0x55, 0x66, 0x77, 0x88, 0x40, 0xff, 0xff, 0xff, 0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x20,
    0xa0, 0xb0, 0xc0, 0xd0, 0x00, 0x01, 0x00, 0x00,
    /* 52: SDES, SC 2: CNAME "abcd" + NAME "bob"; TOOL "xy" + CNAME "z" */
    0x82, 0xca, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44, 0x01, 0x04, 'a', 'b', 'c', 'd', 0x02, 0x03, 'b',
    'o', 'b', 0x00, 0x55, 0x66, 0x77, 0x88, 0x06, 0x02, 'x', 'y', 0x01, 0x01, 'z', 0x00,
    /* 84: BYE, SC 1, reason "done!" */
    0x81, 0xcb, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44, 0x05, 'd', 'o', 'n', 'e', '!', 0x00, 0x00,
    /* 100: generic NACK: PID 100, BLP 0x8001 -> 100, 101, 116 */
    0x81, 0xcd, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x55, 0x66, 0x77, 0x88, 0x00, 0x64, 0x80, 0x01,
    /* 116: PLI */
    0x81, 0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
    /* 128: FIR, one entry seq 7 */
    0x84, 0xce, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x55, 0x66, 0x77, 0x88,
    0x07, 0x00, 0x00, 0x00,
    /* 148: REMB 1.5 Mbps (exp 3, mantissa 187500), one SSRC */
    0x8f, 0xce, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 'R', 'E', 'M', 'B',
    0x01, 0x0e, 0xdc, 0x6c, 0x55, 0x66, 0x77, 0x88,
    /* 172: transport-wide feedback, base 100, 20 statuses, reference 16 (1.024 s), fb 3 */
    0x8f, 0xcd, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x55, 0x66, 0x77, 0x88, 0x00, 0x64, 0x00, 0x14,
    0x00, 0x00, 0x10, 0x03,
    /* chunks: run of 10 small; 2-bit vector L N S S N N L; 1-bit vector S N S */
    0x20, 0x0a, 0xe1, 0x42, 0xa8, 0x00,
    /* deltas: 10 x 1 ms, -2 ms (large), 0, 63.75 ms, 64 ms (large), 0.25 ms, 0.5 ms */
    0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0xff, 0xf8, 0x00, 0xff, 0x01, 0x00,
    0x01, 0x02,
    /* 216 */
};

static const size_t boundaries[] = {0, 52, 84, 100, 116, 128, 148, 172, 216};

static void next_ok(struct rtcp_iter *it, struct rtcp_packet *pkt, uint8_t type, uint8_t count)
{
	g_assert_cmpint(rtcp_iter_next(it, pkt), ==, 0);
	g_assert_cmpint(pkt->type, ==, type);
	g_assert_cmpint(pkt->count, ==, count);
}

static void check_twcc_example(const struct rtcp_packet *pkt)
{
	static const struct {
		int idx;
		int64_t arrival_us;
	} expect[] = {{0, 1025000},  {9, 1034000},  {10, 1032000}, {12, 1032000},
	              {13, 1095750}, {16, 1159750}, {17, 1160000}, {19, 1160500}};
	static const bool received[20] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	                                  1, 0, 1, 1, 0, 0, 1, 1, 0, 1};
	struct rtcp_twcc fb;
	struct rtcp_twcc_status st[20];

	g_assert_cmpint(rtcp_parse_twcc(pkt, &fb), ==, 0);
	g_assert_cmpuint(fb.sender_ssrc, ==, 1);
	g_assert_cmphex(fb.media_ssrc, ==, 0x55667788);
	g_assert_cmpint(fb.base_seq, ==, 100);
	g_assert_cmpint(fb.status_count, ==, 20);
	g_assert_cmpint(fb.reference_time, ==, 16);
	g_assert_cmpint(fb.fb_count, ==, 3);
	g_assert_cmpint(rtcp_twcc_decode(&fb, st, 19), ==, -ENOSPC);
	g_assert_cmpint(rtcp_twcc_decode(&fb, st, 20), ==, 0);
	for (int i = 0; i < 20; i++) {
		g_assert_cmpint(st[i].seq, ==, 100 + i);
		g_assert_cmpint(st[i].received, ==, received[i]);
	}
	g_assert_cmpint(st[10].delta_us, ==, -2000);
	g_assert_cmpint(st[16].delta_us, ==, 64000);
	for (size_t i = 0; i < G_N_ELEMENTS(expect); i++)
		g_assert_cmpint(st[expect[i].idx].arrival_us, ==, expect[i].arrival_us);
}

static void check_sr_example(const struct rtcp_packet *pkt)
{
	struct rtcp_sr sr;

	g_assert_cmpint(rtcp_parse_sr(pkt, &sr), ==, 0);
	g_assert_cmphex(sr.ssrc, ==, 0x11223344);
	g_assert_cmphex(sr.ntp_timestamp, ==, 0xe5a0b0c080000000);
	g_assert_cmpuint(sr.rtp_timestamp, ==, 90000);
	g_assert_cmpuint(sr.packet_count, ==, 100);
	g_assert_cmpuint(sr.octet_count, ==, 10000);
	g_assert_cmpint(sr.report_count, ==, 1);
	g_assert_cmphex(sr.reports[0].ssrc, ==, 0x55667788);
	g_assert_cmpint(sr.reports[0].fraction_lost, ==, 64);
	g_assert_cmpint(sr.reports[0].cumulative_lost, ==, -1);
	g_assert_cmphex(sr.reports[0].ext_highest_seq, ==, 0x10005);
	g_assert_cmpuint(sr.reports[0].jitter, ==, 32);
	g_assert_cmphex(sr.reports[0].lsr, ==, 0xa0b0c0d0);
	g_assert_cmphex(sr.reports[0].dlsr, ==, 0x10000);
	g_assert_cmpint(rtcp_parse_rr(pkt, NULL), ==, -EINVAL);
}

static void test_compound_walk(void)
{
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	struct rtcp_sdes sdes;
	struct rtcp_bye bye;
	struct rtcp_nack nack;
	struct rtcp_pli pli;
	struct rtcp_fir fir;
	struct rtcp_fir_entry entry;
	struct rtcp_remb remb;
	uint16_t seqs[8];
	size_t n;

	g_assert_cmpint(rtcp_validate(compound, sizeof(compound)), ==, 0);
	rtcp_iter_init(&it, compound, sizeof(compound));

	next_ok(&it, &pkt, RTCP_SR, 1);
	check_sr_example(&pkt);

	next_ok(&it, &pkt, RTCP_SDES, 2);
	g_assert_cmpint(rtcp_parse_sdes(&pkt, &sdes), ==, 0);
	g_assert_cmpint(sdes.chunk_count, ==, 2);
	g_assert_cmphex(sdes.chunks[0].ssrc, ==, 0x11223344);
	g_assert_cmpmem(sdes.chunks[0].cname, sdes.chunks[0].cname_len, "abcd", 4);
	g_assert_true(sdes.chunks[1].has_cname);
	g_assert_cmpmem(sdes.chunks[1].cname, sdes.chunks[1].cname_len, "z", 1);

	next_ok(&it, &pkt, RTCP_BYE, 1);
	g_assert_cmpint(rtcp_parse_bye(&pkt, &bye), ==, 0);
	g_assert_cmphex(bye.ssrcs[0], ==, 0x11223344);
	g_assert_cmpmem(bye.reason, bye.reason_len, "done!", 5);

	next_ok(&it, &pkt, RTCP_RTPFB, RTCP_RTPFB_NACK);
	g_assert_cmpint(rtcp_parse_nack(&pkt, &nack), ==, 0);
	g_assert_cmphex(nack.media_ssrc, ==, 0x55667788);
	g_assert_cmpuint(nack.item_count, ==, 1);
	g_assert_cmpint(rtcp_nack_expand(&nack, seqs, 2, &n), ==, -ENOSPC);
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpint(rtcp_nack_expand(&nack, seqs, G_N_ELEMENTS(seqs), &n), ==, 0);
	g_assert_cmpuint(n, ==, 3);
	g_assert_cmpint(seqs[0], ==, 100);
	g_assert_cmpint(seqs[1], ==, 101);
	g_assert_cmpint(seqs[2], ==, 116);

	next_ok(&it, &pkt, RTCP_PSFB, RTCP_PSFB_PLI);
	g_assert_cmpint(rtcp_parse_pli(&pkt, &pli), ==, 0);
	g_assert_cmpuint(pli.sender_ssrc, ==, 1);
	g_assert_cmpuint(pli.media_ssrc, ==, 2);

	next_ok(&it, &pkt, RTCP_PSFB, RTCP_PSFB_FIR);
	g_assert_cmpint(rtcp_parse_pli(&pkt, &pli), ==, -EINVAL);
	g_assert_cmpint(rtcp_parse_fir(&pkt, &fir), ==, 0);
	g_assert_cmpuint(fir.entry_count, ==, 1);
	rtcp_fir_entry(&fir, 0, &entry);
	g_assert_cmphex(entry.ssrc, ==, 0x55667788);
	g_assert_cmpint(entry.seqnr, ==, 7);

	next_ok(&it, &pkt, RTCP_PSFB, RTCP_PSFB_AFB);
	g_assert_cmpint(rtcp_parse_remb(&pkt, &remb), ==, 0);
	g_assert_cmpuint(remb.bitrate_bps, ==, 1500000);
	g_assert_cmpint(remb.ssrc_count, ==, 1);
	g_assert_cmphex(remb.ssrcs[0], ==, 0x55667788);

	next_ok(&it, &pkt, RTCP_RTPFB, RTCP_RTPFB_TWCC);
	check_twcc_example(&pkt);
	g_assert_cmpint(rtcp_iter_next(&it, &pkt), ==, -ENOENT);
}

/* Runs every parser that matches pkt; returns the first error, 0 if all succeed. */
static int parse_any(const struct rtcp_packet *pkt)
{
	union {
		struct rtcp_sr sr;
		struct rtcp_rr rr;
		struct rtcp_sdes sdes;
		struct rtcp_bye bye;
		struct rtcp_nack nack;
		struct rtcp_pli pli;
		struct rtcp_fir fir;
		struct rtcp_remb remb;
		struct rtcp_twcc twcc;
	} u;
	struct rtcp_twcc_status st[32];

	switch (pkt->type) {
	case RTCP_SR:
		return rtcp_parse_sr(pkt, &u.sr);
	case RTCP_RR:
		return rtcp_parse_rr(pkt, &u.rr);
	case RTCP_SDES:
		return rtcp_parse_sdes(pkt, &u.sdes);
	case RTCP_BYE:
		return rtcp_parse_bye(pkt, &u.bye);
	case RTCP_RTPFB:
		if (pkt->count == RTCP_RTPFB_NACK)
			return rtcp_parse_nack(pkt, &u.nack);
		if (rtcp_parse_twcc(pkt, &u.twcc) < 0)
			return -EINVAL;
		return rtcp_twcc_decode(&u.twcc, st, G_N_ELEMENTS(st));
	case RTCP_PSFB:
		if (pkt->count == RTCP_PSFB_PLI)
			return rtcp_parse_pli(pkt, &u.pli);
		if (pkt->count == RTCP_PSFB_FIR)
			return rtcp_parse_fir(pkt, &u.fir);
		return rtcp_parse_remb(pkt, &u.remb);
	}
	return -EINVAL;
}

static bool is_boundary(size_t len)
{
	for (size_t i = 1; i < G_N_ELEMENTS(boundaries); i++) {
		if (boundaries[i] == len)
			return true;
	}
	return false;
}

static void test_truncated_compound(void)
{
	for (size_t len = 0; len <= sizeof(compound); len++) {
		uint8_t *copy = g_memdup2(compound, len);
		struct rtcp_iter it;
		struct rtcp_packet pkt;

		g_assert_cmpint(rtcp_validate(copy, len), ==, is_boundary(len) ? 0 : -EINVAL);
		rtcp_iter_init(&it, copy, len);
		while (rtcp_iter_next(&it, &pkt) == 0)
			g_assert_cmpint(parse_any(&pkt), ==, 0);
		g_free(copy);
	}
}

/* Shrinks each packet's length word (and the buffer with it): every parser must refuse. */
static void test_shortened_packets(void)
{
	for (size_t i = 0; i + 1 < G_N_ELEMENTS(boundaries); i++) {
		size_t words = (boundaries[i + 1] - boundaries[i]) / 4;

		for (size_t w = 1; w < words; w++) {
			uint8_t *copy = g_memdup2(compound + boundaries[i], 4 * w);
			struct rtcp_iter it;
			struct rtcp_packet pkt;

			copy[3] = (uint8_t)(w - 1);
			rtcp_iter_init(&it, copy, 4 * w);
			g_assert_cmpint(rtcp_iter_next(&it, &pkt), ==, 0);
			/* A BYE cut right after its SSRC list is still a valid BYE. */
			if (pkt.type == RTCP_BYE && w == 2)
				g_assert_cmpint(parse_any(&pkt), ==, 0);
			else
				g_assert_cmpint(parse_any(&pkt), <, 0);
			g_free(copy);
		}
	}
}

static void test_malformed_headers(void)
{
	uint8_t buf[sizeof(compound) + 4];
	struct rtcp_iter it;
	struct rtcp_packet pkt;

	memcpy(buf, compound, sizeof(compound));
	buf[0] = 0x41; /* version 1 */
	g_assert_cmpint(rtcp_validate(buf, sizeof(compound)), ==, -EINVAL);
	memcpy(buf, compound, sizeof(compound));
	buf[52] = 0xc2; /* version 3 in the second packet */
	g_assert_cmpint(rtcp_validate(buf, sizeof(compound)), ==, -EINVAL);
	memcpy(buf, compound, sizeof(compound));
	buf[2] = 0xff; /* length word beyond the buffer */
	buf[3] = 0xff;
	g_assert_cmpint(rtcp_validate(buf, sizeof(compound)), ==, -EINVAL);
	memcpy(buf, compound, sizeof(compound));
	memset(buf + sizeof(compound), 0, 4);
	for (size_t extra = 1; extra <= 3; extra++)
		g_assert_cmpint(rtcp_validate(buf, sizeof(compound) + extra), ==, -EINVAL);
	g_assert_cmpint(rtcp_validate(buf, 0), ==, -EINVAL);

	/* Iteration stops for good after an error. */
	rtcp_iter_init(&it, buf, sizeof(compound) + 1);
	for (int i = 0; i < 8; i++)
		g_assert_cmpint(rtcp_iter_next(&it, &pkt), ==, 0);
	g_assert_cmpint(rtcp_iter_next(&it, &pkt), ==, -EINVAL);
	g_assert_cmpint(rtcp_iter_next(&it, &pkt), ==, -ENOENT);
}

static void test_padding(void)
{
	/* RR with no blocks, padded by 4 (P bit), then a PLI. */
	uint8_t buf[] = {0xa0, 0xc9, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x04,
	                 0x81, 0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02};
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	struct rtcp_rr rr;

	rtcp_iter_init(&it, buf, sizeof(buf));
	next_ok(&it, &pkt, RTCP_RR, 0);
	g_assert_true(pkt.padding);
	g_assert_cmpuint(pkt.body_len, ==, 4);
	g_assert_cmpuint(pkt.len, ==, 12);
	g_assert_cmpint(rtcp_parse_rr(&pkt, &rr), ==, 0);
	g_assert_cmpuint(rr.ssrc, ==, 9);
	g_assert_cmpint(rr.report_count, ==, 0);
	next_ok(&it, &pkt, RTCP_PSFB, RTCP_PSFB_PLI);

	buf[11] = 9; /* padding longer than the body */
	g_assert_cmpint(rtcp_validate(buf, sizeof(buf)), ==, -EINVAL);
	buf[11] = 0; /* a zero padding count */
	g_assert_cmpint(rtcp_validate(buf, sizeof(buf)), ==, -EINVAL);
	buf[11] = 8; /* the whole body is padding: valid framing, but RR needs its SSRC */
	rtcp_iter_init(&it, buf, sizeof(buf));
	next_ok(&it, &pkt, RTCP_RR, 0);
	g_assert_cmpint(rtcp_parse_rr(&pkt, &rr), ==, -EINVAL);
}

static void fill_block(struct rtcp_report_block *rb, uint32_t i)
{
	rb->ssrc = 0x1000 + i;
	rb->fraction_lost = (uint8_t)i;
	rb->cumulative_lost = i % 2 ? -(int32_t)i * 1000 : (int32_t)i * 1000;
	rb->ext_highest_seq = 0x20000 + i;
	rb->jitter = i * 3;
	rb->lsr = 0xabcd0000 + i;
	rb->dlsr = i << 10;
}

static void test_reports_round_trip(void)
{
	static struct rtcp_sr sr, sr2;
	static struct rtcp_rr rr, rr2;
	uint8_t buf[1024];
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	int len, rlen;

	sr.ssrc = 77;
	sr.ntp_timestamp = 0x0123456789abcdef;
	sr.rtp_timestamp = 0xffffffff;
	sr.packet_count = 5;
	sr.octet_count = 500;
	sr.report_count = 31;
	for (uint32_t i = 0; i < 31; i++)
		fill_block(&sr.reports[i], i);
	rr.ssrc = 78;
	rr.report_count = 2;
	fill_block(&rr.reports[0], 5);
	fill_block(&rr.reports[1], 3);
	rr.reports[0].cumulative_lost = -8388608;

	len = rtcp_write_sr(buf, sizeof(buf), &sr);
	g_assert_cmpint(len, ==, 28 + 31 * 24);
	rlen = rtcp_write_rr(buf + len, sizeof(buf) - (size_t)len, &rr);
	g_assert_cmpint(rlen, ==, 8 + 2 * 24);
	rtcp_iter_init(&it, buf, (size_t)(len + rlen));
	next_ok(&it, &pkt, RTCP_SR, 31);
	g_assert_cmpint(rtcp_parse_sr(&pkt, &sr2), ==, 0);
	g_assert_cmpmem(&sr, sizeof(sr), &sr2, sizeof(sr2));
	next_ok(&it, &pkt, RTCP_RR, 2);
	g_assert_cmpint(rtcp_parse_rr(&pkt, &rr2), ==, 0);
	g_assert_cmpint(rr2.ssrc, ==, 78);
	g_assert_cmpint(rr2.reports[0].cumulative_lost, ==, -8388608);
	g_assert_cmpmem(&rr2.reports[1], sizeof(rr2.reports[1]), &rr.reports[1],
	                sizeof(rr.reports[1]));

	sr.report_count = 32;
	g_assert_cmpint(rtcp_write_sr(buf, sizeof(buf), &sr), ==, -EINVAL);
}

static void test_sdes_bye_round_trip(void)
{
	char cname[256];
	uint8_t buf[300];
	uint32_t ssrcs[31];
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	struct rtcp_sdes sdes;
	struct rtcp_bye bye;
	int len;

	for (size_t n = 0; n <= 255; n++) {
		memset(cname, 'c', n);
		cname[n] = '\0';
		len = rtcp_write_sdes_cname(buf, sizeof(buf), 0xfeedface, cname);
		g_assert_cmpint(len % 4, ==, 0);
		g_assert_cmpint(rtcp_validate(buf, (size_t)len), ==, 0);
		rtcp_iter_init(&it, buf, (size_t)len);
		next_ok(&it, &pkt, RTCP_SDES, 1);
		g_assert_cmpint(rtcp_parse_sdes(&pkt, &sdes), ==, 0);
		g_assert_cmphex(sdes.chunks[0].ssrc, ==, 0xfeedface);
		g_assert_true(sdes.chunks[0].has_cname);
		g_assert_cmpmem(sdes.chunks[0].cname, sdes.chunks[0].cname_len, cname, n);
	}

	for (uint32_t i = 0; i < 31; i++)
		ssrcs[i] = i * 7;
	len = rtcp_write_bye(buf, sizeof(buf), ssrcs, 31, "bye");
	rtcp_iter_init(&it, buf, (size_t)len);
	next_ok(&it, &pkt, RTCP_BYE, 31);
	g_assert_cmpint(rtcp_parse_bye(&pkt, &bye), ==, 0);
	g_assert_cmpmem(bye.ssrcs, 31 * 4, ssrcs, 31 * 4);
	g_assert_cmpmem(bye.reason, bye.reason_len, "bye", 3);
	len = rtcp_write_bye(buf, sizeof(buf), ssrcs, 1, NULL);
	g_assert_cmpint(len, ==, 8);
	rtcp_iter_init(&it, buf, (size_t)len);
	next_ok(&it, &pkt, RTCP_BYE, 1);
	g_assert_cmpint(rtcp_parse_bye(&pkt, &bye), ==, 0);
	g_assert_null(bye.reason);
	g_assert_cmpint(rtcp_write_bye(buf, sizeof(buf), ssrcs, 32, NULL), ==, -EINVAL);
}

/* Writes a NACK for seqs, parses it back and checks the expansion and item count. */
static void nack_round_trip(const uint16_t *seqs, size_t count, const uint16_t *expect,
                            size_t expect_count, size_t items)
{
	uint8_t buf[256];
	uint16_t out[64];
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	struct rtcp_nack nack;
	size_t n;
	int len;

	len = rtcp_write_nack(buf, sizeof(buf), 1, 2, seqs, count);
	g_assert_cmpint(len, ==, 12 + 4 * (int)items);
	rtcp_iter_init(&it, buf, (size_t)len);
	next_ok(&it, &pkt, RTCP_RTPFB, RTCP_RTPFB_NACK);
	g_assert_cmpint(rtcp_parse_nack(&pkt, &nack), ==, 0);
	g_assert_cmpuint(nack.sender_ssrc, ==, 1);
	g_assert_cmpuint(nack.media_ssrc, ==, 2);
	g_assert_cmpuint(nack.item_count, ==, items);
	g_assert_cmpint(rtcp_nack_expand(&nack, out, G_N_ELEMENTS(out), &n), ==, 0);
	g_assert_cmpmem(out, n * 2, expect, expect_count * 2);
}

static void test_nack_round_trip(void)
{
	static const uint16_t a[] = {100, 101, 105, 116, 117, 200};
	static const uint16_t a_out[] = {100, 101, 105, 116, 117, 200};
	static const uint16_t wrap[] = {65530, 65535, 0, 9, 10};
	static const uint16_t dup[] = {5, 5, 6, 5};
	static const uint16_t dup_out[] = {5, 6};
	uint16_t many[40];
	uint8_t buf[16];

	nack_round_trip(a, G_N_ELEMENTS(a), a_out, G_N_ELEMENTS(a_out), 3);
	/* 65530 + 16 = 10 (mod 2^16): a single item covers the wrap. */
	nack_round_trip(wrap, G_N_ELEMENTS(wrap), wrap, G_N_ELEMENTS(wrap), 1);
	nack_round_trip(dup, G_N_ELEMENTS(dup), dup_out, G_N_ELEMENTS(dup_out), 1);
	for (size_t i = 0; i < G_N_ELEMENTS(many); i++)
		many[i] = (uint16_t)(1000 + i);
	nack_round_trip(many, G_N_ELEMENTS(many), many, G_N_ELEMENTS(many), 3);

	g_assert_cmpint(rtcp_write_nack(buf, sizeof(buf), 1, 2, a, 0), ==, -EINVAL);
	g_assert_cmpint(rtcp_write_nack(buf, sizeof(buf), 1, 2, a, 6), ==, -ENOSPC);
}

static void test_pli_fir_remb_round_trip(void)
{
	static const uint64_t rates[] = {0,       1,          262143,     262144,
	                                 1500000, 1000000007, 1ull << 40, UINT64_MAX};
	struct rtcp_fir_entry entries[3] = {{10, 1}, {20, 255}, {30, 0}}, e;
	uint32_t ssrcs[255];
	uint8_t buf[2048];
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	struct rtcp_pli pli;
	struct rtcp_fir fir;
	struct rtcp_remb remb;
	int len;

	len = rtcp_write_pli(buf, sizeof(buf), 0xaaaa, 0xbbbb);
	g_assert_cmpint(len, ==, 12);
	rtcp_iter_init(&it, buf, (size_t)len);
	next_ok(&it, &pkt, RTCP_PSFB, RTCP_PSFB_PLI);
	g_assert_cmpint(rtcp_parse_pli(&pkt, &pli), ==, 0);
	g_assert_cmphex(pli.media_ssrc, ==, 0xbbbb);

	len = rtcp_write_fir(buf, sizeof(buf), 0xaaaa, entries, 3);
	g_assert_cmpint(len, ==, 12 + 24);
	rtcp_iter_init(&it, buf, (size_t)len);
	next_ok(&it, &pkt, RTCP_PSFB, RTCP_PSFB_FIR);
	g_assert_cmpint(rtcp_parse_fir(&pkt, &fir), ==, 0);
	g_assert_cmpuint(fir.entry_count, ==, 3);
	for (size_t i = 0; i < 3; i++) {
		rtcp_fir_entry(&fir, i, &e);
		g_assert_cmpuint(e.ssrc, ==, entries[i].ssrc);
		g_assert_cmpuint(e.seqnr, ==, entries[i].seqnr);
	}
	g_assert_cmpint(rtcp_write_fir(buf, sizeof(buf), 1, entries, 0), ==, -EINVAL);

	for (uint32_t i = 0; i < 255; i++)
		ssrcs[i] = ~i;
	for (size_t r = 0; r < G_N_ELEMENTS(rates); r++) {
		len = rtcp_write_remb(buf, sizeof(buf), 5, rates[r], ssrcs, r == 0 ? 0 : 255);
		rtcp_iter_init(&it, buf, (size_t)len);
		next_ok(&it, &pkt, RTCP_PSFB, RTCP_PSFB_AFB);
		g_assert_cmpint(rtcp_parse_remb(&pkt, &remb), ==, 0);
		/* Rounded down, by less than one part in 2^17. */
		g_assert_cmpuint(remb.bitrate_bps, <=, rates[r]);
		g_assert_cmpuint(rates[r] - remb.bitrate_bps, <=, rates[r] >> 17);
		if (rates[r] < 262144)
			g_assert_cmpuint(remb.bitrate_bps, ==, rates[r]);
		g_assert_cmpint(remb.ssrc_count, ==, r == 0 ? 0 : 255);
		if (r > 0)
			g_assert_cmpmem(remb.ssrcs, 255 * 4, ssrcs, 255 * 4);
	}
	g_assert_cmpint(rtcp_write_remb(buf, sizeof(buf), 5, 1, ssrcs, 256), ==, -EINVAL);
}

static void test_remb_malformed(void)
{
	uint8_t buf[24];
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	struct rtcp_remb remb;

	memcpy(buf, compound + 148, 24);
	buf[17] = 0xfc | 0x03; /* exponent 63, mantissa >= 2^16: overflows 64 bits */
	rtcp_iter_init(&it, buf, sizeof(buf));
	next_ok(&it, &pkt, RTCP_PSFB, RTCP_PSFB_AFB);
	g_assert_cmpint(rtcp_parse_remb(&pkt, &remb), ==, -EINVAL);
	buf[17] = 0xfc; /* exponent 63, mantissa 0xdc6c */
	g_assert_cmpint(rtcp_parse_remb(&pkt, &remb), ==, -EINVAL);
	buf[17] = 0xbc; /* exponent 47, mantissa 0xdc6c < 2^17: fits */
	g_assert_cmpint(rtcp_parse_remb(&pkt, &remb), ==, 0);
	g_assert_cmpuint(remb.bitrate_bps, ==, 0xdc6cull << 47);
	memcpy(buf + 12, "ABCD", 4); /* some other application feedback */
	g_assert_cmpint(rtcp_parse_remb(&pkt, &remb), ==, -ENOENT);
	memcpy(buf + 12, "REMB", 4);
	buf[16] = 2; /* two SSRCs announced, one present */
	g_assert_cmpint(rtcp_parse_remb(&pkt, &remb), ==, -EINVAL);
}

/* Writes arrivals as a TWCC message, decodes it, and checks every status. */
static int twcc_round_trip(const struct rtcp_twcc_arrival *pkts, size_t count, size_t *out_statuses)
{
	static uint8_t buf[70000];
	static struct rtcp_twcc_status st[RTCP_TWCC_MAX_COUNT];
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	struct rtcp_twcc fb;
	size_t j = 0;
	int len;

	len = rtcp_write_twcc(buf, sizeof(buf), 1, 2, 9, pkts, count);
	if (len < 0)
		return len;
	g_assert_cmpint(len % 4, ==, 0);
	rtcp_iter_init(&it, buf, (size_t)len);
	next_ok(&it, &pkt, RTCP_RTPFB, RTCP_RTPFB_TWCC);
	g_assert_cmpint(rtcp_parse_twcc(&pkt, &fb), ==, 0);
	g_assert_cmpint(fb.base_seq, ==, pkts[0].seq);
	g_assert_cmpint(fb.fb_count, ==, 9);
	g_assert_cmpint(rtcp_twcc_decode(&fb, st, G_N_ELEMENTS(st)), ==, 0);
	for (size_t i = 0; i < fb.status_count; i++) {
		bool listed = j < count && pkts[j].seq == st[i].seq;

		g_assert_cmpint(st[i].seq, ==, (uint16_t)(pkts[0].seq + i));
		g_assert_cmpint(st[i].received, ==, listed && pkts[j].received);
		if (st[i].received) {
			int64_t err = st[i].arrival_us - pkts[j].arrival_us;

			g_assert_cmpint(err, <=, 125);
			g_assert_cmpint(err, >=, -125);
		}
		j += listed;
	}
	g_assert_cmpuint(j, ==, count);
	*out_statuses = fb.status_count;
	return len;
}

static void test_twcc_round_trip(void)
{
	static struct rtcp_twcc_arrival pkts[3000];
	GRand *rand = g_rand_new_with_seed(7);
	int64_t t = 5000000;
	uint16_t seq = 65000;
	size_t statuses;
	int len;

	/* 100 packets 1 ms apart: one run-length chunk, 100 one-byte deltas, padded. */
	for (size_t i = 0; i < 100; i++)
		pkts[i] = (struct rtcp_twcc_arrival){(uint16_t)(i + 10), true, t + 1000 * (int)i};
	len = twcc_round_trip(pkts, 100, &statuses);
	g_assert_cmpint(len, ==, 20 + 2 + 100 + 2);
	g_assert_cmpuint(statuses, ==, 100);

	/* 20 packets arriving ever earlier: the first delta (from the reference time) is
	 * small, the 19 others large. A 2-bit vector takes S + 6 L, a run-length chunk the
	 * last 13 L; 1 + 19 * 2 delta bytes, 1 byte of padding. */
	for (size_t i = 0; i < 20; i++)
		pkts[i] = (struct rtcp_twcc_arrival){(uint16_t)i, true, t - 1000 * (int)i};
	len = twcc_round_trip(pkts, 20, &statuses);
	g_assert_cmpint(len, ==, 20 + 4 + 1 + 19 * 2 + 1);
	/* S + 4 L: one 2-bit vector, 1 + 4 * 2 delta bytes, 1 byte of padding. */
	g_assert_cmpint(twcc_round_trip(pkts + 1, 5, &statuses), ==, 20 + 2 + 1 + 4 * 2 + 1);

	/* A random mix across the sequence wrap: gaps, losses, reordering, long pauses. */
	for (size_t i = 0; i < G_N_ELEMENTS(pkts); i++) {
		seq += g_rand_int_range(rand, 0, 10) == 0 ? (uint16_t)g_rand_int_range(rand, 2, 30)
		                                          : 1;
		t += g_rand_int_range(rand, -3000, 5000);
		if (g_rand_int_range(rand, 0, 50) == 0)
			t += g_rand_int_range(rand, 64000, 3000000);
		pkts[i] = (struct rtcp_twcc_arrival){seq, g_rand_int_range(rand, 0, 8) != 0, t};
	}
	g_assert_cmpint(twcc_round_trip(pkts, G_N_ELEMENTS(pkts), &statuses), >, 0);
	g_assert_cmpuint(statuses, >, G_N_ELEMENTS(pkts));

	/* Only losses: reference time 0, no deltas. */
	for (size_t i = 0; i < 20; i++)
		pkts[i].received = false;
	g_assert_cmpint(twcc_round_trip(pkts, 20, &statuses), >, 0);

	/* Not increasing; a jump over 8 s; nothing at all. */
	pkts[0] = (struct rtcp_twcc_arrival){5, true, 0};
	pkts[1] = (struct rtcp_twcc_arrival){5, true, 1000};
	g_assert_cmpint(twcc_round_trip(pkts, 2, &statuses), ==, -EINVAL);
	pkts[1] = (struct rtcp_twcc_arrival){4, true, 1000};
	g_assert_cmpint(twcc_round_trip(pkts, 2, &statuses), ==, -EINVAL);
	pkts[1] = (struct rtcp_twcc_arrival){6, true, 8200000};
	g_assert_cmpint(twcc_round_trip(pkts, 2, &statuses), ==, -EINVAL);
	pkts[1] = (struct rtcp_twcc_arrival){6, true, -8300000};
	g_assert_cmpint(twcc_round_trip(pkts, 2, &statuses), ==, -EINVAL);
	g_assert_cmpint(twcc_round_trip(pkts, 0, &statuses), ==, -EINVAL);
	pkts[1] = (struct rtcp_twcc_arrival){6, true, INT64_MAX};
	g_assert_cmpint(twcc_round_trip(pkts, 2, &statuses), ==, -EINVAL);
	pkts[1].received = false; /* the time of a lost packet is not looked at */
	g_assert_cmpint(twcc_round_trip(pkts, 2, &statuses), >, 0);
	g_rand_free(rand);
}

/* The writer re-encodes the hand-made example's arrivals into an equivalent message. */
static void test_twcc_rewrite_example(void)
{
	struct rtcp_twcc_status st[20], st2[20];
	struct rtcp_twcc_arrival pkts[20], run[31];
	struct rtcp_iter it;
	struct rtcp_packet pkt;
	struct rtcp_twcc fb;
	uint8_t buf[64];
	int len;

	rtcp_iter_init(&it, compound + 172, 44);
	next_ok(&it, &pkt, RTCP_RTPFB, RTCP_RTPFB_TWCC);
	g_assert_cmpint(rtcp_parse_twcc(&pkt, &fb), ==, 0);
	g_assert_cmpint(rtcp_twcc_decode(&fb, st, 20), ==, 0);
	for (size_t i = 0; i < 20; i++)
		pkts[i] = (struct rtcp_twcc_arrival){st[i].seq, st[i].received, st[i].arrival_us};
	len = rtcp_write_twcc(buf, sizeof(buf), 1, 0x55667788, 3, pkts, 20);
	g_assert_cmpint(len, ==, 44);
	rtcp_iter_init(&it, buf, (size_t)len);
	next_ok(&it, &pkt, RTCP_RTPFB, RTCP_RTPFB_TWCC);
	g_assert_cmpint(rtcp_parse_twcc(&pkt, &fb), ==, 0);
	g_assert_cmpint(fb.reference_time, ==, 16);
	g_assert_cmpint(rtcp_twcc_decode(&fb, st2, 20), ==, 0);
	for (size_t i = 0; i < 20; i++) {
		g_assert_cmpint(st[i].seq, ==, st2[i].seq);
		g_assert_cmpint(st[i].received, ==, st2[i].received);
		g_assert_cmpint(st[i].delta_us, ==, st2[i].delta_us);
		g_assert_cmpint(st[i].arrival_us, ==, st2[i].arrival_us);
	}

	/* 30 received then 30 lost: two run-length chunks, 30 small deltas, 2 padding. */
	for (size_t i = 0; i < 30; i++)
		run[i] = (struct rtcp_twcc_arrival){(uint16_t)i, true, 500 * (int64_t)i};
	run[30] = (struct rtcp_twcc_arrival){59, false, 0};
	len = rtcp_write_twcc(buf, sizeof(buf), 1, 2, 0, run, 31);
	g_assert_cmpint(len, ==, 56);
	g_assert_cmphex(buf[20] << 8 | buf[21], ==, 0x2000 | 30);
	g_assert_cmphex(buf[22] << 8 | buf[23], ==, 30);
	g_assert_true(buf[0] & 0x20);
	g_assert_cmpint(buf[55], ==, 2);
}

static void test_twcc_malformed(void)
{
	uint8_t buf[44];
	struct rtcp_packet pkt;
	struct rtcp_iter it;
	struct rtcp_twcc fb;
	struct rtcp_twcc_status st[64];

	memcpy(buf, compound + 172, sizeof(buf));
	rtcp_iter_init(&it, buf, sizeof(buf));
	next_ok(&it, &pkt, RTCP_RTPFB, RTCP_RTPFB_TWCC);

	buf[20] = 0x60; /* run of the reserved symbol */
	g_assert_cmpint(rtcp_parse_twcc(&pkt, &fb), ==, 0);
	g_assert_cmpint(rtcp_twcc_decode(&fb, st, G_N_ELEMENTS(st)), ==, -EINVAL);
	buf[20] = 0x20;
	buf[15] = 21; /* one status more: the 1-bit vector's spare slot, then a missing delta */
	g_assert_cmpint(rtcp_parse_twcc(&pkt, &fb), ==, 0);
	g_assert_cmpint(rtcp_twcc_decode(&fb, st, G_N_ELEMENTS(st)), ==, 0);
	g_assert_false(st[20].received);
	buf[15] = 40; /* more statuses than the chunks describe */
	g_assert_cmpint(rtcp_parse_twcc(&pkt, &fb), ==, 0);
	g_assert_cmpint(rtcp_twcc_decode(&fb, st, G_N_ELEMENTS(st)), ==, -EINVAL);
	buf[15] = 20;
	buf[25] = 0x01; /* a spare slot of the 1-bit vector says received: ignored */
	g_assert_cmpint(rtcp_parse_twcc(&pkt, &fb), ==, 0);
	g_assert_cmpint(rtcp_twcc_decode(&fb, st, G_N_ELEMENTS(st)), ==, 0);
	buf[22] = 0xe9; /* second slot of the 2-bit vector becomes large: deltas run out */
	g_assert_cmpint(rtcp_parse_twcc(&pkt, &fb), ==, 0);
	g_assert_cmpint(rtcp_twcc_decode(&fb, st, G_N_ELEMENTS(st)), ==, -EINVAL);
}

static void test_writers_no_space(void)
{
	static struct rtcp_sr sr = {.report_count = 2};
	static struct rtcp_rr rr = {.report_count = 1};
	static const uint32_t ssrcs[] = {1, 2};
	static const uint16_t seqs[] = {1, 2, 50};
	static const struct rtcp_fir_entry fe[] = {{1, 1}};
	static const struct rtcp_twcc_arrival ta[] = {{1, true, 100000}, {3, true, 900000}};
	uint8_t buf[256], ref[256];

	for (int kind = 0; kind < 9; kind++) {
		int full = -1;

		for (size_t cap = 0; cap <= sizeof(buf); cap++) {
			int ret = -1;

			memset(buf, 0xa5, sizeof(buf));
			memcpy(ref, buf, sizeof(buf));
			switch (kind) {
			case 0:
				ret = rtcp_write_sr(buf, cap, &sr);
				break;
			case 1:
				ret = rtcp_write_rr(buf, cap, &rr);
				break;
			case 2:
				ret = rtcp_write_sdes_cname(buf, cap, 1, "user@host");
				break;
			case 3:
				ret = rtcp_write_bye(buf, cap, ssrcs, 2, "x");
				break;
			case 4:
				ret = rtcp_write_nack(buf, cap, 1, 2, seqs, 3);
				break;
			case 5:
				ret = rtcp_write_pli(buf, cap, 1, 2);
				break;
			case 6:
				ret = rtcp_write_fir(buf, cap, 1, fe, 1);
				break;
			case 7:
				ret = rtcp_write_remb(buf, cap, 1, 1000000, ssrcs, 2);
				break;
			case 8:
				ret = rtcp_write_twcc(buf, cap, 1, 2, 0, ta, 2);
				break;
			}
			if (ret == -ENOSPC) {
				g_assert_cmpmem(buf, sizeof(buf), ref, sizeof(ref));
				continue;
			}
			g_assert_cmpint(ret, ==, (int)cap); /* fits exactly at the first try */
			full = ret;
			break;
		}
		g_assert_cmpint(full, >, 0);
		g_assert_cmpint(rtcp_validate(buf, (size_t)full), ==, 0);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rtcp/compound/walk", test_compound_walk);
	g_test_add_func("/rtcp/compound/truncated", test_truncated_compound);
	g_test_add_func("/rtcp/compound/shortened", test_shortened_packets);
	g_test_add_func("/rtcp/compound/malformed", test_malformed_headers);
	g_test_add_func("/rtcp/compound/padding", test_padding);
	g_test_add_func("/rtcp/reports/round-trip", test_reports_round_trip);
	g_test_add_func("/rtcp/sdes-bye/round-trip", test_sdes_bye_round_trip);
	g_test_add_func("/rtcp/nack/round-trip", test_nack_round_trip);
	g_test_add_func("/rtcp/psfb/round-trip", test_pli_fir_remb_round_trip);
	g_test_add_func("/rtcp/remb/malformed", test_remb_malformed);
	g_test_add_func("/rtcp/twcc/round-trip", test_twcc_round_trip);
	g_test_add_func("/rtcp/twcc/rewrite-example", test_twcc_rewrite_example);
	g_test_add_func("/rtcp/twcc/malformed", test_twcc_malformed);
	g_test_add_func("/rtcp/writers/no-space", test_writers_no_space);
	return g_test_run();
}
