/* SPDX-License-Identifier: MIT */
/* Test peer for DTLS-SRTP interop: our DTLS and SRTP over a plain UDP socket, driven on stdio. */
#include <errno.h>
#include <gio/gio.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/rtp.h"
#include "transport/dtls.h"
#include "transport/srtp.h"

/*
 * dtls-echo-tool --role client|server [--profiles gcm|cm|gcm,cm] [--timeout SECONDS]
 *
 * Binds a UDP socket on 127.0.0.1 and prints, one line each on stdout:
 *   ready port=PORT fingerprint=sha-256 FP
 * then reads "peer PORT ALG FINGERPRINT" from stdin and runs the handshake with that
 * peer, printing
 *   connected profile=NAME material=HEX   (the RFC 5764 exporter output, client key first)
 *   failed reason=...                      (exit 1)
 * After the handshake it unprotects every SRTP/SRTCP packet, prints "rtp seq=N len=L" or
 * "rtcp len=L", and sends it back protected with its own keys (an echo). It prints
 * "closed" and exits 0 on the peer's close_notify, or sends its own close_notify and exits
 * 0 on "close" from stdin. Gives up with exit 2 after the timeout (default 20 s).
 *
 * It is a test tool: it prints the keying material so that the test can compare it with
 * the independent stack's export. The server never does.
 */

struct tool {
	int fd;
	bool connected; /* the socket is connect()ed to the peer */
	dtls_session *session;
	cau_srtp *srtp;
	int exit_code; /* -1 while running */
};

static void on_send(const uint8_t *buf, size_t len, void *user_data)
{
	struct tool *tool = user_data;

	if (send(tool->fd, buf, len, 0) < 0)
		fprintf(stderr, "dtls-echo-tool: send: %s\n", g_strerror(errno));
}

/* Prints the exporter output in RFC 5764 order, rebuilt from the keys split by role. */
static void print_connected(const struct cau_srtp_keys *keys, enum dtls_role role)
{
	const bool client = role == DTLS_ROLE_CLIENT;
	const uint8_t *parts[4] = {
	    client ? keys->local_key : keys->remote_key,
	    client ? keys->remote_key : keys->local_key,
	    client ? keys->local_salt : keys->remote_salt,
	    client ? keys->remote_salt : keys->local_salt,
	};
	const size_t lens[4] = {keys->key_len, keys->key_len, keys->salt_len, keys->salt_len};

	printf("connected profile=%s material=", cau_srtp_profile_name(keys->profile));
	for (int p = 0; p < 4; p++)
		for (size_t i = 0; i < lens[p]; i++)
			printf("%02X", parts[p][i]);
	printf("\n");
	fflush(stdout);
}

static void on_event(dtls_session *session, const struct dtls_event *event, void *user_data)
{
	struct tool *tool = user_data;
	g_autoptr(GError) error = NULL;

	switch (event->type) {
	case DTLS_EVENT_CONNECTED:
		print_connected(event->keys, dtls_session_get_role(session));
		tool->srtp = cau_srtp_new(event->keys, &error);
		if (!tool->srtp) {
			printf("failed reason=%s\n", error->message);
			tool->exit_code = 1;
		}
		break;
	case DTLS_EVENT_FAILED:
		printf("failed reason=%s\n", event->reason);
		tool->exit_code = 1;
		break;
	case DTLS_EVENT_CLOSED:
		printf("closed\n");
		tool->exit_code = 0;
		break;
	}
	fflush(stdout);
}

static int bind_loopback(uint16_t *port)
{
	struct sockaddr_in addr = {.sin_family = AF_INET,
	                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
		perror("dtls-echo-tool: socket");
		exit(2);
	}
	*port = ntohs(addr.sin_port);
	return fd;
}

/* Unprotects one SRTP or SRTCP packet, reports it, and sends it back protected. */
static void echo_media(struct tool *tool, uint8_t *buf, size_t len, size_t cap,
                       enum packet_class cls)
{
	const bool rtcp = cls == PACKET_RTCP;
	size_t plain_len, out_len;
	int ret;

