/* SPDX-License-Identifier: MIT */
/* Unit tests of the VP8 RTP payload (RFC 7741): descriptors on the wire, key frame
 * detection, the packetiser's sizes and flags, and reassembly of what it cut. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "proto/vp8.h"

static void assert_same_descriptor(const struct vp8_descriptor *a, const struct vp8_descriptor *b)
{
	g_assert_cmpint(a->non_reference, ==, b->non_reference);
	g_assert_cmpint(a->start, ==, b->start);
	g_assert_cmpuint(a->partition_id, ==, b->partition_id);
	g_assert_cmpint(a->has_picture_id, ==, b->has_picture_id);
	g_assert_cmpint(a->long_picture_id, ==, b->long_picture_id);
	g_assert_cmpuint(a->picture_id, ==, b->picture_id);
	g_assert_cmpint(a->has_tl0picidx, ==, b->has_tl0picidx);
	g_assert_cmpuint(a->tl0picidx, ==, b->tl0picidx);
	g_assert_cmpint(a->has_tid, ==, b->has_tid);
	g_assert_cmpuint(a->tid, ==, b->tid);
	g_assert_cmpint(a->layer_sync, ==, b->layer_sync);
	g_assert_cmpint(a->has_keyidx, ==, b->has_keyidx);
	g_assert_cmpuint(a->keyidx, ==, b->keyidx);
}

/* Bytes taken from RFC 7741's field layout, checked by hand. */
static void test_parse_known_bytes(void)
{
	/* X=1 S=1 PID=0 | I L T K | M=1 pid 0x1234 | tl0 0x56 | tid 2 Y keyidx 5 | data */
	static const uint8_t full[] = {0x90, 0xf0, 0x92, 0x34, 0x56, 0xa5, 0xaa};
	/* No extension: N=1 PID=3 | data */
	static const uint8_t bare[] = {0x23, 0x01};
	/* X=1 | I only, 7-bit id 0x55 | data */
	static const uint8_t short_id[] = {0x80, 0x80, 0x55, 0x00};
	struct vp8_descriptor d;
	size_t len;

	g_assert_cmpint(vp8_descriptor_parse(full, sizeof(full), &d, &len), ==, 0);
	g_assert_cmpuint(len, ==, 6);
	g_assert_true(d.start);
	g_assert_false(d.non_reference);
	g_assert_cmpuint(d.partition_id, ==, 0);
	g_assert_true(d.has_picture_id && d.long_picture_id);
	g_assert_cmpuint(d.picture_id, ==, 0x1234);
	g_assert_true(d.has_tl0picidx);
	g_assert_cmpuint(d.tl0picidx, ==, 0x56);
	g_assert_true(d.has_tid && d.has_keyidx);
	g_assert_cmpuint(d.tid, ==, 2);
	g_assert_true(d.layer_sync);
	g_assert_cmpuint(d.keyidx, ==, 5);

	g_assert_cmpint(vp8_descriptor_parse(bare, sizeof(bare), &d, &len), ==, 0);
	g_assert_cmpuint(len, ==, 1);
	g_assert_true(d.non_reference);
	g_assert_false(d.start);
	g_assert_cmpuint(d.partition_id, ==, 3);
	g_assert_false(d.has_picture_id);

	g_assert_cmpint(vp8_descriptor_parse(short_id, sizeof(short_id), &d, &len), ==, 0);
	g_assert_cmpuint(len, ==, 3);
	g_assert_true(d.has_picture_id);
	g_assert_false(d.long_picture_id);
	g_assert_cmpuint(d.picture_id, ==, 0x55);
}

/* Every truncation of a descriptor is refused, and so is a descriptor with no data. */
static void test_parse_truncated(void)
{
	static const uint8_t full[] = {0x90, 0xf0, 0x92, 0x34, 0x56, 0xa5, 0xaa};
	struct vp8_descriptor d;
	size_t len;

	for (size_t n = 0; n < sizeof(full); n++)
		g_assert_cmpint(vp8_descriptor_parse(full, n, &d, &len), ==, -EINVAL);
	g_assert_cmpint(vp8_descriptor_parse(full, sizeof(full), &d, &len), ==, 0);
}

