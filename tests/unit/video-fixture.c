/* SPDX-License-Identifier: MIT */
/* Shared helpers of the video tests: colours, synthetic pictures, pixel checks, and a fake
 * sender that VP8-encodes pictures and cuts them into real RTP packets. */
#include "video-fixture.h"

#include <cairo.h>
#include <glib.h>
#include <libyuv.h>
#include <math.h>
#include <string.h>

#include "proto/vp8.h"

struct vfix_colour vfix_colour_of(unsigned i)
{
	double h = fmod(i * 0.618033988749895, 1.0) * 6, r, g, b;
	double level = i < 24 ? 0.85 : (i / 24) % 2 ? 0.6 : 1.0;
	double f = h - floor(h), yv, uv, vv;

	switch ((int)h) {
	case 0:
		r = 1, g = f, b = 0;
		break;
	case 1:
		r = 1 - f, g = 1, b = 0;
		break;
	case 2:
		r = 0, g = 1, b = f;
		break;
	case 3:
		r = 0, g = 1 - f, b = 1;
		break;
	case 4:
		r = f, g = 0, b = 1;
		break;
	default:
		r = 1, g = 0, b = 1 - f;
		break;
	}
	r = 0.15 + 0.85 * r * level;
	g = 0.15 + 0.85 * g * level;
	b = 0.15 + 0.85 * b * level;
	/* BT.601 limited range, as libyuv and libvpx use. */
	yv = 16 + 65.481 * r + 128.553 * g + 24.966 * b;
	uv = 128 - 37.797 * r - 74.203 * g + 112.0 * b;
	vv = 128 + 112.0 * r - 93.786 * g - 18.214 * b;
	return (struct vfix_colour){(uint8_t)lround(yv), (uint8_t)lround(uv), (uint8_t)lround(vv)};
}

void vfix_mean(const struct video_frame *f, const struct video_rect *r, int inset, double *y,
               double *u, double *v)
{
	int x0 = (r->x + inset) & ~1, y0 = (r->y + inset) & ~1;
	int x1 = (r->x + r->width - inset) & ~1, y1 = (r->y + r->height - inset) & ~1;
	double sy = 0, su = 0, sv = 0;
	long ny = 0, nc = 0;

	for (int yy = y0; yy < y1; yy++)
		for (int xx = x0; xx < x1; xx++, ny++)
			sy += f->y[yy * f->stride_y + xx];
	for (int yy = y0 / 2; yy < y1 / 2; yy++) {
		for (int xx = x0 / 2; xx < x1 / 2; xx++, nc++) {
			su += f->u[yy * f->stride_uv + xx];
			sv += f->v[yy * f->stride_uv + xx];
		}
	}
	*y = ny ? sy / ny : 0;
	*u = nc ? su / nc : 0;
	*v = nc ? sv / nc : 0;
}

bool vfix_rect_is(const struct video_frame *f, const struct video_rect *r, int inset,
                  struct vfix_colour c, double tolerance)
{
	double y, u, v;

	vfix_mean(f, r, inset, &y, &u, &v);
	if (fabs(y - c.y) <= tolerance && fabs(u - c.u) <= tolerance && fabs(v - c.v) <= tolerance)
		return true;
	g_test_message("rect %dx%d+%d+%d is %.1f/%.1f/%.1f, expected %u/%u/%u", r->width, r->height,
	               r->x, r->y, y, u, v, c.y, c.u, c.v);
	return false;
}

double vfix_luma_stddev(const struct video_frame *f, const struct video_rect *r)
{
	double sum = 0, sq = 0;
	long n = 0;

	for (int y = r->y; y < r->y + r->height; y++) {
		for (int x = r->x; x < r->x + r->width; x++, n++) {
			double p = f->y[y * f->stride_y + x];

			sum += p;
			sq += p * p;
		}
	}
	if (n == 0)
		return 0;
	return sqrt(MAX(sq / n - (sum / n) * (sum / n), 0));
}

void vfix_draw(struct video_frame *f, struct vfix_colour c, unsigned frame_no)
{
	int size = MAX(f->height / 12, 2) & ~1;
	struct video_rect block = {(int)(frame_no * 2 % 8) & ~1, 0, size, size};

	video_frame_fill(f, c.y, c.u, c.v);
	/* A small checker moving in the top-left corner: the encoder sees motion, while the
	 * rest of the picture stays one colour to check. */
	video_frame_fill_rect(f, &block, (uint8_t)(255 - c.y), c.u, c.v);
}

