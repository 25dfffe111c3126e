/* SPDX-License-Identifier: MIT */
/* What the files of the signing module share. */
#pragma once

#include "sign.h"

#include <openssl/x509.h>

/* Sets `error` (SIGN_ERROR, `code`) to "WHAT: REASON", REASON being the last error
 * OpenSSL queued on this thread (the queue is emptied). */
void sign_set_openssl_error(GError **error, int code, const char *what);

/* `name` as RFC 2253 text with UTF-8 kept. Caller frees. */
char *sign_name_text(const X509_NAME *name);
