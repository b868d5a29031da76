//! ADOPT (Taniguchi et al. 2024, "ADOPT: Modified Adam Can Converge with Any β2 with the Optimal
//! Rate", arXiv 2411.02853), as iShohei220/adopt `src/adopt/adopt.py` (`_single_tensor_adopt`)
//! computes it. The normalisation uses the second moment *before* this step's gradient enters it.
//!
//! ```text
//! g ← −g                                    if maximize
//! g ← g + wd·p                              coupled weight decay (decouple = false)
//! first step (state step 0):  v ← v + g·g, and nothing else (p and m unchanged)
//! later steps:
//!   p ← p + (−lr·wd)·p                      decoupled weight decay (decouple = true)
//!   n = g / max(sqrt(v), eps)               torch.clamp(min=eps), NaN kept
//!   n ← clamp(n, −c, c)                     c = clip_lambda(step before increment), if any
//!   m ← lerp(m, n, 1 − β1)
//!   p ← p + (−lr)·m
//!   v ← β2·v + ((1 − β2)·g)·g
//! ```
//! State slots: `exp_avg`, `exp_avg_sq`. TypeScript (`adopt.ts`) evaluates `clipLambda` and
//! writes the argument block.
//!
//! Spec: docs/SEMANTICS.md#adopt

use crate::lanes::Lanes;
use crate::optim::{decay, lerp, Decay};
use crate::sweep::{flag, sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`], [`CLIP`], [`FIRST`], and the weight decay mode in bits 3–4 (0 none,
    /// 1 coupled, 2 decoupled).
    pub const FLAGS: usize = 0;
    /// Coupled weight decay `wd`.
    pub const WEIGHT_DECAY: usize = 1;
    /// Decoupled decay `−lr·wd`, applied as `p + (−lr·wd)·p` like the reference's `add_`.
    pub const DECAY_ALPHA: usize = 2;
    /// Interpolation weight of the first moment, `1 − β1`.
    pub const ONE_MINUS_BETA1: usize = 3;
    pub const BETA2: usize = 4;
    pub const ONE_MINUS_BETA2: usize = 5;
    pub const LR: usize = 6;
    pub const EPS: usize = 7;
    /// The clip bound `c = clip_lambda(step)` (read when [`CLIP`] is set).
    pub const CLIP_VALUE: usize = 8;
    pub const LEN: usize = 9;

    pub const MAXIMIZE: u32 = 0;
    pub const CLIP: u32 = 1;
    /// The first step: only `v` is initialised.
    pub const FIRST: u32 = 2;
    pub const DECAY_SHIFT: u32 = 3;
}

/// Maximize and coupled decay, shared by both steps.
#[inline(always)]
fn gradient<L: Lanes>(maximize: bool, coupled: Decay, p: L, g: L) -> L {
    let g = if maximize { -g } else { g };
    decay(coupled, p, g).1
}

/// The first step: `v ← v + g·g`.
#[derive(Clone, Copy, Debug)]
pub struct AdoptFirst {
    pub maximize: bool,
    /// Only [`Decay::Coupled`] or [`Decay::None`].
    pub coupled: Decay,
}

impl Update for AdoptFirst {
    const SLOTS: usize = 2;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let g = gradient(self.maximize, self.coupled, p, g);
        // exp_avg_sq.addcmul_(grad, grad): value 1
        s[1] = s[1] + g * g;
        p
    }
}

/// Every later step.
#[derive(Clone, Copy, Debug)]
pub struct Adopt<const CLIP: bool> {
    pub maximize: bool,
    /// Only [`Decay::Coupled`] or [`Decay::None`].
    pub coupled: Decay,
    /// `−lr·wd` when the decay is decoupled (`param.add_(param, alpha=−lr·wd)`).
    pub decay_alpha: Option<f32>,
    pub one_minus_beta1: f32,
    pub beta2: f32,
    pub one_minus_beta2: f32,
    pub lr: f32,
    pub eps: f32,
    pub clip: f32,
}

impl<const CLIP: bool> Update for Adopt<CLIP> {
    const SLOTS: usize = 2;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let [exp_avg, exp_avg_sq, _, _] = s;
        let g = gradient(self.maximize, self.coupled, p, g);
        let p = match self.decay_alpha {
            Some(alpha) => p + L::splat(alpha) * p,
            None => p,
        };
        let root = exp_avg_sq.sqrt();
        let eps = L::splat(self.eps);
        // torch.clamp(x, min=eps): x < eps → eps; NaN stays NaN.
        let denom = L::select(root.lt(eps), eps, root);
        let mut normed = g / denom;
        if CLIP {
            normed = normed.clamp(L::splat(-self.clip), L::splat(self.clip));
        }
        *exp_avg = lerp(*exp_avg, normed, self.one_minus_beta1);
        let p = p + L::splat(-self.lr) * *exp_avg;
        *exp_avg_sq = *exp_avg_sq * L::splat(self.beta2) + L::splat(self.one_minus_beta2) * g * g;
        p
    }
}

impl<const CLIP: bool> Adopt<CLIP> {
    pub fn from_args(a: &[f32]) -> Self {
        let (maximize, coupled, decoupled) = opening(a);
        Adopt {
            maximize,
            coupled,
            decay_alpha: decoupled.then(|| a[arg::DECAY_ALPHA]),
            one_minus_beta1: a[arg::ONE_MINUS_BETA1],
            beta2: a[arg::BETA2],
            one_minus_beta2: a[arg::ONE_MINUS_BETA2],
            lr: a[arg::LR],
            eps: a[arg::EPS],
            clip: a[arg::CLIP_VALUE],
        }
    }
}

/// Maximize, the coupled decay, and whether the decay is decoupled.
fn opening(a: &[f32]) -> (bool, Decay, bool) {
    let mode = ((a[arg::FLAGS] as u32) >> arg::DECAY_SHIFT) & 3;
    let coupled = if mode == 1 { Decay::Coupled(a[arg::WEIGHT_DECAY]) } else { Decay::None };
    (flag(a, arg::FLAGS, arg::MAXIMIZE), coupled, mode == 2)
}

/// The exported kernel: both steps, with or without clipping, from one argument block.
pub struct AdoptKernel;

impl OptimizerKernel for AdoptKernel {
    const ARGS: usize = arg::LEN;

    fn slots(_: &[f32]) -> usize {
        2
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        if flag(a, arg::FLAGS, arg::FIRST) {
            let (maximize, coupled, _) = opening(a);
            sweep_all::<L, _>(&AdoptFirst { maximize, coupled }, tensors)
        } else if flag(a, arg::FLAGS, arg::CLIP) {
            sweep_all::<L, _>(&Adopt::<true>::from_args(a), tensors)
        } else {
            sweep_all::<L, _>(&Adopt::<false>::from_args(a), tensors)
        }
    }
}
