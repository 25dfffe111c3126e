/* SPDX-License-Identifier: MIT */
/* The compositor's views: each view's source list and layout, the composition of its
 * canvas (redrawing only tiles whose picture changed), and one encode per tier. */
#define G_LOG_DOMAIN "cau-compositor"
#include <errno.h>
#include <string.h>

#include "compositor_private.h"

/* The border around tiles: 2 pixels at 1280 wide, scaled with the canvas. */
static int margin_for(int canvas_width)
{
	return (canvas_width / 640) & ~1;
}

static struct view *view_at(const struct compositor *comp, unsigned view)
{
	if (view >= comp->cfg.max_views || !comp->views[view].present)
		return NULL;
	return &comp->views[view];
}

int view_init(struct compositor *comp, struct view *v, const struct compositor_view_config *cfg,
              const char *name)
{
	memset(v, 0, sizeof(*v));
	v->cfg = *cfg;
	g_strlcpy(v->name, name ? name : "view", sizeof(v->name));
	v->pinned = -1;
	v->order = g_new0(unsigned, comp->cfg.capacity);
	v->list = g_new0(unsigned, comp->cfg.capacity);
	v->period_us = 1000000 / (uint64_t)comp->cfg.tiers[0].fps;
	v->generation = 1;
	for (unsigned t = 0; t < comp->cfg.tier_count; t++) {
		const struct video_tier_spec *spec = &comp->cfg.tiers[t];
		struct view_tier *vt = &v->tiers[t];
		struct vp8_encoder_config ec;
		char label[128];

		vp8_encoder_config_init(&ec);
		ec.width = spec->width;
		ec.height = spec->height;
		ec.fps = spec->fps;
		ec.bitrate_kbps = spec->kbps;
		ec.cpu_used = comp->cfg.cpu_used;
		ec.temporal_layers =
		    t + 1 == comp->cfg.tier_count ? comp->cfg.floor_temporal_layers : 1;
		g_snprintf(label, sizeof(label), "%s / %s / %dx%d", comp->name, v->name,
		           spec->width, spec->height);
		vt->enc = vp8_encoder_new(&ec, label);
		/* Temporal layers refer past the previous frame, which a skipped block copies. */
		if (comp->cfg.skip_unchanged && ec.temporal_layers == 1)
			vt->activity =
			    mb_activity_new(spec->width, spec->height, MB_ACTIVITY_REFINE_DEFAULT);
		vt->canvas = video_frame_new(spec->width, spec->height);
		vt->pool = video_encoded_pool_new(comp->cfg.encoded_pool);
		vt->picture_id = (uint16_t)g_random_int_range(0, 0x8000);
		vt->active = true;
		for (unsigned i = 0; i < LAYOUT_MAX_TILES; i++)
			vt->tiles[i].source = -1;
		if (!vt->enc || !vt->canvas)
			return -EIO;
	}
	v->present = true;
	return 0;
}

void view_clear(struct view *v)
{
	for (unsigned t = 0; t < VIDEO_TIERS_MAX; t++) {
		struct view_tier *vt = &v->tiers[t];

		vp8_encoder_free(vt->enc);
		mb_activity_free(vt->activity);
		video_frame_unref(vt->canvas);
		video_encoded_pool_release(vt->pool);
		for (unsigned i = 0; i < LAYOUT_MAX_TILES; i++)
			video_frame_unref(vt->tiles[i].name);
	}
	g_free(v->order);
	g_free(v->list);
	memset(v, 0, sizeof(*v));
}

