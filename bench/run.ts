/**
 * npm run bench [-- options]
 *
 *   --quick            N up to 1e6, 7 rounds, shorter samples: under a minute
 *   --all              every optimizer (default: SGD, SGD momentum, RMSprop, Adagrad, Adam, AdamW, Lion; --all adds Adadelta, Adamax, NAdam, RAdam, ASGD, Rprop,
 *                      ADOPT, LAMB, ScheduleFreeAdamW, Prodigy and every other optimizer of the registry that steps flat)
 *   --sizes=1e3,1e6    the N to time
 *   --optimizers=adam,sgd   --contenders=simdopt-wasm-simd,tuned,ref
 *                      (a registered optimizer with no hand-written spec: its name in lower case, e.g. schedulefreesgd)
 *   --rounds=N         recorded rounds (≥ 7 for medians worth reading)
 *   --slow             also time naive JS and tfjs-cpu beyond N=1e6 (seconds per step)
 *   --no-extras        skip many-small, the full loop and the MLP
 *   --no-detach        skip the V8 detach experiment (child processes)
 *   --no-tfjs          skip TensorFlow.js
 *   --no-threads       skip the threads dimension (scaling over 1, 2, …, cores threads)
 *   --threads-only     only the threads dimension (--sizes, --optimizers, --rounds apply; default
 *                      SGD, Adam, AdamW at 1e3, 1e6, 4e6 and the MLP)
 *   --reference        also write bench/results/reference-<date>.json/.svg
 *   --out=DIR          where latest.json / latest.svg go (default bench/results)
 *   --wat              print the reference kernels' WebAssembly text and exit
 *   --replot=FILE.json redraw the chart (FILE.svg) and reprint the tables of a results file, and exit
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { runBench, type BenchOptions } from './lib/main.js';
import { referenceModuleText } from './lib/ref/assemble.js';
import { factoredTable } from './lib/factored.js';
import { chartSvg, checksTable, extrasTables, optimizerTables, summaryHeader, targetsTable, type BenchResults } from './lib/report.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const list = (name: string) => value(name)?.split(',').filter(Boolean);

const known = ['replot', 'quick', 'tiny', 'all', 'sizes', 'optimizers', 'contenders', 'rounds', 'slow', 'no-extras', 'no-detach', 'no-tfjs', 'no-threads', 'threads-only', 'reference', 'out', 'wat', 'no-progress'];
for (const a of args) {
  const name = a.replace(/^--/, '').split('=')[0];
  if (!a.startsWith('--') || !known.includes(name)) {
    console.error(`bench: unknown option ${a}\nknown: ${known.map((k) => `--${k}`).join(' ')}`);
    process.exit(2);
  }
}

const replot = value('replot');
if (replot) {
  const r = JSON.parse(readFileSync(replot, 'utf8')) as BenchResults;
  const svg = replot.replace(/\.json$/, '') + '.svg';
  writeFileSync(svg, chartSvg(r));
  console.log([summaryHeader(r), optimizerTables(r), '', checksTable(r.suite.checks), extrasTables(r), factoredTable(r.factored), targetsTable(r.targets)].join('\n'));
  console.log(`\nwrote ${svg}`);
  process.exit(0);
}

if (flag('wat')) {
  console.log(referenceModuleText());
  process.exit(0);
}

if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  console.error('bench: run with node --expose-gc (npm run bench does) so that big runs can free wasm memories between visits');
}

if (flag('threads-only')) {
  const { runThreadsOnly } = await import('./lib/threads.js');
  console.log(await runThreadsOnly({ sizes: list('sizes')?.map(Number), optimizers: list('optimizers'), rounds: value('rounds') ? Number(value('rounds')) : undefined, progress: !flag('no-progress'), outDir: value('out') }));
  process.exit(0);
}

const options: BenchOptions = {
  mode: flag('tiny') ? 'tiny' : flag('quick') ? 'quick' : 'full',
  all: flag('all'),
  sizes: list('sizes')?.map(Number),
  optimizers: list('optimizers'),
  contenders: list('contenders'),
  rounds: value('rounds') ? Number(value('rounds')) : undefined,
  slow: flag('slow'),
  extras: !flag('no-extras'),
  detach: !flag('no-detach'),
  tfjs: !flag('no-tfjs'),
  threads: !flag('no-threads'),
  progress: !flag('no-progress'),
  reference: flag('reference'),
  outDir: value('out'),
};
if (options.sizes?.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error('bench: --sizes takes positive integers such as 1e3,1e6');
  process.exit(2);
}

const { report, files, results } = await runBench(options);
console.log(report);
console.log('');
for (const f of files) console.log(`wrote ${f}`);
console.log(`(${results.meta.durationSeconds.toFixed(0)} s)`);
