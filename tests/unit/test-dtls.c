/* SPDX-License-Identifier: MIT */
/* Unit tests for DTLS-SRTP: two in-process sessions wired back to back through queues. */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "proto/rtp.h"
#include "transport/dtls.h"
#include "transport/srtp.h"

/* One end of the wire: a session, its inbox, and what it reported. */
struct endpoint {
	const char *name;
	dtls_session *session;
	GQueue inbox; /* GBytes datagrams sent to this endpoint */
	struct endpoint *peer;
	unsigned drop_next; /* drop this many of the next datagrams this endpoint sends */
	unsigned sent, dropped;
	GPtrArray *sent_log; /* every datagram sent, as GBytes, when capturing */
	bool connected, failed, closed;
	char *reason;
	struct cau_srtp_keys keys; /* a copy, to compare the two ends */
	cau_srtp *srtp;
};

static void on_send(const uint8_t *buf, size_t len, void *user_data)
{
	struct endpoint *ep = user_data;

	g_assert_cmpuint(len, <=, DTLS_MTU);
	ep->sent++;
	if (ep->sent_log)
		g_ptr_array_add(ep->sent_log, g_bytes_new(buf, len));
	if (ep->drop_next > 0) {
		ep->drop_next--;
		ep->dropped++;
		return;
	}
	/* Queued, never delivered from inside the sender's call: sessions are not reentrant. */
	g_queue_push_tail(&ep->peer->inbox, g_bytes_new(buf, len));
}

static void on_event(dtls_session *session, const struct dtls_event *ev, void *user_data)
{
	struct endpoint *ep = user_data;
	g_autoptr(GError) error = NULL;

	g_assert_true(session == ep->session);
	switch (ev->type) {
	case DTLS_EVENT_CONNECTED:
		g_assert_false(ep->connected);
		ep->connected = true;
		ep->keys = *ev->keys;
		ep->srtp = cau_srtp_new(ev->keys, &error);
		g_assert_no_error(error);
		g_assert_cmpint(dtls_session_get_state(session), ==, DTLS_STATE_CONNECTED);
		break;
	case DTLS_EVENT_FAILED:
		ep->failed = true;
		ep->reason = g_strdup(ev->reason);
		g_assert_cmpint(dtls_session_get_state(session), ==, DTLS_STATE_FAILED);
		break;
	case DTLS_EVENT_CLOSED:
		ep->closed = true;
		ep->reason = g_strdup(ev->reason);
		break;
	}
}

static const struct dtls_callbacks callbacks = {.send = on_send, .event = on_event};

static void endpoint_init(struct endpoint *ep, const char *name, struct endpoint *peer)
{
	memset(ep, 0, sizeof(*ep));
	ep->name = name;
	ep->peer = peer;
	g_queue_init(&ep->inbox);
}

static void endpoint_clear(struct endpoint *ep)
{
	g_queue_clear_full(&ep->inbox, (GDestroyNotify)g_bytes_unref);
	g_clear_pointer(&ep->session, dtls_session_free);
	g_clear_pointer(&ep->srtp, cau_srtp_free);
	g_clear_pointer(&ep->sent_log, g_ptr_array_unref);
	g_free(ep->reason);
	cau_srtp_keys_clear(&ep->keys);
}

static void endpoint_open(struct endpoint *ep, dtls_context *ctx, enum dtls_role role,
                          const dtls_context *peer_ctx)
{
	g_autoptr(GError) error = NULL;

	ep->session = dtls_session_new(ctx, role, "sha-256", dtls_context_get_fingerprint(peer_ctx),
	                               &callbacks, ep, &error);
	g_assert_no_error(error);
	g_assert_nonnull(ep->session);
}

/* Delivers queued datagrams both ways until both queues are empty. */
static void pump(struct endpoint *a, struct endpoint *b)
{
	for (int rounds = 0; rounds < 1000; rounds++) {
		struct endpoint *to = !g_queue_is_empty(&a->inbox) ? a : b;
		g_autoptr(GBytes) dgram = g_queue_pop_head(&to->inbox);
		gsize len;
		const uint8_t *data;

		if (!dgram)
			return;
		data = g_bytes_get_data(dgram, &len);
		(void)dtls_session_receive(to->session, data, len);
	}
	g_assert_not_reached();
}

static bool both_done(const struct endpoint *a, const struct endpoint *b)
{
	return (a->connected || a->failed) && (b->connected || b->failed);
}

/*
 * Pumps and, when the wire falls silent, sleeps until the earliest retransmission timer
 * and fires both; the test timers are 20-40 ms.
 */
