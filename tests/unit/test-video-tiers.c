/* SPDX-License-Identifier: MIT */
/* Unit tests of the [video] tiers text form: what parses, what is refused and why, and
 * that the configuration refuses a bad value naming the key. */
#include <glib.h>
#include <string.h>

#include "core/config.h"
#include "core/video_tiers.h"

static void test_default_and_spacing(void)
{
	struct video_tier_spec t[VIDEO_TIERS_MAX];
	g_autoptr(GError) error = NULL;
	size_t n = 0;

	g_assert_true(
	    video_tiers_parse("1280x720@30:1500,640x360@30:500,320x180@15:150", t, &n, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(n, ==, 3);
	g_assert_cmpint(t[0].width, ==, 1280);
	g_assert_cmpint(t[0].height, ==, 720);
	g_assert_cmpint(t[0].fps, ==, 30);
	g_assert_cmpint(t[0].kbps, ==, 1500);
	g_assert_cmpint(t[2].width, ==, 320);
	g_assert_cmpint(t[2].fps, ==, 15);
	g_assert_cmpint(t[2].kbps, ==, 150);

	g_assert_true(video_tiers_parse("  1920x1080@30:3000 , 640x360@25:600 ", t, &n, &error));
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpint(t[1].fps, ==, 25);
	g_assert_true(video_tiers_parse("320x180@15:150", t, &n, &error));
	g_assert_cmpuint(n, ==, 1);
}

static void test_refused(void)
{
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
	    {"", "no tier"},
	    {"1280x720@30", "not WIDTHxHEIGHT@FPS:KBPS"},
	    {"1280x720@30:1500,", "tier 2 \"\": not WIDTHxHEIGHT"},
	    {"1280*720@30:1500", "not WIDTHxHEIGHT"},
	    {"1280x720@30:1500x", "not WIDTHxHEIGHT"},
	    {"-1280x720@30:1500", "not WIDTHxHEIGHT"},
	    {"1281x720@30:1500", "even"},
	    {"16x16@30:100", "size out of range"},
	    {"1280x720@0:1500", "fps out of range"},
	    {"1280x720@61:1500", "fps out of range"},
	    {"1280x720@30:20", "kbps out of range"},
	    {"640x360@30:500,1280x720@30:1500", "not smaller"},
	    {"1280x720@30:500,640x360@30:500", "bitrate not below"},
	    {"1280x720@15:1500,640x360@30:500", "fps above the first"},
	    {"1280x720@30:1500,960x540@30:900,640x360@30:500,480x270@30:300,320x180@15:150",
	     "more than 4"},
	    {"99999999999x720@30:1500", "not WIDTHxHEIGHT"},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct video_tier_spec t[VIDEO_TIERS_MAX];
		g_autoptr(GError) error = NULL;
		size_t n = 0;

		g_assert_false(video_tiers_parse(cases[i].text, t, &n, &error));
		g_assert_nonnull(error);
		if (!strstr(error->message, cases[i].why))
			g_error("\"%s\": \"%s\" lacks \"%s\"", cases[i].text, error->message,
			        cases[i].why);
	}
}

static void test_config_checks_the_key(void)
{
	g_autoptr(config) cfg = config_new();
	g_autoptr(GError) error = NULL;

	g_assert_cmpstr(config_get_string(cfg, "video", "tiers"), ==,
	                "1280x720@30:1500,640x360@30:500,320x180@15:150");
	g_assert_cmpint(config_get_int(cfg, "video", "keyframe_min_interval_ms"), ==, 500);
	g_assert_false(
	    config_set(cfg, "video", "tiers", "720p", "environment CAU_VIDEO_TIERS", &error));
	g_assert_nonnull(strstr(error->message, "environment CAU_VIDEO_TIERS: [video] tiers"));
	g_assert_nonnull(strstr(error->message, "not WIDTHxHEIGHT"));
	g_clear_error(&error);
	g_assert_true(config_set(cfg, "video", "tiers", "640x360@30:500", "test", &error));
	g_assert_cmpstr(config_get_string(cfg, "video", "tiers"), ==, "640x360@30:500");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/video-tiers/parse", test_default_and_spacing);
	g_test_add_func("/video-tiers/refused", test_refused);
	g_test_add_func("/video-tiers/config", test_config_checks_the_key);
	return g_test_run();
}
