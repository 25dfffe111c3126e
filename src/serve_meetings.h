/* SPDX-License-Identifier: MIT */
/* The meetings side of `cau serve`: the real clock, the meetings service, the join
 * secret and the scheduler, whose room events are logged and counted in /metrics until
 * the rooms layer takes them. */
#pragma once

#include "control/join_token.h"
#include "control/meetings.h"
#include "core/config.h"
#include "core/metrics.h"

typedef struct serve_meetings serve_meetings;

/* Loads (or creates) DATA/secret.key, makes the meetings service over `st`, starts the
 * scheduler with restart recovery and registers its counters in `registry` (both must
 * outlive the result). Runs on the calling thread's main context. */
struct serve_meetings *serve_meetings_start(const struct config *cfg, struct store *st,
                                            struct metrics *registry, GError **error);
void serve_meetings_free(struct serve_meetings *sm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(serve_meetings, serve_meetings_free)

/* Told when a meeting has ended (its minutes are due), on the main context. */
typedef void (*serve_meetings_ended_fn)(gint64 id, gpointer user_data);
/* Sets the one hook told of ended meetings (NULL to remove). */
void serve_meetings_on_ended(struct serve_meetings *sm, serve_meetings_ended_fn fn,
                             gpointer user_data);

/* Told when a meeting's room closes (ended early, closed on schedule, cancelled or moved
 * later while open), on the main context. */
typedef void (*serve_meetings_closed_fn)(gint64 id, gpointer user_data);
/* Sets the one hook told of closed rooms (NULL to remove): the rooms layer ends the
 * meeting's live room there. */
void serve_meetings_on_room_closed(struct serve_meetings *sm, serve_meetings_closed_fn fn,
                                   gpointer user_data);

/* Borrowed by the REST context. */
struct meetings *serve_meetings_service(struct serve_meetings *sm);
const struct join_secret *serve_meetings_secret(struct serve_meetings *sm);
