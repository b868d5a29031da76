/**
 * simdopt/tfjs on tfjs-backend-wasm in Chromium (the Node twin is tfjs-wasm.node.test.ts): the
 * gradients are read from the wasm heap, the values assigned back; model.fit against tfjs's own
 * SGD and Adam.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Adam, init, SGD, type Optimizer, type Parameter } from 'simdopt';
import { tfjsOptimizer } from 'simdopt/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { copy, maxDiff, series, twins } from '../support/tfjs-models.js';

beforeAll(async () => {
  await init();
  // The dev server serves node_modules; one thread (no cross-origin isolation here anyway).
  setWasmPaths(new URL('/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.origin).href);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  expect(await tf.setBackend('wasm')).toBe(true);
});

const fit = { epochs: 3, batchSize: 10, shuffle: false, verbose: 0 } as const;

describe('tfjs-backend-wasm in the browser', () => {
  it('model.fit with SGD equals tf.train.sgd, with Adam agrees with tf.train.adam to 1e-4', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const xs = tf.tensor2d(series(40 * 6, Math.sin), [40, 6]);
    const ys = tf.tensor2d(series(40 * 2, Math.cos), [40, 2]);
    type Case = [(p: Parameter[]) => Optimizer<never>, () => tf.Optimizer, number];
    const cases: Case[] = [
      [(p) => new SGD(p, { lr: 0.05 }) as never, () => tf.train.sgd(0.05), 1e-6],
      [(p) => new Adam(p, { lr: 0.01 }) as never, () => tf.train.adam(0.01, 0.9, 0.999, 1e-8), 1e-4],
    ];
    for (const [ours, theirs, tolerance] of cases) {
      const [a, b] = twins();
      const before = copy(a);
      a.compile({ optimizer: theirs(), loss: 'meanSquaredError' });
      b.compile({ optimizer: tfjsOptimizer(tf, ours), loss: 'meanSquaredError' });
      await a.fit(xs, ys, fit);
      await b.fit(xs, ys, fit);
      expect(maxDiff(copy(a), before)).toBeGreaterThan(1e-3);
      expect(maxDiff(copy(a), copy(b))).toBeLessThan(tolerance);
    }
  });

  it('matMul sees every update (no stale packed weights), and shared tensors keep their values', () => {
    const v = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    const x = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    const optimizer = tfjsOptimizer(tf, (p) => new SGD(p, { lr: 1 }));
    for (let k = 1; k <= 3; k++) {
      const shared = tf.reshape(v, [4]);
      const before = [...shared.dataSync()];
      optimizer.applyGradients({ [v.name]: tf.ones([2, 2]) });
      expect([...tf.matMul(x, v).dataSync()]).toEqual([1 - k, 2 - k, 3 - k, 4 - k]);
      expect([...shared.dataSync()]).toEqual(before);
    }
  });
});
