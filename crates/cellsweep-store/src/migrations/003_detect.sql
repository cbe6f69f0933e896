-- Detection (issue 5).
-- Conditions files used by `detect`, so that a change is detected and recorded.
CREATE TABLE condition_sets (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT    NOT NULL UNIQUE,
    origin     TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    first_used TEXT    NOT NULL
);

-- Conditions effective for a (device, facility) in some run: sticky conditions stay.
CREATE TABLE condition_matches (
    device    TEXT NOT NULL,
    facility  TEXT NOT NULL,
    condition TEXT NOT NULL,
    first_run TEXT NOT NULL,
    PRIMARY KEY (device, facility, condition)
);

-- Every detection run.
CREATE TABLE detect_runs (
    id            INTEGER PRIMARY KEY,
    at            TEXT    NOT NULL,
    condition_set INTEGER NOT NULL REFERENCES condition_sets (id),
    devices       INTEGER NOT NULL,
    candidates    INTEGER NOT NULL,
    calibration   TEXT    NOT NULL
);
