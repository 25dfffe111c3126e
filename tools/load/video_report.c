/* SPDX-License-Identifier: MIT */
/* cau-load's video figures: clips made and handed to endpoints at start, and per steady
 * window the frames sent and received, the server's cau_video_* counters turned into
 * rates and milliseconds, and whether each decoding endpoint saw the composite. */
#define G_LOG_DOMAIN "cau-load"
#include "load.h"

#include <math.h>
#include <string.h>

static const char *value_names[VW_COUNT] = {
    [VW_SENT_FPS] = "video_sent_fps",
    [VW_RECEIVED_FPS] = "video_received_fps",
    [VW_RECEIVING] = "video_receiving",
    [VW_COMPOSED_FPS] = "video_composed_fps",
    [VW_DECODES_PER_S] = "video_decodes_per_s",
    [VW_DECODE_MS] = "video_decode_ms",
    [VW_COMPOSE_MS] = "video_compose_ms",
    [VW_ENCODE_MS] = "video_encode_ms",
    [VW_TICK_MS] = "video_tick_ms",
    [VW_LATENCY_MS] = "video_latency_ms",
    [VW_CPU_MS_PER_FRAME] = "video_server_cpu_ms_per_frame",
    [VW_SKIPPED_PER_S] = "video_ticks_skipped_per_s",
    [VW_PLIS_PER_S] = "video_plis_to_senders_per_s",
};

/* Seconds of a clip's loop written to an IVF file: longer than a bench's run. */
#define IVF_SECONDS 90

/* Writes every clip as DIR/cam-WxH-P.ivf (P: the pattern, i % VIDEO_PATTERNS of the
 * endpoints that send it). */
static bool write_clips(struct load *load)
{
	for (unsigned s = 0; s < 2; s++)
		for (unsigned p = 0; p < VIDEO_PATTERNS; p++) {
			const struct video_clip *c = load->vclips[s][p];
			g_autofree char *name = NULL, *path = NULL;

			if (!c)
				continue;
			name =
			    g_strdup_printf("cam-%dx%d-%u.ivf", c->spec.width, c->spec.height, p);
			path = g_build_filename(load->ivf_dir, name, NULL);
			if (!video_clip_write_ivf(c, path, IVF_SECONDS)) {
				say("cannot write %s", path);
				return false;
			}
		}
	return true;
}

bool load_video_setup(struct load *load)
{
	if (!load->video)
		return true;
	for (unsigned p = 0; p < VIDEO_PATTERNS; p++) {
		load->vclips[0][p] = video_clip_new(&load->video_small, p);
		if (load->video_large_every)
			load->vclips[1][p] = video_clip_new(&load->video_large, p);
	}
	if (load->ivf_dir && !write_clips(load))
		return false;
	for (unsigned i = 0; i < load->n; i++) {
		struct endpoint *ep = &load->eps[i];
		bool large = load->video_large_every && i % load->video_large_every == 0;

		ep->vclip = load->vclips[large][i % VIDEO_PATTERNS];
	}
	/* The first video_sample of the sampled endpoints decode the composite too. */
	for (unsigned i = 0, chosen = 0; i < load->n && chosen < load->video_sample; i++)
		if (load->eps[i].sampled) {
			load->eps[i].video_decode = true;
			chosen++;
		}
	return true;
}

void load_video_free(struct load *load)
{
	for (unsigned s = 0; s < 2; s++)
		for (unsigned p = 0; p < VIDEO_PATTERNS; p++)
			g_clear_pointer(&load->vclips[s][p], video_clip_free);
}

static uint64_t frames_sent(struct load *load)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < load->n; i++)
		sum += __atomic_load_n(&load->eps[i].video_frames_sent, __ATOMIC_RELAXED);
	return sum;
}

void video_window_begin(struct load *load, struct video_window *vw)
{
	vw->frames_before = g_new0(uint64_t, load->n);
	for (unsigned i = 0; i < load->n; i++) {
		struct endpoint *ep = &load->eps[i];

		vw->frames_before[i] = __atomic_load_n(&ep->vrx.frames, __ATOMIC_RELAXED);
		if (ep->video_decode) {
			g_mutex_lock(&ep->lock);
			ep->vrx_decoded_before = ep->vrx.decoded;
			g_mutex_unlock(&ep->lock);
		}
	}
	vw->sent_before = frames_sent(load);
}

