//! Status codes and the checks every export makes before touching memory.

use crate::heap::{Heap, Memory};
use simdopt_core::sweep::{slot_stride, OptimizerKernel, Tensor};
use simdopt_core::two_pass::{fold_segments, SumsKernel};

/// One segment of a pass over a table (a piece of at most `SEGMENT` elements): its two sums (a
/// tensor kernel's one result and 0).
pub type RunSegment = unsafe fn(&[f32], &Tensor) -> [f64; 2];

/// One entry of a tensor table as TypeScript writes it into wasm memory: {data, grad, state, len},
/// four u32 on wasm32. Kernels receive [`Tensor`]s made from it (`Entry::tensor`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub data: *mut f32,
    pub grad: *mut f32,
    pub state: *mut f32,
    pub len: usize,
}

impl Entry {
    /// The whole parameter this entry describes.
    #[inline(always)]
    pub fn tensor(&self) -> Tensor {
        Tensor::new(self.data, self.grad, self.state, self.len)
    }
}

/// Runs an optimizer kernel over some tensors (whole parameters or pieces of them).
pub type RunPieces = unsafe fn(&[f32], &[Tensor]);

/// Tensors handed to a kernel per call: a stack batch, so no step allocates.
pub const BATCH: usize = 32;

/// Runs `run` over every entry of a table, whole, on this thread, in table order.
///
/// # Safety
/// As [`OptimizerKernel::run`] for every entry.
pub unsafe fn run_entries(run: RunPieces, args: &[f32], entries: &[Entry]) {
    let mut batch = [Tensor::new(core::ptr::null_mut(), core::ptr::null_mut(), core::ptr::null_mut(), 0); BATCH];
    for group in entries.chunks(BATCH) {
        for (t, e) in batch.iter_mut().zip(group) {
            *t = e.tensor();
        }
        run(args, &batch[..group.len()]);
    }
}

/// What an export returns; TypeScript (`backend/wasm.ts`) turns a non-zero code into a
/// `SimdoptError`.
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Status {
    Ok = 0,
    /// The argument block is not a live allocation of the expected length.
    BadArgs = 1,
    /// The tensor table is not inside a live allocation.
    BadTable = 2,
    /// A table entry points outside a live allocation (or is misaligned).
    BadTensor = 3,
    /// `simdopt_free` of an address that is not the start of a live block.
    BadFree = 4,
    /// A buffer argument of a utility kernel is outside a live allocation.
    BadBuffer = 5,
    /// Sizes or options of a utility kernel do not fit together.
    BadShape = 6,
    /// An output overlaps the table, the argument block, the result slot or another operand.
    /// Refused because a kernel writing into what was validated (a table entry, a class index)
    /// could steer a later write outside every live block.
    Overlap = 7,
}

/// The bytes `[start, end)` of `count` elements of 4 bytes at `ptr`, in u64 (no overflow).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    pub start: u64,
    pub end: u64,
}

impl Span {
    #[inline]
    pub fn f32s(ptr: usize, count: usize) -> Span {
        Span::bytes(ptr, count as u64 * 4)
    }

    #[inline]
    pub fn bytes(ptr: usize, bytes: u64) -> Span {
        Span { start: ptr as u64, end: ptr as u64 + bytes }
    }

    /// Whether both are non-empty and share a byte.
    #[inline]
    pub fn overlaps(self, other: Span) -> bool {
        self.start < self.end && other.start < other.end && self.start < other.end && other.start < self.end
    }

    /// Whether `self` overlaps none of `others`.
    #[inline]
    pub fn apart(self, others: &[Span]) -> bool {
        others.iter().all(|o| !self.overlaps(*o))
    }
}

/// Bytes of `count` f32 values, if that fits in the address space.
#[inline]
pub fn f32_bytes(count: usize) -> Option<usize> {
    count.checked_mul(4)
}

/// Whether `count` f32 starting at `ptr` lie inside one live block.
#[inline]
pub fn f32_range<M: Memory>(heap: &Heap<M>, ptr: usize, count: usize) -> bool {
    f32_bytes(count).is_some_and(|b| heap.contains(ptr, b, 4))
}

