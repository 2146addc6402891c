/**
 * Test scaffolding around the numerical oracle, tfjs-layers 4.22: build its recurrent
 * layers the way Recur computes them, copy their weights into Recur, and compare
 * outputs, final states and gradients.
 */
import { Rng } from '@recur/core';
import { expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import { fromKerasWeights, type Layer, type LayerOutput } from '../../src/index.js';

/** Standard-normal tensor (times `scale`) from a seed, the same on every backend. */
export function randomTensor<R extends tf.Rank>(shape: number[], seed: number, scale = 1): tf.Tensor<R> {
  const values = new Rng(seed).fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, scale);
  return tf.tensor(values, shape as tf.ShapeMap[R], 'float32') as tf.Tensor<R>;
}

/** `[batch, time]` float32 mask with row b real on steps [start_b, end_b). */
export function maskFromRanges(ranges: readonly (readonly [number, number])[], time: number): tf.Tensor2D {
  const values = ranges.flatMap(([start, end]) =>
    Array.from({ length: time }, (_, t) => (t >= start && t < end ? 1 : 0)),
  );
  return tf.tensor2d(values, [ranges.length, time], 'float32');
}

export type OracleKind = 'simpleRNN' | 'lstm' | 'gru';

export interface OracleRnnConfig {
  readonly units: number;
  readonly returnSequences?: boolean;
  readonly returnState?: boolean;
  readonly goBackwards?: boolean;
}

/**
 * A tfjs-layers recurrent layer computing what Recur's defaults compute: sigmoid gates
 * (tfjs-layers defaults to hardSigmoid), a glorot recurrent initializer (its orthogonal
 * one needs the full tfjs package) and a non-zero random bias, so a wrong bias layout
 * shows.
 */
export function oracleRnn(kind: OracleKind, config: OracleRnnConfig): tfl.layers.Layer {
  const common = {
    ...config,
    recurrentInitializer: 'glorotUniform' as const,
    biasInitializer: tfl.initializers.randomNormal({ stddev: 0.5 }),
  };
  if (kind === 'simpleRNN') return tfl.layers.simpleRNN(common);
  return kind === 'lstm'
    ? tfl.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
    : tfl.layers.gru({ ...common, recurrentActivation: 'sigmoid' });
}

/** Output then states, as tfjs-layers returns them. */
type Flat = tf.Tensor[];

export interface ParityCase {
  /** The Recur layer, with the same options as the oracle. */
  readonly recur: Layer<never, unknown, tf.Tensor3D, unknown>;
  readonly oracle: tfl.layers.Layer;
  readonly x: tf.Tensor3D;
  readonly mask?: tf.Tensor2D;
  /** Initial states, in the oracle's order, and how Recur takes them. */
  readonly initialState?: { readonly oracle: tf.Tensor[]; readonly toRecur: (states: tf.Tensor[]) => unknown };
  /** Recur's output and state in the oracle's order. */
  readonly flatten: (result: LayerOutput<unknown, unknown>) => Flat;
  /** Compare gradients too (tfjs-layers' own gradients throw when time = 1). */
  readonly gradients: boolean;
}

const FORWARD = { rtol: 1e-5, atol: 1e-5 };
const BACKWARD = { rtol: 1e-4, atol: 1e-4 };

function oracleFlat(
  oracle: tfl.layers.Layer,
  x: tf.Tensor,
  mask: tf.Tensor | undefined,
  states: tf.Tensor[] | undefined,
): Flat {
  const kwargs: Record<string, unknown> = {};
  if (mask !== undefined) kwargs.mask = mask;
  if (states !== undefined) kwargs.initialState = states;
  const out = oracle.apply(x, kwargs) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** Σ_i sum(outputs_i ⊙ R_i) with fixed random R_i: a loss whose gradient sees every element. */
function weightedSum(outputs: Flat): tf.Scalar {
  return outputs
    .map((o, i) => tf.sum(tf.mul(o, randomTensor(o.shape, 1000 + i))))
    .reduce((a, b) => tf.add(a, b)) as tf.Scalar;
}

/**
 * Builds the oracle on `x`, copies its weights into Recur, then compares the outputs and
 * states (within 1e-5) and, when asked, the gradients with respect to the input, the
 * initial states and every weight (within 1e-4). Disposes everything it made.
 */
export function expectOracleParity(c: ParityCase): void {
  const { recur, oracle, x, mask } = c;
  const oracleStates = c.initialState?.oracle;
  try {
    tf.tidy(() => {
      oracleFlat(oracle, x, mask, oracleStates);
    });
    const weights = oracle.getWeights();
    tf.tidy(() => {
      const params = fromKerasWeights(recur, weights);
      const run = (p: never, xs: tf.Tensor3D, states: tf.Tensor[] | undefined) =>
        c.flatten(
          recur.apply(p, xs, {
            ...(mask === undefined ? {} : { mask }),
            ...(states === undefined ? {} : { initialState: c.initialState?.toRecur(states) }),
          }),
        );
      const expected = oracleFlat(oracle, x, mask, oracleStates);
      const actual = run(params, x, oracleStates);
      expect(actual.length).toBe(expected.length);
      actual.forEach((a, i) => {
        expectClose(a, expected[i] as tf.Tensor, FORWARD);
      });
      if (!c.gradients) return;

      const states = oracleStates ?? [];
      const oracleInputGrads = tf.grads((...args: tf.Tensor[]) =>
        weightedSum(oracleFlat(oracle, args[0] as tf.Tensor, mask, args.length > 1 ? args.slice(1) : undefined)),
      )([x, ...states]);
      const variables = oracle.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => weightedSum(oracleFlat(oracle, x, mask, oracleStates)), variables);
      const oracleWeightGrads = variables.map((v) => grads[v.name] as tf.Tensor);

      const n = 1 + states.length;
      const recurGrads = tf.grads((...args: tf.Tensor[]) => {
        const p = fromKerasWeights(recur, args.slice(n));
        return weightedSum(run(p, args[0] as tf.Tensor3D, states.length > 0 ? args.slice(1, n) : undefined));
      })([x, ...states, ...weights]);
      [...oracleInputGrads, ...oracleWeightGrads].forEach((g, i) => {
        expectClose(recurGrads[i] as tf.Tensor, g, BACKWARD);
      });
    });
  } finally {
    oracle.dispose();
  }
}
