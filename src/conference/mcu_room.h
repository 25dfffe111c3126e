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

/*
 * The member's room, for the controls below. Valid until the member leaves (and as long
 * as any member of the room is in it). Control thread.
 */
struct mcu_room *mcu_member_room(struct mcu_member *member);

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
