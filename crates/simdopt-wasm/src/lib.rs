//! simdopt-wasm: the `extern "C"` face of simdopt-core.
//!
//! Pointers, lengths and status codes only; no math lives here. Memory is imported (JavaScript
//! creates it, so it chooses the initial and maximum size); blocks come from [`heap`], and every
//! pointer an export receives is checked against the live blocks before anything is read or
//! written. Nothing allocates during a step.
#![cfg_attr(target_arch = "wasm32", no_std)]
// memory.atomic.wait32/notify of the threaded build.
#![cfg_attr(all(target_arch = "wasm32", target_feature = "atomics"), feature(stdarch_wasm_atomic_wait))]

pub mod abi;
pub mod heap;

#[cfg(target_arch = "wasm32")]
mod exports;
#[cfg(target_arch = "wasm32")]
mod kit_exports;
#[cfg(target_arch = "wasm32")]
mod nn_exports;
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
mod threads;

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
