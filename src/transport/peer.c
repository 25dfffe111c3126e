/* SPDX-License-Identifier: MIT */
/* A peer's lifecycle: negotiation on the owner's thread, ICE and DTLS on its worker,
 * news back to the owner, release of everything on failure or close. */
#define G_LOG_DOMAIN "cau-peer"
#include "peer_internal.h"

#include "proto/sdp.h"

#include <errno.h>
#include <string.h>

static const char *const state_names[] = {"new", "connecting", "connected", "failed", "closed"};

const char *peer_error_name(enum peer_error error)
{
	static const char *const names[PEER_ERROR_COUNT] = {
	    [PEER_ERROR_NONE] = "none",
	    [PEER_ERROR_DTLS_FINGERPRINT] = "dtls_fingerprint",
	    [PEER_ERROR_DTLS] = "dtls_failed",
	    [PEER_ERROR_ICE] = "ice_failed",
	    [PEER_ERROR_CONSENT] = "consent_expired",
	    [PEER_ERROR_CONNECT_TIMEOUT] = "connect_timeout",
	    [PEER_ERROR_INTERNAL] = "internal",
	};

	return (unsigned)error < PEER_ERROR_COUNT ? names[error] : "internal";
}

const char *peer_state_name(enum peer_state state)
{
	return (unsigned)state < G_N_ELEMENTS(state_names) ? state_names[state] : "?";
}

/* ---- news for the owner ---- */

struct owner_event {
	struct peer *peer;
	bool is_state;
	enum peer_state state;
	enum peer_error error;
	char *text; /* reason, or candidate (NULL: end of candidates) */
};

static void owner_event_free(gpointer data)
{
	struct owner_event *ev = data;

	peer_unref(ev->peer);
	g_free(ev->text);
	g_free(ev);
}

static void deliver_candidate(struct peer *p, const char *candidate)
{
	const struct peer_track *tag = &p->neg.tracks[0];

	if (candidate)
		g_ptr_array_add(p->local_candidates, g_strdup(candidate));
	else
		p->gathering_done = true;
	if (p->trickle_local && p->events.candidate)
		p->events.candidate(p, candidate, tag->mid, tag->mline, p->user_data);
	if (!candidate && p->desc_done)
		peer_finish_description(p, NULL);
}

static gboolean deliver(gpointer data)
{
	struct owner_event *ev = data;
	struct peer *p = ev->peer;

	if (p->closed_by_owner)
		return G_SOURCE_REMOVE;
	if (!ev->is_state) {
		deliver_candidate(p, ev->text);
		return G_SOURCE_REMOVE;
	}
	if (peer_state_is_final(ev->state) && p->desc_done) {
		g_autoptr(GError) error =
		    g_error_new(G_IO_ERROR, G_IO_ERROR_CLOSED, "peer %s: %s",
		                peer_state_name(ev->state), ev->text ? ev->text : "");
		peer_finish_description(p, error);
	}
	if (p->events.state && !p->closed_by_owner) /* the description's owner may have closed */
		p->events.state(p, ev->state, ev->error, ev->text, p->user_data);
	return G_SOURCE_REMOVE;
}

static void post(struct peer *p, bool is_state, enum peer_state state, enum peer_error error,
                 const char *text)
{
	struct owner_event *ev = g_new0(struct owner_event, 1);

	if (!p->owner) {
		g_free(ev);
		return;
	}
	ev->peer = peer_ref(p);
	ev->is_state = is_state;
	ev->state = state;
	ev->error = error;
	ev->text = g_strdup(text);
	/* Always through the owner's queue, even from the owner's thread, so that news
	 * arrives in order and never inside the owner's own call into the peer. */
	GSource *src = g_idle_source_new();
	g_source_set_priority(src, G_PRIORITY_DEFAULT);
	g_source_set_callback(src, deliver, ev, owner_event_free);
	g_source_attach(src, p->owner);
	g_source_unref(src);
}

