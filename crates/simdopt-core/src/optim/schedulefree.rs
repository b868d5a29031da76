//! Schedule-Free AdamW and SGD (Defazio et al. 2024, "The Road Less Scheduled", arXiv
//! 2405.15682), as facebookresearch/schedule_free `schedulefree/adamw_schedulefree.py` and
//! `sgd_schedulefree.py` compute them. The parameter holds y (the training point); z is kept in
//! state; the evaluation point x is reached by `eval()`.
//!
//! ```text
//! first step of a parameter: z ← p                       (torch.clone(p))
//! AdamW:  v ← β2·v + ((1 − β2)·g)·g;  d = g / (sqrt(v / (1 − β2^(k+1))) + eps)
//! SGD:    d = g
//! d ← d + wd·y                                           if weight decay
//! y ← lerp(y, z, c);  y ← y + (lr·(β·(1 − c) − 1))·d;  z ← z − lr·d
//! switch (train/eval):  p ← lerp(p, z, w)                 eval: w = 1 − 1/β, train: w = 1 − β
//! ```
//! β is β1 (AdamW) or the momentum (SGD). The group-wide scalars — the warmed-up lr, the weight
//! sum and `c = weight / weight_sum` — are computed by TypeScript (`schedulefree.ts`) once per
//! step. State slots: `z`, and `exp_avg_sq` for AdamW.
//!
//! Spec: docs/SEMANTICS.md#schedule-free-adamw-and-sgd

use crate::lanes::Lanes;
use crate::optim::lerp;
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`ADAPTIVE`], [`FIRST`], [`WEIGHT_DECAY_ON`], [`SWITCH`].
    pub const FLAGS: usize = 0;
    pub const WEIGHT_DECAY: usize = 1;
    pub const BETA2: usize = 2;
    pub const ONE_MINUS_BETA2: usize = 3;
    /// `1 − β2^(k+1)`.
    pub const BIAS_CORRECTION2: usize = 4;
    pub const EPS: usize = 5;
    /// The interpolation weight `c` of the step, or `w` of a switch.
    pub const WEIGHT: usize = 6;
    /// `lr·(β·(1 − c) − 1)`.
    pub const Y_ALPHA: usize = 7;
    /// The warmed-up lr.
    pub const LR: usize = 8;
    pub const LEN: usize = 9;

    /// AdamW (second moment, slot `exp_avg_sq`); SGD without it.
    pub const ADAPTIVE: u32 = 0;
    /// The parameter's first step: z starts as a copy of p.
    pub const FIRST: u32 = 1;
    pub const WEIGHT_DECAY_ON: u32 = 2;
    /// Not a step: move p towards z by `WEIGHT` (train/eval), nothing else changes.
    pub const SWITCH: u32 = 3;
}

/// One Schedule-Free step; `ADAPTIVE` selects AdamW.
#[derive(Clone, Copy, Debug)]
pub struct ScheduleFree<const ADAPTIVE: bool, const FIRST: bool> {
    pub weight_decay: Option<f32>,
    pub beta2: f32,
    pub one_minus_beta2: f32,
    pub bias_correction2: f32,
    pub eps: f32,
    pub ckp1: f32,
    pub y_alpha: f32,
    pub lr: f32,
}

impl<const ADAPTIVE: bool, const FIRST: bool> ScheduleFree<ADAPTIVE, FIRST> {
    pub fn from_args(a: &[f32]) -> Self {
        ScheduleFree {
            weight_decay: flag(a, arg::FLAGS, arg::WEIGHT_DECAY_ON).then(|| a[arg::WEIGHT_DECAY]),
            beta2: a[arg::BETA2],
            one_minus_beta2: a[arg::ONE_MINUS_BETA2],
            bias_correction2: a[arg::BIAS_CORRECTION2],
            eps: a[arg::EPS],
            ckp1: a[arg::WEIGHT],
            y_alpha: a[arg::Y_ALPHA],
            lr: a[arg::LR],
        }
    }
}

impl<const ADAPTIVE: bool, const FIRST: bool> Update for ScheduleFree<ADAPTIVE, FIRST> {
    const SLOTS: usize = 1 + ADAPTIVE as usize;

    #[inline(always)]
    fn update<L: Lanes>(&self, y: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let [z, exp_avg_sq, _, _] = s;
        if FIRST {
            *z = y;
        }
        let mut d = g;
        if ADAPTIVE {
            // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            *exp_avg_sq = *exp_avg_sq * L::splat(self.beta2) + L::splat(self.one_minus_beta2) * g * g;
            // exp_avg_sq.div(bias_correction2).sqrt_().add_(eps)
            let denom = (*exp_avg_sq / L::splat(self.bias_correction2)).sqrt() + L::splat(self.eps);
            d = g / denom;
        }
        if let Some(wd) = self.weight_decay {
            d = d + L::splat(wd) * y;
        }
        let y = lerp(y, *z, self.ckp1);
        let y = y + L::splat(self.y_alpha) * d;
        *z = *z - L::splat(self.lr) * d;
        y
    }
}

/// The train/eval switch: `p ← lerp(p, z, w)`.
#[derive(Clone, Copy, Debug)]
pub struct Switch {
    pub weight: f32,
}

impl Update for Switch {
    const SLOTS: usize = 1;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, _: L, s: &mut [L; MAX_SLOTS]) -> L {
        lerp(p, s[0], self.weight)
    }
}

/// The exported kernel: both optimizers, first and later steps, and the switch.
pub struct ScheduleFreeKernel;

impl OptimizerKernel for ScheduleFreeKernel {
    const ARGS: usize = arg::LEN;

    fn slots(a: &[f32]) -> usize {
        if flag(a, arg::FLAGS, arg::SWITCH) {
            1
        } else {
            1 + flag(a, arg::FLAGS, arg::ADAPTIVE) as usize
        }
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        let adaptive = flag(a, arg::FLAGS, arg::ADAPTIVE);
        let first = flag(a, arg::FLAGS, arg::FIRST);
        if flag(a, arg::FLAGS, arg::SWITCH) {
            sweep_all::<L, _>(&Switch { weight: a[arg::WEIGHT] }, tensors)
        } else if adaptive && first {
            sweep_all::<L, _>(&ScheduleFree::<true, true>::from_args(a), tensors)
        } else if adaptive {
            sweep_all::<L, _>(&ScheduleFree::<true, false>::from_args(a), tensors)
        } else if first {
            sweep_all::<L, _>(&ScheduleFree::<false, true>::from_args(a), tensors)
        } else {
            sweep_all::<L, _>(&ScheduleFree::<false, false>::from_args(a), tensors)
        }
    }
}
