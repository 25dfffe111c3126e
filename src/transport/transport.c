/* SPDX-License-Identifier: MIT */
/* The process's transport: settings, certificate, workers, peer registry and metrics. */
#define G_LOG_DOMAIN "cau-transport"
#include "transport_internal.h"

#include "ice_mux.h"
#include "peer_internal.h"

#include <limits.h>
#include <stddef.h>

static const char *const drop_names[DROP_COUNT] = {
    [DROP_MALFORMED] = "malformed",
    [DROP_UNKNOWN_SSRC] = "unknown_ssrc",
    [DROP_SRTP_AUTH] = "srtp_auth",
    [DROP_SRTP_REPLAY] = "srtp_replay",
    [DROP_SRTP_OTHER] = "srtp_other",
    [DROP_NOT_READY] = "not_ready",
    [DROP_UNKNOWN_TYPE] = "unknown_type",
    [DROP_NOT_RECEIVING] = "not_receiving",
    [DROP_STUN] = "stun",
    [DROP_UNKNOWN_SOURCE] = "unknown_source",
};

/* Counters in /metrics: name, help. */
static const struct {
	const char *name;
	const char *help;
} counter_info[COUNT_COUNTERS] = {
    [COUNT_PEERS_CREATED] = {"cau_transport_peers_created_total", "Peer connections made."},
    [COUNT_PACKETS_IN] = {"cau_transport_rtp_packets_received_total",
                          "RTP packets received and accepted."},
    [COUNT_BYTES_IN] = {"cau_transport_rtp_bytes_received_total",
                        "Bytes of accepted RTP packets (after SRTP)."},
    [COUNT_PACKETS_OUT] = {"cau_transport_rtp_packets_sent_total", "RTP packets sent."},
    [COUNT_BYTES_OUT] = {"cau_transport_rtp_bytes_sent_total", "Bytes of SRTP packets sent."},
    [COUNT_NACKS_SENT] = {"cau_transport_nack_requested_total",
                          "Lost packets the server asked for again (NACK items)."},
    [COUNT_NACKS_RECEIVED] = {"cau_transport_nack_received_total",
                              "Packets remote receivers asked the server for (NACK items)."},
    [COUNT_NACKS_ANSWERED] = {"cau_transport_nack_answered_total",
                              "Retransmissions sent in answer to NACKs (RTX or plain)."},
    [COUNT_RTX_RECEIVED] = {"cau_transport_rtx_received_total",
                            "RTX retransmissions received and repaired."},
    [COUNT_KEYFRAMES_SENT] = {"cau_transport_keyframe_requests_sent_total",
                              "PLI/FIR sent to remote senders."},
    [COUNT_KEYFRAMES_RECEIVED] = {"cau_transport_keyframe_requests_received_total",
                                  "PLI/FIR received from remote receivers."},
    [COUNT_TWCC_SENT] = {"cau_transport_twcc_feedback_sent_total",
                         "Transport-wide congestion control feedback messages sent."},
    [COUNT_CONSENT_LOST] = {"cau_transport_consent_lost_total",
                            "Connected peers whose ICE consent checks went unanswered for 30 s "
                            "(closed only if nothing else arrives either)."},
    [COUNT_OFFLOADED_OUT] = {"cau_transport_offloaded_datagrams_total",
                             "Datagrams sent in UDP segmentation-offload batches (a video "
                             "frame's packets to one receiver in one system call)."},
};

