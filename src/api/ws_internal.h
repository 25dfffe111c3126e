/* SPDX-License-Identifier: MIT */
/* What the WebSocket method handlers share (ws.c, ws_peer.c): connections, calls answered
 * later, events, and the per-connection peers. Control thread only. */
#pragma once

#include "ws.h"

#include <json-glib/json-glib.h>
#include <stdbool.h>

struct ws_conn;
struct ws_call;

/*
 * A method: returns the result (owned by the caller), or NULL with error set, or NULL
 * without error after ws_call_defer(call): the reply comes later through
 * ws_call_finish(). Replies leave in the order of the requests, and an event sent while a
 * reply is pending waits for that reply.
 */
typedef JsonNode *(*ws_method_fn)(struct ws_conn *conn, struct ws_call *call, JsonObject *params,
                                  GError **error);

struct ws_method {
	const char *name;
	ws_method_fn fn;
};

/* The peer.* methods (ws_peer.c). */
extern const struct ws_method ws_peer_methods[];
extern const size_t ws_peer_method_count;

/* Marks call as answered later. */
void ws_call_defer(struct ws_call *call);

/* Answers a deferred call with result (taken) or error (borrowed). */
void ws_call_finish(struct ws_call *call, JsonNode *result, const GError *error);
/* Answers a deferred call with a result written as JSON text (an object; borrowed), for
 * results too large to build as a tree. */
void ws_call_finish_text(struct ws_call *call, const char *result_json);

/* Sends {"event": name, "data": data} (data taken) after the replies pending now. Like
 * every message, it is written at the end of the main loop iteration, batched with the
 * connection's other messages. */
void ws_conn_send_event(struct ws_conn *conn, const char *name, JsonNode *data);

/* The text of {"event": name, "data": data} (data taken), made once for many
 * connections; the caller owns the reference. */
GBytes *ws_event_text(const char *name, JsonNode *data);

/* Sends an event's text made by ws_event_text() (a reference is taken, the text is
 * shared, not copied) after the replies pending now. */
void ws_conn_send_event_text(struct ws_conn *conn, GBytes *text);

/* The connection's number, for log lines. */
guint64 ws_conn_id(const struct ws_conn *conn);

/* The transport (NULL when the server runs without one). */
struct transport *ws_conn_transport(const struct ws_conn *conn);

/* The mcu rooms of the server (conference/mcu_room.h). */
struct mcu_rooms *ws_conn_mcu_rooms(const struct ws_conn *conn);

/* The connection's peers: id -> struct ws_peer_entry (ws_peer.c), made with the
 * connection; when it ends, ws_peer_entry_free() closes and drops each. */
GHashTable *ws_conn_peers(struct ws_conn *conn);
void ws_peer_entry_free(gpointer entry);
