/**
 * The hand-written reference kernels: each benchmarked update, specialised for its benchmarked
 * configuration (no maximize, no coupled weight decay, no flags), in the operation order of
 * PyTorch's single-tensor code (and of simdopt's kernels, so results agree to the last bit where
 * the update is the same). ./wat.ts compiles each into one single-pass simd128 function.
 *
 * Constants are the per-step scalars of the argument block, in order.
 */
import type { RefKernelSource } from './wat.js';

const ADAM_MOMENTS = `
  m = m + w1 * (g - m)
  v = v * b2 + omb2 * g * g`;

export const REF_KERNELS: RefKernelSource[] = [
  { name: 'sgd', slots: [], consts: ['neglr'], body: 'p = p + neglr * g' },
  {
    name: 'sgd_momentum',
    slots: ['b'],
    consts: ['mu', 'neglr'],
    body: `
      b = b * mu + g
      p = p + neglr * b`,
  },
  {
    name: 'rmsprop',
    slots: ['v'],
    consts: ['alpha', 'oma', 'eps', 'neglr'],
    body: `
      v = v * alpha + oma * g * g
      p = p + (neglr * g) / (sqrt(v) + eps)`,
  },
  {
    name: 'adagrad',
    slots: ['s'],
    consts: ['negclr', 'eps'],
    body: `
      s = s + g * g
      p = p + (negclr * g) / (sqrt(s) + eps)`,
  },
  {
    name: 'adam',
    slots: ['m', 'v'],
    consts: ['w1', 'b2', 'omb2', 'negstep', 'bc2sqrt', 'eps'],
    body: `${ADAM_MOMENTS}
      p = p + (negstep * m) / (sqrt(v) / bc2sqrt + eps)`,
  },
  {
    name: 'adamw',
    slots: ['m', 'v'],
    consts: ['w1', 'b2', 'omb2', 'negstep', 'bc2sqrt', 'eps', 'factor'],
    body: `
      p = p * factor${ADAM_MOMENTS}
      p = p + (negstep * m) / (sqrt(v) / bc2sqrt + eps)`,
  },
  {
    name: 'lion',
    slots: ['m'],
    consts: ['b1', 'omb1', 'b2', 'omb2', 'neglr'],
    body: `
      c = b1 * m + omb1 * g
      m = b2 * m + omb2 * g
      p = p + neglr * sign(c)`,
  },
  {
    name: 'adadelta',
    slots: ['sq', 'acc'],
    consts: ['rho', 'omr', 'eps', 'neglr'],
    body: `
      sq = sq * rho + omr * g * g
      d = sqrt(acc + eps) / sqrt(sq + eps) * g
      acc = acc * rho + omr * d * d
      p = p + neglr * d`,
  },
  {
    name: 'adamax',
    slots: ['m', 'u'],
    consts: ['w1', 'b2', 'eps', 'negclr'],
    body: `
      m = m + w1 * (g - m)
      u = max(u * b2, abs(g) + eps)
      p = p + (negclr * m) / u`,
  },
  {
    name: 'nadam',
    slots: ['m', 'v'],
    consts: ['w1', 'b2', 'omb2', 'bc2', 'eps', 'gcoef', 'mcoef'],
    body: `${ADAM_MOMENTS}
      d = sqrt(v / bc2) + eps
      p = p + (gcoef * g) / d
      p = p + (mcoef * m) / d`,
  },
  {
    name: 'radam',
    slots: ['m', 'v'],
    consts: ['w1', 'b2', 'omb2', 'bc1', 'lr', 'eps', 'bc2sqrt', 'rect'],
    body: `${ADAM_MOMENTS}
      st = m / bc1 * lr
      ad = 1 / (sqrt(v) + eps) * bc2sqrt
      p = p - st * ad * rect`,
  },
  {
    name: 'radam_unrectified',
    slots: ['m', 'v'],
    consts: ['w1', 'b2', 'omb2', 'bc1', 'lr'],
    body: `${ADAM_MOMENTS}
      p = p - m / bc1 * lr`,
  },
];
