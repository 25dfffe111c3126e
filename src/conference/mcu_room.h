/* SPDX-License-Identifier: MIT */
/* The mcu room: every peer's audio goes into the room's mixer, and every peer hears the mix
 * (the others' voices for a speaker, the shared full mix for everyone else). */
#pragma once

#include "transport/peer.h"

#include <glib.h>

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
