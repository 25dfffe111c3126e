/* SPDX-License-Identifier: MIT */
/* The room's video compositor: decodes only the sources some view shows, composes each view
 * at its frame rate, and encodes it once per resolution tier whatever the number of
 * receivers. This file: configuration, sources, decoding, the tick, counters. */
#define G_LOG_DOMAIN "cau-compositor"
#include "media/compositor.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "compositor_private.h"

#define DEFAULT_TIERS "1280x720@30:1500,640x360@30:500,320x180@15:150"

void compositor_config_init(struct compositor_config *cfg)
{
	size_t count = 0;

	*cfg = (struct compositor_config){
	    .capacity = 256,
	    .max_views = 4,
	    .keyframe_min_interval_us = 500000,
	    .floor_temporal_layers = 3,
	    .max_payload = 1100,
	    .compose_per_tier = false,
	    .encoded_pool = 32,
	    .cpu_used = 12,
	    .skip_unchanged = true,
	    .source_frames = 3,
	    .name_tiles = 512,
	};
	video_tiers_parse(DEFAULT_TIERS, cfg->tiers, &count, NULL);
	cfg->tier_count = (unsigned)count;
	frame_assembler_config_init(&cfg->assembler);
}

bool compositor_config_apply(struct compositor_config *cfg, struct tier_select_config *sel,
                             const struct config *conf, GError **error)
{
	size_t count;

	if (!video_tiers_parse(config_get_string(conf, "video", "tiers"), cfg->tiers, &count,
	                       error))
		return false;
	cfg->tier_count = (unsigned)count;
	cfg->keyframe_min_interval_us =
	    (uint64_t)config_get_int(conf, "video", "keyframe_min_interval_ms") * 1000;
	cfg->cpu_used = (int)config_get_int(conf, "video", "encoder_speed");
	cfg->skip_unchanged = config_get_bool(conf, "video", "skip_unchanged");
	if (sel) {
		sel->up_margin_percent =
		    (unsigned)config_get_int(conf, "video", "tier_up_margin_percent");
		sel->up_hold_us = (uint64_t)config_get_int(conf, "video", "tier_up_hold_ms") * 1000;
	}
	return true;
}

void compositor_view_config_init(struct compositor_view_config *cfg)
{
	*cfg =
	    (struct compositor_view_config){.kind = LAYOUT_GRID, .page_size = 25, .strip_max = 5};
}

static bool config_valid(const struct compositor_config *cfg)
{
	if (cfg->capacity == 0 || cfg->capacity > COMPOSITOR_MAX_CAPACITY || cfg->max_views == 0 ||
	    cfg->max_views > COMPOSITOR_MAX_VIEWS || cfg->tier_count == 0 ||
	    cfg->tier_count > VIDEO_TIERS_MAX || cfg->floor_temporal_layers < 1 ||
	    cfg->floor_temporal_layers > VP8_TEMPORAL_LAYERS_MAX || cfg->max_payload < 64 ||
	    cfg->max_payload > FRAME_ASSEMBLER_PAYLOAD_MAX || cfg->source_frames < 2)
		return false;
	for (unsigned i = 0; i < cfg->tier_count; i++) {
		const struct video_tier_spec *t = &cfg->tiers[i];

		if (t->width < LAYOUT_MIN_CANVAS || t->height < LAYOUT_MIN_CANVAS ||
		    t->width > LAYOUT_MAX_CANVAS || t->height > LAYOUT_MAX_CANVAS ||
		    (t->width | t->height) & 1 || t->fps < 1 || t->fps > cfg->tiers[0].fps)
			return false;
	}
	return true;
}

struct compositor *compositor_new(const struct compositor_config *cfg, const char *name)
{
	struct compositor_config defaults;
	struct compositor *comp;
	unsigned cap;

	if (!cfg) {
		compositor_config_init(&defaults);
		cfg = &defaults;
	}
	if (!config_valid(cfg))
		return NULL;
	cap = cfg->capacity;
	comp = g_new0(struct compositor, 1);
	comp->cfg = *cfg;
	g_strlcpy(comp->name, name ? name : "compositor", sizeof(comp->name));
	comp->sources = g_new0(struct source, cap);
	comp->join_order = g_new0(unsigned, cap);
	comp->recent = g_new0(unsigned, cap);
	comp->mark = g_new0(bool, cap);
	comp->plis = g_new0(unsigned, cap);
	comp->views = g_new0(struct view, cfg->max_views);
	comp->out_frames = g_new0(struct video_encoded *, cfg->max_views * VIDEO_TIERS_MAX);
	comp->names = name_tile_cache_new(cfg->name_tiles, NULL);
	comp->rtp_base = g_random_int(); /* not a secret: receivers' timestamps are rewritten */
	for (unsigned i = 0; i < cap; i++) {
		char label[96];

		g_mutex_init(&comp->sources[i].lock);
		g_snprintf(label, sizeof(label), "%s / source %u", comp->name, i);
		comp->sources[i].fa = frame_assembler_new(&cfg->assembler, label);
		if (!comp->sources[i].fa) {
			compositor_free(comp);
			return NULL;
		}
	}
	comp->output.frames = comp->out_frames;
	comp->output.keyframe_requests = comp->plis;
	return comp;
}

