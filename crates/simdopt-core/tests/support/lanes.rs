//! The lane-equivalence runs of lanes_equivalence.rs (torch.optim kernels) and
//! beyond_pytorch_lanes.rs (the others): one recorded configuration stepped on random data with a
//! chosen lane type, and the check that four lanes and one agree bit for bit.

use super::args::{LaneConfiguration, Run};
use super::kernels::step_with;
use super::{same_bits, Rng};
use simdopt_core::lanes::{Emu4, Lanes, Scalar};

/// Steps whose gradients carry NaN/±Inf when poisoned.
pub const POISONED_STEPS: usize = 3;
/// The step after which a run with eval/train blocks (Schedule-Free) switches to eval and back.
const SWITCH_AFTER: usize = 3;

/// Parameters and state after every recorded step of `r` over `len` elements starting `offset`
/// floats into their buffers (odd alignment), from data seeded by `seed`; `poison` puts NaN, ±Inf
/// and ±0 into the first gradients.
pub fn run<L: Lanes>(r: &Run, seed: u64, len: usize, offset: usize, poison: bool) -> (Vec<f32>, Vec<f32>) {
    let mut rng = Rng(seed ^ (len as u64 * 131 + offset as u64));
    let mut p = rng.vec(len + offset, 2.0);
    let mut grads: Vec<Vec<f32>> = (0..r.steps.len()).map(|_| rng.vec(len + offset, 3.0)).collect();
    if poison && len > 0 {
        let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0];
        for (k, g) in grads.iter_mut().enumerate().take(POISONED_STEPS) {
            for (j, s) in specials.iter().enumerate() {
                g[offset + (j * 7 + k * 3) % len] = *s;
            }
        }
    }
    let mut state = vec![0f32; offset];
    state.extend(r.initial_state(len));
    for (t, g) in grads.iter().enumerate() {
        step_with::<L>(&r.kernel, &r.steps[t], &mut p[offset..], &g[offset..], &mut state[offset..]);
        // Schedule-Free: an eval/train round trip after step 3 exercises the switch.
        if t + 1 == SWITCH_AFTER {
            for switch in [&r.eval, &r.train].into_iter().flatten() {
                step_with::<L>(&r.kernel, switch, &mut p[offset..], &g[offset..], &mut state[offset..]);
            }
        }
    }
    (p, state)
}

/// Four lanes equal one, bit for bit, for every configuration, length 0..=67, offset 0..3, with
/// and without poisoned gradients.
pub fn assert_lanes_agree(configurations: &[LaneConfiguration], seed: u64) {
    for c in configurations {
        for len in 0..=67 {
            for offset in 0..4 {
                for poison in [false, true] {
                    let (p4, s4) = run::<Emu4>(&c.run, seed, len, offset, poison);
                    let (p1, s1) = run::<Scalar>(&c.run, seed, len, offset, poison);
                    let same = p4.iter().zip(&p1).chain(s4.iter().zip(&s1)).all(|(a, b)| same_bits(*a, *b));
                    assert!(same, "{} {:?} len {len} offset {offset} poison {poison}", c.class, c.hyper);
                }
            }
        }
    }
}
