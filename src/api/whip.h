/* SPDX-License-Identifier: MIT */
/* WHIP ingest and WHEP egress (RFC 9725) for meeting rooms: an HTTP offer/answer that
 * seats a device in a meeting's room as a sending participant or a receiving viewer. */
#pragma once

#include <libsoup/soup.h>

#define WHIP_PREFIX "/whip/"
#define WHEP_PREFIX "/whep/"

struct whip;
struct ws_rooms;
struct transport;

/* The WHIP/WHEP sessions of the rooms `wr` (borrowed; outlives the result). `t` may be
 * NULL: every POST is then answered 503. Control thread. */
struct whip *whip_new(struct ws_rooms *wr, struct transport *t);
/* Closes every session's peer without room events (shutdown, before the rooms go). */
void whip_free(struct whip *whip);

/* Answers a request under /whip/ or /whep/ (docs/whip.md); returns the route label for
 * the metrics, or NULL when `path` is not one of them. A POST's answer may come later
 * (the message is paused meanwhile). Control thread. */
const char *whip_dispatch(struct whip *whip, SoupServerMessage *msg, const char *path);
