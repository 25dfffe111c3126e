/* SPDX-License-Identifier: MIT */
/* Per-participant audio jitter buffer: reorders RTP packets, adapts its delay to the measured
 * jitter, and tells the decoder each 20 ms what to do (decode, FEC, conceal or silence). */
#define G_LOG_DOMAIN "cau-jitter"
#include "media/jitter_buffer.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "core/log.h"

#define TS_PER_FRAME   ((uint64_t)AUDIO_FRAME_SAMPLES)
#define FRAME_US       ((int64_t)AUDIO_FRAME_MS * 1000)
/* RFC 3550 A.1: larger sequence jumps need a second packet to confirm them. */
#define MAX_DROPOUT    3000
#define MAX_MISORDER   100
/* A timestamp that goes back more than this while the sequence goes forward is a reset. */
#define MAX_TS_BACK    ((int64_t)AUDIO_SAMPLE_RATE)
/* Packets of delay history needed before the target follows the measurement. */
#define MIN_SAMPLES    16
#define TARGET_EVERY   4 /* packets between recomputations of the target delay */
/* Deadband around the target: grow below target - 15 ms, shrink above target + 25 ms. The
 * band is wider than a frame, so one step never crosses it and the delay cannot oscillate. */
#define GROW_BELOW_US  15000
#define SHRINK_OVER_US 25000
/* A non-quiet frame is dropped or stretched only after this many ticks off target. */
#define PATIENCE_TICKS 25
/* RFC 6464 level (-dBov) from which a frame counts as quiet enough to drop or stretch. */
#define QUIET_LEVEL    60
/* After a loss, the target keeps one more frame for this many pops (10 s), so that the
 * next packet is usually here when a frame is missing and its FEC can be used. */
#define LOSS_MEMORY    500
/* Extended counters start here so that unwrapping backwards never goes below zero. */
#define SEQ_BASE       ((uint64_t)1 << 32)
#define TS_BASE        ((uint64_t)1 << 40)

struct slot {
	bool used;
	bool vad;
	int16_t level;
	uint16_t len;
	uint64_t seq; /* extended */
	uint64_t ts;  /* extended */
	uint64_t arrival_us;
	uint8_t data[AUDIO_PAYLOAD_MAX];
};

/* The state every put and pop reads comes first, in a few cache lines; the 40 KiB of
 * slots last. With a thousand buffers a tick, none stays cached from one to the next, and
 * the counters behind the slots cost each put a miss of their own. */
struct jitter_buffer {
	struct jitter_config cfg;
	unsigned count;

	/* The stream being received. */
	bool have_stream;
	uint32_t ssrc;
	bool have_prev_ssrc;
	uint32_t prev_ssrc;  /* the stream before a restart: its stragglers are dropped */
	uint64_t max_seq;    /* extended highest sequence number received */
	uint64_t max_seq_ts; /* extended timestamp of that packet */
	bool probation;      /* a jump was seen; probe_seq would confirm it */
	uint16_t probe_seq;

	/* Playout. */
	bool started;
	uint64_t next_seq; /* next frame to hand out (before start: lowest received) */
	uint64_t play_ts;  /* its timestamp */
	unsigned held;     /* underrun frames handed out without advancing play_ts */
	unsigned conceal_run;
	bool last_quiet;
	unsigned excess_ticks;
	unsigned deficit_ticks;
	unsigned since_loss; /* pops since the last loss, saturating at LOSS_MEMORY */

	/* Delay measurement: transit = arrival - media time, in microseconds. */
	int64_t *transit;
	int64_t *scratch;
	unsigned transit_count;
	unsigned transit_pos;
	bool target_dirty;
	unsigned since_target; /* packets measured since the target was computed */
	int64_t min_transit;
	unsigned target_ms;
	bool have_last_transit;
	int64_t last_transit_ts; /* RFC 3550 transit in RTP units */
	uint32_t jitter_q4;      /* RFC 3550 J, scaled by 16 */

	struct jitter_stats stats;

	char name[64];
	struct slot slots[JITTER_CAPACITY];
};

void jitter_config_init(struct jitter_config *cfg)
{
	*cfg = (struct jitter_config){
	    .min_delay_ms = 20,
	    .max_delay_ms = 200,
	    .initial_delay_ms = 60,
	    .window = 128,
	    .quantile_pct = 97,
	    .max_conceal = 5,
	};
}

