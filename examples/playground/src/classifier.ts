/**
 * A tiny classifier trained in the page: a 2 → H → H → 1 tanh MLP whose weights are simdopt
 * Parameters, full-batch binary cross-entropy on a 2-D toy dataset, backpropagation written out
 * by hand into the parameters' grad views, and a simdopt optimizer doing the update.
 */
import type { BaseOptions, Optimizer, Parameter } from 'simdopt';
import { runStep } from './registry.js';

/** A small deterministic generator (mulberry32), so a dataset and an initialisation repeat. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

export interface Dataset {
  /** x0, y0, x1, y1, … */
  points: Float32Array;
  labels: Uint8Array;
  n: number;
}

export const DATASETS: Record<string, { label: string; make(n: number, seed: number): Dataset }> = {
  moons: {
    label: 'Two moons',
    make(n, seed) {
      const r = rng(seed);
      const d = empty(n);
      for (let i = 0; i < n; i++) {
        const c = i % 2;
        const t = Math.PI * r();
        const [x, y] = c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
        d.points[2 * i] = (x - 0.5) * 1.2 + 0.12 * gaussian(r);
        d.points[2 * i + 1] = (y - 0.25) * 1.2 + 0.12 * gaussian(r);
        d.labels[i] = c;
      }
      return d;
    },
  },
  spirals: {
    label: 'Two spirals',
    make(n, seed) {
      const r = rng(seed);
      const d = empty(n);
      for (let i = 0; i < n; i++) {
        const c = i % 2;
        const t = 0.25 + 2.75 * r();
        const angle = t * Math.PI + c * Math.PI;
        d.points[2 * i] = 0.55 * t * Math.cos(angle) + 0.05 * gaussian(r);
        d.points[2 * i + 1] = 0.55 * t * Math.sin(angle) + 0.05 * gaussian(r);
        d.labels[i] = c;
      }
      return d;
    },
  },
  circles: {
    label: 'Circles',
    make(n, seed) {
      const r = rng(seed);
      const d = empty(n);
      for (let i = 0; i < n; i++) {
        const c = i % 2;
        const angle = 2 * Math.PI * r();
        const radius = (c === 0 ? 0.5 : 1.2) + 0.1 * gaussian(r);
        d.points[2 * i] = radius * Math.cos(angle);
        d.points[2 * i + 1] = radius * Math.sin(angle);
        d.labels[i] = c;
      }
      return d;
    },
  },
};

function empty(n: number): Dataset {
  return { points: new Float32Array(2 * n), labels: new Uint8Array(n), n };
}

export class MLP {
  readonly w1: Parameter; // [H, 2]
  readonly b1: Parameter; // [H]
  readonly w2: Parameter; // [H, H]
  readonly b2: Parameter; // [H]
  readonly w3: Parameter; // [H]
  readonly b3: Parameter; // [1]
  private h1: Float32Array;
  private h2: Float32Array;
  private capacity = 0;

  constructor(
    simdopt: typeof import('simdopt'),
    readonly hidden: number,
    seed: number,
  ) {
    const r = rng(seed);
    // Glorot-uniform weights, zero biases.
    const glorot = (fanIn: number, fanOut: number, count: number) => {
      const a = Math.sqrt(6 / (fanIn + fanOut));
      return Array.from({ length: count }, () => (2 * r() - 1) * a);
    };
    const H = hidden;
    this.w1 = simdopt.Parameter.from(glorot(2, H, 2 * H), { name: 'w1', shape: [H, 2] });
    this.b1 = simdopt.Parameter.zeros(H, { name: 'b1' });
    this.w2 = simdopt.Parameter.from(glorot(H, H, H * H), { name: 'w2', shape: [H, H] });
    this.b2 = simdopt.Parameter.zeros(H, { name: 'b2' });
    this.w3 = simdopt.Parameter.from(glorot(H, 1, H), { name: 'w3', shape: [1, H] });
    this.b3 = simdopt.Parameter.zeros(1, { name: 'b3' });
    this.h1 = new Float32Array(0);
    this.h2 = new Float32Array(0);
  }

