//! Scenarios: every knob of the simulated nation, read from TOML.
//!
//! Presets live in the repository's `scenarios/` folder and are embedded in the binary, so that
//! `--scenario regional` works anywhere; a path loads the user's own file. Unknown keys are
//! rejected. Every knob is documented in `docs/scenarios.md`; the defaults below are the
//! values a section gets when a scenario leaves it out.

use std::path::Path;

use jiff::civil::Date;
use serde::Deserialize;

use crate::Error;

/// Presets shipped with cellsweep, by name.
pub const PRESETS: &[(&str, &str)] = &[
    ("demo", include_str!("../../../scenarios/demo.toml")),
    ("regional", include_str!("../../../scenarios/regional.toml")),
    ("national", include_str!("../../../scenarios/national.toml")),
];

/// A whole scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, used in file names and requests.
    pub name: String,
    /// One sentence on what the scenario is for.
    #[serde(default)]
    pub description: String,
    /// First simulated day (local calendar date), `2026-03-02` or `"2026-03-02"`.
    #[serde(deserialize_with = "date")]
    pub start: Date,
    /// Number of simulated days.
    pub days: u32,
    /// IANA time zone of the facilities and of local-time deliveries.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// Facilities and their surroundings.
    #[serde(default)]
    pub facilities: Facilities,
    /// The radio networks.
    #[serde(default)]
    pub radio: Radio,
    /// Inmates and contraband phones.
    #[serde(default)]
    pub inmates: Inmates,
    /// Everyone else near a facility.
    #[serde(default)]
    pub outside: Outside,
    /// Handset and SIM quirks.
    #[serde(default)]
    pub devices: Devices,
    /// Daily activity.
    #[serde(default)]
    pub activity: Activity,
    /// Who calls whom.
    #[serde(default)]
    pub network: Network,
    /// Prison administration records.
    #[serde(default)]
    pub records: Records,
    /// Past searches and RF detectors.
    #[serde(default)]
    pub operations: Operations,
    /// Supplier ledgers.
    #[serde(default)]
    pub supplier: Supplier,
    /// How operators deliver.
    #[serde(default)]
    pub delivery: Delivery,
}

/// Accepts a TOML date literal or a quoted date.
fn date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match Raw::deserialize(d)? {
        Raw::Toml(dt) => dt.to_string(),
        Raw::Text(t) => t,
    };
    text.parse::<Date>()
        .map_err(|e| serde::de::Error::custom(format!("`{text}` is not a date: {e}")))
}

fn default_timezone() -> String {
    "Europe/Paris".into()
}

/// A closed range `[low, high]` drawn uniformly.
pub type Range = [f64; 2];

/// Facilities.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Facilities {
    /// How many facilities.
    pub count: u32,
    /// Optional real facilities list (the national quartier CSV or GeoJSON): positions,
    /// names, capacities and occupancies come from it; footprints and zones are generated.
    pub source: Option<String>,
    /// Operational places per generated facility.
    pub capacity: Range,
    /// Inmates per place (French prisons run at 1.0–2.0).
    pub occupancy_rate: Range,
    /// Share of facilities with staff housing right next to the wall.
    pub staff_housing_by_wall: f64,
    /// Share of facilities inside a dense city (more neighbours, smaller cells).
    pub dense_city: f64,
    /// Share of facilities with a jammer.
    pub jammer_share: f64,
    /// Day (0-based) the jammers go into service.
    pub jammer_from_day: u32,
    /// Share of inmate-phone events a jammer suppresses.
    pub jammer_suppression: f64,
    /// Floors per building.
    pub floors: [u32; 2],
    /// Prison cells per floor of a wing.
    pub cells_per_floor: [u32; 2],
}

impl Default for Facilities {
    fn default() -> Self {
        Self {
            count: 10,
            source: None,
            capacity: [250.0, 900.0],
            occupancy_rate: [1.0, 1.6],
            staff_housing_by_wall: 0.2,
            dense_city: 0.1,
            jammer_share: 0.2,
            jammer_from_day: 25,
            jammer_suppression: 0.6,
            floors: [2, 4],
            cells_per_floor: [12, 24],
        }
    }
}

