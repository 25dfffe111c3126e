/* SPDX-License-Identifier: MIT */
/* End-to-end tests of the compositor with real libvpx: senders' VP8 over RTP in, each
 * tier's output packetised, reassembled and decoded as a receiver would, and checked
 * pixel by pixel (tile colours, black bars, name tiles); encodes per composed frame do not
 * depend on the number of receivers; key frames are rate limited per tier; only visible
 * sources are decoded; a loss is repaired by a key frame. The test links with
 * --wrap=vpx_codec_encode,vpx_codec_decode to count the real codec calls. */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_encoder.h>

#include "media/compositor.h"
#include "video-fixture.h"

#define MS          1000ull
#define PERIOD      33333ull
#define MAX_PARTIES 40
#define PKTS        128

static unsigned encode_calls, decode_calls;

vpx_codec_err_t __real_vpx_codec_encode(vpx_codec_ctx_t *ctx, const vpx_image_t *img,
                                        vpx_codec_pts_t pts, unsigned long duration,
                                        vpx_enc_frame_flags_t flags, unsigned long deadline);
vpx_codec_err_t __wrap_vpx_codec_encode(vpx_codec_ctx_t *ctx, const vpx_image_t *img,
                                        vpx_codec_pts_t pts, unsigned long duration,
                                        vpx_enc_frame_flags_t flags, unsigned long deadline);
vpx_codec_err_t __real_vpx_codec_decode(vpx_codec_ctx_t *ctx, const uint8_t *data,
                                        unsigned int data_sz, void *user_priv, long deadline);
vpx_codec_err_t __wrap_vpx_codec_decode(vpx_codec_ctx_t *ctx, const uint8_t *data,
                                        unsigned int data_sz, void *user_priv, long deadline);

vpx_codec_err_t __wrap_vpx_codec_encode(vpx_codec_ctx_t *ctx, const vpx_image_t *img,
                                        vpx_codec_pts_t pts, unsigned long duration,
                                        vpx_enc_frame_flags_t flags, unsigned long deadline)
{
	encode_calls++;
	return __real_vpx_codec_encode(ctx, img, pts, duration, flags, deadline);
}

vpx_codec_err_t __wrap_vpx_codec_decode(vpx_codec_ctx_t *ctx, const uint8_t *data,
                                        unsigned int data_sz, void *user_priv, long deadline)
{
	decode_calls++;
	return __real_vpx_codec_decode(ctx, data, data_sz, user_priv, deadline);
}

struct party {
	struct vfix_sender tx;
	unsigned slot;
	bool video;
	bool send_key;
	bool drop_next; /* lose the last packet of its next frame */
	bool paused;    /* sends nothing: its tile keeps its last picture */
	int width, height;
};

/* What one receiver of a tier sees: the tier's payloads behind fresh RTP headers,
 * reassembled and decoded. */
struct receiver {
	struct frame_assembler *fa;
	struct vp8_decoder *dec;
	struct video_frame *picture;
	uint16_t seq;
	unsigned frames;
};

struct harness {
	struct compositor *comp;
	unsigned view;
	struct party parties[MAX_PARTIES];
	unsigned count;
	uint64_t now;
	struct vfix_packet *pkts;
	struct video_frame_pool *pool;
	struct receiver rx[VIDEO_TIERS_MAX];
	const struct compositor_output *out;
	unsigned tick_encodes, tick_decodes; /* real codec calls inside the last tick */
};

/* On the heap: the senders' buffers make it large. */
static struct harness *harness_new(const struct compositor_config *cfg,
                                   const struct compositor_view_config *vcfg)
{
	struct harness *h = g_new0(struct harness, 1);

	h->comp = compositor_new(cfg, "test room");
	g_assert_nonnull(h->comp);
	g_assert_cmpint(compositor_add_view(h->comp, vcfg, "grid", &h->view), ==, 0);
	h->pkts = g_new(struct vfix_packet, PKTS);
	h->pool = video_frame_pool_new(2 * VIDEO_TIERS_MAX);
	h->now = 1000000 * MS;
	for (unsigned t = 0; t < VIDEO_TIERS_MAX; t++) {
		h->rx[t].fa = frame_assembler_new(NULL, "receiver");
		h->rx[t].dec = vp8_decoder_new("receiver");
	}
	return h;
}

