/* SPDX-License-Identifier: MIT */
/* cau-load: N synthetic WebRTC endpoints in one process joining a Cầu room or a Janus
 * plugin, sending pre-encoded Opus (K talking) and VP8 (--video), measuring what they receive over
 * steady windows, and printing one JSON summary on stdout. */
#define G_LOG_DOMAIN "cau-load"
#include "load.h"

#include "core/log.h"
#include "core/metrics.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#define HEARD_DBFS     -40.0 /* a tone at least this loud (RMS) was heard */
#define ABSENT_DROP_DB 15.0  /* one's own tone at least this far below the others': absent */

static const char *usage_text =
    "Runs N endpoints against a server and prints a JSON summary on stdout.\n"
    "Cầu: --url ws://HOST:PORT/ws --room mcu:NAME|echo\n"
    "Janus: --backend janus --url ws://HOST:8188/ --room audiobridge:ID|echotest\n"
    "Exit status: 0 when every endpoint connected and every sampled one heard what it\n"
    "should, 1 otherwise, 2 for bad options.";

void say(const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list args;

	va_start(args, fmt);
	text = g_strdup_vprintf(fmt, args);
	va_end(args);
	fprintf(stderr, "cau-load: %s\n", text);
}

/* ---- options ---- */

static bool parse_options(struct load *load, int argc, char **argv)
{
	g_autofree char *backend = NULL, *video = NULL, *video_large = NULL;
	int video_large_every = 4, video_sample = 3;
	g_autofree char *estimates = NULL;
	double video_min_fps = 10;
	int n = 3, talkers = -1, sample = 10, join_rate = 20, windows = 1;
	double warmup = 3, window = 10, connect_timeout = 30;
	g_autoptr(GError) error = NULL;
	GOptionEntry entries[] = {
	    {"url", 0, 0, G_OPTION_ARG_STRING, &load->url, "Signalling URL", "URL"},
	    {"backend", 0, 0, G_OPTION_ARG_STRING, &backend, "cau (default) or janus", "NAME"},
	    {"room", 0, 0, G_OPTION_ARG_STRING, &load->room, "Room to join", "ROOM"},
	    {"token-file", 0, 0, G_OPTION_ARG_FILENAME, &load->token_file,
	     "Join tokens, one a line (room.join)", "FILE"},
	    {"n", 'n', 0, G_OPTION_ARG_INT, &n, "Endpoints (default 3)", "N"},
	    {"talkers", 'k', 0, G_OPTION_ARG_INT, &talkers,
	     "Endpoints talking (default 3, all in echo rooms)", "K"},
	    {"sample", 0, 0, G_OPTION_ARG_INT, &sample, "Endpoints whose audio is decoded", "S"},
	    {"join-rate", 0, 0, G_OPTION_ARG_INT, &join_rate, "Joins per second", "R"},
	    {"warmup", 0, 0, G_OPTION_ARG_DOUBLE, &warmup, "Seconds after the ramp", "S"},
	    {"window", 0, 0, G_OPTION_ARG_DOUBLE, &window, "Seconds of a steady window", "S"},
	    {"windows", 0, 0, G_OPTION_ARG_INT, &windows, "Steady windows", "W"},
	    {"connect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &connect_timeout,
	     "Seconds for the last endpoint to connect", "S"},
	    {"watch-pid", 0, 0, G_OPTION_ARG_INT, &load->watch_pid,
	     "Server process whose CPU is measured", "PID"},
	    {"metrics-url", 0, 0, G_OPTION_ARG_STRING, &load->metrics_url,
	     "Cầu /metrics, read around each window", "URL"},
	    {"min-frames", 0, 0, G_OPTION_ARG_DOUBLE, &load->min_frames_pct,
	     "Percent of a window's frames a sampled endpoint must decode (90)", "PCT"},
	    {"workers", 0, 0, G_OPTION_ARG_INT, &load->workers, "Transport worker threads", "W"},
	    {"ice-address", 0, 0, G_OPTION_ARG_STRING, &load->ice_address,
	     "Local ICE address (default 127.0.0.2)", "IP"},
	    {"video", 0, 0, G_OPTION_ARG_STRING, &video,
	     "Every endpoint sends VP8 (e.g. 320x180@15, 640x360@15:500)", "WxH@FPS[:KBPS]"},
	    {"video-large", 0, 0, G_OPTION_ARG_STRING, &video_large,
	     "The camera of every --video-large-every-th endpoint", "WxH@FPS[:KBPS]"},
	    {"video-large-every", 0, 0, G_OPTION_ARG_INT, &video_large_every,
	     "Endpoints 0, K, 2K... send --video-large (default 4)", "K"},
	    {"video-sample", 0, 0, G_OPTION_ARG_INT, &video_sample,
	     "Sampled endpoints that decode the composite (default 3)", "D"},
	    {"video-estimates", 0, 0, G_OPTION_ARG_STRING, &estimates,
	     "Receivers report these bandwidths in turn (REMB, kb/s, e.g. 2000,600,200)", "LIST"},
	    {"write-ivf", 0, 0, G_OPTION_ARG_FILENAME, &load->ivf_dir,
	     "Write every camera clip there as IVF (cam-WxH-P.ivf)", "DIR"},
	    {"video-min-fps", 0, 0, G_OPTION_ARG_DOUBLE, &video_min_fps,
	     "Frames a second a decoding endpoint must decode (default 10)", "F"},
	    {"audio-only", 0, 0, G_OPTION_ARG_NONE, &load->audio_only,
	     "Offer audio only (no video section), as a telephone-like endpoint", NULL},
	    {"muted", 0, 0, G_OPTION_ARG_NONE, &load->muted,
	     "Endpoints not talking have muted their microphone: they send digital silence "
	     "(level 127) instead of -70 dBov room noise",
	     NULL},
	    {"no-dtx", 0, 0, G_OPTION_ARG_NONE, &load->no_dtx,
	     "Silent endpoints send every frame even when the answer asks for DTX (usedtx=1)",
	     NULL},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- WebRTC load generator");

	load->workers = 2;
	load->min_frames_pct = 90;
	g_option_context_set_summary(ctx, usage_text);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "cau-load: %s\n", error->message);
		return false;
	}
	if (!load->url || n < 1 || n > 20000 || join_rate < 1 || windows < 1 || window <= 0 ||
	    sample < 0) {
		fprintf(stderr, "cau-load: needs --url, and 1 <= n, join-rate, windows\n");
		return false;
	}
	load->signal = g_strcmp0(backend, "janus") == 0 ? &load_signal_janus : &load_signal_cau;
	load->mode =
	    load->room && (strcmp(load->room, "echo") == 0 || strcmp(load->room, "echotest") == 0)
	        ? MODE_ECHO
	        : MODE_MCU;
	load->n = (unsigned)n;
	load->talkers = talkers < 0 ? (load->mode == MODE_ECHO ? load->n : MIN(3u, load->n))
	                            : MIN((unsigned)talkers, load->n);
	load->sample = MIN((unsigned)sample, load->n);
	load->join_rate = (unsigned)join_rate;
	load->windows = (unsigned)windows;
	load->warmup_s = warmup;
	load->window_s = window;
	load->connect_timeout_s = connect_timeout;
	if (!load->ice_address)
		load->ice_address = g_strdup("127.0.0.2");
	if (video && !video_spec_parse(video, &load->video_small)) {
		fprintf(stderr, "cau-load: --video wants WIDTHxHEIGHT@FPS[:KBPS], not %s\n", video);
		return false;
	}
	if (video_large && (!video || !video_spec_parse(video_large, &load->video_large) ||
	                    video_large_every < 1)) {
		fprintf(stderr, "cau-load: --video-large needs --video, a valid camera and "
		                "--video-large-every >= 1\n");
		return false;
	}
	if (video && load->audio_only) {
		fprintf(stderr, "cau-load: --video and --audio-only exclude each other\n");
		return false;
	}
	load->video = video != NULL;
	load->video_large_every = video_large ? (unsigned)video_large_every : 0;
	load->video_sample = load->video ? MIN((unsigned)MAX(video_sample, 0), load->sample) : 0;
	load->video_min_fps = video_min_fps;
	if (estimates) {
		g_auto(GStrv) parts = g_strsplit(estimates, ",", -1);

		for (char **part = parts; *part; part++) {
			char *end;
			guint64 kbps = g_ascii_strtoull(*part, &end, 10);

			if (end == *part || *end || kbps < 10 || kbps > 100000 ||
			    load->estimate_count == G_N_ELEMENTS(load->estimates_kbps)) {
				fprintf(stderr, "cau-load: --video-estimates wants up to 8 kb/s "
				                "figures, comma separated\n");
				return false;
			}
			load->estimates_kbps[load->estimate_count++] = (unsigned)kbps;
		}
	}
	if (load->mode == MODE_MCU && load->talkers > LOAD_MAX_TONES) {
		fprintf(stderr, "cau-load: at most %d talkers in a mixed room\n", LOAD_MAX_TONES);
		return false;
	}
	return true;
}

