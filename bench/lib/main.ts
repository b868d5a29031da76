/**
 * `npm run bench` as a function: runs every part in one process (child processes only for the
 * V8 detach experiment, whose point is a process-wide state), writes latest.json and latest.svg,
 * and returns the results with the text report.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendInfo, init, type BackendName } from 'simdopt';
import { contenderKinds, type ContenderEnv } from './contenders.js';
import { runFullLoop, runManySmall, runMlp, type ExtrasConfig } from './extras.js';
import { factoredTable, runFactored } from './factored.js';
import { optimizerSpecs } from './optimizers.js';
import { ProgressBar } from './progress.js';
import { referenceModuleBytes } from './ref/assemble.js';
import {
  chartSvg, checksTable, evaluateTargets, extrasTables, optimizerTables, summaryHeader, targetsTable, type BenchResults,
} from './report.js';
import { runBandwidth, runOptimizerSuite, type Method } from './suite.js';
import { setupTfjs, type TfjsHandle } from './tfjs.js';
import { runThreads, threadsTable } from './threads.js';
import { runTfjsFit } from './tfjs-fit.js';
import { runDetach } from './v8-detach.js';

export type Mode = 'full' | 'quick' | 'tiny';

export interface BenchOptions {
  mode: Mode;
  /** Every optimizer, not only the core set. */
  all?: boolean;
  sizes?: number[];
  optimizers?: string[];
  contenders?: string[];
  rounds?: number;
  /** Time naive JS and tfjs-cpu at every N (by default they stop where a step takes seconds). */
  slow?: boolean;
  extras?: boolean;
  detach?: boolean;
  tfjs?: boolean;
  /** The threads dimension (default on). */
  threads?: boolean;
  progress?: boolean;
  /** Where latest.json and latest.svg go (default bench/results). */
  outDir?: string;
  /** Also write reference-<date>.json/.svg. */
  reference?: boolean;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

