-- SPDX-License-Identifier: MIT
-- The directory: administrative units in a tree of any depth (Government -> province ->
-- commune today; province -> district -> commune in older data), and the endpoints
-- (conference rooms, PCs, devices) that belong to them.

CREATE TABLE units (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_id BIGINT REFERENCES units (id),
    created_at BIGINT NOT NULL
);

CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE endpoints (
    id @ID@,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL CHECK (kind IN ('browser', 'whip', 'sip')),
    credential_hash TEXT,
    contact_name TEXT,
    contact_phone TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE INDEX endpoints_unit ON endpoints (unit_id);
