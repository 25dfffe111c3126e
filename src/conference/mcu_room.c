/* SPDX-License-Identifier: MIT */
/* The mcu room: the registry, members, and the audio (peers' Opus into the audio mixer, the
 * mixer's payloads out to the peers); the video is mcu_video.c's. */
#define G_LOG_DOMAIN "cau-mcu"
#include "mcu_room_private.h"

#include "core/log.h"
#include "core/metrics.h"
#include "core/random.h"

#include <errno.h>
#include <stddef.h>

#define AUDIO_PERIOD_NS 20000000u

struct mcu_rooms {
	GHashTable *by_name;       /* name -> struct mcu_room (owned) */
	const struct config *conf; /* borrowed; NULL: defaults */
};

struct mcu_member *mcu_member_ref(struct mcu_member *m)
{
	g_atomic_int_inc(&m->refcount);
	return m;
}

void mcu_member_unref(gpointer data)
{
	struct mcu_member *m = data;

	if (m && g_atomic_int_dec_and_test(&m->refcount)) {
		peer_unref(m->peer);
		g_free(m);
	}
}

/* ---- the media thread ---- */

/* Copies the tap under the lock and marks it busy, or returns false when there is none. */
static bool tap_begin(struct mcu_room *room, struct mcu_tap *out)
{
	bool on;

	g_mutex_lock(&room->lock);
	on = room->tap.user_data != NULL;
	if (on) {
		*out = room->tap;
		room->tap_busy++;
	}
	g_mutex_unlock(&room->lock);
	return on;
}

static void tap_end(struct mcu_room *room)
{
	g_mutex_lock(&room->lock);
	if (--room->tap_busy == 0)
		g_cond_broadcast(&room->tap_idle);
	g_mutex_unlock(&room->lock);
}

/* How long the mix's speakers wait in their jitter buffers beyond their fastest packet:
 * the audio of a tick was captured that much earlier than its video (which is composed
 * from each source's latest frame, unbuffered). Kept from the last tick with speakers.
 *
 * Held rather than followed: it rises at once but falls by at most SPEAKERS_DELAY_FALL_US
 * a tick. Speakers come and go every second or so, each with its own jitter buffer (a
 * commune on a congested link 150 ms, the hall on the LAN 40), and a receiver following
 * the composite's sender reports (Chromium) moves its picture by a few tens of ms a
 * second: a delay that jumped with each change of speaker would keep it chasing. */
#define SPEAKERS_DELAY_FALL_US 400 /* 20 ms a second */

static void measure_audio_delay(struct mcu_room *room, const struct audio_mix_output *mix)
{
	int64_t delay = -1;

	for (size_t i = 0; i < mix->speaker_count; i++) {
		struct jitter_stats js;

		/* Bounded by the buffer's target: beyond it the delay is a transient (a sender
		 * that stalled and then caught up, played late while the buffer drops frames
		 * to get back to its target), gone long before a receiver could follow it. */
		if (audio_mixer_get_jitter_stats(room->mixer, mix->speakers[i], &js) == 0)
			delay = MAX(delay,
			            1000 * (int64_t)CLAMP(js.delay_ms, 0, (int)js.target_ms + 20));
	}
	if (delay < 0)
		return;
	room->speakers_delay_us = MAX(delay, room->speakers_delay_us - SPEAKERS_DELAY_FALL_US);
	g_atomic_int_set(&room->speakers_delay_ms, (gint)(room->speakers_delay_us / 1000));
}

static void tap_audio(struct mcu_room *room, uint64_t deadline_ns,
                      const struct audio_mix_output *mix)
{
	struct mcu_tap tap;

	room->tap_rtp_ts += mix->rtp_ts_advance;
	measure_audio_delay(room, mix); /* live receivers' lip sync needs it too */
	if (!mix->shared || mix->shared->len == 0 || !tap_begin(room, &tap))
		return;
	if (tap.audio)
		tap.audio(tap.user_data, room->tap_rtp_ts, (int64_t)deadline_ns, mix->shared->data,
		          mix->shared->len);
	tap_end(room);
}

