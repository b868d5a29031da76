//! Muon (Jordan et al. 2024, kellerjordan.github.io/posts/muon; Liu et al. 2025, arXiv
//! 2502.16982) as `torch.optim.Muon` (PyTorch 2.9, `_single_tensor_muon`) computes it, for one
//! R×C parameter per call, with the Newton–Schulz iteration in float32 on [`crate::nn::gemm`].
//!
//! ```text
//! B ← lerp(B, g, 1 − μ);  U = nesterov ? lerp(g, B, μ) : B
//! X = U (Uᵀ when R > C, so X is m×n with m ≤ n);  X ← X / max(‖X‖_F, eps)
//! k times:  A = X·Xᵀ;  A ← b·A + c·(A·A);  X ← a·X + A·X
//! p ← (1 − lr·λ)·p;  p ← p + (−lr′)·O   with O = X (Xᵀ when R > C), lr′ = lr·adjust(R, C)
//! ```
//! PyTorch runs the iteration in bfloat16 (`grad.bfloat16()`, 8-bit mantissa, products
//! accumulated in f32 by the GEMM, each result rounded to bfloat16); this kernel keeps every
//! value in float32. Both compute the same polynomial; the float32 result is the more accurate
//! one and differs from PyTorch's by accumulated bfloat16 rounding (simulated: ~2.5 % per element), not by the
//! algorithm. Matrix products go through [`crate::nn::linear`], whose sums run from zero in order
//! of the inner index in every build, and ‖X‖² is summed in the blocked order of
//! [`crate::stream`], so every build agrees bit for bit.
//!
//! Buffers: `[param, grad, momentum_buffer, workspace]`; the workspace holds
//! [`workspace_len`]`(R, C)` f32: X and Y (m·n each), A and A² (m·m each), GEMM packing (8·n).
//!
//! Spec: docs/SEMANTICS.md#muon

use crate::lanes::{Lanes, Scalar};
use crate::math::sqrt64;
use crate::nn::gemm::Serial;
use crate::nn::linear;
use crate::optim::lerp;
use crate::stream::{stream, ArrayKernel, Buffer, Elementwise, Reduce};
use crate::sweep::flag;

/// Layout of the f32 argument block.
pub mod arg {
    /// Bit [`NESTEROV`].
    pub const FLAGS: usize = 0;
    pub const ROWS: usize = 1;
    pub const COLS: usize = 2;
    /// 1 − μ, computed in f64 (Python) and rounded once.
    pub const ONE_MINUS_MOMENTUM: usize = 3;
    pub const MOMENTUM: usize = 4;
    /// Newton–Schulz coefficients a, b, c.
    pub const NS_A: usize = 5;
    pub const NS_B: usize = 6;
    pub const NS_C: usize = 7;
    pub const EPS: usize = 8;
    pub const NS_STEPS: usize = 9;
    /// 1 − lr·λ.
    pub const DECAY: usize = 10;
    /// −lr′, the adjusted learning rate negated.
    pub const NEG_LR: usize = 11;
    pub const LEN: usize = 12;

    pub const NESTEROV: u32 = 0;
}

/// f32 of workspace for an R×C parameter: 2·m·n + 2·m² + the GEMM packing for k ≤ n.
pub fn workspace_len(rows: usize, cols: usize) -> usize {
    let (m, n) = (rows.min(cols), rows.max(cols));
    2 * m * n + 2 * m * m + linear::workspace(m, n, m)
}

/// The momentum pass: updates the buffer, writes U in parameter order, returns U².
struct Momentum {
    g: *const f32,
    buf: *mut f32,
    out: *mut f32,
    one_minus_momentum: f32,
    momentum: Option<f32>,
}
impl Elementwise for Momentum {
    const REDUCE: Reduce = Reduce::Sum;
    #[inline(always)]
    unsafe fn at<L: Lanes>(&self, i: usize) -> L {
        let g = L::load(self.g.add(i));
        let b = lerp(L::load(self.buf.add(i)), g, self.one_minus_momentum);
        b.store(self.buf.add(i));
        let u = match self.momentum {
            Some(mu) => lerp(g, b, mu),
            None => b,
        };
        u.store(self.out.add(i));
        u * u
    }
}

/// `out[i] = f(x[i], y[i])` over `n` elements, whole vectors then a scalar tail.
#[inline(always)]
unsafe fn zip_map<L: Lanes>(
    n: usize,
    x: *const f32,
    y: *const f32,
    out: *mut f32,
    f: impl Fn(L, L) -> L,
    fs: impl Fn(Scalar, Scalar) -> Scalar,
) {
    let body = n - n % L::WIDTH;
    let mut i = 0;
    while i < body {
        f(L::load(x.add(i)), L::load(y.add(i))).store(out.add(i));
        i += L::WIDTH;
    }
    while i < n {
        *out.add(i) = fs(Scalar(*x.add(i)), Scalar(*y.add(i))).0;
        i += 1;
    }
}

