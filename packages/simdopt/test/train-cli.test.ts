/**
 * The `npm start` training example (examples/train): the CLI end to end as a child process (exit
 * code, table rows, progress lines, chart file, the tfjs comparison), its error paths, CSV input
 * (classification and regression by the stated rule), determinism per seed, Adam reaching the
 * stated accuracy on the default dataset, and a training step that lowers the loss for every
 * optimizer it runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { init, type nn } from 'simdopt';
import { DEFAULTS, main, parseOptions, trainAll, type Io, type Options } from '../../../examples/train/cli.js';
import { loadCsv, parseCsvLine, spirals, type Dataset } from '../../../examples/train/data.js';
import { Progress } from '../../../examples/train/report.js';
import { buildModel, evaluate, makeScheduler, MORE_OPTIMIZERS, OPTIMIZERS, optimizerSpec, Trainer, TUNED_OPTIMIZERS } from '../../../examples/train/train.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const tmp = mkdtempSync(join(tmpdir(), 'simdopt-train-'));

/** Runs the CLI as `npm start` does (node + tsx), in the repository root. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/train/main.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An Io that collects what the CLI writes. */
function capture(): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (s) => void out.push(s) }, stderr: { write: (s) => void err.push(s) }, tty: false };
}

function options(argv: string[]): Options {
  const o = parseOptions(argv);
  if (o === 'help') throw new Error('unexpected --help');
  return o;
}

/** Table rows of the results (the lines after the ─── rule, up to the blank line). */
function tableRows(stdout: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('──'));
  const rows: string[] = [];
  for (let i = start + 1; i < lines.length && lines[i].trim() !== ''; i++) rows.push(lines[i]);
  return rows;
}

