//! Blocked matrix multiply: `C ← init ⊕ A·B` for strided `A` (m×k) and `B` (k×n) and a
//! row-major `C` (m×n).
//!
//! Every output element is summed the same way in every build:
//!
//! ```text
//! s = 0;  for p in 0..k { s = s + A[i,p]·B[p,j] }       (f32, one rounding per operation)
//! C[i,j] = s  |  C[i,j] + s  |  bias[j] + s            (Init::Zero | Add | Bias)
//! ```
//!
//! Only the grouping of elements into register tiles differs between lane types, never the order
//! of a sum, so the simd128 build, the scalar build, the 4-lane emulation and the TypeScript twin
//! (`packages/simdopt/src/nn/kernels/gemm.ts`) agree bit for bit. That order forbids splitting `k` into
//! cache blocks (the partial sums would need their own storage); the layers' `k` (features or
//! batch) is small enough that a whole column panel of `B` stays in cache.
//!
//! Structure (Goto's): for each panel of `NR = NV·WIDTH` columns, `B`'s panel is packed into the
//! workspace as a contiguous k×NR block (also when `B`'s rows are contiguous: a panel of a
//! row-major `B` spans k rows a whole row apart, one page each for wide layers, and walking it
//! once per row tile thrashes the TLB), then an `MR × NR` register tile of accumulators walks
//! down the rows of `A`: per `p`, `NV` vector loads of `B`, `MR` broadcasts of `A`, `MR·NV`
//! multiplies and adds. Edge tiles use the same kernel with fewer rows, a single vector, or one
//! lane.
//!
//! Spec: docs/SEMANTICS.md#linear-layers

use crate::lanes::{Lanes, Scalar};

/// Rows of the register tile.
pub const MR: usize = 4;
/// Vectors per row of the register tile (`NR = NV · L::WIDTH` columns).
pub const NV: usize = 2;
/// The widest `NR` of any build (simd128: 2 × 4): workspace sizes in f32 are `k · PACK_WIDTH`.
pub const PACK_WIDTH: usize = 8;

/// A read-only operand: element `(row, col)` at `ptr[row·row_stride + col·col_stride]`.
#[derive(Clone, Copy, Debug)]
pub struct Operand {
    pub ptr: *const f32,
    pub row_stride: usize,
    pub col_stride: usize,
}

/// What the product is added to.
#[derive(Clone, Copy, Debug)]
pub enum Init {
    /// `C = A·B`.
    Zero,
    /// `C = C + A·B` (gradient accumulation).
    Add,
    /// `C = bias[j] + A·B`, `bias` of length n broadcast over the rows.
    Bias(*const f32),
}

/// Columns of the register tile for lane type `L`.
#[inline(always)]
pub const fn panel_width<L: Lanes>() -> usize {
    NV * L::WIDTH
}

/// f32 of packing workspace [`gemm`] needs for an inner dimension `k`.
#[inline]
pub fn workspace_len(k: usize) -> usize {
    k.saturating_mul(PACK_WIDTH)
}

/// Who computes a product's column panels. Every output element is a sum of its own, so any
/// division of the panels among threads gives the same bits; each part packs into its own
/// workspace.
pub trait Panels {
    /// Calls `run(j0, j1, pack)` for disjoint column ranges (multiples of `nr`, the last ending at
    /// `n`) that cover `0..n`. `pack` is the caller's workspace of `slot` f32 per thread the
    /// implementation may use; `work` (≈ m·n·k) lets it keep small products on one thread.
    ///
    /// # Safety
    /// `pack` is writable for as many slots as the implementation uses.
    unsafe fn split(&self, n: usize, nr: usize, work: usize, pack: *mut f32, slot: usize, run: &dyn Fn(usize, usize, *mut f32));
}

/// Every panel on the calling thread.
pub struct Serial;

impl Panels for Serial {
    #[inline(always)]
    unsafe fn split(
        &self,
        n: usize,
        _nr: usize,
        _work: usize,
        pack: *mut f32,
        _slot: usize,
        run: &dyn Fn(usize, usize, *mut f32),
    ) {
        run(0, n, pack)
    }
}

/// `C ← init ⊕ A·B` (see the module doc for the exact arithmetic), its column panels computed
/// by `panels` ([`Serial`]: all on this thread).
///
/// # Safety
/// `A` and `B` are readable at every element of their m×k and k×n extents, `C` is writable at
/// `c[i·ldc + j]` for i < m, j < n, `bias` (with [`Init::Bias`]) readable for n f32, `pack`
/// writable for [`workspace_len`]`(k)` f32 per thread `panels` uses, and `C` and `pack` overlap
/// nothing else.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm<L: Lanes, P: Panels>(
    panels: &P,
    m: usize,
    n: usize,
    k: usize,
    a: Operand,
    b: Operand,
    c: *mut f32,
    ldc: usize,
    init: Init,
    pack: *mut f32,
) {
    let nr = panel_width::<L>();
    let run = |j0: usize, j1: usize, pack: *mut f32| columns::<L>(m, j0, j1, k, a, b, c, ldc, init, pack);
    panels.split(n, nr, m.saturating_mul(n).saturating_mul(k), pack, workspace_len(k), &run);
}

