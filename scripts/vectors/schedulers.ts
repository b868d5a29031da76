/**
 * The float64 reference of PyTorch's lr schedulers (docs/SEMANTICS.md "Learning-rate
 * schedulers"): the chainable recurrences in PyTorch's operand order, on a one-group optimizer
 * model, so that + − × ÷ schedules reproduce PyTorch bit for bit and cosine ones up to libm.
 * Independent of packages/simdopt (it is the oracle simdopt's schedulers are tested against).
 */

import { cos } from './cos.js';
import { pow } from './pow.js';

export interface Spec {
  scheduler: string;
  args: Record<string, unknown>;
}

/** The optimizer's one param group, as the schedulers see it. */
interface Group {
  lr: number;
  initial_lr?: number;
  momentum?: number;
  betas?: [number, number];
}

interface Scheduler {
  /** step(); ReduceLROnPlateau takes the metric. `epoch` only for SequentialLR's restart at 0. */
  step(metric?: number, epoch?: number): void;
  lastEpoch: number;
  /** The initial step a constructor takes (SequentialLR repeats the first child's). */
  initialStep(): void;
}

const floorDiv = (a: number, b: number) => Math.floor(a / b);
const pyMod = (a: number, b: number) => ((a % b) + b) % b;

/** A chainable scheduler: `get(e, lr, base)` returns the lr at epoch e from the current lr. */
function chainable(group: Group, get: (e: number, lr: number, base: number) => number, closed?: (e: number, base: number) => number): Scheduler {
  group.initial_lr ??= group.lr;
  const base = group.initial_lr;
  const s: Scheduler = {
    lastEpoch: -1,
    step(_metric?: number, epoch?: number) {
      if (epoch !== undefined) {
        s.lastEpoch = epoch;
        group.lr = closed ? closed(epoch, base) : get(epoch, group.lr, base);
      } else {
        s.lastEpoch += 1;
        group.lr = get(s.lastEpoch, group.lr, base);
      }
    },
    initialStep() {
      s.step();
    },
  };
  s.initialStep();
  return s;
}

function num(args: Record<string, unknown>, key: string, fallback: number): number {
  return (args[key] as number | undefined) ?? fallback;
}

