/**
 * The README's "Train your own model" example, runnable: `node --import tsx examples/nn-quickstart.ts`.
 * Keep the two in sync (packages/simdopt/test/train-cli.test.ts runs this file).
 */
import { AdamW, batches, clipGradNorm, CosineAnnealingLR, crossEntropyLoss, estimateMemoryBytes, init, nn } from 'simdopt';

// Your data: features x [n, 2] row-major and integer labels y [n] (here: inside a circle or not).
const n = 1000;
const x = Float32Array.from({ length: 2 * n }, () => Math.random() * 2 - 1);
const y = Int32Array.from({ length: n }, (_, i) => (x[2 * i] ** 2 + x[2 * i + 1] ** 2 < 0.5 ? 1 : 0));

// Room for the model, its optimizer state and the layers' batch buffers up front: memory never grows.
await init({ initialMemoryBytes: estimateMemoryBytes({ parameters: [[32, 2], [32], [2, 32], [2]], optimizer: 'AdamW', activations: 3 * 32 * (32 + 32 + 32 + 2) }) });
const model = new nn.Sequential(
  new nn.Linear(2, 32, { seed: 1 }), new nn.ReLU(), new nn.Dropout(0.1, { seed: 2 }),
  new nn.Linear(32, 2, { seed: 3 }), // the logits of 2 classes
);
const opt = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 1e-2 });
const epochs = 20, batchSize = 32;
const sched = new CosineAnnealingLR(opt, { tMax: epochs * Math.ceil(n / batchSize) });
const order = batches(n, batchSize, { seed: 4 }); // each pass over it is one shuffled epoch
const xb = new Float32Array(batchSize * 2), yb = new Int32Array(batchSize), dLogits = new Float32Array(batchSize * 2);

for (let epoch = 1; epoch <= epochs; epoch++) {
  let sum = 0;
  for (const idx of order) {
    const m = idx.length;
    idx.forEach((r, k) => { xb.set(x.subarray(2 * r, 2 * r + 2), 2 * k); yb[k] = y[r]; });
    opt.zeroGrad();
    const logits = model.forward(xb.subarray(0, 2 * m));
    const grad = dLogits.subarray(0, 2 * m); // receives d(loss)/d(logits) in the same pass
    sum += m * crossEntropyLoss(logits, yb.subarray(0, m), { numClasses: 2, grad });
    model.backward(grad, { inputGrad: false }); // += into every parameter's .grad
    clipGradNorm(model.parameters(), 1);
    opt.step();
    sched.step();
  }
  console.log(`epoch ${epoch}: loss ${(sum / n).toFixed(4)}`);
}
model.eval(); // dropout off for inference
const out = model.forward(x);
let hits = 0;
for (let i = 0; i < n; i++) hits += Number((out[2 * i + 1] > out[2 * i] ? 1 : 0) === y[i]);
console.log(`train accuracy ${((100 * hits) / n).toFixed(1)} %`);
