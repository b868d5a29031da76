//! Norm reductions over gradients: the first pass of `clip_grad_norm_`.
//!
//! For norm type p the kernel returns, over every tensor of the table,
//! ```text
//! p = ∞:  max_t max_i |g_t,i|
//! p = 1:  Σ_t Σ_i |g_t,i|
//! p = 2:  Σ_t Σ_i g_t,i²
//! else:   Σ_t Σ_i |g_t,i|^p      (|g|^p = exp(p·log|g|) with the shared polynomials of math.rs)
//! ```
//! and the caller takes the p-th root. This is PyTorch's "norm of the per-tensor norms", which is
//! the norm of the concatenation: ‖(‖g_1‖, …, ‖g_T‖)‖_p = (Σ_t Σ_i |g_t,i|^p)^(1/p). Inside a
//! tensor the terms are summed in the blocked four-lane order of stream.rs; across tensors in f64.
//!
//! Spec: docs/SEMANTICS.md#gradient-clipping

use crate::lanes::Lanes;
use crate::math::pow_abs;
use crate::stream::{stream, Elementwise, Reduce, TensorKernel};
use crate::sweep::Tensor;

/// Which norm, from the norm type p.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Norm {
    One,
    Two,
    Inf,
    /// Any other p > 0.
    P(f32),
}

impl Norm {
    /// The norm of type `p` (> 0, or +∞).
    pub fn from_p(p: f32) -> Norm {
        if p == f32::INFINITY {
            Norm::Inf
        } else if p == 1.0 {
            Norm::One
        } else if p == 2.0 {
            Norm::Two
        } else {
            Norm::P(p)
        }
    }
}

struct AbsSum(*const f32);
impl Elementwise for AbsSum {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        L::load(self.0.add(i)).abs()
    }
}

struct SquareSum(*const f32);
impl Elementwise for SquareSum {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        let x = L::load(self.0.add(i));
        x * x
    }
}

struct AbsMax(*const f32);
impl Elementwise for AbsMax {
    const REDUCE: Reduce = Reduce::Max;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        L::load(self.0.add(i)).abs()
    }
}

struct PowSum(*const f32, f32);
impl Elementwise for PowSum {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        pow_abs(L::load(self.0.add(i)), L::splat(self.1))
    }
}

/// Σ|x|^p of `n` values at `x` (max|x| for p = ∞, −∞ when `n` is 0).
///
/// # Safety
/// `x` is valid for `n` f32.
#[inline(always)]
pub unsafe fn norm_sum<L: Lanes>(norm: Norm, x: *const f32, n: usize) -> f64 {
    match norm {
        Norm::One => stream::<L, _>(&AbsSum(x), n),
        Norm::Two => stream::<L, _>(&SquareSum(x), n),
        Norm::Inf => stream::<L, _>(&AbsMax(x), n),
        Norm::P(p) => stream::<L, _>(&PowSum(x, p), n),
    }
}

/// Σ|x|^p (or max|x|) of a slice, as [`GradNormKernel`] computes it for one tensor.
pub fn norm_sum_slice<L: Lanes>(norm: Norm, x: &[f32]) -> f64 {
    // SAFETY: the slice is valid for its length.
    unsafe { norm_sum::<L>(norm, x.as_ptr(), x.len()) }
}

/// Layout of the f32 argument block of [`GradNormKernel`].
pub mod arg {
    /// The norm type p: > 0, or +∞.
    pub const NORM_TYPE: usize = 0;
    pub const LEN: usize = 1;
}

/// Σ over every gradient of the table of |g|^p (max |g| for p = ∞): see the module documentation.
pub struct GradNormKernel;

impl TensorKernel for GradNormKernel {
    const ARGS: usize = arg::LEN;

    fn reduce(a: &[f32]) -> Reduce {
        if Norm::from_p(a[arg::NORM_TYPE]) == Norm::Inf {
            Reduce::Max
        } else {
            Reduce::Sum
        }
    }

    fn check(a: &[f32]) -> bool {
        a[arg::NORM_TYPE] > 0.0
    }

    unsafe fn tensor<L: Lanes>(a: &[f32], t: &Tensor) -> f64 {
        norm_sum::<L>(Norm::from_p(a[arg::NORM_TYPE]), t.grad, t.len)
    }
}

/// g·0: ±0 for a finite g, NaN for NaN and ±∞ (IEEE 0·∞ = NaN).
struct ZeroTimes(*const f32);
impl Elementwise for ZeroTimes {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        L::load(self.0.add(i)) * L::zero()
    }
}

/// Whether every gradient of the table is finite, as one vectorised pass: the sum of g·0 over
/// every element, which is 0 when all are finite and NaN as soon as one is NaN or ±∞. The
/// optimizers' `skipNonFinite` pre-pass; no argument block.
pub struct FiniteKernel;

impl TensorKernel for FiniteKernel {
    const ARGS: usize = 0;

    fn reduce(_: &[f32]) -> Reduce {
        Reduce::Sum
    }

    fn check(_: &[f32]) -> bool {
        true
    }

    unsafe fn tensor<L: Lanes>(_: &[f32], t: &Tensor) -> f64 {
        stream::<L, _>(&ZeroTimes(t.grad), t.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lanes::{Emu4, Scalar};
    use crate::stream::run_tensor_kernel;

    #[test]
    fn finite_kernel_finds_a_non_finite_value_anywhere() {
        for n in [1usize, 3, 4, 5, 8, 37, 1030] {
            for at in [0, n / 2, n - 1] {
                for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                    let mut data = std::vec![0f32; n];
                    let mut grad: std::vec::Vec<f32> = (0..n).map(|i| i as f32 - 3e38 * (i % 2) as f32).collect();
                    assert_eq!(run_tensor_kernel::<Scalar, FiniteKernel>(&[], &mut [(&mut data, &mut grad)]), 0.0);
                    assert_eq!(run_tensor_kernel::<Emu4, FiniteKernel>(&[], &mut [(&mut data, &mut grad)]), 0.0);
                    grad[at] = bad;
                    assert!(
                        run_tensor_kernel::<Scalar, FiniteKernel>(&[], &mut [(&mut data, &mut grad)]).is_nan(),
                        "n {n} at {at}"
                    );
                    assert!(
                        run_tensor_kernel::<Emu4, FiniteKernel>(&[], &mut [(&mut data, &mut grad)]).is_nan(),
                        "n {n} at {at}"
                    );
                }
            }
        }
    }
}
