/**
 * Browser project setup. Every WebAssembly.Memory reserves several GiB of address space until it
 * is collected, and the suite calls init() (a new memory) hundreds of times in one renderer.
 * Between tests: yield one task (objects kept alive for the current job by `new WeakRef` are
 * released and FinalizationRegistry callbacks run), then collect (Chromium has --expose-gc).
 */
import { afterEach } from 'vitest';
import { settle } from './settle.js';

afterEach(settle);
