import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import { accuracy, mae, rmse } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const scalar = (t: tf.Scalar) => {
  const v = t.dataSync()[0] as number;
  t.dispose();
  return v;
};

describeBackends('metrics on tensors', () => {
  checkLeaks();

  describe('accuracy', () => {
    it('should agree with the array form, on ids and on the argmax of class scores, with and without a mask', () => {
      const row = fc.record({
        predicted: fc.integer({ min: 0, max: 3 }),
        label: fc.integer({ min: 0, max: 3 }),
        keep: fc.boolean(),
      });
      fc.assert(
        fc.property(fc.array(row, { minLength: 1, maxLength: 12 }), (rows) => {
          const predicted = rows.map((r) => r.predicted);
          const labels = rows.map((r) => r.label);
          const mask = rows.map((r) => (r.keep ? 1 : 0));
          const want = accuracy(predicted, labels);
          const wantMasked = accuracy(predicted, labels, { mask });
          const [ids, truth, m] = [tf.tensor1d(predicted, 'int32'), tf.tensor1d(labels, 'int32'), tf.tensor1d(mask)];
          // One-hot scores put the maximum on the predicted class.
          const scores = tf.oneHot(ids, 4);
          expectClose(scalar(accuracy(ids, truth)), want, { atol: 1e-6 });
          expectClose(scalar(accuracy(scores, truth)), want, { atol: 1e-6 });
          expectClose(scalar(accuracy(scores, truth, { mask: m })), wantMasked, { atol: 1e-6 });
          tf.dispose([ids, truth, m, scores]);
        }),
        { numRuns: 40 },
      );
    });

    it('should refuse labels of another shape and a mask that is not a tensor, naming them', () => {
      const scores = tf.zeros([2, 3, 4]);
      const labels = tf.zeros([2, 4], 'int32');
      expect(() => accuracy(scores, labels)).toThrow(/accuracy: labels: expected shape \[2, 3\]/);
      const ok = tf.zeros([2, 3], 'int32');
      // biome-ignore lint/suspicious/noExplicitAny: an array mask beside tensors, on purpose
      expect(() => accuracy(scores, ok, { mask: [1, 0] } as any)).toThrow(/accuracy: options\.mask: expected a tensor/);
      tf.dispose([scores, labels, ok]);
    });
  });

  describe('mae and rmse', () => {
    it('should agree with the array forms, and weigh a feature-less mask over every feature', () => {
      const p = [1, 4, -2, 0.5, 3, 3];
      const y = [2, 2, -2, 1, 0, 3];
      const [pt, yt] = [tf.tensor2d(p, [3, 2]), tf.tensor2d(y, [3, 2])];
      expectClose(scalar(mae(pt, yt)), mae(p, y), { atol: 1e-6 });
      expectClose(scalar(rmse(pt, yt)), rmse(p, y), { atol: 1e-6 });
      const mask = tf.tensor1d([1, 0, 1]);
      expectClose(scalar(mae(pt, yt, { mask })), mae([1, 4, 3, 3], [2, 2, 0, 3]), { atol: 1e-6 });
      tf.dispose([pt, yt, mask]);
    });
  });
});
