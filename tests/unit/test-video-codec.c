/* SPDX-License-Identifier: MIT */
/* Unit tests of the VP8 wrappers through real libvpx: pictures survive encode and decode,
 * key frames come on demand only, the bitrate is honoured, temporal layers make streams
 * that stay decodable when upper layers are dropped, and errors are reported. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "media/vp8_codec.h"
#include "proto/vp8.h"
#include "video-fixture.h"

#define W 320
#define H 180

static struct vp8_encoder *make_encoder(int kbps, unsigned layers)
{
	struct vp8_encoder_config cfg;

	vp8_encoder_config_init(&cfg);
	cfg.width = W;
	cfg.height = H;
	cfg.bitrate_kbps = kbps;
	cfg.temporal_layers = layers;
	return vp8_encoder_new(&cfg, "test");
}

static void test_roundtrip_and_keyframes(void)
{
	struct vp8_encoder *enc = make_encoder(300, 1);
	struct vp8_decoder *dec = vp8_decoder_new("test");
	struct video_frame_pool *pool = video_frame_pool_new(3);
	struct video_frame *pic = video_frame_new(W, H);
	struct vfix_colour c = vfix_colour_of(3);
	struct video_rect body = {0, H / 2, W, H / 2};
	const uint8_t *buf = NULL;
	unsigned keyframes = 0;

	g_assert_nonnull(enc);
	g_assert_nonnull(dec);
	for (unsigned i = 0; i < 60; i++) {
		struct vp8_encoded_info info;
		struct vp8_frame_info finfo;
		struct video_frame *out = NULL;

		vfix_draw(pic, c, i);
		g_assert_cmpint(
		    vp8_encoder_encode(enc, pic, i * 3000ull, i == 0 || i == 40, &info, &buf), ==,
		    0);
		g_assert_cmpuint(info.len, >, 0);
		g_assert_cmpint(info.keyframe, ==, i == 0 || i == 40);
		g_assert_cmpint(vp8_frame_info_parse(buf, info.len, &finfo), ==, 0);
		g_assert_cmpint(finfo.keyframe, ==, info.keyframe);
		if (info.keyframe) {
			keyframes++;
			g_assert_cmpuint(finfo.width, ==, W);
			g_assert_cmpuint(finfo.height, ==, H);
		}
		g_assert_cmpint(vp8_decoder_decode(dec, buf, info.len, pool, &out), ==, 0);
		g_assert_nonnull(out);
		g_assert_cmpint(out->width, ==, W);
		if (i > 5)
			g_assert_true(vfix_rect_is(out, &body, 4, c, 4));
		video_frame_unref(out);
	}
	g_assert_cmpuint(keyframes, ==, 2);
	video_frame_unref(pic);
	video_frame_pool_release(pool);
	vp8_decoder_free(dec);
	vp8_encoder_free(enc);
}

/* Average frame size over the second second of a busy picture, at a bitrate. */
static double mean_size(int kbps)
{
	struct vp8_encoder *enc = make_encoder(kbps, 1);
	struct video_frame *pic = video_frame_new(W, H);
	const uint8_t *buf = NULL;
	GRand *rand = g_rand_new_with_seed(7);
	double total = 0;

	for (unsigned i = 0; i < 60; i++) {
		struct vp8_encoded_info info;

		/* Moving diagonal bands with some noise: hard to code, but not white noise. */
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++)
				pic->y[y * W + x] =
				    (uint8_t)(16 + (x + 2 * y + 5 * (int)i) % 64 * 3 +
				              g_rand_int_range(rand, 0, 8));
		g_assert_cmpint(vp8_encoder_encode(enc, pic, i * 3000ull, i == 0, &info, &buf), ==,
		                0);
		if (i >= 30)
			total += info.len;
	}
	g_rand_free(rand);
	video_frame_unref(pic);
	vp8_encoder_free(enc);
	return total / 30;
}

static void test_bitrate(void)
{
	double low = mean_size(100), high = mean_size(1000);

	/* 100 kb/s at 30 fps is ~417 bytes a frame; rate control keeps it within reason. */
	g_test_message("100 kb/s: %.0f B/frame, 1000 kb/s: %.0f B/frame", low, high);
	g_assert_cmpfloat(low, <, 417 * 2.5);
	g_assert_cmpfloat(high, >, low * 3);
}