static unsigned round_up_pow2(unsigned v)
{
	unsigned p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

unsigned transport_counter_shard(void)
{
	static atomic_uint next;
	static __thread unsigned shard = UINT_MAX;

	if (G_UNLIKELY(shard == UINT_MAX))
		shard = atomic_fetch_add_explicit(&next, 1, memory_order_relaxed) %
		        TRANSPORT_COUNTER_SHARDS;
	return shard;
}

int64_t transport_counter(struct transport *t, enum transport_counter c)
{
	int64_t sum = 0;

	for (unsigned s = 0; s < TRANSPORT_COUNTER_SHARDS; s++)
		sum += atomic_load_explicit(&t->counters[s].v[c], memory_order_relaxed);
	return sum;
}

static void init_common(struct transport *t)
{
	t->counters = g_aligned_alloc0(TRANSPORT_COUNTER_SHARDS, sizeof(*t->counters),
	                               _Alignof(struct transport_counters));
	g_mutex_init(&t->lock);
	t->peers = g_hash_table_new(g_str_hash, g_str_equal);
	t->settings.history_packets = 512;
	t->settings.bwe_start_bps = 600000;
	t->settings.consent_timeout_us = 30 * G_USEC_PER_SEC;
	t->settings.connect_timeout_us = 30 * G_USEC_PER_SEC;
}

struct transport *transport_new_bare(void)
{
	struct transport *t = g_new0(struct transport, 1);

	init_common(t);
	return t;
}

void transport_register_peer(struct transport *t, struct peer *p, char id[9])
{
	g_mutex_lock(&t->lock);
	do
		g_snprintf(id, 9, "%08x", g_random_int());
	while (g_hash_table_contains(t->peers, id));
	g_hash_table_insert(t->peers, id, p);
	g_mutex_unlock(&t->lock);
}

void transport_unregister_peer(struct transport *t, const char *id)
{
	g_mutex_lock(&t->lock);
	g_hash_table_remove(t->peers, id);
	g_mutex_unlock(&t->lock);
}

unsigned transport_peer_count(struct transport *t)
{
	return (unsigned)g_atomic_int_get(&t->live);
}

const char *transport_fingerprint(const struct transport *t)
{
	return t->dtls ? dtls_context_get_fingerprint(t->dtls) : "";
}

/* ---- metrics ---- */

/* Takes a reference unless the peer is already being finalised (count at zero). */
static bool ref_if_alive(struct peer *p)
{
	gint old = g_atomic_int_get(&p->refcount);

	do {
		if (old <= 0)
			return false;
	} while (!g_atomic_int_compare_and_exchange_full(&p->refcount, old, old + 1, &old));
	return true;
}

/* References to every registered peer that is still alive. */
static GPtrArray *alive_peers(struct transport *t)
{
	GPtrArray *peers = g_ptr_array_new_with_free_func((GDestroyNotify)peer_unref);
	GHashTableIter it;
	gpointer key, value;

	g_mutex_lock(&t->lock);
	g_hash_table_iter_init(&it, t->peers);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		if (ref_if_alive(value))
			g_ptr_array_add(peers, value);
	}
	g_mutex_unlock(&t->lock);
	return peers;
}

enum field_type { FIELD_U64, FIELD_I64, FIELD_DOUBLE };

/* The per-track samples of live peers: name, type, help, field of struct peer_track_stats. */
static const struct {
	const char *name, *type, *help;
	size_t offset;
	enum field_type field;
} track_metrics[] = {
#define U64(name, type, help, member)                                                              \
	{                                                                                          \
		name, type, help, offsetof(struct peer_track_stats, member), FIELD_U64             \
	}
    U64("cau_peer_packets_received_total", "counter", "RTP packets received, per peer and track.",
        packets_received),
    U64("cau_peer_bytes_received_total", "counter", "RTP payload bytes received.", bytes_received),
    U64("cau_peer_packets_sent_total", "counter", "RTP packets sent.", packets_sent),
    U64("cau_peer_bytes_sent_total", "counter", "RTP payload bytes sent.", bytes_sent),
    {"cau_peer_packets_lost", "gauge", "Packets of the remote's stream never received.",
     offsetof(struct peer_track_stats, packets_lost), FIELD_I64},
    {"cau_peer_jitter_ms", "gauge", "Interarrival jitter of the remote's stream.",
     offsetof(struct peer_track_stats, jitter_ms), FIELD_DOUBLE},
    U64("cau_peer_nack_requested_total", "counter", "Lost packets the server asked for.",
        nacks_sent),
    U64("cau_peer_nack_received_total", "counter", "Packets the remote asked the server for.",
        nacks_received),
    U64("cau_peer_retransmissions_total", "counter", "NACKs answered with a retransmission.",
        retransmissions),
    U64("cau_peer_recovered_total", "counter", "Lost packets that arrived after all.", recovered),
#undef U64
};

static double field_value(const struct peer_track_stats *ts, unsigned m)
{
	const char *base = (const char *)ts + track_metrics[m].offset;

	switch (track_metrics[m].field) {
	case FIELD_U64:
		return (double)*(const uint64_t *)base;
	case FIELD_I64:
		return (double)*(const int64_t *)base;
	default:
		return *(const double *)base;
	}
}

