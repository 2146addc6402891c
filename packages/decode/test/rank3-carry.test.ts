import { Rng, scan } from '@recur/core';
import { beamSearch, recurrentStepModel, type StepModel } from '@recur/decode';
import { checkLeaks, describeBackends, expectClose, type MatrixMemoryCarry, matrixMemoryCell } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const VOCAB = 5;
const EMBED = 3;
const D = 4;

/**
 * A language model on a cell with a rank-3 carry (`C [batch, d, d]`), stepped
 * incrementally, and the same model rerun from scratch over each whole prefix by `scan`
 * (no state kept, so nothing to reorder): the oracle.
 */
function matrixMemoryModel(seed: number) {
  const rng = new Rng(seed);
  const cell = matrixMemoryCell(EMBED, D);
  const params = cell.init(rng);
  const table = tf.tensor2d(rng.fillNormal(new Float32Array(VOCAB * EMBED)), [VOCAB, EMBED]);
  const out = tf.tensor2d(rng.fillNormal(new Float32Array(D * VOCAB), 0, 2), [D, VOCAB]);
  const embed = (tokens: tf.Tensor1D) => tf.gather(table, tokens) as tf.Tensor2D;
  const project = (y: tf.Tensor2D) => tf.matMul(y, out) as tf.Tensor2D;
  const model = recurrentStepModel({
    vocabSize: VOCAB,
    params,
    embed,
    cellStep: cell.step,
    project,
    initCarry: cell.initCarry,
  });
  const fromScratch = (prefixes: readonly (readonly number[])[]) =>
    tf.tidy(() =>
      tf.concat(
        prefixes.map((prefix) => {
          const xs = tf.expandDims(embed(tf.tensor1d([...prefix], 'int32')), 0) as tf.Tensor3D;
          const last = scan(cell, params, xs, { returnSequences: false, returnState: false }).outputs as tf.Tensor2D;
          return tf.logSoftmax(project(last));
        }),
      ),
    ) as tf.Tensor2D;
  const restart: StepModel<{ readonly prefixes: readonly (readonly number[])[] }> = {
    vocabSize: VOCAB,
    start: (prompts) => ({ logProbs: fromScratch(prompts), state: { prefixes: prompts.map((p) => [...p]) } }),
    step: (tokens, state) => {
      const ids = Array.isArray(tokens) ? tokens : Array.from((tokens as tf.Tensor1D).dataSync());
      const prefixes = state.prefixes.map((p, i) => [...p, ids[i] as number]);
      return { logProbs: fromScratch(prefixes), state: { prefixes } };
    },
    selectRows: (state, rows) => ({ prefixes: rows.map((r) => state.prefixes[r] as number[]) }),
    disposeState: () => {},
  };
  return { model, restart, dispose: () => tf.dispose([...Object.values(params), table, out]) };
}

describeBackends('decoding a cell with a rank-3 carry', () => {
  checkLeaks();

  describe('recurrentStepModel', () => {
    it('should keep the rank-3 carry of a row whose prompt has ended while longer rows go on', () => {
      const lm = matrixMemoryModel(1);
      const both = lm.model.start([[1, 2, 3, 4], [2]]);
      const alone = lm.model.start([[2]]);
      expect(both.state.C.shape).toEqual([2, D, D]);
      const row = tf.slice(both.state.C, 1, 1);
      expectClose(row, alone.state.C, { rtol: 1e-6, atol: 1e-7 });
      const rowLogProbs = tf.slice(both.logProbs, 1, 1);
      expectClose(rowLogProbs, alone.logProbs, { rtol: 1e-6, atol: 1e-7 });
      tf.dispose([row, rowLogProbs, both.logProbs, alone.logProbs]);
      lm.model.disposeState(both.state);
      lm.model.disposeState(alone.state);
      lm.dispose();
    });

    it('should reorder and duplicate the rows of the rank-3 entry in selectRows', () => {
      const lm = matrixMemoryModel(2);
      const start = lm.model.start([[1], [2, 3], [4, 4, 1]]);
      const picked = lm.model.selectRows(start.state, [2, 0, 2]);
      const expected = tf.tidy(() => tf.gather(start.state.C, [2, 0, 2]));
      expect(picked.C.shape).toEqual([3, D, D]);
      expectClose(picked.C, expected, { rtol: 0, atol: 0 });
      tf.dispose([expected, start.logProbs]);
      for (const s of [start.state, picked] as MatrixMemoryCarry[]) lm.model.disposeState(s);
      lm.dispose();
    });
  });

  describe('beamSearch', () => {
    it('should find what a model rerun from scratch finds, so beams carry their own rank-3 state', () => {
      const lm = matrixMemoryModel(3);
      const options = { beamWidth: 3, maxLength: 5, endToken: 0, nBest: 3 };
      const prompts = [[1, 2], [3], [4, 1, 2]];
      const incremental = beamSearch(lm.model, prompts, options);
      const rerun = beamSearch(lm.restart, prompts, options);
      expect(incremental.map((hs) => hs.map((h) => h.tokens))).toEqual(rerun.map((hs) => hs.map((h) => h.tokens)));
      expectClose(
        incremental.flatMap((hs) => hs.map((h) => h.score)),
        rerun.flatMap((hs) => hs.map((h) => h.score)),
        { rtol: 1e-5, atol: 1e-6 },
      );
      lm.dispose();
    });
  });
});
