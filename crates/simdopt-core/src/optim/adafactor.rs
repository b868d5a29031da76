//! Adafactor (Shazeer & Stern 2018, arXiv 1804.04235) as `torch.optim.Adafactor` (PyTorch 2.5,
//! `_single_tensor_adafactor`) computes it, for one parameter per call.
//!
//! ```text
//! g ← −g if maximize;  w = t^τ (= 1 − β̂2_t);  ρ = min(lr, 1/√t)             (per step, in TS)
//! α = max(eps2, ‖p‖/√n)·ρ                    (f64 from the f32 norm, before the decay)
//! p ← (1 − lr·λ)·p                            when λ ≠ 0
//! ≥2-D [.., R, C] (per matrix b of the leading dims):
//!   r_i ← lerp(r_i, ‖g_i,:‖²/C, w);  c_j ← lerp(c_j, ‖g_:,j‖²/R, w)
//!   V_ij = (r_i·c_j) / max(mean_i r_i, eps1)
//! 1-D:  V ← lerp(V, g·g, w)
//! U = g · rsqrt(max(V, eps1²))                (rsqrt = 1/sqrt, as ATen's CPU kernel)
//! p ← p + (−α / max(1, ‖U‖/(√n·d)))·U
//! ```
//! Passes over the n = B·R·C elements, factored: (1) read p and g — Σp² and, per row, Σ_j g² (a
//! row's two sums while it is in cache) and the column sums Σ_i g² (f32, rows in order) into
//! the workspace; the small vectors r, c and mean r are then updated; (2) read g — ‖U‖ needs every
//! r_i and c_j, so it cannot share pass 1; (3) read g and p, write p — U is recomputed rather than
//! stored (storing it would cost the n floats Adafactor exists to save). Three passes is the
//! minimum without an n-sized buffer. Vector path: Σp², then V and ‖U‖ in one pass, then the
//! update (three streams, two over g).
//!
//! Sums: within a row (or a vector) in the four-lane blocked order of [`crate::stream`], rows
//! added in order in f64; a norm is `f32(√sum)` (PyTorch's `norm(2).item()` is a float32
//! norm), squared again in f32 where PyTorch squares a `vector_norm`. Column sums run in f32 over
//! the rows in order (lane-independent, so every build agrees).
//!
//! Buffers: `[param, grad, state, workspace]`. Factored: `state` holds `row_var` (B·R) and, at
//! f32 offset [`col_offset`]`(B·R)`, `col_var` (B·C); `workspace` holds C f32. Vector: `state`
//! is `variance` (n) and there is no workspace.
//!
//! Spec: docs/SEMANTICS.md#adafactor

use crate::lanes::{Lanes, Scalar};
use crate::math::sqrt64;
use crate::optim::lerp;
use crate::stream::{stream, ArrayKernel, Buffer, Elementwise, Reduce};
use crate::sweep::flag;

/// Layout of the f32 argument block.
pub mod arg {
    /// Bits [`MAXIMIZE`], [`WEIGHT_DECAY_ON`], [`FACTORED`].
    pub const FLAGS: usize = 0;
    /// Product of the leading dimensions (1 for a matrix or a vector).
    pub const BATCH: usize = 1;
    /// R: the second-to-last dimension (1 for a vector).
    pub const ROWS: usize = 2;
    /// C: the last dimension (n for a vector).
    pub const COLS: usize = 3;
    /// `t^τ` = 1 − β̂2_t, the interpolation weight of the moments.
    pub const WEIGHT: usize = 4;
    /// ρ_t = min(lr, 1/√t).
    pub const RHO: usize = 5;
    pub const EPS1: usize = 6;
    /// eps1·eps1 rounded once from f64 (Python squares the float).
    pub const EPS1_SQ: usize = 7;
    pub const EPS2: usize = 8;
    /// The clipping threshold d.
    pub const D: usize = 9;
    /// 1 − lr·λ.
    pub const DECAY: usize = 10;
    pub const LEN: usize = 11;

    pub const MAXIMIZE: u32 = 0;
    pub const WEIGHT_DECAY_ON: u32 = 1;
    pub const FACTORED: u32 = 2;
}

/// f32 offset of `col_var` in the factored state buffer: `row_var`'s length rounded up to whole
/// 16-byte vectors (the slot stride of the optimizers' state blocks).
pub const fn col_offset(row_len: usize) -> usize {
    (row_len + 3) & !3
}

