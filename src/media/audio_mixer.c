/* SPDX-License-Identifier: MIT */
/* The room's audio mixer: every 20 ms it pops each participant's jitter buffer, decodes only
 * what can be heard, picks the speakers, and encodes one N-1 mix per speaker plus one shared
 * full mix for everyone else. No network code. */
#define G_LOG_DOMAIN "cau-mixer"
#include "media/audio_mixer.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "media/audio_limiter.h"

#define GAIN_ONE 4096 /* Q12 */
#define GAIN_MAX (8 * GAIN_ONE)

struct participant {
	GMutex lock; /* guards present and jb against audio_mixer_put() */
	bool present;
	bool leaving; /* removed since the last tick: not reused until the tick has seen it go */
	struct jitter_buffer *jb;
	struct audio_mixer_rejects rejects; /* under lock: since the last tick took them */
	struct audio_decoder *dec;
	struct audio_level level;
	bool muted;
	int32_t gain_q12;
	bool cold;      /* frames went by undecoded since the decoder last ran */
	bool has_pcm;   /* pcm holds this tick's frame */
	bool ext_level; /* the sender puts RFC 6464 levels in its packets */
	int stream;     /* its N-1 output stream while a speaker, else -1 */
	struct jitter_frame frame;
	int16_t pcm[AUDIO_FRAME_SAMPLES];
};

/* One encoded output: the shared full mix, or one speaker's N-1 mix. */
struct stream {
	struct audio_encoder *enc;
	struct audio_limiter lim;
	int owner; /* the speaker's slot, -1 for free N-1 streams and for the shared one */
	int32_t contrib[AUDIO_FRAME_SAMPLES]; /* the owner's voice as summed into the mix */
};

struct audio_mixer {
	char name[64];
	struct audio_mixer_config cfg;
	struct participant *parts;
	unsigned participant_count;
	struct speaker_select *sel;
	struct stream shared;
	struct stream *n1; /* cfg.speakers.max_speakers of them */
	struct audio_payload_pool *pool;
	struct audio_payload **payload_of;
	struct audio_payload *held[SPEAKER_SELECT_MAX + 1]; /* the output's references */
	unsigned held_count;
	int32_t acc[AUDIO_FRAME_SAMPLES];
	int32_t minus[AUDIO_FRAME_SAMPLES];
	int16_t out_pcm[AUDIO_FRAME_SAMPLES];
	struct audio_mix_output output;
	struct audio_mixer_stats stats;
};

void audio_mixer_config_init(struct audio_mixer_config *cfg)
{
	*cfg = (struct audio_mixer_config){
	    .capacity = 1024,
	    .warm_dbov = -60.0f,
	    .payload_pool = 0,
	};
	speaker_select_config_init(&cfg->speakers);
	audio_level_config_init(&cfg->level);
	jitter_config_init(&cfg->jitter);
	audio_encoder_config_init(&cfg->encoder);
}

static bool init_stream(struct stream *s, const struct audio_encoder_config *cfg)
{
	s->enc = audio_encoder_new(cfg);
	audio_limiter_init(&s->lim);
	s->owner = -1;
	return s->enc != NULL;
}

struct audio_mixer *audio_mixer_new(const struct audio_mixer_config *cfg, const char *name)
{
	struct audio_mixer_config defaults;
	struct audio_mixer *mixer;
	unsigned max_speakers;

	if (!cfg) {
		audio_mixer_config_init(&defaults);
		cfg = &defaults;
	}
	if (cfg->capacity == 0 || cfg->capacity > AUDIO_MIXER_MAX_CAPACITY)
		return NULL;
	mixer = g_new0(struct audio_mixer, 1);
	mixer->cfg = *cfg;
	g_strlcpy(mixer->name, name ? name : "mixer", sizeof(mixer->name));
	mixer->sel = speaker_select_new(&cfg->speakers, cfg->capacity);
	max_speakers = CLAMP(cfg->speakers.max_speakers, 1, SPEAKER_SELECT_MAX);
	mixer->cfg.speakers.max_speakers = max_speakers;
	mixer->n1 = g_new0(struct stream, max_speakers);
	mixer->parts = g_new0(struct participant, cfg->capacity);
	mixer->payload_of = g_new0(struct audio_payload *, cfg->capacity);
	if (mixer->cfg.payload_pool == 0)
		mixer->cfg.payload_pool = (max_speakers + 1) * 25;
	mixer->pool = audio_payload_pool_new(mixer->cfg.payload_pool);
	for (unsigned i = 0; i < cfg->capacity; i++)
		g_mutex_init(&mixer->parts[i].lock);

