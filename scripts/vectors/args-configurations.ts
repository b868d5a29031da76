/**
 * The option sets the Rust lane tests step (crates/simdopt-core/tests/lanes_equivalence.rs and
 * beyond_pytorch_lanes.rs): every flag combination of every kernel, in PyTorch's (or the
 * reference's) argument names, as the vector files write them. scripts/vectors/args.ts records
 * each one's argument blocks into test/vectors/args/lanes.json; a registered optimizer with no
 * set here is stepped with its registry `example` (so a new one is covered from its first day).
 */

/** One option set of one optimizer class (the registry's `name`). */
export interface LaneConfiguration {
  readonly className: string;
  /** Options in PyTorch's names (`weight_decay`), mapped to simdopt's through the schema. */
  readonly hyper: Readonly<Record<string, unknown>>;
}

const BOOLS = [false, true] as const;
/** Weight decay: none, coupled, decoupled (the flag is ignored where there is no such mode). */
const DECAYS = [[0, false], [0.1, false], [0.1, true]] as const;

function torchOptim(): LaneConfiguration[] {
  const out: LaneConfiguration[] = [];
  const add = (className: string, hyper: Record<string, unknown>): void => void out.push({ className, hyper });
  add('SGD', { lr: 0.05, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false });
  add('SGD', { lr: 0.05, momentum: 0.9, dampening: 0.3, weight_decay: 0.1, nesterov: false, maximize: true });
  add('SGD', { lr: 0.05, momentum: 0.9, dampening: 0, weight_decay: 0.01, nesterov: true, maximize: false });
  add('Adam', { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false });
  add('Adam', { lr: 0.01, betas: [0.8, 0.99], eps: 1e-3, weight_decay: 0.1, amsgrad: true, maximize: true });
  add('Adam', { lr: 0.01, betas: [0.3, 0.9], eps: 1e-8, weight_decay: 0.1, amsgrad: false, maximize: false, decoupled_weight_decay: true });
  for (const maximize of BOOLS) {
    for (const wd of [0, 0.1]) {
      for (const momentum of [0, 0.9]) {
        for (const centered of BOOLS) add('RMSprop', { lr: 0.01, alpha: 0.9, eps: 1e-8, weight_decay: wd, momentum, centered, maximize });
      }
      add('Adagrad', { lr: 0.1, lr_decay: 0.05, weight_decay: wd, initial_accumulator_value: 0.25, eps: 1e-10, maximize });
      add('Adadelta', { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: wd, maximize });
      add('Adamax', { lr: 0.02, betas: [0.9, 0.999], eps: 1e-8, weight_decay: wd, maximize });
      add('Lion', { lr: 0.01, betas: [0.9, 0.99], weight_decay: wd, maximize });
    }
    for (const [wd, decoupled] of DECAYS) {
      add('NAdam', { lr: 0.02, betas: [0.9, 0.999], eps: 1e-8, weight_decay: wd, momentum_decay: 0.004, decoupled_weight_decay: decoupled, maximize });
      // β2 = 0.9 rectifies from step 6 on: the torch.optim steps cover both branches.
      add('RAdam', { lr: 0.02, betas: [0.8, 0.9], eps: 1e-8, weight_decay: wd, decoupled_weight_decay: decoupled, maximize });
    }
  }
  return out;
}

function beyondPytorch(): LaneConfiguration[] {
  return [
    { className: 'ADOPT', hyper: { lr: 0.01, betas: [0.9, 0.9999], eps: 1e-6, clip_lambda: 'step**0.25', weight_decay: 0, decouple: false, maximize: false } },
    { className: 'ADOPT', hyper: { lr: 0.01, betas: [0.5, 0.9], eps: 1e-3, clip_lambda: null, weight_decay: 0.1, decouple: false, maximize: true } },
    { className: 'ADOPT', hyper: { lr: 0.01, betas: [0.9, 0.99], eps: 1e-6, clip_lambda: 'step**0.25/4', weight_decay: 0.1, decouple: true, maximize: false } },
    { className: 'LAMB', hyper: { learning_rate: 0.01, b1: 0.9, b2: 0.999, eps: 1e-6, eps_root: 0, weight_decay: 0, maximize: false } },
    { className: 'LAMB', hyper: { learning_rate: 0.01, b1: 0.5, b2: 0.9, eps: 0, eps_root: 1e-4, weight_decay: 0.1, maximize: true } },
    { className: 'ScheduleFreeAdamW', hyper: { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, warmup_steps: 0, r: 0, weight_lr_power: 2 } },
    { className: 'ScheduleFreeAdamW', hyper: { lr: 0.01, betas: [0.5, 0.9], eps: 1e-3, weight_decay: 0.1, warmup_steps: 3, r: 1, weight_lr_power: 1 } },
    { className: 'ScheduleFreeSGD', hyper: { lr: 0.1, momentum: 0.9, weight_decay: 0, warmup_steps: 0, r: 0, weight_lr_power: 2 } },
    { className: 'ScheduleFreeSGD', hyper: { lr: 0.1, momentum: 0.5, weight_decay: 0.1, warmup_steps: 3, r: 2, weight_lr_power: 0.5 } },
  ];
}

/** Every hand-written option set (the registry's examples are added by args.ts). */
export const LANE_CONFIGURATIONS: readonly LaneConfiguration[] = [...torchOptim(), ...beyondPytorch()];

/**
 * Steps per run: torch.optim kernels 8 (RAdam crosses from unrectified to rectified updates),
 * the others 6 with an eval/train round trip after step 3 where the optimizer has one.
 */
export const LANE_STEPS = { torch: 8, beyond: 6 } as const;
export const SWITCH_AFTER_STEP = 3;
