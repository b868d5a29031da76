/**
 * test/vectors/args (the argument blocks the Rust suites replay) is what scripts/vectors/args.ts
 * writes from the TypeScript classes today: a change to a `writeArgs`, a slot layout or a vector
 * file that is not regenerated fails here (`npm run vector-args`, or UPDATE_VECTOR_ARGS=1 here).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARGS_DIR, committedFiles, renderAll } from '../../../scripts/vectors/args.js';

describe('vector argument blocks', () => {
  it('test/vectors/args is generated from the TypeScript classes (UPDATE_VECTOR_ARGS=1 rewrites it)', async () => {
    const files = await renderAll();
    if (process.env.UPDATE_VECTOR_ARGS === '1') {
      for (const [file, text] of files) {
        mkdirSync(dirname(join(ARGS_DIR, file)), { recursive: true });
        writeFileSync(join(ARGS_DIR, file), text);
      }
    }
    // Every optimizer the Rust suites replay, the torch files, and the lane configurations.
    expect(files.size).toBeGreaterThanOrEqual(24);
    expect(committedFiles()).toEqual([...files.keys()].sort());
    for (const [file, text] of files) expect(readFileSync(join(ARGS_DIR, file), 'utf8'), file).toBe(text);
  }, 60_000);
});
