/* SPDX-License-Identifier: MIT */
/* The table of API error codes. */
#include "errors.h"

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
    [API_ERROR_INTERNAL] = {"internal", 500},
};

const char *api_error_name(enum api_error code)
{
	if ((size_t)code >= G_N_ELEMENTS(table))
		return "internal";
	return table[code].name;
}

guint api_error_http_status(enum api_error code)
{
	if ((size_t)code >= G_N_ELEMENTS(table))
		return 500;
	return table[code].status;
}
