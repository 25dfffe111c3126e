/* SPDX-License-Identifier: MIT */
/* A recording segment: the Opus packets and VP8 frames the MCU already encoded, muxed
 * into a streamable WebM file as they come, flushed to disk every second, without any
 * encoder of its own. */
#pragma once

#include <gio/gio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Threads. recorder_open(), recorder_close() and recorder_get_stats() belong to one
 * owner thread (the control thread). recorder_push_audio() is called from one thread and
 * recorder_push_video() from one thread (each the room's media thread): they copy the
 * bytes into the recorder's queue and return at once, never touching the disk; GStreamer's
 * streaming thread muxes and writes, and the recorder's own thread flushes the file to disk
 * every second and watches for errors.
 */
struct recorder;

/* What the segment carries; fixed at open (the muxer writes its tracks up front). */
enum recorder_tracks {
	RECORDER_AUDIO = 1 << 0, /* Opus, 48 kHz mono as the mixer encodes it */
	RECORDER_VIDEO = 1 << 1, /* VP8, RTP clock 90 kHz */
};

/* Called once, on the recorder's thread, when writing fails (e.g. "No space left on
 * device"); the file stays playable up to there and later pushes are dropped. `reason` is
 * valid for the call. The owner typically hands it to its main context. */
typedef void (*recorder_failed_fn)(void *user_data, const char *reason);

struct recorder_config {
	unsigned tracks;           /* enum recorder_tracks, at least one */
	unsigned flush_ms;         /* fsync cadence, default 1000 */
	size_t queue_max_bytes;    /* per track; beyond it packets are dropped; default 8 MiB */
	recorder_failed_fn failed; /* may be NULL */
	void *user_data;
};

/* Counters; recorder_get_stats() copies them. */
struct recorder_stats {
	uint64_t audio_packets, video_frames; /* queued for the file */
	uint64_t bytes_written;               /* the file's size on disk at the last flush */
	uint64_t dropped;                     /* packets not recorded: queue full, before the first
	                                       * key frame, out of order, after a failure */
	uint64_t resyncs;                     /* RTP timelines re-anchored after a gap or jump */
	uint64_t flushes;                     /* fsyncs done */
	unsigned encoders;                    /* encoder elements in the pipeline: always 0 */
	bool failed;
};

/*
 * Starts a segment at `path` (created, or truncated; its directory must exist): a
 * pipeline of an appsrc per track into webmmux (streamable, clusters of at most one
 * second) into an unbuffered filesink. Fails with the reason when GStreamer or a plugin is
 * missing or the file cannot be created. The caller owns the result (recorder_close()).
 */
struct recorder *recorder_open(const char *path, const struct recorder_config *cfg, GError **error);

/*
 * Queues one Opus packet whose RTP timestamp (48 kHz) is `rtp_ts` and which the caller's
 * clock places at `time_ns` (monotonic nanoseconds, the same clock for both tracks: the
 * media clock's tick deadline or a frame's capture time). Copies `data`. Returns 0;
 * -EAGAIN when dropped (queue full, out of order), -EPIPE after a failure, -EINVAL when
 * the segment has no audio track. Never blocks.
 */
int recorder_push_audio(struct recorder *r, uint32_t rtp_ts, int64_t time_ns, const uint8_t *data,
                        size_t len);

/* Queues one complete VP8 frame (90 kHz RTP timestamp); frames before the first key
 * frame that is queued are dropped (-ENODATA: the caller should ask its encoder for a key
 * frame), and that key frame's header gives the track its size. Otherwise as
 * recorder_push_audio(). */
int recorder_push_video(struct recorder *r, uint32_t rtp_ts, int64_t time_ns, bool keyframe,
                        const uint8_t *data, size_t len);

void recorder_get_stats(struct recorder *r, struct recorder_stats *out);

/* The segment's length so far: the running time of the last packet queued, in ms. */
int64_t recorder_duration_ms(struct recorder *r);

/*
 * Ends the segment: end-of-stream on every track, waits (up to a few seconds) for the
 * muxer to write its last cluster, fsyncs and closes the file, and frees the recorder.
 * Returns false with the reason when the segment had failed or could not be finished
 * (the file is still there, playable up to the failure). `out` (may be NULL) receives the
 * final counters either way. Owner thread.
 */
bool recorder_close(struct recorder *r, struct recorder_stats *out, GError **error);
