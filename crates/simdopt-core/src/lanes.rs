//! The only place that knows SIMD.
//!
//! A kernel is written once against [`Lanes`] and compiled three ways:
//! * [`F32x4`] — four f32 lanes in a wasm `v128` (simd128), the fast build;
//! * [`Scalar`] — one lane, the scalar wasm build and the tail of every vectorised loop;
//! * [`Emu4`] — four lanes emulated with scalar arithmetic, so host `cargo test` can check the
//!   4-wide chunking and tail handling without a wasm engine.
//!
//! Every operation is IEEE-754 single precision and none is fused, so all three give bit-identical
//! results for the same sequence of operations (NaN payloads aside). `max`/`min` propagate NaN and
//! order −0 below +0, as wasm's `f32x4.max`/`f32x4.min` do; the scalar twins are written to match.
//!
//! Spec: docs/SEMANTICS.md#floating-point-rules

use core::ops::{Add, Div, Mul, Neg, Sub};

/// A vector of `WIDTH` f32 lanes with the arithmetic the kernels need.
pub trait Lanes:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self> + Neg<Output = Self>
{
    /// Number of f32 lanes.
    const WIDTH: usize;
    /// Result of a lane-wise comparison, consumed by [`Lanes::select`].
    type Mask: Copy;
    /// Unsigned 32-bit lanes of the same width (counter-based random numbers, bit tricks).
    type Bits: BitLanes<Mask = Self::Mask>;

    fn splat(x: f32) -> Self;
    /// # Safety
    /// `ptr` must be valid for reading `WIDTH` f32 values (any 4-byte alignment).
    unsafe fn load(ptr: *const f32) -> Self;
    /// # Safety
    /// `ptr` must be valid for writing `WIDTH` f32 values (any 4-byte alignment).
    unsafe fn store(self, ptr: *mut f32);

    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    /// IEEE 754-2019 `maximum`: NaN if either is NaN, +0 > −0.
    fn max(self, other: Self) -> Self;
    /// IEEE 754-2019 `minimum`: NaN if either is NaN, −0 < +0.
    fn min(self, other: Self) -> Self;
    fn gt(self, other: Self) -> Self::Mask;
    fn lt(self, other: Self) -> Self::Mask;
    fn ge(self, other: Self) -> Self::Mask;
    fn le(self, other: Self) -> Self::Mask;
    /// Lanes that are not NaN.
    fn is_ordered(self) -> Self::Mask;
    /// `mask ? a : b`, lane by lane.
    fn select(mask: Self::Mask, a: Self, b: Self) -> Self;
    /// Reinterpret the f32 bits as u32 lanes, and back.
    fn to_bits(self) -> Self::Bits;
    fn from_bits(bits: Self::Bits) -> Self;
    /// Convert u32 lanes (< 2^24 for exactness) to f32.
    fn from_u32(bits: Self::Bits) -> Self;
    /// Sum of the lanes, added left to right.
    fn reduce_add(self) -> f32;
    /// Maximum of the lanes with NaN propagation.
    fn reduce_max(self) -> f32;

    #[inline(always)]
    fn zero() -> Self {
        Self::splat(0.0)
    }

    /// sign(x) ∈ {−1, 0, +1}; sign(±0) = ±0 and sign(NaN) = NaN so that a NaN stays visible.
    #[inline(always)]
    fn sign(self) -> Self {
        let pos = Self::select(self.gt(Self::zero()), Self::splat(1.0), self);
        Self::select(self.lt(Self::zero()), Self::splat(-1.0), pos)
    }

    /// Clamp to [lo, hi] keeping NaN (as `torch.clamp`).
    #[inline(always)]
    fn clamp(self, lo: Self, hi: Self) -> Self {
        let up = Self::select(self.lt(lo), lo, self);
        Self::select(up.gt(hi), hi, up)
    }
}