/* ---- set-up ---- */

static struct transport *make_transport(struct load *load, GError **error)
{
	g_autoptr(config) cfg = config_new();
	g_autofree char *workers = g_strdup_printf("%d", load->workers);
	static struct metrics *registry; /* outlives the transport: freed at exit */

	registry = metrics_new();
	if (!config_set(cfg, "ice", "addresses", load->ice_address, "cau-load", error) ||
	    !config_set(cfg, "transport", "workers", workers, "cau-load", error) ||
	    !config_set(cfg, "ice", "connect_timeout_s", "60", "cau-load", error) ||
	    /* The endpoints offer and check, as full agents: the server may be lite. */
	    !config_set(cfg, "ice", "lite", "false", "cau-load", error))
		return NULL;
	return transport_new(cfg, registry, error);
}

/* Talkers are endpoints 0..K-1, each with its own tone (cycling in echo rooms); sampled
 * endpoints are endpoint 0 (a talker) and the rest spread over the others. */
static void make_endpoints(struct load *load)
{
	load->tone_count = MIN(load->talkers, (unsigned)LOAD_MAX_TONES);
	for (unsigned t = 0; t < load->tone_count; t++) {
		load->tones[t] = 400 + 150 * t;
		load->clips[t] = audio_clip_new(CLIP_TONE, load->tones[t], false);
	}
	load->silent = audio_clip_new(load->muted ? CLIP_MUTED : CLIP_NOISE, 0, false);
	load->silent_dtx = audio_clip_new(load->muted ? CLIP_MUTED : CLIP_NOISE, 0, true);
	load->eps = g_new0(struct endpoint, load->n);
	for (unsigned i = 0; i < load->n; i++) {
		struct endpoint *ep = &load->eps[i];

		ep->load = load;
		ep->index = i;
		ep->talk_slot = i < load->talkers ? (int)(i % load->tone_count) : -1;
		ep->clip = ep->talk_slot >= 0 ? load->clips[ep->talk_slot] : load->silent;
	}
	if (load->sample > 0)
		load->eps[0].sampled = true;
	for (unsigned s = 1; s < load->sample; s++) {
		unsigned rest = load->n - 1;

		load->eps[1 + (unsigned)((uint64_t)(s - 1) * rest / (load->sample - 1))].sampled =
		    true;
	}
}

