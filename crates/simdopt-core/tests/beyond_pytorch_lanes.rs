//! ADOPT, LAMB and Schedule-Free: the vectorised path equals the scalar path bit for bit for
//! every length 0..=67, every start offset 0..3 and with NaN/±Inf in the gradients (as
//! lanes_equivalence.rs does for the torch.optim kernels), and NaN spreads as each reference's
//! arithmetic spreads it.

mod support;

use simdopt_core::lanes::{Emu4, Scalar};
use support::args::{args_for, initial_state, schedulefree_switch, step_with};
use support::json::Json;
use support::{same_bits, Rng};

/// Every flag of every kernel.
fn configurations() -> Vec<(&'static str, Json)> {
    let mut out = Vec::new();
    for text in [
        r#"{"lr":0.01,"betas":[0.9,0.9999],"eps":1e-6,"clip_lambda":"step**0.25","weight_decay":0,"decouple":false,"maximize":false}"#,
        r#"{"lr":0.01,"betas":[0.5,0.9],"eps":1e-3,"clip_lambda":null,"weight_decay":0.1,"decouple":false,"maximize":true}"#,
        r#"{"lr":0.01,"betas":[0.9,0.99],"eps":1e-6,"clip_lambda":"step**0.25/4","weight_decay":0.1,"decouple":true,"maximize":false}"#,
    ] {
        out.push(("adopt", Json::parse(text)));
    }
    for text in [
        r#"{"learning_rate":0.01,"b1":0.9,"b2":0.999,"eps":1e-6,"eps_root":0,"weight_decay":0,"maximize":false}"#,
        r#"{"learning_rate":0.01,"b1":0.5,"b2":0.9,"eps":0,"eps_root":1e-4,"weight_decay":0.1,"maximize":true}"#,
    ] {
        out.push(("lamb", Json::parse(text)));
    }
    for text in [
        r#"{"lr":0.01,"betas":[0.9,0.999],"eps":1e-8,"weight_decay":0,"warmup_steps":0,"r":0,"weight_lr_power":2}"#,
        r#"{"lr":0.01,"betas":[0.5,0.9],"eps":1e-3,"weight_decay":0.1,"warmup_steps":3,"r":1,"weight_lr_power":1}"#,
    ] {
        out.push(("schedulefree_adamw", Json::parse(text)));
    }
    for text in [
        r#"{"lr":0.1,"momentum":0.9,"weight_decay":0,"warmup_steps":0,"r":0,"weight_lr_power":2}"#,
        r#"{"lr":0.1,"momentum":0.5,"weight_decay":0.1,"warmup_steps":3,"r":2,"weight_lr_power":0.5}"#,
    ] {
        out.push(("schedulefree_sgd", Json::parse(text)));
    }
    out
}

const STEPS: usize = 6;
const POISONED_STEPS: usize = 3;

fn run<L: simdopt_core::lanes::Lanes>(opt: &str, h: &Json, len: usize, offset: usize, poison: bool) -> (Vec<f32>, Vec<f32>) {
    let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B ^ (len as u64 * 131 + offset as u64));
    let mut p = rng.vec(len + offset, 2.0);
    let mut grads: Vec<Vec<f32>> = (0..STEPS).map(|_| rng.vec(len + offset, 3.0)).collect();
    if poison && len > 0 {
        let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0];
        for (k, g) in grads.iter_mut().enumerate().take(POISONED_STEPS) {
            for (j, s) in specials.iter().enumerate() {
                g[offset + (j * 7 + k * 3) % len] = *s;
            }
        }
    }
    let mut state = vec![0f32; offset];
    state.extend(initial_state(opt, h, len));
    for (t, g) in grads.iter().enumerate() {
        let args = args_for(opt, h, t as u32 + 1, t == 0);
        step_with::<L>(opt, &args, &mut p[offset..], &g[offset..], &mut state[offset..]);
        // Schedule-Free: an eval/train round trip after step 3 exercises the switch.
        if opt.starts_with("schedulefree") && t == 2 {
            for to_train in [false, true] {
                step_with::<L>(opt, &schedulefree_switch(opt, h, to_train), &mut p[offset..], &g[offset..], &mut state[offset..]);
            }
        }
    }
    (p, state)
}

#[test]
fn vectorised_equals_scalar_for_every_length_and_offset() {
    let kernels: std::collections::BTreeSet<&str> = configurations().iter().map(|(k, _)| *k).collect();
    assert_eq!(kernels.into_iter().collect::<Vec<_>>(), ["adopt", "lamb", "schedulefree_adamw", "schedulefree_sgd"]);
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
fn nan_spreads_as_the_references_spread_it() {
    for (opt, h) in configurations() {
        let (p, _) = run::<Emu4>(opt, &h, 37, 1, true);
        let nan = p[1..].iter().filter(|x| x.is_nan()).count();
        if opt == "lamb" {
            // The trust ratio is a norm over the whole tensor: one NaN reaches every element.
            assert_eq!(nan, 37, "{opt}");
        } else {
            assert!(nan > 0, "{opt}: NaN did not propagate");
            assert!(p[1..].iter().filter(|x| x.is_finite()).count() > 20, "{opt}: NaN spread to other elements");
        }
    }
}

#[test]
fn lamb_trust_ratio_is_per_tensor_and_one_at_zero_norms() {
    use simdopt_core::optim::lamb::trust_ratio;
    assert_eq!(trust_ratio(0.0, 4.0), 1.0);
    assert_eq!(trust_ratio(4.0, 0.0), 1.0);
    assert_eq!(trust_ratio(16.0, 4.0), 2.0);
    assert!(trust_ratio(f64::NAN, 1.0).is_nan());
}
