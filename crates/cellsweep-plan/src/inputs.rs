//! Everything localisation and planning read from a workspace: the last detection run's
//! scores and identities, the candidates' events, prison records, RF detector logs and
//! searches.

use std::collections::{HashMap, HashSet};

use cellsweep_detect::tables::{self, Facility, Plane};
use cellsweep_geo::Radio;
use cellsweep_query::{Engine, as_i64, as_u64};
use cellsweep_store::Workspace;
use jiff::civil::Date;

use crate::Error;
use crate::layout::{Layout, layouts};

/// A candidate device as localisation sees it.
#[derive(Debug, Clone)]
pub struct Device {
    /// Device index in the detection run (`pairs_dev.device`).
    pub index: u64,
    /// Stable device id.
    pub id: String,
    /// Facility the detection placed it in.
    pub facility: String,
    /// Probability that it is a contraband phone inside that facility.
    pub probability: f64,
    /// A mini phone.
    pub mini: bool,
    /// Seized in a recorded search (confirmed; no longer to be searched for).
    pub seized: bool,
    /// First event of the device, µs.
    pub first_us: i64,
    /// Distinct (cell key, timing advance) readings in the recent window, with counts.
    pub ta: Vec<(u64, u16, u32)>,
    /// Times (µs) and radios of its recent events.
    pub times: Vec<(i64, Option<Radio>)>,
    /// Distinct peer numbers (E.164 digits) over the whole period, with event counts.
    pub peers: Vec<(u64, u32)>,
}

/// A cell's position and radio.
#[derive(Debug, Clone, Copy)]
pub struct CellPos {
    /// Site, kilometres in the detection plane.
    pub xy: (f64, f64),
    /// Radio.
    pub radio: Radio,
}

/// One search carried out.
#[derive(Debug, Clone)]
pub struct Search {
    /// Search id.
    pub id: String,
    /// Facility.
    pub facility: String,
    /// Zone.
    pub zone: String,
    /// Prison cell, `None` for a whole zone.
    pub cell: Option<String>,
    /// Day.
    pub day: Date,
    /// Devices were found.
    pub found: bool,
}

/// An inmate's known contacts, for attribution.
#[derive(Debug, Clone, Default)]
pub struct Records {
    /// Number (E.164 digits) → (facility, inmate, source) having it as a contact.
    pub contacts: HashMap<u64, Vec<(String, String, Source)>>,
    /// (facility, inmate) → current (zone, cell) on the plan day.
    pub current_cell: HashMap<(String, String), (String, String, Date)>,
    /// (facility, cell number) → inmates currently in it.
    pub occupants: HashMap<(String, String), u32>,
    /// (facility, inmate) → every assignment: (from, to, zone, cell), oldest first.
    pub history: HashMap<(String, String), Vec<Assignment>>,
}

/// One registry row.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// First day.
    pub from: Date,
    /// Last day, `None` while current.
    pub to: Option<Date>,
    /// Zone.
    pub zone: String,
    /// Cell.
    pub cell: String,
}

/// A device seized in a recorded search, where and when.
#[derive(Debug, Clone)]
pub struct Seizure {
    /// Index into [`Inputs::devices`].
    pub device: usize,
    /// Facility searched.
    pub facility: String,
    /// Cell searched (`None` for a zone search).
    pub cell: Option<String>,
    /// Day.
    pub day: Date,
}

/// Where a contact number comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// On the official telephone's authorised list, or called from it.
    OfficialPhone,
    /// Declared by a visitor at the desk.
    Visitor,
}

/// All inputs of one localisation and planning pass.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Layouts of the facilities that have prison cells.
    pub layouts: Vec<Layout>,
    /// Facilities without prison cells in their layout (cannot be planned by cell).
    pub skipped: Vec<String>,
    /// Facilities by id.
    pub facilities: Vec<Facility>,
    /// The first day after the event data: when searches happen.
    pub plan_day: Date,
    /// End of the event data, µs.
    pub end_us: i64,
    /// Candidate devices.
    pub devices: Vec<Device>,
    /// Cells by key.
    pub cells: HashMap<u64, CellPos>,
    /// Prison records.
    pub records: Records,
    /// RF detections per (facility, zone): sorted (µs, band).
    pub rf: Detections,
    /// Facilities that have RF detectors (any detection logged).
    pub rf_facilities: HashSet<String>,
    /// Searches, oldest first.
    pub searches: Vec<Search>,
    /// Seizures of candidate devices.
    pub seizures: Vec<Seizure>,
}

/// What to load.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Devices below this detection probability are not located nor planned for.
    pub min_probability: f64,
    /// Radio and RF evidence use this many days before the end of the data.
    pub recent_days: i64,
}

