/* SPDX-License-Identifier: MIT */
/* The directory: administrative units in a tree (Government -> province -> commune, or
 * province -> district -> commune in older data) and the conference endpoints that
 * belong to them, with their credentials; CSV import and export. */
#pragma once

#include "control.h"
#include "store/store.h"

#include <json-glib/json-glib.h>
#include <stdbool.h>

/* A root is level 1; deeper trees are refused (they have no use and would make the
 * nested tree reply arbitrarily deep). */
#define DIRECTORY_MAX_LEVELS    32
#define DIRECTORY_CODE_MAX      32
#define DIRECTORY_NAME_MAX      200
#define DIRECTORY_LEVEL_MAX     64
#define DIRECTORY_CSV_MAX_BYTES (5 * 1024 * 1024)
#define DIRECTORY_CSV_MAX_ROWS  20000

/* ---- Units ---- */

/* What to set on a unit. For an update, NULL strings and set_parent false leave the
 * value as it is. */
struct unit_fields {
	const char *code;  /* 1-32 of A-Z a-z 0-9 . _ -, unique */
	const char *name;  /* 1-200 characters; may hold line breaks, not at its ends */
	const char *level; /* 1-64 characters: "tỉnh", "xã", "huyện", ... */
	bool set_parent;   /* update only: change the parent to parent_id */
	gint64 parent_id;  /* 0: a root */
};

/* Creates a unit; CONTROL_ERROR_INVALID for a bad value or an unknown parent,
 * CONTROL_ERROR_CONFLICT when the code is taken or the tree would pass
 * DIRECTORY_MAX_LEVELS. Audited as unit.create. Returns the new id, or 0. */
gint64 directory_unit_create(struct store *st, const struct principal *who,
                             const struct unit_fields *fields, GError **error);

/* Changes a unit. Moving it under itself is CONTROL_ERROR_INVALID, under one of its
 * descendants CONTROL_ERROR_CONFLICT (that would make a cycle); a taken code is
 * CONTROL_ERROR_CONFLICT; CONTROL_ERROR_NOT_FOUND. Audited as unit.update with the
 * changed values. */
bool directory_unit_update(struct store *st, const struct principal *who, gint64 id,
                           const struct unit_fields *fields, GError **error);

/* Deletes a unit that has no child units, no endpoints and no meeting invitations;
 * otherwise CONTROL_ERROR_CONFLICT saying what is left. Audited as unit.delete. */
bool directory_unit_delete(struct store *st, const struct principal *who, gint64 id,
                           GError **error);

/* One unit as {id, code, name, level, parent_id, parent_code, depth, child_count,
 * endpoint_count, created_at} (depth 0 for a root); CONTROL_ERROR_NOT_FOUND. Caller
 * owns the node. */
JsonNode *directory_unit_get(struct store *st, gint64 id, GError **error);

/* Every unit as a flat JSON array in tree order (each unit followed by its subtree,
 * siblings by code), elements as directory_unit_get(). Caller owns the node. */
JsonNode *directory_units_list(struct store *st, GError **error);

/* The roots as a JSON array of units, each with "children": [...] nested the same way.
 * Caller owns the node. */
JsonNode *directory_units_tree(struct store *st, GError **error);

/* Appends to `ids` (a GArray of gint64) the ids of every unit under `unit_id` at any
 * depth, and `unit_id` itself when `include_self`; CONTROL_ERROR_NOT_FOUND when there is
 * no such unit. Order unspecified. */
bool directory_units_under(struct store *st, gint64 unit_id, bool include_self, GArray *ids,
                           GError **error);

/* The id of the unit with `code`; CONTROL_ERROR_NOT_FOUND. */
gint64 directory_unit_id_by_code(struct store *st, const char *code, GError **error);

/* ---- Endpoints ---- */

/* What to set on an endpoint. For an update, NULL strings, unit_id 0 and disabled -1
 * leave the value as it is; an empty contact string clears it. */
struct endpoint_fields {
	const char *code;          /* as a unit's code, unique among endpoints */
	const char *name;          /* as a unit's name */
	gint64 unit_id;            /* the unit it belongs to; required on create */
	const char *kind;          /* "browser", "whip" or "sip" */
	const char *contact_name;  /* 0-200 characters, one line */
	const char *contact_phone; /* 6-20 of digits, spaces, + - ( ) */
	int disabled;              /* 1/0, -1: unchanged (create: enabled) */
};

/* Creates an endpoint with a new credential, returned in `*credential` (caller frees; the
 * only time it is known). CONTROL_ERROR_INVALID, CONTROL_ERROR_CONFLICT (code taken).
 * Audited as endpoint.create. Returns the new id, or 0. */
gint64 directory_endpoint_create(struct store *st, const struct principal *who,
                                 const struct endpoint_fields *fields, char **credential,
                                 GError **error);

