-- SPDX-License-Identifier: MIT
-- What happens in a meeting, kept for its minutes: an append-only log that the rooms
-- layer writes as things happen (speaking intervals, floor requests and grants, chair
-- actions, materials presented, recordings, votes) and operators add to (decisions).
-- Joins and leaves are not here: they are the attendance intervals of 0008. Rows are
-- never updated or deleted (they go only with their meeting). The kinds and the JSON
-- detail of each are checked by control/meeting_events.c and listed in docs/minutes.md;
-- no CHECK on kind, so that a new kind needs no table rebuild on SQLite.

CREATE TABLE meeting_events (
    id @ID@,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,             -- speaking, floor_granted, mute, decision, vote_closed, ...
    at BIGINT NOT NULL,             -- Unix ms; a speaking interval's start
    end_at BIGINT,                  -- a speaking interval's end; NULL for other kinds
    endpoint_id BIGINT REFERENCES endpoints (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,            -- 'room' (the rooms layer) or the account that acted
    detail TEXT NOT NULL DEFAULT '{}'   -- a JSON object, by kind
);

CREATE INDEX meeting_events_meeting ON meeting_events (meeting_id, at);
