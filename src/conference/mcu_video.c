/* SPDX-License-Identifier: MIT */
/* The mcu room's video: members' VP8 into the room's compositor on its own video thread, the
 * composed view out to each member at the tier its bandwidth estimate allows. */
#define G_LOG_DOMAIN "cau-mcu-video"
#include "mcu_room_private.h"

#include "core/log.h"
#include "core/metrics.h"
#include "core/random.h"
#include "proto/vp8.h"

#include <errno.h>
#include <string.h>

#define NO_VIDEO_AFTER_US  3000000 /* a source silent this long shows its name tile */
#define SOURCE_STATS_TICKS 30      /* the sources' assembler counters are summed this often */
#define CAP_TICKS          30      /* senders are told their cap this often (about 1 s) */
#define HIDDEN_CAP_KBPS    50      /* the cap of a sender shown in no tile */

struct mcu_video {
	char name[64];
	struct mcu_room *room; /* borrowed: the room owns this */
	struct compositor *comp;
	struct media_clock *clock;
	unsigned view;
	/* This tick's payloads of each tier's frame, shared by the receivers' send histories
	 * (shared_payloads()): the video thread's, dropped at the end of the tick. */
	GBytes *shared[VIDEO_TIERS_MAX];
	struct tier_select_tier tiers[VIDEO_TIERS_MAX];
	unsigned tier_count;
	struct tier_select_config sel_cfg;
	uint64_t start_bps;
	char tier_names[VIDEO_TIERS_MAX]
	               [MCU_TIER_NAME_MAX]; /* "640x360": the tier label in /metrics */

	GMutex lock;        /* guards what follows; never held while calling out */
	GPtrArray *members; /* of member references: sources and receivers */
	GPtrArray *joins, *leaves, *renames;
	int layout;             /* enum layout_kind wanted, -1: unchanged */
	struct mcu_member *pin; /* wanted pinned member (a reference), or NULL */
	bool pin_changed;
	struct mcu_member *speakers[MCU_SPEAKERS_MAX]; /* references, oldest first */
	unsigned speaker_count;
	struct mcu_video_stats stats;

	/* Video thread only. */
	GPtrArray *tick_members, *tick_joins, *tick_leaves, *tick_renames;
	struct mcu_member *tick_speakers[MCU_SPEAKERS_MAX];
	unsigned tick_speaker_count;
	int tick_layout;
	struct mcu_member *pinned; /* a reference, or NULL */
	int pinned_slot;           /* what the compositor was told, -1: none */
	struct mcu_member **by_slot;
	unsigned capacity;
	bool tier_active[VIDEO_TIERS_MAX];
	bool tapped; /* the room had a tap (recorder) at the last tick */
	uint64_t ticks;
	uint64_t caps_sent;         /* REMBs sent to senders (cap_senders) */
	struct mcu_video_stats acc; /* totals of members gone */
	struct mcu_video_stats now; /* being built this tick */
};

/* ---- the video thread ---- */

/* Swaps the control thread's changes in under the lock; copies names as they stand. */
static void take_changes(struct mcu_video *v)
{
	GPtrArray *swap;

	g_mutex_lock(&v->lock);
	swap = v->joins, v->joins = v->tick_joins, v->tick_joins = swap;
	swap = v->leaves, v->leaves = v->tick_leaves, v->tick_leaves = swap;
	swap = v->renames, v->renames = v->tick_renames, v->tick_renames = swap;
	for (guint i = 0; i < v->members->len; i++)
		g_ptr_array_add(v->tick_members, mcu_member_ref(v->members->pdata[i]));
	memcpy(v->tick_speakers, v->speakers, sizeof(v->speakers));
	v->tick_speaker_count = v->speaker_count;
	v->speaker_count = 0;
	v->tick_layout = v->layout;
	v->layout = -1;
	if (v->pin_changed) {
		mcu_member_unref(v->pinned);
		v->pinned = v->pin ? mcu_member_ref(v->pin) : NULL;
		v->pin_changed = false;
	}
	for (guint i = 0; i < v->tick_joins->len; i++) {
		struct mcu_member *m = v->tick_joins->pdata[i];
		g_strlcpy(m->video.shown, m->name, sizeof(m->video.shown));
	}
	for (guint i = 0; i < v->tick_renames->len; i++) {
		struct mcu_member *m = v->tick_renames->pdata[i];
		g_strlcpy(m->video.shown, m->name, sizeof(m->video.shown));
	}
	g_mutex_unlock(&v->lock);
}

