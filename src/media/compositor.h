/* SPDX-License-Identifier: MIT */
/* The room's video compositor: decodes only the sources some view shows, composes each view
 * at its frame rate, and encodes it once per resolution tier whatever the number of
 * receivers. No network code: RTP packets in, shared encoded frames and their payloads out. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/video_tiers.h"
#include "media/frame_assembler.h"
#include "media/layout.h"
#include "media/tier_select.h"
#include "media/video_encoded.h"
#include "proto/rtp.h"

#define COMPOSITOR_MAX_CAPACITY 4096
#define COMPOSITOR_MAX_VIEWS    16
#define COMPOSITOR_NAME_MAX     128

/* compositor_config_init() sets the defaults shown. */
struct compositor_config {
	unsigned capacity;                             /* source slots, 256 */
	unsigned max_views;                            /* 4 */
	struct video_tier_spec tiers[VIDEO_TIERS_MAX]; /* [video] tiers: 1280x720@30:1500, */
	unsigned tier_count;                           /* 640x360@30:500, 320x180@15:150 */
	uint64_t keyframe_min_interval_us;             /* 500 ms: per (view, tier) encoder; also the
	                                                * shortest gap between two PLIs to one sender */
	unsigned floor_temporal_layers; /* 3: temporal layers of the lowest tier (1..3) */
	size_t max_payload;             /* 1100: RTP payload bytes, descriptor included */
	bool compose_per_tier;          /* false: compose at the first tier's size and scale
	                                 * the picture down for the others */
	unsigned encoded_pool;          /* 32: frames per (view, tier) kept for consumers
	                                 * (about a second at 30 fps, for retransmissions) */
	int cpu_used;                   /* 12: libvpx speed of the tier encoders ([video]
	                                 * encoder_speed) */
	bool skip_unchanged;            /* true: encoders skip the macroblocks no tile redrew
	                                 * ([video] skip_unchanged; see mb_activity.h) */
	unsigned source_frames;         /* 3: decoded pictures per source */
	unsigned name_tiles;            /* 512: name tiles cached */
	struct frame_assembler_config assembler;
};

void compositor_config_init(struct compositor_config *cfg);

/*
 * Applies the [video] keys of a server configuration (tiers, keyframe_min_interval_ms,
 * encoder_speed, tier_up_margin_percent, tier_up_hold_ms) to cfg and, if sel is not NULL, to the
 * receivers' tier selection settings. Returns false with error set if [video] tiers does
 * not parse (config_set() already refuses that, so only a hand-built config can fail).
 */
bool compositor_config_apply(struct compositor_config *cfg, struct tier_select_config *sel,
                             const struct config *conf, GError **error);

/* A view: one composed picture, e.g. the grid everyone sees and the chair's speaker view.
 * compositor_view_config_init() sets the defaults shown. */
struct compositor_view_config {
	enum layout_kind kind; /* LAYOUT_GRID */
	unsigned page_size;    /* 25: grid tiles per page (1..25) */
	unsigned strip_max;    /* 5: speaker/pinned strip length (0..8) */
};

void compositor_view_config_init(struct compositor_view_config *cfg);

/*
 * One tick's result, owned by the compositor and valid until its next tick or free; the
 * frames it lists likewise (take a reference with video_encoded_ref() to keep one).
 * frames: what was encoded this tick, every tier of every view that was due; a frame's
 * view and tier fields say which stream it belongs to. keyframe_requests: sources whose
 * sender should be sent a PLI now (already rate limited).
 */
struct compositor_output {
	uint64_t tick;
	struct video_encoded *const *frames;
	size_t frame_count;
	const unsigned *keyframe_requests;
	size_t keyframe_request_count;
};

/* What a source's picture is used for: the room asks its sender for the simulcast layer
 * (or the maximum bitrate) that fits, so thumbnails are not sent or decoded at 720p. */
