//! Handset models and identity allocation: TACs, IMEIs, IMSIs and phone numbers that look
//! random yet never collide, from keyed bijections over each numbering space.

use crate::rng::{mix, permute};

/// Form factor of a handset model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Smart,
    Feature,
    Mini,
}

/// A handset model.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub(crate) brand: &'static str,
    pub(crate) name: &'static str,
    pub(crate) form: Form,
    /// TACs of the model; for mini phones the first is the ledgered supplier's batch.
    pub(crate) tacs: Vec<u32>,
    /// Listed in the public TAC database the simulator writes (`tac.csv`).
    pub(crate) in_tac_db: bool,
    /// Known to the investigation's overlay as a mini phone / contraband model.
    pub(crate) in_overlay: bool,
    /// Relative popularity among ordinary users.
    pub(crate) weight: f64,
}

/// Model table: invented TACs with realistic reporting bodies (35 for GSMA-allocated
/// smartphones and feature phones, 86 for Chinese mini phones). Brands and model names are
/// real products; their TACs here are not.
const MODELS: &[(&str, &str, Form, bool, bool, f64)] = &[
    ("Samsung", "Galaxy A15", Form::Smart, true, false, 12.0),
    ("Samsung", "Galaxy S23", Form::Smart, true, false, 6.0),
    ("Apple", "iPhone 13", Form::Smart, true, false, 9.0),
    ("Apple", "iPhone 15", Form::Smart, true, false, 8.0),
    ("Xiaomi", "Redmi Note 13", Form::Smart, true, false, 8.0),
    ("Google", "Pixel 8", Form::Smart, true, false, 2.0),
    ("Oppo", "A78", Form::Smart, true, false, 3.0),
    ("Motorola", "moto g54", Form::Smart, true, false, 3.0),
    ("Nokia", "105 (2023)", Form::Feature, true, false, 2.5),
    ("Alcatel", "2057", Form::Feature, true, false, 1.0),
    ("Doro", "6820", Form::Feature, true, false, 1.0),
    ("L8Star", "BM10", Form::Mini, false, true, 0.08),
    ("Zanco", "tiny t2", Form::Mini, false, true, 0.05),
    ("GTStar", "BM50", Form::Mini, true, true, 0.04),
    ("Long-CZ", "J9", Form::Mini, false, false, 0.03),
];

/// TACs per model.
const TACS_PER_MODEL: usize = 4;

/// The models, with TACs drawn for this seed.
pub(crate) fn models(seed: u64) -> Vec<Model> {
    let mut used = std::collections::HashSet::new();
    MODELS
        .iter()
        .enumerate()
        .map(|(i, &(brand, name, form, in_tac_db, in_overlay, weight))| {
            let body: u32 = if form == Form::Mini { 86 } else { 35 };
            let mut tacs = Vec::new();
            let mut k = 0u64;
            while tacs.len() < TACS_PER_MODEL {
                let tac =
                    body * 1_000_000 + (mix(seed ^ mix(i as u64 * 131 + k)) % 1_000_000) as u32;
                k += 1;
                if used.insert(tac) {
                    tacs.push(tac);
                }
            }
            Model {
                brand,
                name,
                form,
                tacs,
                in_tac_db,
                in_overlay,
                weight,
            }
        })
        .collect()
}

/// Serial numbers a model's ledgered TAC reserves for the supplier's batches (sequential, as
/// a reseller receives them); other serials of that TAC are never used.
pub(crate) const LEDGER_SERIAL_BASE: u32 = 200_000;

/// IMEI (14 digits as a number) of the `index`-th unit of `model` outside the ledger.
/// Indices are spread over the model's TACs (all but the first for mini phones) and over the
/// serial space by a keyed bijection.
pub(crate) fn imei(model: &Model, index: u64, seed: u64) -> u64 {
    let tacs: &[u32] = if model.form == Form::Mini {
        &model.tacs[1..]
    } else {
        &model.tacs
    };
    let n = tacs.len() as u64;
    let tac = tacs[(index % n) as usize];
    let serial = permute(index / n, 1_000_000, seed ^ u64::from(tac));
    u64::from(tac) * 1_000_000 + serial
}

/// IMEI of the `index`-th phone of a mini model's ledgered batch.
pub(crate) fn ledger_imei(model: &Model, index: u64) -> u64 {
    u64::from(model.tacs[0]) * 1_000_000 + u64::from(LEDGER_SERIAL_BASE) + index
}

/// French mobile prefixes (the 3 digits after the trunk 0) that libphonenumber accepts.
fn mobile_prefixes() -> Vec<u32> {
    let mut p = Vec::new();
    for a in (600..=629)
        .chain(640..=689)
        .chain(630..=638)
        .chain([695, 698, 699])
    {
        p.push(a);
    }
    p.extend(730..=799);
    p
}