bool mcu_room_tapped(struct mcu_room *room)
{
	bool on;

	g_mutex_lock(&room->lock);
	on = room->tap.user_data != NULL;
	g_mutex_unlock(&room->lock);
	return on;
}

bool mcu_room_tap_video(struct mcu_room *room, uint32_t rtp_ts, int64_t time_ns, bool keyframe,
                        const uint8_t *data, size_t len)
{
	struct mcu_tap tap;
	bool want_keyframe = false;
	int delay_ms;

	if (!tap_begin(room, &tap))
		return false;
	/* Lip sync in the recording: the frame goes with the audio heard `delay` later (the
	 * speakers' jitter buffers), so it is stamped that much later; the timestamps stay
	 * increasing when the delay shrinks. */
	delay_ms = g_atomic_int_get(&room->speakers_delay_ms);
	rtp_ts += (uint32_t)delay_ms * 90;
	time_ns += (int64_t)delay_ms * 1000000;
	if (room->tap_video_started && (int32_t)(rtp_ts - room->tap_video_rtp_ts) <= 0)
		rtp_ts = room->tap_video_rtp_ts + 1;
	room->tap_video_rtp_ts = rtp_ts;
	room->tap_video_started = true;
	if (tap.video)
		want_keyframe = tap.video(tap.user_data, rtp_ts, time_ns, keyframe, data, len);
	tap_end(room);
	return want_keyframe;
}

static void apply_membership(struct mcu_room *room, GPtrArray *joins, GPtrArray *leaves)
{
	for (guint i = 0; i < leaves->len; i++) {
		struct mcu_member *m = leaves->pdata[i];
		int slot = g_atomic_int_get(&m->slot);

		if (slot >= 0)
			audio_mixer_remove(room->mixer, (unsigned)slot);
		g_atomic_int_set(&m->slot, -1);
	}
	for (guint i = 0; i < joins->len; i++) {
		struct mcu_member *m = joins->pdata[i];
		unsigned slot;

		if (g_ptr_array_find(leaves, m, NULL))
			continue; /* left before it was ever mixed */
		if (audio_mixer_add(room->mixer, &slot) != 0) {
			g_warning("[room %s] mcu: no free mixer slot; a member stays unheard",
			          room->name);
			continue;
		}
		g_atomic_int_set(&m->slot, (int)slot);
	}
}

/* The first audio track the server sends on, once the peer is connected (tracks are fixed
 * then), or -1. */
static int find_audio_track(struct peer *peer)
{
	if (peer_state(peer) != PEER_STATE_CONNECTED)
		return -1;
	for (unsigned i = 0; i < peer_track_count(peer); i++) {
		const struct peer_track *t = peer_track(peer, i);
		if (t->kind == TRACK_AUDIO && t->send)
			return (int)i;
	}
	return -1;
}

static void send_payload(struct mcu_room *room, struct mcu_member *m,
                         const struct audio_mix_output *mix)
{
	int slot = g_atomic_int_get(&m->slot);
	struct audio_payload *payload;
	struct peer_rtp_out out = {0};
	int err;

	/* Every receiver's clock advances with the room's, sent or not, so that a gap
	 * reads as a gap and not as a time warp. */
	m->rtp_ts += mix->rtp_ts_advance;
	if (slot < 0 || !m->peer)
		return;
	if (m->audio_track < 0 && (m->audio_track = find_audio_track(m->peer)) < 0)
		return;
	payload = mix->payload_of[slot];
	if (!payload || payload->len == 0)
		return;
	/* The payload is the same buffer for every non-speaker: the peer adds this
	 * receiver's SSRC, sequence number and SRTP. */
	out.timestamp = m->rtp_ts;
	out.payload = payload->data;
	out.payload_len = payload->len;
	err = peer_send_rtp(m->peer, (unsigned)m->audio_track, &out);
	if (err && m->send_errors++ % 250 == 0)
		cau_trace("[room %s / peer %s] mcu: send: %s", room->name, peer_id(m->peer),
		          g_strerror(-err));
}

/* Fetches the state of the member a few sends ahead (peer_prefetch_send()): the member
 * itself one step before its peer's first stage. */
