//! One pass over memory: the driver every optimizer kernel runs on.
//!
//! A kernel only says how one lane-vector of parameters changes ([`Update::update`]); the driver
//! streams the parameter, its gradient and its state slots in `L::WIDTH` chunks and finishes the
//! tail with the one-lane twin of the same code, so the vectorised and scalar paths cannot drift.
//!
//! Spec: docs/SEMANTICS.md#floating-point-rules

use crate::lanes::{Lanes, Scalar};

/// Room for the state slots of one element: the kernels load and store only their `SLOTS`
/// first. The most any optimizer keeps today is three (RMSprop, centered, with momentum).
pub const MAX_SLOTS: usize = 4;

/// One parameter, or a piece of one, as a kernel sees it. Slot `k` of its state starts at
/// `state + k * stride`: for a whole parameter `stride` is `slot_stride(len)`; a piece (elements
/// `a..b` of a parameter, as the threaded build hands out) keeps its parameter's stride while its
/// pointers move by `a` and its `len` is `b - a`. Kernels see only what they must update, so any
/// element-wise kernel runs over pieces without knowing it.
#[derive(Clone, Copy, Debug)]
pub struct Tensor {
    pub data: *mut f32,
    /// Read-only for the optimizer kernels, but written through by the training-kit kernels
    /// that share this entry (clip's scale and clamp, the penalties, zeroing), hence `*mut`.
    pub grad: *mut f32,
    pub state: *mut f32,
    pub len: usize,
    /// f32 between two state slots.
    pub stride: usize,
}

impl Tensor {
    /// A whole parameter of `len` elements (slots `slot_stride(len)` apart).
    #[inline(always)]
    pub const fn new(data: *mut f32, grad: *mut f32, state: *mut f32, len: usize) -> Tensor {
        Tensor { data, grad, state, len, stride: slot_stride(len) }
    }

    /// Elements `start..end` of this tensor (same state stride).
    ///
    /// # Safety
    /// `start <= end <= self.len`; `state` may be null (kernels without state).
    #[inline(always)]
    pub unsafe fn piece(&self, start: usize, end: usize) -> Tensor {
        let state = if self.state.is_null() { self.state } else { self.state.add(start) };
        Tensor { data: self.data.add(start), grad: self.grad.add(start), state, len: end - start, stride: self.stride }
    }
}

/// Distance between two state slots, in f32: the length rounded up to whole 16-byte vectors so
/// every slot starts as aligned as the state block itself.
#[inline(always)]
pub const fn slot_stride(len: usize) -> usize {
    (len + 3) & !3
}

/// How one optimizer configuration changes a vector of parameters.
pub trait Update {
    /// State slots this configuration reads and writes, in slot order.
    const SLOTS: usize;
    /// New parameter values from the current ones `p`, the gradient `g` and the state `s`
    /// (updated in place; only the first `SLOTS` entries are loaded and stored).
    fn update<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> L;
}

/// A family of optimizer configurations selected by an argument block: flags and the per-step
/// scalars that TypeScript computes in float64 once per step and rounds to f32.
pub trait OptimizerKernel {
    /// Length of the f32 argument block.
    const ARGS: usize;
    /// Whether `run` may be given pieces of tensors (`Tensor::piece`) instead of whole ones: true
    /// for kernels whose every element is updated from its own values alone (all that go through
    /// [`sweep_all`]). A kernel that reduces over a whole tensor (a trust ratio, a norm) sets it
    /// false; the threaded build then hands it whole tensors only, or divides its passes by
    /// segment when it provides [`OptimizerKernel::two_pass`].
    const PIECES: bool = true;
    /// State slots of the configuration `args` selects (the ABI checks the state block is large
    /// enough before running).
    fn slots(args: &[f32]) -> usize;
    /// Update every tensor.
    ///
    /// # Safety
    /// `args.len() >= ARGS`, and every tensor's `data`/`grad` are valid for `len` f32 and its
    /// `state` for `slots(args) * slot_stride(len)` f32.
    unsafe fn run<L: Lanes>(args: &[f32], tensors: &[Tensor]);
    /// A kernel whose step needs two sums over each tensor first ([`crate::two_pass`]): its
    /// passes over one segment each, which the threaded build divides (pass 1 per segment, the
    /// scalars from the folded sums, then pass 2 per piece). `None` (the default) for the others.
    fn two_pass<L: Lanes>() -> Option<crate::two_pass::TwoPassFns> {
        None
    }
}

/// Reads flag bit `bit` of an argument block whose slot `index` holds the flags as an integer.
#[inline(always)]
pub fn flag(args: &[f32], index: usize, bit: u32) -> bool {
    (args[index] as u32) & (1 << bit) != 0
}

/// Streams `u` over one tensor: whole vectors first, then the tail one element at a time.
///
/// # Safety
/// As [`OptimizerKernel::run`] for this tensor with `U::SLOTS` slots.
#[inline(always)]
pub unsafe fn sweep<L: Lanes, U: Update>(u: &U, t: &Tensor) {
    let stride = t.stride;
    let body = t.len - t.len % L::WIDTH;
    let mut i = 0;
    while i < body {
        update_at::<L, U>(u, t, stride, i);
        i += L::WIDTH;
    }
    while i < t.len {
        update_at::<Scalar, U>(u, t, stride, i);
        i += 1;
    }
}

/// Streams `u` over every tensor of a table.
///
/// # Safety
/// As [`sweep`] for every tensor.
#[inline(always)]
pub unsafe fn sweep_all<L: Lanes, U: Update>(u: &U, tensors: &[Tensor]) {
    for t in tensors {
        sweep::<L, U>(u, t);
    }
}

#[inline(always)]
unsafe fn update_at<L: Lanes, U: Update>(u: &U, t: &Tensor, stride: usize, i: usize) {
    let p = L::load(t.data.add(i));
    let g = L::load(t.grad.add(i));
    let mut s = [L::zero(); MAX_SLOTS];
    for (k, slot) in s.iter_mut().enumerate().take(U::SLOTS) {
        *slot = L::load(t.state.add(k * stride + i));
    }
    let p = u.update(p, g, &mut s);
    p.store(t.data.add(i));
    for (k, slot) in s.iter().enumerate().take(U::SLOTS) {
        slot.store(t.state.add(k * stride + i));
    }
}

/// Safe entry for one parameter held in slices (host tests, Rust users).
///
/// Panics when `grad` is shorter than `data`, `args` shorter than `K::ARGS`, or `state` shorter
/// than `K::slots(args) * slot_stride(data.len())`.
pub fn step_slices<L: Lanes, K: OptimizerKernel>(args: &[f32], data: &mut [f32], grad: &[f32], state: &mut [f32]) {
    assert!(args.len() >= K::ARGS, "argument block too short");
    assert!(grad.len() >= data.len(), "gradient shorter than the parameter");
    assert!(state.len() >= K::slots(args) * slot_stride(data.len()), "state block too short");
    // The gradient is never written by optimizer kernels.
    let t = Tensor::new(data.as_mut_ptr(), grad.as_ptr() as *mut f32, state.as_mut_ptr(), data.len());
    unsafe { K::run::<L>(args, &[t]) }
}
