/**
 * simdopt/tfjs on TensorFlow.js's cpu backend (Node and Chromium): model.fit and minimize against
 * tfjs's own SGD and Adam, schedulers, clipping, saving, and bad input leaving the model unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, ExponentialLR, init, SGD, SimdoptError } from 'simdopt';
import { tfjsOptimizer } from 'simdopt/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await init();
  await tf.setBackend('cpu');
  await tf.ready();
});

/** A small deterministic data set: x in [-1, 1]^4, 3-class one-hot targets. */
function data(n: number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const x = new Float32Array(n * 4);
  const y = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = Math.sin(i * 1.7 + j * 0.9);
    y[i * 3 + (i % 3)] = 1;
  }
  return { xs: tf.tensor2d(x, [n, 4]), ys: tf.tensor2d(y, [n, 3]) };
}

/** Two models with the same architecture and the same initial weights. */
function twins(): [tf.Sequential, tf.Sequential] {
  const build = () =>
    tf.sequential({
      layers: [tf.layers.dense({ units: 8, activation: 'tanh', inputShape: [4] }), tf.layers.dense({ units: 3, activation: 'softmax' })],
    });
  const a = build();
  const b = build();
  b.setWeights(a.getWeights());
  return [a, b];
}

/** Copies of the values (on tfjs-backend-cpu dataSync() returns the storage itself). */
function weights(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((x, i) => x.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i][j])))));
  return d;
}

const fitOptions = { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 } as const;

describe('model.fit', () => {
  it('SGD equals tf.train.sgd to float32 rounding', async () => {
    const { xs, ys } = data(32);
    const [a, b] = twins();
    const before = weights(a);
    a.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const optimizer = tfjsOptimizer(tf, (p) => new SGD(p, { lr: 0.1 }));
    b.compile({ optimizer, loss: 'categoricalCrossentropy' });
    await a.fit(xs, ys, fitOptions);
    await b.fit(xs, ys, fitOptions);
    expect(maxDiff(weights(a), before)).toBeGreaterThan(1e-3); // it trained
    expect(maxDiff(weights(a), weights(b))).toBeLessThan(1e-6);
    expect(optimizer.simdopt).toBeInstanceOf(SGD);
    expect(optimizer.parameters.map((p) => p.name)).toEqual(b.trainableWeights.map((w) => (w.read() as tf.Variable).name));
    expect(optimizer.iterations).toBe(8);
    expect(optimizer).toBeInstanceOf(tf.Optimizer);
  });

  it('Adam agrees with tf.train.adam(lr, 0.9, 0.999, 1e-8) to 1e-4 over a few steps', async () => {
    const { xs, ys } = data(32);
    const [a, b] = twins();
    a.compile({ optimizer: tf.train.adam(0.01, 0.9, 0.999, 1e-8), loss: 'categoricalCrossentropy' });
    b.compile({ optimizer: tfjsOptimizer(tf, (p) => new Adam(p, { lr: 0.01 })), loss: 'categoricalCrossentropy' });
    const before = weights(a);
    await a.fit(xs, ys, fitOptions);
    await b.fit(xs, ys, fitOptions);
    expect(maxDiff(weights(a), before)).toBeGreaterThan(1e-2);
    expect(maxDiff(weights(a), weights(b))).toBeLessThan(1e-4);
  });

  it('steps the scheduler after every update', async () => {
    const { xs, ys } = data(32);
    const [, b] = twins();
    const optimizer = tfjsOptimizer(tf, (p) => new SGD(p, { lr: 0.1 }), { scheduler: (o) => new ExponentialLR(o, { gamma: 0.5 }) });
    b.compile({ optimizer, loss: 'categoricalCrossentropy' });
    await b.fit(xs, ys, fitOptions); // 2 epochs × 4 batches
    expect(optimizer.scheduler!.getLastLr()[0]).toBeCloseTo(0.1 * 0.5 ** 8, 15);
    expect(optimizer.simdopt!.paramGroups[0].lr).toBeCloseTo(0.1 * 0.5 ** 8, 15);
  });

  it('saves and loads with the model (includeOptimizer), continuing as the original', async () => {
    const { xs, ys } = data(16);
    const [, b] = twins();
    b.compile({ optimizer: tfjsOptimizer(tf, (p) => new Adam(p, { lr: 0.01 })), loss: 'categoricalCrossentropy' });
    await b.fit(xs, ys, { ...fitOptions, epochs: 1 });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await b.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })), {
      includeOptimizer: true,
    });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const restored = loaded.optimizer as ReturnType<typeof tfjsOptimizer>;
    expect(restored.getClassName()).toBe('SimdoptOptimizer');
    await b.fit(xs, ys, { ...fitOptions, epochs: 1 });
    await loaded.fit(xs, ys, { ...fitOptions, epochs: 1 });
    expect(restored.simdopt).toBeInstanceOf(Adam);
    expect(restored.simdopt!.stateDict().state[0].step).toBe(4);
    expect(maxDiff(weights(loaded), weights(b))).toBe(0);
  });
});

