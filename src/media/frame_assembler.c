/* SPDX-License-Identifier: MIT */
/* RTP packets of one VP8 stream (one SSRC) into complete frames, in order, with loss
 * detection: an incomplete frame is dropped and decoding waits for the next key frame. */
#define G_LOG_DOMAIN "cau-assembler"
#include "media/frame_assembler.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "proto/vp8.h"

/* After this many late packets in a row the sender must have restarted its numbering. */
#define LATE_RESTART 64

struct slot {
	bool used;
	bool start; /* S = 1 and PID = 0: the first packet of a frame */
	bool marker;
	bool keyframe;
	uint16_t seq;
	uint32_t timestamp;
	uint16_t len;
	uint64_t arrival_us;
	struct vp8_descriptor desc;
	uint16_t width, height;
	uint8_t *data; /* a block of FRAME_ASSEMBLER_PAYLOAD_MAX bytes */
};

struct frame_assembler {
	char name[64];
	struct frame_assembler_config cfg;
	struct slot *slots; /* cfg.window, indexed by seq % window */
	uint8_t **free_blocks;
	unsigned free_count;
	unsigned block_count; /* allocated so far */
	bool started;
	uint32_t ssrc;
	uint16_t expected; /* the next sequence number to hand out or drop */
	uint16_t highest;  /* the newest sequence number stored */
	unsigned stored;
	unsigned late_run;
	bool head_moved; /* something was handed out or dropped since the (re)start */
	bool waiting_keyframe;
	uint64_t blocked_since_us; /* when the head frame was first seen held up by a hole */
	bool blocked;
	uint8_t *frame;
	size_t frame_cap;
	struct frame_assembler_stats stats;
};

void frame_assembler_config_init(struct frame_assembler_config *cfg)
{
	*cfg = (struct frame_assembler_config){
	    .window = 512,
	    .max_wait_us = 150000,
	    .max_frame_bytes = 2u << 20,
	};
}

struct frame_assembler *frame_assembler_new(const struct frame_assembler_config *cfg,
                                            const char *name)
{
	struct frame_assembler_config defaults;
	struct frame_assembler *fa;

	if (!cfg) {
		frame_assembler_config_init(&defaults);
		cfg = &defaults;
	}
	if (cfg->window < 16 || cfg->window > 4096 || (cfg->window & (cfg->window - 1)) ||
	    cfg->max_frame_bytes == 0)
		return NULL;
	fa = g_new0(struct frame_assembler, 1);
	fa->cfg = *cfg;
	g_strlcpy(fa->name, name ? name : "assembler", sizeof(fa->name));
	fa->slots = g_new0(struct slot, cfg->window);
	fa->free_blocks = g_new0(uint8_t *, cfg->window);
	fa->waiting_keyframe = true;
	return fa;
}

void frame_assembler_free(struct frame_assembler *fa)
{
	if (!fa)
		return;
	for (unsigned i = 0; i < fa->cfg.window; i++)
		g_free(fa->slots[i].data);
	for (unsigned i = 0; i < fa->free_count; i++)
		g_free(fa->free_blocks[i]);
	g_free(fa->slots);
	g_free(fa->free_blocks);
	g_free(fa->frame);
	g_free(fa);
}

static struct slot *slot_at(struct frame_assembler *fa, uint16_t seq)
{
	struct slot *s = &fa->slots[seq & (fa->cfg.window - 1)];

	return s->used && s->seq == seq ? s : NULL;
}

static void release(struct frame_assembler *fa, struct slot *s)
{
	fa->free_blocks[fa->free_count++] = s->data;
	s->data = NULL;
	s->used = false;
	fa->stored--;
}

/* Moves the head past seq (drops it if held), which ends any wait on a hole there. */
static void advance(struct frame_assembler *fa)
{
	struct slot *s = slot_at(fa, fa->expected);

	if (s)
		release(fa, s);
	fa->expected++;
	fa->head_moved = true;
	fa->blocked = false;
}

static void drop_all(struct frame_assembler *fa)
{
	for (unsigned i = 0; i < fa->cfg.window; i++)
		if (fa->slots[i].used)
			release(fa, &fa->slots[i]);
	fa->blocked = false;
}

void frame_assembler_reset(struct frame_assembler *fa)
{
	drop_all(fa);
	fa->started = false;
	fa->late_run = 0;
	fa->waiting_keyframe = true;
}

void frame_assembler_wait_keyframe(struct frame_assembler *fa)
{
	fa->waiting_keyframe = true;
}

bool frame_assembler_wants_keyframe(const struct frame_assembler *fa)
{
	return fa->waiting_keyframe;
}

