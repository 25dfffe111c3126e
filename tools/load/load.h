/* SPDX-License-Identifier: MIT */
/* Shared declarations of cau-load, the load generator: endpoints, audio clips, signalling
 * back-ends (Cầu's /ws, Janus's HTTP API) and the measurements of a steady window. */
#pragma once

#include "media/opus_codec.h"
#include "media/vp8_codec.h"
#include "transport/peer.h"
#include "transport/transport.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdbool.h>
#include <stdint.h>

#define LOAD_MAX_TONES 16
#define VIDEO_PATTERNS 8 /* distinct camera colours */

/*
 * Threads of cau-load. The main thread runs the GLib main loop: signalling (libsoup), the
 * peers' owner calls and events, the ramp-up and the windows. The transport's workers
 * (two by default) receive media and call endpoint_on_rtp(). One sender thread sends
 * every connected endpoint's next Opus frame every 20 ms. No thread per endpoint.
 */

/* What a clip carries: a talker's tone, a silent participant's room noise, or the digital
 * silence of a muted microphone (a disabled track). */
enum clip_signal { CLIP_TONE, CLIP_NOISE, CLIP_MUTED };

/* Opus frames encoded once at start and looped: 1 s (50 frames) of one signal. */
struct audio_clip {
	enum clip_signal signal;
	unsigned tone_hz;    /* CLIP_TONE only */
	uint8_t audio_level; /* RFC 6464 level to send with it (-dBov) */
	bool vad;            /* RFC 6464 voice activity flag */
	unsigned frames;
	uint8_t *payload[50];
	size_t len[50];
	bool dtx[50]; /* a 1-2 byte DTX frame (only in a clip encoded with DTX) */
};

/* Encodes a clip of signal (tone_hz for CLIP_TONE; noise is at -70 dBov) with the
 * browser's Opus settings, with DTX on when dtx (as a browser does when the answer says
 * usedtx=1; libopus 1.3 finds nothing to leave out in noise, only in digital silence).
 * Main thread, at start. */
struct audio_clip *audio_clip_new(enum clip_signal signal, unsigned tone_hz, bool dtx);
void audio_clip_free(struct audio_clip *clip);

/* A camera: WIDTHxHEIGHT@FPS[:KBPS] (--video, --video-large). */
struct video_spec {
	int width, height, fps, kbps;
};

/* Parses "320x180@15" or "640x360@15:500" (kbps defaults from the size and rate). */
bool video_spec_parse(const char *text, struct video_spec *out);

/* VP8 frames of a camera encoded once at start and looped (2 s, a key frame first): a
 * pattern of one colour of the palette with moving shapes. */
struct video_clip {
	struct video_spec spec;
	unsigned pattern;
	unsigned frames;
	uint8_t **payload;
	size_t *len;
};

/* Main thread, at start. */
struct video_clip *video_clip_new(const struct video_spec *spec, unsigned pattern);
void video_clip_free(struct video_clip *clip);

/* Writes the clip looped for seconds as an IVF file (for a reference pipeline to decode
 * the very frames the endpoints send). Returns false if the file cannot be written. */
bool video_clip_write_ivf(const struct video_clip *clip, const char *path, unsigned seconds);

/* What an endpoint receives of the composite. packets and frames (RTP markers) are
 * counted on every endpoint (atomics, written by the peer's worker); the rest only on
 * endpoints that decode, under the endpoint's lock. */
struct video_rx {
	uint64_t packets, frames;
	struct vp8_decoder *dec;
	struct video_frame_pool *pool;
	GByteArray *frame;
	bool have_seq, in_frame, waiting_key;
	uint16_t next_seq;
	uint64_t decoded, decode_errors, gaps;
	int width, height;
	unsigned colours;  /* palette colours seen in the last checked picture (bits) */
	double colour_pct; /* share of that picture in palette colours */
};

