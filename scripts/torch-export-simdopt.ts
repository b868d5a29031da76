/**
 * Runs every case of test/vectors/torch/state_dicts.json in simdopt for its first k steps and
 * prints, per case, `stateDict({ format: 'torch' })` and the parameter values at k as JSON.
 * scripts/torch-load-simdopt.py calls it and loads the dicts into PyTorch.
 *   node --import tsx scripts/torch-export-simdopt.ts
 */
import { readFileSync } from 'node:fs';
import * as simdopt from '../packages/simdopt/src/index.js';

type Nested = number | Nested[];
interface Case {
  id: string;
  optimizer: string;
  options: Record<string, unknown>;
  shapes: number[][][];
  k: number;
  init: Nested[];
  grads: Nested[][];
}
const flat = (x: Nested): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

const file = JSON.parse(readFileSync(new URL('../test/vectors/torch/state_dicts.json', import.meta.url), 'utf8')) as { cases: Case[] };
await simdopt.init();
const out: Record<string, unknown> = {};
for (const c of file.cases) {
  let i = 0;
  const groups = c.shapes.map((shapes) => shapes.map((shape) => simdopt.Parameter.from(flat(c.init[i++]), { shape })));
  const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [camel(k), v]));
  const Ctor = (simdopt as unknown as Record<string, new (p: unknown, o: unknown) => simdopt.Optimizer<simdopt.BaseOptions>>)[c.optimizer];
  const input = groups.length === 1 ? groups[0] : groups.map((ps, gi) => ({ params: ps, ...(gi === 1 ? { lr: (options.lr as number) * 3 } : {}) }));
  const opt = new Ctor(input, options);
  const sched = c.id.endsWith('_with_scheduler') ? new simdopt.StepLR(opt, { stepSize: 2, gamma: 0.5 }) : null;
  const ps = groups.flat();
  for (let t = 0; t < c.k; t++) {
    ps.forEach((p, j) => p.grad.set(flat(c.grads[t][j])));
    opt.step();
    sched?.step();
  }
  out[c.id] = { state_dict: opt.stateDict({ format: 'torch' }), params: ps.map((p) => [...p.data]) };
}
process.stdout.write(JSON.stringify(out));
