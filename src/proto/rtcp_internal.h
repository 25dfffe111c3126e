/* SPDX-License-Identifier: MIT */
/* Byte helpers and header writers shared by the RTCP files. Private to proto/. */
#pragma once

#include "proto/rtcp.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define RTCP_VERSION  2
#define FB_HEADER_LEN 8 /* sender SSRC + media SSRC, after the common header */

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | get24(p + 1);
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	put16(p + 1, (uint16_t)v);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	put24(p + 1, v);
}

/* Sign-extends a 24-bit two's complement value. */
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
