/**
 * The part of TensorFlow.js that `simdopt/tfjs` uses, typed by tfjs's own declarations (types
 * only: the app passes its `tf` in, so the entry never loads a copy of tfjs itself).
 */
import type * as tfc from '@tensorflow/tfjs-core';

/** The app's tfjs module: `@tensorflow/tfjs`, or `@tensorflow/tfjs-core` with a backend. */
export type Tfjs = Pick<typeof tfc, 'Optimizer' | 'engine' | 'tensor' | 'scalar' | 'serialization'>;

export type TfOptimizer = tfc.Optimizer;
export type Variable = tfc.Variable;
export type Tensor = tfc.Tensor;
/** `{ name, tensor }` (not exported by name from tfjs-core's index). */
export type NamedTensor = Parameters<tfc.Optimizer['setWeights']>[0][number];
export type NamedTensorMap = tfc.NamedTensorMap;
export type DataId = object;
export type ConfigDict = tfc.serialization.ConfigDict;