/// Unsigned 32-bit lanes: enough integer arithmetic for a counter-based generator.
pub trait BitLanes: Copy {
    type Mask: Copy;
    fn splat(x: u32) -> Self;
    /// `start, start+1, …` across the lanes.
    fn iota(start: u32) -> Self;
    fn wrapping_add(self, o: Self) -> Self;
    fn wrapping_mul(self, o: Self) -> Self;
    fn xor(self, o: Self) -> Self;
    fn and(self, o: Self) -> Self;
    fn shr(self, n: u32) -> Self;
    fn shl(self, n: u32) -> Self;
    fn lt(self, o: Self) -> Self::Mask;
}

/// IEEE 754-2019 maximum on one f32, as wasm's `f32.max` computes it.
#[inline(always)]
pub fn maximum(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else if a > b {
        a
    } else if b > a {
        b
    } else if a.is_sign_negative() {
        b
    } else {
        a
    }
}

/// IEEE 754-2019 minimum on one f32, as wasm's `f32.min` computes it.
#[inline(always)]
pub fn minimum(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else if a < b {
        a
    } else if b < a {
        b
    } else if a.is_sign_negative() {
        a
    } else {
        b
    }
}

// ---------------------------------------------------------------------------------------------
// Scalar: one lane.

/// One f32 lane: the scalar build, and the tail of every vectorised loop.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(transparent)]
pub struct Scalar(pub f32);

/// One u32 lane.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(transparent)]
pub struct Bits1(pub u32);

macro_rules! scalar_binop {
    ($t:ident, $tr:ident, $f:ident, $op:tt) => {
        impl $tr for $t {
            type Output = $t;
            #[inline(always)]
            fn $f(self, o: $t) -> $t {
                $t(self.0 $op o.0)
            }
        }
    };
}
scalar_binop!(Scalar, Add, add, +);
scalar_binop!(Scalar, Sub, sub, -);
scalar_binop!(Scalar, Mul, mul, *);
scalar_binop!(Scalar, Div, div, /);
impl Neg for Scalar {
    type Output = Scalar;
    #[inline(always)]
    fn neg(self) -> Scalar {
        Scalar(-self.0)
    }
}

impl BitLanes for Bits1 {
    type Mask = bool;
    #[inline(always)]
    fn splat(x: u32) -> Self {
        Bits1(x)
    }
    #[inline(always)]
    fn iota(start: u32) -> Self {
        Bits1(start)
    }
    #[inline(always)]
    fn wrapping_add(self, o: Self) -> Self {
        Bits1(self.0.wrapping_add(o.0))
    }
    #[inline(always)]
    fn wrapping_mul(self, o: Self) -> Self {
        Bits1(self.0.wrapping_mul(o.0))
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        Bits1(self.0 ^ o.0)
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        Bits1(self.0 & o.0)
    }
    #[inline(always)]
    fn shr(self, n: u32) -> Self {
        Bits1(self.0 >> n)
    }
    #[inline(always)]
    fn shl(self, n: u32) -> Self {
        Bits1(self.0 << n)
    }
    #[inline(always)]
    fn lt(self, o: Self) -> bool {
        self.0 < o.0
    }
}

impl Lanes for Scalar {
    const WIDTH: usize = 1;
    type Mask = bool;
    type Bits = Bits1;
    #[inline(always)]
    fn splat(x: f32) -> Self {
        Scalar(x)
    }
    #[inline(always)]
    unsafe fn load(ptr: *const f32) -> Self {
        Scalar(ptr.read())
    }
    #[inline(always)]
    unsafe fn store(self, ptr: *mut f32) {
        ptr.write(self.0)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        Scalar(sqrt_f32(self.0))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        Scalar(f32::from_bits(self.0.to_bits() & 0x7fff_ffff))
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        Scalar(maximum(self.0, o.0))
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        Scalar(minimum(self.0, o.0))
    }
    #[inline(always)]
    fn gt(self, o: Self) -> bool {
        self.0 > o.0
    }
    #[inline(always)]
    fn lt(self, o: Self) -> bool {
        self.0 < o.0
    }
    #[inline(always)]
    fn ge(self, o: Self) -> bool {
        self.0 >= o.0
    }
    #[inline(always)]
    fn le(self, o: Self) -> bool {
        self.0 <= o.0
    }
    #[inline(always)]
    fn is_ordered(self) -> bool {
        !self.0.is_nan()
    }
    #[inline(always)]
    fn select(mask: bool, a: Self, b: Self) -> Self {
        if mask {
            a
        } else {
            b
        }
    }
    #[inline(always)]
    fn to_bits(self) -> Bits1 {
        Bits1(self.0.to_bits())
    }
    #[inline(always)]
    fn from_bits(bits: Bits1) -> Self {
        Scalar(f32::from_bits(bits.0))
    }
    #[inline(always)]
    fn from_u32(bits: Bits1) -> Self {
        Scalar(bits.0 as f32)
    }
    #[inline(always)]
    fn reduce_add(self) -> f32 {
        self.0
    }
    #[inline(always)]
    fn reduce_max(self) -> f32 {
        self.0
    }
}

