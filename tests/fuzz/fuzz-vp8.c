/* SPDX-License-Identifier: MIT */
/* libFuzzer target: VP8 payload descriptors and frame headers, write/re-parse, field
 * rewrites, and the packetiser over the input taken as a frame. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto/vp8.h"

static void check_same(const struct vp8_descriptor *a, const struct vp8_descriptor *b)
{
	CHECK(a->non_reference == b->non_reference && a->start == b->start);
	CHECK(a->partition_id == b->partition_id);
	CHECK(a->has_picture_id == b->has_picture_id && a->long_picture_id == b->long_picture_id);
	CHECK(a->picture_id == b->picture_id);
	CHECK(a->has_tl0picidx == b->has_tl0picidx && a->tl0picidx == b->tl0picidx);
	CHECK(a->has_tid == b->has_tid && a->tid == b->tid && a->layer_sync == b->layer_sync);
	CHECK(a->has_keyidx == b->has_keyidx && a->keyidx == b->keyidx);
}

/* A parsed descriptor is written back with the same fields. The writer is canonical: the
 * only descriptor it makes shorter is X set with no extension present (legal but empty). */
static void rewrite(const uint8_t *data, size_t size, const struct vp8_descriptor *d,
                    size_t desc_len)
{
	uint8_t *copy = malloc(size);
	size_t data_len = size - desc_len, len, again_len, copy_len;
	struct vp8_descriptor again;

	CHECK(copy);
	len = vp8_descriptor_size(d);
	CHECK(len == desc_len || (len == 1 && desc_len == 2 && (data[0] & 0x80)));
	CHECK(vp8_descriptor_write(copy, size, d, &len) == 0);
	memcpy(copy + len, data + desc_len, data_len);
	copy_len = len + data_len;
	CHECK(vp8_descriptor_parse(copy, copy_len, &again, &again_len) == 0);
	CHECK(again_len == len);
	check_same(d, &again);

	/* In-place rewrites change only their field. */
	if (d->has_picture_id) {
		CHECK(vp8_descriptor_set_picture_id(copy, copy_len, 0x5a5a) == 0);
		CHECK(vp8_descriptor_parse(copy, copy_len, &again, &again_len) == 0);
		CHECK(again.picture_id == (d->long_picture_id ? 0x5a5a : 0x5a));
		CHECK(again.tl0picidx == d->tl0picidx && again.tid == d->tid);
	} else {
		CHECK(vp8_descriptor_set_picture_id(copy, copy_len, 1) == -EINVAL);
	}
	if (d->has_tl0picidx) {
		CHECK(vp8_descriptor_set_tl0picidx(copy, copy_len, 0xa5) == 0);
		CHECK(vp8_descriptor_parse(copy, copy_len, &again, &again_len) == 0);
		CHECK(again.tl0picidx == 0xa5);
	}
	CHECK(memcmp(copy + len, data + desc_len, data_len) == 0);
	free(copy);
}

/* The input as a frame, cut at a limit taken from its first byte, comes back whole. */
static void packetize(const uint8_t *data, size_t size)
{
	struct vp8_descriptor tmpl = {.has_picture_id = true, .long_picture_id = true};
	struct vp8_packetizer p;
	size_t max, got = 0, len, n = 0;
	uint8_t *buf, *back;
	bool marker = false;

	if (size == 0)
		return;
	max = 5 + data[0] % 64;
	if (vp8_packetizer_init(&p, data, size, max, &tmpl) < 0)
		return;
	buf = malloc(max);
	back = malloc(size);
	CHECK(buf && back);
	while (vp8_packetizer_next(&p, buf, max, &len, &marker) == 0) {
		struct vp8_descriptor d;
		size_t desc_len;

		CHECK(len <= max);
		CHECK(vp8_descriptor_parse(buf, len, &d, &desc_len) == 0);
		CHECK(d.start == (n == 0));
		CHECK(got + len - desc_len <= size);
		memcpy(back + got, buf + desc_len, len - desc_len);
		got += len - desc_len;
		n++;
	}
	CHECK(marker && n == vp8_packetizer_count(&p));
	CHECK(got == size && memcmp(back, data, size) == 0);
	free(buf);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vp8_descriptor d;
	struct vp8_frame_info info;
	size_t desc_len;

	(void)vp8_frame_info_parse(data, size, &info);
	(void)vp8_payload_is_keyframe(data, size);
	if (vp8_descriptor_parse(data, size, &d, &desc_len) == 0) {
		CHECK(desc_len >= 1 && desc_len <= VP8_DESCRIPTOR_MAX && desc_len < size);
		CHECK(d.partition_id <= VP8_PID_MAX && d.tid <= 3 && d.keyidx <= 31);
		if (vp8_frame_info_parse(data + desc_len, size - desc_len, &info) == 0 &&
		    info.keyframe)
			CHECK(info.width > 0 && info.height > 0);
		rewrite(data, size, &d, desc_len);
	}
	packetize(data, size);
	return 0;
}