/// Geographic prefixes (2 digits after the trunk 0) for landlines.
fn landline_prefixes() -> Vec<u32> {
    let mut p: Vec<u32> = (10..=19)
        .chain(30..=39)
        .chain(20..=25)
        .chain(27..=29)
        .collect();
    p.extend((41..=49).chain(50..=58));
    p
}

/// Numbering: unique French mobile and landline numbers, and a few foreign ones.
pub(crate) struct Numbering {
    mobile: Vec<u32>,
    landline: Vec<u32>,
    seed: u64,
}

/// Which block of the number space an allocation comes from, so that the simulator's
/// independent parts never collide.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Block {
    /// Subscribers simulated as devices: (facility, local counter).
    Device(u32, u32),
    /// Numbers that are only ever called: (facility, local counter).
    Contact(u32, u32),
}

/// Facilities the interleaving supports: indices are `counter * MAX_FACILITIES + facility`.
const MAX_FACILITIES: u64 = 1_024;

impl Numbering {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            mobile: mobile_prefixes(),
            landline: landline_prefixes(),
            seed,
        }
    }

    fn index(block: Block) -> u64 {
        match block {
            Block::Device(f, c) => (u64::from(c) * 2) * MAX_FACILITIES + u64::from(f),
            Block::Contact(f, c) => (u64::from(c) * 2 + 1) * MAX_FACILITIES + u64::from(f),
        }
    }

    /// A French mobile number, E.164 digits (`336xxxxxxxx`).
    pub(crate) fn mobile(&self, block: Block) -> u64 {
        let space = self.mobile.len() as u64 * 1_000_000;
        let v = permute(Self::index(block), space, self.seed ^ 0x6d6f_6269);
        33_000_000_000
            + u64::from(self.mobile[(v / 1_000_000) as usize]) * 1_000_000
            + v % 1_000_000
    }

    /// A French landline number, E.164 digits (`331xxxxxxxx`).
    pub(crate) fn landline(&self, block: Block) -> u64 {
        let space = self.landline.len() as u64 * 10_000_000;
        let v = permute(Self::index(block), space, self.seed ^ 0x6c61_6e64);
        33_000_000_000
            + u64::from(self.landline[(v / 10_000_000) as usize]) * 10_000_000
            + v % 10_000_000
    }

    /// A foreign mobile number (Morocco, Algeria, Belgium, Spain, Italy), E.164 digits.
    pub(crate) fn foreign(&self, block: Block) -> u64 {
        let i = Self::index(block);
        let v = permute(i, 10_000_000, self.seed ^ 0x666f_7265);
        match i % 5 {
            0 => 212_600_000_000 + (v % 80_000_000), // +212 6[0-7]x xxx xxx
            1 => 213_600_000_000 + v * 10 % 100_000_000, // +213 6x xxx xxxx
            2 => 32_450_000_000 + v % 50_000_000,    // +32 4[5-9]x xx xx xx
            3 => 34_600_000_000 + v * 10 % 100_000_000, // +34 6xx xxx xxx
            _ => 393_200_000_000 + v * 10 % 800_000_000, // +39 3[2-9]x xxx xxxx
        }
    }

    /// An IMSI of `plmn` (MCC 208, 2-digit MNC): `208 mm` + a 10-digit MSIN.
    pub(crate) fn imsi(&self, mnc: u32, block: Block) -> u64 {
        let msin = permute(
            Self::index(block),
            10_000_000_000,
            self.seed ^ u64::from(mnc) ^ 0x696d_7369,
        );
        (20_800 + u64::from(mnc)) * 10_000_000_000 + msin
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cellsweep_ids::{Imei, Msisdn};

    #[test]
    fn generated_numbers_are_valid_for_libphonenumber() {
        let n = Numbering::new(7);
        for c in 0..300 {
            for f in [0, 3, 17] {
                for (what, e164) in [
                    ("mobile", n.mobile(Block::Device(f, c))),
                    ("landline", n.landline(Block::Contact(f, c))),
                    ("foreign", n.foreign(Block::Contact(f, c))),
                ] {
                    let m = Msisdn::parse_e164(&format!("+{e164}"));
                    assert!(m.is_ok(), "{what} +{e164}: {m:?}");
                }
            }
        }
    }

    #[test]
    fn imeis_are_unique_and_valid() {
        let ms = models(3);
        let mut seen = std::collections::HashSet::new();
        for m in &ms {
            for i in 0..2_000 {
                let v = imei(m, i, 3);
                assert!(Imei::from_u64(v).is_some());
                assert!(seen.insert(v), "{v}");
            }
            if m.form == Form::Mini {
                assert!(seen.insert(ledger_imei(m, 5)));
            }
        }
    }
}
