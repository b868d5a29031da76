//! The vectorised path equals the scalar path bit for bit: every kernel configuration, every
//! length 0..=67, every start offset 0..3 (odd alignment), and with NaN/±Inf in the inputs.

mod support;

use simdopt_core::lanes::{Emu4, Scalar};
use simdopt_core::sweep::slot_stride;
use support::args::{args_for, slot_names, step_with};
use support::json::Json;
use support::{same_bits, Rng};

/// Hyper-parameter sets covering every flag combination of every kernel.
fn configurations() -> Vec<(&'static str, Json)> {
    let mut out = Vec::new();
    for text in [
        r#"{"lr":0.05,"momentum":0,"dampening":0,"weight_decay":0,"nesterov":false,"maximize":false}"#,
        r#"{"lr":0.05,"momentum":0.9,"dampening":0.3,"weight_decay":0.1,"nesterov":false,"maximize":true}"#,
        r#"{"lr":0.05,"momentum":0.9,"dampening":0,"weight_decay":0.01,"nesterov":true,"maximize":false}"#,
    ] {
        out.push(("sgd", Json::parse(text)));
    }
    for text in [
        r#"{"lr":0.01,"betas":[0.9,0.999],"eps":1e-8,"weight_decay":0,"amsgrad":false,"maximize":false}"#,
        r#"{"lr":0.01,"betas":[0.8,0.99],"eps":1e-3,"weight_decay":0.1,"amsgrad":true,"maximize":true}"#,
        r#"{"lr":0.01,"betas":[0.3,0.9],"eps":1e-8,"weight_decay":0.1,"amsgrad":false,"maximize":false,"decoupled_weight_decay":true}"#,
    ] {
        out.push(("adam", Json::parse(text)));
    }
    out
}

fn run<L: simdopt_core::lanes::Lanes>(opt: &str, h: &Json, len: usize, offset: usize, poison: bool) -> (Vec<f32>, Vec<f32>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (len as u64 * 131 + offset as u64));
    let mut p = rng.vec(len + offset, 2.0);
    let mut grads: Vec<Vec<f32>> = (0..3).map(|_| rng.vec(len + offset, 3.0)).collect();
    if poison && len > 0 {
        let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0];
        for (k, g) in grads.iter_mut().enumerate() {
            for (j, s) in specials.iter().enumerate() {
                let at = offset + (j * 7 + k * 3) % len;
                g[at] = *s;
            }
        }
    }
    let slots = slot_names(opt, h).len();
    let stride = slot_stride(len);
    let mut state = vec![0f32; slots * stride + offset];
    for (t, g) in grads.iter().enumerate() {
        let args = args_for(opt, h, t as u32 + 1, t == 0);
        step_with::<L>(opt, &args, &mut p[offset..], &g[offset..], &mut state[offset..]);
    }
    (p, state)
}

#[test]
fn vectorised_equals_scalar_for_every_length_and_offset() {
    for (opt, h) in configurations() {
        for len in 0..=67 {
            for offset in 0..4 {
                for poison in [false, true] {
                    let (p4, s4) = run::<Emu4>(opt, &h, len, offset, poison);
                    let (p1, s1) = run::<Scalar>(opt, &h, len, offset, poison);
                    let same = p4.iter().zip(&p1).chain(s4.iter().zip(&s1)).all(|(a, b)| same_bits(*a, *b));
                    assert!(same, "{opt} {h:?} len {len} offset {offset} poison {poison}");
                }
            }
        }
    }
}

#[test]
fn nan_and_infinity_propagate_like_pytorch() {
    // A NaN gradient poisons its own element only; the others still move.
    for (opt, h) in configurations() {
        let (p, _) = run::<Emu4>(opt, &h, 37, 1, true);
        assert!(p[1..].iter().any(|x| x.is_nan()), "{opt}: NaN did not propagate");
        assert!(p[1..].iter().filter(|x| x.is_finite()).count() > 20, "{opt}: NaN spread to other elements");
    }
}