struct compositor_need {
	bool visible;      /* in a tile of some view */
	int width, height; /* its largest tile, in pixels of the first tier; 0 when invisible */
	unsigned kbps;     /* the bitrate of the smallest tier covering that size, 0 if none */
};

/* Counters for /metrics. "last" fields describe the last tick; the others are totals. */
struct compositor_stats {
	uint64_t ticks;
	unsigned sources;
	unsigned views;
	unsigned visible_last;  /* sources in some tile */
	unsigned decodes_last;  /* VP8 decodes in the last tick */
	unsigned encodes_last;  /* VP8 encodes in the last tick */
	unsigned composed_last; /* views composed in the last tick */
	uint64_t decodes;
	uint64_t decode_errors;
	uint64_t frames_discarded; /* complete frames of sources nobody sees: not decoded */
	uint64_t composed;         /* view pictures composed */
	uint64_t tiles_drawn;      /* tiles scaled onto a canvas */
	uint64_t tiles_kept;       /* tiles left as they were: no new picture */
	uint64_t encodes;
	uint64_t encode_errors;
	uint64_t macroblocks_coded;   /* in inter frames: active, so searched and coded */
	uint64_t macroblocks_skipped; /* in inter frames: still, skipped by the active map */
	uint64_t keyframes;           /* key frames encoded */
	uint64_t keyframe_requests;   /* compositor_request_keyframe() calls */
	uint64_t pool_exhausted;      /* encodes skipped: consumers held every frame */
	uint64_t plis;                /* key frame requests to senders */
	uint64_t name_tiles_rendered;
	/* Where the media thread's CPU time goes (thread CPU time, totals in ns). */
	uint64_t decode_ns;  /* popping frames and decoding */
	uint64_t compose_ns; /* layouts, tiles, scaling to the tiers */
	uint64_t encode_ns;  /* encoding and packetising */
};

/* Counters of one (view, tier) stream. */
struct compositor_tier_stats {
	uint64_t encodes;
	uint64_t keyframes;
	uint64_t keyframe_requests;
	uint64_t bytes;
	uint64_t packets;
	uint64_t last_keyframe_us;
};

struct compositor;

/*
 * Creates a compositor with cfg (NULL: defaults); name labels its log lines ("room 12").
 * Allocates the slot tables, the name tile cache and the per-source assemblers now;
 * decoders and picture pools on a slot's first use; encoders when a view is added.
 * Returns NULL for an invalid cfg. The caller owns the result.
 *
 * Threads: the compositor belongs to the room's media thread, which calls every function
 * here except compositor_put(), which transport threads call.
 */
struct compositor *compositor_new(const struct compositor_config *cfg, const char *name);

/* Frees it; frames still referenced elsewhere stay valid. No compositor_put() may run. */
void compositor_free(struct compositor *comp);

/* --- Sources: one per participant --- */

/* Takes a free slot for a participant called name (UTF-8, copied; shown on its name
 * tile), sending video or not. Returns 0 and *out_slot, or -ENOSPC. */
int compositor_add_source(struct compositor *comp, const char *name, bool has_video,
                          unsigned *out_slot);

/* Frees the slot: it leaves every view at the next tick; later puts get -ENOENT. */
int compositor_remove_source(struct compositor *comp, unsigned slot);

/* Camera on/off: without video the source shows its name tile. Returns 0 or -ENOENT. */
int compositor_set_source_video(struct compositor *comp, unsigned slot, bool has_video);

/* Renames the source (its name tile changes). Returns 0 or -ENOENT. */
int compositor_set_source_name(struct compositor *comp, unsigned slot, const char *name);

/*
 * One received RTP packet of the source's video (VP8). Copies it into the source's frame
 * assembler under the source's lock. Any thread. Returns frame_assembler_put()'s result,
 * -ENOENT for a free slot, -EINVAL for a slot out of range. No allocation in the steady
 * state.
 */
int compositor_put(struct compositor *comp, unsigned slot, const struct rtp_packet *pkt,
                   uint64_t arrival_us);

