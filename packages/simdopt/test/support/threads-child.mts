// Child process of threads.node.test.ts: uses the worker pool and must exit by itself once its
// work is done (workers are unref'd). With the argument `shutdown` it ends with a top-level
// `await shutdown()`, which must resolve (the process must not end while it waits).
import { Adam, backendInfo, init, Parameter, shutdown } from '../../src/index.js';

await init({ backend: 'wasm-simd', threads: 2 });
const p = Parameter.zeros(300_000);
p.grad.fill(1);
const opt = new Adam([p], { lr: 0.1 });
for (let i = 0; i < 5; i++) opt.step();
if (!(Math.abs(p.data[299_999] + 0.5) < 1e-5)) throw new Error(`unexpected value ${p.data[299_999]}`);
console.log(`threads=${backendInfo().threads} stepped`);
if (process.argv.includes('shutdown')) {
  await shutdown();
  console.log('shut down');
}
