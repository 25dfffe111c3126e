/* SPDX-License-Identifier: MIT */
/* The compositor's internal state, shared by compositor.c (sources, decoding, the tick)
 * and compositor_view.c (layouts, composition, encoding). Not for other modules. */
#pragma once

#include <glib.h>

#include "media/compositor.h"
#include "media/mb_activity.h"
#include "media/name_tile.h"
#include "media/vp8_codec.h"

struct source {
	GMutex lock; /* guards present and fa against compositor_put() */
	bool present;
	bool leaving; /* removed since the last tick: not reused until a tick has seen it go */
	char name[COMPOSITOR_NAME_MAX];
	bool has_video;
	uint64_t name_serial; /* changes with the name or has_video: redraw the name tile */
	struct frame_assembler *fa;
	struct vp8_decoder *dec;
	struct video_frame_pool *pool;
	struct video_frame *picture; /* the last decoded picture, or NULL */
	uint64_t picture_serial;     /* changes with each new picture */
	bool visible;                /* in a tile of some view this tick */
	bool cold;                   /* frames went undecoded: restart at a key frame */
	uint64_t last_pli_us;
	bool pli_sent;
	int need_width, need_height;
	uint8_t *frame; /* a frame copied out of the assembler, to decode outside the lock */
	size_t frame_cap;
};

/* What one tile of a canvas shows now, to redraw only tiles that changed. */
struct tile {
	int source;      /* slot, -1 for none */
	uint64_t serial; /* the picture_serial or name_serial drawn */
	struct video_rect rect;
	struct video_frame *name; /* the name tile drawn (a reference), or NULL */
};

struct view_tier {
	struct vp8_encoder *enc;
	struct mb_activity *activity; /* the canvas's changes, NULL: every macroblock coded */
	bool map_set;                 /* the encoder holds an active map */
	struct video_frame *canvas;
	struct layout_result layout; /* compose per tier: this tier's own layout */
	struct tile tiles[LAYOUT_MAX_TILES];
	uint64_t drawn_generation; /* the view generation the tiles belong to */
	uint64_t scaled_serial;    /* compose once: the first tier's canvas serial scaled */
	bool active;               /* encoded at all (some receiver takes it) */
	bool started;              /* has encoded a key frame since it became active */
	bool keyframe_pending;
	uint64_t next_due_us;
	struct video_encoded_pool *pool;
	uint16_t picture_id;
	uint8_t tl0picidx;
	struct compositor_tier_stats stats;
};

struct view {
	bool present;
	char name[64];
	struct compositor_view_config cfg;
	unsigned page;
	int pinned;
	unsigned *order; /* explicit grid order, capacity entries */
	size_t order_count;
	bool explicit_order;
	unsigned *list; /* this tick's source list (capacity entries) */
	size_t list_count;
	unsigned tile_sources[LAYOUT_MAX_TILES]; /* the sources of this tick's tiles */
	struct layout_result layout;             /* at the first tier's size */
	uint64_t generation;                     /* changes when a tile's source or place does */
	uint64_t canvas_serial;                  /* changes when the first tier's canvas does */
	uint64_t period_us;
	uint64_t next_due_us;
	uint64_t frame_number;
	struct view_tier tiers[VIDEO_TIERS_MAX];
};

struct compositor {
	char name[64];
	struct compositor_config cfg;
	struct source *sources;
	unsigned source_count;
	unsigned *join_order; /* present sources, oldest first */
	size_t join_count;
	unsigned *recent; /* sources that spoke, most recent first */
	size_t recent_count;
	bool *mark; /* scratch, capacity entries */
	struct view *views;
	unsigned view_count;
	struct name_tile_cache *names;
	uint64_t serial;
	uint32_t rtp_base;
	struct video_encoded **out_frames; /* this tick's encodes (the output's references) */
	size_t out_count;
	unsigned *plis;
	size_t pli_count;
	struct compositor_output output;
	struct compositor_stats stats;
};

/* The calling thread's CPU time in ns (CLOCK_THREAD_CPUTIME_ID), for the phase counters. */
uint64_t compositor_now_ns(void);

/* compositor_view.c */
int view_init(struct compositor *comp, struct view *v, const struct compositor_view_config *cfg,
              const char *name);
void view_clear(struct view *v);
void view_layout(struct compositor *comp, struct view *v);
void view_render(struct compositor *comp, struct view *v, uint64_t now_us);
