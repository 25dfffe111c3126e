/* SPDX-License-Identifier: MIT */
/* The room's audio mixer: every 20 ms it pops each participant's jitter buffer, decodes only
 * what can be heard, picks the speakers, and encodes one N-1 mix per speaker plus one shared
 * full mix for everyone else. No network code. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "media/audio_level.h"
#include "media/audio_payload.h"
#include "media/jitter_buffer.h"
#include "media/opus_codec.h"
#include "media/speaker_select.h"

#define AUDIO_MIXER_MAX_CAPACITY 4096

/* audio_mixer_config_init() sets the defaults shown and those of each part. */
struct audio_mixer_config {
	unsigned capacity;     /* participant slots, 1024 (a province room is 1 + 168) */
	float warm_dbov;       /* -60: a non-speaker louder than this is decoded (kept warm) */
	unsigned payload_pool; /* payload buffers; 0 = (max_speakers + 1) * 25 (half a second) */
	struct speaker_select_config speakers;
	struct audio_level_config level;
	struct jitter_config jitter;
	struct audio_encoder_config encoder;
};

void audio_mixer_config_init(struct audio_mixer_config *cfg);

/* Bad or unusable input, per kind, for /metrics: each received packet lands in at most one
 * of the first five; resyncs and overflow frames are counted as the buffers see them. */
struct audio_mixer_rejects {
	uint64_t invalid;   /* empty or over AUDIO_PAYLOAD_MAX bytes */
	uint64_t late;      /* after their turn, or stragglers of a stream the sender left */
	uint64_t duplicate; /* received twice */
	uint64_t jump;      /* a sequence/timestamp jump not (yet) confirmed by the next packet */
	uint64_t no_slot;   /* for a slot that has left */
	uint64_t resyncs;   /* sender restarts taken: new SSRC, confirmed jump */
	uint64_t overflow;  /* frames dropped because a sender ran ahead (floods, clock skew) */
};

/* Counters, for /metrics. "last" fields describe the last tick; the others are totals. */
struct audio_mixer_stats {
	uint64_t ticks;
	unsigned participants;
	unsigned speakers; /* last tick */
	unsigned decodes;  /* last tick: opus_decode calls (packets, FEC and PLC) */
	unsigned encodes;  /* last tick: opus_encode calls, speakers + 1 */
	uint64_t decodes_total;
	uint64_t decode_skips_total; /* frames left undecoded because nobody could hear them */
	uint64_t encodes_total;
	uint64_t fec_total; /* frames recovered from the next packet's FEC */
	uint64_t plc_total; /* frames concealed */
	uint64_t decode_errors;
	uint64_t encode_errors;
	uint64_t pool_exhausted;        /* encodes skipped because every payload was still queued */
	uint64_t speaker_changes;       /* speaker events */
	uint64_t limiter_active_frames; /* output frames (all streams) with gain reduction */
	uint64_t limiter_saturated_samples; /* samples through the soft saturator */
	float limiter_gain;                 /* the shared mix's limiter gain after the last tick */
	struct audio_mixer_rejects rejects; /* received packets the jitter buffers refused */
};

/*
 * One tick's result. Owned by the mixer and valid until its next tick or free; the
 * payloads it names are borrowed likewise: take a reference (audio_payload_ref()) to keep
 * one longer, e.g. to queue it to a transport thread.
 */
struct audio_mix_output {
	uint64_t tick;
	uint32_t rtp_ts_advance;      /* advance every receiver's RTP timestamp by this (960 per
	                               * 20 ms frame, more after ticks the clock skipped) */
	struct audio_payload *shared; /* the full mix, NULL if it could not be encoded */
	/* Indexed by slot (capacity entries): what to send to that participant. Speakers get
	 * their own N-1 payload, everyone else the same `shared` pointer; NULL for an empty
	 * slot or when nothing could be encoded. */
	struct audio_payload *const *payload_of;
	const unsigned *speakers; /* slots of this tick's speakers */
	size_t speaker_count;
	const struct speaker_event *events; /* speaker changes of this tick */
	size_t event_count;
};

