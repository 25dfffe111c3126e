/* SPDX-License-Identifier: MIT */
/* The HTTP and WebSocket server (libsoup 3): routing from a table, JSON errors, request
 * size limits, per-route metrics, static files of web/, and /ws. */
#pragma once

#include "core/metrics.h"
#include "rest.h"

struct transport;
struct config;

#include <libsoup/soup.h>
#include <stdbool.h>

struct http_config {
	const char *host;
	guint port; /* 0: pick a free port */
	const char *web_root;
	const char *pdfjs_dir; /* pdf.js served at /vendor/pdfjs/; NULL or "": not served */
	gint64 max_body_bytes;
	gint64 ws_max_message_bytes;
	double ws_rate_per_s;        /* per-connection message rate (token bucket refill) */
	gint64 ws_rate_burst;        /* bucket size; refusals in a row before a close */
	guint room_resume_seconds;   /* how long a dropped room seat waits for its client */
	struct transport *transport; /* peers for /ws; NULL: none (peer.* unavailable) */
	const struct config *config; /* [video] settings of mcu rooms; NULL: defaults */
};

typedef struct http_server http_server;

/* Starts listening on the main context of the calling thread. `registry` must outlive
 * the server; the server registers its collectors there. `rest` (may be NULL: no
 * /api/v1) must outlive it too. Fails with a message naming the address when it cannot
 * listen. */
struct http_server *http_server_new(const struct http_config *cfg, struct metrics *registry,
                                    struct rest_context *rest, GError **error);
/* Closes WebSocket connections (code 1001) and stops listening. */
void http_server_free(struct http_server *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(http_server, http_server_free)

/* The address actually bound, e.g. "127.0.0.1:8080" (the port resolved when 0 was asked
 * for). Owned by the server. */
const char *http_server_address(const struct http_server *srv);

/* The mcu rooms of the server's WebSocket hub (owned by the server; they go with it). */
struct mcu_rooms;
struct mcu_rooms *http_server_mcu_rooms(struct http_server *srv);

/* Meeting `meeting_id` has ended or closed: its room, if live, ends (room.ending to its
 * participants, their peers closed). Main context. */
void http_server_meeting_closed(struct http_server *srv, gint64 meeting_id);

/* Meeting `meeting_id`'s recording started (`on`) or stopped, whoever did it: its room's
 * participants get room.recording with `row` (the recording as REST shows it; borrowed;
 * may be NULL). Main context. */
void http_server_recording_changed(struct http_server *srv, gint64 meeting_id, bool on,
                                   JsonNode *row);

/* Replies with {"error": {"code": ..., "message": ...}} and the code's HTTP status. */
void http_reply_error(SoupServerMessage *msg, int code, const char *format, ...)
    G_GNUC_PRINTF(3, 4);
/* Replies with a JSON body and `status`; takes the text. */
void http_reply_json(SoupServerMessage *msg, guint status, char *json_text);