/* Write then parse gives the same fields, for every combination of the extensions. */
static void test_roundtrip_all_combinations(void)
{
	for (unsigned mask = 0; mask < 64; mask++) {
		struct vp8_descriptor d =
		                          {
		                              .non_reference = mask & 1,
		                              .start = mask & 2,
		                              .partition_id = (uint8_t)(mask % 8),
		                              .has_picture_id = mask & 4,
		                              .long_picture_id = mask & 8,
		                              .has_tl0picidx = mask & 16,
		                              .has_tid = mask & 32,
		                              .has_keyidx = mask & 1,
		                          },
		                      back;
		uint8_t buf[VP8_DESCRIPTOR_MAX + 1];
		size_t len, parsed;

		if (d.has_picture_id)
			d.picture_id = d.long_picture_id ? 0x7abc : 0x6b;
		else
			d.long_picture_id = false;
		if (d.has_tl0picidx)
			d.tl0picidx = (uint8_t)(200 + mask);
		if (d.has_tid) {
			d.tid = (uint8_t)(mask % 4);
			d.layer_sync = mask & 2;
		}
		if (d.has_keyidx)
			d.keyidx = 17;
		g_assert_cmpint(vp8_descriptor_write(buf, sizeof(buf), &d, &len), ==, 0);
		g_assert_cmpuint(len, ==, vp8_descriptor_size(&d));
		g_assert_cmpuint(len, <=, VP8_DESCRIPTOR_MAX);
		buf[len] = 0x42; /* one byte of VP8 data */
		g_assert_cmpint(vp8_descriptor_parse(buf, len + 1, &back, &parsed), ==, 0);
		g_assert_cmpuint(parsed, ==, len);
		assert_same_descriptor(&d, &back);
	}
}

static void test_write_errors(void)
{
	struct vp8_descriptor d = {.has_picture_id = true, .picture_id = 128};
	uint8_t buf[VP8_DESCRIPTOR_MAX];
	size_t len;

	g_assert_cmpint(vp8_descriptor_write(buf, sizeof(buf), &d, &len), ==, -EINVAL);
	d.long_picture_id = true;
	g_assert_cmpint(vp8_descriptor_write(buf, sizeof(buf), &d, &len), ==, 0);
	d.picture_id = 0x8000;
	g_assert_cmpint(vp8_descriptor_write(buf, sizeof(buf), &d, &len), ==, -EINVAL);
	d = (struct vp8_descriptor){.partition_id = 8};
	g_assert_cmpint(vp8_descriptor_write(buf, sizeof(buf), &d, &len), ==, -EINVAL);
	d = (struct vp8_descriptor){.has_tid = true, .tid = 4};
	g_assert_cmpint(vp8_descriptor_write(buf, sizeof(buf), &d, &len), ==, -EINVAL);
	d = (struct vp8_descriptor){.has_keyidx = true, .keyidx = 32};
	g_assert_cmpint(vp8_descriptor_write(buf, sizeof(buf), &d, &len), ==, -EINVAL);
	d = (struct vp8_descriptor){.has_picture_id = true, .long_picture_id = true};
	g_assert_cmpint(vp8_descriptor_write(buf, 2, &d, &len), ==, -ENOSPC);
}

static void test_rewrite_fields(void)
{
	struct vp8_descriptor d = {.start = true,
	                           .has_picture_id = true,
	                           .long_picture_id = true,
	                           .picture_id = 5,
	                           .has_tl0picidx = true,
	                           .tl0picidx = 9},
	                      back;
	uint8_t buf[16] = {0};
	size_t len, parsed;

	g_assert_cmpint(vp8_descriptor_write(buf, sizeof(buf), &d, &len), ==, 0);
	buf[len] = 0xee;
	g_assert_cmpint(vp8_descriptor_set_picture_id(buf, len + 1, 0x1234), ==, 0);
	g_assert_cmpint(vp8_descriptor_set_tl0picidx(buf, len + 1, 77), ==, 0);
	g_assert_cmpint(vp8_descriptor_parse(buf, len + 1, &back, &parsed), ==, 0);
	g_assert_cmpuint(back.picture_id, ==, 0x1234);
	g_assert_cmpuint(back.tl0picidx, ==, 77);
	g_assert_true(back.start && back.long_picture_id);
	g_assert_cmpuint(buf[len], ==, 0xee);
	/* 15-bit ids wrap at 32768. */
	g_assert_cmpint(vp8_descriptor_set_picture_id(buf, len + 1, 0x8001), ==, 0);
	vp8_descriptor_parse(buf, len + 1, &back, &parsed);
	g_assert_cmpuint(back.picture_id, ==, 1);

	d = (struct vp8_descriptor){.start = true};
	vp8_descriptor_write(buf, sizeof(buf), &d, &len);
	g_assert_cmpint(vp8_descriptor_set_picture_id(buf, len + 1, 1), ==, -EINVAL);
	g_assert_cmpint(vp8_descriptor_set_tl0picidx(buf, len + 1, 1), ==, -EINVAL);
}