function writeCsv(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

describe('npm start (the CLI as a process)', () => {
  it('trains every optimizer, prints the table and progress, writes the chart, exits 0', () => {
    const out = join(tmp, 'run');
    const r = cli(['--epochs', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^simdopt \S+ on wasm-simd, wasm memory [\d.]+ MiB sized for the model/);
    expect(r.stdout).toContain('data: two interleaved spirals, 2000 points');
    expect(r.stdout).toMatch(/optimizer\s+lr\s+batch\s+decay\s+train loss\s+train acc\s+test loss\s+test acc\s+epochs to 97%\s+time s\s+steps\/s/);
    const rows = tableRows(r.stdout);
    expect(rows.map((l) => l.slice(0, 15).trim())).toEqual(['full-batch GD', 'mini-batch SGD', 'SGD momentum', 'RMSprop', 'Adam', 'AdamW']);
    for (const row of rows) expect(row).toMatch(/\d\.\d{4}\s+\d+\.\d%\s+\d\.\d{4}\s+\d+\.\d%\s+(\d+|—)\s+\d+\.\d\d\s+\d+$/);
    expect(rows[0]).toMatch(/^full-batch GD\s+1\s+1600\s+L2 0.0001/);
    expect(rows[5]).toMatch(/^AdamW\s+0.01\s+32\s+decoupled 0.01/);
    // Not a terminal: plain progress lines, the last epoch of every run among them.
    expect(r.stderr).toContain('  Adam: epoch 2/2, train loss');
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toContain('warning');
    const chart = join(out, 'train-spirals.svg');
    expect(r.stdout).toContain(`chart: ${chart}`);
    const svg = readFileSync(chart, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // Two loss curves and one accuracy curve per run, and the decision map's test points.
    expect(svg.match(/<polyline /g)?.length).toBe(18);
    expect(svg.match(/<circle /g)?.length).toBe(400);
  }, 120_000);

  it('--help prints the options; errors exit 2 with a message naming the problem', () => {
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--optimizer', '--lr', '--epochs', '--batch-size', '--scheduler', '--data', '--target', '--backend', '--seed', '--compare']) {
      expect(help.stdout).toContain(flag);
    }
    const bad = cli(['--optimizer', 'adagradd']);
    expect(bad.code).toBe(2);
    // The tuned specs, then every other registered optimizer by its class name in lower case.
    expect(bad.stderr).toContain("error: --optimizer: unknown optimizer 'adagradd' (choose from gd, sgd, momentum, rmsprop, adam, adamw, schedulefree, adopt, lamb, asgd, rprop, lbfgs, prodigy, adafactor, muon, adagrad, adadelta, adamax, nadam, radam, lion, schedulefreesgd, or all)");
    expect(bad.stdout).toBe('');
    const missing = cli(['--data', join(tmp, 'nope.csv'), '--target', 'y']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`error: --data: no such file: ${join(tmp, 'nope.csv')}`);
  }, 120_000);

  it('--compare tfjs runs the same loop in TensorFlow.js (local wasm files) with nearly the same losses', () => {
    const r = cli(['--compare', 'tfjs', '--optimizer', 'sgd,adam', '--epochs', '2', '--out', join(tmp, 'tfjs')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/TensorFlow\.js 4\.22\.0 \(tfjs-backend-wasm-simd\.wasm, one thread\)/);
    const lines = r.stdout.split('\n');
    const header = lines.findIndex((l) => l.startsWith('optimizer') && l.includes('tfjs ms/epoch'));
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 2, header + 4);
    expect(rows.map((l) => l.slice(0, 15).trim())).toEqual(['mini-batch SGD', 'Adam']);
    for (const row of rows) {
      // Same weights, batches, masks and learning rates: after 2 epochs only rounding differs.
      const difference = Number(row.trim().split(/\s+/).at(-1));
      expect(difference).toBeLessThan(1e-4);
    }
  }, 120_000);
});

describe('the README example (examples/nn-quickstart.ts)', () => {
  it('runs and learns: the loss falls and the train accuracy is high', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/nn-quickstart.ts'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const losses = [...r.stdout.matchAll(/^epoch \d+: loss ([\d.]+)$/gm)].map((m) => Number(m[1]));
    expect(losses.length).toBe(20);
    expect(losses[19]).toBeLessThan(0.6 * losses[0]);
    expect(Number(/train accuracy ([\d.]+) %/.exec(r.stdout)?.[1])).toBeGreaterThan(90);
    // estimateMemoryBytes sized memory for the whole run: no growth warning.
    expect(r.stderr).not.toMatch(/wasm memory grew/);
  }, 120_000);
});

describe('the CLI in process', () => {
  it('refuses bad arguments and bad CSV files with exit code 2 and a clear message', async () => {
    const rows = (bad: number, cell: string) => Array.from({ length: 12 }, (_, i) => (i === bad ? cell : `${i},${i % 4},${i % 2}`)).join('\n');
    const csv = writeCsv('bad-value.csv', `a,b,y\n${rows(1, '3,x,1')}\n`);
    const ragged = writeCsv('ragged.csv', `a,b,y\n${rows(1, '3,1')}\n`);
    const short = writeCsv('short.csv', 'a,b,y\n1,2,0\n3,4,1\n');
    const named = writeCsv('named.csv', 'a,b,species\n' + Array.from({ length: 12 }, (_, i) => `${i},${i % 4},${i % 2 ? 'setosa' : 'virginica'}`).join('\n'));
    const single = writeCsv('single.csv', `a,b,y\n${rows(-1, '')}`.replace(/,[01]$/gm, ',4'));
    const good = writeCsv('good.csv', 'a,b,y\n' + Array.from({ length: 20 }, (_, i) => `${i},${i % 3},${i % 2}`).join('\n') + '\n');
    const empty = writeCsv('empty-cell.csv', 'a,b,y\n' + Array.from({ length: 12 }, (_, i) => `${i},${i === 5 ? '' : i},${i % 2}`).join('\n') + '\n');
    const cases: [string[], string][] = [
      [['--optimizer', 'adam,nope'], "--optimizer: unknown optimizer 'nope'"],
      [['--scheduler', 'linear'], "--scheduler: unknown scheduler 'linear' (choose from warmup-cosine, cosine, onecycle, step, constant)"],
      [['--epochs', '0'], "--epochs: expected an integer from 1 to 100000, got '0'"],
      [['--lr', '0'], "--lr: expected a positive number, got '0'"],
      [['--lr=-1'], "--lr: expected a positive number, got '-1'"],
      [['--batch-size', 'big'], "--batch-size: expected an integer from 1 to 10000000, got 'big'"],
      [['--backend', 'gpu'], "--backend: unknown backend 'gpu'"],
      [['--seed', '1.5'], "--seed: expected an integer in [0, 2^32), got '1.5'"],
      [['--compare', 'torch'], "--compare: only 'tfjs' is supported, got 'torch'"],
      [['--frobnicate'], "Unknown option '--frobnicate'"],
      [['--data', good], '--data needs --target COLUMN'],
      [['--target', 'y'], '--target needs --data FILE.csv'],
      [['--data', join(tmp, 'missing.csv'), '--target', 'y'], `--data: no such file: ${join(tmp, 'missing.csv')}`],
      [['--data', tmp, '--target', 'y'], `--data: not a file: ${tmp}`],
      [['--data', good, '--target', 'label'], `--target: no column 'label' in ${good} (columns: a, b, y)`],
      [['--data', csv, '--target', 'y'], `${csv} line 3, column 'b': "x" is not a finite number`],
      [['--data', empty, '--target', 'y'], `${empty} line 7, column 'b': "" is not a finite number`],
      [['--data', ragged, '--target', 'y'], `${ragged} line 3: 2 values, expected 3 (as the header)`],
      [['--data', named, '--target', 'species'], `${named} line 2, column 'species': "virginica" is not a finite number (class labels must be integers: map each class name to 0, 1, 2, …)`],
      [['--hidden', ''], "--hidden: expected an integer from 1 to 4096, got ''"],
      [['--data', short, '--target', 'y'], `--data: ${short} has 2 data rows; at least 10 are needed for a train/test split`],
      [['--data', single, '--target', 'y'], "--target: column 'y' has the single value 4: nothing to learn"],
    ];
    for (const [argv, message] of cases) {
      const io = capture();
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      expect(io.err.join(''), argv.join(' ')).toContain(`error: ${message}`);
      expect(io.out.join(''), argv.join(' ')).toBe('');
    }
  });

  it('trains Adafactor and Muon (with its AdamW companion for the biases) when chosen by name', async () => {
    const s = await trainAll(options(['--optimizer', 'adafactor,muon', '--epochs', '2', '--out', join(tmp, 'factored')]), capture());
    expect(s.results.map((r) => r.spec.label)).toEqual(['Adafactor', 'Muon + AdamW']);
    for (const r of s.results) {
      expect(r.history.length).toBe(2);
      expect(r.history[1].train.loss).toBeLessThan(r.history[0].train.loss);
    }
  });

  it('Adam reaches the stated test accuracy (97 %) on the default dataset with the default settings', async () => {
    const io = capture();
    const s = await trainAll(options(['--optimizer', 'adam', '--out', join(tmp, 'adam')]), io);
    const [adam] = s.results;
    expect(adam.history.length).toBe(DEFAULTS.epochs);
    expect(adam.history.at(-1)!.test.score).toBeGreaterThanOrEqual(0.97);
    expect(adam.epochsToTarget).not.toBeNull();
    expect(adam.memoryGrew).toBe(false);
  });

  it('gives the same results for the same seed on the same backend, and others for another seed', async () => {
    const run = async (seed: string) => {
      const s = await trainAll(options(['--epochs', '3', '--seed', seed, '--out', join(tmp, 'seed')]), capture());
      return s.results.map((r) => r.history.map((e) => [e.train.loss, e.train.score, e.test.loss, e.test.score]));
    };
    const a = await run('7');
    const b = await run('7');
    expect(b).toEqual(a);
    const c = await run('8');
    expect(c).not.toEqual(a);
  });

  it('reads a CSV: few integer target values are classes, other targets are a regression', async () => {
    // Three blobs: classes 3, 5, 9 (labels in increasing order).
    const blobs = ['f1,f2,"class"'];
    for (let i = 0; i < 150; i++) {
      const c = [3, 5, 9][i % 3];
      blobs.push(`${(c + Math.sin(i) * 0.5).toFixed(3)},${(-c + Math.cos(i * 1.7) * 0.5).toFixed(3)},${c}`);
    }
    const cls = loadCsv(writeCsv('blobs.csv', blobs.join('\r\n') + '\r\n'), 'class');
    expect(cls.task).toBe('classification');
    expect(cls.outputs).toBe(3);
    expect(cls.classNames).toEqual(['3', '5', '9']);
    expect(cls.train.rows + cls.test.rows).toBe(150);
    expect(cls.test.rows).toBe(30);
    // Standardised with the training split: mean 0, deviation 1 per feature.
    const f0 = Array.from({ length: cls.train.rows }, (_, r) => cls.train.x[r * 2]);
    expect(Math.abs(f0.reduce((s, v) => s + v, 0) / f0.length)).toBeLessThan(1e-5);
    expect(Math.abs(f0.reduce((s, v) => s + v * v, 0) / f0.length - 1)).toBeLessThan(1e-4);

    const lines = ['x1,x2,x3,y'];
    for (let i = 0; i < 200; i++) {
      const [a, b, c] = [Math.sin(i), Math.cos(i * 0.7), (i % 17) / 17];
      lines.push(`${a},${b},${c},${(3 * a - 2 * b + 0.5 * c + 10).toFixed(4)}`);
    }
    const path = writeCsv('linear.csv', lines.join('\n') + '\n');
    const reg = loadCsv(path, 'y');
    expect(reg.task).toBe('regression');
    expect(reg.outputs).toBe(1);
    // Many distinct integers are a regression too (the rule: at most 20 distinct integer values).
    const counts = loadCsv(writeCsv('counts.csv', 'a,n\n' + Array.from({ length: 40 }, (_, i) => `${i},${i * 3}`).join('\n')), 'n');
    expect(counts.task).toBe('regression');

    const io = capture();
    const s = await trainAll(options(['--data', path, '--target', 'y', '--optimizer', 'adam', '--epochs', '30', '--out', join(tmp, 'csv')]), io);
    const text = io.out.join('');
    expect(text).toContain('linear.csv: 200 rows, 3 features, target \'y\' continuous → regression (MSE)');
    expect(text).toMatch(/train R²\s+test loss\s+test R²\s+epochs to R² 0.9/);
    // A smooth function of the features: the MLP fits it.
    expect(s.results[0].history.at(-1)!.test.score).toBeGreaterThan(0.9);
    expect(existsSync(join(tmp, 'csv', 'train-linear.csv.svg'))).toBe(true);
  });

  it('splits CSV lines with quotes', () => {
    expect(parseCsvLine('a,"b,c",d')).toEqual(['a', 'b,c', 'd']);
    expect(parseCsvLine('"say ""hi""",2,')).toEqual(['say "hi"', '2', '']);
  });

  it('draws a progress bar in place on a terminal, and plain quarter lines otherwise', () => {
    const record = (epoch: number) => ({ epoch, train: { loss: 0.5, score: 0.8 }, test: { loss: 0.6, score: 0.75 }, lr: 0.01 });
    const tty: string[] = [];
    const bar = new Progress({ write: (s) => void tty.push(s) }, true, 'Adam', 4, 'acc', 60);
    for (let e = 1; e <= 4; e++) bar.update(record(e));
    bar.done();
    expect(tty[0].startsWith('\r\x1b[2K  Adam')).toBe(true);
    expect(tty.at(-2)).toContain('████████████████████████ 4/4');
    expect(tty.every((s) => s.length <= 59 + 5)).toBe(true); // cut to the terminal's width
    expect(tty.at(-1)).toBe('\n');
    const plain: string[] = [];
    const lines = new Progress({ write: (s) => void plain.push(s) }, false, 'Adam', 8, 'acc');
    for (let e = 1; e <= 8; e++) lines.update(record(e));
    expect(plain).toEqual([2, 4, 6, 8].map((e) => `  Adam: epoch ${e}/8, train loss 0.5000, test acc 75.0%, lr 0.0100\n`));
  });
});

describe('the training step of the CLI', () => {
  let data: Dataset;
  beforeAll(async () => {
    await init({ backend: 'wasm-simd' });
    data = spirals();
  });

  it.each(TUNED_OPTIMIZERS)('forward, loss, backward, clip and %s step lower the loss on a batch', (name) => {
    const spec = optimizerSpec(name);
    const model = buildModel(data, { hidden: 32, dropout: 0.1, seed: 3 });
    const optimizer = spec.make(model.parameters(), spec.lr);
    const scheduler = makeScheduler('constant', optimizer, spec.lr, 40);
    const trainer = new Trainer(model, optimizer, scheduler, data, 1, 64);
    const index = Uint32Array.from({ length: 64 }, (_, i) => i * 7);
    const [x, y] = trainer.gather(data.train, index);
    const batch = { x: x.slice(), y: y.slice(), rows: 64 };
    const before = evaluate(model, data, batch).loss;
    const w0 = model.parameters()[0].data.slice();
    for (let i = 0; i < 40; i++) trainer.step(batch.x, batch.y);
    const after = evaluate(model, data, batch).loss;
    expect(after).toBeLessThan(0.9 * before);
    expect(model.parameters()[0].data).not.toEqual(w0);
    // Clipped: no parameter gradient left with a total norm above maxNorm = 1.
    const norm = Math.hypot(...model.parameters().flatMap((p) => Array.from(p.grad)));
    expect(norm).toBeLessThanOrEqual(1 + 1e-5);
    trainer.dispose();
    optimizer.dispose();
    model.dispose();
  });

  /** The loss on one batch before and after `steps` steps of the named spec (hidden 32, seed 3). */
  function lossesOnABatch(name: string, steps: number): { before: number; after: number } {
    const spec = optimizerSpec(name);
    const model = buildModel(data, { hidden: 32, dropout: 0.1, seed: 3 });
    const optimizer = spec.make(model.parameters(), spec.lr);
    const trainer = new Trainer(model, optimizer, makeScheduler('constant', optimizer, spec.lr, 40), data, 1, 64);
    const index = Uint32Array.from({ length: 64 }, (_, i) => i * 7);
    const [x, y] = trainer.gather(data.train, index);
    const batch = { x: x.slice(), y: y.slice(), rows: 64 };
    const before = evaluate(model, data, batch).loss;
    for (let i = 0; i < steps; i++) trainer.step(batch.x, batch.y);
    const after = evaluate(model, data, batch).loss;
    trainer.dispose();
    optimizer.dispose();
    model.dispose();
    return { before, after };
  }

  // Registered optimizers with no tuned spec train at their schema's defaults (PyTorch's lr, which
  // may be slow here, e.g. Lion's 1e-4): the loss goes down, by however little.
  it.each(OPTIMIZERS.filter((n) => !(TUNED_OPTIMIZERS as readonly string[]).includes(n)))('%s (from the registry, by name) lowers the loss on a batch', (name) => {
    expect(optimizerSpec(name).label.toLowerCase()).toBe(name);
    const { before, after } = lossesOnABatch(name, 40);
    expect(after).toBeLessThan(before);
  });

  it.each(MORE_OPTIMIZERS)('%s (by name) lowers the loss on a batch', (name) => {
    const { before, after } = lossesOnABatch(name, name === 'lbfgs' ? 5 : 40);
    expect(after).toBeLessThan(0.9 * before);
  });

  it('the model is the stated MLP with Dropout modules that follow train/eval', () => {
    const model = buildModel(data, { hidden: 64, dropout: 0.1, seed: 1 });
    expect(model.layers.map((l) => l.constructor.name)).toEqual(['Linear', 'ReLU', 'Dropout', 'Linear', 'ReLU', 'Dropout', 'Linear']);
    const drop = model.layers[2] as nn.Dropout;
    model.eval();
    expect(drop.training).toBe(false);
    model.train();
    expect(drop.training).toBe(true);
    model.dispose();
  });
});