/* Adds the assembler counters of a source to the stats being built. */
static void add_source_stats(struct mcu_video *v, unsigned slot, struct mcu_video_stats *to)
{
	struct frame_assembler_stats fs;

	if (compositor_get_source_stats(v->comp, slot, &fs) != 0)
		return;
	to->keyframes_from_senders += fs.keyframes;
	to->frames_lost += fs.frames_lost;
	to->packets_invalid += fs.invalid;
}

static void add_receiver_stats(const struct mcu_member *m, struct mcu_video_stats *to)
{
	const struct tier_select_stats *s = &m->video.sel.stats;

	if (!m->video.selecting)
		return;
	to->switches_up += s->switches_up;
	to->switches_down += s->switches_down;
	to->frames_sent += s->frames_sent;
	to->frames_held_back += s->frames_skipped_layer;
}

static void apply_leaves(struct mcu_video *v)
{
	for (guint i = 0; i < v->tick_leaves->len; i++) {
		struct mcu_member *m = v->tick_leaves->pdata[i];
		int slot = g_atomic_int_get(&m->video.slot);

		add_receiver_stats(m, &v->acc);
		v->acc.send_errors += m->video.send_errors;
		m->video.selecting = false;
		if (slot < 0)
			continue;
		add_source_stats(v, (unsigned)slot, &v->acc);
		compositor_remove_source(v->comp, (unsigned)slot);
		v->by_slot[slot] = NULL;
		g_atomic_int_set(&m->video.slot, -1);
	}
	g_ptr_array_set_size(v->tick_leaves, 0); /* unrefs */
}

static void apply_joins(struct mcu_video *v)
{
	for (guint i = 0; i < v->tick_joins->len; i++) {
		struct mcu_member *m = v->tick_joins->pdata[i];
		unsigned slot;

		if (compositor_add_source(v->comp, m->video.shown, false, &slot) != 0) {
			g_warning("[%s] mcu video: no free source slot; a member is not shown",
			          v->name);
			continue;
		}
		v->by_slot[slot] = m; /* borrowed: the member is in tick_members until it leaves */
		g_atomic_int_set(&m->video.slot, (int)slot);
	}
	g_ptr_array_set_size(v->tick_joins, 0);
}

/* Layout, pin, names and speakers asked for since the last tick. */
static void apply_settings(struct mcu_video *v)
{
	int pinned_slot = v->pinned ? g_atomic_int_get(&v->pinned->video.slot) : -1;

	if (v->tick_layout >= 0)
		compositor_view_set_layout(v->comp, v->view, (enum layout_kind)v->tick_layout);
	if (pinned_slot != v->pinned_slot) {
		compositor_view_pin(v->comp, v->view, pinned_slot);
		v->pinned_slot = pinned_slot;
	}
	for (guint i = 0; i < v->tick_renames->len; i++) {
		struct mcu_member *m = v->tick_renames->pdata[i];
		int slot = g_atomic_int_get(&m->video.slot);

		if (slot >= 0)
			compositor_set_source_name(v->comp, (unsigned)slot, m->video.shown);
	}
	g_ptr_array_set_size(v->tick_renames, 0);
	for (unsigned i = 0; i < v->tick_speaker_count; i++) {
		struct mcu_member *m = v->tick_speakers[i];
		int slot = g_atomic_int_get(&m->video.slot);

		if (slot >= 0)
			compositor_set_speaker(v->comp, (unsigned)slot);
		mcu_member_unref(m);
	}
	v->tick_speaker_count = 0;
}

