/* SPDX-License-Identifier: MIT */
/* DTLS 1.2 handshakes for DTLS-SRTP (RFC 5764, RFC 8827) over datagrams the caller carries. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport/srtp.h"

/*
 * A dtls_context holds this process's certificate, key and fingerprint; a dtls_session is
 * one handshake with one peer. Nothing here opens a socket or a timer: the session sends
 * through a callback, is fed the DTLS datagrams that ICE receives (RFC 7983 first byte
 * 20-63), and asks its caller to call dtls_session_handle_timeout() after
 * dtls_session_timeout_ms(). See docs/internals/dtls-srtp.md.
 */

/* The SDP fingerprint algorithm this side announces (a=fingerprint:sha-256 ...). */
#define DTLS_FINGERPRINT_ALG "sha-256"

/* Largest datagram a session sends; records and handshake fragments are cut to fit. */
#define DTLS_MTU 1200

/* Default handshake retransmission timer: the first timeout, doubling up to the max. */
#define DTLS_INITIAL_TIMEOUT_MS 250
#define DTLS_MAX_TIMEOUT_MS     3000

enum dtls_role {
	DTLS_ROLE_CLIENT, /* a=setup:active: sends the ClientHello */
	DTLS_ROLE_SERVER, /* a=setup:passive: waits for it */
};

/* "client" or "server". Static. */
const char *dtls_role_name(enum dtls_role role);

/* This side's a=setup value for a role: "active" (client) or "passive" (server). Static. */
const char *dtls_role_to_setup(enum dtls_role role);

/*
 * Chooses this side's role from the peer's a=setup value (RFC 5763 5): the peer "active"
 * makes us the server, "passive" the client, and "actpass" (only valid in an offer, which
 * we answer) gives actpass_choice, which the caller decides. Returns false with error set
 * for anything else ("holdconn", a typo, NULL). Any thread.
 */
bool dtls_role_from_remote_setup(const char *remote_setup, enum dtls_role actpass_choice,
                                 enum dtls_role *role, GError **error);

/* ---- Context: the certificate shared by every session of the process ---- */

typedef struct dtls_context dtls_context;

/*
 * Makes a context. With cert_file and key_file NULL it generates a self-signed ECDSA P-256
 * certificate (valid for a year from a day ago; make one per process start); otherwise it
 * loads a PEM certificate and its PEM private key, which must match. Returns a new
 * reference (dtls_context_unref()), or NULL with error set. The context is immutable, so
 * sessions on any thread may share it. Any thread.
 */
dtls_context *dtls_context_new(const char *cert_file, const char *key_file, GError **error);

