/* SPDX-License-Identifier: MIT */
/* WHIP ingest and WHEP egress (RFC 9725): POST an offer with a join token as bearer, get
 * an answer and a session URL; PATCH trickles candidates; DELETE leaves. The device sits
 * in the meeting's room as a seat without a WebSocket. */
#define G_LOG_DOMAIN "cau-whip"
#include "whip.h"

#include "conference/mcu_room.h"
#include "control/join_check.h"
#include "core/clock.h"
#include "core/random.h"
#include "errors.h"
#include "http.h"
#include "message.h"
#include "sdpfrag.h"
#include "transport/peer.h"
#include "ws_room.h"

#include <string.h>

#define SESSION_ID_BYTES 16
#define ETAG_BYTES       8
#define TOKEN_MAX_CHARS  200
#define SDP_TYPE         "application/sdp"
#define SDPFRAG_TYPE     "application/trickle-ice-sdpfrag"

struct whip {
	struct ws_rooms *wr;
	struct transport *t;
	GHashTable *sessions; /* id -> struct whip_session (owned) */
};

/* One WHIP or WHEP session: a seat in a room, its peer and its mcu member. */
struct whip_session {
	struct whip *whip;
	char id[2 * SESSION_ID_BYTES + 1];
	char etag[2 * ETAG_BYTES + 3]; /* quoted */
	bool egress;                   /* WHEP: a viewer */
	gint64 meeting_id;
	char *token; /* the bearer that made it: only it may PATCH or DELETE */
	char *ufrag; /* the offer's ICE ufrag: another one in a PATCH is an ICE restart */
	struct ws_seat *seat;
	struct peer *peer;
	struct mcu_member *member;
	SoupServerMessage *pending; /* the POST waiting for the answer (a reference) */
};

static void random_hex(char *out, size_t bytes)
{
	guint8 raw[32];

	random_bytes(raw, bytes);
	for (size_t i = 0; i < bytes; i++)
		g_snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

/* ---- replies ---- */

/* The JSON error of the API (its code's name), with the HTTP status WHIP gives it. */
static void reply_error(SoupServerMessage *msg, const GError *error)
{
	enum api_error code = api_error_from(error);
	g_autoptr(GError) api = g_error_new_literal(API_ERROR, code, error->message);
	/* A room that takes no one now is a conflict with the resource's state to WHIP. */
	guint status = code == API_ERROR_ROOM_LOCKED || code == API_ERROR_ROOM_CLOSED
	                   ? SOUP_STATUS_CONFLICT
	                   : api_error_http_status(code);

	http_reply_json(msg, status, api_error_json(api));
	if (code == API_ERROR_UNAUTHORIZED)
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
		                             "WWW-Authenticate", "Bearer realm=\"cau\"");
}

static void reply_code(SoupServerMessage *msg, int code, const char *message)
{
	g_autoptr(GError) error = g_error_new_literal(API_ERROR, code, message);

	reply_error(msg, error);
}

/* A status the API's table has no code for (412, 501): the JSON error carries `name`. */
static void reply_status(SoupServerMessage *msg, guint status, const char *name,
                         const char *message)
{
	g_autoptr(JsonBuilder) b = json_builder_new_immutable();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "code");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, message);
	json_builder_end_object(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	http_reply_json(msg, status, json_generator_to_data(gen, NULL));
}

static void set_header(SoupServerMessage *msg, const char *name, const char *value)
{
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), name, value);
}

/* ---- sessions ---- */

/* Frees a session (the table's destroy function): answers a POST still waiting, closes
 * the peer and takes the member out of its room. Its seat is left to the caller. */
static void session_free(gpointer data)
{
	struct whip_session *s = data;

	if (s->pending) {
		reply_code(s->pending, API_ERROR_CONFLICT, "the session ended before its answer");
		soup_server_message_unpause(s->pending);
		g_clear_object(&s->pending);
	}
	if (s->peer)
		peer_close(s->peer, "WHIP session ended");
	/* After peer_close() no media callback runs: the member may leave its room. */
	if (s->seat) {
		s->seat->left = NULL;
		ws_room_media_left(s->seat, s->member);
	}
	mcu_member_leave(s->member);
	peer_unref(s->peer);
	g_free(s->token);
	g_free(s->ufrag);
	g_free(s);
}

