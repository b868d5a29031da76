/**
 * What a run reports: the result document (latest.json), the terminal tables, the targets, and
 * an SVG chart of ns/element by N per contender on log axes.
 */
import type { ThreadsResult } from './threads.js';
import type { DetachResult } from './v8-detach.js';
import type { LoopResult, ManySmallResult, MlpResult } from './extras.js';
import type { TfjsFitResult } from './tfjs-fit.js';
import type { BandwidthResult, CheckResult, OptimizerSuiteResult, TimingRow } from './suite.js';
import { formatN } from './suite.js';

export interface OptimizerInfo {
  id: string;
  label: string;
  options: string;
  bytes: number;
  tfjsNote?: string;
}

export interface BenchResults {
  meta: {
    date: string;
    mode: string;
    environment: string;
    node?: string;
    v8?: string;
    userAgent?: string;
    cpu: string;
    cores: number;
    loadAverage: { start: number[]; end: number[]; min1: number; max1: number };
    commit?: string;
    simdopt: string;
    tfjs: string;
    tfjsWasm: string;
    method: Record<string, unknown>;
    durationSeconds: number;
    phaseSeconds?: Record<string, number>;
  };
  contenders: { id: string; short: string; label: string }[];
  optimizers: OptimizerInfo[];
  bandwidth: BandwidthResult[];
  suite: OptimizerSuiteResult;
  manySmall?: ManySmallResult;
  fullLoop?: LoopResult[];
  mlp?: MlpResult;
  threads?: ThreadsResult;
  /** Adafactor and Muon against the same algorithms in tuned JS (bench/lib/factored.ts). */
  factored?: import('./factored.js').FactoredResult;
  /** simdopt/tfjs: model.fit of tfjs-layers MLPs with tfjs's Adam and simdopt's. */
  tfjsFit?: TfjsFitResult;
  v8Detach?: DetachResult;
  /** The contenders' own memory growths and the reference loop measured in the bench process. */
  targets: Target[];
}

export interface Target {
  name: string;
  want: string;
  /** From medians. */
  value: string;
  met: boolean;
  /** The same from minimum times, for context on a noisy machine. */
  valueMin?: string;
  metMin?: boolean;
  note?: string;
}

const fmt = (x: number, digits = 3): string => {
  if (!Number.isFinite(x)) return '–';
  if (x >= 1000) return x.toFixed(0);
  if (x >= 100) return x.toFixed(1);
  if (x >= 10) return x.toFixed(2);
  return x.toPrecision(digits);
};
const times = (x: number) => (Number.isFinite(x) ? `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×` : '–');

function row(rows: TimingRow[], optimizer: string, n: number, contender: string): TimingRow | undefined {
  return rows.find((r) => r.optimizer === optimizer && r.n === n && r.contender === contender);
}

export function bandwidthLimit(r: BenchResults): number {
  const xs = r.bandwidth.map((b) => b.limit).filter(Number.isFinite);
  return xs.length ? Math.max(...xs) : NaN;
}

