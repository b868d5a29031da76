/**
 * The benchmarks beyond one optimizer step over one tensor:
 * - many small tensors (1000 × 1000 elements) against one tensor of 1e6, same optimizer;
 * - the full loop of a training iteration: gradients written (standing in for a backward pass),
 *   clipGradNorm, step, zeroGrad;
 * - one training step (forward, loss, backward, step) of a 784-256-10 MLP with batch 64.
 * All with the interleaved method of harness.ts, every contender in this process.
 */
import {
  Adam, backendInfo, clipGradNorm, crossEntropyLoss, init, nn, Parameter, type BackendName, type Optimizer,
} from 'simdopt';
import { simdoptMemoryBytes } from './contenders.js';
import { fillGradient, fillUniform, measure, type Measurement, type Timed } from './harness.js';
import { OPTIMIZERS } from './optimizers.js';
import { RefArena } from './ref/module.js';
import type { Method, Progress } from './suite.js';
import type { TfjsHandle } from './tfjs.js';

export interface ExtrasConfig {
  method: Method;
  now(): number;
  tfjs: TfjsHandle | null;
  refModule: WebAssembly.Module;
  gc?: () => void;
  progress?: Progress;
  backends: BackendName[];
}

export interface Timing {
  contender: string;
  /** ms per step (or iteration): median over rounds, minimum over samples. */
  ms: { median: number; min: number; p25: number; p75: number };
  k: number;
}

function timing(m: Measurement): Timing {
  return { contender: m.id, ms: { median: m.median, min: m.min, p25: m.p25, p75: m.p75 }, k: m.k };
}

async function run(c: ExtrasConfig, label: string, contenders: Timed[]): Promise<Timing[]> {
  c.progress?.expect((c.method.warmupRounds + c.method.rounds) * contenders.length);
  const m = await measure(contenders, {
    ...c.method,
    now: c.now,
    onVisit: (id, r) => c.progress?.tick(`${label} ${id} r${r + 1}/${c.method.warmupRounds + c.method.rounds}`),
  });
  c.gc?.();
  return contenders.map((x) => timing(m.get(x.id)!));
}

/** A simdopt contender re-created under its backend at every visit (see contenders.ts). */
function simdoptTimed(id: string, backend: BackendName, bytes: number, create: () => { step(): void; dispose(): void }, gc?: () => void): Timed & { growths: number } {
  let state: ReturnType<typeof create> | null = null;
  let memory = 0;
  const t = {
    id,
    growths: 0,
    async prepare() {
      await init({ backend, initialMemoryBytes: bytes, threads: 1 });
      memory = backendInfo().memoryBytes;
      state = create();
      state.step();
      state.step();
    },
    step() {
      state!.step();
    },
    release() {
      if (backend !== 'js' && backendInfo().memoryBytes !== memory) t.growths++;
      state?.dispose();
      state = null;
      gc?.();
    },
  };
  return t;
}

// ---------------------------------------------------------------------------------------------

export interface ManySmallResult {
  tensors: number;
  elements: number;
  /** Per optimizer and backend: ms per step for one tensor and for many, and many/one. */
  rows: { optimizer: string; backend: string; one: Timing; many: Timing; ratio: number; ratioMin: number }[];
}

