import * as tf from '@tensorflow/tfjs-core';
import { badArgument } from './errors.js';
import { orthonormalizeRows } from './internal/linalg.js';
import type { Rng } from './random.js';
import { snakeToCamel } from './validation/names.js';
import { assertFiniteNumber, assertOneOf, assertShape } from './validation/values.js';

/**
 * Makes a float32 tensor of `shape`. The caller owns (and disposes) the result.
 * Randomness comes only from `rng`, so a seed reproduces the weights exactly.
 */
export type Initializer = (shape: readonly number[], rng: Rng) => tf.Tensor;

export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
export type Distribution = 'uniform' | 'truncatedNormal' | 'untruncatedNormal';

/** Fans as Keras computes them: 2-D `[fanIn, fanOut]`; higher ranks multiply in the receptive field. */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  assertShape(shape, 'shape');
  if (shape.length === 1) return { fanIn: shape[0] as number, fanOut: shape[0] as number };
  if (shape.length === 2) return { fanIn: shape[0] as number, fanOut: shape[1] as number };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return {
    fanIn: (shape[shape.length - 2] as number) * receptive,
    fanOut: (shape[shape.length - 1] as number) * receptive,
  };
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function fromValues(shape: readonly number[], values: Float32Array): tf.Tensor {
  return tf.tensor(values, [...shape], 'float32');
}

/** Normal samples, redrawn while more than two standard deviations from the mean (as Keras). */
function fillTruncatedNormal(out: Float32Array, rng: Rng, mean: number, stddev: number): Float32Array {
  for (let i = 0; i < out.length; i++) {
    let z = rng.normal();
    while (z < -2 || z > 2) z = rng.normal();
    out[i] = mean + stddev * z;
  }
  return out;
}

export function zeros(): Initializer {
  return (shape) => {
    assertShape(shape, 'shape');
    return tf.zeros([...shape], 'float32');
  };
}

export function ones(): Initializer {
  return constant(1);
}

export function constant(value: number): Initializer {
  assertFiniteNumber(value, 'value');
  return (shape) => {
    assertShape(shape, 'shape');
    return tf.fill([...shape], value, 'float32');
  };
}

/** Keras `RandomUniform` (defaults −0.05, 0.05). */
export function uniform(options: { minval?: number; maxval?: number } = {}): Initializer {
  const { minval = -0.05, maxval = 0.05 } = options;
  assertFiniteNumber(minval, 'minval');
  assertFiniteNumber(maxval, 'maxval');
  if (!(maxval > minval)) throw badArgument('BAD_CONFIG', 'maxval', `a number greater than minval (${minval})`, maxval);
  return (shape, rng) => {
    assertShape(shape, 'shape');
    return fromValues(shape, rng.fillUniform(new Float32Array(size(shape)), minval, maxval));
  };
}

/** Keras `RandomNormal` (defaults mean 0, stddev 0.05). */
export function normal(options: { mean?: number; stddev?: number } = {}): Initializer {
  const { mean = 0, stddev = 0.05 } = options;
  assertFiniteNumber(mean, 'mean');
  assertPositive(stddev, 'stddev');
  return (shape, rng) => {
    assertShape(shape, 'shape');
    return fromValues(shape, rng.fillNormal(new Float32Array(size(shape)), mean, stddev));
  };
}

/** Keras `TruncatedNormal`: values beyond two standard deviations are redrawn. */
export function truncatedNormal(options: { mean?: number; stddev?: number } = {}): Initializer {
  const { mean = 0, stddev = 0.05 } = options;
  assertFiniteNumber(mean, 'mean');
  assertPositive(stddev, 'stddev');
  return (shape, rng) => {
    assertShape(shape, 'shape');
    return fromValues(shape, fillTruncatedNormal(new Float32Array(size(shape)), rng, mean, stddev));
  };
}

/**
 * Keras `VarianceScaling`: variance `scale / n` with n the fan chosen by `mode`. The
 * truncated normal is rescaled by 0.8796… so that its variance, not the variance of the
 * untruncated law, is `scale / n`.
 */
export function varianceScaling(
  options: { scale?: number; mode?: FanMode; distribution?: Distribution } = {},
): Initializer {
  const { scale = 1, mode = 'fanIn', distribution = 'truncatedNormal' } = options;
  assertPositive(scale, 'scale');
  assertOneOf(mode, ['fanIn', 'fanOut', 'fanAvg'] as const, 'mode');
  assertOneOf(distribution, ['uniform', 'truncatedNormal', 'untruncatedNormal'] as const, 'distribution');
  return (shape, rng) => {
    const { fanIn, fanOut } = computeFans(shape);
    const n = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(1, n);
    const out = new Float32Array(size(shape));
    if (distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      rng.fillUniform(out, -limit, limit);
    } else if (distribution === 'truncatedNormal') {
      fillTruncatedNormal(out, rng, 0, Math.sqrt(variance) / 0.8796256610342398);
    } else {
      rng.fillNormal(out, 0, Math.sqrt(variance));
    }
    return fromValues(shape, out);
  };
}

