/** The tfjs-backend-wasm suites' models and comparisons (Node: tfjs-wasm.node.test.ts; Chromium: browser/tfjs-wasm.test.ts). */
import * as tf from '@tensorflow/tfjs';

/** Two 6-16-2 dense models with the same initial weights: one for tfjs's optimizer, one for simdopt's. */
export function twins(): [tf.Sequential, tf.Sequential] {
  const build = () =>
    tf.sequential({ layers: [tf.layers.dense({ units: 16, activation: 'relu', inputShape: [6] }), tf.layers.dense({ units: 2 })] });
  const a = build();
  const b = build();
  b.setWeights(a.getWeights().map((w) => w.clone()));
  return [a, b];
}

/** A model's weights, copied out. */
export const copy = (m: tf.LayersModel) => m.getWeights().map((w) => (w.dataSync() as Float32Array).slice());

/** The largest absolute difference between two weight lists. */
export const maxDiff = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.map((x, i) => Math.max(...x.map((v, j) => Math.abs(v - b[i][j])))));

/** `n` values `f(0) … f(n − 1)`. */
export const series = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
