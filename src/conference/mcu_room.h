/* SPDX-License-Identifier: MIT */
/* The mcu room: every peer's audio goes into the room's mixer, and every peer hears the mix
 * (the others' voices for a speaker, the shared full mix for everyone else). */
#pragma once

#include "transport/peer.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Threads. The registry, rooms and members are driven from the control thread (join,
 * attach, leave, collect). Each room runs a media clock thread that ticks its mixer every
 * 20 ms and sends each member its payload; received RTP reaches the mixer on the peers'
 * worker threads through mcu_media. Members are reference counted because all three
 * threads reach them.
 */

struct mcu_rooms;  /* the registry: room name -> room; control thread */
struct mcu_member; /* one peer's place in a room */

/* An empty registry. The caller owns it (mcu_rooms_free()). */
struct mcu_rooms *mcu_rooms_new(void);

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

/* The media callbacks of an mcu peer; user_data is its struct mcu_member. Worker thread:
 * each received Opus packet goes to the member's mixer slot with its RFC 6464 level. */
extern const struct peer_media mcu_media;

/*
 * Writes the rooms' metrics (Prometheus text, labelled room="NAME"): participants, the
 * mixer's speakers, decodes and encodes of the last tick snapshot. Control thread (a
 * metrics collector).
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
	void (*video)(void *user_data, uint32_t rtp_ts, int64_t time_ns, bool keyframe,
	              const uint8_t *data, size_t len);
	void (*closed)(void *user_data);
	void *user_data;
};

struct mcu_room; /* a room, as the video side's entry point names it */

/*
 * Puts `tap` (copied) on the room called name. *out_video (may be NULL) says whether the
 * room composes video, i.e. will call the video callback (false until the video MCU
 * drives the room's compositor). Returns 0, -ENOENT when there is no such room, -EBUSY
 * when it already has a tap. Control thread.
 */
int mcu_rooms_tap(struct mcu_rooms *rooms, const char *name, const struct mcu_tap *tap,
                  bool *out_video);

/* Takes the tap whose user_data is `user_data` off the room called name (nothing when
 * the room or the tap is gone). When it returns, no callback of the tap is running or
 * will run. Control thread. */
void mcu_rooms_untap(struct mcu_rooms *rooms, const char *name, void *user_data);

/* The video side's entry point: hands one encoded frame of the top tier to the room's
 * tap, if any (see struct mcu_tap). The room's media thread (or whichever single thread
 * encodes the composite). */
void mcu_room_tap_video(struct mcu_room *room, uint32_t rtp_ts, int64_t time_ns, bool keyframe,
                        const uint8_t *data, size_t len);