/** The terminal tables of the optimizer benchmark. */
export function optimizerTables(r: BenchResults): string {
  const out: string[] = [];
  const limit = bandwidthLimit(r);
  const shown = r.contenders.filter((c) => r.suite.rows.some((x) => x.contender === c.id));
  for (const o of r.optimizers) {
    const sizes = [...new Set(r.suite.rows.filter((x) => x.optimizer === o.id).map((x) => x.n))].sort((a, b) => a - b);
    if (sizes.length === 0) continue;
    out.push('');
    out.push(`${o.label} (${o.options}), ${o.bytes} B/element: ns/element, median of ${r.meta.method.rounds} rounds`);
    const checks = r.suite.checks[o.id] ?? [];
    const failed = checks.filter((c) => !c.ok);
    if (failed.length) out.push(`  check FAILED (not timed): ${failed.map((c) => `${c.contender} (error ${fmt(c.relError)})`).join(', ')}`);
    if (o.tfjsNote) out.push(`  tfjs: ${o.tfjsNote}`);
    const head = ['N'.padStart(6), ...shown.map((c) => c.short.padStart(8)), ' │', 'GB/s'.padStart(6), '%BW'.padStart(5), 'simd/ref'.padStart(9), '×naive'.padStart(8), '×tuned'.padStart(7), '×tf-wasm'.padStart(9)];
    out.push(head.join(''));
    for (const n of sizes) {
      const cells = shown.map((c) => fmt(row(r.suite.rows, o.id, n, c.id)?.ns.median ?? NaN).padStart(8));
      const simd = row(r.suite.rows, o.id, n, 'simdopt-wasm-simd');
      const s = simd?.ns.median ?? NaN;
      const ratio = (id: string) => (row(r.suite.rows, o.id, n, id)?.ns.median ?? NaN) / s;
      out.push(
        [
          formatN(n).padStart(6),
          ...cells,
          ' │',
          fmt(simd?.gbps ?? NaN).padStart(6),
          (Number.isFinite(limit) && simd ? `${((simd.gbps / limit) * 100).toFixed(0)}%` : '–').padStart(5),
          times(1 / ratio('ref')).padStart(9),
          times(ratio('naive')).padStart(8),
          times(ratio('tuned')).padStart(7),
          times(ratio('tfjs-wasm')).padStart(9),
        ].join(''),
      );
    }
  }
  return out.join('\n');
}

export function checksTable(checks: Record<string, CheckResult[]>): string {
  const lines = ['Correctness before timing: p after the check steps vs simdopt wasm-simd (= bit-identical, else max relative error of the update)'];
  const width = Math.max(13, ...Object.keys(checks).map((id) => id.length));
  for (const [id, cs] of Object.entries(checks)) {
    lines.push(`  ${id.padEnd(width)} ${cs.map((c) => `${c.contender} ${c.ok ? (c.exact ? '=' : fmt(c.relError, 2)) : `FAIL ${fmt(c.relError, 2)}`}`).join(' · ')}`);
  }
  return lines.join('\n');
}

