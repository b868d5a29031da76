/**
 * Model-based fuzzing (fast-check, fixed seed, bounded runs), the js backend as the model:
 * - random sequences of create, set gradients (sometimes non-finite), step, zeroGrad, change lr,
 *   save, load, dispose and memory growth, over random lengths and hyperparameters: wasm-simd and
 *   wasm produce the same trace bit for bit (values after every operation, what step() returned,
 *   which argument an error named), and every run ends with no live bytes left;
 * - the array functions (losses, dropout) at random lengths and element offsets, in and out of
 *   wasm memory: the same bits on every backend.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backendInfo,
  bceWithLogitsLoss,
  checkpoint,
  crossEntropyLoss,
  Dropout,
  huberLoss,
  init,
  l1Loss,
  loadState,
  mseLoss,
  Parameter,
  restore,
  saveState,
  SimdoptError,
  smoothL1Loss,
  type Checkpoint,
} from 'simdopt';
import { build, RICH_OPTIONS, values, type AnyOptimizer } from './support/harness.js';
import { FLAT_OPTIMIZERS } from './support/reference.js';

type Op =
  | { kind: 'create'; size: number; seed: number }
  | { kind: 'grad'; which: number; seed: number; poison: boolean }
  | { kind: 'step' }
  | { kind: 'zeroGrad' }
  | { kind: 'lr'; which: number; lr: number }
  | { kind: 'save' }
  | { kind: 'load' }
  | { kind: 'dispose'; which: number }
  | { kind: 'grow'; floats: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), size: fc.integer({ min: 0, max: 70 }), seed: fc.nat(1000) }),
  fc.record({ kind: fc.constant('grad' as const), which: fc.nat(9), seed: fc.nat(1000), poison: fc.boolean() }),
  fc.constant({ kind: 'step' as const }),
  fc.constant({ kind: 'step' as const }),
  fc.constant({ kind: 'zeroGrad' as const }),
  fc.record({ kind: fc.constant('lr' as const), which: fc.nat(9), lr: fc.double({ min: 1e-4, max: 0.3, noNaN: true }) }),
  fc.constant({ kind: 'save' as const }),
  fc.constant({ kind: 'load' as const }),
  fc.record({ kind: fc.constant('dispose' as const), which: fc.nat(9) }),
  fc.record({ kind: fc.constant('grow' as const), floats: fc.integer({ min: 1 << 16, max: 1 << 19 }) }),
);

interface Scenario {
  className: string;
  skipNonFinite: boolean;
  /** Random hyperparameters over RICH_OPTIONS (every state slot switched on). */
  lr: number;
  weightDecay: number;
  maximize: boolean;
  ops: Op[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  className: fc.constantFrom(...FLAT_OPTIMIZERS),
  skipNonFinite: fc.boolean(),
  lr: fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
  weightDecay: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.3, noNaN: true })),
  maximize: fc.boolean(),
  ops: fc.array(op, { minLength: 1, maxLength: 30 }),
});

/** FNV-1a over the bits of every parameter's values. */
function digest(params: Parameter[]): number {
  let h = 0x811c9dc5;
  for (const p of params) {
    for (const w of new Uint32Array(p.data.slice().buffer)) h = Math.imul(h ^ w, 0x01000193) >>> 0;
    h = Math.imul(h ^ p.size, 0x01000193) >>> 0;
  }
  return h;
}

/** Runs a scenario on the active backend and returns its trace; disposes everything it made. */
function execute(s: Scenario): { trace: string[]; leftover: number } {
  const start = backendInfo().liveBytes;
  const params: Parameter[] = [];
  let opt: AnyOptimizer | null = null;
  let saved: { text: string; sizes: number[] } | null = null;
  const options = { ...RICH_OPTIONS[s.className], lr: s.lr, weightDecay: s.weightDecay, maximize: s.maximize, skipNonFinite: s.skipNonFinite };
  const rebuild = () => {
    opt?.dispose();
    opt = params.length > 0 ? build(s.className, params.map((p) => ({ params: [p] })), options) : null;
  };
  const trace: string[] = [];
  for (const o of s.ops) {
    let result = '';
    try {
      switch (o.kind) {
        case 'create': {
          const p = Parameter.from(values(o.seed, o.size));
          params.push(p);
          if (opt) (opt as AnyOptimizer).addParamGroup({ params: [p] });
          else rebuild();
          break;
        }
        case 'grad': {
          if (params.length === 0) break;
          const p = params[o.which % params.length];
          p.grad.set(values(o.seed + 1, p.size, 3));
          if (o.poison && p.size > 0) p.grad[o.seed % p.size] = [NaN, Infinity, -Infinity][o.seed % 3];
          break;
        }
        case 'step':
          result = String(opt ? (opt as AnyOptimizer).step() : null);
          break;
        case 'zeroGrad':
          (opt as AnyOptimizer | null)?.zeroGrad();
          break;
        case 'lr':
          if (opt) (opt as AnyOptimizer).paramGroups[o.which % params.length].lr = o.lr;
          break;
        case 'save':
          if (opt) saved = { text: saveState(checkpoint({ parameters: params, optimizer: opt })), sizes: params.map((p) => p.size) };
          break;
        case 'load':
          // Only into the same layout; anything else must be refused (and is traced).
          if (opt && saved) restore(loadState<Checkpoint>(saved.text), { parameters: params, optimizer: opt });
          break;
        case 'dispose': {
          if (params.length === 0) break;
          const [p] = params.splice(o.which % params.length, 1);
          p.dispose();
          rebuild();
          break;
        }
        case 'grow': {
          // Memory grows (wasm) and the views of every parameter must follow.
          const big = Parameter.zeros(o.floats);
          big.dispose();
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof SimdoptError)) throw e;
      result = `error ${e.argument}`;
    }
    trace.push(`${o.kind} ${result} ${digest(params)}`);
  }
  (opt as AnyOptimizer | null)?.dispose();
  params.forEach((p) => p.dispose());
  return { trace, leftover: backendInfo().liveBytes - start };
}

