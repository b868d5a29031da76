//! Losses with `torch.nn.functional` semantics, value and gradient in one pass.
//!
//! Element-wise, with d = x − y (input x, target y):
//! ```text
//! MSE            ℓ = d²                                        ∂ℓ/∂x = 2d
//! L1             ℓ = |d|                                       ∂ℓ/∂x = sign(d)       (0 at d = 0)
//! Huber(δ)       ℓ = ½d² if |d| < δ, else δ(|d| − ½δ)          ∂ℓ/∂x = d, else δ·sign(d)
//! SmoothL1(β)    ℓ = ½d²/β if |d| < β, else |d| − ½β           ∂ℓ/∂x = d/β, else sign(d)  (β = 0: L1)
//! BCE(logits)    ℓ = max(x, 0) − x·y + log(1 + e^−|x|)         ∂ℓ/∂x = σ(x) − y
//! ```
//! BCE uses the stable form: e^−|x| ≤ 1 never overflows, log(1 + u) keeps u's digits
//! ([`log1p_nonneg`]) and σ(x) is `1/(1 + e^−x)` for x ≥ 0, `e^x/(1 + e^x)` below, so logits of
//! ±1e4 give finite values and gradients.
//!
//! Cross-entropy over rows of C logits with class index y and label smoothing ε, computed with
//! the row maximum m subtracted (z_j = x_j − m ≤ 0):
//! ```text
//! S = Σ_j e^{z_j},  lse = log S
//! ℓ = lse − (1 − ε)·z_y − (ε/C)·Σ_j z_j        (= −Σ_j t_j·log softmax_j, t = (1−ε)·onehot(y) + ε/C)
//! ∂ℓ/∂x_j = e^{z_j}/S − t_j
//! ```
//! The kernels return the sum of the element (row) losses; the caller divides by the count for
//! 'mean'. Gradients are multiplied by the argument `GRAD_SCALE` (1/n for 'mean', else 1); for
//! 'none' they are the derivative of each element's own loss. Element sums use the blocked
//! four-lane order of stream.rs; row losses of cross-entropy are added in f64 in row order.
//!
//! Spec: docs/SEMANTICS.md#losses

use crate::lanes::{Lanes, Scalar};
use crate::math::{exp, log, log1p_nonneg};
use crate::stream::{stream, ArrayKernel, Buffer, Elementwise, Reduce};

/// Kinds of [`PointwiseLossKernel`].
pub mod kind {
    pub const MSE: u32 = 0;
    pub const L1: u32 = 1;
    pub const HUBER: u32 = 2;
    pub const SMOOTH_L1: u32 = 3;
    pub const BCE_WITH_LOGITS: u32 = 4;
    pub const COUNT: u32 = 5;
}

/// Layout of the f32 argument block of [`PointwiseLossKernel`].
pub mod arg {
    /// One of [`kind`](super::kind).
    pub const KIND: usize = 0;
    /// δ of Huber (> 0), β of SmoothL1 (≥ 0); unused otherwise.
    pub const PARAM: usize = 1;
    /// Factor of every gradient element: 1/n for 'mean', 1 for 'sum' and 'none'.
    pub const GRAD_SCALE: usize = 2;
    pub const LEN: usize = 3;
}

/// Buffer order of both loss kernels.
pub mod buf {
    /// Input (logits for BCE and cross-entropy).
    pub const INPUT: usize = 0;
    /// Targets: f32 of the input's length, or i32 class indices (one per row) for cross-entropy.
    pub const TARGET: usize = 1;
    /// Optional: receives ∂loss/∂input (the input's length).
    pub const GRAD: usize = 2;
    /// Optional: receives the per-element (per-row) losses, for reduction 'none'.
    pub const OUT: usize = 3;
    pub const COUNT: usize = 4;
}

/// The loss ℓ(x, y) and its derivative ∂ℓ/∂x, lane by lane.
pub trait Pointwise {
    fn eval<L: Lanes>(&self, x: L, y: L) -> (L, L);
}

pub struct Mse;
impl Pointwise for Mse {
    #[inline(always)]
    fn eval<L: Lanes>(&self, x: L, y: L) -> (L, L) {
        let d = x - y;
        (d * d, d * L::splat(2.0))
    }
}

pub struct L1;
impl Pointwise for L1 {
    #[inline(always)]
    fn eval<L: Lanes>(&self, x: L, y: L) -> (L, L) {
        let d = x - y;
        (d.abs(), d.sign())
    }
}

