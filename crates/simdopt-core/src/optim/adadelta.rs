//! Adadelta (Zeiler 2012, "ADADELTA: An Adaptive Learning Rate Method", arXiv 1212.5701), as
//! `torch.optim.Adadelta` computes it (`_single_tensor_adadelta`).
//!
//! ```text
//! g ← −g                                   if maximize
//! g ← g + wd·p                             coupled weight decay
//! v ← ρ·v + ((1 − ρ)·g)·g
//! Δ = (sqrt(u + eps) / sqrt(v + eps))·g    eps inside both roots; u is the previous value
//! u ← ρ·u + ((1 − ρ)·Δ)·Δ
//! p ← p + (−lr)·Δ                          PyTorch's lr factor (the paper has none)
//! ```
//! State slots, in order: `square_avg` (v), `acc_delta` (u).
//!
//! Spec: docs/SEMANTICS.md#adadelta

use crate::lanes::Lanes;
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`](super::arg::MAXIMIZE), [`WEIGHT_DECAY_ON`](super::arg::WEIGHT_DECAY_ON).
    pub const FLAGS: usize = 0;
    pub const WEIGHT_DECAY: usize = 1;
    pub const RHO: usize = 2;
    /// `1 − ρ`, computed in float64 before rounding.
    pub const ONE_MINUS_RHO: usize = 3;
    pub const EPS: usize = 4;
    pub const LR: usize = 5;
    pub const LEN: usize = 6;

    pub const MAXIMIZE: u32 = 0;
    pub const WEIGHT_DECAY_ON: u32 = 1;
}

/// One Adadelta configuration (two slots, whatever the options).
#[derive(Clone, Copy, Debug)]
pub struct Adadelta {
    pub maximize: bool,
    pub weight_decay: Option<f32>,
    pub rho: f32,
    pub one_minus_rho: f32,
    pub eps: f32,
    pub lr: f32,
}

impl Adadelta {
    pub fn from_args(a: &[f32]) -> Self {
        Adadelta {
            maximize: flag(a, arg::FLAGS, arg::MAXIMIZE),
            weight_decay: flag(a, arg::FLAGS, arg::WEIGHT_DECAY_ON).then(|| a[arg::WEIGHT_DECAY]),
            rho: a[arg::RHO],
            one_minus_rho: a[arg::ONE_MINUS_RHO],
            eps: a[arg::EPS],
            lr: a[arg::LR],
        }
    }
}

impl Update for Adadelta {
    const SLOTS: usize = 2;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let [square_avg, acc_delta, ..] = s;
        let g = if self.maximize { -g } else { g };
        let g = match self.weight_decay {
            Some(wd) => g + L::splat(wd) * p,
            None => g,
        };
        let rho = L::splat(self.rho);
        let one_minus_rho = L::splat(self.one_minus_rho);
        let eps = L::splat(self.eps);
        // square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        *square_avg = *square_avg * rho + one_minus_rho * g * g;
        // std = square_avg.add(eps).sqrt_(); delta = acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
        let std = (*square_avg + eps).sqrt();
        let delta = (*acc_delta + eps).sqrt() / std * g;
        // acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        *acc_delta = *acc_delta * rho + one_minus_rho * delta * delta;
        // param.add_(delta, alpha=-lr)
        p + L::splat(-self.lr) * delta
    }
}

/// The exported kernel.
pub struct AdadeltaKernel;

impl OptimizerKernel for AdadeltaKernel {
    const ARGS: usize = arg::LEN;

    fn slots(_: &[f32]) -> usize {
        2
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        sweep_all::<L, _>(&Adadelta::from_args(a), tensors)
    }
}
