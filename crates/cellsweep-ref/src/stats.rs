//! Counts per reference kind, for `cellsweep ref stats`.

use cellsweep_store::rusqlite::Connection;

use crate::Kind;

/// Counts for one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindStats {
    /// The kind.
    pub kind: Kind,
    /// Files imported under this kind.
    pub files: u64,
    /// Rows quarantined across those files.
    pub quarantined: u64,
    /// What the workspace holds, as `(label, count)` pairs.
    pub counts: Vec<(&'static str, u64)>,
}

/// Counts of everything imported, per kind.
pub fn stats(conn: &Connection) -> cellsweep_store::rusqlite::Result<Vec<KindStats>> {
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, u64>(0));
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let (files, quarantined) = conn.query_row(
            "SELECT count(*), coalesce(sum(rows_quarantined), 0) FROM source_files WHERE kind = ?1",
            [kind.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let counts = match kind {
            Kind::Facilities => vec![
                ("facilities", count("SELECT count(*) FROM facilities")?),
                (
                    "estimated footprints",
                    count("SELECT count(*) FROM facilities WHERE footprint_estimated")?,
                ),
                (
                    "with jammer",
                    count("SELECT count(*) FROM facilities WHERE jammer_installed IS NOT NULL")?,
                ),
                ("zones", count("SELECT count(*) FROM zones")?),
                (
                    "prison cells",
                    count("SELECT coalesce(sum(json_array_length(cells)), 0) FROM zones")?,
                ),
            ],
            Kind::Cells => vec![
                ("cells", count("SELECT count(*) FROM cells")?),
                (
                    "cells with assumptions",
                    count("SELECT count(*) FROM cells WHERE assumptions != ''")?,
                ),
                ("antenna sites", count("SELECT count(*) FROM sites")?),
            ],
            Kind::Tac => vec![("TACs", count("SELECT count(*) FROM tacs")?)],
            Kind::TacOverlay => vec![
                ("overlay TACs", count("SELECT count(*) FROM tac_overlay")?),
                (
                    "mini phones",
                    count("SELECT count(*) FROM tac_overlay WHERE form_factor = 'mini'")?,
                ),
                (
                    "known contraband models",
                    count("SELECT count(*) FROM tac_overlay WHERE contraband")?,
                ),
            ],
            Kind::Operators => vec![
                ("operator codes", count("SELECT count(*) FROM operators")?),
                (
                    "countries",
                    count("SELECT count(DISTINCT mcc) FROM operators")?,
                ),
            ],
            Kind::Ledger => vec![
                ("sales", count("SELECT count(*) FROM ledger")?),
                (
                    "distinct IMEIs",
                    count("SELECT count(DISTINCT imei) FROM ledger")?,
                ),
                (
                    "suppliers",
                    count("SELECT count(DISTINCT supplier) FROM ledger")?,
                ),
            ],
            Kind::Allowlist => vec![
                ("entries", count("SELECT count(*) FROM allowlist")?),
                (
                    "with IMEI",
                    count("SELECT count(*) FROM allowlist WHERE imei IS NOT NULL")?,
                ),
                (
                    "with IMSI",
                    count("SELECT count(*) FROM allowlist WHERE imsi IS NOT NULL")?,
                ),
                (
                    "with MSISDN",
                    count("SELECT count(*) FROM allowlist WHERE msisdn IS NOT NULL")?,
                ),
            ],
            Kind::Registry => vec![
                (
                    "cell assignments",
                    count("SELECT count(*) FROM inmate_cells")?,
                ),
                (
                    "inmates",
                    count("SELECT count(DISTINCT inmate_id) FROM inmate_cells")?,
                ),
                (
                    "current assignments",
                    count("SELECT count(*) FROM inmate_cells WHERE valid_to IS NULL")?,
                ),
            ],
            Kind::PhoneAuthorised => vec![
                (
                    "authorised numbers",
                    count("SELECT count(*) FROM authorised_numbers")?,
                ),
                (
                    "inmates",
                    count("SELECT count(DISTINCT inmate_id) FROM authorised_numbers")?,
                ),
            ],
            Kind::PhoneCalls => vec![
                (
                    "official calls",
                    count("SELECT count(*) FROM official_calls")?,
                ),
                (
                    "numbers called",
                    count("SELECT count(DISTINCT msisdn) FROM official_calls")?,
                ),
            ],
            Kind::Visits => vec![
                ("visits", count("SELECT count(*) FROM visits")?),
                (
                    "with visitor phone",
                    count("SELECT count(*) FROM visits WHERE visitor_msisdn IS NOT NULL")?,
                ),
            ],
            Kind::Searches => vec![
                ("searches", count("SELECT count(*) FROM searches")?),
                (
                    "that found something",
                    count("SELECT count(*) FROM searches WHERE found")?,
                ),
                ("seized devices", count("SELECT count(*) FROM seizures")?),
                ("custody entries", count("SELECT count(*) FROM custody")?),
            ],
            Kind::RfDetections => vec![
                (
                    "RF detections",
                    count("SELECT count(*) FROM rf_detections")?,
                ),
                (
                    "detectors",
                    count("SELECT count(DISTINCT detector_id) FROM rf_detections")?,
                ),
            ],
        };
        out.push(KindStats {
            kind,
            files,
            quarantined,
            counts,
        });
    }
    Ok(out)
}
