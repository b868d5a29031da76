/**
 * The threads dimension: how an optimizer step and the MLP training step scale with 1, 2, …,
 * cores threads. One threaded backend with a worker per core; each contender is a thread count
 * (`configureSplit({ use })` before its visit), so every count steps the same objects in the same
 * memory, in the harness's interleaved rounds (medians). Runs in Node (`npm run bench`) and in a
 * cross-origin isolated page (`npm run bench:browser`): the caller says how many cores there are.
 */
import { init, Parameter, type Optimizer } from 'simdopt';
import { ThreadsBackend } from '../../packages/simdopt/src/backend/threads.js';
import { backend } from '../../packages/simdopt/src/runtime.js';
import { mlpData, simdoptMlp } from './extras.js';
import { fillGradient, fillUniform, measure, type Measurement, type Timed } from './harness.js';
import type { OptimizerSpec } from './optimizers.js';
import type { Method, Progress } from './suite.js';
import { formatN } from './suite.js';

export interface ThreadsRow {
  /** Optimizer label, or 'MLP 784-256-10'. */
  label: string;
  n: number;
  /** ms per step (median over rounds) per thread count, in `threads` order. */
  ms: number[];
  /** ms with one thread / ms with t threads. */
  speedup: number[];
  /** Fastest sample per thread count (ms per step): what an unloaded machine approaches. */
  minMs: number[];
}

export interface ThreadsResult {
  cores: number;
  threads: number[];
  rows: ThreadsRow[];
}

export interface ThreadsConfig {
  specs: OptimizerSpec[];
  sizes: number[];
  method: Method;
  now(): number;
  progress?: Progress;
  gc?: () => void;
  /** Measure the MLP training step too. */
  mlp: boolean;
  /** Cores of the machine (Node's availableParallelism, a browser's hardwareConcurrency). */
  cores: number;
}

/** The thread counts: 1, 2, …, cores (at least 1 and 2). */
export function threadCounts(cores: number): number[] {
  return Array.from({ length: Math.max(2, Math.min(8, cores)) }, (_, i) => i + 1);
}

async function timeCounts(c: ThreadsConfig, label: string, counts: number[], b: ThreadsBackend, step: () => void): Promise<{ median: number[]; min: number[] }> {
  const contenders: Timed[] = counts.map((t) => ({
    id: `${t}`,
    prepare: () => void b.configureSplit({ use: t }),
    step,
  }));
  c.progress?.expect((c.method.warmupRounds + c.method.rounds) * contenders.length);
  const m: Map<string, Measurement> = await measure(contenders, {
    ...c.method,
    now: c.now,
    onVisit: (id, r) => c.progress?.tick(`threads ${label} t=${id} r${r + 1}/${c.method.warmupRounds + c.method.rounds}`),
  });
  b.configureSplit({ use: counts[counts.length - 1] });
  return { median: counts.map((t) => m.get(`${t}`)!.median), min: counts.map((t) => m.get(`${t}`)!.min) };
}

export async function runThreads(c: ThreadsConfig): Promise<ThreadsResult> {
  const counts = threadCounts(c.cores);
  const maxN = Math.max(...c.sizes);
  // Values, gradient and up to four state slots, plus room for the MLP.
  const bytes = Math.min(4 * 2 ** 30 - 2 ** 16, maxN * 4 * 7 + (64 << 20));
  await init({ backend: 'wasm-simd', threads: counts[counts.length - 1], initialMemoryBytes: bytes });
  const b = backend();
  if (!(b instanceof ThreadsBackend)) throw new Error('bench: the threads backend did not start');
  const rows: ThreadsRow[] = [];
  const row = (label: string, n: number, t: { median: number[]; min: number[] }) =>
    rows.push({ label, n, ms: t.median, speedup: t.median.map((x) => t.median[0] / x), minMs: t.min });
  for (const spec of c.specs) {
    for (const n of c.sizes) {
      const p = Parameter.zeros(n);
      fillUniform(p.data, 11, -1, 1);
      fillGradient(p.grad, 12);
      const opt: Optimizer<never> = spec.simdopt([p]);
      opt.step();
      row(spec.label, n, await timeCounts(c, `${spec.id} ${formatN(n)}`, counts, b, () => opt.step()));
      opt.dispose();
      p.dispose();
      c.gc?.();
    }
  }
  if (c.mlp) {
    const m = simdoptMlp(mlpData());
    m.step();
    row('MLP 784-256-10 step, N = batch', 64, await timeCounts(c, 'mlp', counts, b, () => void m.step()));
    m.dispose();
  }
  return { cores: c.cores, threads: counts, rows };
}

/** The scaling table: ms per step per thread count, and the speedup over one thread. */
export function threadsTable(r: ThreadsResult): string {
  const head = ['', 'N', ...r.threads.map((t) => `${t} thr ms`), ...r.threads.slice(1).map((t) => `×${t}`), ...r.threads.slice(1).map((t) => `×${t} min`)];
  const body = r.rows.map((x) => [
    x.label,
    formatN(x.n),
    ...x.ms.map((ms) => ms.toPrecision(3)),
    ...x.speedup.slice(1).map((s) => s.toFixed(2)),
    ...x.minMs.slice(1).map((m) => (x.minMs[0] / m).toFixed(2)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((s, i) => (i < 2 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');
  return [
    `Threads (${r.cores} cores): ms per step (median of interleaved rounds), speedup over one thread (medians; fastest samples)`,
    line(head),
    ...body.map(line),
  ].join('\n');
}

/** `npm run bench -- --threads-only`: the threads dimension alone; returns the report text. */
export async function runThreadsOnly(o: { sizes?: number[]; optimizers?: string[]; rounds?: number; progress: boolean; outDir?: string }): Promise<string> {
  const { optimizerSpecs } = await import('./optimizers.js');
  const { availableParallelism } = await import('node:os');
  const { ProgressBar } = await import('./progress.js');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const progress = new ProgressBar(process.stderr, o.progress);
  const result = await runThreads({
    specs: optimizerSpecs(true, o.optimizers ?? ['sgd', 'adam', 'adamw']),
    sizes: o.sizes ?? [1e3, 1e6, 4e6],
    method: { rounds: o.rounds ?? 9, warmupRounds: 1, minSampleMs: 1, samples: 5, slowBatchMs: 100 },
    now: () => performance.now(),
    progress,
    gc: (globalThis as { gc?: () => void }).gc,
    mlp: true,
    cores: availableParallelism(),
  });
  progress.finish();
  const outDir = o.outDir ?? fileURLToPath(new URL('../results', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'threads-latest.json');
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), ...result }, null, 1));
  return `${threadsTable(result)}\n\nwrote ${file}`;
}