static void release_output(struct compositor *comp)
{
	for (size_t i = 0; i < comp->out_count; i++)
		video_encoded_unref(comp->out_frames[i]);
	comp->out_count = 0;
}

void compositor_free(struct compositor *comp)
{
	if (!comp)
		return;
	release_output(comp);
	for (unsigned i = 0; i < comp->cfg.max_views; i++)
		view_clear(&comp->views[i]);
	for (unsigned i = 0; i < comp->cfg.capacity; i++) {
		struct source *s = &comp->sources[i];

		frame_assembler_free(s->fa);
		vp8_decoder_free(s->dec);
		video_frame_unref(s->picture);
		video_frame_pool_release(s->pool);
		g_free(s->frame);
		g_mutex_clear(&s->lock);
	}
	name_tile_cache_free(comp->names);
	g_free(comp->sources);
	g_free(comp->join_order);
	g_free(comp->recent);
	g_free(comp->mark);
	g_free(comp->plis);
	g_free(comp->views);
	g_free(comp->out_frames);
	g_free(comp);
}

static struct source *present(const struct compositor *comp, unsigned slot)
{
	if (slot >= comp->cfg.capacity || !comp->sources[slot].present)
		return NULL;
	return &comp->sources[slot];
}

int compositor_add_source(struct compositor *comp, const char *name, bool has_video,
                          unsigned *out_slot)
{
	struct source *s = NULL;
	unsigned slot;
	char label[96];

	for (slot = 0; slot < comp->cfg.capacity; slot++) {
		if (!comp->sources[slot].present && !comp->sources[slot].leaving) {
			s = &comp->sources[slot];
			break;
		}
	}
	if (!s)
		return -ENOSPC;
	g_snprintf(label, sizeof(label), "%s / source %u", comp->name, slot);
	/* A new decoder per participant: never carry one stream's references into another. */
	vp8_decoder_free(s->dec);
	s->dec = vp8_decoder_new(label);
	if (!s->pool)
		s->pool = video_frame_pool_new(comp->cfg.source_frames);
	video_frame_unref(s->picture);
	s->picture = NULL;
	g_strlcpy(s->name, name ? name : "", sizeof(s->name));
	s->has_video = has_video;
	s->name_serial = ++comp->serial;
	s->visible = false;
	s->cold = false;
	s->pli_sent = false;
	s->need_width = s->need_height = 0;
	g_mutex_lock(&s->lock);
	frame_assembler_reset(s->fa);
	s->present = true;
	g_mutex_unlock(&s->lock);
	comp->join_order[comp->join_count++] = slot;
	comp->source_count++;
	*out_slot = slot;
	g_debug("[%s] compositor: source %u \"%s\" joins (%u sources)", comp->name, slot, s->name,
	        comp->source_count);
	return 0;
}

/* Removes slot from an ordered list of slots, keeping the order. */
static void list_remove(unsigned *list, size_t *count, unsigned slot)
{
	size_t j = 0;

	for (size_t i = 0; i < *count; i++)
		if (list[i] != slot)
			list[j++] = list[i];
	*count = j;
}

int compositor_remove_source(struct compositor *comp, unsigned slot)
{
	struct source *s = present(comp, slot);

	if (!s)
		return -ENOENT;
	g_mutex_lock(&s->lock);
	s->present = false;
	g_mutex_unlock(&s->lock);
	s->leaving = true;
	video_frame_unref(s->picture);
	s->picture = NULL;
	list_remove(comp->join_order, &comp->join_count, slot);
	list_remove(comp->recent, &comp->recent_count, slot);
	for (unsigned v = 0; v < comp->cfg.max_views; v++) {
		struct view *view = &comp->views[v];

		if (!view->present)
			continue;
		if (view->pinned == (int)slot)
			view->pinned = -1;
		/* So that whoever gets the slot next does not take this one's place. */
		list_remove(view->order, &view->order_count, slot);
		view->explicit_order = view->order_count > 0;
	}
	comp->source_count--;
	g_debug("[%s] compositor: source %u leaves (%u sources)", comp->name, slot,
	        comp->source_count);
	return 0;
}

