/* SPDX-License-Identifier: MIT */
/* The mcu room's internal state, shared by mcu_room.c (registry, members, audio) and
 * mcu_video.c (the video compositor and its egress). Not for other modules. */
#pragma once

#include "conference/mcu_room.h"
#include "media/audio_mixer.h"
#include "media/compositor.h"
#include "media/media_clock.h"
#include "media/tier_select.h"

#define MCU_NAME_MAX      COMPOSITOR_NAME_MAX
#define MCU_SPEAKERS_MAX  16 /* speaker starts queued from the audio tick to the video tick */
#define MCU_TIER_NAME_MAX 24 /* "1280x720": a tier's label in /metrics */

struct mcu_video;

/* One member's video: written by the threads named on each field. */
struct mcu_member_video {
	gint slot;           /* atomic: compositor source, -1 until the video thread adds it */
	gint recv_track;     /* atomic: the track its video arrives on, -1 until the first packet */
	gint64 last_rtp_us;  /* atomic: when its last video packet arrived, 0: never */
	gint pli;            /* atomic: the receiver asked (PLI/FIR) since the last video tick */
	gint64 estimate_bps; /* atomic: its last bandwidth estimate, 0: none yet */
	/* Video thread only. */
	char shown[MCU_NAME_MAX]; /* the name given to the compositor */
	bool has_video;           /* as told to the compositor */
	int send_track;           /* the sending video track, -1 until the peer is connected */
	bool selecting;           /* sel is initialised (the peer is connected) */
	struct tier_select sel;
	uint16_t picture_id; /* the receiver's own continuous picture ids */
	unsigned cap_kbps;   /* what it was last told to send as a sender, 0: nothing yet */
	uint64_t send_errors;
};

struct mcu_member {
	gint refcount;
	struct mcu_room *room; /* borrowed: valid until mcu_member_leave() */
	struct peer *peer;     /* a reference; set once by mcu_member_attach() */
	gint slot;             /* atomic: the mixer slot, -1 until the media thread adds it */
	gint want_muted;       /* atomic: what mcu_member_set_audio_muted() asked */
	gint wants_speaking;   /* atomic: a speaking listener is set */
	/* Control thread: the speaking listener; none once left. */
	mcu_speaking_fn speaking_fn;
	void *speaking_data;
	bool left;
	char name[MCU_NAME_MAX]; /* display name; under room->video->lock */
	/* Media thread only. */
	int audio_track; /* the sending audio track, -1 until the peer is connected */
	uint32_t rtp_ts;
	uint64_t send_errors;
	bool muted, speaking; /* as applied to the mixer / last told */
	struct mcu_member_video video;
};

struct mcu_room {
	char *name;
	struct mcu_rooms *rooms; /* the registry holding this room */
	struct audio_mixer *mixer;
	struct media_clock *clock;
	struct mcu_video *video; /* the room's compositor and video thread */
	unsigned member_count;   /* control thread */
	GMainContext *control;   /* where speaking changes are told */

	GMutex lock;                    /* guards what follows; never held while calling out */
	GPtrArray *members;             /* of member references: who is sent the mix */
	GPtrArray *joins;               /* of member references: slots to add on the media thread */
	GPtrArray *leaves;              /* of member references: slots to remove */
	struct audio_mixer_stats stats; /* snapshot after each tick */
	struct mcu_tap tap;             /* user_data NULL: none */
	unsigned tap_busy;              /* callbacks of the tap running now */
	GCond tap_idle;                 /* signalled when tap_busy drops to 0 */
	bool has_video;                 /* the compositor calls mcu_room_tap_video() */
	uint32_t tap_rtp_ts;            /* media thread: the tap's 48 kHz clock */
	gint speakers_delay_ms;    /* atomic: the mixed speakers' jitter-buffer delay, by which the
	                            * composite (live and recorded) is delayed for lip sync */
	int64_t speakers_delay_us; /* media thread: the same, held (see measure_audio_delay()) */
	uint32_t tap_video_rtp_ts; /* video thread: the last video timestamp tapped */
	bool tap_video_started;    /* video thread: tap_video_rtp_ts is set */

