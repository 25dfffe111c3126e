/* SPDX-License-Identifier: MIT */
/* One synthetic endpoint of cau-load: its peer (offer, answer, ICE, DTLS-SRTP), the Opus it
 * sends, and what it receives: packets, gaps, and on sampled endpoints the decoded audio's
 * energy at every talker's tone (Goertzel on Hann-windowed 20 ms frames). Its video is
 * video.c's. */
#define G_LOG_DOMAIN "cau-load"
#include "load.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>

static double hann[AUDIO_FRAME_SAMPLES];
static double hann_sum;

static void hann_init(void)
{
	if (hann_sum > 0)
		return;
	for (unsigned i = 0; i < AUDIO_FRAME_SAMPLES; i++) {
		hann[i] = 0.5 - 0.5 * cos(2 * M_PI * i / (AUDIO_FRAME_SAMPLES - 1));
		hann_sum += hann[i];
	}
}

/* Power (amplitude squared, full scale 1) of the tone hz in one windowed frame. */
static double goertzel_power(const int16_t *pcm, unsigned hz)
{
	double coeff = 2 * cos(2 * M_PI * hz / AUDIO_SAMPLE_RATE), s1 = 0, s2 = 0;
	double re, im, amp;

	for (unsigned i = 0; i < AUDIO_FRAME_SAMPLES; i++) {
		double s0 = hann[i] * pcm[i] / 32768.0 + coeff * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	re = s1 - s2 * cos(2 * M_PI * hz / AUDIO_SAMPLE_RATE);
	im = s2 * sin(2 * M_PI * hz / AUDIO_SAMPLE_RATE);
	amp = 2 * sqrt(re * re + im * im) / hann_sum;
	return amp * amp;
}

/* Decodes one received packet of a sampled endpoint and adds it to the window's sums.
 * The peer's worker thread. */
static void analyse(struct endpoint *ep, const struct rtp_packet *pkt)
{
	struct load *load = ep->load;
	int16_t pcm[AUDIO_FRAME_SAMPLES];
	double energy = 0;

	g_mutex_lock(&ep->lock);
	if (audio_decoder_decode(ep->decoder, pkt->payload, pkt->payload_len, pcm) != 0) {
		ep->an_errors++;
		g_mutex_unlock(&ep->lock);
		return;
	}
	for (unsigned i = 0; i < AUDIO_FRAME_SAMPLES; i++)
		energy += (double)pcm[i] * pcm[i];
	ep->an_energy += energy / (32768.0 * 32768.0);
	for (unsigned t = 0; t < load->tone_count; t++)
		ep->an_tone_power[t] += goertzel_power(pcm, load->tones[t]);
	ep->an_frames++;
	g_mutex_unlock(&ep->lock);
}

static void on_rtp(struct peer *peer, const struct peer_track *track, const struct rtp_packet *pkt,
                   const struct rtp_ext_values *ext, void *user_data)
{
	struct endpoint *ep = user_data;
	int64_t now = g_get_monotonic_time();
	int64_t last = __atomic_load_n(&ep->last_arrival_us, __ATOMIC_RELAXED);

	if (track->kind == TRACK_VIDEO) {
		endpoint_on_video(ep, track, pkt);
		return;
	}
	if (track->kind != TRACK_AUDIO)
		return;
	__atomic_add_fetch(&ep->received, 1, __ATOMIC_RELAXED);
	if (last && now - last > __atomic_load_n(&ep->max_gap_us, __ATOMIC_RELAXED))
		__atomic_store_n(&ep->max_gap_us, now - last, __ATOMIC_RELAXED);
	__atomic_store_n(&ep->last_arrival_us, now, __ATOMIC_RELAXED);
	if (ep->sampled)
		analyse(ep, pkt);
}

/* The server asks for a key frame of what this endpoint sends: the camera loop restarts at
 * its key frame with the next frame. */
static void on_keyframe_request(struct peer *peer, const struct peer_track *track, void *user_data)
{
	struct endpoint *ep = user_data;

	(void)peer;
	if (track->kind == TRACK_VIDEO)
		__atomic_store_n(&ep->video_keyframe_wanted, 1, __ATOMIC_RELEASE);
}

static const struct peer_media media = {.rtp = on_rtp, .keyframe_request = on_keyframe_request};

static void set_state(struct endpoint *ep, enum endpoint_state state)
{
	__atomic_store_n(&ep->state, state, __ATOMIC_RELEASE);
}

static void on_state(struct peer *peer, enum peer_state state, enum peer_error error,
                     const char *reason, void *user_data)
{
	struct endpoint *ep = user_data;

	if (state == PEER_STATE_CONNECTED && ep->state == EP_CONNECTING) {
		/* A browser turns DTX on when the answer's fmtp says usedtx=1. The peer's tracks
		 * hold the answer once it is connected; the sender thread reads clip and dtx
		 * only once the state says connected. */
		if (ep->talk_slot < 0 && !ep->load->no_dtx &&
		    peer_track(ep->peer, ep->audio_track)->remote_usedtx) {
			ep->clip = ep->load->silent_dtx;
			ep->dtx = true;
		}
		ep->connected_us = g_get_monotonic_time();
		ep->load->connected++;
		set_state(ep, EP_CONNECTED);
	} else if (state == PEER_STATE_FAILED || state == PEER_STATE_CLOSED) {
		endpoint_failed(ep, "peer %s: %s", peer_state_name(state),
		                reason ? reason : peer_error_name(error));
	}
}

static const struct peer_events events = {.state = on_state};

static void on_offer(struct peer *peer, char *sdp, GError *error, void *user_data)
{
	struct endpoint *ep = user_data;

	if (error) {
		endpoint_failed(ep, "no offer: %s", error->message);
		g_error_free(error);
		return;
	}
	set_state(ep, EP_SIGNALLING);
	ep->load->signal->join(ep, sdp);
	g_free(sdp);
}

void endpoint_start(struct endpoint *ep)
{
	hann_init();
	g_mutex_init(&ep->lock);
	if (ep->sampled)
		ep->decoder = audio_decoder_new();
	video_rx_init(&ep->vrx, ep->video_decode);
	ep->started_us = g_get_monotonic_time();
	ep->timestamp = g_random_int();
	set_state(ep, EP_OFFERING);
	ep->peer = peer_new_offer_kinds(ep->load->transport, false, !ep->load->audio_only, &events,
	                                &media, ep);
	peer_local_description(ep->peer, on_offer, ep);
}

void endpoint_answered(struct endpoint *ep, const char *answer)
{
	g_autoptr(GError) error = NULL;

	if (ep->state != EP_SIGNALLING)
		return;
	if (!peer_set_answer(ep->peer, answer, strlen(answer), &error)) {
		endpoint_failed(ep, "answer refused: %s", error->message);
		return;
	}
	ep->audio_track = ep->video_track = G_MAXUINT;
	for (unsigned i = 0; i < peer_track_count(ep->peer); i++) {
		const struct peer_track *t = peer_track(ep->peer, i);

		if (t->kind == TRACK_AUDIO && t->send)
			ep->audio_track = i;
		if (t->kind == TRACK_VIDEO && t->send)
			ep->video_track = i;
	}
	if (ep->audio_track == G_MAXUINT) {
		endpoint_failed(ep, "the answer accepts no audio to send");
		return;
	}
	if (ep->vclip && ep->video_track == G_MAXUINT) {
		endpoint_failed(ep, "the answer accepts no video to send");
		return;
	}
	set_state(ep, EP_CONNECTING);
}

void endpoint_failed(struct endpoint *ep, const char *fmt, ...)
{
	va_list args;

	if (ep->state == EP_FAILED)
		return;
	if (ep->state == EP_CONNECTED)
		ep->load->connected--;
	set_state(ep, EP_FAILED);
	ep->load->failed++;
	va_start(args, fmt);
	ep->error = g_strdup_vprintf(fmt, args);
	va_end(args);
	say("endpoint %u failed: %s", ep->index, ep->error);
}

void endpoint_stop(struct endpoint *ep)
{
	if (ep->peer) {
		peer_close(ep->peer, "cau-load done");
		g_clear_pointer(&ep->peer, peer_unref);
	}
	if (ep->signal)
		ep->load->signal->leave(ep);
	g_clear_pointer(&ep->decoder, audio_decoder_free);
	video_rx_clear(&ep->vrx);
	g_free(ep->error);
	if (ep->state != EP_IDLE)
		g_mutex_clear(&ep->lock);
}

void endpoint_window_begin(struct endpoint *ep)
{
	__atomic_store_n(&ep->max_gap_us, 0, __ATOMIC_RELAXED);
	if (!ep->sampled)
		return;
	g_mutex_lock(&ep->lock);
	ep->an_frames = ep->an_errors = 0;
	ep->an_energy = 0;
	memset(ep->an_tone_power, 0, sizeof(ep->an_tone_power));
	g_mutex_unlock(&ep->lock);
}

static double to_db(double power)
{
	return power > 1e-20 ? 10 * log10(power) : -200.0;
}

void endpoint_window_report(struct endpoint *ep, struct tone_report *out)
{
	memset(out, 0, sizeof(*out));
	g_mutex_lock(&ep->lock);
	out->decoded = (unsigned)ep->an_frames;
	out->decode_errors = (unsigned)ep->an_errors;
	out->rms_dbfs = ep->an_frames
	                    ? to_db(ep->an_energy / ((double)ep->an_frames * AUDIO_FRAME_SAMPLES))
	                    : -200.0;
	for (unsigned t = 0; t < ep->load->tone_count; t++)
		out->tone_dbfs[t] = ep->an_frames
		                        ? to_db(ep->an_tone_power[t] / (double)ep->an_frames) - 3.0
		                        : -200;
	g_mutex_unlock(&ep->lock);
}

void endpoint_send_next(struct endpoint *ep)
{
	const struct audio_clip *clip = ep->clip;
	struct peer_rtp_out out = {
	    .timestamp = ep->timestamp,
	    .payload = clip->payload[ep->frame],
	    .payload_len = clip->len[ep->frame],
	    .has_audio_level = true,
	    .vad = clip->vad,
	    .audio_level = clip->audio_level,
	};

	bool skip = clip->dtx[ep->frame] && ep->in_dtx;

	/* As libwebrtc does: the first DTX frame is sent (the decoder learns the sender went
	 * quiet), the ones after it are not; the sequence numbers stay contiguous and the
	 * timestamp jumps. */
	ep->in_dtx = clip->dtx[ep->frame];
	if (skip)
		ep->dtx_skipped++;
	else if (peer_send_rtp(ep->peer, ep->audio_track, &out) == 0)
		ep->sent++;
	else
		ep->send_errors++;
	ep->timestamp += AUDIO_FRAME_SAMPLES;
	ep->frame = (ep->frame + 1) % clip->frames;
}