static void run(struct endpoint *a, struct endpoint *b)
{
	for (int i = 0; i < 100 && !both_done(a, b); i++) {
		int ta, tb, wait;

		pump(a, b);
		if (both_done(a, b))
			return;
		ta = dtls_session_timeout_ms(a->session);
		tb = dtls_session_timeout_ms(b->session);
		g_assert_true(ta >= 0 || tb >= 0); /* someone must be waiting for something */
		wait = ta < 0 ? tb : tb < 0 ? ta : MIN(ta, tb);
		g_assert_cmpint(wait, <=, 40);
		g_usleep((gulong)wait * 1000);
		(void)dtls_session_handle_timeout(a->session);
		(void)dtls_session_handle_timeout(b->session);
	}
}

static void start_and_run(struct endpoint *a, struct endpoint *b)
{
	g_assert_cmpint(dtls_session_start(a->session), ==, 0);
	g_assert_cmpint(dtls_session_start(b->session), ==, 0);
	g_assert_cmpint(dtls_session_start(a->session), ==, -EALREADY);
	run(a, b);
}

/* The two ends hold mirrored keys: each one's local key is the other's remote key. */
static void assert_mirrored(const struct endpoint *a, const struct endpoint *b,
                            enum cau_srtp_profile profile)
{
	g_assert_cmpint(a->keys.profile, ==, profile);
	g_assert_cmpint(b->keys.profile, ==, profile);
	g_assert_cmpuint(a->keys.key_len, ==, cau_srtp_profile_key_len(profile));
	g_assert_cmpuint(a->keys.salt_len, ==, cau_srtp_profile_salt_len(profile));
	g_assert_cmpmem(a->keys.local_key, a->keys.key_len, b->keys.remote_key, b->keys.key_len);
	g_assert_cmpmem(a->keys.remote_key, a->keys.key_len, b->keys.local_key, b->keys.key_len);
	g_assert_cmpmem(a->keys.local_salt, a->keys.salt_len, b->keys.remote_salt,
	                b->keys.salt_len);
	g_assert_cmpmem(a->keys.remote_salt, a->keys.salt_len, b->keys.local_salt,
	                b->keys.salt_len);
	g_assert_true(memcmp(a->keys.local_key, a->keys.remote_key, a->keys.key_len) != 0);
	g_assert_cmpint(dtls_session_get_srtp_profile(a->session), ==, profile);
}

/* Protects an RTP packet with seq on tx; returns it in a buffer with room (caller frees). */
static uint8_t *protect_rtp(cau_srtp *tx, uint16_t seq, size_t *len)
{
	struct rtp_packet hdr = {
	    .payload_type = 111, .seq = seq, .timestamp = 960u * seq, .ssrc = 0x5eed};
	uint8_t *buf = g_malloc0(RTP_FIXED_HEADER_LEN + 100 + CAU_SRTP_MAX_TRAILER_LEN);
	size_t header_len;

	g_assert_cmpint(rtp_write_header(buf, RTP_FIXED_HEADER_LEN, &hdr, &header_len), ==, 0);
	memset(buf + header_len, 0xab, 100);
	g_assert_cmpint(cau_srtp_protect_rtp(tx, buf, header_len + 100,
	                                     header_len + 100 + CAU_SRTP_MAX_TRAILER_LEN, len),
	                ==, 0);
	return buf;
}

static int unprotect_rtp_copy(cau_srtp *rx, const uint8_t *pkt, size_t len)
{
	g_autofree uint8_t *copy = g_memdup2(pkt, len);
	size_t out_len;

	return cau_srtp_unprotect_rtp(rx, copy, len, &out_len);
}

/* SRTP over the keys the handshake produced, both ways: RTP, RTCP, tampering, replay. */
static void check_srtp(struct endpoint *a, struct endpoint *b)
{
	static const uint8_t rr[8] = {0x80, 201, 0, 1, 0, 0, 0x5e, 0xed};
	uint8_t rtcp[sizeof(rr) + CAU_SRTP_MAX_TRAILER_LEN];
	size_t len, rtcp_len, plain_len;

	for (int dir = 0; dir < 2; dir++) {
		cau_srtp *tx = dir ? b->srtp : a->srtp, *rx = dir ? a->srtp : b->srtp;
		g_autofree uint8_t *pkt = protect_rtp(tx, 7, &len);
		g_autofree uint8_t *next = protect_rtp(tx, 8, &len);
		g_autofree uint8_t *repeat = protect_rtp(tx, 7, &len); /* allow_repeat_tx */

		g_assert_cmpmem(pkt, len, repeat, len);
		pkt[len - 1] ^= 1;
		g_assert_cmpint(unprotect_rtp_copy(rx, pkt, len), ==, CAU_SRTP_ERR_AUTH);
		g_assert_cmpint(unprotect_rtp_copy(rx, repeat, len), ==, 0);
		g_assert_cmpint(unprotect_rtp_copy(rx, repeat, len), ==, CAU_SRTP_ERR_REPLAY);
		g_assert_cmpint(unprotect_rtp_copy(rx, next, len), ==, 0);

		memcpy(rtcp, rr, sizeof(rr));
		g_assert_cmpint(
		    cau_srtp_protect_rtcp(tx, rtcp, sizeof(rr), sizeof(rtcp), &rtcp_len), ==, 0);
		g_assert_cmpint(cau_srtp_unprotect_rtcp(rx, rtcp, rtcp_len, &plain_len), ==, 0);
		g_assert_cmpmem(rtcp, plain_len, rr, sizeof(rr));
	}
}

