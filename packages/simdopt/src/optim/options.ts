// Generated from the option schemas (src/optim/registry.ts) by packages/simdopt/test/support/options-types.ts.
// Do not edit: change the schema, then
//   UPDATE_OPTION_TYPES=1 npx vitest run --project node packages/simdopt/test/options-types.test.ts
import type { BaseOptions } from './optimizer.js';

/** Options of {@link SGD} (PyTorch: `torch.optim.SGD`). */
export interface SGDOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.001
   */
  lr: number;
  /**
   * Momentum factor μ (0: no momentum buffer).
   * @default 0
   */
  momentum: number;
  /**
   * Dampening of the momentum buffer update.
   * @default 0
   */
  dampening: number;
  /**
   * Weight decay (L2 penalty). PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Nesterov momentum (needs momentum > 0 and dampening 0).
   * @default false
   */
  nesterov: boolean;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link Adam} (PyTorch: `torch.optim.Adam`). */
export interface AdamOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.001
   */
  lr: number;
  /**
   * Coefficients of the running averages of the gradient and its square.
   * @default [0.9, 0.999]
   */
  betas: [number, number];
  /**
   * Added to the denominator for numerical stability.
   * @default 1e-8
   */
  eps: number;
  /**
   * Weight decay (L2 penalty). PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Use the maximum of past second moments (AMSGrad).
   * @default false
   */
  amsgrad: boolean;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
  /**
   * True makes Adam identical to AdamW. PyTorch: `decoupled_weight_decay`.
   * @default false
   */
  decoupledWeightDecay: boolean;
}

/** Options of {@link AdamW} (PyTorch: `torch.optim.AdamW`). */
export interface AdamWOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.001
   */
  lr: number;
  /**
   * Coefficients of the running averages of the gradient and its square.
   * @default [0.9, 0.999]
   */
  betas: [number, number];
  /**
   * Added to the denominator for numerical stability.
   * @default 1e-8
   */
  eps: number;
  /**
   * Weight decay (L2 penalty). PyTorch: `weight_decay`.
   * @default 0.01
   */
  weightDecay: number;
  /**
   * Use the maximum of past second moments (AMSGrad).
   * @default false
   */
  amsgrad: boolean;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
  /**
   * True makes Adam identical to AdamW. PyTorch: `decoupled_weight_decay`.
   * @default true
   */
  decoupledWeightDecay: boolean;
}

/** Options of {@link RMSprop} (PyTorch: `torch.optim.RMSprop`). */
export interface RMSpropOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.01
   */
  lr: number;
  /**
   * Smoothing constant of the squared-gradient average.
   * @default 0.99
   */
  alpha: number;
  /**
   * Added to the denominator for numerical stability.
   * @default 1e-8
   */
  eps: number;
  /**
   * Weight decay (L2 penalty). PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Momentum factor (0: no momentum buffer).
   * @default 0
   */
  momentum: number;
  /**
   * Normalise by an estimate of the gradient's variance instead of its second moment.
   * @default false
   */
  centered: boolean;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link Adagrad} (PyTorch: `torch.optim.Adagrad`). */
export interface AdagradOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.01
   */
  lr: number;
  /**
   * Learning-rate decay: step t uses lr / (1 + (t − 1)·lrDecay). PyTorch: `lr_decay`.
   * @default 0
   */
  lrDecay: number;
  /**
   * Weight decay (L2 penalty). PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Starting value of the accumulator `sum` (read from the constructor's options only). PyTorch: `initial_accumulator_value`.
   * @default 0
   */
  initialAccumulatorValue: number;
  /**
   * Added to the denominator for numerical stability.
   * @default 1e-10
   */
  eps: number;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link Adadelta} (PyTorch: `torch.optim.Adadelta`). */
export interface AdadeltaOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 1
   */
  lr: number;
  /**
   * Decay of both running averages, in [0, 1].
   * @default 0.9
   */
  rho: number;
  /**
   * Added to the denominator for numerical stability.
   * @default 0.000001
   */
  eps: number;
  /**
   * Weight decay (L2 penalty). PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link Adamax} (PyTorch: `torch.optim.Adamax`). */
