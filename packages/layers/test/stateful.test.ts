import { elman, gru, lstm } from '@recur/cells';
import { type Cell, Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { embedding, recurrent, stacked } from '../src/index.js';
import { maskFromRanges, randomTensor } from './helpers/oracle.js';

const [B, T, I, H] = [3, 6, 3, 4];

const CELLS: readonly [string, () => Cell][] = [
  ['SimpleRNN', () => elman({ inputSize: I, units: H })],
  ['LSTM', () => lstm({ inputSize: I, units: H })],
  ['GRU', () => gru({ inputSize: I, units: H })],
];

const half = (t: tf.Tensor, start: number) => tf.slice(t, [0, start], [-1, T / 2]);

describeBackends('stateful use', () => {
  checkLeaks();

  describe.each(CELLS)('recurrent %s', (_name, cell) => {
    it('should give in two halves, the final state passed back in, what one run over the whole sequence gives', () => {
      const layer = recurrent(cell(), { returnSequences: true, returnState: true });
      const params = layer.init(new Rng(1));
      const x = randomTensor<tf.Rank.R3>([B, T, I], 2);
      tf.tidy(() => {
        const whole = layer.apply(params, x);
        const first = layer.apply(params, half(x, 0) as tf.Tensor3D);
        const second = layer.apply(params, half(x, T / 2) as tf.Tensor3D, { initialState: first.state });
        expectClose(tf.concat([first.output, second.output], 1), whole.output, { rtol: 1e-6, atol: 1e-6 });
        for (const key of Object.keys(whole.state ?? {})) {
          expectClose(second.state?.[key] as tf.Tensor, whole.state?.[key] as tf.Tensor, { rtol: 1e-6, atol: 1e-6 });
        }
      });
      tf.dispose([params, x]);
    });

    it('should keep the state across a padded boundary: padding that spans both halves changes nothing', () => {
      const layer = recurrent(cell(), { returnState: true });
      const params = layer.init(new Rng(1));
      const x = randomTensor<tf.Rank.R3>([B, T, I], 3);
      const mask = maskFromRanges(
        [
          [0, 6],
          [0, 2],
          [0, 4],
        ],
        T,
      );
      tf.tidy(() => {
        const whole = layer.apply(params, x, { mask });
        const first = layer.apply(params, half(x, 0) as tf.Tensor3D, { mask: half(mask, 0) as tf.Tensor2D });
        const second = layer.apply(params, half(x, T / 2) as tf.Tensor3D, {
          mask: half(mask, T / 2) as tf.Tensor2D,
          initialState: first.state,
        });
        for (const key of Object.keys(whole.state ?? {})) {
          expectClose(second.state?.[key] as tf.Tensor, whole.state?.[key] as tf.Tensor, { rtol: 1e-6, atol: 1e-6 });
        }
      });
      tf.dispose([params, x, mask]);
    });

    it('should start from zeroState(batch) exactly as from no initial state (resetStates)', () => {
      const layer = recurrent(cell(), { returnSequences: true, returnState: true });
      const params = layer.init(new Rng(4));
      const x = randomTensor<tf.Rank.R3>([B, T, I], 5);
      tf.tidy(() => {
        const zero = layer.zeroState(B);
        for (const value of Object.values(zero)) {
          expect(value.shape).toEqual([B, H]);
          expect(tf.max(tf.abs(value)).dataSync()[0]).toBe(0);
        }
        const fresh = layer.apply(params, x);
        const reset = layer.apply(params, x, { initialState: zero });
        expect(Array.from(reset.output.dataSync())).toEqual(Array.from(fresh.output.dataSync()));
      });
      tf.dispose([params, x]);
    });
  });

  describe('stacked', () => {
    // maskedOutput 'zeros': 'previous' repeats the last real output of the current call,
    // which is not part of the state, so a chunk that starts padded emits zeros there.
    it('should carry every layer’s state from one half to the next', () => {
      const options = { returnSequences: true, returnState: true, maskedOutput: 'zeros' } as const;
      const model = stacked([
        embedding({ vocabSize: 9, dim: I, paddingId: 0 }),
        recurrent(lstm({ inputSize: I, units: H }), options),
        recurrent(gru({ inputSize: H, units: 2 }), options),
      ]);
      const params = model.init(new Rng(6));
      const ids = tf.tensor2d(
        [
          [1, 2, 3, 4, 5, 6],
          [7, 8, 1, 0, 0, 0],
          [2, 2, 2, 2, 0, 0],
        ],
        [B, T],
        'int32',
      );
      tf.tidy(() => {
        const whole = model.apply(params, ids);
        const first = model.apply(params, half(ids, 0));
        const second = model.apply(params, half(ids, T / 2), { initialState: first.state });
        expectClose(tf.concat([first.output, second.output], 1), whole.output, { rtol: 1e-6, atol: 1e-6 });
        expect(second.state?.[0]).toBeUndefined();
        expectClose(second.state?.[1]?.c as tf.Tensor, whole.state?.[1]?.c as tf.Tensor, { rtol: 1e-6, atol: 1e-6 });
        expectClose(second.state?.[2]?.h as tf.Tensor, whole.state?.[2]?.h as tf.Tensor, { rtol: 1e-6, atol: 1e-6 });
        const zero = model.zeroState(B);
        expect(zero[0]).toBeUndefined();
        expect(zero[1]?.c.shape).toEqual([B, H]);
      });
      tf.dispose([params as never, ids]);
    });
  });
});
