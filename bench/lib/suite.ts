/**
 * The optimizer benchmark: for every optimizer spec and size N, check every contender against
 * simdopt (wasm-simd), then time them all in interleaved rounds. Also the memory-bandwidth
 * limit, measured the same way in the same run.
 */
import { contenderKinds, type ContenderEnv, type ContenderKind, type Instance } from './contenders.js';
import { fillGradient, fillUniform, measure, type MeasureOptions, type Measurement, type Timed } from './harness.js';
import type { OptimizerSpec } from './optimizers.js';
import { RefArena } from './ref/module.js';

export interface Method {
  rounds: number;
  warmupRounds: number;
  minSampleMs: number;
  samples: number;
  slowBatchMs: number;
}

export interface Progress {
  /** Advances the bar by one visit and says what runs. */
  tick(what: string): void;
  /** Adds visits to the expected total. */
  expect(visits: number): void;
}

export interface CheckResult {
  contender: string;
  ok: boolean;
  /** max |Δp − Δp_simdopt| / max |Δp_simdopt| over the check's elements (Δp = p_after − p_before). */
  relError: number;
  /** Bit-identical to simdopt wasm-simd. */
  exact: boolean;
  note?: string;
}

export interface TimingRow {
  optimizer: string;
  n: number;
  contender: string;
  /** ns per element: median over rounds, minimum over samples, quartiles over rounds. */
  ns: { median: number; min: number; p25: number; p75: number };
  /** Effective GB/s of the median: bytes a fused pass moves per element / ns per element. */
  gbps: number;
  /** Steps per timed batch, rounds recorded. */
  k: number;
  rounds: number[];
}

export interface OptimizerSuiteResult {
  checks: Record<string, CheckResult[]>;
  rows: TimingRow[];
  /** Memory growths seen per contender (all zero means no ArrayBuffer was detached). */
  growths: Record<string, number>;
  /** Contenders that failed their check and were not timed, per optimizer. */
  excluded: Record<string, string[]>;
}

export interface SuiteConfig {
  sizes: number[];
  optimizers: OptimizerSpec[];
  method: Method;
  /** Elements of the correctness check and its steps. */
  checkSize: number;
  checkSteps: number;
  /** Relative tolerance of the check. */
  tolerance: number;
  /** Contender ids to include (default: all). */
  contenders?: string[];
  /** The N range in which all optimizers share the rounds (default [1e5, 1e6]). */
  interleave?: [number, number];
  /** Largest N a contender is timed at (the slow ones would take minutes per round beyond it). */
  maxN?: Record<string, number>;
  now(): number;
  env: ContenderEnv;
  progress?: Progress;
}

function measureOptions(c: SuiteConfig, label: string): MeasureOptions {
  return {
    ...c.method,
    now: c.now,
    onVisit: (id, round) => c.progress?.tick(`${label} ${id} r${round + 1}/${c.method.warmupRounds + c.method.rounds}`),
  };
}

function relError(p0: Float32Array, truth: Float32Array, x: Float32Array): number {
  let maxDelta = 0;
  let maxErr = 0;
  for (let i = 0; i < p0.length; i++) {
    const d = truth[i] - p0[i];
    const e = Math.abs(x[i] - p0[i] - d);
    if (Math.abs(d) > maxDelta) maxDelta = Math.abs(d);
    if (!(e <= maxErr)) maxErr = e; // NaN propagates
  }
  return maxDelta === 0 ? (maxErr === 0 ? 0 : Infinity) : maxErr / maxDelta;
}

