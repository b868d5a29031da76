/**
 * Checkpoints: `checkpoint({ parameters, optimizer, scheduler })` survives JSON text
 * (saveState/loadState) and structured clone bit for bit, is versioned, and a run resumed from it
 * into freshly built objects matches the uninterrupted run step for step, for every optimizer
 * with a scheduler, at several cut points, on every backend.
 */
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT_VERSION,
  CosineAnnealingLR,
  init,
  loadState,
  OneCycleLR,
  Parameter,
  ReduceLROnPlateau,
  restore,
  saveState,
  SCHEDULER_STATE_VERSION,
  checkpoint,
  type Checkpoint,
  type LRScheduler,
} from 'simdopt';
import { build, gradientAt, RICH_OPTIONS, sameBits, sameState, values, type AnyOptimizer } from './support/harness.js';
import { FLAT_OPTIMIZERS } from './support/reference.js';
import { BACKENDS } from './support/vectors.js';

const SIZES = [37, 6];
const STEPS = 12;
const CUTS = [1, 4, 7, 11];
type Scheduler = LRScheduler | ReduceLROnPlateau;

/** The scheduler of a run: OneCycleLR where the optimizer has momentum or betas to cycle. */
function makeScheduler(className: string, opt: AnyOptimizer): Scheduler {
  if (className === 'Adagrad') return new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 });
  const cycles = 'betas' in opt.paramGroups[0] || (opt.paramGroups[0].momentum as number) > 0;
  return cycles
    ? new OneCycleLR(opt, { maxLr: 0.05, totalSteps: STEPS + 1 })
    : new CosineAnnealingLR(opt, { tMax: 5, etaMin: 1e-4 });
}

function stepScheduler(s: Scheduler, k: number): void {
  if (s instanceof ReduceLROnPlateau) s.step(k % 3 === 0 ? 1 : 2); // plateaus, then reduces
  else s.step();
}

interface Run {
  params: Parameter[];
  opt: AnyOptimizer;
  sched: Scheduler;
}

function fresh(className: string, seed: number): Run {
  const params = SIZES.map((n, i) => Parameter.from(values(seed + i, n)));
  const opt = build(className, params, RICH_OPTIONS[className]);
  return { params, opt, sched: makeScheduler(className, opt) };
}

function stepRun(r: Run, k: number): void {
  r.params.forEach((p, i) => p.grad.set(gradientAt(k, i, p.size)));
  r.opt.step();
  stepScheduler(r.sched, k);
}

function dispose(r: Run): void {
  r.opt.dispose();
  r.params.forEach((p) => p.dispose());
}

const TRANSPORTS: [string, (c: Checkpoint) => Checkpoint][] = [
  ['JSON text', (c) => loadState<Checkpoint>(saveState(c))],
  ['structured clone', (c) => structuredClone(c)],
];

describe.each(BACKENDS)('checkpoints on %s', (backend) => {
  it.each(FLAT_OPTIMIZERS)('%s + scheduler: a resumed run matches the uninterrupted one step for step', async (className) => {
    await init({ backend, initialMemoryBytes: 1 << 20 });
    const straight = fresh(className, 1);
    const trajectory: Float32Array[][] = [];
    const lrs: number[][] = [];
    for (let k = 1; k <= STEPS; k++) {
      stepRun(straight, k);
      trajectory.push(straight.params.map((p) => p.data.slice()));
      lrs.push(straight.opt.paramGroups.map((g) => g.lr));
    }
    for (const cut of CUTS) {
      for (const [transport, carry] of TRANSPORTS) {
        const label = `cut ${cut}, ${transport}`;
        const first = fresh(className, 1);
        for (let k = 1; k <= cut; k++) stepRun(first, k);
        const saved = carry(checkpoint({ parameters: first.params, optimizer: first.opt, scheduler: first.sched }));
        dispose(first);
        // Other initial values, a fresh optimizer and scheduler: everything must come from the checkpoint.
        const resumed = fresh(className, 99);
        restore(saved, { parameters: resumed.params, optimizer: resumed.opt, scheduler: resumed.sched });
        for (let k = cut + 1; k <= STEPS; k++) {
          stepRun(resumed, k);
          resumed.params.forEach((p, i) => expect(sameBits(p.data, trajectory[k - 1][i]), `${label}, step ${k}`).toBe(true));
          expect(resumed.opt.paramGroups.map((g) => g.lr), `${label}, step ${k}`).toEqual(lrs[k - 1]);
        }
        expect(sameState(resumed.opt.stateDict().state, straight.opt.stateDict().state), label).toBe(true);
        expect(resumed.sched.stateDict(), label).toEqual(straight.sched.stateDict());
        dispose(resumed);
      }
    }
    dispose(straight);
  });
});

