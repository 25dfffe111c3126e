/* SPDX-License-Identifier: MIT */
/* The API's error codes: one table mapping each to its wire name and HTTP status, shared
 * by the REST routes and the WebSocket protocol. */
#pragma once

#include <glib.h>

#define API_ERROR (api_error_quark())
GQuark api_error_quark(void);

enum api_error {
	API_ERROR_BAD_JSON,       /* the body is not JSON */
	API_ERROR_BAD_REQUEST,    /* JSON, but not a valid request (field missing, wrong type) */
	API_ERROR_UNKNOWN_METHOD, /* WebSocket: no such method */
	API_ERROR_NOT_FOUND,      /* no such route or object */
	API_ERROR_METHOD_NOT_ALLOWED,
	API_ERROR_TOO_LARGE,    /* body or message over the configured limit */
	API_ERROR_UNAUTHORIZED, /* no or bad credentials */
	API_ERROR_FORBIDDEN,    /* credentials fine, role not allowed */
	API_ERROR_CONFLICT,     /* the object exists or changed meanwhile */
	API_ERROR_LOCKED,       /* too many failed logins */
	API_ERROR_UNSUPPORTED_MEDIA_TYPE,
	API_ERROR_INTERNAL,
	API_ERROR_RANGE_NOT_SATISFIABLE, /* a download's Range lies outside the file */
	API_ERROR_BAD_SDP,      /* an SDP the server cannot parse or accept (names the line) */
	API_ERROR_UNAVAILABLE,  /* the server cannot do this now (no media transport) */
	API_ERROR_RATE_LIMITED, /* WebSocket: too many messages; slow down */
	API_ERROR_ROOM_LOCKED,  /* the chair locked the room: no new joins */
	API_ERROR_ROOM_CLOSED,  /* the meeting has ended */
	API_ERROR_NOT_JOINED,   /* WebSocket: a room.* method before room.join */
	API_ERROR_RECORDING_DISABLED, /* the meeting's recording policy is "none" */
};

/* The wire name ("bad_json", ...) of a code. */
const char *api_error_name(enum api_error code);
/* The API code for any error the lower layers report: API_ERROR as it is, control and
 * store errors through one table, anything else internal. */
enum api_error api_error_from(const GError *error);

/* The HTTP status that goes with a code. */
guint api_error_http_status(enum api_error code);
