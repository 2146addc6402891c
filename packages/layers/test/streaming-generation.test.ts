/**
 * Streaming generation with the comeback cells (minGRU, minLSTM, sLSTM, mLSTM, RWKV): the
 * step form inside `recurrentStepModel`, fed one token at a time with its carry kept,
 * gives at every step the log-probabilities that one whole-sequence run (`scan` runs
 * `cell.sequence`: the log-space scan, the fused sLSTM and WKV kernels, mLSTM's chunkwise
 * form) gives at that position; beam search runs on each step model.
 */
import { minGru, minLstm, mlstm, rwkv, slstm } from '@recur/cells';
import { type Carry, type Cell, type Params, Rng, scan } from '@recur/core';
import { beamSearch, recurrentStepModel } from '@recur/decode';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { dense, embedding } from '../src/index.js';

const VOCAB = 6;
const EMBED = 3;
const UNITS = 4;
const tol = { rtol: 1e-5, atol: 1e-5 };

describeBackends('streaming generation', () => {
  checkLeaks();

  it.each([
    ['minGru, log-space sequence form', minGru({ inputSize: EMBED, units: UNITS, parallel: 'log' })],
    ['minLstm, expansion 2', minLstm({ inputSize: EMBED, units: UNITS, expansion: 2 })],
    [
      'sLSTM, 2 heads, exponential forget gate',
      slstm({ inputSize: EMBED, units: UNITS, heads: 2, forgetGate: 'exponential' }),
    ],
    // Chunks of 4 over 6 steps: the last chunk is shorter.
    ['mLSTM, chunkwise', mlstm({ inputSize: EMBED, units: UNITS, heads: 2, chunkSize: 4 })],
    ['mLSTM, quadratic', mlstm({ inputSize: EMBED, units: UNITS, parallel: 'quadratic' })],
    ['RWKV (input projected to the width)', rwkv({ inputSize: EMBED, units: UNITS })],
  ])('should give, step by step, the log-probabilities of the sequence form: %s', (_n, typed) => {
    const cell = typed as unknown as Cell<Carry, Params>;
    const rng = new Rng(3);
    const params = cell.init(rng);
    const lookup = embedding({ vocabSize: VOCAB, dim: EMBED });
    const head = dense({ inputSize: UNITS, units: VOCAB });
    const weights = { lookup: lookup.init(rng), head: head.init(rng) };
    // [batch] ids as a one-step sequence [batch, 1], back to [batch, EMBED].
    const embed = (ids: tf.Tensor1D) =>
      tf.tidy(() => tf.squeeze(lookup.apply(weights.lookup, tf.expandDims(ids, 1)).output, [1]) as tf.Tensor2D);
    const project = (y: tf.Tensor2D) => head.apply(weights.head, y).output as tf.Tensor2D;
    const model = recurrentStepModel({
      vocabSize: VOCAB,
      params,
      embed,
      cellStep: cell.step,
      project,
      initCarry: cell.initCarry,
    });
    const rows = [
      [1, 2, 5, 3, 0, 4],
      [3, 3, 1, 2, 5, 1],
    ];
    // The whole sequences at once: position t holds the log-probabilities after tokens 0…t.
    const whole = tf.tidy(() => {
      const xs = tf.reshape(embed(tf.tensor1d(rows.flat(), 'int32')), [2, 6, EMBED]) as tf.Tensor3D;
      const ys = scan(cell, params, xs).outputs as tf.Tensor3D;
      return tf.reshape(tf.logSoftmax(project(tf.reshape(ys, [12, UNITS]) as tf.Tensor2D)), [2, 6, VOCAB]);
    });
    let { logProbs, state } = model.start(rows.map((r) => r.slice(0, 2)));
    for (let t = 1; t < 6; t++) {
      const expected = tf.tidy(() => tf.reshape(tf.slice(whole, [0, t, 0], [2, 1, VOCAB]), [2, VOCAB]));
      expectClose(logProbs, expected, tol);
      tf.dispose([expected, logProbs]);
      if (t === 5) break;
      const tokens = tf.tensor1d(
        rows.map((r) => r[t + 1]!),
        'int32',
      );
      const next = model.step(tokens, state);
      tokens.dispose();
      model.disposeState(state);
      ({ logProbs, state } = next);
    }
    model.disposeState(state);
    const beams = beamSearch(model, [[1, 2], [3]], { beamWidth: 3, maxLength: 4, endToken: 0, nBest: 2 });
    expect(beams.map((b) => b.length)).toEqual([2, 2]);
    expect(beams.flat().every((h) => Number.isFinite(h.score))).toBe(true);
    tf.dispose([whole, weights, ...Object.values(params)] as tf.TensorContainer[]);
  });
});
