/**
 * The training loop of `npm start`, on simdopt alone: an MLP from `nn`, a loss with its gradient,
 * backward, gradient clipping, an optimizer step and a learning-rate schedule per step, and an
 * evaluation (eval mode: no dropout) of the train and test splits after every epoch.
 */
import {
  Adafactor,
  Adam,
  AdamW,
  ASGD,
  LBFGS,
  Rprop,
  Muon,
  backendInfo,
  batches,
  clipGradNorm,
  CosineAnnealingLR,
  crossEntropyLoss,
  LinearLR,
  mseLoss,
  nn,
  OneCycleLR,
  Parameter,
  RMSprop,
  SequentialLR,
  SGD,
  StepLR,
  type AnyOptimizer,
  type LRScheduler,
} from 'simdopt';
import { ADOPT, LAMB, ScheduleFreeAdamW } from 'simdopt';
import { Prodigy } from 'simdopt';
import type { Dataset, Split } from './data.js';
// The registry is no public export: `npm start` resolves `simdopt` to these sources (tsconfig paths).
import { OPTIMIZERS as REGISTRY, type OptimizerEntry } from '../../packages/simdopt/src/optim/registry.js';

/** The optimizers with a hand-tuned spec (SPECS below), in table order. */
export const TUNED_OPTIMIZERS = ['gd', 'sgd', 'momentum', 'rmsprop', 'adam', 'adamw', 'schedulefree', 'adopt', 'lamb', 'asgd', 'rprop', 'lbfgs', 'prodigy', 'adafactor', 'muon'] as const;
type TunedName = (typeof TUNED_OPTIMIZERS)[number];
/**
 * A `--optimizer` name: a tuned spec's, or a registered optimizer's class name in lower case
 * (`adagrad`, `schedulefreesgd`, …) for every registered class no tuned spec trains.
 */
export type OptimizerName = string;
/** What `--optimizer all` (the default) runs: torch.optim's. The others are chosen by name. */
export const DEFAULT_OPTIMIZERS: readonly OptimizerName[] = ['gd', 'sgd', 'momentum', 'rmsprop', 'adam', 'adamw'];
/** The optimizers TensorFlow.js has (the `--compare tfjs` runs). */
export const TFJS_OPTIMIZERS: readonly OptimizerName[] = ['gd', 'sgd', 'momentum', 'rmsprop', 'adam', 'adamw'];
/** torch.optim's further optimizers, chosen by name (L-BFGS and Rprop train on the full batch). */
export const MORE_OPTIMIZERS = ['asgd', 'rprop', 'lbfgs'] as const satisfies readonly OptimizerName[];
export const SCHEDULERS = ['warmup-cosine', 'cosine', 'onecycle', 'step', 'constant'] as const;
export type SchedulerName = (typeof SCHEDULERS)[number];

/** One contender: an optimizer with its batch regime, learning rate and decay. */
export interface OptimizerSpec {
  name: OptimizerName;
  /** The registered class it trains (packages/simdopt/src/optim/registry.ts). */
  optimizer: string;
  /** How the table names it. */
  label: string;
  /** Full-batch gradient descent: one step per epoch over the whole training split. */
  fullBatch: boolean;
  lr: number;
  /** Coupled L2 (added to the gradient, PyTorch's `weight_decay`) or decoupled (AdamW). */
  weightDecay: number;
  decoupled: boolean;
  /** SGD momentum (0: none). */
  momentum: number;
  /**
   * Schedule-Free: no learning-rate schedule (its own warm-up over the schedule's first 5 %), and
   * every evaluation at the averaged point x (`eval()`), training at y (`train()`).
   */
  scheduleFree?: boolean;
  make(params: Parameter[], lr: number): AnyOptimizer;
}

