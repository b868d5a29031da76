//! ADOPT, LAMB, Schedule-Free and Lion (not in torch.optim): the vectorised path equals the scalar path bit for bit for
//! every length 0..=67, every start offset 0..3 and with NaN/±Inf in the gradients (as
//! lanes_equivalence.rs does for the torch.optim kernels), and NaN spreads as each reference's
//! arithmetic spreads it.

mod support;

use simdopt_core::lanes::Emu4;
use support::args::{lane_configurations, LaneConfiguration, Run};
use support::lanes;

/// Every flag of every kernel (test/vectors/args/lanes.json: scripts/vectors/args-configurations.ts
/// and the registry's examples, the argument blocks TypeScript's).
fn configurations() -> Vec<LaneConfiguration> {
    lane_configurations("beyond")
}

const STEPS: usize = 6;

/// Seed of the random data (each file its own).
const SEED: u64 = 0x5DEE_CE66_D1CE_4E5B;

fn run<L: simdopt_core::lanes::Lanes>(r: &Run, len: usize, offset: usize, poison: bool) -> (Vec<f32>, Vec<f32>) {
    lanes::run::<L>(r, SEED, len, offset, poison)
}

#[test]
fn vectorised_equals_scalar_for_every_length_and_offset() {
    let configurations = configurations();
    let classes: std::collections::BTreeSet<&str> = configurations.iter().map(|c| c.class.as_str()).collect();
    // At least these (a new optimizer beyond torch.optim joins with its registry example).
    for want in ["ADOPT", "LAMB", "ScheduleFreeAdamW", "ScheduleFreeSGD"] {
        assert!(classes.contains(want), "no configuration of {want}");
    }
    for c in &configurations {
        assert_eq!(c.run.steps.len(), STEPS, "{} {:?}", c.class, c.hyper);
        // Schedule-Free switches; the others have no eval/train blocks.
        assert_eq!(c.run.eval.is_some() && c.run.train.is_some(), c.run.kernel == "schedulefree", "{}", c.class);
    }
    lanes::assert_lanes_agree(&configurations, SEED);
}

#[test]
fn nan_spreads_as_the_references_spread_it() {
    for c in configurations() {
        let opt = c.class.as_str();
        let (p, _) = run::<Emu4>(&c.run, 37, 1, true);
        let nan = p[1..].iter().filter(|x| x.is_nan()).count();
        if c.run.kernel == "lamb" {
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
