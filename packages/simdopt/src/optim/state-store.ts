/**
 * The per-parameter state of an optimizer: a step counter, one backend block holding the state
 * slots (each `slotStride(size)` floats apart, the layout the kernels read), and scalar state.
 * Optimizers whose state is shaped otherwise (Adafactor's factored moments) give each slot its
 * own shape (`SlotShape`): slot k then starts at the sum of `slotStride` of the slots before it.
 * Blocks are allocated all or nothing, and a new layout is filled by one loop whether the slots
 * come from an old layout, a state dict or nowhere (initialised, and marked fresh).
 */
import type { Backend, Handle } from '../backend/backend.js';
import { slotStride } from '../backend/backend.js';
import type { Parameter } from '../parameter.js';
import type { Reclaimable } from '../reclaim.js';

/** A parameter's state: step counter, a block holding its slots, and its scalar state. */
export interface ParamState {
  step: number;
  block: Handle | null;
  slots: readonly string[];
  /** Slots created for the coming step (never mutated once the state is stored). */
  fresh: ReadonlySet<string>;
  /** Never mutated in place: a step replaces the object (runs may share one). */
  scalars: Readonly<Record<string, number>>;
}

/**
 * The shape of state slot `name` for `p` (PyTorch's shape of that state tensor; its length is the
 * product), or null when `p` has no such slot. Element-wise optimizers: `p.shape`.
 */
export type SlotShape = (name: string, p: Parameter) => readonly number[] | null;

/** The f32 length of a slot of `shape` (0 for an absent slot). */
export function slotLength(shape: readonly number[] | null): number {
  if (shape === null) return 0;
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export const NO_FRESH: ReadonlySet<string> = new Set<string>();
export const NO_SCALARS: Readonly<Record<string, number>> = Object.freeze({});

export class StateStore {
  private readonly states = new Map<Parameter, ParamState>();

  constructor(
    private readonly backend: Backend,
    private readonly held: Reclaimable,
    /** The slot shapes (element-wise optimizers: every slot shaped as its parameter). */
    readonly shapeOf: SlotShape = (_name, p) => p.shape,
  ) {}

  /** f32 offset of slot `k` of `slots` in `p`'s block. */
  private offset(p: Parameter, slots: readonly string[], k: number): number {
    let at = 0;
    for (let i = 0; i < k; i++) at += slotStride(slotLength(this.shapeOf(slots[i], p)));
    return at;
  }

  get(p: Parameter): ParamState | undefined {
    return this.states.get(p);
  }

  set(p: Parameter, s: ParamState): void {
    this.states.set(p, s);
  }

  /** One block per request (`null` for no slots); on failure frees those made and rethrows. */
  allocate(requests: readonly { p: Parameter; slots: readonly string[] }[]): (Handle | null)[] {
    const blocks: (Handle | null)[] = [];
    try {
      for (const { p, slots } of requests) blocks.push(slots.length > 0 ? this.allocBlock(this.offset(p, slots, slots.length)) : null);
    } catch (e) {
      for (const b of blocks) if (b !== null) this.freeBlock(b);
      throw e;
    }
    return blocks;
  }

  /** The view of slot `name` of `p`'s state, or undefined when it has none (or its shape is null). */
  slot(p: Parameter, name: string): Float32Array | undefined {
    const s = this.states.get(p);
    const k = s ? s.slots.indexOf(name) : -1;
    const shape = k < 0 ? null : this.shapeOf(name, p);
    return shape === null ? undefined : this.backend.f32(s!.block!, this.offset(p, s!.slots, k), slotLength(shape));
  }

  /**
   * Fills `block` (slots `slots` of `p`): each slot from `source(name, k)` when it gives values,
   * else by `init`. Returns the names of the initialised (fresh) slots.
   */
  fill(
    p: Parameter,
    block: Handle | null,
    slots: readonly string[],
    source: (name: string, k: number) => ArrayLike<number> | undefined,
    init: (name: string, view: Float32Array) => void,
  ): ReadonlySet<string> {
    const fresh = new Set<string>();
    slots.forEach((name, k) => {
      const view = this.backend.f32(block!, this.offset(p, slots, k), slotLength(this.shapeOf(name, p)));
      const from = source(name, k);
      if (from !== undefined) view.set(from);
      else {
        init(name, view);
        fresh.add(name);
      }
    });
    return fresh.size > 0 ? fresh : NO_FRESH;
  }

  /** Replaces `p`'s state, freeing its old block. */
  replace(p: Parameter, s: ParamState): void {
    const old = this.states.get(p);
    if (old?.block != null) this.freeBlock(old.block);
    this.states.set(p, s);
  }

  /** Frees every block and forgets every state. */
  clear(): void {
    for (const s of this.states.values()) if (s.block !== null) this.freeBlock(s.block);
    this.states.clear();
  }

  /** Forgets every state without freeing (the blocks were released with the optimizer). */
  forget(): void {
    this.states.clear();
  }

  private allocBlock(length: number): Handle {
    const b = this.backend.alloc(length);
    this.held.blocks.add(b);
    return b;
  }

  freeBlock(b: Handle): void {
    this.held.blocks.delete(b);
    this.backend.free(b);
  }
}