static void collect_peers(GString *out, struct transport *t)
{
	g_autoptr(GPtrArray) peers = alive_peers(t);
	g_autofree struct peer_stats *stats = g_new0(struct peer_stats, peers->len + 1);

	for (unsigned i = 0; i < peers->len; i++)
		peer_get_stats(g_ptr_array_index(peers, i), &stats[i]);
	metrics_write_header(out, "cau_peer_rtt_ms", "gauge",
	                     "Round-trip time of each peer, from RTCP reports.");
	for (unsigned i = 0; i < peers->len; i++)
		metrics_write_sample(out, "cau_peer_rtt_ms", stats[i].rtt_ms, "peer",
		                     peer_id(g_ptr_array_index(peers, i)), NULL);
	for (unsigned m = 0; m < G_N_ELEMENTS(track_metrics); m++) {
		metrics_write_header(out, track_metrics[m].name, track_metrics[m].type,
		                     track_metrics[m].help);
		for (unsigned i = 0; i < peers->len; i++) {
			struct peer *p = g_ptr_array_index(peers, i);

			for (unsigned k = 0; k < stats[i].track_count; k++) {
				const struct peer_track *tr = peer_track(p, k);
				char idx[12];

				g_snprintf(idx, sizeof(idx), "%u", k);
				metrics_write_sample(out, track_metrics[m].name,
				                     field_value(&stats[i].tracks[k], m), "peer",
				                     peer_id(p), "track", idx, "kind",
				                     tr ? track_kind_name(tr->kind) : "", NULL);
			}
		}
	}
}

/* What the shared sockets dropped before any peer saw it, by reason. */
static void mux_drops(struct transport *t, int64_t dropped[DROP_COUNT])
{
	for (unsigned i = 0; t->muxes && i < worker_pool_size(t->workers); i++) {
		struct ice_mux_stats st;

		ice_mux_get_stats(t->muxes[i], &st);
		dropped[DROP_UNKNOWN_SOURCE] += (int64_t)st.unknown_source;
		dropped[DROP_STUN] += (int64_t)st.stun_dropped;
		dropped[DROP_MALFORMED] += (int64_t)st.oversized;
	}
}

static void collect(GString *out, gpointer user_data)
{
	struct transport *t = user_data;
	int64_t dropped[DROP_COUNT] = {0};

	metrics_write_header(out, "cau_transport_peers", "gauge",
	                     "Peer connections holding resources (ICE agent, DTLS, SRTP).");
	metrics_write_sample(out, "cau_transport_peers", transport_peer_count(t), NULL);
	metrics_write_header(out, "cau_transport_workers", "gauge", "Transport worker threads.");
	metrics_write_sample(out, "cau_transport_workers",
	                     t->workers ? worker_pool_size(t->workers) : 0, NULL);
	metrics_write_header(out, "cau_transport_dropped_total", "counter",
	                     "Received datagrams dropped, by reason.");
	mux_drops(t, dropped);
	for (unsigned i = 0; i < DROP_COUNT; i++)
		metrics_write_sample(
		    out, "cau_transport_dropped_total",
		    (double)(dropped[i] +
		             atomic_load_explicit(&t->dropped[i], memory_order_relaxed)),
		    "reason", drop_names[i], NULL);
	metrics_write_header(out, "cau_transport_peers_failed_total", "counter",
	                     "Peer connections that failed, by error (as in peer.state events).");
	for (unsigned i = PEER_ERROR_NONE + 1; i < PEER_ERROR_COUNT; i++)
		metrics_write_sample(
		    out, "cau_transport_peers_failed_total",
		    (double)atomic_load_explicit(&t->failures[i], memory_order_relaxed), "error",
		    peer_error_name(i), NULL);
	for (unsigned i = 0; i < COUNT_COUNTERS; i++) {
		metrics_write_header(out, counter_info[i].name, "counter", counter_info[i].help);
		metrics_write_sample(out, counter_info[i].name, (double)transport_counter(t, i),
		                     NULL);
	}
	collect_peers(out, t);
}

/* ---- life ---- */