/// The argument block at `args` when it holds exactly `want` f32 inside a live block.
///
/// # Safety
/// `heap` describes the memory the pointers refer to.
pub(crate) unsafe fn args_block<'a, M: Memory>(heap: &Heap<M>, args: usize, args_len: usize, want: usize) -> Option<&'a [f32]> {
    (args_len == want && f32_range(heap, args, args_len)).then(|| core::slice::from_raw_parts(args as *const f32, args_len))
}

/// Validates an argument block, a tensor table and every entry of it for kernel `K`, then runs
/// it with lane type `L`.
///
/// # Safety
/// `heap` must describe the memory the pointers refer to.
pub unsafe fn run_optimizer<M: Memory, K: OptimizerKernel, L: simdopt_core::lanes::Lanes>(
    heap: &Heap<M>,
    table: usize,
    count: usize,
    args: usize,
    args_len: usize,
) -> Status {
    let Some(args_slice) = args_block(heap, args, args_len, K::ARGS) else { return Status::BadArgs };
    match check_table(heap, table, count, K::slots(args_slice), Span::f32s(args, args_len), Span::bytes(0, 0)) {
        Status::Ok => {}
        bad => return bad,
    }
    let entries = core::slice::from_raw_parts(table as *const Entry, count);
    if let Some(passes) = K::two_pass::<L>() {
        two_pass_split(passes, K::run::<L>, args_slice, entries);
    } else if K::PIECES {
        split(K::run::<L>, args_slice, entries);
    } else {
        run_entries(K::run::<L>, args_slice, entries);
    }
    Status::Ok
}

/// As [`run_optimizer`] for a kernel that returns two sums, written as two f64 at `result`
/// (16 bytes inside a live block, apart from every output).
///
/// The sums are taken per segment (`SEGMENT` elements) and folded in table and segment order:
/// the threaded build measures the segments on the pool, every other build one after the other,
/// with the same bits.
///
/// # Safety
/// `heap` must describe the memory the pointers refer to.
pub unsafe fn run_optimizer_sums<M: Memory, K: SumsKernel, L: simdopt_core::lanes::Lanes>(
    heap: &Heap<M>,
    table: usize,
    count: usize,
    args: usize,
    args_len: usize,
    result: usize,
) -> Status {
    let Some(args_slice) = args_block(heap, args, args_len, K::ARGS) else { return Status::BadArgs };
    if !heap.contains(result, 16, 8) {
        return Status::BadBuffer;
    }
    match check_table(heap, table, count, K::slots(args_slice), Span::f32s(args, args_len), Span::bytes(result, 16)) {
        Status::Ok => {}
        bad => return bad,
    }
    let entries = core::slice::from_raw_parts(table as *const Entry, count);
    (result as *mut [f64; 2]).write(sums_split(sums_segment::<K, L>, args_slice, entries));
    Status::Ok
}

/// One segment of a sums kernel's pass, as the segments machinery runs it.
unsafe fn sums_segment<K: SumsKernel, L: simdopt_core::lanes::Lanes>(args: &[f32], t: &Tensor) -> [f64; 2] {
    K::segment::<L>(args, t)
}

/// The threaded build divides the sums' segments and the two passes over the pool.
#[cfg(target_feature = "atomics")]
use crate::threads::{sums_split, two_pass_split};

/// A sums kernel's segments on this thread, their sums added in table and segment order.
///
/// # Safety
/// As the kernel's `segment` for every segment of every entry.
pub unsafe fn sums_serial(run: RunSegment, args: &[f32], entries: &[Entry]) -> [f64; 2] {
    entries.iter().fold([0.0; 2], |acc, e| fold_segments(&e.tensor(), acc, |piece| run(args, piece)))
}

#[cfg(not(target_feature = "atomics"))]
#[inline(always)]
unsafe fn sums_split(run: RunSegment, args: &[f32], entries: &[Entry]) -> [f64; 2] {
    sums_serial(run, args, entries)
}

