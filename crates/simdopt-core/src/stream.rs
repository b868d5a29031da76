//! One pass over memory for the training kit (clipping, penalties, dropout, losses): the driver
//! every element-wise kernel runs on, and the one summation order every backend shares.
//!
//! A kernel says what happens to the `L::WIDTH` elements starting at an index
//! ([`Elementwise::at`]: loads, stores) and what they contribute to the pass's one number.
//! [`stream`] walks the whole quads (4 elements) with `L` and the last `n % 4` elements with
//! [`Scalar`], so the SIMD body and the scalar tail run the same code.
//!
//! Summation order, identical for [`crate::lanes::F32x4`], [`Scalar`] and the TypeScript twin
//! (`stream.ts`), so that all of them return the same bits:
//! ```text
//! lane j ∈ 0..4 adds, in f32 and in order, f(x_i) for the elements i ≡ j (mod 4) of whole quads;
//! after every 256 quads (1024 elements) and after the last whole quad, each lane's f32 block
//!   sum is added to that lane's f64 total and restarts from zero;
//! tail element 4·⌊n/4⌋ + t is added to the f64 total of lane t;
//! result = (total₀ + total₂) + (total₁ + total₃) in f64.
//! ```
//! The blocks bound the f32 rounding error of a sum to that of 256 additions whatever the length
//! (relative error ≲ 256·2⁻²⁴·Σ|f(x_i)|/|Σf(x_i)|, typically far less), like PyTorch's cascade sums.
//! A maximum uses the same order with IEEE `maximum` (NaN wins) in place of `+`.
//!
//! Spec: docs/SEMANTICS.md#floating-point-rules

use crate::lanes::{Lanes, Scalar};
use crate::sweep::Tensor;

/// Whole quads per f32 block before the lane sums move to f64.
pub const BLOCK_QUADS: usize = 256;

/// How the contributions of the elements combine into the pass's one number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduce {
    /// Nothing is accumulated (the pass only writes); the result is 0.
    None,
    Sum,
    /// NaN-propagating maximum; an empty pass gives −∞.
    Max,
}

impl Reduce {
    /// The value a lane starts from.
    #[inline(always)]
    pub const fn identity(self) -> f32 {
        match self {
            Reduce::Max => f32::NEG_INFINITY,
            _ => 0.0,
        }
    }

    #[inline(always)]
    fn lanes<L: Lanes>(self, a: L, b: L) -> L {
        match self {
            Reduce::Max => a.max(b),
            _ => a + b,
        }
    }

    /// The f64 step of the combination (`+`, or IEEE maximum like JavaScript's `Math.max`).
    #[inline(always)]
    pub fn f64(self, a: f64, b: f64) -> f64 {
        match self {
            Reduce::Max => maximum64(a, b),
            _ => a + b,
        }
    }
}

/// IEEE 754-2019 maximum on f64 (NaN if either is NaN, +0 > −0), as `Math.max` computes it.
#[inline(always)]
pub fn maximum64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a > b || (a == b && b.is_sign_negative()) {
        a
    } else {
        b
    }
}

/// What one element-wise kernel does at an index.
pub trait Elementwise {
    /// How the contributions combine.
    const REDUCE: Reduce;
    /// Processes elements `i..i + L::WIDTH` (reads and writes through the kernel's own
    /// pointers) and returns their contributions (ignored for [`Reduce::None`]).
    ///
    /// # Safety
    /// The kernel's pointers are valid for those elements.
    unsafe fn at<L: Lanes>(&self, i: usize) -> L;
}

