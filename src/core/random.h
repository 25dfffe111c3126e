/* SPDX-License-Identifier: MIT */
/* Secrets from the kernel's CSPRNG. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Fills `buf` with `len` random bytes from getrandom(2); aborts if the kernel cannot. */
void random_bytes(void *buf, size_t len);

/* A random string of `n_chars` from an alphabet without look-alike characters, for
 * passwords a person types. Caller frees. */
char *random_password(size_t n_chars);

/* `n_bytes` random bytes as URL-safe base64 without padding, for tokens. Caller frees. */
char *random_token(size_t n_bytes);
