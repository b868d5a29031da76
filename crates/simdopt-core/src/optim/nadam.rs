//! NAdam, Adam with Nesterov momentum (Dozat 2016, "Incorporating Nesterov Momentum into Adam",
//! ICLR workshop), with PyTorch's momentum schedule and optional decoupled weight decay, as
//! `torch.optim.NAdam` computes it (`_single_tensor_nadam`, torch ≥ 2.0).
//!
//! ```text
//! g ← −g                                   if maximize
//! g ← g + wd·p                             coupled weight decay
//! p ← p·(1 − lr·wd)                        decoupled weight decay
//! m ← lerp(m, g, 1 − β1)
//! v ← β2·v + ((1 − β2)·g)·g
//! denom = sqrt(v / (1 − β2^t)) + eps       correction inside the root (unlike Adam)
//! p ← p + (c_g·g) / denom                  c_g = −lr·(1 − μ_t)/(1 − Π_{k≤t} μ_k)
//! p ← p + (c_m·m) / denom                  c_m = −lr·μ_{t+1}/(1 − Π_{k≤t+1} μ_k)
//! ```
//! with `μ_t = β1·(1 − ½·0.96^(t·ψ))`. The two updates are applied one after the other, in this
//! order, each rounded, as PyTorch's two `addcdiv_` calls. `g` is the gradient after coupled decay.
//! The running product `mu_product` is per-parameter state kept by TypeScript (`nadam.ts`), which
//! folds it into `c_g` and `c_m`; the kernel's state slots are `exp_avg` (m), `exp_avg_sq` (v).
//!
//! Spec: docs/SEMANTICS.md#nadam

use crate::lanes::Lanes;
use crate::optim::Moments;
use crate::sweep::{sweep_all, OptimizerKernel, Tensor, Update, MAX_SLOTS};

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits: [`MAXIMIZE`](super::arg::MAXIMIZE), and the weight decay mode in bits 1–2
    /// (0 none, 1 coupled, 2 decoupled).
    pub const FLAGS: usize = 0;
    /// Coupled weight decay `wd`.
    pub const WEIGHT_DECAY: usize = 1;
    /// Decoupled decay factor `1 − lr·wd`.
    pub const DECAY_FACTOR: usize = 2;
    /// Interpolation weight of the first moment, `1 − β1`.
    pub const ONE_MINUS_BETA1: usize = 3;
    pub const BETA2: usize = 4;
    pub const ONE_MINUS_BETA2: usize = 5;
    /// `1 − β2^t`.
    pub const BIAS_CORRECTION2: usize = 6;
    pub const EPS: usize = 7;
    /// `−lr·(1 − μ_t)/(1 − μ_product)`, the coefficient of the gradient term.
    pub const GRAD_COEF: usize = 8;
    /// `−lr·μ_{t+1}/(1 − μ_product·μ_{t+1})`, the coefficient of the momentum term.
    pub const EXP_AVG_COEF: usize = 9;
    pub const LEN: usize = 10;

    pub const MAXIMIZE: u32 = 0;
    pub const DECAY_SHIFT: u32 = 1;
}

/// One NAdam configuration (two slots, whatever the options).
#[derive(Clone, Copy, Debug)]
pub struct Nadam {
    pub moments: Moments,
    pub bias_correction2: f32,
    pub eps: f32,
    pub grad_coef: f32,
    pub exp_avg_coef: f32,
}

impl Nadam {
    pub fn from_args(a: &[f32]) -> Self {
        Nadam {
            moments: Moments::from_args(a, arg::DECAY_SHIFT),
            bias_correction2: a[arg::BIAS_CORRECTION2],
            eps: a[arg::EPS],
            grad_coef: a[arg::GRAD_COEF],
            exp_avg_coef: a[arg::EXP_AVG_COEF],
        }
    }
}

impl Update for Nadam {
    const SLOTS: usize = 2;

    #[inline(always)]
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L {
        let [exp_avg, exp_avg_sq, ..] = s;
        let (p, g) = self.moments.update(p, g, exp_avg, exp_avg_sq);
        // exp_avg_sq.div(bias_correction2).sqrt().add_(eps)
        let denom = (*exp_avg_sq / L::splat(self.bias_correction2)).sqrt() + L::splat(self.eps);
        // Two addcdiv_ calls: the parameter is rounded in between.
        let p = p + (L::splat(self.grad_coef) * g) / denom;
        p + (L::splat(self.exp_avg_coef) * *exp_avg) / denom
    }
}

/// The exported kernel.
pub struct NadamKernel;

impl OptimizerKernel for NadamKernel {
    const ARGS: usize = arg::LEN;

    fn slots(_: &[f32]) -> usize {
        2
    }

    unsafe fn run<L: Lanes>(a: &[f32], tensors: &[Tensor]) {
        sweep_all::<L, _>(&Nadam::from_args(a), tensors)
    }
}