export function extrasTables(r: BenchResults): string {
  const out: string[] = [];
  if (r.manySmall) {
    const m = r.manySmall;
    out.push('', `Many small tensors: ${m.tensors} × ${m.elements} elements vs one tensor of ${formatN(m.tensors * m.elements)} (ms per step, median)`);
    out.push(`${'optimizer'.padEnd(10)}${'backend'.padEnd(11)}${'one'.padStart(9)}${'many'.padStart(9)}${'many/one'.padStart(10)}${'(min)'.padStart(8)}`);
    for (const x of m.rows) {
      out.push(`${x.optimizer.padEnd(10)}${x.backend.padEnd(11)}${fmt(x.one.ms.median).padStart(9)}${fmt(x.many.ms.median).padStart(9)}${times(x.ratio).padStart(10)}${times(x.ratioMin).padStart(8)}`);
    }
  }
  for (const l of r.fullLoop ?? []) {
    out.push('', `Full loop, Adam over ${l.tensors} × ${formatN(l.n / l.tensors)}: write grads + clipGradNorm(max ${l.maxNorm}) + step + zeroGrad (ms per iteration, median)`);
    const simd = l.rows.find((x) => x.contender === 'simdopt-wasm-simd');
    for (const x of l.rows) {
      out.push(`  ${x.contender.padEnd(20)}${fmt(x.ms.median).padStart(9)}  ${simd ? times(x.ms.median / simd.ms.median).padStart(7) : ''} of simdopt wasm-simd`);
    }
  }
  if (r.mlp) {
    const m = r.mlp;
    out.push('', `Training step of an MLP ${m.layers.join('-')} (ReLU, cross-entropy, Adam), batch ${m.batch}, ${m.parameters} parameters (ms per step, median)`);
    const simd = m.rows.find((x) => x.contender === 'simdopt-wasm-simd');
    for (const x of m.rows) {
      out.push(`  ${x.contender.padEnd(20)}${fmt(x.ms.median).padStart(9)}  ${simd ? times(x.ms.median / simd.ms.median).padStart(7) : ''} of simdopt wasm-simd`);
    }
    const bad = m.check.filter((c) => !c.ok);
    out.push(`  check (loss of 3 steps from the same weights): ${bad.length === 0 ? 'all agree' : `DISAGREE: ${bad.map((c) => c.contender).join(', ')}`} (${m.check.map((c) => `${c.contender} ${c.losses.map((l) => l.toFixed(5)).join('/')}`).join('; ')})`);
  }
  if (r.tfjsFit) {
    const f = r.tfjsFit;
    out.push('', `simdopt/tfjs: model.fit of a tfjs-layers MLP (ReLU, softmax, categorical cross-entropy), batch ${f.rows[0]?.batch}, Adam(1e-3) — tfjs's own vs tfjsOptimizer (simdopt ${f.simdoptBackend}); ms, median`);
    out.push(`  ${'backend'.padEnd(9)}${'model'.padEnd(16)}${'params'.padStart(8)}${'epoch tfjs'.padStart(12)}${'simdopt'.padStart(9)}${'faster'.padStart(8)}${'update tfjs'.padStart(13)}${'simdopt'.padStart(9)}${'faster'.padStart(9)}   loss tfjs/simdopt`);
    for (const x of f.rows) {
      out.push(`  ${`tfjs-${x.backend}`.padEnd(9)}${x.layers.join('-').padEnd(16)}${String(x.parameters).padStart(8)}${fmt(x.fit.tfjs.median).padStart(12)}${fmt(x.fit.simdopt.median).padStart(9)}${times(x.fitSpeedup).padStart(8)}${fmt(x.update.tfjs.median).padStart(13)}${fmt(x.update.simdopt.median).padStart(9)}${times(x.update.tfjs.median / x.update.simdopt.median).padStart(9)}   ${x.loss.tfjs.toFixed(5)}/${x.loss.simdopt.toFixed(5)}`);
    }
    for (const x of f.rows) {
      out.push(`  tfjs-${x.backend} ${x.layers.join('-')}: inside the epoch, applyGradients took ${fmt(x.fitApply.tfjs)} ms with tfjs's Adam, ${fmt(x.fitApply.simdopt)} ms with simdopt's${x.fitCpu ? `; CPU time per epoch ${fmt(x.fitCpu.tfjs.median)} vs ${fmt(x.fitCpu.simdopt.median)} ms (${times(x.fitCpu.speedup)})` : ''}`);
    }
    out.push(`  (epoch = ${f.rows[0]?.batches} batches, the fastest of a few per visit on wasm; "faster" of the epoch is the median of per-round ratios; update = applyGradients of one batch's gradients)`);
    out.push('  moving one update between tfjs and simdopt, whole model (ms per update, median):');
    for (const x of f.transfer) {
      out.push(`    tfjs-${x.backend.padEnd(5)} ${x.layers.join('-')}: gradients out dataSync ${fmt(x.read.dataSync)}, await data() ${fmt(x.read.data)}, storage view ${fmt(x.read.view)}; values in assign(tensor) ${fmt(x.write.assign)}, in place ${fmt(x.write.inPlace)} (not used: wrong on wasm)`);
    }
  }
  if (r.v8Detach) {
    const d = r.v8Detach;
    out.push('', `V8 detach effect: tuned-JS loops over 1e6 in fresh processes (median of ${d.repeats} each, ns/element)`);
    for (const [v, x] of Object.entries(d.variants)) {
      out.push(`  ${v.padEnd(16)} Adam ${fmt(x.adamNs).padStart(6)}   SGD ${fmt(x.sgdNs).padStart(6)}${x.grew === null ? '' : x.grew ? '   (simdopt memory grew)' : '   (simdopt memory did not grow)'}`);
    }
    out.push(`  detached/intact: Adam ${times(d.slowdown.detachedAdam)}, SGD ${times(d.slowdown.detachedSgd)}; simdopt default/sized memory: Adam ${times(d.slowdown.simdoptDefaultAdam)}, SGD ${times(d.slowdown.simdoptDefaultSgd)}`);
  }
  return out.join('\n');
}