/* Moves to state unless the peer is already in a final state. Returns whether it moved. */
static bool set_state(struct peer *p, enum peer_state state, enum peer_error error,
                      const char *reason)
{
	gint old = g_atomic_int_get(&p->state);

	do {
		if (peer_state_is_final(old) || old == (gint)state)
			return false;
	} while (!g_atomic_int_compare_and_exchange_full(&p->state, old, state, &old));
	if (reason)
		g_info("[peer %s] %s: %s", p->id, peer_state_name(state), reason);
	else
		g_info("[peer %s] %s", p->id, peer_state_name(state));
	post(p, true, state, error, reason);
	return true;
}

/* ---- releasing resources (worker) ---- */

static void release(struct peer *p)
{
	struct ice *ice;

	if (p->released)
		return;
	p->released = true;
	if (p->ticking) {
		worker_remove_ticker(p->worker, p);
		p->ticking = false;
	}
	if (p->dtls) {
		dtls_session_close(p->dtls); /* close_notify if the handshake completed */
		g_clear_pointer(&p->dtls, dtls_session_free);
	}
	g_rw_lock_writer_lock(&p->ice_lock);
	ice = g_steal_pointer(&p->ice);
	g_rw_lock_writer_unlock(&p->ice_lock);
	ice_free(ice);
	g_mutex_lock(&p->send_lock);
	g_clear_pointer(&p->srtp, cau_srtp_free);
	g_mutex_unlock(&p->send_lock);
	remote_transport_clear(&p->remote);
	peer_publish_stats(p);
	if (p->worker)
		worker_release(p->worker);
	g_atomic_int_dec_and_test(&p->transport->live);
	g_debug("[peer %s] released", p->id);
}

static gboolean release_idle(gpointer data)
{
	release(data);
	return G_SOURCE_REMOVE;
}

void peer_fail(struct peer *p, enum peer_error error, const char *reason)
{
	bool closed = error == PEER_ERROR_NONE;

	if (!set_state(p, closed ? PEER_STATE_CLOSED : PEER_STATE_FAILED, error, reason))
		return;
	if (!closed)
		transport_count_failure(p->transport, error);
	if (!p->worker)
		return;
	/* Never from inside a libnice or DTLS callback: from the worker's loop. */
	GSource *src = g_idle_source_new();
	g_source_set_callback(src, release_idle, peer_ref(p), (GDestroyNotify)peer_unref);
	g_source_attach(src, worker_context(p->worker));
	g_source_unref(src);
}

int peer_transmit(struct peer *p, const uint8_t *buf, size_t len)
{
	int ret = -ENOTCONN;

	if (p->sink) {
		p->sink(buf, len, p->sink_data);
		return 0;
	}
	g_rw_lock_reader_lock(&p->ice_lock);
	if (p->ice)
		ret = ice_send(p->ice, buf, len);
	g_rw_lock_reader_unlock(&p->ice_lock);
	return ret;
}

static bool segmentable(const size_t *lens, size_t count)
{
	if (count < 2 || lens[count - 1] > lens[0])
		return false;
	for (size_t i = 1; i + 1 < count; i++)
		if (lens[i] != lens[0])
			return false;
	return true;
}

int peer_transmit_many(struct peer *p, const uint8_t *buf, const size_t *lens, size_t count)
{
	size_t total = 0;
	int ret = 0;

	for (size_t i = 0; i < count; i++)
		total += lens[i];
	if (!p->sink && segmentable(lens, count) && total <= ICE_SEGMENTS_MAX_BYTES &&
	    count <= ICE_SEGMENTS_MAX) {
		bool offloaded = false;

		ret = -ENOTCONN;
		g_rw_lock_reader_lock(&p->ice_lock);
		if (p->ice)
			ret = ice_send_segments(p->ice, buf, lens[0], total, &offloaded);
		g_rw_lock_reader_unlock(&p->ice_lock);
		if (offloaded)
			transport_count(p->transport, COUNT_OFFLOADED_OUT, (int64_t)count);
		return ret;
	}
	for (size_t i = 0, off = 0; i < count; off += lens[i++]) {
		int err = peer_transmit(p, buf + off, lens[i]);

		if (err && !ret)
			ret = err;
	}
	return ret;
}

/* ---- DTLS (worker) ---- */

static void dtls_send(const uint8_t *buf, size_t len, void *user_data)
{
	peer_transmit(user_data, buf, len);
}

/* The SSRCs of the tracks, media before retransmissions (the more used first), for
 * cau_srtp_new_with_ssrcs(). Called with send_lock held, or before the peer is shared. */