/* The seat left the room (DELETE, kick, end, a failed peer): the session goes. */
static void on_seat_left(void *data)
{
	struct whip_session *s = data;

	g_info("[whip %s] participant %u left meeting %" G_GINT64_FORMAT, s->id,
	       s->seat->participant, s->meeting_id);
	g_hash_table_remove(s->whip->sessions, s->id); /* frees s */
}

/* Makes the session's participant leave; that frees the session (on_seat_left). */
static void session_leave(struct whip_session *s, const char *reason)
{
	struct room *room = ws_seat_room(s->seat);

	if (room)
		room_leave(room, s->seat->participant, reason, ws_rooms_now_ms(s->whip->wr));
	else
		g_hash_table_remove(s->whip->sessions, s->id);
}

/* ---- the peer's events and media (media forwarded to the mcu member) ---- */

static void forward_rtp(struct peer *peer, const struct peer_track *track,
                        const struct rtp_packet *pkt, const struct rtp_ext_values *ext,
                        void *user_data)
{
	struct whip_session *s = user_data;

	if (mcu_media.rtp)
		mcu_media.rtp(peer, track, pkt, ext, s->member);
}

static void forward_keyframe_request(struct peer *peer, const struct peer_track *track,
                                     void *user_data)
{
	struct whip_session *s = user_data;

	if (mcu_media.keyframe_request)
		mcu_media.keyframe_request(peer, track, s->member);
}

static const struct peer_media forward_media = {
    .rtp = forward_rtp,
    .keyframe_request = forward_keyframe_request,
};

/* Consent lost, DTLS failed, or closed: the seat is given up, like a WebSocket's. */
static void on_state(struct peer *peer, enum peer_state state, enum peer_error error,
                     const char *reason, void *user_data)
{
	struct whip_session *s = user_data;

	if (state != PEER_STATE_FAILED && state != PEER_STATE_CLOSED)
		return;
	g_info("[whip %s] peer %s (%s): the participant leaves", s->id, peer_state_name(state),
	       reason ? reason : "no reason");
	session_leave(s, "dropped");
}

static const struct peer_events events = {
    .state = on_state,
};

static void on_description(struct peer *peer, char *sdp, GError *error, void *user_data)
{
	struct whip_session *s = user_data;
	g_autoptr(SoupServerMessage) msg = g_steal_pointer(&s->pending);
	g_autofree char *location = NULL;

	if (!msg) {
		g_free(sdp);
		g_clear_error(&error);
		return;
	}
	if (error) {
		reply_error(msg, error);
		g_error_free(error);
		soup_server_message_unpause(msg);
		session_leave(s, "dropped");
		return;
	}
	location = g_strdup_printf("%s%" G_GINT64_FORMAT "/%s",
	                           s->egress ? WHEP_PREFIX : WHIP_PREFIX, s->meeting_id, s->id);
	soup_server_message_set_status(msg, SOUP_STATUS_CREATED, NULL);
	set_header(msg, "Location", location);
	set_header(msg, "ETag", s->etag);
	soup_server_message_set_response(msg, SDP_TYPE, SOUP_MEMORY_TAKE, sdp, strlen(sdp));
	soup_server_message_unpause(msg);
}

/* ---- requests ---- */

/* The bearer token of the request, or NULL. */
static const char *bearer(SoupServerMessage *msg)
{
	const char *auth = soup_message_headers_get_one(
	    soup_server_message_get_request_headers(msg), "Authorization");

	if (!auth || g_ascii_strncasecmp(auth, "Bearer ", 7) != 0)
		return NULL;
	auth += 7;
	while (*auth == ' ')
		auth++;
	return *auth && strlen(auth) <= TOKEN_MAX_CHARS ? auth : NULL;
}