  parameters(): Parameter[] {
    return [this.w1, this.b1, this.w2, this.b2, this.w3, this.b3];
  }

  private reserve(n: number): void {
    if (n > this.capacity) {
      this.capacity = n;
      this.h1 = new Float32Array(n * this.hidden);
      this.h2 = new Float32Array(n * this.hidden);
    }
  }

  /** Logits of n points into out; keeps the activations for backward. */
  forward(points: Float32Array, n: number, out: Float32Array): void {
    this.reserve(n);
    const H = this.hidden;
    // Read the views once per call: they stay valid for the whole pass (no allocation inside).
    const [w1, b1, w2, b2, w3, b3] = this.parameters().map((p) => p.data);
    const { h1, h2 } = this;
    for (let s = 0; s < n; s++) {
      const x = points[2 * s];
      const y = points[2 * s + 1];
      const o1 = s * H;
      for (let j = 0; j < H; j++) h1[o1 + j] = Math.tanh(w1[2 * j] * x + w1[2 * j + 1] * y + b1[j]);
      for (let j = 0; j < H; j++) {
        let z = b2[j];
        for (let k = 0; k < H; k++) z += w2[j * H + k] * h1[o1 + k];
        h2[o1 + j] = Math.tanh(z);
      }
      let z = b3[0];
      for (let k = 0; k < H; k++) z += w3[k] * h2[o1 + k];
      out[s] = z;
    }
  }

  /** Mean binary cross-entropy with logits; accumulates its gradient into the parameters' grads. */
  lossAndBackward(d: Dataset, logits: Float32Array): { loss: number; accuracy: number } {
    this.forward(d.points, d.n, logits);
    const H = this.hidden;
    const [w2, w3] = [this.w2.data, this.w3.data];
    const [gw1, gb1, gw2, gb2, gw3, gb3] = this.parameters().map((p) => p.grad);
    const { h1, h2 } = this;
    const d2 = new Float32Array(H);
    let loss = 0;
    let correct = 0;
    for (let s = 0; s < d.n; s++) {
      const z = logits[s];
      const t = d.labels[s];
      // log(1 + e^-|z|) form: stable for large |z|.
      loss += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
      if ((z > 0 ? 1 : 0) === t) correct++;
      const dz = (1 / (1 + Math.exp(-z)) - t) / d.n;
      const o = s * H;
      gb3[0] += dz;
      for (let k = 0; k < H; k++) {
        gw3[k] += dz * h2[o + k];
        d2[k] = dz * w3[k] * (1 - h2[o + k] * h2[o + k]);
      }
      for (let j = 0; j < H; j++) {
        gb2[j] += d2[j];
        for (let k = 0; k < H; k++) gw2[j * H + k] += d2[j] * h1[o + k];
      }
      const x = d.points[2 * s];
      const y = d.points[2 * s + 1];
      for (let k = 0; k < H; k++) {
        let back = 0;
        for (let j = 0; j < H; j++) back += d2[j] * w2[j * H + k];
        const d1 = back * (1 - h1[o + k] * h1[o + k]);
        gb1[k] += d1;
        gw1[2 * k] += d1 * x;
        gw1[2 * k + 1] += d1 * y;
      }
    }
    return { loss: loss / d.n, accuracy: correct / d.n };
  }

  dispose(): void {
    for (const p of this.parameters()) p.dispose();
  }
}

export interface TrainerState {
  dataset: string;
  step: number;
  loss: number;
  accuracy: number;
  done: boolean;
  diverged: boolean;
}

/** The model, its optimizer (and scheduler) and the data, stepped a few times per frame. */
export class Trainer {
  readonly losses: number[] = [];
  step = 0;
  loss = NaN;
  accuracy = 0;
  private logits: Float32Array;

