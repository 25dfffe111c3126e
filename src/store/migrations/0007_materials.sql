-- SPDX-License-Identifier: MIT
-- Meeting materials (paperless meetings): documents attached to a meeting or to one of
-- its agenda items, each kept in numbered versions. The files themselves are blobs in
-- the data folder named by their SHA-256 (DATA/blobs/ab/cdef...); a version row points
-- at one, and equal files share it.

CREATE TABLE materials (
    id @ID@,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    agenda_item_id BIGINT REFERENCES agenda_items (id) ON DELETE SET NULL,
    name TEXT NOT NULL,             -- the file name given at the first upload
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX materials_meeting ON materials (meeting_id);

CREATE TABLE material_versions (
    id @ID@,
    material_id BIGINT NOT NULL REFERENCES materials (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,       -- 1, 2, ...
    file_name TEXT NOT NULL,        -- offered on download (Content-Disposition)
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,           -- the blob
    type TEXT NOT NULL,             -- recognised from the content: pdf, docx, png, ...
    mime TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    UNIQUE (material_id, version)
);

CREATE INDEX material_versions_sha256 ON material_versions (sha256);
