//! The summation order documented in stream.rs, written out plainly, is what the driver computes
//! with 4 lanes and with 1 lane, across block boundaries (1024 elements); and the blocked sum is
//! accurate where a plain f32 running sum is not.

mod support;

use simdopt_core::lanes::{Emu4, Lanes, Scalar};
use simdopt_core::reduce::{norm_sum_slice, Norm};
use support::Rng;

/// The documented order for Σx², literally.
fn reference_square_sum(x: &[f32]) -> f64 {
    let quads = x.len() / 4;
    let mut total = [0f64; 4];
    let mut block = [0f32; 4];
    for q in 0..quads {
        for j in 0..4 {
            block[j] += x[4 * q + j] * x[4 * q + j];
        }
        if (q + 1) % 256 == 0 || q + 1 == quads {
            for j in 0..4 {
                total[j] += block[j] as f64;
                block[j] = 0.0;
            }
        }
    }
    for t in 0..x.len() % 4 {
        let v = x[4 * quads + t];
        total[t] += (v * v) as f64;
    }
    (total[0] + total[2]) + (total[1] + total[3])
}

fn sum<L: Lanes>(x: &[f32]) -> f64 {
    norm_sum_slice::<L>(Norm::Two, x)
}

#[test]
fn driver_follows_the_documented_order_across_blocks() {
    let mut rng = Rng(7);
    for n in [0, 1, 3, 4, 5, 1023, 1024, 1025, 1027, 2048, 4099, 70_001] {
        let x = rng.vec(n, 10.0);
        let want = reference_square_sum(&x);
        assert_eq!(sum::<Emu4>(&x).to_bits(), want.to_bits(), "4 lanes, n = {n}");
        assert_eq!(sum::<Scalar>(&x).to_bits(), want.to_bits(), "1 lane, n = {n}");
    }
}

#[test]
fn blocked_sum_of_a_million_terms_is_accurate() {
    // 1 + 1e-4·k: a running f32 sum drifts by ~1e-3 relative; the blocked order stays near 1e-6.
    let n = 1_000_000;
    let x: Vec<f32> = (0..n).map(|k| 1.0 + 1e-4 * (k % 1000) as f32).collect();
    let exact: f64 = x.iter().map(|&v| v as f64).sum();
    let blocked = norm_sum_slice::<Emu4>(Norm::One, &x);
    let running = x.iter().fold(0f32, |s, &v| s + v) as f64;
    assert!(((blocked - exact) / exact).abs() < 2e-6, "blocked {blocked} vs {exact}");
    assert!(((running - exact) / exact).abs() > 1e-4, "the comparison needs a sum that drifts");
}

#[test]
fn maximum_propagates_nan_and_starts_below_everything() {
    assert_eq!(norm_sum_slice::<Emu4>(Norm::Inf, &[]), f64::NEG_INFINITY);
    assert_eq!(norm_sum_slice::<Emu4>(Norm::Inf, &[-3.0, 2.0, 0.5, -1.0, 2.5]), 3.0);
    let mut x = vec![1.0f32; 2000];
    x[1500] = f32::NAN;
    assert!(norm_sum_slice::<Emu4>(Norm::Inf, &x).is_nan());
    assert!(norm_sum_slice::<Scalar>(Norm::Inf, &x).is_nan());
}
