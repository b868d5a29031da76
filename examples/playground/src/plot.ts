/** Canvas drawing: the contour map with trajectories, and a log-scale loss-vs-step chart. */
import type { TestFunction } from './functions.js';

/** A perceptually ordered colormap (viridis at 6 stops), t in [0, 1]. */
const STOPS = [
  [68, 1, 84],
  [65, 68, 135],
  [42, 120, 142],
  [34, 168, 132],
  [122, 209, 81],
  [253, 231, 37],
];
export function colormap(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(u));
  const f = u - i;
  const [a, b] = [STOPS[i], STOPS[i + 1]];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** Sizes a canvas's backing store for the device's pixel ratio; returns the CSS size. */
function fit(canvas: HTMLCanvasElement): { w: number; h: number; ctx: CanvasRenderingContext2D } {
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const w = canvas.clientWidth || canvas.width;
  const h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { w, h, ctx };
}

export interface Trajectory {
  path: readonly number[];
  color: string;
  diverged: boolean;
}

export class ContourPlot {
  private background: HTMLCanvasElement | null = null;
  private fn: TestFunction | null = null;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  setFunction(fn: TestFunction): void {
    this.fn = fn;
    this.background = null;
  }

  private toPixel(x: number, y: number, w: number, h: number): [number, number] {
    const fn = this.fn!;
    return [
      ((x - fn.xRange[0]) / (fn.xRange[1] - fn.xRange[0])) * w,
      (1 - (y - fn.yRange[0]) / (fn.yRange[1] - fn.yRange[0])) * h,
    ];
  }

  /** log10(f − fMin) on a grid, coloured, with a dark line wherever a quarter-decade is crossed. */
  private renderBackground(w: number, h: number): HTMLCanvasElement {
    const fn = this.fn!;
    const [gw, gh] = [Math.round(w), Math.round(h)];
    const levels = new Float32Array(gw * gh);
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < gh; j++) {
      const y = fn.yRange[1] - ((j + 0.5) / gh) * (fn.yRange[1] - fn.yRange[0]);
      for (let i = 0; i < gw; i++) {
        const x = fn.xRange[0] + ((i + 0.5) / gw) * (fn.xRange[1] - fn.xRange[0]);
        const v = Math.log10(Math.max(fn.f(x, y) - fn.fMin, 0) + 1e-3);
        levels[j * gw + i] = v;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    const image = new ImageData(gw, gh);
    for (let j = 0; j < gh; j++) {
      for (let i = 0; i < gw; i++) {
        const k = j * gw + i;
        const band = Math.floor(levels[k] * 4);
        const edge =
          (i + 1 < gw && Math.floor(levels[k + 1] * 4) !== band) || (j + 1 < gh && Math.floor(levels[k + gw] * 4) !== band);
        const [r, g, b] = colormap((levels[k] - lo) / (hi - lo || 1));
        const shade = edge ? 0.6 : 1;
        image.data.set([r * shade, g * shade, b * shade, 255], k * 4);
      }
    }
    const off = document.createElement('canvas');
    off.width = gw;
    off.height = gh;
    off.getContext('2d')!.putImageData(image, 0, 0);
    return off;
  }

  draw(trajectories: Trajectory[]): void {
    if (!this.fn) return;
    const { w, h, ctx } = fit(this.canvas);
    this.background ??= this.renderBackground(w, h);
    ctx.drawImage(this.background, 0, 0, w, h);
    const fn = this.fn;
    // Minima: white crosses; the start: a white ring.
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    for (const [mx, my] of fn.minima) {
      const [px, py] = this.toPixel(mx, my, w, h);
      ctx.beginPath();
      ctx.moveTo(px - 6, py - 6);
      ctx.lineTo(px + 6, py + 6);
      ctx.moveTo(px + 6, py - 6);
      ctx.lineTo(px - 6, py + 6);
      ctx.stroke();
    }
    const [sx, sy] = this.toPixel(fn.start[0], fn.start[1], w, h);
    ctx.beginPath();
    ctx.arc(sx, sy, 6, 0, 2 * Math.PI);
    ctx.stroke();
    for (const t of trajectories) {
      ctx.strokeStyle = t.color;
      ctx.lineWidth = 2.5;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      let last: [number, number] | null = null;
      for (let k = 0; k + 1 < t.path.length; k += 2) {
        if (!Number.isFinite(t.path[k]) || !Number.isFinite(t.path[k + 1])) break;
        const p = this.toPixel(t.path[k], t.path[k + 1], w, h);
        if (last) ctx.lineTo(p[0], p[1]);
        else ctx.moveTo(p[0], p[1]);
        last = p;
      }
      ctx.stroke();
      if (last) {
        ctx.fillStyle = t.color;
        ctx.strokeStyle = t.diverged ? '#f00' : '#111';
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(last[0], last[1], 5, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    }
  }
}

export interface Series {
  values: readonly number[];
  color: string;
  label: string;
}

/** Values (≥ 0) against step on a log10 axis; zeros and non-finite values are clipped. */
export class LossChart {
  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly yLabel: string,
  ) {}

  draw(series: Series[], maxSteps: number): void {
    const { w, h, ctx } = fit(this.canvas);
    const pad = { l: 48, r: 10, t: 10, b: 26 };
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of series) {
      for (const v of s.values) {
        const l = Math.log10(Math.max(v, 1e-12));
        if (Number.isFinite(l)) {
          lo = Math.min(lo, l);
          hi = Math.max(hi, l);
        }
      }
    }
    if (!Number.isFinite(lo)) [lo, hi] = [-6, 2];
    lo = Math.floor(Math.max(lo, -12));
    hi = Math.ceil(Math.min(hi, 12));
    if (hi <= lo) hi = lo + 1;
    const X = (step: number) => pad.l + (step / Math.max(1, maxSteps)) * (w - pad.l - pad.r);
    const Y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (h - pad.t - pad.b);
    // Axes and decades.
    ctx.strokeStyle = '#ddd';
    ctx.fillStyle = '#555';
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    const every = Math.max(1, Math.ceil((hi - lo) / 6));
    for (let d = lo; d <= hi; d += every) {
      ctx.beginPath();
      ctx.moveTo(pad.l, Y(d));
      ctx.lineTo(w - pad.r, Y(d));
      ctx.stroke();
      ctx.textAlign = 'right';
      ctx.fillText(`1e${d}`, pad.l - 4, Y(d) + 4);
    }
    ctx.textAlign = 'left';
    ctx.fillText('0', X(0), h - 8);
    ctx.textAlign = 'right';
    ctx.fillText(String(maxSteps), X(maxSteps), h - 8);
    ctx.textAlign = 'center';
    ctx.fillText(`${this.yLabel} against step`, (pad.l + w - pad.r) / 2, h - 8);
    series.forEach((s) => {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      let started = false;
      s.values.forEach((v, step) => {
        const l = Math.log10(Math.max(v, 1e-12));
        if (!Number.isFinite(l)) return;
        const [px, py] = [X(step), Y(Math.min(hi, Math.max(lo, l)))];
        if (started) ctx.lineTo(px, py);
        else {
          ctx.moveTo(px, py);
          started = true;
        }
      });
      ctx.stroke();
    });
  }
}
