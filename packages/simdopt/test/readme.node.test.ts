/**
 * The npm package's README (what the npm page shows) is the user guide: it covers every part of
 * the API, its code imports only names the package exports, and it agrees with the repository
 * README where they share text. (test/e2e checks its stated sizes against the packed tarball.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as simdopt from 'simdopt';

const root = new URL('../../../', import.meta.url);
const packaged = readFileSync(new URL('packages/simdopt/README.md', root), 'utf8');
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
    ]) {
      expect(packaged, needle).toContain(needle);
    }
    for (const name of ['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad', 'Adadelta', 'Adamax', 'NAdam', 'RAdam', 'Lion']) {
      expect(packaged).toContain(`| \`${name}\` |`);
    }
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
