/**
 * simdopt's warnings (things that work but probably not as the user meant) and the count of
 * live objects per backend that they report. Warnings go to `console.warn` unless `init({
 * onWarning })` redirected (a function) or silenced (`null`) them.
 */
import type { Backend } from './backend/backend.js';

/** Receives each warning's text. */
export type WarningHandler = (message: string) => void;

let handler: WarningHandler | null = (message) => console.warn(message);

export function setWarningHandler(h: WarningHandler | null): void {
  handler = h;
}

export function warn(message: string): void {
  handler?.(`simdopt: ${message}`);
}

/** One tracked object: weakly held, and how to tell whether it is still undisposed. */
interface Tracked {
  ref: WeakRef<object>;
  alive: (o: object) => boolean;
  kind: 'parameter' | 'other';
}

/** Per backend, the objects made under it (pruned as they are collected or disposed). */
const tracked = new WeakMap<Backend, { list: Tracked[]; pruneAt: number }>();

/** Records `o` as made under `backend`; `alive` tells (without side effects) whether it is undisposed. */
export function trackObject<T extends object>(backend: Backend, o: T, alive: (o: T) => boolean, kind: Tracked['kind'] = 'other'): void {
  if (typeof WeakRef !== 'function') return;
  let t = tracked.get(backend);
  if (t === undefined) tracked.set(backend, (t = { list: [], pruneAt: 1024 }));
  t.list.push({ ref: new WeakRef(o), alive: alive as (o: object) => boolean, kind });
  if (t.list.length >= t.pruneAt) {
    t.list = t.list.filter(isLive);
    t.pruneAt = Math.max(1024, t.list.length * 2);
  }
}

function isLive(t: Tracked): boolean {
  const o = t.ref.deref();
  return o !== undefined && t.alive(o);
}

/** How many objects made under `backend` are neither disposed nor collected (`kind`: only those). */
export function liveObjects(backend: Backend, kind?: Tracked['kind']): number {
  const t = tracked.get(backend);
  if (t === undefined) return 0;
  t.list = t.list.filter(isLive);
  return kind === undefined ? t.list.length : t.list.filter((x) => x.kind === kind).length;
}

const warnedGrowth = new WeakSet<Backend>();

const MiB = 1024 * 1024;
function mib(bytes: number): string {
  return `${Math.round((bytes / MiB) * 10) / 10} MiB`;
}

/**
 * Called by a wasm backend when an allocation grew its memory from `from` to `to` bytes. With
 * Parameters alive, views a user kept may now be detached (length 0, writes lost): warn once
 * per backend, with an `initialMemoryBytes` that would have avoided it.
 */
export function noteGrowth(backend: Backend, from: number, to: number): void {
  if (warnedGrowth.has(backend)) return;
  const params = liveObjects(backend, 'parameter');
  if (params === 0) return;
  warnedGrowth.add(backend);
  // Whole MiB, so the suggestion is a round number that holds everything allocated so far.
  const enough = Math.ceil(to / MiB) * MiB;
  warn(
    `wasm memory grew from ${mib(from)} to ${mib(to)} while ${params} Parameter${params === 1 ? ' was' : 's were'} alive. ` +
      `Float32Arrays taken from p.data or p.grad before the growth are detached now: they read as empty and ` +
      `writes into them are lost (the p.data / p.grad accessors always return a valid view). To never grow ` +
      `memory, pass init({ initialMemoryBytes: ${enough} }) — that would have sufficed so far — or size it with ` +
      `estimateMemoryBytes({ parameters, optimizer }). Silence this with init({ onWarning: null }).`,
  );
}