void jitter_packet_from_rtp(struct jitter_packet *out, const struct rtp_packet *rtp,
                            const struct rtp_ext_values *ext, uint64_t arrival_us)
{
	*out = (struct jitter_packet){
	    .ssrc = rtp->ssrc,
	    .seq = rtp->seq,
	    .timestamp = rtp->timestamp,
	    .marker = rtp->marker,
	    .arrival_us = arrival_us,
	    .level = ext && ext->has_audio_level ? ext->audio_level : -1,
	    .vad = ext && ext->has_audio_level && ext->vad,
	    .payload = rtp->payload,
	    .payload_len = rtp->payload_len,
	};
}

static int64_t ts_to_us(uint64_t ts)
{
	return (int64_t)(ts * 125 / 6); /* 1e6 / 48000 */
}

static uint64_t unwrap_seq(uint64_t ref, uint16_t seq)
{
	return ref + (uint64_t)(int64_t)(int16_t)(seq - (uint16_t)ref);
}

static uint64_t unwrap_ts(uint64_t ref, uint32_t ts)
{
	return ref + (uint64_t)(int64_t)(int32_t)(ts - (uint32_t)ref);
}

struct jitter_buffer *jitter_buffer_new(const struct jitter_config *cfg, const char *name)
{
	struct jitter_buffer *jb = g_new0(struct jitter_buffer, 1);

	if (cfg)
		jb->cfg = *cfg;
	else
		jitter_config_init(&jb->cfg);
	jb->cfg.window = CLAMP(jb->cfg.window, MIN_SAMPLES, 4096);
	jb->cfg.quantile_pct = CLAMP(jb->cfg.quantile_pct, 1, 100);
	jb->cfg.min_delay_ms = MAX(jb->cfg.min_delay_ms, 1);
	jb->cfg.max_delay_ms = CLAMP(jb->cfg.max_delay_ms, jb->cfg.min_delay_ms,
	                             (JITTER_CAPACITY / 2) * AUDIO_FRAME_MS);
	g_strlcpy(jb->name, name ? name : "jitter", sizeof(jb->name));
	jb->transit = g_new0(int64_t, jb->cfg.window);
	jb->scratch = g_new0(int64_t, jb->cfg.window);
	jitter_buffer_reset(jb);
	return jb;
}

void jitter_buffer_free(struct jitter_buffer *jb)
{
	if (!jb)
		return;
	g_free(jb->transit);
	g_free(jb->scratch);
	g_free(jb);
}

static void clear_slots(struct jitter_buffer *jb)
{
	for (unsigned i = 0; i < JITTER_CAPACITY; i++)
		jb->slots[i].used = false;
	jb->count = 0;
}

static void clear_stream(struct jitter_buffer *jb)
{
	clear_slots(jb);
	jb->have_stream = false;
	jb->probation = false;
	jb->started = false;
	jb->held = 0;
	jb->conceal_run = 0;
	jb->last_quiet = false;
	jb->excess_ticks = 0;
	jb->deficit_ticks = 0;
	jb->since_loss = LOSS_MEMORY;
	/* Transit times are relative to the stream's timestamp base: a new stream starts a
	 * new history. The target is kept: the network path has not changed. */
	jb->transit_count = 0;
	jb->transit_pos = 0;
	jb->have_last_transit = false;
}

void jitter_buffer_reset(struct jitter_buffer *jb)
{
	clear_stream(jb);
	jb->have_prev_ssrc = false;
	memset(&jb->stats, 0, sizeof(jb->stats));
	jb->target_ms = CLAMP(jb->cfg.initial_delay_ms, jb->cfg.min_delay_ms, jb->cfg.max_delay_ms);
	jb->jitter_q4 = 0;
}

static struct slot *lookup(struct jitter_buffer *jb, uint64_t seq)
{
	struct slot *s = &jb->slots[seq % JITTER_CAPACITY];

	return s->used && s->seq == seq ? s : NULL;
}

static void release(struct jitter_buffer *jb, struct slot *s)
{
	s->used = false;
	jb->count--;
}

