//! Cell identifiers: CGI, SAI, ECGI and NCGI (3GPP TS 23.003 §4, ETSI TS 103 280).
//!
//! ```text
//!  CGI   mcc-mnc-lac-ci    208-01-1a2b-3c4d    lac, ci: 16 bits, 4 hex digits
//!  SAI   sai:mcc-mnc-lac-sac                   (no TS 103 280 type, hence the prefix)
//!  ECGI  mcc-mnc-eci       208-01-00a1b2c      eci: 28 bits, 7 hex digits
//!  NCGI  mcc-mnc-nci       208-01-0000a1b2c    nci: 36 bits, 9 hex digits
//! ```
//!
//! The canonical string is the TS 103 280 pattern with lowercase, zero-padded
//! hex, so that the same cell from two operators' files compares equal as a
//! string.
//!
//! Operator files are less tidy: decimal or hex fields, any separator, the
//! kind in a prefix or only in the column name, or no separators at all.
//! [`CellId::parse`] reads all of these; [`CellParseOptions`] carries what a
//! delivery profile knows and the value does not say.

use std::fmt;
use std::str::FromStr;

use crate::digits::serde_as_string;
use crate::error::{Error, Field};
use crate::plmn::{MncTable, Plmn};

/// TS 23.003 §4.1 reserves LAC `0000` and `fffe` for "no valid LAI".
const RESERVED_LACS: [u64; 2] = [0x0000, 0xfffe];
/// TS 36.413: a macro eNB id is the top 20 bits of the 28-bit ECI.
const ENB_ID_BITS: u8 = 20;
/// TS 38.413: the gNB id is the top 22 to 32 bits of the 36-bit NCI.
const GNB_ID_BITS: std::ops::RangeInclusive<u8> = 22..=32;

/// The kind of a cell identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CellKind {
    /// GSM/UMTS Cell Global Identification: PLMN, LAC, CI.
    Cgi,
    /// UMTS Service Area Identifier: PLMN, LAC, SAC.
    Sai,
    /// LTE E-UTRAN Cell Global Identifier: PLMN, 28-bit ECI.
    Ecgi,
    /// 5G NR Cell Global Identifier: PLMN, 36-bit NCI.
    Ncgi,
}

impl CellKind {
    fn as_str(self) -> &'static str {
        match self {
            CellKind::Cgi => "cgi",
            CellKind::Sai => "sai",
            CellKind::Ecgi => "ecgi",
            CellKind::Ncgi => "ncgi",
        }
    }
}

impl fmt::Display for CellKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CellKind {
    type Err = Error;

    /// Case-insensitive.
    fn from_str(s: &str) -> Result<CellKind, Error> {
        [CellKind::Cgi, CellKind::Sai, CellKind::Ecgi, CellKind::Ncgi]
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::UnknownCellKind {
                input: s.trim().to_owned(),
                found: s.trim().to_owned(),
            })
    }
}

/// How to read the numeric fields (LAC, CI, SAC, ECI, NCI) of a cell id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NumberBase {
    /// Guess per field: a field with a hex letter (`a`-`f`, any case) or a
    /// `0x` prefix is hex; a field exactly as wide as in TS 103 280 (4 digits
    /// for LAC, CI and SAC, 7 for ECI, 9 for NCI) is hex; anything else is
    /// decimal.
    /// A profile whose files hold zero-padded decimals (`01234` is fine, but
    /// `1234` as a decimal LAC would be read as hex) must say [`NumberBase::Decimal`].
    #[default]
    Auto,
    /// Every field is hex.
    Hex,
    /// Every field is decimal.
    Decimal,
}

/// What the caller knows about the cell ids it parses, usually from a
/// delivery profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CellParseOptions {
    /// The kind, when the column says it; a prefix in the value must agree.
    pub kind: Option<CellKind>,
    /// How to read numeric fields.
    pub base: NumberBase,
}

/// A cell identifier with its PLMN.
///
/// Build values with [`CellId::parse`] or the checked constructors
/// ([`CellId::cgi`], [`CellId::sai`], [`CellId::ecgi`], [`CellId::ncgi`],
/// [`CellId::ecgi_from_parts`]): a variant built by hand with out-of-range
/// fields displays a string that does not parse back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CellId {
    /// GSM/UMTS cell.
    Cgi {
        /// Network.
        plmn: Plmn,
        /// Location Area Code; `0000` and `fffe` are reserved.
        lac: u16,
        /// Cell Identity.
        ci: u16,
    },
    /// UMTS service area.
    Sai {
        /// Network.
        plmn: Plmn,
        /// Location Area Code; `0000` and `fffe` are reserved.
        lac: u16,
        /// Service Area Code.
        sac: u16,
    },
    /// LTE cell.
    Ecgi {
        /// Network.
        plmn: Plmn,
        /// E-UTRAN Cell Identity, 28 bits: eNB id (20) and local cell (8).
        eci: u32,
    },
    /// 5G NR cell.
    Ncgi {
        /// Network.
        plmn: Plmn,
        /// NR Cell Identity, 36 bits: gNB id (22 to 32) and local cell.
        nci: u64,
    },
}

impl CellId {
    /// A CGI; fails on a reserved LAC.
    pub fn cgi(plmn: Plmn, lac: u16, ci: u16) -> Result<CellId, Error> {
        let cell = CellId::Cgi { plmn, lac, ci };
        check_lac(&cell.to_string(), lac)?;
        Ok(cell)
    }

