/* SPDX-License-Identifier: MIT */
/* Active speaker selection each tick: the loudest few talkers, with hysteresis and a
 * minimum hold so the floor does not flicker; muted participants are never chosen. */
#include "media/speaker_select.h"

#include <errno.h>
#include <glib.h>

struct member {
	bool present;
	bool muted;
	bool speaking;
	bool is_speaker;
	bool challenging; /* louder than the quietest speaker by the margin since louder_since */
	float level;
	uint64_t since_us; /* got the floor at */
	uint64_t louder_since_us;
};

struct speaker_select {
	struct speaker_select_config cfg;
	unsigned capacity;
	struct member *members;
	unsigned speakers[SPEAKER_SELECT_MAX];
	size_t speaker_count;
	struct speaker_event events[2 * SPEAKER_SELECT_MAX + 2];
	size_t event_count;
};

void speaker_select_config_init(struct speaker_select_config *cfg)
{
	*cfg = (struct speaker_select_config){
	    .max_speakers = 3,
	    .switch_margin_db = 6.0f,
	    .switch_ms = 300,
	    .hold_ms = 1000,
	};
}

struct speaker_select *speaker_select_new(const struct speaker_select_config *cfg,
                                          unsigned capacity)
{
	struct speaker_select *sel = g_new0(struct speaker_select, 1);

	if (cfg)
		sel->cfg = *cfg;
	else
		speaker_select_config_init(&sel->cfg);
	sel->cfg.max_speakers = CLAMP(sel->cfg.max_speakers, 1, SPEAKER_SELECT_MAX);
	sel->capacity = capacity;
	sel->members = g_new0(struct member, capacity);
	return sel;
}

void speaker_select_free(struct speaker_select *sel)
{
	if (!sel)
		return;
	g_free(sel->members);
	g_free(sel);
}

int speaker_select_set(struct speaker_select *sel, unsigned slot, float level_dbov, bool speaking,
                       bool muted)
{
	struct member *m;

	if (slot >= sel->capacity)
		return -EINVAL;
	m = &sel->members[slot];
	m->present = true;
	m->level = level_dbov;
	m->speaking = speaking;
	m->muted = muted;
	return 0;
}

int speaker_select_remove(struct speaker_select *sel, unsigned slot)
{
	if (slot >= sel->capacity)
		return -EINVAL;
	sel->members[slot].present = false;
	sel->members[slot].challenging = false;
	return 0;
}

static void emit(struct speaker_select *sel, unsigned slot, bool speaking)
{
	g_assert(sel->event_count < G_N_ELEMENTS(sel->events));
	sel->events[sel->event_count++] =
	    (struct speaker_event){.slot = slot, .speaking = speaking};
}

static void drop_speaker(struct speaker_select *sel, size_t index)
{
	unsigned slot = sel->speakers[index];

	sel->members[slot].is_speaker = false;
	for (size_t i = index + 1; i < sel->speaker_count; i++)
		sel->speakers[i - 1] = sel->speakers[i];
	sel->speaker_count--;
	emit(sel, slot, false);
}

static void add_speaker(struct speaker_select *sel, unsigned slot, uint64_t now_us)
{
	struct member *m = &sel->members[slot];

	m->is_speaker = true;
	m->challenging = false;
	m->since_us = now_us;
	sel->speakers[sel->speaker_count++] = slot;
	emit(sel, slot, true);
}

static bool candidate(const struct member *m)
{
	return m->present && !m->muted && m->speaking && !m->is_speaker;
}

static bool held(const struct speaker_select *sel, const struct member *m, uint64_t now_us)
{
	return now_us - m->since_us >= (uint64_t)sel->cfg.hold_ms * 1000;
}

static int loudest_candidate(const struct speaker_select *sel)
{
	int best = -1;

	for (unsigned i = 0; i < sel->capacity; i++) {
		const struct member *m = &sel->members[i];

		if (candidate(m) && (best < 0 || m->level > sel->members[best].level))
			best = (int)i;
	}
	return best;
}

static size_t quietest_speaker(const struct speaker_select *sel)
{
	size_t quietest = 0;

	for (size_t i = 1; i < sel->speaker_count; i++)
		if (sel->members[sel->speakers[i]].level <
		    sel->members[sel->speakers[quietest]].level)
			quietest = i;
	return quietest;
}

/* With every place taken: track challengers and let the best one in when it is due. */
static void challenge(struct speaker_select *sel, uint64_t now_us)
{
	size_t q = quietest_speaker(sel);
	struct member *quiet = &sel->members[sel->speakers[q]];
	uint64_t switch_us = (uint64_t)sel->cfg.switch_ms * 1000;
	int ready = -1;

	for (unsigned i = 0; i < sel->capacity; i++) {
		struct member *c = &sel->members[i];

		if (!candidate(c) || c->level <= quiet->level + sel->cfg.switch_margin_db) {
			c->challenging = false;
			continue;
		}
		if (!c->challenging) {
			c->challenging = true;
			c->louder_since_us = now_us;
		}
		if (now_us - c->louder_since_us >= switch_us &&
		    (ready < 0 || c->level > sel->members[ready].level))
			ready = (int)i;
	}
	if (ready >= 0 && held(sel, quiet, now_us)) {
		drop_speaker(sel, q);
		add_speaker(sel, (unsigned)ready, now_us);
	}
}

size_t speaker_select_tick(struct speaker_select *sel, uint64_t now_us)
{
	int best;

	sel->event_count = 0;
	for (size_t i = sel->speaker_count; i-- > 0;) {
		struct member *m = &sel->members[sel->speakers[i]];

		if (!m->present || m->muted || (!m->speaking && held(sel, m, now_us)))
			drop_speaker(sel, i);
	}
	while (sel->speaker_count < sel->cfg.max_speakers && (best = loudest_candidate(sel)) >= 0)
		add_speaker(sel, (unsigned)best, now_us);
	if (sel->speaker_count == sel->cfg.max_speakers)
		challenge(sel, now_us);
	return sel->event_count;
}

size_t speaker_select_speakers(const struct speaker_select *sel, const unsigned **out)
{
	*out = sel->speakers;
	return sel->speaker_count;
}

size_t speaker_select_events(const struct speaker_select *sel, const struct speaker_event **out)
{
	*out = sel->events;
	return sel->event_count;
}

bool speaker_select_is_speaker(const struct speaker_select *sel, unsigned slot)
{
	return slot < sel->capacity && sel->members[slot].is_speaker;
}
