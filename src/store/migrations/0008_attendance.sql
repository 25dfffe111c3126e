-- SPDX-License-Identifier: MIT
-- Attendance of the invited endpoints of a meeting: the intervals they were connected
-- (written by the room layer as they join and leave), and what an operator recorded for
-- those that were not online (present in person, or absent with a reason).

CREATE TABLE attendance_intervals (
    id @ID@,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    endpoint_id BIGINT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL,
    left_at BIGINT                  -- NULL while connected
);

CREATE INDEX attendance_intervals_meeting ON attendance_intervals (meeting_id, endpoint_id);

CREATE TABLE attendance_marks (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    endpoint_id BIGINT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('in_person', 'absent')),
    reason TEXT NOT NULL DEFAULT '',
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, endpoint_id)
);
