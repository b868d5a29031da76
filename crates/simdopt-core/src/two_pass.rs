//! Optimizer kernels that need sums over a tensor before they can move it (LAMB's trust ratio:
//! ‖p‖ and ‖update‖ per tensor).
//!
//! A [`TwoPass`] update runs in two passes over each tensor:
//! 1. [`TwoPass::measure`] updates the state slots and returns, per element, the terms of two
//!    sums (parameters untouched). The sums are taken in the fixed order of [`crate::stream`]
//!    (four f32 lanes over whole quads, moved to f64 every 256 quads, the tail in f64, then
//!    `(lane₀ + lane₂) + (lane₁ + lane₃)`) so that every build and the TypeScript twin
//!    (`stream.ts` `LaneSum`) agree bit for bit. A tensor's sums are taken per segment of
//!    `SEGMENT` elements and the segments' sums added in f64 in order ([`measure_segments`]): a
//!    partition that does not depend on a thread count, which the threaded build divides.
//! 2. [`TwoPass::scale`] turns the two sums into one f32 per tensor, and [`TwoPass::apply`]
//!    moves the parameters from the slots the first pass wrote ([`TwoPass::APPLY_FIRST_SLOT`]
//!    on). A pass may write a slot it does not read ([`Measure::LOADED`]): LAMB stores its
//!    update in a scratch slot there, so that pass 2 reads it back instead of recomputing it.
//!
//! [`Measure`] alone (with [`measure_all`] and a [`SumsKernel`]) is a pass that returns its sums
//! to TypeScript, which turns them into the scalars of a later pass (Prodigy's d).
//!
//! Memory per step: pass 1 reads p, g and the loaded slots and writes the stored ones; pass 2
//! reads p and its slots and writes p — two passes, against one for an elementwise optimizer
//! (LAMB: reads p, g, μ, ν, writes μ, ν, u; then reads p, u, writes p).
//!
//! Spec: docs/SEMANTICS.md#lamb

use crate::lanes::{Lanes, Scalar};
use crate::stream::{segments, BLOCK_QUADS};
use crate::sweep::{Tensor, MAX_SLOTS};

/// A pass that updates state slots and returns, per element, the terms of two sums (parameters
/// untouched). LAMB's first pass; Prodigy's measuring pass ([`crate::optim::prodigy`]).
pub trait Measure {
    /// The first state slot this pass loads (slots before it belong to another pass).
    const FIRST_SLOT: usize = 0;
    /// State slots loaded, from `FIRST_SLOT` on, in slot order.
    const SLOTS: usize;
    /// How many of the slots (leading ones) are read before the pass; the others start at zero
    /// in `s` and are only written (scratch).
    const LOADED: usize = Self::SLOTS;
    /// Updates the state `s` from `p` and `g` and returns this vector's terms of the two sums.
    fn measure<L: Lanes>(&self, p: L, g: L, s: &mut [L; MAX_SLOTS]) -> [L; 2];
    /// How many of the loaded slots (leading ones) are stored back: all unless the pass
    /// knows it left the rest unchanged (one write stream less).
    #[inline(always)]
    fn stored(&self) -> usize {
        Self::SLOTS
    }
}

/// A kernel (as [`crate::sweep::OptimizerKernel`]) that returns two sums over the whole table:
/// the sums of every segment ([`crate::stream::SEGMENT`]) of every tensor, added in f64 in table and segment
/// order ([`measure_all`]).
pub trait SumsKernel {
    /// Length of the f32 argument block.
    const ARGS: usize;
    /// State slots each tensor's block holds (the ABI checks the state block is that large).
    fn slots(args: &[f32]) -> usize;
    /// Runs over one segment (or a tensor at most [`crate::stream::SEGMENT`] long) and returns its two sums.
    ///
    /// # Safety
    /// As [`crate::sweep::OptimizerKernel::run`] for this tensor.
    unsafe fn segment<L: Lanes>(args: &[f32], t: &Tensor) -> [f64; 2];
    /// Runs over every tensor and returns the two sums.
    ///
    /// # Safety
    /// As [`crate::sweep::OptimizerKernel::run`].
    #[inline(always)]
    unsafe fn run<L: Lanes>(args: &[f32], tensors: &[Tensor]) -> [f64; 2] {
        tensors.iter().fold([0.0; 2], |acc, t| fold_segments(t, acc, |piece| Self::segment::<L>(args, piece)))
    }
}

