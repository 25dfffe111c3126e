/* SPDX-License-Identifier: MIT */
/* libnice glue for one peer: one stream, one component, full ICE with trickle. */
#define G_LOG_DOMAIN "cau-ice"
#include "ice_private.h"

#include "core/config.h"
#include "core/random.h"
#include "ice_mux.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <nice/agent.h>
#include <nice/interfaces.h>
#include <string.h>
#include <sys/socket.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* linux/udp.h, Linux 4.18 */
#endif

#define COMPONENT ICE_COMPONENT

const char *ice_state_name(enum ice_state state)
{
	static const char *const names[] = {"new", "checking", "connected", "consent-lost",
	                                    "failed"};

	return (size_t)state < G_N_ELEMENTS(names) ? names[state] : "?";
}

/* ---- configuration ---- */

/* Splits "host:port" and resolves host to one IP literal. */
static bool resolve_server(const char *value, const char *key, unsigned default_port,
                           char **host_out, unsigned *port_out, GError **error)
{
	g_autoptr(GNetworkAddress) addr = NULL;
	g_autoptr(GResolver) resolver = g_resolver_get_default();
	g_autoptr(GError) local = NULL;
	GList *list;

	addr = G_NETWORK_ADDRESS(g_network_address_parse(value, default_port, &local));
	if (!addr) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "[ice] %s: \"%s\" is not HOST[:PORT]: %s", key, value, local->message);
		return false;
	}
	list =
	    g_resolver_lookup_by_name(resolver, g_network_address_get_hostname(addr), NULL, &local);
	if (!list) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "[ice] %s: cannot resolve \"%s\": %s", key, value, local->message);
		return false;
	}
	*host_out = g_inet_address_to_string(list->data);
	*port_out = g_network_address_get_port(addr);
	g_resolver_free_addresses(list);
	return true;
}

static bool add_interfaces(GPtrArray *out, const char *list, GError **error)
{
	g_auto(GStrv) names = g_strsplit_set(list, ", ", -1);

	for (char **n = names; *n; n++) {
		if (!**n)
			continue;
		char *ip = nice_interfaces_get_ip_for_interface(*n);
		if (!ip) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			            "[ice] interfaces: no IPv4 address on interface \"%s\"", *n);
			return false;
		}
		g_ptr_array_add(out, ip);
	}
	return true;
}

static bool add_addresses(GPtrArray *out, const char *list, GError **error)
{
	g_auto(GStrv) ips = g_strsplit_set(list, ", ", -1);

	for (char **a = ips; *a; a++) {
		NiceAddress check;

		if (!**a)
			continue;
		if (!nice_address_set_from_string(&check, *a)) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			            "[ice] addresses: \"%s\" is not an IP address", *a);
			return false;
		}
		g_ptr_array_add(out, g_strdup(*a));
	}
	return true;
}

/* [ice] lite: auto is lite unless a STUN or TURN server is set, whose server-reflexive
 * and relayed candidates only a full agent gathers. */
static bool load_lite(struct ice_config *cfg, const struct config *conf, GError **error)
{
	const char *lite = config_get_string(conf, "ice", "lite");
	const char *stun = config_get_string(conf, "ice", "stun_server");
	const char *turn = config_get_string(conf, "ice", "turn_server");
	const char *server = *turn ? "turn_server" : *stun ? "stun_server" : NULL;

	if (!strcmp(lite, "true") && server) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "[ice] lite = true and %s exclude each other: its candidates need full "
		            "ICE (set lite = auto or false)",
		            server);
		return false;
	}
	cfg->lite = !strcmp(lite, "true") || (!strcmp(lite, "auto") && !server);
	return true;
}

