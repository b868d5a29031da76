//! One optimizer per file; each file documents its update equations, its argument block and its
//! state slots. Shared pieces of PyTorch arithmetic live here.

use crate::lanes::Lanes;

pub mod adadelta;
pub mod adagrad;
pub mod adam;
pub mod adamax;
pub mod lion;
pub mod nadam;
pub mod radam;
pub mod rmsprop;
pub mod sgd;

/// How weight decay enters an update.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decay {
    None,
    /// L2: `g ← g + wd·p` with the parameter before the step.
    Coupled(f32),
    /// `p ← p·factor` with `factor = 1 − lr·wd`, before the rest of the update.
    Decoupled(f32),
}

impl Decay {
    /// Reads the mode from two flag bits at `shift` (0 none, 1 coupled, 2 decoupled) and the
    /// matching scalar.
    #[inline(always)]
    pub fn from_args(a: &[f32], flags: usize, shift: u32, weight_decay: usize, factor: usize) -> Decay {
        match ((a[flags] as u32) >> shift) & 3 {
            1 => Decay::Coupled(a[weight_decay]),
            2 => Decay::Decoupled(a[factor]),
            _ => Decay::None,
        }
    }
}

/// Applies weight decay to `(p, g)`.
#[inline(always)]
pub fn decay<L: Lanes>(d: Decay, p: L, g: L) -> (L, L) {
    match d {
        Decay::None => (p, g),
        // grad.add(param, alpha=wd)
        Decay::Coupled(wd) => (p, g + L::splat(wd) * p),
        // param.mul_(1 - lr * wd)
        Decay::Decoupled(factor) => (p * L::splat(factor), g),
    }
}

/// `torch.lerp(a, b, w)` as ATen's CPU kernel computes it: `a + w·(b − a)` for |w| < 0.5, else
/// `b − (b − a)·(1 − w)` (more accurate near w = 1).
#[inline(always)]
pub fn lerp<L: Lanes>(a: L, b: L, w: f32) -> L {
    if w.abs() < 0.5 {
        a + L::splat(w) * (b - a)
    } else {
        b - (b - a) * L::splat(1.0 - w)
    }
}