static void harness_clear(struct harness *h)
{
	for (unsigned i = 0; i < h->count; i++)
		if (h->parties[i].video)
			vfix_sender_clear(&h->parties[i].tx);
	for (unsigned t = 0; t < VIDEO_TIERS_MAX; t++) {
		frame_assembler_free(h->rx[t].fa);
		vp8_decoder_free(h->rx[t].dec);
		video_frame_unref(h->rx[t].picture);
	}
	compositor_free(h->comp);
	video_frame_pool_release(h->pool);
	g_free(h->pkts);
	g_free(h);
}

/* A participant: video of width x height in its own colour, or none (a name tile). */
static struct party *join(struct harness *h, const char *name, int width, int height)
{
	struct party *p = &h->parties[h->count];
	char label[64];

	g_assert_cmpuint(h->count, <, MAX_PARTIES);
	g_snprintf(label, sizeof(label), "%s", name ? name : "");
	if (!name)
		g_snprintf(label, sizeof(label), "Xã số %u", h->count);
	p->video = width > 0;
	p->width = width;
	p->height = height;
	g_assert_cmpint(compositor_add_source(h->comp, label, p->video, &p->slot), ==, 0);
	if (p->video)
		vfix_sender_init(&p->tx, width, height, 30, 300, 0x5000 + h->count,
		                 vfix_colour_of(h->count));
	h->count++;
	return p;
}

/* Hands one encoded frame to the receiver of its tier, as the egress and a browser would. */
static void receive(struct harness *h, const struct video_encoded *e)
{
	struct receiver *r = &h->rx[e->tier];
	struct assembled_frame af;

	for (unsigned i = 0; i < e->packet_count; i++) {
		struct vfix_packet pkt;
		struct rtp_packet hdr = {.payload_type = 96,
		                         .seq = r->seq++,
		                         .timestamp = e->rtp_timestamp,
		                         .ssrc = 0xabc0 + e->tier};
		size_t header_len, len;
		const uint8_t *payload = video_encoded_payload(e, i, &len, &hdr.marker);

		g_assert_cmpuint(len, <=, 1100);
		g_assert_cmpint(rtp_write_header(pkt.data, sizeof(pkt.data), &hdr, &header_len), ==,
		                0);
		memcpy(pkt.data + header_len, payload, len);
		g_assert_cmpint(rtp_parse(pkt.data, header_len + len, &pkt.rtp), ==, 0);
		g_assert_cmpint(frame_assembler_put(r->fa, &pkt.rtp, h->now), ==, 0);
	}
	while (frame_assembler_pop(r->fa, h->now, &af) == 0) {
		struct video_frame *pic = NULL;

		g_assert_cmpint(vp8_decoder_decode(r->dec, af.data, af.len, h->pool, &pic), ==, 0);
		g_assert_nonnull(pic);
		g_assert_cmpint(pic->width, ==, e->width);
		video_frame_unref(r->picture);
		r->picture = pic;
		r->frames++;
	}
}

/* One 30 fps period: every sender sends a frame, the compositor ticks, the receivers of
 * the view's tiers decode what it encoded; PLIs are answered by the next frame. */
static void step(struct harness *h)
{
	unsigned enc0, dec0;

	for (unsigned i = 0; i < h->count; i++) {
		struct party *p = &h->parties[i];
		unsigned n;

		if (!p->video || p->paused)
			continue;
		n = vfix_sender_next(&p->tx, p->send_key, h->pkts, PKTS);
		p->send_key = false;
		for (unsigned k = 0; k < n; k++) {
			if (p->drop_next && k == n - 1)
				continue;
			g_assert_cmpint(compositor_put(h->comp, p->slot, &h->pkts[k].rtp, h->now),
			                ==, 0);
		}
		p->drop_next = false;
	}
	enc0 = encode_calls;
	dec0 = decode_calls;
	g_assert_cmpint(compositor_tick(h->comp, h->now, &h->out), ==, 0);
	h->tick_encodes = encode_calls - enc0;
	h->tick_decodes = decode_calls - dec0;
	for (size_t i = 0; i < h->out->keyframe_request_count; i++)
		for (unsigned p = 0; p < h->count; p++)
			if (h->parties[p].slot == h->out->keyframe_requests[i])
				h->parties[p].send_key = true;
	for (size_t i = 0; i < h->out->frame_count; i++)
		if (h->out->frames[i]->view == h->view)
			receive(h, h->out->frames[i]);
	h->now += PERIOD;
}