static void prefetch_member(GPtrArray *members, guint i, unsigned stage)
{
	const struct mcu_member *m;

	if (i + 1 < members->len && stage == 0) {
		const char *next = members->pdata[i + 1];

		__builtin_prefetch(next);
		__builtin_prefetch(next + offsetof(struct mcu_member, audio_track));
	}
	if (i >= members->len)
		return;
	m = members->pdata[i];
	if (m->peer && m->audio_track >= 0)
		peer_prefetch_send(m->peer, (unsigned)m->audio_track, stage);
}

/* Who started speaking: the video's speaker layout puts them large. */
static void tell_speakers(struct mcu_room *room, GPtrArray *members,
                          const struct audio_mix_output *mix)
{
	for (size_t e = 0; e < mix->event_count; e++) {
		if (!mix->events[e].speaking)
			continue;
		for (guint i = 0; i < members->len; i++) {
			struct mcu_member *m = members->pdata[i];
			if (g_atomic_int_get(&m->slot) == (int)mix->events[e].slot)
				mcu_video_speaker(room->video, m);
		}
	}
}

/* Passes each member's wanted mute to its mixer slot. */
static void apply_mutes(struct mcu_room *room, GPtrArray *members)
{
	for (guint i = 0; i < members->len; i++) {
		struct mcu_member *m = members->pdata[i];
		int slot = g_atomic_int_get(&m->slot);
		bool want = g_atomic_int_get(&m->want_muted) != 0;

		if (slot >= 0 && want != m->muted &&
		    audio_mixer_set_muted(room->mixer, (unsigned)slot, want) == 0)
			m->muted = want;
	}
}

struct speaking_news {
	struct mcu_member *member; /* a reference */
	bool speaking;
};

static gboolean tell_speaking(gpointer data)
{
	struct speaking_news *news = data;
	struct mcu_member *m = news->member;

	if (!m->left && m->speaking_fn)
		m->speaking_fn(m, news->speaking, m->speaking_data);
	return G_SOURCE_REMOVE;
}

static void speaking_news_free(gpointer data)
{
	struct speaking_news *news = data;

	mcu_member_unref(news->member);
	g_free(news);
}

/* Posts each member whose speaking state changed this tick to the control thread (rare:
 * the speaker selection holds a speaker for a while). */
static void notify_speakers(struct mcu_room *room, GPtrArray *members,
                            const struct audio_mix_output *mix)
{
	for (guint i = 0; i < members->len; i++) {
		struct mcu_member *m = members->pdata[i];
		int slot = g_atomic_int_get(&m->slot);
		bool speaking = false;
		struct speaking_news *news;

		for (size_t s = 0; slot >= 0 && s < mix->speaker_count; s++)
			speaking = speaking || mix->speakers[s] == (unsigned)slot;
		if (speaking == m->speaking)
			continue;
		m->speaking = speaking;
		if (!g_atomic_int_get(&m->wants_speaking))
			continue;
		news = g_new(struct speaking_news, 1);
		news->member = mcu_member_ref(m);
		news->speaking = speaking;
		g_main_context_invoke_full(room->control, G_PRIORITY_DEFAULT, tell_speaking, news,
		                           speaking_news_free);
	}
}

static void on_tick(void *user, uint64_t tick, uint64_t deadline_ns, unsigned frames)
{
	struct mcu_room *room = user;
	GPtrArray *joins = room->tick_joins, *leaves = room->tick_leaves;
	GPtrArray *members = room->tick_members;
	const struct audio_mix_output *mix;
	struct audio_mixer_stats stats;

	g_mutex_lock(&room->lock);
	room->tick_joins = room->joins;
	room->joins = joins;
	room->tick_leaves = room->leaves;
	room->leaves = leaves;
	for (guint i = 0; i < room->members->len; i++)
		g_ptr_array_add(members, mcu_member_ref(room->members->pdata[i]));
	g_mutex_unlock(&room->lock);

	joins = room->tick_joins;
	leaves = room->tick_leaves;
	apply_membership(room, joins, leaves);
	g_ptr_array_set_size(joins, 0); /* unrefs */
	g_ptr_array_set_size(leaves, 0);
	apply_mutes(room, members);
	if (audio_mixer_tick(room->mixer, deadline_ns / 1000, frames, &mix) == 0) {
		for (guint i = 0; i < members->len; i++) {
			prefetch_member(members, i + 1, 1);
			prefetch_member(members, i + 2, 0);
			send_payload(room, members->pdata[i], mix);
		}
		tap_audio(room, deadline_ns, mix);
		notify_speakers(room, members, mix);
		tell_speakers(room, members, mix);
	}
	g_ptr_array_set_size(members, 0); /* unrefs */

	audio_mixer_get_stats(room->mixer, &stats);
	g_mutex_lock(&room->lock);
	room->stats = stats;
	g_mutex_unlock(&room->lock);
}

