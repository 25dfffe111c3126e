/* SPDX-License-Identifier: MIT */
/* SRTP's AES-CTR, AES-GCM and HMAC-SHA1 on OpenSSL, installed into libsrtp's crypto kernel
 * in place of the NSS-backed ones Debian's libsrtp2 ships (a process-wide lock). */
#pragma once

#include <glib.h>
#include <stdbool.h>

/*
 * Replaces libsrtp's AES-ICM-128/256, AES-GCM-128/256 and HMAC-SHA1 with OpenSSL-backed
 * implementations; each must first pass libsrtp's own test vectors for the type it
 * replaces. Call once, after srtp_init(), before any session exists. Fails (error set)
 * when OpenSSL lacks an algorithm or a self test fails; the types already replaced stay
 * replaced and the others keep libsrtp's.
 */
bool srtp_crypto_install(GError **error);