static bool has_type(SoupServerMessage *msg, const char *type)
{
	const char *ct = soup_message_headers_get_content_type(
	    soup_server_message_get_request_headers(msg), NULL);

	return ct && g_ascii_strcasecmp(ct, type) == 0;
}

/* The ICE ufrag of an SDP or SDP fragment (the first a=ice-ufrag line), or NULL. */
static char *find_ufrag(const char *sdp)
{
	const char *at = strstr(sdp, "a=ice-ufrag:");
	size_t n;

	if (!at)
		return NULL;
	at += strlen("a=ice-ufrag:");
	n = strcspn(at, "\r\n");
	return g_strndup(at, n);
}

/* Checks the token for a new session of meeting `mid`: 401, 403 or 409 otherwise. Fills
 * claims, endpoint and info. */
static bool check_token(struct whip *whip, SoupServerMessage *msg, gint64 mid, bool egress,
                        struct join_claims *claims, JsonNode **endpoint, struct meeting_info *info)
{
	struct rest_context *ctx = whip->wr->ctx;
	const char *token = bearer(msg);
	g_autoptr(GError) error = NULL;

	if (!token) {
		reply_code(msg, API_ERROR_UNAUTHORIZED,
		           "an Authorization: Bearer header with a join token is required");
		return false;
	}
	if (!join_token_verify(ctx->join_secret, token, clock_now_ms(meetings_clock(ctx->meetings)),
	                       claims, &error)) {
		reply_code(msg, API_ERROR_UNAUTHORIZED, error->message);
		return false;
	}
	if (claims->meeting_id != mid) {
		reply_code(msg, API_ERROR_FORBIDDEN, "this join token is for another meeting");
		return false;
	}
	if (!egress && claims->role == JOIN_ROLE_VIEWER) {
		reply_code(msg, API_ERROR_FORBIDDEN,
		           "a viewer's join token may not publish (use WHEP to watch)");
		return false;
	}
	if (!meetings_lookup(ctx->meetings, mid, info, &error)) {
		reply_error(msg, error);
		return false;
	}
	if (!meeting_state_joinable(info->state)) {
		reply_code(msg, API_ERROR_ROOM_CLOSED, "the meeting is not live (it has ended)");
		return false;
	}
	if (!join_check(ctx->meetings, ctx->join_secret, token, claims, endpoint, info, &error)) {
		reply_code(msg, API_ERROR_FORBIDDEN, error->message);
		return false;
	}
	return true;
}

/* Makes the session's mcu member and peer for `offer`; false with error (bad_sdp). */
static bool session_media(struct whip_session *s, struct room *room, GBytes *offer, GError **error)
{
	gsize len;
	const char *sdp = g_bytes_get_data(offer, &len);

	s->member = mcu_member_join(s->whip->wr->mcu, room_media_name_of(room));
	s->peer = peer_new_answer(s->whip->t, sdp, len, &events, &forward_media, s, error);
	if (!s->peer) {
		g_clear_pointer(&s->member, mcu_member_leave);
		return false;
	}
	peer_disable_local_trickle(s->peer); /* the answer is all the client gets */
	mcu_member_attach(s->member, s->peer);
	return true;
}

