//! The vectorised path equals the scalar path bit for bit: every kernel configuration, every
//! length 0..=67, every start offset 0..3 (odd alignment), and with NaN/±Inf in the inputs.

mod support;

use simdopt_core::lanes::{Emu4, Scalar};
use support::args::{args_for, initial_state, step_with};
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
    const BOOLS: [bool; 2] = [false, true];
    // Weight decay: none, coupled, decoupled (the flag is ignored where there is no such mode).
    const DECAYS: [(f64, bool); 3] = [(0.0, false), (0.1, false), (0.1, true)];
    for maximize in BOOLS {
        for wd in [0.0, 0.1] {
            for momentum in [0.0, 0.9] {
                for centered in BOOLS {
                    let h = format!(
                        r#"{{"lr":0.01,"alpha":0.9,"eps":1e-8,"weight_decay":{wd},"momentum":{momentum},"centered":{centered},"maximize":{maximize}}}"#
                    );
                    out.push(("rmsprop", Json::parse(&h)));
                }
            }
            let h = format!(
                r#"{{"lr":0.1,"lr_decay":0.05,"weight_decay":{wd},"initial_accumulator_value":0.25,"eps":1e-10,"maximize":{maximize}}}"#
            );
            out.push(("adagrad", Json::parse(&h)));
            let h = format!(r#"{{"lr":1.0,"rho":0.9,"eps":1e-6,"weight_decay":{wd},"maximize":{maximize}}}"#);
            out.push(("adadelta", Json::parse(&h)));
            let h = format!(r#"{{"lr":0.02,"betas":[0.9,0.999],"eps":1e-8,"weight_decay":{wd},"maximize":{maximize}}}"#);
            out.push(("adamax", Json::parse(&h)));
            let h = format!(r#"{{"lr":0.01,"betas":[0.9,0.99],"weight_decay":{wd},"maximize":{maximize}}}"#);
            out.push(("lion", Json::parse(&h)));
        }
        for (wd, decoupled) in DECAYS {
            let h = format!(
                r#"{{"lr":0.02,"betas":[0.9,0.999],"eps":1e-8,"weight_decay":{wd},"momentum_decay":0.004,"decoupled_weight_decay":{decoupled},"maximize":{maximize}}}"#
            );
            out.push(("nadam", Json::parse(&h)));
            // β2 = 0.9 rectifies from step 6 on: STEPS covers both branches.
            let h = format!(
                r#"{{"lr":0.02,"betas":[0.8,0.9],"eps":1e-8,"weight_decay":{wd},"decoupled_weight_decay":{decoupled},"maximize":{maximize}}}"#
            );
            out.push(("radam", Json::parse(&h)));
        }
    }
    out
}

/// Steps per run: enough for RAdam to cross from unrectified to rectified updates.
const STEPS: usize = 8;
/// Steps whose gradients carry NaN/±Inf when poisoned.
const POISONED_STEPS: usize = 3;

fn run<L: simdopt_core::lanes::Lanes>(opt: &str, h: &Json, len: usize, offset: usize, poison: bool) -> (Vec<f32>, Vec<f32>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (len as u64 * 131 + offset as u64));
    let mut p = rng.vec(len + offset, 2.0);
    let mut grads: Vec<Vec<f32>> = (0..STEPS).map(|_| rng.vec(len + offset, 3.0)).collect();
    if poison && len > 0 {
        let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0];
        for (k, g) in grads.iter_mut().enumerate().take(POISONED_STEPS) {
            for (j, s) in specials.iter().enumerate() {
                let at = offset + (j * 7 + k * 3) % len;
                g[at] = *s;
            }
        }
    }
    let mut state = vec![0f32; offset];
    state.extend(initial_state(opt, h, len));
    for (t, g) in grads.iter().enumerate() {
        let args = args_for(opt, h, t as u32 + 1, t == 0);
        step_with::<L>(opt, &args, &mut p[offset..], &g[offset..], &mut state[offset..]);
    }
    (p, state)
}

#[test]
fn configurations_cover_every_kernel() {
    let kernels: std::collections::BTreeSet<&str> = configurations().iter().map(|(k, _)| *k).collect();
    let want = ["adadelta", "adagrad", "adam", "adamax", "lion", "nadam", "radam", "rmsprop", "sgd"];
    assert_eq!(kernels.into_iter().collect::<Vec<_>>(), want);
    // RMSprop's four slot layouts, each with and without maximize and weight decay.
    assert_eq!(configurations().iter().filter(|(k, _)| *k == "rmsprop").count(), 16);
    // RAdam runs both its unrectified (early) and rectified (ρ_t > 5) updates within STEPS.
    let rectified = |h: &Json, t: u32| (args_for("radam", h, t, false)[0] as u32) & 2 != 0;
    for (_, h) in configurations().iter().filter(|(k, _)| *k == "radam") {
        assert!(!rectified(h, 1) && rectified(h, STEPS as u32));
    }
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
