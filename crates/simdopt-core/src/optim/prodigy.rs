//! Prodigy (Mishchenko & Defazio 2023, "Prodigy: An Expeditiously Adaptive Parameter-Free
//! Learner", arXiv 2306.06101) as konstmish/prodigy `prodigyopt/prodigy.py` computes it.
//! Spec: docs/SEMANTICS.md#prodigy (section "Prodigy" under "Second-wave algorithms").
//!
//! A step is two kernel calls per table, with the scalar d computed in between by TypeScript
//! (`prodigy.ts`) from the sums of the first call over every group:
//!
//! ```text
//! measuring pass (ProdigyMeasureKernel), per element, d and dlr = d·lr·bc the values before this step:
//!   g ← g + wd·p                                     if coupled weight decay
//!   p0 ← p                                           first step only
//!   Σ₁ += g·(p0 − p)                                 (TypeScript: d_numerator += (d/d0)·dlr·Σ₁)
//!   s ← β3·s + c·g,   c = (d/d0)·dlr  (or (d/d0)·d with safeguard_warmup)
//!   Σ₂ += |s|                                        (TypeScript: d_denom += Σ₂)
//! TypeScript: d ← new d from d_numerator / d_denom (float64)
//! update pass (ProdigyKernel), d_old before the step, d_new after it:
//!   m ← β1·m + (d_old·(1 − β1))·g;   v ← β2·v + ((d_old²·(1 − β2))·g)·g      (groups with lr > 0)
//!   p ← p + (−wd·dlr)·p                              if decoupled weight decay
//!   p ← p + (−dlr)·(m / (√v + d_new·eps))
//! ```
//! The reference updates the moments in its first loop; here they move in the update pass (the
//! same values: they depend only on the old d), so the measuring pass reads p, g, s, p0 and
//! writes only s, and the update pass is exactly a fused Adam-like pass.
//!
//! State slots: `exp_avg`, `exp_avg_sq` (update pass), then `s`, `p0` (measuring pass).

use crate::lanes::Lanes;
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};
use crate::two_pass::{measure, Measure, SumsKernel};

/// State slots of every Prodigy parameter.
pub const SLOTS: usize = 4;

/// Layout of the measuring pass's f32 argument block.
pub mod measure_arg {
    /// Bits: [`FIRST`], [`ACCUMULATE`], [`COUPLED`].
    pub const FLAGS: usize = 0;
    pub const WEIGHT_DECAY: usize = 1;
    pub const BETA3: usize = 2;
    /// `(d/d0)·dlr`, or `(d/d0)·d` with safeguard warm-up.
    pub const S_COEF: usize = 3;
    pub const LEN: usize = 4;

    /// The first step of these parameters: `p0 ← p`.
    pub const FIRST: u32 = 0;
    /// Update `s` and sum (off for a group with lr 0, which only records `p0`).
    pub const ACCUMULATE: u32 = 1;
    /// `g ← g + wd·p`.
    pub const COUPLED: u32 = 2;
}

/// Layout of the update pass's f32 argument block.
pub mod arg {
    /// Bits: [`MOMENTS`], [`MOVE`], [`COUPLED`], [`DECOUPLED`].
    pub const FLAGS: usize = 0;
    pub const WEIGHT_DECAY: usize = 1;
    pub const BETA1: usize = 2;
    /// `d·(1 − β1)` with the d before the step.
    pub const W1: usize = 3;
    pub const BETA2: usize = 4;
    /// `d²·(1 − β2)` with the d before the step.
    pub const W2: usize = 5;
    /// `d·eps` with the d after the step.
    pub const D_EPS: usize = 6;
    /// `−wd·dlr`.
    pub const NEG_DECAY_DLR: usize = 7;
    /// `−dlr`.
    pub const NEG_DLR: usize = 8;
    pub const LEN: usize = 9;

    /// Update the moments (groups with lr > 0).
    pub const MOMENTS: u32 = 0;
    /// Move the parameters (off on a step whose d_denom is 0: the reference returns early).
    pub const MOVE: u32 = 1;
    pub const COUPLED: u32 = 2;
    pub const DECOUPLED: u32 = 3;
}

/// The measuring pass of one configuration.
#[derive(Clone, Copy, Debug)]
pub struct ProdigyMeasure {
    pub first: bool,
    pub accumulate: bool,
    pub coupled: Option<f32>,
    pub beta3: f32,
    pub s_coef: f32,
}