static void post_offer(struct whip *whip, SoupServerMessage *msg, gint64 mid, bool egress)
{
	g_autoptr(JsonNode) endpoint = NULL;
	g_autoptr(GBytes) offer = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *sdp = NULL;
	struct join_claims claims;
	struct meeting_info info;
	struct whip_session *s;
	struct ws_seat *seat;

	if (!whip->t || !whip->wr->ctx) {
		reply_code(msg, API_ERROR_UNAVAILABLE, "this server has no media transport");
		return;
	}
	if (!check_token(whip, msg, mid, egress, &claims, &endpoint, &info))
		return;
	if (!has_type(msg, SDP_TYPE)) {
		reply_code(msg, API_ERROR_UNSUPPORTED_MEDIA_TYPE,
		           "the offer must be sent as Content-Type: " SDP_TYPE);
		return;
	}
	offer = soup_message_body_flatten(soup_server_message_get_request_body(msg));
	sdp = g_strndup(g_bytes_get_data(offer, NULL), g_bytes_get_size(offer));
	if (!*sdp) {
		reply_code(msg, API_ERROR_BAD_SDP, "the body holds no SDP offer");
		return;
	}
	s = g_new0(struct whip_session, 1);
	s->whip = whip;
	s->egress = egress;
	s->meeting_id = mid;
	s->token = g_strdup(bearer(msg));
	s->ufrag = find_ufrag(sdp);
	random_hex(s->id, SESSION_ID_BYTES);
	s->etag[0] = '"';
	random_hex(s->etag + 1, ETAG_BYTES);
	strcat(s->etag, "\"");
	seat = ws_room_seat_new(whip->wr, &info, claims.endpoint_id, endpoint,
	                        egress ? ROOM_ROLE_VIEWER : ws_room_role_of(claims.role), &error);
	if (!seat) {
		session_free(s);
		reply_error(msg, error);
		return;
	}
	s->seat = seat;
	seat->left = on_seat_left;
	seat->left_data = s;
	g_hash_table_insert(whip->sessions, s->id, s);
	if (!session_media(s, ws_seat_room(seat), offer, &error)) {
		reply_error(msg, error);
		session_leave(s, "left");
		return;
	}
	ws_seat_set_media(seat, s->member);
	g_info("[whip %s] %s for meeting %" G_GINT64_FORMAT ": participant %u", s->id,
	       egress ? "WHEP viewer" : "WHIP publisher", mid, seat->participant);
	s->pending = g_object_ref(msg);
	soup_server_message_pause(msg);
	peer_local_description(s->peer, on_description, s);
}

/* The session of `id` in meeting `mid` whose bearer is the request's, or NULL with the
 * reply set (404, 401, 403). */
static struct whip_session *find_session(struct whip *whip, SoupServerMessage *msg, gint64 mid,
                                         bool egress, const char *id)
{
	struct whip_session *s = g_hash_table_lookup(whip->sessions, id);
	const char *token = bearer(msg);

	if (!s || s->meeting_id != mid || s->egress != egress) {
		reply_code(msg, API_ERROR_NOT_FOUND, "no such session");
		return NULL;
	}
	if (!token) {
		reply_code(msg, API_ERROR_UNAUTHORIZED,
		           "an Authorization: Bearer header with the session's join token is "
		           "required");
		return NULL;
	}
	if (strcmp(token, s->token) != 0) {
		reply_code(msg, API_ERROR_FORBIDDEN, "this session belongs to another token");
		return NULL;
	}
	return s;
}

/* Adds the fragment's candidates to the peer. */
static bool trickle(struct whip_session *s, const struct sdpfrag *frag, GError **error)
{
	for (guint i = 0; i < frag->candidates->len; i++) {
		const struct sdpfrag_candidate *c = frag->candidates->pdata[i];

		if (!peer_add_remote_candidate(s->peer, c->candidate, c->mid, error))
			return false;
	}
	return true;
}

static void patch_session(struct whip_session *s, SoupServerMessage *msg)
{
	const char *if_match =
	    soup_message_headers_get_one(soup_server_message_get_request_headers(msg), "If-Match");
	g_autoptr(GBytes) body = NULL;
	g_autoptr(GError) error = NULL;
	struct sdpfrag frag;
	bool parsed;

	if (!has_type(msg, SDPFRAG_TYPE)) {
		reply_code(msg, API_ERROR_UNSUPPORTED_MEDIA_TYPE,
		           "a PATCH carries Content-Type: " SDPFRAG_TYPE);
		return;
	}
	body = soup_message_body_flatten(soup_server_message_get_request_body(msg));
	parsed = sdpfrag_parse(g_bytes_get_data(body, NULL), g_bytes_get_size(body), &frag, &error);
	if (parsed && ((if_match && strcmp(if_match, "*") == 0) ||
	               (frag.ufrag && (!s->ufrag || strcmp(frag.ufrag, s->ufrag) != 0)))) {
		reply_status(msg, SOUP_STATUS_NOT_IMPLEMENTED, "not_implemented",
		             "ICE restarts are not supported: make a new session (DELETE, then "
		             "POST)");
	} else if (parsed && if_match && strcmp(if_match, s->etag) != 0) {
		reply_status(msg, SOUP_STATUS_PRECONDITION_FAILED, "precondition_failed",
		             "If-Match does not name this session's ETag");
	} else if (!parsed || !trickle(s, &frag, &error)) {
		reply_error(msg, error);
	} else {
		soup_server_message_set_status(msg, SOUP_STATUS_NO_CONTENT, NULL);
	}
	sdpfrag_clear(&frag);
}

