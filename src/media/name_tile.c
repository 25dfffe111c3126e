/* SPDX-License-Identifier: MIT */
/* Name tiles for participants without video: the name drawn with pango/cairo (any
 * script, Vietnamese diacritics included) into an I420 picture, cached per name and size. */
#define G_LOG_DOMAIN "cau-nametile"
#include "media/name_tile.h"

#include <errno.h>
#include <glib.h>
#include <libyuv.h>
#include <pango/pangocairo.h>
#include <string.h>

/* Background: dark slate, so a name tile is told apart from black letterbox bars. */
#define BG_R 0.16
#define BG_G 0.22
#define BG_B 0.30

struct entry {
	struct video_frame *frame;
	uint64_t used; /* the cache's clock when last served */
};

struct name_tile_cache {
	char *family;
	unsigned max_entries;
	PangoFontMap *fontmap; /* our own, not the process default: no sharing across threads */
	PangoContext *context;
	GHashTable *entries; /* "WxH\nname" -> struct entry */
	uint64_t clock;
	uint64_t renders;
};

static void entry_free(gpointer data)
{
	struct entry *e = data;

	video_frame_unref(e->frame);
	g_free(e);
}

struct name_tile_cache *name_tile_cache_new(unsigned max_entries, const char *font_family)
{
	struct name_tile_cache *cache = g_new0(struct name_tile_cache, 1);
	cairo_font_options_t *options = cairo_font_options_create();

	cache->family = g_strdup(font_family ? font_family : NAME_TILE_FONT);
	cache->max_entries = max_entries ? max_entries : 256;
	cache->fontmap = pango_cairo_font_map_new();
	cache->context = pango_font_map_create_context(cache->fontmap);
	/* Grey antialiasing and no hinting: the same pixels whatever the host's settings. */
	cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
	cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(cache->context, options);
	cairo_font_options_destroy(options);
	cache->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, entry_free);
	return cache;
}

void name_tile_cache_free(struct name_tile_cache *cache)
{
	if (!cache)
		return;
	g_hash_table_destroy(cache->entries);
	g_object_unref(cache->context);
	g_object_unref(cache->fontmap);
	g_free(cache->family);
	g_free(cache);
}

uint64_t name_tile_renders(const struct name_tile_cache *cache)
{
	return cache->renders;
}

static bool valid_size(int width, int height)
{
	return width >= 2 && height >= 2 && width <= VIDEO_FRAME_MAX_SIDE &&
	       height <= VIDEO_FRAME_MAX_SIDE && !((width | height) & 1);
}

static char *normalize(const char *name)
{
	g_autofree char *valid = g_utf8_make_valid(name ? name : "", -1);

	return g_utf8_normalize(valid, -1, G_NORMALIZE_NFC);
}

/* The text laid out for a tile, and where its top-left corner goes. */
static PangoLayout *make_layout(struct name_tile_cache *cache, const char *text, int width,
                                int height, int *x, int *y)
{
	PangoLayout *layout = pango_layout_new(cache->context);
	PangoFontDescription *font = pango_font_description_from_string(cache->family);
	int pad = MAX(width / 16, 2), px = CLAMP(height / 7, 6, 120);
	PangoAttrList *attrs = pango_attr_list_new();
	PangoRectangle logical;

	/* No kerning: fonts kern plain pairs ("Ta") but not their accented forms ("Tâ"), so
	 * with it Vietnamese names would be spaced unevenly; without it a mark never moves a
	 * letter. */
	pango_attr_list_insert(attrs, pango_attr_font_features_new("kern 0"));
	pango_layout_set_attributes(layout, attrs);
	pango_attr_list_unref(attrs);
	pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
	pango_font_description_set_absolute_size(font, px * PANGO_SCALE);
	pango_layout_set_font_description(layout, font);
	pango_font_description_free(font);
	pango_layout_set_width(layout, MAX(width - 2 * pad, 1) * PANGO_SCALE);
	pango_layout_set_height(layout, -3); /* at most three lines, then an ellipsis */
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
	pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER);
	pango_layout_set_text(layout, text, -1);
	pango_layout_get_pixel_extents(layout, NULL, &logical);
	*x = pad;
	*y = (height - logical.height) / 2 - logical.y;
	return layout;
}

