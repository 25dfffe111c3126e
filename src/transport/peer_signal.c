/* SPDX-License-Identifier: MIT */
/* The owner's side of a peer: offer/answer, the server's description, the remote answer
 * and trickled candidates, handed to the worker. */
#define G_LOG_DOMAIN "cau-peer"
#include "peer_internal.h"

#include "proto/sdp.h"

#include <string.h>

/* The server's DTLS role for the remote's a=setup: offered actpass, it takes the client
 * role (active); the remote's answer to its actpass offer decides otherwise. */
static enum dtls_role role_for(enum sdp_setup remote_setup)
{
	enum dtls_role role = DTLS_ROLE_CLIENT;

	dtls_role_from_remote_setup(sdp_setup_to_string(remote_setup), DTLS_ROLE_CLIENT, &role,
	                            NULL);
	return role;
}

/* ---- making peers ---- */

static uint32_t random_u32(void *data)
{
	return g_random_int();
}

struct peer *peer_new_answer(struct transport *t, const char *offer, size_t len,
                             const struct peer_events *events, const struct peer_media *media,
                             void *user_data, GError **error)
{
	struct negotiation n;
	struct remote_transport rt;
	struct peer *p;

	if (!negotiate_answer(offer, len, random_u32, NULL, &n, &rt, error))
		return NULL;
	p = peer_alloc(t, events, media, user_data);
	p->neg = n;
	p->remote = rt;
	p->dtls_role = role_for(rt.setup);
	p->trickle_local = rt.trickle;
	/* The answerer is controlled, unless the offerer is a lite agent. */
	p->controlling = rt.ice_lite;
	peer_start(p);
	return p;
}

struct peer *peer_new_offer(struct transport *t, bool trickle, const struct peer_events *events,
                            const struct peer_media *media, void *user_data)
{
	return peer_new_offer_kinds(t, trickle, true, events, media, user_data);
}

struct peer *peer_new_offer_kinds(struct transport *t, bool trickle, bool with_video,
                                  const struct peer_events *events, const struct peer_media *media,
                                  void *user_data)
{
	struct peer *p = peer_alloc(t, events, media, user_data);

	negotiate_offer_kinds(random_u32, NULL, with_video, &p->neg);
	p->trickle_local = trickle;
	p->controlling = true;
	peer_start(p);
	return p;
}

static char *write_description(struct peer *p)
{
	struct local_transport local = {
	    .ice_ufrag = p->ufrag,
	    .ice_pwd = p->pwd,
	    .fingerprint = transport_fingerprint(p->transport),
	    .trickle = p->trickle_local,
	    .candidates = p->trickle_local ? NULL : p->local_candidates,
	    .end_of_candidates = !p->trickle_local && p->gathering_done,
	    .ice_lite = p->transport->muxes != NULL,
	};

	local.setup = p->neg.offered ? SDP_SETUP_ACTPASS
	                             : (p->dtls_role == DTLS_ROLE_CLIENT ? SDP_SETUP_ACTIVE
	                                                                 : SDP_SETUP_PASSIVE);
	return negotiate_write(&p->neg, &local);
}

void peer_finish_description(struct peer *p, GError *error)
{
	peer_description_fn done = p->desc_done;
	void *data = p->desc_data;

	p->desc_done = NULL;
	p->desc_data = NULL;

	if (!done)
		return;
	if (error)
		done(p, NULL, g_error_copy(error), data);
	else
		done(p, write_description(p), NULL, data);
}

void peer_local_description(struct peer *p, peer_description_fn done, void *user_data)
{
	enum peer_state s = g_atomic_int_get(&p->state);

	p->desc_done = done;
	p->desc_data = user_data;
	if (peer_state_is_final(s)) {
		g_autoptr(GError) error = g_error_new(G_IO_ERROR, G_IO_ERROR_CLOSED, "peer %s: %s",
		                                      p->id, peer_state_name(s));
		peer_finish_description(p, error);
	} else if (p->trickle_local || p->gathering_done) {
		peer_finish_description(p, NULL);
	}
}

void peer_disable_local_trickle(struct peer *p)
{
	p->trickle_local = false;
}

/* ---- the remote answer and trickled candidates (owner, then worker) ---- */

