//! Whole-vector arithmetic over flat f32 vectors, for optimizers that treat all parameters as one
//! vector (L-BFGS keeps its direction, gradients and curvature pairs this way, as PyTorch's
//! `torch.optim.LBFGS` keeps flat tensors). One pass per operation, on the lanes and in the
//! summation order of [`crate::stream`], so every build returns the same bits.
//!
//! Buffers `[x, y, out]`, argument block `[op, a]`:
//! ```text
//! DOT      Σ x·y                                  (y present, out absent)
//! AXPY     out ← y + a·x                          (out may be y itself: PyTorch's y.add_(x, alpha=a))
//! SCALE    out ← a·x                              (out may be x itself; a = 1 copies, a = −1 negates)
//! ABS_MAX  max |a·x|                              (NaN wins; −∞ for an empty vector)
//! ABS_SUM  Σ |x|
//! ```
//! Every product is rounded to f32 before it is added, as two separate tensor ops would round it.
//!
//! Spec: docs/SEMANTICS.md#l-bfgs

use crate::lanes::Lanes;
use crate::stream::{stream, ArrayKernel, Buffer, Elementwise, Reduce};

/// Layout of the f32 argument block.
pub mod arg {
    /// One of the `op` codes below.
    pub const OP: usize = 0;
    /// The scalar `a`.
    pub const A: usize = 1;
    pub const LEN: usize = 2;
}

/// Operation codes.
pub mod op {
    pub const DOT: u32 = 0;
    pub const AXPY: u32 = 1;
    pub const SCALE: u32 = 2;
    pub const ABS_MAX: u32 = 3;
    pub const ABS_SUM: u32 = 4;
}

/// Buffer order.
pub mod buf {
    pub const X: usize = 0;
    pub const Y: usize = 1;
    pub const OUT: usize = 2;
    pub const COUNT: usize = 3;
}

struct Dot(*const f32, *const f32);
impl Elementwise for Dot {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        L::load(self.0.add(i)) * L::load(self.1.add(i))
    }
}

struct Axpy {
    x: *const f32,
    y: *const f32,
    out: *mut f32,
    a: f32,
}
impl Elementwise for Axpy {
    const REDUCE: Reduce = Reduce::None;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        (L::load(self.y.add(i)) + L::splat(self.a) * L::load(self.x.add(i))).store(self.out.add(i));
        L::zero()
    }
}

struct Scale {
    x: *const f32,
    out: *mut f32,
    a: f32,
}
impl Elementwise for Scale {
    const REDUCE: Reduce = Reduce::None;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        (L::splat(self.a) * L::load(self.x.add(i))).store(self.out.add(i));
        L::zero()
    }
}

struct AbsMax(*const f32, f32);
impl Elementwise for AbsMax {
    const REDUCE: Reduce = Reduce::Max;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        (L::splat(self.1) * L::load(self.0.add(i))).abs()
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

/// The whole-vector operations: see the module documentation.
pub struct VectorKernel;

impl ArrayKernel for VectorKernel {
    const ARGS: usize = arg::LEN;
    const BUFFERS: usize = buf::COUNT;

    unsafe fn check(a: &[f32], b: &[Buffer]) -> bool {
        let n = b[buf::X].len;
        let x = b[buf::X].present();
        let y = b[buf::Y].present() && b[buf::Y].len == n;
        let out = b[buf::OUT].present() && b[buf::OUT].len == n;
        let no_y = !b[buf::Y].present();
        let no_out = !b[buf::OUT].present();
        let code = a[arg::OP];
        if code != (code as u32) as f32 {
            return false;
        }
        x && match code as u32 {
            op::DOT => y && no_out,
            op::AXPY => y && out,
            op::SCALE => no_y && out,
            op::ABS_MAX | op::ABS_SUM => no_y && no_out,
            _ => false,
        }
    }

    unsafe fn run<L: Lanes>(a: &[f32], b: &[Buffer]) -> f64 {
        let (x, y, out) = (b[buf::X].ptr, b[buf::Y].ptr, b[buf::OUT].ptr);
        let n = b[buf::X].len;
        let s = a[arg::A];
        match a[arg::OP] as u32 {
            op::DOT => stream::<L, _>(&Dot(x, y), n),
            op::AXPY => stream::<L, _>(&Axpy { x, y, out, a: s }, n),
            op::SCALE => stream::<L, _>(&Scale { x, out, a: s }, n),
            op::ABS_MAX => stream::<L, _>(&AbsMax(x, s), n),
            _ => stream::<L, _>(&AbsSum(x), n),
        }
    }
}
