/* SPDX-License-Identifier: MIT */
/* The table of API error codes. */
#include "errors.h"

#include "conference/room.h"
#include "control/control.h"
#include "proto/sdp.h"
#include "store/store.h"
#include "transport/negotiate.h"

G_DEFINE_QUARK(cau - api - error - quark, api_error)

static const struct {
	const char *name;
	guint status;
} table[] = {
    [API_ERROR_BAD_JSON] = {"bad_json", 400},
    [API_ERROR_BAD_REQUEST] = {"bad_request", 400},
    [API_ERROR_UNKNOWN_METHOD] = {"unknown_method", 400},
    [API_ERROR_NOT_FOUND] = {"not_found", 404},
    [API_ERROR_METHOD_NOT_ALLOWED] = {"method_not_allowed", 405},
    [API_ERROR_TOO_LARGE] = {"too_large", 413},
    [API_ERROR_UNAUTHORIZED] = {"unauthorized", 401},
    [API_ERROR_FORBIDDEN] = {"forbidden", 403},
    [API_ERROR_CONFLICT] = {"conflict", 409},
    [API_ERROR_LOCKED] = {"locked", 429},
    [API_ERROR_UNSUPPORTED_MEDIA_TYPE] = {"unsupported_media_type", 415},
    [API_ERROR_INTERNAL] = {"internal", 500},
    [API_ERROR_RANGE_NOT_SATISFIABLE] = {"range_not_satisfiable", 416},
    [API_ERROR_BAD_SDP] = {"bad_sdp", 400},
    [API_ERROR_UNAVAILABLE] = {"unavailable", 503},
    [API_ERROR_RATE_LIMITED] = {"rate_limited", 429},
    [API_ERROR_ROOM_LOCKED] = {"room_locked", 423},
    [API_ERROR_ROOM_CLOSED] = {"room_closed", 410},
    [API_ERROR_NOT_JOINED] = {"not_joined", 409},
    [API_ERROR_RECORDING_DISABLED] = {"recording_disabled", 409},
};

const char *api_error_name(enum api_error code)
{
	if ((size_t)code >= G_N_ELEMENTS(table) || !table[code].name)
		return "internal";
	return table[code].name;
}

guint api_error_http_status(enum api_error code)
{
	if ((size_t)code >= G_N_ELEMENTS(table))
		return 500;
	return table[code].status;
}

enum api_error api_error_from(const GError *error)
{
	static const enum api_error from_control[] = {
	    [CONTROL_ERROR_INVALID] = API_ERROR_BAD_REQUEST,
	    [CONTROL_ERROR_NOT_FOUND] = API_ERROR_NOT_FOUND,
	    [CONTROL_ERROR_CONFLICT] = API_ERROR_CONFLICT,
	    [CONTROL_ERROR_UNAUTHORIZED] = API_ERROR_UNAUTHORIZED,
	    [CONTROL_ERROR_FORBIDDEN] = API_ERROR_FORBIDDEN,
	    [CONTROL_ERROR_LOCKED] = API_ERROR_LOCKED,
	    [CONTROL_ERROR_TOO_LARGE] = API_ERROR_TOO_LARGE,
	    [CONTROL_ERROR_UNSUPPORTED] = API_ERROR_UNSUPPORTED_MEDIA_TYPE,
	};

	static const enum api_error from_room[] = {
	    [ROOM_ERROR_FORBIDDEN] = API_ERROR_FORBIDDEN,
	    [ROOM_ERROR_NOT_FOUND] = API_ERROR_NOT_FOUND,
	    [ROOM_ERROR_LOCKED] = API_ERROR_ROOM_LOCKED,
	    [ROOM_ERROR_CLOSED] = API_ERROR_ROOM_CLOSED,
	    [ROOM_ERROR_INVALID] = API_ERROR_BAD_REQUEST,
	    [ROOM_ERROR_FULL] = API_ERROR_UNAVAILABLE,
	};

	if (error->domain == API_ERROR && (size_t)error->code < G_N_ELEMENTS(table))
		return error->code;
	if (error->domain == ROOM_ERROR && (size_t)error->code < G_N_ELEMENTS(from_room))
		return from_room[error->code];
	if (error->domain == CONTROL_ERROR && (size_t)error->code < G_N_ELEMENTS(from_control))
		return from_control[error->code];
	if (error->domain == SDP_ERROR || error->domain == NEGOTIATE_ERROR)
		return API_ERROR_BAD_SDP;
	if (error->domain == STORE_ERROR && error->code == STORE_ERROR_CONSTRAINT)
		return API_ERROR_CONFLICT;
	return API_ERROR_INTERNAL;
}
