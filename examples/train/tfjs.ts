/**
 * `--compare tfjs`: the same training loop in TensorFlow.js (tfjs-core 4.22 on its wasm backend,
 * the SIMD build; tfjs runs it single-threaded in Node), step for step like train.ts:
 *
 * - the same initial weights (copied from simdopt's seeded Linear layers), the same batches in the
 *   same order, the same dropout masks (drawn with simdopt's Dropout of the same seed, then
 *   uploaded), the same learning rate at every step (read off the simdopt scheduler);
 * - forward and backward written out with tf ops (matMul, relu, softmax…), because tfjs-core's
 *   autodiff needs `@tensorflow/tfjs-core/dist/register_all_gradients`, an ES module whose
 *   extensionless imports Node refuses (ERR_MODULE_NOT_FOUND); only the union package
 *   `@tensorflow/tfjs` bundles the gradients for Node;
 * - clipping, coupled L2 (g += λ·w before the step) and AdamW's decoupled decay
 *   (w ← w·(1 − lr·λ) before the step, tfjs has no AdamW) written with tf ops as PyTorch defines
 *   them; the update itself is tfjs's own sgd/momentum/rmsprop/adam with the same hyperparameters
 *   and eps 1e-8 (tfjs's default is 1e-7).
 *
 * What still differs: float32 summation orders, and tfjs's RMSprop puts eps inside the square
 * root (g/√(v + eps) instead of PyTorch's g/(√v + eps)). So the losses are close, not identical.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import { nn } from 'simdopt';
import type { Dataset, Split } from './data.js';
import {
  batchSizeOf,
  buildModel,
  EVAL_CHUNK,
  lrSequence,
  seeds,
  type EpochRecord,
  type Hooks,
  type Metrics,
  type OptimizerSpec,
  type TrainConfig,
} from './train.js';
import { batches } from 'simdopt';

type Tf = typeof TF;

export interface TfjsRun {
  history: EpochRecord[];
  trainMs: number;
  wallMs: number;
  steps: number;
}

let loaded: { tf: Tf; binary: string } | null = null;

/** Loads tfjs-core and its wasm backend from node_modules (the .wasm files ship in the package). */
export async function loadTfjs(): Promise<{ tf: Tf; binary: string; version: string }> {
  if (!loaded) {
    const tf = (await import('@tensorflow/tfjs-core')) as Tf;
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
    wasm.setWasmPaths(dist); // a local folder: nothing is fetched
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    loaded = { tf, binary: `tfjs-backend-wasm${threads ? '-threaded' : ''}${simd ? '-simd' : ''}.wasm` };
  }
  return { ...loaded, version: loaded.tf.version_core };
}

interface Layer {
  w: TF.Variable;
  b: TF.Variable;
}

