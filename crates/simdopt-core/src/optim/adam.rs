//! Adam and AdamW (Kingma & Ba 2015, arXiv 1412.6980; Loshchilov & Hutter 2019, arXiv 1711.05101),
//! as `torch.optim.Adam` / `AdamW` compute them (`_single_tensor_adam`).
//!
//! ```text
//! g ← −g                          if maximize
//! g ← g + wd·p                    coupled weight decay (Adam)
//! p ← p·(1 − lr·wd)               decoupled weight decay (AdamW, Adam(decoupled_weight_decay))
//! m ← lerp(m, g, 1 − β1)
//! v ← β2·v + ((1 − β2)·g)·g
//! v_max ← max(v_max, v)            amsgrad: the max of the *raw* second moment
//! denom = sqrt(v or v_max) / sqrt(1 − β2^t) + eps
//! p ← p + (−lr/(1 − β1^t)·m) / denom
//! ```
//! State slots: `exp_avg`, `exp_avg_sq`, and `max_exp_avg_sq` with amsgrad.
//! TypeScript (`adam.ts`) computes the per-step scalars in float64 and writes the argument block.
//!
//! Spec: docs/SEMANTICS.md#adam-and-adamw

use crate::lanes::Lanes;
use crate::optim::Moments;
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`](super::arg::MAXIMIZE), [`AMSGRAD`](super::arg::AMSGRAD), and the weight
    /// decay mode in bits 2–3 (0 none, 1 coupled, 2 decoupled).
    pub const FLAGS: usize = 0;
    /// Coupled weight decay `wd`.
    pub const WEIGHT_DECAY: usize = 1;
    /// Decoupled decay factor `1 − lr·wd`.
    pub const DECAY_FACTOR: usize = 2;
    /// Interpolation weight of the first moment, `1 − β1`.
    pub const ONE_MINUS_BETA1: usize = 3;
    pub const BETA2: usize = 4;
    pub const ONE_MINUS_BETA2: usize = 5;
    /// `lr / (1 − β1^t)`.
    pub const STEP_SIZE: usize = 6;
    /// `sqrt(1 − β2^t)`.
    pub const BIAS_CORRECTION2_SQRT: usize = 7;
    pub const EPS: usize = 8;
    pub const LEN: usize = 9;

    pub const MAXIMIZE: u32 = 0;
    pub const AMSGRAD: u32 = 1;
    pub const DECAY_SHIFT: u32 = 2;
}

/// One Adam configuration; `AMSGRAD` selects the three-slot layout.
#[derive(Clone, Copy, Debug)]
pub struct Adam<const AMSGRAD: bool> {
    pub moments: Moments,
    pub step_size: f32,
    pub bias_correction2_sqrt: f32,
    pub eps: f32,
}

impl<const AMSGRAD: bool> Adam<AMSGRAD> {
    pub fn from_args(a: &[f32]) -> Self {
        Adam {
            moments: Moments::from_args(a, arg::DECAY_SHIFT),
            step_size: a[arg::STEP_SIZE],
            bias_correction2_sqrt: a[arg::BIAS_CORRECTION2_SQRT],
            eps: a[arg::EPS],
        }
    }
}

impl<const AMSGRAD: bool> Update for Adam<AMSGRAD> {
    const SLOTS: usize = 2 + AMSGRAD as usize;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let [exp_avg, exp_avg_sq, max_exp_avg_sq, _] = s;
        let (p, _) = self.moments.update(p, g, exp_avg, exp_avg_sq);
        let second = if AMSGRAD {
            *max_exp_avg_sq = max_exp_avg_sq.max(*exp_avg_sq);
            *max_exp_avg_sq
        } else {
            *exp_avg_sq
        };
        let denom = second.sqrt() / L::splat(self.bias_correction2_sqrt) + L::splat(self.eps);
        p + (L::splat(-self.step_size) * *exp_avg) / denom
    }
}

/// The exported kernel: Adam, AdamW and AMSGrad from one argument block.
pub struct AdamKernel;

impl OptimizerKernel for AdamKernel {
    const ARGS: usize = arg::LEN;

    fn slots(a: &[f32]) -> usize {
        if flag(a, arg::FLAGS, arg::AMSGRAD) {
            3
        } else {
            2
        }
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        if flag(a, arg::FLAGS, arg::AMSGRAD) {
            sweep_all::<L, _>(&Adam::<true>::from_args(a), tensors)
        } else {
            sweep_all::<L, _>(&Adam::<false>::from_args(a), tensors)
        }
    }
}
