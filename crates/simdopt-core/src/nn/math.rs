//! The transcendentals of the activations: `exp` (of non-positive arguments), `tanh`, `sigmoid`
//! and `1 + erf`, written once over [`Lanes`] with `+ − × ÷`, compares, selects and bit moves only.
//!
//! No fused multiply-add and no library call, so the simd128 build, the scalar build and the
//! TypeScript twin (`packages/simdopt/src/nn/kernels/math.ts`, `Math.fround` after every operation) give
//! bit-identical results. Accuracy against float64 (asserted in `tests/nn_math.rs`):
//!
//! | function | bound | measured (every 61st float32 of the range) |
//! |---|---|---|
//! | `exp_neg(x)`, x ∈ [−87, 0] | 2 ulp | 0.97 ulp |
//! | `tanh(x)`, x ∈ [−10, 10] | 2 ulp | 1.5 ulp |
//! | `sigmoid(x)`, x ∈ [−87, 20] | 3 ulp | 2.4 ulp |
//! | `one_plus_erf(x)`, x ∈ [−9, 6] | relative 6e-7 + x²·1.2e-7 | 0.6 of the bound |
//!
//! Below those ranges the results are subnormal and lose relative precision gradually.
//!
//! Spec: docs/SEMANTICS.md#activations

// Constants keep the digits they were published or fitted with; the compiler rounds them to f32.
#![allow(clippy::excessive_precision)]

use crate::lanes::{BitLanes, Lanes};

pub use crate::math::exp_neg;

/// Cephes `tanhf` odd polynomial on |x| < 0.625: `x + x·z·T(z)`, z = x².
const TANH_T: [f32; 5] =
    [-5.704_988_727_45e-3, 2.063_908_879_54e-2, -5.373_971_555_31e-2, 1.333_144_220_36e-1, -3.333_328_194_22e-1];
const TANH_SPLIT: f32 = 0.625;

/// `tanh(x)`, odd, with tanh(±0) = ±0.
///
/// ```text
/// a = |x|
/// a < 0.625:  a + ((T(a²)·a²)·a)                 (Cephes tanhf)
/// otherwise:  (1 − e)/(1 + e),  e = e^(−2a)       (no overflow: e ≤ 1)
/// then the sign of x
/// ```
#[inline(always)]
pub fn tanh<L: Lanes>(x: L) -> L {
    let a = x.abs();
    let z = a * a;
    let mut p = L::splat(TANH_T[0]);
    for c in &TANH_T[1..] {
        p = p * z + L::splat(*c);
    }
    let small = (p * z) * a + a;
    let e = exp_neg(-(a + a));
    let one = L::splat(1.0);
    let large = (one - e) / (one + e);
    // On |x| the sign of zero is lost; putting it back keeps tanh(−0) = −0.
    copy_sign(L::select(a.lt(L::splat(TANH_SPLIT)), small, large), x)
}

/// `1 / (1 + e^−x)`, computed from `e = e^−|x| ≤ 1` so that neither side overflows and the
/// negative side keeps its relative precision: `1/(1 + e)` for x ≥ 0, `e/(1 + e)` for x < 0.
#[inline(always)]
pub fn sigmoid<L: Lanes>(x: L) -> L {
    let e = exp_neg(-x.abs());
    let one = L::splat(1.0);
    L::select(x.lt(L::zero()), e, one) / (one + e)
}

/// `erf(x) = x + x·A(x²)` on |x| < 0.9 (fit by `tools/fit_erf.py`; A(0) = 2/√π − 1).
const ERF_A: [f32; 7] = [
    0.128_379_166_126_251_22,
    -0.376_126_348_972_320_56,
    0.112_837_150_692_939_76,
    -0.026_860_509_067_773_82,
    0.005_203_859_414_905_31,
    -0.000_817_564_083_263_278,
    8.513_103_966_834_024e-5,
];
/// `erfc(x)·e^(x²) = B(t)`, `t = 1/(1 + x/2)`, on 0.9 ≤ x ≤ 10.5 (fit by `tools/fit_erf.py`).
const ERFC_B: [f32; 9] = [
    -4.672_820_523_410_337e-6,
    0.282_216_161_489_486_7,
    0.280_787_169_933_319_1,
    0.254_305_690_526_962_3,
    0.152_809_113_264_083_86,
    0.117_848_962_545_394_9,
    0.007_147_531_956_434_25,
    -0.170_935_973_525_047_3,
    0.076_201_401_650_909_35,
];
const ERF_SPLIT: f32 = 0.9;
/// Beyond this erfc(|x|) is below the smallest subnormal; clamping keeps `B` in its fitted range.
const ERFC_CLAMP: f32 = 10.5;

/// `1 + erf(x)`, accurate in relative terms also where it is tiny (x ≪ 0), which the literal
/// `1 + erf(x)` of PyTorch's GELU is not (its cancellation costs up to all digits there).
///
/// ```text
/// |x| < 0.9:   1 + (x + x·A(x²))
/// x ≥ 0.9:     2 − c,   x ≤ −0.9:  c,   where c = erfc(|x|) = e^(−x²)·B(1/(1 + |x|/2))
/// ```
#[inline(always)]
pub fn one_plus_erf<L: Lanes>(x: L) -> L {
    let one = L::splat(1.0);
    let z = x * x;
    let mut p = L::splat(ERF_A[6]);
    for c in ERF_A[..6].iter().rev() {
        p = p * z + L::splat(*c);
    }
    let near = one + (x + x * p);

    let a = x.abs().min(L::splat(ERFC_CLAMP));
    let t = one / (one + L::splat(0.5) * a);
    let mut q = L::splat(ERFC_B[8]);
    for c in ERFC_B[..8].iter().rev() {
        q = q * t + L::splat(*c);
    }
    let c = exp_neg(-(a * a)) * q;
    let far = L::select(x.lt(L::zero()), c, L::splat(2.0) - c);
    L::select(x.abs().lt(L::splat(ERF_SPLIT)), near, far)
}

/// `|m|` with the sign bit of `s`.
#[inline(always)]
fn copy_sign<L: Lanes>(m: L, s: L) -> L {
    let sign = <L::Bits as BitLanes>::splat(0x8000_0000);
    L::from_bits(m.abs().to_bits().xor(s.to_bits().and(sign)))
}
