import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import { type TrainableModel, trainStep } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type Seq2SeqBatch, type Seq2SeqParams, seq2seqTrainable } from '../src/index.js';
import { BEGIN, paddedSources, smallModel, TARGET_IN, TARGET_VOCAB } from './helpers/seq2seq-fixture.js';

const model = smallModel('additive');

function run(params: Seq2SeqParams, targetIn: number[][], options: Parameters<typeof model.apply>[2]) {
  const { source, sourceLengths } = paddedSources();
  const ids = tf.tensor2d(targetIn, [3, 5], 'int32');
  const out = model.apply(params, { source, sourceLengths, targetIn: ids }, options);
  const logits = out.logits.arraySync() as number[][][];
  tf.dispose([source, ids, out] as tf.TensorContainer);
  return logits;
}

const argmax = (row: number[]) => row.indexOf(Math.max(...row));

describeBackends('seq2seq training', () => {
  checkLeaks();

  describe('apply with scheduled sampling', () => {
    it('should equal teacher forcing exactly with probability 0, drawing nothing', () => {
      const params = model.init(new Rng(1));
      const rng = new Rng(5);
      const before = rng.state();
      const sampled = run(params, TARGET_IN, { training: true, rng, samplingProbability: 0 });
      expect(rng.state()).toEqual(before);
      expect(sampled).toEqual(run(params, TARGET_IN, {}));
      tf.dispose(params as unknown as tf.TensorContainer);
    });

    it("should feed the model's own previous argmax at every step with probability 1", () => {
      const params = model.init(new Rng(2));
      const own = run(params, TARGET_IN, { training: true, rng: new Rng(5), samplingProbability: 1 });
      // Teacher forcing on BEGIN followed by the model's own predictions gives the same logits.
      const fed = own.map((steps) => [BEGIN, ...steps.slice(0, -1).map(argmax)]);
      expectClose(run(params, fed, {}).flat(2), own.flat(2), { rtol: 1e-5, atol: 1e-5 });
      expect(fed).not.toEqual(TARGET_IN);
      expect(run(params, TARGET_IN, {})).not.toEqual(own);
      tf.dispose(params as unknown as tf.TensorContainer);
    });

    it('should flip one coin per row per step after the first, in step-major order, from the rng', () => {
      const params = model.init(new Rng(3));
      const p = 0.5;
      const mixed = run(params, TARGET_IN, { training: true, rng: new Rng(9), samplingProbability: p });
      const coins = new Rng(9);
      const fed = TARGET_IN.map((r) => [...r]);
      for (let t = 1; t < 5; t++) {
        for (let b = 0; b < 3; b++) {
          if (coins.next() < p) (fed[b] as number[])[t] = argmax(mixed[b]?.[t - 1] as number[]);
        }
      }
      expectClose(run(params, fed, {}).flat(2), mixed.flat(2), { rtol: 1e-5, atol: 1e-5 });
      expect(run(params, TARGET_IN, { training: true, rng: new Rng(9), samplingProbability: p })).toEqual(mixed);
      tf.dispose(params as unknown as tf.TensorContainer);
    });
  });

  describe('seq2seqTrainable', () => {
    const batchOf = (targetOut: number[][], targetMask: number[][]): Seq2SeqBatch => {
      const { source, sourceLengths } = paddedSources();
      return {
        source,
        sourceLengths,
        targetIn: tf.tensor2d(TARGET_IN, [3, 5], 'int32'),
        targetOut: tf.tensor2d(targetOut, [3, 5], 'int32'),
        targetMask: tf.tensor2d(targetMask, [3, 5], 'float32'),
      };
    };
    const OUT = [
      [4, 2, 6, 0, 0],
      [3, 3, 5, 2, 2],
      [6, 0, 1, 4, 3],
    ];
    const MASK = [
      [1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1],
      [1, 1, 0, 0, 0],
    ];

    it('should give the mean cross-entropy over the kept target positions, ignoring padded targets', () => {
      const init = model.init(new Rng(4));
      const trainable = seq2seqTrainable(model, init);
      tf.dispose(init as unknown as tf.TensorContainer);
      const context = { training: false, rng: new Rng(1) };
      const batch = batchOf(OUT, MASK);
      const { loss, metrics } = trainable.loss(batch, context);
      const logits = run(trainable.params, TARGET_IN, {});
      let sum = 0;
      let hits = 0;
      let count = 0;
      MASK.forEach((row, b) => {
        row.forEach((keep, t) => {
          if (keep === 0) return;
          const z = logits[b]?.[t] as number[];
          const top = Math.max(...z);
          const logSum = top + Math.log(z.reduce((a, x) => a + Math.exp(x - top), 0));
          const label = OUT[b]?.[t] as number;
          sum += logSum - (z[label] as number);
          hits += argmax(z) === label ? 1 : 0;
          count++;
        });
      });
      expectClose(loss.dataSync()[0] as number, sum / count, { rtol: 1e-5 });
      expectClose(metrics.accuracy.dataSync()[0] as number, hits / count, { atol: 1e-6 });
      // Other labels at padded positions change nothing.
      const other = batchOf(
        OUT.map((r, b) => r.map((x, t) => ((MASK[b] as number[])[t] === 0 ? (x + 1) % TARGET_VOCAB : x))),
        MASK,
      );
      const again = trainable.loss(other, context);
      expect(again.loss.dataSync()[0]).toBe(loss.dataSync()[0]);
      tf.dispose([batch, other, loss, metrics, again] as unknown as tf.TensorContainer);
      trainable.dispose();
    });

    it('should lower its loss with an optimizer step through the trainer, every weight getting a gradient', () => {
      const init = model.init(new Rng(5));
      const trainable = seq2seqTrainable(model, init, { samplingProbability: () => 0.25 });
      tf.dispose(init as unknown as tf.TensorContainer);
      expect(Object.keys(trainable.variables)).toContain('encoder/0/forward/kernel');
      expect(Object.keys(trainable.variables)).toContain('bridge/c/kernel');
      const generic: TrainableModel<Seq2SeqBatch> = trainable;
      const optimizer = tf.train.adam(0.05);
      const batch = batchOf(OUT, MASK);
      const losses: number[] = [];
      const norms: number[] = [];
      for (let step = 0; step < 3; step++) {
        const out = trainStep(generic, batch, { training: true, rng: new Rng(step), state: undefined }, optimizer, {
          nonFinite: 'stop',
          step,
        });
        losses.push(out.loss);
        norms.push(out.gradNorm);
      }
      const vars = Object.values(trainable.variables);
      const { value, grads } = tf.variableGrads(
        () => trainable.loss(batch, { training: false, rng: new Rng(0) }).loss,
        vars,
      );
      const silent = vars.filter(
        (v) =>
          grads[v.name] === undefined || tf.tidy(() => tf.max(tf.abs(grads[v.name] as tf.Tensor)).dataSync()[0]) === 0,
      );
      expect(silent.map((v) => Object.keys(trainable.variables).find((k) => trainable.variables[k] === v))).toEqual([]);
      expect(losses[2]).toBeLessThan(losses[0] as number);
      expect(norms.every(Number.isFinite)).toBe(true);
      tf.dispose([value, grads, batch] as unknown as tf.TensorContainer);
      optimizer.dispose();
      trainable.dispose();
    });
  });
});