/// Radio networks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Radio {
    /// Distance between neighbouring sites of one operator, suburban (metres).
    pub site_spacing_m: f64,
    /// Radius around a facility that gets sites (metres).
    pub area_radius_m: f64,
    /// Probability that a site has 5G.
    pub nr_share: f64,
    /// Shadowing standard deviation (dB), fixed per place and cell.
    pub shadowing_db: f64,
    /// Fast-fading standard deviation (dB), drawn per event.
    pub fading_db: f64,
    /// Probability that a 2G record carries a timing advance.
    pub ta_report_2g: f64,
    /// Same for 4G.
    pub ta_report_4g: f64,
    /// Same for 5G.
    pub ta_report_5g: f64,
    /// Towns beyond the facility's area where people work, live and visit from.
    pub far_towns: u32,
    /// Distance of those towns (metres).
    pub far_town_distance_m: Range,
    /// Optional real antenna-site list (Arcep CSV): sites are placed at real positions
    /// around facilities taken from a real facilities file.
    pub sites_source: Option<String>,
}

impl Default for Radio {
    fn default() -> Self {
        Self {
            site_spacing_m: 1_800.0,
            area_radius_m: 5_000.0,
            nr_share: 0.4,
            shadowing_db: 6.0,
            fading_db: 3.0,
            ta_report_2g: 0.9,
            ta_report_4g: 0.5,
            ta_report_5g: 0.3,
            far_towns: 6,
            far_town_distance_m: [8_000.0, 60_000.0],
            sites_source: None,
        }
    }
}

/// Inmates and contraband phones.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Inmates {
    /// Share of inmates who own a contraband phone.
    pub owner_share: f64,
    /// Share of the other inmates who borrow or rent one in their wing.
    pub renter_share: f64,
    /// Share of contraband handsets that are mini phones (2G only).
    pub mini_share: f64,
    /// Share of owners with a second handset.
    pub second_phone_share: f64,
    /// Probability that a contraband phone stays off (hidden) on a given day.
    pub off_day_share: f64,
    /// Expected moves of a hidden phone to another cell of its wing, per month.
    pub moves_per_month: f64,
    /// Expected cell changes of an inmate, per month (registry).
    pub cell_changes_per_month: f64,
}

impl Default for Inmates {
    fn default() -> Self {
        Self {
            owner_share: 0.25,
            renter_share: 0.15,
            mini_share: 0.6,
            second_phone_share: 0.15,
            off_day_share: 0.15,
            moves_per_month: 0.5,
            cell_changes_per_month: 0.15,
        }
    }
}

/// People outside the wall.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Outside {
    /// Staff per operational place.
    pub staff_per_place: f64,
    /// Share of staff living in the housing by the wall, where there is some.
    pub staff_by_wall_share: f64,
    /// Share of staff carrying an allow-listed duty phone besides their own.
    pub duty_phone_share: f64,
    /// Family members per inmate who may visit.
    pub visitors_per_inmate: f64,
    /// Visits per inmate per week.
    pub visits_per_inmate_week: f64,
    /// Residents with a phone within reach of the facility's cells.
    pub neighbours: Range,
    /// Share of neighbours who rarely leave home (retired, remote work).
    pub home_all_day_share: f64,
    /// Distinct passers-by per day on the roads near the facility.
    pub passers_by_per_day: f64,
    /// Allow-listed official devices inside each facility.
    pub official_devices: u32,
}

impl Default for Outside {
    fn default() -> Self {
        Self {
            staff_per_place: 0.35,
            staff_by_wall_share: 0.3,
            duty_phone_share: 0.1,
            visitors_per_inmate: 1.5,
            visits_per_inmate_week: 0.5,
            neighbours: [800.0, 2_500.0],
            home_all_day_share: 0.15,
            passers_by_per_day: 200.0,
            official_devices: 4,
        }
    }
}

/// Handset and SIM quirks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Devices {
    /// Share of contraband mini phones that change their IMEI once during the period.
    pub imei_change_share: f64,
    /// Groups of cheap phones sharing one cloned IMEI, per facility.
    pub cloned_imei_groups: u32,
    /// Members of a cloned-IMEI group near one facility.
    pub cloned_group_size: [u32; 2],
    /// Expected SIM swaps per contraband phone per month (prepaid churn).
    pub sim_swaps_per_month: f64,
    /// Market shares of 208-01, 208-10, 208-15, 208-20 among outside subscribers.
    pub market_share: [f64; 4],
}

