//! Known answers of the counter-based generator (rng.rs). packages/simdopt/test/rng.test.ts
//! checks the same numbers against the TypeScript twin, so a change on one side that the other
//! does not follow fails here or there.

use simdopt_core::lanes::{BitLanes, EmuBits4};
use simdopt_core::rng::{mix, Key};

/// (seed, stream, k0, k1, bits at counters 0, 1 and 2^32 − 1).
const KNOWN: [(u64, u32, u32, u32, [u32; 3]); 3] = [
    (0, 0, 0x12a1_3e38, 0xf760_19e1, [0x3625_f969, 0x756b_95b4, 0x0371_c687]),
    (42, 7, 0xe884_b06d, 0xfd2d_adca, [0xba7b_8899, 0x1d3c_e42b, 0xfd4f_19a6]),
    (5_724_575_526_346_480, 123_456, 0x168e_4252, 0xc49e_10c4, [0xe9ba_2345, 0xc9d3_8912, 0x78f9_5567]),
];

#[test]
fn mix_known_answers() {
    assert_eq!([mix(0), mix(1), mix(0xdead_beef)], [0, 0x6889_90c0, 0xe628_c683]);
}

#[test]
fn keys_and_bits_known_answers() {
    for (seed, stream, k0, k1, bits) in KNOWN {
        let key = Key::derive(seed, stream);
        assert_eq!((key.k0, key.k1), (k0, k1), "seed {seed} stream {stream}");
        assert_eq!([key.bits_at(0), key.bits_at(1), key.bits_at(u32::MAX)], bits);
    }
}

#[test]
fn lanes_give_the_scalar_bits() {
    let key = Key::derive(42, 7);
    for start in [0u32, 1, 1000, u32::MAX - 3] {
        let four = key.bits(EmuBits4::iota(start)).0;
        let one: Vec<u32> = (0..4).map(|k| key.bits_at(start + k)).collect();
        assert_eq!(four.to_vec(), one);
    }
}
