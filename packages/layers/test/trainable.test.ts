import { gru, lstm } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import { accuracy, evaluate, fit, softmaxCrossEntropy } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import {
  bidirectional,
  dense,
  disposeParams,
  embedding,
  recurrent,
  stacked,
  toVariables,
  trainable,
} from '../src/index.js';

const VOCAB = 6;
const TIME = 5;

function classifier() {
  return stacked([
    embedding({ vocabSize: VOCAB, dim: 4, paddingId: 0 }),
    bidirectional(recurrent(lstm({ inputSize: 4, units: 5 }))),
    dense({ inputSize: 10, units: 2 }),
  ]);
}

/** Sequences of ids 1…5 padded with 0; the label says whether token 5 occurs. */
function examples(count: number, rng: Rng) {
  const ids = new Int32Array(count * TIME);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const length = 2 + rng.int(TIME - 1);
    for (let t = 0; t < length; t++) ids[i * TIME + t] = 1 + rng.int(VOCAB - 1);
    labels[i] = ids.subarray(i * TIME, (i + 1) * TIME).includes(5) ? 1 : 0;
  }
  return { inputs: tf.tensor2d(ids, [count, TIME], 'int32'), targets: tf.tensor1d(labels, 'int32') };
}

describeBackends('trainable', () => {
  checkLeaks();

  it("should give the loss and metrics of the layer's own output on the batch", () => {
    const net = classifier();
    const model = trainable(net, { loss: softmaxCrossEntropy, metrics: { accuracy }, rng: new Rng(3) });
    const data = examples(8, new Rng(4));
    const got = tf.tidy(() => {
      const out = model.loss(data, { training: false, rng: new Rng(0) });
      return [out.loss.dataSync()[0], out.metrics.accuracy?.dataSync()[0]];
    });
    const want = tf.tidy(() => {
      const logits = net.apply(model.params, data.inputs).output;
      return [softmaxCrossEntropy(logits, data.targets).dataSync()[0], accuracy(logits, data.targets).dataSync()[0]];
    });
    expect(got).toEqual(want);
    tf.dispose([data.inputs, data.targets]);
    model.dispose();
  });

  it('should name each variable by its path and leave given params untouched', () => {
    const net = classifier();
    const params = net.init(new Rng(1));
    const before = (params[2].kernel as tf.Tensor).arraySync();
    const model = trainable(net, { loss: softmaxCrossEntropy, params });
    expect(Object.keys(model.variables).sort()).toEqual(
      [
        '0/embeddings',
        '1/backward/bias',
        '1/backward/kernel',
        '1/backward/recurrentKernel',
        '1/forward/bias',
        '1/forward/kernel',
        '1/forward/recurrentKernel',
        '2/bias',
        '2/kernel',
      ].sort(),
    );
    for (const v of Object.values(model.variables)) expect(v).toBeInstanceOf(tf.Variable);
    const zeros = tf.zeros([10, 2]);
    (model.variables['2/kernel'] as tf.Variable).assign(zeros);
    zeros.dispose();
    expect((params[2].kernel as tf.Tensor).arraySync()).toEqual(before);
    model.dispose();
    disposeParams(params);
  });

  it('should train a bidirectional LSTM classifier from in-memory tensors, which stay the caller’s', async () => {
    const model = trainable(classifier(), { loss: softmaxCrossEntropy, metrics: { accuracy }, rng: new Rng(7) });
    const train = examples(96, new Rng(8));
    const test = examples(64, new Rng(9));
    const before = await evaluate(model, test);
    const result = await fit(model, train, {
      epochs: 12,
      batchSize: 16,
      validationSplit: 0.25,
      optimizer: { kind: 'adam', learningRate: 0.05 },
      seed: 2,
    });
    const after = await evaluate(model, test);
    expect(train.inputs.isDisposed || train.targets.isDisposed).toBe(false);
    expect(result.history).toHaveLength(12);
    expect(result.history[11]?.validation.val_accuracy).toBeGreaterThan(0.8);
    expect(after.loss).toBeLessThan((before.loss as number) / 2);
    expect(after.accuracy).toBeGreaterThan(0.85);
    const predicted = tf.tidy(() => tf.argMax(model.predict(test.inputs), -1).dataSync());
    expectClose(accuracy(predicted, test.targets.dataSync()), after.accuracy as number, { atol: 1e-6 });
    tf.dispose([train.inputs, train.targets, test.inputs, test.targets]);
    model.dispose();
  });
});