struct remote_update {
	struct peer *peer;
	struct remote_transport remote;
	unsigned track_count;
	struct peer_track tracks[PEER_MAX_TRACKS];
	char *candidate; /* a trickled candidate; NULL with end: end of candidates */
	bool end;
};

static void remote_update_free(gpointer data)
{
	struct remote_update *u = data;

	remote_transport_clear(&u->remote);
	g_free(u->candidate);
	peer_unref(u->peer);
	g_free(u);
}

static gboolean answer_on_worker(gpointer data)
{
	struct remote_update *u = data;
	struct peer *p = u->peer;

	if (p->released)
		return G_SOURCE_REMOVE;
	g_mutex_lock(&p->send_lock);
	p->track_count = u->track_count;
	memcpy(p->tracks, u->tracks, sizeof(p->tracks));
	peer_streams_clear(p);
	peer_streams_init(p);
	g_mutex_unlock(&p->send_lock);
	/* Candidates trickled before the answer are kept. */
	if (p->remote.candidates && u->remote.candidates)
		for (unsigned i = 0; i < p->remote.candidates->len; i++)
			g_ptr_array_add(u->remote.candidates,
			                g_strdup(g_ptr_array_index(p->remote.candidates, i)));
	u->remote.end_of_candidates = u->remote.end_of_candidates || p->remote.end_of_candidates;
	remote_transport_clear(&p->remote);
	p->remote = u->remote;
	memset(&u->remote, 0, sizeof(u->remote));
	peer_apply_remote(p);
	return G_SOURCE_REMOVE;
}

bool peer_set_answer(struct peer *p, const char *answer, size_t len, GError **error)
{
	struct remote_update *u;

	if (p->answer_applied) {
		g_set_error(error, NEGOTIATE_ERROR, NEGOTIATE_ERROR_STATE,
		            "the answer was already given (renegotiation is not supported)");
		return false;
	}
	u = g_new0(struct remote_update, 1);
	if (!negotiate_apply_answer(&p->neg, answer, len, &u->remote, error)) {
		g_free(u);
		return false;
	}
	p->answer_applied = true;
	p->dtls_role = role_for(u->remote.setup);
	u->peer = peer_ref(p);
	u->track_count = p->neg.track_count;
	memcpy(u->tracks, p->neg.tracks, sizeof(u->tracks));
	g_info("[peer %s] answer accepted (dtls %s)", p->id, dtls_role_name(p->dtls_role));
	worker_invoke(p->worker, answer_on_worker, u, remote_update_free);
	return true;
}

static gboolean candidate_on_worker(gpointer data)
{
	struct remote_update *u = data;
	struct peer *p = u->peer;

	if (p->released)
		return G_SOURCE_REMOVE;
	if (!p->remote_known) {
		/* Before the answer: keep it for then. */
		if (!p->remote.candidates)
			p->remote.candidates = g_ptr_array_new_with_free_func(g_free);
		if (u->candidate)
			g_ptr_array_add(p->remote.candidates, g_steal_pointer(&u->candidate));
		else
			p->remote.end_of_candidates = true;
		return G_SOURCE_REMOVE;
	}
	if (u->candidate)
		peer_add_candidate(p, u->candidate);
	else
		ice_remote_gathering_done(p->ice);
	return G_SOURCE_REMOVE;
}

bool peer_add_remote_candidate(struct peer *p, const char *candidate, const char *mid,
                               GError **error)
{
	struct remote_update *u;
	struct sdp_candidate parsed;

	if (mid && !sdp_session_find_media(p->neg.sdp, mid)) {
		g_set_error(error, NEGOTIATE_ERROR, NEGOTIATE_ERROR_UNSUPPORTED,
		            "sdpMid \"%s\" names no section of the session", mid);
		return false;
	}
	if (candidate && *candidate) {
		const char *text = g_str_has_prefix(candidate, "a=") ? candidate + 2 : candidate;
		if (!sdp_candidate_parse(text, &parsed, error))
			return false;
		sdp_candidate_clear(&parsed);
	}
	if (peer_state_is_final(g_atomic_int_get(&p->state)))
		return true;
	u = g_new0(struct remote_update, 1);
	u->peer = peer_ref(p);
	u->candidate = candidate && *candidate ? g_strdup(candidate) : NULL;
	worker_invoke(p->worker, candidate_on_worker, u, remote_update_free);
	return true;
}
