/**
 * The packed tarball, as a user gets it from npm: what it ships, its declarations, and one SGD
 * step with a known result (lr 0.5 on [1, 2] with gradient [1, 1] → [0.5, 1.5]) from Node ESM,
 * Node CJS, and a Vite 8 app without configuration (built and in its dev server) in Chromium,
 * through both entries, `simdopt` and `simdopt/inline`.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import ts from 'typescript';
import webpack from 'webpack';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromiumArgs, chromiumPath } from './support/chromium.js';
import { serve, type Served } from './support/serve.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const viteBin = join(root, 'node_modules/vite/bin/vite.js');
const EXPECTED = [0.5, 1.5];

/** A child process environment without vitest's own variables (NODE_ENV=test, VITEST…). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k === 'NODE_ENV' || k.startsWith('VITEST')) delete env[k];
  return env;
}

let app: string;
let tarball: string;

beforeAll(() => {
  tarball = inject('tarball');
  // Outside the repository, so that nothing can resolve `simdopt` to the workspace copy.
  app = mkdtempSync(join(tmpdir(), 'simdopt-smoke-'));
  cpSync(join(fixtures, 'node'), app, { recursive: true });
  cpSync(join(fixtures, 'vite-app'), app, { recursive: true });
  cpSync(join(fixtures, 'rollup'), join(app, 'rollup'), { recursive: true });
  cpSync(join(fixtures, 'webpack'), join(app, 'webpack'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke', private: true }));
  // --offline: the tarball must install without the registry (it has no dependencies).
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app, env: cleanEnv() });
});

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('ships the builds, their declarations, both binaries and the README, and no sources', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => f && !f.endsWith('/'))
      .map((f) => f.replace(/^package\//, ''))
      .sort();
    const wanted = ['README.md', 'package.json', 'wasm/simdopt-simd.wasm', 'wasm/simdopt-scalar.wasm', 'wasm/simdopt-threads.wasm'];
    for (const e of ['index', 'inline']) wanted.push(...['.js', '.cjs', '.d.ts', '.d.cts'].map((x) => `dist/${e}${x}`));
    expect(files).toEqual(expect.arrayContaining(wanted));
    // Source maps carry the TypeScript sources, which the tarball does not ship.
    const map = JSON.parse(readFileSync(join(app, 'node_modules/simdopt/dist/index.js.map'), 'utf8'));
    expect(map.sources.length).toBeGreaterThan(5);
    expect(map.sourcesContent.every((t: unknown) => typeof t === 'string' && t.length > 0)).toBe(true);
    expect(files.filter((f) => !/^(dist\/[^/]+\.(js|cjs|d\.ts|d\.cts|map)|wasm\/[^/]+\.wasm|README\.md|package\.json|LICENSE)$/.test(f))).toEqual([]);
  });

  it('declares an exports map with types per condition, ESM and CJS, and no side effects', () => {
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/simdopt/package.json'), 'utf8'));
    for (const entry of ['.', './inline']) {
      const name = entry === '.' ? 'index' : 'inline';
      expect(pkg.exports[entry]).toEqual({
        import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
      });
    }
    expect(pkg).toMatchObject({ type: 'module', main: './dist/index.cjs', module: './dist/index.js', types: './dist/index.d.ts', sideEffects: false });
    expect(pkg.engines.node).toMatch(/^>=20/);
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it('its README covers usage, bundlers, CSP, browser support and the inline entry', () => {
    const readme = readFileSync(join(app, 'node_modules/simdopt/README.md'), 'utf8');
    for (const needle of ['npm install simdopt', 'await init()', 'Vite', 'webpack', 'Rollup', "'wasm-unsafe-eval'", 'simdopt/inline', 'Chrome and Edge 91+', 'Firefox 89+', 'Safari 16.4+']) {
      expect(readme).toContain(needle);
    }
  });

  it("the repository README carries the same Compatibility section (one text, two places)", () => {
    const section = (text: string) => text.slice(text.indexOf('## Compatibility'), text.indexOf('\n## ', text.indexOf('## Compatibility') + 1));
    const packaged = section(readFileSync(join(app, 'node_modules/simdopt/README.md'), 'utf8'));
    expect(packaged.length).toBeGreaterThan(500);
    expect(section(readFileSync(join(root, 'README.md'), 'utf8'))).toBe(packaged);
  });

  it('its declarations type-check for ESM and CJS consumers (strict, without skipLibCheck)', () => {
    const files = ['consumer.mts', 'consumer.cts'].map((f) => join(app, f));
    const program = ts.createProgram(files, {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      strict: true,
      skipLibCheck: false,
      noEmit: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
    // Both conditions resolved to the package's own declarations.
    const declarations = program.getSourceFiles().map((s) => s.fileName).filter((f) => f.includes('node_modules/simdopt/'));
    expect(declarations.map((f) => f.replace(/.*node_modules\/simdopt\//, '')).sort()).toEqual(
      ['dist/index.d.cts', 'dist/index.d.ts', 'dist/inline.d.cts', 'dist/inline.d.ts'],
    );
  });
});

describe('what a new user meets (issue 12)', () => {
  it('the declarations type-check under moduleResolution "node" too (simdopt/inline via typesVersions)', () => {
    const program = ts.createProgram([join(app, 'consumer-node10.ts')], {
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      ignoreDeprecations: '6.0',
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
    const declarations = program.getSourceFiles().map((s) => s.fileName).filter((f) => f.includes('node_modules/simdopt/'));
    expect(declarations.map((f) => f.replace(/.*node_modules\/simdopt\//, '')).sort()).toEqual(['dist/index.d.ts', 'dist/inline.d.ts']);
  });

  it('the README states the sizes users download, as measured in the tarball', () => {
    const readme = readFileSync(join(app, 'node_modules/simdopt/README.md'), 'utf8').replace(/\s+/g, ' ');
    const m = /`dist\/inline\.js` (\d+) kB against (\d+) kB for `dist\/index\.js`; gzip -9: (\d+) kB against (\d+) kB/.exec(readme);
    expect(m, 'inline entry sizes in the README').not.toBeNull();
    const w = /binaries separately \((\d+) kB and (\d+) kB, (\d+) and (\d+) kB gzipped\)/.exec(readme);
    expect(w, 'binary sizes in the README').not.toBeNull();
    const t = /and (\d+) kB \((\d+) kB gzipped; stripped, not optimised/.exec(readme);
    expect(t, 'threads binary size in the README').not.toBeNull();
    const dir = join(app, 'node_modules/simdopt');
    const kB = (file: string, gz: boolean) => {
      const bytes = readFileSync(join(dir, file));
      return (gz ? gzipSync(bytes, { level: 9 }).length : bytes.length) / 1000;
    };
    const stated = [...m!.slice(1), ...w!.slice(1), ...t!.slice(1)].map(Number);
    const measured = [
      kB('dist/inline.js', false), kB('dist/index.js', false), kB('dist/inline.js', true), kB('dist/index.js', true),
      kB('wasm/simdopt-simd.wasm', false), kB('wasm/simdopt-scalar.wasm', false), kB('wasm/simdopt-simd.wasm', true), kB('wasm/simdopt-scalar.wasm', true),
      kB('wasm/simdopt-threads.wasm', false), kB('wasm/simdopt-threads.wasm', true),
    ];
    // Within 5 % (or 2 kB): the figures are rounded and the code changes a little between releases.
    stated.forEach((v, i) => expect(Math.abs(v - measured[i]), `stated ${v} kB, measured ${measured[i]} kB`).toBeLessThanOrEqual(Math.max(2, 0.05 * measured[i])));
  });

  it('the published types hold no @internal members and no bundler-renamed names', () => {
    for (const name of ['index.d.ts', 'index.d.cts', 'inline.d.ts']) {
      const dts = readFileSync(join(app, 'node_modules/simdopt/dist', name), 'utf8');
      expect(dts).not.toContain('@internal');
      expect(dts.match(/\b[A-Za-z_]+\$\d+\b/g) ?? []).toEqual([]);
      const parameter = dts.slice(dts.indexOf('declare class Parameter '), dts.indexOf('\n}', dts.indexOf('declare class Parameter ')));
      expect(parameter).toContain('get data(): Float32Array;');
      // No such member declared (the words may appear in doc comments).
      expect(parameter).not.toMatch(/^\s+(readonly\s+)?(handle|backend|gradOffset)\b/m);
    }
    for (const name of ['index.js', 'index.cjs', 'inline.js']) {
      const js = readFileSync(join(app, 'node_modules/simdopt/dist', name), 'utf8');
      // A class renamed by the bundler would carry that name into error messages and toString.
      expect(js.match(/\bclass [A-Za-z_]+\$\d+|\b[A-Za-z_]+\$\d+ = class\b/g) ?? []).toEqual([]);
    }
  });

  it('a state dict through plain JSON continues exactly; PyTorch state_dict()s as JSON load and continue as PyTorch', () => {
    const vectors = join(root, 'test/vectors/torch/state_dicts.json');
    const out = execFileSync(process.execPath, ['interop.mjs', vectors], { cwd: app, encoding: 'utf8', env: cleanEnv() });
    const result = JSON.parse(out);
    expect(result.json.throughJson).toEqual(result.json.straight);
    expect(Object.keys(result.torch).length).toBeGreaterThanOrEqual(10);
    for (const [id, worst] of Object.entries(result.torch)) expect(worst, id).toBeLessThan(1e-5);
  });
});

describe('Node 20', () => {
  it.each([
    ['esm.mjs', 'simdopt'],
    ['esm.mjs', 'simdopt/inline'],
    ['cjs.cjs', 'simdopt'],
    ['cjs.cjs', 'simdopt/inline'],
  ])('%s importing %s runs one SGD step on every backend', (script, entry) => {
    const out = execFileSync(process.execPath, [script, entry], { cwd: app, encoding: 'utf8', env: cleanEnv() });
    const result = JSON.parse(out);
    expect(result.picked).toBe('wasm-simd');
    // 'auto' in Node: worker threads (the process exited by itself with them alive).
    expect(result.threads).toBe(Math.min(8, availableParallelism()));
    for (const backend of ['wasm-simd', 'wasm', 'js']) {
      expect(result.results[backend]).toEqual({ backend, data: EXPECTED });
    }
  });
});

describe('plain Rollup', () => {
  it('bundles simdopt/inline into one self-contained file (no asset plugin needed)', async () => {
    const bundle = await rollup({ input: join(app, 'rollup/main.js'), plugins: [nodeResolve()], logLevel: 'silent' });
    const out = mkdtempSync(join(tmpdir(), 'simdopt-rollup-'));
    try {
      await bundle.write({ file: join(out, 'main.mjs'), format: 'es' });
      await bundle.close();
      expect(readdirSync(out)).toEqual(['main.mjs']);
      // Run where no node_modules can be found.
      const result = JSON.parse(execFileSync(process.execPath, ['main.mjs'], { cwd: out, encoding: 'utf8', env: cleanEnv() }));
      expect(result).toEqual({ backend: 'wasm-simd', data: EXPECTED });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('a Vite 8 app without configuration, in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let site: Served;
  const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  let isolatedSite = false;
  const CSP: Record<string, string> = {
    wasm: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'",
    strict: "default-src 'self'; script-src 'self'",
  };

  beforeAll(async () => {
    execFileSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], { cwd: app, env: cleanEnv(), stdio: ['ignore', 'ignore', 'inherit'] });
    site = await serve(join(app, 'dist'), (_req, url): Record<string, string> => {
      const csp = url.searchParams.get('csp');
      // ?isolated: served cross-origin isolated (the page's assets too, by their Referer-less
      // requests: every response carries the headers then), where threads run.
      const isolated = url.searchParams.has('isolated') || isolatedSite ? ISOLATED : {};
      return csp ? { 'content-security-policy': CSP[csp], ...isolated } : isolated;
    });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
    page = await browser.newPage();
    // Generous: the machine may be busy; nothing here measures time.
    page.setDefaultTimeout(90_000);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  async function open(base: string, query: string): Promise<Record<string, unknown>> {
    await page.goto(`${base}${query}`);
    await page.waitForFunction(() => (window as unknown as { __smoke?: unknown }).__smoke !== undefined);
    return page.evaluate(() => (window as unknown as { __smoke: Record<string, unknown> }).__smoke);
  }

  it('vite build emits both binaries as assets, and inlines them only into the inline chunk', () => {
    const assets = readdirSync(join(app, 'dist/assets'));
    expect(assets.filter((f) => f.endsWith('.wasm')).map((f) => f.match(/^simdopt-(simd|scalar|threads)-/)?.[1]).sort()).toEqual(['scalar', 'simd', 'threads']);
    const withBase64 = assets.filter((f) => f.endsWith('.js') && readFileSync(join(app, 'dist/assets', f), 'utf8').includes('data:application/wasm;base64,'));
    expect(withBase64).toHaveLength(1);
  });

  it.each([
    ['', 'simdopt', 'wasm-simd'],
    ['?backend=wasm', 'simdopt', 'wasm'],
    ['?backend=js', 'simdopt', 'js'],
    ['?entry=inline', 'simdopt/inline', 'wasm-simd'],
    ['?entry=inline&backend=wasm', 'simdopt/inline', 'wasm'],
  ])('the built page%s runs one SGD step', async (query, entry, backend) => {
    const before = site.requests.length;
    expect(await open(site.url, query)).toEqual({ entry, backend, threads: 1, data: EXPECTED });
    const wasmFetched = site.requests.slice(before).filter((p) => p.endsWith('.wasm'));
    if (entry === 'simdopt/inline' || backend === 'js') expect(wasmFetched).toEqual([]);
    else expect(wasmFetched).toEqual([expect.stringMatching(backend === 'wasm' ? /simdopt-scalar/ : /simdopt-simd/)]);
  });

  it.each([['simdopt'], ['inline']])('a cross-origin isolated page (COOP/COEP) runs %s with worker threads, same result', async (entry) => {
    isolatedSite = true;
    try {
      const before = site.requests.length;
      const got = await open(site.url, `?isolated&entry=${entry}`);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      expect(got).toEqual({ entry: entry === 'inline' ? 'simdopt/inline' : 'simdopt', backend: 'wasm-simd', threads: Math.min(8, cores), data: EXPECTED });
      const wasmFetched = site.requests.slice(before).filter((p) => p.endsWith('.wasm'));
      expect(wasmFetched).toEqual(entry === 'inline' ? [] : [expect.stringMatching(/simdopt-threads/)]);
    } finally {
      isolatedSite = false;
    }
  });

  it("under a Content-Security-Policy, 'wasm-unsafe-eval' is needed, even with inlined binaries", async () => {
    for (const entry of ['simdopt', 'inline']) {
      expect(await open(site.url, `?entry=${entry}&csp=wasm`)).toMatchObject({ backend: 'wasm-simd', data: EXPECTED });
      const refused = await open(site.url, `?entry=${entry}&csp=strict`);
      expect(refused.error).toMatch(/^SimdoptError: cannot load the simd wasm binary .*Content Security Policy.*must allow 'wasm-unsafe-eval'/s);
      // The js backend needs no permission.
      expect(await open(site.url, `?entry=${entry}&csp=strict&backend=js`)).toMatchObject({ backend: 'js', data: EXPECTED });
    }
  });

  it('in the Vite dev server too (dependency pre-bundling keeps the binaries reachable)', async () => {
    const { createServer } = await import('vite');
    const server = await createServer({ root: app, configFile: false, logLevel: 'silent', server: { host: '127.0.0.1', port: 0 } });
    await server.listen();
    try {
      const base = server.resolvedUrls!.local[0];
      expect(await open(base, '')).toEqual({ entry: 'simdopt', backend: 'wasm-simd', threads: 1, data: EXPECTED });
      expect(await open(base, '?entry=inline&backend=wasm')).toEqual({ entry: 'simdopt/inline', backend: 'wasm', threads: 1, data: EXPECTED });
    } finally {
      await server.close();
    }
  });
});

describe('webpack 5 with only an entry and an output, in Chromium', () => {
  let browser: Browser;
  let site: Served;
  let out: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'simdopt-webpack-'));
    cpSync(join(app, 'webpack/index.html'), join(out, 'index.html'));
    const stats = await new Promise<webpack.Stats>((resolve, reject) =>
      webpack({ mode: 'production', context: app, entry: './main.js', output: { path: out, filename: 'main.js' } }, (err, s) =>
        err ? reject(err) : resolve(s!),
      ),
    );
    expect(stats.toJson({ all: false, errors: true }).errors).toEqual([]);
    site = await serve(out);
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('emits both binaries as assets', () => {
    expect(readdirSync(out).filter((f) => f.endsWith('.wasm'))).toHaveLength(3);
  });

  it.each([
    ['', 'simdopt', 'wasm-simd'],
    ['?backend=wasm', 'simdopt', 'wasm'],
    ['?entry=inline', 'simdopt/inline', 'wasm-simd'],
  ])('the page%s runs one SGD step', async (query, entry, backend) => {
    const page = await browser.newPage();
    page.setDefaultTimeout(90_000);
    try {
      await page.goto(`${site.url}${query}`);
      await page.waitForFunction(() => (window as unknown as { __smoke?: unknown }).__smoke !== undefined);
      expect(await page.evaluate(() => (window as unknown as { __smoke: unknown }).__smoke)).toEqual({ entry, backend, threads: 1, data: EXPECTED });
    } finally {
      await page.close();
    }
  });
});