/* Takes pkt as the first packet of a new stream. */
static void start_stream(struct jitter_buffer *jb, const struct jitter_packet *pkt)
{
	if (jb->have_stream) {
		if (pkt->ssrc != jb->ssrc) {
			jb->have_prev_ssrc = true;
			jb->prev_ssrc = jb->ssrc;
		}
		jb->stats.resyncs++;
		g_info("[%s] jitter: sender restarted (ssrc %08x seq %u ts %u, was ssrc %08x); "
		       "resynchronising",
		       jb->name, pkt->ssrc, pkt->seq, pkt->timestamp, jb->ssrc);
	}
	clear_stream(jb);
	jb->have_stream = true;
	jb->ssrc = pkt->ssrc;
	jb->max_seq = SEQ_BASE + pkt->seq;
	jb->max_seq_ts = TS_BASE + pkt->timestamp;
	jb->next_seq = jb->max_seq;
	jb->play_ts = jb->max_seq_ts;
}

/* RFC 3550 A.1 style: a big jump is believed only when the next packet continues it. */
static int check_jump(struct jitter_buffer *jb, const struct jitter_packet *pkt, int64_t delta,
                      int64_t ts_delta)
{
	bool jump =
	    delta > MAX_DROPOUT || delta < -MAX_MISORDER || (delta > 0 && ts_delta < -MAX_TS_BACK);

	if (!jump) {
		jb->probation = false;
		return 0;
	}
	if (jb->probation && pkt->seq == jb->probe_seq) {
		start_stream(jb, pkt);
		return 1;
	}
	jb->probation = true;
	jb->probe_seq = (uint16_t)(pkt->seq + 1);
	jb->stats.invalid++;
	cau_trace("[%s] jitter: seq %u jumps by %" G_GINT64_FORMAT "; awaiting confirmation",
	          jb->name, pkt->seq, delta);
	return -EAGAIN;
}

/* Makes room for seq by giving up the oldest frames (the consumer fell far behind). */
static void overflow(struct jitter_buffer *jb, uint64_t seq)
{
	uint64_t new_next = seq - JITTER_CAPACITY + 1;

	for (uint64_t s = jb->next_seq; s < new_next && jb->count > 0; s++) {
		struct slot *old = lookup(jb, s);

		if (old) {
			release(jb, old);
			jb->stats.dropped++;
		}
	}
	jb->play_ts += (new_next - jb->next_seq) * TS_PER_FRAME;
	jb->next_seq = new_next;
	jb->held = 0;
}

static void measure(struct jitter_buffer *jb, uint64_t ts, uint64_t arrival_us)
{
	int64_t transit_ts =
	    (int64_t)(arrival_us * (AUDIO_SAMPLE_RATE / 1000) / 1000) - (int64_t)ts;

	int64_t transit = (int64_t)arrival_us - ts_to_us(ts);

	jb->transit[jb->transit_pos] = transit;
	jb->transit_pos = (jb->transit_pos + 1) % jb->cfg.window;
	if (jb->transit_count < jb->cfg.window)
		jb->transit_count++;
	/* The percentile over the window moves slowly: recomputed every TARGET_EVERY packets
	 * (a copy and a quickselect of 128 values each time would be most of a room's
	 * per-packet cost), at once while the window fills or when a packet is the fastest
	 * yet (the delays are measured from it). */
	if (++jb->since_target >= TARGET_EVERY || jb->transit_count < MIN_SAMPLES + TARGET_EVERY ||
	    transit < jb->min_transit)
		jb->target_dirty = true;

	if (jb->have_last_transit) {
		int64_t d = transit_ts - jb->last_transit_ts;
		uint32_t abs_d = (uint32_t)MIN(d < 0 ? -d : d, (int64_t)UINT32_MAX / 2);

		/* J += (|D| - J) / 16, kept scaled by 16 as in RFC 3550 A.8. */
		jb->jitter_q4 += abs_d - ((jb->jitter_q4 + 8) >> 4);
	}
	jb->last_transit_ts = transit_ts;
	jb->have_last_transit = true;
}

static void store(struct jitter_buffer *jb, const struct jitter_packet *pkt, uint64_t seq,
                  uint64_t ts)
{
	struct slot *s = &jb->slots[seq % JITTER_CAPACITY];

	if (s->used)
		release(jb, s); /* stale: overflow() cleared every slot older than the window */
	s->used = true;
	s->seq = seq;
	s->ts = ts;
	s->arrival_us = pkt->arrival_us;
	s->level = (int16_t)(pkt->level < 0 ? -1 : MIN(pkt->level, 127));
	s->vad = pkt->vad;
	s->len = (uint16_t)pkt->payload_len;
	memcpy(s->data, pkt->payload, pkt->payload_len);
	jb->count++;
	if (seq > jb->max_seq) {
		jb->max_seq = seq;
		jb->max_seq_ts = ts;
	}
	jb->stats.received++;
	measure(jb, ts, pkt->arrival_us);
}

