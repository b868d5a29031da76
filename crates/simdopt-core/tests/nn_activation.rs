//! Activation kernels (`nn::activation`): 4-lane build equals scalar build bit for bit on every
//! length 0..=19 (every tail) and on special values, and forward and backward equal their float64
//! formulas within error bounds relative to the magnitude of the terms (which is what float32
//! evaluation can promise where a derivative crosses zero):
//!
//! * ReLU: exact. Tanh, Sigmoid backward: |err| ≤ 4·2^−24·|dy|·(1 + |y|).
//! * GELU forward: |err| ≤ (1e-6 + 2e-7·x²)·|y|; backward: ≤ (2e-6 + 2e-7·x²)·|dy|·(|Φ| + |x·φ|).
//! * GELU tanh: forward ≤ 4e-7·(|y| + |x|·|1 − tanh(inner)|·(1 + |inner|)), backward ≤
//!   |dy|·(2e-6·Σ|terms| + 1.2e-7·(1 + |x|·√(2/π)·(1 + 3·0.044715·x²))) (tanh's absolute error).

mod nn_support;
mod support;

use nn_support::{f32_grid, one_plus_erf};
use simdopt_core::lanes::{Emu4, Scalar};
use simdopt_core::nn::activation::{backward_slices, forward_slices, Activation};
use support::{same_bits, Rng};

const KINDS: [Activation; 5] = [Activation::Relu, Activation::Tanh, Activation::Sigmoid, Activation::Gelu, Activation::GeluTanh];

fn inputs(len: usize, seed: u64) -> Vec<f32> {
    let specials = [0.0, -0.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e-40, -3.0, 12.0];
    let mut r = Rng(seed);
    (0..len).map(|i| if i % 5 == 3 { specials[(i / 5) % specials.len()] } else { r.f32(8.0) }).collect()
}

#[test]
fn four_lanes_equal_one_lane_on_every_length() {
    for kind in KINDS {
        for len in 0..=19 {
            let x = inputs(len, 7 + len as u64);
            let dy = inputs(len, 99 + len as u64);
            let (mut y4, mut y1) = (vec![0.0; len], vec![0.0; len]);
            forward_slices::<Emu4>(kind, &x, &mut y4);
            forward_slices::<Scalar>(kind, &x, &mut y1);
            assert!(y4.iter().zip(&y1).all(|(a, b)| same_bits(*a, *b)), "{kind:?} forward, len {len}");
            let saved = if kind.saves_output() { &y1 } else { &x };
            let (mut d4, mut d1) = (vec![0.0; len], vec![0.0; len]);
            backward_slices::<Emu4>(kind, saved, &dy, &mut d4);
            backward_slices::<Scalar>(kind, saved, &dy, &mut d1);
            assert!(d4.iter().zip(&d1).all(|(a, b)| same_bits(*a, *b)), "{kind:?} backward, len {len}");
        }
    }
}

#[test]
fn in_place_equals_out_of_place() {
    for kind in KINDS {
        let x = inputs(23, 5);
        let mut y = vec![0.0; 23];
        forward_slices::<Emu4>(kind, &x, &mut y);
        let mut inplace = x.clone();
        let copy = inplace.clone();
        forward_slices::<Emu4>(kind, &copy, &mut inplace);
        assert!(inplace.iter().zip(&y).all(|(a, b)| same_bits(*a, *b)), "{kind:?}");
    }
}

#[test]
fn relu_is_exact_and_keeps_nan() {
    let x = [-2.0, -0.0, 0.0, 3.5, f32::NAN, f32::INFINITY];
    let mut y = [9.0; 6];
    forward_slices::<Emu4>(Activation::Relu, &x, &mut y);
    assert_eq!(&y[..4], &[0.0, 0.0, 0.0, 3.5]);
    assert_eq!(y[1].to_bits(), 0, "relu(−0) = +0, as clamp_min(0)");
    assert!(y[4].is_nan() && y[5] == f32::INFINITY);
    let mut dx = [0.0; 6];
    backward_slices::<Emu4>(Activation::Relu, &y, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &mut dx);
    // threshold_backward: zero where the output is ≤ 0; a NaN output lets the gradient through.
    assert_eq!(dx, [0.0, 0.0, 0.0, 4.0, 5.0, 6.0]);
}