int compositor_add_view(struct compositor *comp, const struct compositor_view_config *cfg,
                        const char *name, unsigned *out_view)
{
	struct compositor_view_config defaults;

	if (!cfg) {
		compositor_view_config_init(&defaults);
		cfg = &defaults;
	}
	if (cfg->kind > LAYOUT_PINNED || cfg->page_size < 1 ||
	    cfg->page_size > LAYOUT_PAGE_SIZE_MAX || cfg->strip_max > LAYOUT_STRIP_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < comp->cfg.max_views; i++) {
		struct view *v = &comp->views[i];

		if (v->present)
			continue;
		if (view_init(comp, v, cfg, name) < 0) {
			view_clear(v);
			g_warning("[%s] compositor: cannot create the encoders of view \"%s\"",
			          comp->name, name ? name : "view");
			return -EIO;
		}
		comp->view_count++;
		*out_view = i;
		g_debug("[%s] compositor: view %u \"%s\" added", comp->name, i, v->name);
		return 0;
	}
	return -ENOSPC;
}

int compositor_remove_view(struct compositor *comp, unsigned view)
{
	struct view *v = view_at(comp, view);

	if (!v)
		return -ENOENT;
	/* This tick's output may still name its frames: they hold their own pool alive. */
	view_clear(v);
	comp->view_count--;
	return 0;
}

int compositor_view_set_layout(struct compositor *comp, unsigned view, enum layout_kind kind)
{
	struct view *v = view_at(comp, view);

	if (!v)
		return -ENOENT;
	if (kind > LAYOUT_PINNED)
		return -EINVAL;
	v->cfg.kind = kind;
	return 0;
}

int compositor_view_set_page(struct compositor *comp, unsigned view, unsigned page)
{
	struct view *v = view_at(comp, view);

	if (!v)
		return -ENOENT;
	v->page = page;
	return 0;
}

unsigned compositor_view_page_count(const struct compositor *comp, unsigned view)
{
	const struct view *v = view_at(comp, view);

	return v ? v->layout.page_count : 0;
}

int compositor_view_set_order(struct compositor *comp, unsigned view, const unsigned *slots,
                              size_t n)
{
	struct view *v = view_at(comp, view);

	if (!v)
		return -ENOENT;
	if (n > comp->cfg.capacity)
		return -EINVAL;
	memcpy(v->order, slots, n * sizeof(unsigned));
	v->order_count = n;
	v->explicit_order = n > 0;
	return 0;
}

int compositor_view_pin(struct compositor *comp, unsigned view, int slot)
{
	struct view *v = view_at(comp, view);

	if (!v)
		return -ENOENT;
	if (slot >= 0 && ((unsigned)slot >= comp->cfg.capacity || !comp->sources[slot].present))
		return -ENOENT;
	v->pinned = slot;
	return 0;
}

/* Appends slot to the view's list unless it is already there or absent. */
static void list_add(struct compositor *comp, struct view *v, unsigned slot)
{
	if (slot >= comp->cfg.capacity || !comp->sources[slot].present || comp->mark[slot])
		return;
	comp->mark[slot] = true;
	v->list[v->list_count++] = slot;
}

/* The view's ordered source list: grid order; or for speaker views, the recent speakers
 * (the pinned source first in a pinned view), then everyone else in join order. */
static void build_list(struct compositor *comp, struct view *v)
{
	v->list_count = 0;
	if (v->cfg.kind == LAYOUT_GRID && v->explicit_order) {
		for (size_t i = 0; i < v->order_count; i++)
			list_add(comp, v, v->order[i]);
	} else {
		if (v->cfg.kind == LAYOUT_PINNED && v->pinned >= 0)
			list_add(comp, v, (unsigned)v->pinned);
		if (v->cfg.kind != LAYOUT_GRID)
			for (size_t i = 0; i < comp->recent_count; i++)
				list_add(comp, v, comp->recent[i]);
		for (size_t i = 0; i < comp->join_count; i++)
			list_add(comp, v, comp->join_order[i]);
	}
	for (size_t i = 0; i < v->list_count; i++)
		comp->mark[v->list[i]] = false;
}

static struct layout_request request_for(const struct view *v, int width, int height)
{
	return (struct layout_request){
	    .kind = v->cfg.kind,
	    .canvas_width = width,
	    .canvas_height = height,
	    .sources = (unsigned)v->list_count,
	    .page = v->page,
	    .page_size = v->cfg.page_size,
	    .strip_max = v->cfg.strip_max,
	    .margin = margin_for(width),
	};
}

