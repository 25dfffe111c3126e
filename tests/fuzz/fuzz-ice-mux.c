/* SPDX-License-Identifier: MIT */
/* libFuzzer target: what a worker's shared socket does with datagrams ([ice] lite,
 * ice_mux.c) -- STUN parsing, demultiplexing by USERNAME and by source address, the
 * checks' credentials, the pair the first valid check selects, consent answers, and the
 * hand-off of everything else to the peer it routes to -- with two lite peers on one mux,
 * made and freed per input on the worker's thread as the transport does.
 *
 * Input: records [flags:1][length:2, big endian][bytes:length] until the data ends.
 *   flags & 1  from a stranger's address, else from the remote of peer (flags >> 4) & 1
 *   flags & 2  cut short (as recvmmsg() reports a datagram larger than its buffer)
 *   flags & 4  instead of the bytes, a Binding request signed with that peer's password
 *              (USERNAME "its ufrag:r" + the bytes, at most 32 of them): a valid check
 */
#include "fuzz.h"
#include "proto/stun.h"
#include "transport/ice_mux.h"
#include "transport/ice_private.h"

#include <arpa/inet.h>
#include <string.h>

#define PEERS 2

static struct worker_pool *pool;
static struct ice_mux *mux;
static struct ice_config cfg;
static char *addresses[] = {"127.0.0.1", NULL};
static const char *ufrags[PEERS] = {"fuzzAAAA", "fuzzBBBB"};
static const char *pwds[PEERS] = {"passwordpasswordpassword", "drowssapdrowssapdrowssap"};
static uint64_t received;

struct job {
	const uint8_t *data;
	size_t size;
	GMutex lock;
	GCond cond;
	bool done;
};

static void on_candidate(const char *candidate, void *user_data)
{
}

static void on_state(enum ice_state state, const char *reason, void *user_data)
{
}

static void on_receive(uint8_t *buf, size_t len, void *user_data)
{
	CHECK(len > 0 && len <= 4096);
	received += buf[0] + buf[len - 1];
}

static const struct ice_callbacks callbacks = {on_candidate, on_state, on_receive};

static void mute(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
}

static void address(struct sockaddr_storage *out, unsigned port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)out;

	memset(out, 0, sizeof(*out));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static size_t signed_check(uint8_t *out, size_t cap, unsigned peer, const uint8_t *tail, size_t len)
{
	char username[64];
	uint8_t transaction[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	size_t n = strlen(ufrags[peer]);

	memcpy(username, ufrags[peer], n);
	username[n++] = ':';
	username[n++] = 'r'; /* the remote's part is never empty */
	for (size_t i = 0; i < len && i < 32; i++)
		username[n++] = (char)('a' + (tail[i] % 26));
	username[n] = '\0';
	return stun_write_binding_request(out, cap, transaction, username, 1234, true, 42,
	                                  pwds[peer], strlen(pwds[peer]));
}

static void run(const uint8_t *data, size_t size)
{
	struct ice *ice[PEERS];
	static uint8_t buf[4096];

	for (unsigned i = 0; i < PEERS; i++) {
		ice[i] = ice_new(worker_pool_get(pool, 0), &cfg, mux, false, ufrags[i], pwds[i],
		                 &callbacks, NULL, "fuzz");
		CHECK(ice_gather(ice[i], NULL));
		CHECK(
		    ice_set_remote_credentials(ice[i], "remote", "remotepasswordremotepass", NULL));
	}
	while (size >= 3) {
		uint8_t flags = data[0];
		size_t len = (size_t)data[1] << 8 | data[2];
		unsigned peer = (flags >> 4) & 1;
		struct sockaddr_storage from;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		address(&from, flags & 1 ? 40100 : 40000 + peer);
		if (flags & 4) {
			size_t n = signed_check(buf, sizeof(buf), peer, data, len);

			CHECK(n > 0);
			ice_mux_dispatch(mux, 0, buf, n, false, &from);
			/* A valid check selects a pair (lite), from wherever it came. */
			CHECK(atomic_load(&ice[peer]->path) != NULL);
		} else if (len <= sizeof(buf)) {
			memcpy(buf, data, len); /* the receive path may write into the datagram */
			ice_mux_dispatch(mux, 0, buf, len, flags & 2, &from);
		}
		data += len;
		size -= len;
	}
	for (unsigned i = 0; i < PEERS; i++)
		ice_free(ice[i]);
}

static gboolean run_on_worker(gpointer data)
{
	struct job *job = data;

	run(job->data, job->size);
	g_mutex_lock(&job->lock);
	job->done = true;
	g_cond_signal(&job->cond);
	g_mutex_unlock(&job->lock);
	return G_SOURCE_REMOVE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct job job = {.data = data, .size = size};

	if (!pool) {
		g_log_set_default_handler(mute, NULL);
		pool = worker_pool_new(1);
		cfg.addresses = addresses;
		mux = ice_mux_new(worker_pool_get(pool, 0), &cfg, 0, NULL);
		CHECK(mux != NULL);
	}
	g_mutex_init(&job.lock);
	g_cond_init(&job.cond);
	worker_invoke(worker_pool_get(pool, 0), run_on_worker, &job, NULL);
	g_mutex_lock(&job.lock);
	while (!job.done)
		g_cond_wait(&job.cond, &job.lock);
	g_mutex_unlock(&job.lock);
	g_mutex_clear(&job.lock);
	g_cond_clear(&job.cond);
	return 0;
}
