import { RecurError, Rng } from '@recur/core';
import { describeBackends } from '@recur/test-utils';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint, type FitOptions, fit } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craft } from './helpers/craft.js';
import { sumData, type TinyRnn, tinyRnn } from './helpers/tiny-rnn.js';

const adam = { kind: 'adam', learningRate: 0.01 } as const;

describeBackends('fit with bad arguments', () => {
  let m: TinyRnn;
  let before: number;
  beforeAll(() => {
    m = tinyRnn(1);
    before = tf.memory().numTensors;
  });
  afterAll(() => {
    expect(tf.memory().numTensors, 'tensors leaked by a refused fit').toBe(before);
    m.dispose();
  });
  const data = sumData(1, 2, 3);

  const options: [string, Record<string, unknown>, RegExp][] = [
    ['epochs 0', { epochs: 0 }, /epochs: expected a positive integer, received 0/],
    ['epochs 1.5', { epochs: 1.5 }, /epochs: expected a positive integer, received 1.5/],
    ['maxSteps -1', { maxSteps: -1 }, /maxSteps: expected a positive integer, received -1/],
    ['maxSteps as a string', { maxSteps: '5' }, /maxSteps: expected a positive integer, received '5'/],
    [
      'timeBudgetSeconds NaN',
      { timeBudgetSeconds: Number.NaN },
      /timeBudgetSeconds: expected a positive number of seconds, received NaN/,
    ],
    ['timeBudgetSeconds 0', { timeBudgetSeconds: 0 }, /timeBudgetSeconds: expected a positive number/],
    ['timeBudgetClock gpu', { timeBudgetClock: 'gpu' }, /timeBudgetClock: expected 'wall' or 'cpu', received/],
    ['signal not an AbortSignal', { signal: { aborted: false } }, /signal: expected an AbortSignal/],
    ['nonFinite ignore', { nonFinite: 'ignore' }, /nonFinite: expected 'stop' or 'skip', received 'ignore'/],
    [
      'checkpoint.every 0',
      { checkpoint: { every: 0, save: async () => {} } },
      /checkpoint.every: expected a positive integer, received 0/,
    ],
    ['checkpoint without save', { checkpoint: { every: 1 } }, /checkpoint.save: expected a function/],
    [
      'checkpoint with a typo',
      { checkpoint: { every: 1, save: async () => {}, evry: 2 } },
      /checkpoint.evry: expected no such option/,
    ],
    ['tbptt.k 0', { tbptt: { k: 0 } }, /tbptt.k: expected a positive integer, received 0/],
    ['tbptt a number', { tbptt: 4 }, /tbptt: expected an object \{ k \}, received 4/],
    ['clip.globalNorm -1', { clip: { globalNorm: -1 } }, /clip.globalNorm: expected a positive number, received -1/],
    ['clip.value NaN', { clip: { value: Number.NaN } }, /clip.value: expected a positive number, received NaN/],
    ['clip with a typo', { clip: { norm: 1 } }, /clip.norm: expected no such option/],
    ['seed 0.5', { seed: 0.5 }, /seed: expected an integer, received 0.5/],
    [
      'callbacks.onBatchEnd a string',
      { callbacks: { onBatchEnd: 'log' } },
      /callbacks.onBatchEnd: expected a function/,
    ],
    ['callbacks with a typo', { callbacks: { onStepEnd: () => {} } }, /callbacks.onStepEnd: expected no such option/],
    ['an unknown option', { maxStep: 3 }, /options.maxStep: expected no such option/],
    ['a config that is not JSON', { config: { big: 1n } }, /config: expected JSON/],
    ['resumeFrom not a checkpoint', { resumeFrom: { step: 1 } }, /resumeFrom: expected a Checkpoint/],
    [
      'resumeFrom with a negative step',
      { resumeFrom: { step: -1, epoch: 0, weights: {}, optimizer: [] } },
      /resumeFrom.step: expected a non-negative integer, received -1/,
    ],
    [
      'optimizer kind lamb',
      { optimizer: { kind: 'lamb' } },
      /optimizer.kind: expected one of 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', received 'lamb'/,
    ],
    [
      'adam beta1 1',
      { optimizer: { kind: 'adam', beta1: 1 } },
      /optimizer.beta1: expected a number in \[0, 1\), received 1/,
    ],
    [
      'adam epsilon 0',
      { optimizer: { kind: 'adam', epsilon: 0 } },
      /optimizer.epsilon: expected a positive finite number, received 0/,
    ],
    [
      'adam with a typo',
      { optimizer: { kind: 'adam', learningrate: 0.1 } },
      /optimizer.learningrate: expected no such field/,
    ],
    [
      'rmsprop centered "yes"',
      { optimizer: { kind: 'rmsprop', learningRate: 0.1, centered: 'yes' } },
      /optimizer.centered: expected a boolean/,
    ],
    [
      'sgd momentum 1',
      { optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 1 } },
      /optimizer.momentum: expected a number in \[0, 1\)/,
    ],
    ['schedule kind linear', { schedule: { kind: 'linear', rate: 1 } }, /schedule.kind: expected one of/],
    [
      'earlyStopping.mode minimum',
      { earlyStopping: { monitor: 'loss', patience: 1, mode: 'minimum' } },
      /earlyStopping.mode: expected 'min' or 'max', received 'minimum'/,
    ],
    [
      'earlyStopping.minDelta -1',
      { earlyStopping: { monitor: 'loss', patience: 1, minDelta: -1 } },
      /earlyStopping.minDelta: expected a non-negative finite number/,
    ],
    [
      'earlyStopping.patience 1.5',
      { earlyStopping: { monitor: 'loss', patience: 1.5 } },
      /earlyStopping.patience: expected a non-negative integer/,
    ],
  ];
  it.each(options)('should refuse %s with BAD_CONFIG naming the option', async (_, bad, message) => {
    const error = await fit(m, data, { optimizer: adam, ...bad } as FitOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecurError);
    expect((error as RecurError).code).toBe('BAD_CONFIG');
    expect((error as RecurError).message).toMatch(message);
  });

  it('should refuse data without a train function, and a train that returns no batches', async () => {
    await expect(fit(m, { train: [] } as never, { optimizer: adam })).rejects.toThrow(
      /data.train: expected a function/,
    );
    await expect(fit(m, null as never, { optimizer: adam })).rejects.toThrow(/data.train: expected a function/);
    await expect(fit(m, { ...data, validation: 3 } as never, { optimizer: adam })).rejects.toThrow(
      /data.validation: expected a function/,
    );
    await expect(fit(m, { train: () => 42 } as never, { optimizer: adam })).rejects.toThrow(
      /data.train\(rng, 0\) must return an iterable of batches, received 42/,
    );
  });

  it('should refuse a model that is not a TrainableModel', async () => {
    await expect(fit({ variables: {} } as never, data, { optimizer: adam })).rejects.toThrow(
      /model: expected a TrainableModel/,
    );
    const plain = tf.zeros([1]);
    await expect(fit({ variables: { w: plain }, loss: () => 0 } as never, data, { optimizer: adam })).rejects.toThrow(
      /model.variables.w: expected a tf.Variable/,
    );
    plain.dispose();
  });
});