/// An update whose parameter step depends on two sums over the tensor.
pub trait TwoPass: Measure {
    /// The tensor's scalar from its two sums.
    fn scale(&self, sums: [f64; 2]) -> f32;
    /// The first state slot pass 2 loads (into `s[0]` of [`TwoPass::apply`]).
    const APPLY_FIRST_SLOT: usize = Self::FIRST_SLOT;
    /// State slots pass 2 loads, from `APPLY_FIRST_SLOT` on.
    const APPLY_SLOTS: usize = Self::SLOTS;
    /// The new parameter values from `p`, the slots [`TwoPass::APPLY_FIRST_SLOT`].. after
    /// [`Measure::measure`] and the scalar.
    fn apply<L: Lanes>(&self, p: L, s: &[L; MAX_SLOTS], scale: f32) -> L;
}

#[inline(always)]
unsafe fn load_slots<L: Lanes>(t: &Tensor, first: usize, slots: usize, stride: usize, i: usize) -> [L; MAX_SLOTS] {
    let mut s = [L::zero(); MAX_SLOTS];
    for (k, slot) in s.iter_mut().enumerate().take(slots) {
        *slot = L::load(t.state.add((first + k) * stride + i));
    }
    s
}

#[inline(always)]
unsafe fn measure_at<L: Lanes, U: Measure>(u: &U, t: &Tensor, stride: usize, i: usize) -> [L; 2] {
    let p = L::load(t.data.add(i));
    let g = L::load(t.grad.add(i));
    let mut s = load_slots::<L>(t, U::FIRST_SLOT, U::LOADED, stride, i);
    let terms = u.measure(p, g, &mut s);
    for (k, slot) in s.iter().enumerate().take(u.stored()) {
        slot.store(t.state.add((U::FIRST_SLOT + k) * stride + i));
    }
    terms
}

/// Pass 1 over one tensor: the state update and the two sums in the order of [`crate::stream`].
///
/// # Safety
/// As [`crate::sweep::sweep`] for this tensor with `U::FIRST_SLOT + U::SLOTS` slots.
#[inline(always)]
pub unsafe fn measure<L: Lanes, U: Measure>(u: &U, t: &Tensor) -> [f64; 2] {
    debug_assert!(L::WIDTH <= 4 && 4 % L::WIDTH == 0);
    let stride = t.stride;
    let vectors = 4 / L::WIDTH;
    let quads = t.len / 4;
    let mut total = [[0f64; 4]; 2];
    let mut block = [[L::zero(); 4]; 2];
    let mut q = 0;
    while q < quads {
        let end = quads.min(q + BLOCK_QUADS);
        while q < end {
            for v in 0..vectors {
                let [a, b] = measure_at::<L, U>(u, t, stride, 4 * q + v * L::WIDTH);
                block[0][v] = block[0][v] + a;
                block[1][v] = block[1][v] + b;
            }
            q += 1;
        }
        for (sum, lanes) in total.iter_mut().zip(block.iter_mut()) {
            let mut f = [0f32; 4];
            for (v, lane) in lanes.iter_mut().enumerate().take(vectors) {
                lane.store(f.as_mut_ptr().add(v * L::WIDTH));
                *lane = L::zero();
            }
            for (t, x) in sum.iter_mut().zip(f) {
                *t += x as f64;
            }
        }
    }
    for lane in 0..t.len % 4 {
        let [a, b] = measure_at::<Scalar, U>(u, t, stride, 4 * quads + lane);
        total[0][lane] += a.0 as f64;
        total[1][lane] += b.0 as f64;
    }
    total.map(|t| (t[0] + t[2]) + (t[1] + t[3]))
}

