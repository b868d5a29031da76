//! RAdam, Adam with a rectified adaptive learning rate (Liu et al. 2020, "On the Variance of the
//! Adaptive Learning Rate and Beyond", arXiv 1908.03265), with optional decoupled weight decay,
//! as `torch.optim.RAdam` computes it (`_single_tensor_radam`).
//!
//! ```text
//! g ← −g                                   if maximize
//! g ← g + wd·p                             coupled weight decay
//! p ← p·(1 − lr·wd)                        decoupled weight decay
//! m ← lerp(m, g, 1 − β1)
//! v ← β2·v + ((1 − β2)·g)·g
//! m̂ = m / (1 − β1^t)
//! ρ∞ = 2/(1 − β2) − 1,  ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t)                 (per step, float64)
//! ρ_t > 5:  r = sqrt((ρ_t−4)(ρ_t−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ_t))
//!           l = (1 / (sqrt(v) + eps))·sqrt(1 − β2^t)                 eps on the uncorrected root
//!           p ← p − ((m̂·lr)·l)·r
//! else:     p ← p − m̂·lr                                              no denominator at all
//! ```
//! `scalar / tensor` is `reciprocal(tensor)·scalar` in PyTorch, hence the form of `l`.
//! TypeScript (`radam.ts`) decides the branch per step. State slots: `exp_avg`, `exp_avg_sq`.
//!
//! Spec: docs/SEMANTICS.md#radam

use crate::lanes::Lanes;
use crate::optim::Moments;
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`](super::arg::MAXIMIZE), [`RECTIFY`](super::arg::RECTIFY) (ρ_t > 5), and
    /// the weight decay mode in bits 2–3 (0 none, 1 coupled, 2 decoupled).
    pub const FLAGS: usize = 0;
    /// Coupled weight decay `wd`.
    pub const WEIGHT_DECAY: usize = 1;
    /// Decoupled decay factor `1 − lr·wd`.
    pub const DECAY_FACTOR: usize = 2;
    /// Interpolation weight of the first moment, `1 − β1`.
    pub const ONE_MINUS_BETA1: usize = 3;
    pub const BETA2: usize = 4;
    pub const ONE_MINUS_BETA2: usize = 5;
    /// `1 − β1^t`.
    pub const BIAS_CORRECTION1: usize = 6;
    pub const LR: usize = 7;
    /// `sqrt(1 − β2^t)`.
    pub const BIAS_CORRECTION2_SQRT: usize = 8;
    pub const EPS: usize = 9;
    /// The rectification term `r` (read only when rectifying).
    pub const RECT: usize = 10;
    pub const LEN: usize = 11;

    pub const MAXIMIZE: u32 = 0;
    pub const RECTIFY: u32 = 1;
    pub const DECAY_SHIFT: u32 = 2;
}

/// One RAdam configuration (two slots, whatever the options).
#[derive(Clone, Copy, Debug)]
pub struct Radam {
    pub moments: Moments,
    pub rectify: bool,
    pub bias_correction1: f32,
    pub lr: f32,
    pub bias_correction2_sqrt: f32,
    pub eps: f32,
    pub rect: f32,
}

impl Radam {
    pub fn from_args(a: &[f32]) -> Self {
        Radam {
            moments: Moments::from_args(a, arg::DECAY_SHIFT),
            rectify: flag(a, arg::FLAGS, arg::RECTIFY),
            bias_correction1: a[arg::BIAS_CORRECTION1],
            lr: a[arg::LR],
            bias_correction2_sqrt: a[arg::BIAS_CORRECTION2_SQRT],
            eps: a[arg::EPS],
            rect: a[arg::RECT],
        }
    }
}

impl Update for Radam {
    const SLOTS: usize = 2;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let [exp_avg, exp_avg_sq, ..] = s;
        let (p, _) = self.moments.update(p, g, exp_avg, exp_avg_sq);
        // bias_corrected_exp_avg * lr
        let step = *exp_avg / L::splat(self.bias_correction1) * L::splat(self.lr);
        if self.rectify {
            // (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(eps) is reciprocal(·)·scalar.
            let adaptive = L::splat(1.0) / (exp_avg_sq.sqrt() + L::splat(self.eps)) * L::splat(self.bias_correction2_sqrt);
            p - step * adaptive * L::splat(self.rect)
        } else {
            p - step
        }
    }
}

/// The exported kernel.
pub struct RadamKernel;

impl OptimizerKernel for RadamKernel {
    const ARGS: usize = arg::LEN;

    fn slots(_: &[f32]) -> usize {
        2
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        sweep_all::<L, _>(&Radam::from_args(a), tensors)
    }
}
