//! Losses against their closed forms evaluated in float64, and their gradients against central
//! finite differences of those closed forms (float64), for random inputs; extreme logits (±1e4)
//! give finite, correct values and gradients.
//!
//! Tolerances: loss sums within 1e−6 of Σ|ℓ| (float32 rounding of each term and of the 4-lane
//! sums); gradients within 1e−5·max(1, |fd|) of the finite difference (step h = 1e−4, whose
//! truncation error is below 1e−8 for these functions); elements within 1e−3 of a kink
//! (|d| = δ, β, or d = 0 for L1) are skipped, where a finite difference is not a derivative.

mod kit_support;
mod support;

use kit_support::{cross_entropy, pointwise, LossRun};
use simdopt_core::lanes::{Emu4, Scalar};
use simdopt_core::loss::kind;
use support::Rng;

const H: f64 = 1e-4;

/// ℓ(x, y) of each element-wise kind, in f64.
fn closed_form(k: u32, param: f64, x: f64, y: f64) -> f64 {
    let d = x - y;
    let a = d.abs();
    match k {
        kind::MSE => d * d,
        kind::L1 => a,
        kind::HUBER if a < param => 0.5 * d * d,
        kind::HUBER => param * (a - 0.5 * param),
        kind::SMOOTH_L1 if a < param => 0.5 * d * d / param,
        kind::SMOOTH_L1 => a - 0.5 * param,
        _ => x.max(0.0) - x * y + (-x.abs()).exp().ln_1p(),
    }
}

/// Distance of x from the nearest point where ℓ(·, y) is not differentiable.
fn kink_distance(k: u32, param: f64, x: f64, y: f64) -> f64 {
    let a = (x - y).abs();
    match k {
        kind::L1 => a,
        kind::HUBER | kind::SMOOTH_L1 if param > 0.0 => (a - param).abs(),
        kind::SMOOTH_L1 => a,
        _ => f64::INFINITY,
    }
}

fn check_pointwise(k: u32, param: f32, x: &[f32], y: &[f32]) {
    let n = x.len();
    for (scale, divisor) in [(1.0f32, 1.0f64), (1.0 / n as f32, n as f64)] {
        let run = pointwise::<Emu4>(k, param, scale, x, y);
        let terms: Vec<f64> = x.iter().zip(y).map(|(&a, &b)| closed_form(k, param as f64, a as f64, b as f64)).collect();
        let want: f64 = terms.iter().sum();
        let magnitude: f64 = terms.iter().map(|t| t.abs()).sum();
        assert!((run.sum - want).abs() <= 1e-6 * magnitude, "kind {k}: sum {} vs {want}", run.sum);
        for i in 0..n {
            let (xi, yi) = (x[i] as f64, y[i] as f64);
            assert!((run.out[i] as f64 - terms[i]).abs() <= 1e-6 * terms[i].abs().max(1e-3), "kind {k} element {i}");
            if kink_distance(k, param as f64, xi, yi) < 1e-3 {
                continue;
            }
            let fd = (closed_form(k, param as f64, xi + H, yi) - closed_form(k, param as f64, xi - H, yi)) / (2.0 * H) / divisor;
            let g = run.grad[i] as f64;
            assert!((g - fd).abs() <= 1e-5 * fd.abs().max(1.0 / divisor), "kind {k} element {i}: grad {g} vs {fd}");
        }
    }
}

#[test]
fn pointwise_losses_match_closed_forms_and_finite_differences() {
    let mut rng = Rng(11);
    let x = rng.vec(203, 4.0);
    let y = rng.vec(203, 2.0);
    let probabilities: Vec<f32> = rng.vec(203, 0.5).iter().map(|v| v + 0.5).collect();
    for (k, param) in [
        (kind::MSE, 0.0),
        (kind::L1, 0.0),
        (kind::HUBER, 1.0),
        (kind::HUBER, 0.3),
        (kind::SMOOTH_L1, 1.0),
        (kind::SMOOTH_L1, 0.3),
    ] {
        check_pointwise(k, param, &x, &y);
    }
    check_pointwise(kind::BCE_WITH_LOGITS, 0.0, &x, &probabilities);
}

#[test]
fn smooth_l1_with_beta_zero_is_l1() {
    let mut rng = Rng(12);
    let (x, y) = (rng.vec(37, 3.0), rng.vec(37, 3.0));
    let l1 = pointwise::<Emu4>(kind::L1, 0.0, 1.0, &x, &y);
    let s = pointwise::<Emu4>(kind::SMOOTH_L1, 0.0, 1.0, &x, &y);
    assert_eq!((l1.sum, &l1.grad, &l1.out), (s.sum, &s.grad, &s.out));
}

