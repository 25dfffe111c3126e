/* SPDX-License-Identifier: MIT */
/* The transport layer of the process: worker pool, ICE settings, DTLS certificate, the
 * registry of live peers and the counters behind cau_transport_* in /metrics. */
#pragma once

#include "core/config.h"
#include "core/metrics.h"

#include <glib.h>
#include <stdbool.h>

struct transport;

typedef struct transport transport;

/*
 * Reads [transport] and [ice] from conf, makes (or loads) the DTLS certificate, starts the
 * worker threads and registers the transport collector in registry (which must outlive
 * the transport). Control thread, at start-up. Fails with a message naming the key or
 * file at fault.
 */
struct transport *transport_new(const struct config *conf, struct metrics *registry,
                                GError **error);

/*
 * Closes the peers still open, waits until the workers have released them and stops the
 * workers. Control thread (the owner thread of the peers). NULL is allowed.
 */
void transport_free(struct transport *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(transport, transport_free)

/* Peers whose resources are held (not yet failed, closed and released). Any thread. */
unsigned transport_peer_count(struct transport *t);

/* The SHA-256 fingerprint of the server's DTLS certificate ("AB:CD:..."). */
const char *transport_fingerprint(const struct transport *t);
