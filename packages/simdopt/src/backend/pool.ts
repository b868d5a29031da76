/**
 * The worker pool: `size` workers (Node `worker_threads` or browser Web Workers), each running
 * the threads module over the one shared memory (worker.ts). The pool only starts and ends
 * them and notices when one dies; the work itself is handed out in wasm (crates/simdopt-wasm/
 * src/threads.rs), where the calling thread takes chunks too.
 *
 * Node workers are `unref`ed: an idle pool never keeps a process alive. A worker that fails or
 * exits before `stop()` marks the pool broken; the backend turns that into a `SimdoptError` at
 * its next call instead of waiting for a worker that will not come.
 */
import { SimdoptError } from '../errors.js';
import { workerSource, type WorkerReport, type WorkerStart } from './worker.js';

/** The parts of Node's and the browser's Worker the pool uses. */
interface AnyWorker {
  terminate(): unknown;
  /** Node: keep the process alive for this worker (while shutdown() waits for it to end). */
  ref?(): void;
}

type NodeWorkerCtor = new (code: string, options: { eval: true; workerData: unknown }) => AnyWorker & {
  on(event: 'message', listener: (m: WorkerReport) => void): void;
  off(event: 'message', listener: (m: WorkerReport) => void): void;
  on(event: 'error', listener: (e: Error) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  unref(): void;
};

interface NodeHost {
  Worker: NodeWorkerCtor;
  cores: number;
}

let nodeHost: NodeHost | null | undefined;

/** Node's worker_threads and core count, or null outside Node. */
async function loadNodeHost(): Promise<NodeHost | null> {
  if (nodeHost !== undefined) return nodeHost;
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (!proc?.versions?.node) return (nodeHost = null);
  const load = async (id: string): Promise<unknown> => {
    const builtin = proc.getBuiltinModule?.(id);
    if (builtin) return builtin;
    return import(/* @vite-ignore */ /* webpackIgnore: true */ id);
  };
  const wt = (await load('node:worker_threads')) as { Worker: NodeWorkerCtor };
  const os = (await load('node:os')) as { availableParallelism?: () => number; cpus: () => unknown[] };
  return (nodeHost = { Worker: wt.Worker, cores: os.availableParallelism?.() ?? os.cpus().length });
}

/** Most threads `'auto'` picks. */
export const AUTO_MAX_THREADS = 8;

/**
 * Threads `'auto'` gives here: the cores (at most 8) where workers can share wasm memory —
 * Node always, browsers when the page is cross-origin isolated — else 1.
 */
export async function autoThreads(): Promise<number> {
  if (!sharedMemoryAvailable()) return 1;
  const node = await loadNodeHost();
  const cores = node ? node.cores : Number((globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency) || 1;
  return Math.max(1, Math.min(AUTO_MAX_THREADS, cores));
}

/** Whether workers can run over a shared WebAssembly.Memory in this environment. */
export function sharedMemoryAvailable(): boolean {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; Worker?: unknown; process?: { versions?: { node?: string } } };
  if (typeof g.SharedArrayBuffer !== 'function' || typeof WebAssembly !== 'object') return false;
  if (g.process?.versions?.node) return true;
  return g.crossOriginIsolated === true && typeof g.Worker === 'function';
}

export class WorkerPool {
  private readonly workers: AnyWorker[] = [];
  /** Why the pool is unusable (a worker failed or exited), or null. */
  broken: string | null = null;
  private stopping = false;
  /** Resolves when every worker has left its loop (or died). */
  private readonly finished: Promise<void>[] = [];

  private constructor() {}

  /**
   * Starts one worker per entry of `starts` and resolves once each is inside its loop. Rejects
   * (after ending those that started) when one cannot start.
   */
  static async start(starts: readonly WorkerStart[]): Promise<WorkerPool> {
    const pool = new WorkerPool();
    const node = await loadNodeHost();
    const ready = starts.map((start) => (node ? pool.startNode(node, start) : pool.startBrowser(start)));
    try {
      await Promise.all(ready);
    } catch (e) {
      pool.terminate();
      throw e;
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Throws when a worker died: a call that splits work would otherwise miss its share. */
  check(): void {
    if (this.broken !== null) {
      throw new SimdoptError(`a worker thread of the pool ended (${this.broken}); call shutdown() and init() again`, 'threads');
    }
  }

  /** Marks the pool stopping (the caller has told the workers to leave their loop); resolves when all have. */
  async stopped(): Promise<void> {
    this.stopping = true;
    // An unref'd worker's exit does not keep Node's event loop alive: without this, a top-level
    // `await shutdown()` would end the process (exit code 13) before the workers had.
    for (const w of this.workers) w.ref?.();
    await Promise.all(this.finished);
    this.terminate();
  }

  /** Ends every worker at once. */
  terminate(): void {
    this.stopping = true;
    for (const w of this.workers) w.terminate();
  }

  /** Test hook: the workers (to end one and see the next call refuse). */
  get handles(): readonly AnyWorker[] {
    return this.workers;
  }

  private fail(reason: string): void {
    if (!this.stopping && this.broken === null) this.broken = reason;
  }

  private startNode(node: NodeHost, start: WorkerStart): Promise<void> {
    const worker = new node.Worker(workerSource(), { eval: true, workerData: start });
    worker.unref();
    this.workers.push(worker);
    let done!: () => void;
    this.finished.push(new Promise<void>((resolve) => (done = resolve)));
    return new Promise<void>((resolve, reject) => {
      // Listening for messages refs the worker's port (unref() notwithstanding): listen only
      // until it has started. Its end is seen by the 'exit' event, which keeps nothing alive.
      const onMessage = (m: WorkerReport) => {
        worker.off('message', onMessage);
        if (m.kind === 'ready') resolve();
        else if (m.kind === 'error') {
          this.fail(m.message);
          reject(new SimdoptError(`a worker thread could not start: ${m.message}`, 'threads'));
        }
      };
      worker.on('message', onMessage);
      worker.on('error', (e) => {
        this.fail(e.message);
        reject(new SimdoptError(`a worker thread could not start: ${e.message}`, 'threads'));
      });
      worker.on('exit', (code) => {
        this.fail(`exit code ${code}`);
        reject(new SimdoptError(`a worker thread exited while starting (code ${code})`, 'threads'));
        done();
      });
    });
  }

  private startBrowser(start: WorkerStart): Promise<void> {
    const url = URL.createObjectURL(new Blob([workerSource()], { type: 'text/javascript' }));
    const worker = new Worker(url);
    this.workers.push(worker);
    let done!: () => void;
    this.finished.push(new Promise<void>((resolve) => (done = resolve)));
    return new Promise<void>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<WorkerReport>) => {
        const m = e.data;
        if (m.kind === 'ready') {
          URL.revokeObjectURL(url);
          resolve();
        } else if (m.kind === 'stopped') done();
        else {
          this.fail(m.message);
          done();
          reject(new SimdoptError(`a worker thread could not start: ${m.message}`, 'threads'));
        }
      };
      worker.onerror = (e: ErrorEvent) => {
        this.fail(e.message || 'error');
        done();
        reject(new SimdoptError(`a worker thread could not start: ${e.message || 'error'}`, 'threads'));
      };
      worker.postMessage(start);
    });
  }
}