/* Deltas of one family split by its tier label: tier name -> delta (boxed double). */
static GHashTable *by_tier(GHashTable *before, GHashTable *after, const char *name)
{
	GHashTable *out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	size_t len = strlen(name);
	GHashTableIter iter;
	gpointer key, value;

	g_hash_table_iter_init(&iter, after);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const char *tier = strstr(key, "tier=\"");
		const double *old = g_hash_table_lookup(before, key);
		const char *end;
		double *sum;
		char *label;

		if (strncmp(key, name, len) != 0 || ((const char *)key)[len] != '{' || !tier ||
		    !(end = strchr(tier + 6, '"')))
			continue;
		label = g_strndup(tier + 6, (gsize)(end - tier - 6));
		sum = g_hash_table_lookup(out, label);
		if (!sum) {
			sum = g_new0(double, 1);
			g_hash_table_insert(out, label, sum);
		} else {
			g_free(label);
		}
		*sum += *(const double *)value - (old ? *old : 0);
	}
	return out;
}

static void server_figures(struct video_window *vw, GHashTable *before, GHashTable *after,
                           double seconds, double server_cpu_s)
{
	double composed = probe_metrics_sum(before, after, "cau_video_frames_composed_total");
	double decodes = probe_metrics_sum(before, after, "cau_video_frames_decoded_total");
	double encodes = probe_metrics_sum(before, after, "cau_video_frames_encoded_total");
	double busy_s = probe_metrics_sum(before, after, "cau_video_tick_busy_seconds_total");
	GHashTableIter iter;
	gpointer key, value;

	vw->v[VW_COMPOSED_FPS] = composed / seconds;
	vw->v[VW_DECODES_PER_S] = decodes / seconds;
	vw->v[VW_DECODE_MS] =
	    decodes ? 1000 * probe_metrics_sum(before, after, "cau_video_decode_seconds_total") /
	                  decodes
	            : 0;
	vw->v[VW_COMPOSE_MS] =
	    composed ? 1000 * probe_metrics_sum(before, after, "cau_video_compose_seconds_total") /
	                   composed
	             : 0;
	vw->v[VW_ENCODE_MS] =
	    encodes ? 1000 * probe_metrics_sum(before, after, "cau_video_encode_seconds_total") /
	                  encodes
	            : 0;
	/* A tick's time from its deadline to its last packet sent; a sender's frame waits
	 * for the next tick, half a period on average, before it. */
	vw->v[VW_TICK_MS] = composed ? 1000 * busy_s / composed : 0;
	vw->v[VW_LATENCY_MS] = composed ? 500 / (composed / seconds) + vw->v[VW_TICK_MS] : 0;
	vw->v[VW_CPU_MS_PER_FRAME] = composed ? 1000 * server_cpu_s / composed : 0;
	vw->v[VW_SKIPPED_PER_S] =
	    probe_metrics_sum(before, after, "cau_video_ticks_skipped_total") / seconds;
	vw->v[VW_PLIS_PER_S] =
	    probe_metrics_sum(before, after, "cau_video_keyframe_requests_sent_total") / seconds;
	vw->tier_fps = by_tier(before, after, "cau_video_frames_encoded_total");
	g_hash_table_iter_init(&iter, vw->tier_fps);
	while (g_hash_table_iter_next(&iter, &key, &value))
		*(double *)value /= seconds;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void video_window_end(struct load *load, struct video_window *vw, GHashTable *before,
                      GHashTable *after, double seconds, double server_cpu_s)
{
	g_autofree double *fps = g_new0(double, load->n);
	unsigned count = 0, receiving = 0;

	vw->seconds = seconds;
	vw->v[VW_SENT_FPS] = (double)(frames_sent(load) - vw->sent_before) / seconds;
	for (unsigned i = 0; i < load->n; i++) {
		struct endpoint *ep = &load->eps[i];
		uint64_t frames = __atomic_load_n(&ep->vrx.frames, __ATOMIC_RELAXED);

		if (ep->state != EP_CONNECTED)
			continue;
		fps[count++] = (double)(frames - vw->frames_before[i]) / seconds;
		receiving += frames > vw->frames_before[i];
	}
	qsort(fps, count, sizeof(double), compare_double);
	vw->v[VW_RECEIVED_FPS] = count ? fps[count / 2] : 0;
	vw->v[VW_RECEIVING] = receiving;
	if (before && after)
		server_figures(vw, before, after, seconds, server_cpu_s);
	g_clear_pointer(&vw->frames_before, g_free);
}

void video_window_clear(struct video_window *vw)
{
	g_clear_pointer(&vw->frames_before, g_free);
	g_clear_pointer(&vw->tier_fps, g_hash_table_unref);
}

static void add_double(JsonBuilder *b, const char *name, double value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_double_value(b, isfinite(value) ? round(value * 1000) / 1000 : -1);
}

static void add_tiers(JsonBuilder *b, GHashTable *tier_fps)
{
	GHashTableIter iter;
	gpointer key, value;

	json_builder_set_member_name(b, "video_tier_fps");
	json_builder_begin_object(b);
	if (tier_fps) {
		g_hash_table_iter_init(&iter, tier_fps);
		while (g_hash_table_iter_next(&iter, &key, &value))
			add_double(b, key, *(const double *)value);
	}
	json_builder_end_object(b);
}

void video_window_json(const struct video_window *vw, JsonBuilder *b)
{
	for (unsigned c = 0; c < VW_COUNT; c++)
		add_double(b, value_names[c], vw->v[c]);
	add_tiers(b, vw->tier_fps);
}

static double median(double *values, unsigned count)
{
	qsort(values, count, sizeof(double), compare_double);
	if (count == 0)
		return 0;
	return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

void video_summary_json(const struct video_window *windows, unsigned count, JsonBuilder *b)
{
	g_autofree double *values = g_new0(double, count);
	g_autoptr(GHashTable) tiers =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GHashTableIter iter;
	gpointer key, value;

	for (unsigned c = 0; c < VW_COUNT; c++) {
		for (unsigned w = 0; w < count; w++)
			values[w] = windows[w].v[c];
		add_double(b, value_names[c], median(values, count));
	}
	/* Each tier's median over the windows (a tier missing in a window counts as 0). */
	for (unsigned w = 0; w < count; w++) {
		if (!windows[w].tier_fps)
			continue;
		g_hash_table_iter_init(&iter, windows[w].tier_fps);
		while (g_hash_table_iter_next(&iter, &key, &value))
			if (!g_hash_table_contains(tiers, key))
				g_hash_table_insert(tiers, g_strdup(key), g_new0(double, 1));
	}
	g_hash_table_iter_init(&iter, tiers);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		for (unsigned w = 0; w < count; w++) {
			const double *fps = windows[w].tier_fps
			                        ? g_hash_table_lookup(windows[w].tier_fps, key)
			                        : NULL;

			values[w] = fps ? *fps : 0;
		}
		*(double *)value = median(values, count);
	}
	add_tiers(b, tiers);
}

bool video_report_receiver(struct load *load, struct endpoint *ep, double window_s, JsonBuilder *b)
{
	uint64_t decoded, errors, gaps;
	int width, height;
	unsigned colours, seen = 0;
	double pct, fps;
	bool ok;

	g_mutex_lock(&ep->lock);
	decoded = ep->vrx.decoded - ep->vrx_decoded_before;
	errors = ep->vrx.decode_errors;
	gaps = ep->vrx.gaps;
	width = ep->vrx.width;
	height = ep->vrx.height;
	colours = ep->vrx.colours;
	pct = ep->vrx.colour_pct;
	g_mutex_unlock(&ep->lock);
	for (unsigned c = 0; c < VIDEO_PATTERNS; c++)
		seen += (colours >> c) & 1;
	fps = (double)decoded / window_s;
	/* The composite came (decoded often enough) and shows senders' pictures, not only
	 * name tiles: some of the palette's colours are in it. */
	ok = ep->state == EP_CONNECTED && fps >= load->video_min_fps && seen > 0;
	json_builder_set_member_name(b, "video");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "decoded");
	json_builder_add_int_value(b, (gint64)decoded);
	add_double(b, "fps", fps);
	json_builder_set_member_name(b, "width");
	json_builder_add_int_value(b, width);
	json_builder_set_member_name(b, "height");
	json_builder_add_int_value(b, height);
	json_builder_set_member_name(b, "decode_errors");
	json_builder_add_int_value(b, (gint64)errors);
	json_builder_set_member_name(b, "gaps");
	json_builder_add_int_value(b, (gint64)gaps);
	if (ep->peer) {
		struct peer_stats ps;

		/* What the server asks of this endpoint as a sender (its tile's need). */
		peer_get_stats(ep->peer, &ps);
		json_builder_set_member_name(b, "cap_kbps");
		json_builder_add_int_value(b, (gint64)(ps.remb_bps / 1000));
	}
	json_builder_set_member_name(b, "colours_seen");
	json_builder_add_int_value(b, seen);
	add_double(b, "colour_pct", pct);
	json_builder_set_member_name(b, "ok");
	json_builder_add_boolean_value(b, ok);
	json_builder_end_object(b);
	return ok;
}
