/* SPDX-License-Identifier: MIT */
/* The control plane's error domain and roles. */
#include "control.h"

G_DEFINE_QUARK(cau - control - error - quark, control_error)

const char *role_name(enum role role)
{
	switch (role) {
	case ROLE_OPERATOR:
		return "operator";
	case ROLE_CHAIR:
		return "chair";
	default:
		return NULL;
	}
}

enum role role_from_name(const char *name)
{
	if (g_strcmp0(name, "operator") == 0)
		return ROLE_OPERATOR;
	if (g_strcmp0(name, "chair") == 0)
		return ROLE_CHAIR;
	return ROLE_NONE;
}
