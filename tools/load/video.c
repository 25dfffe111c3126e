/* SPDX-License-Identifier: MIT */
/* VP8 in cau-load: camera clips encoded once at start (a coloured test pattern per
 * endpoint, looped), sending them at the camera's frame rate with a key frame on request,
 * and receiving the composite: frames counted on every endpoint, decoded on a sample and
 * checked for the senders' colours. */
#define G_LOG_DOMAIN "cau-load"
#include "load.h"

#include "proto/vp8.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CLIP_SECONDS     2    /* loop length; its first frame is the only key frame */
#define MAX_PAYLOAD      1100 /* as the server's packetiser */
#define COLOUR_TOLERANCE 18   /* chroma distance (U and V each) still counted as a colour */
#define COLOUR_MIN_PCT   0.3  /* of a picture's chroma samples for a colour to count as seen */
#define CHECK_EVERY      15   /* decoded frames between two colour checks */

/* Saturated colours in limited-range BT.601 (Y, U, V): red, green, blue, yellow, cyan,
 * magenta, orange, purple. Their chroma is far from grey (name tiles, black bars) and from
 * each other, so a receiver can tell which senders' pictures are in the composite. */
static const uint8_t palette[VIDEO_PATTERNS][3] = {
    {81, 90, 240},  {145, 54, 34},   {41, 240, 110}, {210, 16, 146},
    {170, 166, 16}, {106, 202, 222}, {146, 53, 193}, {74, 221, 166},
};

bool video_spec_parse(const char *text, struct video_spec *out)
{
	int w = 0, h = 0, fps = 0, kbps = 0, used = 0;

	if (!text)
		return false;
	if (sscanf(text, "%dx%d@%d%n", &w, &h, &fps, &used) != 3)
		return false;
	if (text[used] == ':' && sscanf(text + used + 1, "%d%n", &kbps, &used) == 1)
		;
	else if (text[used] != '\0')
		return false;
	if (w < 16 || h < 16 || w > 1920 || h > 1080 || (w | h) & 1 || fps < 1 || fps > 60 ||
	    (kbps && (kbps < 30 || kbps > 8000)))
		return false;
	out->width = w;
	out->height = h;
	out->fps = fps;
	/* A camera's usual rate: 150 kb/s for 320x180 at 15 fps, 600 for 640x360. */
	out->kbps = kbps ? kbps : MAX(50, (int)((int64_t)w * h * fps / 5760));
	return true;
}

/* One picture of the pattern: the pattern's colour, a white square moving across and a
 * dark bar moving down, so that every frame differs as a camera's would. */
static void draw(struct video_frame *f, unsigned pattern, unsigned n, unsigned frames)
{
	const uint8_t *c = palette[pattern % VIDEO_PATTERNS];
	int sq = (f->height / 4) & ~1;
	int x = (int)((uint64_t)(f->width - sq) * n / frames) & ~1;
	int bar = (int)((uint64_t)(f->height - 8) * n / frames) & ~1;

	video_frame_fill(f, c[0], c[1], c[2]);
	video_frame_fill_rect(f, &(struct video_rect){x, f->height / 3 & ~1, sq, sq}, 235, 128,
	                      128);
	video_frame_fill_rect(f, &(struct video_rect){0, bar, f->width, 6}, 40, 128, 128);
}

struct video_clip *video_clip_new(const struct video_spec *spec, unsigned pattern)
{
	struct video_clip *clip = g_new0(struct video_clip, 1);
	struct video_frame *pic = video_frame_new(spec->width, spec->height);
	struct vp8_encoder_config cfg;
	struct vp8_encoder *enc;

	vp8_encoder_config_init(&cfg);
	cfg.width = spec->width;
	cfg.height = spec->height;
	cfg.fps = spec->fps;
	cfg.bitrate_kbps = spec->kbps;
	enc = vp8_encoder_new(&cfg, "cau-load camera");
	g_assert(enc && pic);
	clip->spec = *spec;
	clip->pattern = pattern;
	clip->frames = (unsigned)(CLIP_SECONDS * spec->fps);
	clip->payload = g_new0(uint8_t *, clip->frames);
	clip->len = g_new0(size_t, clip->frames);
	/* The loop twice, the second kept: the rate control has settled by then. */
	for (unsigned f = 0; f < 2 * clip->frames; f++) {
		struct vp8_encoded_info info;
		const uint8_t *data;
		unsigned n = f % clip->frames;

		draw(pic, pattern, n, clip->frames);
		if (vp8_encoder_encode(enc, pic,
		                       (uint64_t)f * (VP8_RTP_CLOCK / (unsigned)spec->fps), n == 0,
		                       &info, &data) != 0)
			g_error("cau-load: VP8 encode failed");
		if (f >= clip->frames) {
			clip->payload[n] = g_memdup2(data, info.len);
			clip->len[n] = info.len;
		}
	}
	vp8_encoder_free(enc);
	video_frame_unref(pic);
	return clip;
}

