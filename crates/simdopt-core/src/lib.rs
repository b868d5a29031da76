//! simdopt-core: the math of simdopt.
//!
//! Every optimizer update is one fused pass over memory: parameter, gradient and state slots are
//! streamed together in SIMD-width chunks. Kernels are written once against [`lanes::Lanes`] and
//! compiled for wasm simd128, for scalar wasm, and for the host (a 4-lane emulation that lets
//! `cargo test` check chunking and tails). Per-step scalars (bias corrections, learning rates) are
//! computed by the caller in float64 and handed in as an f32 argument block, as PyTorch computes
//! them in Python and rounds them to the tensor dtype. No allocation, no std, no dependencies.
//!
//! The training kit (gradient clipping, penalties, dropout, losses) runs on the same lanes through
//! [`stream`], whose one summation order makes reductions agree bit for bit across builds; its
//! transcendental functions ([`math`]) and random numbers ([`rng`]) are likewise built from exact
//! IEEE operations so that the TypeScript backend can reproduce them.
//!
//! Spec: docs/SEMANTICS.md#floating-point-rules
#![cfg_attr(not(test), no_std)]

pub mod average;
pub mod clip;
pub mod dropout;
pub mod lanes;
pub mod loss;
pub mod math;
pub mod nn;
pub mod optim;
pub mod penalty;
pub mod reduce;
pub mod rng;
pub mod stream;
pub mod sweep;
pub mod two_pass;
pub mod vector;