/// Pass 2 over one tensor.
///
/// # Safety
/// As [`measure`].
#[inline(always)]
pub unsafe fn apply<L: Lanes, U: TwoPass>(u: &U, t: &Tensor, scale: f32) {
    let stride = t.stride;
    let body = t.len - t.len % L::WIDTH;
    let mut i = 0;
    while i < body {
        let s = load_slots::<L>(t, U::APPLY_FIRST_SLOT, U::APPLY_SLOTS, stride, i);
        u.apply(L::load(t.data.add(i)), &s, scale).store(t.data.add(i));
        i += L::WIDTH;
    }
    while i < t.len {
        let s = load_slots::<Scalar>(t, U::APPLY_FIRST_SLOT, U::APPLY_SLOTS, stride, i);
        u.apply(Scalar::load(t.data.add(i)), &s, scale).store(t.data.add(i));
        i += 1;
    }
}

/// [`measure`] over one tensor, segment by segment ([`crate::stream::SEGMENT`]): each segment's sums taken
/// afresh, then folded in f64 in order from 0. The partition is fixed (not derived from a thread
/// count), so the threaded build, which measures segments on different threads, gets these bits.
///
/// # Safety
/// As [`measure`].
#[inline(always)]
pub unsafe fn measure_segments<L: Lanes, U: Measure>(u: &U, t: &Tensor) -> [f64; 2] {
    fold_segments(t, [0.0; 2], |piece| measure::<L, U>(u, piece))
}

/// Folds `measure` of each segment of `t`, in order, onto `acc` (f64, sum by sum).
///
/// # Safety
/// `measure` may be called on every segment of `t`.
#[inline(always)]
pub unsafe fn fold_segments(t: &Tensor, acc: [f64; 2], mut measure: impl FnMut(&Tensor) -> [f64; 2]) -> [f64; 2] {
    segments(t.len).fold(acc, |[a, b], (lo, hi)| {
        let [x, y] = measure(&t.piece(lo, hi));
        [a + x, b + y]
    })
}

/// [`measure`] over every tensor of a table: every segment's sums ([`crate::stream::SEGMENT`]) added in f64 in
/// table and segment order, from 0 (the order the TypeScript twin adds them in).
///
/// # Safety
/// As [`measure`] for every tensor.
#[inline(always)]
pub unsafe fn measure_all<L: Lanes, U: Measure>(u: &U, tensors: &[Tensor]) -> [f64; 2] {
    tensors.iter().fold([0.0; 2], |acc, t| fold_segments(t, acc, |piece| measure::<L, U>(u, piece)))
}

/// Both passes over every tensor of a table, one tensor after the other (each tensor's scalar
/// depends on its own sums only, folded over its segments by [`measure_segments`]).
///
/// # Safety
/// As [`crate::sweep::sweep_all`] with `U::SLOTS` slots.
#[inline(always)]
pub unsafe fn two_pass_all<L: Lanes, U: TwoPass>(u: &U, tensors: &[Tensor]) {
    for t in tensors {
        let scale = u.scale(measure_segments::<L, U>(u, t));
        apply::<L, U>(u, t, scale);
    }
}

/// A two-pass kernel's passes over one segment each, for a build that divides them over threads
/// ([`crate::sweep::OptimizerKernel::two_pass`]): pass 1 of any segment, the tensor's scalar from
/// its folded sums ([`fold_segments`]), then pass 2 of any piece.
#[derive(Clone, Copy)]
pub struct TwoPassFns {
    /// Pass 1 over a segment: its two sums.
    pub measure: unsafe fn(&[f32], &Tensor) -> [f64; 2],
    /// The tensor's scalar from its folded sums.
    pub scale: fn(&[f32], [f64; 2]) -> f32,
    /// Pass 2 over a piece with its tensor's scalar.
    pub apply: unsafe fn(&[f32], &Tensor, f32),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lanes::Emu4;
    use crate::stream::{stream, Elementwise, Reduce};