// Learning rates tuned by hand on the default dataset with the default schedule; each is a
// reasonable setting for its method, not a race-winning one.
const SPECS: Record<TunedName, Omit<OptimizerSpec, 'name' | 'make'>> = {
  gd: { optimizer: 'SGD', label: 'full-batch GD', fullBatch: true, lr: 1, weightDecay: 1e-4, decoupled: false, momentum: 0 },
  sgd: { optimizer: 'SGD', label: 'mini-batch SGD', fullBatch: false, lr: 0.3, weightDecay: 1e-4, decoupled: false, momentum: 0 },
  momentum: { optimizer: 'SGD', label: 'SGD momentum', fullBatch: false, lr: 0.05, weightDecay: 1e-4, decoupled: false, momentum: 0.9 },
  rmsprop: { optimizer: 'RMSprop', label: 'RMSprop', fullBatch: false, lr: 3e-3, weightDecay: 1e-4, decoupled: false, momentum: 0 },
  adam: { optimizer: 'Adam', label: 'Adam', fullBatch: false, lr: 1e-2, weightDecay: 1e-4, decoupled: false, momentum: 0 },
  adamw: { optimizer: 'AdamW', label: 'AdamW', fullBatch: false, lr: 1e-2, weightDecay: 1e-2, decoupled: true, momentum: 0 },
  asgd: { optimizer: 'ASGD', label: 'ASGD', fullBatch: false, lr: 0.3, weightDecay: 1e-4, decoupled: false, momentum: 0 },
  // Rprop follows the signs of the gradient: full batch, as it is meant to be used (no weight decay in PyTorch's Rprop).
  rprop: { optimizer: 'Rprop', label: 'Rprop', fullBatch: true, lr: 1e-2, weightDecay: 0, decoupled: false, momentum: 0 },
  // L-BFGS: one step(closure) per epoch on the full batch, up to 20 iterations with a strong-Wolfe line search.
  lbfgs: { optimizer: 'LBFGS', label: 'L-BFGS', fullBatch: true, lr: 1, weightDecay: 0, decoupled: false, momentum: 0 },
  schedulefree: { optimizer: 'ScheduleFreeAdamW', label: 'ScheduleFreeAdamW', fullBatch: false, lr: 1e-2, weightDecay: 1e-4, decoupled: false, momentum: 0, scheduleFree: true },
  adopt: { optimizer: 'ADOPT', label: 'ADOPT', fullBatch: false, lr: 1e-2, weightDecay: 1e-4, decoupled: false, momentum: 0 },
  lamb: { optimizer: 'LAMB', label: 'LAMB', fullBatch: false, lr: 1e-2, weightDecay: 1e-4, decoupled: false, momentum: 0 },
  // lr 1 as its authors advise: d, estimated from the gradients, sets the step size.
  prodigy: { optimizer: 'Prodigy', label: 'Prodigy', fullBatch: false, lr: 1, weightDecay: 1e-4, decoupled: true, momentum: 0 },
  // Adafactor's lr caps its relative step (the step is ρ·RMS(p)); PyTorch's default.
  adafactor: { optimizer: 'Adafactor', label: 'Adafactor', fullBatch: false, lr: 1e-2, weightDecay: 0, decoupled: true, momentum: 0 },
  // Muon for the weight matrices with Moonshot's 'match_rms_adamw' scaling, which lets it use
  // AdamW's lr and decay; the biases go to AdamW with the same lr (see `companionOf`).
  muon: { optimizer: 'Muon', label: 'Muon + AdamW', fullBatch: false, lr: 1e-2, weightDecay: 1e-2, decoupled: true, momentum: 0.95 },
};

/**
 * Muon takes matrices only. As PyTorch users do, the other parameters (the biases) are given to
 * AdamW; to the training loop the pair is one optimizer: Muon is the one `make` returns and the
 * scheduler drives, and its AdamW companion is stepped and zeroed with it, at `ratio` × Muon's lr.
 */
const companions = new WeakMap<AnyOptimizer, { optimizer: AnyOptimizer; ratio: number }>();

/** The AdamW that steps `optimizer`'s non-matrix parameters (Muon), if any. */
export function companionOf(optimizer: AnyOptimizer): AnyOptimizer | null {
  return companions.get(optimizer)?.optimizer ?? null;
}

/** zeroGrad of an optimizer and its companion. */
export function zeroGradAll(optimizer: AnyOptimizer): void {
  optimizer.zeroGrad();
  companionOf(optimizer)?.zeroGrad();
}