	bool ok = init_stream(&mixer->shared, &cfg->encoder);
	for (unsigned i = 0; i < max_speakers; i++)
		ok = init_stream(&mixer->n1[i], &cfg->encoder) && ok;
	if (!ok) {
		audio_mixer_free(mixer);
		return NULL;
	}
	mixer->output.payload_of = mixer->payload_of;
	mixer->stats.limiter_gain = 1.0f;
	return mixer;
}

static void release_held(struct audio_mixer *mixer)
{
	for (unsigned i = 0; i < mixer->held_count; i++)
		audio_payload_unref(mixer->held[i]);
	mixer->held_count = 0;
}

void audio_mixer_free(struct audio_mixer *mixer)
{
	if (!mixer)
		return;
	release_held(mixer);
	for (unsigned i = 0; i < mixer->cfg.capacity; i++) {
		jitter_buffer_free(mixer->parts[i].jb);
		audio_decoder_free(mixer->parts[i].dec);
		g_mutex_clear(&mixer->parts[i].lock);
	}
	audio_encoder_free(mixer->shared.enc);
	for (unsigned i = 0; i < mixer->cfg.speakers.max_speakers; i++)
		audio_encoder_free(mixer->n1[i].enc);
	audio_payload_pool_release(mixer->pool);
	speaker_select_free(mixer->sel);
	g_free(mixer->n1);
	g_free(mixer->parts);
	g_free(mixer->payload_of);
	g_free(mixer);
}

int audio_mixer_add(struct audio_mixer *mixer, unsigned *out_slot)
{
	struct participant *p = NULL;
	unsigned slot;

	for (slot = 0; slot < mixer->cfg.capacity; slot++) {
		if (!mixer->parts[slot].present && !mixer->parts[slot].leaving) {
			p = &mixer->parts[slot];
			break;
		}
	}
	if (!p)
		return -ENOSPC;
	if (!p->jb) {
		char label[96];

		g_snprintf(label, sizeof(label), "%s / slot %u", mixer->name, slot);
		p->jb = jitter_buffer_new(&mixer->cfg.jitter, label);
		p->dec = audio_decoder_new();
	} else {
		jitter_buffer_reset(p->jb);
		audio_decoder_reset(p->dec);
	}
	audio_level_init(&p->level, &mixer->cfg.level);
	p->muted = false;
	p->gain_q12 = GAIN_ONE;
	p->cold = false;
	p->has_pcm = false;
	p->ext_level = false;
	p->stream = -1;
	g_mutex_lock(&p->lock);
	p->present = true;
	g_mutex_unlock(&p->lock);
	mixer->participant_count++;
	*out_slot = slot;
	g_debug("[%s] mixer: slot %u joins (%u participants)", mixer->name, slot,
	        mixer->participant_count);
	return 0;
}

static struct participant *present(const struct audio_mixer *mixer, unsigned slot)
{
	if (slot >= mixer->cfg.capacity || !mixer->parts[slot].present)
		return NULL;
	return &mixer->parts[slot];
}

int audio_mixer_remove(struct audio_mixer *mixer, unsigned slot)
{
	struct participant *p = present(mixer, slot);

	if (!p)
		return -EINVAL;
	g_mutex_lock(&p->lock);
	p->present = false;
	g_mutex_unlock(&p->lock);
	/* Its events (it stops speaking) come with the next tick; until then the slot is
	 * not handed to someone else, so an event always names the right participant. */
	p->leaving = true;
	p->has_pcm = false;
	speaker_select_remove(mixer->sel, slot);
	mixer->participant_count--;
	g_debug("[%s] mixer: slot %u leaves (%u participants)", mixer->name, slot,
	        mixer->participant_count);
	return 0;
}

static void count_reject(struct audio_mixer_rejects *r, int put_result)
{
	switch (put_result) {
	case -EINVAL:
		r->invalid++;
		break;
	case -ETIME:
		r->late++;
		break;
	case -EALREADY:
		r->duplicate++;
		break;
	case -EAGAIN:
		r->jump++;
		break;
	default:
		break;
	}
}

/* Moves the counts of a slot (taken under its lock) into the mixer's totals. */
static void take_rejects(struct audio_mixer *mixer, struct audio_mixer_rejects *from)
{
	struct audio_mixer_rejects *to = &mixer->stats.rejects;

	to->invalid += from->invalid;
	to->late += from->late;
	to->duplicate += from->duplicate;
	to->jump += from->jump;
	to->no_slot += from->no_slot;
	to->resyncs += from->resyncs;
	to->overflow += from->overflow;
	*from = (struct audio_mixer_rejects){0};
}

