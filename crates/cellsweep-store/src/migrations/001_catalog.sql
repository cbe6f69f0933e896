-- Provenance: one row per file ever imported, whatever its kind.
-- The (kind, sha256) pair makes re-importing the same content a no-op.
CREATE TABLE source_files (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL,
    format           TEXT    NOT NULL,
    path             TEXT    NOT NULL,
    sha256           TEXT    NOT NULL,
    bytes            INTEGER NOT NULL,
    request_ref      TEXT,
    imported_at      TEXT    NOT NULL,
    rows_in          INTEGER NOT NULL,
    rows_accepted    INTEGER NOT NULL,
    rows_quarantined INTEGER NOT NULL,
    note             TEXT,
    UNIQUE (kind, sha256),
    CHECK (rows_in = rows_accepted + rows_quarantined)
);

-- Every rejected row, with enough to find it in the file and understand why.
CREATE TABLE quarantine (
    id             INTEGER PRIMARY KEY,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
    line           INTEGER NOT NULL,
    field          TEXT,
    reason         TEXT    NOT NULL,
    raw            TEXT    NOT NULL
);
CREATE INDEX quarantine_by_source ON quarantine (source_file_id, line);

-- Facilities and their zones. Geometry is GeoJSON text in WGS84.
CREATE TABLE facilities (
    id                  TEXT PRIMARY KEY,
    name                TEXT    NOT NULL,
    kind                TEXT,
    capacity            INTEGER,
    occupancy           INTEGER,
    footprint           TEXT    NOT NULL,
    footprint_estimated INTEGER NOT NULL,
    area_m2             REAL    NOT NULL,
    centroid_lon        REAL    NOT NULL,
    centroid_lat        REAL    NOT NULL,
    jammer_installed    TEXT,
    jammer_bands        TEXT,
    attributes          TEXT    NOT NULL DEFAULT '{}',
    source_file_id      INTEGER NOT NULL REFERENCES source_files (id)
);

CREATE TABLE zones (
    facility_id    TEXT    NOT NULL REFERENCES facilities (id) ON DELETE CASCADE,
    id             TEXT    NOT NULL,
    name           TEXT,
    kind           TEXT    NOT NULL,
    parent_id      TEXT,
    footprint      TEXT,
    capacity       INTEGER,
    occupancy      INTEGER,
    cells          TEXT    NOT NULL DEFAULT '[]',
    source_file_id INTEGER NOT NULL REFERENCES source_files (id),
    PRIMARY KEY (facility_id, id)
);

-- Antenna sites known only by position (e.g. the Arcep list): no cell identities.
CREATE TABLE sites (
    id                 INTEGER PRIMARY KEY,
    operator           TEXT    NOT NULL,
    lon                REAL    NOT NULL,
    lat                REAL    NOT NULL,
    radios             TEXT    NOT NULL,
    assumptions        TEXT    NOT NULL,
    source_file_id     INTEGER NOT NULL REFERENCES source_files (id),
    source_line        INTEGER NOT NULL,
    UNIQUE (operator, lon, lat)
);

-- Radio cells with their canonical identity (ETSI TS 103 280 form).
CREATE TABLE cells (
    cell_id        TEXT PRIMARY KEY,
    operator       TEXT    NOT NULL,
    radio          TEXT    NOT NULL,
    lon            REAL    NOT NULL,
    lat            REAL    NOT NULL,
    azimuth        REAL,
    beamwidth      REAL    NOT NULL,
    range_m        REAL    NOT NULL,
    site           TEXT,
    assumptions    TEXT    NOT NULL,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id)
);

CREATE TABLE tacs (
    tac            TEXT PRIMARY KEY,
    brand          TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    aka            TEXT,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id)
);

-- The user's own knowledge about models: form factor and known contraband models.
CREATE TABLE tac_overlay (
    tac            TEXT PRIMARY KEY,
    brand          TEXT,
    model          TEXT,
    form_factor    TEXT    NOT NULL,
    contraband     INTEGER NOT NULL,
    note           TEXT,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id)
);

CREATE TABLE operators (
    mcc            TEXT    NOT NULL,
    mnc            TEXT    NOT NULL,
    country        TEXT,
    country_code   TEXT,
    brand          TEXT,
    name           TEXT,
    status         TEXT,
    bands          TEXT,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id),
    PRIMARY KEY (mcc, mnc)
);

CREATE TABLE ledger (
    imei           TEXT    NOT NULL,
    supplier       TEXT    NOT NULL,
    sold_at        TEXT    NOT NULL,
    buyer          TEXT,
    channel        TEXT,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id),
    PRIMARY KEY (imei, supplier, sold_at)
);

-- Staff and official devices: identifiers the product must never flag.
CREATE TABLE allowlist (
    imei           TEXT,
    imsi           TEXT,
    msisdn         TEXT,
    holder         TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    valid_from     TEXT    NOT NULL,
    valid_to       TEXT,
    reason         TEXT    NOT NULL,
    source_file_id INTEGER NOT NULL REFERENCES source_files (id),
    CHECK (imei IS NOT NULL OR imsi IS NOT NULL OR msisdn IS NOT NULL)
);
CREATE UNIQUE INDEX allowlist_key
    ON allowlist (coalesce(imei, ''), coalesce(imsi, ''), coalesce(msisdn, ''), valid_from);