/// Columns `j..n` of the product, panel by panel from `j` (a multiple of the panel width).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn columns<L: Lanes>(
    m: usize,
    mut j: usize,
    n: usize,
    k: usize,
    a: Operand,
    b: Operand,
    c: *mut f32,
    ldc: usize,
    init: Init,
    pack: *mut f32,
) {
    let nr = panel_width::<L>();
    while j < n {
        let w = nr.min(n - j);
        pack_panel(&b, j, w, k, pack, nr);
        let (panel, ldb) = (pack as *const f32, nr);
        let init = match init {
            Init::Bias(bias) => Init::Bias(bias.add(j)),
            other => other,
        };
        let mut i = 0;
        while i < m {
            let rows = Operand { ptr: a.ptr.add(i * a.row_stride), ..a };
            let cp = c.add(i * ldc + j);
            match m - i {
                1 => tile_row::<L, 1>(w, k, rows, panel, ldb, cp, ldc, init),
                2 => tile_row::<L, 2>(w, k, rows, panel, ldb, cp, ldc, init),
                3 => tile_row::<L, 3>(w, k, rows, panel, ldb, cp, ldc, init),
                _ => tile_row::<L, MR>(w, k, rows, panel, ldb, cp, ldc, init),
            }
            i += MR;
        }
        j += nr;
    }
}

/// Copies columns `j..j+w` of `B` into `pack` as a k×w block with row stride `nr`.
#[inline(always)]
unsafe fn pack_panel(b: &Operand, j: usize, w: usize, k: usize, pack: *mut f32, nr: usize) {
    for p in 0..k {
        let src = b.ptr.add(p * b.row_stride + j * b.col_stride);
        let dst = pack.add(p * nr);
        if b.col_stride == 1 {
            core::ptr::copy_nonoverlapping(src, dst, w);
        } else {
            for q in 0..w {
                *dst.add(q) = *src.add(q * b.col_stride);
            }
        }
    }
}

/// `R` rows × `w` columns: the full-width kernel, or vector then lane tails.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tile_row<L: Lanes, const R: usize>(
    w: usize,
    k: usize,
    a: Operand,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
    init: Init,
) {
    if w == panel_width::<L>() {
        tile::<L, R, NV>(k, a, b, ldb, c, ldc, init);
        return;
    }
    let mut q = 0;
    while q + L::WIDTH <= w {
        tile::<L, R, 1>(k, a, b.add(q), ldb, c.add(q), ldc, shift(init, q));
        q += L::WIDTH;
    }
    while q < w {
        tile::<Scalar, R, 1>(k, a, b.add(q), ldb, c.add(q), ldc, shift(init, q));
        q += 1;
    }
}

#[inline(always)]
unsafe fn shift(init: Init, q: usize) -> Init {
    match init {
        Init::Bias(bias) => Init::Bias(bias.add(q)),
        other => other,
    }
}

/// The register tile: `R × V` accumulators of `L`, summed over `p` in order.
#[inline(always)]
unsafe fn tile<L: Lanes, const R: usize, const V: usize>(
    k: usize,
    a: Operand,
    b: *const f32,
    ldb: usize,
    c: *mut f32,
    ldc: usize,
    init: Init,
) {
    let mut acc = [[L::zero(); V]; R];
    let mut ap = a.ptr;
    let mut bp = b;
    for _ in 0..k {
        let mut bv = [L::zero(); V];
        for (v, slot) in bv.iter_mut().enumerate() {
            *slot = L::load(bp.add(v * L::WIDTH));
        }
        for (r, row) in acc.iter_mut().enumerate() {
            let av = L::splat(*ap.add(r * a.row_stride));
            for (v, sum) in row.iter_mut().enumerate() {
                *sum = *sum + av * bv[v];
            }
        }
        ap = ap.add(a.col_stride);
        bp = bp.add(ldb);
    }
    for (r, row) in acc.iter().enumerate() {
        for (v, sum) in row.iter().enumerate() {
            let at = c.add(r * ldc + v * L::WIDTH);
            let out = match init {
                Init::Zero => *sum,
                Init::Add => L::load(at) + *sum,
                Init::Bias(bias) => L::load(bias.add(v * L::WIDTH)) + *sum,
            };
            out.store(at);
        }
    }
}