int jitter_buffer_put(struct jitter_buffer *jb, const struct jitter_packet *pkt)
{
	uint64_t seq, ts;
	int ret;

	if (!pkt->payload || pkt->payload_len == 0 || pkt->payload_len > AUDIO_PAYLOAD_MAX) {
		jb->stats.invalid++;
		return -EINVAL;
	}
	if (jb->have_stream && pkt->ssrc != jb->ssrc && jb->have_prev_ssrc &&
	    pkt->ssrc == jb->prev_ssrc) {
		jb->stats.late++; /* a straggler of the stream the sender left */
		return -ETIME;
	}
	if (!jb->have_stream || pkt->ssrc != jb->ssrc)
		start_stream(jb, pkt);

	seq = unwrap_seq(jb->max_seq, pkt->seq);
	ts = unwrap_ts(jb->max_seq_ts, pkt->timestamp);
	ret = check_jump(jb, pkt, (int64_t)(seq - jb->max_seq), (int64_t)(ts - jb->max_seq_ts));
	if (ret < 0)
		return ret;
	if (ret > 0) { /* restarted on this packet */
		seq = jb->max_seq;
		ts = jb->max_seq_ts;
	}

	if (seq < jb->next_seq) {
		if (jb->started || jb->max_seq - seq >= JITTER_CAPACITY) {
			jb->stats.late++;
			return -ETIME;
		}
		/* Reordered before playout started: begin with it. */
		jb->next_seq = seq;
	}
	if (lookup(jb, seq)) {
		jb->stats.duplicates++;
		return -EALREADY;
	}
	if (seq >= jb->next_seq + JITTER_CAPACITY)
		overflow(jb, seq);
	store(jb, pkt, seq, ts);
	return 0;
}

static void swap_i64(int64_t *a, int64_t *b)
{
	int64_t t = *a;

	*a = *b;
	*b = t;
}

/* The k-th smallest of a[0..n) (k from 0), reordering a: quickselect with a three-way
 * partition (equal transit times are the common case), O(n) on average, so the target
 * update costs a few hundred comparisons per tick. */
static int64_t select_kth(int64_t *a, int n, int k)
{
	int lo = 0, hi = n - 1;

	while (lo < hi) {
		int64_t pivot = a[lo + (hi - lo) / 2];
		int lt = lo, i = lo, gt = hi;

		while (i <= gt) {
			if (a[i] < pivot)
				swap_i64(&a[lt++], &a[i++]);
			else if (a[i] > pivot)
				swap_i64(&a[i], &a[gt--]);
			else
				i++;
		}
		if (k < lt)
			hi = lt - 1;
		else if (k > gt)
			lo = gt + 1;
		else
			return pivot;
	}
	return a[k];
}

/*
 * The target: the chosen percentile of recent transit times above the fastest one (the
 * delay that would have let that share of packets arrive in time), plus one frame so that
 * the deadband's lower edge still covers it, plus one more frame while losses are recent
 * (FEC headroom), within [min, max].
 */
static void update_target(struct jitter_buffer *jb)
{
	unsigned n = jb->transit_count, k;
	int64_t spread_us;

	if (!jb->target_dirty || n == 0)
		return;
	jb->target_dirty = false;
	jb->since_target = 0;
	jb->min_transit = jb->transit[0];
	for (unsigned i = 1; i < n; i++)
		jb->min_transit = MIN(jb->min_transit, jb->transit[i]);
	if (n < MIN_SAMPLES)
		return;
	k = (n * jb->cfg.quantile_pct + 99) / 100;
	memcpy(jb->scratch, jb->transit, n * sizeof(int64_t));
	spread_us = select_kth(jb->scratch, (int)n, (int)MAX(k, 1u) - 1) - jb->min_transit;
	if (jb->since_loss < LOSS_MEMORY)
		spread_us += FRAME_US; /* FEC headroom */
	jb->target_ms =
	    (unsigned)CLAMP((spread_us + FRAME_US + 999) / 1000, (int64_t)jb->cfg.min_delay_ms,
	                    (int64_t)jb->cfg.max_delay_ms);
}

