//! Rprop, resilient backpropagation (Riedmiller & Braun 1993, "A direct adaptive method for
//! faster backpropagation learning: the RPROP algorithm"), as `torch.optim.Rprop` computes it
//! (`_single_tensor_rprop`, torch 1.13 … 2.x).
//!
//! ```text
//! g ← −g                                       if maximize
//! s = sign(g·prev)                             torch.sign: NaN → 0, ±0 → 0
//! f = η+ if s > 0,  η− if s < 0,  1 otherwise
//! step_size ← clamp(step_size·f, min, max)     NaN stays NaN
//! g ← 0                                        where f = η− (the sign flipped)
//! p ← p + (−sign(g))·step_size                 addcmul_(sign(g), step_size, value=−1)
//! prev ← g
//! ```
//! A NaN gradient therefore leaves its parameter and step size as they were (torch.sign(NaN) is
//! 0) and makes `prev` NaN, which keeps the element frozen, exactly as PyTorch does.
//! State slots: `prev`, `step_size` (TypeScript fills `step_size` with lr when it is created).
//!
//! Spec: docs/SEMANTICS.md#rprop

use crate::lanes::Lanes;
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bit [`MAXIMIZE`](super::arg::MAXIMIZE).
    pub const FLAGS: usize = 0;
    /// η− (`etas[0]`), in (0, 1).
    pub const ETA_MINUS: usize = 1;
    /// η+ (`etas[1]`), > 1.
    pub const ETA_PLUS: usize = 2;
    pub const STEP_SIZE_MIN: usize = 3;
    pub const STEP_SIZE_MAX: usize = 4;
    pub const LEN: usize = 5;

    pub const MAXIMIZE: u32 = 0;
}

/// `torch.sign`: −1, 0 or +1, with 0 for NaN and for both zeros.
#[inline(always)]
pub fn torch_sign<L: Lanes>(x: L) -> L {
    let pos = L::select(x.gt(L::zero()), L::splat(1.0), L::zero());
    L::select(x.lt(L::zero()), L::splat(-1.0), pos)
}

/// One Rprop configuration.
#[derive(Clone, Copy, Debug)]
pub struct Rprop {
    pub maximize: bool,
    pub eta_minus: f32,
    pub eta_plus: f32,
    pub step_size_min: f32,
    pub step_size_max: f32,
}

impl Rprop {
    pub fn from_args(a: &[f32]) -> Self {
        Rprop {
            maximize: flag(a, arg::FLAGS, arg::MAXIMIZE),
            eta_minus: a[arg::ETA_MINUS],
            eta_plus: a[arg::ETA_PLUS],
            step_size_min: a[arg::STEP_SIZE_MIN],
            step_size_max: a[arg::STEP_SIZE_MAX],
        }
    }
}

impl Update for Rprop {
    const SLOTS: usize = 2;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let [prev, step_size, ..] = s;
        let g = if self.maximize { -g } else { g };
        let product = g * *prev;
        // sign[sign.gt(0)] = etaplus; sign[sign.lt(0)] = etaminus; sign[sign.eq(0)] = 1
        let flipped = product.lt(L::zero());
        let factor = L::select(product.gt(L::zero()), L::splat(self.eta_plus), L::splat(1.0));
        let factor = L::select(flipped, L::splat(self.eta_minus), factor);
        *step_size = (*step_size * factor).clamp(L::splat(self.step_size_min), L::splat(self.step_size_max));
        // grad[sign.eq(etaminus)] = 0
        let g = L::select(flipped, L::zero(), g);
        *prev = g;
        p + (-torch_sign(g)) * *step_size
    }
}

/// The exported kernel.
pub struct RpropKernel;

impl OptimizerKernel for RpropKernel {
    const ARGS: usize = arg::LEN;

    fn slots(_: &[f32]) -> usize {
        2
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        sweep_all::<L, _>(&Rprop::from_args(a), tensors)
    }
}
