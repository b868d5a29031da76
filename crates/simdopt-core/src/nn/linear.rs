//! The four products of a fully connected layer (`torch.nn.Linear`), batch-major: `x` is
//! `[batch, in]`, `W` is `[out, in]`, `b` is `[out]`, `y` is `[batch, out]`, all row-major.
//!
//! ```text
//! forward        y  = b + x·Wᵀ        gemm(m = batch, n = out, k = in)
//! input grad     dx = dy·W            gemm(m = batch, n = in,  k = out)
//! weight grad    dW = dW + dyᵀ·x      gemm(m = out,   n = in,  k = batch)
//! bias grad      db = db + Σ_rows dy  column sums, rows in order
//! ```
//! Each sum runs in order from zero and is then added to its initial value (see [`super::gemm`]),
//! so all builds agree bit for bit.
//!
//! Spec: docs/SEMANTICS.md#linear-layers

use super::gemm::{gemm, workspace_len, Init, Operand, Panels, Serial};
use crate::lanes::{Lanes, Scalar};

/// f32 of packing workspace each of the three products needs for these sizes: the largest inner
/// dimension (in, out or batch) times [`super::gemm::PACK_WIDTH`].
pub fn workspace(batch: usize, in_features: usize, out_features: usize) -> usize {
    workspace_len(batch.max(in_features).max(out_features))
}

/// `Wᵀ` as a k×n operand over `W` ([out, in]): element (i, o) is `W[o·in + i]`.
fn weight_transposed(w: *const f32, in_features: usize) -> Operand {
    Operand { ptr: w, row_stride: 1, col_stride: in_features }
}

/// `y = b + x·Wᵀ` (`bias = None`: `y = x·Wᵀ`).
///
/// `panels` computes the product's column panels ([`Serial`] on one thread); `pack` holds a
/// workspace per thread it uses.
///
/// # Safety
/// `x` readable for batch·in f32, `w` for out·in, `bias` for out, `y` writable for batch·out and
/// `pack` for [`workspace`]; `y` and `pack` overlap nothing else.
#[allow(clippy::too_many_arguments)]
pub unsafe fn forward<L: Lanes, P: Panels>(
    panels: &P,
    x: *const f32,
    w: *const f32,
    bias: Option<*const f32>,
    y: *mut f32,
    batch: usize,
    in_features: usize,
    out_features: usize,
    pack: *mut f32,
) {
    let a = Operand { ptr: x, row_stride: in_features, col_stride: 1 };
    let init = match bias {
        Some(b) => Init::Bias(b),
        None => Init::Zero,
    };
    gemm::<L, P>(panels, batch, out_features, in_features, a, weight_transposed(w, in_features), y, out_features, init, pack);
}

/// `dx = dy·W`.
///
/// `panels` computes the product's column panels ([`Serial`] on one thread); `pack` holds a
/// workspace per thread it uses.
///
/// # Safety
/// `dy` readable for batch·out f32, `w` for out·in, `dx` writable for batch·in, `pack` for
/// [`workspace`]; `dx` and `pack` overlap nothing else.
#[allow(clippy::too_many_arguments)]
pub unsafe fn input_grad<L: Lanes, P: Panels>(
    panels: &P,
    dy: *const f32,
    w: *const f32,
    dx: *mut f32,
    batch: usize,
    in_features: usize,
    out_features: usize,
    pack: *mut f32,
) {
    let a = Operand { ptr: dy, row_stride: out_features, col_stride: 1 };
    let b = Operand { ptr: w, row_stride: in_features, col_stride: 1 };
    gemm::<L, P>(panels, batch, in_features, out_features, a, b, dx, in_features, Init::Zero, pack);
}

/// `dW = dW + dyᵀ·x`.
///
/// `panels` computes the product's column panels ([`Serial`] on one thread); `pack` holds a
/// workspace per thread it uses.
///
/// # Safety
/// `dy` readable for batch·out f32, `x` for batch·in, `dw` readable and writable for out·in,
/// `pack` writable for [`workspace`]; `dw` and `pack` overlap nothing else.
#[allow(clippy::too_many_arguments)]
pub unsafe fn weight_grad<L: Lanes, P: Panels>(
    panels: &P,
    dy: *const f32,
    x: *const f32,
    dw: *mut f32,
    batch: usize,
    in_features: usize,
    out_features: usize,
    pack: *mut f32,
) {
    let a = Operand { ptr: dy, row_stride: 1, col_stride: out_features };
    let b = Operand { ptr: x, row_stride: in_features, col_stride: 1 };
    gemm::<L, P>(panels, out_features, in_features, batch, a, b, dw, in_features, Init::Add, pack);
}

