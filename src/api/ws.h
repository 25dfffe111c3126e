/* SPDX-License-Identifier: MIT */
/* The WebSocket endpoint: accepts connections on a path and answers the JSON protocol
 * of docs/protocol.md from a table of methods. */
#pragma once

#include "core/metrics.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdbool.h>

#define WS_PATH "/ws"

struct ws_hub;

struct transport;
struct rest_context;
struct config;

struct ws_config {
	gint64 max_message_bytes; /* [http] ws_max_message_bytes */
	double rate_per_s;        /* [http] ws_rate_per_s: messages a second, sustained */
	gint64 rate_burst;    /* [http] ws_rate_burst: bucket size, and refusals before a close */
	guint resume_seconds; /* [rooms] resume_seconds: how long a dropped seat is kept */
	struct transport *transport; /* NULL: the peer.* methods answer "unavailable" */
	struct rest_context *rest;   /* meetings, store, join secret; NULL: room.* unavailable */
	const struct config *config; /* the mcu rooms' [video] settings; NULL: defaults */
};

/* Registers the WebSocket handler on `soup` at `path`. `registry` and what `cfg` points to
 * must outlive the hub. Runs on the server's main context. */
struct ws_hub *ws_hub_new(SoupServer *soup, const char *path, const struct ws_config *cfg,
                          struct metrics *registry);
/* Answers a WHIP or WHEP request (api/whip.h) in the hub's rooms; the route label, or
 * NULL when `path` is not under /whip/ or /whep/. Control thread. */
const char *ws_hub_whip(struct ws_hub *hub, SoupServerMessage *msg, const char *path);
/* Meeting `meeting_id` has ended or closed: ends its room if it is live. */
void ws_hub_meeting_closed(struct ws_hub *hub, gint64 meeting_id);
/* Meeting `meeting_id`'s recording started or stopped (ws_rooms_recording_changed()). */
void ws_hub_recording_changed(struct ws_hub *hub, gint64 meeting_id, bool on, JsonNode *row);

/* Closes every connection with 1001 (going away), closing their peers, and frees the hub. */
void ws_hub_free(struct ws_hub *hub);
/* The hub's mcu rooms (mcu:NAME), e.g. for a recorder to tap; owned by the hub. */
struct mcu_rooms;
struct mcu_rooms *ws_hub_mcu_rooms(struct ws_hub *hub);
