/* SPDX-License-Identifier: MIT */
/* ICE-lite on shared sockets: binding, reading and demultiplexing (see ice_mux.h). The
 * checks themselves are answered by ice_direct.c, as on a peer's own socket. */
#define G_LOG_DOMAIN "cau-ice"
#include "ice_mux.h"

#include "ice_private.h"
#include "proto/stun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <nice/address.h>
#include <nice/interfaces.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MUX_BATCH     32
#define MUX_ROUNDS    8         /* recvmmsg() calls per readiness, at most */
#define MUX_BUFFER    (4 << 20) /* bytes of socket buffer wanted each way */
#define MUX_MAX_SOCKS 8

struct mux_socket {
	struct ice_mux *mux;
	int fd;
	struct sockaddr_storage local;
	char ip[INET6_ADDRSTRLEN];
	unsigned port;
	struct worker_fd *rx;
};

struct ice_mux {
	struct worker *worker;
	struct mux_socket socks[MUX_MAX_SOCKS];
	unsigned nsocks;
	char *public_address;   /* announced instead of an IPv4 socket's address; NULL */
	GHashTable *by_ufrag;   /* local ufrag -> struct ice * */
	GHashTable *by_address; /* struct ice_addr_key * (in the ice) -> struct ice * */
	uint8_t (*rx_buf)[ICE_RX_SIZE];
	_Atomic uint64_t stats[3]; /* struct ice_mux_stats, in order */
	bool started;              /* ice_mux_start() was called */
	GMutex lock;               /* with `stopped`: ice_mux_free() waits for the worker */
	GCond cond;
	bool stopped;
};

enum { ST_UNKNOWN_SOURCE, ST_STUN_DROPPED, ST_OVERSIZED };

static void count(struct ice_mux *mux, unsigned which)
{
	atomic_fetch_add_explicit(&mux->stats[which], 1, memory_order_relaxed);
}

/* ---- the tables (the worker's thread) ---- */

static guint key_hash(gconstpointer k)
{
	const struct ice_addr_key *key = k;
	uint64_t h = 0x9e3779b97f4a7c15ull;

	for (unsigned i = 0; i < G_N_ELEMENTS(key->w); i++)
		h = (h ^ key->w[i]) * 0xff51afd7ed558ccdull;
	return (guint)(h ^ (h >> 32));
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	return !memcmp(a, b, sizeof(struct ice_addr_key));
}

void ice_addr_key_set(struct ice_addr_key *key, const struct sockaddr_storage *addr)
{
	memset(key, 0, sizeof(*key));
	if (addr->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)addr;

		key->w[0] = ((uint32_t)AF_INET << 16) | in->sin_port;
		memcpy(&key->w[1], &in->sin_addr, 4);
	} else if (addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)addr;

		key->w[0] = ((uint32_t)AF_INET6 << 16) | in6->sin6_port;
		memcpy(&key->w[1], &in6->sin6_addr, 16);
	}
}

void ice_mux_add(struct ice_mux *mux, struct ice *ice)
{
	if (g_hash_table_contains(mux->by_ufrag, ice->local_ufrag))
		g_warning("[%s] ice: ufrag %s already in use on this worker; the newer peer "
		          "takes it",
		          ice->name, ice->local_ufrag);
	g_hash_table_replace(mux->by_ufrag, ice->local_ufrag, ice);
}

static void unroute(struct ice_mux *mux, struct ice *ice)
{
	if (ice->mux_routed && g_hash_table_lookup(mux->by_address, &ice->mux_key) == ice)
		g_hash_table_remove(mux->by_address, &ice->mux_key);
	ice->mux_routed = false;
}

void ice_mux_remove(struct ice_mux *mux, struct ice *ice)
{
	if (g_hash_table_lookup(mux->by_ufrag, ice->local_ufrag) == ice)
		g_hash_table_remove(mux->by_ufrag, ice->local_ufrag);
	unroute(mux, ice);
}