/* The first video track the server sends on, once the peer is connected, or -1. */
static int find_video_track(struct peer *peer)
{
	if (peer_state(peer) != PEER_STATE_CONNECTED)
		return -1;
	for (unsigned i = 0; i < peer_track_count(peer); i++) {
		const struct peer_track *t = peer_track(peer, i);
		if (t->kind == TRACK_VIDEO && t->send)
			return (int)i;
	}
	return -1;
}

/* Before the compositor's tick: camera on/off, and the receiver's estimate, PLIs and the
 * key frames its tier selection wants. */
static void prepare_member(struct mcu_video *v, struct mcu_member *m, uint64_t now_us)
{
	struct mcu_member_video *mv = &m->video;
	int slot = g_atomic_int_get(&mv->slot);
	int64_t last = __atomic_load_n(&mv->last_rtp_us, __ATOMIC_RELAXED);
	bool has_video = last > 0 && (int64_t)now_us - last < NO_VIDEO_AFTER_US;
	uint64_t bps;
	int tier;

	if (slot >= 0 && has_video != mv->has_video) {
		compositor_set_source_video(v->comp, (unsigned)slot, has_video);
		mv->has_video = has_video;
	}
	if (!m->peer)
		return;
	if (mv->send_track < 0 && (mv->send_track = find_video_track(m->peer)) < 0)
		return;
	if (!mv->selecting) {
		tier_select_init(&mv->sel, &v->sel_cfg, v->tiers, v->tier_count);
		random_bytes(&mv->picture_id, sizeof(mv->picture_id));
		mv->selecting = true;
	}
	bps = (uint64_t)__atomic_load_n(&mv->estimate_bps, __ATOMIC_RELAXED);
	tier_select_set_estimate(&mv->sel, bps ? bps : v->start_bps, now_us);
	if (g_atomic_int_exchange(&mv->pli, 0)) {
		tier_select_on_pli(&mv->sel);
		v->acc.keyframe_requests_received++;
	}
	while ((tier = tier_select_keyframe_wanted(&mv->sel)) >= 0)
		compositor_request_keyframe(v->comp, v->view, (unsigned)tier);
}

/* Encodes only the tiers some receiver gets or waits for (a new tier starts with a key
 * frame); counts the receivers per tier. */
static void update_tiers(struct mcu_video *v)
{
	bool want[VIDEO_TIERS_MAX] = {0};

	for (guint i = 0; i < v->tick_members->len; i++) {
		struct mcu_member *m = v->tick_members->pdata[i];
		int cur, pending;

		if (!m->video.selecting)
			continue;
		if (__atomic_load_n(&m->video.estimate_bps, __ATOMIC_RELAXED) > 0)
			v->now.receivers_estimated++;
		cur = tier_select_current(&m->video.sel);
		pending = tier_select_pending(&m->video.sel);
		if (cur >= 0) {
			want[cur] = true;
			v->now.receivers[cur]++;
		} else {
			v->now.receivers_waiting++;
		}
		if (pending >= 0)
			want[pending] = true;
	}
	bool tapped = mcu_room_tapped(v->room);

	if (tapped)
		want[0] = true;                        /* the recorder takes the top tier ... */
	if (tapped && !v->tapped && v->tier_active[0]) /* ... from a key frame */
		compositor_request_keyframe(v->comp, v->view, 0);
	v->tapped = tapped;
	for (unsigned t = 0; t < v->tier_count; t++) {
		if (want[t] != v->tier_active[t]) {
			compositor_view_set_tier_active(v->comp, v->view, t, want[t]);
			v->tier_active[t] = want[t];
		}
	}
}

/* The descriptor and the first byte after it: all a receiver's picture id changes. */
#define HEAD_MAX (VP8_DESCRIPTOR_MAX + 1)