function sample(): Checkpoint {
  return {
    step: 7,
    epoch: 1,
    config: { units: 3 },
    rng: new Rng(5).state(),
    weights: {
      kernel: { shape: [2, 3], dtype: 'float32', values: Float32Array.from([1, -2, 3.5, 4, 5, 6]) },
      bias: { shape: [3], dtype: 'float32', values: Float32Array.from([0, 0.25, -1]) },
    },
    optimizer: [{ name: 'iter', shape: [], dtype: 'int32', values: Int32Array.from([7]) }],
  };
}

type Entry = Record<string, unknown>;
const entries = (h: Record<string, unknown>) => h.tensors as Entry[];
/** Sets one field of tensor entry `i`, or (without a key) replaces the entry. */
const field =
  (i: number, key: string | null, value?: unknown) =>
  (h: Record<string, unknown>): void => {
    if (key === null) entries(h)[i] = value as Entry;
    else (entries(h)[i] as Entry)[key] = value;
  };
/** Sets one top-level header field. */
const top =
  (key: string, value: unknown) =>
  (h: Record<string, unknown>): void => {
    h[key] = value;
  };

describe('decodeCheckpoint with a crafted header (checksum fixed up)', () => {
  let good: Uint8Array;
  beforeAll(async () => {
    good = await encodeCheckpoint(sample());
  });
  const cases: [string, (h: Record<string, unknown>) => unknown, RegExp][] = [
    ['a negative shape', field(1, 'shape', [-3]), /shape \[-3\] is not a list/],
    ['a fractional shape', field(1, 'shape', [1.5, 2]), /shape \[1.5,2\] is not a list/],
    ['a string shape', field(1, 'shape', '3'), /shape "3" is not a list/],
    ['a shape that does not match the length', field(1, 'shape', [4]), /length 3 does not match shape \[4\]/],
    ['a complex64 dtype', field(0, 'dtype', 'complex64'), /dtype "complex64" is not float32 or int32/],
    ['an unknown dtype', field(0, 'dtype', 'float16'), /dtype "float16"/],
    ['a duplicate tensor', field(1, 'name', 'kernel'), /weights 'kernel'\) appears twice/],
    ['overlapping tensors', field(1, 'offset', 8), /offset 8, expected 24 \(tensors overlap or leave a gap\)/],
    ['an offset out of range', field(2, 'offset', 1e9), /offset 1000000000, expected 36/],
    ['a fractional offset', field(1, 'offset', 24.5), /offset 24.5/],
    ['a fractional length', field(1, 'length', 2.5), /length 2.5 does not match/],
    [
      'a length past the data',
      (h) => void Object.assign(entries(h)[2] as Entry, { shape: [9], length: 9 }),
      /runs past the end/,
    ],
    ['a missing tensor (a gap at the end)', (h) => void entries(h).pop(), /tensors cover 36 of the 40 data bytes/],
    ['a negative step', top('step', -1), /step -1 is not a non-negative integer/],
    ['a fractional step', top('step', 2.5), /step 2.5/],
    ['a string epoch', top('epoch', '1'), /epoch "1" is not a non-negative integer/],
    ['a null tensor entry', field(0, null), /tensor 0 is null, not an object/],
    ['a null header', () => null, /header is not a JSON object/],
    ['an array header', () => [], /header is not a JSON object/],
    ['no tensor list', (h) => void delete h.tensors, /header lacks its tensor list/],
    ['an unknown group', field(0, 'group', 'gradients'), /group "gradients" is not one of/],
    ['an empty name', field(0, 'name', ''), /name is not a non-empty string/],
    [
      'a broken RNG state',
      top('rng', { algorithm: 'xoshiro128**', words: [0, 0, 0, 0] }),
      /rng is not a generator state/,
    ],
  ];
  it.each(cases)('should refuse %s with CORRUPT_CHECKPOINT', async (_, change, message) => {
    const error = await decodeCheckpoint(craft(good, change)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecurError);
    expect((error as RecurError).code).toBe('CORRUPT_CHECKPOINT');
    expect((error as RecurError).message).toMatch(message);
  });

  it('should refuse auxiliary tensors in a version-1 file', async () => {
    const bytes = craft(good, field(1, 'group', 'auxiliary'), 1);
    await expect(decodeCheckpoint(bytes)).rejects.toThrow(/group "auxiliary" is not one of weights, optimizer/);
  });

  it.each(['__proto__', 'constructor', 'hasOwnProperty'])(
    'should keep a tensor named %s as an ordinary name, never reaching a prototype',
    async (name) => {
      const bytes = craft(good, field(1, 'name', name));
      const c = await decodeCheckpoint(bytes);
      expect(Object.getPrototypeOf(c.weights)).toBeNull();
      expect(Object.keys(c.weights)).toEqual(['kernel', name]);
      expect(Object.getOwnPropertyDescriptor(c.weights, name)?.value.shape).toEqual([3]);
      expect(({} as Record<string, unknown>).shape).toBeUndefined();
    },
  );

  it('should refuse to encode a negative step or a mislabelled dtype', async () => {
    await expect(encodeCheckpoint({ ...sample(), step: -1 })).rejects.toThrow(
      /checkpoint.step: expected a non-negative integer/,
    );
    const mislabelled = {
      ...sample(),
      weights: { w: { shape: [1], dtype: 'int32', values: new Float32Array(1) } },
    } as never;
    await expect(encodeCheckpoint(mislabelled)).rejects.toThrow(/int32 values must come as a typed array of that type/);
  });
});
