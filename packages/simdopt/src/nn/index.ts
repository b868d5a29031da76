/**
 * simdopt.nn: a small neural-network module on the SIMD kernels, in the shape of `torch.nn`
 * with an explicit backward. Batches are Float32Arrays of `[batch, features]` in row-major order
 * (see ./module.ts for the forward/backward contract).
 *
 * ```ts
 * await init();
 * const model = new nn.Sequential(
 *   new nn.Linear(784, 256, { seed: 1 }), new nn.ReLU(), new nn.Linear(256, 10, { seed: 2 }),
 * );
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * opt.zeroGrad();
 * const logits = model.forward(x);                 // x: Float32Array [64 × 784] → [64 × 10]
 * // … d(loss)/d(logits) into gradLogits (a Float32Array [64 × 10]) …
 * model.backward(gradLogits, { inputGrad: false }); // += into every parameter's .grad
 * opt.step();
 * ```
 */
export { Module, type BackwardOptions } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { ReLU, Tanh, Sigmoid, GELU, type GELUOptions } from './activation.js';
export { Sequential } from './sequential.js';
export { Dropout, type DropoutOptions } from './dropout.js';