pub struct Huber(pub f32);
impl Pointwise for Huber {
    #[inline(always)]
    fn eval<L: Lanes>(&self, x: L, y: L) -> (L, L) {
        let delta = L::splat(self.0);
        let d = x - y;
        let a = d.abs();
        let quadratic = a.lt(delta);
        // PyTorch's operand order: 0.5 * z * z, delta * (z - 0.5 * delta).
        let loss = L::select(quadratic, L::splat(0.5) * a * a, delta * (a - L::splat(0.5 * self.0)));
        (loss, L::select(quadratic, d, delta * d.sign()))
    }
}

pub struct SmoothL1(pub f32);
impl Pointwise for SmoothL1 {
    #[inline(always)]
    fn eval<L: Lanes>(&self, x: L, y: L) -> (L, L) {
        let beta = L::splat(self.0);
        let d = x - y;
        let a = d.abs();
        // With β = 0 no |d| is below β: the linear branch is exactly L1.
        let quadratic = a.lt(beta);
        let loss = L::select(quadratic, L::splat(0.5) * a * a / beta, a - L::splat(0.5 * self.0));
        (loss, L::select(quadratic, d / beta, d.sign()))
    }
}

pub struct BceWithLogits;
impl Pointwise for BceWithLogits {
    #[inline(always)]
    fn eval<L: Lanes>(&self, x: L, y: L) -> (L, L) {
        let one = L::splat(1.0);
        let e = exp(-x.abs());
        let loss = (x.max(L::zero()) - x * y) + log1p_nonneg(e);
        let sigmoid = L::select(x.ge(L::zero()), one / (one + e), e / (one + e));
        (loss, sigmoid - y)
    }
}

struct PointwisePass<'a, F: Pointwise> {
    f: &'a F,
    x: *const f32,
    y: *const f32,
    grad: *mut f32,
    out: *mut f32,
    grad_scale: f32,
}

impl<F: Pointwise> Elementwise for PointwisePass<'_, F> {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        let (loss, d) = self.f.eval(L::load(self.x.add(i)), L::load(self.y.add(i)));
        if !self.grad.is_null() {
            (d * L::splat(self.grad_scale)).store(self.grad.add(i));
        }
        if !self.out.is_null() {
            loss.store(self.out.add(i));
        }
        loss
    }
}

/// Element-wise losses ([`kind`]): see the module documentation.
pub struct PointwiseLossKernel;

impl PointwiseLossKernel {
    unsafe fn pass<L: Lanes, F: Pointwise>(f: &F, a: &[f32], b: &[Buffer]) -> f64 {
        let k = PointwisePass {
            f,
            x: b[buf::INPUT].ptr,
            y: b[buf::TARGET].ptr,
            grad: b[buf::GRAD].ptr,
            out: b[buf::OUT].ptr,
            grad_scale: a[arg::GRAD_SCALE],
        };
        stream::<L, _>(&k, b[buf::INPUT].len)
    }
}

impl ArrayKernel for PointwiseLossKernel {
    const ARGS: usize = arg::LEN;
    const BUFFERS: usize = buf::COUNT;

    unsafe fn check(a: &[f32], b: &[Buffer]) -> bool {
        let n = b[buf::INPUT].len;
        let kind = a[arg::KIND];
        let param = a[arg::PARAM];
        let param_ok = match kind as u32 {
            kind::HUBER => param > 0.0,
            kind::SMOOTH_L1 => param >= 0.0,
            _ => true,
        };
        kind >= 0.0
            && kind < kind::COUNT as f32
            && kind == (kind as u32) as f32
            && param_ok
            && b[buf::INPUT].present()
            && b[buf::TARGET].present()
            && b[buf::TARGET].len == n
            && (!b[buf::GRAD].present() || b[buf::GRAD].len == n)
            && (!b[buf::OUT].present() || b[buf::OUT].len == n)
    }

    unsafe fn run<L: Lanes>(a: &[f32], b: &[Buffer]) -> f64 {
        let param = a[arg::PARAM];
        match a[arg::KIND] as u32 {
            kind::MSE => Self::pass::<L, _>(&Mse, a, b),
            kind::L1 => Self::pass::<L, _>(&L1, a, b),
            kind::HUBER => Self::pass::<L, _>(&Huber(param), a, b),
            kind::SMOOTH_L1 => Self::pass::<L, _>(&SmoothL1(param), a, b),
            _ => Self::pass::<L, _>(&BceWithLogits, a, b),
        }
    }
}

