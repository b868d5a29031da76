/**
 * `npm start` / `npx simdopt-train`: trains an MLP with each optimizer on the embedded spirals
 * (or your CSV) and prints a table, with a chart of the curves under examples/out/.
 * `main()` returns the exit code: 0 done, 2 bad arguments or input, 1 anything else.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backendInfo, init, type BackendName } from 'simdopt';
import { InputError, loadCsv, MAX_CLASSES, spirals, type Dataset } from './data.js';
import { chartSvg, fmtLoss, Progress, resultsTable, table, type Out } from './report.js';
import {
  batchSizeOf,
  describeSpec,
  memoryBytesFor,
  OPTIMIZERS,
  DEFAULT_OPTIMIZERS,
  TFJS_OPTIMIZERS,
  optimizerSpec,
  runOne,
  SCHEDULERS,
  type OptimizerName,
  type OptimizerSpec,
  type RunResult,
  type SchedulerName,
  type TrainConfig,
} from './train.js';

const here = dirname(fileURLToPath(import.meta.url));
/** examples/out: gitignored. */
export const DEFAULT_OUT = resolve(here, '..', 'out');

export const DEFAULTS = {
  epochs: 100,
  batchSize: 32,
  hidden: 64,
  dropout: 0.1,
  clip: 1,
  scheduler: 'warmup-cosine' as SchedulerName,
  seed: 1,
  goalClassification: 0.97,
  goalRegression: 0.9,
};

export const HELP = `Usage: npm start -- [options]      (or: npx simdopt-train [options])

Trains a ${DEFAULTS.hidden}-${DEFAULTS.hidden} MLP (ReLU, Dropout) with simdopt on the embedded two-spirals
dataset, or on your CSV, once per optimizer, and prints final loss and accuracy, epochs to a goal,
wall time and steps/s. Every run: a learning-rate schedule stepped per batch, gradient clipping,
L2 or decoupled weight decay, dropout. Writes an SVG chart of the curves.

  --optimizer LIST     comma-separated, from: ${OPTIMIZERS.join(', ')}; or all (default all);
                         lbfgs and rprop train on the full batch;
                         gd = full-batch gradient descent, sgd = mini-batch SGD,
                         momentum = SGD with momentum 0.9, adamw = Adam with decoupled decay,
                         schedulefree = ScheduleFreeAdamW (no schedule, evaluated in eval mode);
                         muon = Muon for the weight matrices, AdamW for the biases;
                         the names after muon: simdopt's other registered optimizers
                         (class name in lower case) at their defaults, PyTorch's lr;
                         all = ${DEFAULT_OPTIMIZERS.join(', ')}
  --lr X               learning rate for every optimizer (default: each its own, see the table)
  --epochs N           epochs per optimizer (default ${DEFAULTS.epochs})
  --batch-size N       mini-batch size (default ${DEFAULTS.batchSize}; gd always uses the whole train split)
  --scheduler NAME     ${SCHEDULERS.join(', ')} (default ${DEFAULTS.scheduler})
  --hidden N           width of the two hidden layers (default ${DEFAULTS.hidden})
  --dropout P          dropout probability after each hidden layer (default ${DEFAULTS.dropout})
  --clip X             max gradient norm (clip_grad_norm_), or none (default ${DEFAULTS.clip})
  --goal X             test accuracy (classification) or R² (regression) for the "epochs to"
                         column (default ${DEFAULTS.goalClassification} / ${DEFAULTS.goalRegression})
  --data FILE.csv      train on your CSV: a header row, numeric columns, comma-separated
  --target COLUMN      the column to predict (with --data); every other column is a feature.
                         Classification when the target holds integers with at most ${MAX_CLASSES}
                         distinct values; otherwise regression with MSE. Features (and a
                         regression target) are standardised; 20 % of the rows are held out.
  --backend NAME       wasm-simd, wasm or js (default: the best the engine supports)
  --seed N             seed of the initial weights, dropout masks and batch order (default ${DEFAULTS.seed})
  --compare tfjs       also train each run with TensorFlow.js (tfjs-core + wasm backend) on the
                         same initial weights, batches, masks and schedule; compare times and
                         losses (a minute or two)
  --out DIR            where to write the chart (default examples/out)
  --help               this text
`;

