//! The files a simulation writes besides the deliveries: reference data, prison records,
//! sensor logs and the ground truth.

use std::fmt::Write as _;
use std::path::Path;

use rand::RngExt;

use crate::Error;
use crate::clock::{Clock, civil};
use crate::facility::{FacilityResult, imei_text};
use crate::local::{Frame, Xy};
use crate::rng;
use crate::scenario::Scenario;
use crate::world::catalog::{self, Form};
use crate::world::nation::Nation;
use crate::world::people::Plan;
use crate::world::radio::{OPERATORS, plmn};

/// Writes a whole file.
pub(crate) fn write(path: &Path, content: &str) -> Result<(), Error> {
    std::fs::write(path, content).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn ring_json(frame: &Frame, ring: &[Xy]) -> String {
    let coords: Vec<String> = ring
        .iter()
        .map(|p| {
            let (lon, lat) = frame.lonlat(*p);
            format!("[{lon:.7},{lat:.7}]")
        })
        .collect();
    format!(
        "{{\"type\":\"Polygon\",\"coordinates\":[[{}]]}}",
        coords.join(",")
    )
}

fn date(clock: &Clock, day: u32) -> String {
    clock
        .start
        .checked_add(jiff::Span::new().days(i64::from(day)))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// `reference/`: the files `cellsweep ref import` reads.
pub(crate) fn reference(
    dir: &Path,
    s: &Scenario,
    nation: &Nation,
    results: &[FacilityResult],
    clock: &Clock,
) -> Result<(), Error> {
    // Facilities and zones.
    let mut features = Vec::new();
    for r in results {
        let p = &r.plan;
        let jammer = if p.jammer {
            format!(
                ",\"jammer_installed\":\"{}\",\"jammer_bands\":[\"GSM900\",\"DCS1800\",\"LTE800\"]",
                date(
                    clock,
                    s.facilities.jammer_from_day.min(s.days.saturating_sub(1))
                )
            )
        } else {
            String::new()
        };
        features.push(format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"kind\":\"facility\",\"id\":{},\"name\":{},\"type\":{},\"capacity\":{},\"occupancy\":{},\"town\":{}{jammer}}},\"geometry\":{}}}",
            json(&p.id),
            json(&p.name),
            json(&p.kind),
            p.capacity,
            p.inmates,
            json(&p.town),
            ring_json(&r.frame, &r.layout.footprint.ring())
        ));
        for z in &r.layout.zones {
            let cells: Vec<String> = z
                .cells
                .iter()
                .map(|&c| json(&r.layout.cells[c].no))
                .collect();
            let geometry = if z.kind == "floor" {
                "null".to_owned()
            } else {
                ring_json(&r.frame, &z.rect.ring())
            };
            let cells = if z.kind == "floor" {
                format!(",\"cells\":[{}]", cells.join(","))
            } else {
                String::new()
            };
            features.push(format!(
                "{{\"type\":\"Feature\",\"properties\":{{\"kind\":\"zone\",\"facility_id\":{},\"id\":{},\"zone_type\":\"{}\"{}{}{},\"capacity\":{}{cells}}},\"geometry\":{geometry}}}",
                json(&p.id),
                json(&z.id),
                z.kind,
                z.name.as_ref().map(|n| format!(",\"name\":{}", json(n))).unwrap_or_default(),
                z.parent.as_ref().map(|n| format!(",\"parent\":{}", json(n))).unwrap_or_default(),
                "",
                z.capacity
            ));
        }
    }
    write(
        &dir.join("facilities.geojson"),
        &format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
            features.join(",\n")
        ),
    )?;

    // Cells.
    let mut cells =
        String::from("operator,radio,cell_id,lat,lon,azimuth,beamwidth,range_m,site_id\n");
    for r in results {
        for c in &r.net.cells {
            let (lon, lat) = r.frame.lonlat(c.pos);
            let _ = writeln!(
                cells,
                "{},{},{},{lat:.6},{lon:.6},{:.0},{:.0},{:.0},{}",
                plmn(usize::from(c.op)),
                c.radio.as_str(),
                c.id,
                c.azimuth,
                c.beamwidth,
                c.range,
                c.site
            );
        }
    }
    write(&dir.join("cells.csv"), &cells)?;

    // TAC database and the investigation's overlay.
    let mut tac = String::from("tac,brand,model\n");
    let mut overlay = String::from("tac,brand,model,form_factor,contraband,note\n");
    for m in &nation.models {
        for t in &m.tacs {
            if m.in_tac_db {
                let _ = writeln!(tac, "{t:08},{},{}", csv_field(m.brand), csv_field(m.name));
            }
            if m.in_overlay {
                let _ = writeln!(
                    overlay,
                    "{t:08},{},{},mini,true,seized in earlier operations",
                    csv_field(m.brand),
                    csv_field(m.name)
                );
            } else if m.form == Form::Feature {
                let _ = writeln!(
                    overlay,
                    "{t:08},{},{},feature,false,",
                    csv_field(m.brand),
                    csv_field(m.name)
                );
            }
        }
    }
    write(&dir.join("tac.csv"), &tac)?;
    write(&dir.join("tac-overlay.csv"), &overlay)?;

    // The supplier's ledger.
    let mut lrng = rng::stream(nation.seed, "ledger", 0, 0);
    let mut ledger = String::from("imei,supplier,sold_at,buyer,channel\n");
    for (i, &m) in nation.ledger_models.iter().enumerate() {
        let imei = catalog::ledger_imei(&nation.models[m], i as u64);
        let sold = s
            .start
            .checked_add(jiff::Span::new().days(-lrng.random_range(10..200)))
            .map(|d| d.to_string())
            .unwrap_or_default();
        let _ = writeln!(
            ledger,
            "{},Phone Discount Import SARL,{sold},client-{:05},{}",
            imei_text(imei),
            lrng.random_range(0..40_000),
            if lrng.random_bool(0.7) {
                "online"
            } else {
                "shop"
            }
        );
    }
    write(&dir.join("ledger.csv"), &ledger)?;

    // Allow list: official devices and staff duty phones.
    let mut allow = String::from("imei,imsi,msisdn,holder,role,valid_from,valid_to,reason\n");
    let from = s
        .start
        .checked_add(jiff::Span::new().days(-200))
        .map(|d| d.to_string())
        .unwrap_or_default();
    for r in results {
        for h in r.pop.handsets.iter().filter(|h| h.allow_listed) {
            let sim = h.sims[0].1;
            let (role, reason) = match h.category {
                crate::world::people::Category::Official => {
                    ("official", "official device of the establishment")
                }
                _ => ("staff", "duty phone issued by the establishment"),
            };
            let _ = writeln!(
                allow,
                "{},{},+{},{},{role},{from},,{reason}",
                imei_text(h.imeis[0].1),
                sim.imsi,
                sim.msisdn,
                csv_field(&h.owner)
            );
        }
    }
    write(&dir.join("allowlist.csv"), &allow)?;

    let ops = "mcc,mnc,brand,operator,country\n208,01,Orange,Orange S.A.,France\n208,10,SFR,Société française du radiotéléphone,France\n208,15,Free Mobile,Free Mobile SAS,France\n208,20,Bouygues Telecom,Bouygues Telecom S.A.,France\n";
    write(&dir.join("operators.csv"), ops)?;
    let _ = OPERATORS;
    Ok(())
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A phone number as an administration clerk writes it.
fn clerk_number(e164: u64) -> String {
    if (33_000_000_000..34_000_000_000).contains(&e164) {
        let n = format!("0{:09}", e164 - 33_000_000_000);
        n.as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        format!("+{e164}")
    }
}

fn local_iso(utc: i64, offset: i32) -> String {
    let (y, m, d, h, mi, s) = civil(utc, offset);
    let o = offset.unsigned_abs() / 60;
    format!(
        "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}{:02}:{:02}",
        if offset < 0 { '-' } else { '+' },
        o / 60,
        o % 60
    )
}

/// `prison/`: the administration's own records.
pub(crate) fn prison(dir: &Path, results: &[FacilityResult], clock: &Clock) -> Result<(), Error> {
    let mut registry = String::from("inmate_id,facility_id,zone_id,cell_no,from,to\n");
    let mut authorised = String::from("inmate_id,facility_id,number,relation\n");
    let mut calls = String::from("inmate_id,facility_id,time,number,duration_s\n");
    let mut visits =
        String::from("visit_id,facility_id,inmate_id,visitor_id,date,start,end,visitor_phone\n");
    let mut searches = String::from(
        "search_id,facility_id,zone_id,cell_no,date,outcome,seized_imei,seized_imsi\n",
    );
    for r in results {
        let fid = &r.plan.id;
        let cells = &r.layout.cells;
        for inmate in &r.pop.inmates {
            for (k, (day, c)) in inmate.cells.iter().enumerate() {
                let to = inmate
                    .cells
                    .get(k + 1)
                    .map(|(d, _)| date(clock, d.saturating_sub(1)))
                    .unwrap_or_default();
                let _ = writeln!(
                    registry,
                    "{},{fid},{},{},{},{to}",
                    inmate.id,
                    cells[*c].wing,
                    cells[*c].no,
                    date(clock, *day)
                );
            }
            for (n, rel) in &inmate.authorised {
                let _ = writeln!(authorised, "{},{fid},{},{rel}", inmate.id, clerk_number(*n));
            }
        }
        for &(t, off, i, number, secs) in &r.official_calls {
            let _ = writeln!(
                calls,
                "{},{fid},{},{},{secs}",
                r.pop.inmates[i].id,
                local_iso(t, off),
                clerk_number(number)
            );
        }
        let mut vrng = rng::stream(u64::from(r.plan.index), "visits-desk", 0, 0);
        for (k, v) in r.pop.visits.iter().enumerate() {
            let h = &r.pop.handsets[v.visitor];
            // Most visitors declare their number at the desk; some give none or an old one.
            let phone = if vrng.random_bool(0.8) {
                clerk_number(h.sims[0].1.msisdn)
            } else {
                String::new()
            };
            let (sh, sm) = (v.start_minute / 60, v.start_minute % 60);
            let end = v.start_minute + v.minutes;
            let _ = writeln!(
                visits,
                "{fid}-V{:06},{fid},{},{},{},{sh:02}:{sm:02},{:02}:{:02},{phone}",
                k + 1,
                r.pop.inmates[v.inmate].id,
                h.owner,
                date(clock, v.day),
                end / 60,
                end % 60
            );
        }
        for (k, (day, c, seized)) in r.searches.iter().enumerate() {
            let id = format!("{fid}-S{:04}", k + 1);
            let cell = &cells[*c];
            if seized.is_empty() {
                let _ = writeln!(
                    searches,
                    "{id},{fid},{},{},{},nothing_found,,",
                    cell.wing,
                    cell.no,
                    date(clock, *day)
                );
            }
            for &h in seized {
                let hs = &r.pop.handsets[h];
                let _ = writeln!(
                    searches,
                    "{id},{fid},{},{},{},found,{},{}",
                    cell.wing,
                    cell.no,
                    date(clock, *day),
                    imei_text(hs.imei_on(*day)),
                    hs.sim_on(*day).imsi
                );
            }
        }
    }
    write(&dir.join("inmates.csv"), &registry)?;
    write(&dir.join("phone_authorised.csv"), &authorised)?;
    write(&dir.join("phone_calls.csv"), &calls)?;
    write(&dir.join("visits.csv"), &visits)?;
    write(&dir.join("searches.csv"), &searches)?;
    Ok(())
}

/// `sensors/`: RF detector logs, for facilities that have detectors.
pub(crate) fn sensors(dir: &Path, results: &[FacilityResult]) -> Result<(), Error> {
    let mut out = String::from("detector_id,facility_id,zone_id,time,band\n");
    for r in results.iter().filter(|r| r.plan.rf) {
        for &(t, off, w, band) in &r.rf {
            let wing = &r.layout.wings[w];
            let _ = writeln!(
                out,
                "{}-RF-{wing},{},{wing},{},{band}",
                r.plan.id,
                r.plan.id,
                local_iso(t, off)
            );
        }
    }
    write(&dir.join("rf_detections.csv"), &out)
}

/// `truth/`: what really happened. Nothing else reads it.
pub(crate) fn truth(dir: &Path, s: &Scenario, results: &[FacilityResult]) -> Result<(), Error> {
    let mut out = String::from(
        "imei,imsi,msisdn,category,contraband,facility_id,zone_id,cell_no,owner_id,handset_id\n",
    );
    let last = s.days.saturating_sub(1);
    for r in results {
        for ((imei, imsi, msisdn), h) in &r.pairings {
            let hs = &r.pop.handsets[*h];
            let (zone, cell) = match (&hs.plan, hs.seized) {
                (Plan::Hidden { .. }, None) => hs
                    .hide_on(last)
                    .map(|(_, c)| (r.layout.cells[c].wing.clone(), r.layout.cells[c].no.clone()))
                    .unwrap_or_default(),
                _ => Default::default(),
            };
            let _ = writeln!(
                out,
                "{imei:014},{imsi},+{msisdn},{},{},{},{zone},{cell},{},{}",
                crate::facility::category(hs.category),
                hs.contraband,
                r.plan.id,
                hs.owner,
                hs.id
            );
        }
    }
    write(&dir.join("devices.csv"), &out)?;
    let mut handsets = String::from("handset_id,category,contraband,form,model,seized_on,users\n");
    for r in results {
        for h in &r.pop.handsets {
            let users: Vec<&str> = h
                .users
                .iter()
                .map(|&u| r.pop.inmates[u].id.as_str())
                .collect();
            let _ = writeln!(
                handsets,
                "{},{},{},{:?},{},{},{}",
                h.id,
                crate::facility::category(h.category),
                h.contraband,
                h.form,
                csv_field(&format!("{}", h.model)),
                h.seized.map(|d| d.to_string()).unwrap_or_default(),
                users.join("|")
            );
        }
    }
    write(&dir.join("handsets.csv"), &handsets)?;
    write(&dir.join("README"), TRUTH_README)
}

const TRUTH_README: &str =
    "Ground truth of a cellsweep simulation. No cellsweep command other than `evaluate` reads it.

devices.csv: one row per IMEI-IMSI pairing that appears in the operator deliveries.
  imei        14 digits (canonical, no check digit)
  imsi        15 digits
  msisdn      E.164
  category    inmate | staff | visitor | neighbour | passerby | official (other is reserved)
  contraband  true for phones smuggled into a prison
  facility_id the facility whose area the handset belongs to
  zone_id     wing where a contraband handset is hidden at the end of the period (empty if seized)
  cell_no     prison cell, same rule
  owner_id    the person: inmate D, staff S, visitor V, neighbour N, passer-by P, official O
  handset_id  the physical phone; it keeps its id when its IMEI changes, and several handsets
              may share one cloned IMEI

handsets.csv: one row per simulated handset.
  form        Smart | Feature | Mini
  model       index into the simulator's model table (see reference/tac.csv for TACs)
  seized_on   0-based day of the search that seized it, if any
  users       inmates who used a shared or rented contraband phone, owner first

The searches that seized phones are in prison/searches.csv, as the administration recorded them.
";
