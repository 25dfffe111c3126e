/* SPDX-License-Identifier: MIT */
/* Minutes of meetings: the document (meeting, agenda, attendance, speaking time, floor,
 * chair actions, decisions, materials, recordings, votes) built from the store, written
 * as canonical JSON and as PDF, each signed with a detached CMS signature, kept in
 * numbered versions in DATA/minutes/ and indexed in the store. */
#pragma once

#include "control.h"
#include "core/clock.h"
#include "record/sign.h"
#include "store/store.h"

#include <json-glib/json-glib.h>

#define MINUTES_FORMAT         "cau-minutes"
#define MINUTES_FORMAT_VERSION 1
#define MINUTES_DIR            "minutes"

/* The minutes document of meeting `meeting_id` (docs/minutes.md gives every member):
 * only integers, strings, booleans and null, so canonical_json() writes it; the same
 * store content gives the same document. `organisation` and `tz` are copied into
 * it; attendance intervals still open count until `now_ms` or the meeting's end.
 * NOT_FOUND. Caller owns the node. */
JsonNode *minutes_document(struct store *st, gint64 meeting_id, const char *organisation,
                           const char *tz, gint64 now_ms, GError **error);

struct minutes_config {
	const char *data_dir;     /* the files go to DATA/minutes/ */
	const char *organisation; /* named atop the minutes; "" or NULL: the certificate's O */
	const char *timezone;     /* of the times in the PDF, e.g. "Asia/Ho_Chi_Minh" */
};

typedef struct minutes minutes;

/* The minutes service: creates DATA/minutes/ if needed. Borrows `st` and `clock` (they
 * must outlive it), takes a reference to `by`, the signer, and copies `cfg`. One thread
 * at a time: the service's thread. */
struct minutes *minutes_new(struct store *st, struct clock *clock, struct signer *by,
                            const struct minutes_config *cfg, GError **error);
void minutes_free(struct minutes *mn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(minutes, minutes_free)

/* Generates the next version of the minutes of meeting `meeting_id` for `who` (NULL:
 * the system, at the meeting's end): the document as canonical JSON, its PDF, a
 * signature of each, the four files written (temp file, fsync, rename), then the index
 * row and the audit entry (minutes.generate) in one transaction. Returns the version
 * as minutes_list() shows it. Errors: NOT_FOUND, CONFLICT (a meeting that has not taken
 * place: scheduled or cancelled). Caller owns the node. */
JsonNode *minutes_generate(struct minutes *mn, const struct principal *who, gint64 meeting_id,
                           GError **error);

/* The same, without holding up the service's thread for the PDF: the document is built
 * now; the PDF is laid out, both files signed and the files written on a worker thread;
 * then, on the thread-default main context of the caller, the index row and the audit
 * entry are committed and `callback` runs. Only one generation per meeting at a time:
 * another gets CONFLICT meanwhile. Get the result with minutes_generate_finish(). */
void minutes_generate_async(struct minutes *mn, const struct principal *who, gint64 meeting_id,
                            GAsyncReadyCallback callback, gpointer user_data);
/* The version made (caller owns the node), or NULL with the error. */
JsonNode *minutes_generate_finish(GAsyncResult *result, GError **error);

/* The versions of the minutes of meeting `meeting_id`, oldest first: [{version,
 * created_at, created_by, signer, files: {json, json.p7s, pdf, pdf.p7s: {name, size,
 * sha256}}}]. NOT_FOUND when the meeting does not exist. Caller owns the node. */
JsonNode *minutes_list(struct minutes *mn, gint64 meeting_id, GError **error);

enum minutes_file_kind {
	MINUTES_FILE_JSON,
	MINUTES_FILE_JSON_P7S,
	MINUTES_FILE_PDF,
	MINUTES_FILE_PDF_P7S,
};

/* Reads "N.json", "N.json.p7s", "N.pdf" or "N.pdf.p7s" (N a version from 1). */
bool minutes_file_parse(const char *name, gint *version, enum minutes_file_kind *kind);

/* A stored file of a version, as needed to serve it. */
struct minutes_file {
	char *path;      /* DATA/minutes/minutes-M-vN.EXT */
	char *file_name; /* minutes-M-vN.EXT */
	const char *mime;
	char *sha256;
	gint64 size;
};

/* Finds version `version` of the minutes of meeting `meeting_id` and its file `kind`.
 * NOT_FOUND when there is no such version. Clear `out` with minutes_file_clear(). */
bool minutes_find_file(struct minutes *mn, gint64 meeting_id, gint version,
                       enum minutes_file_kind kind, struct minutes_file *out, GError **error);
void minutes_file_clear(struct minutes_file *file);

/* Checks the stored files of version `version` of meeting `meeting_id`'s minutes as `cau
 * verify` does: the JSON and the PDF each against its detached signature (no CA: the
 * signer is reported, not judged) and against the size and SHA-256 recorded when they
 * were made. Returns {"version", "valid", "files": [{"file", "sha256", "size",
 * "matches_record", "signature_valid", "signer", "signed_at", "problem"}]} (`valid` only
 * when every check passed; a file that cannot be read is reported, not an error).
 * NOT_FOUND when there is no such meeting or version. Reads the files: any thread with
 * the store. Caller owns the node. */
JsonNode *minutes_verify(struct minutes *mn, gint64 meeting_id, gint version, GError **error);

/* The meetings that ended since minutes are kept in this database (migration 0010) and
 * have none (the server stopped between an end and its minutes), by end time: a GArray
 * of gint64 ids, caller unrefs. */
GArray *minutes_missing(struct minutes *mn, GError **error);
