/* SPDX-License-Identifier: MIT */
/* The echo room: every peer gets back what it sends, as a loopback test of the whole
 * transport (ICE, DTLS-SRTP, RTP/RTCP, NACK, keyframes) against a real client. */
#pragma once

#include "transport/peer.h"

/*
 * The media callbacks of an echo peer (pass to peer_new_answer()/peer_new_offer() with
 * any user_data; it is not used). Each received RTP packet is sent back on the same track
 * with the server's own SSRC and protection, keeping the sender's sequence order (so that
 * the client's NACKs of what the server lost reach the server's own NACKs); a keyframe
 * request from the client is passed on to the client's sender as PLI/FIR. Run on the
 * peer's worker thread.
 */
extern const struct peer_media echo_media;
