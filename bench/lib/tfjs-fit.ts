/**
 * simdopt/tfjs inside TensorFlow.js training: a tfjs-layers MLP trained with `model.fit`, tfjs's
 * own Adam against simdopt's Adam through `tfjsOptimizer`, on tfjs-backend-cpu and
 * tfjs-backend-wasm (single-threaded, memory sized up front, as in tfjs.ts).
 *
 * - fit: ms per epoch of `model.fit` (batch 128, no shuffle), interleaved rounds (each round
 *   runs one epoch of every contender, the starting contender rotating), median over rounds,
 *   and the median of the per-round ratios (paired, so that the machine's drift cancels);
 * - update: the optimizer part alone, `applyGradients` of one fixed set of gradients (harness.ts
 *   method), for each optimizer — this is what the switch replaces;
 * - transfer: the ways to move one update's values between tfjs and simdopt, per update of the
 *   whole model: gradients out by `dataSync()`, `await data()` or a view of the backend's
 *   storage; values in by `assign(tf.tensor(copy))` or by writing into the variable's storage.
 *   simdopt/tfjs reads through the view and writes by assign: writing in place is measured for
 *   the record, but it is wrong on tfjs-backend-wasm (XNNPACK keeps packed weights per tensor)
 *   and aliases slices and `dataSync()` arrays on cpu (src/tfjs/storage.ts).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { Adam, init, type BackendName } from 'simdopt';
import { tfjsOptimizer } from 'simdopt/tfjs';
import { fillUniform, measure, median, quantile, type Timed } from './harness.js';
import type { Method, Progress } from './suite.js';
import type { Tf, TfjsHandle } from './tfjs.js';

type Variable = ReturnType<Tf['variable']>;

export interface TfjsFitConfig {
  method: Method;
  now(): number;
  /** Process CPU time in ms (Node: process.cpuUsage), which other processes cannot inflate. */
  cpuNow?(): number;
  tfjs: TfjsHandle;
  progress?: Progress;
  /** Batches per epoch, rounds, and epochs per visit on tfjs-wasm (the fastest counts; cpu: 1). */
  batches: number;
  rounds: number;
  samples: number;
  models: number[][];
  simdoptBackend: BackendName;
}

export interface MsStats {
  median: number;
  p25: number;
  p75: number;
  min: number;
}

export interface TfjsFitRow {
  backend: 'cpu' | 'wasm';
  layers: number[];
  parameters: number;
  batch: number;
  batches: number;
  /** ms per epoch of model.fit. */
  fit: { tfjs: MsStats; simdopt: MsStats };
  /** Median over rounds of tfjs's epoch time / simdopt's in the same round (paired: drift cancels). */
  fitSpeedup: number;
  /** CPU ms per epoch (this process, all its threads; fastest per visit, median), where measured. */
  fitCpu?: { tfjs: MsStats; simdopt: MsStats; speedup: number };
  /** ms per epoch spent inside applyGradients during fit (median). */
  fitApply: { tfjs: number; simdopt: number };
  /** ms per applyGradients of the whole model. */
  update: { tfjs: MsStats; simdopt: MsStats };
  /** Final loss of each after the same epochs from the same weights (they train alike). */
  loss: { tfjs: number; simdopt: number };
}

export interface TfjsTransferRow {
  backend: 'cpu' | 'wasm';
  layers: number[];
  /** ms per update of the whole model. */
  read: { dataSync: number; data: number; view: number };
  write: { assign: number; inPlace: number };
}

export interface TfjsFitResult {
  simdoptBackend: BackendName;
  rows: TfjsFitRow[];
  transfer: TfjsTransferRow[];
}

const BATCH = 128;

function stats(xs: number[]): MsStats {
  return { median: median(xs), p25: quantile(xs, 0.25), p75: quantile(xs, 0.75), min: Math.min(...xs) };
}

function mlp(tf: Tf, layers: number[], seed: number): tfl.Sequential {
  const model = tfl.sequential();
  for (let i = 1; i < layers.length; i++) {
    const last = i === layers.length - 1;
    model.add(tfl.layers.dense({ units: layers[i], activation: last ? 'softmax' : 'relu', ...(i === 1 ? { inputShape: [layers[0]] } : {}) }));
  }
  // Deterministic weights, the same for every contender.
  model.setWeights(model.getWeights().map((w, i) => {
    const values = fillUniform(new Float32Array(w.size), seed + i, -0.05, 0.05);
    return tf.tensor(values, w.shape);
  }));
  return model;
}

