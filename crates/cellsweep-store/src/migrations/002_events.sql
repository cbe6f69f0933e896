-- Operator-data ingest (issue 4).
-- The time range of a file's accepted events, RFC 3339 UTC; NULL for other kinds.
ALTER TABLE source_files ADD COLUMN time_min TEXT;
ALTER TABLE source_files ADD COLUMN time_max TEXT;

-- The canonical event store: Parquet parts under WS/events/, one row per part.
-- Readers trust only the parts listed here: a file on disk that is not listed is an orphan of
-- an interrupted ingest and is removed by the next one.
CREATE TABLE event_parts (
    id             INTEGER PRIMARY KEY,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
    path           TEXT    NOT NULL UNIQUE,  -- relative to the workspace root
    operator       TEXT    NOT NULL,         -- PLMN, `208-01`
    day            TEXT    NOT NULL,         -- UTC date of the events, `2026-03-01`
    rows           INTEGER NOT NULL,
    bytes          INTEGER NOT NULL,
    time_min       INTEGER NOT NULL,         -- microseconds since the epoch, UTC
    time_max       INTEGER NOT NULL
);
CREATE INDEX event_parts_by_partition ON event_parts (operator, day);
CREATE INDEX event_parts_by_source ON event_parts (source_file_id);
