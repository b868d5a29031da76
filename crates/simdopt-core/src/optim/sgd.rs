//! SGD with momentum, dampening and Nesterov, as `torch.optim.SGD` computes it
//! (`_single_tensor_sgd`; Nesterov form of Sutskever et al. 2013).
//!
//! ```text
//! g ← −g                                   if maximize
//! g ← g + wd·p                             coupled weight decay
//! b ← g                                    first momentum step (a copy: no dampening)
//! b ← μ·b + (1 − dampening)·g              later steps
//! d = g + μ·b (nesterov) | b (momentum) | g (none)
//! p ← p + (−lr)·d
//! ```
//! State slot: `momentum_buffer` when momentum ≠ 0.

use crate::lanes::Lanes;
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`](super::arg::MAXIMIZE), [`NESTEROV`](super::arg::NESTEROV),
    /// [`MOMENTUM`](super::arg::MOMENTUM) (a buffer exists), [`FIRST_STEP`](super::arg::FIRST_STEP)
    /// (the buffer is initialised from the gradient), [`WEIGHT_DECAY`](super::arg::WEIGHT_DECAY_ON).
    pub const FLAGS: usize = 0;
    pub const WEIGHT_DECAY: usize = 1;
    pub const MOMENTUM_FACTOR: usize = 2;
    /// `1 − dampening`.
    pub const ONE_MINUS_DAMPENING: usize = 3;
    pub const LR: usize = 4;
    pub const LEN: usize = 5;

    pub const MAXIMIZE: u32 = 0;
    pub const NESTEROV: u32 = 1;
    pub const MOMENTUM: u32 = 2;
    pub const FIRST_STEP: u32 = 3;
    pub const WEIGHT_DECAY_ON: u32 = 4;
}

/// One SGD configuration; `MOMENTUM` selects the one-slot layout.
#[derive(Clone, Copy, Debug)]
pub struct Sgd<const MOMENTUM: bool> {
    pub maximize: bool,
    pub nesterov: bool,
    pub first_step: bool,
    pub weight_decay: Option<f32>,
    pub momentum: f32,
    pub one_minus_dampening: f32,
    pub lr: f32,
}

impl<const MOMENTUM: bool> Sgd<MOMENTUM> {
    pub fn from_args(a: &[f32]) -> Self {
        Sgd {
            maximize: flag(a, arg::FLAGS, arg::MAXIMIZE),
            nesterov: flag(a, arg::FLAGS, arg::NESTEROV),
            first_step: flag(a, arg::FLAGS, arg::FIRST_STEP),
            weight_decay: flag(a, arg::FLAGS, arg::WEIGHT_DECAY_ON).then(|| a[arg::WEIGHT_DECAY]),
            momentum: a[arg::MOMENTUM_FACTOR],
            one_minus_dampening: a[arg::ONE_MINUS_DAMPENING],
            lr: a[arg::LR],
        }
    }
}

impl<const MOMENTUM: bool> Update for Sgd<MOMENTUM> {
    const SLOTS: usize = MOMENTUM as usize;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let g = if self.maximize { -g } else { g };
        let g = match self.weight_decay {
            Some(wd) => g + L::splat(wd) * p,
            None => g,
        };
        let d = if MOMENTUM {
            let buf = &mut s[0];
            *buf = if self.first_step {
                g
            } else {
                *buf * L::splat(self.momentum) + L::splat(self.one_minus_dampening) * g
            };
            if self.nesterov {
                g + L::splat(self.momentum) * *buf
            } else {
                *buf
            }
        } else {
            g
        };
        p + L::splat(-self.lr) * d
    }
}

/// The exported kernel: every SGD configuration from one argument block.
pub struct SgdKernel;

impl OptimizerKernel for SgdKernel {
    const ARGS: usize = arg::LEN;

    fn slots(a: &[f32]) -> usize {
        flag(a, arg::FLAGS, arg::MOMENTUM) as usize
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        if flag(a, arg::FLAGS, arg::MOMENTUM) {
            sweep_all::<L, _>(&Sgd::<true>::from_args(a), tensors)
        } else {
            sweep_all::<L, _>(&Sgd::<false>::from_args(a), tensors)
        }
    }
}
