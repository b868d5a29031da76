//! Every training-kit kernel (norms, clipping, penalties, dropout, losses) gives the same bits
//! vectorised (4 emulated lanes: body + scalar tail) and scalar, on every length 0..=67, every
//! start offset 0..3, and with NaN, ±∞ and ±0 among the inputs.

mod kit_support;
mod support;

use kit_support::*;
use simdopt_core::lanes::{Emu4, Scalar};
use simdopt_core::loss::kind;
use support::Rng;

/// `len + offset` random values of magnitude `scale`; with `poison`, specials at a few places.
fn values(seed: u64, len: usize, offset: usize, scale: f32, poison: bool) -> Vec<f32> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x1000_0000_01b3) ^ (len * 131 + offset) as u64);
    let mut v = rng.vec(len + offset, scale);
    if poison && len > 0 {
        for (j, s) in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0].iter().enumerate() {
            v[offset + (j * 7 + seed as usize) % len] = *s;
        }
    }
    v
}

/// Runs `check(len, offset, poison)` over every combination.
fn every_shape(mut check: impl FnMut(usize, usize, bool)) {
    for len in 0..=67 {
        for offset in 0..4 {
            for poison in [false, true] {
                check(len, offset, poison);
            }
        }
    }
}

#[test]
fn norms_and_clipping() {
    every_shape(|len, offset, poison| {
        let grads = vec![values(1, len, offset, 3.0, poison)[offset..].to_vec(), values(2, len / 2 + 1, 0, 1.0, false)];
        for p in [1.0, 2.0, 3.0, 0.5, f32::INFINITY] {
            let four = grad_norm_sum::<Emu4>(&grads, p);
            let one = grad_norm_sum::<Scalar>(&grads, p);
            assert!(same64(four, one), "norm {p} len {len} offset {offset} poison {poison}: {four} vs {one}");
            let (mut g4, mut g1) = (grads.clone(), grads.clone());
            let t4 = clip_grad_norm::<Emu4>(&mut g4, 1.5, p);
            let t1 = clip_grad_norm::<Scalar>(&mut g1, 1.5, p);
            assert!(same(&[t4], &[t1]) && g4.iter().zip(&g1).all(|(a, b)| same(a, b)), "clip norm {p} len {len}");
        }
        let (mut g4, mut g1) = (grads.clone(), grads.clone());
        clip_grad_value::<Emu4>(&mut g4, 0.7);
        clip_grad_value::<Scalar>(&mut g1, 0.7);
        assert!(g4.iter().zip(&g1).all(|(a, b)| same(a, b)), "clip value len {len}");
    });
}

#[test]
fn penalties() {
    every_shape(|len, offset, poison| {
        let w = values(3, len, offset, 2.0, poison);
        let g = values(4, len, offset, 1.0, false);
        for l2 in [false, true] {
            for add in [false, true] {
                let (mut w4, mut g4, mut w1, mut g1) = (w.clone(), g.clone(), w.clone(), g.clone());
                let s4 = penalty::<Emu4>(l2, 0.3, add, &mut w4[offset..], &mut g4[offset..]);
                let s1 = penalty::<Scalar>(l2, 0.3, add, &mut w1[offset..], &mut g1[offset..]);
                assert!(same64(s4, s1) && same(&g4, &g1) && same(&w4, &w), "l2 {l2} add {add} len {len} offset {offset}");
                if !add || len == 0 {
                    assert!(same(&g4, &g), "the gradient changes only when asked");
                } else if !poison {
                    assert!(!same(&g4, &g), "the gradient changes when asked");
                }
            }
        }
    });
}

#[test]
fn dropout_masks() {
    every_shape(|len, offset, poison| {
        let x = values(5, len, offset, 1.0, poison);
        for p in [0.0, 0.1, 0.5, 0.9, 1.0] {
            let four = dropout::<Emu4>(42, 7, p, &x[offset..]);
            let one = dropout::<Scalar>(42, 7, p, &x[offset..]);
            assert!(same(&four, &one), "p {p} len {len} offset {offset}");
        }
    });
}

#[test]
fn pointwise_losses() {
    let kinds = [
        (kind::MSE, 0.0),
        (kind::L1, 0.0),
        (kind::HUBER, 0.7),
        (kind::SMOOTH_L1, 0.7),
        (kind::SMOOTH_L1, 0.0),
        (kind::BCE_WITH_LOGITS, 0.0),
    ];
    every_shape(|len, offset, poison| {
        let x = values(6, len, offset, 3.0, poison);
        let y = values(7, len, offset, 1.0, false);
        for (k, param) in kinds {
            let four = pointwise::<Emu4>(k, param, 0.25, &x[offset..], &y[offset..]);
            let one = pointwise::<Scalar>(k, param, 0.25, &x[offset..], &y[offset..]);
            let ok = same64(four.sum, one.sum) && same(&four.grad, &one.grad) && same(&four.out, &one.out);
            assert!(ok, "kind {k} param {param} len {len} offset {offset} poison {poison}");
            // Without gradient and outputs the pass sums the same losses.
            assert!(same64(pointwise_sum::<Emu4>(k, param, &x[offset..], &y[offset..]), four.sum));
        }
    });
}

#[test]
fn cross_entropy_rows() {
    // Row lengths 1..=67 (the vectorised axis) and a few rows, with and without label smoothing.
    every_shape(|c, offset, poison| {
        if c == 0 {
            return;
        }
        let rows = 3;
        let logits = values(8, rows * c, offset, 5.0, poison);
        let targets: Vec<i32> = (0..rows).map(|r| ((r * 5 + 1) % c) as i32).collect();
        for eps in [0.0, 0.1] {
            let four = cross_entropy::<Emu4>(c, eps, 1.0 / rows as f32, &logits[offset..], &targets).unwrap();
            let one = cross_entropy::<Scalar>(c, eps, 1.0 / rows as f32, &logits[offset..], &targets).unwrap();
            let ok = same64(four.sum, one.sum) && same(&four.grad, &one.grad) && same(&four.out, &one.out);
            assert!(ok, "classes {c} eps {eps} offset {offset} poison {poison}");
        }
    });
}