/* Temporal layers: the pattern, the flags, and decodability of each subset. */
static void check_layers(unsigned layers)
{
	static const uint8_t pattern3[] = {0, 2, 1, 2}, pattern2[] = {0, 1};
	struct vp8_encoder *enc = make_encoder(300, layers);
	struct video_frame *pic = video_frame_new(W, H);
	struct video_frame_pool *pool = video_frame_pool_new(2);
	struct vp8_decoder *dec[VP8_TEMPORAL_LAYERS_MAX];
	struct vfix_colour c = vfix_colour_of(5);
	struct video_rect body = {0, H / 2, W, H / 2};
	const uint8_t *buf = NULL;
	unsigned decoded[VP8_TEMPORAL_LAYERS_MAX] = {0};

	for (unsigned d = 0; d < layers; d++)
		dec[d] = vp8_decoder_new("layer test");
	for (unsigned i = 0; i < 48; i++) {
		bool key = i == 0 || i == 21; /* 21: a key frame off the pattern's phase */
		struct vp8_encoded_info info;
		unsigned since_key = i >= 21 ? i - 21 : i;
		uint8_t want = key           ? 0
		               : layers == 3 ? pattern3[since_key % 4]
		                             : pattern2[since_key % 2];

		vfix_draw(pic, c, i);
		g_assert_cmpint(vp8_encoder_encode(enc, pic, i * 3000ull, key, &info, &buf), ==, 0);
		g_assert_cmpint(info.keyframe, ==, key);
		g_assert_cmpuint(info.tid, ==, want);
		g_assert_cmpint(info.non_reference, ==, want == layers - 1 && want > 0);
		/* Decoder d receives layers 0..d only. */
		for (unsigned d = 0; d < layers; d++) {
			struct video_frame *out = NULL;

			if (info.tid > d)
				continue;
			g_assert_cmpint(vp8_decoder_decode(dec[d], buf, info.len, pool, &out), ==,
			                0);
			g_assert_nonnull(out);
			if (i > 5)
				g_assert_true(vfix_rect_is(out, &body, 4, c, 4));
			decoded[d]++;
			video_frame_unref(out);
		}
	}
	g_assert_cmpuint(decoded[layers - 1], ==, 48);
	g_assert_cmpuint(decoded[0], <=, 48 / (layers == 3 ? 4 : 2) + 2);
	for (unsigned d = 0; d < layers; d++)
		vp8_decoder_free(dec[d]);
	video_frame_pool_release(pool);
	video_frame_unref(pic);
	vp8_encoder_free(enc);
}

static void test_temporal_layers(void)
{
	check_layers(2);
	check_layers(3);
}

static void test_errors(void)
{
	struct vp8_encoder_config cfg;
	struct vp8_encoder *enc = make_encoder(300, 1);
	struct vp8_decoder *dec = vp8_decoder_new("test");
	struct video_frame_pool *pool = video_frame_pool_new(1);
	struct video_frame *pic = video_frame_new(W, H), *wrong = video_frame_new(W / 2, H / 2);
	struct video_frame *held, *out = NULL;
	struct vp8_encoded_info info;
	const uint8_t *buf = NULL;
	static const uint8_t garbage[] = {0x00, 0x01, 0x02, 0x9d, 0x01, 0x2a, 0x40, 0x01};

	vp8_encoder_config_init(&cfg);
	g_assert_null(vp8_encoder_new(&cfg, "no size"));
	cfg.width = 321;
	cfg.height = 180;
	g_assert_null(vp8_encoder_new(&cfg, "odd"));
	cfg.width = 320;
	cfg.temporal_layers = 4;
	g_assert_null(vp8_encoder_new(&cfg, "layers"));

	g_assert_cmpint(vp8_encoder_encode(enc, wrong, 0, true, &info, &buf), ==, -EINVAL);
	g_assert_null(buf);
	g_assert_cmpint(vp8_encoder_encode(enc, pic, 3000, true, &info, &buf), ==, 0);
	g_assert_nonnull(buf);
	g_assert_cmpint(vp8_encoder_set_bitrate(enc, 10), ==, -EINVAL);
	g_assert_cmpint(vp8_encoder_set_bitrate(enc, 500), ==, 0);
	g_assert_cmpint(vp8_encoder_get_config(enc)->bitrate_kbps, ==, 500);

	g_assert_cmpint(vp8_decoder_decode(dec, garbage, sizeof(garbage), pool, &out), ==, -EINVAL);
	g_assert_null(out);
	/* The pool's only frame is held: the decode happens, the picture is not kept. */
	held = video_frame_pool_take(pool, 64, 64);
	g_assert_cmpint(vp8_decoder_decode(dec, buf, info.len, pool, &out), ==, -ENOMEM);
	g_assert_null(out);
	video_frame_unref(held);
	g_assert_cmpint(vp8_decoder_decode(dec, buf, info.len, pool, &out), ==, 0);
	g_assert_nonnull(out);
	video_frame_unref(out);

	video_frame_unref(pic);
	video_frame_unref(wrong);
	video_frame_pool_release(pool);
	vp8_decoder_free(dec);
	vp8_encoder_free(enc);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vp8-codec/roundtrip", test_roundtrip_and_keyframes);
	g_test_add_func("/vp8-codec/bitrate", test_bitrate);
	g_test_add_func("/vp8-codec/temporal-layers", test_temporal_layers);
	g_test_add_func("/vp8-codec/errors", test_errors);
	return g_test_run();
}