/** The targets of issue 5, each met or missed, from this run's medians (and, beside, minima). */
export function evaluateTargets(r: BenchResults): Target[] {
  const t: Target[] = [];
  const rows = r.suite.rows;
  const get = (o: string, n: number, c: string) => row(rows, o, n, c);
  // 1. Within 10% of the reference kernel at N = 1e4 … 4e6.
  for (const o of r.optimizers) {
    const sizes = [...new Set(rows.filter((x) => x.optimizer === o.id && x.n >= 1e4 && x.n <= 4e6).map((x) => x.n))];
    if (sizes.length === 0) continue;
    let worst = 0;
    let worstN = 0;
    let worstMin = 0;
    for (const n of sizes) {
      const s = get(o.id, n, 'simdopt-wasm-simd');
      const ref = get(o.id, n, 'ref');
      if (!s || !ref) continue;
      const q = s.ns.median / ref.ns.median;
      if (q > worst) {
        worst = q;
        worstN = n;
      }
      worstMin = Math.max(worstMin, s.ns.min / ref.ns.min);
    }
    if (worstN === 0) continue;
    t.push({
      name: `${o.label}: simdopt wasm-simd vs reference kernel, N=1e4..4e6`,
      want: '≤ 1.10× the reference',
      value: `worst ${worst.toFixed(2)}× at N=${formatN(worstN)}`,
      met: worst <= 1.1,
      valueMin: `worst ${worstMin.toFixed(2)}×`,
      metMin: worstMin <= 1.1,
    });
  }
  // 2. Speed-ups at N = 1e6.
  const speedup = (o: string, n: number, vs: string, want: number, what: string) => {
    const s = get(o, n, 'simdopt-wasm-simd');
    const x = get(o, n, vs);
    const label = r.optimizers.find((y) => y.id === o)?.label ?? o;
    if (!s || !x) return;
    const q = x.ns.median / s.ns.median;
    const qMin = x.ns.min / s.ns.min;
    t.push({ name: `${label} N=${formatN(n)}: ${what}`, want: `≥ ${want}×`, value: `${q.toFixed(2)}×`, met: q >= want, valueMin: `${qMin.toFixed(2)}×`, metMin: qMin >= want });
  };
  for (const o of ['adam', 'adamw']) {
    speedup(o, 1e6, 'tuned', 6, 'vs tuned JS');
    speedup(o, 1e6, 'tfjs-wasm', 7, 'vs tfjs-wasm');
  }
  speedup('sgd', 1e6, 'tuned', 10, 'vs tuned JS');
  speedup('sgd', 1e6, 'tfjs-wasm', 2.5, 'vs tfjs-wasm');
  for (const o of ['rmsprop', 'adagrad']) {
    speedup(o, 1e6, 'tuned', 5, 'vs tuned JS');
    speedup(o, 1e6, 'tfjs-wasm', 5, 'vs tfjs-wasm');
  }
  speedup('adam', 1e3, 'tuned', 5, 'vs tuned JS (per-step overhead)');
  // 3. simdopt/tfjs (issue 16): model.fit epochs faster, the optimizer part ≥ 3×.
  for (const x of r.tfjsFit?.rows ?? []) {
    const name = `simdopt/tfjs tfjs-${x.backend} ${x.layers.join('-')}`;
    const fit = x.fit.tfjs.median / x.fit.simdopt.median;
    t.push({ name: `${name}: model.fit epoch vs tfjs Adam`, want: '> 1× (paired)', value: `${x.fitSpeedup.toFixed(2)}×`, met: x.fitSpeedup > 1, valueMin: `${(x.fit.tfjs.min / x.fit.simdopt.min).toFixed(2)}×`, metMin: x.fit.tfjs.min > x.fit.simdopt.min, note: `(medians ${fit.toFixed(2)}×)` });
    if (x.fitCpu) {
      t.push({ name: `${name}: model.fit epoch CPU time vs tfjs Adam`, want: '> 1× (paired)', value: `${x.fitCpu.speedup.toFixed(2)}×`, met: x.fitCpu.speedup > 1, valueMin: `${(x.fitCpu.tfjs.min / x.fitCpu.simdopt.min).toFixed(2)}×`, metMin: x.fitCpu.tfjs.min > x.fitCpu.simdopt.min });
    }
    const up = x.update.tfjs.median / x.update.simdopt.median;
    const upMin = x.update.tfjs.min / x.update.simdopt.min;
    t.push({ name: `${name}: optimizer part (applyGradients) vs tfjs Adam`, want: '≥ 3×', value: `${up.toFixed(2)}×`, met: up >= 3, valueMin: `${upMin.toFixed(2)}×`, metMin: upMin >= 3 });
  }
  // 4. Many small tensors.
  for (const x of r.manySmall?.rows ?? []) {
    if (x.backend !== 'wasm-simd') continue;
    t.push({
      name: `many small (${r.manySmall!.tensors}×${r.manySmall!.elements}) vs one tensor, ${x.optimizer}, wasm-simd`,
      want: '≤ 1.30×',
      value: `${x.ratio.toFixed(2)}×`,
      met: x.ratio <= 1.3,
      valueMin: `${x.ratioMin.toFixed(2)}×`,
      metMin: x.ratioMin <= 1.3,
    });
  }
  return t;
}

