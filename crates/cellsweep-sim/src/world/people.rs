//! People and their phones around one facility: inmates and the contraband handsets they own,
//! rent and hide; staff on shifts; visitors at visiting hours; neighbours; passers-by;
//! official devices. Each handset gets its identities over time (IMEI changes, SIM swaps),
//! a movement plan and contacts.

use rand::RngExt;
use rand::seq::{IndexedRandom, SliceRandom};
use rand_distr::{Distribution, Normal, Poisson};

use crate::local::{Rect, Xy};
use crate::rng::Rng;
use crate::scenario::Scenario;
use crate::world::catalog::{self, Block, Form, Model};
use crate::world::layout::Layout;
use crate::world::nation::{CONTRABAND_SIM_BASE, FacilityPlan, Nation};
use crate::world::radio::{Net, OPERATORS};

/// Who carries a handset, as the truth file names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Inmate,
    Staff,
    Visitor,
    Neighbour,
    Passerby,
    Official,
}

impl Category {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Category::Inmate => "inmate",
            Category::Staff => "staff",
            Category::Visitor => "visitor",
            Category::Neighbour => "neighbour",
            Category::Passerby => "passerby",
            Category::Official => "official",
        }
    }
}

/// A SIM: home operator index, IMSI digits and E.164 number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Sim {
    pub(crate) op: u8,
    pub(crate) imsi: u64,
    pub(crate) msisdn: u64,
}

/// Where a handset is, day by day.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    /// A contraband phone hidden in prison cells: `(from_day, place, prison_cell)`.
    Hidden { hides: Vec<(u32, u32, usize)> },
    /// Always at one place (official devices).
    Fixed { place: u32 },
    /// Shifts at a post, home otherwise, errands on days off.
    Staff {
        home: u32,
        post: u32,
        night: bool,
        phase: u32,
        errand: u32,
    },
    /// Home far away; the visiting room on visit days, `(day, start_minute, minutes)`.
    Visitor {
        home: u32,
        room: u32,
        visits: Vec<(u32, u32, u32)>,
    },
    /// Home near the facility; work elsewhere on weekdays unless at home all day.
    Neighbour {
        home: u32,
        work: Option<u32>,
        outing: u32,
    },
    /// Passes along a road on some days at a given minute.
    Passer {
        home: u32,
        road: [u32; 4],
        days: Vec<u32>,
        minute: u32,
    },
}

/// Weighted numbers a handset calls and texts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Contacts {
    pub(crate) numbers: Vec<u64>,
    cum: Vec<f64>,
}

impl Contacts {
    fn push(&mut self, number: u64, weight: f64) {
        if weight <= 0.0 {
            return;
        }
        let total = self.cum.last().copied().unwrap_or(0.0) + weight;
        self.numbers.push(number);
        self.cum.push(total);
    }

    /// One contact, by weight; `None` when there are none.
    pub(crate) fn pick(&self, rng: &mut Rng) -> Option<u64> {
        let total = *self.cum.last()?;
        let x = rng.random_range(0.0..total);
        let i = self.cum.partition_point(|&c| c <= x);
        self.numbers.get(i.min(self.numbers.len() - 1)).copied()
    }
}

/// A physical phone.
#[derive(Debug, Clone)]
pub(crate) struct Handset {
    pub(crate) id: String,
    pub(crate) category: Category,
    pub(crate) contraband: bool,
    pub(crate) owner: String,
    pub(crate) model: usize,
    pub(crate) form: Form,
    /// `(from_day, imei)`, first from day 0.
    pub(crate) imeis: Vec<(u32, u64)>,
    /// `(from_day, sim)`, first from day 0.
    pub(crate) sims: Vec<(u32, Sim)>,
    pub(crate) plan: Plan,
    pub(crate) contacts: Contacts,
    /// Calls, SMS and data sessions per day.
    pub(crate) rates: [f64; 3],
    /// Inmates using the phone (owner first).
    pub(crate) users: Vec<usize>,
    pub(crate) allow_listed: bool,
    /// Day the phone was seized in a search, after which it is silent.
    pub(crate) seized: Option<u32>,
}

