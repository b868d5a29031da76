/**
 * Sequential: `torch.nn.Sequential`. forward runs the layers in order, backward in reverse, each
 * layer's input gradient being the previous layer's output gradient.
 */
import { fail, SimdoptError } from '../errors.js';
import { checkBackend } from '../runtime.js';
import { Module, type BackwardOptions } from './module.js';

export class Sequential extends Module {
  readonly layers: readonly Module[];
  private complete = false;

  /** The layers, in order. A module may appear once (its buffers hold one forward's state). */
  constructor(...layers: Module[]) {
    super();
    layers.forEach((layer, i) => {
      if (!(layer instanceof Module)) fail(`layers[${i}]`, 'an nn Module', layer);
      if (layer.disposed) throw new SimdoptError(`layers[${i}] is disposed`, `layers[${i}]`);
      checkBackend(layer.backend, `layers[${i}]`);
      if (layers.indexOf(layer) !== i) fail(`layers[${i}]`, 'a module not already in this Sequential', `the same module as layers[${layers.indexOf(layer)}]`);
    });
    this.layers = Object.freeze([...layers]);
  }

  forward(x: Float32Array): Float32Array {
    this.check('Sequential');
    // Cleared until every layer ran, so a failed forward cannot feed a half-updated backward.
    this.complete = false;
    let h = x;
    for (const layer of this.layers) h = layer.forwardLayer(h);
    this.complete = true;
    return h;
  }

  /** Backward through every layer; `options` apply to the first layer's input gradient. */
  backward(gradOut: Float32Array, options?: BackwardOptions): Float32Array {
    this.check('Sequential');
    if (!this.complete) throw new SimdoptError('Sequential.backward: call forward first (the last forward did not complete)', 'gradOut');
    let g = gradOut;
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i].backward(g, i === 0 ? options : undefined);
    return g;
  }

  children(): Module[] {
    return [...this.layers];
  }

  toString(): string {
    return `Sequential(\n${this.layers.map((l, i) => `  (${i}): ${l.toString()}`).join('\n')}\n)`;
  }
}
