/**
 * Output of the training example: a progress bar per run (redrawn in place on a terminal, a few
 * plain lines otherwise), the results table, and an SVG chart of the curves.
 */
import type { Dataset } from './data.js';
import type { EpochRecord, RunResult } from './train.js';

export interface Out {
  write(text: string): void;
}

/** Progress of one run over `total` epochs. */
export class Progress {
  private lastQuarter = 0;
  private lastDraw = -Infinity;
  private readonly t0 = performance.now();

  constructor(
    private readonly out: Out,
    private readonly tty: boolean,
    private readonly label: string,
    private readonly total: number,
    private readonly scoreName: string,
    /** Terminal width: a longer line would wrap, and "\r" would then redraw only its last row. */
    private readonly columns = 100,
  ) {
    if (tty) this.draw(0, null);
  }

  update(r: EpochRecord): void {
    if (this.tty) {
      // At most ~20 redraws a second, and always the last epoch.
      const now = performance.now();
      if (now - this.lastDraw >= 50 || r.epoch === this.total) this.draw(r.epoch, r);
      return;
    }
    // Plain output (a pipe, a CI log): a line at each quarter, not a redraw per epoch.
    const quarter = Math.floor((4 * r.epoch) / this.total);
    if (quarter > this.lastQuarter) {
      this.lastQuarter = quarter;
      this.out.write(`  ${this.label}: epoch ${r.epoch}/${this.total}, ${this.status(r)}\n`);
    }
  }

  done(): void {
    if (this.tty) this.out.write('\n');
  }

  private status(r: EpochRecord): string {
    return `train loss ${fmtLoss(r.train.loss)}, test ${this.scoreName} ${fmtScore(r.test.score, this.scoreName)}, lr ${r.lr.toPrecision(3)}`;
  }

  private draw(epoch: number, r: EpochRecord | null): void {
    const width = 24;
    const filled = Math.round((width * epoch) / this.total);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const secs = ((performance.now() - this.t0) / 1000).toFixed(1);
    const tail = r ? `  ${this.status(r)}` : '';
    const line = `  ${this.label.padEnd(15)} ${bar} ${String(epoch).padStart(String(this.total).length)}/${this.total} ${secs}s${tail}`;
    // \r and "erase line": redraw in place.
    this.out.write(`\r\x1b[2K${line.slice(0, Math.max(20, this.columns - 1))}`);
    this.lastDraw = performance.now();
  }
}

export function fmtLoss(v: number): string {
  return Number.isFinite(v) ? (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(2) : v.toFixed(4)) : String(v);
}

export function fmtScore(v: number, scoreName: string): string {
  return scoreName === 'acc' ? `${(100 * v).toFixed(1)}%` : v.toFixed(3);
}

/** A plain-text table with a header rule; columns right-aligned except the first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

/** The results table: one row per run. */
export function resultsTable(results: RunResult[], data: Dataset, goal: number): string {
  const acc = data.task === 'classification';
  const s = acc ? 'acc' : 'R²';
  const goalText = acc ? `${+(100 * goal).toFixed(1)}%` : `R² ${goal}`;
  const header = ['optimizer', 'lr', 'batch', 'decay', 'train loss', `train ${s}`, 'test loss', `test ${s}`, `epochs to ${goalText}`, 'time s', 'steps/s'];
  const rows = results.map((r) => {
    const last = r.history[r.history.length - 1];
    const decay = r.spec.weightDecay === 0 ? '—' : `${r.spec.decoupled ? 'decoupled' : 'L2'} ${r.spec.weightDecay}`;
    return [
      r.spec.label,
      String(r.lr),
      String(r.batchSize),
      decay,
      fmtLoss(last.train.loss),
      fmtScore(last.train.score, s),
      fmtLoss(last.test.loss),
      fmtScore(last.test.score, s),
      r.epochsToTarget === null ? '—' : String(r.epochsToTarget),
      (r.wallMs / 1000).toFixed(2),
      String(Math.round((r.steps * 1000) / r.trainMs)),
    ];
  });
  return table(header, rows);
}

