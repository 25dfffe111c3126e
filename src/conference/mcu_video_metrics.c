/* SPDX-License-Identifier: MIT */
/* The mcu rooms' video counters in /metrics: cau_video_* families, labelled by room and tier. */
#define G_LOG_DOMAIN "cau-mcu-video"
#include "mcu_room_private.h"

#include "core/metrics.h"

/* A room's snapshot, copied under its lock. */
struct video_sample {
	const char *room;
	struct mcu_video_stats s;
	char tier_names[VIDEO_TIERS_MAX][MCU_TIER_NAME_MAX];
};

typedef double (*room_value_fn)(const struct mcu_video_stats *s);
typedef double (*tier_value_fn)(const struct mcu_video_stats *s, unsigned tier);

static void write_room(GString *out, const char *name, const char *type, const char *help,
                       const struct video_sample *samples, guint n, room_value_fn fn)
{
	metrics_write_header(out, name, type, help);
	for (guint i = 0; i < n; i++)
		metrics_write_sample(out, name, fn(&samples[i].s), "room", samples[i].room, NULL);
}

static void write_tier(GString *out, const char *name, const char *type, const char *help,
                       const struct video_sample *samples, guint n, tier_value_fn fn)
{
	metrics_write_header(out, name, type, help);
	for (guint i = 0; i < n; i++)
		for (unsigned t = 0; t < samples[i].s.tier_count; t++)
			metrics_write_sample(out, name, fn(&samples[i].s, t), "room",
			                     samples[i].room, "tier", samples[i].tier_names[t],
			                     NULL);
}

#define ROOM_FN(id, expr)                                                                          \
	static double id(const struct mcu_video_stats *s)                                          \
	{                                                                                          \
		return (double)(expr);                                                             \
	}
#define TIER_FN(id, expr)                                                                          \
	static double id(const struct mcu_video_stats *s, unsigned t)                              \
	{                                                                                          \
		return (double)(expr);                                                             \
	}

ROOM_FN(v_sources, s->comp.sources)
ROOM_FN(v_visible, s->comp.visible_last)
ROOM_FN(v_decoded, s->comp.decodes)
ROOM_FN(v_composed, s->comp.composed)
ROOM_FN(v_corrupt, s->comp.decode_errors)
ROOM_FN(v_lost, s->frames_lost)
ROOM_FN(v_invalid, s->packets_invalid)
ROOM_FN(v_key_in, s->keyframes_from_senders)
ROOM_FN(v_plis_out, s->comp.plis)
ROOM_FN(v_plis_in, s->keyframe_requests_received)
ROOM_FN(v_caps, s->sender_caps_sent)
ROOM_FN(v_up, s->switches_up)
ROOM_FN(v_down, s->switches_down)
ROOM_FN(v_sent, s->frames_sent)
ROOM_FN(v_held, s->frames_held_back)
ROOM_FN(v_waiting, s->receivers_waiting)
ROOM_FN(v_estimated, s->receivers_estimated)
ROOM_FN(v_exhausted, s->comp.pool_exhausted)
ROOM_FN(v_encode_errors, s->comp.encode_errors)
ROOM_FN(v_mb_coded, s->comp.macroblocks_coded)
ROOM_FN(v_mb_skipped, s->comp.macroblocks_skipped)
ROOM_FN(v_skipped, s->clock.skipped)
ROOM_FN(v_busy_s, s->tick_busy_ns / 1e9)
ROOM_FN(v_busy_max_s, s->tick_busy_max_ns / 1e9)
ROOM_FN(v_decode_s, s->comp.decode_ns / 1e9)
ROOM_FN(v_compose_s, s->comp.compose_ns / 1e9)
ROOM_FN(v_encode_s, s->comp.encode_ns / 1e9)
TIER_FN(t_encoded, s->tiers[t].encodes)
TIER_FN(t_keyframes, s->tiers[t].keyframes)
TIER_FN(t_requests, s->tiers[t].keyframe_requests)
TIER_FN(t_bytes, s->tiers[t].bytes)
TIER_FN(t_receivers, s->receivers[t])