    /// Sums p² and g² and leaves everything as it was.
    struct Squares;
    impl Measure for Squares {
        const SLOTS: usize = 0;
        fn measure<L: Lanes>(&self, p: L, g: L, _: &mut [L; MAX_SLOTS]) -> [L; 2] {
            [p * p, g * g]
        }
    }
    impl TwoPass for Squares {
        fn scale(&self, _: [f64; 2]) -> f32 {
            0.0
        }
        fn apply<L: Lanes>(&self, p: L, _: &[L; MAX_SLOTS], _: f32) -> L {
            p
        }
    }

    struct Square(*const f32);
    impl Elementwise for Square {
        const REDUCE: Reduce = Reduce::Sum;
        unsafe fn at<L: Lanes>(&self, i: usize) -> L {
            let x = L::load(self.0.add(i));
            x * x
        }
    }

    #[test]
    fn sums_take_the_order_of_stream() {
        for n in [0usize, 1, 3, 4, 5, 37, 1023, 1024, 1025, 4099, 9000] {
            let mut p: std::vec::Vec<f32> = (0..n).map(|i| ((i * 7919) % 1000) as f32 * 1.37e-3 - 0.6).collect();
            let mut g: std::vec::Vec<f32> = (0..n).map(|i| ((i * 104729) % 997) as f32 * 3.1e-2 - 15.0).collect();
            let t = Tensor::new(p.as_mut_ptr(), g.as_mut_ptr(), core::ptr::null_mut(), n);
            let want = unsafe { [stream::<Scalar, _>(&Square(p.as_ptr()), n), stream::<Scalar, _>(&Square(g.as_ptr()), n)] };
            let emu = unsafe { measure::<Emu4, _>(&Squares, &t) };
            let one = unsafe { measure::<Scalar, _>(&Squares, &t) };
            assert_eq!(emu.map(f64::to_bits), want.map(f64::to_bits), "n {n}");
            assert_eq!(one.map(f64::to_bits), want.map(f64::to_bits), "n {n}");
        }
    }

    #[test]
    fn tensor_sums_fold_fixed_segments_in_order() {
        use crate::stream::SEGMENT;
        for n in [SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT + 7, 3 * SEGMENT + 4097] {
            // Terms from 2^-40 to 2^40: the f64 additions round, so the order shows.
            let mut p: std::vec::Vec<f32> =
                (0..n).map(|i| ((i * 7919) % 1000) as f32 * 1.37e-3 * (2f32).powi((i % 21) as i32 * 4 - 40)).collect();
            let mut g: std::vec::Vec<f32> = (0..n).map(|i| ((i * 104729) % 997) as f32 * 3.1e-2 - 15.0).collect();
            let t = Tensor::new(p.as_mut_ptr(), g.as_mut_ptr(), core::ptr::null_mut(), n);
            let mut want = [0f64; 2];
            for lo in (0..n).step_by(SEGMENT) {
                let piece = unsafe { t.piece(lo, (lo + SEGMENT).min(n)) };
                let [a, b] = unsafe { measure::<Scalar, _>(&Squares, &piece) };
                want = [want[0] + a, want[1] + b];
            }
            let emu = unsafe { measure_segments::<Emu4, _>(&Squares, &t) };
            let all = unsafe { measure_all::<Emu4, _>(&Squares, &[t, t]) };
            assert_eq!(emu.map(f64::to_bits), want.map(f64::to_bits), "n {n}");
            // The table's fold runs over every segment, not per tensor: (0 + s₀ + s₁ …) + s₀ + …
            let mut table = [0f64; 2];
            for _ in 0..2 {
                for lo in (0..n).step_by(SEGMENT) {
                    let piece = unsafe { t.piece(lo, (lo + SEGMENT).min(n)) };
                    let [a, b] = unsafe { measure::<Scalar, _>(&Squares, &piece) };
                    table = [table[0] + a, table[1] + b];
                }
            }
            assert_eq!(all.map(f64::to_bits), table.map(f64::to_bits), "n {n}");
        }
    }
}
