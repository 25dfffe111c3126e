/* SPDX-License-Identifier: MIT */
/* Reference-counted encoded audio payloads from a preallocated pool, shared between the
 * mixer and the threads that packetise them. */
#include "media/audio_payload.h"

#include <glib.h>

struct audio_payload_pool {
	int refcount; /* atomic: the creator's, plus one per payload in use */
	unsigned size;
	unsigned next; /* where the next search starts (creator thread only) */
	struct audio_payload *payloads;
};

static void pool_unref(struct audio_payload_pool *pool)
{
	if (g_atomic_int_dec_and_test(&pool->refcount)) {
		g_free(pool->payloads);
		g_free(pool);
	}
}

struct audio_payload *audio_payload_ref(struct audio_payload *p)
{
	g_atomic_int_inc(&p->refcount);
	return p;
}

void audio_payload_unref(struct audio_payload *p)
{
	if (g_atomic_int_dec_and_test(&p->refcount))
		pool_unref(p->pool);
}

struct audio_payload_pool *audio_payload_pool_new(unsigned size)
{
	struct audio_payload_pool *pool = g_new0(struct audio_payload_pool, 1);

	pool->refcount = 1;
	pool->size = MAX(size, 1u);
	pool->payloads = g_new0(struct audio_payload, pool->size);
	for (unsigned i = 0; i < pool->size; i++)
		pool->payloads[i].pool = pool;
	return pool;
}

void audio_payload_pool_release(struct audio_payload_pool *pool)
{
	if (pool)
		pool_unref(pool);
}

struct audio_payload *audio_payload_pool_take(struct audio_payload_pool *pool)
{
	for (unsigned n = 0; n < pool->size; n++) {
		struct audio_payload *p = &pool->payloads[(pool->next + n) % pool->size];

		/* Only this thread raises a count from 0, so a 0 seen here stays 0. */
		if (g_atomic_int_get(&p->refcount) == 0) {
			pool->next = (pool->next + n + 1) % pool->size;
			g_atomic_int_inc(&pool->refcount);
			g_atomic_int_set(&p->refcount, 1);
			p->len = 0;
			p->dtx = false;
			return p;
		}
	}
	return NULL;
}