  constructor(
    readonly datasetId: string,
    readonly data: Dataset,
    readonly model: MLP,
    readonly optimizer: Optimizer<BaseOptions>,
    readonly scheduler: { step(metric?: number): void; dispose?(): void } | null,
    readonly schedulerOnMetric: boolean,
    readonly maxSteps: number,
    /** Steps the parameters `optimizer` does not take (Muon's biases), at its lr. */
    readonly companion: Optimizer<BaseOptions> | null = null,
  ) {
    this.logits = new Float32Array(data.n);
  }

  get done(): boolean {
    return this.step >= this.maxSteps || this.diverged;
  }

  /** The loss became NaN or infinite (too large a learning rate). */
  get diverged(): boolean {
    return this.step > 0 && !Number.isFinite(this.loss);
  }

  advance(n: number): void {
    for (let i = 0; i < n && !this.done; i++) {
      let accuracy = 0;
      // Muon's AdamW companion (the biases) is zeroed and stepped with it, at its lr.
      this.companion?.zeroGrad();
      const loss = runStep(this.optimizer, () => {
        this.optimizer.zeroGrad();
        const r = this.model.lossAndBackward(this.data, this.logits);
        accuracy = r.accuracy;
        return r.loss;
      });
      if (this.companion) {
        this.companion.paramGroups[0].lr = this.optimizer.paramGroups[0].lr;
        this.companion.step();
      }
      if (this.scheduler) this.schedulerOnMetric ? this.scheduler.step(loss) : this.scheduler.step();
      this.loss = loss;
      this.accuracy = accuracy;
      this.losses.push(loss);
      this.step++;
    }
  }

  state(): TrainerState {
    return { dataset: this.datasetId, step: this.step, loss: this.loss, accuracy: this.accuracy, done: this.done, diverged: this.diverged };
  }

  dispose(): void {
    this.scheduler?.dispose?.();
    this.optimizer.dispose();
    this.companion?.dispose();
    this.model.dispose();
  }
}

/** The predicted probability on a grid as an image, with the data points on top. */
export function drawBoundary(canvas: HTMLCanvasElement, model: MLP, d: Dataset, extent: number): void {
  const G = 90;
  const grid = new Float32Array(2 * G * G);
  for (let j = 0; j < G; j++) {
    for (let i = 0; i < G; i++) {
      grid[2 * (j * G + i)] = -extent + ((i + 0.5) / G) * 2 * extent;
      grid[2 * (j * G + i) + 1] = extent - ((j + 0.5) / G) * 2 * extent;
    }
  }
  const logits = new Float32Array(G * G);
  model.forward(grid, G * G, logits);
  const image = new ImageData(G, G);
  const A = [239, 131, 84]; // class 0
  const B = [76, 146, 214]; // class 1
  for (let k = 0; k < G * G; k++) {
    const p = 1 / (1 + Math.exp(-logits[k]));
    const mix = (c: number) => 255 - (255 - (p > 0.5 ? B[c] : A[c])) * Math.min(1, Math.abs(p - 0.5) * 2) * 0.6;
    image.data.set([mix(0), mix(1), mix(2), 255], 4 * k);
  }
  const dpr = Math.min(2, window.devicePixelRatio || 1);
  const w = canvas.clientWidth || canvas.width;
  const h = canvas.clientHeight || canvas.height;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const off = document.createElement('canvas');
  off.width = G;
  off.height = G;
  off.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, w, h);
  for (let s = 0; s < d.n; s++) {
    const px = ((d.points[2 * s] + extent) / (2 * extent)) * w;
    const py = ((extent - d.points[2 * s + 1]) / (2 * extent)) * h;
    ctx.fillStyle = d.labels[s] ? `rgb(${B})` : `rgb(${A})`;
    ctx.strokeStyle = '#222';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.arc(px, py, 3.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}