impl Handset {
    pub(crate) fn imei_on(&self, day: u32) -> u64 {
        self.imeis
            .iter()
            .rev()
            .find(|(d, _)| *d <= day)
            .map_or(self.imeis[0].1, |(_, i)| *i)
    }

    pub(crate) fn sim_on(&self, day: u32) -> Sim {
        self.sims
            .iter()
            .rev()
            .find(|(d, _)| *d <= day)
            .map_or(self.sims[0].1, |(_, s)| *s)
    }

    /// The hiding place on a day: `(place, prison_cell)`.
    pub(crate) fn hide_on(&self, day: u32) -> Option<(u32, usize)> {
        match &self.plan {
            Plan::Hidden { hides } => hides
                .iter()
                .rev()
                .find(|(d, _, _)| *d <= day)
                .map(|(_, p, c)| (*p, *c)),
            _ => None,
        }
    }
}

/// An inmate.
#[derive(Debug, Clone)]
pub(crate) struct Inmate {
    pub(crate) id: String,
    /// `(from_day, prison_cell)`.
    pub(crate) cells: Vec<(u32, usize)>,
    pub(crate) family: Vec<u64>,
    pub(crate) authorised: Vec<(u64, &'static str)>,
    /// Handset indices of the family members who visit.
    pub(crate) visitors: Vec<usize>,
}

impl Inmate {
    pub(crate) fn cell_on(&self, day: u32) -> usize {
        self.cells
            .iter()
            .rev()
            .find(|(d, _)| *d <= day)
            .map_or(self.cells[0].1, |(_, c)| *c)
    }
}

/// A visit, as the visit desk records it.
#[derive(Debug, Clone)]
pub(crate) struct Visit {
    pub(crate) inmate: usize,
    pub(crate) visitor: usize,
    pub(crate) day: u32,
    pub(crate) start_minute: u32,
    pub(crate) minutes: u32,
}

/// Everyone around one facility.
pub(crate) struct Population {
    pub(crate) inmates: Vec<Inmate>,
    pub(crate) handsets: Vec<Handset>,
    pub(crate) visits: Vec<Visit>,
}

/// Allocators for this facility's identities.
struct Ids<'n> {
    nation: &'n Nation,
    f: u32,
    device: u32,
    contact: u32,
    model_units: Vec<u64>,
}

impl Ids<'_> {
    fn sim(&mut self, op: usize) -> Sim {
        let b = Block::Device(self.f, self.device);
        self.device += 1;
        self.sim_at(op, b)
    }

    fn sim_at(&self, op: usize, b: Block) -> Sim {
        Sim {
            op: op as u8,
            imsi: self.nation.numbering.imsi(u32::from(OPERATORS[op].0), b),
            msisdn: self.nation.numbering.mobile(b),
        }
    }

    fn imei(&mut self, model: usize) -> u64 {
        // Units are interleaved by facility so that every facility's IMEIs are distinct.
        let index = self.model_units[model] * 1_024 + u64::from(self.f);
        self.model_units[model] += 1;
        catalog::imei(&self.nation.models[model], index, self.nation.seed)
    }

    fn contact(&mut self, rng: &mut Rng) -> u64 {
        let b = Block::Contact(self.f, self.contact);
        self.contact += 1;
        match rng.random_range(0..10) {
            0..=5 => self.nation.numbering.mobile(b),
            6..=8 => self.nation.numbering.landline(b),
            _ => self.nation.numbering.foreign(b),
        }
    }

    fn mobile_contact(&mut self) -> u64 {
        let b = Block::Contact(self.f, self.contact);
        self.contact += 1;
        self.nation.numbering.mobile(b)
    }
}

