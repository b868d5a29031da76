//! Element-wise activations and their gradients, as PyTorch's CPU kernels compute them
//! (`aten/src/ATen/native/cpu/Activation.cpp`, `BinaryOpsKernel.cpp`), with the transcendentals
//! of [`super::math`].
//!
//! | kind | forward `y` | backward `dx` from (`saved`, `dy`) |
//! |---|---|---|
//! | ReLU | `x ≤ 0 ? 0 : x` (NaN stays) | saved = y: `y ≤ 0 ? 0 : dy` |
//! | Tanh | `tanh(x)` | saved = y: `dy·(1 − y·y)` |
//! | Sigmoid | `1/(1 + e^−x)` | saved = y: `(dy·(1 − y))·y` |
//! | GELU | `(x·0.5)·(1 + erf(x/√2))` | saved = x: `dy·(Φ + x·φ)`, Φ = 0.5·(1 + erf(x/√2)), φ = e^(−x²/2)/√(2π) |
//! | GELU tanh | `(0.5·x)·(1 + tanh(√(2/π)·(x + 0.044715·x³)))` | saved = x: PyTorch's expanded derivative |
//!
//! The only deviation from PyTorch's arithmetic: `1 + erf` comes from [`super::math::one_plus_erf`],
//! which stays accurate where `erf(x) ≈ −1` instead of cancelling.
//!
//! Spec: docs/SEMANTICS.md#activations

// Constants keep the digits they were published or fitted with; the compiler rounds them to f32.
#![allow(clippy::excessive_precision)]

use super::math::{exp_neg, one_plus_erf, sigmoid, tanh};
use crate::lanes::{Lanes, Scalar};

/// Activation codes of the ABI (`packages/simdopt/src/nn/kernels/activation.ts` uses the same numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Activation {
    Relu = 0,
    Tanh = 1,
    Sigmoid = 2,
    /// GELU with the exact erf (`approximate='none'`, PyTorch's default).
    Gelu = 3,
    /// GELU with the tanh approximation (`approximate='tanh'`).
    GeluTanh = 4,
}

impl Activation {
    pub fn from_code(code: u32) -> Option<Activation> {
        Some(match code {
            0 => Activation::Relu,
            1 => Activation::Tanh,
            2 => Activation::Sigmoid,
            3 => Activation::Gelu,
            4 => Activation::GeluTanh,
            _ => return None,
        })
    }

    /// Whether backward needs the forward's output (else its input).
    pub fn saves_output(self) -> bool {
        matches!(self, Activation::Relu | Activation::Tanh | Activation::Sigmoid)
    }
}

/// √(1/2).
const SQRT1_2: f32 = core::f32::consts::FRAC_1_SQRT_2;
/// 1/√(2π) = `M_2_SQRTPI · M_SQRT1_2 · 0.5`.
const INV_SQRT_2PI: f32 = 0.398_942_28;
/// √(2/π) = `M_SQRT2 · M_2_SQRTPI · 0.5`.
const SQRT_2_OVER_PI: f32 = 0.797_884_56;
const KAPPA: f32 = 0.044_715;

/// `y = f(x)` for one vector.
#[inline(always)]
pub fn forward_lanes<L: Lanes>(kind: Activation, x: L) -> L {
    let half = L::splat(0.5);
    let one = L::splat(1.0);
    match kind {
        Activation::Relu => L::select(x.le(L::zero()), L::zero(), x),
        Activation::Tanh => tanh(x),
        Activation::Sigmoid => sigmoid(x),
        Activation::Gelu => (x * half) * one_plus_erf(x * L::splat(SQRT1_2)),
        Activation::GeluTanh => {
            let cube = (x * x) * x;
            let inner = L::splat(SQRT_2_OVER_PI) * (x + L::splat(KAPPA) * cube);
            (half * x) * (one + tanh(inner))
        }
    }
}