impl Default for Load {
    fn default() -> Self {
        Load {
            min_probability: 0.05,
            recent_days: 14,
        }
    }
}

/// Reads the inputs from a workspace where `cellsweep detect` has run.
pub fn load(ws: &Workspace, engine: &Engine, opt: Load) -> Result<Inputs, Error> {
    let mnc = cellsweep_ref::mnc_table(ws.conn())?;
    let facilities = tables::facilities(ws)?;
    let plane = Plane::for_facilities(&facilities);
    let (layouts, skipped) = layouts(ws, &facilities, plane)?;
    let cells: HashMap<u64, CellPos> = tables::cells(ws, &mnc)?
        .into_iter()
        .map(|c| {
            (
                c.key,
                CellPos {
                    xy: plane.xy(c.sector.site),
                    radio: c.radio,
                },
            )
        })
        .collect();

    let parts = ws.event_parts(None)?;
    let end_us = parts.iter().map(|p| p.time_max).max().unwrap_or(0);
    let plan_day = day_of(end_us)
        .and_then(|d| d.tomorrow().ok())
        .ok_or_else(|| Error::Missing("the workspace has no operator events".into()))?;

    let dir = cellsweep_detect::latest_run_dir(ws)?;
    let scores = dir.join(tables::SCORES);
    if !scores.exists() {
        return Err(Error::Missing(format!(
            "`{}` does not exist: run `cellsweep detect` again (this run predates planning)",
            scores.display()
        )));
    }
    cellsweep_detect::register_event_store(ws, engine)?;
    engine.register_parquet("scores", std::slice::from_ref(&scores), None)?;
    engine.register_parquet("pairs_dev", &[dir.join("pairs_dev.parquet")], None)?;

    let batches = engine.sql(&format!(
        "SELECT device, device_id, facility, probability, CAST(mini AS BIGINT) AS mini
         FROM scores WHERE probability >= {} AND NOT allow_listed ORDER BY device, facility",
        opt.min_probability
    ))?;
    let index = as_u64(&batches, "device")?;
    let ids = cellsweep_query::as_string(&batches, "device_id")?;
    let facs = cellsweep_query::as_string(&batches, "facility")?;
    let probs = cellsweep_query::as_f64(&batches, "probability")?;
    let minis = as_i64(&batches, "mini")?;
    let seized = seized_devices(ws, engine)?;
    let mut devices: Vec<Device> = (0..index.len())
        .map(|i| Device {
            index: index[i],
            id: ids[i].clone(),
            facility: facs[i].clone(),
            probability: probs[i],
            mini: minis[i] != 0,
            seized: seized.contains_key(&index[i]),
            first_us: i64::MAX,
            ta: Vec::new(),
            times: Vec::new(),
            peers: Vec::new(),
        })
        .collect();
    events(
        engine,
        &mut devices,
        &cells,
        end_us - opt.recent_days * 86_400_000_000,
    )?;
    let seizures = devices
        .iter()
        .enumerate()
        .flat_map(|(i, d)| {
            seized
                .get(&d.index)
                .into_iter()
                .flatten()
                .filter(|s| s.0 == d.facility)
                .map(move |s| Seizure {
                    device: i,
                    facility: s.0.clone(),
                    cell: s.1.clone(),
                    day: s.2,
                })
        })
        .collect();

    Ok(Inputs {
        seizures,
        records: records(ws, plan_day)?,
        rf: rf(ws)?,
        rf_facilities: ws
            .conn()
            .prepare("SELECT DISTINCT facility_id FROM rf_detections")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?,
        searches: searches(ws)?,
        layouts,
        skipped,
        facilities,
        plan_day,
        end_us,
        devices,
        cells,
    })
}

/// The UTC date of a time in µs.
pub fn day_of(us: i64) -> Option<Date> {
    jiff::Timestamp::from_microsecond(us)
        .ok()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
}

/// Where a device was seized: facility, cell, day.
type Seized = (String, Option<String>, Date);

/// RF detections per (facility, zone): (µs, band), in time order.
pub type Detections = HashMap<(String, String), Vec<(i64, String)>>;

