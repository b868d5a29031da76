//! L1 and L2 penalties on parameter values, value and gradient in one pass (not part of
//! torch.optim; defined in docs/SEMANTICS.md).
//!
//! ```text
//! L1: value λ·Σ|w|,    g ← g + λ·sign(w)     (sign(0) = 0)
//! L2: value ½λ·Σw²,    g ← g + λ·w           (equal to coupled weight_decay = λ)
//! ```
//! The kernels return Σ|w| or Σw² over the table (blocked four-lane sums of stream.rs, tensors
//! combined in f64); the caller multiplies by λ or λ/2 in f64. Elastic net is both calls.
//!
//! Spec: docs/SEMANTICS.md#penalties

use crate::lanes::Lanes;
use crate::stream::{stream, Elementwise, Reduce, TensorKernel};
use crate::sweep::Tensor;

/// Layout of the f32 argument block of both penalty kernels.
pub mod arg {
    /// λ ≥ 0.
    pub const LAMBDA: usize = 0;
    /// 1 to add the penalty's gradient to `grad`, 0 to only compute the value.
    pub const ADD_TO_GRAD: usize = 1;
    pub const LEN: usize = 2;
}

struct Penalty<const L2: bool> {
    w: *const f32,
    g: *mut f32,
    lambda: f32,
    add_to_grad: bool,
}

impl<const L2: bool> Elementwise for Penalty<L2> {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        let w = L::load(self.w.add(i));
        if self.add_to_grad {
            let g = self.g.add(i);
            let d = if L2 { w } else { w.sign() };
            (L::load(g) + L::splat(self.lambda) * d).store(g);
        }
        if L2 {
            w * w
        } else {
            w.abs()
        }
    }
}

/// Σ|w| (`L2 = false`) or Σw² (`L2 = true`) over the table, adding the gradient when asked.
pub struct PenaltyKernel<const L2: bool>;

/// λ·Σ|w| and g ← g + λ·sign(w).
pub type L1PenaltyKernel = PenaltyKernel<false>;
/// ½λ·Σw² and g ← g + λ·w.
pub type L2PenaltyKernel = PenaltyKernel<true>;

impl<const L2: bool> TensorKernel for PenaltyKernel<L2> {
    const ARGS: usize = arg::LEN;
    fn reduce(_: &[f32]) -> Reduce {
        Reduce::Sum
    }
    fn check(a: &[f32]) -> bool {
        a[arg::LAMBDA] >= 0.0 && (a[arg::ADD_TO_GRAD] == 0.0 || a[arg::ADD_TO_GRAD] == 1.0)
    }
    unsafe fn tensor<L: Lanes>(a: &[f32], t: &Tensor) -> f64 {
        let k = Penalty::<L2> { w: t.data, g: t.grad, lambda: a[arg::LAMBDA], add_to_grad: a[arg::ADD_TO_GRAD] == 1.0 };
        stream::<L, _>(&k, t.len)
    }
}