static bool load_settings(struct transport *t, const struct config *conf, GError **error)
{
	struct transport_settings *s = &t->settings;

	if (!ice_config_load(&s->ice, conf, error))
		return false;
	s->consent_timeout_us = config_get_int(conf, "ice", "consent_timeout_s") * G_USEC_PER_SEC;
	s->connect_timeout_us = config_get_int(conf, "ice", "connect_timeout_s") * G_USEC_PER_SEC;
	s->history_packets =
	    round_up_pow2((unsigned)config_get_int(conf, "transport", "history_packets"));
	s->bwe_start_bps = (uint64_t)config_get_int(conf, "video", "start_kbps") * 1000;
	return true;
}

struct ice_mux *transport_mux(struct transport *t, struct worker *w)
{
	return t->muxes ? t->muxes[worker_index(w)] : NULL;
}

/* [ice] lite: the workers' shared sockets, bound now so that a port in use fails the
 * start. */
static bool open_muxes(struct transport *t, GError **error)
{
	const struct ice_config *ice = &t->settings.ice;
	unsigned n = worker_pool_size(t->workers);

	if (!ice->lite)
		return true;
	if (ice->port_min && ice->port_min + n - 1 > ice->port_max) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "[ice] lite: the %u workers need ports %u..%u, past port_max %u", n,
		            ice->port_min, ice->port_min + n - 1, ice->port_max);
		return false;
	}
	t->muxes = g_new0(struct ice_mux *, n);
	for (unsigned i = 0; i < n; i++) {
		t->muxes[i] = ice_mux_new(worker_pool_get(t->workers, i), ice,
		                          ice->port_min ? ice->port_min + i : 0, error);
		if (!t->muxes[i])
			return false;
		ice_mux_start(t->muxes[i]);
	}
	return true;
}

static void close_muxes(struct transport *t)
{
	for (unsigned i = 0; t->muxes && i < worker_pool_size(t->workers); i++)
		ice_mux_free(t->muxes[i]);
	g_clear_pointer(&t->muxes, g_free);
}

struct transport *transport_new(const struct config *conf, struct metrics *registry, GError **error)
{
	g_autoptr(transport) t = g_new0(struct transport, 1);
	const char *cert = config_get_string(conf, "transport", "certificate");
	const char *key = config_get_string(conf, "transport", "private_key");

	init_common(t);
	if (!load_settings(t, conf, error))
		return NULL;
	if ((*cert == '\0') != (*key == '\0')) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		            "[transport] certificate and private_key go together (both empty: a "
		            "fresh self-signed certificate)");
		return NULL;
	}
	t->dtls = dtls_context_new(*cert ? cert : NULL, *key ? key : NULL, error);
	if (!t->dtls)
		return NULL;
	t->workers = worker_pool_new((unsigned)config_get_int(conf, "transport", "workers"));
	worker_pool_set_batch_max(t->workers,
	                          (unsigned)config_get_int(conf, "transport", "io_batch_us"));
	if (!open_muxes(t, error))
		return NULL;
	t->metrics = registry;
	if (registry)
		metrics_add_collector(registry, collect, t);
	g_info("transport: DTLS fingerprint sha-256 %s", transport_fingerprint(t));
	return g_steal_pointer(&t);
}

/* Peers still open when the server stops: closed here, on the owner (control) thread. */
static void close_remaining(struct transport *t)
{
	g_autoptr(GPtrArray) open = alive_peers(t);

	for (unsigned i = 0; i < open->len; i++)
		peer_close(g_ptr_array_index(open, i), "server shutting down");
}

void transport_free(struct transport *t)
{
	if (!t)
		return;
	if (t->metrics)
		metrics_remove_collector(t->metrics, collect, t);
	if (t->workers) {
		gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

		close_remaining(t);
		while (g_atomic_int_get(&t->live) > 0 && g_get_monotonic_time() < deadline)
			g_usleep(2000);
		if (g_atomic_int_get(&t->live) > 0)
			g_warning("transport: %d peers still hold resources at exit",
			          g_atomic_int_get(&t->live));
		close_muxes(t);
		worker_pool_free(t->workers);
	}
	dtls_context_unref(t->dtls);
	ice_config_clear(&t->settings.ice);
	if (g_hash_table_size(t->peers))
		g_debug("transport: %u peer objects still referenced at exit",
		        g_hash_table_size(t->peers));
	g_hash_table_unref(t->peers);
	g_mutex_clear(&t->lock);
	g_aligned_free(t->counters);
	g_free(t);
}