export function targetsTable(targets: Target[]): string {
  const lines = ['', 'Targets (from medians; the value from minimum times in brackets):'];
  for (const x of targets) {
    lines.push(`  ${x.met ? 'MET   ' : 'MISSED'} ${x.name}: ${x.value} (want ${x.want})${x.valueMin ? ` [min: ${x.valueMin}${x.metMin === x.met ? '' : x.metMin ? ', met' : ', missed'}]` : ''}${x.note ? ` ${x.note}` : ''}`);
  }
  return lines.join('\n');
}

export function summaryHeader(r: BenchResults): string {
  const m = r.meta;
  const la = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  const bw = r.bandwidth
    .map((b, i) => `${i === 0 ? 'start' : 'end'}: memory.copy ${fmt(b.copy.median)} GB/s, axpy ${fmt(b.axpy.median)} GB/s`)
    .join('; ');
  return [
    `simdopt ${m.simdopt} benchmark (${m.mode}) on ${m.environment}, ${m.cpu}, ${m.cores} cores, ${m.date}`,
    `load average at start ${la(m.loadAverage.start)}, at end ${la(m.loadAverage.end)} (1-min range over the run ${m.loadAverage.min1.toFixed(2)}–${m.loadAverage.max1.toFixed(2)})`,
    `method: ${m.method.warmupRounds} warm-up + ${m.method.rounds} interleaved rounds, samples ≥ ${m.method.minSampleMs} ms; tfjs ${m.tfjs} (wasm: ${m.tfjsWasm})`,
    `memory bandwidth (buffers of ${r.bandwidth[0] ? (r.bandwidth[0].bufferBytes / 2 ** 20).toFixed(0) : '?'} MiB) ${bw}; limit used: ${fmt(bandwidthLimit(r))} GB/s`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// The chart: one panel per optimizer, ns/element against N, log–log, a line per contender, and
// the time the memory-bandwidth limit allows (bytes per element / limit) as a dashed line.

const COLORS: Record<string, string> = {
  'simdopt-wasm-simd': '#d62728',
  'simdopt-wasm': '#ff7f0e',
  'simdopt-js': '#e377c2',
  naive: '#7f7f7f',
  tuned: '#2ca02c',
  'tfjs-cpu': '#8c564b',
  'tfjs-wasm': '#1f77b4',
  ref: '#000000',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function chartSvg(r: BenchResults): string {
  const panels = r.optimizers.filter((o) => r.suite.rows.some((x) => x.optimizer === o.id));
  const cols = Math.min(4, panels.length);
  const rowsN = Math.ceil(panels.length / cols);
  const pw = 300;
  const ph = 240;
  const ml = 52;
  const mr = 12;
  const mt = 28;
  const mb = 36;
  const legendH = 70;
  const width = cols * pw + 20;
  const height = legendH + rowsN * ph + 30;
  const all = r.suite.rows.filter((x) => Number.isFinite(x.ns.median) && x.ns.median > 0);
  const limit = bandwidthLimit(r);
  const ys = all.map((x) => x.ns.median);
  if (Number.isFinite(limit)) for (const o of panels) ys.push(o.bytes / limit);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const ns = [...new Set(all.map((x) => x.n))].sort((a, b) => a - b);
  const xMin = ns[0] / 1.5;
  const xMax = ns[ns.length - 1] * 1.5;
  const contenders = r.contenders.filter((c) => all.some((x) => x.contender === c.id));
  const s: string[] = [];
  s.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`);
  s.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  s.push(`<text x="10" y="18" font-size="14" font-weight="600">${esc(`simdopt: one optimizer step, ns per element (log) by parameter count N (log); lower is better`)}</text>`);
  s.push(`<text x="10" y="34" fill="#555">${esc(`${r.meta.environment}, ${r.meta.cpu}, ${r.meta.date.slice(0, 10)}; median of ${r.meta.method.rounds} interleaved rounds; load avg ${r.meta.loadAverage.start[0].toFixed(1)}–${r.meta.loadAverage.end[0].toFixed(1)}; dashed: memory-bandwidth limit (${fmt(limit)} GB/s)`)}</text>`);
  contenders.forEach((c, i) => {
    const x = 10 + (i % 5) * 190;
    const y = 50 + Math.floor(i / 5) * 14;
    s.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${COLORS[c.id] ?? '#999'}" stroke-width="2.5"/><text x="${x + 27}" y="${y}">${esc(c.label)}</text>`);
  });
  panels.forEach((o, idx) => {
    const ox = 10 + (idx % cols) * pw;
    const oy = legendH + Math.floor(idx / cols) * ph;
    const w = pw - ml - mr;
    const h = ph - mt - mb;
    const X = (n: number) => ox + ml + ((Math.log10(n) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * w;
    const Y = (v: number) => oy + mt + h - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * h;
    s.push(`<text x="${ox + ml}" y="${oy + 18}" font-size="12" font-weight="600">${esc(`${o.label} (${o.bytes} B/el)`)}</text>`);
    s.push(`<rect x="${ox + ml}" y="${oy + mt}" width="${w}" height="${h}" fill="none" stroke="#bbb"/>`);
    for (let e = Math.log10(yMin); e <= Math.log10(yMax); e++) {
      const y = Y(10 ** e);
      s.push(`<line x1="${ox + ml}" y1="${y}" x2="${ox + ml + w}" y2="${y}" stroke="#eee"/><text x="${ox + ml - 4}" y="${y + 4}" text-anchor="end" fill="#555">${10 ** e >= 1 ? 10 ** e : (10 ** e).toPrecision(1)}</text>`);
    }
    for (const n of ns) {
      const x = X(n);
      s.push(`<line x1="${x}" y1="${oy + mt}" x2="${x}" y2="${oy + mt + h}" stroke="#f2f2f2"/><text x="${x}" y="${oy + mt + h + 14}" text-anchor="middle" fill="#555">${formatN(n)}</text>`);
    }
    if (Number.isFinite(limit)) {
      const y = Y(o.bytes / limit);
      s.push(`<line x1="${ox + ml}" y1="${y}" x2="${ox + ml + w}" y2="${y}" stroke="#444" stroke-dasharray="5,4"/>`);
    }
    s.push(`<text x="${ox + ml + w / 2}" y="${oy + mt + h + 28}" text-anchor="middle" fill="#555">N</text>`);
    for (const c of contenders) {
      const pts = ns
        .map((n) => row(r.suite.rows, o.id, n, c.id))
        .filter((x): x is TimingRow => x !== undefined && Number.isFinite(x.ns.median) && x.ns.median > 0)
        .map((x) => [X(x.n), Y(x.ns.median)] as const);
      if (pts.length === 0) continue;
      const color = COLORS[c.id] ?? '#999';
      const wide = c.id === 'simdopt-wasm-simd' ? 2.5 : 1.5;
      s.push(`<polyline fill="none" stroke="${color}" stroke-width="${wide}" points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
      for (const [x, y] of pts) s.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.2" fill="${color}"/>`);
    }
  });
  s.push(`<text x="10" y="${height - 8}" fill="#555">${esc('ns/element; y axis shared by all panels. Reference: a hand-written single-pass SIMD kernel of the same update (the roofline for the API). `npm run bench` regenerates this chart.')}</text>`);
  s.push('</svg>');
  return s.join('\n');
}
