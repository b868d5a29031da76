//! Adagrad (Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for Online Learning and
//! Stochastic Optimization", JMLR 12), as `torch.optim.Adagrad` computes it
//! (`_single_tensor_adagrad`).
//!
//! ```text
//! g ← −g                                   if maximize
//! g ← g + wd·p                             coupled weight decay
//! clr = lr / (1 + (t − 1)·lr_decay)        per step, in float64 (the first step is undecayed)
//! sum ← sum + g·g
//! p ← p + ((−clr)·g) / (sqrt(sum) + eps)
//! ```
//! State slot: `sum`, filled with `initial_accumulator_value` when the optimizer is built (by
//! TypeScript; the kernel only streams).
//!
//! Spec: docs/SEMANTICS.md#adagrad

use crate::lanes::Lanes;
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`](super::arg::MAXIMIZE), [`WEIGHT_DECAY_ON`](super::arg::WEIGHT_DECAY_ON).
    pub const FLAGS: usize = 0;
    pub const WEIGHT_DECAY: usize = 1;
    /// The decayed learning rate `clr = lr / (1 + (t − 1)·lr_decay)`.
    pub const CLR: usize = 2;
    pub const EPS: usize = 3;
    pub const LEN: usize = 4;

    pub const MAXIMIZE: u32 = 0;
    pub const WEIGHT_DECAY_ON: u32 = 1;
}

/// One Adagrad configuration (one slot, whatever the options).
#[derive(Clone, Copy, Debug)]
pub struct Adagrad {
    pub maximize: bool,
    pub weight_decay: Option<f32>,
    pub clr: f32,
    pub eps: f32,
}

impl Adagrad {
    pub fn from_args(a: &[f32]) -> Self {
        Adagrad {
            maximize: flag(a, arg::FLAGS, arg::MAXIMIZE),
            weight_decay: flag(a, arg::FLAGS, arg::WEIGHT_DECAY_ON).then(|| a[arg::WEIGHT_DECAY]),
            clr: a[arg::CLR],
            eps: a[arg::EPS],
        }
    }
}

impl Update for Adagrad {
    const SLOTS: usize = 1;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let g = if self.maximize { -g } else { g };
        let g = match self.weight_decay {
            Some(wd) => g + L::splat(wd) * p,
            None => g,
        };
        // state_sum.addcmul_(grad, grad, value=1); std = state_sum.sqrt().add_(eps)
        let sum = s[0] + g * g;
        s[0] = sum;
        let std = sum.sqrt() + L::splat(self.eps);
        // param.addcdiv_(grad, std, value=-clr)
        p + (L::splat(-self.clr) * g) / std
    }
}

/// The exported kernel.
pub struct AdagradKernel;

impl OptimizerKernel for AdagradKernel {
    const ARGS: usize = arg::LEN;

    fn slots(_: &[f32]) -> usize {
        1
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        sweep_all::<L, _>(&Adagrad::from_args(a), tensors)
    }
}
