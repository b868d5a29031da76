// Generated from the option schemas (src/optim/registry.ts) by packages/simdopt/test/support/options-types.ts.
// Do not edit: change the schema, then
//   UPDATE_OPTION_TYPES=1 npx vitest run --project node packages/simdopt/test/options-types.test.ts
import type { BaseOptions } from './optimizer.js';

/** Options of {@link SGD} (follows `torch.optim.SGD`). */
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

/** Options of {@link Adam} (follows `torch.optim.Adam`). */
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

/** Options of {@link AdamW} (follows `torch.optim.AdamW`). */
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

/** Options of {@link RMSprop} (follows `torch.optim.RMSprop`). */
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

/** Options of {@link Adagrad} (follows `torch.optim.Adagrad`). */
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

/** Options of {@link Adadelta} (follows `torch.optim.Adadelta`). */
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

/** Options of {@link Adamax} (follows `torch.optim.Adamax`). */
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

/** Options of {@link NAdam} (follows `torch.optim.NAdam`). */
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

/** Options of {@link RAdam} (follows `torch.optim.RAdam`). */
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

/** Options of {@link Lion} (follows `Lion (Chen et al. 2023, arXiv 2302.06675; lucidrains/lion-pytorch)`). */
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

/** Options of {@link ASGD} (follows `torch.optim.ASGD`). */
export interface ASGDOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.01
   */
  lr: number;
  /**
   * λ, the decay term of η.
   * @default 0.0001
   */
  lambd: number;
  /**
   * α, the power of the η schedule.
   * @default 0.75
   */
  alpha: number;
  /**
   * The step after which averaging starts (μ < 1).
   * @default 1000000
   */
  t0: number;
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

/** Options of {@link Rprop} (follows `torch.optim.Rprop`). */
export interface RpropOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.01
   */
  lr: number;
  /**
   * [η−, η+], the factors of the step size after a sign flip and after agreeing signs (0 < η− < 1 < η+).
   * @default [0.5, 1.2]
   */
  etas: [number, number];
  /**
   * [minimum, maximum] step size. PyTorch: `step_sizes`.
   * @default [0.000001, 50]
   */
  stepSizes: [number, number];
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link LBFGS} (follows `torch.optim.LBFGS`). */
export interface LBFGSOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 1
   */
  lr: number;
  /**
   * Iterations per `step` call (an integer >= 1). PyTorch: `max_iter`.
   * @default 20
   */
  maxIter: number;
  /**
   * Closure evaluations per `step` call (an integer >= 1); null: ⌊maxIter·5/4⌋, which the constructor writes, as PyTorch. PyTorch: `max_eval`.
   * @default null
   */
  maxEval: number | null;
  /**
   * Stop when max|g| falls to this. PyTorch: `tolerance_grad`.
   * @default 1e-7
   */
  toleranceGrad: number;
  /**
   * Stop when the step, the loss change or the directional derivative falls below this. PyTorch: `tolerance_change`.
   * @default 1e-9
   */
  toleranceChange: number;
  /**
   * Curvature pairs kept (an integer >= 1). PyTorch: `history_size`.
   * @default 100
   */
  historySize: number;
  /**
   * null: fixed steps of lr; 'strong_wolfe': the strong-Wolfe line search. PyTorch: `line_search_fn`.
   * @default null
   */
  lineSearchFn: null | 'strong_wolfe';
}

/** Options of {@link ADOPT} (follows `adopt.ADOPT (iShohei220/adopt)`). */
export interface ADOPTOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.001
   */
  lr: number;
  /**
   * Coefficients of the running averages of the gradient and its square.
   * @default [0.9, 0.9999]
   */
  betas: [number, number];
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
   * Weight decay on the parameter (`p ← p − lr·wd·p`) instead of the gradient.
   * @default false
   */
  decouple: boolean;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link LAMB} (follows `optax.lamb`). */