int audio_mixer_put(struct audio_mixer *mixer, unsigned slot, const struct jitter_packet *pkt)
{
	struct participant *p;
	int ret;

	if (slot >= mixer->cfg.capacity)
		return -EINVAL;
	p = &mixer->parts[slot];
	g_mutex_lock(&p->lock);
	if (p->present) {
		uint64_t resyncs, dropped, resyncs_after, dropped_after;

		jitter_buffer_get_drops(p->jb, &resyncs, &dropped);
		ret = jitter_buffer_put(p->jb, pkt);
		jitter_buffer_get_drops(p->jb, &resyncs_after, &dropped_after);
		count_reject(&p->rejects, ret);
		p->rejects.resyncs += resyncs_after - resyncs;
		p->rejects.overflow += dropped_after - dropped;
	} else {
		ret = -ENOENT;
		p->rejects.no_slot++;
	}
	g_mutex_unlock(&p->lock);
	return ret;
}

int audio_mixer_set_muted(struct audio_mixer *mixer, unsigned slot, bool muted)
{
	struct participant *p = present(mixer, slot);

	if (!p)
		return -ENOENT;
	p->muted = muted;
	return 0;
}

int audio_mixer_set_gain(struct audio_mixer *mixer, unsigned slot, float gain)
{
	struct participant *p = present(mixer, slot);

	if (!p)
		return -ENOENT;
	if (!(gain >= 0.0f && gain <= 8.0f))
		return -EINVAL;
	p->gain_q12 = (int32_t)(gain * GAIN_ONE + 0.5f);
	return 0;
}

int audio_mixer_set_expected_loss(struct audio_mixer *mixer, int percent)
{
	if (audio_encoder_set_expected_loss(mixer->shared.enc, percent) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < mixer->cfg.speakers.max_speakers; i++)
		audio_encoder_set_expected_loss(mixer->n1[i].enc, percent);
	mixer->cfg.encoder.expected_loss = percent;
	return 0;
}

int audio_mixer_set_bitrate(struct audio_mixer *mixer, int bitrate)
{
	if (audio_encoder_set_bitrate(mixer->shared.enc, bitrate) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < mixer->cfg.speakers.max_speakers; i++)
		audio_encoder_set_bitrate(mixer->n1[i].enc, bitrate);
	mixer->cfg.encoder.bitrate = bitrate;
	return 0;
}

/*
 * Decode policy (docs/internals/audio-mixing.md): decode a participant's frame only if it
 * may be heard now or very soon: it is a speaker, it is speaking, its RFC 6464 level is
 * above warm_dbov, or it sends no level at all (then only its PCM can tell). Muted
 * participants and silence are never decoded.
 */
static bool needs_decode(const struct audio_mixer *mixer, const struct participant *p, bool speaker)
{
	const struct jitter_frame *f = &p->frame;

	if (p->muted || f->action == JITTER_ACTION_NONE || f->action == JITTER_ACTION_SILENCE)
		return false;
	if (speaker || p->level.speaking || !p->ext_level)
		return true;
	return f->level >= 0 && audio_level_from_rfc6464(f->level) > mixer->cfg.warm_dbov;
}

static int decode(struct audio_mixer *mixer, struct participant *p)
{
	struct jitter_frame *f = &p->frame;
	int ret;

	/* A decoder that skipped frames is reset rather than fed a jump: its next output
	 * starts clean. It runs from the first loud frame, before the speaking decision
	 * (attack_ms) can make it a speaker, so it is warm by the time it is heard. */
	if (p->cold) {
		audio_decoder_reset(p->dec);
		p->cold = false;
	}
	switch (f->action) {
	case JITTER_ACTION_PACKET:
		ret = audio_decoder_decode(p->dec, f->payload, f->payload_len, p->pcm);
		break;
	case JITTER_ACTION_FEC:
		mixer->stats.fec_total++;
		ret = audio_decoder_decode_fec(p->dec, f->payload, f->payload_len, p->pcm);
		break;
	default:
		mixer->stats.plc_total++;
		ret = audio_decoder_conceal(p->dec, p->pcm);
		break;
	}
	mixer->stats.decodes++;
	if (ret < 0) {
		mixer->stats.decode_errors++;
		ret = audio_decoder_conceal(p->dec, p->pcm);
		mixer->stats.decodes++;
	}
	return ret;
}

