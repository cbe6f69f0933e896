//! A synthetic nation with ground truth, at any scale.
//!
//! `simulate` builds prisons with buildings, wings and numbered cells; towns around them with
//! neighbours, staff, visitors and passers-by; four operators' radio networks; inmates with
//! contraband phones (mini phones from a ledgered supplier, IMEI changes, cloned IMEIs, SIM
//! swaps, shared phones) and their contacts; and writes what each party would hold:
//!
//! ```text
//! OUT/reference/  facilities.geojson cells.csv tac.csv tac-overlay.csv ledger.csv allowlist.csv operators.csv
//! OUT/operator/   tower dumps and traffic data per operator, in four layouts
//! OUT/requests.csv the requests and the files that answered them
//! OUT/prison/     inmate registry, official telephone (authorised numbers, calls), visits, past searches
//! OUT/sensors/    in-prison RF detector logs
//! OUT/truth/      who is who (nothing but evaluation may read it)
//! ```
//!
//! Facilities are simulated independently and in parallel after a short nation-level plan, each
//! from its own random streams, so the same scenario and seed give the same bytes whatever the
//! number of threads. Memory is bounded by one facility-day of events per thread.
//!
//! ```no_run
//! let scenario = cellsweep_sim::Scenario::load("demo").unwrap();
//! let report = cellsweep_sim::simulate(&scenario, 7, std::path::Path::new("/tmp/sim-out")).unwrap();
//! assert!(report.events > 0);
//! ```

mod activity;
mod clock;
mod deliver;
mod error;
mod facility;
mod input;
mod local;
mod output;
pub mod play;
mod rng;
pub mod scenario;
mod world;

use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;

pub use error::Error;
pub use scenario::Scenario;

/// What a simulation produced.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Facilities simulated.
    pub facilities: usize,
    /// Handsets simulated.
    pub handsets: u64,
    /// Of which contraband.
    pub contraband: u64,
    /// Network events generated.
    pub events: u64,
    /// Rows written to tower dumps.
    pub tower_rows: u64,
    /// Rows written to traffic-data answers.
    pub traffic_rows: u64,
    /// Delivery files written.
    pub files: usize,
}

/// Runs a scenario with a seed into `out`, which must not exist or be empty.
pub fn simulate(s: &Scenario, seed: u64, out: &Path) -> Result<Report, Error> {
    if out.exists()
        && std::fs::read_dir(out)
            .map_err(|source| Error::Io {
                path: out.into(),
                source,
            })?
            .next()
            .is_some()
    {
        return Err(Error::OutputNotEmpty { path: out.into() });
    }
    for sub in ["reference", "operator", "prison", "sensors", "truth"] {
        let p = out.join(sub);
        std::fs::create_dir_all(&p).map_err(|source| Error::Io { path: p, source })?;
    }
    let tz = jiff::tz::TimeZone::get(&s.timezone).map_err(|e| Error::InvalidScenario {
        origin: s.name.clone(),
        reason: e.to_string(),
    })?;
    let clock = clock::Clock::new(s.start, s.days, &tz);
    let nation = world::nation::plan(s, seed)?;
    let real_sites: Vec<(usize, f64, f64)> = match &s.radio.sites_source {
        Some(p) => input::real_sites(Path::new(p))?
            .into_iter()
            .map(|r| (r.op, r.lon, r.lat))
            .collect(),
        None => Vec::new(),
    };
    let results: Vec<facility::FacilityResult> = nation
        .facilities
        .par_iter()
        .map(|fp| {
            // Only the sites near this facility matter.
            let near: Vec<(usize, f64, f64)> = real_sites
                .iter()
                .copied()
                .filter(|&(_, lon, lat)| (lat - fp.lat).abs() < 0.1 && (lon - fp.lon).abs() < 0.15)
                .collect();
            facility::simulate(s, &nation, fp, &clock, &near, out)
        })
        .collect::<Result<_, _>>()?;
    output::reference(&out.join("reference"), s, &nation, &results, &clock)?;
    output::prison(&out.join("prison"), &results, &clock)?;
    output::sensors(&out.join("sensors"), &results)?;
    output::truth(&out.join("truth"), s, &results)?;
    let mut manifest =
        String::from("file,operator,layout,kind,request_ref,facility_id,from,to,rows\n");
    let mut report = Report {
        facilities: results.len(),
        ..Report::default()
    };
    for r in &results {
        for m in &r.manifest {
            let _ = writeln!(
                manifest,
                "{},{},{},{},{},{},{},{},{}",
                m.file, m.operator, m.layout, m.kind, m.request, m.facility, m.from, m.to, m.rows
            );
        }
        report.files += r.manifest.len();
        report.handsets += r.stats.handsets;
        report.contraband += r.stats.contraband;
        report.events += r.stats.events;
        report.tower_rows += r.stats.tower_rows;
        report.traffic_rows += r.stats.traffic_rows;
    }
    output::write(&out.join("requests.csv"), &manifest)?;
    Ok(report)
}
