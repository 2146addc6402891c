import { gru } from '@recur/cells';
import { RecurError, Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import { fit, type SequenceBatch, type TrainableModel } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { dense, recurrent, stacked, type TdnnConfig, tdnn } from '../src/index.js';
import { maskFromRanges, randomTensor } from './helpers/oracle.js';

const tol = { rtol: 1e-5, atol: 1e-5 };

/**
 * The time-delay convolution written out in float64: for each kept frame t, the spliced
 * frames x_{t+o} (zero outside [0, length) of the row) times W, plus b, through relu.
 */
function tdnnRef(
  x: number[][][],
  lengths: readonly number[],
  offsets: readonly number[],
  kernel: number[][],
  bias: number[],
  frames: readonly number[],
): number[][][] {
  const features = (x[0]![0] as number[]).length;
  return x.map((row, b) =>
    frames.map((t) =>
      bias.map((bj, j) => {
        let sum = bj;
        offsets.forEach((o, k) => {
          const s = t + o;
          if (s < 0 || s >= lengths[b]!) return;
          for (let i = 0; i < features; i++) sum += row[s]![i]! * kernel[k * features + i]![j]!;
        });
        return Math.max(0, sum);
      }),
    ),
  );
}

describeBackends('tdnn', () => {
  checkLeaks();

  const cases: {
    name: string;
    config: Omit<TdnnConfig, 'inputSize' | 'units'>;
    offsets: number[];
    frames: number[];
  }[] = [
    {
      name: 'range [−2, 2]',
      config: { context: { kind: 'range', from: -2, to: 2 } },
      offsets: [-2, -1, 0, 1, 2],
      frames: [0, 1, 2, 3, 4, 5, 6],
    },
    {
      name: 'set {−3, 0, 3}',
      config: { context: { kind: 'offsets', offsets: [3, -3, 0] } },
      offsets: [-3, 0, 3],
      frames: [0, 1, 2, 3, 4, 5, 6],
    },
    {
      name: 'range [−1, 1] dilated by 2',
      config: { context: { kind: 'range', from: -1, to: 1 }, dilation: 2 },
      offsets: [-2, 0, 2],
      frames: [0, 1, 2, 3, 4, 5, 6],
    },
    {
      name: 'causal [−2, 0], stride 3',
      config: { context: { kind: 'range', from: -2, to: 0 }, stride: 3 },
      offsets: [-2, -1, 0],
      frames: [0, 3, 6],
    },
    {
      name: 'valid {−1, 2}, stride 2',
      config: { context: { kind: 'offsets', offsets: [-1, 2] }, padding: 'valid', stride: 2 },
      offsets: [-1, 2],
      frames: [1, 3],
    },
  ];

  describe('apply', () => {
    it.each(cases)('should equal a float64 time-delay convolution: $name', ({ config, offsets, frames }) => {
      const layer = tdnn({ inputSize: 3, units: 2, ...config });
      expect(layer.offsets).toEqual(offsets);
      const kernel = randomTensor<tf.Rank.R2>([offsets.length * 3, 2], 1);
      const bias = randomTensor<tf.Rank.R1>([2], 2, 0.3);
      const x = randomTensor<tf.Rank.R3>([2, 7, 3], 3);
      const out = layer.apply({ kernel, bias }, x);
      const expected = tdnnRef(x.arraySync(), [7, 7], offsets, kernel.arraySync(), bias.arraySync(), frames);
      expect(out.output.shape).toEqual([2, frames.length, 2]);
      expectClose(out.output, expected.flat(2), tol);
      tf.dispose([kernel, bias, x, out] as tf.TensorContainer[]);
    });

    it('should treat padded frames as outside the sequence and subsample the mask with the frames', () => {
      const layer = tdnn({ inputSize: 3, units: 2, context: { kind: 'range', from: -1, to: 2 }, stride: 2 });
      const params = layer.init(new Rng(1));
      const x = randomTensor<tf.Rank.R3>([2, 7, 3], 4);
      const mask = maskFromRanges(
        [
          [0, 5],
          [0, 7],
        ],
        7,
      );
      const out = layer.apply(params, x, { mask });
      const expected = tdnnRef(
        x.arraySync(),
        [5, 7],
        [-1, 0, 1, 2],
        params.kernel.arraySync(),
        params.bias!.arraySync(),
        [0, 2, 4, 6],
      );
      expectClose(out.output, expected.flat(2), tol);
      expectClose(out.mask!, [1, 1, 1, 0, 1, 1, 1, 1]);
      tf.dispose([params, x, mask, out] as tf.TensorContainer[]);
    });

    it('should match central differences for d(sum of outputs)/d(kernel, x)', () => {
      const layer = tdnn({
        inputSize: 2,
        units: 2,
        context: { kind: 'offsets', offsets: [-2, 1] },
        activation: 'tanh',
      });
      const params = layer.init(new Rng(2));
      const x = randomTensor<tf.Rank.R3>([1, 5, 2], 5);
      const f = (k: tf.Tensor, xs: tf.Tensor) =>
        tf.sum(layer.apply({ kernel: k as tf.Tensor2D, bias: params.bias! }, xs as tf.Tensor3D).output) as tf.Scalar;
      const [gk, gx] = tf.grads(f)([params.kernel, x]);
      const numeric = (t: tf.Tensor, other: tf.Tensor, first: boolean) =>
        Array.from(t.dataSync()).map((v, i) => {
          const at = (d: number) =>
            tf.tidy(() => {
              const values = t.dataSync().slice();
              values[i] = v + d;
              const moved = tf.tensor(values, t.shape);
              return (first ? f(moved, other) : f(other, moved)).dataSync()[0]!;
            });
          return (at(1e-2) - at(-1e-2)) / 2e-2;
        });
      expectClose(gk!, numeric(params.kernel, x, true), { rtol: 1e-2, atol: 1e-3 });
      expectClose(gx!, numeric(x, params.kernel, false), { rtol: 1e-2, atol: 1e-3 });
      tf.dispose([params, x, gk, gx] as tf.TensorContainer[]);
    });
  });

  describe('in models', () => {
    it('should run in stacked before a recurrent layer, passing its subsampled mask on', () => {
      const front = tdnn({ inputSize: 3, units: 4, context: { kind: 'range', from: -1, to: 1 }, stride: 2 });
      const rnn = recurrent(gru({ inputSize: 4, units: 2 }));
      const model = stacked([front, rnn]);
      const params = model.init(new Rng(3));
      const x = randomTensor<tf.Rank.R3>([2, 6, 3], 6);
      const mask = maskFromRanges(
        [
          [0, 3],
          [0, 6],
        ],
        6,
      );
      const out = model.apply(params, x, { mask });
      const byHand = tf.tidy(() => {
        const f = front.apply(params[0], x, { mask });
        return rnn.apply(params[1], f.output, { mask: f.mask! }).output;
      });
      expectClose(out.output, byHand, tol);
      tf.dispose([params, x, mask, out, byHand] as tf.TensorContainer[]);
    });

    it('should learn one-step forecasting of a sine wave from a causal context (MSE < 0.01)', async () => {
      const before = tf.memory().numTensors;
      const model = stacked([
        tdnn({ inputSize: 1, units: 16, context: { kind: 'range', from: -3, to: 0 }, activation: 'tanh' }),
        dense({ inputSize: 16, units: 1 }),
      ]);
      const initial = model.init(new Rng(4));
      const variables: Record<string, tf.Variable> = {};
      const params = initial.map((layer, i) =>
        Object.fromEntries(
          Object.entries(layer).map(([k, t]) => {
            const v = tf.variable(t as tf.Tensor, true, `tdnnSine${i}/${k}${Math.random()}`);
            variables[`${i}/${k}`] = v;
            return [k, v];
          }),
        ),
      ) as unknown as typeof initial;
      const wave = (rng: Rng) => {
        const phases = Array.from({ length: 32 }, () => rng.uniform() * 2 * Math.PI);
        const series = phases.flatMap((p) => Array.from({ length: 21 }, (_, t) => Math.sin(p + 0.4 * t)));
        const all = tf.tensor3d(series, [32, 21, 1]);
        const inputs = tf.slice(all, [0, 0, 0], [32, 20, 1]);
        const targets = tf.slice(all, [0, 1, 0], [32, 20, 1]);
        all.dispose();
        return { inputs, targets };
      };
      const trainable: TrainableModel<SequenceBatch> = {
        variables,
        loss: (batch) => ({
          loss: tf.losses.meanSquaredError(batch.targets, model.apply(params, batch.inputs as tf.Tensor3D).output),
        }),
      };
      await fit(
        trainable,
        {
          *train(rng: Rng) {
            for (let i = 0; i < 20; i++) yield wave(rng);
          },
        },
        {
          epochs: 5,
          optimizer: { kind: 'adam', learningRate: 0.02 },
          seed: 2,
        },
      );
      const test = wave(new Rng(9));
      // Frames after the first three see their whole context.
      const mse = tf.tidy(() => {
        const predicted = tf.slice(model.apply(params, test.inputs as tf.Tensor3D).output, [0, 3, 0], [32, 17, 1]);
        return tf.losses.meanSquaredError(tf.slice(test.targets, [0, 3, 0], [32, 17, 1]), predicted).dataSync()[0]!;
      });
      tf.dispose([initial, test, Object.values(variables)] as unknown as tf.TensorContainer[]);
      expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
      expect(mse).toBeLessThan(0.01);
    });

    it('should learn to classify sequences by a local three-frame pattern to ≥ 95% accuracy', async () => {
      const before = tf.memory().numTensors;
      // Label 1 when the three-frame pattern (+1, +1, −1) occurs anywhere in a ±1 sequence
      // (drawn so that the classes are balanced): a context of three frames sees it whole.
      const TIME = 12;
      const pattern = [1, 1, -1];
      const draw = (count: number, rng: Rng) => {
        const x = new Float32Array(count * TIME);
        const y = new Float32Array(count);
        for (let b = 0; b < count; b++) {
          const want = b % 2;
          for (;;) {
            for (let t = 0; t < TIME; t++) x[b * TIME + t] = rng.uniform() < 0.5 ? 1 : -1;
            let found = 0;
            for (let t = 2; t < TIME; t++) {
              if (pattern.every((v, k) => x[b * TIME + t - 2 + k] === v)) found = 1;
            }
            if (found === want) break;
          }
          y[b] = want;
        }
        return { inputs: tf.tensor3d(x, [count, TIME, 1]), targets: tf.tensor2d(y, [count, 1]) };
      };
      const front = tdnn({ inputSize: 1, units: 8, context: { kind: 'range', from: -2, to: 0 }, padding: 'valid' });
      const head = dense({ inputSize: 8, units: 1 });
      const variables: Record<string, tf.Variable> = {};
      const initial = { front: front.init(new Rng(6)), head: head.init(new Rng(7)) };
      for (const [layer, ps] of Object.entries(initial)) {
        for (const [k, t] of Object.entries(ps))
          variables[`${layer}/${k}`] = tf.variable(t as tf.Tensor, true, `tdnnClass${layer}${k}${Math.random()}`);
      }
      const params = {
        front: { kernel: variables['front/kernel'] as tf.Tensor2D, bias: variables['front/bias'] as tf.Tensor1D },
        head: { kernel: variables['head/kernel'] as tf.Tensor2D, bias: variables['head/bias'] as tf.Tensor1D },
      };
      // Max over time: "does the pattern occur anywhere".
      const logits = (x: tf.Tensor3D) => head.apply(params.head, tf.max(front.apply(params.front, x).output, 1)).output;
      const trainable: TrainableModel<SequenceBatch> = {
        variables,
        loss: (batch) => ({ loss: tf.losses.sigmoidCrossEntropy(batch.targets, logits(batch.inputs as tf.Tensor3D)) }),
      };
      await fit(
        trainable,
        {
          *train(rng: Rng) {
            for (let i = 0; i < 20; i++) yield draw(32, rng);
          },
        },
        {
          epochs: 8,
          optimizer: { kind: 'adam', learningRate: 0.05 },
          seed: 3,
        },
      );
      const test = draw(400, new Rng(11));
      const accuracy = tf.tidy(() => {
        const predicted = tf.cast(tf.greater(logits(test.inputs), 0), 'float32');
        return tf.mean(tf.cast(tf.equal(predicted, test.targets), 'float32')).dataSync()[0]!;
      });
      tf.dispose([initial, test, Object.values(variables)] as unknown as tf.TensorContainer[]);
      expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
      expect(accuracy).toBeGreaterThanOrEqual(0.95);
    });
  });

  describe('errors', () => {
    it.each([
      [{ context: { kind: 'range', from: 2, to: -2 } }, /^tdnn config\.context: expected/],
      [{ context: { kind: 'offsets', offsets: [0, 0] } }, /^tdnn config\.context: expected/],
      [{ context: { kind: 'offsets', offsets: [] } }, /^tdnn config\.context: expected/],
      [{ context: [-2, 2] }, /^tdnn config\.context: expected/],
      [
        { context: { kind: 'range', from: 0, to: 1 }, dilation: 0 },
        /^tdnn config\.dilation: expected a positive integer/,
      ],
      [
        { context: { kind: 'range', from: 0, to: 1 }, stride: 1.5 },
        /^tdnn config\.stride: expected a positive integer/,
      ],
      [
        { context: { kind: 'range', from: 0, to: 1 }, padding: 'causal' },
        /^tdnn config\.padding: expected 'same' or 'valid'/,
      ],
    ])('should reject a bad config with RecurError BAD_CONFIG: %o', (config, message) => {
      let error: unknown;
      try {
        tdnn({ inputSize: 3, units: 2, ...(config as object) } as TdnnConfig);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RecurError);
      expect((error as RecurError).code).toBe('BAD_CONFIG');
      expect((error as RecurError).message).toMatch(message);
    });

    it('should reject a sequence shorter than a valid context, and a wrong feature size, before running', () => {
      const layer = tdnn({ inputSize: 3, units: 2, context: { kind: 'range', from: -2, to: 2 }, padding: 'valid' });
      expect(() => layer.checkInput([1, 4, 3])).toThrow(/^input: expected at least 5 frames/);
      expect(() => layer.checkInput([1, 9, 2])).toThrow(/^input: expected a shape \[batch, time, 3\]/);
      expect(layer.checkInput([1, 9, 3])).toEqual([1, 5, 2]);
    });
  });
});