/** Trains `spec` with tfjs; must be called after `loadTfjs()`. */
export function runTfjs(spec: OptimizerSpec, data: Dataset, config: TrainConfig, hooks: Hooks = {}): TfjsRun {
  const tf = loaded!.tf;
  const t0 = performance.now();
  const lr = config.lr ?? spec.lr;
  const batchSize = batchSizeOf(spec, data, config);
  const stepsPerEpoch = Math.ceil(data.train.rows / batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  const lrs = lrSequence(spec, config.scheduler, lr, totalSteps);

  // The seed's initial weights, and Dropout modules of the same seeds as the mask source.
  const init = buildModel(data, config);
  const linears = init.layers.filter((l): l is nn.Linear => l instanceof nn.Linear);
  const layers: Layer[] = linears.map((l, i) => ({
    w: tf.variable(tf.tensor2d(l.weight.data.slice(), [l.outFeatures, l.inFeatures]), true, `fc${i + 1}.weight`),
    b: tf.variable(tf.tensor1d(l.bias!.data.slice()), true, `fc${i + 1}.bias`),
  }));
  init.dispose();
  const s = seeds(config.seed);
  const masks = s.dropout.map((seed) => new nn.Dropout(config.dropout, { seed }));
  const ones = new Float32Array(batchSize * config.hidden).fill(1);

  const optimizer = makeTfOptimizer(tf, spec, lr);
  // Adam and RMSprop read `learningRate` at every step; SGD and momentum keep it in a scalar
  // tensor that setLearningRate replaces. (Not `instanceof`: tfjs's Optimizer overrides
  // Symbol.hasInstance, so every optimizer is an "SGDOptimizer".)
  const setLr = (v: number) => {
    if (spec.name === 'gd' || spec.name === 'sgd' || spec.name === 'momentum') (optimizer as TF.SGDOptimizer).setLearningRate(v);
    else (optimizer as unknown as { learningRate: number }).learningRate = v;
  };
  const order = batches(data.train.rows, batchSize, { shuffle: !spec.fullBatch, seed: s.batches });
  const xBatch = new Float32Array(batchSize * data.features);
  const yBatch = data.task === 'classification' ? new Int32Array(batchSize) : new Float32Array(batchSize);
  const history: EpochRecord[] = [];
  let trainMs = 0;
  let step = 0;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const e0 = performance.now();
    for (const index of order) {
      const n = index.length;
      for (let k = 0; k < n; k++) {
        const r = index[k];
        xBatch.set(data.train.x.subarray(r * data.features, (r + 1) * data.features), k * data.features);
        yBatch[k] = data.train.y[r];
      }
      const m = masks.map((d) => d.forward(ones.subarray(0, n * config.hidden)).slice());
      const lrNow = lrs[step];
      setLr(lrNow);
      tf.tidy(() => {
        const x = tf.tensor2d(xBatch.subarray(0, n * data.features), [n, data.features]);
        const mt = m.map((v) => tf.tensor2d(v, [n, config.hidden]));
        const grads = forwardBackward(tf, layers, data, x, yBatch.subarray(0, n), mt);
        clipAndDecay(tf, spec, layers, grads, config.clip, lrNow);
        optimizer.applyGradients(grads);
      });
      step++;
    }
    trainMs += performance.now() - e0;
    const record: EpochRecord = {
      epoch,
      train: evaluateTf(tf, layers, data, data.train),
      test: evaluateTf(tf, layers, data, data.test),
      lr: lrs[step],
    };
    history.push(record);
    hooks.onEpoch?.(record);
  }
  optimizer.dispose();
  for (const l of layers) tf.dispose([l.w, l.b]);
  masks.forEach((d) => d.dispose());
  return { history, trainMs, wallMs: performance.now() - t0, steps: step };
}

function makeTfOptimizer(tf: Tf, spec: OptimizerSpec, lr: number): TF.Optimizer {
  switch (spec.name) {
    case 'gd':
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, spec.momentum);
    case 'rmsprop':
      return tf.train.rmsprop(lr, 0.99, 0, 1e-8);
    case 'adam':
    case 'adamw':
      return tf.train.adam(lr, 0.9, 0.999, 1e-8);
    default:
      throw new Error(`TensorFlow.js has no ${spec.label}`);
  }
}

/** Linear → ReLU → Dropout twice, then Linear; returns the logits and what backward needs. */
function forward(tf: Tf, layers: Layer[], x: TF.Tensor2D, masks: TF.Tensor2D[] | null) {
  const inputs: TF.Tensor2D[] = [];
  const pre: TF.Tensor2D[] = [];
  let h = x;
  for (let i = 0; i < layers.length; i++) {
    inputs.push(h);
    const z = tf.add(tf.matMul(h, layers[i].w, false, true), layers[i].b) as TF.Tensor2D;
    if (i === layers.length - 1) return { out: z, inputs, pre };
    pre.push(z);
    h = tf.relu(z);
    if (masks) h = tf.mul(h, masks[i]);
  }
  throw new Error('unreachable');
}