function build(spec: Spec, group: Group): Scheduler {
  const a = spec.args;
  switch (spec.scheduler) {
    case 'StepLR': {
      const size = a.step_size as number;
      const gamma = num(a, 'gamma', 0.1);
      return chainable(group, (e, lr) => (e === 0 || e % size !== 0 ? lr : lr * gamma), (e, base) => base * pow(gamma, floorDiv(e, size)));
    }
    case 'MultiStepLR': {
      const counts = new Map<number, number>();
      for (const m of a.milestones as number[]) counts.set(m, (counts.get(m) ?? 0) + 1);
      const gamma = num(a, 'gamma', 0.1);
      const sorted = [...(a.milestones as number[])].sort((x, y) => x - y);
      return chainable(
        group,
        (e, lr) => (counts.has(e) ? lr * pow(gamma, counts.get(e)!) : lr),
        (e, base) => base * pow(gamma, sorted.filter((m) => m <= e).length),
      );
    }
    case 'ConstantLR': {
      const factor = num(a, 'factor', 1 / 3);
      const total = num(a, 'total_iters', 5);
      return chainable(
        group,
        (e, lr) => (e === 0 ? lr * factor : e !== total ? lr : lr * (1.0 / factor)),
        (e, base) => base * (factor + (e >= total ? 1 : 0) * (1 - factor)),
      );
    }
    case 'LinearLR': {
      const start = num(a, 'start_factor', 1 / 3);
      const end = num(a, 'end_factor', 1.0);
      const total = num(a, 'total_iters', 5);
      return chainable(
        group,
        (e, lr) => (e === 0 ? lr * start : e > total ? lr : lr * (1.0 + (end - start) / (total * start + (e - 1) * (end - start)))),
        (e, base) => base * (start + ((end - start) * Math.min(total, e)) / total),
      );
    }
    case 'ExponentialLR': {
      const gamma = a.gamma as number;
      return chainable(group, (e, lr) => (e === 0 ? lr : lr * gamma), (e, base) => base * pow(gamma, e));
    }
    case 'PolynomialLR': {
      const total = num(a, 'total_iters', 5);
      const power = num(a, 'power', 1.0);
      return chainable(
        group,
        (e, lr) => (e === 0 || e > total ? lr : lr * pow((1.0 - e / total) / (1.0 - (e - 1) / total), power)),
        (e, base) => base * pow(1.0 - Math.min(total, e) / total, power),
      );
    }
    case 'CosineAnnealingLR': {
      const T = a.T_max as number;
      const etaMin = num(a, 'eta_min', 0);
      return chainable(
        group,
        (e, lr, base) => {
          if (e === 0) return lr;
          if (pyMod(e - 1 - T, 2 * T) === 0) return lr + ((base - etaMin) * (1 - cos(Math.PI / T))) / 2;
          return ((1 + cos((Math.PI * e) / T)) / (1 + cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin;
        },
        (e, base) => etaMin + ((base - etaMin) * (1 + cos((Math.PI * e) / T))) / 2,
      );
    }
    case 'CosineAnnealingWarmRestarts': {
      const T0 = a.T_0 as number;
      const Tmult = num(a, 'T_mult', 1);
      const etaMin = num(a, 'eta_min', 0);
      group.initial_lr ??= group.lr;
      const base = group.initial_lr;
      let Ti = T0;
      let Tcur = -1;
      const s: Scheduler = {
        lastEpoch: -1,
        step() {
          if (s.lastEpoch < 0) {
            Tcur = 0;
            s.lastEpoch = 0;
          } else {
            s.lastEpoch += 1;
            Tcur += 1;
            if (Tcur >= Ti) {
              Tcur -= Ti;
              Ti *= Tmult;
            }
          }
          group.lr = etaMin + ((base - etaMin) * (1 + cos((Math.PI * Tcur) / Ti))) / 2;
        },
        initialStep() {
          s.step();
        },
      };
      s.initialStep();
      return s;
    }
    case 'OneCycleLR':
      return oneCycle(a, group);
    case 'CyclicLR':
      return cyclic(a, group);
    case 'ReduceLROnPlateau':
      return plateau(a, group);
    case 'SequentialLR': {
      const children = (a.schedulers as Spec[]).map((c) => build(c, group));
      const milestones = a.milestones as number[];
      group.lr = group.initial_lr!;
      for (const c of children) c.lastEpoch -= 1;
      children[0].initialStep();
      const s: Scheduler = {
        lastEpoch: 0,
        step() {
          s.lastEpoch += 1;
          const idx = milestones.filter((m) => m <= s.lastEpoch).length;
          if (idx > 0 && milestones[idx - 1] === s.lastEpoch) children[idx].step(undefined, 0);
          else children[idx].step();
        },
        initialStep() {},
      };
      return s;
    }
    case 'ChainedScheduler': {
      const children = (a.schedulers as Spec[]).map((c) => build(c, group));
      return { lastEpoch: 0, step: () => children.forEach((c) => c.step()), initialStep() {} };
    }
    default:
      throw new Error(`no reference for scheduler ${spec.scheduler}`);
  }
}

function setMomentum(group: Group, m: number): void {
  if (group.betas) group.betas = [m, group.betas[1]];
  else group.momentum = m;
}

function oneCycle(a: Record<string, unknown>, group: Group): Scheduler {
  const total = a.total_steps as number;
  const pct = num(a, 'pct_start', 0.3);
  const cosine = (a.anneal_strategy ?? 'cos') === 'cos';
  const cycleMomentum = (a.cycle_momentum as boolean | undefined) ?? true;
  const baseM = num(a, 'base_momentum', 0.85);
  const maxM = num(a, 'max_momentum', 0.95);
  const initial = num(a, 'max_lr', 0) / num(a, 'div_factor', 25.0);
  const v: Record<string, number> = { initial_lr: initial, max_lr: a.max_lr as number, min_lr: initial / num(a, 'final_div_factor', 1e4), max_momentum: maxM, base_momentum: baseM };
  group.initial_lr = initial;
  const phases: [number, string, string, string, string][] = a.three_phase
    ? [
        [pct * total - 1, 'initial_lr', 'max_lr', 'max_momentum', 'base_momentum'],
        [2 * pct * total - 2, 'max_lr', 'initial_lr', 'base_momentum', 'max_momentum'],
        [total - 1, 'initial_lr', 'min_lr', 'max_momentum', 'max_momentum'],
      ]
    : [
        [pct * total - 1, 'initial_lr', 'max_lr', 'max_momentum', 'base_momentum'],
        [total - 1, 'max_lr', 'min_lr', 'base_momentum', 'max_momentum'],
      ];
  const anneal = (start: number, end: number, x: number) =>
    cosine ? end + ((start - end) / 2.0) * (cos(Math.PI * x) + 1) : (end - start) * x + start;
  if (cycleMomentum) setMomentum(group, maxM);
  const s: Scheduler = {
    lastEpoch: -1,
    step() {
      s.lastEpoch += 1;
      const e = s.lastEpoch;
      if (e > total) throw new Error('OneCycleLR stepped beyond total_steps');
      let startStep = 0;
      for (let i = 0; i < phases.length; i++) {
        const [endStep, lr0, lr1, m0, m1] = phases[i];
        if (e <= endStep || i === phases.length - 1) {
          const x = (e - startStep) / (endStep - startStep);
          group.lr = anneal(v[lr0], v[lr1], x);
          if (cycleMomentum) setMomentum(group, anneal(v[m0], v[m1], x));
          break;
        }
        startStep = endStep;
      }
    },
    initialStep() {
      s.step();
    },
  };
  s.initialStep();
  return s;
}

function cyclic(a: Record<string, unknown>, group: Group): Scheduler {
  const base = a.base_lr as number;
  const max = a.max_lr as number;
  const up = num(a, 'step_size_up', 2000);
  const down = (a.step_size_down as number | undefined) ?? up;
  const totalSize = up + down;
  const ratio = up / totalSize;
  const mode = (a.mode as string | undefined) ?? 'triangular';
  const gamma = num(a, 'gamma', 1.0);
  const scaleFn = (x: number) => (mode === 'triangular' ? 1.0 : mode === 'triangular2' ? 1 / pow(2.0, x - 1) : pow(gamma, x));
  const byCycle = mode !== 'exp_range';
  const cycleMomentum = (a.cycle_momentum as boolean | undefined) ?? true;
  const baseM = num(a, 'base_momentum', 0.8);
  const maxM = num(a, 'max_momentum', 0.9);
  group.lr = base;
  group.initial_lr ??= base;
  if (cycleMomentum) setMomentum(group, maxM);
  const s: Scheduler = {
    lastEpoch: -1,
    step() {
      s.lastEpoch += 1;
      const e = s.lastEpoch;
      const cycle = Math.floor(1 + e / totalSize);
      const x = 1 + e / totalSize - cycle;
      const scale = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
      const f = scaleFn(byCycle ? cycle : e);
      group.lr = base + (max - base) * scale * f;
      if (cycleMomentum) setMomentum(group, maxM - (maxM - baseM) * scale * f);
    },
    initialStep() {
      s.step();
    },
  };
  s.initialStep();
  return s;
}

function plateau(a: Record<string, unknown>, group: Group): Scheduler {
  const max = a.mode === 'max';
  const factor = num(a, 'factor', 0.1);
  const patience = num(a, 'patience', 10);
  const threshold = num(a, 'threshold', 1e-4);
  const abs = a.threshold_mode === 'abs';
  const cooldown = num(a, 'cooldown', 0);
  const minLr = num(a, 'min_lr', 0);
  const eps = num(a, 'eps', 1e-8);
  let best = max ? -Infinity : Infinity;
  let bad = 0;
  let cooldownCounter = 0;
  const better = (x: number) =>
    max ? (abs ? x > best + threshold : x > best * (threshold + 1)) : abs ? x < best - threshold : x < best * (1 - threshold);
  const s: Scheduler = {
    lastEpoch: 0,
    step(metric?: number) {
      s.lastEpoch += 1;
      if (better(metric!)) {
        best = metric!;
        bad = 0;
      } else {
        bad += 1;
      }
      if (cooldownCounter > 0) {
        cooldownCounter -= 1;
        bad = 0;
      }
      if (bad > patience) {
        const next = Math.max(group.lr * factor, minLr);
        if (group.lr - next > eps) group.lr = next;
        cooldownCounter = cooldown;
        bad = 0;
      }
    },
    initialStep() {},
  };
  return s;
}

export interface SchedulerRun {
  lrs: number[];
  momenta: number[];
}

/**
 * The case's schedule: a one-group optimizer ('sgd' with `momentum`, or 'adam' with betas
 * (0.9, 0.999)) at lr `initialLr`, the scheduler built on it, then `steps` steps (the k-th
 * ReduceLROnPlateau step takes `metrics[k − 1]`). `momenta` is momentum or betas[0].
 */
export function schedule(spec: Spec, optimizerKind: string, initialLr: number, momentum: number, steps: number, metrics?: number[]): SchedulerRun {
  const group: Group = optimizerKind === 'adam' ? { lr: initialLr, betas: [0.9, 0.999] } : { lr: initialLr, momentum };
  const s = build(spec, group);
  const m = () => (group.betas ? group.betas[0] : group.momentum!);
  const run: SchedulerRun = { lrs: [group.lr], momenta: [m()] };
  for (let k = 1; k <= steps; k++) {
    s.step(metrics?.[k - 1]);
    run.lrs.push(group.lr);
    run.momenta.push(m());
  }
  return run;
}