static void known_ssrcs(const struct peer *p, struct cau_srtp_ssrcs *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < p->track_count && out->n_local < CAU_SRTP_KNOWN_MAX; i++) {
			const struct peer_track *t = &p->tracks[i];

			out->local[out->n_local++] = pass ? t->local_rtx_ssrc : t->local_ssrc;
			out->remote[out->n_remote++] = pass ? t->remote_rtx_ssrc : t->remote_ssrc;
		}
}

static void on_dtls_connected(struct peer *p, const struct cau_srtp_keys *keys)
{
	g_autoptr(GError) error = NULL;
	struct cau_srtp_ssrcs known;
	struct cau_srtp *srtp;

	g_mutex_lock(&p->send_lock);
	known_ssrcs(p, &known);
	g_mutex_unlock(&p->send_lock);
	srtp = cau_srtp_new_with_ssrcs(keys, &known, &error);

	if (!srtp) {
		peer_fail(p, PEER_ERROR_INTERNAL, error->message);
		return;
	}
	g_mutex_lock(&p->send_lock);
	p->srtp = srtp;
	g_mutex_unlock(&p->send_lock);
	p->connected_us = p->now_us();
	g_info("[peer %s] dtls: connected as %s, %s", p->id,
	       dtls_role_name(dtls_session_get_role(p->dtls)),
	       cau_srtp_profile_name(keys->profile));
	set_state(p, PEER_STATE_CONNECTED, PEER_ERROR_NONE, NULL);
}

static void dtls_event(dtls_session *session, const struct dtls_event *ev, void *user_data)
{
	struct peer *p = user_data;
	g_autofree char *reason = NULL;

	switch (ev->type) {
	case DTLS_EVENT_CONNECTED:
		on_dtls_connected(p, ev->keys);
		break;
	case DTLS_EVENT_FAILED:
		reason = g_strdup_printf("dtls: %s", ev->reason ? ev->reason : "handshake failed");
		/* dtls.c says "fingerprint mismatch" for a certificate its SDP does not name. */
		peer_fail(p,
		          ev->reason && strstr(ev->reason, "fingerprint")
		              ? PEER_ERROR_DTLS_FINGERPRINT
		              : PEER_ERROR_DTLS,
		          reason);
		break;
	case DTLS_EVENT_CLOSED:
		peer_fail(p, PEER_ERROR_NONE,
		          "the remote closed the connection (DTLS close_notify)");
		break;
	}
}

static const struct dtls_callbacks dtls_callbacks = {
    .send = dtls_send,
    .event = dtls_event,
};

static void update_dtls_timer(struct peer *p, int64_t now_us)
{
	int ms = p->dtls ? dtls_session_timeout_ms(p->dtls) : -1;

	p->dtls_deadline_us = ms < 0 ? 0 : now_us + (int64_t)ms * 1000;
}

void peer_dtls_receive(struct peer *p, const uint8_t *buf, size_t len, int64_t now_us);
void peer_dtls_receive(struct peer *p, const uint8_t *buf, size_t len, int64_t now_us)
{
	if (!p->dtls)
		return; /* before the remote fingerprint is known: it will retransmit */
	dtls_session_receive(p->dtls, buf, len);
	if (p->dtls)
		update_dtls_timer(p, now_us);
}

static void start_dtls(struct peer *p)
{
	if (!p->dtls || dtls_session_get_state(p->dtls) != DTLS_STATE_NEW)
		return;
	if (dtls_session_get_role(p->dtls) == DTLS_ROLE_CLIENT) {
		g_debug("[peer %s] dtls: starting as client", p->id);
		dtls_session_start(p->dtls);
		update_dtls_timer(p, p->now_us());
	}
}

/* ---- ICE (worker) ---- */

static void ice_candidate(const char *candidate, void *user_data)
{
	post(user_data, false, 0, PEER_ERROR_NONE, candidate);
}

