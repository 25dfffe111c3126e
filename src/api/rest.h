/* SPDX-License-Identifier: MIT */
/* The REST API under /api/v1: route tables with the role each route needs, callers
 * identified by bearer token or session cookie, JSON bodies, JSON replies and errors. */
#pragma once

#include "control/blobstore.h"
#include "control/join_token.h"
#include "control/meetings.h"
#include "control/minutes.h"
#include "control/sessions.h"

#include <libsoup/soup.h>

#define REST_PREFIX     "/api/v1/"
#define REST_COOKIE     "cau_session"
#define REST_MAX_PARAMS 4

/* Starting and stopping the recorder of a meeting's room, provided by `cau serve` (the
 * recorder taps the conference layer's rooms, which the REST layer does not drive). All
 * run on the main context; start and stop reply with the recording's row
 * (recordings_list() form), or fail: API_ERROR_RECORDING_DISABLED when the meeting's
 * recording policy is "none", CONFLICT when it is (not) being recorded already. */
struct rest_recorder {
	JsonNode *(*start)(void *self, const struct principal *who, gint64 meeting_id,
	                   GError **error);
	JsonNode *(*stop)(void *self, const struct principal *who, gint64 meeting_id,
	                  GError **error);
	/* The meeting's mcu room has a new media member (a peer joined it): a meeting whose
	 * policy is "auto" and that is not being recorded starts recording, as the system. */
	void (*media_joined)(void *self, gint64 meeting_id);
	void *self;
	const char *dir; /* where recordings are: DATA/recordings */
};

/* What handlers need from the server; owned by the caller of http_server_new(). */
struct rest_context {
	struct store *store;
	struct auth_policy auth;
	bool cookie_secure;      /* mark the session cookie Secure (behind HTTPS) */
	struct blobstore *blobs; /* where uploaded files go; NULL: uploads are refused */
	gint64 upload_max_bytes; /* body limit of REST_BODY_UPLOAD routes ([materials] max_bytes) */
	struct meetings *meetings;             /* meetings and series */
	const struct join_secret *join_secret; /* signs and checks join tokens */
	struct minutes *minutes;               /* minutes of meetings; NULL: none kept */
	const struct rest_recorder *recorder;  /* NULL: this server does not record */
};

struct rest_request {
	SoupServerMessage *msg;
	struct rest_context *ctx;
	const char *path;
	GHashTable *query;             /* may be NULL */
	char *params[REST_MAX_PARAMS]; /* the {name} segments of the route, in order */
	JsonObject *body;              /* the JSON object sent, or NULL without a body */
	struct principal who;          /* role ROLE_NONE when not logged in */
	char *token;                   /* the caller's session token, if any */
	struct blob_writer *upload;    /* REST_BODY_UPLOAD routes: the body, in a temp file */
};

typedef void (*rest_handler_fn)(struct rest_request *req);

/* How a route takes its request body. */
enum rest_body {
	REST_BODY_JSON = 0, /* a JSON object, parsed into req->body (415/400 otherwise) */
	REST_BODY_RAW,      /* kept in memory within [http] max_body_bytes; the handler reads
	                     * it (CSV imports) */
	REST_BODY_UPLOAD,   /* a file: streamed to a temp file (req->upload) within the upload
	                     * limit, never held in memory nor parsed */
};

struct rest_route {
	const char *method;
	const char *pattern; /* below /api/v1/, e.g. "accounts/{id}" */
	enum role role;      /* the least role allowed; ROLE_NONE: anyone */
	rest_handler_fn fn;
	const char *label;   /* the route as shown in metrics, e.g. "/api/v1/accounts/{id}" */
	enum rest_body body; /* what the body is; REST_BODY_JSON unless said */
};

struct rest_route_table {
	const struct rest_route *routes;
	size_t n_routes;
};

/* Route tables of the resource modules (rest_*.c). */
extern const struct rest_route_table rest_auth_routes;
extern const struct rest_route_table rest_accounts_routes;
extern const struct rest_route_table rest_audit_routes;
extern const struct rest_route_table rest_meetings_routes;
extern const struct rest_route_table rest_series_routes;
extern const struct rest_route_table rest_join_routes;
extern const struct rest_route_table rest_materials_routes;
extern const struct rest_route_table rest_attendance_routes;
extern const struct rest_route_table rest_units_routes;
extern const struct rest_route_table rest_endpoints_routes;
extern const struct rest_route_table rest_minutes_routes;
extern const struct rest_route_table rest_recordings_routes;

/* The streaming-body hook of the HTTP layer, called when the headers of a request under
 * REST_PREFIX have arrived. For an upload route (REST_BODY_UPLOAD) it checks the caller first
 * (answering 401/403 before any byte of the body is read), then opens a temp file for the body and
 * returns its writer, with *limit set to ctx->upload_max_bytes; the HTTP layer writes
 * each chunk of the body to it and hands it to rest_dispatch(). Returns NULL (and leaves
 * *limit alone) for any other request, or when it has answered with an error. The
 * caller owns the writer; freeing it uncommitted removes the temp file. */
struct blob_writer *rest_upload_begin(struct rest_context *ctx, SoupServerMessage *msg,
                                      const char *path, gint64 *limit);

/* Answers a request whose path starts with REST_PREFIX. `upload` is what
 * rest_upload_begin() returned for it (NULL for other routes); borrowed. Returns the
 * route's label for metrics (a static string), or NULL when no route matched (already
 * answered 404). */
const char *rest_dispatch(struct rest_context *ctx, SoupServerMessage *msg, const char *path,
                          GHashTable *query, struct blob_writer *upload);

/* Replies with `node` as JSON (taken) and `status`. */
void rest_reply(struct rest_request *req, guint status, JsonNode *node);
/* Replies with the API error for `error` (see api_error_from); internal errors are
 * logged and answered without their details. */
void rest_reply_error(struct rest_request *req, const GError *error);
/* Parses a positive integer path parameter; replies 404 and returns 0 if it is not. */
gint64 rest_param_id(struct rest_request *req, guint index);
/* The query parameter `name`, or NULL. */
const char *rest_query(struct rest_request *req, const char *name);
/* Reads the optional query parameter `name` as an integer from 0 to `max` into `*out`
 * (left alone when absent); replies 400 naming it and returns false when malformed. */
bool rest_query_int(struct rest_request *req, const char *name, gint64 max, gint64 *out);
/* Reads the join token an invited endpoint may send as ?token= (for reading a meeting's
 * materials and minutes). Returns false after replying 401 when one is there but not
 * valid, or its endpoint is no longer invited; `*invitee` is NULL when none was sent,
 * else `claims`. */
bool rest_join_invitee(struct rest_request *req, struct join_claims *claims,
                       const struct join_claims **invitee);
/* Whether the caller may read meeting `meeting_id`'s materials, minutes and recordings:
 * operators, its chair, and its invited endpoints with their join token as ?token=
 * (rest_join_invitee(); no other query parameter). Returns false after replying 401, 403
 * or 400. */
bool rest_may_read_meeting(struct rest_request *req, gint64 meeting_id);
/* Replies 400 with `message` when there is no body; returns whether there is one. */
bool rest_require_body(struct rest_request *req, const char *message);