bool ice_config_load(struct ice_config *cfg, const struct config *conf, GError **error)
{
	g_autoptr(GPtrArray) addrs = g_ptr_array_new_with_free_func(g_free);
	const char *pub = config_get_string(conf, "ice", "public_address");
	const char *stun = config_get_string(conf, "ice", "stun_server");
	const char *turn = config_get_string(conf, "ice", "turn_server");
	NiceAddress check;

	memset(cfg, 0, sizeof(*cfg));
	cfg->port_min = (unsigned)config_get_int(conf, "ice", "port_min");
	cfg->port_max = (unsigned)config_get_int(conf, "ice", "port_max");
	cfg->direct_receive = config_get_bool(conf, "ice", "direct_receive");
	if ((cfg->port_min == 0) != (cfg->port_max == 0) || cfg->port_min > cfg->port_max) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "[ice] port_min %u and port_max %u do not make a range (both 0: any)",
		            cfg->port_min, cfg->port_max);
		goto out_fail;
	}
	if (!add_interfaces(addrs, config_get_string(conf, "ice", "interfaces"), error) ||
	    !add_addresses(addrs, config_get_string(conf, "ice", "addresses"), error))
		goto out_fail;
	if (addrs->len) {
		g_ptr_array_add(addrs, NULL);
		cfg->addresses = (char **)g_ptr_array_steal(addrs, NULL);
	}
	if (*pub) {
		if (!nice_address_set_from_string(&check, pub)) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			            "[ice] public_address: \"%s\" is not an IP address", pub);
			goto out_fail;
		}
		cfg->public_address = g_strdup(pub);
	}
	if (*stun &&
	    !resolve_server(stun, "stun_server", 3478, &cfg->stun_host, &cfg->stun_port, error))
		goto out_fail;
	if (!load_lite(cfg, conf, error))
		goto out_fail;
	if (*turn) {
		if (!resolve_server(turn, "turn_server", 3478, &cfg->turn_host, &cfg->turn_port,
		                    error))
			goto out_fail;
		cfg->turn_user = g_strdup(config_get_string(conf, "ice", "turn_user"));
		cfg->turn_password = g_strdup(config_get_string(conf, "ice", "turn_password"));
	}
	return true;
out_fail:
	ice_config_clear(cfg);
	return false;
}