/*
 * With CAU_DTLS_CORPUS_DIR set, writes the first datagrams one endpoint sent to dir/name
 * as a fuzz-dtls input: the mode byte, then each datagram after its 16-bit length.
 */
static void capture(const struct endpoint *ep, const char *name, guint limit, uint8_t mode)
{
	const char *dir = g_getenv("CAU_DTLS_CORPUS_DIR");
	g_autoptr(GByteArray) framed = g_byte_array_new();
	g_autofree char *path = NULL;
	g_autoptr(GError) error = NULL;

	if (!dir || !ep->sent_log)
		return;
	g_byte_array_append(framed, &mode, 1);
	for (guint i = 0; i < ep->sent_log->len && i < limit; i++) {
		gsize len;
		const uint8_t *data = g_bytes_get_data(ep->sent_log->pdata[i], &len);
		uint8_t prefix[2] = {(uint8_t)(len >> 8), (uint8_t)len};

		g_byte_array_append(framed, prefix, 2);
		g_byte_array_append(framed, data, (guint)len);
	}
	path = g_build_filename(dir, name, NULL);
	g_file_set_contents(path, (const char *)framed->data, framed->len, &error);
	g_assert_no_error(error);
}

static void test_handshake(gconstpointer data)
{
	const bool a_is_client = GPOINTER_TO_INT(data);
	g_autoptr(dtls_context) ctx_a = dtls_context_new(NULL, NULL, NULL);
	g_autoptr(dtls_context) ctx_b = dtls_context_new(NULL, NULL, NULL);
	struct endpoint a, b;

	endpoint_init(&a, "a", &b);
	endpoint_init(&b, "b", &a);
	endpoint_open(&a, ctx_a, a_is_client ? DTLS_ROLE_CLIENT : DTLS_ROLE_SERVER, ctx_b);
	endpoint_open(&b, ctx_b, a_is_client ? DTLS_ROLE_SERVER : DTLS_ROLE_CLIENT, ctx_a);
	a.sent_log = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	b.sent_log = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_assert_cmpint(dtls_session_get_state(a.session), ==, DTLS_STATE_NEW);
	start_and_run(&a, &b);
	g_assert_true(a.connected && b.connected);
	g_assert_false(a.failed || b.failed);
	/* Packed flights: ClientHello, server flight, client flight, server flight. */
	g_assert_cmpuint(a.sent + b.sent, ==, 4);
	assert_mirrored(&a, &b, CAU_SRTP_AEAD_AES_128_GCM);
	check_srtp(&a, &b);
	g_assert_cmpint(dtls_session_timeout_ms(a.session), ==, -1);
	g_assert_cmpint(dtls_session_handle_timeout(a.session), ==, -ENOTCONN);
	if (a_is_client) {
		/* Modes of fuzz-dtls: 0 a fresh server, 1 a fresh client, 2 a connected server. */
		capture(&a, "client-hello", 1, 0);
		capture(&a, "client-flights", G_MAXUINT, 0);
		capture(&b, "server-flight", 1, 1);
		capture(&b, "server-flights", G_MAXUINT, 1);
		capture(&a, "client-flights-after-handshake", G_MAXUINT, 2);
	}

	/* close_notify: the peer reports CLOSED and answers; the closer ignores the answer. */
	dtls_session_close(a.session);
	g_assert_cmpint(dtls_session_get_state(a.session), ==, DTLS_STATE_CLOSED);
	g_assert_false(a.closed); /* no event for one's own close */
	pump(&a, &b);
	g_assert_true(b.closed);
	g_assert_cmpstr(b.reason, ==, "close_notify from the peer");
	g_assert_cmpint(dtls_session_get_state(b.session), ==, DTLS_STATE_CLOSED);
	g_assert_cmpint(dtls_session_receive(b.session, (const uint8_t *)"\x16", 1), ==, -ENOTCONN);
	dtls_session_close(a.session); /* idempotent */
	endpoint_clear(&a);
	endpoint_clear(&b);
}