/* Changes an endpoint; CONTROL_ERROR_NOT_FOUND, _INVALID, _CONFLICT. Audited as
 * endpoint.update. */
bool directory_endpoint_update(struct store *st, const struct principal *who, gint64 id,
                               const struct endpoint_fields *fields, GError **error);

/* Deletes an endpoint; CONTROL_ERROR_CONFLICT while a meeting invites it. Audited as
 * endpoint.delete. */
bool directory_endpoint_delete(struct store *st, const struct principal *who, gint64 id,
                               GError **error);

/* One endpoint as {id, code, name, unit_id, unit_code, kind, contact_name,
 * contact_phone, disabled, has_credential, created_at} (never the credential);
 * CONTROL_ERROR_NOT_FOUND. Caller owns the node. */
JsonNode *directory_endpoint_get(struct store *st, gint64 id, GError **error);

struct endpoint_filter {
	gint64 unit_id;  /* 0, or only endpoints of this unit */
	gint64 under_id; /* 0, or only endpoints of this unit and every unit under it */
};

/* Endpoints matching `filter` (NULL: all), by code, as a JSON array of objects like
 * directory_endpoint_get(); CONTROL_ERROR_NOT_FOUND when a filter's unit does not
 * exist. Caller owns the node. */
JsonNode *directory_endpoints_list(struct store *st, const struct endpoint_filter *filter,
                                   GError **error);

/* Replaces an endpoint's credential with a new random one and returns it (caller frees;
 * the only time it is known); the old one stops working. Audited as
 * endpoint.credential. NULL with CONTROL_ERROR_NOT_FOUND. */
char *directory_endpoint_reset_credential(struct store *st, const struct principal *who, gint64 id,
                                          GError **error);

struct endpoint_identity {
	gint64 endpoint_id;
	gint64 unit_id;
	char code[DIRECTORY_CODE_MAX + 1];
};

/* Checks an endpoint's code and credential (for WHIP and joining). Fills `out` on
 * success. CONTROL_ERROR_UNAUTHORIZED with one message for an unknown code and a wrong
 * credential; CONTROL_ERROR_FORBIDDEN when the endpoint is disabled. */
bool directory_endpoint_authenticate(struct store *st, const char *code, const char *credential,
                                     struct endpoint_identity *out, GError **error);

/* The id of the endpoint with `code`; CONTROL_ERROR_NOT_FOUND. */
gint64 directory_endpoint_id_by_code(struct store *st, const char *code, GError **error);

/* ---- CSV ---- */

struct directory_import_error {
	guint line;
	char *message;
};

struct directory_import_credential {
	char *code;
	char *credential;
};

/* What an import did; clear it with directory_import_result_clear(). */
struct directory_import_result {
	guint created, updated, unchanged;
	GArray *errors;      /* of struct directory_import_error, by line */
	GArray *credentials; /* endpoints created: of struct directory_import_credential */
};

void directory_import_result_clear(struct directory_import_result *result);
/* {"created", "updated", "unchanged", "errors": [{"line", "message"}]} and, for an
 * endpoint import, "credentials": [{"code", "credential"}]. Caller owns the node. */
JsonNode *directory_import_result_json(const struct directory_import_result *result);

/* Imports units from CSV text with the columns code, name, level and optionally
 * parent_code (by name, in any order; an absent parent_code column keeps the parents of
 * existing units), upserting by code. Every row that can be imported is, in one
 * transaction; each other row gets an error with its line (bad value, wrong number of
 * fields, a code seen before in the file, a parent neither in the file nor the
 * directory, a cycle, too deep). Fails as a whole with CONTROL_ERROR_INVALID when the
 * header is unusable or the text not UTF-8, CONTROL_ERROR_TOO_LARGE over
 * DIRECTORY_CSV_MAX_BYTES or DIRECTORY_CSV_MAX_ROWS. Audited per unit, plus unit.import. */
bool directory_units_import(struct store *st, const struct principal *who, const char *text,
                            gsize len, struct directory_import_result *result, GError **error);

/* As directory_units_import() for endpoints: columns code, name, unit_code, kind and
 * optionally contact_name and contact_phone. New endpoints get credentials, returned in
 * the result. Audited per endpoint, plus endpoint.import. */
bool directory_endpoints_import(struct store *st, const struct principal *who, const char *text,
                                gsize len, struct directory_import_result *result, GError **error);

/* The units as CSV that directory_units_import() reads back to the same directory:
 * UTF-8 with a BOM (for spreadsheets), CRLF, header code,name,level,parent_code, parents
 * before children. Caller frees. */
char *directory_units_export(struct store *st, gsize *len, GError **error);

/* The endpoints as CSV (code,name,unit_code,kind,contact_name,contact_phone), by code.
 * Caller frees. */
char *directory_endpoints_export(struct store *st, gsize *len, GError **error);
