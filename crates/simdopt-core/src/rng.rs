//! A counter-based random generator: the value at position `i` of stream `s` of seed `k` is a
//! keyed hash of `i`, so any element can be computed independently, four at a time in SIMD lanes,
//! and the SIMD build, the scalar build and the TypeScript twin (`rng.ts`, with `Math.imul`)
//! produce the same bits. Dropout's backward pass regenerates its forward mask from the key
//! instead of storing it.
//!
//! ```text
//! mix(x)      = lowbias32 (C. Wellons, "Prospecting for hash functions", 2018):
//!               x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16
//! key(seed, s): d  = mix(mix(seed_lo ^ 0x243f6a88) ^ seed_hi)        (seed = seed_hi·2^32 + seed_lo)
//!               k0 = mix(d ^ mix(s + 0x9e3779b9))
//!               k1 = mix(k0 ^ s ^ 0xb7e15162)
//! bits(k, i)  = mix(mix(i ^ k0) + k1)                                  (all arithmetic mod 2^32)
//! ```
//! `mix` is a bijection of u32 with near-ideal avalanche, so for a fixed key `bits` is a
//! permutation of the counters and its outputs pass as independent uniform u32 for dropout masks
//! and shuffles (tests/dropout_statistics.rs). This is not a cryptographic generator.
//!
//! Spec: docs/SEMANTICS.md#dropout

use crate::lanes::BitLanes;

/// The per-stream key of the generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub k0: u32,
    pub k1: u32,
}

/// lowbias32 on one u32.
#[inline(always)]
pub const fn mix(x: u32) -> u32 {
    let x = (x ^ (x >> 16)).wrapping_mul(0x7feb_352d);
    let x = (x ^ (x >> 15)).wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

/// lowbias32 lane by lane.
#[inline(always)]
pub fn mix_lanes<B: BitLanes>(x: B) -> B {
    let x = x.xor(x.shr(16)).wrapping_mul(B::splat(0x7feb_352d));
    let x = x.xor(x.shr(15)).wrapping_mul(B::splat(0x846c_a68b));
    x.xor(x.shr(16))
}

impl Key {
    /// The key of stream `stream` (a dropout forward pass, an epoch of batches) of `seed`.
    pub const fn derive(seed: u64, stream: u32) -> Key {
        let digest = mix(mix(seed as u32 ^ 0x243f_6a88) ^ (seed >> 32) as u32);
        let k0 = mix(digest ^ mix(stream.wrapping_add(0x9e37_79b9)));
        Key { k0, k1: mix(k0 ^ stream ^ 0xb7e1_5162) }
    }

    /// The generator's values at the counters in `i`.
    #[inline(always)]
    pub fn bits<B: BitLanes>(self, i: B) -> B {
        mix_lanes(mix_lanes(i.xor(B::splat(self.k0))).wrapping_add(B::splat(self.k1)))
    }

    /// The generator's value at counter `i`.
    pub const fn bits_at(self, i: u32) -> u32 {
        mix(mix(i ^ self.k0).wrapping_add(self.k1))
    }
}
