//! The training-kit exports (clipping, penalties, dropout, losses), one line per kernel.
//!
//! Two shapes, both returning a status and writing the kernel's number as an f64 at `result`:
//! * tensor kernels `(table, count, args, args_len, result)`: the optimizers' table of
//!   {data, grad, state, len} entries (`state` unused), every parameter in one call;
//! * array kernels `(buffers, count, args, args_len, result)`: a table of {ptr, len} entries
//!   (ptr 0 = absent) in the kernel's buffer order.
//!
//! Every pointer is checked against the live blocks before anything is read or written, then the
//! kernel's own `check` (lengths, options, class indices) runs, also before anything is written.

use crate::abi::{args_block, f32_range, Entry, RunSegment, Span, Status};
use crate::exports::with_heap;
use crate::heap::{Heap, Memory};
use simdopt_core::lanes::{Lanes, Native};
use simdopt_core::stream::{segments, ArrayKernel, Buffer, Reduce, TensorKernel};
use simdopt_core::sweep::Tensor;

/// One segment of a tensor kernel's pass; its result is the first of the two.
unsafe fn tensor_segment<K: TensorKernel, L: Lanes>(args: &[f32], t: &Tensor) -> [f64; 2] {
    [K::tensor::<L>(args, t), 0.0]
}

/// Elements `start..end` of an array kernel's divisible pass.
#[cfg(target_feature = "atomics")]
pub type RunPart = unsafe fn(&[f32], &[Buffer], usize, usize);

#[cfg(target_feature = "atomics")]
unsafe fn run_part<K: ArrayKernel, L: Lanes>(args: &[f32], bufs: &[Buffer], start: usize, end: usize) {
    K::run_part::<L>(args, bufs, start, end)
}

/// The threaded build hands the segments to the pool (`crate::threads`).
#[cfg(target_feature = "atomics")]
use crate::threads::segments_split;

/// [`TensorKernel::run`]'s fold over the table's entries, segment by segment, on this thread.
///
/// # Safety
/// As [`TensorKernel::tensor`] for every entry.
pub unsafe fn segments_serial(run: RunSegment, reduce: Reduce, args: &[f32], entries: &[Entry]) -> f64 {
    entries.iter().fold(0.0, |acc, e| {
        let t = e.tensor();
        segments(t.len).fold(acc, |acc, (a, b)| reduce.f64(acc, run(args, &t.piece(a, b))[0]))
    })
}

#[cfg(not(target_feature = "atomics"))]
#[inline(always)]
unsafe fn segments_split(run: RunSegment, reduce: Reduce, args: &[f32], entries: &[Entry]) -> f64 {
    segments_serial(run, reduce, args, entries)
}
use simdopt_core::{average, clip, dropout, loss, penalty, reduce, vector};

fn result_slot<M: Memory>(heap: &Heap<M>, result: usize) -> bool {
    heap.contains(result, 8, 8)
}

/// Validates and runs a tensor kernel.
///
/// # Safety
/// `heap` describes the memory the pointers refer to.
unsafe fn run_tensors<M: Memory, K: TensorKernel, L: Lanes>(
    heap: &Heap<M>,
    table: usize,
    count: usize,
    args: usize,
    args_len: usize,
    result: usize,
) -> Status {
    let Some(args) = args_block(heap, args, args_len, K::ARGS) else { return Status::BadArgs };
    if !K::check(args) {
        return Status::BadShape;
    }
    let entry = core::mem::size_of::<Entry>();
    if !count.checked_mul(entry).is_some_and(|b| heap.contains(table, b, 4)) {
        return Status::BadTable;
    }
    let tensors = core::slice::from_raw_parts(table as *const Entry, count);
    if !tensors.iter().all(|t| f32_range(heap, t.data as usize, t.len) && f32_range(heap, t.grad as usize, t.len)) {
        return Status::BadTensor;
    }
    if !result_slot(heap, result) {
        return Status::BadBuffer;
    }
    // Gradients may be written (scale, clamp, penalties): apart from the table, the arguments,
    // the result slot and the tensor's own values.
    let fixed =
        [Span::bytes(table, (count * entry) as u64), Span::f32s(args.as_ptr() as usize, args.len()), Span::bytes(result, 8)];
    let apart = tensors.iter().all(|t| {
        let grad = Span::f32s(t.grad as usize, t.len);
        grad.apart(&fixed) && grad.apart(&[Span::f32s(t.data as usize, t.len)])
    });
    if !apart {
        return Status::Overlap;
    }
    (result as *mut f64).write(segments_split(tensor_segment::<K, L>, K::reduce(args), args, tensors));
    Status::Ok
}

