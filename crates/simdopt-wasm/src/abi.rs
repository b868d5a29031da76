//! Status codes and the checks every export makes before touching memory.

use crate::heap::{Heap, Memory, Validated};
use simdopt_core::sweep::{slot_stride, OptimizerKernel, Tensor};

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

/// Validates an argument block, a tensor table and every entry of it for kernel `K`, then runs
/// it with lane type `L`.
///
/// A training loop steps the same tables over the same blocks every iteration, so a table whose
/// entries were found inside live blocks is remembered (address, count, slots and a digest of
/// its words) until a block is allocated or freed: the next steps check only the argument block
/// and the table's own range, not each entry's three pointers (a binary search each, ~30 ns with
/// a thousand live blocks; for 1000 small tensors that was most of the step's overhead).
///
/// # Safety
/// `heap` must describe the memory the pointers refer to.
pub unsafe fn run_optimizer<M: Memory, K: OptimizerKernel, L: simdopt_core::lanes::Lanes>(
    heap: &mut Heap<M>,
    table: usize,
    count: usize,
    args: usize,
    args_len: usize,
) -> Status {
    if args_len != K::ARGS || !f32_range(heap, args, args_len) {
        return Status::BadArgs;
    }
    let args = core::slice::from_raw_parts(args as *const f32, args_len);
    let slots = K::slots(args);
    match validate_table(heap, table, count, slots) {
        Status::Ok => {}
        bad => return bad,
    }
    let tensors = core::slice::from_raw_parts(table as *const Tensor, count);
    K::run::<L>(args, tensors);
    Status::Ok
}

/// Checks that the table and, unless it was validated since the live blocks last changed, every
/// entry lies in live memory for `slots` state slots. One copy for every kernel (not generic).
#[inline(never)]
fn validate_table<M: Memory>(heap: &mut Heap<M>, table: usize, count: usize, slots: usize) -> Status {
    let entry = core::mem::size_of::<Tensor>();
    if !count.checked_mul(entry).is_some_and(|b| heap.contains(table, b, 4)) {
        return Status::BadTable;
    }
    // SAFETY: the table lies inside a live block (checked just above).
    let tensors = unsafe { core::slice::from_raw_parts(table as *const Tensor, count) };
    let key = Validated { table, count, slots, digest: unsafe { digest(table, count * entry / 4) } };
    if heap.was_validated(&key) {
        return Status::Ok;
    }
    for t in tensors {
        let state = slots.checked_mul(slot_stride(t.len));
        let ok = f32_range(heap, t.data as usize, t.len)
            && f32_range(heap, t.grad as usize, t.len)
            && state.is_some_and(|n| f32_range(heap, t.state as usize, n));
        if !ok {
            return Status::BadTensor;
        }
    }
    heap.remember_validated(key);
    Status::Ok
}

/// A digest of `words` u32 at `addr` (rotate-xor: ~1 ns per table entry), so that a table
/// rewritten in place is validated again.
///
/// # Safety
/// The range must be readable.
#[inline(never)]
unsafe fn digest(addr: usize, words: usize) -> u32 {
    let p = addr as *const u32;
    let mut h = 0x811c_9dc5u32 ^ words as u32;
    for i in 0..words {
        h = h.rotate_left(5) ^ p.add(i).read_unaligned();
    }
    h
}
