/**
 * Determinism: a seed gives the same dropout masks, batch orders and initial weights on every
 * backend and in every run (known answers frozen below), and the same inputs give bit-identical
 * training results on the same backend.
 */
import { describe, expect, it } from 'vitest';
import { Adam, batches, clipGradNorm, crossEntropyLoss, Dropout, init, nn } from 'simdopt';
import { values } from './support/harness.js';
import { BACKENDS } from './support/vectors.js';

/** FNV-1a over the bytes' 32-bit words. */
function fnv(words: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ (words[i] >>> 0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
const bitsOf = (a: Float32Array) => new Uint32Array(a.slice().buffer);

/** What a seed determines, reduced to digests. */
function seeded(): Record<string, string> {
  const drop = new Dropout(0.3, { seed: 42 });
  const ones = new Float32Array(1000).fill(1);
  const masks = [0, 1, 2].map(() => fnv(bitsOf(drop.forward(ones))));
  const epochs = batches(100, 7, { seed: 5 });
  const orders = [0, 1].map(() => fnv([...epochs].flatMap((b) => Array.from(b))));
  const layer = new nn.Linear(13, 7, { seed: 9 });
  const init_ = [fnv(bitsOf(layer.weight.data)), fnv(bitsOf(layer.bias!.data))];
  layer.dispose();
  return { masks: masks.join(' '), orders: orders.join(' '), linear: init_.join(' ') };
}

/** A short seeded training run; every number it produced, as bits. */
function train(): string {
  const model = new nn.Sequential(new nn.Linear(10, 16, { seed: 1 }), new nn.GELU(), new nn.Linear(16, 3, { seed: 2 }));
  const opt = new Adam(model.parameters(), { lr: 0.01, weightDecay: 0.01 });
  const drop = new Dropout(0.2, { seed: 7 });
  const x = values(3, 8 * 10);
  const targets = Int32Array.from({ length: 8 }, (_, i) => i % 3);
  const grad = new Float32Array(8 * 3);
  const losses: number[] = [];
  for (const batch of batches(8, 4, { seed: 11 })) {
    opt.zeroGrad();
    const logits = model.forward(drop.forward(x));
    losses.push(crossEntropyLoss(logits, targets, { numClasses: 3, grad }));
    model.backward(grad, { inputGrad: false });
    losses.push(clipGradNorm(model.parameters(), 0.5) + batch[0]);
    opt.step();
  }
  const out = [fnv(new Uint32Array(new Float64Array(losses).buffer)), ...model.parameters().map((p) => fnv(bitsOf(p.data)))].join(' ');
  opt.dispose();
  model.dispose();
  return out;
}

// Known answers: a change here means a seed no longer reproduces earlier runs.
const KNOWN = {
  masks: '0622fb6b f4facacb 463a5da5',
  orders: '44df4c37 a27efe5d',
  linear: '492aaa56 6c179a2c',
};

describe('seeded randomness', () => {
  it('dropout masks, batch orders and Linear init are the same on every backend and match the known answers', async () => {
    const results: Record<string, Record<string, string>> = {};
    for (const backend of BACKENDS) {
      await init({ backend });
      results[backend] = seeded();
    }
    for (const backend of BACKENDS) expect(results[backend], backend).toEqual(KNOWN);
  });
});

describe.each(BACKENDS)('repeatability on %s', (backend) => {
  it('the same seeded training run twice gives the same bits', async () => {
    await init({ backend });
    const first = train();
    await init({ backend });
    expect(train()).toBe(first);
  });
});

describe('across backends', () => {
  it('the same seeded training run gives the same bits on wasm-simd, wasm and js', async () => {
    const runs: string[] = [];
    for (const backend of BACKENDS) {
      await init({ backend });
      runs.push(train());
    }
    expect(runs[1]).toBe(runs[0]);
    expect(runs[2]).toBe(runs[0]);
  });
});
