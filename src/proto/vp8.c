/* SPDX-License-Identifier: MIT */
/* The VP8 RTP payload (RFC 7741): payload descriptor, VP8 payload header, packetiser. */
#include "proto/vp8.h"

#include <errno.h>
#include <string.h>

#define BIT_X 0x80
#define BIT_N 0x20
#define BIT_S 0x10
#define BIT_I 0x80
#define BIT_L 0x40
#define BIT_T 0x20
#define BIT_K 0x10
#define BIT_M 0x80
#define BIT_Y 0x20

int vp8_descriptor_parse(const uint8_t *payload, size_t len, struct vp8_descriptor *out,
                         size_t *out_len)
{
	size_t pos = 1;
	uint8_t ext = 0;

	memset(out, 0, sizeof(*out));
	if (len < 1)
		return -EINVAL;
	out->non_reference = payload[0] & BIT_N;
	out->start = payload[0] & BIT_S;
	out->partition_id = payload[0] & 0x07;
	if (payload[0] & BIT_X) {
		if (pos >= len)
			return -EINVAL;
		ext = payload[pos++];
	}
	if (ext & BIT_I) {
		if (pos >= len)
			return -EINVAL;
		out->has_picture_id = true;
		if (payload[pos] & BIT_M) {
			if (pos + 1 >= len)
				return -EINVAL;
			out->long_picture_id = true;
			out->picture_id = (uint16_t)((payload[pos] & 0x7f) << 8 | payload[pos + 1]);
			pos += 2;
		} else {
			out->picture_id = payload[pos] & 0x7f;
			pos += 1;
		}
	}
	if (ext & BIT_L) {
		if (pos >= len)
			return -EINVAL;
		out->has_tl0picidx = true;
		out->tl0picidx = payload[pos++];
	}
	if (ext & (BIT_T | BIT_K)) {
		if (pos >= len)
			return -EINVAL;
		if (ext & BIT_T) {
			out->has_tid = true;
			out->tid = payload[pos] >> 6;
			out->layer_sync = payload[pos] & BIT_Y;
		}
		if (ext & BIT_K) {
			out->has_keyidx = true;
			out->keyidx = payload[pos] & 0x1f;
		}
		pos++;
	}
	/* A payload of nothing but a descriptor carries no VP8 data: RFC 7741 gives it no
	 * meaning, and accepting it would let empty "frames" through. */
	if (pos >= len)
		return -EINVAL;
	*out_len = pos;
	return 0;
}

static bool has_extension(const struct vp8_descriptor *d)
{
	return d->has_picture_id || d->has_tl0picidx || d->has_tid || d->has_keyidx;
}

size_t vp8_descriptor_size(const struct vp8_descriptor *d)
{
	size_t size = 1;

	if (!has_extension(d))
		return size;
	size++;
	if (d->has_picture_id)
		size += d->long_picture_id ? 2 : 1;
	if (d->has_tl0picidx)
		size++;
	if (d->has_tid || d->has_keyidx)
		size++;
	return size;
}

static bool descriptor_valid(const struct vp8_descriptor *d)
{
	if (d->partition_id > VP8_PID_MAX)
		return false;
	if (d->has_picture_id &&
	    d->picture_id > (d->long_picture_id ? VP8_PICTURE_ID_15BIT : VP8_PICTURE_ID_7BIT))
		return false;
	if (d->has_tid && d->tid > 3)
		return false;
	if (d->has_keyidx && d->keyidx > 31)
		return false;
	return true;
}

int vp8_descriptor_write(uint8_t *buf, size_t cap, const struct vp8_descriptor *d, size_t *out_len)
{
	size_t size = vp8_descriptor_size(d), pos = 0;
	uint8_t ext = 0;

	if (!descriptor_valid(d))
		return -EINVAL;
	if (cap < size)
		return -ENOSPC;
	buf[pos++] = (uint8_t)((has_extension(d) ? BIT_X : 0) | (d->non_reference ? BIT_N : 0) |
	                       (d->start ? BIT_S : 0) | d->partition_id);
	if (has_extension(d)) {
		ext = (uint8_t)((d->has_picture_id ? BIT_I : 0) | (d->has_tl0picidx ? BIT_L : 0) |
		                (d->has_tid ? BIT_T : 0) | (d->has_keyidx ? BIT_K : 0));
		buf[pos++] = ext;
	}
	if (d->has_picture_id) {
		if (d->long_picture_id) {
			buf[pos++] = (uint8_t)(BIT_M | d->picture_id >> 8);
			buf[pos++] = (uint8_t)(d->picture_id & 0xff);
		} else {
			buf[pos++] = (uint8_t)d->picture_id;
		}
	}
	if (d->has_tl0picidx)
		buf[pos++] = d->tl0picidx;
	if (d->has_tid || d->has_keyidx) {
		uint8_t tk = 0;

		if (d->has_tid)
			tk |= (uint8_t)(d->tid << 6 | (d->layer_sync ? BIT_Y : 0));
		if (d->has_keyidx)
			tk |= d->keyidx;
		buf[pos++] = tk;
	}
	*out_len = pos;
	return 0;
}

