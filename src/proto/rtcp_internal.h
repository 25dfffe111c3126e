/* SPDX-License-Identifier: MIT */
/* Header writers shared by the RTCP files (byte helpers: bytes.h). Private to proto/. */
#pragma once

#include "proto/bytes.h"
#include "proto/rtcp.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define RTCP_VERSION  2
#define FB_HEADER_LEN 8 /* sender SSRC + media SSRC, after the common header */

static inline int32_t sign24(uint32_t v)
{
	return (v & 0x800000) ? (int32_t)v - 0x1000000 : (int32_t)v;
}

/* Writes the common header for a packet of len bytes (a multiple of 4). */
void rtcp_write_header(uint8_t *buf, bool padding, uint8_t count, uint8_t type, size_t len);
/* Checks that a packet of len bytes is representable and fits in cap. */
int rtcp_check_room(size_t len, size_t cap);
/* Writes the header and the sender and media SSRCs of a feedback message. */
void rtcp_write_fb_header(uint8_t *buf, uint8_t fmt, uint8_t type, size_t len, uint32_t sender_ssrc,
                          uint32_t media_ssrc);
/* Checks a feedback packet's type, format and minimum body length. */
int rtcp_check_fb(const struct rtcp_packet *pkt, uint8_t type, uint8_t fmt, size_t min_len);
