/* SPDX-License-Identifier: MIT */
/* Shared helpers of the video tests: colours, synthetic pictures, pixel checks, and a fake
 * sender that VP8-encodes pictures and cuts them into real RTP packets. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/video_frame.h"
#include "media/vp8_codec.h"
#include "proto/rtp.h"

#define VFIX_PACKET_MAX  1200
#define VFIX_MAX_PAYLOAD 1100

struct vfix_colour {
	uint8_t y, u, v;
};

/* A distinct, saturated colour for participant i (a hue wheel; 24 distinct hues, darker
 * and lighter after that), never close to black. */
struct vfix_colour vfix_colour_of(unsigned i);

/* The mean of each plane over a rectangle (shrunk by inset pixels on each side). */
void vfix_mean(const struct video_frame *f, const struct video_rect *r, int inset, double *y,
               double *u, double *v);

/* Whether the rectangle's mean colour is within tolerance of c on each plane. */
bool vfix_rect_is(const struct video_frame *f, const struct video_rect *r, int inset,
                  struct vfix_colour c, double tolerance);

/* The standard deviation of luma over a rectangle: 0 for a solid colour. */
double vfix_luma_stddev(const struct video_frame *f, const struct video_rect *r);

/* A colour with a small moving checker in one corner, so the encoder has motion. */
void vfix_draw(struct video_frame *f, struct vfix_colour c, unsigned frame_no);

/* Saves a frame as PNG at tmp_dir/file (tmp_dir made once per process under /tmp), for a
 * person to look at; returns the path (owned by the caller). */
char *vfix_save_png(const struct video_frame *f, const char *file);

/* One RTP packet: the bytes and the parse of them (pointers into data). */
struct vfix_packet {
	uint8_t data[VFIX_PACKET_MAX];
	size_t len;
	struct rtp_packet rtp;
};

/* A sender: a VP8 encoder, a picture of its colour, RTP numbering (payload type 96). */
struct vfix_sender {
	struct vp8_encoder *enc;
	struct video_frame *picture;
	struct vfix_colour colour;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	uint16_t picture_id;
	unsigned frame_no;
	uint8_t frame[256 * 1024];
	size_t frame_len;
	bool keyframe;
};

void vfix_sender_init(struct vfix_sender *s, int width, int height, int fps, int kbps,
                      uint32_t ssrc, struct vfix_colour colour);
void vfix_sender_clear(struct vfix_sender *s);

/* Encodes the next picture (a key frame if asked, or the first) and cuts it into packets
 * (at most cap; the count is returned). Timestamps advance by 90000 / 30. */
unsigned vfix_sender_next(struct vfix_sender *s, bool keyframe, struct vfix_packet *out,
                          unsigned cap);

/* Cuts an encoded frame into RTP packets of the given numbering. Returns the count. */
unsigned vfix_packetize(const uint8_t *frame, size_t len, uint32_t ssrc, uint16_t *seq, uint32_t ts,
                        uint16_t picture_id, struct vfix_packet *out, unsigned cap);
