import { type Carry, RecurError, Rng, scan } from '@recur/core';
import { checkLeaks, describeBackends, expectClose, type MatrixMemoryCarry, matrixMemoryCell } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bidirectional, recurrent, seq2seq, stacked } from '../src/index.js';
import { maskFromRanges, randomTensor } from './helpers/oracle.js';
import { paddedSources, TARGET_IN } from './helpers/seq2seq-fixture.js';

const I = 3;
const D = 4;
const tol = { rtol: 1e-5, atol: 1e-6 };
const cell = matrixMemoryCell(I, D);

/** A random state of `cell` for `batch` rows, rank-3 entry included. The caller owns it. */
const randomState = (batch: number, seed: number): MatrixMemoryCarry => ({
  C: randomTensor<tf.Rank.R3>([batch, D, D], seed, 0.5),
  h: randomTensor<tf.Rank.R2>([batch, D], seed + 1, 0.5),
});

function expectSameState(actual: unknown, expected: Carry | undefined): void {
  for (const key of ['C', 'h']) {
    expectClose((actual as Carry)[key] as tf.Tensor, expected?.[key] as tf.Tensor, tol);
  }
}

describeBackends('layers over a cell with a rank-3 carry (only step)', () => {
  checkLeaks();
  const ranges = [
    [1, 5],
    [0, 3],
    [2, 4],
  ] as const;

  describe('bidirectional', () => {
    it('should equal a forward scan and a backward scan in input order, each from its rank-3 initial state', () => {
      const layer = bidirectional(recurrent(cell, { returnSequences: true, returnState: true }));
      const params = layer.init(new Rng(1));
      const x = randomTensor<tf.Rank.R3>([3, 5, I], 2);
      const mask = maskFromRanges(ranges, 5);
      const initialState = { forward: randomState(3, 3), backward: randomState(3, 5) };
      const result = layer.apply(params, x, { mask, initialState });
      const common = { mask, maskedOutput: 'zeros' as const };
      const f = scan(cell, params.forward, x, { ...common, initialState: initialState.forward });
      const b = scan(cell, params.backward, x, {
        ...common,
        initialState: initialState.backward,
        reverse: true,
        keepOrder: true,
      });
      const expected = tf.concat([f.outputs, b.outputs], -1);
      expectClose(result.output as tf.Tensor, expected, tol);
      expect(result.state?.forward.C?.shape).toEqual([3, D, D]);
      expectSameState(result.state?.forward, f.state);
      expectSameState(result.state?.backward, b.state);
      tf.dispose([params, x, mask, initialState, result, f, b, expected] as tf.TensorContainer[]);
    });
  });

  describe('stacked', () => {
    it('should equal scanning the two layers by hand, mask and rank-3 states passed along', () => {
      const second = matrixMemoryCell(D, D);
      const model = stacked([
        recurrent(cell, { returnSequences: true, returnState: true }),
        recurrent(second, { returnState: true }),
      ]);
      const params = model.init(new Rng(7));
      const x = randomTensor<tf.Rank.R3>([3, 5, I], 8);
      const mask = maskFromRanges(ranges, 5);
      const initialState = [randomState(3, 9), randomState(3, 11)] as const;
      const result = model.apply(params, x, { mask, initialState });
      const one = scan(cell, params[0], x, { mask, initialState: initialState[0] });
      const two = scan(second, params[1], one.outputs as tf.Tensor3D, {
        mask,
        initialState: initialState[1],
        returnSequences: false,
      });
      expectClose(result.output as tf.Tensor, two.outputs, tol);
      const [s1, s2] = result.state as unknown as [Carry, Carry];
      expect(s2.C?.shape).toEqual([3, D, D]);
      expectSameState(s1, one.state);
      expectSameState(s2, two.state);
      tf.dispose([params, x, mask, initialState, result, one, two] as tf.TensorContainer[]);
    });
  });

  describe('seq2seq', () => {
    it("should bridge a bidirectional encoder's rank-3 state to the decoder's, flattened and reshaped", () => {
      const model = seq2seq({
        sourceVocabSize: 9,
        targetVocabSize: 7,
        sourceEmbeddingDim: 4,
        targetEmbeddingDim: 3,
        encoder: [bidirectional(recurrent(matrixMemoryCell(4, 3), { returnSequences: true }))],
        decoder: matrixMemoryCell(3 + 7, 5),
        attention: 'additive',
        attentionalSize: 7,
      });
      const params = model.init(new Rng(1));
      // C: both directions' [3, 3] flattened (18) to the decoder's [5, 5] (25); h: 6 to 5.
      expect(params.bridge.C?.kernel.shape).toEqual([18, 25]);
      expect(params.bridge.h?.kernel.shape).toEqual([6, 5]);
      const { source, sourceLengths } = paddedSources();
      const targetIn = tf.tensor2d(TARGET_IN, [3, 5], 'int32');
      const out = model.apply(params, { source, sourceLengths, targetIn });
      expect(out.logits.shape).toEqual([3, 5, 7]);
      expect(Array.from(out.logits.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([params, source, targetIn, out] as unknown as tf.TensorContainer[]);
    });
  });

  describe('with a disposed tensor', () => {
    it.each([
      ['input', /^input: expected a float32 tensor of shape \[batch, time, 3\], received a disposed tensor/],
      ['options.mask', /^options\.mask: expected a \[batch, time\] tensor, received a disposed tensor/],
      [
        'options.initialState.C',
        /^options\.initialState\.C: expected .*received a disposed tensor of shape \[2, 4, 4\]$/,
      ],
    ])('should name %s in a RecurError', (argument, message) => {
      const layer = recurrent(cell, { returnState: true });
      const params = layer.init(new Rng(1));
      const x = randomTensor<tf.Rank.R3>([2, 3, I], 2);
      const mask = tf.ones([2, 3]) as tf.Tensor2D;
      const initialState = randomState(2, 3);
      const gone = { input: x, 'options.mask': mask, 'options.initialState.C': initialState.C }[argument] as tf.Tensor;
      gone.dispose();
      let error: unknown;
      try {
        layer.apply(params, x, { mask, initialState });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RecurError);
      expect((error as RecurError).message).toMatch(message);
      tf.dispose([params, x, mask, initialState] as tf.TensorContainer[]);
    });

    it('should name the direction of a disposed bidirectional initial state', () => {
      const layer = bidirectional(recurrent(cell));
      const params = layer.init(new Rng(1));
      const x = randomTensor<tf.Rank.R3>([2, 3, I], 2);
      const initialState = { forward: randomState(2, 3), backward: randomState(2, 5) };
      initialState.backward.C.dispose();
      expect(() => layer.apply(params, x, { initialState })).toThrow(
        /^options\.initialState\.backward\.C: expected .*received a disposed tensor of shape \[2, 4, 4\]$/,
      );
      tf.dispose([params, x, initialState] as tf.TensorContainer[]);
    });
  });
});