void ice_config_clear(struct ice_config *cfg)
{
	g_strfreev(cfg->addresses);
	g_free(cfg->public_address);
	g_free(cfg->stun_host);
	g_free(cfg->turn_host);
	g_free(cfg->turn_user);
	g_free(cfg->turn_password);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- agent signals (on the agent's context) ---- */

void ice_set_state(struct ice *ice, enum ice_state state, const char *reason)
{
	if (ice->state == state || ice->closed)
		return;
	ice->state = state;
	ice->cb->state(state, reason, ice->user_data);
}

static char *candidate_line(struct ice *ice, NiceCandidate *cand)
{
	g_autofree char *line = NULL;

	if (ice->cfg->public_address && cand->type == NICE_CANDIDATE_TYPE_HOST) {
		/* 1:1 NAT: the peer must reach us on the public address, same port. */
		NiceCandidate *copy = nice_candidate_copy(cand);
		guint port = nice_address_get_port(&cand->addr);

		nice_address_set_from_string(&copy->addr, ice->cfg->public_address);
		nice_address_set_port(&copy->addr, port);
		line = nice_agent_generate_local_candidate_sdp(ice->agent, copy);
		nice_candidate_free(copy);
	} else {
		line = nice_agent_generate_local_candidate_sdp(ice->agent, cand);
	}
	if (!line)
		return NULL;
	return g_strdup(g_str_has_prefix(line, "a=") ? line + 2 : line);
}

static void on_new_candidate(NiceAgent *agent, NiceCandidate *cand, gpointer data)
{
	struct ice *ice = data;
	g_autofree char *line = NULL;

	if (ice->closed || cand->stream_id != ice->stream || cand->component_id != COMPONENT)
		return;
	line = candidate_line(ice, cand);
	if (!line)
		return;
	g_debug("[%s] ice: local %s", ice->name, line);
	ice->cb->candidate(line, ice->user_data);
}

static void on_gathering_done(NiceAgent *agent, guint stream, gpointer data)
{
	struct ice *ice = data;

	if (ice->closed || stream != ice->stream)
		return;
	g_debug("[%s] ice: gathering done", ice->name);
	ice->cb->candidate(NULL, ice->user_data);
}

static void on_component_state(NiceAgent *agent, guint stream, guint component, guint state,
                               gpointer data)
{
	struct ice *ice = data;

	if (stream != ice->stream || component != COMPONENT)
		return;
	g_debug("[%s] ice: component %s", ice->name, nice_component_state_to_string(state));
	switch (state) {
	case NICE_COMPONENT_STATE_CONNECTING:
		ice_set_state(ice, ICE_STATE_CHECKING, NULL);
		break;
	case NICE_COMPONENT_STATE_CONNECTED:
	case NICE_COMPONENT_STATE_READY:
		ice_set_state(ice, ICE_STATE_CONNECTED, NULL);
		break;
	case NICE_COMPONENT_STATE_FAILED:
		/* Without its consent checks libnice does not fail a connected component; our
		 * own checks report consent lost (ice_direct.c). */
		if (ice->state != ICE_STATE_CONNECTED && ice->state != ICE_STATE_CONSENT_LOST)
			ice_set_state(ice, ICE_STATE_FAILED,
			              "ice: no candidate pair works (connectivity checks failed)");
		break;
	default:
		break;
	}
}

/* Points the direct path at the selected pair, or turns it off (relayed or TCP pairs keep
 * going through libnice, which wraps them). The agent's thread. */
static void set_direct(struct ice *ice, NiceCandidate *local, NiceCandidate *remote)
{
	GSocket *socket = NULL;
	struct sockaddr_storage to;

	if (local->type != NICE_CANDIDATE_TYPE_RELAYED &&
	    local->transport == NICE_CANDIDATE_TRANSPORT_UDP &&
	    remote->transport == NICE_CANDIDATE_TRANSPORT_UDP)
		socket = nice_agent_get_selected_socket(ice->agent, ice->stream, COMPONENT);
	memset(&to, 0, sizeof(to));
	if (socket)
		nice_address_copy_to_sockaddr(&remote->addr, (struct sockaddr *)&to);
	ice_set_path(ice, socket ? g_socket_get_fd(socket) : -1, &to);
	g_clear_object(&ice->direct_socket);
	ice->direct_socket = socket;
	if (socket && ice->cfg->direct_receive && !ice->cfg->turn_host)
		ice_direct_start(ice);
	else
		ice_direct_stop(ice);
}

static void on_selected_pair(NiceAgent *agent, guint stream, guint component, NiceCandidate *local,
                             NiceCandidate *remote, gpointer data)
{
	struct ice *ice = data;
	g_autofree char *pair = NULL;

	if (stream != ice->stream || component != COMPONENT)
		return;
	set_direct(ice, local, remote);
	pair = ice_selected_pair(ice);
	g_info("[%s] ice: selected pair %s", ice->name, pair ? pair : "?");
}

void ice_libnice_receive(NiceAgent *agent, guint stream, guint component, guint len, gchar *buf,
                         gpointer data)
{
	struct ice *ice = data;
	GSource *source = g_main_current_source();

	/* GLib blocks a source while it dispatches unless it may recurse, and blocking and
	 * unblocking take its descriptor out of the context's poll set and put it back, each
	 * time signalling the context's wakeup (an eventfd write, then a read to clear it):
	 * three system calls per datagram on an agent's child context, which only the worker
	 * iterates and never from inside a callback. libnice's socket sources are made
	 * recursive the first time they deliver. */
	if (source && G_UNLIKELY(!g_source_get_can_recurse(source)))
		g_source_set_can_recurse(source, TRUE);
	if (ice->closed || len == 0)
		return;
	ice->cb->receive((uint8_t *)buf, len, ice->user_data);
}

/* ---- API ---- */

static void configure_agent(struct ice *ice)
{
	const struct ice_config *cfg = ice->cfg;

	g_object_set(ice->agent, "ice-tcp", FALSE, "upnp", FALSE, NULL);
	if (cfg->stun_host)
		g_object_set(ice->agent, "stun-server", cfg->stun_host, "stun-server-port",
		             cfg->stun_port, NULL);
	for (char **a = cfg->addresses; a && *a; a++) {
		NiceAddress addr;

		if (nice_address_set_from_string(&addr, *a))
			nice_agent_add_local_address(ice->agent, &addr);
	}
	g_signal_connect(ice->agent, "new-candidate-full", G_CALLBACK(on_new_candidate), ice);
	g_signal_connect(ice->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done),
	                 ice);
	g_signal_connect(ice->agent, "component-state-changed", G_CALLBACK(on_component_state),
	                 ice);
	g_signal_connect(ice->agent, "new-selected-pair-full", G_CALLBACK(on_selected_pair), ice);
}

void ice_make_credentials(char **ufrag, char **pwd)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t bytes[32];
	char u[9], p[25];

	random_bytes(bytes, sizeof(bytes));
	for (unsigned i = 0; i < 8; i++)
		u[i] = alphabet[bytes[i] & 63];
	for (unsigned i = 0; i < 24; i++)
		p[i] = alphabet[bytes[8 + i] & 63];
	u[8] = p[24] = '\0';
	*ufrag = g_strdup(u);
	*pwd = g_strdup(p);
}

