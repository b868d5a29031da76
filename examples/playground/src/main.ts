/**
 * The playground page: optimizers race on 2-D test functions (contour plot + loss chart), and a
 * small MLP learns a 2-D toy dataset. Everything steps on simdopt in this page. The page's state
 * is on `window.__playground` for the end-to-end test (test/e2e/playground.test.ts).
 */
import * as simdopt from 'simdopt';
import { DATASETS, drawBoundary, MLP, Trainer } from './classifier.js';
import { FUNCTIONS, functionById, type TestFunction } from './functions.js';
import { ContourPlot, LossChart } from './plot.js';
import { Racer, type RacerChoice } from './race.js';
import {
  available,
  construct,
  defaults,
  describeChoice,
  formatValue,
  OPTIMIZERS,
  SCHEDULERS,
  type Context,
  type Spec,
  type Values,
  withRegistry,
} from './registry.js';

// Colours that stand out on the viridis contour map.
const COLORS = ['#ff3b30', '#ffffff', '#ff9500', '#00e5ff', '#ff2d95', '#c6ff00', '#000000', '#bf5af2'];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
// Every registered optimizer (simdopt's exports and the registry's classes), and the exported schedulers.
const offeredOptimizers = available(OPTIMIZERS, withRegistry(simdopt));
const offeredSchedulers = available(SCHEDULERS, simdopt);

/** A select of registry entries and one input per knob of the chosen entry. */
class ChoiceForm {
  readonly select: HTMLSelectElement;
  private readonly knobs: HTMLElement;

  constructor(
    host: HTMLElement,
    private readonly prefix: string,
    private readonly specs: Spec[],
    allowNone: boolean,
    private readonly context: () => Context,
    initial?: string,
  ) {
    host.classList.add('choice');
    const label = document.createElement('label');
    label.textContent = allowNone ? 'scheduler ' : 'optimizer ';
    this.select = document.createElement('select');
    this.select.id = `${prefix}-select`;
    for (const name of [...(allowNone ? ['none'] : []), ...specs.map((s) => s.name)]) this.select.add(new Option(name, name));
    if (initial) this.select.value = initial;
    label.append(this.select);
    this.knobs = document.createElement('span');
    this.knobs.className = 'choice';
    host.append(label, this.knobs);
    this.select.addEventListener('change', () => this.refresh());
    this.refresh();
  }

  get spec(): Spec | null {
    return this.specs.find((s) => s.name === this.select.value) ?? null;
  }

  /** Re-renders the knobs with their defaults for the current context. */
  refresh(): void {
    this.knobs.replaceChildren();
    const spec = this.spec;
    if (!spec) return;
    const values = defaults(spec, this.context());
    for (const knob of spec.knobs) {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.id = `${this.prefix}-${knob.key}`;
      input.dataset.key = knob.key;
      const v = values[knob.key];
      if (typeof v === 'boolean') {
        input.type = 'checkbox';
        input.checked = v;
      } else {
        input.type = 'number';
        input.step = 'any';
        if (knob.min !== undefined) input.min = String(knob.min);
        if (knob.max !== undefined) input.max = String(knob.max);
        input.value = formatValue(v);
      }
      label.append(`${knob.key} `, input);
      this.knobs.append(label);
    }
  }