/* The tile rectangle of list index i on the first tier (1280x720), fitted to a picture of
 * width x height (0: the whole tile, for a name tile), scaled to a tier of tier_width. */
static struct video_rect expected_rect(struct harness *h, unsigned count, unsigned i, int width,
                                       int height, int tier_width)
{
	struct layout_request req = {LAYOUT_GRID, 1280, 720, count, 0, 25, 0, 2};
	struct layout_result res;
	struct video_rect r;

	g_assert_cmpint(layout_compute(&req, &res), ==, 0);
	if (width > 0)
		layout_fit(&res.tiles[i], width, height, &r);
	else
		r = res.tiles[i];
	r.x = r.x * tier_width / 1280;
	r.y = r.y * tier_width / 1280;
	r.width = r.width * tier_width / 1280;
	r.height = r.height * tier_width / 1280;
	return r;
}

/* The middle of a rectangle: away from edges (bars, blur) and the senders' moving block. */
static struct video_rect middle(struct video_rect r)
{
	return (struct video_rect){r.x + r.width / 4, r.y + r.height / 3, r.width / 2,
	                           r.height / 2};
}

/* Six participants in a 3x2 grid: four 16:9 cameras, one 4:3 camera, one without video.
 * Every tier's decoded output shows each camera's colour in its fitted rectangle, black
 * bars around it, and the name tile where the camera-less participant is. */
static void check_grid_picture(bool compose_per_tier)
{
	struct compositor_config cfg;
	struct harness *h;

	compositor_config_init(&cfg);
	cfg.compose_per_tier = compose_per_tier;
	h = harness_new(&cfg, NULL);
	join(h, NULL, 320, 180);
	join(h, NULL, 320, 180);
	join(h, NULL, 320, 240);
	join(h, "Xã Tân Phú", 0, 0);
	join(h, NULL, 640, 360);
	join(h, NULL, 320, 180);
	for (unsigned i = 0; i < 45; i++)
		step(h);
	for (unsigned t = 0; t < cfg.tier_count; t++) {
		const struct video_frame *pic = h->rx[t].picture;
		int tw = cfg.tiers[t].width;

		g_assert_nonnull(pic);
		g_test_message("tier %u: %u frames decoded", t, h->rx[t].frames);
		/* With --verbose, the decoded pictures are kept to look at. */
		if (g_test_verbose()) {
			g_autofree char *file = g_strdup_printf(
			    "grid-%s-tier%u.png", compose_per_tier ? "per-tier" : "once", t);
			g_autofree char *png = vfix_save_png(pic, file);

			g_test_message("tier %u: saved as %s", t, png);
		}
		for (unsigned i = 0; i < h->count; i++) {
			struct party *p = &h->parties[i];
			struct video_rect fit =
			    expected_rect(h, h->count, i, p->width, p->height, tw);
			struct video_rect tile = expected_rect(h, h->count, i, 0, 0, tw);
			struct video_rect bar = {tile.x + tile.width / 4, tile.y + 1,
			                         tile.width / 2, fit.y - tile.y - 2};
			struct vfix_colour black = {VIDEO_BLACK_Y, VIDEO_BLACK_U, VIDEO_BLACK_V};

			if (!p->video) {
				/* Not one colour (there is text), and not black either. */
				double y, u, v;

				vfix_mean(pic, &tile, 2, &y, &u, &v);
				g_assert_cmpfloat(vfix_luma_stddev(pic, &tile), >, 8);
				g_assert_cmpfloat(y, >, 30);
				continue;
			}
			struct video_rect mid = middle(fit);
			if (!vfix_rect_is(pic, &mid, 0, p->tx.colour, t == 0 ? 6 : 10))
				g_error("tier %u, participant %u: wrong colour in its tile", t, i);
			/* Letterbox bars above the picture (16:9 and 4:3 in a 426x360 cell). */
			g_assert_cmpint(bar.height, >=, 2);
			if (bar.height > 4) {
				bar.y += 1;
				bar.height -= 2;
			}
			if (!vfix_rect_is(pic, &bar, 0, black, 6))
				g_error("tier %u, participant %u: the bar is not black", t, i);
		}
	}
	harness_clear(h);
}

