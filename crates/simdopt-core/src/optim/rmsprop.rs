//! RMSprop (Hinton, Lecture 6e of "Neural Networks for Machine Learning", 2012; centered variant:
//! Graves 2013, arXiv 1308.0850), as `torch.optim.RMSprop` computes it (`_single_tensor_rmsprop`).
//!
//! ```text
//! g ← −g                                   if maximize
//! g ← g + wd·p                             coupled weight decay
//! v ← α·v + ((1 − α)·g)·g
//! centered:  ḡ ← lerp(ḡ, g, 1 − α);  avg = sqrt(v − ḡ·ḡ) + eps      (not clamped: may be NaN)
//! else:      avg = sqrt(v) + eps                                      (eps outside the root)
//! momentum:  b ← μ·b + g/avg;  p ← p + (−lr)·b
//! else:      p ← p + ((−lr)·g)/avg
//! ```
//! No bias correction. State slots, in order: `square_avg`, then `momentum_buffer` when
//! momentum > 0, then `grad_avg` when centered.
//!
//! Spec: docs/SEMANTICS.md#rmsprop

use crate::lanes::Lanes;
use crate::optim::lerp;
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`](super::arg::MAXIMIZE), [`WEIGHT_DECAY_ON`](super::arg::WEIGHT_DECAY_ON),
    /// [`MOMENTUM`](super::arg::MOMENTUM) (a buffer exists), [`CENTERED`](super::arg::CENTERED).
    pub const FLAGS: usize = 0;
    pub const WEIGHT_DECAY: usize = 1;
    /// Smoothing constant `α`.
    pub const ALPHA: usize = 2;
    /// `1 − α`, computed in float64 before rounding (as Python does).
    pub const ONE_MINUS_ALPHA: usize = 3;
    pub const EPS: usize = 4;
    pub const MOMENTUM_FACTOR: usize = 5;
    pub const LR: usize = 6;
    pub const LEN: usize = 7;

    pub const MAXIMIZE: u32 = 0;
    pub const WEIGHT_DECAY_ON: u32 = 1;
    pub const MOMENTUM: u32 = 2;
    pub const CENTERED: u32 = 3;
}

/// One RMSprop configuration; `CENTERED` and `MOMENTUM` select the slot layout.
#[derive(Clone, Copy, Debug)]
pub struct Rmsprop<const CENTERED: bool, const MOMENTUM: bool> {
    pub maximize: bool,
    pub weight_decay: Option<f32>,
    pub alpha: f32,
    pub one_minus_alpha: f32,
    pub eps: f32,
    pub momentum: f32,
    pub lr: f32,
}

impl<const CENTERED: bool, const MOMENTUM: bool> Rmsprop<CENTERED, MOMENTUM> {
    pub fn from_args(a: &[f32]) -> Self {
        Rmsprop {
            maximize: flag(a, arg::FLAGS, arg::MAXIMIZE),
            weight_decay: flag(a, arg::FLAGS, arg::WEIGHT_DECAY_ON).then(|| a[arg::WEIGHT_DECAY]),
            alpha: a[arg::ALPHA],
            one_minus_alpha: a[arg::ONE_MINUS_ALPHA],
            eps: a[arg::EPS],
            momentum: a[arg::MOMENTUM_FACTOR],
            lr: a[arg::LR],
        }
    }
}

impl<const CENTERED: bool, const MOMENTUM: bool> Update for Rmsprop<CENTERED, MOMENTUM> {
    const SLOTS: usize = 1 + MOMENTUM as usize + CENTERED as usize;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        const SQUARE_AVG: usize = 0;
        const MOMENTUM_BUFFER: usize = 1;
        let grad_avg = 1 + MOMENTUM as usize;
        let g = if self.maximize { -g } else { g };
        let g = match self.weight_decay {
            Some(wd) => g + L::splat(wd) * p,
            None => g,
        };
        // square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        let v = s[SQUARE_AVG] * L::splat(self.alpha) + L::splat(self.one_minus_alpha) * g * g;
        s[SQUARE_AVG] = v;
        let root = if CENTERED {
            let ga = lerp(s[grad_avg], g, self.one_minus_alpha);
            s[grad_avg] = ga;
            // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_(): (−1·ḡ)·ḡ is exactly −ḡ².
            (v - ga * ga).sqrt()
        } else {
            v.sqrt()
        };
        let avg = root + L::splat(self.eps);
        if MOMENTUM {
            // buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)
            let b = s[MOMENTUM_BUFFER] * L::splat(self.momentum) + g / avg;
            s[MOMENTUM_BUFFER] = b;
            p + L::splat(-self.lr) * b
        } else {
            // param.addcdiv_(grad, avg, value=-lr)
            p + (L::splat(-self.lr) * g) / avg
        }
    }
}

/// The exported kernel: every RMSprop configuration from one argument block.
pub struct RmspropKernel;

impl OptimizerKernel for RmspropKernel {
    const ARGS: usize = arg::LEN;

    fn slots(a: &[f32]) -> usize {
        1 + flag(a, arg::FLAGS, arg::MOMENTUM) as usize + flag(a, arg::FLAGS, arg::CENTERED) as usize
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        match (flag(a, arg::FLAGS, arg::CENTERED), flag(a, arg::FLAGS, arg::MOMENTUM)) {
            (false, false) => sweep_all::<L, _>(&Rmsprop::<false, false>::from_args(a), tensors),
            (false, true) => sweep_all::<L, _>(&Rmsprop::<false, true>::from_args(a), tensors),
            (true, false) => sweep_all::<L, _>(&Rmsprop::<true, false>::from_args(a), tensors),
            (true, true) => sweep_all::<L, _>(&Rmsprop::<true, true>::from_args(a), tensors),
        }
    }
}