function exactlyEqual(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export function formatN(n: number): string {
  // 1e3, 4e6, 16e6: the shortest "<integer>e<exponent>" (plain digits below 1000).
  if (n < 1000 || !Number.isInteger(n)) return String(n);
  let e = 0;
  let m = n;
  while (m % 10 === 0) {
    m /= 10;
    e++;
  }
  return e === 0 ? String(n) : `${m}e${e}`;
}

/** Correctness: every contender's p after `steps` steps against simdopt wasm-simd's. */
export async function checkContenders(spec: OptimizerSpec, kinds: ContenderKind[], c: SuiteConfig): Promise<CheckResult[]> {
  const n = c.checkSize;
  const p0 = fillUniform(new Float32Array(n), 11, -1, 1);
  const g = fillGradient(new Float32Array(n), 23);
  const instances = kinds.map((k) => [k, k.make(spec, p0, g)] as const);
  const truthKind = instances.find(([k]) => k.id === 'simdopt-wasm-simd');
  if (!truthKind || !truthKind[1]) throw new Error('the check needs simdopt-wasm-simd');
  const truth = await truthKind[1].run(c.checkSteps);
  const out: CheckResult[] = [];
  for (const [k, inst] of instances) {
    if (!inst) continue;
    try {
      const x = await inst.run(c.checkSteps);
      const err = relError(p0, truth, x);
      out.push({ contender: k.id, ok: err <= c.tolerance, relError: err, exact: exactlyEqual(x, truth) });
    } catch (e) {
      out.push({ contender: k.id, ok: false, relError: NaN, exact: false, note: String((e as Error).message ?? e) });
    } finally {
      inst.dispose();
    }
  }
  return out;
}

export async function runOptimizerSuite(c: SuiteConfig): Promise<OptimizerSuiteResult> {
  const kinds = contenderKinds(c.env).filter((k) => !c.contenders || c.contenders.includes(k.id) || k.id === 'simdopt-wasm-simd');
  const result: OptimizerSuiteResult = { checks: {}, rows: [], growths: {}, excluded: {} };
  const visits = c.method.warmupRounds + c.method.rounds;
  for (const spec of c.optimizers) {
    const counted = kinds
      .filter((k) => (k.id !== 'tfjs-cpu' && k.id !== 'tfjs-wasm' ? true : spec.tfjs !== null && c.env.tfjs !== null))
      .filter((k) => k.id !== 'ref' || spec.ref !== null)
      .filter((k) => (k.id !== 'naive' && k.id !== 'tuned') || spec[k.id] !== null);
    for (const n of c.sizes) c.progress?.expect(visits * counted.filter((k) => n <= (c.maxN?.[k.id] ?? Infinity)).length);
  }
  const failed = new Map<string, Set<string>>();
  for (const spec of c.optimizers) {
    c.progress?.tick(`${spec.label}: checking contenders`);
    const checks = await checkContenders(spec, kinds, c);
    result.checks[spec.id] = checks;
    failed.set(spec.id, new Set(checks.filter((x) => !x.ok).map((x) => x.contender)));
    result.excluded[spec.id] = [...failed.get(spec.id)!];
  }
  for (const n of c.sizes) {
    // From N = 1e5 to 1e6 every optimizer's contenders share the rounds: a burst of load from
    // another process then lands in one round of many configurations, not in every round of one.
    // Below, one optimizer at a time: there the step's fixed cost matters, and a process that
    // alternates seven optimizer classes every few microseconds keeps V8's inline caches
    // megamorphic, which no training loop does. Beyond 1e6, one at a time keeps memory bounded.
    const [lo, hi] = c.interleave ?? [1e5, 1e6];
    const groups = n >= lo && n <= hi ? [c.optimizers] : c.optimizers.map((o) => [o]);
    for (const specs of groups) {
      const p0 = fillUniform(new Float32Array(n), 1, -1, 1);
      const g = fillGradient(new Float32Array(n), 2);
      const entries: { spec: OptimizerSpec; inst: Instance; timed: Timed }[] = [];
      for (const spec of specs) {
        for (const k of kinds) {
          if (failed.get(spec.id)!.has(k.id) || n > (c.maxN?.[k.id] ?? Infinity)) continue;
          const inst = k.make(spec, p0, g);
          if (!inst) continue;
          const timed: Timed = {
            id: `${spec.id}|${inst.id}`,
            prepare: inst.prepare ? () => inst.prepare!() : undefined,
            step: () => inst.step(),
            release: inst.release ? () => inst.release!() : undefined,
          };
          entries.push({ spec, inst, timed });
        }
      }
      const label = `${specs.length === 1 ? specs[0].label : 'all optimizers'} N=${formatN(n)}`;
      let measured: Map<string, Measurement>;
      try {
        measured = await measure(entries.map((e) => e.timed), measureOptions(c, label));
      } finally {
        for (const { inst } of entries) {
          result.growths[inst.id] = (result.growths[inst.id] ?? 0) + inst.growths;
          inst.dispose();
        }
        c.env.gc?.();
      }
      for (const { spec, inst, timed } of entries) {
        const m = measured.get(timed.id)!;
        const toNs = (ms: number) => (ms * 1e6) / n;
        result.rows.push({
          optimizer: spec.id,
          n,
          contender: inst.id,
          ns: { median: toNs(m.median), min: toNs(m.min), p25: toNs(m.p25), p75: toNs(m.p75) },
          gbps: spec.bytes / toNs(m.median),
          k: m.k,
          rounds: m.rounds.map(toNs),
        });
      }
    }
  }
  return result;
}

export interface BandwidthResult {
  /** Bytes per buffer (each well above the last-level cache). */
  bufferBytes: number;
  /** memory.copy: (read + write) bytes / s, in GB/s. */
  copy: { median: number; max: number };
  /** In-place SIMD axpy y ← y + a·x: 12 bytes per element / s, in GB/s. */
  axpy: { median: number; max: number };
  /** The limit a streaming update is compared with: the larger median. */
  limit: number;
}

/** The memory-bandwidth limit: big memory.copy and in-place axpy over buffers far beyond the LLC. */
export async function runBandwidth(c: { module: WebAssembly.Module; bufferBytes: number; method: Method; now(): number; progress?: Progress }): Promise<BandwidthResult> {
  const n = c.bufferBytes / 4;
  const arena = new RefArena(c.module, RefArena.bytesFor([n, n]));
  const x = arena.f32(n);
  const y = arena.f32(n);
  fillUniform(x.view, 5, -1, 1);
  fillUniform(y.view, 6, -1, 1);
  const fns = arena.exports;
  const contenders = [
    { id: 'copy', step: () => fns.copy(y.ptr, x.ptr, c.bufferBytes) },
    { id: 'axpy', step: () => fns.axpy(x.ptr, y.ptr, n, 1e-7) },
  ];
  c.progress?.expect((c.method.warmupRounds + c.method.rounds) * 2);
  const m = await measure(contenders, {
    ...c.method,
    now: c.now,
    onVisit: (id, r) => c.progress?.tick(`memory bandwidth ${id} r${r + 1}`),
  });
  const gbps = (ms: number, bytes: number) => bytes / (ms * 1e6);
  const copy = m.get('copy')!;
  const axpy = m.get('axpy')!;
  const result: BandwidthResult = {
    bufferBytes: c.bufferBytes,
    copy: { median: gbps(copy.median, 2 * c.bufferBytes), max: gbps(copy.min, 2 * c.bufferBytes) },
    axpy: { median: gbps(axpy.median, 3 * c.bufferBytes), max: gbps(axpy.min, 3 * c.bufferBytes) },
    limit: 0,
  };
  result.limit = Math.max(result.copy.median, result.axpy.median);
  return result;
}