/* ---- the worker threads ---- */

static void mcu_rtp(struct peer *peer, const struct peer_track *track, const struct rtp_packet *pkt,
                    const struct rtp_ext_values *ext, void *user_data)
{
	struct mcu_member *m = user_data;
	int slot = g_atomic_int_get(&m->slot);
	struct jitter_packet jp;
	int err;

	if (track->kind == TRACK_VIDEO) {
		mcu_video_rtp(m, track, pkt);
		return;
	}
	if (track->kind != TRACK_AUDIO || slot < 0)
		return;
	/* ext carries the RFC 6464 level when the track negotiated it (track->ext_audio_level):
	 * the mixer then picks speakers without decoding the silent. */
	jitter_packet_from_rtp(&jp, pkt, ext, media_clock_monotonic_ns() / 1000);
	err = audio_mixer_put(m->room->mixer, (unsigned)slot, &jp);
	if (err < 0)
		cau_trace("[room %s / peer %s] mcu: put: %s", m->room->name, peer_id(peer),
		          g_strerror(-err));
}

static void mcu_keyframe_request(struct peer *peer, const struct peer_track *track, void *user_data)
{
	(void)peer;
	if (track->kind == TRACK_VIDEO)
		mcu_video_keyframe_request(user_data);
}

static void mcu_bandwidth_estimate(struct peer *peer, uint64_t bps, void *user_data)
{
	(void)peer;
	mcu_video_estimate(user_data, bps);
}

const struct peer_media mcu_media = {
    .rtp = mcu_rtp,
    .keyframe_request = mcu_keyframe_request,
    .bandwidth_estimate = mcu_bandwidth_estimate,
};

/* ---- the control thread ---- */

static struct mcu_room *room_new(const char *name, const struct config *conf)
{
	struct mcu_room *room = g_new0(struct mcu_room, 1);
	g_autofree char *label = g_strdup_printf("room %s", name);

	room->name = g_strdup(name);
	room->mixer = audio_mixer_new(NULL, label);
	g_assert(room->mixer); /* the defaults are valid */
	room->clock = media_clock_new(label, AUDIO_PERIOD_NS, NULL);
	room->control = g_main_context_ref_thread_default();
	g_mutex_init(&room->lock);
	g_cond_init(&room->tap_idle);
	room->members = g_ptr_array_new_with_free_func(mcu_member_unref);
	room->joins = g_ptr_array_new_with_free_func(mcu_member_unref);
	room->leaves = g_ptr_array_new_with_free_func(mcu_member_unref);
	room->tick_members = g_ptr_array_new_with_free_func(mcu_member_unref);
	room->tick_joins = g_ptr_array_new_with_free_func(mcu_member_unref);
	room->tick_leaves = g_ptr_array_new_with_free_func(mcu_member_unref);
	/* The video first: the audio ticks tell it of speakers. */
	room->video = mcu_video_new(room, conf);
	room->has_video = true; /* the video side hands the tap the top tier's frames */
	if (media_clock_start(room->clock, on_tick, room) != 0)
		g_error("[room %s] mcu: cannot start the media clock", name);
	g_info("[room %s] mcu: opened", name);
	return room;
}

