-- SPDX-License-Identifier: MIT
-- Accounts of the people who use the console, and the audit log of control actions.
-- Portable SQL for SQLite and PostgreSQL; @ID@ becomes the back end's auto-increment key.
-- Times are Unix milliseconds (BIGINT).

CREATE TABLE accounts (
    id @ID@,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('operator', 'chair')),
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT,
    disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id @ID@,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT
);

CREATE INDEX audit_log_at ON audit_log (at);
