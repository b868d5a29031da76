/**
 * The contenders of the optimizer benchmark. Each is an `Instance` over one optimizer spec and
 * one initial state: `prepare`/`step`/`release` for the harness, and `run(steps)` for the
 * correctness check (a fresh, independent state stepped `steps` times).
 *
 * simdopt: only one backend is active at a time and `init()` replaces it, so a simdopt contender
 * re-initialises its backend and re-creates its Parameter and optimizer in every visit's
 * (untimed) `prepare`, then takes two untimed steps so that the timed ones run the optimizer's
 * fast path as a training loop does. This keeps all contenders in one process and one run, so
 * they share the machine's state at every moment and rounds interleave them (a child process
 * per backend would isolate JIT state but time each backend at another moment, against other
 * neighbours). Memory is sized up front (`initialMemoryBytes`), so it never grows.
 */
import { backendInfo, init, Parameter, type BackendName, type Optimizer } from 'simdopt';
import type { Timed } from './harness.js';
import type { OptimizerSpec } from './optimizers.js';
import { RefArena } from './ref/module.js';
import type { TfjsHandle } from './tfjs.js';

export interface Instance extends Timed {
  /** p after `steps` steps from the initial state, on a fresh state. */
  run(steps: number): Promise<Float32Array>;
  /** Frees what the instance holds. */
  dispose(): void;
  /** Memory growths seen (must stay 0: a growth detaches ArrayBuffers). */
  growths: number;
}

export interface ContenderKind {
  id: string;
  /** Short column name for the table. */
  short: string;
  label: string;
  make(spec: OptimizerSpec, p0: Float32Array, g: Float32Array): Instance | null;
}

export interface ContenderEnv {
  tfjs: TfjsHandle | null;
  refModule: WebAssembly.Module;
  /** Collects garbage between big visits when the engine lets us (node --expose-gc). */
  gc?: () => void;
}

/** Bytes of wasm memory a simdopt backend needs for one parameter of n with `slots` state slots. */
export function simdoptMemoryBytes(n: number, slots: number): number {
  const stride = (n + 3) & ~3;
  return 4 * stride * (2 + slots) + (8 << 20);
}

function simdopt(backend: BackendName, env: ContenderEnv): ContenderKind {
  const short = { 'wasm-simd': 'simd', wasm: 'wasm', js: 'js' }[backend];
  return {
    id: `simdopt-${backend}`,
    short,
    label: `simdopt ${backend}`,
    make(spec, p0, g) {
      let p: Parameter | null = null;
      let o: Optimizer<never> | null = null;
      const bytes = simdoptMemoryBytes(p0.length, spec.slots);
      let memory = 0;
      const inst: Instance = {
        id: `simdopt-${backend}`,
        growths: 0,
        async prepare() {
          await init({ backend, initialMemoryBytes: bytes, threads: 1 });
          memory = backendInfo().memoryBytes;
          p = Parameter.from(p0);
          p.grad.set(g);
          o = spec.simdopt([p]);
          o.step();
          o.step();
        },
        step() {
          o!.step();
        },
        release() {
          // (The js backend has no linear memory: its memoryBytes are its live bytes.)
          if (backend !== 'js' && backendInfo().memoryBytes !== memory) inst.growths++;
          o?.dispose();
          p?.dispose();
          o = null;
          p = null;
          // Frees the previous visit's wasm memory (hundreds of MB) before the next one is made.
          if (p0.length >= 4_000_000) env.gc?.();
        },
        async run(steps) {
          await init({ backend, initialMemoryBytes: bytes, threads: 1 });
          const q = Parameter.from(p0);
          q.grad.set(g);
          const oq = spec.simdopt([q]);
          for (let i = 0; i < steps; i++) oq.step();
          const out = q.data.slice();
          oq.dispose();
          q.dispose();
          return out;
        },
        dispose() {},
      };
      return inst;
    },
  };
}