/* ---- the sender thread ---- */

static gpointer sender_main(gpointer data)
{
	struct load *load = data;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!__atomic_load_n(&load->sender_stop, __ATOMIC_RELAXED)) {
		struct timespec now;
		int64_t late_us, now_us;
		unsigned skip;

		next.tv_nsec += 20000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		clock_gettime(CLOCK_MONOTONIC, &now);
		late_us =
		    (now.tv_sec - next.tv_sec) * 1000000 + (now.tv_nsec - next.tv_nsec) / 1000;
		if (late_us > 5000)
			__atomic_add_fetch(&load->sender_late_ticks, 1, __ATOMIC_RELAXED);
		if (late_us > load->sender_late_max_us)
			load->sender_late_max_us = late_us;
		/* Behind by a few frames: they go out back to back, as a browser's capture queue
		 * would send them. Behind by more (a stall of 200 ms): start again from now, the
		 * RTP timestamps jumping by the time lost. */
		skip = late_us > 200000 ? (unsigned)(late_us / 20000) : 0;
		if (skip)
			next = now;
		now_us = g_get_monotonic_time();
		for (unsigned i = 0; i < load->n; i++) {
			struct endpoint *ep = &load->eps[i];

			if (__atomic_load_n(&ep->state, __ATOMIC_ACQUIRE) != EP_CONNECTED)
				continue;
			ep->timestamp += skip * AUDIO_FRAME_SAMPLES;
			endpoint_send_next(ep);
			if (ep->vclip)
				endpoint_send_video(ep, now_us);
		}
		__atomic_add_fetch(&load->sender_ticks, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* ---- the run: ramp, wait, warm up, windows ---- */

/* A steady window's measurements. */
struct window {
	double seconds, server_cpu_s, self_cpu_s;
	GHashTable *metrics_before, *metrics_after;
	uint64_t *rx_before, *lost_before;
	uint64_t rx, lost, sent_before, sent;
	uint64_t late_before;
	int64_t start_us;
	double jitter_p50_ms, jitter_max_ms, gap_p99_ms;
	unsigned receiving; /* endpoints that got audio in the window */
	struct video_window video;
};

static void audio_counts(struct endpoint *ep, uint64_t *rx, uint64_t *lost, double *jitter)
{
	struct peer_stats s;

	*rx = *lost = 0;
	*jitter = 0;
	if (!ep->peer || ep->state != EP_CONNECTED)
		return;
	peer_get_stats(ep->peer, &s);
	for (unsigned i = 0; i < s.track_count; i++) {
		const struct peer_track *t = peer_track(ep->peer, i);

		if (t->kind == TRACK_AUDIO) {
			*rx += s.tracks[i].packets_received;
			*lost +=
			    s.tracks[i].packets_lost > 0 ? (uint64_t)s.tracks[i].packets_lost : 0;
			*jitter = MAX(*jitter, s.tracks[i].jitter_ms);
		}
	}
}

static uint64_t total_sent(struct load *load)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < load->n; i++)
		sum += __atomic_load_n(&load->eps[i].sent, __ATOMIC_RELAXED);
	return sum;
}

