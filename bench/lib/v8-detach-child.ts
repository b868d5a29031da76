/**
 * One child of the V8 detach experiment (v8-detach.ts): sets the process up as `variant` says,
 * then times plain typed-array loops (the tuned-JS Adam and SGD of optimizers.ts over 1e6
 * elements) and prints one JSON line.
 *
 * Variants:
 *   intact           nothing else happens in the process;
 *   detached         a 1-page WebAssembly.Memory grows by one page (its old buffer is detached);
 *   simdopt-default  init() with the default 16 MiB, then a Parameter of 8e6 elements (memory grows);
 *   simdopt-sized    init({ initialMemoryBytes }) sized for that Parameter first (memory never grows).
 */
import { backendInfo, init, Parameter } from 'simdopt';
import { fillGradient, fillUniform, median } from './harness.js';
import { OPTIMIZERS } from './optimizers.js';

const variant = process.argv[2] ?? 'intact';
const samples = Number(process.argv[3] ?? 9);
let grew: boolean | null = null;

if (variant === 'detached') {
  const m = new WebAssembly.Memory({ initial: 1, maximum: 2 });
  m.grow(1);
} else if (variant === 'simdopt-default' || variant === 'simdopt-sized') {
  const big = 8_000_000;
  await init({ backend: 'wasm-simd', threads: 1, initialMemoryBytes: variant === 'simdopt-sized' ? 8 * big + (8 << 20) : undefined });
  const before = backendInfo().memoryBytes;
  const p = Parameter.zeros(big);
  grew = backendInfo().memoryBytes !== before;
  p.dispose();
} else if (variant !== 'intact') {
  throw new Error(`unknown variant ${variant}`);
}

const n = 1_000_000;
const p = fillUniform(new Float32Array(n), 1, -1, 1);
const g = fillGradient(new Float32Array(n), 2);
const adam = OPTIMIZERS.find((o) => o.id === 'adam')!.tuned!(p, g, [new Float32Array(n), new Float32Array(n)]);
const sgd = OPTIMIZERS.find((o) => o.id === 'sgd')!.tuned!(p, g, []);
let t = 0;
for (let i = 0; i < 20; i++) {
  adam(++t);
  sgd(t);
}
const ns = (f: () => void, reps: number) => {
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) f();
    out.push(((performance.now() - t0) * 1e6) / (reps * n));
  }
  return median(out);
};
const result = {
  variant,
  grew,
  adamNs: ns(() => adam(++t), 3),
  sgdNs: ns(() => sgd(++t), 10),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