function dataset(tf: Tf, inputs: number, classes: number, n: number): { xs: ReturnType<Tf['tensor2d']>; ys: ReturnType<Tf['tensor2d']> } {
  const x = fillUniform(new Float32Array(n * inputs), 7, 0, 1);
  const y = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) y[i * classes + ((i * 7919) % classes)] = 1;
  return { xs: tf.tensor2d(x, [n, inputs]), ys: tf.tensor2d(y, [n, classes]) };
}

interface Contender {
  id: 'tfjs' | 'simdopt';
  model: tfl.Sequential;
  optimizer: { applyGradients(g: { name: string; tensor: unknown }[]): void; dispose(): void };
}

/** Runs every model on both tfjs backends. */
export async function runTfjsFit(c: TfjsFitConfig): Promise<TfjsFitResult> {
  const tf = c.tfjs.tf;
  await init({ backend: c.simdoptBackend, threads: 1 });
  const rows: TfjsFitRow[] = [];
  const transfer: TfjsTransferRow[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    for (const layers of c.models) {
      rows.push(await fitRow(c, tf, backend, layers));
      if (layers === c.models[0]) transfer.push(await transferRow(c, tf, backend, layers));
    }
  }
  await tf.setBackend('cpu');
  return { simdoptBackend: c.simdoptBackend, rows, transfer };
}

async function fitRow(c: TfjsFitConfig, tf: Tf, backend: 'cpu' | 'wasm', layers: number[]): Promise<TfjsFitRow> {
  const classes = layers[layers.length - 1];
  const { xs, ys } = dataset(tf, layers[0], classes, BATCH * c.batches);
  const make = (id: Contender['id']): Contender => {
    const model = mlp(tf, layers, 1000);
    const optimizer = id === 'tfjs' ? tf.train.adam(1e-3, 0.9, 0.999, 1e-8) : tfjsOptimizer(tf, (p) => new Adam(p, { lr: 1e-3 }));
    model.compile({ optimizer: optimizer, loss: 'categoricalCrossentropy' });
    return { id, model, optimizer: optimizer as unknown as Contender['optimizer'] };
  };
  const contenders = [make('tfjs'), make('simdopt')];
  const fitOptions = { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 as const, yieldEvery: 'never' as const };
  const loss = { tfjs: NaN, simdopt: NaN };
  // One untimed epoch each (compiles kernels, makes the optimizer state), then interleaved rounds.
  for (const x of contenders) await x.model.fit(xs, ys, fitOptions);
  // Time spent inside applyGradients during fit, per epoch: the part the switch replaces.
  const applyMs: Record<Contender['id'], number> = { tfjs: 0, simdopt: 0 };
  for (const x of contenders) {
    const o = x.optimizer;
    const apply = o.applyGradients.bind(o);
    o.applyGradients = (g) => {
      const t0 = c.now();
      apply(g);
      applyMs[x.id] += c.now() - t0;
    };
  }
  const times: Record<Contender['id'], number[]> = { tfjs: [], simdopt: [] };
  const applied: Record<Contender['id'], number[]> = { tfjs: [], simdopt: [] };
  const cpu: Record<Contender['id'], number[]> = { tfjs: [], simdopt: [] };
  const samples = backend === 'cpu' ? 1 : c.samples;
  c.progress?.expect(c.rounds * 2);
  for (let r = 0; r < c.rounds; r++) {
    for (let j = 0; j < contenders.length; j++) {
      const x = contenders[(j + r) % contenders.length];
      // The fastest of a few back-to-back epochs: other processes only ever add time (harness.ts).
      let best = Infinity;
      let bestApply = 0;
      let bestCpu = Infinity;
      for (let k = 0; k < samples; k++) {
        applyMs[x.id] = 0;
        const cpu0 = c.cpuNow?.() ?? 0;
        const t0 = c.now();
        const h = await x.model.fit(xs, ys, fitOptions);
        const ms = c.now() - t0;
        bestCpu = Math.min(bestCpu, (c.cpuNow?.() ?? 0) - cpu0);
        if (ms < best) {
          best = ms;
          bestApply = applyMs[x.id];
        }
        loss[x.id] = h.history.loss[0] as number;
      }
      times[x.id].push(best);
      applied[x.id].push(bestApply);
      cpu[x.id].push(bestCpu);
      c.progress?.tick(`tfjs-${backend} fit ${layers.join('-')} ${x.id} r${r + 1}/${c.rounds}`);
    }
  }
  for (const x of contenders) delete (x.optimizer as Partial<Contender['optimizer']>).applyGradients;
  // The optimizer part alone: applyGradients of the gradients of one batch.
  const grads = tf.tidy(() => {
    const vars = contenders[0].model.trainableWeights.map((w) => w.read() as Variable);
    const { grads: g } = tf.variableGrads(() => {
      const out = contenders[0].model.apply(tf.slice(xs, [0, 0], [BATCH, layers[0]])) as ReturnType<Tf['tensor2d']>;
      return tf.losses.softmaxCrossEntropy(tf.slice(ys, [0, 0], [BATCH, classes]), out) as never;
    }, vars);
    return vars.map((v) => g[v.name]);
  });
  const timed: Timed[] = contenders.map((x) => {
    const named = x.model.trainableWeights.map((w, i) => ({ name: (w.read() as Variable).name, tensor: grads[i] }));
    return { id: x.id, step: () => x.optimizer.applyGradients(named) };
  });
  c.progress?.expect((c.method.warmupRounds + c.method.rounds) * 2);
  const m = await measure(timed, { ...c.method, now: c.now, onVisit: (id, r) => c.progress?.tick(`tfjs-${backend} update ${layers.join('-')} ${id} r${r + 1}`) });
  const parameters = contenders[0].model.countParams();
  for (const x of contenders) {
    x.model.dispose();
    x.optimizer.dispose();
  }
  tf.dispose([xs, ys, ...grads]);
  const s = (id: string) => {
    const x = m.get(id)!;
    return { median: x.median, p25: x.p25, p75: x.p75, min: x.min };
  };
  return {
    backend, layers, parameters, batch: BATCH, batches: c.batches,
    fit: { tfjs: stats(times.tfjs), simdopt: stats(times.simdopt) },
    fitSpeedup: median(times.tfjs.map((t, r) => t / times.simdopt[r])),
    fitApply: { tfjs: median(applied.tfjs), simdopt: median(applied.simdopt) },
    ...(c.cpuNow ? { fitCpu: { tfjs: stats(cpu.tfjs), simdopt: stats(cpu.simdopt), speedup: median(cpu.tfjs.map((t, r) => t / cpu.simdopt[r])) } } : {}),
    update: { tfjs: s('tfjs'), simdopt: s('simdopt') },
    loss,
  };
}

