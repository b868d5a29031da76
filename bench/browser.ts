/**
 * npm run bench:browser [-- --full] [--all] [--optimizers=adam,sgd] [--sizes=1e3,1e6] [--rounds=N] [--no-threads]
 *
 * The optimizer benchmark of `npm run bench` in headless Chromium, because the browser is the
 * target: builds bench/browser/page.ts with Vite, serves it on 127.0.0.1 (with COOP/COEP so the
 * page is cross-origin isolated and performance.now() has 5 µs resolution), drives Debian's
 * /usr/bin/chromium through playwright-core, and writes bench/results/browser-latest.json/.svg.
 * tfjs-backend-wasm is held to one thread there too (see lib/tfjs.ts). Last, the threads dimension
 * (lib/threads.ts) in the same page: simdopt's step with 1, 2, … cores threads (`--no-threads` skips it).
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import type { PageOptions } from './browser/page.js';
import { ProgressBar } from './lib/progress.js';
import { threadsTable, type ThreadsResult } from './lib/threads.js';
import { referenceModuleBytes } from './lib/ref/assemble.js';
import { chartSvg, checksTable, evaluateTargets, optimizerTables, summaryHeader, targetsTable, extrasTables, type BenchResults } from './lib/report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const known = ['full', 'all', 'optimizers', 'sizes', 'rounds', 'no-progress', 'no-threads'];
for (const a of args) {
  if (!a.startsWith('--') || !known.includes(a.slice(2).split('=')[0])) {
    console.error(`bench:browser: unknown option ${a}\nknown: ${known.map((k) => `--${k}`).join(' ')}`);
    process.exit(2);
  }
}
const full = flag('full');
const options: PageOptions = {
  sizes: value('sizes')?.split(',').map(Number) ?? (full ? [1e3, 1e4, 1e5, 1e6, 4e6] : [1e3, 1e4, 1e5, 1e6]),
  method: full
    ? { rounds: Number(value('rounds') ?? 9), warmupRounds: 1, minSampleMs: 1, samples: 5, slowBatchMs: 100 }
    : { rounds: Number(value('rounds') ?? 7), warmupRounds: 0, minSampleMs: 1, samples: 3, slowBatchMs: 20 },
  all: flag('all'),
  optimizers: value('optimizers')?.split(','),
  maxN: full ? { naive: 1e6, 'tfjs-cpu': 1e6 } : { naive: 1e4, 'tfjs-cpu': 1e4 },
  bandwidthBytes: 128 << 20,
  manySmall: true,
  threads: !flag('no-threads'),
};

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`bench:browser: no Chromium at ${executablePath}. On Debian: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  process.exit(1);
}
const started = performance.now();
const load = { start: loadavg(), min1: loadavg()[0], max1: loadavg()[0] };
const progress = new ProgressBar(process.stderr, !flag('no-progress'));
const work = mkdtempSync(join(tmpdir(), 'simdopt-bench-'));
let server: Server | null = null;
let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
try {
  progress.note('bench:browser: building the page (vite)');
  const dist = join(work, 'dist');
  await build({
    root: join(root, 'bench/browser'),
    logLevel: 'error',
    resolve: { alias: { simdopt: join(root, 'packages/simdopt/src/index.ts') } },
    build: { outDir: dist, emptyOutDir: true, target: 'esnext', assetsInlineLimit: 0, chunkSizeWarningLimit: 1e9 },
  });
  writeFileSync(join(dist, 'reference.wasm'), await referenceModuleBytes());
  const tfjsDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname === '/' ? '/index.html' : url.pathname;
    const file = path.startsWith('/tfjs/') ? join(tfjsDir, normalize(path.slice(6)).replace(/^(\.\.[/\\])+/, '')) : join(dist, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'cache-control': 'no-store',
      });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--js-flags=--expose-gc',
    ],
  });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.exposeFunction('benchProgress', (kind: string, v: string | number) => {
    if (kind === 'expect') progress.expect(Number(v));
    else progress.tick(String(v));
  });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', null, { timeout: 60_000 });
  const version = browser.version();
  progress.note(`bench:browser: Chromium ${version}, page on http://127.0.0.1:${port}/`);
  const out = (await page.evaluate((o) => window.simdoptBench(o), options)) as {
    userAgent: string; crossOriginIsolated: boolean; simdopt: string; tfjsWasm: string; tfjsGrew: boolean;
    contenders: BenchResults['contenders']; optimizers: BenchResults['optimizers']; bandwidth: BenchResults['bandwidth'];
    suite: BenchResults['suite']; manySmall: BenchResults['manySmall']; threads?: ThreadsResult; durationSeconds: number;
  };
  progress.finish();
  if (errors.length) console.error(`page errors:\n${errors.join('\n')}`);
  const results: BenchResults = {
    meta: {
      date: new Date().toISOString(),
      mode: full ? 'browser --full' : 'browser',
      environment: `Chromium ${version} (headless${out.crossOriginIsolated ? ', cross-origin isolated' : ''})`,
      userAgent: out.userAgent,
      cpu: cpus()[0]?.model ?? '?',
      cores: cpus().length,
      loadAverage: { start: load.start, end: loadavg(), min1: Math.min(load.min1, loadavg()[0]), max1: Math.max(load.max1, loadavg()[0]) },
      simdopt: out.simdopt,
      tfjs: JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')).version,
      tfjsWasm: out.tfjsWasm,
      method: { ...options.method, sizes: options.sizes, maxN: options.maxN, checkSize: 4099, checkSteps: 8, tolerance: 1e-3 },
      durationSeconds: (performance.now() - started) / 1000,
    },
    contenders: out.contenders,
    optimizers: out.optimizers,
    bandwidth: out.bandwidth,
    suite: out.suite,
    manySmall: out.manySmall,
    threads: out.threads,
    targets: [],
  };
  results.targets = evaluateTargets(results);
  const grown = Object.entries(out.suite.growths).filter(([, v]) => v > 0);
  console.log(
    [
      summaryHeader(results),
      grown.length || out.tfjsGrew ? `WARNING: memory grew during the run (${grown.map(([k]) => k).join(', ')}${out.tfjsGrew ? ' tfjs-wasm' : ''})` : 'no wasm memory grew during the run',
      optimizerTables(results),
      '',
      checksTable(out.suite.checks),
      extrasTables(results),
      targetsTable(results.targets),
      ...(out.threads ? ['', threadsTable(out.threads)] : options.threads ? ['', 'threads: not measured (the page is not cross-origin isolated)'] : []),
    ].join('\n'),
  );
  const dir = join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'browser-latest.json'), JSON.stringify(results, null, 1));
  writeFileSync(join(dir, 'browser-latest.svg'), chartSvg(results));
  console.log(`\nwrote ${join(dir, 'browser-latest.json')}\nwrote ${join(dir, 'browser-latest.svg')}\n(${results.meta.durationSeconds.toFixed(0)} s)`);
} finally {
  await browser?.close();
  server?.close();
  rmSync(work, { recursive: true, force: true });
}