/// Runs `k` over elements `0..n` and returns the combined contributions in the order described
/// in the module documentation.
///
/// # Safety
/// `k`'s pointers are valid for `n` elements.
#[inline(always)]
pub unsafe fn stream<L: Lanes, K: Elementwise>(k: &K, n: usize) -> f64 {
    debug_assert!(L::WIDTH <= 4 && 4 % L::WIDTH == 0);
    let reduce = K::REDUCE;
    let vectors = 4 / L::WIDTH;
    let quads = n / 4;
    let mut total = [reduce.identity() as f64; 4];
    let mut block = [L::splat(reduce.identity()); 4];
    let mut q = 0;
    while q < quads {
        let end = quads.min(q + BLOCK_QUADS);
        while q < end {
            for (v, lane) in block.iter_mut().enumerate().take(vectors) {
                let c = k.at::<L>(4 * q + v * L::WIDTH);
                if reduce != Reduce::None {
                    *lane = reduce.lanes(*lane, c);
                }
            }
            q += 1;
        }
        if reduce != Reduce::None {
            let mut sums = [0f32; 4];
            for (v, lane) in block.iter_mut().enumerate().take(vectors) {
                lane.store(sums.as_mut_ptr().add(v * L::WIDTH));
                *lane = L::splat(reduce.identity());
            }
            for (t, s) in total.iter_mut().zip(sums) {
                *t = reduce.f64(*t, s as f64);
            }
        }
    }
    for (t, total) in total.iter_mut().enumerate().take(n % 4) {
        let c = k.at::<Scalar>(4 * quads + t).0;
        if reduce != Reduce::None {
            *total = reduce.f64(*total, c as f64);
        }
    }
    reduce.f64(reduce.f64(total[0], total[2]), reduce.f64(total[1], total[3]))
}

/// Elements per segment of a tensor kernel's pass: a tensor's result is its segments' results
/// (each a fresh [`stream`] over at most this many elements) combined in f64 in order, like the
/// tensors of a table. Fixed, not derived from a thread count, so the threaded build (which hands
/// segments to different threads) and every other build sum in the same order; tensors up to a
/// segment long are one segment.
pub const SEGMENT: usize = 1 << 16;

/// A tensor's segments in order: `(start, end)` element ranges.
#[inline(always)]
pub fn segments(len: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..len.div_ceil(SEGMENT)).map(move |s| (s * SEGMENT, ((s + 1) * SEGMENT).min(len)))
}

/// A kernel over a table of parameters (values and gradients), all of them in one call:
/// PyTorch's multi-tensor apply, as the optimizers do it.
pub trait TensorKernel {
    /// Length of the f32 argument block.
    const ARGS: usize;
    /// How the per-tensor results of the configuration `args` selects combine (in f64, in table
    /// order, starting from 0: sums of non-negative terms and maxima of magnitudes).
    fn reduce(args: &[f32]) -> Reduce;
    /// Whether the argument block is acceptable (checked before anything is written).
    fn check(args: &[f32]) -> bool;
    /// Runs over one tensor and returns its result.
    ///
    /// # Safety
    /// `args.len() >= ARGS`, `check(args)`, and the tensor's `data` and `grad` are valid for
    /// `len` f32 (`state` is not used).
    unsafe fn tensor<L: Lanes>(args: &[f32], t: &Tensor) -> f64;

    /// Runs over every tensor in table order and combines their results, segment by segment
    /// ([`SEGMENT`]).
    ///
    /// # Safety
    /// As [`TensorKernel::tensor`] for every tensor.
    #[inline(always)]
    unsafe fn run<L: Lanes>(args: &[f32], tensors: &[Tensor]) -> f64 {
        let reduce = Self::reduce(args);
        tensors
            .iter()
            .fold(0.0, |acc, t| segments(t.len).fold(acc, |acc, (a, b)| reduce.f64(acc, Self::tensor::<L>(args, &t.piece(a, b)))))
    }
}

/// One array argument of an [`ArrayKernel`]: `len` elements (f32, or i32 for class indices) at
/// `ptr`, or absent when `ptr` is null. `#[repr(C)]`: on wasm32 this is the 8-byte entry (two
/// u32) of the buffer table TypeScript writes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Buffer {
    pub ptr: *mut f32,
    pub len: usize,
}

impl Buffer {
    pub const ABSENT: Buffer = Buffer { ptr: core::ptr::null_mut(), len: 0 };

    pub fn present(&self) -> bool {
        !self.ptr.is_null()
    }

    /// A buffer over a slice (host callers).
    pub fn of(s: &[f32]) -> Buffer {
        Buffer { ptr: s.as_ptr() as *mut f32, len: s.len() }
    }

    /// A buffer over a mutable slice, or absent.
    pub fn of_mut(s: Option<&mut [f32]>) -> Buffer {
        s.map_or(Buffer::ABSENT, |s| Buffer { ptr: s.as_mut_ptr(), len: s.len() })
    }
}

