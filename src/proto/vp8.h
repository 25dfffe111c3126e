/* SPDX-License-Identifier: MIT */
/* The VP8 RTP payload (RFC 7741): payload descriptor, VP8 payload header, packetiser. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VP8_DESCRIPTOR_MAX   6 /* 1 + X + 2 picture id + TL0PICIDX + TID/KEYIDX */
#define VP8_PID_MAX          7
#define VP8_PICTURE_ID_7BIT  0x7f
#define VP8_PICTURE_ID_15BIT 0x7fff

/*
 * The payload descriptor at the start of every VP8 RTP payload (RFC 7741 4.2).
 *
 *       0 1 2 3 4 5 6 7
 *      |X|R|N|S|R| PID |     required
 *   X: |I|L|T|K| RSV   |     if X
 *   I: |M| PictureID   |     if I (a second octet when M: 15-bit picture id)
 *   L: |   TL0PICIDX   |     if L
 * T/K: |TID|Y| KEYIDX  |     if T or K
 *
 * The has_* flags say which optional fields are present; a field whose flag is false is
 * 0 after parsing and ignored when writing. The X bit is implied: it is written whenever
 * one of the extensions is present.
 */
struct vp8_descriptor {
	bool non_reference;   /* N: the frame is not used to predict others (droppable) */
	bool start;           /* S: the first octet of a VP8 partition */
	uint8_t partition_id; /* PID, 0..7 */
	bool has_picture_id;  /* I */
	bool long_picture_id; /* M: the picture id is 15 bits (else 7) */
	uint16_t picture_id;
	bool has_tl0picidx; /* L */
	uint8_t tl0picidx;
	bool has_tid;    /* T */
	uint8_t tid;     /* temporal layer, 0..3 */
	bool layer_sync; /* Y: depends only on temporal layer 0 (with T) */
	bool has_keyidx; /* K */
	uint8_t keyidx;  /* 0..31 */
};

/*
 * Parses the descriptor at the start of payload (len bytes) into *out and sets
 * *out_len to its size in bytes, so the VP8 data starts at payload + *out_len. Reserved
 * bits are ignored, as RFC 7741 asks of receivers. Returns 0, or -EINVAL if the payload
 * is shorter than its descriptor says or holds no VP8 data after it. Pure; never reads
 * outside [payload, payload + len).
 */
int vp8_descriptor_parse(const uint8_t *payload, size_t len, struct vp8_descriptor *out,
                         size_t *out_len);

/* The size in bytes vp8_descriptor_write() gives d (1 to VP8_DESCRIPTOR_MAX). */
size_t vp8_descriptor_size(const struct vp8_descriptor *d);

/*
 * Writes d into buf (cap bytes) and sets *out_len. Returns 0, -EINVAL if a field is out
 * of range (PID > 7, a 7-bit picture id > 127 or a 15-bit one > 32767, TID > 3, KEYIDX >
 * 31), or -ENOSPC if cap is too small (nothing written then).
 */
int vp8_descriptor_write(uint8_t *buf, size_t cap, const struct vp8_descriptor *d, size_t *out_len);

/*
 * Rewrites the picture id of an already-written payload in place, keeping its width
 * (a 7-bit id is written modulo 128, a 15-bit one modulo 32768). The egress uses it to
 * give each receiver a continuous picture id across tier switches. Returns 0, or -EINVAL
 * if the payload has no picture id or is malformed.
 */
int vp8_descriptor_set_picture_id(uint8_t *payload, size_t len, uint16_t picture_id);

/* Same, for the TL0PICIDX field. Returns 0, or -EINVAL if it has none. */
int vp8_descriptor_set_tl0picidx(uint8_t *payload, size_t len, uint8_t tl0picidx);

/*
 * What the first bytes of a VP8 frame say (RFC 6386 9.1; the "VP8 payload header" of
 * RFC 7741 4.3): the frame tag, and for key frames the start code and the dimensions.
 */
struct vp8_frame_info {
	bool keyframe;
	bool show_frame;
	uint8_t version;
	uint32_t first_partition_size;
	uint16_t width, height; /* key frames only, else 0 */
	uint8_t horizontal_scale, vertical_scale;
};

/*
 * Parses the frame header at the start of a VP8 frame (or of the VP8 data of the packet
 * that starts it: S = 1 and PID = 0). Returns 0, or -EINVAL if it is too short (3 bytes,
 * 10 for a key frame) or a key frame lacks the start code 9d 01 2a or has a zero size.
 */
int vp8_frame_info_parse(const uint8_t *data, size_t len, struct vp8_frame_info *out);

/*
 * Whether the RTP payload (descriptor included) starts a key frame: S = 1, PID = 0, and the
 * P bit of the VP8 payload header is 0 with a valid key frame header behind it.
 */
bool vp8_payload_is_keyframe(const uint8_t *payload, size_t len);

/*
 * Splits one encoded VP8 frame into RTP payloads of at most max_payload bytes each
 * (descriptor included). Packets are of nearly equal size, as few as the limit allows:
 * every one but the last carries ceil(frame / count) bytes of the frame and the last the
 * rest (short by fewer bytes than there are packets), so that a frame's datagrams can
 * leave in one UDP segmentation-offload send, which needs equal segments but the last;
 * no tiny last packet, and a loss-prone link loses no more packets than needed. Every
 * packet carries tmpl's
 * descriptor with S set on the first only and PID 0 (the frame is not split on partition
 * boundaries, which RFC 7741 allows); the RTP marker goes on the last. State only; no
 * allocation; the frame is borrowed until the last packet is written.
 */
struct vp8_packetizer {
	const uint8_t *frame;
	size_t frame_len;
	size_t pos;
	struct vp8_descriptor desc;
	size_t desc_len;
	size_t packet_count;
	size_t packets_done;
};

/*
 * Starts packetising frame (frame_len > 0 bytes). tmpl gives N, I/M/picture id, L, T, Y, K;
 * its start and partition_id are ignored. Returns 0, or -EINVAL (empty frame, bad
 * template) or -EMSGSIZE (max_payload leaves no room for data after the descriptor).
 */
int vp8_packetizer_init(struct vp8_packetizer *p, const uint8_t *frame, size_t frame_len,
                        size_t max_payload, const struct vp8_descriptor *tmpl);

/* How many payloads the frame makes. */
size_t vp8_packetizer_count(const struct vp8_packetizer *p);

/*
 * Writes the next payload into buf (cap bytes; max_payload is always enough), sets
 * *out_len and *out_marker (true for the frame's last packet). Returns 0, -ENOENT when
 * every packet has been written, or -ENOSPC if cap is too small (state unchanged).
 */
int vp8_packetizer_next(struct vp8_packetizer *p, uint8_t *buf, size_t cap, size_t *out_len,
                        bool *out_marker);