const PRESETS: Record<Mode, { sizes: number[]; method: Method; bandwidthBytes: number; maxN: Record<string, number>; detach: [number, number]; many: [number, number]; loopN: number; extraBackends: BackendName[]; tfjsFit: { batches: number; rounds: number; samples: number; models: number[][] } }> = {
  full: {
    sizes: [1e3, 1e4, 1e5, 1e6, 4e6, 16e6],
    method: { rounds: 9, warmupRounds: 1, minSampleMs: 1, samples: 5, slowBatchMs: 100 },
    bandwidthBytes: 256 << 20,
    maxN: { naive: 1e6, 'tfjs-cpu': 1e6 },
    detach: [5, 9],
    many: [1000, 1000],
    loopN: 1e6,
    extraBackends: ['wasm-simd', 'wasm', 'js'],
    tfjsFit: { batches: 4, rounds: 9, samples: 3, models: [[784, 256, 10], [64, 256, 256, 10]] },
  },
  quick: {
    sizes: [1e3, 1e4, 1e5, 1e6],
    method: { rounds: 7, warmupRounds: 0, minSampleMs: 1, samples: 2, slowBatchMs: 20 },
    bandwidthBytes: 128 << 20,
    maxN: { naive: 1e4, 'tfjs-cpu': 1e4 },
    detach: [1, 5],
    many: [1000, 1000],
    loopN: 1e6,
    extraBackends: ['wasm-simd'],
    tfjsFit: { batches: 2, rounds: 5, samples: 3, models: [[784, 256, 10]] },
  },
  tiny: {
    sizes: [1e3],
    method: { rounds: 1, warmupRounds: 0, minSampleMs: 0.2, samples: 1, slowBatchMs: 10 },
    bandwidthBytes: 8 << 20,
    maxN: {},
    detach: [1, 2],
    many: [20, 50],
    loopN: 1e4,
    extraBackends: ['wasm-simd', 'wasm', 'js'],
    tfjsFit: { batches: 1, rounds: 1, samples: 1, models: [[32, 16, 4]] },
  },
};

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function packageVersion(name: string): string {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

export async function runBench(o: BenchOptions): Promise<{ results: BenchResults; report: string; files: string[] }> {
  const started = performance.now();
  const preset = PRESETS[o.mode];
  const method: Method = { ...preset.method, ...(o.rounds ? { rounds: o.rounds } : {}) };
  const sizes = o.sizes ?? preset.sizes;
  const specs = optimizerSpecs(o.all ?? false, o.optimizers);
  const now = () => performance.now();
  const gc = (globalThis as { gc?: () => void }).gc;
  const progress = new ProgressBar(process.stderr, o.progress ?? true);
  const load = { start: loadavg(), min1: loadavg()[0], max1: loadavg()[0] };
  const sampler = setInterval(() => {
    const l = loadavg()[0];
    load.min1 = Math.min(load.min1, l);
    load.max1 = Math.max(load.max1, l);
  }, 2000);
  sampler.unref();

  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const t = performance.now();
    phases[name] = (phases[name] ?? 0) + (t - mark) / 1000;
    mark = t;
  };
  const info = await init({ backend: 'wasm-simd' });
  const maxN = Math.max(...sizes, preset.loopN, preset.many[0] * preset.many[1]);
  let tfjs: TfjsHandle | null = null;
  if (o.tfjs ?? true) {
    // Room for the variable, gradient, two moments and every temporary of the slowest update
    // (measured: Adam at 16e6 peaks near 1.4 GB of tfjs-wasm heap, 22 floats per element).
    tfjs = await setupTfjs(Math.min(4 * 2 ** 30 - 2 ** 16, maxN * 4 * 28 + (64 << 20)), async (name) =>
      readFileSync(join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist', name)),
    );
  }
  const refModule = new WebAssembly.Module(await referenceModuleBytes());
  const env: ContenderEnv = { tfjs, refModule, gc };
  phase('setup');
  const bandwidth = [await runBandwidth({ module: refModule, bufferBytes: preset.bandwidthBytes, method, now, progress })];
  phase('bandwidth');

  const suite = await runOptimizerSuite({
    sizes,
    optimizers: specs,
    method,
    checkSize: 4099,
    checkSteps: 8,
    tolerance: 1e-3,
    contenders: o.contenders,
    maxN: o.slow ? {} : preset.maxN,
    now,
    env,
    progress,
  });
  phase('optimizers');

  const extrasConfig: ExtrasConfig = { method, now, tfjs, refModule, gc, progress, backends: preset.extraBackends };
  let manySmall;
  let fullLoop;
  let mlp;
  let factored;
  let tfjsFit;
  if (o.extras ?? true) {
    manySmall = await runManySmall(extrasConfig, preset.many[0], preset.many[1]);
    phase('manySmall');
    fullLoop = [await runFullLoop(extrasConfig, preset.loopN, 1)];
    if (o.mode !== 'quick') fullLoop.push(await runFullLoop(extrasConfig, preset.many[0] * preset.many[1], preset.many[0]));
    phase('fullLoop');
    mlp = await runMlp(extrasConfig);
    phase('mlp');
    factored = await runFactored(extrasConfig, o.mode === 'tiny');
    phase('factored');
    if (tfjs) {
      tfjsFit = await runTfjsFit({ method, now, cpuNow: () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }, tfjs, progress, ...preset.tfjsFit, simdoptBackend: 'wasm-simd' });
      phase('tfjsFit');
    }
  }
  const threads = (o.threads ?? true)
    ? await runThreads({ specs, sizes: sizes.filter((n) => n <= 4e6), method, now, progress, gc, mlp: o.extras ?? true, cores: availableParallelism() })
    : undefined;
  phase('threads');
  if (o.mode === 'full') {
    bandwidth.push(await runBandwidth({ module: refModule, bufferBytes: preset.bandwidthBytes, method, now, progress }));
    phase('bandwidth');
  }
  const v8Detach = (o.detach ?? true) ? await runDetach(preset.detach[0], preset.detach[1], progress) : undefined;
  phase('v8Detach');
  progress.finish();
  clearInterval(sampler);

  const growths = { ...suite.growths };
  if (tfjs && tfjs.heapBytes() !== tfjs.initialHeapBytes) growths['tfjs-wasm (run)'] = 1;
  suite.growths = growths;
  const results: BenchResults = {
    meta: {
      date: new Date().toISOString(),
      mode: `${o.mode}${o.all ? ' --all' : ''}`,
      environment: `Node ${process.versions.node} (V8 ${process.versions.v8})`,
      node: process.versions.node,
      v8: process.versions.v8,
      cpu: cpus()[0]?.model ?? '?',
      cores: cpus().length,
      loadAverage: { start: load.start, end: loadavg(), min1: load.min1, max1: load.max1 },
      commit: gitCommit(),
      simdopt: info.version,
      tfjs: packageVersion('@tensorflow/tfjs-core'),
      tfjsWasm: tfjs?.wasmFlavour ?? 'not loaded',
      method: { ...method, sizes, checkSize: 4099, checkSteps: 8, tolerance: 1e-3, maxN: o.slow ? {} : preset.maxN },
      durationSeconds: (performance.now() - started) / 1000,
      phaseSeconds: phases,
    },
    contenders: contenderKinds(env).map(({ id, short, label }) => ({ id, short, label })),
    optimizers: specs.map(({ id, label, options, bytes, tfjsNote }) => ({ id, label, options, bytes, tfjsNote })),
    bandwidth,
    suite,
    manySmall,
    fullLoop,
    mlp,
    factored,
    tfjsFit,
    v8Detach,
    threads,
    targets: [],
  };
  results.targets = evaluateTargets(results);
  void backendInfo;

  const grown = Object.entries(growths).filter(([, v]) => v > 0);
  const report = [
    summaryHeader(results),
    grown.length === 0
      ? 'no wasm memory grew during the run (no ArrayBuffer was detached in this process)'
      : `WARNING: memory grew during the run (${grown.map(([k, v]) => `${k} ${v}×`).join(', ')}): typed-array code after it ran slower`,
    optimizerTables(results),
    '',
    checksTable(suite.checks),
    extrasTables(results),
    ...(threads ? ['', threadsTable(threads)] : []),
    factoredTable(results.factored),
    targetsTable(results.targets),
  ].join('\n');

  const outDir = o.outDir ?? join(root, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    const path = join(outDir, name);
    writeFileSync(path, text);
    files.push(path);
  };
  const json = JSON.stringify(results, null, 1);
  const svg = chartSvg(results);
  write('latest.json', json);
  write('latest.svg', svg);
  if (o.reference) {
    const day = results.meta.date.slice(0, 10);
    write(`reference-${day}.json`, json);
    write(`reference-${day}.svg`, svg);
  }
  return { results, report, files };
}
