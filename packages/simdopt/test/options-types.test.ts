/** The generated options interfaces are current, and every class comment states its defaults. */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTIMIZERS } from '../src/optim/registry.js';
import { defaultsLine, OPTIONS_FILE, renderOptionTypes } from './support/options-types.js';

describe('options types', () => {
  it('src/optim/options.ts is generated from the schemas (UPDATE_OPTION_TYPES=1 rewrites it)', () => {
    const want = renderOptionTypes();
    if (process.env.UPDATE_OPTION_TYPES === '1') writeFileSync(OPTIONS_FILE, want);
    expect(readFileSync(OPTIONS_FILE, 'utf8')).toBe(want);
  });

  it.each(OPTIMIZERS.filter((o) => o.schema).map((o) => [o.name, o] as const))('%s class comment states every default', (_name, o) => {
    const file = new URL(`../src/optim/${o.name.toLowerCase()}.ts`, import.meta.url);
    const src = readFileSync(file, 'utf8').replace(/\n \* /g, ' ');
    expect(src).toContain(`Defaults: ${defaultsLine(o.schema!)}`);
  });
});
