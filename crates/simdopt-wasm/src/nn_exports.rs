//! The exports of the nn kernels (`simdopt_core::nn`): Linear products and activations.
//!
//! Every pointer is checked against the live blocks before anything is read or written
//! ([`Status::BadBuffer`]); sizes whose byte counts overflow, a short packing workspace, an
//! unknown activation, and an output that overlaps an input (other than the exact in-place cases
//! an element-wise kernel allows) are [`Status::BadShape`].

use crate::abi::{f32_bytes, f32_range, Status};
use crate::exports::with_heap;
use crate::heap::{Heap, Memory};
use simdopt_core::lanes::Native;
use simdopt_core::nn::activation::{self, Activation};
use simdopt_core::nn::linear;

/// Who computes a product's column panels: the worker pool in the threaded build.
#[cfg(target_feature = "atomics")]
use crate::threads::{slots, Pool as Panels};
#[cfg(not(target_feature = "atomics"))]
use simdopt_core::nn::gemm::Serial as Panels;

/// One packing workspace per thread that may work on a product.
#[cfg(not(target_feature = "atomics"))]
fn slots() -> usize {
    1
}

/// f32 of packing workspace for these sizes, every thread's.
fn need(batch: usize, in_features: usize, out_features: usize) -> usize {
    linear::workspace(batch, in_features, out_features).saturating_mul(slots())
}

/// A run of `count` f32 at byte address `ptr`.
#[derive(Clone, Copy)]
struct Span {
    ptr: usize,
    count: usize,
}

fn span(ptr: usize, count: Option<usize>) -> Result<Span, Status> {
    match count.and_then(|c| f32_bytes(c).map(|_| c)) {
        Some(count) => Ok(Span { ptr, count }),
        None => Err(Status::BadShape),
    }
}

fn live<M: Memory>(h: &Heap<M>, spans: &[Span]) -> Result<(), Status> {
    if spans.iter().all(|s| f32_range(h, s.ptr, s.count)) {
        Ok(())
    } else {
        Err(Status::BadBuffer)
    }
}

/// Whether two non-empty spans share a byte (in u64: a block may end exactly at 4 GiB).
fn overlap(a: Span, b: Span) -> bool {
    let end = |s: Span| s.ptr as u64 + 4 * s.count as u64;
    a.count > 0 && b.count > 0 && (a.ptr as u64) < end(b) && (b.ptr as u64) < end(a)
}

/// `out` overlaps none of `inputs`.
fn apart(out: Span, inputs: &[Span]) -> Result<(), Status> {
    if inputs.iter().any(|s| overlap(out, *s)) {
        Err(Status::BadShape)
    } else {
        Ok(())
    }
}

/// `out` is one of `same` exactly, or overlaps none of them.
fn same_or_apart(out: Span, same: &[Span]) -> Result<(), Status> {
    if same.iter().all(|s| (s.ptr == out.ptr && s.count == out.count) || !overlap(out, *s)) {
        Ok(())
    } else {
        Err(Status::BadShape)
    }
}

fn status(r: Result<(), Status>) -> i32 {
    match r {
        Ok(()) => Status::Ok as i32,
        Err(s) => s as i32,
    }
}

/// f32 of packing workspace the three Linear products need for these sizes.
#[no_mangle]
pub extern "C" fn simdopt_linear_workspace(batch: usize, in_features: usize, out_features: usize) -> usize {
    need(batch, in_features, out_features)
}

/// Checks the packing workspace: live, long enough, and apart from every other operand.
fn workspace<M: Memory>(h: &Heap<M>, pack: usize, pack_len: usize, need: usize, others: &[Span]) -> Result<(), Status> {
    let ps = span(pack, Some(pack_len))?;
    if pack_len < need {
        return Err(Status::BadShape);
    }
    live(h, &[ps])?;
    apart(ps, others)
}

/// Checks a product's operands, the output last: every span live, the output apart from the
/// inputs, and the packing workspace live, at least `need` f32 and apart from all of them.
fn product_operands<M: Memory>(h: &Heap<M>, spans: &[Span], pack: usize, pack_len: usize, need: usize) -> Result<(), Status> {
    let (out, inputs) = spans.split_last().expect("a product has an output");
    live(h, spans)?;
    apart(*out, inputs)?;
    workspace(h, pack, pack_len, need, spans)
}

/// One Linear product export: the operand spans (output last) from `spans`, checked by
/// [`product_operands`] against `need` f32 of workspace, then `run`, which may rely on them.
fn product<const N: usize>(
    spans: impl FnOnce() -> Result<[Span; N], Status>,
    pack: usize,
    pack_len: usize,
    need: usize,
    run: impl FnOnce(),
) -> i32 {
    status(
        with_heap(|h| {
            product_operands(h, &spans()?, pack, pack_len, need)?;
            run();
            Ok(())
        })
        .unwrap_or(Err(Status::BadBuffer)),
    )
}

