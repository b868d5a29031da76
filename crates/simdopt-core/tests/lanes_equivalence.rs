//! The vectorised path equals the scalar path bit for bit: every kernel configuration, every
//! length 0..=67, every start offset 0..3 (odd alignment), and with NaN/±Inf in the inputs.
//! The configurations and their argument blocks are TypeScript's (test/vectors/args/lanes.json,
//! written by scripts/vectors/args.ts from scripts/vectors/args-configurations.ts and the
//! registry's examples); this file takes the torch.optim ones, beyond_pytorch_lanes.rs the rest.

mod support;

use simdopt_core::lanes::Emu4;
use support::args::{lane_configurations, LaneConfiguration, Run};
use support::kernels::KERNEL_NAMES;
use support::lanes;

/// Steps per run: enough for RAdam to cross from unrectified to rectified updates.
const STEPS: usize = 8;

fn configurations() -> Vec<LaneConfiguration> {
    lane_configurations("torch")
}

/// Seed of the random data (each file its own).
const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

fn run<L: simdopt_core::lanes::Lanes>(r: &Run, len: usize, offset: usize, poison: bool) -> (Vec<f32>, Vec<f32>) {
    lanes::run::<L>(r, SEED, len, offset, poison)
}

#[test]
fn configurations_cover_every_kernel() {
    let configurations = configurations();
    assert!(configurations.iter().all(|c| c.run.steps.len() == STEPS), "every torch.optim configuration has {STEPS} blocks");
    let kernels: std::collections::BTreeSet<&str> = configurations.iter().map(|c| c.run.kernel.as_str()).collect();
    // At least these (a new torch.optim optimizer joins with its registry example; Lion, not in
    // torch.optim, runs in beyond_pytorch_lanes.rs).
    for want in ["adadelta", "adagrad", "adam", "adamax", "asgd", "nadam", "radam", "rmsprop", "rprop", "sgd"] {
        assert!(kernels.contains(want), "no configuration runs {want}");
    }
    // Together with beyond_pytorch_lanes.rs, every kernel of the table but Prodigy's (two passes:
    // tests/prodigy.rs) runs here.
    let beyond = lane_configurations("beyond");
    for k in KERNEL_NAMES.iter().filter(|k| **k != "prodigy") {
        assert!(configurations.iter().chain(&beyond).any(|c| c.run.kernel == *k), "no lane configuration runs {k}");
    }
    // RMSprop's four slot layouts, each with and without maximize and weight decay.
    assert_eq!(configurations.iter().filter(|c| c.run.kernel == "rmsprop").count(), 16);
    // RAdam runs both its unrectified (early) and rectified (ρ_t > 5) updates within STEPS.
    let rectified = |r: &Run, t: usize| (r.steps[t - 1][0] as u32) & 2 != 0;
    let radam: Vec<_> = configurations.iter().filter(|c| c.run.kernel == "radam").collect();
    assert_eq!(radam.len(), 6);
    for c in radam {
        assert!(!rectified(&c.run, 1) && rectified(&c.run, STEPS), "{:?}", c.hyper);
    }
}

#[test]
fn vectorised_equals_scalar_for_every_length_and_offset() {
    lanes::assert_lanes_agree(&configurations(), SEED);
}

#[test]
fn nan_and_infinity_propagate_like_pytorch() {
    // A NaN gradient poisons its own element only; the others still move. Rprop is the exception
    // PyTorch makes: torch.sign(NaN) = 0 leaves that element as it was, so nothing turns NaN.
    for c in configurations() {
        let (p, _) = run::<Emu4>(&c.run, 37, 1, true);
        if c.run.kernel == "rprop" {
            assert!(p[1..].iter().all(|x| !x.is_nan()), "{}: NaN reached a parameter", c.class);
        } else {
            assert!(p[1..].iter().any(|x| x.is_nan()), "{}: NaN did not propagate", c.class);
        }
        assert!(p[1..].iter().filter(|x| x.is_finite()).count() > 20, "{}: NaN spread to other elements", c.class);
    }
}