export interface AdamaxOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.002
   */
  lr: number;
  /**
   * Coefficients of the running averages of the gradient and its square.
   * @default [0.9, 0.999]
   */
  betas: [number, number];
  /**
   * Added to the denominator for numerical stability.
   * @default 1e-8
   */
  eps: number;
  /**
   * Weight decay (L2 penalty). PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link NAdam} (PyTorch: `torch.optim.NAdam`). */
export interface NAdamOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.002
   */
  lr: number;
  /**
   * Coefficients of the running averages of the gradient and its square.
   * @default [0.9, 0.999]
   */
  betas: [number, number];
  /**
   * Added to the denominator for numerical stability.
   * @default 1e-8
   */
  eps: number;
  /**
   * Weight decay (L2 penalty). PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * ψ of the momentum schedule μ_t = β1·(1 − ½·0.96^(t·ψ)). PyTorch: `momentum_decay`.
   * @default 0.004
   */
  momentumDecay: number;
  /**
   * Decay `p·(1 − lr·wd)` as AdamW instead of adding `wd·p` to the gradient. PyTorch: `decoupled_weight_decay`.
   * @default false
   */
  decoupledWeightDecay: boolean;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link RAdam} (PyTorch: `torch.optim.RAdam`). */
export interface RAdamOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.001
   */
  lr: number;
  /**
   * Coefficients of the running averages of the gradient and its square.
   * @default [0.9, 0.999]
   */
  betas: [number, number];
  /**
   * Added to the denominator for numerical stability.
   * @default 1e-8
   */
  eps: number;
  /**
   * Weight decay (L2 penalty). PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Decay `p·(1 − lr·wd)` as AdamW instead of adding `wd·p` to the gradient. PyTorch: `decoupled_weight_decay`.
   * @default false
   */
  decoupledWeightDecay: boolean;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link Lion} (PyTorch: `torch.optim.Lion`). */
export interface LionOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.0001
   */
  lr: number;
  /**
   * β1 interpolates the update direction, β2 the momentum that is kept.
   * @default [0.9, 0.99]
   */
  betas: [number, number];
  /**
   * Weight decay (L2 penalty). PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link Adafactor} (PyTorch: `torch.optim.Adafactor`). */
export interface AdafactorOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.01
   */
  lr: number;
  /**
   * τ <= 0: the second-moment weight of step t is t^τ (β̂2_t = 1 − t^τ). PyTorch: `beta2_decay`.
   * @default -0.8
   */
  beta2Decay: number;
  /**
   * [eps1, eps2]: eps1 (null: float32 epsilon) floors the variance, eps2 the parameter RMS.
   * @default [null, 0.001]
   */
  eps: [number | null, number];
  /**
   * Clipping threshold of the update RMS (>= 1).
   * @default 1
   */
  d: number;
  /**
   * Decoupled weight decay: p ← (1 − lr·weightDecay)·p (with lr, not ρ). PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link Muon} (PyTorch: `torch.optim.Muon`). */
export interface MuonOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.001
   */
  lr: number;
  /**
   * Decoupled weight decay: p ← (1 − lr·weightDecay)·p before the update (with the unadjusted lr). PyTorch: `weight_decay`.
   * @default 0.1
   */
  weightDecay: number;
  /**
   * Momentum factor of the gradient buffer.
   * @default 0.95
   */
  momentum: number;
  /**
   * Nesterov momentum: orthogonalise lerp(g, B, momentum) instead of B.
   * @default true
   */
  nesterov: boolean;
  /**
   * [a, b, c] of the quintic Newton–Schulz step X ← a·X + (b·A + c·A²)·X. PyTorch: `ns_coefficients`.
   * @default [3.4445, -4.775, 2.0315]
   */
  nsCoefficients: [number, number, number];
  /**
   * Floor of the Frobenius norm of the update before normalising.
   * @default 1e-7
   */
  eps: number;
  /**
   * Newton–Schulz iterations, an integer in [0, 100). PyTorch: `ns_steps`.
   * @default 5
   */
  nsSteps: number;
  /**
   * How lr scales with the shape: null or 'original' (Keller Jordan's), 'match_rms_adamw' (Moonshot's). PyTorch: `adjust_lr_fn`.
   * @default null
   */
  adjustLrFn: null | 'original' | 'match_rms_adamw';
}