/** d(loss)/d(output) of a batch (training), and the loss (evaluation): cross-entropy of logits, or MSE. */
function lossGrad(tf: Tf, data: Dataset, out: TF.Tensor2D, y: Int32Array | Float32Array) {
  const n = y.length;
  if (data.task === 'classification') {
    const onehot = tf.oneHot(tf.tensor1d(y as Int32Array, 'int32'), data.outputs) as TF.Tensor2D;
    return {
      loss: () => tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(out)), 1))),
      grad: () => tf.div(tf.sub(tf.softmax(out), onehot), n) as TF.Tensor2D,
    };
  }
  const diff = tf.sub(out, tf.tensor2d(y as Float32Array, [n, 1]));
  return { loss: () => tf.mean(tf.square(diff)), grad: () => tf.mul(diff, 2 / n) as TF.Tensor2D };
}

/** Backward by hand (dW = dzᵀ·x, db = Σ dz, dx = dz·W); returns the gradients by variable name. */
function forwardBackward(tf: Tf, layers: Layer[], data: Dataset, x: TF.Tensor2D, y: Int32Array | Float32Array, masks: TF.Tensor2D[]) {
  const { out, inputs, pre } = forward(tf, layers, x, masks);
  let dz = lossGrad(tf, data, out, y).grad();
  const grads: Record<string, TF.Tensor> = {};
  for (let i = layers.length - 1; i >= 0; i--) {
    grads[layers[i].w.name] = tf.matMul(dz, inputs[i], true, false);
    grads[layers[i].b.name] = tf.sum(dz, 0);
    if (i === 0) break;
    const dh = tf.matMul(dz, layers[i].w);
    // Through dropout (same mask) and ReLU (1 where the pre-activation was positive).
    dz = tf.mul(tf.mul(dh, masks[i - 1]), tf.step(pre[i - 1])) as TF.Tensor2D;
  }
  return grads;
}

/** PyTorch's clip_grad_norm_ (coefficient min(1, maxNorm/(norm + 1e-6))), then the decay. */
function clipAndDecay(tf: Tf, spec: OptimizerSpec, layers: Layer[], grads: Record<string, TF.Tensor>, maxNorm: number, lr: number): void {
  const names = Object.keys(grads);
  if (maxNorm !== Infinity) {
    const norm = tf.sqrt(tf.addN(names.map((k) => tf.sum(tf.square(grads[k])))));
    const coef = tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, 1e-6)));
    for (const k of names) grads[k] = tf.mul(grads[k], coef);
  }
  if (spec.weightDecay === 0) return;
  const vars = new Map(layers.flatMap((l) => [[l.w.name, l.w], [l.b.name, l.b]] as const));
  for (const k of names) {
    const w = vars.get(k)!;
    if (spec.decoupled) w.assign(tf.mul(w, 1 - lr * spec.weightDecay));
    else grads[k] = tf.add(grads[k], tf.mul(w, spec.weightDecay));
  }
}

/** Loss and accuracy (or R²) without dropout, EVAL_CHUNK rows at a time. */
function evaluateTf(tf: Tf, layers: Layer[], data: Dataset, split: Split): Metrics {
  let lossSum = 0;
  let hits = 0;
  let sse = 0;
  let sst = 0;
  let mean = 0;
  for (let i = 0; i < split.rows; i++) mean += split.y[i] / split.rows;
  for (let start = 0; start < split.rows; start += EVAL_CHUNK) {
    const n = Math.min(EVAL_CHUNK, split.rows - start);
    const y = split.y.subarray(start, start + n);
    tf.tidy(() => {
      const x = tf.tensor2d(split.x.subarray(start * data.features, (start + n) * data.features), [n, data.features]);
      const { out } = forward(tf, layers, x, null);
      lossSum += lossGrad(tf, data, out, y).loss().dataSync()[0] * n;
      if (data.task === 'classification') {
        const pred = tf.argMax(out, 1).dataSync();
        for (let r = 0; r < n; r++) if (pred[r] === y[r]) hits++;
      } else {
        const o = out.dataSync();
        for (let r = 0; r < n; r++) {
          sse += (o[r] - y[r]) ** 2;
          sst += (y[r] - mean) ** 2;
        }
      }
    });
  }
  const score = data.task === 'classification' ? hits / split.rows : 1 - sse / (sst || 1);
  return { loss: lossSum / split.rows, score };
}
