//! The shared polynomial exp/log (math.rs) against the correctly rounded values (f64 libm rounded
//! to f32): at most 1 ulp (log1p: 2) over their whole normal range, the documented edges, the
//! special values, and the 4-lane build equal to the 1-lane build.

use simdopt_core::lanes::{Emu4, Scalar};
use simdopt_core::math::{exp, log, log1p_nonneg, EXP_HI, EXP_LO};

fn ulps(a: f32, b: f32) -> u32 {
    if a == b {
        return 0;
    }
    assert!(a.is_finite() && b.is_finite() && a.is_sign_negative() == b.is_sign_negative(), "{a} vs {b}");
    a.to_bits().abs_diff(b.to_bits())
}

fn exp1(x: f32) -> f32 {
    exp(Scalar(x)).0
}
fn log1(x: f32) -> f32 {
    log(Scalar(x)).0
}

/// Every `step`-th f32 bit pattern between `lo` and `hi` (both positive or both negative).
fn floats(lo: f32, hi: f32, step: u32) -> impl Iterator<Item = f32> {
    let (a, b) = (lo.to_bits().min(hi.to_bits()), lo.to_bits().max(hi.to_bits()));
    (a..=b).step_by(step as usize).map(f32::from_bits)
}

#[test]
fn exp_is_within_one_ulp_over_its_normal_range() {
    let mut worst = 0;
    for x in floats(1e-30, EXP_HI, 4001).chain(floats(-1e-30, EXP_LO, 4001)).chain([0.0, -0.0]) {
        let want = (x as f64).exp() as f32;
        let e = ulps(exp1(x), want);
        assert!(e <= 1, "exp({x}) = {} vs {want}: {e} ulp", exp1(x));
        worst = worst.max(e);
    }
    assert!(worst >= 1, "the sweep should meet some rounding error");
}

#[test]
fn log_is_within_one_ulp_including_subnormals() {
    for x in floats(f32::from_bits(1), f32::MAX, 3001) {
        let want = (x as f64).ln() as f32;
        let got = log1(x);
        assert!(ulps(got, want) <= 1, "log({x}) = {got} vs {want}");
    }
}

#[test]
fn exp_edges_and_special_values() {
    // Every float up to EXP_HI stays finite, above it is +inf; below EXP_LO is 0.
    for x in floats(88.0, EXP_HI, 1) {
        assert!(exp1(x).is_finite(), "exp({x}) overflowed");
    }
    assert_eq!(exp1(f32::from_bits(EXP_HI.to_bits() + 1)), f32::INFINITY);
    assert_eq!(exp1(f32::from_bits(EXP_LO.to_bits() + 1)), 0.0);
    assert!(exp1(EXP_LO) > 0.0);
    assert_eq!(exp1(f32::INFINITY), f32::INFINITY);
    assert_eq!(exp1(f32::NEG_INFINITY), 0.0);
    assert_eq!(exp1(0.0), 1.0);
    assert!(exp1(f32::NAN).is_nan());
}

#[test]
fn log_special_values() {
    assert_eq!(log1(1.0), 0.0);
    assert_eq!(log1(0.0), f32::NEG_INFINITY);
    assert_eq!(log1(-0.0), f32::NEG_INFINITY);
    assert!(log1(-1.0).is_nan());
    assert!(log1(f32::NEG_INFINITY).is_nan());
    assert_eq!(log1(f32::INFINITY), f32::INFINITY);
    assert!(log1(f32::NAN).is_nan());
}

#[test]
fn log1p_keeps_the_digits_of_small_arguments() {
    for u in floats(1e-30, 1.0, 1009).chain([0.0]) {
        let want = (u as f64).ln_1p() as f32;
        let got = log1p_nonneg(Scalar(u)).0;
        assert!(ulps(got, want) <= 2, "log1p({u}) = {got} vs {want}");
    }
}

#[test]
fn four_lanes_equal_one_lane() {
    let xs: Vec<f32> = floats(1e-20, 100.0, 100_003).flat_map(|x| [x, -x]).chain([f32::NAN, 0.0, f32::INFINITY]).collect();
    for chunk in xs.chunks_exact(4) {
        let v = Emu4([chunk[0], chunk[1], chunk[2], chunk[3]]);
        for (k, x) in chunk.iter().enumerate() {
            for (four, one) in [(exp(v).0[k], exp1(*x)), (log(v).0[k], log1(*x))] {
                assert!(four.to_bits() == one.to_bits() || (four.is_nan() && one.is_nan()), "{x}");
            }
        }
    }
}
