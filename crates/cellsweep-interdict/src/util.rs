//! Small shared helpers: clock, dates, routing by home operator.

use cellsweep_ids::{Imsi, MncTable};
use jiff::civil::Date;

use crate::Error;

/// Now, RFC 3339 UTC.
pub(crate) fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// Today in UTC.
pub fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// Parses `YYYY-MM-DD` (or `YYYYMMDD`), naming the argument on failure.
pub fn parse_date(what: &str, s: &str) -> Result<Date, Error> {
    let t = s.trim();
    let iso = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..])
    } else {
        t.to_owned()
    };
    iso.parse::<Date>()
        .map_err(|e| Error::Invalid(format!("invalid {what} `{s}`: {e} (expected YYYY-MM-DD)")))
}

/// `YYYYMMDD`, as registries write dates.
pub(crate) fn ymd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// The home operator (`208-01`) of an IMSI.
pub(crate) fn home_operator(imsi: &str, mnc: &MncTable) -> Option<String> {
    let i = Imsi::parse(imsi, mnc).ok()?;
    Some(i.plmn().to_string())
}

/// Refuses an empty `who` or `why`: every decision names its author and its reason.
pub(crate) fn require(what: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::Invalid(format!(
            "{what} is required and must not be empty"
        )));
    }
    Ok(())
}