/** step of an optimizer and its companion (whose lr follows the optimizer's scheduled lr). */
export function stepAll(optimizer: AnyOptimizer): void {
  optimizer.step();
  const c = companions.get(optimizer);
  if (c) {
    c.optimizer.paramGroups[0].lr = c.ratio * optimizer.paramGroups[0].lr;
    c.optimizer.step();
  }
}

/** dispose of an optimizer and its companion. */
export function disposeAll(optimizer: AnyOptimizer): void {
  companionOf(optimizer)?.dispose();
  optimizer.dispose();
}

for (const s of Object.values(SPECS)) if (!REGISTRY.some((e) => e.name === s.optimizer)) throw new Error(`train: ${s.optimizer} is not in the optimizer registry`);
/** Registered optimizers no tuned spec trains, by their `--optimizer` name (the class name in lower case). */
const UNTUNED = new Map(REGISTRY.filter((e) => !Object.values(SPECS).some((s) => s.optimizer === e.name)).map((e) => [e.name.toLowerCase(), e] as const));
/** Every `--optimizer` name: the tuned specs, then each other optimizer of simdopt's registry. */
export const OPTIMIZERS: readonly OptimizerName[] = [...TUNED_OPTIMIZERS, ...UNTUNED.keys()];

/** A registered optimizer's number option default, if its schema has one. */
function numberDefault(e: OptimizerEntry, key: string): number | undefined {
  const d = e.schema?.options[key]?.default;
  return typeof d === 'number' ? d : undefined;
}

/**
 * The spec of a registered optimizer no tuned spec trains: its schema's defaults (PyTorch's lr
 * and decay; without a schema, its example's lr or 1e-3), mini-batches unless it steps with a closure (then
 * the full batch, as L-BFGS), and train/eval modes when it has them (as Schedule-Free).
 */
function registrySpec(name: OptimizerName, e: OptimizerEntry): OptimizerSpec {
  const o = e.schema?.options ?? {};
  const decoupled = o.decoupledWeightDecay?.default === true || o.decouple?.default === true;
  const proto = e.cls.prototype as { train?: unknown; eval?: unknown };
  const scheduleFree = typeof proto.train === 'function' && typeof proto.eval === 'function';
  return {
    name,
    optimizer: e.name,
    label: e.name,
    fullBatch: e.stepping === 'closure',
    lr: numberDefault(e, 'lr') ?? (typeof e.example.lr === 'number' ? e.example.lr : 1e-3),
    weightDecay: numberDefault(e, 'weightDecay') ?? 0,
    decoupled,
    momentum: numberDefault(e, 'momentum') ?? 0,
    ...(scheduleFree ? { scheduleFree } : {}),
    make: (params, lr) => {
      const opt = new e.cls(params, { lr }) as unknown as AnyOptimizer & { train?: () => void };
      if (scheduleFree) opt.train!();
      return opt;
    },
  };
}

/** Registered classes stepped with a closure (L-BFGS): the loop hands them the loss. */
const CLOSURE = REGISTRY.filter((e) => e.stepping === 'closure').map((e) => e.cls);
const steppedWithClosure = (o: AnyOptimizer): o is AnyOptimizer & LBFGS => CLOSURE.some((cls) => o instanceof cls);

