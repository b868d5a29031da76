/**
 * Gradients of the nn layers against central finite differences of the same model in float64,
 * on every backend: for a random output weighting g, the loss L = Σ g·y has dL/dx = backward(g)
 * and dL/dθ = the accumulated `.grad`. FD step 1e-6 in float64; the float32 results must agree
 * within 2e-5·(1 + |FD|), and the float32 forward with the float64 model within 1e-5·(1 + |y|).
 */
import { describe, expect, it } from 'vitest';
import { init, nn } from 'simdopt';
import { BACKENDS } from './support/vectors.js';
import {
  centralDifference, dot, forward64, makeActivation, randoms, snapshot, type ActivationName, type Layer64,
} from './support/nn-reference.js';

interface Model {
  modules: nn.Module[];
  names: (ActivationName | null)[];
  inF: number;
}

function linear(i: number, o: number, seed: number, bias = true): [nn.Module, null] {
  return [new nn.Linear(i, o, { seed, bias }), null];
}

function act(name: ActivationName): [nn.Module, ActivationName] {
  return [makeActivation(name), name];
}

function model(inF: number, parts: [nn.Module, ActivationName | null][]): Model {
  return { modules: parts.map((p) => p[0]), names: parts.map((p) => p[1]), inF };
}

const CASES: [string, () => Model][] = [
  ['Linear', () => model(5, [linear(5, 4, 11)])],
  ['Linear without bias', () => model(3, [linear(3, 6, 12, false)])],
  ...(['relu', 'tanh', 'sigmoid', 'gelu', 'geluTanh'] as ActivationName[]).map(
    (name): [string, () => Model] => [name, () => model(6, [act(name)])],
  ),
  ['MLP (GELU, Tanh, Sigmoid)', () => model(6, [linear(6, 8, 1), act('gelu'), linear(8, 5, 2), act('tanh'), linear(5, 3, 3), act('sigmoid')])],
  ['MLP (ReLU, GELU tanh)', () => model(7, [linear(7, 9, 4), act('relu'), linear(9, 9, 5), act('geluTanh'), linear(9, 2, 6)])],
];

const BATCH = 3;

function check(make: () => Model, seed: number): void {
  const m = make();
  const seq = new nn.Sequential(...m.modules);
  try {
    // Inputs away from ReLU's kink, so the FD step never crosses it.
    const x = randoms(BATCH * m.inF, seed, 2).map((v) => (Math.abs(v) < 0.1 ? v + 0.3 : v));
    const y = seq.forward(x).slice();
    const g = randoms(y.length, seed + 1, 1);
    const params = seq.parameters();
    seq.zeroGrad();
    const dx = seq.backward(g).slice();
    const layers = snapshot(m.modules, m.names);
    const xs = Array.from(x);
    const y64 = forward64(layers, xs, BATCH);
    y64.forEach((v, i) => {
      if (!(Math.abs(y[i] - v) <= 1e-5 * (1 + Math.abs(v)))) expect.fail(`forward[${i}]: ${y[i]} vs float64 ${v}`);
    });
    const agree = (what: string, ours: number, fd: number) => {
      if (!(Math.abs(ours - fd) <= 2e-5 * (1 + Math.abs(fd)))) expect.fail(`${what}: backward ${ours} vs finite difference ${fd}`);
    };
    const loss = (ls: Layer64[], input: number[]) => dot(forward64(ls, input, BATCH), g);
    for (let j = 0; j < xs.length; j++) agree(`dL/dx[${j}]`, dx[j], centralDifference((v) => loss(layers, v), xs, j));
    // Each parameter: perturb its float64 copy in the snapshot.
    let linearIndex = 0;
    layers.forEach((layer, li) => {
      if ('act' in layer) return;
      const w = params[linearIndex++];
      const b = layer.b ? params[linearIndex++] : null;
      const withW = (v: number[]) => loss(layers.map((l, k) => (k === li ? { ...layer, w: v } : l)), xs);
      for (let j = 0; j < layer.w.length; j++) agree(`layer ${li} dL/dW[${j}]`, w.grad[j], centralDifference(withW, layer.w, j));
      if (b && layer.b) {
        const withB = (v: number[]) => loss(layers.map((l, k) => (k === li ? { ...layer, b: v } : l)), xs);
        for (let j = 0; j < layer.b.length; j++) agree(`layer ${li} dL/db[${j}]`, b.grad[j], centralDifference(withB, layer.b, j));
      }
    });
    expect(linearIndex).toBe(params.length);
  } finally {
    seq.dispose();
  }
}

describe.each(BACKENDS)('gradients match float64 finite differences on %s', (backend) => {
  it.each(CASES)('%s', async (_name, make) => {
    await init({ backend });
    for (const seed of [101, 202, 303]) check(make, seed);
  });
});
