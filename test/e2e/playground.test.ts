/**
 * The playground, built with Vite and driven in Chromium: the optimizer choices come from the
 * registry as far as simdopt exports them, trajectories converge on the test functions, a racer
 * added through the form takes part, the canvases are drawn, the classifier learns two moons, and
 * the js backend retraces the wasm-simd trajectories bit for bit. Screenshots go to test/out/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from './support/chromium.js';
import { serve, type Served } from './support/serve.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shots = join(root, 'test/out');

interface RacerState {
  label: string;
  optimizer: string;
  color: string;
  step: number;
  x: number;
  y: number;
  loss: number;
  done: boolean;
  diverged: boolean;
  distance: number;
}
interface RaceState {
  fn: string;
  running: boolean;
  maxSteps: number;
  racers: RacerState[];
}
interface Playground {
  ready: boolean;
  error?: string;
  offered: { optimizers: string[]; schedulers: string[] };
  registry: { optimizers: string[]; schedulers: string[] };
  exports: string[];
  backend(): string;
  threads(): number;
  race(): RaceState;
  classifier(): { dataset: string; step: number; loss: number; accuracy: number; done: boolean; diverged: boolean; running: boolean };
}
declare const window: { __playground: Playground };

let out: string;
let site: Served;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'simdopt-playground-'));
  const env = { ...process.env };
  delete env.NODE_ENV;
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'examples/playground/vite.config.ts', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Served cross-origin isolated, as `npm run playground` serves it: simdopt runs worker threads.
  site = await serve(out, () => ({ 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }));
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  page = await browser.newPage({ viewport: { width: 1160, height: 1400 } });
  // Generous: the machine may be busy; nothing here measures time.
  page.setDefaultTimeout(90_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(site.url);
  await page.waitForFunction(() => window.__playground !== undefined);
  expect(errors).toEqual([]);
  mkdirSync(shots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

const race = () => page.evaluate(() => window.__playground.race());

/** Clicks Run and waits until every racer has finished. */
async function runRace(): Promise<RaceState> {
  await page.fill('#speed', '250');
  await page.click('#run');
  await page.waitForFunction(() => {
    const r = window.__playground.race();
    return !r.running && r.racers.length > 0 && r.racers.every((x) => x.done);
  });
  return race();
}

/** Pixels of a canvas close to an RGB colour, and the number of distinct colours. */
function canvasStats(selector: string, rgb: [number, number, number]) {
  return page.evaluate(
    ([sel, [r, g, b]]) => {
      const canvas = document.querySelector(sel) as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let near = 0;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 30) near++;
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      }
      return { near, colours: colours.size };
    },
    [selector, rgb] as const,
  );
}