/* Profile choice: the server's order wins among what the client offers. */
static void handshake_with_profiles(const enum cau_srtp_profile *client_profiles,
                                    size_t client_count,
                                    const enum cau_srtp_profile *server_profiles,
                                    size_t server_count, enum cau_srtp_profile expected)
{
	g_autoptr(dtls_context) ctx = dtls_context_new(NULL, NULL, NULL);
	g_autoptr(GError) error = NULL;
	struct endpoint a, b;

	endpoint_init(&a, "client", &b);
	endpoint_init(&b, "server", &a);
	endpoint_open(&a, ctx, DTLS_ROLE_CLIENT, ctx);
	endpoint_open(&b, ctx, DTLS_ROLE_SERVER, ctx);
	if (client_count)
		g_assert_true(dtls_session_set_srtp_profiles(a.session, client_profiles,
		                                             client_count, &error));
	if (server_count)
		g_assert_true(dtls_session_set_srtp_profiles(b.session, server_profiles,
		                                             server_count, &error));
	g_assert_no_error(error);
	start_and_run(&a, &b);
	g_assert_true(a.connected && b.connected);
	assert_mirrored(&a, &b, expected);
	check_srtp(&a, &b);
	endpoint_clear(&a);
	endpoint_clear(&b);
}

static void test_profiles(void)
{
	const enum cau_srtp_profile cm[] = {CAU_SRTP_AES128_CM_SHA1_80};
	const enum cau_srtp_profile cm_first[] = {CAU_SRTP_AES128_CM_SHA1_80,
	                                          CAU_SRTP_AEAD_AES_128_GCM};

	/* A client without GCM (aiortc, older browsers) gets AES_CM. */
	handshake_with_profiles(cm, 1, NULL, 0, CAU_SRTP_AES128_CM_SHA1_80);
	/* A client preferring AES_CM still gets GCM from our server, which prefers it. */
	handshake_with_profiles(cm_first, 2, NULL, 0, CAU_SRTP_AEAD_AES_128_GCM);
	/* A server configured for AES_CM only. */
	handshake_with_profiles(NULL, 0, cm, 1, CAU_SRTP_AES128_CM_SHA1_80);
}

