/* SPDX-License-Identifier: MIT */
/* Name tiles for participants without video: the name drawn with pango/cairo (any
 * script, Vietnamese diacritics included) into an I420 picture, cached per name and size. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "media/layout.h"
#include "media/video_frame.h"

#define NAME_TILE_FONT "DejaVu Sans"

/*
 * A cache of rendered tiles. Threads: one owner thread (the room's media thread); the
 * frames it hands out are ordinary ref-counted frames any thread may keep. Fontconfig
 * and the cache's own pango font map are only touched from the owner thread.
 */
struct name_tile_cache;

/* A cache keeping up to max_entries tiles (0: 256), least recently used evicted first,
 * drawing with font_family (NULL: NAME_TILE_FONT). The caller owns the result. */
struct name_tile_cache *name_tile_cache_new(unsigned max_entries, const char *font_family);
void name_tile_cache_free(struct name_tile_cache *cache);

/*
 * The tile for name (UTF-8; NFC-normalised first, so decomposed input draws the same)
 * at width x height (even, 2..VIDEO_FRAME_MAX_SIDE): the name in white, centred,
 * wrapped on up to three lines, on a dark slate background, so it is never one solid
 * colour and never black like letterbox bars. Rendered once per (name, size), then
 * served from the cache. Returns a new reference (the caller unrefs it), or NULL for an
 * invalid size. Rendering allocates; a cache hit does not.
 */
struct video_frame *name_tile_get(struct name_tile_cache *cache, const char *name, int width,
                                  int height);

/* Renders done so far (cache misses), for tests and counters. */
uint64_t name_tile_renders(const struct name_tile_cache *cache);

/*
 * Where the character starting at byte byte_index of name (after NFC normalisation)
 * is drawn on a width x height tile: its logical box in tile pixels. For tests and
 * diagnostics. Returns 0, or -EINVAL for an index outside the text or an invalid size.
 */
int name_tile_char_box(struct name_tile_cache *cache, const char *name, int width, int height,
                       size_t byte_index, struct video_rect *out);
