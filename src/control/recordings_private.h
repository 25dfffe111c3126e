/* SPDX-License-Identifier: MIT */
/* What recordings.c and recordings_files.c share. */
#pragma once

#include "store/store.h"

#include <json-glib/json-glib.h>

#define RECORDINGS_COLUMNS                                                                         \
	"id, segment, state, reason, file_name, tracks, started_at, started_by, ended_at, "        \
	"duration_ms, size, sha256, deleted_at, meeting_id"

/* Row `row` of a SELECT RECORDINGS_COLUMNS as {id, segment, state, reason, file, tracks,
 * started_at, started_by, ended_at, duration_ms, size, sha256, deleted_at, meeting}. */
JsonObject *recordings_row_object(store_rows *rows, guint row);
