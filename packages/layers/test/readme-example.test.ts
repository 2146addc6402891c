import { gru, lstm } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bidirectional, dense, embedding, recurrent, stacked } from '../src/index.js';

describeBackends('README example', () => {
  checkLeaks();

  describe('stacked text classifier', () => {
    it('should run for inference and for training, its masks flowing from the embedding', () => {
      const model = stacked([
        embedding({ vocabSize: 1000, dim: 32, paddingId: 0 }),
        bidirectional(
          recurrent(lstm({ inputSize: 32, units: 64 }), { returnSequences: true, dropout: 0.2, recurrentDropout: 0.2 }),
        ),
        recurrent(gru({ inputSize: 128, units: 64 }), { zoneout: 0.1 }),
        dense({ inputSize: 64, units: 5, activation: 'linear' }),
      ]);
      const params = model.init(new Rng(42));
      const ids = tf.tensor2d(
        [
          [5, 8, 2, 0, 0],
          [7, 1, 9, 4, 3],
        ],
        [2, 5],
        'int32',
      );
      const inference = model.apply(params, ids);
      const train = model.apply(params, ids, { training: true, rng: new Rng(7) });
      expect(inference.output.shape).toEqual([2, 5]);
      expect(train.output.shape).toEqual([2, 5]);
      expect(Array.from(train.output.dataSync())).not.toEqual(Array.from(inference.output.dataSync()));
      expect(inference.mask).toBeUndefined();
      tf.dispose([params as never, ids, inference.output, train.output]);
    });
  });
});
