/* SPDX-License-Identifier: MIT */
/* The minutes side of `cau serve`: the organisation's certificate (configured, or a
 * self-signed one made on the first start), the minutes service, minutes generated when
 * a meeting ends and, at start-up, for meetings that ended while the server was down. */
#pragma once

#include "control/minutes.h"
#include "core/config.h"

typedef struct serve_minutes serve_minutes;

/* Loads [minutes] certificate and key, or DATA/organisation.pem and .key (made when
 * neither exists), and makes the minutes service over `st` with `clock` (both must
 * outlive it). Fails naming the key or file at fault. Catching up on missed minutes is
 * scheduled on the calling thread's main context. */
struct serve_minutes *serve_minutes_start(const struct config *cfg, struct store *st,
                                          struct clock *clock, GError **error);
void serve_minutes_free(struct serve_minutes *sm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(serve_minutes, serve_minutes_free)

/* Meeting `id` ended: its minutes are generated soon, on the main context, after the
 * request or timer that ended it has finished. Matches serve_meetings_ended_fn. */
void serve_minutes_meeting_ended(gint64 id, gpointer user_data);

/* The organisation's signer, borrowed (signer_ref() to keep it): recordings' manifests
 * are signed with it too. */
struct signer *serve_minutes_signer(struct serve_minutes *sm);

/* Borrowed by the REST context. */
struct minutes *serve_minutes_service(struct serve_minutes *sm);
