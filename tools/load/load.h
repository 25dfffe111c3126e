/* SPDX-License-Identifier: MIT */
/* Shared declarations of cau-load, the load generator: endpoints, audio clips, signalling
 * back-ends (Cầu's /ws, Janus's HTTP API) and the measurements of a steady window. */
#pragma once

#include "media/opus_codec.h"
#include "transport/peer.h"
#include "transport/transport.h"

#include <glib.h>
#include <libsoup/soup.h>
#include <stdbool.h>
#include <stdint.h>

#define LOAD_MAX_TONES 16

/*
 * Threads of cau-load. The main thread runs the GLib main loop: signalling (libsoup), the
 * peers' owner calls and events, the ramp-up and the windows. The transport's workers
 * (two by default) receive media and call endpoint_on_rtp(). One sender thread sends
 * every connected endpoint's next Opus frame every 20 ms. No thread per endpoint.
 */

/* Opus frames encoded once at start and looped: 1 s (50 frames) of one signal. */
struct audio_clip {
	unsigned tone_hz;    /* 0: low-level noise (a silent participant's room) */
	uint8_t audio_level; /* RFC 6464 level to send with it (-dBov) */
	bool vad;            /* RFC 6464 voice activity flag */
	unsigned frames;
	uint8_t *payload[50];
	size_t len[50];
};

/* Encodes the clip of tone_hz (0: noise at -70 dBov) with the browser's Opus settings.
 * Main thread, at start. */
struct audio_clip *audio_clip_new(unsigned tone_hz);
void audio_clip_free(struct audio_clip *clip);

enum endpoint_state {
	EP_IDLE,
	EP_OFFERING,   /* gathering candidates for the offer */
	EP_SIGNALLING, /* offer sent, answer awaited */
	EP_CONNECTING, /* answer applied, ICE/DTLS under way */
	EP_CONNECTED,
	EP_FAILED,
};

/* What a sampled receiver heard over a window: per talker tone, dBFS. */
struct tone_report {
	unsigned decoded, decode_errors;
	double rms_dbfs;
	double tone_dbfs[LOAD_MAX_TONES];
};

struct load;

struct endpoint {
	struct load *load;
	unsigned index;
	int state; /* enum endpoint_state; atomic: read by the sender thread */
	struct peer *peer;
	unsigned audio_track; /* index of the audio track in the peer */
	const struct audio_clip *clip;
	int talk_slot; /* index into load->tones while talking, -1 otherwise */
	char *error;
	int64_t started_us, connected_us;
	void *signal; /* the back-end's state */
	/* sender thread only */
	uint32_t timestamp;
	unsigned frame;
	uint64_t sent, send_errors;
	/* worker thread writes (one peer lives on one worker), others read atomically */
	uint64_t received;
	int64_t last_arrival_us;
	int64_t max_gap_us; /* longest gap between audio packets since the window began */
	/* sampled receivers: decoder and tone analysis, under lock */
	bool sampled;
	GMutex lock;
	struct audio_decoder *decoder;
	uint64_t an_frames, an_errors;
	double an_energy;                     /* sum of squares of decoded samples */
	double an_tone_power[LOAD_MAX_TONES]; /* sum over frames of the tone's power */
};

/* A signalling back-end: gets endpoint ep's offer to the server and hands the answer back
 * with endpoint_answered() (or endpoint_failed()), on the main thread. */
struct load_signal {
	const char *name;
	/* Once, before any endpoint; false with error set if the server cannot be used. */
	bool (*setup)(struct load *load, GError **error);
	void (*join)(struct endpoint *ep, const char *offer);
	/* Releases ep's signalling state (closing the session). Main thread. */
	void (*leave)(struct endpoint *ep);
	void (*teardown)(struct load *load);
};

extern const struct load_signal load_signal_cau;
extern const struct load_signal load_signal_janus;

enum load_mode {
	MODE_MCU,  /* everyone hears the talkers but themselves */
	MODE_ECHO, /* everyone hears themselves */
};

struct load {
	/* options */
	unsigned n, talkers, sample, join_rate, windows;
	double warmup_s, window_s, connect_timeout_s;
	enum load_mode mode;
	char *url;        /* ws://host:port/ws or http://host:port/janus */
	char *room;       /* Cầu: "echo" or "mcu:NAME"; Janus: "audiobridge:ID" or "echotest" */
	char *token_file; /* one join token per line (rooms branch); not yet supported */
	int watch_pid;
	char *metrics_url;
	int workers;           /* transport worker threads */
	double min_frames_pct; /* of a window's frames a sampled endpoint must decode */
	char *ice_address;     /* where the endpoints gather candidates */
	gboolean audio_only;   /* offer no video section (Cầu back-end) */
	const struct load_signal *signal;
	/* state */
	GMainLoop *loop;
	SoupSession *http;
	struct transport *transport;
	struct endpoint *eps;
	unsigned tones[LOAD_MAX_TONES];
	unsigned tone_count;
	struct audio_clip *clips[LOAD_MAX_TONES];
	struct audio_clip *noise;
	unsigned started, connected, failed;
	int64_t ramp_start_us, ramp_end_us;
	GThread *sender;
	int sender_stop;
	uint64_t sender_ticks, sender_late_ticks;
	int64_t sender_late_max_us;
};

/* endpoint.c */
void endpoint_start(struct endpoint *ep);
void endpoint_answered(struct endpoint *ep, const char *answer);
void endpoint_failed(struct endpoint *ep, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void endpoint_stop(struct endpoint *ep);
void endpoint_window_begin(struct endpoint *ep);
void endpoint_window_report(struct endpoint *ep, struct tone_report *out);
void endpoint_send_next(struct endpoint *ep);

/* Prints one progress line on stderr ("cau-load: ..."). Any thread. */
void say(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* probe.c: the CPU of a process from /proc and counters from a /metrics page. */
double probe_process_cpu_s(int pid);
double probe_self_cpu_s(void);
GHashTable *probe_metrics(SoupSession *http, const char *url);
double probe_metrics_sum(GHashTable *before, GHashTable *after, const char *name);
double probe_histogram_quantile(GHashTable *before, GHashTable *after, const char *name, double q);
