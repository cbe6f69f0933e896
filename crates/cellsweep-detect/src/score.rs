//! The probability that a device is a contraband phone inside a facility, and its evidence in
//! words.
//!
//! A logistic model over presence features and device facts. The default weights were fitted
//! once by maximum likelihood (ridge 1.0) on simulated development data (`regional`, seed 101:
//! 12,610 scored (device, facility) pairs, 2,156 of them contraband phones of that facility)
//! with `cargo run -p cellsweep-detect --example fit_model`, and are shipped as constants;
//! quality is measured on other seeds (BENCHMARKS.md). The largest weights go to the share of
//! a device's activity at night and to timing-advance consistency with the footprint: a
//! neighbour sleeps next to the wall but its timing advance puts it outside, and a visitor's
//! activity there is in the afternoon.
//! When the workspace holds past search outcomes, the model is recalibrated on them (Platt
//! scaling of the default logit): positives are devices seized in searches and seen in the data
//! before their seizure, negatives are allow-listed devices (known innocent, and often inside the
//! walls). Below [`MIN_CALIBRATION_LABELS`] labels per class, the defaults stand.

use crate::features::Presence;

/// Fewest labels per class before outcomes recalibrate the model.
pub const MIN_CALIBRATION_LABELS: usize = 5;

/// Feature names, in vector order.
pub const FEATURES: [&str; 9] = [
    "nights_ratio",
    "never_far",
    "log_far_events",
    "ta_consistency",
    "night_share",
    "covering_share",
    "inside_probability",
    "mini_phone",
    "supplier_ledger",
];

/// The model's feature vector for one candidate.
pub fn features(p: &Presence, nights_observed: u64, mini_phone: bool, ledger: bool) -> [f64; 9] {
    let cov = p.events_covering.max(1) as f64;
    let ta = if p.events_ta >= 5 {
        p.events_ta_consistent as f64 / p.events_ta as f64
    } else {
        0.5
    };
    [
        (p.nights as f64 / nights_observed.max(1) as f64).min(1.0),
        f64::from(u8::from(p.events_far == 0)),
        ((p.events_far as f64) + 1.0).ln(),
        ta,
        p.events_night as f64 / cov,
        cov / p.events_all.max(1) as f64,
        p.inside_probability,
        f64::from(u8::from(mini_phone)),
        f64::from(u8::from(ledger)),
    ]
}

/// Intercept and weights of the logistic model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    /// Intercept.
    pub bias: f64,
    /// Weights, in [`FEATURES`] order.
    pub weights: [f64; 9],
    /// Platt scaling applied to the logit: `a·logit + b`.
    pub platt: (f64, f64),
}

/// The shipped model.
pub const DEFAULT_MODEL: Model = Model {
    bias: -13.078,
    weights: [
        0.788, 1.022, -1.342, 5.303, 14.431, 2.044, -2.508, 3.570, 1.616,
    ],
    platt: (1.0, 0.0),
};

impl Model {
    /// The logit before calibration.
    pub fn raw(&self, x: &[f64; 9]) -> f64 {
        self.bias + self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f64>()
    }