static void test_grid_picture(void)
{
	check_grid_picture(false);
}

static void test_grid_picture_per_tier(void)
{
	check_grid_picture(true);
}

/* Encodes per composed frame are the tiers due, whatever the receivers: 10 and 100
 * receivers spread over the tiers, each with its own selector asking key frames. */
static unsigned run_receivers(unsigned receivers, const char *tiers, unsigned ticks,
                              uint64_t *keyframes)
{
	struct compositor_config cfg;
	struct tier_select_tier table[VIDEO_TIERS_MAX];
	struct tier_select *sel = g_new(struct tier_select, receivers);
	struct compositor_stats st;
	unsigned count, encodes = 0, sent = 0;
	struct harness *h;
	size_t n;

	compositor_config_init(&cfg);
	g_assert_true(video_tiers_parse(tiers, cfg.tiers, &n, NULL));
	cfg.tier_count = (unsigned)n;
	h = harness_new(&cfg, NULL);
	for (unsigned i = 0; i < 4; i++)
		join(h, NULL, 320, 180);
	count = compositor_tier_table(h->comp, table);
	for (unsigned r = 0; r < receivers; r++) {
		tier_select_init(&sel[r], NULL, table, count);
		tier_select_set_estimate(&sel[r], 100000 + 2000000ull * r / receivers, h->now);
	}
	for (unsigned i = 0; i < ticks; i++) {
		step(h);
		g_assert_cmpuint(h->tick_encodes, ==, h->out->frame_count);
		encodes += h->tick_encodes;
		for (unsigned r = 0; r < receivers; r++) {
			int k;

			for (size_t f = 0; f < h->out->frame_count; f++)
				sent += tier_select_accept(&sel[r], h->out->frames[f], h->now);
			k = tier_select_keyframe_wanted(&sel[r]);
			if (k >= 0)
				compositor_request_keyframe(h->comp, h->view, (unsigned)k);
		}
	}
	/* Every receiver got pictures. */
	for (unsigned r = 0; r < receivers; r++)
		g_assert_cmpint(tier_select_current(&sel[r]), >=, 0);
	g_assert_cmpuint(sent, >, receivers * ticks / 3);
	compositor_get_stats(h->comp, &st);
	g_assert_cmpuint(st.encodes, ==, encodes);
	*keyframes = st.keyframes;
	harness_clear(h);
	g_free(sel);
	return encodes;
}

static void test_encodes_independent_of_receivers(void)
{
	uint64_t key10, key100;
	unsigned e10, e100;

	/* Tiers at 30 + 30 + 15 fps (smaller than the defaults, to keep the test quick), so
	 * 2.5 encodes per composed frame on average. */
	e10 = run_receivers(10, "640x360@30:800,320x180@30:300,160x90@15:100", 30, &key10);
	e100 = run_receivers(100, "640x360@30:800,320x180@30:300,160x90@15:100", 30, &key100);
	g_test_message("30 ticks: %u encodes with 10 receivers, %u with 100", e10, e100);
	g_assert_cmpuint(e10, ==, 30 + 30 + 15);
	g_assert_cmpuint(e100, ==, e10);
	/* 100 receivers joining at once: still one key frame per tier to start. */
	g_assert_cmpuint(key10, ==, 3);
	g_assert_cmpuint(key100, ==, 3);
	/* Every tier at 30 fps: exactly one encode per tier per composed frame. */
	e10 = run_receivers(10, "640x360@30:800,320x180@30:300,160x90@30:100", 20, &key10);
	e100 = run_receivers(100, "640x360@30:800,320x180@30:300,160x90@30:100", 20, &key100);
	g_assert_cmpuint(e10, ==, 20 * 3);
	g_assert_cmpuint(e100, ==, 20 * 3);
}