struct ice *ice_new(struct worker *worker, const struct ice_config *cfg, struct ice_mux *mux,
                    bool controlling, const char *ufrag, const char *pwd,
                    const struct ice_callbacks *cb, void *user_data, const char *name)
{
	struct ice *ice = g_new0(struct ice, 1);
	/* No NICE_AGENT_OPTION_CONSENT_FRESHNESS: libnice 0.1.21 gives up 10 s after its last
	 * answered check and never retransmits one, and once the socket is read directly its
	 * answers would not reach it. ice_direct.c checks consent instead. */
	NiceAgentOption options = NICE_AGENT_OPTION_ICE_TRICKLE;
	GMainContext *context;

	ice->worker = worker;
	ice->rx_fd = -1;
	ice->controlling = controlling;
	ice->local_ufrag = g_strdup(ufrag);
	ice->local_pwd = g_strdup(pwd);
	random_bytes(&ice->tie_breaker, sizeof(ice->tie_breaker));
	ice->sub = worker_sub_new(worker);
	context = worker_sub_context(ice->sub);
	ice->context = g_main_context_ref(context);
	ice->cfg = cfg;
	ice->cb = cb;
	ice->user_data = user_data;
	ice->name = g_strdup(name);
	ice->old_paths = g_ptr_array_new_with_free_func(g_free);
	if (mux) {
		/* ICE-lite: the controlled side, whatever offered (a=ice-lite). */
		ice->mux = mux;
		ice->controlling = false;
		ice_mux_add(mux, ice);
		g_debug("[%s] ice: lite, on the worker's shared socket", name);
		return ice;
	}
	ice->agent = nice_agent_new_full(context, NICE_COMPATIBILITY_RFC5245, options);
	g_object_set(ice->agent, "controlling-mode", controlling, NULL);
	configure_agent(ice);
	ice->stream = nice_agent_add_stream(ice->agent, 1);
	nice_agent_set_stream_name(ice->agent, ice->stream, "video");
	if (cfg->port_min)
		nice_agent_set_port_range(ice->agent, ice->stream, COMPONENT, cfg->port_min,
		                          cfg->port_max);
	if (cfg->turn_host)
		nice_agent_set_relay_info(ice->agent, ice->stream, COMPONENT, cfg->turn_host,
		                          cfg->turn_port, cfg->turn_user, cfg->turn_password,
		                          NICE_RELAY_TYPE_TURN_UDP);
	nice_agent_set_local_credentials(ice->agent, ice->stream, ufrag, pwd);
	nice_agent_attach_recv(ice->agent, ice->stream, COMPONENT, context, ice_libnice_receive,
	                       ice);
	g_debug("[%s] ice: agent created (%s)", name, controlling ? "controlling" : "controlled");
	return ice;
}

static void lite_candidate(const char *line, void *data)
{
	struct ice *ice = data;

	g_debug("[%s] ice: local %s", ice->name, line);
	ice->cb->candidate(line, ice->user_data);
}

bool ice_gather(struct ice *ice, GError **error)
{
	if (ice->mux) {
		ice_mux_candidates(ice->mux, lite_candidate, ice);
		ice->cb->candidate(NULL, ice->user_data);
		return true;
	}
	if (!nice_agent_gather_candidates(ice->agent, ice->stream)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
		            "ice: cannot gather candidates (no usable local address%s)",
		            ice->cfg->port_min ? " or no free port in [ice] port_min..port_max"
		                               : "");
		return false;
	}
	return true;
}

bool ice_set_remote_credentials(struct ice *ice, const char *ufrag, const char *pwd, GError **error)
{
	if (!ice->mux && !nice_agent_set_remote_credentials(ice->agent, ice->stream, ufrag, pwd)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "ice: remote credentials refused");
		return false;
	}
	g_free(ice->remote_ufrag);
	g_free(ice->remote_pwd);
	ice->remote_ufrag = g_strdup(ufrag);
	ice->remote_pwd = g_strdup(pwd);
	return true;
}

