/* SPDX-License-Identifier: MIT */
/* SRTP and SRTCP protection for one peer (RFC 3711, RFC 7714) over libsrtp2. */
#pragma once

#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The prefix is cau_srtp_, not srtp_: libsrtp2 owns the srtp_ namespace (srtp_init,
 * srtp_protect, srtp_create, ...).
 */

/* DTLS-SRTP protection profiles (RFC 5764, RFC 7714); the values are the IANA ids. */
enum cau_srtp_profile {
	CAU_SRTP_AES128_CM_SHA1_80 = 0x0001,
	CAU_SRTP_AEAD_AES_128_GCM = 0x0007,
};

#define CAU_SRTP_MAX_KEY_LEN  16
#define CAU_SRTP_MAX_SALT_LEN 14

/*
 * The most bytes cau_srtp_protect_rtp()/_rtcp() append to a packet, for either profile:
 * AES_CM_SHA1_80 adds a 10-byte tag to RTP and 4 + 10 bytes to RTCP; AEAD_AES_128_GCM adds
 * a 16-byte tag to RTP and 16 + 4 bytes to RTCP. A buffer with this much room after the
 * packet always suffices.
 */
#define CAU_SRTP_MAX_TRAILER_LEN 20

/*
 * Errors of the hot-path calls, negative errno values so that callers can pass them on as
 * any other -errno. cau_srtp_strerror() names them.
 */
enum cau_srtp_error {
	CAU_SRTP_ERR_AUTH = -EBADMSG,    /* authentication tag did not verify */
	CAU_SRTP_ERR_REPLAY = -EALREADY, /* index seen before or older than the window */
	CAU_SRTP_ERR_PARAM = -EINVAL,    /* packet too short or malformed for libsrtp */
	CAU_SRTP_ERR_NOSPACE = -ENOSPC,  /* no room after the packet for the trailer */
	CAU_SRTP_ERR_OTHER = -EIO,       /* any other libsrtp failure */
};

/* Returns the profile's RFC 5764 name ("SRTP_AEAD_AES_128_GCM"), or "unknown". Static. */
const char *cau_srtp_profile_name(enum cau_srtp_profile profile);

/* Master key and salt lengths of a profile, in bytes (both 0 for an unknown profile). */
size_t cau_srtp_profile_key_len(enum cau_srtp_profile profile);
size_t cau_srtp_profile_salt_len(enum cau_srtp_profile profile);

/*
 * The keys of one DTLS-SRTP association, already split by role: `local` protects what this
 * side sends, `remote` unprotects what it receives. Filled by the DTLS layer; the holder
 * should wipe it (cau_srtp_keys_clear()) once the session is made.
 */
struct cau_srtp_keys {
	enum cau_srtp_profile profile;
	size_t key_len;
	size_t salt_len;
	uint8_t local_key[CAU_SRTP_MAX_KEY_LEN];
	uint8_t local_salt[CAU_SRTP_MAX_SALT_LEN];
	uint8_t remote_key[CAU_SRTP_MAX_KEY_LEN];
	uint8_t remote_salt[CAU_SRTP_MAX_SALT_LEN];
};

/* Overwrites keys with zeros in a way the compiler keeps. */
void cau_srtp_keys_clear(struct cau_srtp_keys *keys);

/* One peer's pair of libsrtp sessions: outbound (protect) and inbound (unprotect). */
typedef struct cau_srtp cau_srtp;

/*
 * Makes the two sessions from keys (copied; the caller keeps and wipes its struct): an
 * outbound session for any SSRC this side sends and an inbound one for any SSRC it
 * receives. Replay protection stays on with a 1024-packet window, so NACK-driven
 * retransmissions up to 1024 packets late still pass; allow_repeat_tx lets the sender
 * protect the same packet again for a retransmission. Initialises libsrtp on first use
 * (thread safe). Returns a new object owned by the caller (cau_srtp_free()), or NULL with
 * error set if the profile is unknown or libsrtp refuses. Any thread.
 */
struct cau_srtp *cau_srtp_new(const struct cau_srtp_keys *keys, GError **error);

/* SSRCs known when the sessions are made, each list most used first. */
#define CAU_SRTP_KNOWN_MAX 8
struct cau_srtp_ssrcs {
	uint32_t local[CAU_SRTP_KNOWN_MAX]; /* what this side sends */
	size_t n_local;
	uint32_t remote[CAU_SRTP_KNOWN_MAX]; /* what it receives */
	size_t n_remote;
};

/*
 * cau_srtp_new(), and a stream made at once for each known SSRC (0 and repeats skipped).
 * libsrtp finds a packet's stream by walking a list, newest first, two cache misses a
 * stream; a stream made on first use goes to the front, so a rarely used one (RTX) made
 * late is walked past by every packet after it. Made here, the most used comes first.
 * Packets of other SSRCs still get a stream on first use. NULL known is cau_srtp_new().
 */
struct cau_srtp *cau_srtp_new_with_ssrcs(const struct cau_srtp_keys *keys,
                                         const struct cau_srtp_ssrcs *known, GError **error);

/* Frees srtp and wipes its keys. NULL is allowed. */
void cau_srtp_free(struct cau_srtp *srtp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(cau_srtp, cau_srtp_free)

/* The profile srtp was made with. */
enum cau_srtp_profile cau_srtp_get_profile(const struct cau_srtp *srtp);

/*
 * Hot path. Each call works in place on the len bytes at buf and, on success, stores the
 * new length in *out_len; it allocates nothing and logs nothing. A session is not
 * thread safe: one thread at a time may use the outbound half (protect) and one thread at a
 * time the inbound half (unprotect) -- the two halves are independent libsrtp sessions.
 *
 * Protect: buf holds a plain RTP (>= 12 bytes) or RTCP (>= 8 bytes) packet and cap is the
 * size of the buffer, which must leave at least CAU_SRTP_MAX_TRAILER_LEN bytes (exactly:
 * the profile's trailer) after the packet for the tag and SRTCP index; returns 0,
 * -ENOSPC if it does not, -EINVAL for a short packet, or another enum cau_srtp_error.
 * RTP protect of a sequence number already sent is allowed (retransmissions): the
 * payload must then be the same as before.
 *
 * Unprotect: buf holds an SRTP/SRTCP packet; on success it is the plain packet, shorter
 * by the trailer. Returns 0, CAU_SRTP_ERR_AUTH (tampered or wrong key),
 * CAU_SRTP_ERR_REPLAY (seen already, or older than the window), CAU_SRTP_ERR_PARAM (too
 * short or malformed), or CAU_SRTP_ERR_OTHER. On error buf's content is unspecified.
 */
int cau_srtp_protect_rtp(struct cau_srtp *srtp, uint8_t *buf, size_t len, size_t cap,
                         size_t *out_len);
int cau_srtp_protect_rtcp(struct cau_srtp *srtp, uint8_t *buf, size_t len, size_t cap,
                          size_t *out_len);
int cau_srtp_unprotect_rtp(struct cau_srtp *srtp, uint8_t *buf, size_t len, size_t *out_len);
int cau_srtp_unprotect_rtcp(struct cau_srtp *srtp, uint8_t *buf, size_t len, size_t *out_len);

/* Describes a value returned by the calls above ("authentication failed"). Static. */
const char *cau_srtp_strerror(int err);