/* A 640x360 key frame header, and an interframe header. */
static const uint8_t keyframe_header[] = {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a,
                                          0x80, 0x02, 0x68, 0x01, 0x00, 0x00};
static const uint8_t interframe_header[] = {0x31, 0x10, 0x00, 0x11, 0x22};

static void test_frame_info(void)
{
	struct vp8_frame_info info;
	uint8_t bad[sizeof(keyframe_header)];

	g_assert_cmpint(vp8_frame_info_parse(keyframe_header, sizeof(keyframe_header), &info), ==,
	                0);
	g_assert_true(info.keyframe);
	g_assert_true(info.show_frame);
	g_assert_cmpuint(info.width, ==, 640);
	g_assert_cmpuint(info.height, ==, 360);
	g_assert_cmpuint(info.first_partition_size, ==, (0x004250u >> 5));

	g_assert_cmpint(vp8_frame_info_parse(interframe_header, sizeof(interframe_header), &info),
	                ==, 0);
	g_assert_false(info.keyframe);
	g_assert_true(info.show_frame);
	g_assert_cmpuint(info.width, ==, 0);

	g_assert_cmpint(vp8_frame_info_parse(keyframe_header, 9, &info), ==, -EINVAL);
	g_assert_cmpint(vp8_frame_info_parse(interframe_header, 2, &info), ==, -EINVAL);
	memcpy(bad, keyframe_header, sizeof(bad));
	bad[4] = 0x02; /* broken start code */
	g_assert_cmpint(vp8_frame_info_parse(bad, sizeof(bad), &info), ==, -EINVAL);
}

static size_t make_payload(uint8_t *buf, const struct vp8_descriptor *d, const uint8_t *data,
                           size_t len)
{
	size_t desc_len;

	g_assert_cmpint(vp8_descriptor_write(buf, 64, d, &desc_len), ==, 0);
	memcpy(buf + desc_len, data, len);
	return desc_len + len;
}

static void test_keyframe_detection(void)
{
	struct vp8_descriptor start = {.start = true, .has_picture_id = true, .picture_id = 3};
	struct vp8_descriptor middle = {.has_picture_id = true, .picture_id = 3};
	struct vp8_descriptor other_partition = {.start = true, .partition_id = 1};
	uint8_t buf[64];
	size_t len;

	len = make_payload(buf, &start, keyframe_header, sizeof(keyframe_header));
	g_assert_true(vp8_payload_is_keyframe(buf, len));
	len = make_payload(buf, &start, interframe_header, sizeof(interframe_header));
	g_assert_false(vp8_payload_is_keyframe(buf, len));
	/* The same bytes not at the start of partition 0 are not a frame header. */
	len = make_payload(buf, &middle, keyframe_header, sizeof(keyframe_header));
	g_assert_false(vp8_payload_is_keyframe(buf, len));
	len = make_payload(buf, &other_partition, keyframe_header, sizeof(keyframe_header));
	g_assert_false(vp8_payload_is_keyframe(buf, len));
	g_assert_false(vp8_payload_is_keyframe(buf, 0));
}

/* Frames of many sizes cut at several limits: every payload fits, S only on the first,
 * marker only on the last, every one the first one's size but the last (shorter by less
 * than the packet count), and the data reassembles. */
