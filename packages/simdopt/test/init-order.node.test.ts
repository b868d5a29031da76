/**
 * Before init() nothing works. Node-only: it needs a fresh copy of the module graph
 * (vi.resetModules), which a browser's module map cannot give.
 */
import { describe, expect, it, vi } from 'vitest';

describe('before init', () => {
  it('using anything before init is an error', async () => {
    vi.resetModules();
    const fresh = await import('../src/index.js');
    expect(() => fresh.Parameter.zeros(3)).toThrow(/init\(\)/);
    expect(() => fresh.backendInfo()).toThrow(fresh.SimdoptError);
  });
});