export function optimizerSpec(name: OptimizerName): OptimizerSpec {
  const untuned = UNTUNED.get(name);
  if (untuned) return registrySpec(name, untuned);
  if (!(TUNED_OPTIMIZERS as readonly string[]).includes(name)) throw new Error(`unknown optimizer '${name}' (choose from ${OPTIMIZERS.join(', ')})`);
  const tuned = name as TunedName;
  const s = SPECS[tuned];
  const make = (params: Parameter[], lr: number): AnyOptimizer => {
    switch (tuned) {
      case 'gd':
      case 'sgd':
      case 'momentum':
        return new SGD(params, { lr, momentum: s.momentum, weightDecay: s.weightDecay });
      case 'rmsprop':
        return new RMSprop(params, { lr, alpha: 0.99, weightDecay: s.weightDecay });
      case 'adam':
        return new Adam(params, { lr, weightDecay: s.weightDecay });
      case 'adamw':
        return new AdamW(params, { lr, weightDecay: s.weightDecay });
      case 'asgd':
        return new ASGD(params, { lr, weightDecay: s.weightDecay });
      case 'rprop':
        return new Rprop(params, { lr });
      case 'lbfgs':
        return new LBFGS(params, { lr, historySize: 10, lineSearchFn: 'strong_wolfe' });
      case 'schedulefree': {
        // The warm-up the other runs get from the schedule: 5 % of the steps, set by runOne.
        const o = new ScheduleFreeAdamW(params, { lr, weightDecay: s.weightDecay });
        o.train();
        return o;
      }
      case 'adopt':
        return new ADOPT(params, { lr, weightDecay: s.weightDecay });
      case 'lamb':
        return new LAMB(params, { lr, weightDecay: s.weightDecay });
      case 'prodigy':
        return new Prodigy(params, { lr, weightDecay: s.weightDecay });
      case 'adafactor':
        return new Adafactor(params, { lr, weightDecay: s.weightDecay });
      case 'muon': {
        const matrices = params.filter((p) => p.shape.length === 2);
        const others = params.filter((p) => p.shape.length !== 2);
        const muon = new Muon(matrices, { lr, weightDecay: s.weightDecay, momentum: s.momentum, adjustLrFn: 'match_rms_adamw' }) as unknown as AnyOptimizer;
        if (others.length > 0) companions.set(muon, { optimizer: new AdamW(others, { lr, weightDecay: s.weightDecay }), ratio: 1 });
        return muon;
      }
    }
  };
  return { name, ...s, make };
}

/** A one-line description of a spec's settings, for the run header and the README. */
export function describeSpec(spec: OptimizerSpec, lr: number): string {
  const decay = spec.weightDecay === 0 ? 'no decay' : `${spec.decoupled ? 'decoupled decay' : 'L2 (coupled)'} ${spec.weightDecay}`;
  const momentum = spec.momentum > 0 ? `, momentum ${spec.momentum}` : '';
  return `lr ${lr}${momentum}, ${decay}`;
}

export interface TrainConfig {
  hidden: number;
  dropout: number;
  /** Max global 2-norm of the gradients (PyTorch's clip_grad_norm_); Infinity: no clipping. */
  clip: number;
  epochs: number;
  batchSize: number;
  scheduler: SchedulerName;
  /** --lr: overrides every spec's own learning rate. */
  lr?: number;
  seed: number;
  /** Test accuracy (classification) or R² (regression) whose first epoch the table reports. */
  target: number;
}

/** Seeds of the run's random streams, all from `--seed`: the same seed, the same run. */
export function seeds(seed: number) {
  return { linear: [seed * 8 + 1, seed * 8 + 2, seed * 8 + 3], dropout: [seed * 8 + 4, seed * 8 + 5], batches: seed * 8 + 6 };
}

/**
 * in → hidden → hidden → outputs with ReLU and Dropout after each hidden layer; the logits (or the
 * regression output) come out of the last Linear.
 */
export function buildModel(data: Dataset, config: Pick<TrainConfig, 'hidden' | 'dropout' | 'seed'>): nn.Sequential {
  const s = seeds(config.seed);
  const h = config.hidden;
  return new nn.Sequential(
    new nn.Linear(data.features, h, { seed: s.linear[0], name: 'fc1' }),
    new nn.ReLU(),
    new nn.Dropout(config.dropout, { seed: s.dropout[0] }),
    new nn.Linear(h, h, { seed: s.linear[1], name: 'fc2' }),
    new nn.ReLU(),
    new nn.Dropout(config.dropout, { seed: s.dropout[1] }),
    new nn.Linear(h, data.outputs, { seed: s.linear[2], name: 'fc3' }),
  );
}

/**
 * The schedule, stepped once per optimizer step over `totalSteps`. 'warmup-cosine': LinearLR from
 * 0.1·lr over the first 5 % of steps, then cosine annealing to 0. 'onecycle' does not cycle
 * momentum/beta1 (cycleMomentum: false): each optimizer keeps the momentum it was given, and the
 * tfjs comparison stays like for like (tfjs's Adam cannot change beta1 mid-run).
 */