/// Layout of the f32 argument block of [`CrossEntropyKernel`].
pub mod ce_arg {
    /// C ≥ 1, an integer.
    pub const NUM_CLASSES: usize = 0;
    /// ε ∈ [0, 1].
    pub const LABEL_SMOOTHING: usize = 1;
    /// 1/N for 'mean', 1 for 'sum' and 'none'.
    pub const GRAD_SCALE: usize = 2;
    pub const LEN: usize = 3;
}

/// Pass 1: the row maximum.
struct RowMax(*const f32);
impl Elementwise for RowMax {
    const REDUCE: Reduce = Reduce::Max;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        L::load(self.0.add(i))
    }
}

/// Pass 2: S = Σ e^{x_j − m}, keeping e^{x_j − m} in the gradient row when there is one.
struct SumExp {
    x: *const f32,
    m: f32,
    e: *mut f32,
}
impl Elementwise for SumExp {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        let e = exp(L::load(self.x.add(i)) - L::splat(self.m));
        if !self.e.is_null() {
            e.store(self.e.add(i));
        }
        e
    }
}

/// Pass 3: the gradient e_j/S − ε/C (times the scale) over the kept e_j, and Σ z_j.
struct SoftmaxGrad {
    x: *const f32,
    m: f32,
    g: *mut f32,
    sum: f32,
    smooth: f32,
    scale: f32,
}
impl Elementwise for SoftmaxGrad {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        if !self.g.is_null() {
            let g = self.g.add(i);
            ((L::load(g) / L::splat(self.sum) - L::splat(self.smooth)) * L::splat(self.scale)).store(g);
        }
        L::load(self.x.add(i)) - L::splat(self.m)
    }
}

/// Cross-entropy over logits [N×C] with i32 class indices: see the module documentation.
pub struct CrossEntropyKernel;

impl ArrayKernel for CrossEntropyKernel {
    const ARGS: usize = ce_arg::LEN;
    const BUFFERS: usize = buf::COUNT;

    unsafe fn check(a: &[f32], b: &[Buffer]) -> bool {
        let c = a[ce_arg::NUM_CLASSES];
        let eps = a[ce_arg::LABEL_SMOOTHING];
        if !((1.0..16_777_216.0).contains(&c) && c == (c as u32) as f32 && (0.0..=1.0).contains(&eps)) {
            return false;
        }
        let c = c as usize;
        let (logits, targets) = (b[buf::INPUT], b[buf::TARGET]);
        let rows = targets.len;
        let shapes_ok = logits.present()
            && targets.present()
            && rows.checked_mul(c) == Some(logits.len)
            && (!b[buf::GRAD].present() || b[buf::GRAD].len == logits.len)
            && (!b[buf::OUT].present() || b[buf::OUT].len == rows);
        shapes_ok && core::slice::from_raw_parts(targets.ptr as *const i32, rows).iter().all(|&y| y >= 0 && (y as usize) < c)
    }

    unsafe fn run<L: Lanes>(a: &[f32], b: &[Buffer]) -> f64 {
        let c = a[ce_arg::NUM_CLASSES] as usize;
        let eps = a[ce_arg::LABEL_SMOOTHING];
        let scale = a[ce_arg::GRAD_SCALE];
        let smooth = eps / c as f32;
        let one_minus_eps = 1.0 - eps;
        let targets = core::slice::from_raw_parts(b[buf::TARGET].ptr as *const i32, b[buf::TARGET].len);
        let (grad, out) = (b[buf::GRAD].ptr, b[buf::OUT].ptr);
        let mut total = 0f64;
        for (r, &y) in targets.iter().enumerate() {
            let y = y as usize;
            let x = b[buf::INPUT].ptr.add(r * c);
            let g = if grad.is_null() { grad } else { grad.add(r * c) };
            let m = stream::<L, _>(&RowMax(x), c) as f32;
            let sum = stream::<L, _>(&SumExp { x, m, e: g }, c) as f32;
            let z_y = *x.add(y) - m;
            let mut loss = log(Scalar(sum)).0 - one_minus_eps * z_y;
            if eps > 0.0 || !g.is_null() {
                let sum_z = stream::<L, _>(&SoftmaxGrad { x, m, g, sum, smooth, scale }, c) as f32;
                if eps > 0.0 {
                    loss -= smooth * sum_z;
                }
            }
            if !g.is_null() {
                // The target's entry subtracts 1 − ε more; e_y is recomputed with the same exp.
                let e_y = exp(Scalar(z_y)).0;
                *g.add(y) = (e_y / sum - (smooth + one_minus_eps)) * scale;
            }
            if !out.is_null() {
                *out.add(r) = loss;
            }
            total += loss as f64;
        }
        total
    }
}