	/* Media thread only: empty between ticks; joins and leaves are swapped with these
	 * under the lock, so nothing is allocated while it is held. */
	GPtrArray *tick_members; /* scratch copy of members for one tick */
	GPtrArray *tick_joins, *tick_leaves;
};

struct mcu_member *mcu_member_ref(struct mcu_member *m);
void mcu_member_unref(gpointer m);

/* Whether the room has a tap (a recorder): its video wants the top tier encoded. Any
 * thread (takes the room's lock). */
bool mcu_room_tapped(struct mcu_room *room);

/* ---- mcu_video.c ---- */

/* The room's video: a compositor with one view and a video thread ticking it at the first
 * tier's frame rate. conf may be NULL (defaults). room (borrowed) outlives it: its name,
 * and its tap, to which the top tier's frames go. Control thread. */
struct mcu_video *mcu_video_new(struct mcu_room *room, const struct config *conf);
/* Stops the video thread and frees everything. Every member has left. Control thread. */
void mcu_video_free(struct mcu_video *v);
/* The member (attached: it has a peer) becomes a source and a receiver at the next tick;
 * leave takes it out. Control thread. */
void mcu_video_attach(struct mcu_video *v, struct mcu_member *m);
void mcu_video_leave(struct mcu_video *v, struct mcu_member *m);
/* An audio speaker started (audio media thread): its tile goes large at the next tick. */
void mcu_video_speaker(struct mcu_video *v, struct mcu_member *m);
int mcu_video_set_layout(struct mcu_video *v, enum layout_kind kind);
void mcu_video_set_pinned(struct mcu_video *v, struct mcu_member *m);
void mcu_video_set_name(struct mcu_video *v, struct mcu_member *m, const char *name);
/* Worker threads: a member's received video packet, keyframe request and REMB. */
void mcu_video_rtp(struct mcu_member *m, const struct peer_track *track,
                   const struct rtp_packet *pkt);
void mcu_video_keyframe_request(struct mcu_member *m);
void mcu_video_estimate(struct mcu_member *m, uint64_t bps);
/* What /metrics shows of a room's video: a snapshot the video thread writes each tick. */
struct mcu_video_stats {
	struct compositor_stats comp;
	struct compositor_tier_stats tiers[VIDEO_TIERS_MAX];
	unsigned tier_count;
	unsigned receivers[VIDEO_TIERS_MAX]; /* receivers being sent each tier */
	unsigned receivers_waiting;          /* connected, waiting for their first key frame */
	unsigned receivers_estimated;        /* with a bandwidth estimate (else start_kbps) */
	uint64_t switches_up, switches_down;
	uint64_t frames_sent, frames_held_back; /* to receivers; held back: upper layers */
	uint64_t keyframe_requests_received;    /* PLI/FIR from receivers */
	uint64_t keyframes_from_senders;        /* complete key frames received */
	uint64_t frames_lost;                   /* incomplete received frames dropped */
	uint64_t packets_invalid;               /* received packets that are not VP8 */
	uint64_t send_errors;
	uint64_t sender_caps_sent; /* REMBs telling senders what they need to send */
	uint64_t tick_busy_ns;     /* sum over ticks of (last packet sent - the tick's deadline) */
	uint64_t tick_busy_max_ns; /* the longest of them */
	struct media_clock_stats clock;
};

/* The last tick's counters and the tiers' labels. Any thread (takes the video lock). */
void mcu_video_get_stats(struct mcu_video *v, struct mcu_video_stats *out,
                         char (*tier_names)[MCU_TIER_NAME_MAX]);
/* Writes the room's video families (every family's header once: see mcu_rooms_collect). */
void mcu_video_collect(GString *out, struct mcu_room *const *rooms, guint count);
