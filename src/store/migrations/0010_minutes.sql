-- SPDX-License-Identifier: MIT
-- Minutes of meetings: each version is four files in DATA/minutes/ (the canonical JSON,
-- the PDF, and a detached CMS signature of each: minutes-<meeting>-v<n>.json, .json.p7s,
-- .pdf, .pdf.p7s); this index says which exist, their SHA-256 and size, and who signed.
-- A new generation adds a version; old ones are kept.

CREATE TABLE minutes (
    id @ID@,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,       -- 1, 2, ...
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,       -- 'system' at the meeting's end, or the operator
    json_sha256 TEXT NOT NULL,
    json_size BIGINT NOT NULL,
    json_p7s_sha256 TEXT NOT NULL,
    json_p7s_size BIGINT NOT NULL,
    pdf_sha256 TEXT NOT NULL,
    pdf_size BIGINT NOT NULL,
    pdf_p7s_sha256 TEXT NOT NULL,
    pdf_p7s_size BIGINT NOT NULL,
    signer TEXT NOT NULL,           -- the subject of the signing certificate (RFC 2253)
    UNIQUE (meeting_id, version)
);