  values(): Values {
    const out: Values = {};
    for (const input of this.knobs.querySelectorAll('input')) {
      out[input.dataset.key!] = input.type === 'checkbox' ? input.checked : Number(input.value);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------- the race

/** A racer as the user chose it: knobs that differ from their defaults stay, the rest follow. */
interface Choice {
  optimizer: Spec;
  optimizerOverrides: Values;
  scheduler: Spec | null;
  schedulerOverrides: Values;
  color: string;
}

let fn: TestFunction = FUNCTIONS[0];
let racers: Racer[] = [];
let running = false;
const choices: Choice[] = [];
const contour = new ContourPlot($('contour'));
const lossChart = new LossChart($<HTMLCanvasElement>('loss-chart'), 'f − f*');

const raceSteps = () => Math.max(1, Math.round(Number($<HTMLInputElement>('steps').value) || 2000));
const raceContext = (optimizerLr = fn.lr.adaptive): Context => ({ steps: raceSteps(), lr: fn.lr, optimizerLr });

function overrides(spec: Spec, values: Values, ctx: Context): Values {
  const d = defaults(spec, ctx);
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== d[k]));
}

function resolve(choice: Choice): RacerChoice {
  const optimizerValues = { ...defaults(choice.optimizer, raceContext()), ...choice.optimizerOverrides };
  const ctx = raceContext(optimizerValues.lr as number);
  const schedulerValues = choice.scheduler ? { ...defaults(choice.scheduler, ctx), ...choice.schedulerOverrides } : {};
  const label = describeChoice(choice.optimizer, optimizerValues, ctx) + (choice.scheduler ? ` · ${choice.scheduler.name}` : '');
  return { optimizer: choice.optimizer, optimizerValues, scheduler: choice.scheduler, schedulerValues, label, color: choice.color };
}

function resetRace(): void {
  running = false;
  racers.forEach((r) => r.dispose());
  racers = [];
  const errors: string[] = [];
  for (const choice of choices) {
    try {
      racers.push(new Racer(simdopt, fn, resolve(choice)));
    } catch (e) {
      errors.push(`${choice.optimizer.name}: ${(e as Error).message}`);
    }
  }
  $('fn-note').textContent = errors.length ? errors.join('; ') : fn.note;
  contour.setFunction(fn);
  drawRace();
}

function drawRace(): void {
  contour.draw(racers.map((r) => ({ path: r.path, color: r.choice.color, diverged: r.diverged })));
  lossChart.draw(
    racers.map((r) => ({ values: r.losses, color: r.choice.color === '#ffffff' ? '#999' : r.choice.color, label: r.choice.label })),
    raceSteps(),
  );
  const body = $('racers').querySelector('tbody')!;
  body.replaceChildren(
    ...racers.map((r, i) => {
      const s = r.state();
      const row = document.createElement('tr');
      if (s.diverged) row.className = 'diverged';
      const cells = [
        `<td class="swatch"><span style="background:${s.color};border:1px solid #888"></span></td>`,
        `<td>${s.label}</td>`,
        `<td>${s.step}</td>`,
        `<td>${formatValue(s.x)}, ${formatValue(s.y)}</td>`,
        `<td>${s.diverged ? 'diverged' : formatValue(s.loss)}</td>`,
        `<td>${formatValue(s.lr)}</td>`,
        `<td><button data-remove="${i}" title="remove">×</button></td>`,
      ];
      row.innerHTML = cells.join('');
      return row;
    }),
  );
  $('run').textContent = running ? 'Pause' : racers.every((r) => r.done) ? 'Run again' : 'Run';
}

function raceFrame(): void {
  if (running) {
    const speed = Math.max(1, Math.round(Number($<HTMLInputElement>('speed').value) || 1));
    for (const r of racers) r.advance(speed, raceSteps());
    if (racers.every((r) => r.done)) running = false;
    drawRace();
  }
  requestAnimationFrame(raceFrame);
}

// ---------------------------------------------------------------------------- the classifier

let trainer: Trainer | null = null;
let training = false;
const trainChart = new LossChart($<HTMLCanvasElement>('train-chart'), 'training loss');
const trainSteps = () => Math.max(1, Math.round(Number($<HTMLInputElement>('train-steps').value) || 800));
const TRAIN_LR = { sgd: 0.5, adaptive: 0.02 };
const EXTENT = 2.2;

function resetTrainer(): void {
  training = false;
  trainer?.dispose();
  trainer = null;
  const datasetId = $<HTMLSelectElement>('dataset').value;
  const data = DATASETS[datasetId].make(300, 7);
  const model = new MLP(simdopt, Number($<HTMLSelectElement>('hidden').value), 11);
  try {
    const optSpec = trainOptimizer.spec!;
    const params = model.parameters();
    const matrices = optSpec.matricesOnly ? params.filter((p) => p.shape.length === 2) : params;
    const optimizer = construct<simdopt.Optimizer<simdopt.BaseOptions>>(simdopt, optSpec, matrices, trainOptimizer.values());
    const rest = params.filter((p) => !matrices.includes(p));
    const companion = rest.length > 0 ? new simdopt.AdamW(rest, { lr: optimizer.paramGroups[0].lr }) : null;
    const schedSpec = trainScheduler.spec;
    const scheduler = schedSpec ? construct<{ step(m?: number): void }>(simdopt, schedSpec, optimizer, trainScheduler.values()) : null;
    trainer = new Trainer(datasetId, data, model, optimizer, scheduler, !!schedSpec?.stepsOnMetric, trainSteps(), companion);
    $('train-status').textContent = '';
  } catch (e) {
    model.dispose();
    $('train-status').textContent = (e as Error).message;
  }
  drawTrainer();
}

function drawTrainer(): void {
  if (!trainer) return;
  drawBoundary($<HTMLCanvasElement>('boundary'), trainer.model, trainer.data, EXTENT);
  trainChart.draw([{ values: trainer.losses, color: '#4363d8', label: 'loss' }], trainer.maxSteps);
  const s = trainer.state();
  if (s.step > 0) $('train-status').textContent = `step ${s.step} · loss ${formatValue(s.loss)} · accuracy ${(100 * s.accuracy).toFixed(1)}%`;
  $('train').textContent = training ? 'Pause' : trainer.done ? 'Train again' : 'Train';
}

function trainFrame(): void {
  if (training && trainer) {
    trainer.advance(Math.max(1, Math.round(Number($<HTMLInputElement>('speed').value) || 1)));
    if (trainer.done) training = false;
    drawTrainer();
  }
  requestAnimationFrame(trainFrame);
}

// -------------------------------------------------------------------------------- wiring

const trainContext = (): Context => ({ steps: trainSteps(), lr: TRAIN_LR, optimizerLr: Number(($('train-optimizer-lr') as HTMLInputElement | null)?.value) || TRAIN_LR.adaptive });
const trainOptimizer = new ChoiceForm($('train-optimizer'), 'train-optimizer', offeredOptimizers, false, trainContext, 'Adam');
const trainScheduler = new ChoiceForm($('train-scheduler'), 'train-scheduler', offeredSchedulers, true, trainContext);
const addOptimizer = new ChoiceForm($('add-optimizer'), 'add-optimizer', offeredOptimizers, false, () => raceContext(), 'SGD');
const addScheduler = new ChoiceForm($('add-scheduler'), 'add-scheduler', offeredSchedulers, true, () =>
  raceContext(Number(($('add-optimizer-lr') as HTMLInputElement | null)?.value) || fn.lr.adaptive),
);

function addChoice(optimizer: Spec, optimizerValues: Values, scheduler: Spec | null, schedulerValues: Values): void {
  const ctx = raceContext(optimizerValues.lr as number);
  const used = new Set(choices.map((c) => c.color));
  choices.push({
    optimizer,
    optimizerOverrides: overrides(optimizer, optimizerValues, raceContext()),
    scheduler,
    schedulerOverrides: scheduler ? overrides(scheduler, schedulerValues, ctx) : {},
    color: COLORS.find((c) => !used.has(c)) ?? COLORS[choices.length % COLORS.length],
  });
}

function setup(): void {
  for (const f of FUNCTIONS) $<HTMLSelectElement>('fn-select').add(new Option(f.label, f.id));
  for (const [id, d] of Object.entries(DATASETS)) $<HTMLSelectElement>('dataset').add(new Option(d.label, id));
  const backendSelect = $<HTMLSelectElement>('backend');
  for (const b of ['wasm-simd', 'wasm', 'js']) backendSelect.add(new Option(b, b));
  backendSelect.value = simdopt.backendInfo().backend;

  // The default race: plain momentum SGD against two adaptive methods.
  const byName = (n: string) => offeredOptimizers.find((s) => s.name === n);
  const sgd = byName('SGD');
  if (sgd) addChoice(sgd, defaults(sgd, raceContext()), null, {});
  for (const name of ['Adam', 'AdamW']) {
    const spec = byName(name);
    if (spec) addChoice(spec, defaults(spec, raceContext()), null, {});
  }

  $('fn-select').addEventListener('change', () => {
    fn = functionById($<HTMLSelectElement>('fn-select').value);
    addOptimizer.refresh();
    addScheduler.refresh();
    resetRace();
  });
  $('steps').addEventListener('change', () => {
    addScheduler.refresh();
    resetRace();
  });
  $('add-optimizer').addEventListener('change', () => addScheduler.refresh());
  $('run').addEventListener('click', () => {
    if (racers.length && racers.every((r) => r.done)) resetRace();
    running = !running;
    drawRace();
  });
  $('reset').addEventListener('click', resetRace);
  $('add-racer').addEventListener('click', () => {
    addChoice(addOptimizer.spec!, addOptimizer.values(), addScheduler.spec, addScheduler.values());
    resetRace();
  });
  $('racers').addEventListener('click', (e) => {
    const index = (e.target as HTMLElement).dataset.remove;
    if (index !== undefined) {
      choices.splice(Number(index), 1);
      resetRace();
    }
  });
  $('train').addEventListener('click', () => {
    if (!trainer || trainer.done) resetTrainer();
    training = !!trainer && !training;
    drawTrainer();
  });
  $('train-reset').addEventListener('click', resetTrainer);
  for (const id of ['dataset', 'hidden', 'train-steps', 'train-optimizer', 'train-scheduler']) $(id).addEventListener('change', resetTrainer);
  $('train-optimizer').addEventListener('change', () => trainScheduler.refresh());
  backendSelect.addEventListener('change', () => void switchBackend(backendSelect.value as simdopt.BackendName));
}

async function switchBackend(backend: simdopt.BackendName): Promise<void> {
  running = training = false;
  racers.forEach((r) => r.dispose());
  racers = [];
  trainer?.dispose();
  trainer = null;
  await simdopt.init({ backend });
  showBackend();
  resetRace();
  resetTrainer();
}

function showBackend(): void {
  const info = simdopt.backendInfo();
  $('backend-info').textContent = `simdopt ${info.version} · ${info.backend} · ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}

declare global {
  interface Window {
    __playground?: unknown;
  }
}

async function main(): Promise<void> {
  await simdopt.init();
  showBackend();
  setup();
  resetRace();
  resetTrainer();
  requestAnimationFrame(raceFrame);
  requestAnimationFrame(trainFrame);
  window.__playground = {
    ready: true,
    offered: { optimizers: offeredOptimizers.map((s) => s.name), schedulers: offeredSchedulers.map((s) => s.name) },
    registry: { optimizers: OPTIMIZERS.map((s) => s.name), schedulers: SCHEDULERS.map((s) => s.name) },
    exports: Object.keys(simdopt),
    backend: () => simdopt.backendInfo().backend,
    threads: () => simdopt.backendInfo().threads,
    race: () => ({ fn: fn.id, running, maxSteps: raceSteps(), racers: racers.map((r) => r.state()) }),
    classifier: () => ({ ...(trainer?.state() ?? {}), running: training }),
  };
}

main().catch((e: Error) => {
  $('backend-info').textContent = `simdopt failed to start: ${e.message}`;
  window.__playground = { ready: false, error: e.message };
});