/* Decoding must stop: what was lost made the next delta frames undecodable. */
static void lost(struct frame_assembler *fa)
{
	if (!fa->waiting_keyframe) {
		fa->stats.losses++;
		g_debug("[%s] assembler: loss at seq %u, waiting for a key frame", fa->name,
		        fa->expected);
	}
	fa->waiting_keyframe = true;
}

static void restart(struct frame_assembler *fa, const struct rtp_packet *pkt, const char *why)
{
	if (fa->started) {
		fa->stats.resets++;
		g_debug("[%s] assembler: restart at ssrc %08x seq %u (%s)", fa->name, pkt->ssrc,
		        pkt->seq, why);
	}
	drop_all(fa);
	fa->started = true;
	fa->ssrc = pkt->ssrc;
	fa->expected = pkt->seq;
	fa->highest = pkt->seq;
	fa->late_run = 0;
	fa->head_moved = false;
	fa->waiting_keyframe = true;
}

/* Where the packet stands against the head: -1 late, 1 too far ahead, 0 in the window. */
static int position(struct frame_assembler *fa, const struct rtp_packet *pkt)
{
	int16_t diff = (int16_t)(uint16_t)(pkt->seq - fa->expected);

	if (diff < 0 && !fa->head_moved &&
	    (int16_t)(uint16_t)(fa->highest - pkt->seq) < (int)fa->cfg.window) {
		/* Reordered at the very start: the stream begins earlier than first seen. */
		fa->expected = pkt->seq;
		return 0;
	}
	if (diff < 0) {
		if (++fa->late_run < LATE_RESTART)
			return -1;
		restart(fa, pkt, "sequence went back");
		return 0;
	}
	fa->late_run = 0;
	if ((unsigned)diff >= fa->cfg.window) {
		/* Everything held is older than a window: it cannot complete any more. */
		if (fa->stored)
			fa->stats.frames_lost++;
		lost(fa);
		restart(fa, pkt, "jump ahead");
	}
	return 0;
}

static uint8_t *take_block(struct frame_assembler *fa)
{
	if (fa->free_count)
		return fa->free_blocks[--fa->free_count];
	fa->block_count++;
	return g_malloc(FRAME_ASSEMBLER_PAYLOAD_MAX);
}

int frame_assembler_put(struct frame_assembler *fa, const struct rtp_packet *pkt,
                        uint64_t arrival_us)
{
	struct vp8_descriptor desc;
	struct vp8_frame_info info;
	size_t desc_len, len;
	struct slot *s;

	if (pkt->payload_len > FRAME_ASSEMBLER_PAYLOAD_MAX ||
	    vp8_descriptor_parse(pkt->payload, pkt->payload_len, &desc, &desc_len) < 0) {
		fa->stats.invalid++;
		return -EINVAL;
	}
	if (!fa->started || pkt->ssrc != fa->ssrc)
		restart(fa, pkt, "new ssrc");
	else if (position(fa, pkt) < 0) {
		fa->stats.late++;
		return -ESTALE;
	}
	s = &fa->slots[pkt->seq & (fa->cfg.window - 1)];
	if (s->used) {
		fa->stats.duplicates++;
		return -EALREADY;
	}
	len = pkt->payload_len - desc_len;
	*s = (struct slot){
	    .used = true,
	    .start = desc.start && desc.partition_id == 0,
	    .marker = pkt->marker,
	    .seq = pkt->seq,
	    .timestamp = pkt->timestamp,
	    .len = (uint16_t)len,
	    .arrival_us = arrival_us,
	    .desc = desc,
	};
	if (s->start && vp8_frame_info_parse(pkt->payload + desc_len, len, &info) == 0 &&
	    info.keyframe) {
		s->keyframe = true;
		s->width = info.width;
		s->height = info.height;
	}
	s->data = take_block(fa);
	memcpy(s->data, pkt->payload + desc_len, len);
	fa->stored++;
	fa->stats.packets++;
	if ((int16_t)(uint16_t)(pkt->seq - fa->highest) > 0)
		fa->highest = pkt->seq;
	return 0;
}

/*
 * Whether a hole at seq has waited long enough to be called a loss: later packets exist
 * (so it is a hole, not a frame still arriving) and it has been seen for max_wait_us.
 */
static bool hole_is_loss(struct frame_assembler *fa, uint16_t seq, uint64_t now_us)
{
	if ((int16_t)(uint16_t)(fa->highest - seq) <= 0)
		return false;
	if (!fa->blocked) {
		fa->blocked = true;
		fa->blocked_since_us = now_us;
	}
	return now_us - fa->blocked_since_us >= fa->cfg.max_wait_us;
}

/* Skips the missing sequence numbers at the head: they are declared lost. */
static void skip_hole(struct frame_assembler *fa)
{
	while (fa->stored && !slot_at(fa, fa->expected)) {
		fa->stats.packets_lost++;
		advance(fa);
	}
}