/// `dx` for one vector from the saved tensor (`y` or `x`, see [`Activation::saves_output`]) and
/// the output gradient `dy`.
#[inline(always)]
pub fn backward_lanes<L: Lanes>(kind: Activation, saved: L, dy: L) -> L {
    let half = L::splat(0.5);
    let one = L::splat(1.0);
    match kind {
        // threshold_backward(grad, result, 0)
        Activation::Relu => L::select(saved.le(L::zero()), L::zero(), dy),
        Activation::Tanh => dy * (one - saved * saved),
        Activation::Sigmoid => (dy * (one - saved)) * saved,
        Activation::Gelu => {
            let x = saved;
            let cdf = half * one_plus_erf(x * L::splat(SQRT1_2));
            let pdf = L::splat(INV_SQRT_2PI) * exp_neg((x * x) * L::splat(-0.5));
            dy * (cdf + x * pdf)
        }
        Activation::GeluTanh => {
            let x = saved;
            let x_sq = x * x;
            let x_cube = x_sq * x;
            let inner = L::splat(SQRT_2_OVER_PI) * (x + L::splat(KAPPA) * x_cube);
            let tanh_inner = tanh(inner);
            let left = half * x;
            let right = one + tanh_inner;
            let left_derivative = half * right;
            let tanh_derivative = one - tanh_inner * tanh_inner;
            let inner_derivative = L::splat(SQRT_2_OVER_PI) * (one + L::splat(3.0 * KAPPA) * x_sq);
            let right_derivative = (left * tanh_derivative) * inner_derivative;
            dy * (left_derivative + right_derivative)
        }
    }
}

/// `y[i] = f(x[i])` for `i < len`, whole vectors then a scalar tail. `y == x` (in place) is fine.
///
/// # Safety
/// `x` valid for reading and `y` for writing `len` f32; they are equal or do not overlap.
pub unsafe fn forward<L: Lanes>(kind: Activation, x: *const f32, y: *mut f32, len: usize) {
    // One monomorphised loop per kind, so the match is not in the loop body.
    match kind {
        Activation::Relu => forward_loop::<L>(Activation::Relu, x, y, len),
        Activation::Tanh => forward_loop::<L>(Activation::Tanh, x, y, len),
        Activation::Sigmoid => forward_loop::<L>(Activation::Sigmoid, x, y, len),
        Activation::Gelu => forward_loop::<L>(Activation::Gelu, x, y, len),
        Activation::GeluTanh => forward_loop::<L>(Activation::GeluTanh, x, y, len),
    }
}

#[inline(always)]
unsafe fn forward_loop<L: Lanes>(kind: Activation, x: *const f32, y: *mut f32, len: usize) {
    let body = len - len % L::WIDTH;
    let mut i = 0;
    while i < body {
        forward_lanes(kind, L::load(x.add(i))).store(y.add(i));
        i += L::WIDTH;
    }
    while i < len {
        forward_lanes(kind, Scalar::load(x.add(i))).store(y.add(i));
        i += 1;
    }
}

/// `dx[i]` from `saved[i]` and `dy[i]` for `i < len`. `dx == dy` (in place) is fine.
///
/// # Safety
/// `saved`, `dy` valid for reading and `dx` for writing `len` f32; `dx` equals `dy` or overlaps
/// neither input.
pub unsafe fn backward<L: Lanes>(kind: Activation, saved: *const f32, dy: *const f32, dx: *mut f32, len: usize) {
    match kind {
        Activation::Relu => backward_loop::<L>(Activation::Relu, saved, dy, dx, len),
        Activation::Tanh => backward_loop::<L>(Activation::Tanh, saved, dy, dx, len),
        Activation::Sigmoid => backward_loop::<L>(Activation::Sigmoid, saved, dy, dx, len),
        Activation::Gelu => backward_loop::<L>(Activation::Gelu, saved, dy, dx, len),
        Activation::GeluTanh => backward_loop::<L>(Activation::GeluTanh, saved, dy, dx, len),
    }
}

#[inline(always)]
unsafe fn backward_loop<L: Lanes>(kind: Activation, saved: *const f32, dy: *const f32, dx: *mut f32, len: usize) {
    let body = len - len % L::WIDTH;
    let mut i = 0;
    while i < body {
        backward_lanes(kind, L::load(saved.add(i)), L::load(dy.add(i))).store(dx.add(i));
        i += L::WIDTH;
    }
    while i < len {
        backward_lanes(kind, Scalar::load(saved.add(i)), Scalar::load(dy.add(i))).store(dx.add(i));
        i += 1;
    }
}

/// Safe entry over slices (host tests, Rust users). Panics when `y` is shorter than `x`.
pub fn forward_slices<L: Lanes>(kind: Activation, x: &[f32], y: &mut [f32]) {
    assert!(y.len() >= x.len(), "output shorter than the input");
    unsafe { forward::<L>(kind, x.as_ptr(), y.as_mut_ptr(), x.len()) }
}

/// Safe entry over slices. Panics when `dy` or `dx` is shorter than `saved`.
pub fn backward_slices<L: Lanes>(kind: Activation, saved: &[f32], dy: &[f32], dx: &mut [f32]) {
    assert!(dy.len() >= saved.len() && dx.len() >= saved.len(), "gradient shorter than the saved tensor");
    unsafe { backward::<L>(kind, saved.as_ptr(), dy.as_ptr(), dx.as_mut_ptr(), saved.len()) }
}