interface Store {
  data?: { get(id: object): { values: Float32Array } };
  dataIdMap?: { get(id: object): { memoryOffset: number } };
  wasm?: { HEAPU8: Uint8Array };
}

/** The storage of a tensor on cpu or wasm (the measurement's own copy of src/tfjs/storage.ts). */
function view(tf: Tf, t: { dataId: object; size: number }): Float32Array {
  const b = tf.backend() as unknown as Store;
  if (b.wasm) return new Float32Array(b.wasm.HEAPU8.buffer, b.dataIdMap!.get(t.dataId).memoryOffset, t.size);
  return b.data!.get(t.dataId).values;
}

async function transferRow(c: TfjsFitConfig, tf: Tf, backend: 'cpu' | 'wasm', layers: number[]): Promise<TfjsTransferRow> {
  const model = mlp(tf, layers, 2000);
  const vars = model.trainableWeights.map((w) => w.read() as Variable);
  const grads = vars.map((v) => tf.randomUniform(v.shape));
  const sinks = vars.map((v) => new Float32Array(v.size));
  const sources = vars.map((v) => fillUniform(new Float32Array(v.size), 3, -1, 1));
  const timed: Timed[] = [
    { id: 'dataSync', step: () => grads.forEach((g, i) => sinks[i].set(g.dataSync())) },
    { id: 'view', step: () => grads.forEach((g, i) => sinks[i].set(view(tf, g))) },
    {
      id: 'assign',
      step: () =>
        vars.forEach((v, i) => {
          const t = tf.tensor(backend === 'wasm' ? sources[i] : sources[i].slice(), v.shape);
          v.assign(t);
          t.dispose();
        }),
    },
    { id: 'inPlace', step: () => vars.forEach((v, i) => view(tf, v).set(sources[i])) },
  ];
  c.progress?.expect((c.method.warmupRounds + c.method.rounds) * timed.length);
  const m = await measure(timed, { ...c.method, now: c.now, onVisit: (id, r) => c.progress?.tick(`tfjs-${backend} transfer ${id} r${r + 1}`) });
  // `await data()` cannot run in the harness's synchronous step: timed here, median of 31.
  const asyncTimes: number[] = [];
  for (let r = 0; r < 31; r++) {
    const t0 = c.now();
    for (let i = 0; i < grads.length; i++) sinks[i].set((await grads[i].data()));
    asyncTimes.push(c.now() - t0);
  }
  model.dispose();
  tf.dispose(grads);
  return {
    backend,
    layers,
    read: { dataSync: m.get('dataSync')!.median, data: median(asyncTimes), view: m.get('view')!.median },
    write: { assign: m.get('assign')!.median, inPlace: m.get('inPlace')!.median },
  };
}