    /// An SAI; fails on a reserved LAC.
    pub fn sai(plmn: Plmn, lac: u16, sac: u16) -> Result<CellId, Error> {
        let cell = CellId::Sai { plmn, lac, sac };
        check_lac(&cell.to_string(), lac)?;
        Ok(cell)
    }

    /// An ECGI; fails when `eci` does not fit in 28 bits.
    pub fn ecgi(plmn: Plmn, eci: u32) -> Result<CellId, Error> {
        let cell = CellId::Ecgi { plmn, eci };
        check_bits(&cell.to_string(), Field::Eci, u64::from(eci), 28, || {
            format!("{eci:x}")
        })?;
        Ok(cell)
    }

    /// An NCGI; fails when `nci` does not fit in 36 bits.
    pub fn ncgi(plmn: Plmn, nci: u64) -> Result<CellId, Error> {
        let cell = CellId::Ncgi { plmn, nci };
        check_bits(&cell.to_string(), Field::Nci, nci, 36, || {
            format!("{nci:x}")
        })?;
        Ok(cell)
    }

    /// The ECGI of cell `cell` of the eNB `enb_id` (20 bits, a macro eNB).
    pub fn ecgi_from_parts(plmn: Plmn, enb_id: u32, cell: u8) -> Result<CellId, Error> {
        let input = format!("{plmn}-{enb_id:x}-{cell:x}");
        check_bits(&input, Field::EnbId, u64::from(enb_id), ENB_ID_BITS, || {
            format!("{enb_id:x}")
        })?;
        Ok(CellId::Ecgi {
            plmn,
            eci: (enb_id << 8) | u32::from(cell),
        })
    }

    /// The kind of identifier.
    pub fn kind(&self) -> CellKind {
        match self {
            CellId::Cgi { .. } => CellKind::Cgi,
            CellId::Sai { .. } => CellKind::Sai,
            CellId::Ecgi { .. } => CellKind::Ecgi,
            CellId::Ncgi { .. } => CellKind::Ncgi,
        }
    }

    /// The network the cell belongs to.
    pub fn plmn(&self) -> Plmn {
        match *self {
            CellId::Cgi { plmn, .. }
            | CellId::Sai { plmn, .. }
            | CellId::Ecgi { plmn, .. }
            | CellId::Ncgi { plmn, .. } => plmn,
        }
    }

    /// For an ECGI, the eNB id: the top 20 bits of the ECI (macro eNB).
    pub fn enb_id(&self) -> Option<u32> {
        match *self {
            CellId::Ecgi { eci, .. } => Some(eci >> 8),
            _ => None,
        }
    }

    /// For an ECGI, the cell within its eNB: the low 8 bits of the ECI.
    pub fn local_cell_id(&self) -> Option<u8> {
        match *self {
            // Masked to 8 bits.
            CellId::Ecgi { eci, .. } => Some((eci & 0xff) as u8),
            _ => None,
        }
    }

    /// For an NCGI, the gNB id when it is `gnb_id_bits` long (22 to 32, an
    /// operator choice per TS 38.413 that the NCI does not record).
    pub fn gnb_id(&self, gnb_id_bits: u8) -> Option<u64> {
        match *self {
            CellId::Ncgi { nci, .. } if GNB_ID_BITS.contains(&gnb_id_bits) => {
                Some(nci >> (36 - gnb_id_bits))
            }
            _ => None,
        }
    }

    /// For an NCGI, the cell within its gNB: the NCI bits after a gNB id of
    /// `gnb_id_bits` bits.
    pub fn nr_local_cell_id(&self, gnb_id_bits: u8) -> Option<u64> {
        match *self {
            CellId::Ncgi { nci, .. } if GNB_ID_BITS.contains(&gnb_id_bits) => {
                Some(nci & ((1 << (36 - gnb_id_bits)) - 1))
            }
            _ => None,
        }
    }
}

impl fmt::Display for CellId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CellId::Cgi { plmn, lac, ci } => write!(f, "{plmn}-{lac:04x}-{ci:04x}"),
            CellId::Sai { plmn, lac, sac } => write!(f, "sai:{plmn}-{lac:04x}-{sac:04x}"),
            CellId::Ecgi { plmn, eci } => write!(f, "{plmn}-{eci:07x}"),
            CellId::Ncgi { plmn, nci } => write!(f, "{plmn}-{nci:09x}"),
        }
    }
}

impl FromStr for CellId {
    type Err = Error;

    /// [`CellId::parse`] with default options and the built-in MNC table.
    fn from_str(s: &str) -> Result<CellId, Error> {
        CellId::parse(s, &CellParseOptions::default(), &MncTable::builtin())
    }
}

serde_as_string!(CellId, str::parse);

pub(crate) fn check_lac(input: &str, lac: u16) -> Result<(), Error> {
    if RESERVED_LACS.contains(&u64::from(lac)) {
        return Err(Error::ReservedLac {
            input: input.to_owned(),
            value: format!("{lac:04x}"),
        });
    }
    Ok(())
}

pub(crate) fn check_bits(
    input: &str,
    field: Field,
    value: u64,
    max_bits: u8,
    text: impl FnOnce() -> String,
) -> Result<(), Error> {
    if value >> max_bits != 0 {
        return Err(Error::OutOfRange {
            input: input.to_owned(),
            field,
            value: text(),
            max_bits,
        });
    }
    Ok(())
}