impl ProdigyMeasure {
    pub fn from_args(a: &[f32]) -> Self {
        use measure_arg::*;
        ProdigyMeasure {
            first: flag(a, FLAGS, FIRST),
            accumulate: flag(a, FLAGS, ACCUMULATE),
            coupled: flag(a, FLAGS, COUPLED).then(|| a[WEIGHT_DECAY]),
            beta3: a[BETA3],
            s_coef: a[S_COEF],
        }
    }
}

impl Measure for ProdigyMeasure {
    const FIRST_SLOT: usize = 2;
    const SLOTS: usize = 2;

    #[inline(always)]
    fn measure<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> [L; 2] {
        if self.first {
            s[1] = p;
        }
        if !self.accumulate {
            return [L::zero(), L::zero()];
        }
        let g = match self.coupled {
            Some(wd) => g + L::splat(wd) * p,
            None => g,
        };
        // torch.dot(grad, p0 - p)
        let dot = g * (s[1] - p);
        // s.mul_(beta3).add_(grad, alpha=c)
        s[0] = s[0] * L::splat(self.beta3) + g * L::splat(self.s_coef);
        [dot, s[0].abs()]
    }

    /// `s` always; `p0` only on the first step.
    #[inline(always)]
    fn stored(&self) -> usize {
        if self.first {
            2
        } else {
            usize::from(self.accumulate)
        }
    }
}

/// The update pass of one configuration.
#[derive(Clone, Copy, Debug)]
pub struct Prodigy {
    pub moments: bool,
    pub moves: bool,
    pub coupled: Option<f32>,
    pub decoupled: Option<f32>,
    pub beta1: f32,
    pub w1: f32,
    pub beta2: f32,
    pub w2: f32,
    pub d_eps: f32,
    pub neg_dlr: f32,
}

impl Prodigy {
    pub fn from_args(a: &[f32]) -> Self {
        use arg::*;
        Prodigy {
            moments: flag(a, FLAGS, MOMENTS),
            moves: flag(a, FLAGS, MOVE),
            coupled: flag(a, FLAGS, COUPLED).then(|| a[WEIGHT_DECAY]),
            decoupled: flag(a, FLAGS, DECOUPLED).then(|| a[NEG_DECAY_DLR]),
            beta1: a[BETA1],
            w1: a[W1],
            beta2: a[BETA2],
            w2: a[W2],
            d_eps: a[D_EPS],
            neg_dlr: a[NEG_DLR],
        }
    }
}

impl Update for Prodigy {
    const SLOTS: usize = 2;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        if self.moments {
            let g = match self.coupled {
                Some(wd) => g + L::splat(wd) * p,
                None => g,
            };
            // exp_avg.mul_(beta1).add_(grad, alpha=d*(1-beta1))
            s[0] = s[0] * L::splat(self.beta1) + g * L::splat(self.w1);
            // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=d*d*(1-beta2))
            s[1] = s[1] * L::splat(self.beta2) + L::splat(self.w2) * g * g;
        }
        if !self.moves {
            return p;
        }
        let denom = s[1].sqrt() + L::splat(self.d_eps);
        let p = match self.decoupled {
            // p.data.add_(p.data, alpha=-decay*dlr)
            Some(alpha) => p + p * L::splat(alpha),
            None => p,
        };
        // p.data.addcdiv_(exp_avg, denom, value=-dlr)
        p + L::splat(self.neg_dlr) * (s[0] / denom)
    }
}

/// The exported update pass.
pub struct ProdigyKernel;

impl OptimizerKernel for ProdigyKernel {
    const ARGS: usize = arg::LEN;

    fn slots(_: &[f32]) -> usize {
        SLOTS
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        sweep_all::<L, _>(&Prodigy::from_args(a), tensors)
    }
}

/// The exported measuring pass: returns `[Σ g·(p0 − p), Σ |s|]` over the table.
pub struct ProdigyMeasureKernel;

impl SumsKernel for ProdigyMeasureKernel {
    const ARGS: usize = measure_arg::LEN;

    fn slots(_: &[f32]) -> usize {
        SLOTS
    }

    #[inline(always)]
    unsafe fn segment<L: Lanes>(a: &[f32], t: &Tensor) -> [f64; 2] {
        measure::<L, _>(&ProdigyMeasure::from_args(a), t)
    }
}