/* A tier nobody takes is not encoded; turned on again it starts with a key frame. */
static void test_idle_tiers(void)
{
	struct harness *h = harness_new(NULL, NULL);

	join(h, NULL, 320, 180);
	step(h);
	g_assert_cmpuint(h->tick_encodes, ==, 3);
	g_assert_cmpint(compositor_view_set_tier_active(h->comp, h->view, 1, false), ==, 0);
	g_assert_cmpint(compositor_view_set_tier_active(h->comp, h->view, 2, false), ==, 0);
	for (unsigned i = 0; i < 4; i++) {
		step(h);
		g_assert_cmpuint(h->tick_encodes, ==, 1);
		g_assert_cmpuint(h->out->frames[0]->tier, ==, 0);
	}
	g_assert_cmpint(compositor_view_set_tier_active(h->comp, h->view, 2, true), ==, 0);
	for (unsigned i = 0; i < 2; i++) {
		step(h);
		for (size_t f = 0; f < h->out->frame_count; f++)
			if (h->out->frames[f]->tier == 2)
				g_assert_true(h->out->frames[f]->keyframe);
	}
	g_assert_cmpint(compositor_view_set_tier_active(h->comp, h->view, 3, true), ==, -EINVAL);
	harness_clear(h);
}

/* A tier's key frames: at most one per 500 ms however many requests; a request inside
 * the interval is honoured when it ends, not dropped; a request after a quiet spell (a
 * new receiver) gets a key frame at the next encode. Time is the harness's. */
static void test_keyframe_rate_limit(void)
{
	struct compositor_config cfg;
	struct harness *h;
	uint64_t last = 0, first_key = 0;
	unsigned keys = 0;
	size_t n;

	compositor_config_init(&cfg);
	g_assert_true(
	    video_tiers_parse("320x180@30:300,160x90@30:100,96x54@15:50", cfg.tiers, &n, NULL));
	cfg.tier_count = (unsigned)n;
	h = harness_new(&cfg, NULL);
	join(h, NULL, 320, 180);
	/* Every tick, every tier is asked for a key frame, for 3 s. */
	for (unsigned i = 0; i < 90; i++) {
		for (unsigned t = 0; t < 3; t++)
			compositor_request_keyframe(h->comp, h->view, t);
		step(h);
		for (size_t f = 0; f < h->out->frame_count; f++) {
			const struct video_encoded *e = h->out->frames[f];

			if (e->tier != 0 || !e->keyframe)
				continue;
			if (keys)
				g_assert_cmpuint(h->now - PERIOD - last, >=, 500 * MS);
			else
				first_key = h->now - PERIOD;
			last = h->now - PERIOD;
			keys++;
		}
	}
	g_test_message("tier 0: %u key frames in 3 s under constant requests", keys);
	g_assert_cmpuint(keys, ==, 6); /* at 0, 0.5 (+ one frame), ... within 3 s */
	g_assert_cmpuint(first_key, >, 0);
	/* Quiet for a second, then one request (a new receiver): a key frame at once. */
	for (unsigned i = 0; i < 30; i++)
		step(h);
	compositor_request_keyframe(h->comp, h->view, 1);
	step(h);
	for (size_t f = 0; f < h->out->frame_count; f++)
		if (h->out->frames[f]->tier == 1)
			g_assert_true(h->out->frames[f]->keyframe);
	/* Asked again 100 ms later: deferred to 500 ms after the last one, not dropped. */
	for (unsigned i = 0; i < 3; i++)
		step(h);
	compositor_request_keyframe(h->comp, h->view, 1);
	unsigned waited = 0;
	for (bool got = false; !got; waited++) {
		step(h);
		for (size_t f = 0; f < h->out->frame_count; f++)
			got = got || (h->out->frames[f]->tier == 1 && h->out->frames[f]->keyframe);
		g_assert_cmpuint(waited, <, 20);
	}
	g_assert_cmpuint(waited, >=, 10); /* 4 + ~11 ticks = 500 ms after the last */
	g_assert_cmpint(compositor_request_keyframe(h->comp, h->view, 7), ==, -EINVAL);
	g_assert_cmpint(compositor_request_keyframe(h->comp, 3, 0), ==, -ENOENT);
	harness_clear(h);
}

