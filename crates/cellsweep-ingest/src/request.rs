//! Requests out: ETSI TS 103 120 (HI-1) XML that asks an operator for the data this crate
//! ingests.
//!
//! - a **tower dump**: every event on the cells covering a facility over a time window, one
//!   message per operator (`RequestType` `TrafficData`, one `RequestValue` per cell in its
//!   TS 103 280 form, `FormatName` `CGI`/`SAI`/`ECGI`/`NCGI`);
//! - **subscriber and traffic data** for a list of IMEIs, one message per operator with two
//!   tasks (`SubscriberData` and `TrafficData`, `FormatName` `IMEI`, 14 digits).
//!
//! Each message is an `HI1Message` with a `CREATE` of an `AuthorisationObject` (the legal
//! reference) and `CREATE`s of `LDTaskObject`s associated with it, as in the official example
//! `request4.xml`; the tests validate every output against the TS 103 120 V1.15.1 schemas.
//!
//! Cells "covering" a facility are, until the coverage model of the detection stage exists,
//! the workspace's cells whose distance to the facility's centroid is at most the facility's
//! equivalent radius plus the cell's range.

use std::fmt::Write as _;

use cellsweep_ids::{CellId, Imei, MncTable, Plmn};
use cellsweep_store::Workspace;
use sha2::{Digest, Sha256};

use crate::Error;

/// The `ETSIVersion` the messages declare (the schemas they are validated against).
pub const ETSI_VERSION: &str = "V1.15.1";

/// Who sends and who receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parties {
    /// ISO 3166 country of both ends.
    pub country: String,
    /// The sender's unique identifier (the investigation unit).
    pub sender: String,
}

/// A time window, RFC 3339 UTC (`2026-03-01T00:00:00Z`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Start, inclusive.
    pub start: jiff::Timestamp,
    /// End, exclusive.
    pub end: jiff::Timestamp,
}

/// One request message for one operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestMessage {
    /// The operator it is addressed to.
    pub operator: Plmn,
    /// A file name for it.
    pub file_name: String,
    /// The XML text.
    pub xml: String,
    /// How many values (cells or IMEIs) it asks about.
    pub values: usize,
}

/// A cell of the workspace selected for a tower dump.
#[derive(Debug, Clone, PartialEq)]
pub struct CoveringCell {
    /// The cell.
    pub cell: CellId,
    /// Distance from the facility's centroid, metres.
    pub distance_m: f64,
    /// The cell's range, metres.
    pub range_m: f64,
}

/// Cells grouped by operator.
pub type CellsByOperator = Vec<(Plmn, Vec<CoveringCell>)>;

