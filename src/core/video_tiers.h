/* SPDX-License-Identifier: MIT */
/* The text form of the video resolution tiers ("1280x720@30:1500,640x360@30:500,..."),
 * parsed by a pure function that the configuration also uses to check [video] tiers. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define VIDEO_TIERS_MAX 4

/* One tier: every view is encoded once at this size, frame rate and bitrate. */
struct video_tier_spec {
	int width, height;
	int fps;
	int kbps;
};

/*
 * Parses a comma-separated list of WIDTHxHEIGHT@FPS:KBPS (spaces around items allowed)
 * into out (VIDEO_TIERS_MAX entries) and sets *out_count. Rules: 1 to VIDEO_TIERS_MAX
 * tiers, best first; width and height even, 32..3840 and 32..2160; fps 1..60, none above
 * the first tier's (views run at the first tier's rate); kbps 30..20000; each tier smaller
 * in pixels and in kbps than the one before. Returns false with a message in *error
 * (G_KEY_FILE_ERROR_INVALID_VALUE) saying which item is wrong and why. Pure.
 */
bool video_tiers_parse(const char *text, struct video_tier_spec *out, size_t *out_count,
                       GError **error);

/* The configuration's check for [video] tiers: true if text parses, else false with a
 * newly allocated reason in *why. */
bool video_tiers_check(const char *text, char **why);