int compositor_set_source_video(struct compositor *comp, unsigned slot, bool has_video)
{
	struct source *s = present(comp, slot);

	if (!s)
		return -ENOENT;
	if (s->has_video != has_video) {
		s->has_video = has_video;
		s->name_serial = ++comp->serial;
		/* Frames in flight from before the camera went off are not worth decoding. */
		s->cold = true;
		if (!has_video) {
			video_frame_unref(s->picture);
			s->picture = NULL;
		}
	}
	return 0;
}

int compositor_set_source_name(struct compositor *comp, unsigned slot, const char *name)
{
	struct source *s = present(comp, slot);

	if (!s)
		return -ENOENT;
	g_strlcpy(s->name, name ? name : "", sizeof(s->name));
	s->name_serial = ++comp->serial;
	return 0;
}

int compositor_put(struct compositor *comp, unsigned slot, const struct rtp_packet *pkt,
                   uint64_t arrival_us)
{
	struct source *s;
	int ret;

	if (slot >= comp->cfg.capacity)
		return -EINVAL;
	s = &comp->sources[slot];
	g_mutex_lock(&s->lock);
	ret = s->present ? frame_assembler_put(s->fa, pkt, arrival_us) : -ENOENT;
	g_mutex_unlock(&s->lock);
	return ret;
}

int compositor_set_speaker(struct compositor *comp, unsigned slot)
{
	if (!present(comp, slot))
		return -ENOENT;
	list_remove(comp->recent, &comp->recent_count, slot);
	memmove(comp->recent + 1, comp->recent, comp->recent_count * sizeof(unsigned));
	comp->recent[0] = slot;
	comp->recent_count++;
	return 0;
}

int compositor_get_need(const struct compositor *comp, unsigned slot, struct compositor_need *out)
{
	const struct source *s = present(comp, slot);

	if (!s)
		return -ENOENT;
	*out = (struct compositor_need){
	    .visible = s->visible, .width = s->need_width, .height = s->need_height};
	if (!s->visible)
		return 0;
	/* The smallest tier that covers the tile; the first tier if none does. */
	out->kbps = (unsigned)comp->cfg.tiers[0].kbps;
	for (int i = (int)comp->cfg.tier_count - 1; i >= 0; i--) {
		const struct video_tier_spec *t = &comp->cfg.tiers[i];

		if (t->width >= s->need_width && t->height >= s->need_height) {
			out->kbps = (unsigned)t->kbps;
			break;
		}
	}
	return 0;
}

int compositor_view_set_tier_active(struct compositor *comp, unsigned view, unsigned tier,
                                    bool active)
{
	struct view_tier *vt;

	if (view >= comp->cfg.max_views || !comp->views[view].present)
		return -ENOENT;
	if (tier >= comp->cfg.tier_count)
		return -EINVAL;
	vt = &comp->views[view].tiers[tier];
	if (active && !vt->active)
		vt->started =
		    false; /* its receivers have nothing to go on: start with a key frame */
	vt->active = active;
	return 0;
}

int compositor_request_keyframe(struct compositor *comp, unsigned view, unsigned tier)
{
	struct view *v;

	if (view >= comp->cfg.max_views || !comp->views[view].present)
		return -ENOENT;
	if (tier >= comp->cfg.tier_count)
		return -EINVAL;
	v = &comp->views[view];
	v->tiers[tier].keyframe_pending = true;
	v->tiers[tier].stats.keyframe_requests++;
	comp->stats.keyframe_requests++;
	return 0;
}

unsigned compositor_tier_table(const struct compositor *comp, struct tier_select_tier *out)
{
	for (unsigned i = 0; i < comp->cfg.tier_count; i++) {
		out[i].kbps = (unsigned)comp->cfg.tiers[i].kbps;
		out[i].temporal_layers =
		    i + 1 == comp->cfg.tier_count ? comp->cfg.floor_temporal_layers : 1;
	}
	return comp->cfg.tier_count;
}

/* Pops the source's next complete frame into s->frame under its lock. Returns its length,
 * or 0 when there is none. Also turns a cold visible source into one waiting for a key
 * frame, and says whether its assembler wants one. */
static size_t pop_frame(struct source *s, uint64_t now_us, bool *keyframe, bool *wants_key)
{
	struct assembled_frame af;
	size_t len = 0;

	g_mutex_lock(&s->lock);
	if (s->visible && s->cold) {
		frame_assembler_wait_keyframe(s->fa);
		s->cold = false;
	}
	if (frame_assembler_pop(s->fa, now_us, &af) == 0) {
		if (af.len > s->frame_cap) {
			g_free(s->frame);
			s->frame_cap = MAX(af.len, (size_t)65536);
			s->frame = g_malloc(s->frame_cap);
		}
		memcpy(s->frame, af.data, af.len);
		len = af.len;
		*keyframe = af.keyframe;
	}
	*wants_key = frame_assembler_wants_keyframe(s->fa);
	g_mutex_unlock(&s->lock);
	return len;
}

