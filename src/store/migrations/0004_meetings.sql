-- SPDX-License-Identifier: MIT
-- Meetings: their schedule and state, agenda, invitees (units, optionally with every
-- unit under them, and endpoints), and recurring series.

CREATE TABLE meeting_series (
    id @ID@,
    rule TEXT NOT NULL,             -- e.g. "weekly:MO@08:00/90" (see docs/api.md)
    timezone TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE meetings (
    id @ID@,
    series_id BIGINT REFERENCES meeting_series (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    start_at BIGINT NOT NULL,       -- Unix ms
    end_at BIGINT NOT NULL,
    lead_ms BIGINT NOT NULL,        -- the room opens at start_at - lead_ms
    grace_ms BIGINT NOT NULL,       -- and closes at end_at + grace_ms
    chair_account_id BIGINT REFERENCES accounts (id),
    layout TEXT NOT NULL DEFAULT 'speaker',
    recording_policy TEXT NOT NULL DEFAULT 'manual'
        CHECK (recording_policy IN ('none', 'manual', 'auto')),
    state TEXT NOT NULL DEFAULT 'scheduled'
        CHECK (state IN ('scheduled', 'open', 'live', 'ended', 'cancelled')),
    opened_at BIGINT,
    ended_at BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (end_at > start_at)
);

CREATE INDEX meetings_start ON meetings (start_at);
CREATE INDEX meetings_state ON meetings (state);

CREATE TABLE agenda_items (
    id @ID@,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    presenter TEXT NOT NULL DEFAULT '',
    duration_min INTEGER NOT NULL DEFAULT 0,
    UNIQUE (meeting_id, position)
);

CREATE TABLE meeting_invitees (
    id @ID@,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    unit_id BIGINT REFERENCES units (id),
    endpoint_id BIGINT REFERENCES endpoints (id),
    include_descendants INTEGER NOT NULL DEFAULT 0,
    CHECK ((unit_id IS NULL) <> (endpoint_id IS NULL))
);

CREATE INDEX meeting_invitees_meeting ON meeting_invitees (meeting_id);