/* Where the picture id and TL0PICIDX of a written payload are, or -1 when absent. */
static int field_offsets(const uint8_t *payload, size_t len, int *picture_id_at, int *tl0picidx_at)
{
	struct vp8_descriptor d;
	size_t desc_len, pos = 2;

	if (vp8_descriptor_parse(payload, len, &d, &desc_len) < 0)
		return -EINVAL;
	*picture_id_at = -1;
	*tl0picidx_at = -1;
	if (d.has_picture_id) {
		*picture_id_at = (int)pos;
		pos += d.long_picture_id ? 2 : 1;
	}
	if (d.has_tl0picidx)
		*tl0picidx_at = (int)pos;
	return 0;
}

int vp8_descriptor_set_picture_id(uint8_t *payload, size_t len, uint16_t picture_id)
{
	int at, tl0_at;

	if (field_offsets(payload, len, &at, &tl0_at) < 0 || at < 0)
		return -EINVAL;
	if (payload[at] & BIT_M) {
		payload[at] = (uint8_t)(BIT_M | (picture_id >> 8 & 0x7f));
		payload[at + 1] = (uint8_t)(picture_id & 0xff);
	} else {
		payload[at] = (uint8_t)(picture_id & 0x7f);
	}
	return 0;
}

int vp8_descriptor_set_tl0picidx(uint8_t *payload, size_t len, uint8_t tl0picidx)
{
	int pid_at, at;

	if (field_offsets(payload, len, &pid_at, &at) < 0 || at < 0)
		return -EINVAL;
	payload[at] = tl0picidx;
	return 0;
}

int vp8_frame_info_parse(const uint8_t *data, size_t len, struct vp8_frame_info *out)
{
	uint32_t tag;

	memset(out, 0, sizeof(*out));
	if (len < 3)
		return -EINVAL;
	tag = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16;
	out->keyframe = !(tag & 1);
	out->version = (tag >> 1) & 7;
	out->show_frame = (tag >> 4) & 1;
	out->first_partition_size = tag >> 5;
	if (!out->keyframe)
		return 0;
	if (len < 10 || data[3] != 0x9d || data[4] != 0x01 || data[5] != 0x2a)
		return -EINVAL;
	out->width = (uint16_t)((data[6] | data[7] << 8) & 0x3fff);
	out->horizontal_scale = data[7] >> 6;
	out->height = (uint16_t)((data[8] | data[9] << 8) & 0x3fff);
	out->vertical_scale = data[9] >> 6;
	if (out->width == 0 || out->height == 0)
		return -EINVAL;
	return 0;
}

bool vp8_payload_is_keyframe(const uint8_t *payload, size_t len)
{
	struct vp8_descriptor d;
	struct vp8_frame_info info;
	size_t desc_len;

	if (vp8_descriptor_parse(payload, len, &d, &desc_len) < 0)
		return false;
	if (!d.start || d.partition_id != 0)
		return false;
	return vp8_frame_info_parse(payload + desc_len, len - desc_len, &info) == 0 &&
	       info.keyframe;
}

int vp8_packetizer_init(struct vp8_packetizer *p, const uint8_t *frame, size_t frame_len,
                        size_t max_payload, const struct vp8_descriptor *tmpl)
{
	size_t room;

	memset(p, 0, sizeof(*p));
	if (frame_len == 0 || !descriptor_valid(tmpl))
		return -EINVAL;
	p->desc = *tmpl;
	p->desc.partition_id = 0;
	p->desc_len = vp8_descriptor_size(&p->desc);
	if (max_payload <= p->desc_len)
		return -EMSGSIZE;
	room = max_payload - p->desc_len;
	p->frame = frame;
	p->frame_len = frame_len;
	p->packet_count = (frame_len + room - 1) / room;
	return 0;
}

size_t vp8_packetizer_count(const struct vp8_packetizer *p)
{
	return p->packet_count;
}

int vp8_packetizer_next(struct vp8_packetizer *p, uint8_t *buf, size_t cap, size_t *out_len,
                        bool *out_marker)
{
	size_t i = p->packets_done, chunk, desc_len;
	/* Near-equal shares, every packet but the last exactly `share` bytes, so that a
	 * frame's datagrams can leave in one segmentation-offload send (UDP_SEGMENT needs
	 * equal segments but the last). The last is never empty: (count - 1) shares are less
	 * than the frame, as count = ceil(frame_len / room) and share <= room. */
	size_t share = (p->frame_len + p->packet_count - 1) / p->packet_count;

	if (i >= p->packet_count)
		return -ENOENT;
	chunk = i + 1 < p->packet_count ? share : p->frame_len - share * i;
	if (cap < p->desc_len + chunk)
		return -ENOSPC;
	p->desc.start = i == 0;
	vp8_descriptor_write(buf, cap, &p->desc, &desc_len);
	memcpy(buf + desc_len, p->frame + p->pos, chunk);
	p->pos += chunk;
	p->packets_done++;
	*out_len = desc_len + chunk;
	*out_marker = p->packets_done == p->packet_count;
	return 0;
}
