/**
 * OwnedBuffer: a block of backend memory a layer keeps for its activations and gradients. It is
 * grown when a larger batch arrives and never shrunk, so a training loop with stable shapes
 * allocates nothing after its first step; its view is re-fetched whenever a memory growth
 * detached it.
 */
import type { Backend, Handle } from '../backend/backend.js';

export class OwnedBuffer {
  private handle: Handle | null = null;
  private capacity = 0;
  private cached: Float32Array = new Float32Array(0);

  /** `blocks` is the owner's set of live handles (its finalizer frees what is left in it). */
  constructor(
    private readonly backend: Backend,
    private readonly blocks: Set<Handle>,
  ) {}

  /** Whether holding `length` f32 needs an allocation. */
  needs(length: number): boolean {
    return length > this.capacity;
  }

  /** Makes room for `length` f32. May grow memory and so detach views: fetch views after. */
  reserve(length: number): void {
    if (length <= this.capacity) return;
    this.release();
    this.handle = this.backend.alloc(length);
    this.blocks.add(this.handle);
    this.capacity = length;
  }

  /** A live view of the first `length` f32 (`length` ≤ the reserved capacity). */
  view(length: number): Float32Array {
    // A detached view has length 0, so a length mismatch covers both a new size and a growth.
    if (this.cached.length !== length) {
      this.cached = length === 0 || this.handle === null ? new Float32Array(0) : this.backend.f32(this.handle, 0, length);
    }
    return this.cached;
  }

  /** Frees the block; the buffer can be reserved again. */
  release(): void {
    if (this.handle !== null) {
      this.blocks.delete(this.handle);
      const handle = this.handle;
      this.handle = null;
      this.capacity = 0;
      this.cached = new Float32Array(0);
      this.backend.free(handle);
    }
  }
}