/// `db[o] = db[o] + (((0 + dy[0,o]) + dy[1,o]) + …)`.
///
/// # Safety
/// `dy` readable for batch·out f32, `db` readable and writable for out and not overlapping `dy`.
pub unsafe fn bias_grad<L: Lanes>(dy: *const f32, db: *mut f32, batch: usize, out_features: usize) {
    let body = out_features - out_features % L::WIDTH;
    let mut o = 0;
    while o < body {
        column_sum::<L>(dy, db, batch, out_features, o);
        o += L::WIDTH;
    }
    while o < out_features {
        column_sum::<Scalar>(dy, db, batch, out_features, o);
        o += 1;
    }
}

#[inline(always)]
unsafe fn column_sum<L: Lanes>(dy: *const f32, db: *mut f32, batch: usize, out_features: usize, o: usize) {
    let mut s = L::zero();
    for r in 0..batch {
        s = s + L::load(dy.add(r * out_features + o));
    }
    (L::load(db.add(o)) + s).store(db.add(o));
}

/// Safe entries over slices (host tests, Rust users); each panics when a slice is too short.
/// `pack` is the packing workspace, at least [`workspace`]`(batch, in_features, out_features)` f32.
pub mod slices {
    use super::*;

    #[allow(clippy::too_many_arguments)]
    pub fn forward<L: Lanes>(
        x: &[f32],
        w: &[f32],
        bias: Option<&[f32]>,
        y: &mut [f32],
        batch: usize,
        in_features: usize,
        out_features: usize,
        pack: &mut [f32],
    ) {
        assert!(x.len() >= batch * in_features && w.len() >= in_features * out_features && y.len() >= batch * out_features);
        assert!(bias.is_none_or(|b| b.len() >= out_features));
        assert!(pack.len() >= workspace(batch, in_features, out_features), "packing workspace too short");
        unsafe {
            super::forward::<L, _>(
                &Serial,
                x.as_ptr(),
                w.as_ptr(),
                bias.map(|b| b.as_ptr()),
                y.as_mut_ptr(),
                batch,
                in_features,
                out_features,
                pack.as_mut_ptr(),
            )
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn input_grad<L: Lanes>(
        dy: &[f32],
        w: &[f32],
        dx: &mut [f32],
        batch: usize,
        in_features: usize,
        out_features: usize,
        pack: &mut [f32],
    ) {
        assert!(dy.len() >= batch * out_features && w.len() >= in_features * out_features && dx.len() >= batch * in_features);
        assert!(pack.len() >= workspace(batch, in_features, out_features), "packing workspace too short");
        unsafe {
            super::input_grad::<L, _>(
                &Serial,
                dy.as_ptr(),
                w.as_ptr(),
                dx.as_mut_ptr(),
                batch,
                in_features,
                out_features,
                pack.as_mut_ptr(),
            )
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn weight_grad<L: Lanes>(
        dy: &[f32],
        x: &[f32],
        dw: &mut [f32],
        batch: usize,
        in_features: usize,
        out_features: usize,
        pack: &mut [f32],
    ) {
        assert!(dy.len() >= batch * out_features && x.len() >= batch * in_features && dw.len() >= in_features * out_features);
        assert!(pack.len() >= workspace(batch, in_features, out_features), "packing workspace too short");
        unsafe {
            super::weight_grad::<L, _>(
                &Serial,
                dy.as_ptr(),
                x.as_ptr(),
                dw.as_mut_ptr(),
                batch,
                in_features,
                out_features,
                pack.as_mut_ptr(),
            )
        }
    }

    pub fn bias_grad<L: Lanes>(dy: &[f32], db: &mut [f32], batch: usize, out_features: usize) {
        assert!(dy.len() >= batch * out_features && db.len() >= out_features);
        unsafe { super::bias_grad::<L>(dy.as_ptr(), db.as_mut_ptr(), batch, out_features) }
    }
}
