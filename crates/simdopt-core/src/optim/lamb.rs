//! LAMB (You et al. 2020, "Large Batch Optimization for Deep Learning: Training BERT in 76
//! minutes", arXiv 1904.00962) as `optax.lamb` composes it: `scale_by_adam` →
//! `add_decayed_weights` → `scale_by_trust_ratio` → `scale_by_learning_rate`.
//!
//! ```text
//! g ← −g                                        if maximize (simdopt's addition)
//! μ ← (1 − β1)·g + β1·μ;   ν ← (1 − β2)·(g·g) + β2·ν
//! u = (μ / (1 − β1^t)) / (sqrt(ν / (1 − β2^t) + eps_root) + eps)
//! u ← u + wd·p                                  (add_decayed_weights, p before the step)
//! r = ‖p‖ / ‖u‖ over the whole tensor, or 1 when either norm is 0
//! p ← p + (u·r)·(−lr)
//! ```
//! The norms are sums of squares in the fixed order of [`crate::stream`] (f64 across blocks),
//! `‖x‖ = sqrt(f32(Σx²))`, `r = ‖p‖ / ‖u‖` in f32. Two passes per tensor ([`crate::two_pass`]):
//! the first updates μ, ν, writes u to a scratch slot and sums p² and u²; the second reads u
//! back and moves p (no second square root and division: the same bits, ~35% less time at 1e6).
//! Slots: `mu`, `nu` (optax's names; the state), then `update` (scratch, not state: TypeScript
//! keeps it out of state dicts). TypeScript (`lamb.ts`) writes the bias corrections.
//!
//! Spec: docs/SEMANTICS.md#lamb

use crate::lanes::{Lanes, Scalar};
use crate::sweep::{flag, OptimizerKernel, Tensor, MAX_SLOTS};
use crate::two_pass::{apply, measure, two_pass_all, Measure, TwoPass, TwoPassFns};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`], [`WEIGHT_DECAY_ON`].
    pub const FLAGS: usize = 0;
    pub const WEIGHT_DECAY: usize = 1;
    pub const BETA1: usize = 2;
    pub const ONE_MINUS_BETA1: usize = 3;
    pub const BETA2: usize = 4;
    pub const ONE_MINUS_BETA2: usize = 5;
    /// `1 − β1^t`.
    pub const BIAS_CORRECTION1: usize = 6;
    /// `1 − β2^t`.
    pub const BIAS_CORRECTION2: usize = 7;
    pub const EPS_ROOT: usize = 8;
    pub const EPS: usize = 9;
    pub const LR: usize = 10;
    pub const LEN: usize = 11;

    pub const MAXIMIZE: u32 = 0;
    pub const WEIGHT_DECAY_ON: u32 = 1;
}

/// One LAMB configuration.
#[derive(Clone, Copy, Debug)]
pub struct Lamb {
    pub maximize: bool,
    /// `wd` when weight decay is on.
    pub weight_decay: Option<f32>,
    pub beta1: f32,
    pub one_minus_beta1: f32,
    pub beta2: f32,
    pub one_minus_beta2: f32,
    pub bias_correction1: f32,
    pub bias_correction2: f32,
    pub eps_root: f32,
    pub eps: f32,
    pub lr: f32,
}

impl Lamb {
    pub fn from_args(a: &[f32]) -> Self {
        Lamb {
            maximize: flag(a, arg::FLAGS, arg::MAXIMIZE),
            weight_decay: flag(a, arg::FLAGS, arg::WEIGHT_DECAY_ON).then(|| a[arg::WEIGHT_DECAY]),
            beta1: a[arg::BETA1],
            one_minus_beta1: a[arg::ONE_MINUS_BETA1],
            beta2: a[arg::BETA2],
            one_minus_beta2: a[arg::ONE_MINUS_BETA2],
            bias_correction1: a[arg::BIAS_CORRECTION1],
            bias_correction2: a[arg::BIAS_CORRECTION2],
            eps_root: a[arg::EPS_ROOT],
            eps: a[arg::EPS],
            lr: a[arg::LR],
        }
    }

    /// The update before the trust ratio, from the moments after this step.
    #[inline(always)]
    fn direction<L: Lanes>(&self, p: L, mu: L, nu: L) -> L {
        let mu_hat = mu / L::splat(self.bias_correction1);
        let nu_hat = nu / L::splat(self.bias_correction2);
        let u = mu_hat / ((nu_hat + L::splat(self.eps_root)).sqrt() + L::splat(self.eps));
        match self.weight_decay {
            Some(wd) => u + L::splat(wd) * p,
            None => u,
        }
    }
}

impl Measure for Lamb {
    /// μ, ν and the scratch u, which is written only.
    const SLOTS: usize = 3;
    const LOADED: usize = 2;

    #[inline(always)]
    fn measure<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> [L; 2] {
        let g = if self.maximize { -g } else { g };
        s[0] = L::splat(self.one_minus_beta1) * g + L::splat(self.beta1) * s[0];
        s[1] = L::splat(self.one_minus_beta2) * (g * g) + L::splat(self.beta2) * s[1];
        let u = self.direction(p, s[0], s[1]);
        s[2] = u;
        [p * p, u * u]
    }
}

impl TwoPass for Lamb {
    /// u alone.
    const APPLY_FIRST_SLOT: usize = 2;
    const APPLY_SLOTS: usize = 1;
    #[inline(always)]
    fn scale(&self, [pp, uu]: [f64; 2]) -> f32 {
        trust_ratio(pp, uu)
    }

    #[inline(always)]
    fn apply<L: Lanes>(&self, p: L, [u, ..]: &[L; MAX_SLOTS], ratio: f32) -> L {
        p + (*u * L::splat(ratio)) * L::splat(-self.lr)
    }
}

/// `scale_by_trust_ratio` with optax's defaults (min_norm 0, trust_coefficient 1, eps 0) from
/// the sums of squares: norms in f32 as JAX takes them (`‖x‖ = sqrt(f32(Σx²))`), `‖p‖ / ‖u‖` in
/// f32, or 1 when either norm is 0 (NaN stays NaN).
#[inline(always)]
pub fn trust_ratio(pp: f64, uu: f64) -> f32 {
    let param_norm = Scalar(pp as f32).sqrt().0;
    let update_norm = Scalar(uu as f32).sqrt().0;
    if param_norm == 0.0 || update_norm == 0.0 {
        1.0
    } else {
        param_norm / update_norm
    }
}

/// The exported kernel.
pub struct LambKernel;

impl OptimizerKernel for LambKernel {
    const ARGS: usize = arg::LEN;
    /// The trust ratio needs ‖p‖ and ‖update‖ over the whole tensor: never given pieces.
    const PIECES: bool = false;

    fn slots(_: &[f32]) -> usize {
        Lamb::SLOTS
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        two_pass_all::<L, _>(&Lamb::from_args(a), tensors)
    }

    fn two_pass<L: Lanes>() -> Option<TwoPassFns> {
        Some(TwoPassFns {
            measure: |a, t| unsafe { measure::<L, _>(&Lamb::from_args(a), t) },
            scale: |a, sums| Lamb::from_args(a).scale(sums),
            apply: |a, t, ratio| unsafe { apply::<L, _>(&Lamb::from_args(a), t, ratio) },
        })
    }
}