/// Without threads: the kernel's own run, tensor after tensor.
#[cfg(not(target_feature = "atomics"))]
#[inline(always)]
unsafe fn two_pass_split(_: simdopt_core::two_pass::TwoPassFns, run: RunPieces, args: &[f32], entries: &[Entry]) {
    run_entries(run, args, entries)
}

/// The threaded build divides a table's elements over the worker pool (`crate::threads`).
#[cfg(target_feature = "atomics")]
use crate::threads::split;

/// Without threads every table runs on the calling thread.
#[cfg(not(target_feature = "atomics"))]
#[inline(always)]
unsafe fn split(run: RunPieces, args: &[f32], entries: &[Entry]) {
    run_entries(run, args, entries)
}

/// Checks a tensor table for `slots` state slots, every entry, every step: each pointer lies in a
/// live block, and the outputs overlap nothing the kernel reads. One copy for every kernel.
///
/// The blocks are looked up from where the previous entry's were (`Heap::contains_near`): tables
/// list parameters in the order their blocks were allocated, so the lookups are O(1) instead of a
/// binary search each — a step over 1000 small tensors spent most of its fixed cost on those.
#[inline(never)]
fn check_table<M: Memory>(heap: &Heap<M>, table: usize, count: usize, slots: usize, args: Span, result: Span) -> Status {
    let entry = core::mem::size_of::<Entry>();
    if !count.checked_mul(entry).is_some_and(|b| heap.contains(table, b, 4)) {
        return Status::BadTable;
    }
    // SAFETY: the table lies inside a live block (checked just above).
    let tensors = unsafe { core::slice::from_raw_parts(table as *const Entry, count) };
    // What the kernel reads while it writes: the table and the argument block (and the result
    // slot a sums kernel writes last).
    let fixed = [Span::bytes(table, (count * entry) as u64), args, result];
    let (mut near_param, mut near_state) = (0, 0);
    for t in tensors {
        let state = slots.checked_mul(slot_stride(t.len));
        let inside = |ptr: *mut f32, n: usize, near: &mut usize| {
            f32_bytes(n).is_some_and(|b| heap.contains_near(ptr as usize, b, 4, near))
        };
        let ok = inside(t.data, t.len, &mut near_param)
            && inside(t.grad, t.len, &mut near_param)
            && state.is_some_and(|n| inside(t.state, n, &mut near_state));
        if !ok {
            return Status::BadTensor;
        }
        // The outputs (values, state) overlap neither each other, the gradient, nor the table
        // and arguments (a write into the table could redirect a later, already checked entry).
        let data = Span::f32s(t.data as usize, t.len);
        let grad = Span::f32s(t.grad as usize, t.len);
        let st = Span::f32s(t.state as usize, state.unwrap_or(0));
        if !(data.apart(&fixed) && st.apart(&fixed) && data.apart(&[grad, st]) && st.apart(&[grad])) {
            return Status::Overlap;
        }
    }
    Status::Ok
}

#[cfg(test)]
mod tests {
    use super::Span;

    #[test]
    fn spans_overlap_only_when_they_share_a_byte() {
        let a = Span::f32s(64, 4); // [64, 80)
        assert!(a.overlaps(Span::f32s(76, 1)));
        assert!(a.overlaps(Span::bytes(60, 8)));
        assert!(!a.overlaps(Span::f32s(80, 4)), "adjacent");
        assert!(!a.overlaps(Span::f32s(48, 4)), "adjacent below");
        assert!(!a.overlaps(Span::f32s(70, 0)), "empty spans overlap nothing");
        assert!(!Span::f32s(0, 0).overlaps(Span::f32s(0, 0)));
        assert!(a.apart(&[Span::f32s(0, 16), Span::f32s(80, 2)]));
        assert!(!a.apart(&[Span::f32s(0, 16), Span::f32s(79, 2)]));
    }

    #[test]
    fn spans_near_4_gib_do_not_wrap() {
        // u32 arithmetic would wrap these ends to small numbers that overlap address 0.
        let top = Span::f32s(0xffff_fff0, 4);
        assert_eq!(top.end, 1 << 32);
        assert!(!top.overlaps(Span::f32s(0, 4)));
        assert!(top.overlaps(Span::f32s(0xffff_fffc, 1)));
    }
}
