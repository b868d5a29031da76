//! One optimizer per file; each file documents its update equations, its argument block and its
//! state slots. Shared pieces of PyTorch arithmetic live here.
//!
//! Spec: docs/SEMANTICS.md#what-every-optimizer-shares

use crate::lanes::Lanes;

pub mod adadelta;
pub mod adafactor;
pub mod adagrad;
pub mod adam;
pub mod adamax;
pub mod adopt;
pub mod asgd;
pub mod lamb;
pub mod lion;
pub mod muon;
pub mod nadam;
pub mod prodigy;
pub mod radam;
pub mod rmsprop;
pub mod rprop;
pub mod schedulefree;
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

/// The opening every Adam-family update shares (Adam/AdamW, NAdam, RAdam): maximize, weight decay
/// and both moments, in PyTorch's order. Their argument blocks begin with the same six entries
/// (`FLAGS` … `ONE_MINUS_BETA2` at 0 … 5, maximize in flag bit 0); each kernel's `arg` module
/// lists the full layout and where its decay bits sit.
#[derive(Clone, Copy, Debug)]
pub struct Moments {
    pub maximize: bool,
    pub decay: Decay,
    /// Interpolation weight of the first moment, `1 − β1`.
    pub one_minus_beta1: f32,
    pub beta2: f32,
    pub one_minus_beta2: f32,
}

impl Moments {
    /// Reads entries 0 … 5 of an Adam-family argument block whose decay mode sits at `decay_shift`.
    #[inline(always)]
    pub fn from_args(a: &[f32], decay_shift: u32) -> Self {
        Moments {
            maximize: crate::sweep::flag(a, 0, 0),
            decay: Decay::from_args(a, 0, decay_shift, 1, 2),
            one_minus_beta1: a[3],
            beta2: a[4],
            one_minus_beta2: a[5],
        }
    }

    /// `g ← −g` (maximize), weight decay, `m ← lerp(m, g, 1 − β1)`, `v ← β2·v + ((1 − β2)·g)·g`.
    /// Returns the parameter after a decoupled decay and the gradient after a coupled one.
    #[inline(always)]
    pub fn update<L: Lanes>(&self, p: L, g: L, exp_avg: &mut L, exp_avg_sq: &mut L) -> (L, L) {
        let g = if self.maximize { -g } else { g };
        let (p, g) = decay(self.decay, p, g);
        *exp_avg = lerp(*exp_avg, g, self.one_minus_beta1);
        // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        *exp_avg_sq = *exp_avg_sq * L::splat(self.beta2) + L::splat(self.one_minus_beta2) * g * g;
        (p, g)
    }
}
