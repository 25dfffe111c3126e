/* SPDX-License-Identifier: MIT */
/* Unit test of whole peers on the real transport: worker threads, libnice agents, DTLS and
 * SRTP. Two peers of one process connect to each other (one offers, one answers), carry
 * RTP, and are released with nothing left over (run under ASan by CI). Needs one
 * non-loopback address for ICE; without one the connection part is skipped. */

#include "core/config.h"
#include "transport/ice_mux.h"
#include "transport/ice_private.h"
#include "transport/peer.h"
#include "transport/peer_internal.h"
#include "transport/transport.h"
#include "transport/transport_internal.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <unistd.h>

struct side {
	const char *name;
	struct peer *peer;
	enum peer_state state;
	char *reason;
	char *description;
	gint received; /* RTP packets, counted on the worker: atomic */
	GMutex lock;
	GByteArray *video; /* the video payloads received, back to back (under lock) */
};

static GMainLoop *loop;

static void on_state(struct peer *peer, enum peer_state state, enum peer_error error,
                     const char *reason, void *data)
{
	struct side *s = data;

	s->state = state;
	g_free(s->reason);
	s->reason = g_strdup(reason);
	g_main_loop_quit(loop);
}

static const struct peer_events events = {.state = on_state};

static void on_rtp(struct peer *peer, const struct peer_track *track, const struct rtp_packet *pkt,
                   const struct rtp_ext_values *ext, void *data)
{
	struct side *s = data;

	g_assert_false(g_main_context_is_owner(g_main_context_default()));
	if (track->kind == TRACK_VIDEO) {
		g_mutex_lock(&s->lock);
		g_byte_array_append(s->video, pkt->payload, (guint)pkt->payload_len);
		g_mutex_unlock(&s->lock);
	}
	g_atomic_int_inc(&s->received);
}

static const struct peer_media media = {.rtp = on_rtp};

static void on_description(struct peer *peer, char *sdp, GError *error, void *data)
{
	struct side *s = data;

	g_assert_no_error(error);
	s->description = sdp;
	g_main_loop_quit(loop);
}