	ret = rtcp ? cau_srtp_unprotect_rtcp(tool->srtp, buf, len, &plain_len)
	           : cau_srtp_unprotect_rtp(tool->srtp, buf, len, &plain_len);
	if (ret < 0) {
		printf("unprotect-failed %s error=%s\n", rtcp ? "rtcp" : "rtp",
		       cau_srtp_strerror(ret));
		fflush(stdout);
		return;
	}
	if (rtcp)
		printf("rtcp len=%zu\n", plain_len);
	else
		printf("rtp seq=%u len=%zu\n", (unsigned)buf[2] << 8 | buf[3], plain_len);
	fflush(stdout);
	ret = rtcp ? cau_srtp_protect_rtcp(tool->srtp, buf, plain_len, cap, &out_len)
	           : cau_srtp_protect_rtp(tool->srtp, buf, plain_len, cap, &out_len);
	if (ret == 0)
		on_send(buf, out_len, tool);
}

static void receive_datagram(struct tool *tool)
{
	uint8_t buf[2048];
	struct sockaddr_in from;
	socklen_t from_len = sizeof(from);
	ssize_t n = recvfrom(tool->fd, buf, sizeof(buf) - CAU_SRTP_MAX_TRAILER_LEN, 0,
	                     (struct sockaddr *)&from, &from_len);
	enum packet_class cls;

	if (n < 0)
		return;
	if (!tool->connected) {
		/* The peer's address, learnt from its first datagram. */
		if (connect(tool->fd, (struct sockaddr *)&from, from_len) < 0)
			return;
		tool->connected = true;
	}
	cls = packet_classify(buf, (size_t)n);
	if (cls == PACKET_DTLS)
		(void)dtls_session_receive(tool->session, buf, (size_t)n);
	else if ((cls == PACKET_RTP || cls == PACKET_RTCP) && tool->srtp)
		echo_media(tool, buf, (size_t)n, sizeof(buf), cls);
}

/* Handles one stdin line; returns false at EOF. */
static bool read_command(struct tool *tool)
{
	char line[256];

	if (!fgets(line, sizeof(line), stdin))
		return false;
	if (g_str_has_prefix(line, "close")) {
		dtls_session_close(tool->session);
		printf("closed-local\n");
		fflush(stdout);
		tool->exit_code = 0;
	}
	return true;
}

static void run(struct tool *tool, int timeout_s)
{
	const gint64 deadline = g_get_monotonic_time() + (gint64)timeout_s * G_USEC_PER_SEC;
	bool stdin_open = true;

	while (tool->exit_code < 0) {
		struct pollfd fds[2] = {{.fd = tool->fd, .events = POLLIN},
		                        {.fd = stdin_open ? 0 : -1, .events = POLLIN}};
		int left_ms = (int)((deadline - g_get_monotonic_time()) / 1000);
		int timer_ms = dtls_session_timeout_ms(tool->session);

		if (left_ms <= 0) {
			printf("failed reason=timed out\n");
			tool->exit_code = 2;
			return;
		}
		if (poll(fds, 2, timer_ms >= 0 ? MIN(timer_ms, left_ms) : left_ms) < 0 &&
		    errno != EINTR)
			break;
		if (fds[0].revents & POLLIN)
			receive_datagram(tool);
		if (fds[1].revents & (POLLIN | POLLHUP))
			stdin_open = read_command(tool);
		if (dtls_session_timeout_ms(tool->session) == 0)
			(void)dtls_session_handle_timeout(tool->session);
	}
}

static bool parse_profiles(const char *text, enum cau_srtp_profile *profiles, size_t *count)
{
	g_auto(GStrv) names = g_strsplit(text, ",", 3);

	*count = 0;
	for (char **name = names; *name && *count < 2; name++) {
		if (g_strcmp0(*name, "gcm") == 0)
			profiles[(*count)++] = CAU_SRTP_AEAD_AES_128_GCM;
		else if (g_strcmp0(*name, "cm") == 0)
			profiles[(*count)++] = CAU_SRTP_AES128_CM_SHA1_80;
		else
			return false;
	}
	return *count > 0;
}

