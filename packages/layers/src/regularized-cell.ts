/**
 * Recurrent dropout and zoneout as a cell wrapper: a new `Cell` whose step masks the
 * carry around the wrapped cell's step, so `scan` runs it like any other cell.
 *
 * - Recurrent dropout, variational (Gal & Ghahramani 2016, "A theoretically grounded
 *   application of dropout in recurrent neural networks", sec. 4): one mask per
 *   sequence, drawn once and applied at every step to the recurrent input h_{t−1}
 *   (`h` when the carry has one, as Keras; LSTM's c is never dropped), scaled by
 *   1 / (1 − rate).
 * - Zoneout (Krueger et al. 2017, "Zoneout: regularizing RNNs by randomly preserving
 *   hidden activations", sec. 2): every carry field keeps its previous value with
 *   probability `zoneout`, element by element, with a fresh mask at every step:
 *       s_t = d_t ⊙ s_{t−1} + (1 − d_t) ⊙ s̃_t,   d_t ~ Bernoulli(zoneout).
 *   Outside training it uses the expectation, s_t = z·s_{t−1} + (1 − z)·s̃_t (sec. 2).
 *   The step's output is the zoned `h` (or `y` for a Jordan carry), as in the paper.
 */
import { badArgument, type Carry, type Cell, type Params, type Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkBatchSize, checkBoolean, checkRate, checkRng, mismatch } from './internal/checks.js';
import { bernoulliMask, dropoutMask } from './internal/random.js';

export interface CellRegularization {
  /** Sequences per batch: the recurrent dropout masks are `[batch, width]`. Required. */
  readonly batch: number;
  /** Drop rate of the recurrent input, in [0, 1). Default 0. */
  readonly recurrentDropout?: number;
  /** Probability that a carry element keeps its previous value, in [0, 1). Default 0. */
  readonly zoneout?: number;
  /** Random masks when true; when false recurrent dropout is off and zoneout uses its expectation. Default `false`. */
  readonly training?: boolean;
  /** Draws every mask; required when training with a non-zero rate. */
  readonly rng?: Rng;
}

export type RegularizedCell<C extends Carry, P extends Params> = Cell<C, P> & {
  /** The recurrent dropout masks by carry field, drawn at creation; dispose them after the run (or create the cell inside `tf.tidy`). */
  readonly masks: Readonly<Record<string, tf.Tensor>>;
};

/**
 * Wraps `cell` with recurrent dropout and/or zoneout. Draws the recurrent dropout masks
 * now (shaped like `cell.initCarry(batch)`, entries of any rank): the caller owns `masks`.
 * The wrapper has no `sequence` form (its masks act between steps), so `scan` steps it.
 */
export function regularizedCell<C extends Carry, P extends Params>(
  cell: Cell<C, P>,
  options: CellRegularization,
): RegularizedCell<C, P> {
  const batch = checkBatchSize(options.batch, 'options.batch');
  const dropRate = checkRate(options.recurrentDropout, 'options.recurrentDropout');
  const zoneRate = checkRate(options.zoneout, 'options.zoneout');
  const training = checkBoolean(options.training, 'options.training', false);
  const rng = training && (dropRate > 0 || zoneRate > 0) ? checkRng(options.rng, 'options.rng') : undefined;

  const masks: Record<string, tf.Tensor> = {};
  if (training && dropRate > 0) {
    const zero = cell.initCarry(batch);
    const keys = 'h' in zero ? ['h'] : Object.keys(zero);
    for (const key of keys) masks[key] = dropoutMask((zero[key] as tf.Tensor).shape, dropRate, rng as Rng);
    tf.dispose(zero);
  }

  function zone(previous: tf.Tensor, candidate: tf.Tensor): tf.Tensor {
    if (!training) return tf.add(tf.mul(previous, zoneRate), tf.mul(candidate, 1 - zoneRate));
    const keep = bernoulliMask(candidate.shape, zoneRate, rng as Rng);
    return tf.add(tf.mul(keep, previous), tf.mul(tf.sub(1, keep), candidate));
  }

  return Object.freeze({
    kind: cell.kind,
    config: cell.config,
    inputSize: cell.inputSize,
    outputSize: cell.outputSize,
    masks,
    ...(cell.checkParams === undefined ? {} : { checkParams: (p: P) => cell.checkParams?.(p) }),
    init: (r: Rng) => cell.init(r),
    initCarry: (b: number) => cell.initCarry(b),
    step(params: P, carry: C, x: tf.Tensor2D): { carry: C; y: tf.Tensor2D } {
      if (x?.shape?.[0] !== batch) {
        throw mismatch('x', `a tensor of batch ${batch} (the batch the wrapper was made for)`, x);
      }
      return tf.tidy(() => {
        const seen: Record<string, tf.Tensor> = { ...carry };
        for (const [key, mask] of Object.entries(masks)) {
          const value = carry[key];
          if (value === undefined) throw badArgument('SHAPE_MISMATCH', `carry.${key}`, 'a tensor', value);
          seen[key] = tf.mul(value, mask);
        }
        const next = cell.step(params, seen as unknown as C, x);
        if (zoneRate === 0) return next;
        const zoned: Record<string, tf.Tensor> = {};
        for (const [key, value] of Object.entries(next.carry)) {
          zoned[key] = zone(carry[key] as tf.Tensor, value);
        }
        const outputKey = ['h', 'y'].find((k) => zoned[k]?.rank === 2 && zoned[k]?.shape[1] === cell.outputSize);
        const y = outputKey === undefined ? next.y : (tf.clone(zoned[outputKey] as tf.Tensor) as tf.Tensor2D);
        return { carry: zoned as unknown as C, y };
      });
    },
  });
}
