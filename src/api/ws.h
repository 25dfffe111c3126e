/* SPDX-License-Identifier: MIT */
/* The WebSocket endpoint: accepts connections on a path and answers the JSON protocol
 * of docs/protocol.md from a table of methods. */
#pragma once

#include "core/metrics.h"

#include <libsoup/soup.h>

#define WS_PATH "/ws"

struct ws_hub;

struct transport;
struct config;

/* Registers the WebSocket handler on `soup` at `path`. `registry`, `transport` (may be
 * NULL: the peer.* methods then answer "unavailable") and `conf` (the mcu rooms' [video]
 * settings; NULL: defaults) must outlive the hub. Runs on the server's main context. */
struct ws_hub *ws_hub_new(SoupServer *soup, const char *path, gint64 max_message_bytes,
                          struct metrics *registry, struct transport *transport,
                          const struct config *conf);
/* Closes every connection with 1001 (going away), closing their peers, and frees the hub. */
void ws_hub_free(struct ws_hub *hub);