static void test_profiles_invalid(void)
{
	g_autoptr(dtls_context) ctx = dtls_context_new(NULL, NULL, NULL);
	const enum cau_srtp_profile bad[] = {0x0002};
	const enum cau_srtp_profile cm[] = {CAU_SRTP_AES128_CM_SHA1_80};
	g_autoptr(GError) error = NULL;
	struct endpoint a, b;

	endpoint_init(&a, "client", &b);
	endpoint_init(&b, "server", &a);
	endpoint_open(&a, ctx, DTLS_ROLE_CLIENT, ctx);
	g_assert_false(dtls_session_set_srtp_profiles(a.session, bad, 1, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&error);
	g_assert_false(dtls_session_set_srtp_profiles(a.session, cm, 0, &error));
	g_clear_error(&error);
	g_assert_cmpint(dtls_session_start(a.session), ==, 0);
	g_assert_false(dtls_session_set_srtp_profiles(a.session, cm, 1, &error));
	endpoint_clear(&a);
	endpoint_clear(&b);
}

/* A certificate that is not the one the SDP named fails the handshake, saying so. */
static void test_wrong_fingerprint(gconstpointer data)
{
	const bool client_checks = GPOINTER_TO_INT(data);
	g_autoptr(dtls_context) ctx_client = dtls_context_new(NULL, NULL, NULL);
	g_autoptr(dtls_context) ctx_server = dtls_context_new(NULL, NULL, NULL);
	g_autoptr(dtls_context) ctx_other = dtls_context_new(NULL, NULL, NULL);
	struct endpoint a, b;
	struct endpoint *checker = client_checks ? &a : &b, *other = client_checks ? &b : &a;

	endpoint_init(&a, "client", &b);
	endpoint_init(&b, "server", &a);
	endpoint_open(&a, ctx_client, DTLS_ROLE_CLIENT, client_checks ? ctx_other : ctx_server);
	endpoint_open(&b, ctx_server, DTLS_ROLE_SERVER, client_checks ? ctx_client : ctx_other);
	start_and_run(&a, &b);
	g_assert_true(checker->failed);
	g_assert_false(checker->connected);
	g_test_message("checker: %s", checker->reason);
	g_assert_nonnull(strstr(checker->reason, "remote certificate fingerprint mismatch"));
	g_assert_nonnull(strstr(checker->reason, dtls_context_get_fingerprint(ctx_other)));
	g_assert_nonnull(strstr(checker->reason, dtls_context_get_fingerprint(
	                                             client_checks ? ctx_server : ctx_client)));
	/* The other side hears the alert and fails too, without keys. */
	g_assert_true(other->failed);
	g_assert_false(other->connected);
	g_test_message("other: %s", other->reason);
	g_assert_nonnull(strstr(other->reason, "alert"));
	g_assert_cmpint(dtls_session_receive(a.session, (const uint8_t *)"\x16", 1), ==, -ENOTCONN);
	endpoint_clear(&a);
	endpoint_clear(&b);
}

/*
 * The first flight of one side is lost; the retransmission timer (20 ms here, the shortest
 * OpenSSL keeps) resends it and the handshake completes.
 */
static void test_retransmission(gconstpointer data)
{
	const bool lose_client_flight = GPOINTER_TO_INT(data);
	g_autoptr(dtls_context) ctx = dtls_context_new(NULL, NULL, NULL);
	struct endpoint a, b;
	struct endpoint *loser = lose_client_flight ? &a : &b;

	endpoint_init(&a, "client", &b);
	endpoint_init(&b, "server", &a);
	endpoint_open(&a, ctx, DTLS_ROLE_CLIENT, ctx);
	endpoint_open(&b, ctx, DTLS_ROLE_SERVER, ctx);
	dtls_session_set_retransmit_timeouts(a.session, 20, 40);
	dtls_session_set_retransmit_timeouts(b.session, 20, 40);
	loser->drop_next = 1;
	g_assert_cmpint(dtls_session_timeout_ms(b.session), ==, -1); /* not started */
	g_assert_cmpint(dtls_session_start(a.session), ==, 0);
	g_assert_cmpint(dtls_session_start(b.session), ==, 0);
	/* The client's timer runs from its ClientHello on; a server waits without one. */
	g_assert_cmpint(dtls_session_timeout_ms(a.session), >=, 0);
	g_assert_cmpint(dtls_session_timeout_ms(a.session), <=, 20);
	g_assert_cmpint(dtls_session_timeout_ms(b.session), ==, -1);
	run(&a, &b);
	g_assert_true(a.connected && b.connected);
	g_assert_cmpuint(loser->dropped, ==, 1);
	assert_mirrored(&a, &b, CAU_SRTP_AEAD_AES_128_GCM);
	endpoint_clear(&a);
	endpoint_clear(&b);
}

/* Calling handle_timeout before the timer is due sends nothing. A long timer (2 s) keeps
 * this true on a loaded machine, where a 20 ms one may well have expired already. */
static void test_early_timeout_call(void)
{
	g_autoptr(dtls_context) ctx = dtls_context_new(NULL, NULL, NULL);
	struct endpoint a, b;

	endpoint_init(&a, "client", &b);
	endpoint_init(&b, "server", &a);
	endpoint_open(&a, ctx, DTLS_ROLE_CLIENT, ctx);
	dtls_session_set_retransmit_timeouts(a.session, 2000, 4000);
	a.drop_next = 1;
	g_assert_cmpint(dtls_session_start(a.session), ==, 0);
	g_assert_cmpuint(a.sent, ==, 1);
	g_assert_cmpint(dtls_session_handle_timeout(a.session), ==, 0);
	g_assert_cmpuint(a.sent, ==, 1);
	endpoint_clear(&a);
	endpoint_clear(&b);
}

/* The default timer: 250 ms at first. */
static void test_default_timeout(void)
{
	g_autoptr(dtls_context) ctx = dtls_context_new(NULL, NULL, NULL);
	struct endpoint a, b;
	int ms;

	endpoint_init(&a, "client", &b);
	endpoint_init(&b, "server", &a);
	endpoint_open(&a, ctx, DTLS_ROLE_CLIENT, ctx);
	g_assert_cmpint(dtls_session_start(a.session), ==, 0);
	ms = dtls_session_timeout_ms(a.session);
	g_assert_cmpint(ms, >, DTLS_INITIAL_TIMEOUT_MS - 100);
	g_assert_cmpint(ms, <=, DTLS_INITIAL_TIMEOUT_MS);
	endpoint_clear(&a);
	endpoint_clear(&b);
}

/* A peer that never answers: the client gives up after 12 retransmissions. */
static void test_gives_up(void)
{
	g_autoptr(dtls_context) ctx = dtls_context_new(NULL, NULL, NULL);
	struct endpoint a, b;
	int ret = 0;

	endpoint_init(&a, "client", &b);
	endpoint_init(&b, "server", &a);
	endpoint_open(&a, ctx, DTLS_ROLE_CLIENT, ctx);
	dtls_session_set_retransmit_timeouts(a.session, 1, 2); /* raised to 20 ms */
	a.drop_next = G_MAXUINT;
	g_assert_cmpint(dtls_session_start(a.session), ==, 0);
	for (int i = 0; i < 100 && !a.failed; i++) {
		int ms = dtls_session_timeout_ms(a.session);

		g_assert_cmpint(ms, >=, 0);
		g_assert_cmpint(ms, <=, 20);
		g_usleep((gulong)ms * 1000);
		ret = dtls_session_handle_timeout(a.session);
	}
	g_assert_true(a.failed);
	g_assert_cmpint(ret, ==, -ETIMEDOUT);
	g_assert_cmpstr(a.reason, ==, "handshake timed out after 12 retransmissions");
	g_assert_cmpuint(a.sent, ==, 13);
	g_assert_cmpint(dtls_session_timeout_ms(a.session), ==, -1);
	endpoint_clear(&a);
	endpoint_clear(&b);
}

/* Junk before and during the handshake is dropped; the handshake still completes. */
static void test_garbage(void)
{
	g_autoptr(dtls_context) ctx = dtls_context_new(NULL, NULL, NULL);
	static const uint8_t junk[][16] = {
	    {0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff},    /* length past the end */
	    {0x17, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 5, 0, 3, 1, 2, 3}, /* too short to decrypt */
	    {0x14},
	};
	static const uint8_t hidden[] = {
	    0x16, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16,          /* skipped header */
	    0x17, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 3,  1, 2, 3, /* short record */
	};
	struct endpoint a, b;

	endpoint_init(&a, "client", &b);
	endpoint_init(&b, "server", &a);
	endpoint_open(&a, ctx, DTLS_ROLE_CLIENT, ctx);
	endpoint_open(&b, ctx, DTLS_ROLE_SERVER, ctx);
	for (size_t i = 0; i < G_N_ELEMENTS(junk); i++)
		g_assert_cmpint(dtls_session_receive(b.session, junk[i], sizeof(junk[i])), ==, 0);
	/* The junk started the server implicitly. */
	g_assert_cmpint(dtls_session_get_state(b.session), ==, DTLS_STATE_CONNECTING);
	g_assert_cmpint(dtls_session_start(a.session), ==, 0);
	g_queue_push_head(&b.inbox, g_bytes_new(junk[1], sizeof(junk[1])));
	run(&a, &b);
	g_assert_true(a.connected && b.connected);
	/* Junk after the handshake too, in either direction: dropped, nothing fails. */
	for (size_t i = 0; i < G_N_ELEMENTS(junk); i++) {
		g_assert_cmpint(dtls_session_receive(a.session, junk[i], sizeof(junk[i])), ==, 0);
		g_assert_cmpint(dtls_session_receive(b.session, junk[i], sizeof(junk[i])), ==, 0);
	}
	/* Empty and tiny datagrams: an empty read would look like EOF to OpenSSL. */
	g_assert_cmpint(dtls_session_receive(b.session, junk[0], 0), ==, 0);
	g_assert_cmpint(dtls_session_receive(b.session, junk[0], 1), ==, 0);
	/* A short record inside a record whose header OpenSSL skips (DTLS 1.0 version). */
	g_assert_cmpint(dtls_session_receive(b.session, hidden, sizeof(hidden)), ==, 0);
	g_assert_cmpint(dtls_session_receive(a.session, hidden, sizeof(hidden)), ==, 0);
	g_assert_cmpuint(a.sent + b.sent, ==, 4); /* no alert went out */
	g_assert_false(a.failed || b.failed);
	check_srtp(&a, &b);
	dtls_session_close(b.session);
	pump(&a, &b);
	g_assert_true(a.closed);
	endpoint_clear(&a);
	endpoint_clear(&b);
}

/* ---- Configured certificates and the other fingerprint hash functions ---- */

static EVP_PKEY *generate_key(bool rsa)
{
	return rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
	           : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* Writes a fresh self-signed certificate and key as PEM files; returns the certificate. */
static X509 *write_identity(const char *dir, const char *name, bool rsa, char **cert_path,
                            char **key_path)
{
	EVP_PKEY *key = generate_key(rsa);
	X509 *cert = X509_new();
	FILE *f;

	g_assert_nonnull(key);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
	                           (const unsigned char *)name, -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(cert));
	g_assert_cmpint(X509_sign(cert, key, EVP_sha256()), >, 0);
	*cert_path = g_strdup_printf("%s/%s.crt", dir, name);
	*key_path = g_strdup_printf("%s/%s.key", dir, name);
	f = fopen(*cert_path, "w");
	g_assert_nonnull(f);
	PEM_write_X509(f, cert);
	fclose(f);
	f = fopen(*key_path, "w");
	g_assert_nonnull(f);
	PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	EVP_PKEY_free(key);
	return cert;
}

static char *fingerprint_of(X509 *cert, const EVP_MD *md, bool lower)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	GString *out = g_string_new(NULL);

	g_assert_cmpint(X509_digest(cert, md, digest, &len), ==, 1);
	for (unsigned i = 0; i < len; i++)
		g_string_append_printf(out, lower ? "%s%02x" : "%s%02X", i ? ":" : "", digest[i]);
	return g_string_free(out, FALSE);
}