const COLORS = ['#7f7f7f', '#1f77b4', '#2ca02c', '#9467bd', '#d62728', '#ff7f0e', '#8c564b', '#e377c2'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Panel {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * An SVG with the loss curves (test solid, train dashed, log scale), the test score curves and,
 * for a 2-feature classification, the decision regions of the run with the best test loss with
 * the test points on top.
 */
export function chartSvg(results: RunResult[], data: Dataset, title: string): string {
  const scoreName = data.task === 'classification' ? 'test accuracy' : 'test R²';
  const best = results.reduce((a, b) => (b.history.at(-1)!.test.loss < a.history.at(-1)!.test.loss ? b : a));
  const withMap = best.grid !== undefined;
  const P = 340;
  const W = withMap ? 3 * (P + 80) + 20 : 2 * (P + 80) + 20;
  const H = P + 150;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="20" y="24" font-size="15" font-weight="600">${esc(title)}</text>`);
  const epochs = Math.max(...results.map((r) => r.history.length));
  // Loss: log scale over every curve's range.
  const losses = results.flatMap((r) => r.history.flatMap((e) => [e.train.loss, e.test.loss])).filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.log10(Math.min(...losses));
  const hi = Math.log10(Math.max(...losses));
  const lossPanel: Panel = { x: 70, y: 50, w: P, h: P };
  axes(parts, lossPanel, 'epoch', 'loss (log scale)', 'loss: test solid, train dashed', epochs, logTicks(lo, hi), lo, hi, (v) => (v >= 1 ? v.toFixed(0) : String(+v.toPrecision(1))));
  results.forEach((r, i) => {
    const color = COLORS[i % COLORS.length];
    for (const [key, dash] of [['test', ''], ['train', ' stroke-dasharray="5 4"']] as const) {
      const pts = r.history.map((e) => [e.epoch, Math.log10(Math.max(e[key].loss, 10 ** lo))] as const);
      parts.push(polyline(lossPanel, pts, epochs, lo, hi, color, dash));
    }
  });
  // Score: accuracy in [min, 1] (or R²).
  const scores = results.flatMap((r) => r.history.map((e) => e.test.score));
  const sLo = Math.max(data.task === 'classification' ? 0 : -1, Math.floor(Math.min(...scores) * 10) / 10);
  const scorePanel: Panel = { x: 70 + P + 80, y: 50, w: P, h: P };
  const sTicks = Array.from({ length: Math.round((1 - sLo) * 10) + 1 }, (_, k) => sLo + k / 10).filter((_, k, a) => a.length <= 6 || k % 2 === 0);
  axes(parts, scorePanel, 'epoch', scoreName, scoreName, epochs, sTicks.map((v) => [v, v] as [number, number]), sLo, 1, (v) => (data.task === 'classification' ? `${Math.round(v * 100)}%` : v.toFixed(1)));
  results.forEach((r, i) => {
    parts.push(polyline(scorePanel, r.history.map((e) => [e.epoch, Math.max(e.test.score, sLo)] as const), epochs, sLo, 1, COLORS[i % COLORS.length], ''));
  });
  // Legend under the two panels.
  results.forEach((r, i) => {
    const x = 70 + (i % 3) * 250;
    const y = 50 + P + 50 + Math.floor(i / 3) * 18;
    const last = r.history.at(-1)!;
    parts.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${COLORS[i % COLORS.length]}" stroke-width="2.5"/>`);
    parts.push(`<text x="${x + 28}" y="${y}">${esc(r.spec.label)} (test loss ${fmtLoss(last.test.loss)})</text>`);
  });
  if (withMap) decisionMap(parts, { x: 70 + 2 * (P + 80), y: 50, w: P, h: P }, best, data);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** Log-scale ticks: each power of ten in [lo, hi], with 2× and 5× when there are few. */
function logTicks(lo: number, hi: number): [number, number][] {
  const ticks: [number, number][] = [];
  const few = hi - lo < 2;
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of few ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      const l = Math.log10(v);
      if (l >= lo - 1e-9 && l <= hi + 1e-9) ticks.push([l, v]);
    }
  }
  return ticks;
}

