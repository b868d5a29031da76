/**
 * One racer: a 2-D point as a simdopt Parameter, its optimizer and optional scheduler, stepping on
 * a test function and recording its path and loss. No DOM here.
 */
import type { BaseOptions, Optimizer, Parameter } from 'simdopt';
import type { TestFunction } from './functions.js';
import { distanceToMinimum } from './functions.js';
import { construct, runStep, type Spec, type Values } from './registry.js';

export interface Scheduler {
  step(metric?: number): void;
  getLastLr(): number[];
  dispose?(): void;
}

export interface RacerChoice {
  optimizer: Spec;
  optimizerValues: Values;
  scheduler: Spec | null;
  schedulerValues: Values;
  label: string;
  color: string;
}

export interface RacerState {
  label: string;
  optimizer: string;
  scheduler: string | null;
  color: string;
  step: number;
  x: number;
  y: number;
  loss: number;
  lr: number;
  done: boolean;
  diverged: boolean;
  distance: number;
}

export class Racer {
  /** x0, y0, x1, y1, …: every point visited. */
  readonly path: number[] = [];
  /** f − fMin at every point of the path. */
  readonly losses: number[] = [];
  readonly point: Parameter;
  readonly optimizer: Optimizer<BaseOptions>;
  readonly scheduler: Scheduler | null;
  step = 0;
  done = false;
  diverged = false;

  constructor(
    simdopt: typeof import('simdopt'),
    readonly fn: TestFunction,
    readonly choice: RacerChoice,
  ) {
    this.point = simdopt.Parameter.from(fn.start, { name: choice.label, ...(choice.optimizer.matricesOnly ? { shape: [1, 2] } : {}) });
    this.optimizer = construct(simdopt, choice.optimizer, [this.point], choice.optimizerValues);
    this.scheduler = choice.scheduler ? construct(simdopt, choice.scheduler, this.optimizer, choice.schedulerValues) : null;
    this.record(fn.f(fn.start[0], fn.start[1]));
  }

  private record(value: number): void {
    this.path.push(this.point.data[0], this.point.data[1]);
    this.losses.push(value - this.fn.fMin);
  }

  /** Up to n steps, stopping at maxSteps or when the point left any sensible region. */
  advance(n: number, maxSteps: number): void {
    const { fn, point } = this;
    for (let i = 0; i < n && !this.done; i++) {
      // The gradient at the current point, written straight into the parameter's grad view.
      const value = runStep(this.optimizer, () => {
        const data = point.data;
        return fn.f(data[0], data[1], point.grad);
      });
      if (this.scheduler) this.choice.scheduler?.stepsOnMetric ? this.scheduler.step(value) : this.scheduler.step();
      this.step++;
      const [x, y] = [point.data[0], point.data[1]];
      this.record(fn.f(x, y));
      const span = Math.max(fn.xRange[1] - fn.xRange[0], fn.yRange[1] - fn.yRange[0]);
      if (!Number.isFinite(x) || !Number.isFinite(y) || Math.abs(x) > 10 * span || Math.abs(y) > 10 * span) {
        this.diverged = true;
        this.done = true;
      }
      if (this.step >= maxSteps) this.done = true;
    }
  }

  state(): RacerState {
    const [x, y] = [this.point.data[0], this.point.data[1]];
    return {
      label: this.choice.label,
      optimizer: this.choice.optimizer.name,
      scheduler: this.choice.scheduler?.name ?? null,
      color: this.choice.color,
      step: this.step,
      x,
      y,
      loss: this.losses[this.losses.length - 1],
      lr: this.optimizer.paramGroups[0].lr,
      done: this.done,
      diverged: this.diverged,
      distance: distanceToMinimum(this.fn, x, y),
    };
  }

  dispose(): void {
    this.scheduler?.dispose?.();
    this.optimizer.dispose();
    this.point.dispose();
  }
}