void view_layout(struct compositor *comp, struct view *v)
{
	struct layout_request req;
	struct layout_result res;
	bool changed;

	build_list(comp, v);
	req = request_for(v, comp->cfg.tiers[0].width, comp->cfg.tiers[0].height);
	layout_compute(&req, &res);
	changed = res.tile_count != v->layout.tile_count;
	for (unsigned i = 0; i < res.tile_count; i++) {
		unsigned slot = v->list[res.first_source + i];

		changed = changed || slot != v->tile_sources[i] ||
		          memcmp(&res.tiles[i], &v->layout.tiles[i], sizeof(res.tiles[i])) != 0;
		v->tile_sources[i] = slot;
	}
	v->layout = res;
	if (changed)
		v->generation++;
}

/* Whether b is a's picture scaled without letterbox bars (the same aspect ratio). */
static bool same_aspect(const struct video_frame *a, const struct video_frame *b)
{
	return (int64_t)a->width * b->height == (int64_t)a->height * b->width;
}

/* r of a canvas `from` scaled onto `to`, rounded outwards with a pixel of margin: the
 * scaling filter reaches one pixel beyond. */
static struct video_rect scaled_rect(const struct video_rect *r, const struct video_frame *from,
                                     const struct video_frame *to)
{
	int64_t fw = from->width, fh = from->height, tw = to->width, th = to->height;
	int x0 = (int)(r->x * tw / fw) - 1, y0 = (int)(r->y * th / fh) - 1;
	int x1 = (int)(((r->x + r->width) * tw + fw - 1) / fw) + 1;
	int y1 = (int)(((r->y + r->height) * th + fh - 1) / fh) + 1;

	return (struct video_rect){x0, y0, x1 - x0, y1 - y0};
}

/* Pixels of r on tier t's canvas changed (r NULL: all of them); with compose once, a
 * change of the first tier's canvas reaches the lower tiers' scaled copies too. */
static void mark_changed(struct compositor *comp, struct view *v, unsigned t,
                         const struct video_rect *r)
{
	const struct video_frame *top = v->tiers[0].canvas;
	unsigned last = t == 0 && !comp->cfg.compose_per_tier ? comp->cfg.tier_count : t + 1;

	for (unsigned i = t; i < last; i++) {
		struct view_tier *vt = &v->tiers[i];
		const struct video_frame *c = vt->canvas;
		struct video_rect s;

		if (!vt->activity)
			continue;
		if (!r || (i != t && !same_aspect(top, c))) {
			/* Everything, or a letterboxed copy: not worth mapping. */
			mb_activity_mark_all(vt->activity);
			continue;
		}
		s = i == t ? *r : scaled_rect(r, top, c);
		mb_activity_mark(vt->activity, &s);
	}
}

/* Draws tile i of a canvas if what it should show changed. True if it drew. */
static bool draw_tile(struct compositor *comp, struct view_tier *vt, unsigned i, unsigned slot,
                      const struct video_rect *rect)
{
	struct source *s = &comp->sources[slot];
	struct tile *tile = &vt->tiles[i];
	bool picture = s->has_video && s->picture;
	uint64_t serial = picture ? s->picture_serial : s->name_serial;
	struct video_frame *name = NULL;

	if (tile->source == (int)slot && tile->serial == serial &&
	    memcmp(&tile->rect, rect, sizeof(*rect)) == 0) {
		comp->stats.tiles_kept++;
		return false;
	}
	if (picture) {
		video_frame_blit_fit(s->picture, vt->canvas, rect, NULL);
	} else {
		/* Rendered once per name and size, then a copy from the cache. */
		name = name_tile_get(comp->names, s->name, rect->width, rect->height);
		if (name)
			video_frame_scale_into(name, vt->canvas, rect);
	}
	video_frame_unref(tile->name);
	*tile = (struct tile){.source = (int)slot, .serial = serial, .rect = *rect, .name = name};
	comp->stats.tiles_drawn++;
	return true;
}

