//! The exports, one line per kernel. A new optimizer adds one `optimizer!` line.

use crate::abi::{run_optimizer, run_optimizer_sums, Status};
use crate::heap::{Heap, Memory, PAGE};
use core::cell::UnsafeCell;
use simdopt_core::lanes::Native;
use simdopt_core::optim;

/// Bumped when an export's meaning changes; TypeScript refuses a binary it does not know.
const ABI_VERSION: u32 = 1;

pub(crate) struct WasmMemory;

impl Memory for WasmMemory {
    fn size(&self) -> usize {
        core::arch::wasm32::memory_size::<0>() * PAGE
    }
    fn grow(&mut self, pages: usize) -> bool {
        core::arch::wasm32::memory_grow::<0>(pages) != usize::MAX
    }
    fn ptr(&self, addr: usize) -> *mut u8 {
        addr as *mut u8
    }
}

extern "C" {
    static __heap_base: u8;
}

/// The one heap. Exports never run concurrently: only the calling thread calls them (the threads
/// build's workers run kernel pieces and never touch the heap).
struct Global(UnsafeCell<Option<Heap<WasmMemory>>>);
unsafe impl Sync for Global {}
static HEAP: Global = Global(UnsafeCell::new(None));

/// Runs `f` on the heap (created on first use); None when it cannot be created. The borrow
/// lives only for the call, so no two `&mut` to the heap can coexist.
pub(crate) fn with_heap<R>(f: impl FnOnce(&mut Heap<WasmMemory>) -> R) -> Option<R> {
    // SAFETY: one calling thread (workers never reach here) and no export calls another while
    // inside `f`: this is the only live reference to the heap.
    let slot = unsafe { &mut *HEAP.0.get() };
    if slot.is_none() {
        let base = unsafe { &__heap_base as *const u8 as usize };
        *slot = Heap::new(WasmMemory, base);
    }
    slot.as_mut().map(f)
}

#[no_mangle]
pub extern "C" fn simdopt_abi_version() -> u32 {
    ABI_VERSION
}

/// 1 when this build streams with simd128 lanes.
#[no_mangle]
pub extern "C" fn simdopt_simd() -> u32 {
    cfg!(target_feature = "simd128") as u32
}

/// A zero-filled, 16-byte aligned block of `bytes` bytes; 0 when memory cannot grow.
#[no_mangle]
pub extern "C" fn simdopt_alloc(bytes: usize) -> usize {
    with_heap(|h| h.alloc(bytes)).flatten().unwrap_or(0)
}

#[no_mangle]
pub extern "C" fn simdopt_free(ptr: usize) -> i32 {
    match with_heap(|h| h.free(ptr)) {
        Some(true) => Status::Ok as i32,
        _ => Status::BadFree as i32,
    }
}

/// Bytes requested by live blocks.
#[no_mangle]
pub extern "C" fn simdopt_live_bytes() -> usize {
    with_heap(|h| h.live_bytes()).unwrap_or(0)
}

/// Number of live blocks.
#[no_mangle]
pub extern "C" fn simdopt_live_blocks() -> usize {
    with_heap(|h| h.live_blocks()).unwrap_or(0)
}

macro_rules! optimizer {
    ($name:ident, $kernel:ty) => {
        /// Steps every tensor of a table (`count` entries of {data, grad, state, len}) with the
        /// argument block `args[0..args_len]`.
        #[no_mangle]
        pub extern "C" fn $name(table: usize, count: usize, args: usize, args_len: usize) -> i32 {
            // SAFETY: the heap describes this instance's memory. A heap that cannot be created
            // is reported as the nn exports do, BadBuffer (nothing could be checked).
            with_heap(|h| unsafe { run_optimizer::<_, $kernel, Native>(h, table, count, args, args_len) as i32 })
                .unwrap_or(Status::BadBuffer as i32)
        }
    };
}

macro_rules! optimizer_sums {
    ($name:ident, $kernel:ty) => {
        /// As an `optimizer!` export, and writes the kernel's two sums (f64) at `result`.
        #[no_mangle]
        pub extern "C" fn $name(table: usize, count: usize, args: usize, args_len: usize, result: usize) -> i32 {
            // SAFETY: as `optimizer!`.
            with_heap(|h| unsafe { run_optimizer_sums::<_, $kernel, Native>(h, table, count, args, args_len, result) as i32 })
                .unwrap_or(Status::BadBuffer as i32)
        }
    };
}

optimizer!(simdopt_sgd, optim::sgd::SgdKernel);
optimizer!(simdopt_adam, optim::adam::AdamKernel);
optimizer!(simdopt_rmsprop, optim::rmsprop::RmspropKernel);
optimizer!(simdopt_adagrad, optim::adagrad::AdagradKernel);
optimizer!(simdopt_adadelta, optim::adadelta::AdadeltaKernel);
optimizer!(simdopt_adamax, optim::adamax::AdamaxKernel);
optimizer!(simdopt_nadam, optim::nadam::NadamKernel);
optimizer!(simdopt_radam, optim::radam::RadamKernel);
optimizer!(simdopt_lion, optim::lion::LionKernel);
optimizer!(simdopt_asgd, optim::asgd::AsgdKernel);
optimizer!(simdopt_rprop, optim::rprop::RpropKernel);
optimizer!(simdopt_adopt, optim::adopt::AdoptKernel);
optimizer!(simdopt_lamb, optim::lamb::LambKernel);
optimizer!(simdopt_schedulefree, optim::schedulefree::ScheduleFreeKernel);
optimizer!(simdopt_prodigy, optim::prodigy::ProdigyKernel);
optimizer_sums!(simdopt_prodigy_measure, optim::prodigy::ProdigyMeasureKernel);