describe('minimize and applyGradients', () => {
  it('minimize lowers a loss and returns the cost', () => {
    const v = tf.variable(tf.tensor1d([3, -2, 1]));
    const optimizer = tfjsOptimizer(tf, (p) => new Adam(p, { lr: 0.1 }));
    const loss = () => tf.sum(tf.square(v)) as tf.Scalar;
    const first = (optimizer.minimize(loss, true, [v]) as tf.Scalar).dataSync()[0];
    for (let i = 0; i < 50; i++) optimizer.minimize(loss, false, [v]);
    expect(first).toBeCloseTo(14, 5);
    expect(loss().dataSync()[0]).toBeLessThan(first / 10);
  });

  it('minimize with a var list that holds a non-trainable variable leaves that one alone', () => {
    const v = tf.variable(tf.tensor1d([3, -2]));
    const frozen = tf.variable(tf.tensor1d([5]), false);
    const optimizer = tfjsOptimizer(tf, (p) => new SGD(p, { lr: 0.25 }));
    const loss = () => tf.add(tf.sum(tf.square(v)), tf.sum(frozen)) as tf.Scalar;
    optimizer.minimize(loss, false, [v, frozen]);
    optimizer.minimize(loss, false, [v, frozen]);
    expect([...v.dataSync()]).toEqual([0.75, -0.5]); // v·(1 − 2·0.25) twice
    expect([...frozen.dataSync()]).toEqual([5]);
    expect(optimizer.parameters.map((p) => p.name)).toEqual([v.name]);
  });

  it('clips the gradients to clipGradNorm', () => {
    const v = tf.variable(tf.tensor1d([0, 0]));
    const optimizer = tfjsOptimizer(tf, (p) => new SGD(p, { lr: 1 }), { clipGradNorm: 1 });
    optimizer.applyGradients([{ name: v.name, tensor: tf.tensor1d([30, 40]) }]); // norm 50 → 1
    const [x, y] = v.dataSync();
    expect(x).toBeCloseTo(-0.6, 5);
    expect(y).toBeCloseTo(-0.8, 5);
  });

  it('does not write through tensors that share the variable storage', () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const copy = tf.clone(v); // shares v's storage in tfjs
    const optimizer = tfjsOptimizer(tf, (p) => new SGD(p, { lr: 1 }));
    optimizer.applyGradients({ [v.name]: tf.tensor1d([1, 1]) });
    expect([...v.dataSync()]).toEqual([0, 1]);
    expect([...copy.dataSync()]).toEqual([1, 2]);
    optimizer.applyGradients({ [v.name]: tf.tensor1d([1, 1]) });
    expect([...v.dataSync()]).toEqual([-1, 0]);
    expect([...copy.dataSync()]).toEqual([1, 2]);
  });

  it('reads back a variable assigned elsewhere between updates', () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const optimizer = tfjsOptimizer(tf, (p) => new SGD(p, { lr: 1 }));
    optimizer.applyGradients({ [v.name]: tf.tensor1d([1, 1]) });
    v.assign(tf.tensor1d([10, 20]));
    optimizer.applyGradients({ [v.name]: tf.tensor1d([1, 1]) });
    expect([...v.dataSync()]).toEqual([9, 19]);
  });

  it('skips a known variable without a gradient, as tfjs does', () => {
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]));
    const optimizer = tfjsOptimizer(tf, (p) => new Adam(p, { lr: 0.1 }));
    optimizer.applyGradients({ [a.name]: tf.tensor1d([1]), [b.name]: tf.tensor1d([1]) });
    optimizer.applyGradients([{ name: a.name, tensor: tf.tensor1d([1]) }]);
    expect(optimizer.simdopt!.stateDict().state[0].step).toBe(2);
    expect(optimizer.simdopt!.stateDict().state[1].step).toBe(1);
  });

  it('getWeights/setWeights carry the simdopt state (also into an optimizer not yet built)', async () => {
    const grads = (v: tf.Variable, k: number) => ({ [v.name]: tf.tensor1d([0.5 * k, -1, 2]) });
    const a = tf.variable(tf.tensor1d([1, 2, 3]));
    const optA = tfjsOptimizer(tf, (p) => new Adam(p, { lr: 0.05 }));
    for (let k = 1; k <= 3; k++) optA.applyGradients(grads(a, k));
    const saved = await optA.getWeights();
    expect(saved.map((w) => w.name)).toEqual(['iter', 'simdopt/state']);
    const b = tf.variable(a.clone());
    const optB = tfjsOptimizer(tf, (p) => new Adam(p, { lr: 0.05 }));
    await optB.setWeights(saved);
    expect(optB.iterations).toBe(3);
    optA.applyGradients(grads(a, 4));
    optB.applyGradients(grads(b, 4));
    expect([...b.dataSync()]).toEqual([...a.dataSync()]);
    expect(optB.simdopt!.stateDict().state[0].step).toBe(4);
  });
});