/*
 * Reads "peer PORT ALG FINGERPRINT" and points the socket at the peer; port 0 means the
 * peer is learnt from its first datagram (openssl s_client picks its own port).
 */
static bool read_peer(int fd, char *alg, char *fingerprint, bool *connected)
{
	struct sockaddr_in peer = {.sin_family = AF_INET,
	                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	char line[512];
	unsigned port;

	if (!fgets(line, sizeof(line), stdin) ||
	    sscanf(line, "peer %u %15s %199s", &port, alg, fingerprint) != 3 || port > 65535)
		return false;
	if (port == 0)
		return true;
	peer.sin_port = htons((uint16_t)port);
	*connected = connect(fd, (struct sockaddr *)&peer, sizeof(peer)) == 0;
	return *connected;
}

int main(int argc, char **argv)
{
	g_autofree char *role_name = NULL, *profile_list = NULL;
	int timeout_s = 20;
	GOptionEntry entries[] = {
	    {"role", 0, 0, G_OPTION_ARG_STRING, &role_name, "client or server", "ROLE"},
	    {"profiles", 0, 0, G_OPTION_ARG_STRING, &profile_list, "gcm,cm", "LIST"},
	    {"timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "seconds", "S"},
	    {NULL}};
	g_autoptr(GOptionContext) options = g_option_context_new("- DTLS-SRTP echo peer");
	g_autoptr(GError) error = NULL;
	g_autoptr(dtls_context) ctx = NULL;
	const struct dtls_callbacks callbacks = {.send = on_send, .event = on_event};
	struct tool tool = {.exit_code = -1};
	enum cau_srtp_profile profiles[2];
	size_t profile_count = 0;
	char alg[16], fingerprint[200];
	uint16_t port;

	g_option_context_add_main_entries(options, entries, NULL);
	if (!g_option_context_parse(options, &argc, &argv, &error) || !role_name ||
	    (g_strcmp0(role_name, "client") != 0 && g_strcmp0(role_name, "server") != 0) ||
	    (profile_list && !parse_profiles(profile_list, profiles, &profile_count))) {
		fprintf(stderr, "usage: dtls-echo-tool --role client|server [--profiles gcm,cm]\n");
		return 2;
	}
	ctx = dtls_context_new(NULL, NULL, &error);
	if (!ctx) {
		fprintf(stderr, "dtls-echo-tool: %s\n", error->message);
		return 2;
	}
	tool.fd = bind_loopback(&port);
	printf("ready port=%u fingerprint=%s %s\n", port, DTLS_FINGERPRINT_ALG,
	       dtls_context_get_fingerprint(ctx));
	fflush(stdout);
	if (!read_peer(tool.fd, alg, fingerprint, &tool.connected)) {
		fprintf(stderr, "dtls-echo-tool: expected 'peer PORT ALG FINGERPRINT' on stdin\n");
		return 2;
	}
	tool.session = dtls_session_new(
	    ctx, g_strcmp0(role_name, "client") == 0 ? DTLS_ROLE_CLIENT : DTLS_ROLE_SERVER, alg,
	    fingerprint, &callbacks, &tool, &error);
	if (!tool.session ||
	    (profile_count &&
	     !dtls_session_set_srtp_profiles(tool.session, profiles, profile_count, &error))) {
		fprintf(stderr, "dtls-echo-tool: %s\n", error->message);
		return 2;
	}
	(void)dtls_session_start(tool.session);
	run(&tool, timeout_s);
	dtls_session_free(tool.session);
	cau_srtp_free(tool.srtp);
	close(tool.fd);
	return tool.exit_code < 0 ? 2 : tool.exit_code;
}
