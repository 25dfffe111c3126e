-- SPDX-License-Identifier: MIT
-- What meetings and series need beyond 0004: when a meeting went live; which slot of
-- its series an occurrence fills (so a moved or cancelled occurrence is not made again);
-- and the template a series gives its occurrences (title, chair, layout, lead and grace
-- times, invitees), with the time it was deleted.

ALTER TABLE meetings ADD COLUMN live_at BIGINT;
ALTER TABLE meetings ADD COLUMN series_slot BIGINT;   -- the rule's start time (Unix ms)

CREATE UNIQUE INDEX meetings_series_slot ON meetings (series_id, series_slot);

ALTER TABLE meeting_series ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting_series ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting_series ADD COLUMN lead_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE meeting_series ADD COLUMN grace_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE meeting_series ADD COLUMN chair_account_id BIGINT REFERENCES accounts (id);
ALTER TABLE meeting_series ADD COLUMN layout TEXT NOT NULL DEFAULT 'speaker';
ALTER TABLE meeting_series ADD COLUMN recording_policy TEXT NOT NULL DEFAULT 'manual';
ALTER TABLE meeting_series ADD COLUMN created_by TEXT NOT NULL DEFAULT 'system';
ALTER TABLE meeting_series ADD COLUMN deleted_at BIGINT;

CREATE TABLE series_invitees (
    id @ID@,
    series_id BIGINT NOT NULL REFERENCES meeting_series (id) ON DELETE CASCADE,
    unit_id BIGINT REFERENCES units (id),
    endpoint_id BIGINT REFERENCES endpoints (id),
    include_descendants INTEGER NOT NULL DEFAULT 0,
    CHECK ((unit_id IS NULL) <> (endpoint_id IS NULL))
);

CREATE INDEX series_invitees_series ON series_invitees (series_id);
CREATE INDEX meetings_series ON meetings (series_id);