static void ice_state(enum ice_state state, const char *reason, void *user_data)
{
	struct peer *p = user_data;

	switch (state) {
	case ICE_STATE_CHECKING:
		set_state(p, PEER_STATE_CONNECTING, PEER_ERROR_NONE, NULL);
		break;
	case ICE_STATE_CONNECTED:
		g_info("[peer %s] ice: connected", p->id);
		p->ice_connected = true;
		set_state(p, PEER_STATE_CONNECTING, PEER_ERROR_NONE, NULL);
		start_dtls(p);
		break;
	case ICE_STATE_CONSENT_LOST:
		/* Not fatal by itself (see ice.h): the liveness check in the timer closes the
		 * peer if nothing authenticated arrives for [ice] consent_timeout_s. */
		g_warning("[peer %s] %s; closing if nothing arrives for %" G_GINT64_FORMAT " s",
		          p->id, reason,
		          p->transport->settings.consent_timeout_us / G_USEC_PER_SEC);
		transport_count(p->transport, COUNT_CONSENT_LOST, 1);
		break;
	case ICE_STATE_FAILED:
		peer_fail(p, PEER_ERROR_ICE, reason);
		break;
	default:
		break;
	}
}

static void ice_receive(uint8_t *buf, size_t len, void *user_data)
{
	struct peer *p = user_data;
	int64_t now = p->now_us();

	p->last_recv_us = now;
	peer_receive(p, buf, len, now);
}

static const struct ice_callbacks ice_callbacks = {
    .candidate = ice_candidate,
    .state = ice_state,
    .receive = ice_receive,
};

void peer_add_candidate(struct peer *p, const char *candidate)
{
	g_autoptr(GError) error = NULL;

	if (!ice_add_remote_candidate(p->ice, candidate, &error))
		g_debug("[peer %s] %s", p->id, error->message);
}

void peer_apply_remote(struct peer *p)
{
	g_autoptr(GError) error = NULL;

	if (!p->ice || p->released)
		return;
	if (!ice_set_remote_credentials(p->ice, p->remote.ice_ufrag, p->remote.ice_pwd, &error)) {
		peer_fail(p, PEER_ERROR_ICE, error->message);
		return;
	}
	for (unsigned i = 0; p->remote.candidates && i < p->remote.candidates->len; i++)
		peer_add_candidate(p, g_ptr_array_index(p->remote.candidates, i));
	if (p->remote.end_of_candidates)
		ice_remote_gathering_done(p->ice);
	p->dtls = dtls_session_new(p->transport->dtls, p->dtls_role, p->remote.fingerprint_alg,
	                           p->remote.fingerprint, &dtls_callbacks, p, &error);
	if (!p->dtls) {
		g_autofree char *reason = g_strdup_printf("dtls: %s", error->message);
		peer_fail(p, PEER_ERROR_DTLS, reason);
		return;
	}
	p->remote_known = true;
	if (p->ice_connected)
		start_dtls(p); /* ICE connected before the answer came (remote checks first) */
}

static int64_t tick_cb(void *data)
{
	return peer_tick(data, ((struct peer *)data)->now_us());
}

static gboolean start_on_worker(gpointer data)
{
	struct peer *p = data;
	g_autoptr(GError) error = NULL;

	if (p->released || peer_state_is_final(g_atomic_int_get(&p->state))) {
		release(p);
		return G_SOURCE_REMOVE;
	}
	p->ice =
	    ice_new(p->worker, &p->transport->settings.ice, transport_mux(p->transport, p->worker),
	            p->controlling, p->ufrag, p->pwd, &ice_callbacks, p, p->id);
	worker_add_ticker(p->worker, tick_cb, p);
	p->ticking = true;
	if (!ice_gather(p->ice, &error)) {
		peer_fail(p, PEER_ERROR_ICE, error->message);
		return G_SOURCE_REMOVE;
	}
	if (p->remote.ice_ufrag)
		peer_apply_remote(p);
	return G_SOURCE_REMOVE;
}

/* ---- making peers ---- */

int64_t peer_monotonic_us(void)
{
	return g_get_monotonic_time();
}

struct peer *peer_alloc(struct transport *t, const struct peer_events *events,
                        const struct peer_media *media, void *user_data)
{
	struct peer *p = g_new0(struct peer, 1);

	p->refcount = 1;
	p->transport = t;
	p->now_us = peer_monotonic_us;
	p->created_us = p->now_us();
	g_mutex_init(&p->send_lock);
	g_mutex_init(&p->stats_lock);
	g_rw_lock_init(&p->ice_lock);
	if (events)
		p->events = *events;
	if (media)
		p->media = *media;
	p->user_data = user_data;
	p->local_candidates = g_ptr_array_new_with_free_func(g_free);
	p->state = PEER_STATE_NEW;
	transport_register_peer(t, p, p->id);
	transport_count(t, COUNT_PEERS_CREATED, 1);
	return p;
}

