//! Lion, "EvoLved Sign Momentum" (Chen et al. 2023, "Symbolic Discovery of Optimization
//! Algorithms", arXiv 2302.06675). Not in torch.optim; simdopt follows the paper's Program 1 with
//! PyTorch's conventions (maximize negates the gradient first; decay `p·(1 − lr·wd)`).
//!
//! ```text
//! g ← −g                                   if maximize
//! p ← p·(1 − lr·wd)                        decoupled weight decay
//! c = β1·m + (1 − β1)·g
//! p ← p + (−lr)·sign(c)                    sign(±0) = ±0, sign(NaN) = NaN
//! m ← β2·m + (1 − β2)·g
//! ```
//! State slot: `exp_avg` (m).
//!
//! Spec: docs/SEMANTICS.md#lion

use crate::lanes::Lanes;
use crate::optim::{decay, Decay};
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`](super::arg::MAXIMIZE), [`WEIGHT_DECAY_ON`](super::arg::WEIGHT_DECAY_ON).
    pub const FLAGS: usize = 0;
    /// Decoupled decay factor `1 − lr·wd`.
    pub const DECAY_FACTOR: usize = 1;
    pub const BETA1: usize = 2;
    pub const ONE_MINUS_BETA1: usize = 3;
    pub const BETA2: usize = 4;
    pub const ONE_MINUS_BETA2: usize = 5;
    pub const LR: usize = 6;
    pub const LEN: usize = 7;

    pub const MAXIMIZE: u32 = 0;
    pub const WEIGHT_DECAY_ON: u32 = 1;
}

/// One Lion configuration (one slot, whatever the options).
#[derive(Clone, Copy, Debug)]
pub struct Lion {
    pub maximize: bool,
    pub decay: Decay,
    pub beta1: f32,
    pub one_minus_beta1: f32,
    pub beta2: f32,
    pub one_minus_beta2: f32,
    pub lr: f32,
}

impl Lion {
    pub fn from_args(a: &[f32]) -> Self {
        let decay = if flag(a, arg::FLAGS, arg::WEIGHT_DECAY_ON) { Decay::Decoupled(a[arg::DECAY_FACTOR]) } else { Decay::None };
        Lion {
            maximize: flag(a, arg::FLAGS, arg::MAXIMIZE),
            decay,
            beta1: a[arg::BETA1],
            one_minus_beta1: a[arg::ONE_MINUS_BETA1],
            beta2: a[arg::BETA2],
            one_minus_beta2: a[arg::ONE_MINUS_BETA2],
            lr: a[arg::LR],
        }
    }
}

impl Update for Lion {
    const SLOTS: usize = 1;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let g = if self.maximize { -g } else { g };
        let (p, g) = decay(self.decay, p, g);
        let m = s[0];
        let c = L::splat(self.beta1) * m + L::splat(self.one_minus_beta1) * g;
        s[0] = L::splat(self.beta2) * m + L::splat(self.one_minus_beta2) * g;
        p + L::splat(-self.lr) * c.sign()
    }
}

/// The exported kernel.
pub struct LionKernel;

impl OptimizerKernel for LionKernel {
    const ARGS: usize = arg::LEN;

    fn slots(_: &[f32]) -> usize {
        1
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        sweep_all::<L, _>(&Lion::from_args(a), tensors)
    }
}