/* The source started speaking (from the audio mixer's speaker events): it becomes the
 * large tile of speaker views and the head of their strip's recent speakers. */
int compositor_set_speaker(struct compositor *comp, unsigned slot);

/* What the source's picture is needed for, as of the last tick. Returns 0 or -ENOENT. */
int compositor_get_need(const struct compositor *comp, unsigned slot, struct compositor_need *out);

/* --- Views --- */

/* Adds a view with cfg (NULL: defaults) and its encoder per tier. Returns 0 and
 * *out_view, -ENOSPC when max_views exist, -EINVAL for a bad cfg, -EIO if an encoder
 * cannot be made. */
int compositor_add_view(struct compositor *comp, const struct compositor_view_config *cfg,
                        const char *name, unsigned *out_view);
int compositor_remove_view(struct compositor *comp, unsigned view);

/* Changes the layout kind (the room's "chair picks the layout"). 0, -ENOENT, -EINVAL. */
int compositor_view_set_layout(struct compositor *comp, unsigned view, enum layout_kind kind);

/* Grid page to show (clamped to the last page at the next tick). 0 or -ENOENT. */
int compositor_view_set_page(struct compositor *comp, unsigned view, unsigned page);

/* The number of grid pages of the view's source list, as of the last tick (0 for no
 * such view). */
unsigned compositor_view_page_count(const struct compositor *comp, unsigned view);

/* Grid order: the slots to show, in order (copied; absent slots skipped); n = 0 goes
 * back to join order. 0, -ENOENT, -EINVAL. */
int compositor_view_set_order(struct compositor *comp, unsigned view, const unsigned *slots,
                              size_t n);

/* The source the pinned layout shows large (the chair's pick); -1 unpins. */
int compositor_view_pin(struct compositor *comp, unsigned view, int slot);

/*
 * Whether a tier of the view is encoded (all are, at first). The room turns off a tier
 * no receiver takes or waits for (tier_select_current()/_pending()) and nothing records,
 * e.g. the lower tiers of a chair-only speaker view; turned on again, the tier starts
 * with a key frame. Returns 0, -ENOENT or -EINVAL.
 */
int compositor_view_set_tier_active(struct compositor *comp, unsigned view, unsigned tier,
                                    bool active);

/*
 * Asks the (view, tier) encoder for a key frame: a receiver's PLI/FIR, a receiver
 * joining or switching to the tier (tier_select_keyframe_wanted()). Requests are merged:
 * at most one key frame per tier per keyframe_min_interval; one asked inside the interval
 * comes when it ends. Returns 0, -ENOENT or -EINVAL.
 */
int compositor_request_keyframe(struct compositor *comp, unsigned view, unsigned tier);

/*
 * The media tick at now_us (monotonic, the clock of arrival_us): lays out the views,
 * pops every source's complete frames and decodes those of visible sources (the others
 * are dropped, and ask a key frame when they become visible), composes each view that
 * is due at its frame rate and encodes it once per tier that is due, cutting each
 * encoded frame into RTP payloads once. Call it at least at the first tier's frame rate
 * (a video media_clock of 1/fps). Sets *out. Returns 0. Never allocates in the steady
 * state (name tiles are rendered once per name and size; pools grow to their peak).
 */
int compositor_tick(struct compositor *comp, uint64_t now_us, const struct compositor_output **out);

/* The tier selection table of this compositor's tiers (bitrates and temporal layers) for
 * tier_select_init(); returns the tier count. */
unsigned compositor_tier_table(const struct compositor *comp, struct tier_select_tier *out);

void compositor_get_stats(const struct compositor *comp, struct compositor_stats *out);
int compositor_get_tier_stats(const struct compositor *comp, unsigned view, unsigned tier,
                              struct compositor_tier_stats *out);
/* The source's assembler counters (takes its lock). Returns 0 or -ENOENT. */
int compositor_get_source_stats(struct compositor *comp, unsigned slot,
                                struct frame_assembler_stats *out);
