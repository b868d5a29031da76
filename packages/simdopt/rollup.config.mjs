/**
 * The package build: for each entry (`simdopt`, `simdopt/inline`) one self-contained ESM file,
 * one CJS file and their declarations (.d.ts for import, .d.cts for require).
 *
 * - `dist/index.*` find the binaries next to themselves with `new URL('../wasm/…', import.meta.url)`:
 *   bundlers (Vite, webpack 5) see that pattern and copy the files; Node reads them with fs. In the
 *   CJS file rollup rewrites `import.meta.url` to `pathToFileURL(__filename)`.
 * - `dist/inline.*` replace `src/wasm-url.ts` by a module holding both binaries as base64 data:
 *   URLs, for bundlers that copy no assets (Rollup and esbuild without plugins).
 * Each entry is its own bundle (no shared chunk): the two must differ in exactly that module.
 *
 * `dist/tfjs.*` (`simdopt/tfjs`) keep `simdopt` and `@tensorflow/*` external: the app's own
 * `simdopt` (the one it called `init()` on) and its own tfjs are the ones used.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const pkg = JSON.parse(readFileSync(here('./package.json'), 'utf8'));
const wasmUrlModule = here('./src/wasm-url.ts');
const binaries = { simd: here('./wasm/simdopt-simd.wasm'), scalar: here('./wasm/simdopt-scalar.wasm'), threads: here('./wasm/simdopt-threads.wasm') };

for (const file of Object.values(binaries)) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/setup (it builds the wasm binaries)`);
}
const version = readFileSync(here('./src/version.ts'), 'utf8').match(/VERSION = '([^']+)'/)?.[1];
if (version !== pkg.version) throw new Error(`src/version.ts says ${version}, package.json ${pkg.version}`);

/** Replaces src/wasm-url.ts with the inlined binaries. */
function inlineWasm() {
  const id = '\0simdopt:wasm-inline';
  return {
    name: 'simdopt-inline-wasm',
    async resolveId(source, importer, options) {
      if (!importer) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id === wasmUrlModule ? id : null;
    },
    load(loaded) {
      if (loaded !== id) return null;
      const data = (file) => `data:application/wasm;base64,${readFileSync(file).toString('base64')}`;
      return [
        '// The wasm binaries, inlined by the package build (simdopt/inline).',
        `const SIMD = ${JSON.stringify(data(binaries.simd))};`,
        `const SCALAR = ${JSON.stringify(data(binaries.scalar))};`,
        `const THREADS = ${JSON.stringify(data(binaries.threads))};`,
        'export function wasmUrl(variant) { return new URL(variant === "simd" ? SIMD : variant === "threads" ? THREADS : SCALAR); }',
      ].join('\n');
    },
  };
}

const banner = `/*! simdopt ${pkg.version} | ${pkg.license} */`;

function entry(name, plugins = [], { input = `src/${name}.ts`, external } = {}) {
  return [
    {
      input,
      external,
      plugins: [...plugins, typescript({ tsconfig: here('./tsconfig.build.json'), outDir: 'dist', sourceMap: true })],
      output: [
        { file: `dist/${name}.js`, format: 'es', sourcemap: true, banner },
        { file: `dist/${name}.cjs`, format: 'cjs', sourcemap: true, banner, exports: 'named' },
      ],
    },
    {
      input,
      external,
      plugins: [dts({ tsconfig: here('./tsconfig.build.json') })],
      output: [
        // `using p = Parameter.zeros(…)` is typed through Symbol.dispose.
        { file: `dist/${name}.d.ts`, format: 'es', banner: '/// <reference lib="esnext.disposable" />' },
        { file: `dist/${name}.d.cts`, format: 'es', banner: '/// <reference lib="esnext.disposable" />' },
      ],
    },
  ];
}

const peers = (id) => id === 'simdopt' || id.startsWith('@tensorflow/');

export default [
  ...entry('index'),
  ...entry('inline', [inlineWasm()]),
  ...entry('tfjs', [], { input: 'src/tfjs/index.ts', external: peers }),
];