export async function runManySmall(c: ExtrasConfig, tensors = 1000, elements = 1000): Promise<ManySmallResult> {
  const total = tensors * elements;
  const p0 = fillUniform(new Float32Array(total), 31, -1, 1);
  const g = fillGradient(new Float32Array(total), 32);
  const rows: ManySmallResult['rows'] = [];
  for (const id of ['sgd', 'adam']) {
    const spec = OPTIMIZERS.find((o) => o.id === id)!;
    const contenders: Timed[] = [];
    for (const backend of c.backends) {
      // Heap: the one tensor, or `tensors` blocks of data+grad and of state, plus the table.
      const bytes = simdoptMemoryBytes(total, spec.slots) + tensors * 256;
      contenders.push(
        simdoptTimed(`one:${backend}`, backend, bytes, () => {
          const p = Parameter.from(p0);
          p.grad.set(g);
          const o = spec.simdopt([p]);
          return { step: () => o.step(), dispose: () => (o.dispose(), p.dispose()) };
        }, total >= 4e6 ? c.gc : undefined),
        simdoptTimed(`many:${backend}`, backend, bytes, () => {
          const ps = Array.from({ length: tensors }, (_, i) => {
            const p = Parameter.from(p0.subarray(i * elements, (i + 1) * elements));
            p.grad.set(g.subarray(i * elements, (i + 1) * elements));
            return p;
          });
          const o = spec.simdopt(ps);
          return { step: () => o.step(), dispose: () => (o.dispose(), ps.forEach((p) => p.dispose())) };
        }, total >= 4e6 ? c.gc : undefined),
      );
    }
    // The reference kernel: one call over all elements, or one call per tensor from a JS loop.
    const lengths = [total, total, total, total, 16, ...Array.from({ length: 4 * tensors }, () => elements)];
    const arena = new RefArena(c.refModule, RefArena.bytesFor(lengths));
    const one = [arena.f32(total), arena.f32(total), arena.f32(total), arena.f32(total)];
    const args = arena.f32(16);
    const many = Array.from({ length: tensors }, () => [arena.f32(elements), arena.f32(elements), arena.f32(elements), arena.f32(elements)]);
    one[0].view.set(p0);
    one[1].view.set(g);
    many.forEach((t, i) => {
      t[0].view.set(p0.subarray(i * elements, (i + 1) * elements));
      t[1].view.set(g.subarray(i * elements, (i + 1) * elements));
    });
    const ref = spec.ref!; // the extras run optimizers that have a reference kernel
    const writeOne = ref.args();
    const writeMany = ref.args();
    let tOne = 0;
    let tMany = 0;
    contenders.push(
      {
        id: 'one:ref',
        step() {
          writeOne(++tOne, args.view);
          arena.exports[ref.kernel(tOne)](one[0].ptr, one[1].ptr, one[2].ptr, one[3].ptr, total, args.ptr);
        },
      },
      {
        id: 'many:ref',
        step() {
          writeMany(++tMany, args.view);
          const fn = arena.exports[ref.kernel(tMany)];
          for (let i = 0; i < tensors; i++) {
            const t = many[i];
            fn(t[0].ptr, t[1].ptr, t[2].ptr, t[3].ptr, elements, args.ptr);
          }
        },
      },
    );
    const timings = await run(c, `many small (${spec.label})`, contenders);
    const byId = new Map(timings.map((t) => [t.contender, t]));
    for (const backend of [...c.backends, 'ref']) {
      const a = byId.get(`one:${backend}`)!;
      const b = byId.get(`many:${backend}`)!;
      rows.push({ optimizer: id, backend, one: a, many: b, ratio: b.ms.median / a.ms.median, ratioMin: b.ms.min / a.ms.min });
    }
  }
  return { tensors, elements, rows };
}

// ---------------------------------------------------------------------------------------------

export interface LoopResult {
  n: number;
  tensors: number;
  maxNorm: number;
  rows: Timing[];
}

/**
 * One training iteration minus the model: gradients written into `.grad` (a copy from a source
 * array, standing in for backward), `clipGradNorm(params, 1)`, `Adam.step()`, `zeroGrad()`.
 */