impl Default for Devices {
    fn default() -> Self {
        Self {
            imei_change_share: 0.05,
            cloned_imei_groups: 2,
            cloned_group_size: [3, 12],
            sim_swaps_per_month: 0.3,
            market_share: [0.38, 0.22, 0.2, 0.2],
        }
    }
}

/// Daily activity rates (events per device per day).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Activity {
    /// Calls per day, contraband phones.
    pub inmate_calls: f64,
    /// SMS per day, contraband phones.
    pub inmate_sms: f64,
    /// Data sessions per day, contraband smartphones.
    pub inmate_data: f64,
    /// Calls per day, everyone else.
    pub calls: f64,
    /// SMS per day, everyone else.
    pub sms: f64,
    /// Data sessions per day, smartphones.
    pub data: f64,
    /// Periodic location update interval (minutes) for an idle phone.
    pub location_update_minutes: f64,
}

impl Default for Activity {
    fn default() -> Self {
        Self {
            inmate_calls: 7.0,
            inmate_sms: 6.0,
            inmate_data: 8.0,
            calls: 3.0,
            sms: 4.0,
            data: 10.0,
            location_update_minutes: 120.0,
        }
    }
}

/// Contacts.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    /// Optional criminal-network skeleton: a `source,target[,weight]` edge list (e.g. the
    /// CAVIAR wiretap network); its nodes become contraband phones and outside accomplices.
    pub skeleton: Option<String>,
    /// Family numbers per inmate.
    pub family_contacts: [u32; 2],
    /// Share of a contraband phone's calls that go to its users' family numbers.
    pub family_call_share: f64,
    /// Share that goes to accomplices (outside criminals and phones in other prisons).
    pub accomplice_call_share: f64,
    /// Outside accomplices per owner when there is no skeleton.
    pub accomplices: [u32; 2],
    /// Probability that an accomplice link goes to a phone in another prison.
    pub cross_prison_share: f64,
}

impl Default for Network {
    fn default() -> Self {
        Self {
            skeleton: None,
            family_contacts: [2, 6],
            family_call_share: 0.5,
            accomplice_call_share: 0.3,
            accomplices: [1, 5],
            cross_prison_share: 0.15,
        }
    }
}

/// Prison administration records.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Records {
    /// Share of an inmate's family numbers that are on his authorised list.
    pub authorised_share: f64,
    /// Calls per inmate per week on the official in-cell telephone.
    pub official_calls_per_week: f64,
    /// Share of visitors who declare a phone number at the visit desk.
    pub declared_phone_share: f64,
}

impl Default for Records {
    fn default() -> Self {
        Self {
            authorised_share: 0.8,
            official_calls_per_week: 5.0,
            declared_phone_share: 0.8,
        }
    }
}

/// Searches and detectors.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Operations {
    /// Past cell searches per facility during the period.
    pub past_searches: u32,
    /// Probability that searching a cell finds a smartphone hidden there.
    pub p_detect: f64,
    /// Same for a mini phone (smaller, plastic, easier to hide).
    pub p_detect_mini: f64,
    /// Share of facilities with an RF detector in every wing.
    pub rf_detectors_share: f64,
    /// Probability that a transmission in a wing is detected by its detector.
    pub rf_detect_prob: f64,
    /// False alarms per detector per day.
    pub rf_false_alarms_per_day: f64,
}

impl Default for Operations {
    fn default() -> Self {
        Self {
            past_searches: 20,
            p_detect: 0.6,
            p_detect_mini: 0.35,
            rf_detectors_share: 0.0,
            rf_detect_prob: 0.5,
            rf_false_alarms_per_day: 2.0,
        }
    }
}

/// Supplier ledgers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Supplier {
    /// Mini phones in a supplier's ledger per contraband mini phone: most buyers are
    /// ordinary customers, since the phones are legal.
    pub sales_per_contraband: f64,
    /// Share of contraband mini phones bought from the ledgered supplier.
    pub ledgered_share: f64,
}

