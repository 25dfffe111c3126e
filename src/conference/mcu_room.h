/* SPDX-License-Identifier: MIT */
/* The mcu room: every peer's audio goes into the room's mixer, and every peer hears the mix
 * (the others' voices for a speaker, the shared full mix for everyone else); every peer's
 * video goes into the room's compositor, and every peer is sent the composed picture at the
 * tier its bandwidth allows. */
#pragma once

#include "core/config.h"
#include "media/layout.h"
#include "transport/peer.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Threads. The registry, rooms and members are driven from the control thread (join,
 * attach, leave, collect, and the layout controls below). Each room runs a media clock
 * thread that ticks its mixer every 20 ms and sends each member its payload, and a video
 * thread that ticks its compositor at the first video tier's frame rate (decoding,
 * composing, encoding, sending the composed picture), so a slow video tick never delays
 * the audio; received RTP reaches the mixer and the compositor on the peers' worker
 * threads through mcu_media. Members are reference counted because all four threads reach
 * them.
 */

struct mcu_rooms;  /* the registry: room name -> room; control thread */
struct mcu_room;   /* one room: its mixer, compositor and members */
struct mcu_member; /* one peer's place in a room */

/* An empty registry whose rooms take their [video] settings (tiers, layout, key frame
 * interval, start_kbps ...) from conf (borrowed: it must outlive the registry; NULL:
 * defaults). The caller owns it (mcu_rooms_free()). */
struct mcu_rooms *mcu_rooms_new(const struct config *conf);

/* Frees the registry. Every member must have left (the rooms are then gone). */
void mcu_rooms_free(struct mcu_rooms *rooms);

/*
 * Puts a new member in the room called name (1..64 bytes; made, with its mixer and media
 * clock thread, on first join). The member has no peer yet: pass the result as the media
 * callbacks' user_data (mcu_media) when making the peer, then mcu_member_attach() it.
 * Returns a new reference the caller gives back with mcu_member_leave(). Control thread.
 */
struct mcu_member *mcu_member_join(struct mcu_rooms *rooms, const char *name);

/* Gives the member its peer (a reference is taken): from the next tick it is sent the
 * mix on its first sending audio track. Control thread; once. */
void mcu_member_attach(struct mcu_member *member, struct peer *peer);

/*
 * Takes the member out of its room and drops the caller's reference; the room goes when
 * its last member leaves (its clock thread joined, its mixer freed). The member's peer
 * must be closed already (peer_close(): no more mcu_media callbacks with this member).
 * Accepts NULL. Control thread.
 */
void mcu_member_leave(struct mcu_member *member);

/* Mutes or unmutes the member's voice in the mix from the next tick (a muted member is
 * neither decoded nor heard, and still hears the others). Control thread. */
void mcu_member_set_audio_muted(struct mcu_member *member, bool muted);

/* Told on the control thread when the member becomes or stops being one of the mixer's
 * active speakers. */
typedef void (*mcu_speaking_fn)(struct mcu_member *member, bool speaking, void *user_data);

/* Sets the member's speaking listener (NULL: none). Calls come from the main context that
 * was the thread default when the member's room was made (the control thread's), never
 * after mcu_member_leave(). Control thread. */
void mcu_member_set_speaking_listener(struct mcu_member *member, mcu_speaking_fn fn,
                                      void *user_data);

/*
 * The member's room, for the controls below. Valid until the member leaves (and as long
 * as any member of the room is in it). Control thread.
 */
struct mcu_room *mcu_member_room(struct mcu_member *member);

/* The member's peer (borrowed: valid while the member is in its room), or NULL before
 * mcu_member_attach(); for reading its statistics with peer_get_stats(). Control thread. */
struct peer *mcu_member_peer(struct mcu_member *member);

/* The room's name (without "mcu:"). Owned by the room. Control thread. */
const char *mcu_room_name(const struct mcu_room *room);

/*
 * The layout of the room's composed picture (the chair's choice): LAYOUT_SPEAKER (the
 * active speaker, from the audio mixer, large; recent speakers in a strip), LAYOUT_GRID
 * (equal tiles, paged beyond 25) or LAYOUT_PINNED (as speaker, with the pinned member
 * large). Takes effect at the next video tick. Returns 0, or -EINVAL for another value.
 * Control thread; takes a lock briefly, never waits for the video thread.
 */