/* The payloads of this tick's frame f (of v's view), as one copy that every receiver's
 * send history keeps a reference to for retransmissions: a copy a frame, not one per
 * receiver (a third of the fan-out's copies, and half the memory, at 169 receivers). */
static GBytes *shared_payloads(struct mcu_video *v, const struct video_encoded *f)
{
	GBytes **slot = &v->shared[MIN(f->tier, VIDEO_TIERS_MAX - 1)];
	size_t end = 0, len;
	bool marker;

	if (!*slot) {
		for (unsigned i = 0; i < f->packet_count; i++) {
			const uint8_t *p = video_encoded_payload(f, i, &len, &marker);

			end = MAX(end, (size_t)(p - f->payloads) + len);
		}
		*slot = g_bytes_new(f->payloads, end);
	}
	return *slot;
}

/* One composed frame to one receiver, if its tier selection takes it: the shared
 * payloads with the receiver's own picture id (only the descriptor is copied to change
 * it); the peer adds its RTP header and SRTP, and sends each run of PEER_BATCH_MAX
 * packets with one system call. */
static void send_frame(struct mcu_video *v, struct mcu_member *m, const struct video_encoded *f,
                       uint64_t now_us)
{
	struct mcu_member_video *mv = &m->video;
	struct peer_rtp_out outs[PEER_BATCH_MAX];
	uint8_t heads[PEER_BATCH_MAX][HEAD_MAX];
	/* The composite shows the sources' latest frames, the mix plays the speakers after
	 * their jitter buffers: the picture goes with the audio sent that much later (as in
	 * the recording, mcu_room_tap_video()). */
	int32_t sync_delay_us = g_atomic_int_get(&v->room->speakers_delay_ms) * 1000;
	size_t n = 0;
	GBytes *shared;
	const uint8_t *base;

	if (!mv->selecting || f->view != v->view || !tier_select_accept(&mv->sel, f, now_us))
		return;
	shared = shared_payloads(v, f);
	base = g_bytes_get_data(shared, NULL);
	mv->picture_id = (uint16_t)((mv->picture_id + 1) & VP8_PICTURE_ID_15BIT);
	for (unsigned i = 0; i < f->packet_count; i++) {
		size_t len, head;
		bool marker;
		const uint8_t *payload = video_encoded_payload(f, i, &len, &marker);
		/* The same bytes in the shared copy. */
		const uint8_t *copy = base + (payload - f->payloads);
		int err;

		head = MIN(len, HEAD_MAX);
		memcpy(heads[n], payload, head);
		vp8_descriptor_set_picture_id(heads[n], head, mv->picture_id);
		outs[n] = (struct peer_rtp_out){
		    .marker = marker,
		    .timestamp = f->rtp_timestamp,
		    .payload = heads[n],
		    .payload_len = head,
		    .payload_rest = copy + head,
		    .payload_rest_len = len - head,
		    .payload_rest_owner = shared,
		    .sync_delay_us = sync_delay_us,
		};
		if (++n < PEER_BATCH_MAX && i + 1 < f->packet_count)
			continue;
		err = peer_send_rtp_batch(m->peer, (unsigned)mv->send_track, outs, n);
		n = 0;
		if (err && mv->send_errors++ % 250 == 0)
			cau_trace("[%s / peer %s] mcu video: send: %s", v->name, peer_id(m->peer),
			          g_strerror(-err));
	}
}

/* This tick's frames to one receiver. Every tier of a composed frame has the same RTP
 * timestamp, so a receiver must never get two of them: when the key frame it waits for to
 * switch tiers is here, it gets that one alone. */
static void send_tick(struct mcu_video *v, struct mcu_member *m,
                      const struct compositor_output *out, uint64_t now_us)
{
	int pending = m->video.selecting ? tier_select_pending(&m->video.sel) : -1;

	for (size_t f = 0; pending >= 0 && f < out->frame_count; f++) {
		if ((int)out->frames[f]->tier == pending && out->frames[f]->keyframe &&
		    out->frames[f]->view == v->view) {
			send_frame(v, m, out->frames[f], now_us);
			return;
		}
	}
	for (size_t f = 0; f < out->frame_count; f++)
		send_frame(v, m, out->frames[f], now_us);
}