bool ice_add_remote_candidate(struct ice *ice, const char *candidate, GError **error)
{
	g_autofree char *line = g_str_has_prefix(candidate, "a=")
	                            ? g_strdup(candidate)
	                            : g_strconcat("a=", candidate, NULL);
	NiceCandidate *cand;
	GSList list = {0};
	int added;

	if (ice->mux)
		return true; /* a lite agent checks nothing: the remote's checks find the pair */
	cand = nice_agent_parse_remote_candidate_sdp(ice->agent, ice->stream, line);
	if (!cand) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
		            "ice: unusable candidate (not UDP over an IP address?): %s", candidate);
		return false;
	}
	if (cand->component_id != COMPONENT || cand->transport != NICE_CANDIDATE_TRANSPORT_UDP) {
		g_set_error(
		    error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
		    "ice: ignored candidate (component %u, %s): only UDP component 1 is used",
		    cand->component_id, nice_candidate_transport_to_string(cand->transport));
		nice_candidate_free(cand);
		return false;
	}
	list.data = cand;
	added = nice_agent_set_remote_candidates(ice->agent, ice->stream, COMPONENT, &list);
	nice_candidate_free(cand);
	if (added < 1) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "ice: candidate refused: %s",
		            candidate);
		return false;
	}
	g_debug("[%s] ice: remote %s", ice->name, candidate);
	return true;
}

void ice_remote_gathering_done(struct ice *ice)
{
	g_debug("[%s] ice: remote end of candidates", ice->name);
	if (!ice->mux)
		nice_agent_peer_candidate_gathering_done(ice->agent, ice->stream);
}

/* What a send of len bytes that returned sent comes to: 0, -EAGAIN (the socket's buffer
 * is full: dropped), -EIO (cut short) or -errno. */
static int send_result(ssize_t sent, size_t len)
{
	if (sent == (ssize_t)len)
		return 0;
	if (sent >= 0)
		return -EIO;
	return errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

/* Sends on the selected pair's socket directly: 0, -errno, or 1 when there is no direct
 * path (then libnice sends). */
static int send_direct(struct ice *ice, const uint8_t *buf, size_t len)
{
	const struct ice_path *path = atomic_load_explicit(&ice->path, memory_order_acquire);
	ssize_t sent;

	if (!path)
		return 1;
	sent = sendto(path->fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)&path->to,
	              path->to_len);
	return send_result(sent, len);
}

/* One sendmsg() of `total` bytes cut by the kernel into datagrams of `seg` bytes (UDP
 * generic segmentation offload): 0 or -errno. */
static int send_offloaded(const struct ice_path *path, const uint8_t *buf, size_t seg, size_t total)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {(void *)buf, total};
	struct msghdr msg = {
	    .msg_name = (void *)&path->to,
	    .msg_namelen = path->to_len,
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control.buf,
	    .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	uint16_t size = (uint16_t)seg;
	ssize_t sent;

	memset(&control, 0, sizeof(control));
	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(size));
	memcpy(CMSG_DATA(cm), &size, sizeof(size));
	sent = sendmsg(path->fd, &msg, MSG_DONTWAIT);
	return send_result(sent, total);
}

/* Refusals that say the path cannot offload (IPsec, a route whose MTU is smaller than a
 * segment, a kernel without it), not that the socket is busy. */
static bool offload_refused(int err)
{
	return err == -EIO || err == -EINVAL || err == -EOPNOTSUPP || err == -ENOPROTOOPT ||
	       err == -EMSGSIZE;
}

int ice_send_segments(struct ice *ice, const uint8_t *buf, size_t seg, size_t total,
                      bool *offloaded)
{
	const struct ice_path *path = atomic_load_explicit(&ice->path, memory_order_acquire);
	int ret = 0;

	*offloaded = false;
	if (seg == 0 || total == 0 || seg > UINT16_MAX || total > ICE_SEGMENTS_MAX_BYTES ||
	    (total + seg - 1) / seg > ICE_SEGMENTS_MAX)
		return -EINVAL;
	if (path && total > seg && !atomic_load_explicit(&ice->no_offload, memory_order_relaxed)) {
		ret = send_offloaded(path, buf, seg, total);
		if (ret == 0) {
			*offloaded = true;
			return 0;
		}
		if (!offload_refused(ret))
			return ret;
		/* Once per ice: from now on, one datagram at a time. */
		if (!atomic_exchange(&ice->no_offload, true))
			g_message("[%s] ice: UDP segmentation offload refused (%s); sending "
			          "datagrams one by one",
			          ice->name, g_strerror(-ret));
		ret = 0;
	}
	for (size_t off = 0; off < total; off += seg) {
		int err = ice_send(ice, buf + off, MIN(seg, total - off));

		if (err && !ret)
			ret = err;
	}
	return ret;
}