static void decode_one(struct compositor *comp, unsigned slot, struct source *s, size_t len)
{
	struct video_frame *pic = NULL;
	int ret = vp8_decoder_decode(s->dec, s->frame, len, s->pool, &pic);

	if (ret == -EINVAL) {
		comp->stats.decode_errors++;
		s->cold = true; /* references may be broken: restart at a key frame */
		g_debug("[%s] compositor: source %u: undecodable frame, waiting for a key frame",
		        comp->name, slot);
		return;
	}
	comp->stats.decodes++;
	comp->stats.decodes_last++;
	if (pic) {
		video_frame_unref(s->picture);
		s->picture = pic;
		s->picture_serial = ++comp->serial;
	}
}

/* Every source: pop its complete frames; decode those of visible sources with video, drop
 * the others (the decoder then restarts at a key frame); list the PLIs to send. */
static void decode_sources(struct compositor *comp, uint64_t now_us)
{
	for (unsigned slot = 0; slot < comp->cfg.capacity; slot++) {
		struct source *s = &comp->sources[slot];
		bool keyframe = false, wants_key = false;
		size_t len;

		if (!s->present)
			continue;
		while ((len = pop_frame(s, now_us, &keyframe, &wants_key)) > 0) {
			if (!s->visible || !s->has_video) {
				comp->stats.frames_discarded++;
				s->cold = true;
				continue;
			}
			decode_one(comp, slot, s, len);
		}
		if (s->visible && s->has_video && (wants_key || s->cold) &&
		    (!s->pli_sent ||
		     now_us - s->last_pli_us >= comp->cfg.keyframe_min_interval_us)) {
			comp->plis[comp->pli_count++] = slot;
			s->pli_sent = true;
			s->last_pli_us = now_us;
			comp->stats.plis++;
		}
	}
}

/* Lays out every view and marks which sources are visible and at what size. */
static void layout_views(struct compositor *comp)
{
	unsigned visible = 0;

	for (unsigned slot = 0; slot < comp->cfg.capacity; slot++) {
		comp->sources[slot].visible = false;
		comp->sources[slot].need_width = comp->sources[slot].need_height = 0;
	}
	for (unsigned i = 0; i < comp->cfg.max_views; i++) {
		struct view *v = &comp->views[i];

		if (!v->present)
			continue;
		view_layout(comp, v);
		for (unsigned t = 0; t < v->layout.tile_count; t++) {
			struct source *s = &comp->sources[v->tile_sources[t]];

			visible += !s->visible;
			s->visible = true;
			s->need_width = MAX(s->need_width, v->layout.tiles[t].width);
			s->need_height = MAX(s->need_height, v->layout.tiles[t].height);
		}
	}
	comp->stats.visible_last = visible;
}

uint64_t compositor_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int compositor_tick(struct compositor *comp, uint64_t now_us, const struct compositor_output **out)
{
	uint64_t start;

	release_output(comp);
	comp->pli_count = 0;
	comp->stats.decodes_last = 0;
	comp->stats.encodes_last = 0;
	comp->stats.composed_last = 0;
	for (unsigned slot = 0; slot < comp->cfg.capacity; slot++)
		comp->sources[slot].leaving = false;

	start = compositor_now_ns();
	layout_views(comp);
	decode_sources(comp, now_us);
	comp->stats.decode_ns += compositor_now_ns() - start;
	for (unsigned i = 0; i < comp->cfg.max_views; i++)
		if (comp->views[i].present)
			view_render(comp, &comp->views[i], now_us);

	comp->stats.ticks++;
	comp->output.tick = comp->stats.ticks;
	comp->output.frame_count = comp->out_count;
	comp->output.keyframe_request_count = comp->pli_count;
	*out = &comp->output;
	return 0;
}

void compositor_get_stats(const struct compositor *comp, struct compositor_stats *out)
{
	*out = comp->stats;
	out->sources = comp->source_count;
	out->views = comp->view_count;
	out->name_tiles_rendered = name_tile_renders(comp->names);
}

int compositor_get_tier_stats(const struct compositor *comp, unsigned view, unsigned tier,
                              struct compositor_tier_stats *out)
{
	if (view >= comp->cfg.max_views || !comp->views[view].present)
		return -ENOENT;
	if (tier >= comp->cfg.tier_count)
		return -EINVAL;
	*out = comp->views[view].tiers[tier].stats;
	return 0;
}

int compositor_get_source_stats(struct compositor *comp, unsigned slot,
                                struct frame_assembler_stats *out)
{
	struct source *s = present(comp, slot);

	if (!s)
		return -ENOENT;
	g_mutex_lock(&s->lock);
	frame_assembler_get_stats(s->fa, out);
	g_mutex_unlock(&s->lock);
	return 0;
}