/* Fetches the state of a receiver a few sends ahead into the cache (peer_prefetch_send(),
 * as the audio mix does). */
static void prefetch_receiver(GPtrArray *members, guint i, unsigned stage)
{
	const struct mcu_member *m;

	if (i >= members->len)
		return;
	m = members->pdata[i];
	if (m->peer && m->video.send_track >= 0)
		peer_prefetch_send(m->peer, (unsigned)m->video.send_track, stage);
}

/* Key frames the compositor wants from senders (a loss, a source becoming visible). */
static void ask_senders(struct mcu_video *v, const struct compositor_output *out)
{
	for (size_t i = 0; i < out->keyframe_request_count; i++) {
		unsigned slot = out->keyframe_requests[i];
		struct mcu_member *m = slot < v->capacity ? v->by_slot[slot] : NULL;
		int track = m ? g_atomic_int_get(&m->video.recv_track) : -1;

		if (m && m->peer && track >= 0)
			peer_request_keyframe(m->peer, (unsigned)track);
	}
}

/* What each sender needs to send (a REMB: the bitrate of the smallest tier covering its
 * largest tile, or HIDDEN_CAP_KBPS when no view shows it), so that a thumbnail is not
 * sent, nor decoded, at 720p. Senders that honour REMB (libwebrtc does not when
 * transport-wide feedback is negotiated; it needs a simulcast layer) lower their rate;
 * the others are unaffected. Sent when the need changes (a source coming into view gets
 * its rate back at once), and repeated every CAP_TICKS, as receivers repeat estimates. */
static void cap_senders(struct mcu_video *v)
{
	bool refresh = v->ticks % CAP_TICKS == 0;

	for (guint i = 0; i < v->tick_members->len; i++) {
		struct mcu_member *m = v->tick_members->pdata[i];
		int slot = g_atomic_int_get(&m->video.slot);
		struct compositor_need need;
		unsigned kbps;

		if (slot < 0 || g_atomic_int_get(&m->video.recv_track) < 0 || !m->peer ||
		    compositor_get_need(v->comp, (unsigned)slot, &need) != 0)
			continue;
		kbps = need.visible && need.kbps ? need.kbps : HIDDEN_CAP_KBPS;
		if (!refresh && kbps == m->video.cap_kbps)
			continue;
		if (peer_send_remb(m->peer, 1000ull * kbps) == 0) {
			m->video.cap_kbps = kbps;
			v->caps_sent++;
		}
	}
}

/* The counters of this tick, published under the lock. */
static void publish_stats(struct mcu_video *v)
{
	struct mcu_video_stats *s = &v->now;

	compositor_get_stats(v->comp, &s->comp);
	s->tier_count = v->tier_count;
	for (unsigned t = 0; t < v->tier_count; t++)
		compositor_get_tier_stats(v->comp, v->view, t, &s->tiers[t]);
	s->switches_up += v->acc.switches_up;
	s->switches_down += v->acc.switches_down;
	s->frames_sent += v->acc.frames_sent;
	s->frames_held_back += v->acc.frames_held_back;
	s->keyframe_requests_received = v->acc.keyframe_requests_received;
	s->send_errors += v->acc.send_errors;
	s->sender_caps_sent = v->caps_sent;
	s->tick_busy_ns = v->acc.tick_busy_ns;
	s->tick_busy_max_ns = v->acc.tick_busy_max_ns;
	media_clock_get_stats(v->clock, &s->clock);
	for (guint i = 0; i < v->tick_members->len; i++) {
		struct mcu_member *m = v->tick_members->pdata[i];
		add_receiver_stats(m, s);
		s->send_errors += m->video.send_errors;
	}
	g_mutex_lock(&v->lock);
	if (v->ticks % SOURCE_STATS_TICKS != 0) { /* keep the last sums of the sources */
		s->keyframes_from_senders = v->stats.keyframes_from_senders;
		s->frames_lost = v->stats.frames_lost;
		s->packets_invalid = v->stats.packets_invalid;
	}
	v->stats = *s;
	g_mutex_unlock(&v->lock);
}