/*
 * Loaded PEM identities (an RSA server, so the client uses an ECDHE-RSA suite) checked
 * with each SDP hash function name, in either case.
 */
static void test_configured_certificates(void)
{
	static const struct {
		const char *alg;
		const EVP_MD *(*md)(void);
	} algs[] = {{"sha-1", EVP_sha1},
	            {"SHA-256", EVP_sha256},
	            {"sha-384", EVP_sha384},
	            {"Sha-512", EVP_sha512}};
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("cau-dtls-XXXXXX", &error);
	g_autofree char *rsa_crt = NULL, *rsa_key = NULL, *ec_crt = NULL, *ec_key = NULL;
	X509 *rsa_cert = write_identity(dir, "rsa", true, &rsa_crt, &rsa_key);
	X509 *ec_cert = write_identity(dir, "ec", false, &ec_crt, &ec_key);
	g_autoptr(dtls_context) server_ctx = dtls_context_new(rsa_crt, rsa_key, &error);
	g_assert_no_error(error);
	g_autoptr(dtls_context) client_ctx = dtls_context_new(ec_crt, ec_key, &error);
	g_assert_no_error(error);

	g_autofree char *expected = fingerprint_of(ec_cert, EVP_sha256(), false);
	g_assert_cmpstr(dtls_context_get_fingerprint(client_ctx), ==, expected);
	for (size_t i = 0; i < G_N_ELEMENTS(algs); i++) {
		g_autofree char *fp_server = fingerprint_of(rsa_cert, algs[i].md(), i % 2);
		g_autofree char *fp_client = fingerprint_of(ec_cert, algs[i].md(), i % 2 == 0);
		struct endpoint a, b;

		endpoint_init(&a, "client", &b);
		endpoint_init(&b, "server", &a);
		a.session = dtls_session_new(client_ctx, DTLS_ROLE_CLIENT, algs[i].alg, fp_server,
		                             &callbacks, &a, &error);
		g_assert_no_error(error);
		b.session = dtls_session_new(server_ctx, DTLS_ROLE_SERVER, algs[i].alg, fp_client,
		                             &callbacks, &b, &error);
		g_assert_no_error(error);
		start_and_run(&a, &b);
		g_assert_true(a.connected && b.connected);
		assert_mirrored(&a, &b, CAU_SRTP_AEAD_AES_128_GCM);
		endpoint_clear(&a);
		endpoint_clear(&b);
	}

	/* A key that is not the certificate's is refused, naming both files. */
	g_assert_null(dtls_context_new(rsa_crt, ec_key, &error));
	g_assert_nonnull(strstr(error->message, "does not match"));
	g_clear_error(&error);
	g_assert_null(dtls_context_new(rsa_crt, NULL, &error));
	g_clear_error(&error);
	g_assert_null(dtls_context_new("/nonexistent.crt", rsa_key, &error));
	g_assert_nonnull(strstr(error->message, "/nonexistent.crt"));
	X509_free(rsa_cert);
	X509_free(ec_cert);
	g_unlink(rsa_crt);
	g_unlink(rsa_key);
	g_unlink(ec_crt);
	g_unlink(ec_key);
	g_rmdir(dir);
}

