/* SPDX-License-Identifier: MIT */
/* One negotiated media track of a peer connection (an m= section of the BUNDLE). */
#pragma once

#include "proto/rtp_ext.h"

#include <stdbool.h>
#include <stdint.h>

#define PEER_MAX_TRACKS 16
#define TRACK_MAX_MID   32  /* characters of a mid this server accepts */
#define TRACK_MAX_CODEC 32  /* characters of an encoding name */
#define TRACK_MAX_FMTP  256 /* characters of the codec's fmtp parameters */

enum track_kind {
	TRACK_AUDIO,
	TRACK_VIDEO,
};

/* "audio" or "video". Static. */
const char *track_kind_name(enum track_kind kind);

/* The codec a track carries, and its RTX (RFC 4588) payload type if negotiated. */
struct track_codec {
	uint8_t pt;
	char name[TRACK_MAX_CODEC + 1]; /* as negotiated: "opus", "VP8" */
	uint32_t clock_rate;
	uint8_t channels; /* 0 when the rtpmap gives none */
	char fmtp[TRACK_MAX_FMTP + 1];
	bool has_rtx;
	uint8_t rtx_pt;
};

/*
 * A plain value: what both sides agreed on for one m= section. `send` and `receive` are
 * this server's directions. Extension ids are 0 when not negotiated; `ext` maps every
 * negotiated id of this section to its kind. SSRCs: local ones are chosen by the server;
 * remote ones come from the remote a=ssrc lines, or 0 until learned from packets.
 */
struct peer_track {
	unsigned index; /* in the peer's track array */
	unsigned mline; /* position of the m= section in the SDP */
	enum track_kind kind;
	char mid[TRACK_MAX_MID + 1];
	bool send, receive;
	struct track_codec codec;
	bool fb_nack, fb_pli, fb_fir, fb_twcc;
	struct rtp_ext_map ext;
	uint8_t ext_mid, ext_audio_level, ext_twcc;
	uint32_t local_ssrc, local_rtx_ssrc;
	uint32_t remote_ssrc, remote_rtx_ssrc;
	bool remote_usedtx; /* audio: the remote side's fmtp asks for DTX (usedtx=1) on what
	                     * this side sends it */
};