export interface Io {
  stdout: Out;
  stderr: Out;
  /** Whether stderr is a terminal (progress bars redraw in place). */
  tty: boolean;
  /** Its width, when a terminal. */
  columns?: number;
}

export interface Options {
  specs: OptimizerSpec[];
  config: TrainConfig;
  data: { file: string; target: string } | null;
  backend?: BackendName;
  compare: 'tfjs' | null;
  out: string;
}

class UsageError extends InputError {}

function number(flag: string, text: string, check: (v: number) => boolean, expected: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !check(v)) throw new UsageError(`${flag}: expected ${expected}, got '${text}'`);
  return v;
}

const positiveInt = (flag: string, text: string, max = 1e7) => number(flag, text, (v) => Number.isInteger(v) && v >= 1 && v <= max, `an integer from 1 to ${max}`);

/** Parses the command line; throws UsageError with a message naming the flag. */
export function parseOptions(argv: string[]): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        optimizer: { type: 'string' },
        lr: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        scheduler: { type: 'string' },
        hidden: { type: 'string' },
        dropout: { type: 'string' },
        clip: { type: 'string' },
        goal: { type: 'string' },
        data: { type: 'string' },
        target: { type: 'string' },
        backend: { type: 'string' },
        seed: { type: 'string' },
        compare: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const names = (v.optimizer ?? 'all').split(',').map((s) => s.trim().toLowerCase());
  const chosen: OptimizerName[] = [];
  for (const n of names) {
    if (n === 'all') chosen.push(...DEFAULT_OPTIMIZERS);
    else if ((OPTIMIZERS as readonly string[]).includes(n)) chosen.push(n as OptimizerName);
    else throw new UsageError(`--optimizer: unknown optimizer '${n}' (choose from ${OPTIMIZERS.join(', ')}, or all)`);
  }
  const specs = [...new Set(chosen)].map(optimizerSpec);
  const scheduler = (v.scheduler ?? DEFAULTS.scheduler) as SchedulerName;
  if (!SCHEDULERS.includes(scheduler)) throw new UsageError(`--scheduler: unknown scheduler '${scheduler}' (choose from ${SCHEDULERS.join(', ')})`);
  if ((v.data === undefined) !== (v.target === undefined)) {
    throw new UsageError(v.data === undefined ? '--target needs --data FILE.csv' : '--data needs --target COLUMN (the column to predict)');
  }
  const backend = v.backend as BackendName | undefined;
  if (backend !== undefined && !['wasm-simd', 'wasm', 'js'].includes(backend)) {
    throw new UsageError(`--backend: unknown backend '${backend}' (choose from wasm-simd, wasm, js)`);
  }
  if (v.compare !== undefined && v.compare !== 'tfjs') throw new UsageError(`--compare: only 'tfjs' is supported, got '${v.compare}'`);
  const noTfjs = chosen.filter((n) => !TFJS_OPTIMIZERS.includes(n));
  if (v.compare === 'tfjs' && noTfjs.length > 0) throw new UsageError(`--compare tfjs: TensorFlow.js has no ${noTfjs.join(', ')}`);
  const config: TrainConfig = {
    hidden: v.hidden !== undefined ? positiveInt('--hidden', v.hidden, 4096) : DEFAULTS.hidden,
    dropout: v.dropout !== undefined ? number('--dropout', v.dropout, (x) => x >= 0 && x < 1, 'a probability in [0, 1)') : DEFAULTS.dropout,
    clip: v.clip === 'none' ? Infinity : v.clip !== undefined ? number('--clip', v.clip, (x) => x > 0, "a positive number or 'none'") : DEFAULTS.clip,
    epochs: v.epochs !== undefined ? positiveInt('--epochs', v.epochs, 100000) : DEFAULTS.epochs,
    batchSize: v['batch-size'] !== undefined ? positiveInt('--batch-size', v['batch-size']) : DEFAULTS.batchSize,
    scheduler,
    lr: v.lr !== undefined ? number('--lr', v.lr, (x) => x > 0, 'a positive number') : undefined,
    seed: v.seed !== undefined ? number('--seed', v.seed, (x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32, 'an integer in [0, 2^32)') : DEFAULTS.seed,
    target: v.goal !== undefined ? number('--goal', v.goal, (x) => x <= 1, 'a number up to 1 (accuracy or R²)') : NaN,
  };
  return {
    specs,
    config,
    data: v.data !== undefined ? { file: v.data, target: v.target! } : null,
    backend,
    compare: v.compare === 'tfjs' ? 'tfjs' : null,
    out: resolve(v.out ?? DEFAULT_OUT),
  };
}

