//! `exp` and `log` in f32 from additions, multiplications and bit operations only, written once
//! over [`Lanes`], so the SIMD build, the scalar build and the TypeScript twin (`math.ts`, every
//! operation rounded with `Math.fround`) compute the same bits. Library `expf`/`logf` differ
//! between engines and libms; these do not.
//!
//! Both are the Cephes single-precision algorithms (S. L. Moshier, Cephes Math Library 2.2):
//!
//! ```text
//! exp(x) = 2^n · P(r)        n = round(x·log2 e), r = x − n·C1 − n·C2 (Cody–Waite, C1 + C2 = ln 2)
//!                            P(r) = 1 + r + r²·(½ + r·(1/6 + …))   (degree-7 minimax)
//! log(x) = e·ln 2 + log(m)   x = m·2^e with m ∈ [√½, √2), log(1 + f) = f − f²/2 + f³·Q(f)
//! ```
//! Measured error (tests/math_accuracy.rs): at most 1 ulp against the correctly rounded value
//! (`log1p_nonneg`: 2 ulp).
//! Range: `exp` returns +∞ above [`EXP_HI`] and 0 below [`EXP_LO`] (results under 2^−126 are
//! flushed to zero instead of becoming subnormal); `log(0) = −∞`, `log(x < 0) = NaN`,
//! `log(+∞) = +∞`, subnormal arguments are handled. NaN propagates through both.
//!
//! Spec: docs/SEMANTICS.md#floating-point-rules

// Cephes' published decimals, kept verbatim (math.ts has the same text): both parse them to the
// same f32.
#![allow(clippy::excessive_precision)]

use crate::lanes::{BitLanes, Lanes};

/// Above this `exp` returns +∞ (2^n must stay a normal number: n ≤ 127).
pub const EXP_HI: f32 = 88.37626;
/// Below this `exp` returns 0 (ln 2^−126: the smallest normal result).
pub const EXP_LO: f32 = -87.33654;

const LOG2E: f32 = core::f32::consts::LOG2_E;
/// 1.5·2^23: adding it rounds an f32 of magnitude < 2^22 to an integer (ties to even), and the
/// integer can then be read from the low bits of the sum.
const ROUND_MAGIC: f32 = 12_582_912.0;
/// ln 2 in two parts: `C1` has 9 significant bits so `n·C1` is exact for |n| ≤ 2^15.
const LN2_HI: f32 = 0.693_359_375;
const LN2_LO: f32 = -2.121_944_40e-4;
const EXP_P: [f32; 6] =
    [1.987_569_150_0e-4, 1.398_199_950_7e-3, 8.333_451_907_3e-3, 4.166_579_589_4e-2, 1.666_666_545_9e-1, 5.000_000_120_1e-1];
const LOG_Q: [f32; 9] = [
    7.037_683_629_2e-2,
    -1.151_461_031_0e-1,
    1.167_699_874_0e-1,
    -1.242_014_084_6e-1,
    1.424_932_278_7e-1,
    -1.666_805_766_5e-1,
    2.000_071_476_5e-1,
    -2.499_999_399_3e-1,
    3.333_333_117_4e-1,
];
const SQRT2: f32 = core::f32::consts::SQRT_2;
const MIN_NORMAL: f32 = f32::MIN_POSITIVE;
/// 2^23, the factor that makes a subnormal argument of `log` normal.
const TWO_POW_23: f32 = 8_388_608.0;

/// The part of e^x that `exp` and `exp_neg` share: Cody–Waite reduction `x = n·ln 2 + r`,
/// |r| ≤ ln2/2, and the Cephes polynomial `e^r ≈ 1 + r + r²·P(r)`. Returns e^r and the rounding
/// sum `t`, whose low bits hold the integer n (bits(t) − bits(ROUND_MAGIC) = n).
#[inline(always)]
fn exp_reduced<L: Lanes>(x: L) -> (L, L) {
    let t = x * L::splat(LOG2E) + L::splat(ROUND_MAGIC);
    let n = t - L::splat(ROUND_MAGIC);
    let r = (x - n * L::splat(LN2_HI)) - n * L::splat(LN2_LO);
    let mut p = L::splat(EXP_P[0]);
    for c in &EXP_P[1..] {
        p = p * r + L::splat(*c);
    }
    ((p * (r * r) + r) + L::splat(1.0), t)
}

/// e^x, lane by lane (see the module documentation for the algorithm and its range).
#[inline(always)]
pub fn exp<L: Lanes>(x: L) -> L {
    let (p, t) = exp_reduced(x);
    // 2^n from the integer in t's low bits: ((bits(t) − bits(MAGIC)) + 127) << 23.
    let bias = 127u32.wrapping_sub(ROUND_MAGIC.to_bits());
    let scale = L::from_bits(t.to_bits().wrapping_add(L::Bits::splat(bias)).shl(23));
    let y = p * scale;
    let y = L::select(x.gt(L::splat(EXP_HI)), L::splat(f32::INFINITY), y);
    L::select(x.lt(L::splat(EXP_LO)), L::zero(), y)
}

