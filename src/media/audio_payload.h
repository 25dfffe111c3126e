/* SPDX-License-Identifier: MIT */
/* Reference-counted encoded audio payloads from a preallocated pool, shared between the
 * mixer and the threads that packetise them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/opus_codec.h"

/*
 * One encoded 20 ms frame. The mixer fills it and hands out borrowed pointers; anyone who
 * keeps it past the mixer's next tick (e.g. queues it to a transport worker) takes a
 * reference with audio_payload_ref() and drops it with audio_payload_unref(), from any
 * thread. Its bytes never change while a reference is held, so the transport packetises
 * one shared payload for every receiver and rewrites only the RTP header per receiver.
 */
struct audio_payload {
	int refcount; /* atomic; 0 = free in its pool */
	bool dtx;     /* 1-2 byte DTX frame: may be left unsent */
	size_t len;
	uint8_t data[AUDIO_PAYLOAD_MAX];
	struct audio_payload_pool *pool;
};

/* Takes a reference; returns p. Any thread. */
struct audio_payload *audio_payload_ref(struct audio_payload *p);

/* Drops a reference; the last one returns the payload to its pool (never freed one by
 * one). Any thread. */
void audio_payload_unref(struct audio_payload *p);

struct audio_payload_pool;

/* A pool of `size` payloads, allocated now. The creator owns one reference to the pool. */
struct audio_payload_pool *audio_payload_pool_new(unsigned size);

/* Drops the creator's reference. The memory goes when the last payload taken from the
 * pool is unreffed too, so payloads still queued elsewhere stay valid. */
void audio_payload_pool_release(struct audio_payload_pool *pool);

/*
 * Returns a free payload with one reference (the caller's), len 0, or NULL when every
 * payload is still referenced (consumers are too slow; the caller counts it). Only the
 * pool's creator thread may take; no allocation.
 */
struct audio_payload *audio_payload_pool_take(struct audio_payload_pool *pool);