export function makeScheduler(name: SchedulerName, opt: AnyOptimizer, lr: number, totalSteps: number): LRScheduler | null {
  switch (name) {
    case 'constant':
      return null;
    case 'cosine':
      return new CosineAnnealingLR(opt, { tMax: totalSteps });
    case 'step':
      return new StepLR(opt, { stepSize: Math.max(1, Math.ceil(totalSteps / 3)), gamma: 0.1 });
    case 'onecycle':
      return new OneCycleLR(opt, { maxLr: lr, totalSteps, cycleMomentum: false });
    case 'warmup-cosine': {
      const warm = Math.max(1, Math.round(totalSteps * 0.05));
      if (totalSteps <= warm) return new LinearLR(opt, { startFactor: 0.1, totalIters: warm });
      const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: warm });
      const cosine = new CosineAnnealingLR(opt, { tMax: totalSteps - warm });
      return new SequentialLR(opt, { schedulers: [warmup, cosine], milestones: [warm] });
    }
  }
}

/**
 * The learning rate of each of `totalSteps` steps as the scheduler sets it, and after the last
 * one (for the tfjs loop).
 */
export function lrSequence(spec: OptimizerSpec, name: SchedulerName, lr: number, totalSteps: number): Float64Array {
  const p = Parameter.zeros([1, 1]); // a matrix: every optimizer takes one (Muon only those)
  const opt = spec.make([p], lr);
  const sched = makeScheduler(name, opt, lr, totalSteps);
  const lrs = new Float64Array(totalSteps + 1);
  for (let i = 0; i < totalSteps; i++) {
    lrs[i] = opt.paramGroups[0].lr;
    // zero gradient: only the counters move (L-BFGS stops at once on a zero gradient)
    if (steppedWithClosure(opt)) opt.step(() => 0);
    else opt.step();
    sched?.step();
  }
  lrs[totalSteps] = opt.paramGroups[0].lr;
  disposeAll(opt);
  p.dispose();
  return lrs;
}

/** Batch size of a spec on a dataset: the whole training split for full-batch GD. */
export function batchSizeOf(spec: OptimizerSpec, data: Dataset, config: Pick<TrainConfig, 'batchSize'>): number {
  return spec.fullBatch ? data.train.rows : Math.min(config.batchSize, data.train.rows);
}

/** Rows per forward when evaluating (bounds the activation buffers). */
export const EVAL_CHUNK = 1024;

/**
 * Wasm memory for one run, in bytes: parameters with their gradients and up to three state
 * tensors per element (Adam's moments, AMSGrad's max), and the activation buffers of the largest
 * batch (each module keeps its output and its input gradient; Linear also its input, a staging
 * copy and a GEMM workspace), plus a quarter for the allocator and 1 MiB for the rest. Measured on
 * the default run: 6.1 MiB live at the peak (full-batch GD), 13.0 MiB sized.
 */
export function memoryBytesFor(data: Dataset, config: Pick<TrainConfig, 'hidden'>, maxBatch: number): number {
  const h = config.hidden;
  const params = data.features * h + h + h * h + h + h * data.outputs + data.outputs;
  const widths = [h, h, h, h, h, h, data.outputs, data.features];
  const activations = Math.max(maxBatch, EVAL_CHUNK) * widths.reduce((a, b) => a + b, 0) * 4;
  const floats = params * 5 + activations;
  const bytes = 1.25 * 4 * floats + (1 << 20);
  return Math.ceil(bytes / 65536) * 65536;
}

/**
 * One training step and its buffers: d(loss)/d(output) lives in backend memory, so backward
 * reads it in place.
 */
export class Trainer {
  readonly params: Parameter[];
  private readonly gradOut: Parameter;
  private readonly xBatch: Float32Array;
  private readonly yBatch: Int32Array | Float32Array;

  constructor(
    readonly model: nn.Sequential,
    readonly optimizer: AnyOptimizer,
    readonly scheduler: LRScheduler | null,
    readonly data: Dataset,
    readonly clip: number,
    maxBatch: number,
  ) {
    this.params = model.parameters();
    this.gradOut = Parameter.zeros(maxBatch * data.outputs, { name: 'dloss/doutput', requiresGrad: false });
    this.xBatch = new Float32Array(maxBatch * data.features);
    this.yBatch = data.task === 'classification' ? new Int32Array(maxBatch) : new Float32Array(maxBatch);
  }