export const glorotUniform = (): Initializer => varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'uniform' });
export const glorotNormal = (): Initializer =>
  varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' });
export const heUniform = (): Initializer => varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'uniform' });
export const heNormal = (): Initializer =>
  varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' });
export const lecunUniform = (): Initializer => varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' });
export const lecunNormal = (): Initializer =>
  varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' });

/**
 * Keras `Orthogonal`: the shape is flattened to [prod(shape[:-1]), shape[-1]]; the result
 * has orthonormal rows or columns, whichever are fewer, times `gain`. Sampled from the
 * Haar measure by a blocked Cholesky QR of a Gaussian matrix (see `orthonormalizeRows`)
 * rather than column-by-column Householder steps, so 1024×4096 takes about a second.
 */
export function orthogonal(options: { gain?: number } = {}): Initializer {
  const { gain = 1 } = options;
  assertFiniteNumber(gain, 'gain');
  return (shape, rng) => {
    assertShape(shape, 'shape');
    if (shape.length < 2) throw badArgument('BAD_CONFIG', 'shape', 'at least 2 dimensions for orthogonal', shape);
    const cols = shape[shape.length - 1] as number;
    const rows = size(shape) / cols;
    const small = Math.min(rows, cols);
    const large = Math.max(rows, cols);
    for (let attempt = 0; attempt < 8; attempt++) {
      const a = rng.fillNormal(new Float64Array(small * large));
      const q = orthonormalizeRows(a, small, large);
      if (q === null) continue;
      const out = new Float32Array(rows * cols);
      if (rows <= cols) {
        for (let i = 0; i < out.length; i++) out[i] = gain * (q[i] as number);
      } else {
        // q is [cols, rows] with orthonormal rows: its transpose has orthonormal columns.
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) out[i * cols + j] = gain * (q[j * rows + i] as number);
        }
      }
      return fromValues(shape, out);
    }
    // Eight rank-deficient Gaussian matrices in a row have probability zero from a real
    // generator; they mean the Rng-shaped object given returns constant draws.
    throw badArgument(
      'BAD_CONFIG',
      'orthogonal rng',
      'an Rng whose draws vary (eight Gaussian draws were rank-deficient)',
      rng,
    );
  };
}

/** Identity matrix times `gain` (2-D only; rectangular shapes get ones on the main diagonal). */
export function identity(options: { gain?: number } = {}): Initializer {
  const { gain = 1 } = options;
  assertFiniteNumber(gain, 'gain');
  return (shape) => {
    assertShape(shape, 'shape');
    if (shape.length !== 2) throw badArgument('BAD_CONFIG', 'shape', 'a 2-D shape for identity', shape);
    const [r, c] = shape as [number, number];
    const out = new Float32Array(r * c);
    for (let i = 0; i < Math.min(r, c); i++) out[i * c + i] = gain;
    return fromValues(shape, out);
  };
}

function assertPositive(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw badArgument('BAD_CONFIG', argument, 'a positive finite number', value);
  }
}

const BY_NAME = {
  zeros,
  ones,
  uniform,
  normal,
  truncatedNormal,
  glorotUniform,
  glorotNormal,
  heUniform,
  heNormal,
  lecunUniform,
  lecunNormal,
  orthogonal,
  identity,
} as const;

export type InitializerName = keyof typeof BY_NAME;
export const INITIALIZER_NAMES = Object.keys(BY_NAME) as InitializerName[];

/** Initializer by name, accepting Keras' snake_case spellings (`glorot_uniform`). */
export function getInitializer(name: InitializerName | (string & {})): Initializer {
  return BY_NAME[resolveInitializerName(name)]();
}

/**
 * The canonical (camelCase) name of one of core's initializers, accepting Keras'
 * snake_case; `BAD_CONFIG` naming `argument` and the known names for anything else.
 * Configs store the canonical name so that two spellings of one initializer compare equal.
 */
export function resolveInitializerName(name: unknown, argument = 'initializer'): InitializerName {
  const key = typeof name === 'string' ? snakeToCamel(name) : '';
  if (!(INITIALIZER_NAMES as string[]).includes(key)) {
    throw badArgument('BAD_CONFIG', argument, `one of ${INITIALIZER_NAMES.join(', ')}`, name);
  }
  return key as InitializerName;
}
