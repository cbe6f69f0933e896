-- Interdiction, audit and retention (issue 7).

-- The audit log (EU Directive 2016/680, article 25): append-only and hash-chained.
-- hash = SHA-256 over the canonical encoding of the entry, which includes seq and prev_hash
-- (docs/interdiction.md, "Audit"). The triggers refuse changes made through SQL; they are a
-- guard against mistakes, not against someone holding the file: `audit verify` is.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,   -- 1, 2, 3, ... without gaps
    at            TEXT    NOT NULL,      -- RFC 3339, UTC
    actor         TEXT    NOT NULL,
    action        TEXT    NOT NULL CHECK (action IN ('collection', 'alteration', 'consultation',
                                                     'disclosure', 'combination', 'erasure')),
    object        TEXT    NOT NULL,      -- what was touched: `source:12`, `device:D…`, `lists:3`
    justification TEXT    NOT NULL,      -- why: the user's reason or the legal request reference
    recipients    TEXT    NOT NULL,      -- to whom it was disclosed, `;`-separated; empty otherwise
    detail        TEXT    NOT NULL,      -- the command and what it did, in words
    prev_hash     TEXT    NOT NULL,      -- hash of seq - 1; 64 zeros for seq 1
    hash          TEXT    NOT NULL UNIQUE
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Signed checkpoints: the hash of entry `seq`, signed with the workspace's ed25519 key; each
-- signature also covers the previous checkpoint's, so that removing one is seen.
CREATE TABLE audit_checkpoints (
    id         INTEGER PRIMARY KEY,
    seq        INTEGER NOT NULL,
    hash       TEXT    NOT NULL,
    at         TEXT    NOT NULL,
    public_key TEXT    NOT NULL,         -- hex, the key that signed
    prev_sig   TEXT    NOT NULL,         -- the previous checkpoint's signature; empty for the first
    signature  TEXT    NOT NULL          -- hex ed25519 signature
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;

-- Retention: a date per imported file (NULL: the workspace default for its kind) and the
-- time its personal data were erased (the provenance row stays, for the audit).
ALTER TABLE source_files ADD COLUMN retain_until TEXT;   -- YYYY-MM-DD
ALTER TABLE source_files ADD COLUMN erased_at TEXT;      -- RFC 3339, UTC

-- Candidates files written by `detect`, known by content, so that `approve` refuses a file
-- that this workspace did not write or that a later run or import made stale.
CREATE TABLE candidate_files (
    sha256     TEXT    PRIMARY KEY,
    path       TEXT    NOT NULL,
    detect_run INTEGER NOT NULL REFERENCES detect_runs (id),
    written_at TEXT    NOT NULL,
    rows       INTEGER NOT NULL,
    -- The newest imported file when it was written: a later import makes it stale.
    last_source INTEGER NOT NULL
);

-- Human approvals: who approved which candidates file, under which policy, and why.
CREATE TABLE approvals (
    id                INTEGER PRIMARY KEY,
    at                TEXT    NOT NULL,
    by                TEXT    NOT NULL,
    reason            TEXT    NOT NULL,
    candidates_path   TEXT    NOT NULL,
    candidates_sha256 TEXT    NOT NULL,
    detect_run        INTEGER NOT NULL,
    min_probability   REAL    NOT NULL,
    conditions        TEXT    NOT NULL,  -- required conditions, `|`-joined; empty: any condition
    grace_days        INTEGER NOT NULL,
    rows_in           INTEGER NOT NULL,
    approved          INTEGER NOT NULL,
    held              INTEGER NOT NULL   -- rows below the policy, not approved
);

-- The pairings an approval covers (one row per candidates row that met the policy).
CREATE TABLE approved_pairings (
    approval_id  INTEGER NOT NULL REFERENCES approvals (id),
    line         INTEGER NOT NULL,       -- line in the candidates file
    device_id    TEXT    NOT NULL,
    imei         TEXT,                   -- 14 digits
    imsi         TEXT,
    msisdn       TEXT,                   -- E.164
    facility_id  TEXT    NOT NULL,
    probability  REAL    NOT NULL,
    conditions   TEXT    NOT NULL,       -- `|`-joined
    explanation  TEXT    NOT NULL,
    block_date   TEXT    NOT NULL,       -- YYYY-MM-DD: approval day + grace days
    PRIMARY KEY (approval_id, line)
);
CREATE INDEX approved_by_device ON approved_pairings (device_id);
CREATE INDEX approved_by_imei ON approved_pairings (imei);

-- List generations: each `lists generate` is numbered; its rows are kept for the next delta.
CREATE TABLE list_generations (
    id           INTEGER PRIMARY KEY,
    at           TEXT    NOT NULL,
    as_of        TEXT    NOT NULL,       -- YYYY-MM-DD the grace periods were measured against
    by           TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    approval_id  INTEGER,                -- the latest approval it used
    manifest     TEXT    NOT NULL,       -- manifest.json
    zip_path     TEXT    NOT NULL,       -- relative to the workspace root
    zip_sha256   TEXT    NOT NULL,
    retain_until TEXT    NOT NULL,       -- YYYY-MM-DD
    erased_at    TEXT
);

CREATE TABLE list_entries (
    generation INTEGER NOT NULL REFERENCES list_generations (id) ON DELETE CASCADE,
    list       TEXT    NOT NULL CHECK (list IN ('blacklist', 'notification', 'exception')),
    operator   TEXT    NOT NULL,         -- home PLMN `208-01`; empty for the blacklist
    imei       TEXT    NOT NULL,
    imsi       TEXT    NOT NULL,         -- empty for the blacklist
    msisdn     TEXT    NOT NULL,
    block_date TEXT    NOT NULL,         -- YYYYMMDD; empty for exceptions
    reasons    TEXT    NOT NULL,         -- `|`-joined; empty for exceptions
    device_id  TEXT    NOT NULL
);
CREATE INDEX list_entries_by_generation ON list_entries (generation, list);

-- Disable requests to operators, and the state of each device in them.
CREATE TABLE disable_requests (
    reference    TEXT    PRIMARY KEY,
    operator     TEXT    NOT NULL,       -- PLMN
    facility_id  TEXT    NOT NULL,
    legal_basis  TEXT    NOT NULL,
    deadline     TEXT    NOT NULL,       -- YYYY-MM-DD
    created_at   TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    evidence     TEXT    NOT NULL,       -- summary in words
    approval_id  INTEGER NOT NULL REFERENCES approvals (id),
    acknowledged_at TEXT
);

CREATE TABLE disable_devices (
    reference  TEXT    NOT NULL REFERENCES disable_requests (reference),
    device_id  TEXT    NOT NULL,
    imei       TEXT    NOT NULL,         -- `;`-joined identifiers as sent
    imsi       TEXT    NOT NULL,
    msisdn     TEXT    NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('requested', 'acknowledged', 'confirmed',
                                                 'rejected', 'reversed')),
    reason     TEXT,                     -- of the last transition that needs one
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (reference, device_id)
);
CREATE INDEX disable_by_device ON disable_devices (device_id);

-- Every transition, in order, with who and why.
CREATE TABLE disable_transitions (
    id         INTEGER PRIMARY KEY,
    reference  TEXT    NOT NULL REFERENCES disable_requests (reference),
    device_id  TEXT    NOT NULL,
    from_state TEXT,
    to_state   TEXT    NOT NULL,
    at         TEXT    NOT NULL,
    by         TEXT    NOT NULL,
    reason     TEXT
);