static void sum_sources(struct mcu_video *v)
{
	struct mcu_video_stats *s = &v->now;

	s->keyframes_from_senders = v->acc.keyframes_from_senders;
	s->frames_lost = v->acc.frames_lost;
	s->packets_invalid = v->acc.packets_invalid;
	for (unsigned slot = 0; slot < v->capacity; slot++)
		if (v->by_slot[slot])
			add_source_stats(v, slot, s);
}

static void on_video_tick(void *user, uint64_t tick, uint64_t deadline_ns, unsigned frames)
{
	struct mcu_video *v = user;
	uint64_t now_us = deadline_ns / 1000, busy;
	const struct compositor_output *out;

	(void)tick;
	(void)frames;
	take_changes(v);
	apply_leaves(v);
	apply_joins(v);
	apply_settings(v);
	memset(&v->now, 0, sizeof(v->now));
	for (guint i = 0; i < v->tick_members->len; i++)
		prepare_member(v, v->tick_members->pdata[i], now_us);
	update_tiers(v);
	compositor_tick(v->comp, now_us, &out);
	ask_senders(v, out);
	cap_senders(v);
	for (guint i = 0; i < v->tick_members->len; i++) {
		prefetch_receiver(v->tick_members, i + 1, 1);
		prefetch_receiver(v->tick_members, i + 2, 0);
		send_tick(v, v->tick_members->pdata[i], out, now_us);
	}
	for (size_t f = 0; f < out->frame_count; f++) {
		const struct video_encoded *e = out->frames[f];
		if (e->view == v->view && e->tier == 0)
			if (mcu_room_tap_video(v->room, e->rtp_timestamp, (int64_t)deadline_ns,
			                       e->keyframe, e->data, e->len))
				/* at most one per tier per keyframe interval (the compositor) */
				compositor_request_keyframe(v->comp, v->view, 0);
	}
	for (unsigned t = 0; t < VIDEO_TIERS_MAX; t++)
		g_clear_pointer(&v->shared[t], g_bytes_unref); /* the histories keep theirs */
	if (v->ticks % SOURCE_STATS_TICKS == 0)
		sum_sources(v);
	busy = media_clock_monotonic_ns() - deadline_ns;
	if (busy < G_MAXINT64) { /* the clock never runs a tick early; guard anyway */
		v->acc.tick_busy_ns += busy;
		v->acc.tick_busy_max_ns = MAX(v->acc.tick_busy_max_ns, busy);
	}
	publish_stats(v);
	v->ticks++;
	g_ptr_array_set_size(v->tick_members, 0); /* unrefs */
}

/* ---- worker threads ---- */

void mcu_video_rtp(struct mcu_member *m, const struct peer_track *track,
                   const struct rtp_packet *pkt)
{
	struct mcu_video *v = m->room->video;
	int slot = g_atomic_int_get(&m->video.slot);
	uint64_t now_us = media_clock_monotonic_ns() / 1000;
	int err;

	g_atomic_int_set(&m->video.recv_track, (int)track->index);
	if (slot < 0)
		return;
	err = compositor_put(v->comp, (unsigned)slot, pkt, now_us);
	if (err != -EINVAL) /* not VP8: counted by the assembler, and no camera either */
		__atomic_store_n(&m->video.last_rtp_us, (gint64)now_us, __ATOMIC_RELAXED);
}

void mcu_video_keyframe_request(struct mcu_member *m)
{
	g_atomic_int_set(&m->video.pli, 1);
}

void mcu_video_estimate(struct mcu_member *m, uint64_t bps)
{
	__atomic_store_n(&m->video.estimate_bps, (gint64)MIN(bps, (uint64_t)G_MAXINT64),
	                 __ATOMIC_RELAXED);
}