/// Cross-entropy of one row in f64: logsumexp(x) − Σ_j t_j·x_j.
fn ce_row(x: &[f64], y: usize, eps: f64) -> f64 {
    let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
    let c = x.len() as f64;
    x.iter().enumerate().map(|(j, v)| (eps / c + if j == y { 1.0 - eps } else { 0.0 }) * (lse - v)).sum()
}

fn check_cross_entropy(c: usize, eps: f32, logits: &[f32], targets: &[i32], rel: f64) -> LossRun {
    let rows = targets.len();
    let run = cross_entropy::<Emu4>(c, eps, 1.0 / rows as f32, logits, targets).unwrap();
    let mut want = 0.0;
    for r in 0..rows {
        let row: Vec<f64> = logits[r * c..(r + 1) * c].iter().map(|&v| v as f64).collect();
        let y = targets[r] as usize;
        let loss = ce_row(&row, y, eps as f64);
        want += loss;
        assert!((run.out[r] as f64 - loss).abs() <= rel * loss.abs().max(1.0), "row {r}: {} vs {loss}", run.out[r]);
        for j in 0..c {
            let mut plus = row.clone();
            let mut minus = row.clone();
            plus[j] += H;
            minus[j] -= H;
            let fd = (ce_row(&plus, y, eps as f64) - ce_row(&minus, y, eps as f64)) / (2.0 * H) / rows as f64;
            let g = run.grad[r * c + j] as f64;
            assert!(g.is_finite() && (g - fd).abs() <= 1e-5 / rows as f64, "row {r} class {j}: grad {g} vs {fd}");
        }
    }
    assert!((run.sum - want).abs() <= rel * want.abs().max(1.0), "sum {} vs {want}", run.sum);
    run
}

#[test]
fn cross_entropy_matches_closed_form_and_finite_differences() {
    let mut rng = Rng(13);
    for (c, rows) in [(1, 4), (3, 5), (10, 7), (37, 3)] {
        let logits = rng.vec(rows * c, 6.0);
        let targets: Vec<i32> = (0..rows).map(|r| (r * 7 % c) as i32).collect();
        for eps in [0.0, 0.1, 1.0] {
            check_cross_entropy(c, eps, &logits, &targets, 1e-6);
        }
    }
}

#[test]
fn extreme_logits_give_finite_values_and_gradients() {
    // BCE: the loss is max(x, 0) − x·y exactly, the gradient σ(x) − y ∈ {−y, 1 − y}.
    let x = [1e4f32, -1e4, 1e4, -1e4, 1e4, -1e4, 0.0];
    let y = [0.0f32, 0.0, 1.0, 1.0, 0.3, 0.3, 0.5];
    let run = pointwise::<Scalar>(kind::BCE_WITH_LOGITS, 0.0, 1.0, &x, &y);
    for i in 0..x.len() {
        let want = (x[i] as f64).max(0.0) - x[i] as f64 * y[i] as f64 + if x[i] == 0.0 { 2f64.ln() } else { 0.0 };
        let sigmoid = if x[i] > 0.0 {
            1.0
        } else if x[i] < 0.0 {
            0.0
        } else {
            0.5
        };
        assert!((run.out[i] as f64 - want).abs() <= 1e-3, "bce {}: {} vs {want}", x[i], run.out[i]);
        assert_eq!(run.grad[i], sigmoid - y[i], "bce grad at {}", x[i]);
    }
    // Cross-entropy: rows mixing ±1e4 with ordinary logits.
    let logits = [1e4f32, -1e4, 0.0, -1e4, 1e4, 3.0, -1e4, -1e4, -1e4];
    let run = check_cross_entropy(3, 0.1, &logits, &[1, 1, 2], 1e-6);
    assert!(run.out.iter().all(|v| v.is_finite()) && run.grad.iter().all(|v| v.is_finite()));
    assert!((run.out[0] as f64 - (0.9 * 2e4 + 0.1 / 3.0 * (0.0 + 2e4 + 1e4))).abs() < 1e-2);
}

#[test]
fn out_of_range_targets_and_bad_shapes_are_refused() {
    let logits = [0.0f32; 6];
    assert!(cross_entropy::<Scalar>(3, 0.0, 1.0, &logits, &[0, 3]).is_none(), "target = C");
    assert!(cross_entropy::<Scalar>(3, 0.0, 1.0, &logits, &[-1, 0]).is_none(), "negative target");
    assert!(cross_entropy::<Scalar>(4, 0.0, 1.0, &logits, &[0, 1]).is_none(), "6 logits are not 2 rows of 4");
    assert!(cross_entropy::<Scalar>(3, 1.5, 1.0, &logits, &[0, 1]).is_none(), "label smoothing above 1");
    assert!(cross_entropy::<Scalar>(3, 0.0, 1.0, &logits, &[0, 2]).is_some());
}
