//! Host-side callers of the training-kit kernels over Vecs, with a chosen lane type: the test twin
//! of what `clip.ts`, `penalty.ts`, `dropout.ts` and `loss.ts` do around each kernel call.
#![allow(dead_code)]

use simdopt_core::clip::{clamp_arg, clip_coef, scale_arg, ClampKernel, ScaleKernel};
use simdopt_core::dropout::{self, DropoutKernel, THRESHOLD_ALL};
use simdopt_core::lanes::Lanes;
use simdopt_core::loss::{self, ce_arg, CrossEntropyKernel, PointwiseLossKernel};
use simdopt_core::penalty::{self, L1PenaltyKernel, L2PenaltyKernel};
use simdopt_core::reduce::{GradNormKernel, Norm};
use simdopt_core::rng::Key;
use simdopt_core::stream::{run_array_kernel, run_tensor_kernel, Buffer};

/// Runs a tensor kernel over gradients only (values are zeros).
fn on_grads<L: Lanes, K: simdopt_core::stream::TensorKernel>(args: &[f32], grads: &mut [Vec<f32>]) -> f64 {
    let mut data: Vec<Vec<f32>> = grads.iter().map(|g| vec![0.0; g.len()]).collect();
    let mut pairs: Vec<(&mut [f32], &mut [f32])> =
        data.iter_mut().zip(grads.iter_mut()).map(|(d, g)| (d.as_mut_slice(), g.as_mut_slice())).collect();
    run_tensor_kernel::<L, K>(args, &mut pairs)
}

/// Σ|g|^p over every gradient (max |g| for p = ∞).
pub fn grad_norm_sum<L: Lanes>(grads: &[Vec<f32>], p: f32) -> f64 {
    on_grads::<L, GradNormKernel>(&[p], &mut grads.to_vec())
}

/// The total norm from the kernel's sum, as clip.ts takes the root.
pub fn total_norm(sum: f64, p: f32) -> f64 {
    match Norm::from_p(p) {
        Norm::One | Norm::Inf => sum,
        Norm::Two => sum.sqrt(),
        Norm::P(p) => sum.powf(1.0 / p as f64),
    }
}

/// clip_grad_norm_: returns the total norm (f32, as clip.ts returns it) and scales the gradients.
pub fn clip_grad_norm<L: Lanes>(grads: &mut [Vec<f32>], max_norm: f32, p: f32) -> f32 {
    let total = total_norm(grad_norm_sum::<L>(grads, p), p) as f32;
    let mut args = [0f32; scale_arg::LEN];
    args[scale_arg::COEF] = clip_coef(total, max_norm);
    on_grads::<L, ScaleKernel>(&args, grads);
    total
}

/// clip_grad_value_.
pub fn clip_grad_value<L: Lanes>(grads: &mut [Vec<f32>], clip: f32) {
    let mut args = [0f32; clamp_arg::LEN];
    args[clamp_arg::CLIP_VALUE] = clip;
    on_grads::<L, ClampKernel>(&args, grads);
}

/// Σ|w| (L1) or Σw² (L2) of one parameter, adding λ·sign(w) or λ·w to its gradient when asked.
pub fn penalty<L: Lanes>(l2: bool, lambda: f32, add_to_grad: bool, w: &mut [f32], g: &mut [f32]) -> f64 {
    let mut args = [0f32; penalty::arg::LEN];
    args[penalty::arg::LAMBDA] = lambda;
    args[penalty::arg::ADD_TO_GRAD] = add_to_grad as u32 as f32;
    let mut pairs = [(w, g)];
    if l2 {
        run_tensor_kernel::<L, L2PenaltyKernel>(&args, &mut pairs)
    } else {
        run_tensor_kernel::<L, L1PenaltyKernel>(&args, &mut pairs)
    }
}

/// Dropout's threshold and scale for probability p, as dropout.ts computes them.
pub fn dropout_params(p: f64) -> (u32, f32) {
    let t = (p * THRESHOLD_ALL as f64).round() as u32;
    (t, 1.0 / (1.0 - p) as f32)
}

/// out = x·mask for stream `stream` of `seed`.
pub fn dropout<L: Lanes>(seed: u64, stream: u32, p: f64, x: &[f32]) -> Vec<f32> {
    let (t, s) = dropout_params(p);
    let mut args = [0f32; dropout::arg::LEN];
    dropout::write_args(&mut args, Key::derive(seed, stream), t, s);
    let mut out = vec![f32::NAN; x.len()];
    run_array_kernel::<L, DropoutKernel>(&args, &[Buffer::of(x), Buffer::of_mut(Some(&mut out))]).expect("dropout arguments");
    out
}

/// What a loss kernel produced.
#[derive(Debug, Clone)]
pub struct LossRun {
    pub sum: f64,
    pub grad: Vec<f32>,
    pub out: Vec<f32>,
}

/// An element-wise loss of `kind` with `param` (δ or β) and gradient factor `scale`.
pub fn pointwise<L: Lanes>(kind: u32, param: f32, scale: f32, x: &[f32], y: &[f32]) -> LossRun {
    let mut args = [0f32; loss::arg::LEN];
    args[loss::arg::KIND] = kind as f32;
    args[loss::arg::PARAM] = param;
    args[loss::arg::GRAD_SCALE] = scale;
    let mut grad = vec![f32::NAN; x.len()];
    let mut out = vec![f32::NAN; x.len()];
    let bufs = [Buffer::of(x), Buffer::of(y), Buffer::of_mut(Some(&mut grad)), Buffer::of_mut(Some(&mut out))];
    let sum = run_array_kernel::<L, PointwiseLossKernel>(&args, &bufs).expect("loss arguments");
    LossRun { sum, grad, out }
}

/// The same loss without gradient and per-element outputs: only the sum.
pub fn pointwise_sum<L: Lanes>(kind: u32, param: f32, x: &[f32], y: &[f32]) -> f64 {
    let args = [kind as f32, param, 1.0];
    let bufs = [Buffer::of(x), Buffer::of(y), Buffer::ABSENT, Buffer::ABSENT];
    run_array_kernel::<L, PointwiseLossKernel>(&args, &bufs).expect("loss arguments")
}

/// Cross-entropy of `logits` [targets.len() × c]; `None` when the kernel's check refuses.
pub fn cross_entropy<L: Lanes>(c: usize, eps: f32, scale: f32, logits: &[f32], targets: &[i32]) -> Option<LossRun> {
    let mut args = [0f32; ce_arg::LEN];
    args[ce_arg::NUM_CLASSES] = c as f32;
    args[ce_arg::LABEL_SMOOTHING] = eps;
    args[ce_arg::GRAD_SCALE] = scale;
    let mut grad = vec![f32::NAN; logits.len()];
    let mut out = vec![f32::NAN; targets.len()];
    let t = Buffer { ptr: targets.as_ptr() as *mut f32, len: targets.len() };
    let bufs = [Buffer::of(logits), t, Buffer::of_mut(Some(&mut grad)), Buffer::of_mut(Some(&mut out))];
    run_array_kernel::<L, CrossEntropyKernel>(&args, &bufs).map(|sum| LossRun { sum, grad, out })
}

/// Bitwise equality that treats every NaN as equal to every NaN.
pub fn same(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

/// f64 equality that treats NaN as equal to NaN.
pub fn same64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}