/// Below this `exp_neg` rounds to zero in f32 (e^−104 < 2^−150).
const EXP_NEG_MIN_ARG: f32 = -104.0;
/// 2^−64.
const TWO_POW_MINUS_64: f32 = 5.421_010_862_427_522e-20;

/// `e^x` for `x ≤ 0` (larger `x` is taken as 0), subnormal results included; NaN stays NaN.
/// The activations use it (tanh, sigmoid, erf).
///
/// ```text
/// e^x = (e^r · 2^(n+64)) · 2^−64       both scalings exact but the last, which rounds once
/// ```
/// The split scaling reaches the subnormal results (n down to −150) without a second exponent
/// check: `2^(n+64)` is always a normal float.
#[inline(always)]
pub fn exp_neg<L: Lanes>(x: L) -> L {
    let x = x.clamp(L::splat(EXP_NEG_MIN_ARG), L::zero());
    let (p, t) = exp_reduced(x);
    // bits(t) − bits(MAGIC) = n; the f32 with exponent field n + 64 + 127 is 2^(n+64).
    let biased = t.to_bits().wrapping_add(<L::Bits as BitLanes>::splat((191u32).wrapping_sub(ROUND_MAGIC.to_bits())));
    let scale = L::from_bits(biased.shl(23));
    (p * scale) * L::splat(TWO_POW_MINUS_64)
}

/// Natural logarithm, lane by lane (see the module documentation).
#[inline(always)]
pub fn log<L: Lanes>(x: L) -> L {
    // Subnormals: scale into the normal range and take 23 off the exponent.
    let tiny = x.lt(L::splat(MIN_NORMAL));
    let xs = L::select(tiny, x * L::splat(TWO_POW_23), x);
    let bits = xs.to_bits();
    let e = L::from_u32(bits.shr(23)) - L::select(tiny, L::splat(150.0), L::splat(127.0));
    // The mantissa as a number in [1, 2).
    let m = L::from_bits(bits.and(L::Bits::splat(0x007f_ffff)).wrapping_add(L::Bits::splat(0x3f80_0000)));
    // Fold [√2, 2) down to [√½, 1) so that f = m − 1 stays within [1 − √½, √2 − 1].
    let high = m.gt(L::splat(SQRT2));
    let m = L::select(high, m * L::splat(0.5), m);
    let e = L::select(high, e + L::splat(1.0), e);
    let f = m - L::splat(1.0);
    let z = f * f;
    let mut q = L::splat(LOG_Q[0]);
    for c in &LOG_Q[1..] {
        q = q * f + L::splat(*c);
    }
    let y = (q * f) * z;
    let y = y + e * L::splat(LN2_LO);
    let y = y - L::splat(0.5) * z;
    let y = (f + y) + e * L::splat(LN2_HI);
    // Special arguments: +∞, 0 (either sign), negatives, NaN.
    let y = L::select(x.ge(L::splat(f32::INFINITY)), x, y);
    let y = L::select(x.le(L::zero()), L::splat(f32::NEG_INFINITY), y);
    let y = L::select(x.lt(L::zero()), L::splat(f32::NAN), y);
    L::select(x.is_ordered(), y, x)
}

/// ln(1 + u) for u ≥ 0 without losing u's digits when u is small (Goldberg 1991, "What every
/// computer scientist should know about floating-point arithmetic", Theorem 4):
/// `w = 1 + u; ln(1 + u) = u` if `w == 1`, else `log(w)·u/(w − 1)`.
#[inline(always)]
pub fn log1p_nonneg<L: Lanes>(u: L) -> L {
    let w = u + L::splat(1.0);
    let d = w - L::splat(1.0);
    L::select(d.le(L::zero()), u, log(w) * (u / d))
}

/// |x|^p = exp(p·log|x|) for p > 0 (0^p = 0, ∞^p = ∞).
#[inline(always)]
pub fn pow_abs<L: Lanes>(x: L, p: L) -> L {
    exp(p * log(x.abs()))
}

#[cfg(target_arch = "wasm32")]
extern "C" {
    // From compiler-builtins; LLVM knows it and emits `f64.sqrt` (core has no stable f64::sqrt).
    fn sqrt(x: f64) -> f64;
}

/// Correctly rounded f64 square root without std (wasm `f64.sqrt`, SSE2 `sqrtsd`, NEON
/// `fsqrt`), as JavaScript's `Math.sqrt`: for the per-step norms the optimizers compute in f64.
#[inline(always)]
pub fn sqrt64(x: f64) -> f64 {
    #[cfg(target_arch = "wasm32")]
    unsafe {
        sqrt(x)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        #[cfg(target_arch = "x86_64")]
        unsafe {
            use core::arch::x86_64::*;
            _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(x)))
        }
        #[cfg(target_arch = "aarch64")]
        unsafe {
            use core::arch::aarch64::*;
            vget_lane_f64::<0>(vsqrt_f64(vdup_n_f64(x)))
        }
    }
}
