/* SPDX-License-Identifier: MIT */
/* The recording side of `cau serve`: starts and stops the recorder of a meeting's mcu
 * room (meeting-ID) for the REST API, ends recordings whose room closed or whose disk
 * failed, signs their manifests, runs the retention job, and counts in /metrics. */
#pragma once

#include "api/rest.h"
#include "conference/mcu_room.h"
#include "core/config.h"
#include "core/metrics.h"
#include "record/sign.h"

typedef struct serve_recordings serve_recordings;

/* Makes DATA/recordings, marks recordings a previous run left unfinished as failed (and
 * signs their manifests), schedules the retention job ([recordings] retention_days) now
 * and hourly, and registers the metrics. `st`, `clock`, `registry` must outlive it; a
 * reference to `signer` is taken. Main context. */
struct serve_recordings *serve_recordings_start(const struct config *cfg, struct store *st,
                                                struct clock *clock, struct signer *signer,
                                                struct metrics *registry, GError **error);

/* The rooms to tap (the HTTP server's); set once, before serving. */
void serve_recordings_set_rooms(struct serve_recordings *sr, struct mcu_rooms *rooms);

/* Told on the main context whenever a meeting's recording starts (`on`) or stops,
 * whoever did it (an operator, a chair, the policy, a failure, the room closing), with
 * the recording's row (borrowed; NULL when it cannot be read). */
typedef void (*serve_recording_changed_fn)(void *data, gint64 meeting_id, bool on, JsonNode *row);
void serve_recordings_on_changed(struct serve_recordings *sr, serve_recording_changed_fn fn,
                                 void *data);

/* The REST API's view (start, stop, the directory); owned by `sr`. */
const struct rest_recorder *serve_recordings_rest(struct serve_recordings *sr);

/* Stops every recording in progress (as the system: complete, manifest signed) and frees.
 * Call before the rooms go. */
void serve_recordings_free(struct serve_recordings *sr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(serve_recordings, serve_recordings_free)