char *vfix_save_png(const struct video_frame *f, const char *file)
{
	static char *dir;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, f->width, f->height);
	char *path;

	if (!dir)
		dir = g_dir_make_tmp("cau-video-XXXXXX", NULL);
	path = g_build_filename(dir, file, NULL);
	cairo_surface_flush(s);
	I420ToARGB(f->y, f->stride_y, f->u, f->stride_uv, f->v, f->stride_uv,
	           cairo_image_surface_get_data(s), cairo_image_surface_get_stride(s), f->width,
	           f->height);
	cairo_surface_mark_dirty(s);
	g_assert_cmpint(cairo_surface_write_to_png(s, path), ==, CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);
	return path;
}

unsigned vfix_packetize(const uint8_t *frame, size_t len, uint32_t ssrc, uint16_t *seq, uint32_t ts,
                        uint16_t picture_id, struct vfix_packet *out, unsigned cap)
{
	struct vp8_descriptor tmpl = {
	    .has_picture_id = true, .long_picture_id = true, .picture_id = picture_id & 0x7fff};
	struct vp8_packetizer p;
	unsigned n = 0;
	size_t payload_len, header_len;
	bool marker;

	g_assert_cmpint(vp8_packetizer_init(&p, frame, len, VFIX_MAX_PAYLOAD, &tmpl), ==, 0);
	g_assert_cmpuint(vp8_packetizer_count(&p), <=, cap);
	while (n < cap && vp8_packetizer_next(&p, out[n].data + RTP_FIXED_HEADER_LEN,
	                                      VFIX_PACKET_MAX - RTP_FIXED_HEADER_LEN, &payload_len,
	                                      &marker) == 0) {
		struct rtp_packet hdr = {.marker = marker,
		                         .payload_type = 96,
		                         .seq = (*seq)++,
		                         .timestamp = ts,
		                         .ssrc = ssrc};

		g_assert_cmpint(rtp_write_header(out[n].data, VFIX_PACKET_MAX, &hdr, &header_len),
		                ==, 0);
		out[n].len = header_len + payload_len;
		g_assert_cmpint(rtp_parse(out[n].data, out[n].len, &out[n].rtp), ==, 0);
		n++;
	}
	return n;
}

void vfix_sender_init(struct vfix_sender *s, int width, int height, int fps, int kbps,
                      uint32_t ssrc, struct vfix_colour colour)
{
	struct vp8_encoder_config cfg;

	memset(s, 0, sizeof(*s));
	vp8_encoder_config_init(&cfg);
	cfg.width = width;
	cfg.height = height;
	cfg.fps = fps;
	cfg.bitrate_kbps = kbps;
	s->enc = vp8_encoder_new(&cfg, "test sender");
	g_assert_nonnull(s->enc);
	s->picture = video_frame_new(width, height);
	s->colour = colour;
	s->ssrc = ssrc;
	s->seq = (uint16_t)(ssrc * 7919u);
	s->ts = ssrc * 1000u;
	s->picture_id = (uint16_t)(ssrc & 0x7fff);
}

void vfix_sender_clear(struct vfix_sender *s)
{
	vp8_encoder_free(s->enc);
	video_frame_unref(s->picture);
}

unsigned vfix_sender_next(struct vfix_sender *s, bool keyframe, struct vfix_packet *out,
                          unsigned cap)
{
	struct vp8_encoded_info info;
	const uint8_t *data;

	vfix_draw(s->picture, s->colour, s->frame_no);
	g_assert_cmpint(vp8_encoder_encode(s->enc, s->picture, s->ts, keyframe || s->frame_no == 0,
	                                   &info, &data),
	                ==, 0);
	g_assert_cmpuint(info.len, <=, sizeof(s->frame));
	memcpy(s->frame, data, info.len);
	s->frame_len = info.len;
	s->keyframe = info.keyframe;
	s->frame_no++;
	unsigned n = vfix_packetize(s->frame, s->frame_len, s->ssrc, &s->seq, s->ts,
	                            s->picture_id++, out, cap);
	s->ts += 90000 / 30;
	return n;
}
