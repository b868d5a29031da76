/**
 * Adafactor and Muon, the optimizers whose step is not one element-wise pass:
 * - Adafactor on a 1024×1024 matrix (factored second moment: three passes over the matrix) and on
 *   a vector of 1e6 (the vector path);
 * - Muon on 256×256 and 1024×1024 weights (momentum, then five Newton–Schulz iterations of
 *   three matrix products each, then the update).
 * Contenders: simdopt on each backend of the preset, and the same algorithm in tuned JS (float64
 * arithmetic, float32 storage, constants hoisted, a cache-friendly i-k-j matrix product with a
 * float64 row accumulator). simdopt's js backend is left out of Muon 1024×1024: it rounds every
 * operation with Math.fround and takes tens of seconds per step there.
 */
import { Adafactor, init, backendInfo, Muon, Parameter, type BackendName, type Optimizer } from 'simdopt';
import { fillGradient, fillUniform, measure, type Timed } from './harness.js';
import type { ExtrasConfig, Timing } from './extras.js';

export interface FactoredResult {
  rows: { case: string; contender: string; ms: Timing['ms']; k: number }[];
  /** Before timing: the tuned JS against simdopt wasm-simd after two steps from the same start. */
  checks: { case: string; maxRelDiff: number; ok: boolean }[];
}

/** Largest |a − b| relative to the largest |a|. */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return d / scale;
}

/** Tuned-JS Adafactor (PyTorch 2.5 defaults, eps1 = float32 epsilon) over an R×C matrix or a vector (R = 0). */
function tunedAdafactor(rows: number, cols: number, p: Float32Array, g: Float32Array): () => void {
  const lr = 1e-2;
  const eps1 = 2 ** -23;
  const eps2 = 1e-3;
  const factored = rows > 0;
  const n = p.length;
  const rowVar = new Float32Array(factored ? rows : 0);
  const colVar = new Float32Array(factored ? cols : 0);
  const colSum = new Float64Array(cols);
  const variance = new Float32Array(factored ? 0 : n);
  let t = 0;
  return () => {
    t++;
    const w = t ** -0.8;
    const alphaBase = Math.min(lr, 1 / Math.sqrt(t));
    let p2 = 0;
    let u2 = 0;
    if (!factored) {
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        const pi = p[i];
        p2 += pi * pi;
        const v = variance[i] + w * (gi * gi - variance[i]);
        variance[i] = v;
        const u = gi / Math.sqrt(Math.max(v, eps1 * eps1));
        u2 += u * u;
      }
      const alpha = Math.max(eps2, Math.sqrt(p2 / n)) * alphaBase;
      const scale = -alpha / Math.max(1, Math.sqrt(u2 / n));
      for (let i = 0; i < n; i++) p[i] += scale * (g[i] / Math.sqrt(Math.max(variance[i], eps1 * eps1)));
      return;
    }
    colSum.fill(0);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      const o = i * cols;
      for (let j = 0; j < cols; j++) {
        const gj = g[o + j];
        const sq = gj * gj;
        s += sq;
        colSum[j] += sq;
        p2 += p[o + j] * p[o + j];
      }
      rowVar[i] += w * (s / cols - rowVar[i]);
    }
    let rowMean = 0;
    for (let i = 0; i < rows; i++) rowMean += rowVar[i];
    const invMean = 1 / Math.max(rowMean / rows, eps1);
    for (let j = 0; j < cols; j++) colVar[j] += w * (colSum[j] / rows - colVar[j]);
    const floor = eps1 * eps1;
    for (let i = 0; i < rows; i++) {
      const r = rowVar[i] * invMean;
      const o = i * cols;
      for (let j = 0; j < cols; j++) {
        const u = g[o + j] / Math.sqrt(Math.max(r * colVar[j], floor));
        u2 += u * u;
      }
    }
    const alpha = Math.max(eps2, Math.sqrt(p2 / n)) * alphaBase;
    const scale = -alpha / Math.max(1, Math.sqrt(u2 / n));
    for (let i = 0; i < rows; i++) {
      const r = rowVar[i] * invMean;
      const o = i * cols;
      for (let j = 0; j < cols; j++) p[o + j] += scale * (g[o + j] / Math.sqrt(Math.max(r * colVar[j], floor)));
    }
  };
}