/* How long the frame at ts, played now, will have waited beyond the fastest packet. */
static int64_t delay_us(const struct jitter_buffer *jb, uint64_t now_us, uint64_t ts)
{
	return (int64_t)now_us - ts_to_us(ts) - jb->min_transit;
}

static int64_t target_us(const struct jitter_buffer *jb)
{
	return (int64_t)jb->target_ms * 1000;
}

static bool quiet(const struct slot *s)
{
	return s->len <= 2 || (s->level >= 0 && (!s->vad || s->level >= QUIET_LEVEL));
}

static void hand_out(struct jitter_buffer *jb, struct slot *s, struct jitter_frame *out)
{
	out->action = JITTER_ACTION_PACKET;
	out->timestamp = (uint32_t)s->ts;
	out->level = s->level;
	out->vad = s->vad;
	out->payload_len = s->len;
	memcpy(out->payload, s->data, s->len);
	jb->last_quiet = quiet(s);
	jb->play_ts = s->ts + TS_PER_FRAME;
	jb->next_seq++;
	release(jb, s);
	jb->held = 0;
	jb->conceal_run = 0;
	jb->stats.played++;
}

/*
 * Delay adaptation on a frame that is here. Returns true if the frame was handled (a
 * stretch: PLC handed out instead, the frame kept for the next tick), false to play it.
 * A shrink drops the frame and moves to the next one, which the caller then plays.
 */
static bool adapt(struct jitter_buffer *jb, uint64_t now_us, struct slot **head,
                  struct jitter_frame *out)
{
	int64_t delay = delay_us(jb, now_us, jb->play_ts);
	struct slot *next = lookup(jb, jb->next_seq + 1);
	bool is_quiet = quiet(*head);

	jb->excess_ticks = delay > target_us(jb) + SHRINK_OVER_US ? jb->excess_ticks + 1 : 0;
	jb->deficit_ticks = delay < target_us(jb) - GROW_BELOW_US ? jb->deficit_ticks + 1 : 0;

	if (jb->excess_ticks && next &&
	    (is_quiet || jb->excess_ticks >= PATIENCE_TICKS ||
	     delay > (int64_t)jb->cfg.max_delay_ms * 1000 + FRAME_US)) {
		release(jb, *head);
		jb->next_seq++;
		jb->play_ts = next->ts;
		jb->excess_ticks = 0;
		jb->stats.dropped++;
		*head = next;
		return false;
	}
	if (jb->deficit_ticks && (is_quiet || jb->deficit_ticks >= PATIENCE_TICKS) &&
	    delay + FRAME_US <= (int64_t)jb->cfg.max_delay_ms * 1000) {
		jb->deficit_ticks = 0;
		jb->stats.stretched++;
		out->action = JITTER_ACTION_CONCEAL;
		out->timestamp = (uint32_t)jb->play_ts;
		return true;
	}
	return false;
}

/* The next frame is here (or, after a DTX gap, the next packet in sequence). */
static void pop_present(struct jitter_buffer *jb, uint64_t now_us, struct slot *head,
                        struct jitter_frame *out)
{
	if (head->ts > jb->play_ts) {
		/* Contiguous sequence but a timestamp jump: the sender was in DTX. Silence
		 * until the packet has waited the target delay, then re-anchor on it. */
		if (delay_us(jb, now_us, head->ts) < target_us(jb) - FRAME_US / 2) {
			out->action = JITTER_ACTION_SILENCE;
			jb->stats.silence++;
			return;
		}
		jb->play_ts = head->ts;
	} else if (head->ts < jb->play_ts) {
		jb->play_ts = head->ts; /* the sender's clock stepped back a little */
	}
	if (adapt(jb, now_us, &head, out))
		return;
	hand_out(jb, head, out);
}

static struct slot *first_after(struct jitter_buffer *jb, uint64_t seq)
{
	uint64_t last = MIN(jb->max_seq, seq + JITTER_CAPACITY - 1);

	for (uint64_t s = seq + 1; s <= last; s++) {
		struct slot *found = lookup(jb, s);

		if (found)
			return found;
	}
	return NULL;
}

static void count_loss(struct jitter_buffer *jb)
{
	jb->stats.lost++;
	if (jb->since_loss >= LOSS_MEMORY)
		jb->target_dirty = true; /* headroom starts now */
	jb->since_loss = 0;
}

