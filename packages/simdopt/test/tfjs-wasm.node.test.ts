/**
 * simdopt/tfjs on tfjs-backend-wasm (Node; the browser test runs the cpu backend): model.fit
 * against tfjs's own SGD and Adam, and the one-copy path (values written into the wasm heap in
 * place, never through a variable's shared storage).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Adam, init, SGD } from 'simdopt';
import { tfjsOptimizer } from 'simdopt/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { copy, maxDiff, series, twins } from './support/tfjs-models.js';

beforeAll(async () => {
  await init();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  expect(await tf.setBackend('wasm')).toBe(true);
});

let xs: tf.Tensor2D;
let ys: tf.Tensor2D;
beforeAll(() => {
  xs = tf.tensor2d(series(40 * 6, Math.sin), [40, 6]);
  ys = tf.tensor2d(series(40 * 2, Math.cos), [40, 2]);
});
const fit = { epochs: 3, batchSize: 10, shuffle: false, verbose: 0 } as const;

describe('tfjs-backend-wasm', () => {
  it('runs on the wasm backend', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it('model.fit with SGD equals tf.train.sgd to float32 rounding', async () => {
    const [a, b] = twins();
    const before = copy(a);
    a.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    b.compile({ optimizer: tfjsOptimizer(tf, (p) => new SGD(p, { lr: 0.05 })), loss: 'meanSquaredError' });
    await a.fit(xs, ys, fit);
    await b.fit(xs, ys, fit);
    expect(maxDiff(copy(a), before)).toBeGreaterThan(1e-3);
    expect(maxDiff(copy(a), copy(b))).toBeLessThan(1e-6);
  });

  it('model.fit with Adam agrees with tf.train.adam to 1e-4', async () => {
    const [a, b] = twins();
    const before = copy(a);
    a.compile({ optimizer: tf.train.adam(0.01, 0.9, 0.999, 1e-8), loss: 'meanSquaredError' });
    b.compile({ optimizer: tfjsOptimizer(tf, (p) => new Adam(p, { lr: 0.01 })), loss: 'meanSquaredError' });
    await a.fit(xs, ys, fit);
    await b.fit(xs, ys, fit);
    expect(maxDiff(copy(a), before)).toBeGreaterThan(1e-2);
    expect(maxDiff(copy(a), copy(b))).toBeLessThan(1e-4);
  });

  it('leaves tensors that shared the old value alone, and matMul sees every update', () => {
    const v = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    const x = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    const optimizer = tfjsOptimizer(tf, (p) => new SGD(p, { lr: 1 }));
    for (let k = 1; k <= 3; k++) {
      const shared = tf.reshape(v, [4]); // shares v's storage in tfjs
      const before = [...shared.dataSync()];
      optimizer.applyGradients({ [v.name]: tf.ones([2, 2]) });
      // tfjs-backend-wasm caches packed matMul weights per tensor: an in-place write would be missed here.
      expect([...tf.matMul(x, v).dataSync()]).toEqual([1 - k, 2 - k, 3 - k, 4 - k]);
      expect([...shared.dataSync()]).toEqual(before);
    }
  });

  it('minimize without a var list updates every trainable variable', () => {
    const v = tf.variable(tf.tensor1d([2, -3]));
    const optimizer = tfjsOptimizer(tf, (p) => new Adam(p, { lr: 0.2 }));
    for (let i = 0; i < 100; i++) optimizer.minimize(() => tf.sum(tf.square(v)), false, [v]);
    expect(Math.max(...[...v.dataSync()].map(Math.abs))).toBeLessThan(0.2);
  });
});