static void room_free(gpointer data)
{
	struct mcu_room *room = data;

	media_clock_stop(room->clock); /* joins the thread: nothing ticks after this */
	media_clock_free(room->clock);
	mcu_video_free(room->video); /* after the audio (speakers), before the tap closes */
	if (room->tap.user_data && room->tap.closed)
		room->tap.closed(room->tap.user_data);
	audio_mixer_free(room->mixer);
	g_ptr_array_unref(room->members);
	g_ptr_array_unref(room->joins);
	g_ptr_array_unref(room->leaves);
	g_ptr_array_unref(room->tick_members);
	g_ptr_array_unref(room->tick_joins);
	g_ptr_array_unref(room->tick_leaves);
	g_mutex_clear(&room->lock);
	g_cond_clear(&room->tap_idle);
	g_main_context_unref(room->control);
	g_info("[room %s] mcu: closed", room->name);
	g_free(room->name);
	g_free(room);
}

struct mcu_rooms *mcu_rooms_new(const struct config *conf)
{
	struct mcu_rooms *rooms = g_new0(struct mcu_rooms, 1);

	rooms->conf = conf;
	rooms->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, room_free);
	return rooms;
}

void mcu_rooms_free(struct mcu_rooms *rooms)
{
	if (!rooms)
		return;
	g_warn_if_fail(g_hash_table_size(rooms->by_name) == 0);
	g_hash_table_unref(rooms->by_name);
	g_free(rooms);
}

struct mcu_member *mcu_member_join(struct mcu_rooms *rooms, const char *name)
{
	struct mcu_room *room = g_hash_table_lookup(rooms->by_name, name);
	struct mcu_member *m = g_new0(struct mcu_member, 1);

	if (!room) {
		room = room_new(name, rooms->conf);
		room->rooms = rooms;
		g_hash_table_insert(rooms->by_name, room->name, room);
	}
	m->refcount = 1;
	m->room = room;
	m->slot = -1;
	m->audio_track = -1;
	m->video.slot = -1;
	m->video.recv_track = -1;
	m->video.send_track = -1;
	random_bytes(&m->rtp_ts, sizeof(m->rtp_ts));
	room->member_count++;
	g_mutex_lock(&room->lock);
	g_ptr_array_add(room->joins, mcu_member_ref(m));
	g_mutex_unlock(&room->lock);
	return m;
}

void mcu_member_attach(struct mcu_member *member, struct peer *peer)
{
	struct mcu_room *room = member->room;

	g_return_if_fail(!member->peer);
	member->peer = peer_ref(peer);
	g_mutex_lock(&room->lock);
	g_ptr_array_add(room->members, mcu_member_ref(member));
	g_mutex_unlock(&room->lock);
	mcu_video_attach(room->video, member);
	g_debug("[room %s / peer %s] mcu: joined", room->name, peer_id(peer));
}

void mcu_member_leave(struct mcu_member *member)
{
	struct mcu_room *room;
	struct mcu_member *dropped = NULL;
	guint index;

	if (!member)
		return;
	room = member->room;
	member->left = true; /* no speaking news after this */
	g_mutex_lock(&room->lock);
	if (g_ptr_array_find(room->members, member, &index))
		dropped = g_ptr_array_steal_index_fast(room->members, index);
	g_ptr_array_add(room->leaves, mcu_member_ref(member));
	g_mutex_unlock(&room->lock);
	mcu_video_leave(room->video, member);
	mcu_member_unref(dropped);
	mcu_member_unref(member);
	if (--room->member_count == 0)
		g_hash_table_remove(room->rooms->by_name, room->name); /* frees room */
}

int mcu_rooms_tap(struct mcu_rooms *rooms, const char *name, const struct mcu_tap *tap,
                  bool *out_video)
{
	struct mcu_room *room = g_hash_table_lookup(rooms->by_name, name);
	int err = 0;

	g_return_val_if_fail(tap && tap->user_data, -EINVAL);
	if (!room)
		return -ENOENT;
	g_mutex_lock(&room->lock);
	if (room->tap.user_data)
		err = -EBUSY;
	else
		room->tap = *tap;
	if (out_video)
		*out_video = room->has_video;
	g_mutex_unlock(&room->lock);
	if (!err)
		g_info("[room %s] mcu: tapped", name);
	return err;
}

void mcu_rooms_untap(struct mcu_rooms *rooms, const char *name, void *user_data)
{
	struct mcu_room *room = g_hash_table_lookup(rooms->by_name, name);

	if (!room)
		return;
	g_mutex_lock(&room->lock);
	if (room->tap.user_data == user_data) {
		room->tap = (struct mcu_tap){0};
		while (room->tap_busy > 0)
			g_cond_wait(&room->tap_idle, &room->lock);
	}
	g_mutex_unlock(&room->lock);
}

