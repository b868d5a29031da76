//! Running averages of parameters, as `torch.optim.swa_utils.AveragedModel.update_parameters`
//! computes them on the CPU (one pass per parameter):
//!
//! ```text
//! SWA:  avg ← avg + (p − avg)/(n + 1)     get_swa_avg_fn (n: models averaged so far, n + 1 as f32)
//! EMA:  avg ← lerp(avg, p, 1 − decay)     get_ema_multi_avg_fn (torch._foreach_lerp_)
//! ```
//! The first update copies (TypeScript does that with a plain copy). Buffers `[avg, p, out]`
//! (`out` is the new average; it may be `avg` itself, the in-place update), argument block
//! `[mode, w]` with `w = n + 1` (SWA) or `1 − decay` (EMA).
//!
//! Spec: docs/SEMANTICS.md#averagedmodel

use crate::lanes::Lanes;
use crate::optim::lerp;
use crate::stream::{stream, ArrayKernel, Buffer, Elementwise, Reduce};

/// Layout of the f32 argument block.
pub mod arg {
    /// [`SWA`](super::arg::SWA) or [`EMA`](super::arg::EMA).
    pub const MODE: usize = 0;
    /// `n + 1` (SWA) or the interpolation weight `1 − decay` (EMA).
    pub const W: usize = 1;
    pub const LEN: usize = 2;

    pub const SWA: f32 = 0.0;
    pub const EMA: f32 = 1.0;
}

/// Buffer order.
pub mod buf {
    pub const AVG: usize = 0;
    pub const P: usize = 1;
    pub const OUT: usize = 2;
    pub const COUNT: usize = 3;
}

struct Average<const EMA: bool> {
    avg: *const f32,
    p: *const f32,
    out: *mut f32,
    w: f32,
}

impl<const EMA: bool> Elementwise for Average<EMA> {
    const REDUCE: Reduce = Reduce::None;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        let a = L::load(self.avg.add(i));
        let p = L::load(self.p.add(i));
        let next = if EMA { lerp(a, p, self.w) } else { a + (p - a) / L::splat(self.w) };
        next.store(self.out.add(i));
        L::zero()
    }
}

/// One averaging update of one parameter: see the module documentation.
pub struct AverageKernel;

impl ArrayKernel for AverageKernel {
    const ARGS: usize = arg::LEN;
    const BUFFERS: usize = buf::COUNT;

    unsafe fn check(a: &[f32], b: &[Buffer]) -> bool {
        (a[arg::MODE] == arg::SWA || a[arg::MODE] == arg::EMA)
            && b[buf::AVG].present()
            && b[buf::P].present()
            && b[buf::OUT].present()
            && b[buf::AVG].len == b[buf::P].len
            && b[buf::OUT].len == b[buf::P].len
    }

    unsafe fn run<L: Lanes>(a: &[f32], b: &[Buffer]) -> f64 {
        let (avg, p, out, n, w) = (b[buf::AVG].ptr, b[buf::P].ptr, b[buf::OUT].ptr, b[buf::AVG].len, a[arg::W]);
        if a[arg::MODE] == arg::EMA {
            stream::<L, _>(&Average::<true> { avg, p, out, w }, n)
        } else {
            stream::<L, _>(&Average::<false> { avg, p, out, w }, n)
        }
    }
}