/* Brings a tier's canvas up to date with the view's tiles laid out by layout. True if
 * anything was drawn. */
static bool compose(struct compositor *comp, struct view *v, struct view_tier *vt,
                    const struct layout_result *layout)
{
	unsigned t = (unsigned)(vt - v->tiers);
	bool drawn = false;

	if (vt->drawn_generation != v->generation) {
		/* Tiles moved or changed hands: start from black. */
		video_frame_fill(vt->canvas, VIDEO_BLACK_Y, VIDEO_BLACK_U, VIDEO_BLACK_V);
		for (unsigned i = 0; i < LAYOUT_MAX_TILES; i++) {
			video_frame_unref(vt->tiles[i].name);
			vt->tiles[i] = (struct tile){.source = -1};
		}
		vt->drawn_generation = v->generation;
		mark_changed(comp, v, t, NULL);
		drawn = true;
	}
	for (unsigned i = 0; i < layout->tile_count; i++) {
		if (!draw_tile(comp, vt, i, v->tile_sources[i], &layout->tiles[i]))
			continue;
		mark_changed(comp, v, t, &layout->tiles[i]);
		drawn = true;
	}
	return drawn;
}

/* Compose once: a lower tier's canvas is the first tier's, scaled down when it changed. */
static void scale_from_top(struct view *v, struct view_tier *vt)
{
	const struct video_frame *top = v->tiers[0].canvas;
	struct video_rect all = {0, 0, vt->canvas->width, vt->canvas->height};

	if (vt->scaled_serial == v->canvas_serial)
		return;
	if (same_aspect(top, vt->canvas))
		video_frame_scale_into(top, vt->canvas, &all);
	else
		video_frame_blit_fit(top, vt->canvas, &all, NULL);
	vt->scaled_serial = v->canvas_serial;
}

/* Fills the stream fields of an encoded frame and cuts it into payloads. */
static int fill_encoded(struct compositor *comp, struct view *v, unsigned t,
                        struct video_encoded *e, const struct vp8_encoded_info *info,
                        const uint8_t *data, uint64_t now_us)
{
	struct view_tier *vt = &v->tiers[t];

	e->view = (unsigned)(v - comp->views);
	e->tier = t;
	e->frame_number = v->frame_number;
	e->rtp_timestamp = comp->rtp_base + (uint32_t)(now_us * 9 / 100);
	e->width = vt->canvas->width;
	e->height = vt->canvas->height;
	e->keyframe = info->keyframe;
	e->tid = info->tid;
	e->layer_sync = info->layer_sync;
	e->non_reference = info->non_reference;
	e->has_layers = vp8_encoder_get_config(vt->enc)->temporal_layers > 1;
	e->picture_id = vt->picture_id++ & 0x7fff;
	if (info->tid == 0)
		vt->tl0picidx++;
	e->tl0picidx = vt->tl0picidx;
	return video_encoded_set(e, data, info->len, comp->cfg.max_payload);
}

/* Gives the tier's encoder the map of the macroblocks to code in this encode. */
static void apply_activity(struct compositor *comp, struct view_tier *vt, bool key)
{
	const uint8_t *map;
	unsigned active;
	int cols, rows;

	if (!vt->activity)
		return;
	if (key) /* a key frame codes everything: it counts as a change of every block */
		mb_activity_mark_all(vt->activity);
	map = mb_activity_next(vt->activity, &active);
	mb_activity_grid(vt->activity, &cols, &rows);
	if (!key) {
		comp->stats.macroblocks_coded += active;
		comp->stats.macroblocks_skipped += (unsigned)(cols * rows) - active;
	}
	if (!map && !vt->map_set)
		return;
	if (vp8_encoder_set_active_map(vt->enc, map) < 0) {
		g_warning("[%s] compositor: the encoder refused its active map", comp->name);
		mb_activity_free(vt->activity); /* code every block from now on */
		vt->activity = NULL;
		vp8_encoder_set_active_map(vt->enc, NULL);
		vt->map_set = false;
		return;
	}
	vt->map_set = map != NULL;
}

