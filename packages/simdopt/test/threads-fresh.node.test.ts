/**
 * The threads binary in a fresh Node process: the workers run code no thread has run before, as a
 * user's first training run does. (In a test file that already stepped, the engine may have
 * recompiled the split loop, which hid a bug: Node 20's V8 ran a wasm-opt'd build's loop wrongly
 * in a worker's baseline code, so workers shared the caller's packing workspace and products
 * raced; scripts/build-wasm.) Every product and step must be the single-threaded bits, and the
 * workers must be seen taking chunks.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('a fresh process: threaded products and steps are the one-thread bits, and the workers take part', () => {
  const script = fileURLToPath(new URL('./support/threads-fresh-child.mts', import.meta.url));
  const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
  const child = spawnSync(tsx, [script], { encoding: 'utf8', timeout: 120_000 });
  expect(child.error, String(child.error)).toBeUndefined();
  expect(child.status, child.stderr).toBe(0);
  const r = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { threads: number; productsDiffering: number; adamSame: boolean; workerChunks: number };
  expect(r.threads).toBe(2);
  expect(r.productsDiffering).toBe(0);
  expect(r.adamSame).toBe(true);
  // 100 divided products and 20 divided steps: a worker that is alive takes some of their chunks.
  expect(r.workerChunks).toBeGreaterThan(0);
});