describe('bad input: a SimdoptError and the model unchanged', () => {
  it('rejects a gradient for a variable that was not in the first update', () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([3]));
    const optimizer = tfjsOptimizer(tf, (p) => new SGD(p, { lr: 1 }));
    optimizer.applyGradients({ [a.name]: tf.tensor1d([1, 1]) });
    const call = () => optimizer.applyGradients({ [a.name]: tf.tensor1d([1, 1]), [b.name]: tf.tensor1d([1]) });
    expect(call).toThrow(SimdoptError);
    expect(call).toThrow(/not among the variables of the first update/);
    expect([...a.dataSync()]).toEqual([0, 1]);
    expect([...b.dataSync()]).toEqual([3]);
  });

  it('rejects a gradient naming no variable, and a gradient of the wrong shape', () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const optimizer = tfjsOptimizer(tf, (p) => new SGD(p, { lr: 1 }));
    expect(() => optimizer.applyGradients({ 'no-such-variable': tf.tensor1d([1]) })).toThrow(/no registered tf.Variable/);
    expect(optimizer.simdopt).toBeUndefined();
    optimizer.applyGradients({ [a.name]: tf.tensor1d([1, 1]) });
    expect(() => optimizer.applyGradients({ [a.name]: tf.tensor1d([1, 1, 1]) })).toThrow(SimdoptError);
    expect([...a.dataSync()]).toEqual([0, 1]);
  });

  it('rejects a variable replaced by one of another shape (assign itself refuses a new shape)', () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const optimizer = tfjsOptimizer(tf, (p) => new SGD(p, { lr: 1 }));
    optimizer.applyGradients({ [a.name]: tf.tensor1d([1, 1]) });
    a.dispose();
    const again = tf.variable(tf.tensor1d([5, 6, 7]), true, a.name);
    expect(() => optimizer.applyGradients({ [a.name]: tf.tensor1d([1, 1, 1]) })).toThrow(SimdoptError);
    expect(() => optimizer.applyGradients({ [a.name]: tf.tensor1d([1, 1, 1]) })).toThrow(/is disposed/);
    expect([...again.dataSync()]).toEqual([5, 6, 7]);
  });

  it('rejects an update after dispose(), and dispose frees the simdopt side', () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const optimizer = tfjsOptimizer(tf, (p) => new Adam(p, { lr: 0.1 }));
    optimizer.applyGradients({ [v.name]: tf.tensor1d([1, 1]) });
    const [param] = optimizer.parameters;
    optimizer.dispose();
    expect(param.disposed).toBe(true);
    const after = [...v.dataSync()];
    expect(() => optimizer.applyGradients({ [v.name]: tf.tensor1d([1, 1]) })).toThrow(/disposed/);
    expect([...v.dataSync()]).toEqual(after);
    expect(v.isDisposed).toBe(false);
  });

  it('rejects bad arguments to tfjsOptimizer', () => {
    expect(() => tfjsOptimizer({} as typeof tf, (p) => new SGD(p))).toThrow(SimdoptError);
    expect(() => tfjsOptimizer(tf, (p) => new SGD(p), { clipGradNorm: -1 })).toThrow(/clipGradNorm/);
    expect(() => tfjsOptimizer(tf, (p) => new SGD(p), { lr: 1 } as never)).toThrow(/options.lr/);
    const v = tf.variable(tf.tensor1d([1]));
    const bad = tfjsOptimizer(tf, () => ({}) as SGD);
    expect(() => bad.applyGradients({ [v.name]: tf.tensor1d([1]) })).toThrow(/make/);
    expect([...v.dataSync()]).toEqual([1]);
  });

  it('rejects an update after init() replaced the simdopt backend', async () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const optimizer = tfjsOptimizer(tf, (p) => new Adam(p, { lr: 0.1 }));
    optimizer.applyGradients({ [v.name]: tf.tensor1d([1, 1]) });
    const after = [...v.dataSync()];
    await init({ backend: 'js' });
    try {
      expect(() => optimizer.applyGradients({ [v.name]: tf.tensor1d([1, 1]) })).toThrow(SimdoptError);
      expect([...v.dataSync()]).toEqual(after);
    } finally {
      await init();
    }
  });
});
