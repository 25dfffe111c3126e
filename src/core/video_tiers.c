/* SPDX-License-Identifier: MIT */
/* The text form of the video resolution tiers ("1280x720@30:1500,640x360@30:500,..."),
 * parsed by a pure function that the configuration also uses to check [video] tiers. */
#include "core/video_tiers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Reads a decimal number at *p (no sign), advancing *p; false if there is none or it is
 * absurdly long. */
static bool read_number(const char **p, int *out)
{
	char *end = NULL;
	long v;

	if (!g_ascii_isdigit(**p))
		return false;
	errno = 0;
	v = strtol(*p, &end, 10);
	if (errno || v > 1000000)
		return false;
	*out = (int)v;
	*p = end;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* One item "WxH@FPS:KBPS", already stripped of spaces. */
static bool parse_item(const char *item, struct video_tier_spec *t)
{
	const char *p = item;

	return read_number(&p, &t->width) && expect(&p, 'x') && read_number(&p, &t->height) &&
	       expect(&p, '@') && read_number(&p, &t->fps) && expect(&p, ':') &&
	       read_number(&p, &t->kbps) && *p == '\0';
}

static const char *check_tier(const struct video_tier_spec *t, const struct video_tier_spec *prev,
                              const struct video_tier_spec *first)
{
	if (t->width < 32 || t->width > 3840 || t->height < 32 || t->height > 2160)
		return "size out of range 32x32..3840x2160";
	if ((t->width | t->height) & 1)
		return "width and height must be even";
	if (t->fps < 1 || t->fps > 60)
		return "fps out of range 1..60";
	if (t->kbps < 30 || t->kbps > 20000)
		return "kbps out of range 30..20000";
	if (prev && (int64_t)t->width * t->height >= (int64_t)prev->width * prev->height)
		return "not smaller than the tier before (list the best tier first)";
	if (prev && t->kbps >= prev->kbps)
		return "bitrate not below the tier before";
	if (first && t->fps > first->fps)
		return "fps above the first tier's (views run at the first tier's rate)";
	return NULL;
}

bool video_tiers_parse(const char *text, struct video_tier_spec *out, size_t *out_count,
                       GError **error)
{
	g_auto(GStrv) items = g_strsplit(text ? text : "", ",", -1);
	size_t count = 0;

	for (char **it = items; *it; it++) {
		g_autofree char *item = g_strstrip(g_strdup(*it));
		struct video_tier_spec t;
		const char *why;

		if (count == VIDEO_TIERS_MAX) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			            "more than %d tiers", VIDEO_TIERS_MAX);
			return false;
		}
		if (!parse_item(item, &t)) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			            "tier %zu \"%s\": not WIDTHxHEIGHT@FPS:KBPS", count + 1, item);
			return false;
		}
		why = check_tier(&t, count ? &out[count - 1] : NULL, count ? &out[0] : NULL);
		if (why) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			            "tier %zu \"%s\": %s", count + 1, item, why);
			return false;
		}
		out[count++] = t;
	}
	if (count == 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "no tier");
		return false;
	}
	*out_count = count;
	return true;
}

bool video_tiers_check(const char *text, char **why)
{
	struct video_tier_spec tiers[VIDEO_TIERS_MAX];
	g_autoptr(GError) error = NULL;
	size_t count;

	if (video_tiers_parse(text, tiers, &count, &error))
		return true;
	*why = g_strdup(error->message);
	return false;
}
