import { type AnyCell, type CellConfig, cellFromConfig } from '@recur/cells';
import { type Carry, type Cell, type Params, Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Mat, RefCarry, RefParams, Vec } from './reference.js';

/** Every cell and option the suite covers, small enough for per-entry gradient checks. */
export const VARIANTS: readonly { readonly name: string; readonly config: CellConfig }[] = [
  { name: 'elman tanh', config: { kind: 'elman', inputSize: 3, units: 4 } },
  { name: 'elman relu', config: { kind: 'elman', inputSize: 3, units: 4, activation: 'relu' } },
  { name: 'elman without bias', config: { kind: 'elman', inputSize: 3, units: 4, useBias: false } },
  { name: 'jordan', config: { kind: 'jordan', inputSize: 3, units: 4, outputSize: 2 } },
  {
    name: 'jordan linear output, no bias',
    config: { kind: 'jordan', inputSize: 3, units: 4, outputSize: 2, outputActivation: 'linear', useBias: false },
  },
  { name: 'lstm', config: { kind: 'lstm', inputSize: 3, units: 4 } },
  { name: 'lstm without bias', config: { kind: 'lstm', inputSize: 3, units: 4, useBias: false } },
  { name: 'lstm peephole', config: { kind: 'lstm', inputSize: 3, units: 4, peephole: true } },
  { name: 'lstm cifg', config: { kind: 'lstm', inputSize: 3, units: 4, cifg: true } },
  { name: 'lstm cifg + peephole', config: { kind: 'lstm', inputSize: 3, units: 4, cifg: true, peephole: true } },
  { name: 'lstm projection', config: { kind: 'lstm', inputSize: 3, units: 4, projSize: 2 } },
  { name: 'lstm layer norm', config: { kind: 'lstm', inputSize: 3, units: 4, layerNorm: true } },
  {
    name: 'lstm peephole + projection + layer norm, hardSigmoid',
    config: {
      kind: 'lstm',
      inputSize: 3,
      units: 4,
      peephole: true,
      projSize: 3,
      layerNorm: true,
      recurrentActivation: 'hardSigmoid',
    },
  },
  { name: 'gru resetAfter', config: { kind: 'gru', inputSize: 3, units: 4 } },
  { name: 'gru reset before', config: { kind: 'gru', inputSize: 3, units: 4, resetAfter: false } },
  { name: 'gru without bias', config: { kind: 'gru', inputSize: 3, units: 4, useBias: false } },
];

/** A cell typed loosely, so tests can drive every kind through one code path. */
export type AnyStepper = Cell<Carry, Params, unknown>;

export function build(config: CellConfig): { cell: AnyCell; stepper: AnyStepper } {
  const cell = cellFromConfig(config) as AnyCell;
  return { cell, stepper: cell as AnyStepper };
}

function uniformValues(size: number, rng: Rng, scale: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * rng.uniform() - 1) * scale;
  return out;
}

export function randomTensor<R extends tf.Rank>(shape: number[], rng: Rng, scale = 1): tf.Tensor<R> {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = uniformValues(size, rng, scale);
  const t: tf.Tensor = tf.tensor(values, shape);
  return t as tf.Tensor<R>;
}

/**
 * Parameters with the shapes `init` gives but every entry random in ±scale, so biases,
 * gains and shifts are exercised too (init leaves them 0 or 1). The caller disposes them.
 */
export function randomParams(cell: AnyStepper, rng: Rng, scale = 0.6): Params {
  const shapes = tf.tidy(() => Object.entries(cell.init(new Rng(0))).map(([name, t]) => [name, t.shape] as const));
  return Object.fromEntries(shapes.map(([name, shape]) => [name, randomTensor(shape, rng, scale)]));
}

/** A random carry of the cell's shapes for `batch` rows. The caller disposes it. */
export function randomCarry(cell: AnyStepper, batch: number, rng: Rng, scale = 0.8): Carry {
  const zero = cell.initCarry(batch);
  const out = Object.fromEntries(
    Object.entries(zero).map(([name, t]) => [name, randomTensor<tf.Rank.R2>(t.shape, rng, scale)]),
  );
  tf.dispose(Object.values(zero));
  return out;
}

export function toRefParams(params: Params): RefParams {
  return Object.fromEntries(Object.entries(params).map(([name, t]) => [name, t.arraySync() as Vec | Mat]));
}

/** Row `b` of every carry field. */
export function carryRow(carry: Carry, b: number): RefCarry {
  return Object.fromEntries(Object.entries(carry).map(([name, t]) => [name, (t.arraySync() as Mat)[b] as Vec]));
}