void mcu_video_collect(GString *out, struct mcu_room *const *rooms, guint n)
{
	g_autofree struct video_sample *samples = g_new0(struct video_sample, n + 1);

	for (guint i = 0; i < n; i++) {
		samples[i].room = rooms[i]->name;
		mcu_video_get_stats(rooms[i]->video, &samples[i].s, samples[i].tier_names);
	}
	write_room(out, "cau_video_sources", "gauge", "Members in the room's video compositor.",
	           samples, n, v_sources);
	write_room(out, "cau_video_visible_sources", "gauge",
	           "Sources in a tile of the room's view at the last tick.", samples, n, v_visible);
	write_room(out, "cau_video_frames_decoded_total", "counter",
	           "VP8 frames decoded (visible sources only).", samples, n, v_decoded);
	write_room(out, "cau_video_frames_composed_total", "counter", "View pictures composed.",
	           samples, n, v_composed);
	write_tier(out, "cau_video_frames_encoded_total", "counter",
	           "VP8 encodes of the view, once per tier whatever the receivers.", samples, n,
	           t_encoded);
	write_tier(out, "cau_video_keyframes_sent_total", "counter",
	           "Key frames encoded per tier (receivers joining, switching, PLI/FIR).", samples,
	           n, t_keyframes);
	write_tier(out, "cau_video_tier_keyframe_requests_total", "counter",
	           "Key frames asked of a tier's encoder (merged to one per interval).", samples, n,
	           t_requests);
	write_tier(out, "cau_video_encoded_bytes_total", "counter", "VP8 bytes encoded per tier.",
	           samples, n, t_bytes);
	write_tier(out, "cau_video_receivers", "gauge", "Receivers being sent each tier.", samples,
	           n, t_receivers);
	write_room(out, "cau_video_receivers_waiting", "gauge",
	           "Connected receivers waiting for their first key frame.", samples, n, v_waiting);
	write_room(out, "cau_video_receivers_estimated", "gauge",
	           "Receivers with a bandwidth estimate (REMB or transport-wide feedback).",
	           samples, n, v_estimated);
	write_room(out, "cau_video_keyframe_requests_sent_total", "counter",
	           "Key frames asked of senders (PLI/FIR: loss, corrupt data, a source shown).",
	           samples, n, v_plis_out);
	write_room(out, "cau_video_keyframe_requests_received_total", "counter",
	           "PLI/FIR received from receivers of the view.", samples, n, v_plis_in);
	write_room(out, "cau_video_sender_caps_sent_total", "counter",
	           "REMBs telling senders the bitrate their largest tile needs (about 1 s apart).",
	           samples, n, v_caps);
	write_room(out, "cau_video_keyframes_received_total", "counter",
	           "Complete key frames received from senders.", samples, n, v_key_in);
	write_room(out, "cau_video_corrupt_frames_total", "counter",
	           "Received frames the decoder refused or reported corrupt.", samples, n,
	           v_corrupt);
	write_room(out, "cau_video_frames_lost_total", "counter",
	           "Received frames dropped incomplete (packets lost, not retransmitted).", samples,
	           n, v_lost);
	write_room(out, "cau_video_packets_invalid_total", "counter",
	           "Received video packets that are not VP8 or too large.", samples, n, v_invalid);
	write_room(out, "cau_video_tier_switches_up_total", "counter",
	           "Receivers moved to a better tier.", samples, n, v_up);
	write_room(out, "cau_video_tier_switches_down_total", "counter",
	           "Receivers moved to a lower tier.", samples, n, v_down);
	write_room(out, "cau_video_frames_sent_total", "counter",
	           "Composed frames sent to receivers (one per receiver and frame).", samples, n,
	           v_sent);
	write_room(out, "cau_video_frames_held_back_total", "counter",
	           "Upper temporal layer frames not sent to receivers below the lowest tier.",
	           samples, n, v_held);
	write_room(out, "cau_video_encoder_pool_exhausted_total", "counter",
	           "Encodes skipped because every encoded frame was still in use.", samples, n,
	           v_exhausted);
	write_room(out, "cau_video_encode_errors_total", "counter", "Failed VP8 encodes.", samples,
	           n, v_encode_errors);
	write_room(out, "cau_video_macroblocks_coded_total", "counter",
	           "Macroblocks the tier encoders searched and coded in inter frames (changed or "
	           "refined; [video] skip_unchanged).",
	           samples, n, v_mb_coded);
	write_room(out, "cau_video_macroblocks_skipped_total", "counter",
	           "Macroblocks of still tiles the tier encoders skipped in inter frames.", samples,
	           n, v_mb_skipped);
	write_room(out, "cau_video_ticks_skipped_total", "counter",
	           "Video ticks dropped because the video thread was a whole period late.", samples,
	           n, v_skipped);
	write_room(out, "cau_video_tick_busy_seconds_total", "counter",
	           "Sum over video ticks of the time from the tick's deadline to its last packet "
	           "sent.",
	           samples, n, v_busy_s);
	write_room(out, "cau_video_tick_busy_max_seconds", "gauge",
	           "The longest time from a video tick's deadline to its last packet sent.",
	           samples, n, v_busy_max_s);
	write_room(out, "cau_video_decode_seconds_total", "counter",
	           "Video thread CPU time decoding.", samples, n, v_decode_s);
	write_room(out, "cau_video_compose_seconds_total", "counter",
	           "Video thread CPU time composing and scaling.", samples, n, v_compose_s);
	write_room(out, "cau_video_encode_seconds_total", "counter",
	           "Video thread CPU time encoding and packetising.", samples, n, v_encode_s);
}
