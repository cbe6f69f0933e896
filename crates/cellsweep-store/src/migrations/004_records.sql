-- Prison administration records, RF detector logs, searches and seizures (issue 6).
-- Each imported row keeps its file and line, like every other kind of data.

-- Inmate registry: which prison cell an inmate occupied, and when (dates, inclusive).
CREATE TABLE inmate_cells (
    inmate_id      TEXT    NOT NULL,
    facility_id    TEXT    NOT NULL,
    zone_id        TEXT    NOT NULL,
    cell_no        TEXT    NOT NULL,
    valid_from     TEXT    NOT NULL,  -- YYYY-MM-DD
    valid_to       TEXT,              -- YYYY-MM-DD, NULL while current
    source_file_id INTEGER NOT NULL REFERENCES source_files (id),
    source_line    INTEGER NOT NULL,
    PRIMARY KEY (inmate_id, valid_from)
);
CREATE INDEX inmate_cells_by_facility ON inmate_cells (facility_id, zone_id, cell_no);

-- Official in-cell telephone: numbers an inmate may call (E.164), and the calls made.
CREATE TABLE authorised_numbers (
    inmate_id      TEXT    NOT NULL,
    facility_id    TEXT    NOT NULL,
    msisdn         TEXT    NOT NULL,
    relation       TEXT,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id),
    source_line    INTEGER NOT NULL,
    PRIMARY KEY (inmate_id, msisdn)
);
CREATE INDEX authorised_by_number ON authorised_numbers (msisdn);

CREATE TABLE official_calls (
    inmate_id      TEXT    NOT NULL,
    facility_id    TEXT    NOT NULL,
    at             TEXT    NOT NULL,  -- RFC 3339, UTC
    msisdn         TEXT    NOT NULL,
    duration_s     INTEGER NOT NULL,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id),
    source_line    INTEGER NOT NULL
);
CREATE INDEX official_calls_by_number ON official_calls (msisdn);

-- Visits as the desk recorded them; the visitor's declared phone is often missing.
CREATE TABLE visits (
    id             TEXT PRIMARY KEY,
    facility_id    TEXT    NOT NULL,
    inmate_id      TEXT    NOT NULL,
    visitor_id     TEXT    NOT NULL,
    day            TEXT    NOT NULL,  -- YYYY-MM-DD, local
    start_local    TEXT    NOT NULL,  -- HH:MM
    end_local      TEXT    NOT NULL,
    visitor_msisdn TEXT,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id),
    source_line    INTEGER NOT NULL
);
CREATE INDEX visits_by_number ON visits (visitor_msisdn);

-- In-prison RF detectors: one row per burst detection (false alarms included).
CREATE TABLE rf_detections (
    detector_id    TEXT    NOT NULL,
    facility_id    TEXT    NOT NULL,
    zone_id        TEXT    NOT NULL,
    at_us          INTEGER NOT NULL,  -- microseconds since the epoch, UTC
    band           TEXT,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id),
    source_line    INTEGER NOT NULL
);
CREATE INDEX rf_detections_by_zone ON rf_detections (facility_id, zone_id, at_us);

-- Searches carried out, past (prison records) or recorded as outcomes of a plan.
CREATE TABLE searches (
    id             TEXT PRIMARY KEY,
    facility_id    TEXT    NOT NULL,
    zone_id        TEXT    NOT NULL,
    cell_no        TEXT,              -- NULL when a whole zone was searched
    day            TEXT    NOT NULL,
    found          INTEGER NOT NULL,  -- 0 or 1
    plan_ref       TEXT,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id),
    source_line    INTEGER NOT NULL
);
CREATE INDEX searches_by_place ON searches (facility_id, zone_id, cell_no);

-- Devices seized in a search, with what could be read from them.
CREATE TABLE seizures (
    id             INTEGER PRIMARY KEY,
    search_id      TEXT    NOT NULL REFERENCES searches (id),
    imei           TEXT,
    imsi           TEXT,
    imei_key       INTEGER,
    imsi_key       INTEGER,
    exhibit_ref    TEXT    NOT NULL UNIQUE,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id),
    source_line    INTEGER NOT NULL
);
CREATE INDEX seizures_by_imei ON seizures (imei_key);

-- Chain of custody of every seized device: append-only, in order.
CREATE TABLE custody (
    seizure_id     INTEGER NOT NULL REFERENCES seizures (id),
    seq            INTEGER NOT NULL,
    at             TEXT    NOT NULL,
    action         TEXT    NOT NULL,  -- seized, sealed, transferred, examined, returned, destroyed
    holder         TEXT    NOT NULL,
    note           TEXT,
    PRIMARY KEY (seizure_id, seq)
);