static void window_begin(struct load *load, struct window *w)
{
	double jitter;

	w->rx_before = g_new0(uint64_t, load->n);
	w->lost_before = g_new0(uint64_t, load->n);
	for (unsigned i = 0; i < load->n; i++) {
		endpoint_window_begin(&load->eps[i]);
		audio_counts(&load->eps[i], &w->rx_before[i], &w->lost_before[i], &jitter);
	}
	if (load->metrics_url)
		w->metrics_before = probe_metrics(load->http, load->metrics_url);
	w->sent_before = total_sent(load);
	w->late_before = load->sender_late_ticks;
	if (load->video)
		video_window_begin(load, &w->video);
	w->server_cpu_s = load->watch_pid ? probe_process_cpu_s(load->watch_pid) : 0;
	w->self_cpu_s = probe_self_cpu_s();
	w->start_us = g_get_monotonic_time();
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void window_end(struct load *load, struct window *w)
{
	g_autofree double *jitters = g_new0(double, load->n);
	g_autofree double *gaps = g_new0(double, load->n);
	unsigned count = 0;

	w->seconds = (double)(g_get_monotonic_time() - w->start_us) / 1e6;
	w->server_cpu_s =
	    load->watch_pid ? probe_process_cpu_s(load->watch_pid) - w->server_cpu_s : 0;
	w->self_cpu_s = probe_self_cpu_s() - w->self_cpu_s;
	w->sent = total_sent(load) - w->sent_before;
	if (load->metrics_url)
		w->metrics_after = probe_metrics(load->http, load->metrics_url);
	for (unsigned i = 0; i < load->n; i++) {
		struct endpoint *ep = &load->eps[i];
		uint64_t rx, lost;
		double jitter;

		audio_counts(ep, &rx, &lost, &jitter);
		if (ep->state != EP_CONNECTED)
			continue;
		w->rx += rx - w->rx_before[i];
		w->lost += lost > w->lost_before[i] ? lost - w->lost_before[i] : 0;
		if (rx > w->rx_before[i])
			w->receiving++;
		jitters[count] = jitter;
		gaps[count] = (double)__atomic_load_n(&ep->max_gap_us, __ATOMIC_RELAXED) / 1000.0;
		count++;
	}
	if (load->video)
		video_window_end(load, &w->video, w->metrics_before, w->metrics_after, w->seconds,
		                 w->server_cpu_s);
	qsort(jitters, count, sizeof(double), compare_double);
	qsort(gaps, count, sizeof(double), compare_double);
	w->jitter_p50_ms = count ? jitters[count / 2] : 0;
	w->jitter_max_ms = count ? jitters[count - 1] : 0;
	w->gap_p99_ms = count ? gaps[MIN(count - 1, (unsigned)ceil(0.99 * count) - 1)] : 0;
}

bool load_run(struct load *load);
bool load_print_summary(struct load *load, struct window *windows);

static gboolean quit_loop(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

/* Runs the main loop for seconds, or until done() says so (polled every 50 ms). Without
 * done() it sleeps to the deadline: every wake-up of this context polls all the
 * endpoints' WebSockets, a thousand at the largest sizes. */
static void run_for(struct load *load, double seconds, bool (*done)(struct load *))
{
	int64_t deadline = g_get_monotonic_time() + (int64_t)(seconds * 1e6);

	while (g_get_monotonic_time() < deadline && !(done && done(load))) {
		int64_t left = deadline - g_get_monotonic_time();
		guint id = g_timeout_add(MAX(1, done ? MIN(50, left / 1000) : (left + 999) / 1000),
		                         quit_loop, load->loop);

		g_main_loop_run(load->loop); /* until quit_loop(), which removes itself */
		(void)id;
	}
}

static bool all_settled(struct load *load)
{
	return load->connected + load->failed >= load->n;
}

static gboolean ramp_step(gpointer data)
{
	struct load *load = data;
	int64_t now = g_get_monotonic_time();
	/* Joins due by now at the configured rate (catching up after a slow step). */
	unsigned due = (unsigned)MIN((uint64_t)load->n, 1 + (uint64_t)(now - load->ramp_start_us) *
	                                                        load->join_rate / 1000000);

	while (load->started < due)
		endpoint_start(&load->eps[load->started++]);
	if (load->started < load->n)
		return G_SOURCE_CONTINUE;
	load->ramp_end_us = now;
	return G_SOURCE_REMOVE;
}

/* Every second: each endpoint reports its estimate (--video-estimates, in turn), as a
 * browser on a link of that capacity would, so that receivers take every tier. */
static gboolean send_estimates(gpointer data)
{
	struct load *load = data;

	for (unsigned i = 0; i < load->n; i++)
		if (load->eps[i].state == EP_CONNECTED)
			peer_send_remb(load->eps[i].peer,
			               1000ull * load->estimates_kbps[i % load->estimate_count]);
	return G_SOURCE_CONTINUE;
}

bool load_run(struct load *load)
{
	g_autofree struct window *windows = g_new0(struct window, load->windows);
	int64_t settled_us;
	bool delivered;

	load->ramp_start_us = g_get_monotonic_time();
	g_timeout_add(MAX(1u, 1000 / load->join_rate), ramp_step, load);
	ramp_step(load);
	load->sender = g_thread_new("load-sender", sender_main, load);
	if (load->estimate_count)
		g_timeout_add(1000, send_estimates, load);
	while (load->started < load->n) {
		run_for(load, 5, NULL);
		say("%u started, %u connected, %u failed", load->started, load->connected,
		    load->failed);
	}
	for (int64_t end = g_get_monotonic_time() + (int64_t)(load->connect_timeout_s * 1e6);
	     !all_settled(load) && g_get_monotonic_time() < end;) {
		run_for(load, MIN(5.0, (double)(end - g_get_monotonic_time()) / 1e6), all_settled);
		say("%u started, %u connected, %u failed", load->started, load->connected,
		    load->failed);
	}
	settled_us = g_get_monotonic_time();
	for (unsigned i = 0; i < load->n; i++)
		if (load->eps[i].state != EP_CONNECTED && load->eps[i].state != EP_FAILED)
			endpoint_failed(&load->eps[i], "not connected within %.0f s",
			                load->connect_timeout_s);
	say("%u of %u connected in %.1f s (%u failed); warming up", load->connected, load->n,
	    (double)(settled_us - load->ramp_start_us) / 1e6, load->failed);
	run_for(load, load->warmup_s, NULL);
	for (unsigned w = 0; w < load->windows; w++) {
		window_begin(load, &windows[w]);
		run_for(load, load->window_s, NULL);
		window_end(load, &windows[w]);
		say("window %u: %.1f s, server %.1f%% cpu, cau-load %.1f%% cpu, %" G_GUINT64_FORMAT
		    " packets received",
		    w + 1, windows[w].seconds, 100 * windows[w].server_cpu_s / windows[w].seconds,
		    100 * windows[w].self_cpu_s / windows[w].seconds, windows[w].rx);
	}
	delivered = load_print_summary(load, windows);
	for (unsigned w = 0; w < load->windows; w++) {
		g_free(windows[w].rx_before);
		g_free(windows[w].lost_before);
		g_clear_pointer(&windows[w].metrics_before, g_hash_table_unref);
		g_clear_pointer(&windows[w].metrics_after, g_hash_table_unref);
		video_window_clear(&windows[w].video);
	}
	return delivered;
}

/* ---- the summary ---- */

static double median_of(double *values, unsigned count)
{
	qsort(values, count, sizeof(double), compare_double);
	if (count == 0)
		return 0;
	return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

#define ADD_DOUBLE(b, name, value)                                                                 \
	do {                                                                                       \
		json_builder_set_member_name(b, name);                                             \
		json_builder_add_double_value(b, round((value)*1000) / 1000);                      \
	} while (0)
#define ADD_INT(b, name, value)                                                                    \
	do {                                                                                       \
		json_builder_set_member_name(b, name);                                             \
		json_builder_add_int_value(b, (gint64)(value));                                    \
	} while (0)

/* Endpoints sending with DTX (silent, and the server asked for it). */
static unsigned count_dtx(const struct load *load)
{
	unsigned k = 0;

	for (unsigned i = 0; i < load->n; i++)
		k += load->eps[i].dtx;
	return k;
}

/* Whether sampled receiver ep heard what it should in the last window; adds its report. */
static bool report_receiver(struct load *load, struct endpoint *ep, double window_s, JsonBuilder *b)
{
	struct tone_report r;
	double weakest = 0;
	bool ok = ep->state == EP_CONNECTED, any = false;

	endpoint_window_report(ep, &r);
	json_builder_begin_object(b);
	ADD_INT(b, "endpoint", ep->index);
	ADD_INT(b, "tone_hz", ep->talk_slot >= 0 ? load->tones[ep->talk_slot] : 0);
	ADD_INT(b, "decoded", r.decoded);
	ADD_INT(b, "decode_errors", r.decode_errors);
	ADD_DOUBLE(b, "rms_dbfs", r.rms_dbfs);
	json_builder_set_member_name(b, "tones_dbfs");
	json_builder_begin_object(b);
	for (unsigned t = 0; t < load->tone_count; t++) {
		g_autofree char *hz = g_strdup_printf("%u", load->tones[t]);
		bool own = (int)t == ep->talk_slot;
		bool expected = load->mode == MODE_ECHO ? own : !own;

		ADD_DOUBLE(b, hz, r.tone_dbfs[t]);
		if (expected) {
			weakest = any ? MIN(weakest, r.tone_dbfs[t]) : r.tone_dbfs[t];
			any = true;
			ok = ok && r.tone_dbfs[t] >= HEARD_DBFS;
		}
	}
	json_builder_end_object(b);
	/* In a mixed room one's own voice must not come back. */
	if (load->mode == MODE_MCU && ep->talk_slot >= 0 && any)
		ok = ok && r.tone_dbfs[ep->talk_slot] <= weakest - ABSENT_DROP_DB;
	/* And it heard it all along: at least --min-frames percent of the window's 20 ms
	 * frames decoded (90 by default). */
	ok = ok && r.decoded > 0 && r.decoded >= load->min_frames_pct / 100.0 * 50 * window_s;
	if (ep->video_decode)
		ok = video_report_receiver(load, ep, window_s, b) && ok;
	json_builder_set_member_name(b, "ok");
	json_builder_add_boolean_value(b, ok);
	json_builder_end_object(b);
	return ok;
}

static void add_connect_times(struct load *load, JsonBuilder *b)
{
	g_autofree double *ms = g_new0(double, load->n);
	unsigned count = 0;

	for (unsigned i = 0; i < load->n; i++)
		if (load->eps[i].connected_us)
			ms[count++] =
			    (double)(load->eps[i].connected_us - load->eps[i].started_us) / 1000.0;
	qsort(ms, count, sizeof(double), compare_double);
	ADD_DOUBLE(b, "connect_p50_ms", count ? ms[count / 2] : 0);
	ADD_DOUBLE(b, "connect_max_ms", count ? ms[count - 1] : 0);
	ADD_DOUBLE(b, "joins_per_s",
	           load->ramp_end_us > load->ramp_start_us
	               ? load->n / ((double)(load->ramp_end_us - load->ramp_start_us) / 1e6)
	               : load->n);
}

static void add_window(struct load *load, struct window *w, JsonBuilder *b, double *cols)
{
	double expected = (double)load->connected * 50 * w->seconds;

	cols[0] = 100 * w->server_cpu_s / w->seconds;
	cols[1] = 100 * w->self_cpu_s / w->seconds;
	cols[2] = (double)w->rx / w->seconds;
	cols[3] = w->rx + w->lost ? 100.0 * (double)w->lost / (double)(w->rx + w->lost) : 0;
	cols[4] = w->metrics_before ? probe_metrics_sum(w->metrics_before, w->metrics_after,
	                                                "cau_mixer_encodes_total") /
	                                  w->seconds
	                            : -1;
	cols[5] = w->metrics_before
	              ? probe_histogram_quantile(w->metrics_before, w->metrics_after,
	                                         "cau_mixer_tick_lateness_seconds", 0.99) *
	                    1000
	              : -1;
	cols[6] = (double)w->sent / w->seconds;
	json_builder_begin_object(b);
	ADD_DOUBLE(b, "seconds", w->seconds);
	ADD_DOUBLE(b, "server_cpu_pct", cols[0]);
	ADD_DOUBLE(b, "self_cpu_pct", cols[1]);
	ADD_DOUBLE(b, "received_pps", cols[2]);
	ADD_DOUBLE(b, "expected_pps", expected / w->seconds);
	ADD_DOUBLE(b, "sent_pps", cols[6]);
	ADD_DOUBLE(b, "loss_pct", cols[3]);
	ADD_DOUBLE(b, "encodes_per_s", cols[4]);
	ADD_DOUBLE(b, "tick_late_p99_ms", cols[5]);
	ADD_DOUBLE(b, "jitter_p50_ms", w->jitter_p50_ms);
	ADD_DOUBLE(b, "jitter_max_ms", w->jitter_max_ms);
	ADD_DOUBLE(b, "gap_p99_ms", w->gap_p99_ms);
	ADD_INT(b, "receiving", w->receiving);
	if (load->video)
		video_window_json(&w->video, b);
	json_builder_end_object(b);
}

bool load_print_summary(struct load *load, struct window *windows)
{
	static const char *names[] = {"server_cpu_pct", "self_cpu_pct",  "received_pps",
	                              "loss_pct",       "encodes_per_s", "tick_late_p99_ms",
	                              "sent_pps"};
	enum { COLS = G_N_ELEMENTS(names) };
	g_autofree double *cols = g_new0(double, (gsize)COLS * load->windows);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;
	bool delivered = load->connected == load->n, errors_listed = false;
	unsigned listed = 0;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "tool");
	json_builder_add_string_value(b, "cau-load");
	json_builder_set_member_name(b, "backend");
	json_builder_add_string_value(b, load->signal->name);
	json_builder_set_member_name(b, "room");
	json_builder_add_string_value(b, load->room);
	ADD_INT(b, "n", load->n);
	ADD_INT(b, "talkers", load->talkers);
	ADD_INT(b, "dtx_endpoints", count_dtx(load));
	json_builder_set_member_name(b, "silent");
	json_builder_add_string_value(b, load->muted ? "muted" : "noise");
	ADD_INT(b, "connected", load->connected);
	ADD_INT(b, "failed", load->failed);
	add_connect_times(load, b);
	json_builder_set_member_name(b, "windows");
	json_builder_begin_array(b);
	for (unsigned w = 0; w < load->windows; w++)
		add_window(load, &windows[w], b, &cols[w * COLS]);
	json_builder_end_array(b);
	for (unsigned c = 0; c < COLS; c++) {
		g_autofree double *values = g_new0(double, load->windows);

		for (unsigned w = 0; w < load->windows; w++)
			values[w] = cols[w * COLS + c];
		ADD_DOUBLE(b, names[c], median_of(values, load->windows));
	}
	if (load->video) {
		g_autofree struct video_window *vws = g_new0(struct video_window, load->windows);

		for (unsigned w = 0; w < load->windows; w++)
			vws[w] = windows[w].video;
		video_summary_json(vws, load->windows, b);
		/* Senders must be sending: a composite of name tiles proves nothing. */
		delivered = delivered && vws[load->windows - 1].v[VW_SENT_FPS] > 0;
	}
	ADD_DOUBLE(b, "sender_late_ticks", load->sender_late_ticks);
	ADD_DOUBLE(b, "sender_late_max_ms", load->sender_late_max_us / 1000.0);
	json_builder_set_member_name(b, "receivers");
	json_builder_begin_array(b);
	for (unsigned i = 0; i < load->n; i++)
		if (load->eps[i].sampled)
			delivered = report_receiver(load, &load->eps[i],
			                            windows[load->windows - 1].seconds, b) &&
			            delivered;
	json_builder_end_array(b);
	json_builder_set_member_name(b, "errors");
	json_builder_begin_array(b);
	for (unsigned i = 0; i < load->n && listed < 5; i++)
		if (load->eps[i].error) {
			json_builder_add_string_value(b, load->eps[i].error);
			listed++;
			errors_listed = true;
		}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "delivered_ok");
	json_builder_add_boolean_value(b, delivered && !errors_listed);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
	fflush(stdout);
	return delivered && !errors_listed;
}

int main(int argc, char **argv)
{
	struct load load = {0};
	g_autoptr(GError) error = NULL;
	bool delivered;

	if (!parse_options(&load, argc, argv))
		return 2;
	/* The transport's own lines (a DTLS handshake per endpoint) only when they matter. */
	log_setup(g_getenv("CAU_LOAD_LOG") ? g_getenv("CAU_LOAD_LOG") : "warning", "text", NULL);
	load.loop = g_main_loop_new(NULL, FALSE);
	load.http = soup_session_new_with_options("max-conns", 65536, "max-conns-per-host", 65536,
	                                          "timeout", 60, NULL);
	if (!load.signal->setup(&load, &error) ||
	    !(load.transport = make_transport(&load, &error))) {
		fprintf(stderr, "cau-load: %s\n", error->message);
		return 2;
	}
	make_endpoints(&load);
	if (!load_video_setup(&load))
		return 2;
	say("%u endpoints (%u talking, the others %s%s) into %s at %s, %u joins/s", load.n,
	    load.talkers, load.muted ? "muted" : "sending room noise",
	    load.video ? ", sending video" : "", load.room, load.url, load.join_rate);
	delivered = load_run(&load);
	__atomic_store_n(&load.sender_stop, 1, __ATOMIC_RELAXED);
	g_thread_join(load.sender);
	for (unsigned i = 0; i < load.n; i++)
		endpoint_stop(&load.eps[i]);
	load.signal->teardown(&load);
	transport_free(load.transport);
	for (unsigned t = 0; t < load.tone_count; t++)
		audio_clip_free(load.clips[t]);
	audio_clip_free(load.silent);
	audio_clip_free(load.silent_dtx);
	load_video_free(&load);
	g_free(load.eps);
	g_object_unref(load.http);
	g_main_loop_unref(load.loop);
	g_free(load.url);
	g_free(load.room);
	g_free(load.token_file);
	g_free(load.metrics_url);
	g_free(load.ice_address);
	g_free(load.ivf_dir);
	return delivered ? 0 : 1; /* 2: bad options or set-up */
}