/* ---- any thread: changes for the next tick ---- */

void mcu_video_speaker(struct mcu_video *v, struct mcu_member *m)
{
	g_mutex_lock(&v->lock);
	if (v->speaker_count == MCU_SPEAKERS_MAX) { /* keep the latest */
		mcu_member_unref(v->speakers[0]);
		memmove(v->speakers, v->speakers + 1,
		        sizeof(v->speakers[0]) * (MCU_SPEAKERS_MAX - 1));
		v->speaker_count--;
	}
	v->speakers[v->speaker_count++] = mcu_member_ref(m);
	g_mutex_unlock(&v->lock);
}

int mcu_video_set_layout(struct mcu_video *v, enum layout_kind kind)
{
	if (kind != LAYOUT_GRID && kind != LAYOUT_SPEAKER && kind != LAYOUT_PINNED)
		return -EINVAL;
	g_mutex_lock(&v->lock);
	v->layout = (int)kind;
	g_mutex_unlock(&v->lock);
	return 0;
}

void mcu_video_set_pinned(struct mcu_video *v, struct mcu_member *m)
{
	struct mcu_member *old;

	g_mutex_lock(&v->lock);
	old = v->pin;
	v->pin = m ? mcu_member_ref(m) : NULL;
	v->pin_changed = true;
	g_mutex_unlock(&v->lock);
	mcu_member_unref(old);
}

void mcu_video_set_name(struct mcu_video *v, struct mcu_member *m, const char *name)
{
	size_t len = strlen(name);

	if (len >= sizeof(m->name)) /* cut before the character that would not fit */
		len = (size_t)(g_utf8_find_prev_char(name, name + sizeof(m->name) - 1) - name);
	g_mutex_lock(&v->lock);
	memcpy(m->name, name, len);
	m->name[len] = '\0';
	if (!g_ptr_array_find(v->renames, m, NULL))
		g_ptr_array_add(v->renames, mcu_member_ref(m));
	g_mutex_unlock(&v->lock);
}

void mcu_video_attach(struct mcu_video *v, struct mcu_member *m)
{
	g_mutex_lock(&v->lock);
	if (m->name[0] == '\0')
		g_strlcpy(m->name, peer_id(m->peer), sizeof(m->name));
	g_ptr_array_add(v->members, mcu_member_ref(m));
	g_ptr_array_add(v->joins, mcu_member_ref(m));
	g_mutex_unlock(&v->lock);
}

void mcu_video_leave(struct mcu_video *v, struct mcu_member *m)
{
	struct mcu_member *dropped = NULL, *unpinned = NULL;
	guint index;

	g_mutex_lock(&v->lock);
	if (g_ptr_array_find(v->members, m, &index)) {
		dropped = g_ptr_array_steal_index_fast(v->members, index);
		g_ptr_array_add(v->leaves, mcu_member_ref(m));
	}
	if (v->pin == m) {
		unpinned = v->pin;
		v->pin = NULL;
		v->pin_changed = true;
	}
	g_mutex_unlock(&v->lock);
	mcu_member_unref(dropped);
	mcu_member_unref(unpinned);
}

/* ---- the control thread ---- */

static enum layout_kind layout_from_config(const struct config *conf)
{
	const char *name = conf ? config_get_string(conf, "video", "layout") : "speaker";

	if (g_strcmp0(name, "grid") == 0)
		return LAYOUT_GRID;
	if (g_strcmp0(name, "pinned") == 0)
		return LAYOUT_PINNED;
	return LAYOUT_SPEAKER;
}

struct mcu_video *mcu_video_new(struct mcu_room *room, const struct config *conf)
{
	const char *room_name = room->name;
	struct mcu_video *v = g_new0(struct mcu_video, 1);
	struct compositor_config cfg;
	struct compositor_view_config view_cfg;
	g_autoptr(GError) error = NULL;