/* 30 cameras, a grid page of 25: the 5 off the page are never decoded. The page flips:
 * the newly visible ask their senders for a key frame, show their name tile until it
 * decodes, and the others stop being decoded. */
static void test_decode_budget(void)
{
	struct compositor_need need;
	struct compositor_stats st;
	struct harness *h;
	unsigned decodes = 0;

	h = harness_new(NULL, NULL);
	for (unsigned i = 0; i < 30; i++)
		join(h, NULL, 320, 180);
	for (unsigned i = 0; i < 10; i++) {
		step(h);
		if (i >= 2) /* after the start-up key frames */
			g_assert_cmpuint(h->tick_decodes, ==, 25);
	}
	compositor_get_stats(h->comp, &st);
	g_assert_cmpuint(st.visible_last, ==, 25);
	g_assert_cmpuint(st.frames_discarded, >=, 5 * 9);
	g_assert_cmpuint(compositor_view_page_count(h->comp, h->view), ==, 2);
	g_assert_cmpint(compositor_get_need(h->comp, h->parties[0].slot, &need), ==, 0);
	g_assert_true(need.visible);
	g_assert_cmpint(need.width, ==, 252);
	g_assert_cmpint(need.height, ==, 140);
	g_assert_cmpuint(need.kbps, ==, 150); /* a thumbnail: ask the sender's 320x180 layer */
	g_assert_cmpint(compositor_get_need(h->comp, h->parties[27].slot, &need), ==, 0);
	g_assert_false(need.visible);
	g_assert_cmpuint(need.kbps, ==, 0);

	compositor_view_set_page(h->comp, h->view, 1);
	step(h);
	/* The five of page 2 were never decoded: they ask for key frames (PLIs). */
	g_assert_cmpuint(h->out->keyframe_request_count, ==, 5);
	for (size_t i = 0; i < 5; i++)
		g_assert_cmpuint(h->out->keyframe_requests[i], >=, h->parties[25].slot);
	g_assert_cmpuint(h->tick_decodes, ==, 0);
	/* Until they decode, their tiles are name tiles: not one colour. */
	struct video_rect tile = expected_rect(h, 5, 0, 0, 0, 1280);
	g_assert_cmpfloat(vfix_luma_stddev(h->rx[0].picture, &tile), >, 8);
	for (unsigned i = 0; i < 10; i++) {
		step(h);
		decodes += h->tick_decodes;
	}
	g_assert_cmpuint(decodes, ==, 5 * 10);
	struct video_rect fit = middle(expected_rect(h, 5, 0, 320, 180, 1280));
	g_assert_true(vfix_rect_is(h->rx[0].picture, &fit, 0, h->parties[25].tx.colour, 6));

	/* A speaker view: the speaker is large, so its sender is asked for more. */
	struct compositor_view_config vcfg;
	unsigned speaker_view;
	compositor_view_config_init(&vcfg);
	vcfg.kind = LAYOUT_SPEAKER;
	g_assert_cmpint(compositor_add_view(h->comp, &vcfg, "speaker", &speaker_view), ==, 0);
	g_assert_cmpint(compositor_set_speaker(h->comp, h->parties[3].slot), ==, 0);
	step(h);
	g_assert_cmpint(compositor_get_need(h->comp, h->parties[3].slot, &need), ==, 0);
	g_assert_true(need.visible);
	g_assert_cmpint(need.width, ==, 1276);
	g_assert_cmpuint(need.kbps, ==, 1500);
	harness_clear(h);
}

