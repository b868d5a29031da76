//! Shared by the integration tests: the vector files, the argument blocks TypeScript recorded,
//! and the kernel table that steps one with a chosen lane type.
#![allow(dead_code)]

pub mod args;
pub mod json;
pub mod kernels;
pub mod lanes;

use json::Json;
use std::path::PathBuf;

/// `test/vectors/<name>` at the repository root.
pub fn vector_file(name: &str) -> Json {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test/vectors").join(name);
    Json::parse(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Deterministic pseudo-random numbers (xorshift), so failures reproduce.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 32) as u32
    }
    /// Uniform in [-1, 1) times `scale`.
    pub fn f32(&mut self, scale: f32) -> f32 {
        ((self.next_u32() >> 8) as f32 / (1u32 << 23) as f32 - 1.0) * scale
    }
    pub fn vec(&mut self, n: usize, scale: f32) -> Vec<f32> {
        (0..n).map(|_| self.f32(scale)).collect()
    }
}

/// Bitwise equality that treats every NaN as equal to every NaN.
pub fn same_bits(a: f32, b: f32) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}
