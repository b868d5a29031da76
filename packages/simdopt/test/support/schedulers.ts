/**
 * The scheduler reference vectors (test/vectors/schedulers.json, float64 values of PyTorch's
 * schedulers) and the one table that maps a PyTorch `spec` ({ scheduler, args } with snake_case
 * arguments) to a simdopt class and its camelCase options. The Node suite uses it now; the browser
 * suite can import it unchanged.
 */
import * as simdopt from 'simdopt';
import { Adam, Parameter, ReduceLROnPlateau, SGD, type LRScheduler } from 'simdopt';
import vectors from '../../../../test/vectors/schedulers.json';

export interface SchedulerSpec {
  scheduler: string;
  args: Record<string, unknown>;
}

export interface SchedulerCase {
  id: string;
  scheduler: string;
  spec: SchedulerSpec;
  initial_lr: number;
  optimizer_kind: 'sgd' | 'adam';
  optimizer_momentum?: number;
  steps: number;
  /** lrs[k]: group 0's lr after k calls of step() (lrs[0] right after construction). */
  lrs: number[];
  /** SGD's momentum at the same instants, where the scheduler cycles it. */
  momentum?: number[];
  /** Adam's betas[0] at the same instants, where the scheduler cycles it. */
  beta1?: number[];
  /** ReduceLROnPlateau: the k-th step is step(metrics[k − 1]). */
  metrics?: number[];
}

export const SCHEDULER_CASES: SchedulerCase[] = (vectors as unknown as { cases: SchedulerCase[] }).cases;

/** Every scheduler class a spec may name (the table the vectors are driven from). */
export const SCHEDULER_CLASSES = [
  'StepLR', 'MultiStepLR', 'ExponentialLR', 'CosineAnnealingLR', 'CosineAnnealingWarmRestarts',
  'LinearLR', 'ConstantLR', 'PolynomialLR', 'LambdaLR', 'MultiplicativeLR', 'OneCycleLR', 'CyclicLR',
  'ReduceLROnPlateau', 'SequentialLR', 'ChainedScheduler',
] as const;

export type AnyScheduler = LRScheduler | ReduceLROnPlateau;

/** PyTorch's argument name → simdopt's option name: step_size → stepSize, T_max → tMax, T_0 → t0. */
export function optionName(arg: string): string {
  const [first, ...rest] = arg.split('_');
  return first.toLowerCase() + rest.map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

/** The camelCase options of `spec` (children not yet built). */
export function specOptions(spec: SchedulerSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec.args)) out[optionName(k)] = v;
  return out;
}

type Ctor = new (...args: unknown[]) => AnyScheduler;

/**
 * Builds `spec` on `optimizer`. Children of SequentialLR/ChainedScheduler are built first, in the
 * listed order, on the same optimizer (each constructor takes its initial step), as in PyTorch.
 */
export function buildScheduler(spec: SchedulerSpec, optimizer: SGD | Adam): AnyScheduler {
  if (!(SCHEDULER_CLASSES as readonly string[]).includes(spec.scheduler)) throw new Error(`no scheduler ${spec.scheduler} in the table`);
  const cls = (simdopt as unknown as Record<string, Ctor>)[spec.scheduler];
  const options = specOptions(spec);
  if (Array.isArray(options.schedulers)) {
    options.schedulers = (options.schedulers as SchedulerSpec[]).map((child) => buildScheduler(child, optimizer));
  }
  if (spec.scheduler === 'ChainedScheduler') {
    const { schedulers, ...rest } = options;
    return new cls(schedulers, rest);
  }
  return new cls(optimizer, options);
}

/** The optimizer of a case: one group with lr = initial_lr (SGD with its momentum, or Adam). */
export function buildOptimizer(c: SchedulerCase, params: Parameter[]): SGD | Adam {
  return c.optimizer_kind === 'adam'
    ? new Adam(params, { lr: c.initial_lr, betas: [0.9, 0.999] })
    : new SGD(params, { lr: c.initial_lr, momentum: c.optimizer_momentum ?? 0 });
}

/** Step k (1-based) of a case's scheduler. */
export function stepScheduler(s: AnyScheduler, c: SchedulerCase, k: number): void {
  if (s instanceof ReduceLROnPlateau) s.step(c.metrics![k - 1]);
  else s.step();
}

/** The cycled momentum of group 0 (SGD's momentum or Adam's beta1) and the expected sequence, if the case has one. */
export function cycledMomentum(c: SchedulerCase, opt: SGD | Adam): { got: number; want: number[] | undefined } {
  const g = opt.paramGroups[0] as { momentum?: number; betas?: [number, number] };
  return c.optimizer_kind === 'adam' ? { got: g.betas![0], want: c.beta1 } : { got: g.momentum!, want: c.momentum };
}

export interface Trace {
  lrs: number[];
  momenta: number[];
}

/**
 * Runs a case for `steps` steps on a fresh parameter/optimizer/scheduler, the optimizer stepped
 * (on zero gradients) before each scheduler step as a training loop does. `from` resumes: the
 * states saved after `from.k` steps are loaded into the new objects before continuing.
 */
export function runCase(
  c: SchedulerCase,
  steps = c.steps,
  from?: { k: number; optimizer: unknown; scheduler: unknown },
): Trace & { opt: SGD | Adam; sched: AnyScheduler; param: Parameter } {
  const param = Parameter.zeros(3);
  const opt = buildOptimizer(c, [param]);
  const sched = buildScheduler(c.spec, opt);
  const trace: Trace = { lrs: [], momenta: [] };
  const record = () => {
    trace.lrs.push(sched.getLastLr()[0]);
    trace.momenta.push(cycledMomentum(c, opt).got);
  };
  let k0 = 0;
  if (from) {
    opt.loadStateDict(from.optimizer as ReturnType<typeof opt.stateDict>);
    sched.loadStateDict(from.scheduler as ReturnType<typeof sched.stateDict>);
    k0 = from.k;
  } else {
    record();
  }
  for (let k = k0 + 1; k <= steps; k++) {
    opt.step();
    stepScheduler(sched, c, k);
    record();
  }
  return { ...trace, opt, sched, param };
}