/// The exported kernel: one 2-D parameter per call.
pub struct MuonKernel;

fn dim(a: &[f32], at: usize) -> Option<usize> {
    let x = a[at];
    (x >= 0.0 && x <= 16_777_216.0 && x == (x as u32) as f32).then_some(x as usize)
}

impl ArrayKernel for MuonKernel {
    const ARGS: usize = arg::LEN;
    const BUFFERS: usize = 4;

    unsafe fn check(a: &[f32], b: &[Buffer]) -> bool {
        let (Some(rows), Some(cols), Some(steps)) = (dim(a, arg::ROWS), dim(a, arg::COLS), dim(a, arg::NS_STEPS)) else {
            return false;
        };
        let Some(n) = rows.checked_mul(cols) else { return false };
        steps < 100
            && b.iter().all(|x| x.present())
            && b[0].len == n
            && b[1].len == n
            && b[2].len == n
            && rows.checked_mul(cols).and_then(|mn| mn.checked_mul(4)).is_some()
            && b[3].len >= workspace_len(rows, cols)
    }

    unsafe fn run<L: Lanes>(a: &[f32], b: &[Buffer]) -> f64 {
        let (rows, cols) = (a[arg::ROWS] as usize, a[arg::COLS] as usize);
        let (m, n) = (rows.min(cols), rows.max(cols));
        if m == 0 {
            return 0.0;
        }
        let tall = rows > cols;
        let (p, g, buf, work) = (b[0].ptr, b[1].ptr as *const f32, b[2].ptr, b[3].ptr);
        let x = work;
        let y = x.add(m * n);
        let gram = y.add(m * n);
        let gram2 = gram.add(m * m);
        let pack = gram2.add(m * m);
        let momentum = Momentum {
            g,
            buf,
            out: y,
            one_minus_momentum: a[arg::ONE_MINUS_MOMENTUM],
            momentum: flag(a, arg::FLAGS, arg::NESTEROV).then(|| a[arg::MOMENTUM]),
        };
        let sum = stream::<L, _>(&momentum, m * n);
        // ortho_grad.div_(ortho_grad.norm().clamp(min=eps)): the f32 norm, NaN-propagating clamp.
        let norm = Scalar(sqrt64(sum) as f32).max(Scalar(a[arg::EPS]));
        if tall {
            for i in 0..rows {
                for j in 0..cols {
                    *x.add(j * rows + i) = (Scalar(*y.add(i * cols + j)) / norm).0;
                }
            }
        } else {
            zip_map::<L>(m * n, y, y, x, |u, _| u / L::splat(norm.0), |u, _| u / norm);
        }
        let (ca, cb, cc) = (a[arg::NS_A], a[arg::NS_B], a[arg::NS_C]);
        for _ in 0..a[arg::NS_STEPS] as usize {
            // A = X·Xᵀ;  A² = A·Aᵀ (A is exactly symmetric: both halves sum the same products in
            // the same order);  A ← b·A + c·A²;  Y = A·X;  X ← a·X + Y.
            linear::forward::<L, _>(&Serial, x, x, None, gram, m, n, m, pack);
            linear::forward::<L, _>(&Serial, gram, gram, None, gram2, m, m, m, pack);
            zip_map::<L>(
                m * m,
                gram,
                gram2,
                gram,
                |s, t| L::splat(cb) * s + L::splat(cc) * t,
                |s, t| Scalar(cb) * s + Scalar(cc) * t,
            );
            linear::input_grad::<L, _>(&Serial, gram, x, y, m, n, m, pack);
            zip_map::<L>(m * n, x, y, x, |s, t| L::splat(ca) * s + t, |s, t| Scalar(ca) * s + t);
        }
        // param.mul_(1 - lr·λ); param.add_(O, alpha=−lr′)
        let (decay, neg_lr) = (a[arg::DECAY], a[arg::NEG_LR]);
        if tall {
            for i in 0..rows {
                for j in 0..cols {
                    let at = p.add(i * cols + j);
                    *at = (Scalar(*at) * Scalar(decay) + Scalar(*x.add(j * rows + i)) * Scalar(neg_lr)).0;
                }
            }
        } else {
            zip_map::<L>(
                m * n,
                p,
                x,
                p,
                |q, o| q * L::splat(decay) + o * L::splat(neg_lr),
                |q, o| q * Scalar(decay) + o * Scalar(neg_lr),
            );
        }
        0.0
    }
}
