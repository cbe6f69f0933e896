//! Device facts from the reference data: models, supplier ledgers, the allow list, and what
//! identity resolution found.

use std::collections::{HashMap, HashSet};

use cellsweep_ids::{Imei, Imsi, MncTable, Msisdn, Tac};
use cellsweep_store::Workspace;

use crate::Error;
use crate::identity::{Device, Resolution};

/// Reference data loaded once per run.
pub struct Reference {
    /// TAC → (brand, model) from the TAC database.
    pub tacs: HashMap<u32, (String, String)>,
    /// TAC → (brand, model, form factor, known contraband) from the overlay.
    pub overlay: HashMap<u32, (Option<String>, Option<String>, String, bool)>,
    /// IMEI key → (supplier, sold at).
    pub ledger: HashMap<u64, (String, String)>,
    /// Allow-listed IMEI, IMSI and number keys → (holder, role).
    pub allow_imei: HashMap<u64, (String, String)>,
    /// IMSIs.
    pub allow_imsi: HashMap<u64, (String, String)>,
    /// Numbers.
    pub allow_msisdn: HashMap<u64, (String, String)>,
}

impl Reference {
    /// Loads the reference tables of a workspace.
    pub fn load(ws: &Workspace, mnc: &MncTable) -> Result<Reference, Error> {
        let conn = ws.conn();
        let mut tacs = HashMap::new();
        let mut stmt = conn.prepare("SELECT tac, brand, model FROM tacs")?;
        for r in stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })? {
            let (t, b, m) = r?;
            if let Ok(t) = Tac::parse(&t) {
                tacs.insert(t.as_u32(), (b, m));
            }
        }
        let mut overlay = HashMap::new();
        let mut stmt =
            conn.prepare("SELECT tac, brand, model, form_factor, contraband FROM tac_overlay")?;
        for r in stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })? {
            let (t, b, m, ff, cb) = r?;
            if let Ok(t) = Tac::parse(&t) {
                overlay.insert(t.as_u32(), (b, m, ff, cb));
            }
        }
        let mut ledger = HashMap::new();
        let mut stmt =
            conn.prepare("SELECT imei, supplier, sold_at FROM ledger ORDER BY sold_at")?;
        for r in stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })? {
            let (i, s, d) = r?;
            if let Ok(i) = Imei::parse(&i) {
                ledger.entry(i.key()).or_insert((s, d));
            }
        }
        let (mut allow_imei, mut allow_imsi, mut allow_msisdn) =
            (HashMap::new(), HashMap::new(), HashMap::new());
        let mut stmt = conn.prepare("SELECT imei, imsi, msisdn, holder, role FROM allowlist")?;
        for r in stmt.query_map([], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })? {
            let (imei, imsi, msisdn, holder, role) = r?;
            let who = (holder, role);
            if let Some(i) = imei.and_then(|v| Imei::parse(&v).ok()) {
                allow_imei.insert(i.key(), who.clone());
            }
            if let Some(i) = imsi.and_then(|v| Imsi::parse(&v, mnc).ok()) {
                allow_imsi.insert(i.key(), who.clone());
            }
            if let Some(m) = msisdn.and_then(|v| Msisdn::parse_e164(&v).ok()) {
                allow_msisdn.insert(m.key(), who);
            }
        }
        Ok(Reference {
            tacs,
            overlay,
            ledger,
            allow_imei,
            allow_imsi,
            allow_msisdn,
        })
    }

    /// Brand and model of a TAC, overlay first.
    pub fn model(&self, tac: u32) -> Option<String> {
        if let Some((b, m, _, _)) = self.overlay.get(&tac)
            && let (Some(b), Some(m)) = (b, m)
        {
            return Some(format!("{b} {m}"));
        }
        self.tacs.get(&tac).map(|(b, m)| format!("{b} {m}"))
    }
}

/// What is known of one device, independently of any facility.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeviceFacts {
    /// A mini-phone model among its IMEIs.
    pub mini_phone: Option<String>,
    /// A known contraband model.
    pub contraband_model: Option<String>,
    /// Supplier sale of one of its IMEIs: (imei key, supplier, date).
    pub ledger: Option<(u64, String, String)>,
    /// Allow-list entry: (holder, role).
    pub allow_listed: Option<(String, String)>,
    /// An implausible IMEI.
    pub invalid_imei: Option<u64>,
    /// An IMEI whose TAC nobody knows.
    pub unknown_tac: Option<u64>,
    /// A shared (cloned, popular) IMEI, and why.
    pub shared_imei: Option<(u64, &'static str)>,
    /// Own (unshared) IMEIs.
    pub own_imeis: usize,
    /// SIMs.
    pub sims: usize,
}

fn implausible(imei: u64) -> bool {
    let tac = imei / 1_000_000;
    let serial = imei % 1_000_000;
    // Reporting body 00 is reserved for test IMEIs; all-zero or all-nine TACs and serials are
    // placeholders that real handsets never carry.
    tac / 1_000_000 == 0 || tac == 99_999_999 || serial == 0 || serial == 999_999
}

/// Facts of every device.
pub fn device_facts(r: &Reference, res: &Resolution) -> Vec<DeviceFacts> {
    res.devices.iter().map(|d| one(r, res, d)).collect()
}

fn one(r: &Reference, res: &Resolution, d: &Device) -> DeviceFacts {
    let mut f = DeviceFacts {
        sims: d.imsis.len(),
        ..DeviceFacts::default()
    };
    let shared: HashSet<u64> = d.shared_imeis.iter().copied().collect();
    f.own_imeis = d.imeis.iter().filter(|i| !shared.contains(i)).count();
    for &imei in &d.imeis {
        let tac = (imei / 1_000_000) as u32;
        let model = r.model(tac);
        if let Some((_, _, ff, cb)) = r.overlay.get(&tac) {
            if ff == "mini" && f.mini_phone.is_none() {
                f.mini_phone = Some(model.clone().unwrap_or_else(|| format!("TAC {tac:08}")));
            }
            if *cb && f.contraband_model.is_none() {
                f.contraband_model = Some(model.clone().unwrap_or_else(|| format!("TAC {tac:08}")));
            }
        }
        if f.ledger.is_none()
            && let Some((s, date)) = r.ledger.get(&imei)
        {
            f.ledger = Some((imei, s.clone(), date.clone()));
        }
        if f.allow_listed.is_none() {
            f.allow_listed = r.allow_imei.get(&imei).cloned();
        }
        if implausible(imei) && f.invalid_imei.is_none() {
            f.invalid_imei = Some(imei);
        }
        if model.is_none() && !r.overlay.contains_key(&tac) && f.unknown_tac.is_none() {
            f.unknown_tac = Some(imei);
        }
        if let Some(reason) = res.shared.get(&imei)
            && f.shared_imei.is_none()
        {
            f.shared_imei = Some((imei, reason.describe()));
        }
    }
    for imsi in &d.imsis {
        if f.allow_listed.is_none() {
            f.allow_listed = r.allow_imsi.get(imsi).cloned();
        }
    }
    for m in &d.msisdns {
        if f.allow_listed.is_none() {
            f.allow_listed = r.allow_msisdn.get(m).cloned();
        }
    }
    f
}
