/**
 * Weights in the order and shapes of tfjs-layers' `layer.getWeights()` /
 * `layer.setWeights()` (and Keras'), so trained weights move between the libraries:
 *
 * - SimpleRNN, LSTM, GRU: `kernel [I, G·H]`, `recurrent_kernel [H, G·H]`, `bias`
 *   (`[G·H]`; `[2, 3H]` for a GRU with `resetAfter`, as Keras), G = 1, 4, 3.
 * - Bidirectional: the forward layer's weights, then the backward layer's.
 * - Dense: `kernel [I, U]`, `bias [U]`. Embedding: `embeddings [V, D]`.
 * - Stacked: each layer's weights in turn (a Keras `Sequential`'s `getWeights()`).
 */
import { badArgument, type Cell, describeValue, isTensor, RecurError, sameShape, shapeMismatch } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { AnyLayer, Layer, ParamTree, WeightSpec } from './layer.js';
import { atPath, checkParams } from './param-tree.js';

/**
 * The tfjs-layers weight list of a cell whose layer Keras has (Elman = SimpleRNN, plain
 * LSTM, GRU); `RecurError('NOT_SUPPORTED')` for the others.
 */
export function cellKerasWeightSpec(cell: Cell): readonly WeightSpec[] {
  const config = cell.config as Readonly<Record<string, unknown>>;
  const units = config.units as number;
  const blocks = { elman: 1, lstm: 4, gru: 3 }[cell.kind];
  const lstmVariant =
    ['peephole', 'cifg', 'layerNorm'].find((v) => config[v] === true) ??
    (config.projSize === undefined ? undefined : 'projSize');
  if (blocks === undefined || (cell.kind === 'lstm' && lstmVariant !== undefined)) {
    const what = cell.kind === 'lstm' ? `an LSTM with ${lstmVariant}` : `a '${cell.kind}' cell`;
    throw new RecurError(
      'NOT_SUPPORTED',
      `cell: tfjs-layers has no layer for ${what}, so it has no Keras weight layout`,
    );
  }
  const width = blocks * units;
  const specs: WeightSpec[] = [
    { name: 'kernel', path: ['kernel'], shape: [cell.inputSize, width] },
    { name: 'recurrent_kernel', path: ['recurrentKernel'], shape: [units, width] },
  ];
  if (config.useBias !== false) {
    specs.push({ name: 'bias', path: ['bias'], shape: config.resetAfter === true ? [2, width] : [width] });
  }
  return specs;
}

/** `specs` with every path and name under `prefix` (how containers list their parts' weights). */
export function prefixSpecs(specs: readonly WeightSpec[], key: string | number, name: string): WeightSpec[] {
  return specs.map((s) => ({ name: `${name}/${s.name}`, path: [key, ...s.path], shape: s.shape }));
}

/**
 * Copies `weights` (already checked against `specs`) into a params tree along the spec
 * paths. Used by layers whose params are exactly their Keras weights.
 */
export function paramsFromSpecs<P extends ParamTree>(specs: readonly WeightSpec[], weights: readonly tf.Tensor[]): P {
  const root: Record<string, unknown> = {};
  specs.forEach((spec, i) => {
    let node = root;
    spec.path.forEach((key, depth) => {
      if (depth === spec.path.length - 1) {
        node[key] = tf.clone(weights[i] as tf.Tensor);
      } else {
        node[key] ??= {};
        node = node[key] as Record<string, unknown>;
      }
    });
  });
  return root as P;
}

/** Checks `weights` against `specs`: count, then each shape. Throws before any tfjs op. */
export function checkKerasWeights(weights: unknown, specs: readonly WeightSpec[], argument = 'weights'): void {
  const names = specs.map((s) => s.name).join(', ');
  if (!Array.isArray(weights) || weights.length !== specs.length) {
    const got = Array.isArray(weights) ? `${weights.length} tensors` : describeValue(weights);
    throw new RecurError('SHAPE_MISMATCH', `${argument}: expected ${specs.length} tensors (${names}), received ${got}`);
  }
  specs.forEach((spec, i) => {
    const w: unknown = weights[i];
    if (!isTensor(w) || w.dtype !== 'float32' || !sameShape(w.shape, spec.shape)) {
      throw shapeMismatch(
        `${argument}[${i}] (${spec.name})`,
        `a float32 tensor of shape ${describeValue(spec.shape)}`,
        w,
      );
    }
  });
}

/**
 * The layer's weights as tfjs-layers' `layer.getWeights()` lists them, ready for
 * `tflLayer.setWeights(...)`. Returns copies: the caller owns (and disposes) them.
 */
export function toKerasWeights<P extends ParamTree>(layer: Layer<P, unknown, never, unknown>, params: P): tf.Tensor[] {
  const specs = kerasSpecsOf(layer as unknown as AnyLayer);
  checkParams(params, specs);
  return specs.map((s) => tf.clone(atPath(params, s.path) as tf.Tensor));
}

/**
 * New params for `layer` from weights in tfjs-layers' `layer.getWeights()` order and
 * shapes. Checks the count and every shape first (a `RecurError` naming the weight, with
 * expected and received shapes), so bad weights change nothing. The returned params
 * are copies owned by the caller; `weights` are neither kept nor disposed.
 */
export function fromKerasWeights<P extends ParamTree>(
  layer: Layer<P, unknown, never, unknown>,
  weights: readonly tf.Tensor[],
): P {
  const specs = kerasSpecsOf(layer as unknown as AnyLayer);
  checkKerasWeights(weights, specs);
  return layer.fromKerasWeights(weights);
}

function kerasSpecsOf(layer: AnyLayer): readonly WeightSpec[] {
  if (layer === null || typeof layer !== 'object' || typeof layer.kerasWeightSpec !== 'function') {
    throw badArgument('BAD_CONFIG', 'layer', 'a Recur layer', layer);
  }
  return layer.kerasWeightSpec();
}