/// Runs a kernel that sums nothing ([`Reduce::None`]) over elements `start..end` of a pass of
/// `n` elements, calling [`Elementwise::at`] at the same indices with the same lane types as
/// [`stream`] does for those elements (`start` a multiple of 4): parts of one pass, run by
/// different threads, write what the whole pass writes.
///
/// # Safety
/// `k`'s pointers are valid for `n` elements; `start <= end <= n`.
#[inline(always)]
pub unsafe fn stream_part<L: Lanes, K: Elementwise>(k: &K, start: usize, end: usize, n: usize) {
    debug_assert!(K::REDUCE == Reduce::None && start % 4 == 0 && L::WIDTH <= 4 && 4 % L::WIDTH == 0);
    let body = end.min(n - n % 4);
    let mut i = start;
    while i < body {
        for v in 0..4 / L::WIDTH {
            k.at::<L>(i + v * L::WIDTH);
        }
        i += 4;
    }
    while i < end {
        k.at::<Scalar>(i);
        i += 1;
    }
}

/// A kernel over a fixed number of arrays (inputs, optional outputs) and an argument block.
pub trait ArrayKernel {
    /// Length of the f32 argument block.
    const ARGS: usize;
    /// Number of buffers, in the kernel's documented order.
    const BUFFERS: usize;
    /// Whether the arguments and the buffers' presence and lengths fit together (and, for class
    /// indices, whether every index is in range). Called before anything is written.
    ///
    /// # Safety
    /// `args.len() >= ARGS`, `bufs.len() == BUFFERS`, every present buffer valid for `len`
    /// elements.
    unsafe fn check(args: &[f32], bufs: &[Buffer]) -> bool;
    /// Runs the kernel and returns its number (a loss sum, or 0).
    ///
    /// # Safety
    /// As [`ArrayKernel::check`], which returned true.
    unsafe fn run<L: Lanes>(args: &[f32], bufs: &[Buffer]) -> f64;

    /// Elements of a pass that may be divided among threads — each element computed alone,
    /// nothing summed, `run` returning 0 — or `None` (the default: the pass runs whole).
    ///
    /// # Safety
    /// As [`ArrayKernel::run`].
    unsafe fn parts(_args: &[f32], _bufs: &[Buffer]) -> Option<usize> {
        None
    }

    /// Elements `start..end` (`start` a multiple of 4) of a pass [`ArrayKernel::parts`] allows to
    /// divide: the parts together write exactly what `run` writes.
    ///
    /// # Safety
    /// As [`ArrayKernel::run`], `start <= end <=` the pass's length.
    unsafe fn run_part<L: Lanes>(_args: &[f32], _bufs: &[Buffer], _start: usize, _end: usize) {}
}

/// Safe entry for host callers: checks, then runs; `None` when `check` refuses.
///
/// Panics when `args` or `bufs` are shorter than the kernel needs.
pub fn run_array_kernel<L: Lanes, K: ArrayKernel>(args: &[f32], bufs: &[Buffer]) -> Option<f64> {
    assert!(args.len() >= K::ARGS && bufs.len() == K::BUFFERS, "argument block or buffer list too short");
    // SAFETY: the buffers were made from live slices (Buffer::of / of_mut).
    unsafe { K::check(args, bufs).then(|| K::run::<L>(args, bufs)) }
}

/// Safe entry for host callers: one tensor per (values, gradient) pair, combined as
/// [`TensorKernel::run`] combines a table.
///
/// Panics when a gradient is shorter than its values, `args` is too short or `check` refuses.
pub fn run_tensor_kernel<L: Lanes, K: TensorKernel>(args: &[f32], params: &mut [(&mut [f32], &mut [f32])]) -> f64 {
    assert!(args.len() >= K::ARGS && K::check(args), "bad argument block");
    let reduce = K::reduce(args);
    params.iter_mut().fold(0.0, |acc, (data, grad)| {
        assert!(grad.len() >= data.len(), "gradient shorter than the values");
        let t = Tensor::new(data.as_mut_ptr(), grad.as_mut_ptr(), core::ptr::null_mut(), data.len());
        // SAFETY: both pointers come from live slices of at least `len` elements.
        segments(t.len).fold(acc, |acc, (a, b)| reduce.f64(acc, unsafe { K::tensor::<L>(args, &t.piece(a, b)) }))
    })
}
