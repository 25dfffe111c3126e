/* SPDX-License-Identifier: MIT */
/* Active speaker selection each tick: the loudest few talkers, with hysteresis and a
 * minimum hold so the floor does not flicker; muted participants are never chosen. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPEAKER_SELECT_MAX 16 /* upper bound of max_speakers */

/* speaker_select_config_init() sets the defaults shown. */
struct speaker_select_config {
	unsigned max_speakers;  /* 3 (1..SPEAKER_SELECT_MAX) */
	float switch_margin_db; /* 6: a challenger must be this much louder than the quietest
	                         * speaker ... */
	unsigned switch_ms;     /* 300: ... for this long (in a row) to replace it */
	unsigned hold_ms;       /* 1000: a speaker keeps the floor at least this long */
};

void speaker_select_config_init(struct speaker_select_config *cfg);

/* A change of the speaker set, for the room to announce over signalling. */
struct speaker_event {
	unsigned slot;
	bool speaking; /* true: became a speaker; false: stopped being one */
};

struct speaker_select;

/*
 * Creates a selector for participant slots 0..capacity-1, all absent, with cfg (NULL:
 * defaults; max_speakers is clamped to 1..SPEAKER_SELECT_MAX). All memory is allocated
 * here. The caller owns the result. Not thread safe: the mixer calls it on its media
 * thread.
 */
struct speaker_select *speaker_select_new(const struct speaker_select_config *cfg,
                                          unsigned capacity);
void speaker_select_free(struct speaker_select *sel);

/*
 * Gives this tick's input for one participant: its smoothed level (dBov), whether it is
 * speaking (audio_level's decision) and whether it is muted. Marks the slot present.
 * Returns 0, or -EINVAL for a slot out of range.
 */
int speaker_select_set(struct speaker_select *sel, unsigned slot, float level_dbov, bool speaking,
                       bool muted);

/* Marks the slot absent (the participant left): it loses the floor at the next tick. */
int speaker_select_remove(struct speaker_select *sel, unsigned slot);

/*
 * Decides this tick's speakers from the inputs last set, at time now_us (any monotonic
 * microsecond clock; the mixer passes its tick time). In order: speakers who left, were
 * muted, or are silent past their hold time lose the floor; free places go to the loudest
 * speaking participants; when all places are taken, the loudest challenger that has been
 * louder than the quietest speaker by the margin for switch_ms replaces it, once that
 * speaker's hold time is over (at most one replacement per tick). Returns the number of
 * events of this tick (see speaker_select_events()).
 */
size_t speaker_select_tick(struct speaker_select *sel, uint64_t now_us);

/* The current speakers (slot numbers, in the order they got the floor) and their count.
 * The array is borrowed and valid until the next tick. */
size_t speaker_select_speakers(const struct speaker_select *sel, const unsigned **out);

/* This tick's events, borrowed, valid until the next tick. */
size_t speaker_select_events(const struct speaker_select *sel, const struct speaker_event **out);

bool speaker_select_is_speaker(const struct speaker_select *sel, unsigned slot);