/* The next frame is missing but later ones are here: it is lost (or will be late). */
static void pop_missing(struct jitter_buffer *jb, struct slot *first, struct jitter_frame *out)
{
	out->timestamp = (uint32_t)jb->play_ts;
	count_loss(jb);
	if (first->seq == jb->next_seq + 1 && first->ts == jb->play_ts + TS_PER_FRAME) {
		out->action = JITTER_ACTION_FEC;
		out->payload_len = first->len;
		memcpy(out->payload, first->data, first->len);
		jb->stats.fec++;
	} else {
		out->action = JITTER_ACTION_CONCEAL;
		jb->stats.concealed++;
	}
	jb->conceal_run++;
	jb->next_seq++;
	jb->play_ts += TS_PER_FRAME;
	jb->held = 0;
}

/*
 * Nothing at all is buffered: conceal a few frames, then call it silence, and hold the
 * timeline rather than advance it. Whether this is a late burst (it will then play, the
 * delay having grown by the wait), a loss (the frames already covered are skipped when
 * later packets show the gap) or a pause (the next packet is re-anchored), nothing is
 * played twice and nothing in order is called late.
 */
static void pop_empty(struct jitter_buffer *jb, struct jitter_frame *out)
{
	if (jb->held < JITTER_CAPACITY * 1024)
		jb->held++;
	out->timestamp = (uint32_t)jb->play_ts;
	if (jb->last_quiet || jb->conceal_run >= jb->cfg.max_conceal) {
		out->action = JITTER_ACTION_SILENCE;
		jb->stats.silence++;
	} else {
		out->action = JITTER_ACTION_CONCEAL;
		jb->stats.concealed++;
		jb->conceal_run++;
	}
}

static bool try_start(struct jitter_buffer *jb, uint64_t now_us)
{
	struct slot *head = lookup(jb, jb->next_seq);

	if (!head)
		head = first_after(jb, jb->next_seq);
	if (!head || delay_us(jb, now_us, head->ts) < target_us(jb) - FRAME_US / 2)
		return false;
	jb->started = true;
	jb->next_seq = head->seq;
	jb->play_ts = head->ts;
	g_debug("[%s] jitter: playout starts at seq %u with target %u ms", jb->name,
	        (unsigned)(uint16_t)head->seq, jb->target_ms);
	return true;
}

int jitter_buffer_pop(struct jitter_buffer *jb, uint64_t now_us, struct jitter_frame *out)
{
	struct slot *head, *first;

	out->action = JITTER_ACTION_NONE;
	out->level = -1;
	out->vad = false;
	out->payload_len = 0;
	out->timestamp = 0;
	if (jb->since_loss < LOSS_MEMORY && ++jb->since_loss == LOSS_MEMORY)
		jb->target_dirty = true; /* headroom ends */
	update_target(jb);
	jb->stats.target_ms = jb->target_ms;
	if (!jb->have_stream || (!jb->started && !try_start(jb, now_us)))
		return 0;
	jb->stats.delay_ms = (int)(delay_us(jb, now_us, jb->play_ts) / 1000);

	head = lookup(jb, jb->next_seq);
	if (head) {
		pop_present(jb, now_us, head, out);
		return 0;
	}
	first = jb->count ? first_after(jb, jb->next_seq) : NULL;
	/* Frames an underrun already covered with PLC need no second concealment. */
	while (first && jb->held > 0 && first->seq > jb->next_seq) {
		jb->held--;
		count_loss(jb);
		jb->next_seq++;
		jb->play_ts += TS_PER_FRAME;
	}
	if (first && first->seq == jb->next_seq)
		pop_present(jb, now_us, first, out);
	else if (first)
		pop_missing(jb, first, out);
	else
		pop_empty(jb, out);
	return 0;
}

void jitter_buffer_get_stats(const struct jitter_buffer *jb, struct jitter_stats *out)
{
	*out = jb->stats;
	out->target_ms = jb->target_ms;
	out->jitter = jb->jitter_q4 >> 4;
	out->ssrc = jb->ssrc;
	out->highest_seq = jb->have_stream ? jb->max_seq - SEQ_BASE : 0;
}

void jitter_buffer_get_drops(const struct jitter_buffer *jb, uint64_t *resyncs, uint64_t *dropped)
{
	*resyncs = jb->stats.resyncs;
	*dropped = jb->stats.dropped;
}
