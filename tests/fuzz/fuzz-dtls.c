/* SPDX-License-Identifier: MIT */
/* libFuzzer target: arbitrary datagrams into DTLS sessions, handshaking and connected. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "transport/dtls.h"

/*
 * Input: one mode byte, then datagrams, each after a 16-bit big-endian length (a length
 * past the end takes what is left). Modes: 0 feeds a fresh server session (ClientHello
 * parsing and the server's handshake), 1 a fresh client that has sent its ClientHello
 * (ServerHello, certificate, key exchange parsing), 2 a server that completed a real
 * handshake, which must stay connected whatever arrives: nobody without the keys can
 * close or break it. Seeds: tests/fuzz/corpus/dtls, captured by test-dtls.
 */
enum { MODE_SERVER, MODE_CLIENT, MODE_CONNECTED, MODE_COUNT };

/* The datagrams a session sent, when someone needs them (the one real handshake). */
struct wire {
	GQueue queue;
	bool keep;
};

static void on_send(const uint8_t *buf, size_t len, void *user_data)
{
	struct wire *wire = user_data;

	CHECK(len <= DTLS_MTU);
	if (wire->keep)
		g_queue_push_tail(&wire->queue, g_bytes_new(buf, len));
}

static void on_event(dtls_session *session, const struct dtls_event *event, void *user_data)
{
	if (event->type == DTLS_EVENT_CONNECTED)
		CHECK(event->keys->key_len == 16);
	if (event->type == DTLS_EVENT_FAILED)
		CHECK(event->reason && event->reason[0]);
}

static const struct dtls_callbacks callbacks = {.send = on_send, .event = on_event};

static void drop_log(const char *domain, GLogLevelFlags level, const char *message,
                     gpointer user_data)
{
}

static dtls_context *context(void)
{
	static dtls_context *ctx;

	if (!ctx) {
		/* Failed handshakes are the normal outcome here; keep the output readable. */
		g_log_set_handler("cau-dtls", G_LOG_LEVEL_MASK & ~G_LOG_LEVEL_ERROR, drop_log,
		                  NULL);
		ctx = dtls_context_new(NULL, NULL, NULL);
		CHECK(ctx);
	}
	return ctx;
}

static void deliver(dtls_session *to, struct wire *wire)
{
	GBytes *dgram;

	while ((dgram = g_queue_pop_head(&wire->queue))) {
		gsize len;
		const uint8_t *bytes = g_bytes_get_data(dgram, &len);

		(void)dtls_session_receive(to, bytes, len);
		g_bytes_unref(dgram);
	}
}

/* A server session that completed a handshake with an in-process client, made once. */
static dtls_session *connected_server(void)
{
	static struct wire to_client, to_server;
	static dtls_session *server;
	dtls_session *client;
	const char *fp = dtls_context_get_fingerprint(context());

	if (server)
		return server;
	to_client.keep = to_server.keep = true;
	client = dtls_session_new(context(), DTLS_ROLE_CLIENT, "sha-256", fp, &callbacks,
	                          &to_server, NULL);
	server = dtls_session_new(context(), DTLS_ROLE_SERVER, "sha-256", fp, &callbacks,
	                          &to_client, NULL);
	CHECK(dtls_session_start(server) == 0 && dtls_session_start(client) == 0);
	for (int i = 0; i < 4; i++) {
		deliver(server, &to_server);
		deliver(client, &to_client);
	}
	CHECK(dtls_session_get_state(server) == DTLS_STATE_CONNECTED);
	CHECK(dtls_session_get_state(client) == DTLS_STATE_CONNECTED);
	/* The client is dropped without a close_notify; the server never hears of it. */
	dtls_session_free(client);
	to_client.keep = false;
	return server;
}

static void feed(dtls_session *s, const uint8_t *data, size_t size)
{
	while (size > 0) {
		size_t len = size >= 2 ? (size_t)data[0] << 8 | data[1] : size;

		if (size >= 2) {
			data += 2;
			size -= 2;
		}
		len = MIN(len, size);
		/* A private copy of exactly len bytes, so overreads show under ASan. */
		uint8_t *dgram = malloc(len ? len : 1);
		memcpy(dgram, data, len);
		(void)dtls_session_receive(s, dgram, len);
		free(dgram);
		(void)dtls_session_timeout_ms(s);
		(void)dtls_session_handle_timeout(s);
		data += len;
		size -= len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire discard;
	const char *fp;
	dtls_session *s;

	if (size < 1)
		return 0;
	fp = dtls_context_get_fingerprint(context());
	switch (data[0] % MODE_COUNT) {
	case MODE_SERVER:
	case MODE_CLIENT:
		s = dtls_session_new(context(),
		                     data[0] % MODE_COUNT == MODE_SERVER ? DTLS_ROLE_SERVER
		                                                         : DTLS_ROLE_CLIENT,
		                     "sha-256", fp, &callbacks, &discard, NULL);
		CHECK(s);
		CHECK(dtls_session_start(s) == 0);
		feed(s, data + 1, size - 1);
		dtls_session_close(s);
		dtls_session_free(s);
		break;
	default:
		s = connected_server();
		feed(s, data + 1, size - 1);
		CHECK(dtls_session_get_state(s) == DTLS_STATE_CONNECTED);
		break;
	}
	return 0;
}