impl Default for Supplier {
    fn default() -> Self {
        Self {
            sales_per_contraband: 20.0,
            ledgered_share: 0.7,
        }
    }
}

/// Deliveries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Delivery {
    /// Format per operator (208-01, 208-10, 208-15, 208-20): `fr-semicolon`, `en-comma`,
    /// `etsi-102657` or `parquet-canonical`.
    pub formats: [String; 4],
    /// Days covered by one tower dump request.
    pub tower_dump_days: u32,
    /// Identities seen on this many nights or more in the tower dumps get a traffic-data
    /// request for the whole period (the second round of requests).
    pub traffic_min_nights: u32,
    /// Most rows per delivered file; larger answers come in parts.
    pub rows_per_file: u64,
    /// Share of rows damaged as real files are (see docs/operator-data.md).
    pub malformed_share: f64,
}

impl Default for Delivery {
    fn default() -> Self {
        Self {
            formats: [
                "fr-semicolon".into(),
                "en-comma".into(),
                "etsi-102657".into(),
                "parquet-canonical".into(),
            ],
            tower_dump_days: 7,
            traffic_min_nights: 3,
            rows_per_file: 1_000_000,
            malformed_share: 0.001,
        }
    }
}

/// The delivery formats the simulator writes.
pub const FORMATS: [&str; 4] = [
    "fr-semicolon",
    "en-comma",
    "etsi-102657",
    "parquet-canonical",
];

impl Scenario {
    /// Loads a preset by name, or a TOML file by path.
    pub fn load(name_or_path: &str) -> Result<Scenario, Error> {
        if let Some((_, text)) = PRESETS.iter().find(|(n, _)| *n == name_or_path) {
            return Scenario::parse(text, name_or_path);
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            let names: Vec<_> = PRESETS.iter().map(|(n, _)| *n).collect();
            return Err(Error::UnknownScenario {
                name: name_or_path.into(),
                presets: names.join(", "),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.into(),
            source,
        })?;
        Scenario::parse(&text, &path.display().to_string())
    }

    /// Parses and validates scenario text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Scenario, Error> {
        let s: Scenario = toml::from_str(text).map_err(|source| Error::Scenario {
            origin: origin.into(),
            source: Box::new(source),
        })?;
        s.validate().map_err(|reason| Error::InvalidScenario {
            origin: origin.into(),
            reason,
        })?;
        Ok(s)
    }