int ice_send(struct ice *ice, const uint8_t *buf, size_t len)
{
	int direct = send_direct(ice, buf, len);
	gint sent;

	if (direct <= 0)
		return direct;
	if (ice->mux)
		return -ENOTCONN;
	sent = nice_agent_send(ice->agent, ice->stream, COMPONENT, len, (const gchar *)buf);

	if (sent == (gint)len)
		return 0;
	if (sent < 0)
		return ice->state == ICE_STATE_CONNECTED ? -EAGAIN : -ENOTCONN;
	return -EIO;
}

/* With ICE-lite: the shared socket and the remote address media goes to. */
static char *lite_pair(struct ice *ice)
{
	const struct ice_path *path = atomic_load(&ice->path);
	NiceAddress remote;
	char ra[NICE_ADDRESS_STRING_LEN];
	unsigned port;
	const char *local;

	if (!path)
		return NULL;
	local = ice_mux_local(ice->mux, path->fd, &port);
	nice_address_set_from_sockaddr(&remote, (const struct sockaddr *)&path->to);
	nice_address_to_string(&remote, ra);
	return g_strdup_printf("%s:%u <-> %s:%u (host/lite)", local, port, ra,
	                       nice_address_get_port(&remote));
}

char *ice_selected_pair(struct ice *ice)
{
	NiceCandidate *local = NULL, *remote = NULL;
	char la[NICE_ADDRESS_STRING_LEN], ra[NICE_ADDRESS_STRING_LEN];

	if (ice->mux)
		return lite_pair(ice);
	if (!nice_agent_get_selected_pair(ice->agent, ice->stream, COMPONENT, &local, &remote))
		return NULL;
	nice_address_to_string(&local->addr, la);
	nice_address_to_string(&remote->addr, ra);
	return g_strdup_printf("%s:%u <-> %s:%u (%s/%s)", la, nice_address_get_port(&local->addr),
	                       ra, nice_address_get_port(&remote->addr),
	                       nice_candidate_type_to_string(local->type),
	                       nice_candidate_type_to_string(remote->type));
}

/* On the worker's own context (the thread default where ice_free() ran). The child
 * context is let go first, while the agent's sockets are still open. */
static void on_closed(GObject *source, GAsyncResult *result, gpointer data)
{
	worker_sub_release(data);
	g_object_unref(source);
}

static void close_agent(struct ice *ice, bool parked)
{
	g_signal_handlers_disconnect_by_data(ice->agent, ice);
	if (!parked)
		nice_agent_attach_recv(ice->agent, ice->stream, COMPONENT, ice->context, NULL,
		                       NULL);
	/* The agent lives on until its TURN allocations are released; it holds no pointer
	 * to ice any more. */
	nice_agent_close_async(ice->agent, on_closed, ice->sub);
}

void ice_free(struct ice *ice)
{
	bool parked;

	if (!ice)
		return;
	parked = ice->rx != NULL;
	ice->closed = true;
	ice_direct_stop(ice); /* before libnice closes the socket; its sources stay parked */
	g_clear_object(&ice->direct_socket);
	g_free(atomic_load(&ice->path)); /* no sender: the peer has let go of ice */
	g_ptr_array_unref(ice->old_paths);
	if (ice->mux) {
		ice_mux_remove(ice->mux, ice);
		worker_sub_release(ice->sub);
	} else {
		close_agent(ice, parked);
	}
	g_main_context_unref(ice->context);
	g_free(ice->name);
	g_free(ice->local_ufrag);
	g_free(ice->local_pwd);
	g_free(ice->remote_ufrag);
	g_free(ice->remote_pwd);
	g_free(ice);
}