/// Python's `max(a, b)`: `b` only when `b > a` (so a NaN `b` gives `a`).
#[inline(always)]
fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// The norm PyTorch's `x.norm(2).item()` returns: the float32 root of the sum of squares.
#[inline(always)]
fn norm32(sum: f64) -> f64 {
    (sqrt64(sum) as f32) as f64
}

struct SquareSum(*const f32);
impl Elementwise for SquareSum {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        let x = L::load(self.0.add(i));
        x * x
    }
}

/// Σ_j g_ij² of one row, adding g² to the column sums on the way.
struct RowSquares {
    g: *const f32,
    cols: *mut f32,
}
impl Elementwise for RowSquares {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, j: usize) -> L {
        let g = L::load(self.g.add(j));
        let sq = g * g;
        (L::load(self.cols.add(j)) + sq).store(self.cols.add(j));
        sq
    }
}

/// `U = g·rsqrt(max(V, eps1²))` for one factored row (V_ij = r·c_j / mean), returning U²;
/// with `p`, also applies the update.
struct FactoredRow {
    g: *const f32,
    col: *const f32,
    r: f32,
    mean: f32,
    sign: f32,
    eps1_sq: f32,
    apply: Option<Apply>,
}

#[derive(Clone, Copy)]
struct Apply {
    p: *mut f32,
    decay: Option<f32>,
    scale: f32,
}

#[inline(always)]
unsafe fn apply_at<L: Lanes>(a: &Apply, i: usize, u: L) {
    let mut p = L::load(a.p.add(i));
    if let Some(f) = a.decay {
        p = p * L::splat(f);
    }
    (p + u * L::splat(a.scale)).store(a.p.add(i));
}

impl Elementwise for FactoredRow {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, j: usize) -> L {
        let g = L::load(self.g.add(j)) * L::splat(self.sign);
        let v = (L::splat(self.r) * L::load(self.col.add(j))) / L::splat(self.mean);
        let u = (L::splat(1.0) / v.max(L::splat(self.eps1_sq)).sqrt()) * g;
        match &self.apply {
            Some(a) => {
                apply_at(a, j, u);
                L::zero()
            }
            None => u * u,
        }
    }
}

/// The vector path: `V ← lerp(V, g·g, w)` and U² (pass 1), or the update from V (pass 2).
struct VectorPass {
    g: *const f32,
    v: *mut f32,
    sign: f32,
    weight: f32,
    eps1_sq: f32,
    apply: Option<Apply>,
}
impl Elementwise for VectorPass {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        let g = L::load(self.g.add(i)) * L::splat(self.sign);
        let v = match &self.apply {
            Some(_) => L::load(self.v.add(i)),
            None => {
                let v = lerp(L::load(self.v.add(i)), g * g, self.weight);
                v.store(self.v.add(i));
                v
            }
        };
        let u = (L::splat(1.0) / v.max(L::splat(self.eps1_sq)).sqrt()) * g;
        match &self.apply {
            Some(a) => {
                apply_at(a, i, u);
                L::zero()
            }
            None => u * u,
        }
    }
}

/// The exported kernel: one parameter, factored or not, from one argument block.
pub struct AdafactorKernel;

/// Reads a dimension from the argument block (whole numbers below 2^24).
fn dim(a: &[f32], at: usize) -> Option<usize> {
    let x = a[at];
    (x >= 0.0 && x <= 16_777_216.0 && x == (x as u32) as f32).then_some(x as usize)
}

impl ArrayKernel for AdafactorKernel {
    const ARGS: usize = arg::LEN;
    const BUFFERS: usize = 4;

    unsafe fn check(a: &[f32], b: &[Buffer]) -> bool {
        let (Some(batch), Some(rows), Some(cols)) = (dim(a, arg::BATCH), dim(a, arg::ROWS), dim(a, arg::COLS)) else {
            return false;
        };
        let Some(n) = batch.checked_mul(rows).and_then(|x| x.checked_mul(cols)) else { return false };
        if !(b[0].present() && b[1].present() && b[2].present()) || b[0].len != n || b[1].len != n {
            return false;
        }
        if flag(a, arg::FLAGS, arg::FACTORED) {
            b[2].len == col_offset(batch * rows) + batch * cols && b[3].present() && b[3].len >= cols
        } else {
            batch == 1 && rows == 1 && b[2].len == n
        }
    }

