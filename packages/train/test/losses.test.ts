import { RecurError, runKernel, softmaxCrossEntropy as softmaxCrossEntropyKernel } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import { binaryCrossEntropy, huber, meanAbsoluteError, meanSquaredError, softmaxCrossEntropy } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';

const logSoftmax = (row: number[]) => {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
  return row.map((x) => x - lse);
};

describeBackends('losses', () => {
  checkLeaks();

  describe('softmaxCrossEntropy', () => {
    it('should equal the mean of −log softmax at the label', () => {
      const logits = [
        [
          [2, 0.5, -1],
          [0, 0, 0],
        ],
        [
          [10, -10, 0],
          [1, 2, 3],
        ],
      ];
      const labels = [
        [0, 2],
        [1, 2],
      ];
      const picked = [
        logSoftmax([2, 0.5, -1])[0],
        logSoftmax([0, 0, 0])[2],
        logSoftmax([10, -10, 0])[1],
        logSoftmax([1, 2, 3])[2],
      ] as number[];
      const expected = -picked.reduce((a, b) => a + b, 0) / 4;
      const loss = tf.tidy(() => softmaxCrossEntropy(tf.tensor3d(logits), tf.tensor2d(labels, undefined, 'int32')));
      expectClose(loss, expected, { rtol: 1e-5 });
      loss.dispose();
    });

    it('should let padded positions count for nothing', () => {
      const loss = tf.tidy(() => {
        const logits = tf.tensor3d([
          [
            [2, 0.5, -1],
            [100, -100, 0],
          ],
        ]);
        const labels = tf.tensor2d([[0, 1]], undefined, 'int32');
        return softmaxCrossEntropy(logits, labels, { mask: tf.tensor2d([[1, 0]]) });
      });
      expectClose(loss, -(logSoftmax([2, 0.5, -1])[0] as number), { rtol: 1e-5 });
      loss.dispose();
    });

    it('should give 0, not NaN, when everything is padding', () => {
      const loss = tf.tidy(() =>
        softmaxCrossEntropy(tf.ones([1, 2, 3]), tf.zeros([1, 2], 'int32'), { mask: tf.zeros([1, 2]) }),
      );
      expect(loss.dataSync()[0]).toBe(0);
      loss.dispose();
    });

    it("should give one position's loss and gradient to the bit as tfjs' mean does, without its kernel", () => {
      const logits = tf.tensor2d([[0.3, -1.7, 2.9, 0.4]]);
      const labels = tf.tensor1d([2], 'int32');
      const kernels = vi.spyOn(tf.engine(), 'runKernel');
      const ours = tf.valueAndGrad((l: tf.Tensor) => softmaxCrossEntropy(l, labels))(logits);
      const names = kernels.mock.calls.map(([name]) => name);
      kernels.mockRestore();
      expect(names).not.toContain('Mean');
      const viaMean = tf.valueAndGrad(
        (l: tf.Tensor) => tf.mean(runKernel(softmaxCrossEntropyKernel, { logits: l, labels }, {}).losses) as tf.Scalar,
      )(logits);
      expect(ours.value.dataSync()).toEqual(viaMean.value.dataSync());
      expect(ours.grad.dataSync()).toEqual(viaMean.grad.dataSync());
      tf.dispose([logits, labels, ours, viaMean]);
    });

    it('should stay finite for huge logits', () => {
      const loss = tf.tidy(() => softmaxCrossEntropy(tf.tensor2d([[1e4, -1e4]]), tf.tensor1d([1], 'int32')));
      expectClose(loss, 2e4, { rtol: 1e-5 });
      loss.dispose();
    });
  });

  describe('softmaxCrossEntropy against its former formulation', () => {
    /** What softmaxCrossEntropy computed before its fused kernel: log-softmax, one-hot, pick, masked mean. */
    function former(logits: tf.Tensor, labels: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
      const classes = logits.shape[logits.rank - 1] as number;
      const logp = tf.logSoftmax(logits);
      const onehot = tf.oneHot(tf.reshape(labels, [-1]), classes);
      const picked = tf.reshape(tf.sum(tf.mul(tf.reshape(logp, [-1, classes]), onehot), -1), labels.shape);
      const perPosition = tf.neg(picked);
      if (mask === undefined) return tf.mean(perPosition) as tf.Scalar;
      return tf.div(tf.sum(tf.mul(perPosition, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    }

    const cases: [string, number[], number, boolean][] = [
      ['rank 2', [6, 5], 3, false],
      ['rank 3 with a mask', [3, 4, 7], 3, true],
      ['large logits (±80), masked', [2, 5, 6], 80, true],
      ['large logits (±80), rank 2', [8, 4], 80, false],
    ];
    for (const [name, shape, spread, masked] of cases) {
      it(`should give the same loss and gradient within 1e-6 (${name}, a label at every class)`, () => {
        const classes = shape[shape.length - 1] as number;
        const lead = shape.slice(0, -1);
        const size = lead.reduce((a, b) => a * b, 1);
        const logits = tf.randomUniform(shape, -spread, spread, 'float32', size);
        const labels = tf.tensor(
          Array.from({ length: size }, (_, i) => i % classes),
          lead,
          'int32',
        );
        const mask = masked
          ? tf.tensor(
              Array.from({ length: size }, (_, i) => (i % 3 === 1 ? 0 : 1)),
              lead,
            )
          : undefined;
        const options = mask === undefined ? {} : { mask };
        const [value, grad] = tf.tidy(() => {
          const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => softmaxCrossEntropy(x, labels, options))(logits);
          return [value, grad];
        });
        const [formerValue, formerGrad] = tf.tidy(() => {
          const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => former(x, labels, mask))(logits);
          return [value, grad];
        });
        expectClose(value, formerValue, { rtol: 1e-6, atol: 0 });
        expectClose(grad, formerGrad, { rtol: 1e-6, atol: 1e-9 });
        if (tf.getBackend() === 'cpu') {
          // Bit for bit, but for the sign of zero at padded positions.
          const unsigned = (t: tf.Tensor) => Array.from(t.dataSync(), (x) => (x === 0 ? 0 : x));
          expect(value.dataSync()[0]).toBe(formerValue.dataSync()[0]);
          expect(unsigned(grad)).toEqual(unsigned(formerGrad));
        }
        tf.dispose([logits, labels, value, grad, formerValue, formerGrad, ...(mask === undefined ? [] : [mask])]);
      });
    }
  });

  describe('binaryCrossEntropy', () => {
    it('should agree between logits and probabilities', () => {
      const [a, b] = tf.tidy(() => {
        const x = tf.tensor1d([-3, -0.5, 0, 2, 7]);
        const z = tf.tensor1d([0, 1, 1, 0, 1]);
        return [binaryCrossEntropy(x, z), binaryCrossEntropy(tf.sigmoid(x), z, { fromLogits: false })];
      });
      const xs = [-3, -0.5, 0, 2, 7];
      const zs = [0, 1, 1, 0, 1];
      const expected =
        xs.reduce((s, x, i) => {
          const p = 1 / (1 + Math.exp(-x));
          const z = zs[i] as number;
          return s - (z * Math.log(p) + (1 - z) * Math.log(1 - p));
        }, 0) / xs.length;
      expectClose(a as tf.Tensor, expected, { rtol: 1e-5 });
      expectClose(b as tf.Tensor, expected, { rtol: 1e-4 });
      tf.dispose([a as tf.Tensor, b as tf.Tensor]);
    });
  });

  describe('regression losses', () => {
    it('should compute MSE, MAE and Huber as their formulas', () => {
      const p = [0.5, -1, 3, 2];
      const t = [0, 1, 0.5, 2];
      const [mse, maeLoss, hub] = tf.tidy(() => {
        const pt = tf.tensor1d(p);
        const tt = tf.tensor1d(t);
        return [meanSquaredError(pt, tt), meanAbsoluteError(pt, tt), huber(pt, tt, { delta: 1 })];
      });
      const d = p.map((x, i) => x - (t[i] as number));
      expectClose(mse as tf.Tensor, d.reduce((s, x) => s + x * x, 0) / 4);
      expectClose(maeLoss as tf.Tensor, d.reduce((s, x) => s + Math.abs(x), 0) / 4);
      const h = d.map((x) => (Math.abs(x) <= 1 ? 0.5 * x * x : Math.abs(x) - 0.5));
      expectClose(hub as tf.Tensor, h.reduce((s, x) => s + x, 0) / 4);
      tf.dispose([mse as tf.Tensor, maeLoss as tf.Tensor, hub as tf.Tensor]);
    });

    it('should apply a [batch, time] mask to [batch, time, features] targets', () => {
      const loss = tf.tidy(() =>
        meanSquaredError(
          tf.tensor3d([
            [
              [1, 1],
              [5, 5],
            ],
          ]),
          tf.zeros([1, 2, 2]),
          { mask: tf.tensor2d([[1, 0]]) },
        ),
      );
      expectClose(loss, 1);
      loss.dispose();
    });
  });
});

describe('losses with bad input', () => {
  it('should name the argument and both shapes', () => {
    const logits = tf.zeros([2, 3, 4]);
    const labels = tf.zeros([2, 4], 'int32');
    expect(() => softmaxCrossEntropy(logits, labels)).toThrow(RecurError);
    expect(() => softmaxCrossEntropy(logits, labels)).toThrow(
      /labels: expected shape \[2, 3\] \(logits without the class axis\), received a tensor of shape \[2, 4\]/,
    );
    expect(() => meanSquaredError(logits, labels)).toThrow(/meanSquaredError: targets: expected shape \[2, 3, 4\]/);
    tf.dispose([logits, labels]);
  });

  it('should refuse labels out of range with a RecurError, leaking nothing, and cast float class ids', () => {
    const before = tf.memory().numTensors;
    const logits = tf.tensor2d([
      [2, 0.5, -1],
      [0, 1, 3],
    ]);
    const outOfRange = tf.tensor1d([0, 3], 'int32');
    const floatOutOfRange = tf.tensor1d([-1, 0]);
    expect(() => softmaxCrossEntropy(logits, outOfRange)).toThrow(RecurError);
    expect(() => softmaxCrossEntropy(logits, outOfRange)).toThrow(/expected a class id in \[0, 3\), received 3/);
    expect(() => softmaxCrossEntropy(logits, floatOutOfRange)).toThrow(/expected a class id in \[0, 3\), received -1/);
    expect(tf.memory().numTensors).toBe(before + 3);
    // Float ids, as Keras' sparse labels often come, give the int32 ids' loss (as before the fused kernel).
    const [floats, ints] = [tf.tensor1d([0, 2]), tf.tensor1d([0, 2], 'int32')];
    const [a, b] = [softmaxCrossEntropy(logits, floats), softmaxCrossEntropy(logits, ints)];
    expect(a.dataSync()[0]).toBe(b.dataSync()[0]);
    tf.dispose([logits, outOfRange, floatOutOfRange, floats, ints, a, b]);
  });
});
