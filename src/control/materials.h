/* SPDX-License-Identifier: MIT */
/* Meeting materials: documents attached to a meeting or an agenda item, in numbered
 * versions, their files kept as content-addressed blobs; who may read them. */
#pragma once

#include "blobstore.h"
#include "control.h"
#include "join_token.h"
#include "store/store.h"

#include <json-glib/json-glib.h>

/* Creates a material of meeting `meeting_id` (and agenda item `agenda_item_id`, which
 * must belong to it, or 0) from the upload `w`, as version 1 named `name` (a file name:
 * 1-255 characters, no '/', '\\' or control characters). The upload is finished, its
 * type recognised from the content (CONTROL_ERROR_UNSUPPORTED naming what it is
 * otherwise), its blob put in place, and only then the rows and the audit entry
 * (material.upload) written in one transaction. Returns the material's id, or 0.
 * Errors: INVALID (name, empty file), NOT_FOUND (meeting, agenda item),
 * UNSUPPORTED_TYPE. */
gint64 materials_create(struct store *st, struct blobstore *bs, const struct principal *who,
                        gint64 meeting_id, gint64 agenda_item_id, const char *name,
                        struct blob_writer *w, GError **error);

/* Adds version n+1 to material `material_id` from the upload `w` (checked as for
 * materials_create), named `name`, or like the latest version when `name` is NULL.
 * Audited as material.version. Returns the new version number, or 0. */
gint materials_add_version(struct store *st, struct blobstore *bs, const struct principal *who,
                           gint64 material_id, const char *name, struct blob_writer *w,
                           GError **error);

/* Deletes a material and its versions (audited as material.delete); then removes each of
 * its blobs that no other version uses. NOT_FOUND when there is no such material. */
bool materials_delete(struct store *st, struct blobstore *bs, const struct principal *who,
                      gint64 material_id, GError **error);

/* The materials of a meeting, oldest first, each as materials_get() shows it. Caller
 * owns the node. */
JsonNode *materials_list(struct store *st, gint64 meeting_id, GError **error);

/* One material: {id, meeting_id, agenda_item_id, name, created_by, created_at, version,
 * file_name, size, sha256, type, mime (of the latest version), versions: [{version,
 * file_name, size, sha256, type, mime, uploaded_by, uploaded_at}, ...]}. NOT_FOUND when
 * absent. Caller owns the node. */
JsonNode *materials_get(struct store *st, gint64 material_id, GError **error);

/* A stored version's file, as needed to serve it. */
struct material_file {
	gint64 meeting_id;
	gint version;
	char *file_name;
	char *sha256;
	char *mime;
	gint64 size;
};

/* Finds version `version` of a material (0: the latest). NOT_FOUND when either is
 * absent. Clear `out` with material_file_clear(). */
bool materials_find_file(struct store *st, gint64 material_id, gint version,
                         struct material_file *out, GError **error);
void material_file_clear(struct material_file *file);

/* Whether `who` may read the materials (and the attendance) of meeting `meeting_id`:
 * operators, and the meeting's chair. UNAUTHORIZED without a principal, NOT_FOUND when
 * the meeting does not exist, FORBIDDEN otherwise. */
bool materials_may_read(struct store *st, const struct principal *who, gint64 meeting_id,
                        GError **error);

/* Whether an invited endpoint, holding a verified join token of `invitee` (NULL: none),
 * may read the materials of meeting `meeting_id`: any role of that meeting's tokens may;
 * else as materials_may_read() for `who`. */
bool materials_may_read_as(struct store *st, const struct principal *who,
                           const struct join_claims *invitee, gint64 meeting_id, GError **error);

/* Removes the blobs that no material version refers to (left by a crash between putting
 * a blob in place and committing its row, or between deleting rows and blobs). Run at
 * start-up, before serving. Returns the number removed, or -1. */
gint materials_collect_garbage(struct store *st, struct blobstore *bs, GError **error);