    unsafe fn run<L: Lanes>(a: &[f32], b: &[Buffer]) -> f64 {
        let (batch, rows, cols) = (a[arg::BATCH] as usize, a[arg::ROWS] as usize, a[arg::COLS] as usize);
        let n = batch * rows * cols;
        if n == 0 {
            return 0.0;
        }
        let (p, g, state) = (b[0].ptr, b[1].ptr as *const f32, b[2].ptr);
        let sign = if flag(a, arg::FLAGS, arg::MAXIMIZE) { -1.0 } else { 1.0 };
        let weight = a[arg::WEIGHT];
        let eps1 = a[arg::EPS1];
        let eps1_sq = a[arg::EPS1_SQ];
        let decay = flag(a, arg::FLAGS, arg::WEIGHT_DECAY_ON).then(|| a[arg::DECAY]);
        let sqrt_n = sqrt64(n as f64);
        let alpha = |sum_p2: f64| py_max(a[arg::EPS2] as f64, norm32(sum_p2) / sqrt_n) * a[arg::RHO] as f64;
        let scale = |alpha: f64, sum_u2: f64| {
            let denom = py_max(1.0, norm32(sum_u2) / (sqrt_n * a[arg::D] as f64));
            (-alpha / denom) as f32
        };
        if !flag(a, arg::FLAGS, arg::FACTORED) {
            let alpha = alpha(stream::<L, _>(&SquareSum(p), n));
            let mut pass = VectorPass { g, v: state, sign, weight, eps1_sq, apply: None };
            let sum_u2 = stream::<L, _>(&pass, n);
            pass.apply = Some(Apply { p, decay, scale: scale(alpha, sum_u2) });
            stream::<L, _>(&pass, n);
            return 0.0;
        }
        let row_var = state;
        let col_var = state.add(col_offset(batch * rows));
        let work = b[3].ptr;
        // Pass 1: Σp², the row moments (updated as each row ends) and the column sums.
        let mut sum_p2 = 0.0;
        for bi in 0..batch {
            core::ptr::write_bytes(work, 0, cols);
            for i in 0..rows {
                let row = (bi * rows + i) * cols;
                sum_p2 += stream::<L, _>(&SquareSum(p.add(row)), cols);
                let s = stream::<L, _>(&RowSquares { g: g.add(row), cols: work }, cols);
                let r = row_var.add(bi * rows + i);
                *r = lerp(Scalar(*r), Scalar(mean_of_norm(s, cols)), weight).0;
            }
            let c = col_var.add(bi * cols);
            for j in 0..cols {
                let s = *work.add(j) as f64;
                *c.add(j) = lerp(Scalar(*c.add(j)), Scalar(mean_of_norm(s, rows)), weight).0;
            }
        }
        let alpha = alpha(sum_p2);
        // Pass 2: ‖U‖²; pass 3: the update.
        let pass = |apply: Option<Apply>| {
            let mut sum_u2 = 0.0;
            for bi in 0..batch {
                let r = row_var.add(bi * rows);
                let mean = (stream::<L, _>(&Plain(r), rows) / rows as f64) as f32;
                let mean = Scalar(mean).max(Scalar(eps1)).0;
                for i in 0..rows {
                    let row = (bi * rows + i) * cols;
                    let k = FactoredRow {
                        g: g.add(row),
                        col: col_var.add(bi * cols),
                        r: *r.add(i),
                        mean,
                        sign,
                        eps1_sq,
                        apply: apply.map(|x| Apply { p: x.p.add(row), ..x }),
                    };
                    sum_u2 += stream::<L, _>(&k, cols);
                }
            }
            sum_u2
        };
        let scale = scale(alpha, pass(None));
        pass(Some(Apply { p, decay, scale }));
        0.0
    }
}

/// `vector_norm(·)²/len` as PyTorch computes a mean square: `f32(f32(f32(√sum)²)/len)`.
#[inline(always)]
fn mean_of_norm(sum: f64, len: usize) -> f32 {
    let norm = norm32(sum) as f32;
    (norm * norm) / len as f32
}

struct Plain(*const f32);
impl Elementwise for Plain {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        L::load(self.0.add(i))
    }
}