fn check(
    kind: Activation,
    range: (f32, f32),
    bound: impl Fn(f64, f64, f64, f64) -> (f64, f64),
    exact: impl Fn(f64) -> (f64, f64),
) {
    // bound(x, dy, y64, dx64) -> (forward tolerance, backward tolerance)
    let x = f32_grid(range.0, range.1, 100_000);
    let mut r = Rng(31);
    let dy: Vec<f32> = x.iter().map(|_| r.f32(2.0)).collect();
    let mut y = vec![0.0; x.len()];
    forward_slices::<Scalar>(kind, &x, &mut y);
    let saved = if kind.saves_output() { y.clone() } else { x.clone() };
    let mut dx = vec![0.0; x.len()];
    backward_slices::<Scalar>(kind, &saved, &dy, &mut dx);
    for j in 0..x.len() {
        let (xv, dyv) = (x[j] as f64, dy[j] as f64);
        let (y64, slope64) = exact(xv);
        // Tanh and Sigmoid differentiate through the float32 output they saved, as PyTorch does.
        let slope64 = match kind {
            Activation::Tanh => 1.0 - (y[j] as f64).powi(2),
            Activation::Sigmoid => (1.0 - y[j] as f64) * y[j] as f64,
            _ => slope64,
        };
        let (tf, tb) = bound(xv, dyv, y64, slope64);
        assert!((y[j] as f64 - y64).abs() <= tf, "{kind:?}({xv}) = {} vs {y64}", y[j]);
        assert!((dx[j] as f64 - dyv * slope64).abs() <= tb, "{kind:?}'({xv})·{dyv} = {} vs {}", dx[j], dyv * slope64);
    }
}

const U: f64 = 1.0 / (1u64 << 24) as f64;

#[test]
fn tanh_and_sigmoid_match_float64() {
    let ulp = |v: f64| nn_support::ulp(v);
    check(
        Activation::Tanh,
        (-12.0, 12.0),
        |_, dy, y, _| (2.0 * ulp(y), 4.0 * U * dy.abs() * (1.0 + y.abs())),
        |x| (x.tanh(), 1.0 - x.tanh().powi(2)),
    );
    check(
        Activation::Sigmoid,
        (-80.0, 30.0),
        |_, dy, y, _| (3.0 * ulp(y), 4.0 * U * dy.abs() * (1.0 + y.abs())),
        |x| {
            let s = 1.0 / (1.0 + (-x).exp());
            (s, s * (1.0 - s))
        },
    );
}

#[test]
fn gelu_matches_float64() {
    let cdf = |x: f64| 0.5 * one_plus_erf(x / 2f64.sqrt());
    let pdf = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    check(
        Activation::Gelu,
        (-12.0, 12.0),
        |x, dy, y, _| ((1e-6 + 2e-7 * x * x) * y.abs(), (2e-6 + 2e-7 * x * x) * dy.abs() * (cdf(x).abs() + (x * pdf(x)).abs())),
        |x| (x * cdf(x), cdf(x) + x * pdf(x)),
    );
}

#[test]
fn gelu_tanh_matches_float64() {
    let beta = (2.0 / std::f64::consts::PI).sqrt();
    let inner = move |x: f64| beta * (x + 0.044715 * x * x * x);
    let terms = move |x: f64| {
        let t = inner(x).tanh();
        (0.5 * (1.0 + t), 0.5 * x * (1.0 - t * t) * beta * (1.0 + 3.0 * 0.044715 * x * x))
    };
    check(
        Activation::GeluTanh,
        (-12.0, 12.0),
        move |x, dy, y, _| {
            let t = inner(x).tanh();
            let (l, r) = terms(x);
            // tanh(inner) carries an absolute error of ~2^−24 that (1 + t) and (1 − t²) expose.
            let slope_floor = 1.2e-7 * (1.0 + x.abs() * beta * (1.0 + 3.0 * 0.044715 * x * x));
            (
                4e-7 * (y.abs() + x.abs() * (1.0 - t) * (1.0 + inner(x).abs())),
                dy.abs() * (2e-6 * (l.abs() + r.abs()) + slope_floor),
            )
        },
        move |x| {
            let (l, r) = terms(x);
            (0.5 * x * (1.0 + inner(x).tanh()), l + r)
        },
    );
}