struct audio_mixer;

/*
 * Creates a mixer with cfg (NULL: defaults). name labels its log lines ("room 12";
 * copied). Allocates the encoders, the payload pool and the per-slot tables now;
 * decoders and jitter buffers are allocated when a slot is first used. Returns NULL if
 * cfg is invalid (capacity 0 or over AUDIO_MIXER_MAX_CAPACITY, bad encoder settings).
 * The caller owns the result.
 *
 * Threads: the mixer belongs to one thread, the room's media thread, which calls every
 * function below except audio_mixer_put(), which the transport may call from any thread.
 */
struct audio_mixer *audio_mixer_new(const struct audio_mixer_config *cfg, const char *name);

/* Frees the mixer. Payloads still referenced elsewhere stay valid until unreffed. No
 * audio_mixer_put() may be running or come later. */
void audio_mixer_free(struct audio_mixer *mixer);

/* Takes a free participant slot and sets *out_slot (unmuted, gain 1, empty jitter buffer).
 * Returns 0 or -ENOSPC when all slots are in use. May allocate (first use of the slot). */
int audio_mixer_add(struct audio_mixer *mixer, unsigned *out_slot);

/* Frees a slot; it stops contributing at once and gets NULL payloads from the next tick.
 * Later audio_mixer_put() calls for it return -ENOENT. Returns 0 or -EINVAL. */
int audio_mixer_remove(struct audio_mixer *mixer, unsigned slot);

/*
 * Hands one received RTP packet of the slot to its jitter buffer (pkt->payload is
 * copied). Any thread; takes the slot's lock briefly. Returns jitter_buffer_put()'s result,
 * -ENOENT for a free slot, or -EINVAL for a slot out of range. No allocation.
 */
int audio_mixer_put(struct audio_mixer *mixer, unsigned slot, const struct jitter_packet *pkt);

/* A muted participant is never decoded, never a speaker and never heard; it still
 * receives the shared mix. */
int audio_mixer_set_muted(struct audio_mixer *mixer, unsigned slot, bool muted);

/* Linear gain applied to the participant's voice in the mix, 0..8 (1 = unchanged). */
int audio_mixer_set_gain(struct audio_mixer *mixer, unsigned slot, float gain);

/* Encoder settings for every output stream (shared and N-1). Return 0 or -EINVAL. */
int audio_mixer_set_expected_loss(struct audio_mixer *mixer, int percent);
int audio_mixer_set_bitrate(struct audio_mixer *mixer, int bitrate);

/*
 * Runs one 20 ms tick at now_us (the clock's scheduled tick time, on the clock that
 * stamped the packets' arrival_us). frames is 1, or 1 + the number of ticks the media
 * clock had to skip (it sets the RTP timestamp advance). Sets *out to this tick's result.
 * Returns 0, or -EINVAL for frames == 0. Never allocates: a failed encode or an empty
 * payload pool leaves NULL payloads and is counted.
 */
int audio_mixer_tick(struct audio_mixer *mixer, uint64_t now_us, unsigned frames,
                     const struct audio_mix_output **out);

void audio_mixer_get_stats(const struct audio_mixer *mixer, struct audio_mixer_stats *out);

/* The slot's jitter-buffer counters (for RTCP receiver reports and diagnostics). Takes the
 * slot's lock. Returns 0, or -ENOENT / -EINVAL. */
int audio_mixer_get_jitter_stats(struct audio_mixer *mixer, unsigned slot,
                                 struct jitter_stats *out);

/* The slot's current smoothed level (dBov) and speaking decision. Returns 0 or -ENOENT. */
int audio_mixer_get_level(const struct audio_mixer *mixer, unsigned slot, float *out_dbov,
                          bool *out_speaking);