/// Devices of the detection run holding an IMEI or IMSI of a seized phone, with the
/// facility, cell and day of each seizure.
fn seized_devices(ws: &Workspace, engine: &Engine) -> Result<HashMap<u64, Vec<Seized>>, Error> {
    let mut by_key: HashMap<i64, Vec<Seized>> = HashMap::new();
    let mut stmt = ws.conn().prepare(
        "SELECT z.imei_key, z.imsi_key, s.facility_id, s.cell_no, s.day
         FROM seizures z JOIN searches s ON s.id = z.search_id",
    )?;
    for r in stmt.query_map([], |r| {
        Ok((
            r.get::<_, Option<i64>>(0)?,
            r.get::<_, Option<i64>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
        ))
    })? {
        let (a, b, f, c, day) = r?;
        let day: Date = day
            .parse()
            .map_err(|e| Error::Data(format!("searches.day `{day}`: {e}")))?;
        for k in a.into_iter().chain(b).filter(|&k| k > 0) {
            by_key
                .entry(k)
                .or_default()
                .push((f.clone(), c.clone(), day));
        }
    }
    if by_key.is_empty() {
        return Ok(HashMap::new());
    }
    let list = by_key
        .keys()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let b = engine.sql(&format!(
        "SELECT DISTINCT device, imei, imsi FROM pairs_dev WHERE imei IN ({list}) OR imsi IN ({list})"
    ))?;
    let (dev, imei, imsi) = (
        as_u64(&b, "device")?,
        as_i64(&b, "imei")?,
        as_i64(&b, "imsi")?,
    );
    let mut out: HashMap<u64, Vec<Seized>> = HashMap::new();
    for i in 0..dev.len() {
        let v = out.entry(dev[i]).or_default();
        for k in [imei[i], imsi[i]] {
            for s in by_key.get(&k).into_iter().flatten() {
                if !v.contains(s) {
                    v.push(s.clone());
                }
            }
        }
    }
    Ok(out)
}

/// Fills the candidates' timing-advance readings, recent event times and peers.
fn events(
    engine: &Engine,
    devices: &mut [Device],
    cells: &HashMap<u64, CellPos>,
    recent_from_us: i64,
) -> Result<(), Error> {
    if devices.is_empty() {
        return Ok(());
    }
    let mut wanted: Vec<u64> = devices.iter().map(|d| d.index).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let list = wanted
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    // Events may arrive twice (tower dump and traffic data): distinct tuples only.
    let b = engine.sql(&format!(
        "SELECT DISTINCT d.device AS device, CAST(e.time AS BIGINT) AS t,
                coalesce(e.cell, CAST(0 AS BIGINT UNSIGNED)) AS cell, coalesce(CAST(e.ta AS BIGINT), -1) AS ta,
                coalesce(e.peer_msisdn, CAST(0 AS BIGINT UNSIGNED)) AS peer, e.event_type AS event_type,
                coalesce(e.direction, '') AS direction
         FROM events e JOIN pairs_dev d
           ON coalesce(e.imei, CAST(0 AS BIGINT UNSIGNED)) = d.imei AND coalesce(e.imsi, CAST(0 AS BIGINT UNSIGNED)) = d.imsi
         WHERE d.device IN ({list})"
    ))?;
    let dev = as_u64(&b, "device")?;
    let t = as_i64(&b, "t")?;
    let cell = as_u64(&b, "cell")?;
    let ta = as_i64(&b, "ta")?;
    let peer = as_u64(&b, "peer")?;
    let mut ta_map: HashMap<u64, HashMap<(u64, u16), u32>> = HashMap::new();
    let mut times: HashMap<u64, Vec<(i64, Option<Radio>)>> = HashMap::new();
    let mut peers: HashMap<u64, HashMap<u64, u32>> = HashMap::new();
    let mut first: HashMap<u64, i64> = HashMap::new();
    for i in 0..dev.len() {
        let f = first.entry(dev[i]).or_insert(i64::MAX);
        *f = (*f).min(t[i]);
        if peer[i] != 0 {
            *peers.entry(dev[i]).or_default().entry(peer[i]).or_default() += 1;
        }
        if t[i] < recent_from_us {
            continue;
        }
        let radio = cells.get(&cell[i]).map(|c| c.radio);
        times.entry(dev[i]).or_default().push((t[i], radio));
        if ta[i] >= 0 && cells.contains_key(&cell[i]) {
            *ta_map
                .entry(dev[i])
                .or_default()
                .entry((cell[i], ta[i] as u16))
                .or_default() += 1;
        }
    }
    for d in devices.iter_mut() {
        if let Some(&f) = first.get(&d.index) {
            d.first_us = f;
        }
        if let Some(m) = ta_map.get(&d.index) {
            d.ta = m.iter().map(|(&(c, t), &n)| (c, t, n)).collect();
            d.ta.sort_unstable();
        }
        if let Some(v) = times.get(&d.index) {
            d.times = v.clone();
            d.times.sort_unstable_by_key(|x| x.0);
            d.times.dedup_by_key(|x| x.0);
        }
        if let Some(m) = peers.get(&d.index) {
            d.peers = m.iter().map(|(&p, &n)| (p, n)).collect();
            d.peers.sort_unstable();
        }
    }
    Ok(())
}