/** C (m×n) = A (m×k) · B (k×n), row-major, i-k-j with a float64 row accumulator. */
function gemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, acc: Float64Array): void {
  for (let i = 0; i < m; i++) {
    acc.fill(0, 0, n);
    const ai = i * k;
    for (let q = 0; q < k; q++) {
      const x = a[ai + q];
      const bq = q * n;
      for (let j = 0; j < n; j++) acc[j] += x * b[bq + j];
    }
    const ci = i * n;
    for (let j = 0; j < n; j++) c[ci + j] = acc[j];
  }
}

/** Tuned-JS Muon (PyTorch 2.9 defaults: Nesterov, 5 quintic Newton–Schulz steps) over an R×C matrix. */
function tunedMuon(rows: number, cols: number, p: Float32Array, g: Float32Array): () => void {
  const [lr, wd, mu, a, b, c, eps, steps] = [1e-3, 0.1, 0.95, 3.4445, -4.775, 2.0315, 1e-7, 5];
  const m = Math.min(rows, cols);
  const n = Math.max(rows, cols);
  const tall = rows > cols;
  const buf = new Float32Array(rows * cols);
  const x = new Float32Array(m * n);
  const xt = new Float32Array(m * n);
  const y = new Float32Array(m * n);
  const gram = new Float32Array(m * m);
  const gram2 = new Float32Array(m * m);
  const acc = new Float64Array(n);
  const negLr = -lr * Math.sqrt(Math.max(1, rows / cols));
  const decay = 1 - lr * wd;
  return () => {
    let s = 0;
    for (let i = 0; i < rows * cols; i++) {
      const gi = g[i];
      const bi = buf[i] + (1 - mu) * (gi - buf[i]);
      buf[i] = bi;
      const u = gi + mu * (bi - gi);
      y[i] = u;
      s += u * u;
    }
    const inv = 1 / Math.max(Math.sqrt(s), eps);
    if (tall) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) x[j * rows + i] = y[i * cols + j] * inv;
    else for (let i = 0; i < m * n; i++) x[i] = y[i] * inv;
    for (let it = 0; it < steps; it++) {
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) xt[j * m + i] = x[i * n + j];
      gemm(x, xt, gram, m, n, m, acc);
      gemm(gram, gram, gram2, m, m, m, acc);
      for (let i = 0; i < m * m; i++) gram[i] = b * gram[i] + c * gram2[i];
      gemm(gram, x, y, m, m, n, acc);
      for (let i = 0; i < m * n; i++) x[i] = a * x[i] + y[i];
    }
    if (tall) for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) p[i * cols + j] = p[i * cols + j] * decay + negLr * x[j * rows + i];
    else for (let i = 0; i < m * n; i++) p[i] = p[i] * decay + negLr * x[i];
  };
}

function simdoptTimed(id: string, backend: BackendName, bytes: number, shape: number[], p0: Float32Array, g: Float32Array, make: (ps: Parameter[]) => Optimizer<never>, gc?: () => void): Timed {
  let p: Parameter | null = null;
  let opt: Optimizer<never> | null = null;
  return {
    id,
    async prepare() {
      await init({ backend, initialMemoryBytes: bytes });
      void backendInfo;
      p = Parameter.from(p0, { shape });
      p.grad.set(g);
      opt = make([p]);
      opt.step();
    },
    step() {
      opt!.step();
    },
    release() {
      opt?.dispose();
      p?.dispose();
      opt = null;
      p = null;
      gc?.();
    },
  };
}

function tunedTimed(id: string, p0: Float32Array, g: Float32Array, make: (p: Float32Array, g: Float32Array) => () => void): Timed {
  let step: (() => void) | null = null;
  return {
    id,
    prepare() {
      step = make(p0.slice(), g);
      step();
    },
    step() {
      step!();
    },
    release() {
      step = null;
    },
  };
}