void mcu_member_set_audio_muted(struct mcu_member *member, bool muted)
{
	g_atomic_int_set(&member->want_muted, muted ? 1 : 0);
}

void mcu_member_set_speaking_listener(struct mcu_member *member, mcu_speaking_fn fn,
                                      void *user_data)
{
	member->speaking_fn = fn;
	member->speaking_data = user_data;
	g_atomic_int_set(&member->wants_speaking, fn != NULL);
}

/* ---- the rooms engineer's controls (control thread) ---- */

struct mcu_room *mcu_member_room(struct mcu_member *member)
{
	return member->room;
}

struct peer *mcu_member_peer(struct mcu_member *member)
{
	return member->peer;
}

const char *mcu_room_name(const struct mcu_room *room)
{
	return room->name;
}

int mcu_room_set_layout(struct mcu_room *room, enum layout_kind kind)
{
	return mcu_video_set_layout(room->video, kind);
}

void mcu_room_set_pinned(struct mcu_room *room, struct mcu_member *member)
{
	g_return_if_fail(!member || member->room == room);
	mcu_video_set_pinned(room->video, member);
}

void mcu_member_set_display_name(struct mcu_member *member, const char *name)
{
	g_return_if_fail(name && g_utf8_validate(name, -1, NULL));
	mcu_video_set_name(member->room->video, member, name);
}

bool mcu_layout_from_name(const char *name, enum layout_kind *out)
{
	static const char *const names[] = {
	    [LAYOUT_GRID] = "grid", [LAYOUT_SPEAKER] = "speaker", [LAYOUT_PINNED] = "pinned"};

	for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
		if (g_strcmp0(name, names[i]) == 0) {
			*out = (enum layout_kind)i;
			return true;
		}
	}
	return false;
}

/* One room's numbers, copied under its lock. */
struct room_sample {
	const char *name;
	struct audio_mixer_stats stats;
	struct media_clock_stats clock;
};

/* cau_mixer_tick_lateness_seconds: a histogram of how late each tick's mix was sent. */
static void write_lateness(GString *out, const struct room_sample *samples, guint count)
{
	static const char *name = "cau_mixer_tick_lateness_seconds";

	metrics_write_header(out, name, "histogram",
	                     "Time from a mixer tick's deadline until its work was done.");
	for (guint r = 0; r < count; r++) {
		const struct media_clock_stats *c = &samples[r].clock;
		uint64_t cumulative = 0;

		for (unsigned i = 0; i < MEDIA_CLOCK_LATE_BUCKETS; i++) {
			char le[G_ASCII_DTOSTR_BUF_SIZE] = "+Inf";

			cumulative += c->done_late[i];
			if (i < MEDIA_CLOCK_LATE_BUCKETS - 1)
				g_ascii_formatd(le, sizeof(le), "%g",
				                media_clock_late_bounds_ns[i] / 1e9);
			metrics_write_sample(out, "cau_mixer_tick_lateness_seconds_bucket",
			                     (double)cumulative, "room", samples[r].name, "le", le,
			                     NULL);
		}
		metrics_write_sample(out, "cau_mixer_tick_lateness_seconds_sum",
		                     c->done_late_ns_total / 1e9, "room", samples[r].name, NULL);
		metrics_write_sample(out, "cau_mixer_tick_lateness_seconds_count",
		                     (double)cumulative, "room", samples[r].name, NULL);
	}
}

static void write_family(GString *out, const char *name, const char *type, const char *help,
                         const struct room_sample *samples, guint count, size_t offset,
                         bool is_unsigned)
{
	metrics_write_header(out, name, type, help);
	for (guint i = 0; i < count; i++) {
		const char *field = (const char *)&samples[i].stats + offset;
		double value = is_unsigned ? *(const unsigned *)field : *(const uint64_t *)field;

		metrics_write_sample(out, name, value, "room", samples[i].name, NULL);
	}
}

