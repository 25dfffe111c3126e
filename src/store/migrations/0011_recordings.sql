-- SPDX-License-Identifier: MIT
-- Recordings of meetings: one row per segment file in DATA/recordings/
-- (recording-<meeting>-s<segment>.webm), with its signed manifest beside it
-- (.manifest.json and .manifest.json.p7s). A row is 'recording' while the file grows,
-- then 'complete', or 'failed' with the reason (the file plays up to the failure), and
-- 'deleted' once the retention period removed its files.

CREATE TABLE recordings (
    id @ID@,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    segment INTEGER NOT NULL,       -- 1, 2, ... within the meeting
    state TEXT NOT NULL DEFAULT 'recording'
        CHECK (state IN ('recording', 'complete', 'failed', 'deleted')),
    reason TEXT,                    -- why it failed, or was deleted
    file_name TEXT NOT NULL,        -- in DATA/recordings
    tracks TEXT NOT NULL,           -- 'audio' or 'audio+video'
    started_at BIGINT NOT NULL,
    started_by TEXT NOT NULL,
    ended_at BIGINT,
    duration_ms BIGINT,
    size BIGINT,
    sha256 TEXT,
    deleted_at BIGINT,
    UNIQUE (meeting_id, segment)
);

CREATE INDEX recordings_state ON recordings (state, ended_at);