void ice_mux_route(struct ice_mux *mux, struct ice *ice, const struct sockaddr_storage *from)
{
	struct ice *other;

	unroute(mux, ice);
	ice_addr_key_set(&ice->mux_key, from);
	other = g_hash_table_lookup(mux->by_address, &ice->mux_key);
	if (other) {
		/* One remote address, two peers: the one that checked last has it. */
		other->mux_routed = false;
		g_hash_table_remove(mux->by_address, &ice->mux_key);
	}
	g_hash_table_insert(mux->by_address, &ice->mux_key, ice);
	ice->mux_routed = true;
}

static struct ice *by_address(struct ice_mux *mux, const struct sockaddr_storage *from)
{
	struct ice_addr_key key;
	struct ice *ice;

	ice_addr_key_set(&key, from);
	ice = g_hash_table_lookup(mux->by_address, &key);
	return ice && !ice->closed ? ice : NULL;
}

/* The peer a binding request is for: USERNAME is "our ufrag:theirs". */
static struct ice *by_username(struct ice_mux *mux, const struct stun_message *m)
{
	char ufrag[64];
	const uint8_t *colon;
	struct ice *ice;

	if (!m->username)
		return NULL;
	colon = memchr(m->username, ':', m->username_len);
	if (!colon || colon == m->username || (size_t)(colon - m->username) >= sizeof(ufrag))
		return NULL;
	memcpy(ufrag, m->username, (size_t)(colon - m->username));
	ufrag[colon - m->username] = '\0';
	ice = g_hash_table_lookup(mux->by_ufrag, ufrag);
	return ice && !ice->closed ? ice : NULL;
}

/* ---- reading ---- */

static void dispatch_stun(struct mux_socket *s, const uint8_t *buf, size_t len,
                          const struct sockaddr_storage *from)
{
	struct ice_mux *mux = s->mux;
	struct stun_message m;
	struct ice *ice;

	if (stun_parse(buf, len, &m) < 0 || m.method != STUN_METHOD_BINDING) {
		ice = by_address(mux, from);
		if (ice) {
			ice->stats.datagrams++;
			ice->stats.stun_dropped++;
		} else {
			count(mux, ST_STUN_DROPPED);
		}
		return;
	}
	ice = m.cls == STUN_CLASS_REQUEST ? by_username(mux, &m) : by_address(mux, from);
	if (!ice) {
		count(mux, ST_STUN_DROPPED);
		return;
	}
	ice->stats.datagrams++;
	ice_direct_stun(ice, s->fd, buf, &m, from);
}

void ice_mux_dispatch(struct ice_mux *mux, unsigned sock, uint8_t *buf, size_t len, bool truncated,
                      const struct sockaddr_storage *from)
{
	struct mux_socket *s = &mux->socks[sock];
	struct ice *ice;

	if (!truncated && stun_is_stun(buf, len)) {
		dispatch_stun(s, buf, len, from);
		return;
	}
	ice = by_address(mux, from);
	if (!ice) {
		count(mux, truncated ? ST_OVERSIZED : ST_UNKNOWN_SOURCE);
		return;
	}
	ice->stats.datagrams++;
	if (truncated)
		ice->stats.oversized++;
	else if (len)
		ice->cb->receive(buf, len, ice->user_data);
}