static gboolean timeout_cb(gpointer data)
{
	*(bool *)data = true;
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static gboolean poll_cb(gpointer data)
{
	g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

/* Runs the loop until done() or seconds pass; returns done(). done() is checked after
 * every owner event and every 20 ms (for what happens on the workers). */
static bool run_until(bool (*done)(void *), void *data, unsigned seconds)
{
	bool expired = false;
	guint id = g_timeout_add_seconds(seconds, timeout_cb, &expired);
	guint poll = g_timeout_add(20, poll_cb, NULL);

	while (!done(data) && !expired)
		g_main_loop_run(loop);
	if (!expired)
		g_source_remove(id);
	g_source_remove(poll);
	return done(data);
}

static bool has_description(void *data)
{
	return ((struct side *)data)->description != NULL;
}

static bool both_connected(void *data)
{
	struct side *s = data;

	return s[0].state == PEER_STATE_CONNECTED && s[1].state == PEER_STATE_CONNECTED;
}

static bool server_closed(void *data)
{
	struct side *s = data;

	return s[0].state == PEER_STATE_CLOSED || s[0].state == PEER_STATE_FAILED;
}

static bool nothing_held(void *data)
{
	return transport_peer_count(data) == 0;
}

/* A transport with `workers` threads; lite: ICE-lite on their shared sockets. */
static struct transport *make_transport_with(const char *workers, bool lite)
{
	g_autoptr(config) cfg = config_new();
	g_autoptr(GError) error = NULL;
	struct transport *t;

	g_assert_true(config_set(cfg, "transport", "workers", workers, "test", &error));
	g_assert_true(config_set(cfg, "ice", "connect_timeout_s", "10", "test", &error));
	g_assert_true(config_set(cfg, "ice", "lite", lite ? "true" : "false", "test", &error));
	t = transport_new(cfg, NULL, &error);
	if (lite && !t && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
		return NULL; /* no non-loopback address to listen on */
	g_assert_no_error(error);
	return t;
}

static struct transport *make_transport(void)
{
	return make_transport_with("2", false);
}

static void send_some(struct peer *p, unsigned track, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		struct peer_rtp_out out = {
		    .timestamp = i * 960, .payload = (const uint8_t *)"payload", .payload_len = 7};
		g_assert_cmpint(peer_send_rtp(p, track, &out), ==, 0);
	}
}

/* A frame's worth of video packets in one batch (every one 1000 bytes but the last):
 * over a real socket, one sendmsg() that the kernel cuts into datagrams. Returns the
 * bytes the receiver should see. */
static GByteArray *send_frame(struct peer *p, unsigned track, unsigned count)
{
	GByteArray *expect = g_byte_array_new();
	struct peer_rtp_out outs[PEER_BATCH_MAX];
	static uint8_t bytes[PEER_BATCH_MAX][1000];

	for (unsigned i = 0; i < count; i++) {
		size_t len = i + 1 < count ? sizeof(bytes[i]) : 333;

		for (size_t b = 0; b < len; b++)
			bytes[i][b] = (uint8_t)(i * 7 + b);
		outs[i] = (struct peer_rtp_out){.marker = i + 1 == count,
		                                .timestamp = 3000,
		                                .payload = bytes[i],
		                                .payload_len = len};
		g_byte_array_append(expect, bytes[i], (guint)len);
	}
	g_assert_cmpint(peer_send_rtp_batch(p, track, outs, count), ==, 0);
	return expect;
}

/* The socket of the peer's selected pair (the test reaches inside: nothing else runs ICE
 * for these peers now). */
static int pair_fd(struct peer *p)
{
	const struct ice_path *path = atomic_load(&p->ice->path);

	g_assert_nonnull(path);
	return path->fd;
}

/* Makes the kernel refuse segmentation offload on the server's socket, as a route through
 * IPsec or with a small MTU would: with UDP checksums off for sending it returns EINVAL.
 * (IPv6 receivers drop datagrams without a checksum unless told to take them.) */
static void refuse_offload(struct peer *server, struct peer *client)
{
	int one = 1;

	g_assert_cmpint(setsockopt(pair_fd(server), SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one)), ==,
	                0);
	g_assert_cmpint(setsockopt(pair_fd(server), SOL_UDP, UDP_NO_CHECK6_TX, &one, sizeof(one)),
	                ==, 0);
	g_assert_cmpint(setsockopt(pair_fd(client), SOL_UDP, UDP_NO_CHECK6_RX, &one, sizeof(one)),
	                ==, 0);
}

/* Two frames (of first and second packets) from one peer to the other side's video
 * track: its video payloads, back to back, are exactly theirs (loopback keeps order). */
static void send_two_frames(struct peer *from, struct side *to, unsigned first, unsigned second)
{
	g_autoptr(GByteArray) expect = NULL, more = NULL;
	gint before = g_atomic_int_get(&to->received);
	gint want = before + (gint)(first + second);

	g_mutex_lock(&to->lock);
	g_byte_array_set_size(to->video, 0);
	g_mutex_unlock(&to->lock);
	expect = send_frame(from, 1, first);
	more = send_frame(from, 1, second);
	g_byte_array_append(expect, more->data, more->len);
	for (int i = 0; i < 500 && g_atomic_int_get(&to->received) < want; i++)
		g_usleep(10000);
	g_assert_cmpint(g_atomic_int_get(&to->received), ==, want);
	g_mutex_lock(&to->lock);
	g_assert_cmpmem(to->video->data, to->video->len, expect->data, expect->len);
	g_mutex_unlock(&to->lock);
}

/* The offer is made on `offer_t`, the answer on `answer_t`, and the two peers connect;
 * false (the test skipped) when there is no address to gather candidates on. */
static bool connect_sides(struct side sides[2], struct transport *offer_t,
                          struct transport *answer_t)
{
	g_autoptr(GError) error = NULL;

	for (unsigned i = 0; i < 2; i++) {
		g_mutex_init(&sides[i].lock);
		sides[i].video = g_byte_array_new();
	}
	sides[0].peer = peer_new_offer(offer_t, false, &events, &media, &sides[0]);
	peer_local_description(sides[0].peer, on_description, &sides[0]);
	g_assert_true(run_until(has_description, &sides[0], 10));
	if (!strstr(sides[0].description, "a=candidate:")) {
		g_test_skip("no address to gather ICE candidates on");
		return false;
	}
	sides[1].peer =
	    peer_new_answer(answer_t, sides[0].description, strlen(sides[0].description), &events,
	                    &media, &sides[1], &error);
	g_assert_no_error(error);
	peer_local_description(sides[1].peer, on_description, &sides[1]);
	g_assert_true(run_until(has_description, &sides[1], 10));
	g_assert_true(peer_set_answer(sides[0].peer, sides[1].description,
	                              strlen(sides[1].description), &error));
	g_assert_no_error(error);
	g_assert_true(run_until(both_connected, sides, 15));
	return true;
}

/* 20 audio packets one way and 20 the other, each side receiving exactly its 20 more. */
static void exchange_audio(struct side sides[2])
{
	gint want[2] = {g_atomic_int_get(&sides[0].received) + 20,
	                g_atomic_int_get(&sides[1].received) + 20};

	send_some(sides[1].peer, 0, 20);
	send_some(sides[0].peer, 1, 20);
	/* Received on the workers: poll. */
	for (int i = 0; i < 500 && (g_atomic_int_get(&sides[0].received) < want[0] ||
	                            g_atomic_int_get(&sides[1].received) < want[1]);
	     i++)
		g_usleep(10000);
	g_usleep(20000); /* anything more (another peer's, say) would be here now */
	g_assert_cmpint(g_atomic_int_get(&sides[0].received), ==, want[0]);
	g_assert_cmpint(g_atomic_int_get(&sides[1].received), ==, want[1]);
}

/* Closes what connect_sides() made and waits until the transports hold nothing. */
static void release_sides(struct side *sides, unsigned n, struct transport *t1,
                          struct transport *t2)
{
	for (unsigned i = 0; i < n; i++) {
		if (sides[i].peer)
			peer_close(sides[i].peer, "test done");
	}
	g_assert_true(run_until(nothing_held, t1, 10));
	g_assert_true(!t2 || run_until(nothing_held, t2, 10));
	for (unsigned i = 0; i < n; i++) {
		if (sides[i].peer)
			peer_unref(sides[i].peer);
		g_free(sides[i].description);
		g_free(sides[i].reason);
		if (sides[i].video) {
			g_byte_array_unref(sides[i].video);
			g_mutex_clear(&sides[i].lock);
		}
	}
}

static void test_two_peers_connect_and_release(void)
{
	struct transport *t = make_transport();
	struct side sides[2] = {{.name = "server"}, {.name = "client"}};

	loop = g_main_loop_new(NULL, FALSE);
	if (!connect_sides(sides, t, t))
		goto out_close;
	g_assert_cmpuint(transport_peer_count(t), ==, 2);
	exchange_audio(sides);
	/* A video frame of six packets to the client, then one of a single packet (nothing
	 * to offload). */
	send_two_frames(sides[0].peer, &sides[1], 6, 1);
	g_assert_cmpint(transport_counter(t, COUNT_OFFLOADED_OUT), ==, 6);
	/* Where the kernel refuses the offload, the same frames still arrive, one datagram
	 * at a time, and nothing more is counted as offloaded. */
	refuse_offload(sides[0].peer, sides[1].peer);
	send_two_frames(sides[0].peer, &sides[1], 6, 4);
	g_assert_cmpint(transport_counter(t, COUNT_OFFLOADED_OUT), ==, 6);
	/* The client leaves politely: the server hears close_notify and is released too. */
	peer_close(sides[1].peer, "test done");
	g_assert_true(run_until(server_closed, sides, 10));
	g_assert_cmpint(sides[0].state, ==, PEER_STATE_CLOSED);
	g_assert_nonnull(strstr(sides[0].reason, "close_notify"));
out_close:
	release_sides(sides, 2, t, NULL);
	transport_free(t);
	/* Owner events queued after the closes hold references: let them go. */
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_main_loop_unref(loop);
}

static bool side_closed(void *data)
{
	const struct side *s = data;

	return s->state == PEER_STATE_CLOSED || s->state == PEER_STATE_FAILED;
}

static struct ice_mux *first_mux(struct transport *t)
{
	return transport_mux(t, worker_pool_get(t->workers, 0));
}

/* A datagram to the lite server's shared socket from an address no peer uses. */
static void send_stray(struct transport *server, const void *buf, size_t len)
{
	struct sockaddr_storage to;
	socklen_t to_len = sizeof(to);
	int fd;

	g_assert_cmpint(getsockname(ice_mux_fd(first_mux(server)), (struct sockaddr *)&to, &to_len),
	                ==, 0);
	fd = socket(to.ss_family, SOCK_DGRAM, 0);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(sendto(fd, buf, len, 0, (struct sockaddr *)&to, to_len), ==, (ssize_t)len);
	close(fd);
}

static bool strays_counted(void *data)
{
	struct ice_mux_stats st;

	ice_mux_get_stats(data, &st);
	return st.unknown_source == 1 && st.stun_dropped == 1;
}

/* Releases the sides, then the two transports and the loop. */
static void finish_lite(struct side *sides, unsigned n, struct transport *client,
                        struct transport *server)
{
	release_sides(sides, n, client, server);
	transport_free(client);
	transport_free(server);
	/* Owner events queued after the closes hold references: let them go. */
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_main_loop_unref(loop);
}

/* Two clients (full ICE, offering) and a lite server with one worker: both server peers
 * share its socket, and each pair carries only its own packets. */
static void test_lite_answers(void)
{
	struct transport *server = make_transport_with("1", true), *client;
	struct side sides[4] = {
	    {.name = "client A"}, {.name = "server A"}, {.name = "client B"}, {.name = "server B"}};
	g_autofree char *port = NULL;
	unsigned shared_port;
	/* A Binding request for a ufrag nobody has (class request, a USERNAME attribute). */
	static const uint8_t stun[] = {0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 1,  2,
	                               3,    4,    5,    6,    7,    8,    9,    10,   11, 12,
	                               0x00, 0x06, 0x00, 0x03, 'x',  ':',  'y',  0};

	if (!server) {
		g_test_skip("no non-loopback address to listen on");
		return;
	}
	client = make_transport_with("2", false);
	loop = g_main_loop_new(NULL, FALSE);
	if (!connect_sides(&sides[0], client, server))
		goto out_close;
	/* The answer says ice-lite and offers the worker's shared socket, host only. */
	port = g_strdup_printf(" %u typ host", ice_mux_port(first_mux(server)));
	g_assert_nonnull(strstr(sides[1].description, "a=ice-lite\r\n"));
	g_assert_nonnull(strstr(sides[1].description, port));
	g_assert_true(sides[0].peer->controlling);
	g_assert_true(connect_sides(&sides[2], client, server));
	g_assert_cmpint(pair_fd(sides[1].peer), ==, pair_fd(sides[3].peer));
	g_assert_cmpstr(ice_mux_local(first_mux(server), pair_fd(sides[1].peer), &shared_port), !=,
	                "?");
	exchange_audio(&sides[0]);
	exchange_audio(&sides[2]);
	/* A frame to client B leaves the shared socket in one offloaded send. */
	send_two_frames(sides[3].peer, &sides[2], 6, 1);
	g_assert_cmpint(transport_counter(server, COUNT_OFFLOADED_OUT), ==, 6);
	/* What no peer owns is counted on the socket, and the peers go on. */
	send_stray(server, "not for anyone", 14);
	send_stray(server, stun, sizeof(stun));
	g_assert_true(run_until(strays_counted, first_mux(server), 5));
	/* Client B leaves politely: server B hears close_notify, and A carries on. */
	peer_close(sides[2].peer, "test done");
	g_assert_true(run_until(side_closed, &sides[3], 10));
	g_assert_nonnull(strstr(sides[3].reason, "close_notify"));
	exchange_audio(&sides[0]);
out_close:
	finish_lite(sides, 4, client, server);
}

/* A lite server offers; a full client answers, and controls because of a=ice-lite. */
static void test_lite_offers(void)
{
	struct transport *server = make_transport_with("2", true), *client;
	struct side sides[2] = {{.name = "server"}, {.name = "client"}};

	if (!server) {
		g_test_skip("no non-loopback address to listen on");
		return;
	}
	client = make_transport_with("1", false);
	loop = g_main_loop_new(NULL, FALSE);
	if (!connect_sides(sides, server, client))
		goto out_close;
	g_assert_nonnull(strstr(sides[0].description, "a=ice-lite\r\n"));
	g_assert_false(sides[0].peer->ice->controlling);
	g_assert_true(sides[1].peer->controlling);
	exchange_audio(sides);
out_close:
	finish_lite(sides, 2, client, server);
}

static void test_refused_offer(void)
{
	struct transport *t = make_transport();
	g_autoptr(GError) error = NULL;
	static const char offer[] = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
	                            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
	                            "a=rtpmap:111 opus/48000/2\r\n";

	g_assert_null(peer_new_answer(t, offer, strlen(offer), &events, &media, NULL, &error));
	g_assert_nonnull(strstr(error->message, "line 5 (m=audio, mid 0): no a=rtcp-mux"));
	g_assert_cmpuint(transport_peer_count(t), ==, 0);
	transport_free(t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/transport/two-peers-connect-and-release",
	                test_two_peers_connect_and_release);
	g_test_add_func("/transport/refused-offer", test_refused_offer);
	g_test_add_func("/transport/lite-answers", test_lite_answers);
	g_test_add_func("/transport/lite-offers", test_lite_offers);
	return g_test_run();
}
