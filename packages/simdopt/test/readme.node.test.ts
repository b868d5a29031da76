/**
 * The npm package's README (what the npm page shows) is the user guide: it covers every part of
 * the API, its code imports only names the package exports, and it agrees with the repository
 * README where they share text. (test/e2e checks its stated sizes against the packed tarball.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as simdopt from 'simdopt';
import { OPTIMIZERS } from '../src/optim/registry.js';
import { defaultsLine } from './support/options-types.js';

const root = new URL('../../../', import.meta.url);
const packagedFile = new URL('packages/simdopt/README.md', root);
const packaged = readFileSync(packagedFile, 'utf8');

const TABLE_START = /<!-- options table: generated[^\n]*-->\n/;
const TABLE_END = '<!-- end options table -->';

/** The README's options table: one row per registered optimizer, its defaults from its schema. */
function optionsTable(): string {
  const rows = OPTIMIZERS.map((o) => `| \`${o.name}\` | ${o.schema!.torch} | ${defaultsLine(o.schema!)} |`);
  return ['| class | follows | options and their defaults |', '|---|---|---|', ...rows, ''].join('\n');
}
const repository = readFileSync(new URL('README.md', root), 'utf8');

describe('the package README', () => {
  it('covers every part of the API', () => {
    for (const needle of [
      'await init()', 'onWarning', 'initialMemoryBytes', 'estimateMemoryBytes', 'backendInfo()',
      'Parameter.zeros', 'Parameter.from', 'requiresGrad',
      'addParamGroup', 'skipNonFinite', 'paramGroups', 'stateDict()', 'loadStateDict', "stateDict({ format: 'torch' })",
      'saveState', 'loadState', 'checkpoint(', 'restore(', 'load_state_dict', 'state_dict()',
      'CosineAnnealingLR', 'ReduceLROnPlateau', 'OneCycleLR', 'SequentialLR', 'ChainedScheduler',
      'clipGradNorm', 'clipGradValue', 'l2Penalty', 'l1Penalty', 'mseLoss', 'crossEntropyLoss', 'huberLoss', 'bceWithLogitsLoss',
      'batches(', 'Dropout', 'nn.Sequential', 'nn.Linear', 'backward', 'SimdoptError', 'npm run docs',
      'step(lossAndGrad)', 'AveragedModel', 'SWALR', 'sf.train()', 'sf.eval()', 'new Muon(',
    ]) {
      expect(packaged, needle).toContain(needle);
    }
  });

  it('lists every registered optimizer with its defaults, generated from the schemas (UPDATE_README=1 rewrites it)', () => {
    const start = TABLE_START.exec(packaged);
    expect(start, 'the table markers').not.toBeNull();
    const from = start!.index + start![0].length;
    const to = packaged.indexOf(TABLE_END, from);
    const want = optionsTable();
    if (process.env.UPDATE_README === '1') writeFileSync(packagedFile, packaged.slice(0, from) + want + packaged.slice(to));
    expect(packaged.slice(from, to)).toBe(want);
    for (const o of OPTIMIZERS) expect(packaged).toContain(`| \`${o.name}\` |`);
  });

  it("runs the 'Closures, averaging, Schedule-Free and matrices' example as written", async () => {
    await simdopt.init({ backend: 'js' });
    const from = packaged.indexOf('### Closures, averaging');
    const code = /```ts\n([\s\S]*?)```/.exec(packaged.slice(from))![1];
    const names = /import \{([^}]+)\} from 'simdopt'/.exec(code)![1].split(',').map((s) => s.trim());
    const body = code.replace(/^import .*$/m, '') + '\nreturn { w, swa, m };';
    const lib = simdopt as unknown as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- running the README's own code is the point
    const run = new Function(...names, body) as (...args: unknown[]) => { w: simdopt.Parameter; swa: simdopt.AveragedModel; m: simdopt.Parameter };
    const { w, swa, m } = run(...names.map((n) => lib[n]));
    // The quadratic's minimum is 0: every optimizer moved w towards it, and the average is finite.
    expect(Math.hypot(...w.data)).toBeLessThan(0.1);
    expect(swa.nAveraged).toBe(10);
    expect(swa.parameters()[0].data.every(Number.isFinite)).toBe(true);
    expect(m.data.every((v) => v < 0)).toBe(true);
  });

  it('imports in its code only what the package exports', () => {
    for (const text of [packaged, repository]) {
      for (const m of text.matchAll(/import \{([^}]+)\} from 'simdopt(?:\/inline)?'/g)) {
        for (const name of m[1].split(',').map((s) => s.trim().replace(/^type /, '')).filter(Boolean)) {
          expect(simdopt, name).toHaveProperty(name);
        }
      }
    }
  });

  it('shares the Compatibility section with the repository README, word for word', () => {
    const section = (text: string) => text.slice(text.indexOf('## Compatibility'), text.indexOf('\n## ', text.indexOf('## Compatibility') + 1));
    expect(section(packaged).length).toBeGreaterThan(500);
    expect(section(packaged)).toBe(section(repository));
  });

  it('states what the code does: using needs TypeScript 5.2+ or explicit resource management; the state dict envelope', () => {
    for (const text of [packaged, repository]) expect(text).toMatch(/TypeScript 5\.2\+ or a runtime with explicit resource\s+management/);
    expect(repository).toContain('{ version, optimizer, state, paramGroups }');
    expect(repository).toMatch(/stateDict\(\{ format: 'torch' \}\)` writes\s+PyTorch's `\{ state, param_groups \}`/);
  });
});
