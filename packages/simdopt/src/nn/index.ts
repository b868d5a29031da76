/**
 * simdopt.nn: a small neural-network module on the SIMD kernels. Batches are Float32Arrays of
 * `[batch, features]` in row-major order; see ./module.ts for the forward/backward contract.
 *
 * `nn.Dropout` is not here yet: it will wrap the training kit's `Dropout` (src/dropout.ts) as a
 * Module once that lands.
 */
export { Module, type BackwardOptions } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { ReLU, Tanh, Sigmoid, GELU, type GELUOptions } from './activation.js';
export { Sequential } from './sequential.js';
