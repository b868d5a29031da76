//! Gradient clipping as `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_` compute it.
//!
//! ```text
//! clip_grad_norm_(max_norm, p):
//!   total = ‖(‖g_1‖_p, …, ‖g_T‖_p)‖_p          one pass: reduce.rs (GradNormKernel), then the root
//!   coef  = min(max_norm / (total + 1e-6), 1)   in f32, as PyTorch's tensor arithmetic: clip_coef
//!   g_t  ← g_t · coef   for every t, also when coef = 1 (ScaleKernel); returns total
//! clip_grad_value_(c):
//!   g ← clamp(g, −c, c)   NaN stays NaN (ClampKernel)
//! ```
//! A non-finite total makes coef NaN or 0 and with it the gradients, as in PyTorch; callers that
//! asked for `error_if_nonfinite` stop before the scaling pass.
//!
//! Spec: docs/SEMANTICS.md#gradient-clipping

use crate::lanes::Lanes;
use crate::stream::{stream, Elementwise, Reduce, TensorKernel};
use crate::sweep::Tensor;

/// PyTorch's clipping coefficient from the total norm, in f32 arithmetic:
/// `max_norm / (total + 1e-6)` is `Tensor.__rtruediv__`, i.e. `reciprocal(total + 1e-6)·max_norm`,
/// then `clamp(max = 1)` (which keeps NaN).
pub fn clip_coef(total: f32, max_norm: f32) -> f32 {
    let coef = (1.0 / (total + 1e-6f32)) * max_norm;
    if coef > 1.0 {
        1.0
    } else {
        coef
    }
}

/// Layout of the f32 argument block of [`ScaleKernel`].
pub mod scale_arg {
    pub const COEF: usize = 0;
    pub const LEN: usize = 1;
}

struct Scale {
    g: *mut f32,
    coef: f32,
}
impl Elementwise for Scale {
    const REDUCE: Reduce = Reduce::None;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        let g = self.g.add(i);
        (L::load(g) * L::splat(self.coef)).store(g);
        L::zero()
    }
}

/// `g ← g·coef` for every gradient of the table (the second pass of `clip_grad_norm_`).
pub struct ScaleKernel;

impl TensorKernel for ScaleKernel {
    const ARGS: usize = scale_arg::LEN;
    fn reduce(_: &[f32]) -> Reduce {
        Reduce::None
    }
    fn check(_: &[f32]) -> bool {
        true
    }
    unsafe fn tensor<L: Lanes>(a: &[f32], t: &Tensor) -> f64 {
        stream::<L, _>(&Scale { g: t.grad, coef: a[scale_arg::COEF] }, t.len)
    }
}

/// Layout of the f32 argument block of [`ClampKernel`].
pub mod clamp_arg {
    /// The clip value c ≥ 0.
    pub const CLIP_VALUE: usize = 0;
    pub const LEN: usize = 1;
}

struct Clamp {
    g: *mut f32,
    c: f32,
}
impl Elementwise for Clamp {
    const REDUCE: Reduce = Reduce::None;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        let g = self.g.add(i);
        L::load(g).clamp(L::splat(-self.c), L::splat(self.c)).store(g);
        L::zero()
    }
}

/// `g ← clamp(g, −c, c)` for every gradient of the table (`clip_grad_value_`).
pub struct ClampKernel;

impl TensorKernel for ClampKernel {
    const ARGS: usize = clamp_arg::LEN;
    fn reduce(_: &[f32]) -> Reduce {
        Reduce::None
    }
    fn check(a: &[f32]) -> bool {
        a[clamp_arg::CLIP_VALUE] >= 0.0
    }
    unsafe fn tensor<L: Lanes>(a: &[f32], t: &Tensor) -> f64 {
        stream::<L, _>(&Clamp { g: t.grad, c: a[clamp_arg::CLIP_VALUE] }, t.len)
    }
}