static void test_fingerprint_format(void)
{
	g_autoptr(dtls_context) ctx = dtls_context_new(NULL, NULL, NULL);
	g_autoptr(dtls_context) ctx2 = dtls_context_new(NULL, NULL, NULL);
	const char *fp = dtls_context_get_fingerprint(ctx);
	g_autoptr(GError) error = NULL;
	g_autofree char *lower = g_ascii_strdown(fp, -1);
	dtls_session *s;

	g_assert_cmpuint(strlen(fp), ==, 32 * 3 - 1);
	for (size_t i = 0; i < strlen(fp); i++)
		g_assert_true(i % 3 == 2 ? fp[i] == ':'
		                         : g_ascii_isxdigit(fp[i]) && !g_ascii_islower(fp[i]));
	g_assert_cmpstr(fp, !=, dtls_context_get_fingerprint(ctx2)); /* a fresh key each */

	s = dtls_session_new(ctx, DTLS_ROLE_SERVER, "sha-256", lower, &callbacks, NULL, &error);
	g_assert_no_error(error);
	dtls_session_free(s);
	g_assert_null(dtls_session_new(ctx, DTLS_ROLE_SERVER, "md5", fp, &callbacks, NULL, &error));
	g_assert_nonnull(strstr(error->message, "unknown fingerprint hash function 'md5'"));
	g_clear_error(&error);
	g_assert_null(dtls_session_new(ctx, DTLS_ROLE_SERVER, "sha-1", fp, &callbacks, NULL,
	                               &error)); /* a SHA-256 value under the SHA-1 name */
	g_assert_nonnull(strstr(error->message, "malformed sha-1 fingerprint"));
	g_clear_error(&error);
	lower[2] = '-';
	g_assert_null(
	    dtls_session_new(ctx, DTLS_ROLE_SERVER, "sha-256", lower, &callbacks, NULL, &error));
	g_clear_error(&error);
	g_assert_null(
	    dtls_session_new(ctx, DTLS_ROLE_SERVER, "sha-256", NULL, &callbacks, NULL, &error));
}