#[cfg(target_arch = "wasm32")]
extern "C" {
    // From compiler-builtins; LLVM knows it and emits `f32.sqrt` (core has no stable f32::sqrt).
    fn sqrtf(x: f32) -> f32;
}

/// Correctly rounded square root without std (IEEE `sqrt` on every target).
#[inline(always)]
fn sqrt_f32(x: f32) -> f32 {
    #[cfg(target_arch = "wasm32")]
    unsafe {
        sqrtf(x)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        // SSE2's sqrtss is IEEE correctly rounded, like wasm's f32.sqrt.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            use core::arch::x86_64::*;
            _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(x)))
        }
        #[cfg(target_arch = "aarch64")]
        unsafe {
            use core::arch::aarch64::*;
            vget_lane_f32::<0>(vsqrt_f32(vdup_n_f32(x)))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Emu4: four lanes in plain arrays (host tests of the chunking and tail logic).

/// Four f32 lanes emulated with scalar arithmetic; bit-identical to [`F32x4`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Emu4(pub [f32; 4]);

/// Four u32 lanes emulated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EmuBits4(pub [u32; 4]);

#[inline(always)]
fn map4<T: Copy, U: Copy + Default>(a: [T; 4], f: impl Fn(T) -> U) -> [U; 4] {
    [f(a[0]), f(a[1]), f(a[2]), f(a[3])]
}
#[inline(always)]
fn zip4<T: Copy, U: Copy + Default>(a: [T; 4], b: [T; 4], f: impl Fn(T, T) -> U) -> [U; 4] {
    [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
}

macro_rules! emu_binop {
    ($tr:ident, $f:ident, $op:tt) => {
        impl $tr for Emu4 {
            type Output = Emu4;
            #[inline(always)]
            fn $f(self, o: Emu4) -> Emu4 {
                Emu4(zip4(self.0, o.0, |a, b| a $op b))
            }
        }
    };
}
emu_binop!(Add, add, +);
emu_binop!(Sub, sub, -);
emu_binop!(Mul, mul, *);
emu_binop!(Div, div, /);
impl Neg for Emu4 {
    type Output = Emu4;
    #[inline(always)]
    fn neg(self) -> Emu4 {
        Emu4(map4(self.0, |a| -a))
    }
}

impl BitLanes for EmuBits4 {
    type Mask = [bool; 4];
    #[inline(always)]
    fn splat(x: u32) -> Self {
        EmuBits4([x; 4])
    }
    #[inline(always)]
    fn iota(s: u32) -> Self {
        EmuBits4([s, s.wrapping_add(1), s.wrapping_add(2), s.wrapping_add(3)])
    }
    #[inline(always)]
    fn wrapping_add(self, o: Self) -> Self {
        EmuBits4(zip4(self.0, o.0, |a, b| a.wrapping_add(b)))
    }
    #[inline(always)]
    fn wrapping_mul(self, o: Self) -> Self {
        EmuBits4(zip4(self.0, o.0, |a, b| a.wrapping_mul(b)))
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        EmuBits4(zip4(self.0, o.0, |a, b| a ^ b))
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        EmuBits4(zip4(self.0, o.0, |a, b| a & b))
    }
    #[inline(always)]
    fn shr(self, n: u32) -> Self {
        EmuBits4(map4(self.0, |a| a >> n))
    }
    #[inline(always)]
    fn shl(self, n: u32) -> Self {
        EmuBits4(map4(self.0, |a| a << n))
    }
    #[inline(always)]
    fn lt(self, o: Self) -> [bool; 4] {
        zip4(self.0, o.0, |a, b| a < b)
    }
}

impl Lanes for Emu4 {
    const WIDTH: usize = 4;
    type Mask = [bool; 4];
    type Bits = EmuBits4;
    #[inline(always)]
    fn splat(x: f32) -> Self {
        Emu4([x; 4])
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        Emu4([p.read(), p.add(1).read(), p.add(2).read(), p.add(3).read()])
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        for (k, v) in self.0.iter().enumerate() {
            p.add(k).write(*v);
        }
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        Emu4(map4(self.0, sqrt_f32))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        Emu4(map4(self.0, |a| Scalar(a).abs().0))
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        Emu4(zip4(self.0, o.0, maximum))
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        Emu4(zip4(self.0, o.0, minimum))
    }
    #[inline(always)]
    fn gt(self, o: Self) -> [bool; 4] {
        zip4(self.0, o.0, |a, b| a > b)
    }
    #[inline(always)]
    fn lt(self, o: Self) -> [bool; 4] {
        zip4(self.0, o.0, |a, b| a < b)
    }
    #[inline(always)]
    fn ge(self, o: Self) -> [bool; 4] {
        zip4(self.0, o.0, |a, b| a >= b)
    }
    #[inline(always)]
    fn le(self, o: Self) -> [bool; 4] {
        zip4(self.0, o.0, |a, b| a <= b)
    }
    #[inline(always)]
    fn is_ordered(self) -> [bool; 4] {
        map4(self.0, |a| !a.is_nan())
    }
    #[inline(always)]
    fn select(m: [bool; 4], a: Self, b: Self) -> Self {
        Emu4([
            if m[0] { a.0[0] } else { b.0[0] },
            if m[1] { a.0[1] } else { b.0[1] },
            if m[2] { a.0[2] } else { b.0[2] },
            if m[3] { a.0[3] } else { b.0[3] },
        ])
    }
    #[inline(always)]
    fn to_bits(self) -> EmuBits4 {
        EmuBits4(map4(self.0, f32::to_bits))
    }
    #[inline(always)]
    fn from_bits(b: EmuBits4) -> Self {
        Emu4(map4(b.0, f32::from_bits))
    }
    #[inline(always)]
    fn from_u32(b: EmuBits4) -> Self {
        Emu4(map4(b.0, |x| x as f32))
    }
    #[inline(always)]
    fn reduce_add(self) -> f32 {
        // Pairwise, in the same order as F32x4::reduce_add.
        (self.0[0] + self.0[2]) + (self.0[1] + self.0[3])
    }
    #[inline(always)]
    fn reduce_max(self) -> f32 {
        maximum(maximum(self.0[0], self.0[2]), maximum(self.0[1], self.0[3]))
    }
}

// ---------------------------------------------------------------------------------------------
// F32x4: wasm simd128.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::*;
    use core::arch::wasm32::*;

    /// Four f32 lanes in a wasm `v128`.
    #[derive(Clone, Copy)]
    #[repr(transparent)]
    pub struct F32x4(pub v128);

    /// Four u32 lanes in a wasm `v128`.
    #[derive(Clone, Copy)]
    #[repr(transparent)]
    pub struct U32x4(pub v128);

    macro_rules! simd_binop {
        ($tr:ident, $f:ident, $op:ident) => {
            impl $tr for F32x4 {
                type Output = F32x4;
                #[inline(always)]
                fn $f(self, o: F32x4) -> F32x4 {
                    F32x4($op(self.0, o.0))
                }
            }
        };
    }
    simd_binop!(Add, add, f32x4_add);
    simd_binop!(Sub, sub, f32x4_sub);
    simd_binop!(Mul, mul, f32x4_mul);
    simd_binop!(Div, div, f32x4_div);
    impl Neg for F32x4 {
        type Output = F32x4;
        #[inline(always)]
        fn neg(self) -> F32x4 {
            F32x4(f32x4_neg(self.0))
        }
    }

    impl BitLanes for U32x4 {
        type Mask = v128;
        #[inline(always)]
        fn splat(x: u32) -> Self {
            U32x4(u32x4_splat(x))
        }
        #[inline(always)]
        fn iota(s: u32) -> Self {
            U32x4(u32x4_add(u32x4_splat(s), u32x4(0, 1, 2, 3)))
        }
        #[inline(always)]
        fn wrapping_add(self, o: Self) -> Self {
            U32x4(u32x4_add(self.0, o.0))
        }
        #[inline(always)]
        fn wrapping_mul(self, o: Self) -> Self {
            U32x4(u32x4_mul(self.0, o.0))
        }
        #[inline(always)]
        fn xor(self, o: Self) -> Self {
            U32x4(v128_xor(self.0, o.0))
        }
        #[inline(always)]
        fn and(self, o: Self) -> Self {
            U32x4(v128_and(self.0, o.0))
        }
        #[inline(always)]
        fn shr(self, n: u32) -> Self {
            U32x4(u32x4_shr(self.0, n))
        }
        #[inline(always)]
        fn shl(self, n: u32) -> Self {
            U32x4(u32x4_shl(self.0, n))
        }
        #[inline(always)]
        fn lt(self, o: Self) -> v128 {
            u32x4_lt(self.0, o.0)
        }
    }

    impl Lanes for F32x4 {
        const WIDTH: usize = 4;
        type Mask = v128;
        type Bits = U32x4;
        #[inline(always)]
        fn splat(x: f32) -> Self {
            F32x4(f32x4_splat(x))
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self {
            F32x4(v128_load(p as *const v128))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) {
            v128_store(p as *mut v128, self.0)
        }
        #[inline(always)]
        fn sqrt(self) -> Self {
            F32x4(f32x4_sqrt(self.0))
        }
        #[inline(always)]
        fn abs(self) -> Self {
            F32x4(f32x4_abs(self.0))
        }
        #[inline(always)]
        fn max(self, o: Self) -> Self {
            F32x4(f32x4_max(self.0, o.0))
        }
        #[inline(always)]
        fn min(self, o: Self) -> Self {
            F32x4(f32x4_min(self.0, o.0))
        }
        #[inline(always)]
        fn gt(self, o: Self) -> v128 {
            f32x4_gt(self.0, o.0)
        }
        #[inline(always)]
        fn lt(self, o: Self) -> v128 {
            f32x4_lt(self.0, o.0)
        }
        #[inline(always)]
        fn ge(self, o: Self) -> v128 {
            f32x4_ge(self.0, o.0)
        }
        #[inline(always)]
        fn le(self, o: Self) -> v128 {
            f32x4_le(self.0, o.0)
        }
        #[inline(always)]
        fn is_ordered(self) -> v128 {
            f32x4_eq(self.0, self.0)
        }
        #[inline(always)]
        fn select(m: v128, a: Self, b: Self) -> Self {
            F32x4(v128_bitselect(a.0, b.0, m))
        }
        #[inline(always)]
        fn to_bits(self) -> U32x4 {
            U32x4(self.0)
        }
        #[inline(always)]
        fn from_bits(b: U32x4) -> Self {
            F32x4(b.0)
        }
        #[inline(always)]
        fn from_u32(b: U32x4) -> Self {
            F32x4(f32x4_convert_u32x4(b.0))
        }
        #[inline(always)]
        fn reduce_add(self) -> f32 {
            let v = self.0;
            (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<2>(v)) + (f32x4_extract_lane::<1>(v) + f32x4_extract_lane::<3>(v))
        }
        #[inline(always)]
        fn reduce_max(self) -> f32 {
            let v = self.0;
            maximum(
                maximum(f32x4_extract_lane::<0>(v), f32x4_extract_lane::<2>(v)),
                maximum(f32x4_extract_lane::<1>(v), f32x4_extract_lane::<3>(v)),
            )
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use simd::{F32x4, U32x4};

/// The lane type this build streams with: simd128 where the target has it, else one lane.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub type Native = F32x4;
/// The lane type this build streams with: simd128 where the target has it, else one lane.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub type Native = Scalar;
