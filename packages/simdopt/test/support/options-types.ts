/**
 * Writes src/optim/options.ts (the options interfaces, with `@default` tags) from the schemas of
 * src/optim/registry.ts. The types cannot be inferred from the runtime schema objects without
 * losing the doc comments an editor shows on hover, so they are generated, and
 * test/options-types.test.ts fails when the file is stale.
 */
import { OPTIMIZERS } from '../../src/optim/registry.js';
import type { Schema } from '../../src/options/schema.js';

export const OPTIONS_FILE = new URL('../../src/optim/options.ts', import.meta.url);

function literal(v: unknown): string {
  return Array.isArray(v) ? `[${v.map(literal).join(', ')}]` : String(v);
}

function renderInterface(schema: Schema): string {
  const lines = [
    `/** Options of {@link ${schema.name}} (follows \`${schema.torch}\`). */`,
    `export interface ${schema.name}Options extends BaseOptions {`,
  ];
  for (const [key, spec] of Object.entries(schema.options)) {
    const torch = spec.torch && spec.torch !== key ? ` PyTorch: \`${spec.torch}\`.` : '';
    lines.push('  /**', `   * ${spec.doc}${torch}`, `   * @default ${literal(spec.default)}`, '   */', `  ${key}: ${spec.type};`);
  }
  lines.push('}');
  return lines.join('\n');
}

export function renderOptionTypes(): string {
  const head = [
    '// Generated from the option schemas (src/optim/registry.ts) by packages/simdopt/test/support/options-types.ts.',
    '// Do not edit: change the schema, then',
    '//   UPDATE_OPTION_TYPES=1 npx vitest run --project node packages/simdopt/test/options-types.test.ts',
    "import type { BaseOptions } from './optimizer.js';",
  ];
  const body = OPTIMIZERS.filter((o) => o.schema !== undefined).map((o) => renderInterface(o.schema!));
  return [head.join('\n'), ...body].join('\n\n') + '\n';
}

/** `Defaults: lr 0.001, betas [0.9, 0.999], …` as the class comments state them. */
export function defaultsLine(schema: Schema): string {
  return Object.entries(schema.options)
    .map(([k, s]) => `${k} ${literal(s.default)}`)
    .join(', ');
}