describe('fuzzing against the js backend as the model', () => {
  it('wasm-simd and wasm follow the js trace bit for bit and leak nothing', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await init({ backend: 'js' });
        const model = execute(s);
        expect(model.leftover).toBe(0);
        for (const backend of ['wasm-simd', 'wasm'] as const) {
          await init({ backend, initialMemoryBytes: 256 << 10 });
          const run = execute(s);
          expect(run.trace).toEqual(model.trace);
          expect(run.leftover).toBe(0);
        }
      }),
      { seed: 20250101, numRuns: 60 },
    );
  });
});

/** Random lengths, element offsets (unaligned for SIMD) and options for the array functions. */
interface KitCase {
  n: number;
  offsets: [number, number, number];
  /** The arrays are views of Parameters (wasm memory: passed by address) or plain arrays (copied). */
  inWasm: boolean;
  loss: 'mse' | 'l1' | 'huber' | 'smoothL1' | 'bce' | 'ce';
  param: number;
  reduction: 'mean' | 'sum' | 'none';
  classes: number;
  smoothing: number;
  p: number;
  seed: number;
  inPlace: boolean;
}

const kitCase: fc.Arbitrary<KitCase> = fc.record({
  n: fc.integer({ min: 1, max: 150 }),
  offsets: fc.tuple(fc.nat(7), fc.nat(7), fc.nat(7)),
  inWasm: fc.boolean(),
  loss: fc.constantFrom('mse' as const, 'l1' as const, 'huber' as const, 'smoothL1' as const, 'bce' as const, 'ce' as const),
  param: fc.double({ min: 0.05, max: 3, noNaN: true }),
  reduction: fc.constantFrom('mean' as const, 'sum' as const, 'none' as const),
  classes: fc.integer({ min: 1, max: 9 }),
  smoothing: fc.constantFrom(0, 0.1, 1),
  p: fc.constantFrom(0, 0.1, 0.5, 0.9, 1),
  seed: fc.nat(1 << 20),
  inPlace: fc.boolean(),
});

const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer)).join(',');

/** Runs one loss and one dropout of a case on the active backend; every output as bits. */
function executeKit(c: KitCase): string[] {
  const owned: Parameter[] = [];
  // A view of `n` values at element offset `off`, in wasm memory or not; `get` re-reads it
  // (a view of wasm memory is re-derived rather than trusted across a call).
  const array = (k: number, n: number, scale: number): { view: Float32Array; get: () => Float32Array } => {
    const off = c.offsets[k];
    const source = values(c.seed + k, n + 8, scale);
    if (!c.inWasm) {
      const view = source.subarray(off, off + n);
      return { view, get: () => view };
    }
    const holder = Parameter.from(source);
    owned.push(holder);
    return { view: holder.data.subarray(off, off + n), get: () => holder.data.subarray(off, off + n) };
  };
  const out: string[] = [];
  const rows = c.loss === 'ce' ? Math.max(1, Math.floor(c.n / c.classes)) : c.n;
  const n = c.loss === 'ce' ? rows * c.classes : c.n;
  const input = array(0, n, 4);
  const grad = array(2, n, 1);
  let value: number | Float32Array;
  if (c.loss === 'ce') {
    const targets = Int32Array.from({ length: rows }, (_, i) => (c.seed + 7 * i) % c.classes);
    value = crossEntropyLoss(input.view, targets, { numClasses: c.classes, labelSmoothing: c.smoothing, reduction: c.reduction, grad: grad.view });
  } else {
    const target = array(1, n, c.loss === 'bce' ? 0.5 : 4);
    const o = { reduction: c.reduction, grad: grad.view };
    if (c.loss === 'mse') value = mseLoss(input.view, target.view, o);
    else if (c.loss === 'l1') value = l1Loss(input.view, target.view, o);
    else if (c.loss === 'huber') value = huberLoss(input.view, target.view, { ...o, delta: c.param });
    else if (c.loss === 'smoothL1') value = smoothL1Loss(input.view, target.view, { ...o, beta: c.param });
    else value = bceWithLogitsLoss(input.view, target.view, o);
  }
  out.push(typeof value === 'number' ? String(new Float64Array([value])[0]) : bitsOf(value), bitsOf(grad.get()));
  const drop = new Dropout(c.p, { seed: c.seed });
  const dropped = c.inPlace ? drop.forward(input.view, input.view) : drop.forward(input.view);
  out.push(bitsOf(c.inPlace ? input.get() : dropped), bitsOf(drop.backward(grad.get())));
  owned.forEach((p) => p.dispose());
  return out;
}

describe('fuzzing the array functions at random offsets', () => {
  it('losses and dropout on wasm-simd and wasm equal the js model bit for bit', async () => {
    // The same 80 random cases on each backend in turn: one init() per backend, not three per
    // case (Chromium runs out of address space for 240 short-lived wasm memories).
    const cases = fc.sample(kitCase, { seed: 20250102, numRuns: 80 });
    await init({ backend: 'js' });
    const model = cases.map((c) => executeKit(c));
    for (const backend of ['wasm-simd', 'wasm'] as const) {
      await init({ backend, initialMemoryBytes: 1 << 20 });
      cases.forEach((c, i) => {
        const got = executeKit(c);
        if (JSON.stringify(got) !== JSON.stringify(model[i])) expect({ backend, case: c, got }).toEqual({ backend, case: c, got: model[i] });
      });
    }
  });
});