  /** Copies the rows `index` of `split` into the batch buffers; returns their views. */
  gather(split: Split, index: ArrayLike<number>): [Float32Array, Int32Array | Float32Array] {
    const f = this.data.features;
    const n = index.length;
    for (let k = 0; k < n; k++) {
      const r = index[k];
      this.xBatch.set(split.x.subarray(r * f, r * f + f), k * f);
      this.yBatch[k] = split.y[r];
    }
    return [this.xBatch.subarray(0, n * f), this.yBatch.subarray(0, n)];
  }

  /**
   * forward → loss and its gradient → backward → clip → optimizer step → scheduler step.
   * Returns the batch loss (before the step).
   */
  step(x: Float32Array, y: Int32Array | Float32Array): number {
    const { model, optimizer } = this;
    if (steppedWithClosure(optimizer)) {
      // L-BFGS evaluates the loss and gradient itself, as often as it needs (no clipping: it
      // would make the gradient disagree with the loss the line search compares).
      const loss = optimizer.step(() => {
        optimizer.zeroGrad();
        const out = model.forward(x);
        const grad = this.gradOut.data.subarray(0, out.length);
        const l = lossOf(this.data, out, y, grad);
        model.backward(grad, { inputGrad: false });
        return l;
      });
      this.scheduler?.step();
      return loss;
    }
    zeroGradAll(optimizer);
    const out = model.forward(x);
    const grad = this.gradOut.data.subarray(0, out.length);
    const loss = lossOf(this.data, out, y, grad);
    model.backward(grad, { inputGrad: false }); // the data needs no gradient
    if (this.clip !== Infinity) clipGradNorm(this.params, this.clip);
    stepAll(optimizer);
    this.scheduler?.step();
    return loss;
  }

  dispose(): void {
    this.gradOut.dispose();
  }
}

/** Mean cross-entropy of logits (classification) or MSE (regression); writes the gradient when given. */
function lossOf(data: Dataset, out: Float32Array, y: Int32Array | Float32Array, grad?: Float32Array): number {
  return data.task === 'classification'
    ? crossEntropyLoss(out, y as Int32Array, { numClasses: data.outputs, grad })
    : mseLoss(out, y as Float32Array, { grad });
}

export interface Metrics {
  loss: number;
  /** Classification: accuracy in [0, 1]. Regression: R² of the standardised target. */
  score: number;
}

/** Loss and accuracy (or R²) of `model` on `split`, in eval mode, EVAL_CHUNK rows at a time. */
export function evaluate(model: nn.Module, data: Dataset, split: Split): Metrics {
  const wasTraining = model.training;
  model.eval();
  const f = data.features;
  const c = data.outputs;
  let lossSum = 0;
  let hits = 0;
  let sse = 0;
  let mean = 0;
  for (let i = 0; i < split.rows; i++) mean += split.y[i] / split.rows;
  let sst = 0;
  for (let start = 0; start < split.rows; start += EVAL_CHUNK) {
    const n = Math.min(EVAL_CHUNK, split.rows - start);
    const out = model.forward(split.x.subarray(start * f, (start + n) * f));
    const y = split.y.subarray(start, start + n);
    lossSum += lossOf(data, out, y) * n;
    for (let r = 0; r < n; r++) {
      if (data.task === 'classification') {
        let best = 0;
        for (let j = 1; j < c; j++) if (out[r * c + j] > out[r * c + best]) best = j;
        if (best === y[r]) hits++;
      } else {
        sse += (out[r] - y[r]) ** 2;
        sst += (y[r] - mean) ** 2;
      }
    }
  }
  model.train(wasTraining);
  const score = data.task === 'classification' ? hits / split.rows : 1 - sse / (sst || 1);
  return { loss: lossSum / split.rows, score };
}

export interface EpochRecord {
  epoch: number;
  train: Metrics;
  test: Metrics;
  /** Learning rate at the end of the epoch. */
  lr: number;
}