describeBackends('trainable arguments', () => {
  checkLeaks();

  it('should refuse what is not a layer, a missing loss and both or neither of rng and params', () => {
    const net = recurrent(gru({ inputSize: 2, units: 3 }));
    const loss = softmaxCrossEntropy;
    // biome-ignore lint/suspicious/noExplicitAny: wrong arguments on purpose
    const bad = trainable as any;
    expect(() => bad({}, { loss, rng: new Rng(1) })).toThrow(/model: expected a layer/);
    expect(() => bad(net, { rng: new Rng(1) })).toThrow(/options\.loss: expected a function/);
    expect(() => bad(net, { loss })).toThrow(/exactly one of rng/);
    expect(() => bad(net, { loss, rng: 1 })).toThrow(/options\.rng: expected an Rng/);
    expect(() => bad(net, { loss, rng: new Rng(1), metrics: { acc: 1 } })).toThrow(/options\.metrics\.acc/);
    expect(() => bad(net, { loss, rng: new Rng(1), lr: 1 })).toThrow(/options\.lr: expected no such option/);
    expect(() => bad(net, { loss, params: { kernel: 3 } })).toThrow(/params\.kernel: expected a tensor/);
  });

  it('should refuse a batch that is not { inputs, targets }', () => {
    const model = trainable(recurrent(gru({ inputSize: 2, units: 3 })), { loss: softmaxCrossEntropy, rng: new Rng(1) });
    // biome-ignore lint/suspicious/noExplicitAny: wrong arguments on purpose
    const loss = model.loss as any;
    const inputs = tf.zeros([1, 2, 2]);
    expect(() => loss({ inputs }, { training: false, rng: new Rng(1) })).toThrow(/batch\.targets: expected a tensor/);
    inputs.dispose();
    model.dispose();
  });

  it('should tell fit that plain tensors are not variables', async () => {
    const params = recurrent(gru({ inputSize: 2, units: 3 })).init(new Rng(1));
    const data = { inputs: [[[0, 1]]], targets: [0] };
    await expect(
      // biome-ignore lint/suspicious/noExplicitAny: the mistake the message is for
      fit({ variables: params, loss: () => ({ loss: tf.scalar(0) }) } as any, data, {
        optimizer: { kind: 'sgd', learningRate: 0.1 },
      }),
    ).rejects.toThrow(/model\.variables\.kernel: expected a tf\.Variable \(a plain tensor cannot be trained/);
    disposeParams(params);
  });
});

describeBackends('toVariables', () => {
  checkLeaks();

  it('should copy every tensor of a tree into a variable named by its path', () => {
    const tree = { a: tf.tensor1d([1, 2]), b: [tf.scalar(3), { c: tf.tensor2d([[4]]) }] };
    const { params, variables } = toVariables(tree, { separator: '.' });
    expect(Object.keys(variables)).toEqual(['a', 'b.0', 'b.1.c']);
    expect(params.b[0]).toBe(variables['b.0']);
    expect((variables['b.1.c'] as tf.Variable).arraySync()).toEqual([[4]]);
    expect(tree.a.isDisposed).toBe(false);
    tf.dispose(Object.values(variables));
    disposeParams(tree);
  });

  it('should refuse a disposed tensor and an empty separator, naming them', () => {
    const t = tf.scalar(1);
    t.dispose();
    expect(() => toVariables({ w: t })).toThrow(/params\.w: expected a live tensor/);
    expect(() => toVariables({}, { separator: '' })).toThrow(/options\.separator/);
  });
});