/* A camera loses a packet: its broken frame is dropped, the compositor asks its sender
 * for a key frame, the tile keeps its last picture meanwhile and shows the camera again
 * after. Its assembler counted one loss. */
static void test_loss_recovery(void)
{
	struct frame_assembler_stats fst;
	struct compositor_stats st;
	struct harness *h;
	bool asked = false;

	h = harness_new(NULL, NULL);
	join(h, NULL, 320, 180);
	join(h, NULL, 320, 180);
	for (unsigned i = 0; i < 10; i++)
		step(h);
	h->parties[1].drop_next = true;
	for (unsigned i = 0; i < 20; i++) {
		step(h);
		for (size_t k = 0; k < h->out->keyframe_request_count; k++)
			asked = asked || h->out->keyframe_requests[k] == h->parties[1].slot;
	}
	g_assert_true(asked);
	g_assert_cmpint(compositor_get_source_stats(h->comp, h->parties[1].slot, &fst), ==, 0);
	g_assert_cmpuint(fst.losses, ==, 1);
	g_assert_cmpuint(fst.keyframes, ==, 2);
	compositor_get_stats(h->comp, &st);
	g_assert_cmpuint(st.decode_errors, ==, 0);
	struct video_rect fit = middle(expected_rect(h, 2, 1, 320, 180, 1280));
	g_assert_true(vfix_rect_is(h->rx[0].picture, &fit, 0, h->parties[1].tx.colour, 6));
	harness_clear(h);
}

/* Sources and views come and go; bad arguments are refused. */
static void test_api_edges(void)
{
	struct compositor_config cfg;
	struct compositor_need need;
	struct harness *h;
	unsigned slot;

	compositor_config_init(&cfg);
	cfg.capacity = 2;
	cfg.tier_count = 0;
	g_assert_null(compositor_new(&cfg, "bad"));
	compositor_config_init(&cfg);
	cfg.capacity = 2;
	h = harness_new(&cfg, NULL);
	join(h, NULL, 320, 180);
	join(h, "Phường Bến Nghé", 0, 0);
	g_assert_cmpint(compositor_add_source(h->comp, "x", true, &slot), ==, -ENOSPC);
	step(h);
	g_assert_cmpint(compositor_remove_source(h->comp, h->parties[1].slot), ==, 0);
	g_assert_cmpint(compositor_remove_source(h->comp, h->parties[1].slot), ==, -ENOENT);
	g_assert_cmpint(compositor_put(h->comp, h->parties[1].slot, &h->pkts[0].rtp, 0), ==,
	                -ENOENT);
	g_assert_cmpint(compositor_put(h->comp, 99, &h->pkts[0].rtp, 0), ==, -EINVAL);
	/* Not reused before a tick has seen it leave. */
	g_assert_cmpint(compositor_add_source(h->comp, "x", true, &slot), ==, -ENOSPC);
	h->count = 1;
	step(h);
	g_assert_cmpint(compositor_get_need(h->comp, h->parties[1].slot, &need), ==, -ENOENT);
	g_assert_cmpint(compositor_add_source(h->comp, "x", false, &slot), ==, 0);
	g_assert_cmpint(compositor_set_source_name(h->comp, slot, "Ủy ban"), ==, 0);
	g_assert_cmpint(compositor_set_source_video(h->comp, h->parties[0].slot, false), ==, 0);
	g_assert_cmpint(compositor_view_pin(h->comp, h->view, 5), ==, -ENOENT);
	g_assert_cmpint(compositor_view_pin(h->comp, h->view, (int)slot), ==, 0);
	g_assert_cmpint(compositor_view_set_layout(h->comp, h->view, LAYOUT_PINNED), ==, 0);
	g_assert_cmpint(compositor_view_set_layout(h->comp, h->view, (enum layout_kind)9), ==,
	                -EINVAL);
	unsigned order[] = {slot, h->parties[0].slot};
	g_assert_cmpint(compositor_view_set_order(h->comp, h->view, order, 2), ==, 0);
	step(h);
	g_assert_cmpint(compositor_remove_view(h->comp, h->view), ==, 0);
	g_assert_cmpint(compositor_remove_view(h->comp, h->view), ==, -ENOENT);
	step(h);
	harness_clear(h);
}