export async function runFullLoop(c: ExtrasConfig, n = 1_000_000, tensors = 1): Promise<LoopResult> {
  const maxNorm = 1;
  const size = n / tensors;
  const p0 = fillUniform(new Float32Array(n), 41, -1, 1);
  const src = fillGradient(new Float32Array(n), 42);
  const adam = OPTIMIZERS.find((o) => o.id === 'adam')!;
  const contenders: Timed[] = [];
  for (const backend of c.backends) {
    contenders.push(
      simdoptTimed(`simdopt-${backend}`, backend, simdoptMemoryBytes(n, 2) + tensors * 256, () => {
        const ps = Array.from({ length: tensors }, (_, i) => Parameter.from(p0.subarray(i * size, (i + 1) * size)));
        const o = new Adam(ps, { lr: 1e-3 });
        return {
          step() {
            for (let i = 0; i < tensors; i++) ps[i].grad.set(src.subarray(i * size, (i + 1) * size));
            clipGradNorm(ps, maxNorm);
            o.step();
            o.zeroGrad();
          },
          dispose: () => (o.dispose(), ps.forEach((p) => p.dispose())),
        };
      }, n >= 4e6 ? c.gc : undefined),
    );
  }
  // Tuned JS: the same four passes a careful user would write.
  {
    const ps = Array.from({ length: tensors }, (_, i) => p0.slice(i * size, (i + 1) * size));
    const gs = Array.from({ length: tensors }, () => new Float32Array(size));
    const steps = ps.map((p, i) => adam.tuned!(p, gs[i], [new Float32Array(size), new Float32Array(size)]));
    let t = 0;
    contenders.push({
      id: 'tuned',
      step() {
        t++;
        let sum = 0;
        for (let i = 0; i < tensors; i++) {
          const g = gs[i];
          g.set(src.subarray(i * size, (i + 1) * size));
          for (let j = 0; j < g.length; j++) sum += g[j] * g[j];
        }
        const coef = Math.min(1, maxNorm / (Math.sqrt(sum) + 1e-6));
        for (let i = 0; i < tensors; i++) {
          const g = gs[i];
          for (let j = 0; j < g.length; j++) g[j] *= coef;
          steps[i](t);
          g.fill(0);
        }
      },
    });
  }
  // tfjs-wasm: gradients arrive as new tensors (tfjs has no .grad to zero); global-norm clip with
  // tensor ops, then applyGradients.
  if (c.tfjs && tensors === 1) {
    const { tf } = c.tfjs;
    let state: { v: import('@tensorflow/tfjs-core').Variable; o: import('@tensorflow/tfjs-core').Optimizer } | null = null;
    contenders.push({
      id: 'tfjs-wasm',
      async prepare() {
        await tf.setBackend('wasm');
        state ??= { v: tf.variable(tf.tensor1d(p0)), o: tf.train.adam(1e-3) };
      },
      step() {
        const { v, o } = state!;
        tf.tidy(() => {
          const g = tf.tensor1d(src);
          const norm = tf.norm(g);
          const coef = tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, 1e-6)));
          o.applyGradients({ [v.name]: tf.mul(g, coef) });
        });
      },
    });
  }
  const rows = await run(c, `clip+step+zeroGrad ${tensors}×${size}`, contenders);
  return { n, tensors, maxNorm, rows };
}

// ---------------------------------------------------------------------------------------------

export interface MlpResult {
  layers: number[];
  batch: number;
  parameters: number;
  rows: Timing[];
  /** Loss after each of the check's steps, per contender (they must agree). */
  check: { contender: string; losses: number[]; ok: boolean }[];
}

const IN = 784;
const HIDDEN = 256;
const OUT = 10;
const BATCH = 64;
const LR = 1e-3;

