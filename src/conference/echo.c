/* SPDX-License-Identifier: MIT */
/* The echo room: received RTP straight back to its sender, keyframe requests passed on. */
#define G_LOG_DOMAIN "cau-echo"
#include "echo.h"

#include "core/log.h"

#include <errno.h>

static void echo_rtp(struct peer *peer, const struct peer_track *track,
                     const struct rtp_packet *pkt, const struct rtp_ext_values *ext,
                     void *user_data)
{
	struct peer_rtp_out out = {
	    .has_seq = true,
	    .seq = pkt->seq,
	    .marker = pkt->marker,
	    .timestamp = pkt->timestamp,
	    .payload = pkt->payload,
	    .payload_len = pkt->payload_len,
	    .has_audio_level = ext->has_audio_level,
	    .vad = ext->vad,
	    .audio_level = ext->audio_level,
	};
	int err;

	if (!track->send)
		return;
	err = peer_send_rtp(peer, track->index, &out);
	if (err)
		cau_trace("[peer %s] echo: track %u: %s", peer_id(peer), track->index,
		          g_strerror(-err));
}

static void echo_keyframe_request(struct peer *peer, const struct peer_track *track,
                                  void *user_data)
{
	int err = peer_request_keyframe(peer, track->index);

	if (err && err != -EAGAIN)
		g_debug("[peer %s] echo: cannot pass a keyframe request on (track %u): %s",
		        peer_id(peer), track->index, g_strerror(-err));
}

const struct peer_media echo_media = {
    .rtp = echo_rtp,
    .keyframe_request = echo_keyframe_request,
};