int mcu_room_set_layout(struct mcu_room *room, enum layout_kind kind);

/*
 * The member the pinned layout shows large (the chair's pick; member must be in room,
 * a reference is kept until it is unpinned or leaves), or NULL to unpin. It does not
 * change the layout: set LAYOUT_PINNED to show it. Control thread.
 */
void mcu_room_set_pinned(struct mcu_room *room, struct mcu_member *member);

/*
 * The member's name as its tile shows it when it has no video (the unit's name, e.g.
 * "Xã Tân Phú"; UTF-8, copied, cut at 127 bytes). Until set, the tile shows the peer's
 * id. Control thread; at any time after mcu_member_join().
 */
void mcu_member_set_display_name(struct mcu_member *member, const char *name);

/* "grid", "speaker", "pinned" -> *out; false for anything else. Pure. */
bool mcu_layout_from_name(const char *name, enum layout_kind *out);

/*
 * The media callbacks of an mcu peer; user_data is its struct mcu_member. Worker thread:
 * each received Opus packet goes to the member's mixer slot with its RFC 6464 level, each
 * VP8 packet to its compositor source; a PLI/FIR from the peer asks a key frame of the
 * tier it is sent, and its REMB picks that tier.
 */
extern const struct peer_media mcu_media;

/*
 * Writes the rooms' metrics (Prometheus text, labelled room="NAME"): participants, the
 * mixer's speakers, decodes and encodes of the last tick snapshot; the video's frames
 * decoded, composed and encoded (per tier, tier="WxH"), key frames, corrupt and lost
 * frames, tier switches and receivers per tier. Control thread (a metrics collector).
 */
void mcu_rooms_collect(GString *out, gpointer rooms);

/*
 * Taps: a room hands what it already encodes to one consumer (the recorder), on its media
 * thread, without a second encode. The callbacks must not block the media clock: copy
 * the bytes into a queue and return (no disk, no lock held for long). `data` is valid
 * for the call only.
 *
 * audio: once per tick with the shared full mix (Opus, mono, 20 ms; NULL-payload ticks
 * are skipped). rtp_ts is the room's own 48 kHz clock, advancing by the mixer's
 * rtp_ts_advance every tick (skipped ticks included, so a gap reads as a gap); time_ns is
 * the tick's deadline on media_clock_monotonic_ns().
 * video: for each encoded frame of the composite's top tier (VP8, complete frame, 90 kHz
 * rtp_ts, time_ns its capture time on the same monotonic clock) as the video side hands
 * it to mcu_room_tap_video().
 * closed: the room is going away (its last member left); the tap is removed with it and
 * no callback follows. Control thread.
 */
struct mcu_tap {
	void (*audio)(void *user_data, uint32_t rtp_ts, int64_t time_ns, const uint8_t *data,
	              size_t len);
	/* Returns true when the consumer needs a key frame (it cannot start without one). */
	bool (*video)(void *user_data, uint32_t rtp_ts, int64_t time_ns, bool keyframe,
	              const uint8_t *data, size_t len);
	void (*closed)(void *user_data);
	void *user_data;
};

/*
 * Puts `tap` (copied) on the room called name. *out_video (may be NULL) says whether the
 * room composes video, i.e. will call the video callback (always true now: the room's
 * top tier is encoded while it is tapped, receivers or not). Returns 0, -ENOENT when there is no
 * such room, -EBUSY when it already has a tap. Control thread.
 */
int mcu_rooms_tap(struct mcu_rooms *rooms, const char *name, const struct mcu_tap *tap,
                  bool *out_video);

/* Takes the tap whose user_data is `user_data` off the room called name (nothing when
 * the room or the tap is gone). When it returns, no callback of the tap is running or
 * will run. Control thread. */
void mcu_rooms_untap(struct mcu_rooms *rooms, const char *name, void *user_data);

/* The video side's entry point: hands one encoded frame of the top tier to the room's
 * tap, if any (see struct mcu_tap). Returns true when the tap asks for a key frame (the
 * caller requests one from the top tier's encoder). The room's media thread (or whichever
 * single thread encodes the composite). */
bool mcu_room_tap_video(struct mcu_room *room, uint32_t rtp_ts, int64_t time_ns, bool keyframe,
                        const uint8_t *data, size_t len);
