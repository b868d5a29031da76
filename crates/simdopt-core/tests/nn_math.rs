//! The float32 transcendentals of `nn::math` against float64, and the 4-lane build against the
//! scalar build bit for bit (the TypeScript twin is checked against the wasm builds in
//! `packages/simdopt/test/nn-math.test.ts`).
//!
//! Stated accuracy (max over 200 000 float32 of each range, evenly spaced in bit pattern):
//! * exp_neg on [−87, 0]: ≤ 2 ulp; on [−104, −87] (subnormal results): ≤ 1 ulp + 2^−149
//! * tanh on [−10, 10]: ≤ 2 ulp
//! * sigmoid on [−87, 20]: ≤ 3 ulp
//! * one_plus_erf on [−9, 6]: relative ≤ 6e-7 + x²·1.2e-7 (the x² term: e^(−x²) of a rounded x²)

mod nn_support;
mod support;

use nn_support::{erf, f32_grid, one_plus_erf as one_plus_erf64, ulps};
use simdopt_core::lanes::{Emu4, Lanes, Scalar};
use simdopt_core::nn::math::{exp_neg, one_plus_erf, sigmoid, tanh};
use support::same_bits;

fn s<F: Fn(Scalar) -> Scalar>(f: F, x: f32) -> f32 {
    f(Scalar(x)).0
}

fn max_over(grid: &[f32], err: impl Fn(f32) -> f64) -> (f64, f32) {
    grid.iter().map(|&x| (err(x), x)).fold((0.0, 0.0), |m, e| if e.0 > m.0 { e } else { m })
}

#[test]
fn references_match_known_values() {
    // mpmath at 30 digits.
    for (x, want) in [
        (0.5, 0.520_499_877_813_046_5),
        (1.0, 0.842_700_792_949_714_9),
        (2.4, 0.999_311_486_103_354_9),
        (-3.0, -0.999_977_909_503_001_4),
    ] {
        assert!((erf(x) - want).abs() < 1e-15, "erf({x}) = {}", erf(x));
    }
    for (x, want) in [(-3.0, 2.209_049_699_858_544e-5), (-5.0, 1.537_459_794_428_035e-12), (-10.0, 2.088_487_583_762_545e-45)] {
        assert!((one_plus_erf64(x) / want - 1.0).abs() < 1e-13, "1 + erf({x}) = {}", one_plus_erf64(x));
    }
}

#[test]
fn exp_neg_is_within_2_ulp() {
    let (e, at) = max_over(&f32_grid(-87.0, 0.0, 200_000), |x| ulps(s(exp_neg, x), (x as f64).exp()));
    println!("exp_neg max {e:.3} ulp at {at}");
    assert!(e <= 2.0, "exp_neg: {e} ulp at {at}");
    let tiny = 2f64.powi(-149);
    let (e, at) = max_over(&f32_grid(-104.0, -87.0, 200_000), |x| {
        let want = (x as f64).exp();
        (s(exp_neg, x) as f64 - want).abs() / (tiny + nn_support::ulp(want))
    });
    assert!(e <= 1.0, "exp_neg subnormal: {e} at {at}");
}

#[test]
fn tanh_is_within_2_ulp() {
    let (e, at) = max_over(&f32_grid(-10.0, 10.0, 200_000), |x| ulps(s(tanh, x), (x as f64).tanh()));
    println!("tanh max {e:.3} ulp at {at}");
    assert!(e <= 2.0, "tanh: {e} ulp at {at}");
}

#[test]
fn sigmoid_is_within_3_ulp() {
    let (e, at) = max_over(&f32_grid(-87.0, 20.0, 200_000), |x| ulps(s(sigmoid, x), 1.0 / (1.0 + (-(x as f64)).exp())));
    println!("sigmoid max {e:.3} ulp at {at}");
    assert!(e <= 3.0, "sigmoid: {e} ulp at {at}");
}

