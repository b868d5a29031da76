/**
 * Datasets for the training example: the embedded default (two interleaved spirals, generated
 * from a fixed seed, so every clone trains on the same points) and a user's CSV file.
 *
 * Both end as a `Dataset`: standardised float32 features in row-major `[rows, features]`, a
 * train/test split, and either integer class labels or a (standardised) regression target.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';

export type Task = 'classification' | 'regression';

export interface Split {
  /** [rows, features] row-major, standardised with the training split's mean and deviation. */
  x: Float32Array;
  /** Class indices (classification) or the standardised target (regression). */
  y: Int32Array | Float32Array;
  rows: number;
}

export interface Dataset {
  name: string;
  description: string;
  task: Task;
  features: number;
  featureNames: string[];
  /** Output width of the model: the number of classes, or 1 for regression. */
  outputs: number;
  /** Class names in label order (classification), e.g. the CSV's values '0', '1', '2'. */
  classNames: string[];
  train: Split;
  test: Split;
  /** Regression: the target's mean and deviation before standardising (to report in its units). */
  targetScale?: { mean: number; std: number };
}

/** A user-facing input error: the CLI prints its message and exits 2, without a stack trace. */
export class InputError extends Error {
  override name = 'InputError';
}

/** A small seeded generator (splitmix32): the dataset is an artifact, independent of simdopt's RNG. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** A uniform double in [0, 1). */
  next(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  }
  /** A standard normal deviate (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** A random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}

/** Fraction of the rows held out for the test split. */
export const TEST_FRACTION = 0.2;
/** The default dataset's own seed: fixed, so `--seed` varies the training, not the data. */

const SPIRAL_SEED = 20240607;
/** A CSV's split is fixed too: the same file always gives the same train and test rows. */
const SPLIT_SEED = 7;

/**
 * Two interleaved spirals (the classic two-spirals benchmark, Lang & Witbrock 1988): class c's
 * points lie at angle θ = 2·2π·t + c·π and radius 0.1 + 0.9·t for t uniform in [0, 1), plus
 * Gaussian noise of deviation `noise`. A linear model gets ~50 %; an MLP has to bend its boundary
 * through two turns.
 */
export function spirals(pointsPerClass = 1000, noise = 0.04): Dataset {
  const rng = new Rng(SPIRAL_SEED);
  const n = 2 * pointsPerClass;
  const x = new Float64Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = rng.next();
    const theta = 2 * 2 * Math.PI * t + c * Math.PI;
    const r = 0.1 + 0.9 * t;
    x[2 * i] = r * Math.cos(theta) + noise * rng.normal();
    x[2 * i + 1] = r * Math.sin(theta) + noise * rng.normal();
    y[i] = c;
  }
  return finish({
    name: 'spirals',
    description: `two interleaved spirals, ${n} points (embedded, generated), 2 classes`,
    x,
    rows: n,
    featureNames: ['x', 'y'],
    labels: { y, classNames: ['0', '1'] },
    rng,
  });
}

/** At most this many distinct integer values make a target a class label (see `loadCsv`). */
export const MAX_CLASSES = 20;

/**
 * Reads `path` (comma-separated, a header row, optional double quotes) with `target` as the
 * column to predict and every other column as a numeric feature.
 *
 * The task rule: **classification** when every target value is an integer and there are 2 to
 * MAX_CLASSES distinct values (labels are those values in increasing order); otherwise
 * **regression** with MSE on the standardised target. Errors (thrown as InputError): a missing
 * file, an empty file, a missing column (the message lists the columns), rows of the wrong width,
 * a value that is not a number (row and column named), fewer than 10 rows, no feature column.
 */