export interface RunResult {
  spec: OptimizerSpec;
  lr: number;
  batchSize: number;
  history: EpochRecord[];
  /** First epoch (1-based) whose test score reached `config.target`, or null. */
  epochsToTarget: number | null;
  steps: number;
  /** Time in the training steps (gather, forward, loss, backward, clip, step, schedule). */
  trainMs: number;
  /** The whole run, evaluations included. */
  wallMs: number;
  /** Whether wasm memory grew during the run (it should not: init sized it); false on js. */
  memoryGrew: boolean;
  /** Final predictions on a grid, for the chart's decision map (2-feature classification only). */
  grid?: { size: number; lo: number; hi: number; classes: Uint8Array };
}

export interface Hooks {
  /** After each epoch's evaluation. */
  onEpoch?(record: EpochRecord): void;
}

/** Trains one spec from the seed's initial weights and reports every epoch. */
export function runOne(spec: OptimizerSpec, data: Dataset, config: TrainConfig, hooks: Hooks = {}): RunResult {
  const t0 = performance.now();
  const memoryBefore = backendInfo().memoryBytes;
  const lr = config.lr ?? spec.lr;
  const batchSize = batchSizeOf(spec, data, config);
  const model = buildModel(data, config);
  const optimizer = spec.make(model.parameters(), lr);
  const order = batches(data.train.rows, batchSize, { shuffle: !spec.fullBatch, seed: seeds(config.seed).batches });
  const stepsPerEpoch = Math.ceil(data.train.rows / batchSize);
  const sf = spec.scheduleFree === true ? (optimizer as unknown as ScheduleFreeAdamW) : null;
  if (sf && 'warmupSteps' in sf.paramGroups[0]) sf.paramGroups[0].warmupSteps = config.scheduler === 'constant' ? 0 : Math.max(1, Math.round(stepsPerEpoch * config.epochs * 0.05));
  const scheduler = sf ? null : makeScheduler(config.scheduler, optimizer, lr, stepsPerEpoch * config.epochs);
  const trainer = new Trainer(model, optimizer, scheduler, data, config.clip, batchSize);
  const history: EpochRecord[] = [];
  let epochsToTarget: number | null = null;
  let trainMs = 0;
  let steps = 0;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const e0 = performance.now();
    for (const index of order) {
      const [x, y] = trainer.gather(data.train, index);
      trainer.step(x, y);
      steps++;
    }
    trainMs += performance.now() - e0;
    sf?.eval();
    const record = { epoch, train: evaluate(model, data, data.train), test: evaluate(model, data, data.test), lr: sf?.groupState ? sf.groupState().scheduledLr : optimizer.paramGroups[0].lr };
    history.push(record);
    if (epochsToTarget === null && record.test.score >= config.target) epochsToTarget = epoch;
    hooks.onEpoch?.(record);
    if (epoch < config.epochs) sf?.train();
  }
  const grid = data.task === 'classification' && data.features === 2 ? decisionGrid(model, data) : undefined;
  // The js backend has no wasm memory to grow (its memoryBytes follows the allocations).
  const memoryGrew = backendInfo().backend !== 'js' && backendInfo().memoryBytes !== memoryBefore;
  trainer.dispose();
  disposeAll(optimizer);
  model.dispose();
  return { spec, lr, batchSize, history, epochsToTarget, steps, trainMs, wallMs: performance.now() - t0, memoryGrew, grid };
}

/** The model's class at each point of a size×size grid over the (standardised) feature plane. */
function decisionGrid(model: nn.Module, data: Dataset, size = 80): RunResult['grid'] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const split of [data.train, data.test]) for (const v of split.x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const pad = 0.05 * (hi - lo);
  [lo, hi] = [lo - pad, hi + pad];
  const x = new Float32Array(size * size * 2);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      x[(i * size + j) * 2] = lo + ((j + 0.5) / size) * (hi - lo);
      x[(i * size + j) * 2 + 1] = hi - ((i + 0.5) / size) * (hi - lo); // row 0 at the top
    }
  }
  model.eval();
  const classes = new Uint8Array(size * size);
  const c = data.outputs;
  for (let start = 0; start < size * size; start += EVAL_CHUNK) {
    const n = Math.min(EVAL_CHUNK, size * size - start);
    const out = model.forward(x.subarray(start * 2, (start + n) * 2));
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let j = 1; j < c; j++) if (out[r * c + j] > out[r * c + best]) best = j;
      classes[start + r] = best;
    }
  }
  model.train();
  return { size, lo, hi, classes };
}
