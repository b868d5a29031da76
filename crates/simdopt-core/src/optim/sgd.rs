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
//!
//! Spec: docs/SEMANTICS.md#sgd

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
///
/// `PLAIN` is the configuration almost every training step runs (no maximize, no weight decay,
/// no Nesterov, no dampening, not the buffer's first step), with those flags known at compile
/// time: the loop then carries no per-element selects for options that are off. SGD moves so few
/// bytes per element that those selects, not memory, set its speed (momentum ran at half the
/// speed of a hand-written loop). The arithmetic is the same expression either way, so both
/// instantiations give the same bits.
#[derive(Clone, Copy, Debug)]
pub struct Sgd<const MOMENTUM: bool, const PLAIN: bool = false> {
    pub maximize: bool,
    pub nesterov: bool,
    pub first_step: bool,
    pub weight_decay: Option<f32>,
    pub momentum: f32,
    pub one_minus_dampening: f32,
    pub lr: f32,
}

impl<const MOMENTUM: bool, const PLAIN: bool> Sgd<MOMENTUM, PLAIN> {
    /// Whether these options are the `PLAIN` configuration.
    pub fn is_plain(&self) -> bool {
        !self.maximize && !self.nesterov && !self.first_step && self.weight_decay.is_none() && self.one_minus_dampening == 1.0
    }

    /// The same options as another instantiation.
    pub fn as_kind<const P: bool>(&self) -> Sgd<MOMENTUM, P> {
        Sgd {
            maximize: self.maximize,
            nesterov: self.nesterov,
            first_step: self.first_step,
            weight_decay: self.weight_decay,
            momentum: self.momentum,
            one_minus_dampening: self.one_minus_dampening,
            lr: self.lr,
        }
    }

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

impl<const MOMENTUM: bool, const PLAIN: bool> Update for Sgd<MOMENTUM, PLAIN> {
    const SLOTS: usize = MOMENTUM as usize;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let g = if !PLAIN && self.maximize { -g } else { g };
        let g = match self.weight_decay {
            Some(wd) if !PLAIN => g + L::splat(wd) * p,
            _ => g,
        };
        let d = if MOMENTUM {
            let buf = &mut s[0];
            *buf = if !PLAIN && self.first_step {
                g
            } else if PLAIN {
                // (1 − dampening) is exactly 1: the product would be g itself.
                *buf * L::splat(self.momentum) + g
            } else {
                *buf * L::splat(self.momentum) + L::splat(self.one_minus_dampening) * g
            };
            if !PLAIN && self.nesterov {
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
            let s = Sgd::<true>::from_args(a);
            if s.is_plain() {
                sweep_all::<L, _>(&s.as_kind::<true>(), tensors)
            } else {
                sweep_all::<L, _>(&s, tensors)
            }
        } else {
            let s = Sgd::<false>::from_args(a);
            if s.is_plain() {
                sweep_all::<L, _>(&s.as_kind::<true>(), tensors)
            } else {
                sweep_all::<L, _>(&s, tensors)
            }
        }
    }
}