export function loadCsv(path: string, target: string): Dataset {
  if (!existsSync(path)) throw new InputError(`--data: no such file: ${path}`);
  if (!statSync(path).isFile()) throw new InputError(`--data: not a file: ${path}`);
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  // Drop trailing blank lines; blank lines inside are an error (a row of the wrong width).
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new InputError(`--data: ${path} is empty`);
  const header = parseCsvLine(lines[0]).map((h) => h.trim());
  const targetIndex = header.indexOf(target);
  if (targetIndex < 0) {
    throw new InputError(`--target: no column '${target}' in ${path} (columns: ${header.join(', ')})`);
  }
  if (header.length < 2) throw new InputError(`--data: ${path} has no feature column besides '${target}'`);
  const rows = lines.length - 1;
  if (rows < 10) throw new InputError(`--data: ${path} has ${rows} data rows; at least 10 are needed for a train/test split`);
  const featureIndex = header.map((_, j) => j).filter((j) => j !== targetIndex);
  const features = featureIndex.length;
  const x = new Float64Array(rows * features);
  const t = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const cells = parseCsvLine(lines[r + 1]);
    const line = r + 2; // 1-based, after the header
    if (cells.length !== header.length) {
      throw new InputError(`${path} line ${line}: ${cells.length} values, expected ${header.length} (as the header)`);
    }
    const num = (j: number): number => {
      const s = cells[j].trim();
      const v = Number(s);
      // Number('') is 0: an empty cell is a missing value, not a zero.
      if (s === '' || !Number.isFinite(v)) {
        const hint = j === targetIndex ? ' (class labels must be integers: map each class name to 0, 1, 2, …)' : '';
        throw new InputError(`${path} line ${line}, column '${header[j]}': ${JSON.stringify(cells[j])} is not a finite number${hint}`);
      }
      return v;
    };
    featureIndex.forEach((j, k) => (x[r * features + k] = num(j)));
    t[r] = num(targetIndex);
  }
  const distinct = [...new Set(t)].sort((a, b) => a - b);
  if (distinct.length < 2) throw new InputError(`--target: column '${target}' has the single value ${distinct[0]}: nothing to learn`);
  const isClasses = t.every(Number.isInteger) && distinct.length <= MAX_CLASSES;
  const name = path.split(/[\\/]/).pop() ?? path;
  const common = { name, x, rows, featureNames: featureIndex.map((j) => header[j]), rng: new Rng(SPLIT_SEED) };
  if (isClasses) {
    const label = new Map(distinct.map((v, i) => [v, i]));
    const y = Int32Array.from(t, (v) => label.get(v)!);
    return finish({
      ...common,
      description: `${name}: ${rows} rows, ${features} features, target '${target}' with ${distinct.length} integer values → classification`,
      labels: { y, classNames: distinct.map(String) },
    });
  }
  return finish({
    ...common,
    description: `${name}: ${rows} rows, ${features} features, target '${target}' ${t.every(Number.isInteger) ? `with ${distinct.length} distinct values` : 'continuous'} → regression (MSE)`,
    regression: t,
  });
}

/** Splits one CSV line into cells: commas separate, double quotes group ("" is a quote). */
export function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

interface Raw {
  name: string;
  description: string;
  x: Float64Array;
  rows: number;
  featureNames: string[];
  labels?: { y: Int32Array; classNames: string[] };
  regression?: Float64Array;
  rng: Rng;
}

/** Shuffles, splits (TEST_FRACTION held out) and standardises with the training split's statistics. */
function finish(raw: Raw): Dataset {
  const { x, rows, rng } = raw;
  const features = raw.featureNames.length;
  const order = rng.permutation(rows);
  const testRows = Math.max(1, Math.round(rows * TEST_FRACTION));
  const trainRows = rows - testRows;
  const mean = new Float64Array(features);
  const std = new Float64Array(features);
  for (let k = 0; k < trainRows; k++) for (let j = 0; j < features; j++) mean[j] += x[order[k] * features + j] / trainRows;
  for (let k = 0; k < trainRows; k++) for (let j = 0; j < features; j++) std[j] += (x[order[k] * features + j] - mean[j]) ** 2 / trainRows;
  // A constant column stays constant (0) instead of dividing by zero.
  for (let j = 0; j < features; j++) std[j] = Math.sqrt(std[j]) || 1;
  let targetScale: Dataset['targetScale'];
  if (raw.regression) {
    let m = 0;
    let v = 0;
    for (let k = 0; k < trainRows; k++) m += raw.regression[order[k]] / trainRows;
    for (let k = 0; k < trainRows; k++) v += (raw.regression[order[k]] - m) ** 2 / trainRows;
    targetScale = { mean: m, std: Math.sqrt(v) || 1 };
  }
  const take = (from: number, count: number): Split => {
    const sx = new Float32Array(count * features);
    const sy = raw.labels ? new Int32Array(count) : new Float32Array(count);
    for (let k = 0; k < count; k++) {
      const r = order[from + k];
      for (let j = 0; j < features; j++) sx[k * features + j] = (x[r * features + j] - mean[j]) / std[j];
      sy[k] = raw.labels ? raw.labels.y[r] : (raw.regression![r] - targetScale!.mean) / targetScale!.std;
    }
    return { x: sx, y: sy, rows: count };
  };
  return {
    name: raw.name,
    description: raw.description,
    task: raw.labels ? 'classification' : 'regression',
    features,
    featureNames: raw.featureNames,
    outputs: raw.labels ? raw.labels.classNames.length : 1,
    classNames: raw.labels?.classNames ?? [],
    train: take(0, trainRows),
    test: take(trainRows, testRows),
    targetScale,
  };
}