static void test_roles(void)
{
	g_autoptr(GError) error = NULL;
	enum dtls_role role;

	g_assert_true(dtls_role_from_remote_setup("active", DTLS_ROLE_CLIENT, &role, &error));
	g_assert_cmpint(role, ==, DTLS_ROLE_SERVER);
	g_assert_true(dtls_role_from_remote_setup("passive", DTLS_ROLE_SERVER, &role, &error));
	g_assert_cmpint(role, ==, DTLS_ROLE_CLIENT);
	g_assert_true(dtls_role_from_remote_setup("actpass", DTLS_ROLE_CLIENT, &role, &error));
	g_assert_cmpint(role, ==, DTLS_ROLE_CLIENT);
	g_assert_true(dtls_role_from_remote_setup("actpass", DTLS_ROLE_SERVER, &role, &error));
	g_assert_cmpint(role, ==, DTLS_ROLE_SERVER);
	g_assert_no_error(error);
	g_assert_false(dtls_role_from_remote_setup("holdconn", DTLS_ROLE_SERVER, &role, &error));
	g_assert_nonnull(strstr(error->message, "holdconn"));
	g_clear_error(&error);
	g_assert_false(dtls_role_from_remote_setup(NULL, DTLS_ROLE_SERVER, &role, &error));
	g_assert_cmpstr(dtls_role_to_setup(DTLS_ROLE_CLIENT), ==, "active");
	g_assert_cmpstr(dtls_role_to_setup(DTLS_ROLE_SERVER), ==, "passive");
	g_assert_cmpstr(dtls_state_name(DTLS_STATE_CONNECTED), ==, "connected");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/dtls/handshake/a-client", GINT_TO_POINTER(1), test_handshake);
	g_test_add_data_func("/dtls/handshake/a-server", GINT_TO_POINTER(0), test_handshake);
	g_test_add_func("/dtls/profiles", test_profiles);
	g_test_add_func("/dtls/profiles-invalid", test_profiles_invalid);
	g_test_add_data_func("/dtls/wrong-fingerprint/client-checks", GINT_TO_POINTER(1),
	                     test_wrong_fingerprint);
	g_test_add_data_func("/dtls/wrong-fingerprint/server-checks", GINT_TO_POINTER(0),
	                     test_wrong_fingerprint);
	g_test_add_data_func("/dtls/retransmission/client-hello-lost", GINT_TO_POINTER(1),
	                     test_retransmission);
	g_test_add_data_func("/dtls/retransmission/server-flight-lost", GINT_TO_POINTER(0),
	                     test_retransmission);
	g_test_add_func("/dtls/retransmission/default-timeout", test_default_timeout);
	g_test_add_func("/dtls/retransmission/early-call", test_early_timeout_call);
	g_test_add_func("/dtls/retransmission/gives-up", test_gives_up);
	g_test_add_func("/dtls/garbage", test_garbage);
	g_test_add_func("/dtls/configured-certificates", test_configured_certificates);
	g_test_add_func("/dtls/fingerprint-format", test_fingerprint_format);
	g_test_add_func("/dtls/roles", test_roles);
	return g_test_run();
}
