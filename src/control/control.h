/* SPDX-License-Identifier: MIT */
/* What the control plane's modules share: their error domain and the caller's identity. */
#pragma once

#include <glib.h>

#define CONTROL_ERROR (control_error_quark())
GQuark control_error_quark(void);

enum control_error_code {
	CONTROL_ERROR_INVALID,      /* a value the caller gave is not acceptable */
	CONTROL_ERROR_NOT_FOUND,    /* no such object */
	CONTROL_ERROR_CONFLICT,     /* the object exists, or its state forbids the change */
	CONTROL_ERROR_UNAUTHORIZED, /* bad or expired credentials */
	CONTROL_ERROR_FORBIDDEN,    /* the caller's role may not do this */
	CONTROL_ERROR_LOCKED,       /* too many failed logins; try later */
	CONTROL_ERROR_TOO_LARGE,    /* over a size limit */
	CONTROL_ERROR_UNSUPPORTED,  /* a file of a type that is not accepted */
};

/* Roles, ordered: a higher role may do what a lower one may. */
enum role {
	ROLE_NONE = 0,
	ROLE_CHAIR = 1,
	ROLE_OPERATOR = 2,
};

/* Who is acting: an account, or the system itself (account_id 0, "system"). */
struct principal {
	gint64 account_id;
	char username[64];
	enum role role;
};

/* "operator" / "chair"; NULL for ROLE_NONE. */
const char *role_name(enum role role);
/* The role named `name`, or ROLE_NONE. */
enum role role_from_name(const char *name);
