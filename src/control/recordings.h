/* SPDX-License-Identifier: MIT */
/* The index of meetings' recordings: segments started and ended (complete or failed with
 * the reason), their signed manifests, who may read them, and the retention period. */
#pragma once

#include "control.h"
#include "record/sign.h"
#include "store/store.h"

#include <json-glib/json-glib.h>

#define RECORDINGS_DIR "recordings" /* under [data] dir */

/*
 * `who` starts recording meeting `meeting_id`, which must be open or live and not being
 * recorded already (CONFLICT otherwise; NOT_FOUND without it): the next segment's row
 * (state "recording", `tracks` "audio" or "audio+video", at `now_ms`) and its audit entry
 * (recording.start) in one transaction, then a recording_started event in the meeting's
 * log. Returns the recording's id and its file name (in DATA/recordings; caller frees),
 * or 0. Control thread (as every function here).
 */
gint64 recordings_begin(struct store *st, const struct principal *who, gint64 meeting_id,
                        const char *tracks, gint64 now_ms, char **file_name, GError **error);

/* How a segment ended. */
struct recording_end {
	gint64 ended_at, duration_ms, size;
	const char *sha256; /* of the file as it is on disk */
	const char *reason; /* NULL: complete; else why it failed ("No space left on device") */
};

/*
 * Recording `id` ended as `end` says: its row completed or failed, audited as
 * recording.stop or recording.fail by `who` in one transaction, then a recording_stopped
 * event (file, size, sha256) in the meeting's log. CONFLICT when it is not recording.
 */
bool recordings_end(struct store *st, const struct principal *who, gint64 id,
                    const struct recording_end *end, GError **error);

/*
 * Writes recording `id`'s manifest beside its file in `dir`: canonical JSON (format
 * "cau-recording-manifest", the meeting, the segment, file, size, SHA-256, times, state)
 * as NAME.manifest.json and its detached CMS signature by `by` as .manifest.json.p7s
 * (temp file, fsync, rename). `cau verify` checks both and the file they name.
 */
bool recordings_write_manifest(struct store *st, struct signer *by, const char *dir, gint64 id,
                               GError **error);

/* Meeting `meeting_id`'s recordings, oldest first, as a JSON array of {id, segment,
 * state, reason, file, tracks, started_at, started_by, ended_at, duration_ms, size,
 * sha256, deleted_at}. NOT_FOUND without the meeting. Caller owns the node. */
JsonNode *recordings_list(struct store *st, gint64 meeting_id, GError **error);

/* One recording's file, for a download. */
struct recording_file {
	char *file_name; /* the file's name in DATA/recordings */
	char *sha256;
	gint64 size;
};

/* The file of recording `id` of meeting `meeting_id`: NOT_FOUND when there is none or
 * it was deleted, CONFLICT while it is being recorded. Clear `out` with
 * recording_file_clear(). */
bool recordings_find_file(struct store *st, gint64 meeting_id, gint64 id,
                          struct recording_file *out, GError **error);
void recording_file_clear(struct recording_file *f);

/* Meeting `meeting_id`'s recording policy: "none", "manual" or "auto" (caller frees), or
 * NULL (NOT_FOUND without the meeting). */
char *recordings_policy(struct store *st, gint64 meeting_id, GError **error);

/* The id of meeting `meeting_id`'s recording in progress, or 0. */
gint64 recordings_active(struct store *st, gint64 meeting_id, GError **error);

/*
 * The retention job: deletes the files (recording, manifest, signature) in `dir` of the
 * recordings that ended before `now_ms - retention_ms` and marks their rows deleted
 * (reason "retention"), each audited as recording.expire by the system in the same
 * transaction. Returns how many were deleted, or -1.
 */
gint recordings_expire(struct store *st, const char *dir, gint64 now_ms, gint64 retention_ms,
                       GError **error);

/*
 * At start-up: recordings left "recording" by a server that stopped without ending them
 * (a crash, kill -9) are marked failed ("the server stopped while recording"), with the
 * size and SHA-256 of their file as it is (streamable WebM: it plays up to the stop).
 * Returns their ids (caller frees the array; each then gets its manifest), or NULL.
 */
GArray *recordings_recover(struct store *st, const char *dir, gint64 now_ms, GError **error);

/* The size and SHA-256 (lower-case hex; caller frees) of the file at `path`, read in
 * chunks. Any thread. */
bool recordings_hash_file(const char *path, gint64 *size, char **sha256, GError **error);