static bool on_readable(void *data)
{
	struct mux_socket *s = data;
	struct ice_mux *mux = s->mux;
	struct mmsghdr msgs[MUX_BATCH];
	struct sockaddr_storage from[MUX_BATCH];

	for (unsigned round = 0; round < MUX_ROUNDS; round++) {
		int n = ice_recv_batch(s->fd, mux->rx_buf, MUX_BATCH, msgs, from);

		if (n < 0) {
			/* An ICMP error queued for one remote: consumed by the call that reports
			 * it, the others' datagrams are read next. */
			if (n != -EINTR)
				g_debug("ice: shared socket %s:%u: recvmmsg: %s", s->ip, s->port,
				        g_strerror(-n));
			continue;
		}
		for (int i = 0; i < n; i++)
			ice_mux_dispatch(mux, (unsigned)(s - mux->socks), mux->rx_buf[i],
			                 msgs[i].msg_len,
			                 (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0, &from[i]);
		if (n < MUX_BATCH)
			return false;
	}
	return true; /* more, perhaps: after the next poll */
}

/* ---- candidates ---- */

void ice_mux_candidates(struct ice_mux *mux, void (*fn)(const char *line, void *data), void *data)
{
	for (unsigned i = 0; i < mux->nsocks; i++) {
		const struct mux_socket *s = &mux->socks[i];
		/* A host candidate's priority (RFC 8445 5.1.2.1: type preference 126), the
		 * first address preferred. */
		uint32_t priority = (126u << 24) | ((65535u - i) << 8) | (256 - ICE_COMPONENT);
		const char *ip = mux->public_address && s->local.ss_family == AF_INET
		                     ? mux->public_address
		                     : s->ip;
		g_autofree char *line =
		    g_strdup_printf("candidate:%u %u udp %u %s %u typ host", i + 1, ICE_COMPONENT,
		                    priority, ip, s->port);

		fn(line, data);
	}
}

const char *ice_mux_local(const struct ice_mux *mux, int fd, unsigned *port)
{
	for (unsigned i = 0; i < mux->nsocks; i++) {
		if (mux->socks[i].fd == fd) {
			*port = mux->socks[i].port;
			return mux->socks[i].ip;
		}
	}
	*port = 0;
	return "?";
}

/* ---- life ---- */

static void set_buffer(int fd, int force, int plain, int want)
{
	if (setsockopt(fd, SOL_SOCKET, force, &want, sizeof(want)) < 0)
		setsockopt(fd, SOL_SOCKET, plain, &want, sizeof(want));
}

static int get_buffer(int fd, int opt)
{
	int v = 0;
	socklen_t len = sizeof(v);

	getsockopt(fd, SOL_SOCKET, opt, &v, &len);
	return v;
}

static bool bind_socket(struct mux_socket *s, const char *ip, unsigned port, GError **error)
{
	NiceAddress addr;
	socklen_t len;

	s->fd = -1;
	if (!nice_address_set_from_string(&addr, ip)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		            "[ice] lite: \"%s\" is not an IP address", ip);
		return false;
	}
	nice_address_set_port(&addr, port);
	memset(&s->local, 0, sizeof(s->local));
	nice_address_copy_to_sockaddr(&addr, (struct sockaddr *)&s->local);
	s->fd = socket(s->local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&s->local, ice_address_len(&s->local))) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
		            "[ice] lite: cannot listen on %s port %u: %s", ip, port,
		            g_strerror(errno));
		return false;
	}
	len = sizeof(s->local);
	getsockname(s->fd, (struct sockaddr *)&s->local, &len);
	g_strlcpy(s->ip, ip, sizeof(s->ip));
	s->port = ntohs(((struct sockaddr_in *)&s->local)->sin_port);
	set_buffer(s->fd, SO_SNDBUFFORCE, SO_SNDBUF, MUX_BUFFER);
	set_buffer(s->fd, SO_RCVBUFFORCE, SO_RCVBUF, MUX_BUFFER);
	return true;
}

/* The addresses to listen on: the configured ones, else the machine's usable ones. */
static GPtrArray *listen_addresses(const struct ice_config *cfg)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GList *ips;

	if (cfg->addresses) {
		for (char **a = cfg->addresses; *a; a++)
			g_ptr_array_add(out, g_strdup(*a));
		return out;
	}
	ips = nice_interfaces_get_local_ips(FALSE);
	for (GList *l = ips; l; l = l->next) {
		const char *ip = l->data;

		/* Link-local addresses need a scope and reach no other network. */
		if (!g_str_has_prefix(ip, "fe80:") && !g_str_has_prefix(ip, "169.254."))
			g_ptr_array_add(out, g_strdup(ip));
	}
	g_list_free_full(ips, g_free);
	return out;
}