void video_rx_init(struct video_rx *rx, bool decode);
void video_rx_clear(struct video_rx *rx);

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
	bool dtx;      /* sends with DTX: the answer asked for it and the endpoint is silent */
	char *error;
	int64_t started_us, connected_us;
	void *signal; /* the back-end's state */
	/* sender thread only */
	uint32_t timestamp;
	unsigned frame;
	bool in_dtx; /* the last frame was a DTX frame: the next ones are not sent */
	uint64_t sent, send_errors, dtx_skipped;
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
	/* video: what it sends (sender thread) and receives */
	const struct video_clip *vclip; /* NULL: sends no video */
	unsigned video_track;
	int64_t video_start_us, video_next_us;
	uint32_t video_base_ts;
	unsigned video_frame;
	uint16_t video_picture_id;
	uint64_t video_frames_sent;
	int video_keyframe_wanted; /* atomic: set by a PLI/FIR from the server */
	bool video_decode;         /* decodes the composite (a video-sampled endpoint) */
	struct video_rx vrx;
	uint64_t vrx_decoded_before, vrx_frames_before; /* at the window's start */
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
	bool video;            /* --video given: endpoints send VP8 */
	struct video_spec video_small, video_large;
	unsigned video_large_every; /* every k-th endpoint sends video_large (0: none) */
	unsigned video_sample;      /* sampled endpoints that also decode the composite */
	double video_min_fps;       /* a decoding endpoint must decode at least this rate */
	struct video_clip *vclips[2][VIDEO_PATTERNS]; /* [small, large][pattern] */
	char *ivf_dir; /* --write-ivf: every clip written there at start */
	unsigned estimates_kbps[8], estimate_count; /* --video-estimates: REMB per receiver */
	gboolean audio_only;                        /* offer no video section (Cầu back-end) */
	gboolean no_dtx; /* silent endpoints send every frame even when asked for DTX */
	gboolean muted;  /* endpoints not talking have muted their microphone (digital silence) */
	const struct load_signal *signal;
	/* state */
	GMainLoop *loop;
	SoupSession *http;
	struct transport *transport;
	struct endpoint *eps;
	unsigned tones[LOAD_MAX_TONES];
	unsigned tone_count;
	struct audio_clip *clips[LOAD_MAX_TONES];
	struct audio_clip *silent, *silent_dtx; /* what endpoints not talking send */
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

/* video.c: the sender thread sends ep's due frames (ep has a clip and is connected); the
 * worker passes each received video packet. */
void endpoint_send_video(struct endpoint *ep, int64_t now_us);
void endpoint_on_video(struct endpoint *ep, const struct peer_track *track,
                       const struct rtp_packet *pkt);

/* video_report.c: a steady window's video figures (medians over windows in the summary). */
enum video_value {
	VW_SENT_FPS,         /* frames all endpoints sent, per second */
	VW_RECEIVED_FPS,     /* median over endpoints of the composite's frames received */
	VW_RECEIVING,        /* endpoints that received video in the window */
	VW_COMPOSED_FPS,     /* the server's, from /metrics (as the rest) */
	VW_DECODES_PER_S,    /* senders' frames decoded */
	VW_DECODE_MS,        /* per decode */
	VW_COMPOSE_MS,       /* per composed picture */
	VW_ENCODE_MS,        /* per encode (any tier) */
	VW_TICK_MS,          /* a tick from its deadline to its last packet sent */
	VW_LATENCY_MS,       /* half a period of waiting plus the tick */
	VW_CPU_MS_PER_FRAME, /* the server process's CPU per composed picture */
	VW_SKIPPED_PER_S,    /* video ticks skipped (late by a whole period) */
	VW_PLIS_PER_S,       /* key frame requests the server sent to senders */
	VW_COUNT,
};

struct video_window {
	double seconds;
	double v[VW_COUNT];
	GHashTable *tier_fps; /* tier name ("1280x720") -> encodes per second (boxed double) */
	uint64_t *frames_before, sent_before;
};

/* Main thread, all of them. load_video_setup() encodes the clips, gives each endpoint its
 * camera (every video_large_every-th the large one) and its decoding role, and writes the
 * clips to ivf_dir if set (false if it cannot). */
bool load_video_setup(struct load *load);
void load_video_free(struct load *load);
void video_window_begin(struct load *load, struct video_window *vw);
/* before/after: the /metrics samples around the window (NULL without --metrics-url). */
void video_window_end(struct load *load, struct video_window *vw, GHashTable *before,
                      GHashTable *after, double seconds, double server_cpu_s);
void video_window_clear(struct video_window *vw);
void video_window_json(const struct video_window *vw, JsonBuilder *b);
void video_summary_json(const struct video_window *windows, unsigned count, JsonBuilder *b);
/* Adds the "video" member of a decoding endpoint's report; whether it saw the composite. */
bool video_report_receiver(struct load *load, struct endpoint *ep, double window_s, JsonBuilder *b);

/* Prints one progress line on stderr ("cau-load: ..."). Any thread. */
void say(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* probe.c: the CPU of a process from /proc and counters from a /metrics page. */
double probe_process_cpu_s(int pid);
double probe_self_cpu_s(void);
GHashTable *probe_metrics(SoupSession *http, const char *url);
double probe_metrics_sum(GHashTable *before, GHashTable *after, const char *name);
double probe_histogram_quantile(GHashTable *before, GHashTable *after, const char *name, double q);