/// `y = b + x·Wᵀ` with x [batch, in], W [out, in], b [out] (`b = 0`: no bias), y [batch, out];
/// `pack` is a workspace of `pack_len ≥ simdopt_linear_workspace(batch, in, out)` f32.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn simdopt_linear_forward(
    x: usize,
    w: usize,
    b: usize,
    y: usize,
    batch: usize,
    in_features: usize,
    out_features: usize,
    pack: usize,
    pack_len: usize,
) -> i32 {
    let spans = || {
        Ok([
            span(x, batch.checked_mul(in_features))?,
            span(w, out_features.checked_mul(in_features))?,
            span(b, Some(if b == 0 { 0 } else { out_features }))?,
            span(y, batch.checked_mul(out_features))?,
        ])
    };
    let bias = (b != 0).then_some(b as *const f32);
    // SAFETY (in `run`): every range is inside a live block and the output overlaps no input.
    product(spans, pack, pack_len, need(batch, in_features, out_features), || unsafe {
        linear::forward::<Native, _>(
            &Panels,
            x as *const f32,
            w as *const f32,
            bias,
            y as *mut f32,
            batch,
            in_features,
            out_features,
            pack as *mut f32,
        )
    })
}

/// `dx = dy·W` with dy [batch, out], W [out, in], dx [batch, in]; `pack` as for the forward.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn simdopt_linear_input_grad(
    dy: usize,
    w: usize,
    dx: usize,
    batch: usize,
    in_features: usize,
    out_features: usize,
    pack: usize,
    pack_len: usize,
) -> i32 {
    let spans = || {
        Ok([
            span(dy, batch.checked_mul(out_features))?,
            span(w, out_features.checked_mul(in_features))?,
            span(dx, batch.checked_mul(in_features))?,
        ])
    };
    // SAFETY (in `run`): as the forward's.
    product(spans, pack, pack_len, need(batch, in_features, out_features), || unsafe {
        linear::input_grad::<Native, _>(
            &Panels,
            dy as *const f32,
            w as *const f32,
            dx as *mut f32,
            batch,
            in_features,
            out_features,
            pack as *mut f32,
        )
    })
}

/// `dW = dW + dyᵀ·x` with dy [batch, out], x [batch, in], dW [out, in]; `pack` as for the forward.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn simdopt_linear_weight_grad(
    dy: usize,
    x: usize,
    dw: usize,
    batch: usize,
    in_features: usize,
    out_features: usize,
    pack: usize,
    pack_len: usize,
) -> i32 {
    let spans = || {
        Ok([
            span(dy, batch.checked_mul(out_features))?,
            span(x, batch.checked_mul(in_features))?,
            span(dw, out_features.checked_mul(in_features))?,
        ])
    };
    // SAFETY (in `run`): as the forward's.
    product(spans, pack, pack_len, need(batch, in_features, out_features), || unsafe {
        linear::weight_grad::<Native, _>(
            &Panels,
            dy as *const f32,
            x as *const f32,
            dw as *mut f32,
            batch,
            in_features,
            out_features,
            pack as *mut f32,
        )
    })
}

/// `db = db + Σ_rows dy` with dy [batch, out], db [out].
#[no_mangle]
pub extern "C" fn simdopt_linear_bias_grad(dy: usize, db: usize, batch: usize, out_features: usize) -> i32 {
    status(
        with_heap(|h| {
            let dys = span(dy, batch.checked_mul(out_features))?;
            let dbs = span(db, Some(out_features))?;
            live(h, &[dys, dbs])?;
            apart(dbs, &[dys])?;
            // SAFETY: checked above.
            unsafe { linear::bias_grad::<Native>(dy as *const f32, db as *mut f32, batch, out_features) };
            Ok(())
        })
        .unwrap_or(Err(Status::BadBuffer)),
    )
}

/// `y = f(x)` element-wise for activation code `kind`; `y == x` (in place) is allowed.
#[no_mangle]
pub extern "C" fn simdopt_activation_forward(kind: u32, x: usize, y: usize, len: usize) -> i32 {
    status(
        with_heap(|h| {
            let kind = Activation::from_code(kind).ok_or(Status::BadShape)?;
            let (xs, ys) = (span(x, Some(len))?, span(y, Some(len))?);
            live(h, &[xs, ys])?;
            same_or_apart(ys, &[xs])?;
            // SAFETY: checked above.
            unsafe { activation::forward::<Native>(kind, x as *const f32, y as *mut f32, len) };
            Ok(())
        })
        .unwrap_or(Err(Status::BadBuffer)),
    )
}

/// `dx` from the saved tensor (the output for ReLU/Tanh/Sigmoid, the input for GELU) and `dy`;
/// `dx` may be `dy` or `saved` itself.
#[no_mangle]
pub extern "C" fn simdopt_activation_backward(kind: u32, saved: usize, dy: usize, dx: usize, len: usize) -> i32 {
    status(
        with_heap(|h| {
            let kind = Activation::from_code(kind).ok_or(Status::BadShape)?;
            let (ss, dys, dxs) = (span(saved, Some(len))?, span(dy, Some(len))?, span(dx, Some(len))?);
            live(h, &[ss, dys, dxs])?;
            same_or_apart(dxs, &[ss, dys])?;
            // SAFETY: checked above.
            unsafe { activation::backward::<Native>(kind, saved as *const f32, dy as *const f32, dx as *mut f32, len) };
            Ok(())
        })
        .unwrap_or(Err(Status::BadBuffer)),
    )
}