void video_clip_free(struct video_clip *clip)
{
	if (!clip)
		return;
	for (unsigned i = 0; i < clip->frames; i++)
		g_free(clip->payload[i]);
	g_free(clip->payload);
	g_free(clip->len);
	g_free(clip);
}

static void put_le(uint8_t *p, uint64_t value, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

bool video_clip_write_ivf(const struct video_clip *clip, const char *path, unsigned seconds)
{
	unsigned total = seconds * (unsigned)clip->spec.fps;
	uint8_t hdr[32] = "DKIF";
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return false;
	put_le(hdr + 6, 32, 2);
	memcpy(hdr + 8, "VP80", 4);
	put_le(hdr + 12, (uint64_t)clip->spec.width, 2);
	put_le(hdr + 14, (uint64_t)clip->spec.height, 2);
	put_le(hdr + 16, (uint64_t)clip->spec.fps, 4); /* time base 1/fps */
	put_le(hdr + 20, 1, 4);
	put_le(hdr + 24, total, 4);
	ok = fwrite(hdr, 1, sizeof(hdr), f) == sizeof(hdr);
	for (unsigned i = 0; ok && i < total; i++) {
		uint8_t fh[12];
		unsigned n = i % clip->frames;

		put_le(fh, clip->len[n], 4);
		put_le(fh + 4, i, 8);
		ok = fwrite(fh, 1, sizeof(fh), f) == sizeof(fh) &&
		     fwrite(clip->payload[n], 1, clip->len[n], f) == clip->len[n];
	}
	return fclose(f) == 0 && ok;
}

/* ---- sending (the sender thread) ---- */

/* Sends one frame of the clip as RTP packets with the given timestamp. */
static void send_frame(struct endpoint *ep, const uint8_t *frame, size_t len, uint32_t timestamp)
{
	struct vp8_descriptor tmpl = {
	    .has_picture_id = true,
	    .long_picture_id = true,
	    .picture_id = ep->video_picture_id,
	};
	struct vp8_packetizer p;
	uint8_t buf[MAX_PAYLOAD];
	size_t out_len;
	bool marker;

	ep->video_picture_id = (ep->video_picture_id + 1) & VP8_PICTURE_ID_15BIT;
	if (vp8_packetizer_init(&p, frame, len, MAX_PAYLOAD, &tmpl) != 0)
		return;
	while (vp8_packetizer_next(&p, buf, sizeof(buf), &out_len, &marker) == 0) {
		struct peer_rtp_out out = {
		    .marker = marker,
		    .timestamp = timestamp,
		    .payload = buf,
		    .payload_len = out_len,
		};

		if (peer_send_rtp(ep->peer, ep->video_track, &out) != 0)
			ep->send_errors++;
	}
	ep->video_frames_sent++;
}

void endpoint_send_video(struct endpoint *ep, int64_t now_us)
{
	const struct video_clip *clip = ep->vclip;
	int64_t period_us = 1000000 / clip->spec.fps;

	if (!ep->video_next_us) {
		/* Endpoints start at different points of a frame period, as cameras do. */
		ep->video_start_us =
		    now_us + (int64_t)(ep->index * 7919u % 1000u) * period_us / 1000;
		ep->video_next_us = ep->video_start_us;
		ep->video_base_ts = g_random_int();
		return;
	}
	/* After a stall of 200 ms, start again from now (the timestamps jump by the time lost)
	 * rather than send the missed frames in a burst. */
	if (now_us - ep->video_next_us > 200000)
		ep->video_next_us = now_us;
	while (ep->video_next_us <= now_us) {
		uint32_t ts = ep->video_base_ts +
		              (uint32_t)((ep->video_next_us - ep->video_start_us) * 9 / 100);

		/* A key frame asked for (PLI/FIR): the loop starts again at its key frame. */
		if (__atomic_exchange_n(&ep->video_keyframe_wanted, 0, __ATOMIC_ACQ_REL))
			ep->video_frame = 0;
		send_frame(ep, clip->payload[ep->video_frame], clip->len[ep->video_frame], ts);
		ep->video_frame = (ep->video_frame + 1) % clip->frames;
		ep->video_next_us += period_us;
	}
}

/* ---- receiving (the peer's worker thread) ---- */

/* Which palette colours cover at least COLOUR_MIN_PCT of pic (a bit each), and the share
 * of the picture (percent) they cover together. */
static unsigned colours_in(const struct video_frame *pic, double *out_pct)
{
	uint64_t count[VIDEO_PATTERNS] = {0}, total = 0, covered = 0;
	unsigned mask = 0;

	for (int y = 0; y < pic->height / 2; y += 2) {
		const uint8_t *u = pic->u + (size_t)y * pic->stride_uv;
		const uint8_t *v = pic->v + (size_t)y * pic->stride_uv;

		for (int x = 0; x < pic->width / 2; x += 2) {
			total++;
			for (unsigned c = 0; c < VIDEO_PATTERNS; c++)
				if (abs(u[x] - palette[c][1]) <= COLOUR_TOLERANCE &&
				    abs(v[x] - palette[c][2]) <= COLOUR_TOLERANCE) {
					count[c]++;
					break;
				}
		}
	}
	for (unsigned c = 0; c < VIDEO_PATTERNS; c++) {
		covered += count[c];
		if (total && 100.0 * (double)count[c] / (double)total >= COLOUR_MIN_PCT)
			mask |= 1u << c;
	}
	*out_pct = total ? 100.0 * (double)covered / (double)total : 0;
	return mask;
}

static void decode_frame(struct endpoint *ep, struct video_rx *rx)
{
	struct video_frame *pic = NULL;
	int rc = vp8_decoder_decode(rx->dec, rx->frame->data, rx->frame->len, rx->pool, &pic);

	if (rc == -EINVAL) {
		rx->decode_errors++;
		rx->waiting_key = true;
		return;
	}
	if (!pic)
		return;
	rx->decoded++;
	rx->width = pic->width;
	rx->height = pic->height;
	if (rx->decoded % CHECK_EVERY == 1)
		rx->colours = colours_in(pic, &rx->colour_pct);
	video_frame_unref(pic);
	(void)ep;
}

/* A sampled endpoint's packet: frames assembled (a gap drops the frame and asks for a key
 * frame) and decoded. */
static void assemble(struct endpoint *ep, const struct peer_track *track,
                     const struct rtp_packet *pkt)
{
	struct video_rx *rx = &ep->vrx;
	struct vp8_descriptor d;
	size_t dlen;

	g_mutex_lock(&ep->lock);
	if (rx->have_seq && pkt->seq != (uint16_t)(rx->next_seq)) {
		if ((int16_t)(pkt->seq - rx->next_seq) < 0)
			goto out_unlock; /* late or duplicate */
		rx->gaps++;
		rx->in_frame = false;
		rx->waiting_key = true;
		peer_request_keyframe(ep->peer, track->index);
	}
	rx->have_seq = true;
	rx->next_seq = (uint16_t)(pkt->seq + 1);
	if (vp8_descriptor_parse(pkt->payload, pkt->payload_len, &d, &dlen) != 0)
		goto out_unlock;
	if (d.start && d.partition_id == 0) {
		bool key = vp8_payload_is_keyframe(pkt->payload, pkt->payload_len);

		if (rx->waiting_key && !key)
			goto out_unlock;
		rx->waiting_key = false;
		rx->in_frame = true;
		g_byte_array_set_size(rx->frame, 0);
	}
	if (!rx->in_frame)
		goto out_unlock;
	g_byte_array_append(rx->frame, pkt->payload + dlen, (guint)(pkt->payload_len - dlen));
	if (pkt->marker) {
		rx->in_frame = false;
		decode_frame(ep, rx);
	}
out_unlock:
	g_mutex_unlock(&ep->lock);
}

void endpoint_on_video(struct endpoint *ep, const struct peer_track *track,
                       const struct rtp_packet *pkt)
{
	__atomic_add_fetch(&ep->vrx.packets, 1, __ATOMIC_RELAXED);
	if (pkt->marker)
		__atomic_add_fetch(&ep->vrx.frames, 1, __ATOMIC_RELAXED);
	if (ep->vrx.dec)
		assemble(ep, track, pkt);
}

void video_rx_init(struct video_rx *rx, bool decode)
{
	if (!decode)
		return;
	rx->dec = vp8_decoder_new("cau-load receiver");
	rx->pool = video_frame_pool_new(2);
	rx->frame = g_byte_array_new();
	rx->waiting_key = true;
}

void video_rx_clear(struct video_rx *rx)
{
	g_clear_pointer(&rx->dec, vp8_decoder_free);
	g_clear_pointer(&rx->pool, video_frame_pool_release);
	if (rx->frame)
		g_byte_array_unref(g_steal_pointer(&rx->frame));
}