/** `small`: the tiny preset's sizes (64×64, 1e4, 32×32, 64×64), for the harness's own test. */
export async function runFactored(c: ExtrasConfig, small = false): Promise<FactoredResult> {
  const rows: FactoredResult['rows'] = [];
  const checks: FactoredResult['checks'] = [];
  const [big, vector, muonSmall, muonBig] = small ? [64, 1e4, 32, 64] : [1024, 1e6, 256, 1024];
  const cases: { label: string; shape: number[]; muon: boolean }[] = [
    { label: `Adafactor ${big}×${big}`, shape: [big, big], muon: false },
    { label: `Adafactor vector ${vector.toExponential().replace('e+', 'e')}`, shape: [vector], muon: false },
    { label: `Muon ${muonSmall}×${muonSmall}`, shape: [muonSmall, muonSmall], muon: true },
    { label: `Muon ${muonBig}×${muonBig}`, shape: [muonBig, muonBig], muon: true },
  ];
  for (const k of cases) {
    const n = k.shape.reduce((x, y) => x * y, 1);
    const p0 = fillUniform(new Float32Array(n), 41, -1, 1);
    const g = fillGradient(new Float32Array(n), 42);
    const [r, cols] = k.shape.length === 2 ? k.shape : [0, n];
    // Values, gradient, state, the Muon workspace (2·n + 2·m² + 8·n f32) and slack.
    const bytes = 4 * (6 * n + 2 * r * r + 8 * cols) + (16 << 20);
    const make = k.muon ? (ps: Parameter[]) => new Muon(ps) as unknown as Optimizer<never> : (ps: Parameter[]) => new Adafactor(ps) as unknown as Optimizer<never>;
    const tuned = (p: Float32Array, gg: Float32Array) => (k.muon ? tunedMuon(r, cols, p, gg) : tunedAdafactor(r, cols, p, gg));
    {
      await init({ backend: 'wasm-simd', initialMemoryBytes: bytes });
      const p = Parameter.from(p0, { shape: k.shape });
      p.grad.set(g);
      const o = make([p]);
      o.step();
      o.step();
      const q = p0.slice();
      const step = tuned(q, g);
      step();
      step();
      const maxRelDiff = relDiff(p.data, q);
      // Float64 against float32 arithmetic (and a float64 Newton–Schulz): agreement to ~1e-6.
      checks.push({ case: k.label, maxRelDiff, ok: maxRelDiff < 1e-4 });
      o.dispose();
      p.dispose();
    }
    const contenders: Timed[] = [];
    for (const backend of c.backends) {
      if (backend === 'js' && k.muon && n > 256 * 256) continue;
      contenders.push(simdoptTimed(`simdopt-${backend}`, backend, bytes, k.shape, p0, g, make, c.gc));
    }
    contenders.push(tunedTimed('tuned', p0, g, tuned));
    c.progress?.expect((c.method.warmupRounds + c.method.rounds) * contenders.length);
    const m = await measure(contenders, {
      ...c.method,
      now: c.now,
      onVisit: (id, round) => c.progress?.tick(`${k.label} ${id} r${round + 1}`),
    });
    for (const x of contenders) {
      const t = m.get(x.id)!;
      rows.push({ case: k.label, contender: x.id, ms: { median: t.median, min: t.min, p25: t.p25, p75: t.p75 }, k: t.k });
    }
  }
  return { rows, checks };
}

/** The report table: ms per step and each contender against simdopt wasm-simd. */
export function factoredTable(r: FactoredResult | undefined): string {
  if (!r) return '';
  const out = ['', 'Adafactor and Muon (PyTorch defaults; ms per step, median; x = contender / simdopt wasm-simd)'];
  for (const label of [...new Set(r.rows.map((x) => x.case))]) {
    const rows = r.rows.filter((x) => x.case === label);
    const simd = rows.find((x) => x.contender === 'simdopt-wasm-simd');
    out.push(`  ${label}`);
    for (const x of rows) {
      const ratio = simd ? `${(x.ms.median / simd.ms.median).toFixed(2)}x` : '';
      out.push(`    ${x.contender.padEnd(20)}${x.ms.median.toFixed(3).padStart(11)} ms  ${ratio.padStart(7)}   (min ${x.ms.min.toFixed(3)})`);
    }
    const check = r.checks.find((x) => x.case === label);
    if (check) out.push(`    check: tuned JS vs simdopt after 2 steps, max relative difference ${check.maxRelDiff.toExponential(1)} ${check.ok ? '(agree)' : 'DISAGREE'}`);
  }
  return out.join('\n');
}