#[test]
fn one_plus_erf_relative_error_is_bounded() {
    let (e, at) = max_over(&f32_grid(-9.0, 6.0, 200_000), |x| {
        let want = one_plus_erf64(x as f64);
        let bound = 6e-7 + (x as f64).powi(2) * 1.2e-7;
        (s(one_plus_erf, x) as f64 - want).abs() / want / bound
    });
    println!("one_plus_erf max {e:.3} of the bound at {at}");
    assert!(e <= 1.0, "one_plus_erf: {e} of the bound at {at}");
}

#[test]
fn special_values() {
    let nan = f32::NAN;
    let inf = f32::INFINITY;
    assert_eq!(s(exp_neg, 0.0), 1.0);
    assert_eq!(s(exp_neg, -0.0), 1.0);
    assert_eq!(s(exp_neg, -inf), 0.0);
    assert_eq!(s(exp_neg, -200.0), 0.0);
    assert!(s(exp_neg, nan).is_nan());
    assert_eq!(s(tanh, 0.0).to_bits(), 0f32.to_bits());
    assert_eq!(s(tanh, -0.0).to_bits(), (-0f32).to_bits());
    assert_eq!(s(tanh, inf), 1.0);
    assert_eq!(s(tanh, -inf), -1.0);
    assert_eq!(s(tanh, 30.0), 1.0);
    assert!(s(tanh, nan).is_nan());
    assert_eq!(s(sigmoid, 0.0), 0.5);
    assert_eq!(s(sigmoid, inf), 1.0);
    assert_eq!(s(sigmoid, -inf), 0.0);
    assert!(s(sigmoid, nan).is_nan());
    assert_eq!(s(one_plus_erf, 0.0), 1.0);
    assert_eq!(s(one_plus_erf, inf), 2.0);
    assert_eq!(s(one_plus_erf, -inf), 0.0);
    assert_eq!(s(one_plus_erf, 5.0), 2.0);
    assert!(s(one_plus_erf, nan).is_nan());
}

/// Inputs for the bitwise comparison: a wide grid, the branch edges and the special values.
fn edge_inputs() -> Vec<f32> {
    let mut xs = f32_grid(-120.0, 120.0, 20_000);
    for edge in [0.625f32, 0.9, 10.5, 87.0, 104.0] {
        for k in -3i32..=3 {
            let b = (edge.to_bits() as i32 + k) as u32;
            xs.extend([f32::from_bits(b), -f32::from_bits(b)]);
        }
    }
    xs.extend([0.0, -0.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, f32::MIN_POSITIVE, 1e-40, -1e-40, f32::MAX, f32::MIN]);
    xs
}

fn emu_matches_scalar(name: &str, f4: impl Fn(Emu4) -> Emu4, f1: impl Fn(Scalar) -> Scalar) {
    let xs = edge_inputs();
    for chunk in xs.chunks(4).filter(|c| c.len() == 4) {
        let got = f4(Emu4([chunk[0], chunk[1], chunk[2], chunk[3]])).0;
        for (g, &x) in got.iter().zip(chunk) {
            let want = f1(Scalar(x)).0;
            assert!(same_bits(*g, want), "{name}({x}): 4 lanes {g} vs scalar {want}");
        }
    }
}

#[test]
fn four_lanes_equal_one_lane_bit_for_bit() {
    emu_matches_scalar("exp_neg", exp_neg, exp_neg);
    emu_matches_scalar("tanh", tanh, tanh);
    emu_matches_scalar("sigmoid", sigmoid, sigmoid);
    emu_matches_scalar("one_plus_erf", one_plus_erf, one_plus_erf);
    // Lanes of one vector do not influence each other: a NaN next to a number.
    let v = exp_neg(Emu4([f32::NAN, -1.0, f32::NEG_INFINITY, -0.5])).0;
    assert!(v[0].is_nan() && v[1] == exp_neg(Scalar(-1.0)).0 && v[2] == 0.0);
    let _ = Emu4::WIDTH;
}
