//! Dropout masks behave like independent Bernoulli(1 − p) draws: over 10^6 elements the kept
//! fraction is within 4 standard deviations of 1 − p and the output mean within 4 standard
//! deviations of the input mean; p = 0 is the identity, p = 1 gives zeros; a seed and stream
//! reproduce a mask, other streams and seeds give other masks, and backward uses the forward mask.

mod kit_support;
mod support;

use kit_support::dropout;
use simdopt_core::lanes::{Emu4, Scalar};
use support::Rng;

const N: usize = 1_000_000;

#[test]
fn kept_fraction_and_output_mean_are_within_four_sigma() {
    let x: Vec<f32> = Rng(21).vec(N, 1.0).iter().map(|v| v + 1.5).collect();
    let mean_in = x.iter().map(|&v| v as f64).sum::<f64>() / N as f64;
    let sum_sq: f64 = x.iter().map(|&v| (v as f64).powi(2)).sum();
    for (seed, p) in [(1u64, 0.1), (2, 0.5), (3, 0.9), (4, 0.25)] {
        let out = dropout::<Emu4>(seed, 0, p, &x);
        let kept = out.iter().filter(|&&v| v != 0.0).count() as f64 / N as f64;
        let sigma = (p * (1.0 - p) / N as f64).sqrt();
        assert!((kept - (1.0 - p)).abs() <= 4.0 * sigma, "p {p}: kept {kept}, sigma {sigma}");
        // out_i = x_i·m_i with E[m] = 1, Var[m] = p/(1 − p).
        let mean_out = out.iter().map(|&v| v as f64).sum::<f64>() / N as f64;
        let sigma_mean = (p / (1.0 - p) * sum_sq).sqrt() / N as f64;
        assert!((mean_out - mean_in).abs() <= 4.0 * sigma_mean, "p {p}: mean {mean_out} vs {mean_in}");
        // Kept elements are scaled by exactly 1/(1 − p) in f32.
        let scale = 1.0 / (1.0 - p) as f32;
        assert!(out.iter().zip(&x).all(|(o, i)| *o == 0.0 || *o == i * scale));
    }
}

#[test]
fn p_zero_is_identity_and_p_one_is_zeros() {
    let mut x = Rng(22).vec(1001, 5.0);
    x[3] = f32::NAN;
    let same = dropout::<Emu4>(9, 0, 0.0, &x);
    assert!(same.iter().zip(&x).all(|(a, b)| a.to_bits() == b.to_bits()));
    let zeros = dropout::<Scalar>(9, 0, 1.0, &x);
    assert!(
        zeros.iter().enumerate().all(|(i, v)| if i == 3 { v.is_nan() } else { *v == 0.0 }),
        "x·0, NaN stays NaN as in PyTorch"
    );
}

#[test]
fn seeds_and_streams_select_masks() {
    let x = vec![1.0f32; 4096];
    let mask = |seed, stream| dropout::<Emu4>(seed, stream, 0.5, &x);
    assert_eq!(mask(5, 0), mask(5, 0), "reproducible");
    // Independent masks agree on about half of the elements (4096·½ ± 4·32).
    for (a, b) in [(mask(5, 0), mask(5, 1)), (mask(5, 0), mask(6, 0)), (mask(5, 1), mask(5, 2))] {
        let agree = a.iter().zip(&b).filter(|(u, v)| u == v).count() as f64;
        assert!((agree - 2048.0).abs() <= 4.0 * 32.0, "{agree} of 4096 agree");
    }
}

#[test]
fn backward_applies_the_forward_mask() {
    // The backward pass is the same kernel on the incoming gradient with the same key.
    let x = Rng(23).vec(333, 1.0);
    let ones = vec![1.0f32; 333];
    let forward = dropout::<Emu4>(77, 3, 0.3, &x);
    let grad = dropout::<Scalar>(77, 3, 0.3, &ones);
    let scale = 1.0 / (1.0 - 0.3f64) as f32;
    for i in 0..333 {
        assert_eq!(forward[i] == 0.0 && x[i] != 0.0, grad[i] == 0.0);
        assert!(grad[i] == 0.0 || grad[i] == scale);
    }
}