/** Everything `npm start` does; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const options = parseOptions(argv);
    if (options === 'help') {
      io.stdout.write(HELP);
      return 0;
    }
    await trainAll(options, io);
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr.write(`error: ${e.message}\n`);
      if (e instanceof UsageError) io.stderr.write('Run with --help for the options.\n');
      return 2;
    }
    io.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

export interface Summary {
  data: Dataset;
  results: RunResult[];
  chart: string;
  tfjs?: { binary: string; version: string; runs: { spec: OptimizerSpec; trainMs: number; steps: number; testLoss: number; testScore: number }[] };
}

/** Loads the data, sizes memory, trains every spec (and tfjs when asked), prints and charts. */
export async function trainAll(options: Options, io: Io): Promise<Summary> {
  const t0 = performance.now();
  const data = options.data ? loadCsv(options.data.file, options.data.target) : spirals();
  const config = { ...options.config };
  if (Number.isNaN(config.target)) config.target = data.task === 'classification' ? DEFAULTS.goalClassification : DEFAULTS.goalRegression;
  const maxBatch = Math.max(...options.specs.map((s) => batchSizeOf(s, data, config)));
  const memory = memoryBytesFor(data, config, maxBatch);
  await init({ backend: options.backend, initialMemoryBytes: memory });
  const info = backendInfo();
  const scoreName = data.task === 'classification' ? 'acc' : 'R²';
  const arch = [data.features, config.hidden, config.hidden, data.outputs].join('-');
  const { stdout, stderr } = io;
  const memoryText = info.backend === 'js' ? 'no wasm' : `wasm memory ${(info.memoryBytes / 2 ** 20).toFixed(1)} MiB sized for the model`;
  stdout.write(`simdopt ${info.version} on ${info.backend}, ${memoryText}\n`);
  stdout.write(`data: ${data.description}; ${data.train.rows} train / ${data.test.rows} test rows\n`);
  stdout.write(
    `model: ${arch} MLP, ReLU, Dropout ${config.dropout}, ${data.task === 'classification' ? 'cross-entropy' : 'MSE'} loss; ` +
      `${config.epochs} epochs, batch ${config.batchSize}, ${config.scheduler} schedule per step, ` +
      `clip grad norm ${config.clip === Infinity ? 'off' : config.clip}, seed ${config.seed}\n\n`,
  );

  // Warm-up: one untimed epoch per optimizer, so that the first run's time does not include
  // V8 compiling the hot paths.
  for (const spec of options.specs) runOne(spec, data, { ...config, epochs: 1 });

  const results: RunResult[] = [];
  for (const spec of options.specs) {
    const lr = config.lr ?? spec.lr;
    const progress = new Progress(stderr, io.tty, spec.label, config.epochs, scoreName, io.columns);
    const r = runOne(spec, data, config, { onEpoch: (e) => progress.update(e) });
    progress.done();
    if (r.memoryGrew) stderr.write(`warning: wasm memory grew during the ${spec.label} run (${describeSpec(spec, lr)}): memoryBytesFor() is too small\n`);
    results.push(r);
  }
  stdout.write('\n' + resultsTable(results, data, config.target));
  stdout.write(`\nloss: mean ${data.task === 'classification' ? 'cross-entropy' : 'squared error (standardised target)'} without dropout; time: the whole run with an evaluation per epoch; steps/s: optimizer steps per second of training.\n`);

  const summary: Summary = { data, results, chart: '' };
  // TensorFlow.js has neither Schedule-Free, ADOPT nor LAMB: those runs are not compared.
  const tfjsSpecs = options.specs.filter((s) => TFJS_OPTIMIZERS.includes(s.name));
  if (options.compare === 'tfjs') summary.tfjs = await compareTfjs(tfjsSpecs, data, config, io, results.filter((r) => tfjsSpecs.includes(r.spec)));

  mkdirSync(options.out, { recursive: true });
  const chart = join(options.out, `train-${data.name.replace(/[^\w.-]+/g, '_')}.svg`);
  const title = `simdopt ${info.backend}: ${arch} MLP on ${data.name}, ${config.epochs} epochs, ${config.scheduler}, seed ${config.seed}`;
  writeFileSync(chart, chartSvg(results, data, title));
  summary.chart = chart;
  const shown = relative(process.cwd(), chart);
  stdout.write(`\nchart: ${shown.startsWith('..') ? chart : shown}\n`);
  stdout.write(`total ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return summary;
}

async function compareTfjs(specs: OptimizerSpec[], data: Dataset, config: TrainConfig, io: Io, results: RunResult[]): Promise<NonNullable<Summary['tfjs']>> {
  const { loadTfjs, runTfjs } = await import('./tfjs.js');
  const tfjs = await loadTfjs();
  io.stdout.write(`\nTensorFlow.js ${tfjs.version} (${tfjs.binary}, one thread): the same runs, same initial weights, batches, dropout masks and learning rates\n\n`);
  for (const spec of specs) runTfjs(spec, data, { ...config, epochs: 1 }); // warm-up, as above
  const runs: NonNullable<Summary['tfjs']>['runs'] = [];
  for (const spec of specs) {
    const progress = new Progress(io.stderr, io.tty, `tfjs ${spec.label}`, config.epochs, data.task === 'classification' ? 'acc' : 'R²', io.columns);
    const r = runTfjs(spec, data, config, { onEpoch: (e) => progress.update(e) });
    progress.done();
    const last = r.history[r.history.length - 1];
    runs.push({ spec, trainMs: r.trainMs, steps: r.steps, testLoss: last.test.loss, testScore: last.test.score });
  }
  const rows = runs.map((t, i) => {
    const s = results[i];
    const sLoss = s.history[s.history.length - 1].test.loss;
    const perEpoch = (ms: number) => (ms / config.epochs).toFixed(2);
    return [
      t.spec.label,
      perEpoch(s.trainMs),
      perEpoch(t.trainMs),
      `${(t.trainMs / s.trainMs).toFixed(1)}×`,
      fmtLoss(sLoss),
      fmtLoss(t.testLoss),
      Math.abs(sLoss - t.testLoss).toExponential(1),
    ];
  });
  io.stdout.write(table(['optimizer', 'simdopt ms/epoch', 'tfjs ms/epoch', 'simdopt faster', 'simdopt test loss', 'tfjs test loss', '|difference|'], rows));
  io.stdout.write('ms/epoch: training steps only (no evaluation). The losses differ by float32 rounding (other summation orders), compounded over the steps, and for RMSprop by where eps sits.\n');
  return { binary: tfjs.binary, version: tfjs.version, runs };
}