describe('the playground', () => {
  it('starts on wasm-simd and offers every registry entry that simdopt exports', async () => {
    const pg = await page.evaluate(() => {
      const p = window.__playground;
      return { ready: p.ready, backend: p.backend(), threads: p.threads(), offered: p.offered, registry: p.registry, exports: p.exports };
    });
    expect(pg.ready).toBe(true);
    expect(pg.backend).toBe('wasm-simd');
    // Isolated page: 'auto' uses the cores (at least 2 workers' worth on any CI machine here).
    expect(pg.threads).toBe(Math.min(8, Math.max(1, await page.evaluate(() => navigator.hardwareConcurrency))));
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect(page.textContent('#backend-info')).resolves.toMatch(/wasm-simd · \d+ threads?/);
    expect(pg.offered.optimizers).toEqual(pg.registry.optimizers.filter((n) => pg.exports.includes(n)));
    expect(pg.offered.optimizers).toEqual(expect.arrayContaining(['SGD', 'Adam', 'AdamW']));
    expect(pg.offered.schedulers).toEqual(pg.registry.schedulers.filter((n) => pg.exports.includes(n)));
    const menu = await page.$$eval('#add-optimizer-select option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(menu).toEqual(pg.offered.optimizers);
    const schedulers = await page.$$eval('#add-scheduler-select option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(schedulers).toEqual(['none', ...pg.offered.schedulers]);
  });

  it('races SGD, Adam and AdamW to a minimum of Himmelblau and draws their paths', async () => {
    await page.selectOption('#fn-select', 'himmelblau');
    const before = await canvasStats('#contour', [255, 59, 48]);
    const state = await runRace();
    expect(state.fn).toBe('himmelblau');
    expect(state.racers.map((r) => r.optimizer)).toEqual(['SGD', 'Adam', 'AdamW']);
    for (const r of state.racers) {
      expect(r.diverged, r.label).toBe(false);
      expect(r.step, r.label).toBe(state.maxSteps);
      expect(r.distance, r.label).toBeLessThan(1e-2);
    }
    // The SGD racer's red path now crosses the map; the map itself is a many-coloured contour plot.
    const after = await canvasStats('#contour', [255, 59, 48]);
    expect(after.near).toBeGreaterThan(before.near + 100);
    expect(after.colours).toBeGreaterThan(100);
    expect((await canvasStats('#loss-chart', [255, 59, 48])).near).toBeGreaterThan(50);
    await page.locator('#race-panel').screenshot({ path: join(shots, 'playground-race-himmelblau.png') });
  });

  it('takes a racer added through the form (Nesterov SGD) and converges on the ill-conditioned quadratic', async () => {
    await page.selectOption('#add-optimizer-select', 'SGD');
    await page.fill('#add-optimizer-lr', '0.02');
    await page.fill('#add-optimizer-momentum', '0.5');
    await page.check('#add-optimizer-nesterov');
    await page.click('#add-racer');
    await page.selectOption('#fn-select', 'quadratic');
    const state = await runRace();
    expect(state.racers).toHaveLength(4);
    expect(state.racers[3].label).toMatch(/^SGD lr=0\.02 momentum=0\.5 nesterov=true/);
    for (const r of state.racers) {
      expect(r.diverged, r.label).toBe(false);
      expect(r.distance, r.label).toBeLessThan(1e-2);
    }
    await page.locator('#race-panel').screenshot({ path: join(shots, 'playground-race-quadratic.png') });
  });

  it('on Rosenbrock, momentum SGD and Adam reach the valley floor at (1, 1)', async () => {
    await page.click('#racers button[data-remove="3"]');
    await page.selectOption('#fn-select', 'rosenbrock');
    const state = await runRace();
    const [sgd, adam, adamw] = state.racers;
    expect(sgd.distance).toBeLessThan(1e-2);
    expect(adam.distance).toBeLessThan(1e-2);
    // AdamW's decoupled weight decay pulls towards the origin: it stops short, but not far.
    expect(adamw.diverged).toBe(false);
    expect(adamw.loss).toBeLessThan(1e-2);
    await page.locator('#race-panel').screenshot({ path: join(shots, 'playground-race-rosenbrock.png') });
  });

  it('trains the MLP on two moons and draws its decision boundary', async () => {
    await page.selectOption('#dataset', 'moons');
    await page.fill('#train-steps', '600');
    await page.dispatchEvent('#train-steps', 'change');
    await page.fill('#speed', '50');
    await page.click('#train');
    await page.waitForFunction(() => window.__playground.classifier().done);
    const s = await page.evaluate(() => window.__playground.classifier());
    expect(s).toMatchObject({ dataset: 'moons', step: 600, diverged: false });
    expect(s.accuracy).toBeGreaterThanOrEqual(0.97);
    expect(s.loss).toBeLessThan(0.1);
    // Both classes' tints fill the boundary image.
    const orange = await canvasStats('#boundary', [239, 131, 84]);
    const blue = await canvasStats('#boundary', [76, 146, 214]);
    expect(orange.near).toBeGreaterThan(200);
    expect(blue.near).toBeGreaterThan(200);
    await page.locator('#classifier-panel').screenshot({ path: join(shots, 'playground-classifier.png') });
  });

  it('on the js backend, retraces the wasm-simd trajectories bit for bit', async () => {
    await page.selectOption('#fn-select', 'beale');
    const simd = await runRace();
    await page.selectOption('#backend', 'js');
    await page.waitForFunction(() => window.__playground.backend() === 'js');
    const js = await runRace();
    expect(js.fn).toBe('beale');
    expect(js.racers.map((r) => [r.x, r.y, r.step])).toEqual(simd.racers.map((r) => [r.x, r.y, r.step]));
  });
});
