//! Inverted dropout (`torch.nn.Dropout` in training mode) with a counter-based mask.
//!
//! ```text
//! r_i   = bits(key, i) >> 8                      24 random bits per element (rng.rs)
//! m_i   = 0 if r_i < t, else s                   t = round(p·2^24), s = 1/(1 − p) in f32
//! out_i = x_i · m_i
//! ```
//! Each element is dropped with probability t/2^24 = p (to 2^−25) and the kept ones are scaled so
//! the expectation is unchanged. As in PyTorch the output is `input·mask`, so a dropped ±∞ or NaN
//! becomes NaN; p = 0 is the identity (t = 0, s = 1) and p = 1 gives zeros (t = 2^24, every
//! element dropped). The backward pass runs the same kernel on the incoming gradient with the
//! forward pass's key, which regenerates the same mask: nothing is stored between the two.
//!
//! Spec: docs/SEMANTICS.md#dropout

use crate::lanes::{BitLanes, Lanes};
use crate::rng::Key;
use crate::stream::{stream, stream_part, ArrayKernel, Buffer, Elementwise, Reduce};

/// 2^24: the threshold that drops every element (p = 1).
pub const THRESHOLD_ALL: u32 = 1 << 24;

/// Layout of the f32 argument block: the 32-bit key words travel as 16-bit halves so that an f32
/// holds them exactly.
pub mod arg {
    pub const K0_HI: usize = 0;
    pub const K0_LO: usize = 1;
    pub const K1_HI: usize = 2;
    pub const K1_LO: usize = 3;
    /// t = round(p·2^24), an integer in [0, 2^24].
    pub const THRESHOLD: usize = 4;
    /// s = 1/(1 − p) rounded to f32 (any value when p = 1).
    pub const SCALE: usize = 5;
    pub const LEN: usize = 6;
}

/// Buffer order.
pub mod buf {
    /// Input x (forward) or incoming gradient (backward).
    pub const INPUT: usize = 0;
    /// Output, same length; may be the input itself.
    pub const OUTPUT: usize = 1;
    pub const COUNT: usize = 2;
}

/// Writes the argument block for `key`, threshold `t` and scale `s`.
pub fn write_args(a: &mut [f32], key: Key, threshold: u32, scale: f32) {
    a[arg::K0_HI] = (key.k0 >> 16) as f32;
    a[arg::K0_LO] = (key.k0 & 0xffff) as f32;
    a[arg::K1_HI] = (key.k1 >> 16) as f32;
    a[arg::K1_LO] = (key.k1 & 0xffff) as f32;
    a[arg::THRESHOLD] = threshold as f32;
    a[arg::SCALE] = scale;
}

fn is_u16(x: f32) -> bool {
    (0.0..=65535.0).contains(&x) && x == (x as u32) as f32
}

fn key_of(a: &[f32]) -> Key {
    let word = |hi: usize, lo: usize| (a[hi] as u32) << 16 | a[lo] as u32;
    Key { k0: word(arg::K0_HI, arg::K0_LO), k1: word(arg::K1_HI, arg::K1_LO) }
}

struct Mask {
    x: *const f32,
    out: *mut f32,
    key: Key,
    threshold: u32,
    scale: f32,
}

impl Elementwise for Mask {
    const REDUCE: Reduce = Reduce::None;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        let r = self.key.bits(L::Bits::iota(i as u32)).shr(8);
        let dropped = r.lt(L::Bits::splat(self.threshold));
        let m = L::select(dropped, L::zero(), L::splat(self.scale));
        (L::load(self.x.add(i)) * m).store(self.out.add(i));
        L::zero()
    }
}

/// `out = x·mask(key)`: see the module documentation.
fn mask(a: &[f32], b: &[Buffer]) -> Mask {
    Mask {
        x: b[buf::INPUT].ptr,
        out: b[buf::OUTPUT].ptr,
        key: key_of(a),
        threshold: a[arg::THRESHOLD] as u32,
        scale: a[arg::SCALE],
    }
}

pub struct DropoutKernel;

impl ArrayKernel for DropoutKernel {
    const ARGS: usize = arg::LEN;
    const BUFFERS: usize = buf::COUNT;

    unsafe fn check(a: &[f32], b: &[Buffer]) -> bool {
        let t = a[arg::THRESHOLD];
        let keys_ok = [arg::K0_HI, arg::K0_LO, arg::K1_HI, arg::K1_LO].iter().all(|&k| is_u16(a[k]));
        keys_ok
            && (0.0..=THRESHOLD_ALL as f32).contains(&t)
            && t == (t as u32) as f32
            && b[buf::INPUT].present()
            && b[buf::OUTPUT].present()
            && b[buf::INPUT].len == b[buf::OUTPUT].len
            && b[buf::INPUT].len <= u32::MAX as usize
    }

    unsafe fn run<L: Lanes>(a: &[f32], b: &[Buffer]) -> f64 {
        stream::<L, _>(&mask(a, b), b[buf::INPUT].len)
    }

    /// Every element's mask bit comes from its own index (a counter-based generator): parts of
    /// the pass draw the same masks as the whole.
    unsafe fn parts(_a: &[f32], b: &[Buffer]) -> Option<usize> {
        Some(b[buf::INPUT].len)
    }

    unsafe fn run_part<L: Lanes>(a: &[f32], b: &[Buffer], start: usize, end: usize) {
        stream_part::<L, _>(&mask(a, b), start, end, b[buf::INPUT].len)
    }
}