static struct video_frame *render(struct name_tile_cache *cache, const char *text, int width,
                                  int height)
{
	cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
	cairo_t *cr = cairo_create(surface);
	struct video_frame *frame = NULL;
	PangoLayout *layout;
	int x, y;

	cairo_set_source_rgb(cr, BG_R, BG_G, BG_B);
	cairo_paint(cr);
	pango_cairo_update_context(cr, cache->context);
	layout = make_layout(cache, text, width, height, &x, &y);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, layout);
	cairo_surface_flush(surface);
	if (cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS) {
		frame = video_frame_new(width, height);
		/* Cairo's ARGB32 is native-endian 32-bit ARGB: B, G, R, A in memory on x86,
		 * which is libyuv's "ARGB". */
		ARGBToI420(cairo_image_surface_get_data(surface),
		           cairo_image_surface_get_stride(surface), frame->y, frame->stride_y,
		           frame->u, frame->stride_uv, frame->v, frame->stride_uv, width, height);
	}
	g_object_unref(layout);
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
	cache->renders++;
	return frame;
}

/* Drops the least recently used entry. Linear, but only when a render overflows. */
static void evict_one(struct name_tile_cache *cache)
{
	GHashTableIter it;
	gpointer key, value, oldest_key = NULL;
	uint64_t oldest = UINT64_MAX;

	g_hash_table_iter_init(&it, cache->entries);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		struct entry *e = value;

		if (e->used < oldest) {
			oldest = e->used;
			oldest_key = key;
		}
	}
	if (oldest_key)
		g_hash_table_remove(cache->entries, oldest_key);
}

struct video_frame *name_tile_get(struct name_tile_cache *cache, const char *name, int width,
                                  int height)
{
	g_autofree char *text = NULL;
	char key_small[256];
	g_autofree char *key_big = NULL;
	const char *key;
	struct entry *e;

	if (!valid_size(width, height))
		return NULL;
	/* The common hit builds its key on the stack; only a miss normalises and allocates. */
	if (g_snprintf(key_small, sizeof(key_small), "%dx%d\n%s", width, height, name ? name : "") <
	    (int)sizeof(key_small)) {
		key = key_small;
	} else {
		key_big = g_strdup_printf("%dx%d\n%s", width, height, name ? name : "");
		key = key_big;
	}
	e = g_hash_table_lookup(cache->entries, key);
	if (!e) {
		text = normalize(name);
		e = g_new0(struct entry, 1);
		e->frame = render(cache, text, width, height);
		if (!e->frame) {
			g_free(e);
			return NULL;
		}
		if (g_hash_table_size(cache->entries) >= cache->max_entries)
			evict_one(cache);
		g_hash_table_insert(cache->entries, g_strdup(key), e);
		g_debug("name tile: rendered \"%s\" at %dx%d (%u cached)", text, width, height,
		        g_hash_table_size(cache->entries));
	}
	e->used = ++cache->clock;
	return video_frame_ref(e->frame);
}

int name_tile_char_box(struct name_tile_cache *cache, const char *name, int width, int height,
                       size_t byte_index, struct video_rect *out)
{
	g_autofree char *text = NULL;
	PangoLayout *layout;
	PangoRectangle pos;
	int x, y;

	if (!valid_size(width, height))
		return -EINVAL;
	text = normalize(name);
	if (byte_index >= strlen(text))
		return -EINVAL;
	layout = make_layout(cache, text, width, height, &x, &y);
	pango_layout_index_to_pos(layout, (int)byte_index, &pos);
	pango_extents_to_pixels(&pos, NULL);
	g_object_unref(layout);
	*out = (struct video_rect){x + MIN(pos.x, pos.x + pos.width), y + pos.y, ABS(pos.width),
	                           pos.height};
	return 0;
}