function axes(
  parts: string[],
  p: Panel,
  xLabel: string,
  yLabel: string,
  title: string,
  epochs: number,
  yTicks: [number, number][],
  lo: number,
  hi: number,
  fmt: (v: number) => string,
): void {
  parts.push(`<text x="${p.x}" y="${p.y - 8}" font-weight="600">${esc(title)}</text>`);
  parts.push(`<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" fill="none" stroke="#333"/>`);
  for (const [pos, v] of yTicks) {
    const y = p.y + p.h - ((pos - lo) / (hi - lo || 1)) * p.h;
    parts.push(`<line x1="${p.x}" y1="${y.toFixed(1)}" x2="${p.x + p.w}" y2="${y.toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${p.x - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${esc(fmt(v))}</text>`);
  }
  const step = niceStep(epochs);
  for (let e = 0; e <= epochs; e += step) {
    const x = p.x + (e / Math.max(1, epochs)) * p.w;
    parts.push(`<text x="${x.toFixed(1)}" y="${p.y + p.h + 16}" text-anchor="middle">${e}</text>`);
  }
  parts.push(`<text x="${p.x + p.w / 2}" y="${p.y + p.h + 34}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(${p.x - 48} ${p.y + p.h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
}

function niceStep(n: number): number {
  for (const s of [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000]) if (n / s <= 8) return s;
  return Math.ceil(n / 8);
}

function polyline(p: Panel, pts: readonly (readonly [number, number])[], epochs: number, lo: number, hi: number, color: string, extra: string): string {
  const d = pts
    .map(([e, v]) => `${(p.x + (e / Math.max(1, epochs)) * p.w).toFixed(1)},${(p.y + p.h - ((v - lo) / (hi - lo || 1)) * p.h).toFixed(1)}`)
    .join(' ');
  return `<polyline points="${d}" fill="none" stroke="${color}" stroke-width="1.8"${extra}/>`;
}

const CLASS_FILL = ['#cfe3f5', '#fbd9c4', '#d4efd0', '#e6dbf2', '#f7d4d4', '#f3ecc6'];
const CLASS_DOT = ['#1f5f99', '#c0531a', '#2a7f2a', '#6a4a9c', '#a02525', '#8a7a1a'];

/** The best run's predicted class over the feature plane, with the test points. */
function decisionMap(parts: string[], p: Panel, run: RunResult, data: Dataset): void {
  const g = run.grid!;
  const cell = p.w / g.size;
  parts.push(`<text x="${p.x}" y="${p.y - 8}" font-weight="600">${esc(`${run.spec.label}: decision regions, test points`)}</text>`);
  for (let i = 0; i < g.size; i++) {
    // One rect per run of equal cells in a row keeps the file small.
    let j = 0;
    while (j < g.size) {
      const c = g.classes[i * g.size + j];
      let k = j + 1;
      while (k < g.size && g.classes[i * g.size + k] === c) k++;
      parts.push(`<rect x="${(p.x + j * cell).toFixed(1)}" y="${(p.y + i * cell).toFixed(1)}" width="${((k - j) * cell + 0.5).toFixed(1)}" height="${(cell + 0.5).toFixed(1)}" fill="${CLASS_FILL[c % CLASS_FILL.length]}"/>`);
      j = k;
    }
  }
  const { x, y, rows } = data.test;
  for (let r = 0; r < rows; r++) {
    const px = p.x + ((x[2 * r] - g.lo) / (g.hi - g.lo)) * p.w;
    const py = p.y + (1 - (x[2 * r + 1] - g.lo) / (g.hi - g.lo)) * p.h;
    parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="2.2" fill="${CLASS_DOT[y[r] % CLASS_DOT.length]}"/>`);
  }
  parts.push(`<rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${p.x + p.w / 2}" y="${p.y + p.h + 16}" text-anchor="middle">${esc(data.featureNames[0])} (standardised)</text>`);
  parts.push(`<text transform="translate(${p.x - 10} ${p.y + p.h / 2}) rotate(-90)" text-anchor="middle">${esc(data.featureNames[1])} (standardised)</text>`);
}
