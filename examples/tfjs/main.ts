/**
 * A TensorFlow.js model trained with simdopt's optimizer: the usual tfjs-layers code, with the
 * optimizer switched to `tfjsOptimizer` (AdamW, cosine learning rate, gradient clipping).
 *
 *   node --import tsx examples/tfjs/main.ts [--backend=cpu|wasm] [--tfjs-adam]
 *
 * `--tfjs-adam` trains the same model with tfjs's own Adam instead, for comparison.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { AdamW, CosineAnnealingLR, init } from 'simdopt';
import { tfjsOptimizer } from 'simdopt/tfjs';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const backend = arg('backend') ?? 'cpu';
const useTfjsAdam = process.argv.includes('--tfjs-adam');

await init();
if (backend === 'wasm') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
await tf.setBackend(backend);

// Data: 2-D points, label 1 inside a circle of radius √0.5 (one-hot over 2 classes).
const n = 1024;
const points = Float32Array.from({ length: 2 * n }, () => Math.random() * 2 - 1);
const labels = Float32Array.from({ length: 2 * n }, (_, k) => {
  const i = k >> 1;
  const inside = points[2 * i] ** 2 + points[2 * i + 1] ** 2 < 0.5 ? 1 : 0;
  return (k & 1) === inside ? 1 : 0;
});
const xs = tf.tensor2d(points, [n, 2]);
const ys = tf.tensor2d(labels, [n, 2]);

const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: 'relu', inputShape: [2] }),
    tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 2, activation: 'softmax' }),
  ],
});

const epochs = 20;
const batchSize = 64;
const updates = epochs * Math.ceil(n / batchSize);
// The switch: three lines instead of `optimizer: tf.train.adam(1e-2)`.
const optimizer = useTfjsAdam
  ? tf.train.adam(1e-2)
  : tfjsOptimizer(tf, (params) => new AdamW(params, { lr: 1e-2, weightDecay: 1e-2 }), {
      scheduler: (opt) => new CosineAnnealingLR(opt, { tMax: updates }),
      clipGradNorm: 1.0,
    });
model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const started = performance.now();
await model.fit(xs, ys, {
  epochs,
  batchSize,
  verbose: 0,
  callbacks: {
    onEpochEnd: (epoch, logs) => {
      if ((epoch + 1) % 5 === 0) console.log(`epoch ${epoch + 1}: loss ${logs!.loss.toFixed(4)}, accuracy ${logs!.acc.toFixed(3)}`);
    },
  },
});
console.log(`${useTfjsAdam ? "tfjs's Adam" : "simdopt's AdamW"} on tfjs-${tf.getBackend()}: ${((performance.now() - started) / 1000).toFixed(2)} s for ${epochs} epochs`);
if (!useTfjsAdam) {
  const o = optimizer as ReturnType<typeof tfjsOptimizer>;
  console.log(`simdopt optimizer: ${o.simdopt!.paramGroups[0].params.length} parameters, lr now ${o.simdopt!.paramGroups[0].lr.toExponential(2)}`);
}