void peer_install_tracks(struct peer *p)
{
	g_mutex_lock(&p->send_lock);
	p->track_count = p->neg.track_count;
	memcpy(p->tracks, p->neg.tracks, sizeof(p->tracks));
	peer_streams_init(p);
	g_mutex_unlock(&p->send_lock);
}

void peer_start(struct peer *p)
{
	p->owner = g_main_context_ref_thread_default();
	ice_make_credentials(&p->ufrag, &p->pwd);
	peer_install_tracks(p);
	p->worker = worker_pool_acquire(p->transport->workers);
	g_atomic_int_inc(&p->transport->live);
	g_info("[peer %s] created on worker %u (%u track%s, %s)", p->id, worker_index(p->worker),
	       p->track_count, p->track_count == 1 ? "" : "s",
	       p->controlling ? "server offers" : "client offered");
	worker_invoke(p->worker, start_on_worker, peer_ref(p), (GDestroyNotify)peer_unref);
}

/* ---- closing and references ---- */

static gboolean close_on_worker(gpointer data)
{
	release(data);
	return G_SOURCE_REMOVE;
}

void peer_close(struct peer *p, const char *reason)
{
	gint old;

	if (p->closed_by_owner)
		return;
	p->closed_by_owner = true;
	p->desc_done = NULL;
	/* The contract says no media callback after this returns, and the layer above frees
	 * their user_data next: wait out one that a worker is inside now (it is short). */
	g_atomic_int_set(&p->media_closed, 1);
	while (g_atomic_int_get(&p->media_busy) > 0)
		g_thread_yield();
	old = g_atomic_int_get(&p->state);
	if (!peer_state_is_final(old)) {
		g_atomic_int_set(&p->state, PEER_STATE_CLOSED);
		g_info("[peer %s] closed: %s", p->id, reason ? reason : "by its owner");
	}
	if (p->worker)
		worker_invoke(p->worker, close_on_worker, peer_ref(p), (GDestroyNotify)peer_unref);
}

bool peer_media_enter(struct peer *p)
{
	g_atomic_int_inc(&p->media_busy);
	if (g_atomic_int_get(&p->media_closed)) {
		g_atomic_int_dec_and_test(&p->media_busy);
		return false;
	}
	return true;
}

void peer_media_leave(struct peer *p)
{
	g_atomic_int_dec_and_test(&p->media_busy);
}

struct peer *peer_ref(struct peer *p)
{
	g_atomic_int_inc(&p->refcount);
	return p;
}

static void peer_finalize(struct peer *p)
{
	if (!p->released) {
		/* Only a bare peer (or one never started) gets here unreleased. */
		g_warn_if_fail(p->worker == NULL);
		p->released = true;
		g_clear_pointer(&p->srtp, cau_srtp_free);
		remote_transport_clear(&p->remote);
	}
	transport_unregister_peer(p->transport, p->id);
	peer_streams_clear(p);
	g_free(p->twcc);
	g_free(p->bwe);
	negotiation_clear(&p->neg);
	g_free(p->ufrag);
	g_free(p->pwd);
	g_ptr_array_unref(p->local_candidates);
	if (p->owner)
		g_main_context_unref(p->owner);
	g_mutex_clear(&p->send_lock);
	g_mutex_clear(&p->stats_lock);
	g_rw_lock_clear(&p->ice_lock);
	g_debug("[peer %s] freed", p->id);
	g_free(p);
}

void peer_unref(struct peer *p)
{
	if (p && g_atomic_int_dec_and_test(&p->refcount))
		peer_finalize(p);
}

const char *peer_id(const struct peer *p)
{
	return p->id;
}

enum peer_state peer_state(const struct peer *p)
{
	return g_atomic_int_get(&p->state);
}

unsigned peer_track_count(const struct peer *p)
{
	return p->track_count;
}