interface MlpData {
  x: Float32Array;
  y: Int32Array;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

export function mlpData(): MlpData {
  const x = fillUniform(new Float32Array(BATCH * IN), 51, 0, 1);
  const y = new Int32Array(BATCH).map((_, i) => (i * 7 + 3) % OUT);
  const b = (fanIn: number) => 1 / Math.sqrt(fanIn);
  return {
    x,
    y,
    w1: fillUniform(new Float32Array(HIDDEN * IN), 52, -b(IN), b(IN)),
    b1: fillUniform(new Float32Array(HIDDEN), 53, -b(IN), b(IN)),
    w2: fillUniform(new Float32Array(OUT * HIDDEN), 54, -b(HIDDEN), b(HIDDEN)),
    b2: fillUniform(new Float32Array(OUT), 55, -b(HIDDEN), b(HIDDEN)),
  };
}

/** A training step: returns the loss of the forward it ran. */
type MlpStep = () => number;

export function simdoptMlp(d: MlpData): { step: MlpStep; dispose(): void } {
  const l1 = new nn.Linear(IN, HIDDEN, { seed: 1 });
  const l2 = new nn.Linear(HIDDEN, OUT, { seed: 2 });
  l1.weight.data.set(d.w1);
  l1.bias!.data.set(d.b1);
  l2.weight.data.set(d.w2);
  l2.bias!.data.set(d.b2);
  const model = new nn.Sequential(l1, new nn.ReLU(), l2);
  const opt: Optimizer<never> = new Adam(model.parameters(), { lr: LR }) as unknown as Optimizer<never>;
  const gradLogits = new Float32Array(BATCH * OUT);
  return {
    step() {
      opt.zeroGrad();
      const logits = model.forward(d.x);
      const loss = crossEntropyLoss(logits, d.y, { numClasses: OUT, grad: gradLogits });
      model.backward(gradLogits, { inputGrad: false });
      opt.step();
      return loss;
    },
    dispose: () => (opt.dispose(), model.dispose()),
  };
}

/** The same MLP in pure JS, written with care: row-major dot products, fused Adam. */
function pureJsMlp(d: MlpData): { step: MlpStep } {
  const params = [d.w1.slice(), d.b1.slice(), d.w2.slice(), d.b2.slice()];
  const grads = params.map((p) => new Float32Array(p.length));
  const adam = OPTIMIZERS.find((o) => o.id === 'adam')!;
  const steps = params.map((p, i) => adam.tuned!(p, grads[i], [new Float32Array(p.length), new Float32Array(p.length)]));
  const [w1, b1, w2, b2] = params;
  const [gw1, gb1, gw2, gb2] = grads;
  const h = new Float32Array(BATCH * HIDDEN);
  const logits = new Float32Array(BATCH * OUT);
  const dl = new Float32Array(BATCH * OUT);
  const dh = new Float32Array(BATCH * HIDDEN);
  const { x, y } = d;
  let t = 0;
  return {
    step() {
      for (const g of grads) g.fill(0);
      // Forward: h = relu(x·W1ᵀ + b1), logits = h·W2ᵀ + b2.
      for (let b = 0; b < BATCH; b++) {
        const xo = b * IN;
        for (let j = 0; j < HIDDEN; j++) {
          const wo = j * IN;
          let s = 0;
          for (let k = 0; k < IN; k++) s += x[xo + k] * w1[wo + k];
          const v = s + b1[j];
          h[b * HIDDEN + j] = v > 0 ? v : 0;
        }
        for (let j = 0; j < OUT; j++) {
          const wo = j * HIDDEN;
          let s = 0;
          for (let k = 0; k < HIDDEN; k++) s += h[b * HIDDEN + k] * w2[wo + k];
          logits[b * OUT + j] = s + b2[j];
        }
      }
      // Cross-entropy (mean over the batch) and its gradient.
      let loss = 0;
      for (let b = 0; b < BATCH; b++) {
        let max = -Infinity;
        for (let j = 0; j < OUT; j++) max = Math.max(max, logits[b * OUT + j]);
        let sum = 0;
        for (let j = 0; j < OUT; j++) sum += Math.exp(logits[b * OUT + j] - max);
        loss += Math.log(sum) + max - logits[b * OUT + y[b]];
        for (let j = 0; j < OUT; j++) dl[b * OUT + j] = (Math.exp(logits[b * OUT + j] - max) / sum - (j === y[b] ? 1 : 0)) / BATCH;
      }
      // Backward: dW2 = dlᵀ·h, db2, dh = dl·W2 masked by relu, dW1 = dhᵀ·x, db1.
      for (let b = 0; b < BATCH; b++) {
        for (let j = 0; j < OUT; j++) {
          const e = dl[b * OUT + j];
          gb2[j] += e;
          const go = j * HIDDEN;
          for (let k = 0; k < HIDDEN; k++) gw2[go + k] += e * h[b * HIDDEN + k];
        }
        for (let k = 0; k < HIDDEN; k++) {
          let s = 0;
          if (h[b * HIDDEN + k] > 0) for (let j = 0; j < OUT; j++) s += dl[b * OUT + j] * w2[j * HIDDEN + k];
          dh[b * HIDDEN + k] = s;
        }
        const xo = b * IN;
        for (let j = 0; j < HIDDEN; j++) {
          const e = dh[b * HIDDEN + j];
          if (e === 0) continue;
          gb1[j] += e;
          const go = j * IN;
          for (let k = 0; k < IN; k++) gw1[go + k] += e * x[xo + k];
        }
      }
      t++;
      for (const s of steps) s(t);
      return loss / BATCH;
    },
  };
}

/**
 * The MLP in tfjs tensor ops with the backward written out, as simdopt's nn does it (tfjs-core
 * alone registers no gradients in Node, and an explicit backward skips the tape's bookkeeping:
 * this is tfjs's best case).
 */
function tfjsMlp(h: TfjsHandle, d: MlpData): { step: MlpStep; dispose(): void } {
  const { tf } = h;
  const w1 = tf.variable(tf.tensor2d(d.w1, [HIDDEN, IN]));
  const b1 = tf.variable(tf.tensor1d(d.b1));
  const w2 = tf.variable(tf.tensor2d(d.w2, [OUT, HIDDEN]));
  const b2 = tf.variable(tf.tensor1d(d.b2));
  const x = tf.keep(tf.tensor2d(d.x, [BATCH, IN]));
  const labels = tf.keep(tf.cast(tf.oneHot(tf.tensor1d(d.y, 'int32'), OUT), 'float32'));
  const opt = tf.train.adam(LR, 0.9, 0.999, 1e-8);
  return {
    step() {
      return tf.tidy(() => {
        const hidden = tf.relu(tf.add(tf.matMul(x, w1, false, true), b1));
        const logits = tf.add(tf.matMul(hidden, w2, false, true), b2);
        const logProbs = tf.logSoftmax(logits);
        const loss = tf.neg(tf.mean(tf.sum(tf.mul(labels, logProbs), 1)));
        const dLogits = tf.div(tf.sub(tf.exp(logProbs), labels), BATCH);
        const dHidden = tf.mul(tf.matMul(dLogits, w2), tf.step(hidden));
        opt.applyGradients({
          [w1.name]: tf.matMul(dHidden, x, true, false),
          [b1.name]: tf.sum(dHidden, 0),
          [w2.name]: tf.matMul(dLogits, hidden, true, false),
          [b2.name]: tf.sum(dLogits, 0),
        });
        return loss.dataSync()[0];
      });
    },
    dispose: () => (opt.dispose(), [w1, b1, w2, b2, x, labels].forEach((t) => t.dispose())),
  };
}

export async function runMlp(c: ExtrasConfig): Promise<MlpResult> {
  const d = mlpData();
  const parameters = HIDDEN * IN + HIDDEN + OUT * HIDDEN + OUT;
  const bytes = 64 << 20;
  // Correctness: the loss of three successive steps, every contender from the same weights.
  const check: MlpResult['check'] = [];
  const losses = async (name: string, make: () => Promise<{ step: MlpStep; dispose?(): void }>) => {
    const m = await make();
    const ls = [m.step(), m.step(), m.step()];
    m.dispose?.();
    check.push({ contender: name, losses: ls, ok: true });
  };
  for (const backend of c.backends) {
    await losses(`simdopt-${backend}`, async () => (await init({ backend, initialMemoryBytes: bytes, threads: 1 }), simdoptMlp(d)));
  }
  await losses('pure JS', async () => pureJsMlp(d));
  if (c.tfjs) await losses('tfjs-wasm', async () => (await c.tfjs!.tf.setBackend('wasm'), tfjsMlp(c.tfjs!, d)));
  const truth = check[0].losses;
  for (const x of check) x.ok = x.losses.every((l, i) => Math.abs(l - truth[i]) <= 1e-4 * Math.abs(truth[i]));

  const contenders: Timed[] = c.backends.map((backend) => simdoptTimed(`simdopt-${backend}`, backend, bytes, () => simdoptMlp(d)));
  const js = pureJsMlp(d);
  contenders.push({ id: 'pure JS', step: () => void js.step() });
  if (c.tfjs) {
    const h = c.tfjs;
    let model: ReturnType<typeof tfjsMlp> | null = null;
    contenders.push({
      id: 'tfjs-wasm',
      async prepare() {
        await h.tf.setBackend('wasm');
        model ??= tfjsMlp(h, d);
      },
      step: () => void model!.step(),
    });
  }
  const rows = await run(c, 'MLP 784-256-10', contenders);
  return { layers: [IN, HIDDEN, OUT], batch: BATCH, parameters, rows, check };
}