    fn validate(&self) -> Result<(), String> {
        let share = |name: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(format!("`{name}` = {v} must be between 0 and 1"))
            }
        };
        let range = |name: &str, r: Range| {
            if r[0] <= r[1] && r[0] >= 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "`{name}` = {r:?} must be [low, high] with 0 <= low <= high"
                ))
            }
        };
        if self.days == 0 {
            return Err("`days` must be at least 1".into());
        }
        if self.facilities.count == 0 && self.facilities.source.is_none() {
            return Err("`facilities.count` must be at least 1".into());
        }
        jiff::tz::TimeZone::get(&self.timezone)
            .map_err(|e| format!("`timezone` = `{}`: {e}", self.timezone))?;
        let f = &self.facilities;
        range("facilities.capacity", f.capacity)?;
        range("facilities.occupancy_rate", f.occupancy_rate)?;
        share("facilities.staff_housing_by_wall", f.staff_housing_by_wall)?;
        share("facilities.dense_city", f.dense_city)?;
        share("facilities.jammer_share", f.jammer_share)?;
        share("facilities.jammer_suppression", f.jammer_suppression)?;
        if f.floors[0] == 0
            || f.floors[0] > f.floors[1]
            || f.cells_per_floor[0] == 0
            || f.cells_per_floor[0] > f.cells_per_floor[1]
        {
            return Err("`facilities.floors` and `facilities.cells_per_floor` must be [low, high] with 1 <= low <= high".into());
        }
        let r = &self.radio;
        if r.site_spacing_m < 100.0 || r.area_radius_m < r.site_spacing_m {
            return Err(
                "`radio.site_spacing_m` must be at least 100 and at most `radio.area_radius_m`"
                    .into(),
            );
        }
        for (n, v) in [
            ("radio.nr_share", r.nr_share),
            ("radio.ta_report_2g", r.ta_report_2g),
            ("radio.ta_report_4g", r.ta_report_4g),
            ("radio.ta_report_5g", r.ta_report_5g),
            ("inmates.owner_share", self.inmates.owner_share),
            ("inmates.renter_share", self.inmates.renter_share),
            ("inmates.mini_share", self.inmates.mini_share),
            (
                "inmates.second_phone_share",
                self.inmates.second_phone_share,
            ),
            ("inmates.off_day_share", self.inmates.off_day_share),
            (
                "outside.staff_by_wall_share",
                self.outside.staff_by_wall_share,
            ),
            ("outside.duty_phone_share", self.outside.duty_phone_share),
            (
                "outside.home_all_day_share",
                self.outside.home_all_day_share,
            ),
            ("devices.imei_change_share", self.devices.imei_change_share),
            ("network.family_call_share", self.network.family_call_share),
            (
                "network.accomplice_call_share",
                self.network.accomplice_call_share,
            ),
            (
                "network.cross_prison_share",
                self.network.cross_prison_share,
            ),
            ("records.authorised_share", self.records.authorised_share),
            (
                "records.declared_phone_share",
                self.records.declared_phone_share,
            ),
            ("operations.p_detect", self.operations.p_detect),
            ("operations.p_detect_mini", self.operations.p_detect_mini),
            (
                "operations.rf_detectors_share",
                self.operations.rf_detectors_share,
            ),
            ("operations.rf_detect_prob", self.operations.rf_detect_prob),
            ("supplier.ledgered_share", self.supplier.ledgered_share),
            ("delivery.malformed_share", self.delivery.malformed_share),
        ] {
            share(n, v)?;
        }
        if self.network.family_call_share + self.network.accomplice_call_share > 1.0 {
            return Err(
                "`network.family_call_share` + `network.accomplice_call_share` must not exceed 1"
                    .into(),
            );
        }
        range("outside.neighbours", self.outside.neighbours)?;
        range("radio.far_town_distance_m", r.far_town_distance_m)?;
        let total: f64 = self.devices.market_share.iter().sum();
        if (total - 1.0).abs() > 1e-6 || self.devices.market_share.iter().any(|s| *s < 0.0) {
            return Err(format!(
                "`devices.market_share` must be 4 non-negative shares summing to 1, found {total}"
            ));
        }
        for f in &self.delivery.formats {
            if !FORMATS.contains(&f.as_str()) {
                return Err(format!(
                    "`delivery.formats`: unknown format `{f}`; expected one of {}",
                    FORMATS.join(", ")
                ));
            }
        }
        if self.delivery.tower_dump_days == 0 || self.delivery.rows_per_file == 0 {
            return Err(
                "`delivery.tower_dump_days` and `delivery.rows_per_file` must be at least 1".into(),
            );
        }
        if self.activity.location_update_minutes < 6.0 {
            return Err("`activity.location_update_minutes` must be at least 6".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_parse() {
        for (name, _) in PRESETS {
            let s = Scenario::load(name).unwrap();
            assert_eq!(&s.name, name);
        }
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let base = "name = \"t\"\nstart = 2026-03-02\ndays = 7\n";
        assert!(Scenario::parse(base, "t").is_ok());
        let err =
            Scenario::parse(&format!("{base}[inmates]\nowner_shar = 0.3\n"), "t").unwrap_err();
        let chain = format!(
            "{err}: {}",
            std::error::Error::source(&err)
                .map(|s| s.to_string())
                .unwrap_or_default()
        );
        assert!(chain.contains("owner_shar"), "{chain}");
        let err =
            Scenario::parse(&format!("{base}[inmates]\nowner_share = 1.3\n"), "t").unwrap_err();
        assert!(err.to_string().contains("between 0 and 1"), "{err}");
        let err = Scenario::parse(
            "name = \"t\"\nstart = 2026-03-02\ndays = 7\ntimezone = \"Mars/Olympus\"\n",
            "t",
        )
        .unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus"), "{err}");
        assert!(
            Scenario::load("galactic")
                .unwrap_err()
                .to_string()
                .contains("demo, regional, national")
        );
    }
}