    /// The calibrated probability.
    pub fn probability(&self, x: &[f64; 9]) -> f64 {
        sigmoid(self.platt.0 * self.raw(x) + self.platt.1)
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Fits a logistic regression (intercept + weights) by Newton's method with a small ridge
/// penalty; returns `(bias, weights)`. Used to fit the defaults and for Platt scaling.
pub fn fit_logistic<const N: usize>(xs: &[[f64; N]], ys: &[bool], ridge: f64) -> (f64, [f64; N]) {
    let n = N + 1;
    let mut beta = vec![0.0; n];
    for _ in 0..50 {
        let mut grad = vec![0.0; n];
        let mut hess = vec![vec![0.0; n]; n];
        for (x, &y) in xs.iter().zip(ys) {
            let mut row = Vec::with_capacity(n);
            row.push(1.0);
            row.extend_from_slice(x);
            let z: f64 = row.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let p = sigmoid(z);
            let w = (p * (1.0 - p)).max(1e-9);
            for i in 0..n {
                grad[i] += (f64::from(u8::from(y)) - p) * row[i];
                for j in 0..n {
                    hess[i][j] += w * row[i] * row[j];
                }
            }
        }
        for i in 1..n {
            grad[i] -= ridge * beta[i];
            hess[i][i] += ridge;
        }
        let step = solve(hess, grad);
        let mut moved = 0.0f64;
        for i in 0..n {
            beta[i] += step[i];
            moved = moved.max(step[i].abs());
        }
        if moved < 1e-8 {
            break;
        }
    }
    let mut w = [0.0; N];
    w.copy_from_slice(&beta[1..]);
    (beta[0], w)
}

/// Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        let d = a[c][c];
        if d.abs() < 1e-12 {
            continue;
        }
        for r in c + 1..n {
            let f = a[r][c] / d;
            let (top, bottom) = a.split_at_mut(r);
            for (x, p) in bottom[0][c..].iter_mut().zip(&top[c][c..]) {
                *x -= f * p;
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for c in (0..n).rev() {
        let s: f64 = (c + 1..n).map(|k| a[c][k] * x[k]).sum();
        x[c] = if a[c][c].abs() < 1e-12 {
            0.0
        } else {
            (b[c] - s) / a[c][c]
        };
    }
    x
}

/// Platt scaling of `model` on labelled candidates; `None` when there are too few labels.
pub fn calibrate(model: &Model, labelled: &[([f64; 9], bool)]) -> Option<Model> {
    let pos = labelled.iter().filter(|l| l.1).count();
    let neg = labelled.len() - pos;
    if pos < MIN_CALIBRATION_LABELS || neg < MIN_CALIBRATION_LABELS {
        return None;
    }
    let xs: Vec<[f64; 1]> = labelled.iter().map(|(x, _)| [model.raw(x)]).collect();
    let ys: Vec<bool> = labelled.iter().map(|l| l.1).collect();
    let (b, [a]) = fit_logistic(&xs, &ys, 1e-3);
    Some(Model {
        platt: (a, b),
        ..*model
    })
}

/// Kilometres or metres, as a prosecutor reads them.
pub fn distance(m: f64) -> String {
    if m >= 10_000.0 {
        format!("{:.0} km", m / 1_000.0)
    } else if m >= 1_000.0 {
        format!("{:.1} km", m / 1_000.0)
    } else {
        format!("{:.0} m", (m / 50.0).round() * 50.0)
    }
}

/// The presence evidence in words.
pub fn presence_words(
    p: &Presence,
    facility_name: &str,
    nights_observed: u64,
    far_m: f64,
) -> Vec<String> {
    let mut out = vec![format!(
        "seen on {} of {} nights on cells covering {facility_name} ({} of its {} events there)",
        p.nights, nights_observed, p.events_covering, p.events_all
    )];
    if p.events_far == 0 {
        out.push(format!("never seen more than {} from it", distance(far_m)));
    } else {
        out.push(format!(
            "seen {} times more than {} away, up to {}",
            p.events_far,
            distance(far_m),
            distance(p.max_distance_m)
        ));
    }
    if p.events_ta >= 5 {
        out.push(format!(
            "timing advance places it within the walls' reach in {} of {} measurements",
            p.events_ta_consistent, p.events_ta
        ));
    }
    let cov = p.events_covering.max(1) as f64;
    out.push(format!(
        "{:.0} % of its activity there at night, {:.0} % in visiting hours",
        100.0 * p.events_night as f64 / cov,
        100.0 * p.events_visiting as f64 / cov
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_fit_recovers_a_known_model() {
        // y = 1 when 2x - 1 + noise > 0, deterministic pseudo-noise.
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        let mut s = 7u64;
        for i in 0..4_000 {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            let x = (i % 100) as f64 / 50.0;
            let p = sigmoid(3.0 * x - 2.0);
            xs.push([x]);
            ys.push(u < p);
        }
        let (b, [w]) = fit_logistic(&xs, &ys, 0.0);
        assert!((w - 3.0).abs() < 0.4 && (b + 2.0).abs() < 0.4, "{b} {w}");
    }

    #[test]
    fn calibration_needs_labels_on_both_sides() {
        let few = vec![([0.0; 9], true); 10];
        assert!(calibrate(&DEFAULT_MODEL, &few).is_none());
        assert_eq!(distance(2_345.0), "2.3 km");
        assert_eq!(distance(420.0), "400 m");
        assert_eq!(distance(61_000.0), "61 km");
    }
}
