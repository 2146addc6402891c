import { RecurError, Rng } from '@recur/core';
import { recurrentStepModel } from '@recur/decode';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TinyLanguageModel, tinyElman, tinyLanguageModel } from './helpers/tiny-rnn.js';

const TOL = { rtol: 1e-5, atol: 1e-6 };

describeBackends('recurrentStepModel', () => {
  checkLeaks();
  let lm: TinyLanguageModel;
  beforeAll(() => {
    lm = tinyLanguageModel(11);
  });
  afterAll(() => lm.dispose());

  const rowsOf = (t: tf.Tensor) => t.arraySync() as number[][];

  describe('start', () => {
    it('should start prompts of different lengths as each would start alone', () => {
      const prompts = [[1], [2, 3, 4], [5, 5]];
      const batch = lm.model.start(prompts);
      prompts.forEach((p, i) => {
        const alone = lm.model.start([p]);
        expectClose(rowsOf(batch.logProbs)[i] as number[], rowsOf(alone.logProbs)[0] as number[], TOL);
        expectClose(rowsOf(batch.state.h)[i] as number[], rowsOf(alone.state.h)[0] as number[], TOL);
        alone.logProbs.dispose();
        lm.model.disposeState(alone.state);
      });
      batch.logProbs.dispose();
      lm.model.disposeState(batch.state);
    });

    it('should give log-probabilities that sum to one', () => {
      const { logProbs, state } = lm.model.start([[1, 2]]);
      const total = tf.tidy(() => tf.sum(tf.exp(logProbs)));
      expectClose(total, 1, TOL);
      tf.dispose([total, logProbs]);
      lm.model.disposeState(state);
    });
  });

  describe('step', () => {
    it('should continue from the carry exactly as starting from the longer prompt', () => {
      const started = lm.model.start([
        [1, 2],
        [3, 4, 5],
      ]);
      const stepped = lm.model.step([0, 2], started.state);
      const direct = lm.model.start([
        [1, 2, 0],
        [3, 4, 5, 2],
      ]);
      expectClose(stepped.logProbs, direct.logProbs, TOL);
      expectClose(stepped.state.h, direct.state.h, TOL);
      tf.dispose([started.logProbs, stepped.logProbs, direct.logProbs]);
      for (const s of [started.state, stepped.state, direct.state]) lm.model.disposeState(s);
    });

    it('should accept the tokens as a tensor', () => {
      const started = lm.model.start([[1], [2]]);
      const ids = tf.tensor1d([3, 4], 'int32');
      const fromTensor = lm.model.step(ids, started.state);
      const fromArray = lm.model.step([3, 4], started.state);
      expectClose(fromTensor.logProbs, fromArray.logProbs, TOL);
      tf.dispose([ids, started.logProbs, fromTensor.logProbs, fromArray.logProbs]);
      for (const s of [started.state, fromTensor.state, fromArray.state]) lm.model.disposeState(s);
    });

    it('should hand back its own copy of a carry tensor the cell passes through', () => {
      const frozen = recurrentStepModel<{ h: tf.Tensor2D }>({
        vocabSize: 3,
        params: {},
        embed: (tokens) => tf.oneHot(tokens, 3) as tf.Tensor2D,
        cellStep: (_p, carry, x) => ({ carry, y: tf.add(carry.h, x) as tf.Tensor2D }),
        project: (y) => tf.mul(y, 1) as tf.Tensor2D,
        initCarry: (batch) => ({ h: tf.ones([batch, 3]) }),
      });
      const started = frozen.start([[1]]);
      const stepped = frozen.step([2], started.state);
      frozen.disposeState(started.state);
      expectClose(stepped.state.h, [1, 1, 1]);
      tf.dispose(started.logProbs);
      tf.dispose(stepped.logProbs);
      frozen.disposeState(stepped.state);
    });
  });

  describe('selectRows', () => {
    it('should reorder and repeat rows', () => {
      const { logProbs, state } = lm.model.start([[1], [2], [3]]);
      const picked = lm.model.selectRows(state, [2, 0, 0]);
      const h = rowsOf(state.h);
      expectClose(picked.h, [h[2], h[0], h[0]].flat() as number[]);
      logProbs.dispose();
      lm.model.disposeState(state);
      lm.model.disposeState(picked);
    });
  });

  describe('errors', () => {
    it('should reject an empty prompt and a bad token before computing anything', () => {
      expect(() => lm.model.start([[1], []])).toThrow(/prompts\[1\]: expected at least one token id, received \[\]/);
      expect(() => lm.model.start([[1, 6]])).toThrow(
        /prompts\[0\]\[1\]: expected an integer token id in \[0, 6\), received 6/,
      );
    });

    it('should reject tokens that do not match the state batch', () => {
      const { logProbs, state } = lm.model.start([[1], [2]]);
      expect(() => lm.model.step([1], state)).toThrow(/tokens: expected an array of 2 token ids/);
      expect(() => lm.model.step([1, -1], state)).toThrow(/tokens\[1\]/);
      expect(() => lm.model.selectRows(state, [0, 2])).toThrow(
        /rows\[1\]: expected an integer row index in \[0, 2\), received 2/,
      );
      logProbs.dispose();
      lm.model.disposeState(state);
    });

    it('should report projections and embeddings of the wrong shape, leaking nothing', () => {
      const cell = tinyElman(2, 3);
      const params = cell.init(new Rng(1));
      const base = {
        vocabSize: 4,
        params,
        embed: (tokens: tf.Tensor1D) => tf.oneHot(tokens, 2) as tf.Tensor2D,
        cellStep: cell.step,
        project: (y: tf.Tensor2D) => tf.concat([y, y], 1),
        initCarry: cell.initCarry,
      };
      const badProject = recurrentStepModel(base);
      const badEmbed = recurrentStepModel({
        ...base,
        embed: (tokens) => tf.reshape(tf.oneHot(tokens, 2), [-1]) as never,
      });
      expect(() => badProject.start([[1, 1]])).toThrow(
        /config.project\(y\): expected shape \[1, 4\], received a tensor of shape \[1, 6\]/,
      );
      expect(() => badEmbed.start([[1]])).toThrow(RecurError);
      tf.dispose(Object.values(params));
    });

    it('should reject a config without its functions', () => {
      expect(() => recurrentStepModel({ vocabSize: 3 } as never)).toThrow(/config.embed: expected a function/);
      expect(() => recurrentStepModel({ vocabSize: 0 } as never)).toThrow(
        /config.vocabSize: expected a positive integer/,
      );
    });
  });
});