struct ice_mux *ice_mux_new(struct worker *w, const struct ice_config *cfg, unsigned port,
                            GError **error)
{
	g_autoptr(GPtrArray) ips = listen_addresses(cfg);
	struct ice_mux *mux = g_new0(struct ice_mux, 1);

	mux->worker = w;
	g_mutex_init(&mux->lock);
	g_cond_init(&mux->cond);
	mux->by_ufrag = g_hash_table_new(g_str_hash, g_str_equal);
	mux->by_address = g_hash_table_new(key_hash, key_equal);
	mux->rx_buf = g_malloc(sizeof(*mux->rx_buf) * MUX_BATCH);
	mux->public_address = g_strdup(cfg->public_address);
	if (ips->len == 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
		            "[ice] lite: no address to listen on (no non-loopback address on this "
		            "machine); set [ice] addresses");
		goto out_fail;
	}
	for (unsigned i = 0; i < ips->len && i < MUX_MAX_SOCKS; i++) {
		struct mux_socket *s = &mux->socks[mux->nsocks];

		s->mux = mux;
		if (!bind_socket(s, g_ptr_array_index(ips, i), port, error)) {
			if (s->fd >= 0)
				close(s->fd);
			goto out_fail;
		}
		mux->nsocks++;
		g_info("ice: worker %u listens on %s port %u (ICE-lite; socket buffers %d/%d "
		       "bytes)",
		       worker_index(w), s->ip, s->port, get_buffer(s->fd, SO_SNDBUF),
		       get_buffer(s->fd, SO_RCVBUF));
	}
	return mux;
out_fail:
	ice_mux_free(mux);
	return NULL;
}

static gboolean start_on_worker(gpointer data)
{
	struct ice_mux *mux = data;

	for (unsigned i = 0; i < mux->nsocks; i++) {
		mux->socks[i].rx =
		    worker_fd_add(mux->worker, mux->socks[i].fd, on_readable, &mux->socks[i]);
		if (!mux->socks[i].rx)
			g_warning("ice: worker %u has no epoll set: its shared socket %s:%u is "
			          "not read",
			          worker_index(mux->worker), mux->socks[i].ip, mux->socks[i].port);
	}
	return G_SOURCE_REMOVE;
}

void ice_mux_start(struct ice_mux *mux)
{
	mux->started = true;
	worker_invoke(mux->worker, start_on_worker, mux, NULL);
}

static gboolean stop_on_worker(gpointer data)
{
	struct ice_mux *mux = data;

	for (unsigned i = 0; i < mux->nsocks; i++) {
		worker_fd_remove(mux->socks[i].rx);
		mux->socks[i].rx = NULL;
	}
	g_mutex_lock(&mux->lock);
	mux->stopped = true;
	g_cond_signal(&mux->cond);
	g_mutex_unlock(&mux->lock);
	return G_SOURCE_REMOVE;
}

void ice_mux_free(struct ice_mux *mux)
{
	if (!mux)
		return;
	if (!mux->started) {
		/* never read */
	} else if (worker_is_current(mux->worker)) {
		stop_on_worker(mux);
	} else {
		/* start_on_worker() is queued before this, so it has run when this does. */
		worker_invoke(mux->worker, stop_on_worker, mux, NULL);
		g_mutex_lock(&mux->lock);
		while (!mux->stopped)
			g_cond_wait(&mux->cond, &mux->lock);
		g_mutex_unlock(&mux->lock);
	}
	if (g_hash_table_size(mux->by_ufrag))
		g_warning("ice: %u peers still on a shared socket at exit",
		          g_hash_table_size(mux->by_ufrag));
	for (unsigned i = 0; i < mux->nsocks; i++)
		close(mux->socks[i].fd);
	g_hash_table_unref(mux->by_ufrag);
	g_hash_table_unref(mux->by_address);
	g_free(mux->rx_buf);
	g_free(mux->public_address);
	g_mutex_clear(&mux->lock);
	g_cond_clear(&mux->cond);
	g_free(mux);
}

void ice_mux_get_stats(const struct ice_mux *mux, struct ice_mux_stats *out)
{
	struct ice_mux *m = (struct ice_mux *)mux;

	out->unknown_source =
	    atomic_load_explicit(&m->stats[ST_UNKNOWN_SOURCE], memory_order_relaxed);
	out->stun_dropped = atomic_load_explicit(&m->stats[ST_STUN_DROPPED], memory_order_relaxed);
	out->oversized = atomic_load_explicit(&m->stats[ST_OVERSIZED], memory_order_relaxed);
}

unsigned ice_mux_port(const struct ice_mux *mux)
{
	return mux->nsocks ? mux->socks[0].port : 0;
}

int ice_mux_fd(const struct ice_mux *mux)
{
	return mux->nsocks ? mux->socks[0].fd : -1;
}