function plain(kind: 'naive' | 'tuned'): ContenderKind {
  return {
    id: kind,
    short: kind,
    label: kind === 'naive' ? 'naive JS' : 'tuned JS',
    make(spec, p0, g) {
      const factory = spec[kind];
      if (factory === null) return null; // nobody wrote this optimizer's loops
      const fresh = () => {
        const p = p0.slice();
        const s = Array.from({ length: spec.slots }, () => new Float32Array(p0.length));
        return { p, step: factory(p, g, s) };
      };
      let state: ReturnType<typeof fresh> | null = fresh();
      let t = 0;
      return {
        id: kind,
        growths: 0,
        step() {
          state!.step(++t);
        },
        async run(steps) {
          const x = fresh();
          for (let i = 1; i <= steps; i++) x.step(i);
          return x.p;
        },
        dispose() {
          state = null;
        },
      };
    },
  };
}

function tfjs(backend: 'cpu' | 'wasm', env: ContenderEnv): ContenderKind {
  return {
    id: `tfjs-${backend}`,
    short: `tf-${backend}`,
    label: `tfjs-backend-${backend}`,
    make(spec, p0, g) {
      const h = env.tfjs;
      if (h === null || spec.tfjs === null) return null;
      const { tf } = h;
      const create = () => {
        const v = tf.variable(tf.tensor1d(p0));
        const grad = tf.keep(tf.tensor1d(g));
        const u = spec.tfjs!(tf, v, grad);
        return { v, grad, u, dispose: () => (u.dispose(), v.dispose(), grad.dispose()) };
      };
      let state: ReturnType<typeof create> | null = null;
      let heap = 0;
      const inst: Instance = {
        id: `tfjs-${backend}`,
        growths: 0,
        async prepare() {
          await tf.setBackend(backend);
          state ??= create();
          heap = h.heapBytes();
        },
        step() {
          state!.u.step();
        },
        release() {
          if (h.heapBytes() !== heap) inst.growths++;
        },
        async run(steps) {
          await tf.setBackend(backend);
          const x = create();
          for (let i = 0; i < steps; i++) x.u.step();
          const out = new Float32Array(x.v.dataSync());
          x.dispose();
          return out;
        },
        dispose() {
          state?.dispose();
          state = null;
        },
      };
      return inst;
    },
  };
}

function reference(env: ContenderEnv): ContenderKind {
  return {
    id: 'ref',
    short: 'ref',
    label: 'reference SIMD kernel',
    make(spec, p0, g) {
      const ref = spec.ref;
      if (ref === null) return null;
      const n = p0.length;
      const create = () => {
        const arena = new RefArena(env.refModule, RefArena.bytesFor([n, n, n, n, 16]));
        const p = arena.f32(n);
        const gr = arena.f32(n);
        const s0 = arena.f32(n);
        const s1 = arena.f32(n);
        const args = arena.f32(16);
        p.view.set(p0);
        gr.view.set(g);
        const write = ref.args();
        const fns = arena.exports;
        let t = 0;
        return {
          p: p.view,
          step() {
            t++;
            write(t, args.view);
            fns[ref.kernel(t)](p.ptr, gr.ptr, s0.ptr, s1.ptr, n, args.ptr);
          },
        };
      };
      let state: ReturnType<typeof create> | null = create();
      return {
        id: 'ref',
        growths: 0,
        step() {
          state!.step();
        },
        async run(steps) {
          const x = create();
          for (let i = 0; i < steps; i++) x.step();
          return x.p.slice();
        },
        dispose() {
          state = null;
        },
      };
    },
  };
}

/** Every contender kind, in table order. */
export function contenderKinds(env: ContenderEnv): ContenderKind[] {
  return [
    simdopt('wasm-simd', env),
    simdopt('wasm', env),
    simdopt('js', env),
    plain('naive'),
    plain('tuned'),
    tfjs('cpu', env),
    tfjs('wasm', env),
    reference(env),
  ];
}