/* Reference counting; atomic, any thread. unref accepts NULL. */
dtls_context *dtls_context_ref(dtls_context *ctx);
void dtls_context_unref(dtls_context *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(dtls_context, dtls_context_unref)

/*
 * The SHA-256 fingerprint of the context's certificate in SDP form ("AB:CD:...", 95
 * characters), for a=fingerprint:sha-256. Owned by ctx; valid while it is.
 */
const char *dtls_context_get_fingerprint(const dtls_context *ctx);

/* ---- Session: one handshake with one peer ---- */

typedef struct dtls_session dtls_session;

enum dtls_state {
	DTLS_STATE_NEW,        /* made, not started */
	DTLS_STATE_CONNECTING, /* handshaking */
	DTLS_STATE_CONNECTED,  /* handshake done, fingerprint verified, keys delivered */
	DTLS_STATE_CLOSED,     /* close_notify sent or received */
	DTLS_STATE_FAILED,     /* handshake or record failure; final */
};

/* "new", "connecting", ... Static. */
const char *dtls_state_name(enum dtls_state state);

enum dtls_event_type {
	DTLS_EVENT_CONNECTED,
	DTLS_EVENT_FAILED,
	DTLS_EVENT_CLOSED,
};

/*
 * What a session reports. CONNECTED: keys is the negotiated profile with this side's
 * (local) and the peer's (remote) SRTP master keys and salts, split by role; it is
 * borrowed for the duration of the callback and wiped afterwards, so make the SRTP
 * sessions (cau_srtp_new()) inside the callback. FAILED: reason says why, for example
 * that the certificate does not match the SDP fingerprint or that the handshake timed
 * out. CLOSED: the peer sent close_notify (this side answered it). reason is borrowed too.
 * Each session fires at most one CONNECTED and then at most one FAILED or CLOSED.
 */
struct dtls_event {
	enum dtls_event_type type;
	const struct cau_srtp_keys *keys; /* CONNECTED only */
	const char *reason;               /* FAILED and CLOSED */
};

/*
 * The caller's side of a session. Both run on the thread that called into the session,
 * from inside dtls_session_start/receive/handle_timeout/close, never later.
 *
 * send: hand one datagram (len <= DTLS_MTU) to the peer, e.g. nice_agent_send(). buf is
 * borrowed for the call. It must not call into this session again (queue the datagram if
 * the transport would loop it straight back, as the unit tests do).
 *
 * event: news of the handshake (struct dtls_event). It may call dtls_session_close() and
 * query the session, but must not free it; free it later, from the caller's own context.
 */
struct dtls_callbacks {
	void (*send)(const uint8_t *buf, size_t len, void *user_data);
	void (*event)(dtls_session *session, const struct dtls_event *event, void *user_data);
};

/*
 * Makes a session for one peer in role, checking the peer's certificate against
 * remote_fingerprint, the value of its SDP a=fingerprint line ("AB:CD:...", either case)
 * hashed with remote_fingerprint_alg ("sha-1", "sha-224", "sha-256", "sha-384" or
 * "sha-512", either case). Holds a reference on ctx. callbacks is copied; user_data is
 * passed to them. Offers SRTP_AEAD_AES_128_GCM then SRTP_AES128_CM_SHA1_80 (a server
 * picks the first the client also offers). Returns a session owned by the caller
 * (dtls_session_free()), or NULL with error set if the algorithm is unknown or the
 * fingerprint malformed.
 *
 * Threads: a session is not thread safe. Use it from one thread at a time -- in the
 * server, the transport worker that owns the peer's ICE agent. Sessions on different
 * threads may share one context.
 */
dtls_session *dtls_session_new(dtls_context *ctx, enum dtls_role role,
                               const char *remote_fingerprint_alg, const char *remote_fingerprint,
                               const struct dtls_callbacks *callbacks, void *user_data,
                               GError **error);

/*
 * Frees session without sending anything (call dtls_session_close() first for a polite
 * close) and drops its context reference. NULL is allowed. Never from a callback.
 */
void dtls_session_free(dtls_session *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(dtls_session, dtls_session_free)

/*
 * Restricts and orders the SRTP profiles offered (client) or accepted in order of
 * preference (server); count >= 1, no duplicates. Only before dtls_session_start().
 * Returns false with error set if a profile is unknown or the session has started.
 */
bool dtls_session_set_srtp_profiles(dtls_session *session, const enum cau_srtp_profile *profiles,
                                    size_t count, GError **error);

/*
 * Sets the handshake retransmission timer: the first timeout is initial_ms (default
 * DTLS_INITIAL_TIMEOUT_MS; the ICE round trip time is a good value) and it doubles on each
 * retransmission up to max_ms (default DTLS_MAX_TIMEOUT_MS; at least initial_ms). The
 * handshake fails after 12 retransmissions. Only before dtls_session_start(); values are
 * clamped to 20 ms .. 60 s (OpenSSL counts a timer with less than 15 ms left as expired).
 */
void dtls_session_set_retransmit_timeouts(dtls_session *session, unsigned initial_ms,
                                          unsigned max_ms);

/*
 * Starts the handshake: a client sends its ClientHello (through send), a server waits for
 * one. Call once ICE has a working pair. Returns 0, -EALREADY if already started, or
 * -EPROTO if the handshake failed at once (the FAILED event has fired then). A datagram
 * received before start starts the session implicitly.
 */
int dtls_session_start(dtls_session *session);

/*
 * Feeds one datagram received from the peer (a DTLS packet by RFC 7983; buf borrowed for
 * the call). Drives the handshake, which may send datagrams and fire events; after the
 * handshake, answers retransmitted flights and close_notify, and discards application
 * data (there is no SCTP data channel here). Garbage is dropped, as DTLS wants. Returns
 * 0, -ENOTCONN if the session is closed or failed (the datagram is ignored), or -EPROTO
 * if this datagram made it fail (the FAILED event has fired).
 */
int dtls_session_receive(dtls_session *session, const uint8_t *buf, size_t len);

/*
 * Milliseconds until the caller should call dtls_session_handle_timeout() (0: now), or -1
 * if no retransmission timer runs (before start, while a server awaits its first
 * ClientHello, once connected). Ask again after every call into the session, as start,
 * receive and handle_timeout move the timer.
 */
int dtls_session_timeout_ms(dtls_session *session);

/*
 * Retransmits the last flight if its timer has expired (does nothing if not, so an early
 * call is harmless). Returns 0, -ENOTCONN if the session is not handshaking, or -ETIMEDOUT
 * if it gave up after too many retransmissions (the FAILED event has fired).
 */
int dtls_session_handle_timeout(dtls_session *session);

/*
 * Closes the session: sends close_notify if the handshake completed; the state is then
 * CLOSED. No event fires (the caller knows). Idempotent; allowed from the event callback.
 */
void dtls_session_close(dtls_session *session);

enum dtls_state dtls_session_get_state(const dtls_session *session);
enum dtls_role dtls_session_get_role(const dtls_session *session);

/* The negotiated profile once CONNECTED; 0 before. */
enum cau_srtp_profile dtls_session_get_srtp_profile(const dtls_session *session);