/// Validates and runs an array kernel.
///
/// # Safety
/// `heap` describes the memory the pointers refer to.
unsafe fn run_arrays<M: Memory, K: ArrayKernel, L: Lanes>(
    heap: &Heap<M>,
    buffers: usize,
    count: usize,
    args: usize,
    args_len: usize,
    result: usize,
    writes: &[bool],
    in_place: bool,
) -> Status {
    debug_assert!(writes.len() == K::BUFFERS && K::BUFFERS <= 4);
    let Some(args) = args_block(heap, args, args_len, K::ARGS) else { return Status::BadArgs };
    let entry = core::mem::size_of::<Buffer>();
    if count != K::BUFFERS || !heap.contains(buffers, count * entry, 4) {
        return Status::BadTable;
    }
    let bufs = core::slice::from_raw_parts(buffers as *const Buffer, count);
    if !bufs.iter().all(|b| if b.present() { f32_range(heap, b.ptr as usize, b.len) } else { b.len == 0 }) {
        return Status::BadBuffer;
    }
    if !result_slot(heap, result) {
        return Status::BadBuffer;
    }
    // Every written buffer is apart from the table, the arguments, the result slot and every
    // other buffer (a loss gradient over the class indices could turn a checked index into
    // any address), except an exact in-place pair where the kernel allows one.
    let fixed =
        [Span::bytes(buffers, (count * entry) as u64), Span::f32s(args.as_ptr() as usize, args.len()), Span::bytes(result, 8)];
    let spans: [Span; 4] = core::array::from_fn(|i| bufs.get(i).map_or(Span::bytes(0, 0), |b| Span::f32s(b.ptr as usize, b.len)));
    for (i, out) in spans.iter().enumerate().take(count) {
        if !writes[i] {
            continue;
        }
        let clash = spans
            .iter()
            .enumerate()
            .take(count)
            .any(|(j, other)| j != i && out.overlaps(*other) && !(in_place && !writes[j] && out == other));
        if clash || !out.apart(&fixed) {
            return Status::Overlap;
        }
    }
    if !K::check(args, bufs) {
        return Status::BadShape;
    }
    #[cfg(target_feature = "atomics")]
    if let Some(n) = K::parts(args, bufs) {
        if crate::threads::parts_split(run_part::<K, L>, args, bufs, n) {
            (result as *mut f64).write(0.0);
            return Status::Ok;
        }
    }
    (result as *mut f64).write(K::run::<L>(args, bufs));
    Status::Ok
}

/// One export: `$run` (run_tensors, or run_arrays with which buffers it writes and whether a
/// written buffer may be exactly an input) of `$kernel` with this build's lanes.
macro_rules! kit_kernel {
    ($name:ident, $kernel:ty, run_tensors) => {
        kit_kernel!(@export $name, |h, table, count, args, args_len, result| run_tensors::<_, $kernel, Native>(h, table, count, args, args_len, result));
    };
    ($name:ident, $kernel:ty, run_arrays, writes = $writes:expr, in_place = $in_place:expr) => {
        kit_kernel!(@export $name, |h, table, count, args, args_len, result| run_arrays::<_, $kernel, Native>(h, table, count, args, args_len, result, &$writes, $in_place));
    };
    (@export $name:ident, |$h:ident, $table:ident, $count:ident, $args:ident, $args_len:ident, $result:ident| $call:expr) => {
        /// Runs the kernel over a table (`count` entries) with the argument block
        /// `args[0..args_len]`; writes the kernel's number at `result`.
        #[no_mangle]
        pub extern "C" fn $name($table: usize, $count: usize, $args: usize, $args_len: usize, $result: usize) -> i32 {
            // SAFETY: the heap describes this instance's memory.
            with_heap(|$h| unsafe { $call as i32 }).unwrap_or(Status::BadBuffer as i32)
        }
    };
}

kit_kernel!(simdopt_grad_norm, reduce::GradNormKernel, run_tensors);
kit_kernel!(simdopt_grad_finite, reduce::FiniteKernel, run_tensors);
kit_kernel!(simdopt_grad_scale, clip::ScaleKernel, run_tensors);
kit_kernel!(simdopt_grad_clamp, clip::ClampKernel, run_tensors);
kit_kernel!(simdopt_l1_penalty, penalty::L1PenaltyKernel, run_tensors);
kit_kernel!(simdopt_l2_penalty, penalty::L2PenaltyKernel, run_tensors);
// [input, output]: out-of-place or exactly in place.
kit_kernel!(simdopt_dropout, dropout::DropoutKernel, run_arrays, writes = [false, true], in_place = true);
// [input, target, grad?, out?]
kit_kernel!(simdopt_pointwise_loss, loss::PointwiseLossKernel, run_arrays, writes = [false, false, true, true], in_place = false);
kit_kernel!(simdopt_cross_entropy, loss::CrossEntropyKernel, run_arrays, writes = [false, false, true, true], in_place = false);
// [x, y?, out?]: DOT, AXPY (out may be y), SCALE (out may be x), ABS_MAX, ABS_SUM.
kit_kernel!(simdopt_vector, vector::VectorKernel, run_arrays, writes = [false, false, true], in_place = true);
// [avg, p, out]: out is the new average, exactly avg (in place) or apart from both.
kit_kernel!(simdopt_average, average::AverageKernel, run_arrays, writes = [false, false, true], in_place = true);
// Optimizers whose step is not element-wise, one parameter per call.
// [param, grad, state (row_var·col_var or variance), column workspace?]
kit_kernel!(
    simdopt_adafactor,
    simdopt_core::optim::adafactor::AdafactorKernel,
    run_arrays,
    writes = [true, false, true, true],
    in_place = false
);
// [param, grad, momentum_buffer, workspace]
kit_kernel!(
    simdopt_muon,
    simdopt_core::optim::muon::MuonKernel,
    run_arrays,
    writes = [true, false, true, true],
    in_place = false
);