export interface LAMBOptions extends BaseOptions {
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
   * @default 0.000001
   */
  eps: number;
  /**
   * Added to ν̂ inside the square root. PyTorch: `eps_root`.
   * @default 0
   */
  epsRoot: number;
  /**
   * Added to the update (`u + wd·p`) before the trust ratio. PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Maximize the objective instead of minimizing it.
   * @default false
   */
  maximize: boolean;
}

/** Options of {@link ScheduleFreeAdamW} (follows `schedulefree.AdamWScheduleFree (facebookresearch/schedule_free)`). */
export interface ScheduleFreeAdamWOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 0.0025
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
   * Weight decay, added to the direction at the interpolated point y. PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Steps of linear lr warm-up (0: none). PyTorch: `warmup_steps`.
   * @default 0
   */
  warmupSteps: number;
  /**
   * The averaging weight grows as (k+1)^r.
   * @default 0
   */
  r: number;
  /**
   * The averaging weight grows as lrMax^weightLrPower. PyTorch: `weight_lr_power`.
   * @default 2
   */
  weightLrPower: number;
}

/** Options of {@link ScheduleFreeSGD} (follows `schedulefree.SGDScheduleFree (facebookresearch/schedule_free)`). */
export interface ScheduleFreeSGDOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 1
   */
  lr: number;
  /**
   * The interpolation β between z and the average.
   * @default 0.9
   */
  momentum: number;
  /**
   * Weight decay, added to the direction at the interpolated point y. PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Steps of linear lr warm-up (0: none). PyTorch: `warmup_steps`.
   * @default 0
   */
  warmupSteps: number;
  /**
   * The averaging weight grows as (k+1)^r.
   * @default 0
   */
  r: number;
  /**
   * The averaging weight grows as lrMax^weightLrPower. PyTorch: `weight_lr_power`.
   * @default 2
   */
  weightLrPower: number;
}

/** Options of {@link Prodigy} (follows `prodigyopt.Prodigy`). */
export interface ProdigyOptions extends BaseOptions {
  /**
   * Learning rate.
   * @default 1
   */
  lr: number;
  /**
   * Coefficients of the running averages of the gradient and its square.
   * @default [0.9, 0.999]
   */
  betas: [number, number];
  /**
   * Coefficient of the running averages of d_numerator and s; null: √β2.
   * @default null
   */
  beta3: number | null;
  /**
   * Added to the denominator (times d) for numerical stability.
   * @default 1e-8
   */
  eps: number;
  /**
   * Weight decay (L2 penalty). PyTorch: `weight_decay`.
   * @default 0
   */
  weightDecay: number;
  /**
   * Decay `p·(1 − wd·d·lr)` as AdamW instead of adding `wd·p` to the gradient.
   * @default true
   */
  decouple: boolean;
  /**
   * Scale the step by Adam's bias correction √(1 − β2^(k+1)) / (1 − β1^(k+1)). PyTorch: `use_bias_correction`.
   * @default false
   */
  useBiasCorrection: boolean;
  /**
   * Leave lr out of the s update (and so of the d estimate) during warm-up. PyTorch: `safeguard_warmup`.
   * @default false
   */
  safeguardWarmup: boolean;
  /**
   * Initial estimate of d.
   * @default 0.000001
   */
  d0: number;
  /**
   * Coefficient of the estimate of d. PyTorch: `d_coef`.
   * @default 1
   */
  dCoef: number;
  /**
   * Bound on the growth of d per step (d ≤ growthRate·d_previous). PyTorch: `growth_rate`.
   * @default Infinity
   */
  growthRate: number;
}

/** Options of {@link Adafactor} (follows `torch.optim.Adafactor`). */
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
   * [eps1, eps2], where eps1 (null: float32 epsilon) floors the variance and eps2 the parameter RMS.
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

/** Options of {@link Muon} (follows `torch.optim.Muon`). */
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
