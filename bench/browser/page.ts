/**
 * The benchmark page: the same optimizer suite as `npm run bench` (same contenders, method and
 * checks), in the browser. bench/browser.ts builds it, serves it on 127.0.0.1 and calls
 * `window.simdoptBench(options)`; progress goes back through `window.benchProgress`.
 */
import { backendInfo, init } from 'simdopt';
import { contenderKinds } from '../lib/contenders.js';
import { runManySmall, type ExtrasConfig } from '../lib/extras.js';
import { optimizerSpecs } from '../lib/optimizers.js';
import { runBandwidth, runOptimizerSuite, type Method, type Progress } from '../lib/suite.js';
import { setupTfjs } from '../lib/tfjs.js';
import { runThreads } from '../lib/threads.js';

export interface PageOptions {
  sizes: number[];
  method: Method;
  all: boolean;
  optimizers?: string[];
  maxN: Record<string, number>;
  bandwidthBytes: number;
  manySmall: boolean;
  /** The threads dimension (needs the cross-origin isolated page the bench serves). */
  threads: boolean;
}

declare global {
  interface Window {
    simdoptBench(o: PageOptions): Promise<unknown>;
    benchProgress?(kind: 'tick' | 'expect', value: string | number): void;
  }
}

const status = document.getElementById('status')!;

window.simdoptBench = async (o: PageOptions) => {
  const started = performance.now();
  const progress: Progress = {
    tick(what) {
      status.textContent = what;
      window.benchProgress?.('tick', what);
    },
    expect(visits) {
      window.benchProgress?.('expect', visits);
    },
  };
  const now = () => performance.now();
  const gc = (globalThis as { gc?: () => void }).gc;
  const info = await init({ backend: 'wasm-simd' });
  const maxN = Math.max(...o.sizes, 1e6);
  const tfjs = await setupTfjs(maxN * 4 * 28 + (64 << 20), async (name) => (await fetch(`/tfjs/${name}`)).arrayBuffer());
  const refModule = await WebAssembly.compile(await (await fetch('/reference.wasm')).arrayBuffer());
  const env = { tfjs, refModule, gc };
  const specs = optimizerSpecs(o.all, o.optimizers);
  const bandwidth = [await runBandwidth({ module: refModule, bufferBytes: o.bandwidthBytes, method: o.method, now, progress })];
  const suite = await runOptimizerSuite({
    sizes: o.sizes,
    optimizers: specs,
    method: o.method,
    checkSize: 4099,
    checkSteps: 8,
    tolerance: 1e-3,
    maxN: o.maxN,
    now,
    env,
    progress,
  });
  const extras: ExtrasConfig = { method: o.method, now, tfjs, refModule, gc, progress, backends: ['wasm-simd'] };
  const manySmall = o.manySmall ? await runManySmall(extras) : undefined;
  // Last: it replaces the backend with the threaded one (a worker per core).
  const threads =
    o.threads && globalThis.crossOriginIsolated === true
      ? await runThreads({ specs: optimizerSpecs(false, ['sgd', 'adam', 'adamw']), sizes: o.sizes.filter((n) => n === 1e3 || (n >= 1e6 && n <= 4e6)), method: o.method, now, progress, gc, mlp: true, cores: navigator.hardwareConcurrency || 1 })
      : undefined;
  status.textContent = 'done';
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    simdopt: info.version,
    backend: backendInfo().backend,
    tfjsWasm: tfjs.wasmFlavour,
    tfjsGrew: tfjs.heapBytes() !== tfjs.initialHeapBytes,
    contenders: contenderKinds(env).map(({ id, short, label }) => ({ id, short, label })),
    optimizers: specs.map(({ id, label, options, bytes, tfjsNote }) => ({ id, label, options, bytes, tfjsNote })),
    bandwidth,
    suite,
    manySmall,
    threads,
    durationSeconds: (performance.now() - started) / 1000,
  };
};

status.textContent = 'ready';