/* Pops, decodes what is needed, and feeds the levels to the speaker selection. */
static void gather(struct audio_mixer *mixer, uint64_t now_us)
{
	for (unsigned slot = 0; slot < mixer->cfg.capacity; slot++) {
		struct participant *p = &mixer->parts[slot];
		float frame_dbov = AUDIO_LEVEL_SILENT_DBOV;
		bool speaker;

		/* A thousand participants' state is not cached from one tick to the next: fetch
		 * the next ones' while this one is worked on (the jitter buffer's state is its
		 * first lines). */
		if (slot + 2 < mixer->cfg.capacity) {
			__builtin_prefetch(&mixer->parts[slot + 2]);
			__builtin_prefetch(&mixer->parts[slot + 2].frame);
		}
		if (slot + 1 < mixer->cfg.capacity && mixer->parts[slot + 1].jb) {
			const char *jb = (const char *)mixer->parts[slot + 1].jb;

			__builtin_prefetch(jb);
			__builtin_prefetch(jb + 64);
			__builtin_prefetch(jb + 128);
			__builtin_prefetch(jb + 192);
		}

		if (!p->present) {
			if (p->jb) { /* ever used: packets may still be put for it */
				g_mutex_lock(&p->lock);
				take_rejects(mixer, &p->rejects);
				g_mutex_unlock(&p->lock);
			}
			p->leaving = false;
			continue;
		}
		g_mutex_lock(&p->lock);
		jitter_buffer_pop(p->jb, now_us, &p->frame);
		take_rejects(mixer, &p->rejects);
		g_mutex_unlock(&p->lock);

		if (p->frame.action == JITTER_ACTION_PACKET)
			p->ext_level = p->frame.level >= 0;
		speaker = speaker_select_is_speaker(mixer->sel, slot);
		p->has_pcm = false;
		if (needs_decode(mixer, p, speaker)) {
			p->has_pcm = decode(mixer, p) == 0;
		} else if (p->frame.action != JITTER_ACTION_NONE &&
		           p->frame.action != JITTER_ACTION_SILENCE) {
			p->cold = true;
			mixer->stats.decode_skips_total++;
		}
		if (p->frame.level >= 0)
			frame_dbov = audio_level_from_rfc6464(p->frame.level);
		else if (p->has_pcm)
			frame_dbov = audio_level_measure(p->pcm, AUDIO_FRAME_SAMPLES);
		audio_level_update(&p->level, frame_dbov);
		speaker_select_set(mixer->sel, slot, p->level.smoothed_dbov, p->level.speaking,
		                   p->muted);
	}
}

/* Gives a new speaker an N-1 stream that continues the shared stream it was receiving,
 * and frees the streams of speakers who stopped. */
static void apply_events(struct audio_mixer *mixer)
{
	const struct speaker_event *events;
	size_t count = speaker_select_events(mixer->sel, &events);

	for (size_t i = 0; i < count; i++) {
		struct participant *p = &mixer->parts[events[i].slot];

		mixer->stats.speaker_changes++;
		g_debug("[%s] mixer: slot %u %s speaking", mixer->name, events[i].slot,
		        events[i].speaking ? "starts" : "stops");
		if (!events[i].speaking) {
			if (p->stream >= 0)
				mixer->n1[p->stream].owner = -1;
			p->stream = -1;
			continue;
		}
		for (unsigned s = 0; s < mixer->cfg.speakers.max_speakers; s++) {
			struct stream *st = &mixer->n1[s];

			if (st->owner >= 0)
				continue;
			st->owner = (int)events[i].slot;
			audio_encoder_copy_state(st->enc, mixer->shared.enc);
			st->lim.gain = mixer->shared.lim.gain; /* history, not counters */
			p->stream = (int)s;
			break;
		}
		/* There are max_speakers streams and stops come before starts. */
		g_assert(p->stream >= 0);
	}
}

/* Limits and encodes pcm32 on stream st into a fresh payload (NULL on failure). */
static struct audio_payload *encode(struct audio_mixer *mixer, struct stream *st,
                                    const int32_t *pcm32)
{
	struct audio_payload *payload;

	if (audio_limiter_process(&st->lim, pcm32, mixer->out_pcm, AUDIO_FRAME_SAMPLES))
		mixer->stats.limiter_active_frames++;
	payload = audio_payload_pool_take(mixer->pool);
	if (!payload) {
		mixer->stats.pool_exhausted++;
		return NULL;
	}
	mixer->stats.encodes++;
	if (audio_encoder_encode(st->enc, mixer->out_pcm, payload->data, sizeof(payload->data),
	                         &payload->len, &payload->dtx) < 0) {
		mixer->stats.encode_errors++;
		audio_payload_unref(payload);
		return NULL;
	}
	mixer->held[mixer->held_count++] = payload;
	return payload;
}