/* Every camera's colour in the middle of its tile, on every tier's decoded picture. */
static void check_colours(struct harness *h, const struct compositor_config *cfg)
{
	for (unsigned t = 0; t < cfg->tier_count; t++) {
		const struct video_frame *pic = h->rx[t].picture;

		g_assert_nonnull(pic);
		for (unsigned i = 0; i < h->count; i++) {
			struct party *p = &h->parties[i];
			struct video_rect mid = middle(expected_rect(
			    h, h->count, i, p->width, p->height, cfg->tiers[t].width));

			if (!vfix_rect_is(pic, &mid, 0, p->tx.colour, t == 0 ? 6 : 10))
				g_error("tier %u, participant %u: wrong colour in its tile", t, i);
		}
	}
}

/* The tier encoders skip the blocks of tiles without a new picture, and still show
 * every change: a 2x2 grid where one camera stops (its tile still), one sends at half the
 * rate, two at the full rate; then the stopped one sends a single picture in a new colour,
 * which every tier shows. Without skip_unchanged nothing is skipped. */
static void check_skip_unchanged(bool skip, bool compose_per_tier)
{
	struct compositor_config cfg;
	struct compositor_stats a, b;
	struct harness *h;
	double share;

	compositor_config_init(&cfg);
	cfg.skip_unchanged = skip;
	cfg.compose_per_tier = compose_per_tier;
	h = harness_new(&cfg, NULL);
	for (unsigned i = 0; i < 4; i++)
		join(h, NULL, 320, 180);
	for (unsigned i = 0; i < 30; i++)
		step(h);
	check_colours(h, &cfg);
	h->parties[1].paused = true;
	for (unsigned i = 30; i < 60; i++) {
		h->parties[2].paused = i % 2;
		if (i == 40)
			compositor_get_stats(h->comp, &a);
		step(h);
	}
	compositor_get_stats(h->comp, &b);
	share = (double)(b.macroblocks_skipped - a.macroblocks_skipped) /
	        (double)MAX(1, b.macroblocks_coded - a.macroblocks_coded + b.macroblocks_skipped -
	                           a.macroblocks_skipped);
	g_test_message("skip %d, per tier %d: %.2f of the blocks skipped", skip, compose_per_tier,
	               share);
	if (skip) {
		/* The still tile, half of the half-rate one: about 3/8 of the picture. */
		g_assert_cmpfloat(share, >, 0.25);
		g_assert_cmpfloat(share, <, 0.5);
	} else {
		g_assert_cmpuint(b.macroblocks_skipped, ==, 0);
	}
	h->parties[2].paused = false;
	h->parties[1].tx.colour = vfix_colour_of(17);
	h->parties[1].paused = false;
	step(h);
	h->parties[1].paused = true;
	for (unsigned i = 0; i < 10; i++)
		step(h);
	check_colours(h, &cfg);
	harness_clear(h);
}

static void test_skip_unchanged(void)
{
	check_skip_unchanged(true, false);
	check_skip_unchanged(true, true);
	check_skip_unchanged(false, false);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/compositor/grid-picture", test_grid_picture);
	g_test_add_func("/compositor/grid-picture-per-tier", test_grid_picture_per_tier);
	g_test_add_func("/compositor/encodes-independent-of-receivers",
	                test_encodes_independent_of_receivers);
	g_test_add_func("/compositor/idle-tiers", test_idle_tiers);
	g_test_add_func("/compositor/keyframe-rate-limit", test_keyframe_rate_limit);
	g_test_add_func("/compositor/decode-budget", test_decode_budget);
	g_test_add_func("/compositor/loss-recovery", test_loss_recovery);
	g_test_add_func("/compositor/api-edges", test_api_edges);
	g_test_add_func("/compositor/skip-unchanged", test_skip_unchanged);
	return g_test_run();
}
