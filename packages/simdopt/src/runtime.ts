/**
 * The active backend. `init()` chooses it (wasm-simd where the engine validates SIMD, else the
 * scalar wasm build, else js); objects remember the backend they were made under and refuse to
 * work after `init()` replaced it. `init()` with nothing that differs from the active backend's
 * options is a no-op (two modules, or a React StrictMode effect, may both call it).
 */
import type { Backend, BackendName } from './backend/backend.js';
import { JsBackend } from './backend/js.js';
import { compileVariant, hasSimd, hasWebAssembly, type WasmSource } from './backend/load.js';
import { DEFAULT_INITIAL_MEMORY_BYTES, MAX_MEMORY_BYTES, WasmBackend } from './backend/wasm.js';
import { resolveThreads, startThreads, stopThreads, threadCount, type ThreadsOption } from './threads.js';
import { count, fail, SimdoptError } from './errors.js';
import { VERSION } from './version.js';
import { liveObjects, noteGrowth, setWarningHandler, warn, type WarningHandler } from './warnings.js';

export interface InitOptions {
  /** Force a backend; by default the best one the engine supports. */
  backend?: BackendName;
  /** Initial size of wasm memory. Size it for the whole model to never grow memory (growth
   * detaches ArrayBuffers, which slows typed-array code process-wide on V8). Default 16 MiB. */
  initialMemoryBytes?: number;
  /** Upper bound of wasm memory (default and limit: 4 GiB); beyond it allocation throws. */
  maximumMemoryBytes?: number;
  /**
   * Where to get the binaries instead of the packaged files (bytes, a module or a URL). Not
   * compared by a later `init()`: the same binary from another source does not replace a backend.
   */
  wasm?: { simd?: WasmSource; scalar?: WasmSource; threads?: WasmSource };
  /**
   * Threads (the caller's plus workers) that share one step: `'auto'` (default) uses the cores,
   * at most 8, where shared wasm memory exists (Node; browsers when `crossOriginIsolated`), else
   * 1; a number asks for that many. Only `wasm-simd` runs threads; results are bit-identical for
   * every count. A later `init()` compares it as given (`'auto'` and a number differ).
   */
  threads?: ThreadsOption;
  /**
   * Where simdopt's warnings go (wasm memory grew while Parameters were alive; init() replaced a
   * backend that had live objects): a function, or `null` to silence them. Default `console.warn`.
   * Not a backend option: a later `init()` may change it without replacing the backend.
   */
  onWarning?: WarningHandler | null;
}

export interface BackendInfo {
  backend: BackendName;
  memoryBytes: number;
  liveBytes: number;
  version: string;
  /** Threads a step runs on (1: the calling thread only). */
  threads: number;
}

let active: Backend | null = null;

/** The options that make a backend: those `init()` compares to decide whether to replace it. */
interface BackendKey {
  backend: BackendName;
  initialMemoryBytes: number;
  maximumMemoryBytes: number;
  threads: ThreadsOption;
}
/** The key of the active backend, or of the one an unfinished `init()` is making. */
let activeKey: BackendKey | null = null;
/** The `init()` still loading, so a second call with the same options waits for it. */
let pending: { key: BackendKey; done: Promise<BackendInfo> } | null = null;

/** Whether `options` ask for nothing that `key` does not already have (omitted options never differ). */
function sameBackend(key: BackendKey, options: InitOptions): boolean {
  const threads = options.threads;
  return (
    (options.backend === undefined || options.backend === key.backend) &&
    (options.initialMemoryBytes === undefined || options.initialMemoryBytes === key.initialMemoryBytes) &&
    (options.maximumMemoryBytes === undefined || options.maximumMemoryBytes === key.maximumMemoryBytes) &&
    (threads === undefined || threads === key.threads)
  );
}

/**
 * Loads and activates a backend. Called again with no option that differs from the active
 * backend's (backend, memory sizes, threads) it is a no-op and every object stays valid; with
 * a differing option it replaces the active backend, and objects made under the old one throw.
 */
export async function init(options: InitOptions = {}): Promise<BackendInfo> {
  if (options === null || typeof options !== 'object') fail('options', 'an object', options);
  if (options.onWarning !== undefined) {
    if (options.onWarning !== null && typeof options.onWarning !== 'function') fail('onWarning', 'a function or null', options.onWarning);
    setWarningHandler(options.onWarning);
  }
  if (pending !== null && sameBackend(pending.key, options)) return pending.done;
  if (pending === null && active !== null && activeKey !== null && sameBackend(activeKey, options)) return backendInfo();
  const done = replaceBackend(options);
  const mine = { key: requestedKey(options), done };
  pending = mine;
  try {
    return await done;
  } finally {
    if (pending === mine) pending = null;
  }
}