	g_snprintf(v->name, sizeof(v->name), "room %s", room_name);
	v->room = room;
	compositor_config_init(&cfg);
	tier_select_config_init(&v->sel_cfg);
	v->start_bps = 600000;
	if (conf) {
		if (!compositor_config_apply(&cfg, &v->sel_cfg, conf, &error))
			g_error("[%s] mcu video: %s", v->name,
			        error->message); /* config checked it */
		v->start_bps = (uint64_t)config_get_int(conf, "video", "start_kbps") * 1000;
	}
	v->comp = compositor_new(&cfg, v->name);
	g_assert(v->comp);
	compositor_view_config_init(&view_cfg);
	view_cfg.kind = layout_from_config(conf);
	if (compositor_add_view(v->comp, &view_cfg, "main", &v->view) != 0)
		g_error("[%s] mcu video: cannot make the view's encoders", v->name);
	v->tier_count = compositor_tier_table(v->comp, v->tiers);
	for (unsigned t = 0; t < v->tier_count; t++)
		g_snprintf(v->tier_names[t], sizeof(v->tier_names[t]), "%dx%d", cfg.tiers[t].width,
		           cfg.tiers[t].height);
	for (unsigned t = 0; t < v->tier_count; t++) { /* on when a receiver takes it */
		compositor_view_set_tier_active(v->comp, v->view, t, false);
		v->tier_active[t] = false;
	}
	v->capacity = cfg.capacity;
	v->by_slot = g_new0(struct mcu_member *, v->capacity);
	v->layout = -1;
	v->pinned_slot = -1;
	g_mutex_init(&v->lock);
	v->members = g_ptr_array_new_with_free_func(mcu_member_unref);
	v->joins = g_ptr_array_new_with_free_func(mcu_member_unref);
	v->leaves = g_ptr_array_new_with_free_func(mcu_member_unref);
	v->renames = g_ptr_array_new_with_free_func(mcu_member_unref);
	v->tick_members = g_ptr_array_new_with_free_func(mcu_member_unref);
	v->tick_joins = g_ptr_array_new_with_free_func(mcu_member_unref);
	v->tick_leaves = g_ptr_array_new_with_free_func(mcu_member_unref);
	v->tick_renames = g_ptr_array_new_with_free_func(mcu_member_unref);
	g_autofree char *clock_name = g_strdup_printf("video %s", room_name);

	v->clock = media_clock_new(clock_name, 1000000000u / (unsigned)cfg.tiers[0].fps, NULL);
	if (media_clock_start(v->clock, on_video_tick, v) != 0)
		g_error("[%s] mcu video: cannot start the video clock", v->name);
	return v;
}

void mcu_video_free(struct mcu_video *v)
{
	if (!v)
		return;
	media_clock_stop(v->clock); /* joins the thread: nothing ticks after this */
	media_clock_free(v->clock);
	for (unsigned i = 0; i < v->speaker_count; i++)
		mcu_member_unref(v->speakers[i]);
	mcu_member_unref(v->pin);
	mcu_member_unref(v->pinned);
	g_ptr_array_unref(v->members);
	g_ptr_array_unref(v->joins);
	g_ptr_array_unref(v->leaves);
	g_ptr_array_unref(v->renames);
	g_ptr_array_unref(v->tick_members);
	g_ptr_array_unref(v->tick_joins);
	g_ptr_array_unref(v->tick_leaves);
	g_ptr_array_unref(v->tick_renames);
	compositor_free(v->comp);
	g_free(v->by_slot);
	g_mutex_clear(&v->lock);
	g_free(v);
}

void mcu_video_get_stats(struct mcu_video *v, struct mcu_video_stats *out,
                         char (*tier_names)[MCU_TIER_NAME_MAX])
{
	g_mutex_lock(&v->lock);
	*out = v->stats;
	g_mutex_unlock(&v->lock);
	memcpy(tier_names, v->tier_names, sizeof(v->tier_names));
}