describe('checkpoint format', () => {
  it('is versioned and keeps every float32 bit (NaN payloads, −0, ±Infinity, subnormals) through JSON and structured clone', async () => {
    await init({ backend: 'wasm-simd' });
    const bits = new Uint32Array([0x7fc00001, 0xffc12345, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x3f800000]);
    // `p` is frozen so that its special values reach the checkpoint as written; `q` gets state.
    const p = Parameter.from(new Float32Array(bits.buffer), { requiresGrad: false });
    const q = Parameter.from([1, 2, 3]);
    const opt = build('Adam', [p, q], {});
    q.grad.set([1, -2, 3]);
    opt.step();
    const sched = new CosineAnnealingLR(opt, { tMax: 3 });
    const c = checkpoint({ parameters: { weight: p, q }, optimizer: opt, scheduler: sched });
    expect(c.format).toBe('simdopt-checkpoint');
    expect(c.version).toBe(CHECKPOINT_VERSION);
    expect(c.optimizer!.version).toBe(1);
    expect(c.scheduler!.version).toBe(SCHEDULER_STATE_VERSION);
    for (const [, carry] of TRANSPORTS) {
      const back = carry(c);
      expect(back.parameters.weight).toBeInstanceOf(Float32Array);
      expect(Array.from(new Uint32Array(back.parameters.weight.buffer, back.parameters.weight.byteOffset, 7))).toEqual(Array.from(bits));
      const m = back.optimizer!.state[1].exp_avg as Float32Array;
      expect(sameBits(m, c.optimizer!.state[1].exp_avg as Float32Array)).toBe(true);
      expect(back.scheduler).toEqual(c.scheduler);
    }
    // Restoring writes those exact bits back.
    p.data.fill(0);
    restore(loadState<Checkpoint>(saveState(c)), { parameters: { weight: p, q }, optimizer: opt, scheduler: sched });
    expect(Array.from(new Uint32Array(p.data.slice().buffer))).toEqual(Array.from(bits));
  });

  it('a checkpoint whose scheduler part does not fit restores nothing, the optimizer included', async () => {
    await init({ backend: 'js' });
    const r = fresh('SGD', 1);
    stepRun(r, 1);
    const good = checkpoint({ parameters: r.params, optimizer: r.opt, scheduler: r.sched });
    stepRun(r, 2);
    const before = checkpoint({ parameters: r.params, optimizer: r.opt, scheduler: r.sched });
    const bad = { ...good, scheduler: { ...good.scheduler!, baseLrs: [0.1, 0.2] } };
    expect(() => restore(bad, { parameters: r.params, optimizer: r.opt, scheduler: r.sched })).toThrow(/checkpoint\.scheduler/);
    const badOptimizer = { ...good, optimizer: { ...good.optimizer!, version: 5 } };
    expect(() => restore(badOptimizer, { parameters: r.params, optimizer: r.opt, scheduler: r.sched })).toThrow(/checkpoint\.optimizer\.version/);
    const now = checkpoint({ parameters: r.params, optimizer: r.opt, scheduler: r.sched });
    expect(sameState(now.optimizer!.state, before.optimizer!.state)).toBe(true);
    expect(now.scheduler).toEqual(before.scheduler);
    expect(now.optimizer!.paramGroups).toEqual(before.optimizer!.paramGroups);
    r.params.forEach((_, i) => expect(sameBits(now.parameters[i], before.parameters[i])).toBe(true));
  });
});