fn pick_model(models: &[Model], forms: &[Form], rng: &mut Rng) -> usize {
    let total: f64 = models
        .iter()
        .filter(|m| forms.contains(&m.form))
        .map(|m| m.weight)
        .sum();
    let mut x = rng.random_range(0.0..total);
    for (i, m) in models.iter().enumerate() {
        if forms.contains(&m.form) {
            if x < m.weight {
                return i;
            }
            x -= m.weight;
        }
    }
    models
        .iter()
        .rposition(|m| forms.contains(&m.form))
        .unwrap_or(0)
}

fn pick_op(shares: &[f64; 4], rng: &mut Rng) -> usize {
    let mut x = rng.random_range(0.0..1.0);
    for (i, s) in shares.iter().enumerate() {
        if x < *s {
            return i;
        }
        x -= s;
    }
    3
}

/// Operators whose network a 2G-only phone can use (208-15 runs no 2G).
const OPS_WITH_2G: [usize; 3] = [0, 1, 3];

fn normal_around(c: Xy, sigma: f64, rng: &mut Rng) -> Xy {
    let n = Normal::new(0.0, sigma).expect("positive sigma");
    Xy::new(c.x + n.sample(rng), c.y + n.sample(rng))
}

fn in_rect(r: &Rect, rng: &mut Rng) -> Xy {
    r.at(rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0))
}

fn poisson(mean: f64, rng: &mut Rng) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean)
        .map(|p| p.sample(rng) as u32)
        .unwrap_or(0)
}

