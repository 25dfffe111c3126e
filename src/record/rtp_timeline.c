/* SPDX-License-Identifier: MIT */
/* RTP timestamps to running time: extension across wrap-around, anchoring, resync. */
#include "rtp_timeline.h"

#include <errno.h>

void rtp_timeline_init(struct rtp_timeline *t, uint32_t clock_rate)
{
	*t = (struct rtp_timeline){.clock_rate = clock_rate};
}

static int64_t ticks_to_ns(const struct rtp_timeline *t, int64_t ticks)
{
	/* Split to keep the product in range for any 64-bit tick count. */
	int64_t secs = ticks / (int64_t)t->clock_rate, rest = ticks % (int64_t)t->clock_rate;

	return secs * 1000000000LL + rest * 1000000000LL / (int64_t)t->clock_rate;
}

int rtp_timeline_map(struct rtp_timeline *t, uint32_t rtp_ts, int64_t now_ns, int64_t *out_ns)
{
	int64_t ext, at, anchor_ext, anchor_ns;
	bool resync = false;

	if (!t->started) {
		ext = rtp_ts;
		anchor_ext = ext;
		anchor_ns = now_ns;
		at = now_ns;
	} else {
		/* The signed distance from the last timestamp: wrap-around is the short way. */
		ext = t->last_ext + (int32_t)(rtp_ts - t->last_rtp);
		anchor_ext = t->anchor_ext;
		anchor_ns = t->anchor_ns;
		at = anchor_ns + ticks_to_ns(t, ext - anchor_ext);
		if (at - now_ns > RTP_TIMELINE_RESYNC_NS || now_ns - at > RTP_TIMELINE_RESYNC_NS) {
			resync = true;
			anchor_ext = ext;
			anchor_ns = now_ns;
			at = now_ns;
		}
		if (at <= t->last_ns)
			return -ERANGE;
	}
	t->started = true;
	t->last_rtp = rtp_ts;
	t->last_ext = ext;
	t->anchor_ext = anchor_ext;
	t->anchor_ns = anchor_ns;
	t->last_ns = at;
	t->resyncs += resync;
	*out_ns = at;
	return 0;
}