/* ---- routing ---- */

/* Splits "/whip/ID" or "/whip/ID/SESSION"; false when it is neither. */
static bool parse_path(const char *path, bool *egress, gint64 *mid, const char **session)
{
	const char *rest;
	char *end;

	if (g_str_has_prefix(path, WHIP_PREFIX))
		*egress = false;
	else if (g_str_has_prefix(path, WHEP_PREFIX))
		*egress = true;
	else
		return false;
	rest = path + strlen(WHIP_PREFIX);
	if (!g_ascii_isdigit(*rest))
		return false;
	*mid = g_ascii_strtoll(rest, &end, 10);
	if (*mid <= 0)
		return false;
	if (*end == '\0') {
		*session = NULL;
		return true;
	}
	if (*end != '/' || !end[1] || strchr(end + 1, '/'))
		return false;
	*session = end + 1;
	return true;
}

static void allow(SoupServerMessage *msg, bool session)
{
	set_header(msg, "Allow", session ? "PATCH, DELETE, OPTIONS" : "POST, OPTIONS");
	if (!session)
		set_header(msg, "Accept-Post", SDP_TYPE);
}

static void on_session(struct whip *whip, SoupServerMessage *msg, const char *method, gint64 mid,
                       bool egress, const char *id)
{
	struct whip_session *s;

	if (strcmp(method, "OPTIONS") == 0) {
		allow(msg, true);
		soup_server_message_set_status(msg, SOUP_STATUS_NO_CONTENT, NULL);
		return;
	}
	if (strcmp(method, "PATCH") != 0 && strcmp(method, "DELETE") != 0) {
		allow(msg, true);
		reply_code(msg, API_ERROR_METHOD_NOT_ALLOWED, "use PATCH or DELETE on a session");
		return;
	}
	if (!(s = find_session(whip, msg, mid, egress, id)))
		return;
	if (strcmp(method, "PATCH") == 0) {
		patch_session(s, msg);
		return;
	}
	session_leave(s, "left"); /* frees s */
	http_reply_json(msg, SOUP_STATUS_OK, g_strdup("{}"));
}

const char *whip_dispatch(struct whip *whip, SoupServerMessage *msg, const char *path)
{
	const char *method = soup_server_message_get_method(msg);
	const char *session;
	gint64 mid;
	bool egress;

	if (!parse_path(path, &egress, &mid, &session))
		return NULL;
	if (session) {
		on_session(whip, msg, method, mid, egress, session);
		return egress ? "/whep/{meeting_id}/{session}" : "/whip/{meeting_id}/{session}";
	}
	if (strcmp(method, "OPTIONS") == 0) {
		allow(msg, false);
		soup_server_message_set_status(msg, SOUP_STATUS_NO_CONTENT, NULL);
	} else if (strcmp(method, "POST") == 0) {
		post_offer(whip, msg, mid, egress);
	} else {
		allow(msg, false);
		reply_code(msg, API_ERROR_METHOD_NOT_ALLOWED, "use POST with an SDP offer");
	}
	return egress ? "/whep/{meeting_id}" : "/whip/{meeting_id}";
}

struct whip *whip_new(struct ws_rooms *wr, struct transport *t)
{
	struct whip *whip = g_new0(struct whip, 1);

	whip->wr = wr;
	whip->t = t;
	whip->sessions = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, session_free);
	return whip;
}

void whip_free(struct whip *whip)
{
	if (!whip)
		return;
	g_hash_table_destroy(whip->sessions);
	g_free(whip);
}