fn digits(e164: &str) -> Option<u64> {
    e164.trim_start_matches('+').parse().ok()
}

fn records(ws: &Workspace, plan_day: Date) -> Result<Records, Error> {
    let mut r = Records::default();
    let conn = ws.conn();
    let mut add = |number: &str, fac: String, inmate: String, src: Source| {
        if let Some(n) = digits(number) {
            let v = r.contacts.entry(n).or_default();
            if !v.iter().any(|x| x.0 == fac && x.1 == inmate && x.2 == src) {
                v.push((fac, inmate, src));
            }
        }
    };
    let mut stmt = conn.prepare(
        "SELECT msisdn, facility_id, inmate_id FROM authorised_numbers
         UNION SELECT DISTINCT msisdn, facility_id, inmate_id FROM official_calls",
    )?;
    for row in stmt.query_map([], |x| Ok((x.get::<_, String>(0)?, x.get(1)?, x.get(2)?)))? {
        let (n, f, i) = row?;
        add(&n, f, i, Source::OfficialPhone);
    }
    let mut stmt = conn.prepare(
        "SELECT DISTINCT visitor_msisdn, facility_id, inmate_id FROM visits
         WHERE visitor_msisdn IS NOT NULL",
    )?;
    for row in stmt.query_map([], |x| Ok((x.get::<_, String>(0)?, x.get(1)?, x.get(2)?)))? {
        let (n, f, i) = row?;
        add(&n, f, i, Source::Visitor);
    }
    // The registry: every assignment; the current one is the latest started by the plan day.
    let mut stmt = conn.prepare(
        "SELECT facility_id, inmate_id, zone_id, cell_no, valid_from, valid_to FROM inmate_cells
         ORDER BY valid_from",
    )?;
    for row in stmt.query_map([], |x| {
        Ok((
            x.get::<_, String>(0)?,
            x.get::<_, String>(1)?,
            x.get::<_, String>(2)?,
            x.get::<_, String>(3)?,
            x.get::<_, String>(4)?,
            x.get::<_, Option<String>>(5)?,
        ))
    })? {
        let (f, i, zone, cell, from, to) = row?;
        let date = |s: &str| -> Result<Date, Error> {
            s.parse()
                .map_err(|e| Error::Data(format!("inmate_cells date `{s}`: {e}")))
        };
        let from = date(&from)?;
        let to = to.as_deref().map(date).transpose()?;
        r.history.entry((f, i)).or_default().push(Assignment {
            from,
            to,
            zone,
            cell,
        });
    }
    for (key, rows) in &r.history {
        if let Some(a) = rows.iter().rev().find(|a| {
            a.from <= plan_day && a.to.is_none_or(|t| t >= plan_day.yesterday().unwrap_or(t))
        }) {
            r.current_cell
                .insert(key.clone(), (a.zone.clone(), a.cell.clone(), a.from));
        }
    }
    for ((f, _), (_, c, _)) in &r.current_cell {
        *r.occupants.entry((f.clone(), c.clone())).or_default() += 1;
    }
    Ok(r)
}

fn rf(ws: &Workspace) -> Result<Detections, Error> {
    let mut out: Detections = HashMap::new();
    let mut stmt = ws.conn().prepare(
        "SELECT facility_id, zone_id, at_us, coalesce(band, '') FROM rf_detections ORDER BY at_us",
    )?;
    for row in stmt.query_map([], |x| {
        Ok((
            x.get::<_, String>(0)?,
            x.get::<_, String>(1)?,
            x.get::<_, i64>(2)?,
            x.get::<_, String>(3)?,
        ))
    })? {
        let (f, z, t, b) = row?;
        out.entry((f, z)).or_default().push((t, b));
    }
    Ok(out)
}

fn searches(ws: &Workspace) -> Result<Vec<Search>, Error> {
    let mut stmt = ws.conn().prepare(
        "SELECT id, facility_id, zone_id, cell_no, day, found FROM searches ORDER BY day, id",
    )?;
    let mut out = Vec::new();
    for row in stmt.query_map([], |x| {
        Ok((
            x.get::<_, String>(0)?,
            x.get::<_, String>(1)?,
            x.get::<_, String>(2)?,
            x.get::<_, Option<String>>(3)?,
            x.get::<_, String>(4)?,
            x.get::<_, i64>(5)?,
        ))
    })? {
        let (id, facility, zone, cell, day, found) = row?;
        let day: Date = day
            .parse()
            .map_err(|e| Error::Data(format!("search `{id}`: day `{day}`: {e}")))?;
        out.push(Search {
            id,
            facility,
            zone,
            cell,
            day,
            found: found != 0,
        });
    }
    Ok(out)
}