/** The key `options` ask for, with the defaults filled in. */
function requestedKey(options: InitOptions): BackendKey {
  return {
    backend: options.backend ?? (hasSimd() ? 'wasm-simd' : hasWebAssembly() ? 'wasm' : 'js'),
    initialMemoryBytes: options.initialMemoryBytes ?? DEFAULT_INITIAL_MEMORY_BYTES,
    maximumMemoryBytes: options.maximumMemoryBytes ?? MAX_MEMORY_BYTES,
    threads: options.threads ?? 'auto',
  };
}

async function replaceBackend(options: InitOptions): Promise<BackendInfo> {
  const { backend, initialMemoryBytes, maximumMemoryBytes } = options;
  if (backend !== undefined && backend !== 'wasm-simd' && backend !== 'wasm' && backend !== 'js') {
    fail('backend', "'wasm-simd', 'wasm' or 'js'", backend);
  }
  for (const [name, value] of [
    ['initialMemoryBytes', initialMemoryBytes],
    ['maximumMemoryBytes', maximumMemoryBytes],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0 && value <= MAX_MEMORY_BYTES)) {
      fail(name, `an integer number of bytes in (0, ${MAX_MEMORY_BYTES}]`, value);
    }
  }
  if (initialMemoryBytes !== undefined && maximumMemoryBytes !== undefined && initialMemoryBytes > maximumMemoryBytes) {
    fail('initialMemoryBytes', `at most maximumMemoryBytes (${maximumMemoryBytes})`, initialMemoryBytes);
  }
  // A simd binary given without a threads binary is the one that runs ('auto': one thread).
  const pinned = options.wasm?.simd !== undefined && options.wasm?.threads === undefined;
  const threads = pinned && (options.threads ?? 'auto') === 'auto' ? 1 : await resolveThreads(options.threads);
  const choice = backend ?? (hasSimd() ? 'wasm-simd' : hasWebAssembly() ? 'wasm' : 'js');
  if (choice !== 'js' && !hasWebAssembly()) fail('backend', 'js: this engine has no WebAssembly', choice);
  if (choice === 'wasm-simd' && !hasSimd()) fail('backend', "'wasm' or 'js': this engine has no WebAssembly SIMD", choice);
  let next: Backend | null = null;
  if (choice === 'wasm-simd' && threads > 1) {
    const auto = (options.threads ?? 'auto') === 'auto';
    next = await startThreads(() => compileVariant('threads', options.wasm?.threads), { initialMemoryBytes, maximumMemoryBytes }, threads, auto);
  }
  if (next !== null) {
    // The threaded backend started.
  } else if (choice === 'js') {
    next = new JsBackend(maximumMemoryBytes ?? MAX_MEMORY_BYTES);
  } else {
    const variant = choice === 'wasm-simd' ? 'simd' : 'scalar';
    const module = await compileVariant(variant, options.wasm?.[variant]);
    next = await WasmBackend.create(choice, module, { initialMemoryBytes, maximumMemoryBytes });
  }
  const previous = active;
  if (previous !== null) void stopThreads(previous);
  active = next;
  activeKey = requestedKey({ ...options, backend: choice });
  // A shared memory (threads) hands out a new buffer on growth and earlier views stay valid:
  // nothing detaches, nothing to warn about.
  if (next instanceof WasmBackend && threadCount(next) === 1) next.onGrow = (from, to) => noteGrowth(next, from, to);
  const invalidated = previous === null ? 0 : liveObjects(previous);
  if (invalidated > 0) {
    const params = liveObjects(previous!, 'parameter');
    const others = invalidated - params;
    warn(
      `init() replaced the ${previous!.name} backend (options differ from the active backend's): ` +
        `${count(invalidated, 'live object')} made under it (${count(params, 'Parameter')}, ${count(others, 'optimizer')}) ` +
        `now throw when used. Call init() once, or again only with the same options, to keep them.`,
    );
  }
  return backendInfo();
}

export function backendInfo(): BackendInfo {
  const b = backend();
  return { backend: b.name, memoryBytes: b.memoryBytes(), liveBytes: b.liveBytes(), version: VERSION, threads: threadCount(b) };
}

/**
 * Ends the worker threads and releases the backend: objects made under it throw afterwards, and
 * `init()` may follow. Resolves at once when nothing is initialised.
 */
export async function shutdown(): Promise<void> {
  const b = active;
  active = null;
  activeKey = null;
  if (b !== null) await stopThreads(b, true);
}

/** The active backend; throws before `init()` resolved. */
export function backend(): Backend {
  if (active === null) throw new SimdoptError('simdopt is not initialised: await init() first', 'init');
  return active;
}

/**
 * Whether `owner` is the active backend: the per-call test of the hot paths, which build
 * `checkBackend`'s message (a string allocation per call) only when it fails.
 */
export function isActive(owner: Backend): boolean {
  return owner === active;
}

/** Throws when `owner` (the backend an object was made under) is no longer the active one. */
export function checkBackend(owner: Backend, what: string): void {
  if (owner !== active) {
    throw new SimdoptError(
      `${what} was created under a backend that init() has since replaced; create it again`,
      what,
    );
  }
}