/* Received audio the jitter buffers refused, by reason (see struct audio_mixer_rejects). */
static void write_rejects(GString *out, const struct room_sample *samples, guint count)
{
	static const struct {
		const char *name;
		size_t offset;
	} reasons[] = {
	    {"invalid", offsetof(struct audio_mixer_rejects, invalid)},
	    {"late", offsetof(struct audio_mixer_rejects, late)},
	    {"duplicate", offsetof(struct audio_mixer_rejects, duplicate)},
	    {"jump", offsetof(struct audio_mixer_rejects, jump)},
	    {"no_slot", offsetof(struct audio_mixer_rejects, no_slot)},
	    {"overflow", offsetof(struct audio_mixer_rejects, overflow)},
	};

	metrics_write_header(out, "cau_mixer_rejected_total", "counter",
	                     "Received audio the mixer dropped, by reason: packets (invalid size, "
	                     "late, duplicate, unconfirmed jump, no slot) or frames (overflow).");
	for (guint i = 0; i < count; i++)
		for (size_t r = 0; r < G_N_ELEMENTS(reasons); r++) {
			const char *field =
			    (const char *)&samples[i].stats.rejects + reasons[r].offset;

			metrics_write_sample(out, "cau_mixer_rejected_total",
			                     (double)*(const uint64_t *)field, "room",
			                     samples[i].name, "reason", reasons[r].name, NULL);
		}
	write_family(out, "cau_mixer_resyncs_total", "counter",
	             "Sender restarts the mixer followed (new SSRC, confirmed sequence or "
	             "timestamp jump).",
	             samples, count, offsetof(struct audio_mixer_stats, rejects.resyncs), false);
}

void mcu_rooms_collect(GString *out, gpointer user_data)
{
	struct mcu_rooms *rooms = user_data;
	guint count = g_hash_table_size(rooms->by_name), n = 0;
	g_autofree struct room_sample *samples = g_new0(struct room_sample, count + 1);
	g_autofree struct mcu_room **list = g_new0(struct mcu_room *, count + 1);
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, rooms->by_name);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		struct mcu_room *room = value;

		samples[n].name = room->name;
		list[n] = room;
		g_mutex_lock(&room->lock);
		samples[n].stats = room->stats;
		g_mutex_unlock(&room->lock);
		media_clock_get_stats(room->clock, &samples[n].clock);
		n++;
	}
	write_family(out, "cau_mixer_participants", "gauge",
	             "Participants in the room's audio mixer.", samples, n,
	             offsetof(struct audio_mixer_stats, participants), true);
	write_family(out, "cau_mixer_speakers", "gauge",
	             "Active speakers at the mixer's last tick.", samples, n,
	             offsetof(struct audio_mixer_stats, speakers), true);
	write_family(out, "cau_mixer_decodes_total", "counter",
	             "Opus decodes by the room's mixer (packets, FEC and PLC).", samples, n,
	             offsetof(struct audio_mixer_stats, decodes_total), false);
	write_family(out, "cau_mixer_encodes_total", "counter",
	             "Opus encodes by the room's mixer (one per speaker plus the shared mix).",
	             samples, n, offsetof(struct audio_mixer_stats, encodes_total), false);
	write_family(out, "cau_mixer_ticks_total", "counter", "Mixer ticks run.", samples, n,
	             offsetof(struct audio_mixer_stats, ticks), false);
	write_family(out, "cau_mixer_decode_errors_total", "counter",
	             "Frames the Opus decoder refused (not Opus, corrupt): played as silence.",
	             samples, n, offsetof(struct audio_mixer_stats, decode_errors), false);
	write_rejects(out, samples, n);
	write_lateness(out, samples, n);
	metrics_write_header(out, "cau_mixer_speakers_delay_seconds", "gauge",
	                     "How long the last speakers' audio waited in their jitter buffers "
	                     "beyond their fastest packet (the composite is shifted by it).");
	for (guint i = 0; i < n; i++)
		metrics_write_sample(out, "cau_mixer_speakers_delay_seconds",
		                     g_atomic_int_get(&list[i]->speakers_delay_ms) / 1e3, "room",
		                     samples[i].name, NULL);
	mcu_video_collect(out, list, n);
}