const struct peer_track *peer_track(const struct peer *p, unsigned index)
{
	return index < p->track_count ? &p->tracks[index] : NULL;
}

/* ---- the timer (worker) ---- */

static void check_liveness(struct peer *p, int64_t now)
{
	const struct transport_settings *s = &p->transport->settings;
	enum peer_state state = g_atomic_int_get(&p->state);
	g_autofree char *reason = NULL;

	if (state == PEER_STATE_CONNECTED && s->consent_timeout_us &&
	    now - p->last_recv_us > s->consent_timeout_us) {
		reason =
		    g_strdup_printf("consent expired: nothing received for %" G_GINT64_FORMAT " s",
		                    (now - p->last_recv_us) / 1000000);
		peer_fail(p, PEER_ERROR_CONSENT, reason);
	} else if (state != PEER_STATE_CONNECTED && s->connect_timeout_us &&
	           now - p->created_us > s->connect_timeout_us) {
		reason = g_strdup_printf("not connected after %" G_GINT64_FORMAT " s (%s)",
		                         s->connect_timeout_us / 1000000,
		                         p->dtls && dtls_session_get_state(p->dtls) ==
		                                        DTLS_STATE_CONNECTING
		                             ? "DTLS handshake unfinished"
		                             : "no working ICE candidate pair");
		peer_fail(p, PEER_ERROR_CONNECT_TIMEOUT, reason);
	}
}

/* How long a connected peer can wait for its next tick: until its next report, feedback,
 * DTLS timer, publication or liveness check. A peer receiving video with NACK, or not
 * connected yet, wants every tick (losses to ask for, handshake and connect timers). */
static int64_t tick_wait(const struct peer *p, int64_t now)
{
	int64_t due = now + PEER_LIVENESS_US;

	if (g_atomic_int_get(&p->state) != PEER_STATE_CONNECTED)
		return 0;
	for (unsigned i = 0; i < p->track_count; i++)
		if (p->in[i].nack)
			return 0;
	if (p->twcc)
		due = MIN(due, p->next_twcc_us);
	if (p->dtls_deadline_us)
		due = MIN(due, p->dtls_deadline_us);
	due = MIN(due, p->next_report_us);
	due = MIN(due, p->next_publish_us);
	return MAX(due - now, 0);
}

int64_t peer_tick(struct peer *p, int64_t now)
{
	if (p->released || peer_state_is_final(g_atomic_int_get(&p->state)))
		return 0;
	if (p->dtls && p->dtls_deadline_us && now >= p->dtls_deadline_us) {
		dtls_session_handle_timeout(p->dtls);
		if (p->dtls)
			update_dtls_timer(p, now);
	}
	check_liveness(p, now);
	if (g_atomic_int_get(&p->state) == PEER_STATE_CONNECTED)
		peer_rtcp_tick(p, now);
	/* Readers (/metrics, stats requests) look a few times a second at most; publishing
	 * takes the send lock that the room's media thread wants for every packet. */
	if (now >= p->next_publish_us) {
		p->next_publish_us = now + PEER_PUBLISH_US;
		peer_publish_stats(p);
	}
	return tick_wait(p, now);
}

/* ---- bare peers (tests, fuzzing) ---- */

struct peer *peer_new_bare(struct transport *t, const struct negotiation *n,
                           const struct cau_srtp_keys *keys, int64_t (*now_us)(void),
                           peer_sink_fn sink, void *sink_data, const struct peer_media *media,
                           void *user_data)
{
	struct peer *p = peer_alloc(t, NULL, media, user_data);
	struct cau_srtp_ssrcs known;

	p->now_us = now_us ? now_us : peer_monotonic_us;
	p->created_us = p->last_recv_us = p->connected_us = p->now_us();
	p->sink = sink;
	p->sink_data = sink_data;
	p->neg.track_count = n->track_count;
	memcpy(p->neg.tracks, n->tracks, sizeof(n->tracks));
	peer_install_tracks(p);
	known_ssrcs(p, &known);
	p->srtp = cau_srtp_new_with_ssrcs(keys, &known, NULL);
	g_atomic_int_set(&p->state, p->srtp ? PEER_STATE_CONNECTED : PEER_STATE_FAILED);
	return p;
}
