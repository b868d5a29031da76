//! ASGD, averaged stochastic gradient descent (Polyak & Juditsky 1992, "Acceleration of
//! Stochastic Approximation by Averaging"; Bottou 2012 for the η schedule), as
//! `torch.optim.ASGD` computes it (`_single_tensor_asgd`, torch 1.13 … 2.x: the same order).
//!
//! ```text
//! g ← −g                      if maximize
//! g ← g + wd·p                weight decay
//! p ← p·(1 − λ·η)             decay term (the factor rounded to f32 once)
//! p ← p + (−η)·g
//! ax ← p                      if μ = 1
//! ax ← ax + (p − ax)·μ        otherwise
//! ```
//! η and μ are the values before this step: per-parameter scalar state that TypeScript (`asgd.ts`)
//! advances after the step, `η ← lr/(1 + λ·lr·t)^α`, `μ ← 1/max(1, t − t0)`, each rounded to f32
//! as PyTorch keeps them in 0-dim float32 tensors. The one state slot is `ax`.
//!
//! Spec: docs/SEMANTICS.md#asgd

use crate::lanes::Lanes;
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`](super::arg::MAXIMIZE), [`WEIGHT_DECAY`](super::arg::WEIGHT_DECAY_ON),
    /// [`COPY_AX`](super::arg::COPY_AX).
    pub const FLAGS: usize = 0;
    pub const WEIGHT_DECAY: usize = 1;
    /// `1 − λ·η`.
    pub const DECAY_FACTOR: usize = 2;
    /// `−η`.
    pub const NEG_ETA: usize = 3;
    /// μ (unused when `COPY_AX`).
    pub const MU: usize = 4;
    pub const LEN: usize = 5;

    pub const MAXIMIZE: u32 = 0;
    pub const WEIGHT_DECAY_ON: u32 = 1;
    /// μ = 1: `ax` becomes a copy of the parameter (PyTorch's `ax.copy_(param)` branch).
    pub const COPY_AX: u32 = 2;
}

/// One ASGD configuration.
#[derive(Clone, Copy, Debug)]
pub struct Asgd<const COPY_AX: bool> {
    pub maximize: bool,
    /// Weight decay, or `None` when it is zero (PyTorch skips the add).
    pub weight_decay: Option<f32>,
    pub decay_factor: f32,
    pub neg_eta: f32,
    pub mu: f32,
}

impl<const COPY_AX: bool> Asgd<COPY_AX> {
    pub fn from_args(a: &[f32]) -> Self {
        Asgd {
            maximize: flag(a, arg::FLAGS, arg::MAXIMIZE),
            weight_decay: flag(a, arg::FLAGS, arg::WEIGHT_DECAY_ON).then(|| a[arg::WEIGHT_DECAY]),
            decay_factor: a[arg::DECAY_FACTOR],
            neg_eta: a[arg::NEG_ETA],
            mu: a[arg::MU],
        }
    }
}

impl<const COPY_AX: bool> Update for Asgd<COPY_AX> {
    const SLOTS: usize = 1;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let ax = &mut s[0];
        let g = if self.maximize { -g } else { g };
        // grad.add(param, alpha=weight_decay)
        let g = match self.weight_decay {
            Some(wd) => g + L::splat(wd) * p,
            None => g,
        };
        // param.mul_(1 − λη); param.add_(grad, alpha=−η)
        let p = p * L::splat(self.decay_factor);
        let p = p + L::splat(self.neg_eta) * g;
        *ax = if COPY_AX { p } else { *ax + (p - *ax) * L::splat(self.mu) };
        p
    }
}

/// The exported kernel.
pub struct AsgdKernel;

impl OptimizerKernel for AsgdKernel {
    const ARGS: usize = arg::LEN;

    fn slots(_: &[f32]) -> usize {
        1
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        if flag(a, arg::FLAGS, arg::COPY_AX) {
            sweep_all::<L, _>(&Asgd::<true>::from_args(a), tensors)
        } else {
            sweep_all::<L, _>(&Asgd::<false>::from_args(a), tensors)
        }
    }
}
