/* SPDX-License-Identifier: MIT */
/* Reference-counted encoded video frames of one (view, tier) stream, with their RTP
 * payloads cut once and shared by every receiver; from pools that reuse their buffers. */
#include "media/video_encoded.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "proto/vp8.h"

struct video_encoded_pool {
	int refcount; /* atomic: the creator's, plus one per frame in use */
	unsigned count;
	unsigned next;
	uint64_t grows;
	struct video_encoded *frames;
};

static void pool_unref(struct video_encoded_pool *pool)
{
	if (!g_atomic_int_dec_and_test(&pool->refcount))
		return;
	for (unsigned i = 0; i < pool->count; i++) {
		g_free(pool->frames[i].data);
		g_free(pool->frames[i].payloads);
		g_free(pool->frames[i].packet_table);
	}
	g_free(pool->frames);
	g_free(pool);
}

struct video_encoded *video_encoded_ref(struct video_encoded *e)
{
	g_atomic_int_inc(&e->refcount);
	return e;
}

void video_encoded_unref(struct video_encoded *e)
{
	if (e && g_atomic_int_dec_and_test(&e->refcount))
		pool_unref(e->pool);
}

const uint8_t *video_encoded_payload(const struct video_encoded *e, unsigned i, size_t *len,
                                     bool *marker)
{
	*len = e->packets[i].len;
	*marker = e->packets[i].marker;
	return e->payloads + e->packets[i].offset;
}

struct video_encoded_pool *video_encoded_pool_new(unsigned count)
{
	struct video_encoded_pool *pool = g_new0(struct video_encoded_pool, 1);

	pool->refcount = 1;
	pool->count = MAX(count, 1u);
	pool->frames = g_new0(struct video_encoded, pool->count);
	for (unsigned i = 0; i < pool->count; i++)
		pool->frames[i].pool = pool;
	return pool;
}

void video_encoded_pool_release(struct video_encoded_pool *pool)
{
	if (pool)
		pool_unref(pool);
}

uint64_t video_encoded_pool_grows(const struct video_encoded_pool *pool)
{
	return pool->grows;
}

struct video_encoded *video_encoded_pool_take(struct video_encoded_pool *pool)
{
	for (unsigned n = 0; n < pool->count; n++) {
		struct video_encoded *e = &pool->frames[(pool->next + n) % pool->count];
		struct video_encoded keep;

		/* Only this thread raises a count from 0, so a 0 seen here stays 0. */
		if (g_atomic_int_get(&e->refcount) != 0)
			continue;
		pool->next = (pool->next + n + 1) % pool->count;
		keep = *e;
		*e = (struct video_encoded){
		    .data = keep.data,
		    .data_cap = keep.data_cap,
		    .payloads = keep.payloads,
		    .payloads_cap = keep.payloads_cap,
		    .packet_table = keep.packet_table,
		    .packets = keep.packet_table,
		    .packets_cap = keep.packets_cap,
		    .pool = pool,
		};
		g_atomic_int_inc(&pool->refcount);
		g_atomic_int_set(&e->refcount, 1);
		return e;
	}
	return NULL;
}

/* Makes buf hold at least need bytes, doubling, so a stream's buffers settle quickly. */
static void reserve(struct video_encoded_pool *pool, uint8_t **buf, size_t *cap, size_t need)
{
	if (*cap >= need)
		return;
	g_free(*buf);
	*cap = MAX(need, MAX(*cap * 2, (size_t)16384));
	*buf = g_malloc(*cap);
	pool->grows++;
}

int video_encoded_set(struct video_encoded *e, const uint8_t *data, size_t len, size_t max_payload)
{
	struct vp8_descriptor desc = {
	    .non_reference = e->non_reference,
	    .has_picture_id = true,
	    .long_picture_id = true,
	    .picture_id = e->picture_id & VP8_PICTURE_ID_15BIT,
	    .has_tl0picidx = e->has_layers,
	    .tl0picidx = e->tl0picidx,
	    .has_tid = e->has_layers,
	    .tid = e->tid,
	    .layer_sync = e->layer_sync,
	};
	struct vp8_packetizer p;
	size_t count, pos = 0, plen;
	bool marker;

	if (vp8_packetizer_init(&p, data, len, max_payload, &desc) < 0)
		return -EINVAL;
	count = vp8_packetizer_count(&p);
	reserve(e->pool, &e->data, &e->data_cap, len);
	reserve(e->pool, &e->payloads, &e->payloads_cap, len + count * VP8_DESCRIPTOR_MAX);
	if (e->packets_cap < count) {
		g_free(e->packet_table);
		e->packets_cap = (unsigned)MAX(count, (size_t)e->packets_cap * 2);
		e->packet_table = g_new(struct video_packet, e->packets_cap);
		e->pool->grows++;
	}
	memcpy(e->data, data, len);
	e->len = len;
	/* Cut the pool's copy: the caller's bytes may go away once this returns. */
	vp8_packetizer_init(&p, e->data, len, max_payload, &desc);
	for (unsigned i = 0; i < count; i++) {
		vp8_packetizer_next(&p, e->payloads + pos, e->payloads_cap - pos, &plen, &marker);
		e->packet_table[i] = (struct video_packet){(uint32_t)pos, (uint16_t)plen, marker};
		pos += plen;
	}
	e->packets = e->packet_table;
	e->packet_count = (unsigned)count;
	return 0;
}