static void test_packetizer(void)
{
	static const size_t limits[] = {8, 100, 1100, 1200};
	static const size_t sizes[] = {1, 2, 7, 99, 1093, 1094, 1095, 5000, 65536};
	struct vp8_descriptor tmpl = {.has_picture_id = true,
	                              .long_picture_id = true,
	                              .picture_id = 321,
	                              .has_tid = true,
	                              .tid = 1,
	                              .non_reference = true};
	g_autofree uint8_t *frame = g_malloc(65536);
	g_autofree uint8_t *back = g_malloc(65536);

	for (size_t i = 0; i < 65536; i++)
		frame[i] = (uint8_t)(i * 31 + i / 256);
	for (size_t l = 0; l < G_N_ELEMENTS(limits); l++) {
		for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
			size_t max = limits[l], size = sizes[s], room = max - 5, got = 0;
			size_t first_len = 0, n = 0;
			struct vp8_packetizer p;
			uint8_t buf[1200];
			size_t len;
			bool marker;
			int ret;

			g_assert_cmpint(vp8_packetizer_init(&p, frame, size, max, &tmpl), ==, 0);
			g_assert_cmpuint(vp8_packetizer_count(&p), ==, (size + room - 1) / room);
			while ((ret = vp8_packetizer_next(&p, buf, sizeof(buf), &len, &marker)) ==
			       0) {
				struct vp8_descriptor d;
				size_t desc_len;

				g_assert_cmpuint(len, <=, max);
				g_assert_cmpint(vp8_descriptor_parse(buf, len, &d, &desc_len), ==,
				                0);
				g_assert_cmpint(d.start, ==, n == 0);
				g_assert_cmpuint(d.partition_id, ==, 0);
				g_assert_true(d.non_reference);
				g_assert_cmpuint(d.picture_id, ==, 321);
				g_assert_cmpuint(d.tid, ==, 1);
				n++;
				g_assert_cmpint(marker, ==, n == vp8_packetizer_count(&p));
				memcpy(back + got, buf + desc_len, len - desc_len);
				got += len - desc_len;
				/* Every payload the size of the first but the last, which may
				 * be shorter (UDP segmentation offload), never by as many bytes
				 * as there are packets (the shares stay balanced). */
				if (n == 1)
					first_len = len;
				else if (!marker)
					g_assert_cmpuint(len, ==, first_len);
				else
					g_assert_cmpuint(first_len - len, <,
					                 vp8_packetizer_count(&p));
				g_assert_cmpuint(len, >, desc_len);
			}
			g_assert_cmpint(ret, ==, -ENOENT);
			g_assert_cmpuint(n, ==, vp8_packetizer_count(&p));
			g_assert_cmpuint(got, ==, size);
			g_assert_cmpmem(back, size, frame, size);
		}
	}
}

static void test_packetizer_errors(void)
{
	struct vp8_descriptor tmpl = {.has_picture_id = true, .long_picture_id = true};
	struct vp8_packetizer p;
	uint8_t frame[10] = {0}, buf[8];
	size_t len;
	bool marker;

	g_assert_cmpint(vp8_packetizer_init(&p, frame, 0, 100, &tmpl), ==, -EINVAL);
	g_assert_cmpint(vp8_packetizer_init(&p, frame, 10, 4, &tmpl), ==, -EMSGSIZE);
	tmpl.picture_id = 0x8000;
	g_assert_cmpint(vp8_packetizer_init(&p, frame, 10, 100, &tmpl), ==, -EINVAL);
	tmpl.picture_id = 1;
	g_assert_cmpint(vp8_packetizer_init(&p, frame, 10, 100, &tmpl), ==, 0);
	g_assert_cmpint(vp8_packetizer_next(&p, buf, sizeof(buf), &len, &marker), ==, -ENOSPC);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vp8/parse-known", test_parse_known_bytes);
	g_test_add_func("/vp8/parse-truncated", test_parse_truncated);
	g_test_add_func("/vp8/roundtrip", test_roundtrip_all_combinations);
	g_test_add_func("/vp8/write-errors", test_write_errors);
	g_test_add_func("/vp8/rewrite", test_rewrite_fields);
	g_test_add_func("/vp8/frame-info", test_frame_info);
	g_test_add_func("/vp8/keyframe", test_keyframe_detection);
	g_test_add_func("/vp8/packetizer", test_packetizer);
	g_test_add_func("/vp8/packetizer-errors", test_packetizer_errors);
	return g_test_run();
}