/* One encode of tier t; a key frame when it has none yet or one is asked and the last is
 * at least keyframe_min_interval old (so requests inside the interval merge into one). */
static void encode_tier(struct compositor *comp, struct view *v, unsigned t, uint64_t now_us)
{
	struct view_tier *vt = &v->tiers[t];
	struct video_encoded *e = video_encoded_pool_take(vt->pool);
	bool key = !vt->started || (vt->keyframe_pending && now_us - vt->stats.last_keyframe_us >=
	                                                        comp->cfg.keyframe_min_interval_us);
	struct vp8_encoded_info info;
	const uint8_t *data;

	if (!e) {
		comp->stats.pool_exhausted++;
		return;
	}
	apply_activity(comp, vt, key);
	if (vp8_encoder_encode(vt->enc, vt->canvas, now_us * 9 / 100, key, &info, &data) < 0 ||
	    fill_encoded(comp, v, t, e, &info, data, now_us) < 0) {
		comp->stats.encode_errors++;
		video_encoded_unref(e);
		if (vt->activity) /* what was skipped is coded next time */
			mb_activity_mark_all(vt->activity);
		return;
	}
	if (info.keyframe) {
		vt->started = true;
		vt->keyframe_pending = false;
		vt->stats.last_keyframe_us = now_us;
		vt->stats.keyframes++;
		comp->stats.keyframes++;
	}
	vt->stats.encodes++;
	vt->stats.bytes += info.len;
	vt->stats.packets += e->packet_count;
	comp->stats.encodes++;
	comp->stats.encodes_last++;
	comp->out_frames[comp->out_count++] = e;
}

/* Whether a deadline has come, within half a view period; moves it one period on (or
 * past now after a stall, so missed frames are dropped, not made up in a burst). */
static bool due(uint64_t *deadline, uint64_t period, uint64_t slack, uint64_t now_us)
{
	if (now_us + slack < *deadline)
		return false;
	*deadline += period;
	if (*deadline + slack <= now_us)
		*deadline = now_us + period;
	return true;
}

void view_render(struct compositor *comp, struct view *v, uint64_t now_us)
{
	uint64_t slack = v->period_us / 2;
	bool tier_due[VIDEO_TIERS_MAX];

	uint64_t start;

	if (!due(&v->next_due_us, v->period_us, slack, now_us))
		return;
	start = compositor_now_ns();
	v->frame_number++;
	comp->stats.composed++;
	comp->stats.composed_last++;
	for (unsigned t = 0; t < comp->cfg.tier_count; t++)
		/* An inactive tier keeps its schedule (to resume in step) but does no work. */
		tier_due[t] = due(&v->tiers[t].next_due_us,
		                  1000000 / (uint64_t)comp->cfg.tiers[t].fps, slack, now_us) &&
		              v->tiers[t].active;
	if (compose(comp, v, &v->tiers[0], &v->layout))
		v->canvas_serial++;
	for (unsigned t = 1; t < comp->cfg.tier_count; t++) {
		struct view_tier *vt = &v->tiers[t];
		struct layout_request req;

		if (!tier_due[t])
			continue;
		if (!comp->cfg.compose_per_tier) {
			scale_from_top(v, vt);
			continue;
		}
		req = request_for(v, vt->canvas->width, vt->canvas->height);
		layout_compute(&req, &vt->layout);
		compose(comp, v, vt, &vt->layout);
	}
	comp->stats.compose_ns += compositor_now_ns() - start;
	start = compositor_now_ns();
	for (unsigned t = 0; t < comp->cfg.tier_count; t++)
		if (tier_due[t])
			encode_tier(comp, v, t, now_us);
	comp->stats.encode_ns += compositor_now_ns() - start;
}
