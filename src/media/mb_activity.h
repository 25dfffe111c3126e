/* SPDX-License-Identifier: MIT */
/* Which 16x16 macroblocks of an encoder's picture changed since its last encode: the
 * compositor redraws only tiles with a new picture, so it knows, and the VP8 encoder can
 * skip the rest (vp8_encoder_set_active_map()) instead of searching every still block. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "media/layout.h"

/* Encodes a still macroblock is refined in after it stops changing, by default. */
#define MB_ACTIVITY_REFINE_DEFAULT 3

/*
 * Per macroblock, its age: the encodes since its pixels last changed. A macroblock is
 * active (coded) in an encode when it changed since the one before (age 0), and again when
 * it has stayed still for two encodes or more, `refine` times (ages 2 .. refine + 1), so
 * that the encoder can make up the detail its first coding lost; otherwise it is skipped.
 * Age 1 is skipped on purpose: a camera at half the composed frame rate changes every
 * second encode, and refining its picture just before the next replaces it buys nothing.
 *
 * Threads: a plain single-owner object (the room's media thread).
 */
struct mb_activity;

/* For a width x height picture (even, 2..4096) and refine (0..32) refinements. NULL for
 * a size or refine out of range. Every macroblock starts changed. */
struct mb_activity *mb_activity_new(int width, int height, unsigned refine);
void mb_activity_free(struct mb_activity *a);

/* The grid: (width + 15) / 16 columns, (height + 15) / 16 rows. */
void mb_activity_grid(const struct mb_activity *a, int *cols, int *rows);

/* Pixels of r (clipped to the picture) changed; so did every macroblock it touches. */
void mb_activity_mark(struct mb_activity *a, const struct video_rect *r);

/* Every pixel changed (a redraw from black, a key frame). */
void mb_activity_mark_all(struct mb_activity *a);

/*
 * One encode is about to happen: ages every macroblock, clears the marks, and returns the
 * map of this encode (one byte per macroblock, row by row, 1 for active; valid until the
 * next call) with *active set to how many are active. Returns NULL when all of them are
 * (the encoder then needs no map).
 */
const uint8_t *mb_activity_next(struct mb_activity *a, unsigned *active);