/// Builds the population of one facility.
pub(crate) fn populate(
    s: &Scenario,
    nation: &Nation,
    fp: &FacilityPlan,
    layout: &Layout,
    net: &mut Net,
    rng: &mut Rng,
) -> Population {
    let days = s.days;
    let months = f64::from(days) / 30.0;
    let mut ids = Ids {
        nation,
        f: fp.index,
        device: 0,
        contact: 0,
        model_units: vec![0; nation.models.len()],
    };
    let models = &nation.models;
    let cell_places: Vec<u32> = layout
        .cells
        .iter()
        .map(|c| net.add_place(c.pos, 0))
        .collect();
    let far_spots: Vec<Vec<u32>> = net
        .towns
        .clone()
        .iter()
        .enumerate()
        .map(|(t, (_, c))| {
            (0..12)
                .map(|_| net.add_place(normal_around(*c, 700.0, rng), t as u8 + 1))
                .collect()
        })
        .collect();
    let far_spot = |rng: &mut Rng| -> u32 {
        let town = far_spots.choose(rng).expect("at least one far town");
        *town.choose(rng).expect("spots")
    };
    let town_spots: Vec<u32> = (0..10)
        .map(|_| net.add_place(normal_around(layout.town_centre, 400.0, rng), 0))
        .collect();
    let room = net.add_place(layout.visiting_room, 0);
    let admin = net.add_place(layout.admin, 0);
    let posts: Vec<u32> = layout
        .staff_posts
        .iter()
        .map(|p| net.add_place(*p, 0))
        .collect();

    // Inmates in cells; a few change cells during the period.
    let n_cells = layout.cells.len().max(1);
    let mut order: Vec<usize> = (0..n_cells).collect();
    order.shuffle(rng);
    let mut inmates: Vec<Inmate> = (0..fp.inmates as usize)
        .map(|i| {
            let mut cells = vec![(0, order[i % n_cells])];
            for _ in 0..poisson(s.inmates.cell_changes_per_month * months, rng) {
                let day = rng.random_range(1..days.max(2));
                let wing = layout.cells[cells[cells.len() - 1].1].wing_idx;
                let same_wing: Vec<usize> = (0..n_cells)
                    .filter(|&c| layout.cells[c].wing_idx == wing)
                    .collect();
                let next = if rng.random_bool(0.7) {
                    *same_wing.choose(rng).unwrap_or(&0)
                } else {
                    rng.random_range(0..n_cells)
                };
                cells.push((day, next));
            }
            cells.sort_by_key(|c| c.0);
            Inmate {
                id: format!("{}-D{:05}", fp.id, i + 1),
                cells,
                family: Vec::new(),
                authorised: Vec::new(),
                visitors: Vec::new(),
            }
        })
        .collect();

    let mut handsets: Vec<Handset> = Vec::new();
    // Families: visitors carry simulated phones; other relatives are numbers only.
    for (i, inmate) in inmates.iter_mut().enumerate() {
        let n_family = rng.random_range(
            s.network.family_contacts[0]
                ..=s.network.family_contacts[1].max(s.network.family_contacts[0]),
        );
        let n_visitors = {
            let v = s.outside.visitors_per_inmate;
            (v.floor() as u32 + u32::from(rng.random_bool(v.fract()))).min(n_family.max(1))
        };
        for _ in 0..n_visitors {
            let op = pick_op(&s.devices.market_share, rng);
            let sim = ids.sim(op);
            let model = pick_model(models, &[Form::Smart, Form::Feature], rng);
            let imei = ids.imei(model);
            let home = if rng.random_bool(0.8) {
                far_spot(rng)
            } else {
                *town_spots.choose(rng).expect("spots")
            };
            inmate.family.push(sim.msisdn);
            inmate.visitors.push(handsets.len());
            handsets.push(Handset {
                id: String::new(),
                category: Category::Visitor,
                contraband: false,
                owner: format!("{}-V{:02}", inmate.id, inmate.visitors.len()),
                model,
                form: models[model].form,
                imeis: vec![(0, imei)],
                sims: vec![(0, sim)],
                plan: Plan::Visitor {
                    home,
                    room,
                    visits: Vec::new(),
                },
                contacts: Contacts::default(),
                rates: [
                    s.activity.calls,
                    s.activity.sms,
                    if models[model].form == Form::Smart {
                        s.activity.data
                    } else {
                        0.0
                    },
                ],
                users: Vec::new(),
                allow_listed: false,
                seized: None,
            });
        }
        while (inmate.family.len() as u32) < n_family {
            let n = ids.contact(rng);
            inmate.family.push(n);
        }
        let lawyer = nation
            .numbering
            .landline(Block::Contact(fp.index, 50_000 + i as u32));
        let mut authorised: Vec<(u64, &'static str)> = inmate
            .family
            .iter()
            .filter(|_| rng.random_bool(s.records.authorised_share))
            .map(|n| (*n, "family"))
            .collect();
        authorised.push((lawyer, "lawyer"));
        inmate.authorised = authorised;
    }
    // Visits, on visiting days (not Sundays), in the afternoon slots.
    let mut visits = Vec::new();
    for (i, inmate) in inmates.iter().enumerate() {
        if inmate.visitors.is_empty() {
            continue;
        }
        for _ in 0..poisson(
            s.outside.visits_per_inmate_week * f64::from(days) / 7.0,
            rng,
        ) {
            let day = rng.random_range(0..days);
            let visitor = *inmate.visitors.choose(rng).expect("visitors");
            let start_minute = [13 * 60 + 30, 14 * 60 + 45, 16 * 60][rng.random_range(0..3)];
            let minutes = rng.random_range(45..=90);
            visits.push(Visit {
                inmate: i,
                visitor,
                day,
                start_minute,
                minutes,
            });
            if let Plan::Visitor { visits: v, .. } = &mut handsets[visitor].plan {
                v.push((day, start_minute, minutes));
            }
        }
    }
    visits.sort_by_key(|v| (v.day, v.start_minute, v.inmate));

    // Contraband phones.
    let mut owner_order: Vec<usize> = (0..inmates.len()).collect();
    owner_order.shuffle(rng);
    let owners: Vec<usize> = owner_order
        .iter()
        .copied()
        .take(fp.owners as usize)
        .collect();
    let mut mini_flags: Vec<bool> = (0..fp.handsets).map(|h| h < fp.minis).collect();
    mini_flags.shuffle(rng);
    let mut ledgered = fp.ledgered.iter().copied();
    let first_contraband = handsets.len();
    let mut swap_counter = fp.handsets;
    for h in 0..fp.handsets as usize {
        if owners.is_empty() {
            break;
        }
        let owner = if h < owners.len() {
            owners[h]
        } else {
            *owners.choose(rng).expect("owners")
        };
        let mini = mini_flags[h];
        let (model, imei) = if mini {
            match ledgered.next() {
                Some(idx) => {
                    let m = nation.ledger_models[idx as usize];
                    (m, catalog::ledger_imei(&models[m], idx))
                }
                None => {
                    let m = pick_model(models, &[Form::Mini], rng);
                    (m, ids.imei(m))
                }
            }
        } else {
            let m = pick_model(models, &[Form::Smart, Form::Feature], rng);
            (m, ids.imei(m))
        };
        let op = if mini {
            *OPS_WITH_2G.choose(rng).expect("ops")
        } else {
            pick_op(&s.devices.market_share, rng)
        };
        let first_sim = ids.sim_at(op, Block::Device(fp.index, CONTRABAND_SIM_BASE + h as u32));
        let mut sims = vec![(0, first_sim)];
        for _ in 0..poisson(s.devices.sim_swaps_per_month * months, rng) {
            let day = rng.random_range(1..days.max(2));
            let sim = ids.sim_at(
                op,
                Block::Device(fp.index, CONTRABAND_SIM_BASE + swap_counter),
            );
            swap_counter += 1;
            sims.push((day, sim));
        }
        sims.sort_by_key(|s| s.0);
        let mut imeis = vec![(0, imei)];
        if mini && rng.random_bool(s.devices.imei_change_share) && days > 2 {
            imeis.push((
                rng.random_range(days / 4..days * 3 / 4 + 1).max(1),
                ids.imei(model),
            ));
        }
        let start_cell = inmates[owner].cell_on(0);
        let wing = layout.cells[start_cell].wing_idx;
        let wing_cells: Vec<usize> = (0..n_cells)
            .filter(|&c| layout.cells[c].wing_idx == wing)
            .collect();
        let mut hides = vec![(0, cell_places[start_cell], start_cell)];
        for _ in 0..poisson(s.inmates.moves_per_month * months, rng) {
            let day = rng.random_range(1..days.max(2));
            let c = *wing_cells.choose(rng).unwrap_or(&start_cell);
            hides.push((day, cell_places[c], c));
        }
        hides.sort_by_key(|h| h.0);
        let smart = models[model].form == Form::Smart;
        handsets.push(Handset {
            id: String::new(),
            category: Category::Inmate,
            contraband: true,
            owner: inmates[owner].id.clone(),
            model,
            form: models[model].form,
            imeis,
            sims,
            plan: Plan::Hidden { hides },
            contacts: Contacts::default(),
            rates: [
                s.activity.inmate_calls,
                s.activity.inmate_sms,
                if smart { s.activity.inmate_data } else { 0.0 },
            ],
            users: vec![owner],
            allow_listed: false,
            seized: None,
        });
    }
    // Renters use a phone of their wing.
    let contraband: Vec<usize> = (first_contraband..handsets.len()).collect();
    for (i, inmate) in inmates.iter().enumerate() {
        if owners.contains(&i) || !rng.random_bool(s.inmates.renter_share) {
            continue;
        }
        let wing = layout.cells[inmate.cell_on(0)].wing_idx;
        let same: Vec<usize> = contraband
            .iter()
            .copied()
            .filter(|&h| {
                handsets[h]
                    .hide_on(0)
                    .is_some_and(|(_, c)| layout.cells[c].wing_idx == wing)
            })
            .collect();
        if let Some(&h) = same.choose(rng) {
            handsets[h].users.push(i);
        }
    }
    // Contacts of contraband phones: the users' families, accomplices, and others.
    let cross: Vec<(u32, u64)> = fp.cross_links.clone();
    for (k, &h) in contraband.iter().enumerate() {
        let users = handsets[h].users.clone();
        let mut c = Contacts::default();
        let fam: Vec<u64> = users
            .iter()
            .flat_map(|&u| inmates[u].family.iter().copied())
            .collect();
        for (j, n) in fam.iter().enumerate() {
            // The owner's family dominates a shared phone's calls.
            let w = if j < inmates[users[0]].family.len() {
                2.0
            } else {
                1.0
            };
            c.push(
                *n,
                s.network.family_call_share * w / fam.len().max(1) as f64,
            );
        }
        let mut acc: Vec<(u64, f64)> = cross
            .iter()
            .filter(|(hh, _)| *hh as usize == k)
            .map(|(_, n)| (*n, 1.0))
            .collect();
        acc.extend(
            fp.skeleton_links
                .iter()
                .filter(|(hh, _, _)| *hh as usize == k)
                .map(|(_, n, w)| (*n, *w)),
        );
        for _ in 0..rng.random_range(
            s.network.accomplices[0]..=s.network.accomplices[1].max(s.network.accomplices[0]),
        ) {
            acc.push((ids.mobile_contact(), 1.0));
        }
        let acc_total: f64 = acc.iter().map(|(_, w)| w).sum();
        for (n, w) in acc {
            c.push(n, s.network.accomplice_call_share * w / acc_total.max(1e-9));
        }
        let others = 1.0 - s.network.family_call_share - s.network.accomplice_call_share;
        for _ in 0..8 {
            let n = ids.contact(rng);
            c.push(n, others / 8.0);
        }
        handsets[h].contacts = c;
    }

    // Staff.
    let n_staff = (f64::from(fp.capacity) * s.outside.staff_per_place).round() as u32;
    for k in 0..n_staff {
        let home_pos = match &layout.staff_housing {
            Some(r) if rng.random_bool(s.outside.staff_by_wall_share) => in_rect(r, rng),
            _ if rng.random_bool(0.3) => {
                let spot = far_spot(rng);
                net.places[spot as usize].pos
            }
            _ => normal_around(layout.town_centre, 900.0, rng),
        };
        let town = if home_pos.dist(Xy::new(0.0, 0.0)) > s.radio.area_radius_m {
            nearest_town(net, home_pos)
        } else {
            0
        };
        let home = net.add_place(home_pos, town);
        let plan = Plan::Staff {
            home,
            post: *posts.choose(rng).expect("posts"),
            night: rng.random_bool(0.3),
            phase: rng.random_range(0..7),
            errand: far_spot(rng),
        };
        let owner = format!("{}-S{:04}", fp.id, k + 1);
        let duty = rng.random_bool(s.outside.duty_phone_share);
        for second in [false, true] {
            if second && !duty {
                break;
            }
            let op = pick_op(&s.devices.market_share, rng);
            let sim = ids.sim(op);
            let model = pick_model(models, &[Form::Smart, Form::Feature], rng);
            let imei = ids.imei(model);
            let mut c = Contacts::default();
            for _ in 0..12 {
                let n = ids.contact(rng);
                c.push(n, rng.random_range(0.2..2.0));
            }
            handsets.push(Handset {
                id: String::new(),
                category: Category::Staff,
                contraband: false,
                owner: owner.clone(),
                model,
                form: models[model].form,
                imeis: vec![(0, imei)],
                sims: vec![(0, sim)],
                plan: plan.clone(),
                contacts: c,
                rates: [
                    s.activity.calls,
                    s.activity.sms,
                    if models[model].form == Form::Smart {
                        s.activity.data
                    } else {
                        0.0
                    },
                ],
                users: Vec::new(),
                allow_listed: second,
                seized: None,
            });
        }
    }
    // Official devices of the establishment.
    for k in 0..s.outside.official_devices {
        let op = pick_op(&s.devices.market_share, rng);
        let sim = ids.sim(op);
        let model = pick_model(models, &[Form::Smart, Form::Feature], rng);
        let imei = ids.imei(model);
        let mut c = Contacts::default();
        for _ in 0..20 {
            let n = ids.contact(rng);
            c.push(n, 1.0);
        }
        handsets.push(Handset {
            id: String::new(),
            category: Category::Official,
            contraband: false,
            owner: format!("{}-O{:02}", fp.id, k + 1),
            model,
            form: models[model].form,
            imeis: vec![(0, imei)],
            sims: vec![(0, sim)],
            plan: Plan::Fixed {
                place: if k % 2 == 0 {
                    admin
                } else {
                    *posts.choose(rng).expect("posts")
                },
            },
            contacts: c,
            rates: [s.activity.calls * 2.0, s.activity.sms, 0.0],
            users: Vec::new(),
            allow_listed: true,
            seized: None,
        });
    }
    // Neighbours.
    let dense_factor = if layout.dense { 3.0 } else { 1.0 };
    let n_neighbours = (rng.random_range(s.outside.neighbours[0]..=s.outside.neighbours[1])
        * dense_factor)
        .round() as u32;
    let mut neighbour_ledgered = fp.neighbour_ledgered.iter().copied();
    let first_neighbour = handsets.len();
    for k in 0..n_neighbours {
        let pos = loop {
            let p = if rng.random_bool(0.6) {
                normal_around(
                    if layout.dense {
                        Xy::new(0.0, 0.0)
                    } else {
                        layout.town_centre
                    },
                    if layout.dense { 600.0 } else { 900.0 },
                    rng,
                )
            } else {
                Xy::new(0.0, 0.0).offset(
                    rng.random_range(0.0..360.0),
                    1_500.0 * rng.random_range(0.0f64..1.0).sqrt(),
                )
            };
            if layout.footprint.distance(p) > 30.0
                && layout.staff_housing.is_none_or(|r| !r.contains(p))
            {
                break p;
            }
        };
        let home = net.add_place(pos, 0);
        let work = if rng.random_bool(s.outside.home_all_day_share) {
            None
        } else if rng.random_bool(0.5) {
            Some(far_spot(rng))
        } else {
            Some(*town_spots.choose(rng).expect("spots"))
        };
        let plan = Plan::Neighbour {
            home,
            work,
            outing: if rng.random_bool(0.5) {
                far_spot(rng)
            } else {
                *town_spots.choose(rng).expect("spots")
            },
        };
        let (model, imei) = match neighbour_ledgered.next() {
            Some(idx) => {
                let m = nation.ledger_models[idx as usize];
                (m, catalog::ledger_imei(&models[m], idx))
            }
            None => {
                let m = pick_model(models, &[Form::Smart, Form::Feature], rng);
                (m, ids.imei(m))
            }
        };
        let form = models[model].form;
        let op = if form == Form::Mini {
            *OPS_WITH_2G.choose(rng).expect("ops")
        } else {
            pick_op(&s.devices.market_share, rng)
        };
        let sim = ids.sim(op);
        let mut c = Contacts::default();
        for _ in 0..10 {
            let n = ids.contact(rng);
            c.push(n, rng.random_range(0.2..2.0));
        }
        handsets.push(Handset {
            id: String::new(),
            category: Category::Neighbour,
            contraband: false,
            owner: format!("{}-N{:05}", fp.id, k + 1),
            model,
            form,
            imeis: vec![(0, imei)],
            sims: vec![(0, sim)],
            plan,
            contacts: c,
            rates: [
                s.activity.calls,
                s.activity.sms,
                if form == Form::Smart {
                    s.activity.data
                } else {
                    0.0
                },
            ],
            users: Vec::new(),
            allow_listed: false,
            seized: None,
        });
    }
    // Passers-by: regular commuters on weekdays, and one-off passers.
    let roads: Vec<[u32; 4]> = layout
        .roads
        .iter()
        .map(|(a, b)| {
            let mut pts = [0u32; 4];
            for (i, p) in pts.iter_mut().enumerate() {
                let t = 0.35 + 0.1 * i as f64;
                *p = net.add_place(Xy::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t), 0);
            }
            pts
        })
        .collect();
    let regulars = (s.outside.passers_by_per_day * 0.3).round() as u32;
    let weekday = |d: u32| crate::clock::weekday(s.start, d) < 5;
    let mut passers: Vec<Vec<u32>> = (0..regulars)
        .map(|_| {
            (0..days)
                .filter(|&d| weekday(d) && rng.random_bool(0.85))
                .collect()
        })
        .collect();
    for d in 0..days {
        for _ in 0..poisson(s.outside.passers_by_per_day * 0.7, rng) {
            passers.push(vec![d]);
        }
    }
    for (k, pdays) in passers.into_iter().enumerate() {
        if pdays.is_empty() {
            continue;
        }
        let model = pick_model(models, &[Form::Smart, Form::Feature], rng);
        let imei = ids.imei(model);
        let form = models[model].form;
        let sim = ids.sim(pick_op(&s.devices.market_share, rng));
        let mut c = Contacts::default();
        for _ in 0..4 {
            let n = ids.contact(rng);
            c.push(n, 1.0);
        }
        handsets.push(Handset {
            id: String::new(),
            category: Category::Passerby,
            contraband: false,
            owner: format!("{}-P{:05}", fp.id, k + 1),
            model,
            form,
            imeis: vec![(0, imei)],
            sims: vec![(0, sim)],
            plan: Plan::Passer {
                home: far_spot(rng),
                road: *roads.choose(rng).expect("roads"),
                days: pdays,
                minute: rng.random_range(6 * 60..22 * 60),
            },
            contacts: c,
            rates: [
                s.activity.calls,
                s.activity.sms,
                if form == Form::Smart {
                    s.activity.data
                } else {
                    0.0
                },
            ],
            users: Vec::new(),
            allow_listed: false,
            seized: None,
        });
    }
    // Cheap phones sharing cloned IMEIs: neighbours' feature phones, sometimes a contraband
    // mini phone too.
    let feature_neighbours: Vec<usize> = (first_neighbour..first_neighbour + n_neighbours as usize)
        .filter(|&h| handsets[h].form == Form::Feature)
        .collect();
    for g in 0..s.devices.cloned_imei_groups {
        let imei =
            nation.cloned_imeis[(g as usize + fp.index as usize) % nation.cloned_imeis.len()];
        let size = rng.random_range(
            s.devices.cloned_group_size[0]
                ..=s.devices.cloned_group_size[1].max(s.devices.cloned_group_size[0]),
        );
        for &h in feature_neighbours.sample(rng, size as usize) {
            handsets[h].imeis = vec![(0, imei)];
        }
        if rng.random_bool(0.3)
            && let Some(&h) = contraband
                .iter()
                .filter(|&&h| handsets[h].form == Form::Mini)
                .collect::<Vec<_>>()
                .choose(rng)
        {
            handsets[*h].imeis = vec![(0, imei)];
        }
    }
    for (i, h) in handsets.iter_mut().enumerate() {
        h.id = format!("{}-H{:05}", fp.id, i + 1);
    }
    Population {
        inmates,
        handsets,
        visits,
    }
}

fn nearest_town(net: &Net, p: Xy) -> u8 {
    net.towns
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.1.dist(p).total_cmp(&b.1.1.dist(p)))
        .map_or(0, |(i, _)| i as u8 + 1)
}