/* Drops the head frame's packets up to (not including) seq, as a lost frame. */
static void drop_until(struct frame_assembler *fa, uint16_t seq)
{
	while (fa->expected != seq) {
		if (!slot_at(fa, fa->expected))
			fa->stats.packets_lost++;
		advance(fa);
	}
}

static void copy_out(struct frame_assembler *fa, uint16_t last, struct assembled_frame *out)
{
	struct slot *head = slot_at(fa, fa->expected);
	size_t len = 0;

	*out = (struct assembled_frame){
	    .ssrc = fa->ssrc,
	    .timestamp = head->timestamp,
	    .first_seq = head->seq,
	    .last_seq = last,
	    .keyframe = head->keyframe,
	    .width = head->width,
	    .height = head->height,
	    .has_picture_id = head->desc.has_picture_id,
	    .picture_id = head->desc.picture_id,
	    .tid = head->desc.tid,
	};
	for (uint16_t seq = fa->expected;; seq++) {
		struct slot *s = slot_at(fa, seq);

		memcpy(fa->frame + len, s->data, s->len);
		len += s->len;
		out->arrival_us = s->arrival_us;
		if (seq == last)
			break;
	}
	out->data = fa->frame;
	out->len = len;
}

/* Finds where the head frame ends. Returns 1 with *last set when it is complete, 0 when it
 * is still arriving, -1 when it has a hole at *last that counts as a loss. */
static int find_end(struct frame_assembler *fa, uint64_t now_us, uint16_t *last, size_t *bytes)
{
	struct slot *head = slot_at(fa, fa->expected), *s = head;
	uint16_t seq = fa->expected;

	*bytes = 0;
	for (;;) {
		struct slot *next;

		*bytes += s->len;
		if (s->marker)
			break;
		next = slot_at(fa, (uint16_t)(seq + 1));
		if (!next) {
			*last = (uint16_t)(seq + 1);
			return hole_is_loss(fa, *last, now_us) ? -1 : 0;
		}
		/* A new timestamp or frame start: the marker packet was lost, or the sender
		 * sets none. Either way the frame ended at seq. */
		if (next->timestamp != head->timestamp || next->start)
			break;
		s = next;
		seq++;
	}
	*last = seq;
	return 1;
}

/* Hands out or drops the complete head frame ending at last. True if handed out. */
static bool take_complete(struct frame_assembler *fa, uint16_t last, size_t bytes,
                          struct assembled_frame *out)
{
	struct slot *head = slot_at(fa, fa->expected);

	if (fa->waiting_keyframe && !head->keyframe) {
		fa->stats.frames_skipped++;
		drop_until(fa, (uint16_t)(last + 1));
		return false;
	}
	if (bytes > fa->cfg.max_frame_bytes) {
		fa->stats.invalid++;
		fa->stats.frames_lost++;
		drop_until(fa, (uint16_t)(last + 1));
		lost(fa);
		return false;
	}
	if (bytes > fa->frame_cap) {
		g_free(fa->frame);
		fa->frame_cap = MAX(bytes, 64 * 1024);
		fa->frame = g_malloc(fa->frame_cap);
	}
	copy_out(fa, last, out);
	drop_until(fa, (uint16_t)(last + 1));
	fa->waiting_keyframe = fa->waiting_keyframe && !out->keyframe;
	fa->stats.frames++;
	fa->stats.keyframes += out->keyframe;
	return true;
}

int frame_assembler_pop(struct frame_assembler *fa, uint64_t now_us, struct assembled_frame *out)
{
	while (fa->stored) {
		struct slot *head = slot_at(fa, fa->expected);
		uint16_t last;
		size_t bytes;
		int end;

		if (!head) {
			/* Nothing at the head but later packets held: a hole. */
			if (!hole_is_loss(fa, fa->expected, now_us))
				return -EAGAIN;
			fa->stats.frames_lost++;
			lost(fa);
			skip_hole(fa);
			continue;
		}
		if (!head->start) {
			/* The rest of a frame whose start is gone: lost, or sent before we joined.
			 * At the very start it may also come late (reordered): wait as for a hole.
			 */
			if (!fa->head_moved && !hole_is_loss(fa, fa->expected, now_us))
				return -EAGAIN;
			lost(fa);
			advance(fa);
			continue;
		}
		end = find_end(fa, now_us, &last, &bytes);
		if (end == 0)
			return -EAGAIN;
		if (end < 0) {
			fa->stats.frames_lost++;
			lost(fa);
			drop_until(fa, last);
			skip_hole(fa);
			continue;
		}
		if (take_complete(fa, last, bytes, out))
			return 0;
	}
	return -EAGAIN;
}

void frame_assembler_get_stats(const struct frame_assembler *fa, struct frame_assembler_stats *out)
{
	*out = fa->stats;
}