/// The facility's name and the cells that may cover it, grouped by operator (see the module
/// documentation).
pub fn covering_cells(
    ws: &Workspace,
    facility: &str,
    operator: Option<Plmn>,
) -> Result<(String, CellsByOperator), Error> {
    let sql = |e| {
        Error::Store(cellsweep_store::Error::Sqlite {
            path: ws.root().join(cellsweep_store::CATALOG_FILE),
            source: e,
        })
    };
    let (name, lon, lat, area): (String, f64, f64, f64) = ws
        .conn()
        .query_row(
            "SELECT name, centroid_lon, centroid_lat, area_m2 FROM facilities WHERE id = ?1",
            [facility],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .map_err(|e| match e {
            cellsweep_store::rusqlite::Error::QueryReturnedNoRows => Error::InvalidRequest(format!(
                "no facility `{facility}` in the workspace; import facilities with `cellsweep ref import WS --kind facilities`"
            )),
            e => sql(e),
        })?;
    let radius = (area / std::f64::consts::PI).sqrt();
    let mut stmt = ws
        .conn()
        .prepare("SELECT cell_id, lon, lat, range_m FROM cells ORDER BY cell_id")
        .map_err(sql)?;
    let rows: Vec<(String, f64, f64, f64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .and_then(|rows| rows.collect())
        .map_err(sql)?;
    let table = MncTable::builtin();
    let mut by_op: Vec<(Plmn, Vec<CoveringCell>)> = Vec::new();
    for (id, clon, clat, range) in rows {
        let Ok(cell) = CellId::parse(&id, &Default::default(), &table) else {
            continue;
        };
        if operator.is_some_and(|o| o != cell.plmn()) {
            continue;
        }
        let d = haversine_m(lat, lon, clat, clon);
        if d > radius + range {
            continue;
        }
        let c = CoveringCell {
            cell,
            distance_m: d,
            range_m: range,
        };
        match by_op.iter_mut().find(|(p, _)| *p == cell.plmn()) {
            Some((_, v)) => v.push(c),
            None => by_op.push((cell.plmn(), vec![c])),
        }
    }
    by_op.sort_by_key(|(p, _)| *p);
    Ok((name, by_op))
}

/// Great-circle distance in metres.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const R: f64 = 6_371_008.8;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * a.sqrt().asin()
}

/// The TS 103 280 format name and value of a cell.
fn cell_value(c: &CellId) -> (&'static str, String) {
    let s = c.to_string();
    match c {
        CellId::Cgi { .. } => ("CGI", s),
        CellId::Sai { .. } => ("SAI", s.trim_start_matches("sai:").to_owned()),
        CellId::Ecgi { .. } => ("ECGI", s),
        CellId::Ncgi { .. } => ("NCGI", s),
    }
}

/// One `LDTaskObject` to create.
struct Task<'a> {
    request_type: &'a str,
    values: Vec<(&'static str, String)>,
}

/// Tower-dump requests: one message per operator.
pub fn tower_dump(
    parties: &Parties,
    request_ref: &str,
    window: &Window,
    cells: &[(Plmn, Vec<CoveringCell>)],
    now: jiff::Timestamp,
) -> Vec<RequestMessage> {
    cells
        .iter()
        .map(|(op, cs)| {
            let values: Vec<_> = cs.iter().map(|c| cell_value(&c.cell)).collect();
            let n = values.len();
            let xml = message(
                parties,
                request_ref,
                window,
                *op,
                "towerdump",
                &[Task {
                    request_type: "TrafficData",
                    values,
                }],
                now,
            );
            RequestMessage {
                operator: *op,
                file_name: file_name(request_ref, *op, "towerdump"),
                xml,
                values: n,
            }
        })
        .collect()
}

/// Subscriber and traffic data requests for IMEIs: one message per operator.
pub fn imei_requests(
    parties: &Parties,
    request_ref: &str,
    window: &Window,
    imeis: &[Imei],
    operators: &[Plmn],
    now: jiff::Timestamp,
) -> Vec<RequestMessage> {
    let values: Vec<(&'static str, String)> =
        imeis.iter().map(|i| ("IMEI", i.to_string())).collect();
    operators
        .iter()
        .map(|op| {
            let tasks = [
                Task {
                    request_type: "SubscriberData",
                    values: values.clone(),
                },
                Task {
                    request_type: "TrafficData",
                    values: values.clone(),
                },
            ];
            RequestMessage {
                operator: *op,
                file_name: file_name(request_ref, *op, "traffic"),
                xml: message(parties, request_ref, window, *op, "traffic", &tasks, now),
                values: values.len(),
            }
        })
        .collect()
}

fn file_name(request_ref: &str, op: Plmn, kind: &str) -> String {
    let safe: String = request_ref
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}_{}_{kind}.xml", op.to_string().replace('-', ""))
}

/// A deterministic UUID (version 4 layout) from some text.
fn uuid(seed: &str) -> String {
    let h = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x: String = b.iter().map(|v| format!("{v:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ts(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn message(
    parties: &Parties,
    request_ref: &str,
    window: &Window,
    op: Plmn,
    kind: &str,
    tasks: &[Task<'_>],
    now: jiff::Timestamp,
) -> String {
    let cc = esc(&parties.country);
    let sender = esc(&parties.sender);
    let receiver = esc(&op.to_string());
    let seed = format!(
        "{request_ref}/{op}/{kind}/{}/{}",
        ts(window.start),
        ts(window.end)
    );
    let auth_id = uuid(&format!("{seed}/authorisation"));
    let mut x = String::new();
    let _ = writeln!(x, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        x,
        r#"<HI1Message xmlns="http://uri.etsi.org/03120/common/2019/10/Core" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:common="http://uri.etsi.org/03120/common/2016/02/Common" xmlns:task="http://uri.etsi.org/03120/common/2020/09/Task" xmlns:auth="http://uri.etsi.org/03120/common/2020/09/Authorisation">"#
    );
    let _ = writeln!(x, "  <Header>");
    let _ = writeln!(
        x,
        "    <SenderIdentifier><CountryCode>{cc}</CountryCode><UniqueIdentifier>{sender}</UniqueIdentifier></SenderIdentifier>"
    );
    let _ = writeln!(
        x,
        "    <ReceiverIdentifier><CountryCode>{cc}</CountryCode><UniqueIdentifier>{receiver}</UniqueIdentifier></ReceiverIdentifier>"
    );
    let _ = writeln!(
        x,
        "    <TransactionIdentifier>{}</TransactionIdentifier>",
        uuid(&format!("{seed}/transaction"))
    );
    let _ = writeln!(
        x,
        "    <Timestamp>{}</Timestamp>",
        now.strftime("%Y-%m-%dT%H:%M:%S.%6fZ")
    );
    let _ = writeln!(
        x,
        "    <Version><ETSIVersion>{ETSI_VERSION}</ETSIVersion><NationalProfileOwner>{cc}</NationalProfileOwner><NationalProfileVersion>v1.0</NationalProfileVersion></Version>"
    );
    let _ = writeln!(x, "  </Header>");
    let _ = writeln!(
        x,
        "  <Payload>\n    <RequestPayload>\n      <ActionRequests>"
    );
    let _ = writeln!(
        x,
        "        <ActionRequest>\n          <ActionIdentifier>0</ActionIdentifier>\n          <CREATE>"
    );
    let _ = writeln!(
        x,
        r#"            <HI1Object xsi:type="auth:AuthorisationObject">"#
    );
    let _ = writeln!(
        x,
        "              <ObjectIdentifier>{auth_id}</ObjectIdentifier>"
    );
    let _ = writeln!(
        x,
        "              <CountryCode>{cc}</CountryCode>\n              <OwnerIdentifier>{sender}</OwnerIdentifier>"
    );
    let _ = writeln!(
        x,
        "              <auth:AuthorisationReference>{}</auth:AuthorisationReference>",
        esc(request_ref)
    );
    let _ = writeln!(
        x,
        "              <auth:AuthorisationTimespan><auth:StartTime>{}</auth:StartTime><auth:EndTime>{}</auth:EndTime></auth:AuthorisationTimespan>",
        ts(window.start),
        ts(window.end)
    );
    let _ = writeln!(
        x,
        "            </HI1Object>\n          </CREATE>\n        </ActionRequest>"
    );
    for (i, t) in tasks.iter().enumerate() {
        let task_id = uuid(&format!("{seed}/task/{i}"));
        let reference = format!(
            "{cc}-{sender}-{}-{}-{}",
            esc(request_ref),
            op.to_string().replace('-', ""),
            i + 1
        );
        let _ = writeln!(
            x,
            "        <ActionRequest>\n          <ActionIdentifier>{}</ActionIdentifier>\n          <CREATE>",
            i + 1
        );
        let _ = writeln!(x, r#"            <HI1Object xsi:type="task:LDTaskObject">"#);
        let _ = writeln!(
            x,
            "              <ObjectIdentifier>{task_id}</ObjectIdentifier>"
        );
        let _ = writeln!(
            x,
            "              <CountryCode>{cc}</CountryCode>\n              <OwnerIdentifier>{sender}</OwnerIdentifier>"
        );
        let _ = writeln!(
            x,
            "              <AssociatedObjects><AssociatedObject>{auth_id}</AssociatedObject></AssociatedObjects>"
        );
        let _ = writeln!(
            x,
            "              <task:Reference>{reference}</task:Reference>"
        );
        let _ = writeln!(x, "              <task:RequestDetails>");
        let _ = writeln!(
            x,
            "                <task:Type><common:Owner>ETSI</common:Owner><common:Name>RequestType</common:Name><common:Value>{}</common:Value></task:Type>",
            t.request_type
        );
        let _ = writeln!(
            x,
            "                <task:StartTime>{}</task:StartTime>\n                <task:EndTime>{}</task:EndTime>",
            ts(window.start),
            ts(window.end)
        );
        let _ = writeln!(x, "                <task:RequestValues>");
        for (format_name, value) in &t.values {
            let _ = writeln!(
                x,
                "                  <task:RequestValue><task:FormatType><task:FormatOwner>ETSI</task:FormatOwner><task:FormatName>{format_name}</task:FormatName></task:FormatType><task:Value>{}</task:Value></task:RequestValue>",
                esc(value)
            );
        }
        let _ = writeln!(
            x,
            "                </task:RequestValues>\n              </task:RequestDetails>"
        );
        let _ = writeln!(
            x,
            "              <task:CSPID><CountryCode>{cc}</CountryCode><UniqueIdentifier>{receiver}</UniqueIdentifier></task:CSPID>"
        );
        let _ = writeln!(
            x,
            "            </HI1Object>\n          </CREATE>\n        </ActionRequest>"
        );
    }
    let _ = writeln!(
        x,
        "      </ActionRequests>\n    </RequestPayload>\n  </Payload>\n</HI1Message>"
    );
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_is_sane() {
        let d = haversine_m(48.8566, 2.3522, 48.5975, 2.5958);
        assert!((d - 34_000.0).abs() < 1_500.0, "{d}");
    }

    #[test]
    fn uuids_are_deterministic_and_well_formed() {
        let u = uuid("x");
        assert_eq!(u, uuid("x"));
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