/* Sums the speakers into acc, remembering each one's part in its stream's contrib. */
static void sum_speakers(struct audio_mixer *mixer, const unsigned *speakers, size_t count)
{
	memset(mixer->acc, 0, sizeof(mixer->acc));
	for (size_t k = 0; k < count; k++) {
		struct participant *p = &mixer->parts[speakers[k]];
		int32_t *contrib = mixer->n1[p->stream].contrib;

		if (!p->has_pcm || p->muted) {
			memset(contrib, 0, sizeof(mixer->acc));
			continue;
		}
		for (size_t i = 0; i < AUDIO_FRAME_SAMPLES; i++) {
			contrib[i] = (p->pcm[i] * p->gain_q12) >> 12;
			mixer->acc[i] += contrib[i];
		}
	}
}

static void mix_and_encode(struct audio_mixer *mixer)
{
	const unsigned *speakers;
	size_t count = speaker_select_speakers(mixer->sel, &speakers);
	struct audio_payload *shared;

	sum_speakers(mixer, speakers, count);
	shared = encode(mixer, &mixer->shared, mixer->acc);
	for (unsigned slot = 0; slot < mixer->cfg.capacity; slot++)
		mixer->payload_of[slot] = mixer->parts[slot].present ? shared : NULL;

	/* N-1: the mix minus the speaker's own contribution, exactly (integer sums), so a
	 * speaker never hears even a trace of its own voice. */
	for (size_t k = 0; k < count; k++) {
		struct stream *st = &mixer->n1[mixer->parts[speakers[k]].stream];

		for (size_t i = 0; i < AUDIO_FRAME_SAMPLES; i++)
			mixer->minus[i] = mixer->acc[i] - st->contrib[i];
		mixer->payload_of[speakers[k]] = encode(mixer, st, mixer->minus);
	}
	mixer->output.shared = shared;
	mixer->output.speakers = speakers;
	mixer->output.speaker_count = count;
	mixer->stats.speakers = (unsigned)count;
}

int audio_mixer_tick(struct audio_mixer *mixer, uint64_t now_us, unsigned frames,
                     const struct audio_mix_output **out)
{
	if (frames == 0)
		return -EINVAL;
	release_held(mixer);
	mixer->stats.decodes = 0;
	mixer->stats.encodes = 0;

	gather(mixer, now_us);
	speaker_select_tick(mixer->sel, now_us);
	apply_events(mixer);
	mix_and_encode(mixer);

	mixer->output.tick = mixer->stats.ticks++;
	mixer->output.rtp_ts_advance = AUDIO_FRAME_SAMPLES * frames;
	mixer->output.event_count = speaker_select_events(mixer->sel, &mixer->output.events);
	mixer->stats.decodes_total += mixer->stats.decodes;
	mixer->stats.encodes_total += mixer->stats.encodes;
	mixer->stats.participants = mixer->participant_count;
	mixer->stats.limiter_gain = mixer->shared.lim.gain;
	*out = &mixer->output;
	return 0;
}

void audio_mixer_get_stats(const struct audio_mixer *mixer, struct audio_mixer_stats *out)
{
	*out = mixer->stats;
	out->limiter_saturated_samples = mixer->shared.lim.saturated_samples;
	for (unsigned i = 0; i < mixer->cfg.speakers.max_speakers; i++)
		out->limiter_saturated_samples += mixer->n1[i].lim.saturated_samples;
}

int audio_mixer_get_jitter_stats(struct audio_mixer *mixer, unsigned slot, struct jitter_stats *out)
{
	struct participant *p;
	int ret = 0;

	if (slot >= mixer->cfg.capacity)
		return -EINVAL;
	p = &mixer->parts[slot];
	g_mutex_lock(&p->lock);
	if (p->present)
		jitter_buffer_get_stats(p->jb, out);
	else
		ret = -ENOENT;
	g_mutex_unlock(&p->lock);
	return ret;
}

int audio_mixer_get_level(const struct audio_mixer *mixer, unsigned slot, float *out_dbov,
                          bool *out_speaking)
{
	const struct participant *p = present(mixer, slot);

	if (!p)
		return -ENOENT;
	*out_dbov = p->level.smoothed_dbov;
	*out_speaking = p->level.speaking;
	return 0;
}
