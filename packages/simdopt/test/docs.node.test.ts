/**
 * The API reference (`npm run docs`, TypeDoc over src/index.ts with packages/simdopt/typedoc.json)
 * builds without warnings, documents the public names and leaves @internal members out.
 * Converts only (no HTML), which is what can go wrong.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Application, LogLevel, ReflectionKind, type DeclarationReflection } from 'typedoc';

const options = fileURLToPath(new URL('../typedoc.json', import.meta.url));

describe('npm run docs', () => {
  it('converts the public API with no warning, without @internal members', async () => {
    const app = await Application.bootstrapWithPlugins({ options, logLevel: 'Warn' });
    const messages: string[] = [];
    app.logger.log = (message: string, level: LogLevel) => {
      if (level >= LogLevel.Warn) messages.push(`${LogLevel[level]}: ${message}`);
    };
    const project = await app.convert();
    expect(project, messages.join('\n')).toBeDefined();
    app.validate(project!);
    expect(messages).toEqual([]);
    const names = (project!.children ?? []).map((c) => c.name);
    for (const name of ['init', 'Parameter', 'Adam', 'SGD', 'Optimizer', 'CosineAnnealingLR', 'checkpoint', 'estimateMemoryBytes', 'Dropout', 'nn']) {
      expect(names).toContain(name);
    }
    const parameter = project!.getChildByName('Parameter') as DeclarationReflection;
    const members = (parameter.children ?? []).map((c) => c.name);
    expect(members).toEqual(expect.arrayContaining(['data', 'grad', 'zeroGrad', 'dispose']));
    for (const internal of ['handle', 'backend', 'gradOffset']) expect(members).not.toContain(internal);
    const init = project!.getChildByName('init') as DeclarationReflection;
    expect(init.kind).toBe(ReflectionKind.Function);
    expect(init.signatures?.[0].comment?.summary.map((p) => p.text).join('')).toMatch(/no-op/);
  }, 120_000);
});
