// Child process of threads-fresh.node.test.ts: the threads binary in a process where none of its
// code has run yet (the workers start on baseline-compiled code). Prints one JSON line.
import { Adam, init, nn, Parameter } from '../../src/index.js';
import { backend } from '../../src/runtime.js';
import type { ThreadsBackend } from '../../src/backend/threads.js';

const x = Float32Array.from({ length: 256 * 256 }, (_, i) => Math.sin(i));
const products = 100;
const steps = 20;

/** A product big enough to be divided (work ≥ 2²⁰) and an Adam step of 2²⁰ elements. */
function run() {
  const lin = new nn.Linear(256, 256, { seed: 1 });
  const ys = Array.from({ length: products }, () => lin.forward(x).slice());
  const p = Parameter.from(Float32Array.from({ length: 1 << 20 }, (_, i) => Math.cos(i)));
  const opt = new Adam([p], { lr: 0.01 });
  for (let s = 0; s < steps; s++) {
    p.grad.set(p.data);
    opt.step();
  }
  return { ys, p: p.data.slice() };
}

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

await init({ backend: 'wasm-simd', threads: 1 });
const ref = run();
await init({ backend: 'wasm-simd', threads: 2 });
const got = run();
const b = backend() as ThreadsBackend;
console.log(
  JSON.stringify({
    threads: b.threads,
    productsDiffering: got.ys.filter((y) => !same(y, ref.ys[0])).length,
    adamSame: same(got.p, ref.p),
    workerChunks: b.workerChunks(),
  }),
);
