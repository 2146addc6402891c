import { elman, lstm } from '@recur/cells';
import { RecurError, Rng } from '@recur/core';
import { dense, embedding, recurrent, stacked } from '@recur/layers';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fromTfjsModel, fromTorch, type TfjsModelFiles, toOnnx, toTfjsModel, toTorch } from '../src/index.js';
import { readTfjsFolder, writeTfjsFolder } from '../src/node.js';
import { tempDir } from './helpers/tfjs.js';

/** Asserts `fn` throws a RecurError with `code` and a message matching `message`, allocating nothing. */
async function expectRefused(fn: () => unknown, code: string, message: RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RecurError);
  expect((caught as RecurError).code).toBe(code);
  expect((caught as RecurError).message).toMatch(message);
  expect(tf.memory().numTensors, 'nothing half-loaded').toBe(before);
}

const MODEL = () =>
  stacked([
    embedding({ vocabSize: 6, dim: 3 }),
    recurrent(lstm({ inputSize: 3, units: 2 })),
    dense({ inputSize: 2, units: 4 }),
  ]);

/** The parts of model.json the tests edit. */
interface Editable {
  modelTopology: unknown;
  weightsManifest: { weights: { dtype: string; shape: number[] }[] }[];
}

/** A saved model's files, with `edit` applied to a deep copy of model.json. */
function files(edit: (json: Editable) => void = () => {}): TfjsModelFiles {
  const model = MODEL();
  const params = model.init(new Rng(1));
  const saved = toTfjsModel(model as never, params as never);
  tf.dispose(params as never);
  const json = structuredClone(saved.modelJson);
  edit(json as unknown as Editable);
  return { modelJson: json, shards: saved.shards };
}

describeBackends('malformed files', () => {
  checkLeaks();

  describe('fromTfjsModel', () => {
    it('should refuse a layer Recur has no equivalent for, naming it', async () => {
      const f = files((j) => {
        (j.modelTopology as { config: { layers: unknown[] } }).config.layers.splice(2, 0, {
          class_name: 'Conv1D',
          config: { name: 'conv1d_9', filters: 2 },
        });
      });
      await expectRefused(() => fromTfjsModel(f), 'NOT_SUPPORTED', /conv1d_9' of class Conv1D/);
    });

    it('should refuse a missing shard, in memory and in a folder', async () => {
      const f = files();
      await expectRefused(
        () => fromTfjsModel({ ...f, shards: {} }),
        'CORRUPT_FILE',
        /shard 'group1-shard1of1.bin' is missing/,
      );
      const dir = tempDir();
      await writeTfjsFolder(dir, { ...f, shards: {} });
      await expectRefused(() => readTfjsFolder(dir), 'CORRUPT_FILE', /shard 'group1-shard1of1.bin' is missing/);
    });

    it('should refuse shards shorter or longer than the manifest', async () => {
      const f = files();
      const bytes = f.shards['group1-shard1of1.bin'] as Uint8Array;
      const short = { ...f, shards: { 'group1-shard1of1.bin': bytes.subarray(0, bytes.length - 4) } };
      await expectRefused(() => fromTfjsModel(short), 'CORRUPT_FILE', /runs past the end/);
      const long = new Uint8Array(bytes.length + 4);
      long.set(bytes);
      await expectRefused(
        () => fromTfjsModel({ ...f, shards: { 'group1-shard1of1.bin': long } }),
        'CORRUPT_FILE',
        /shards hold/,
      );
    });

    it('should refuse a wrong dtype and a wrong shape, naming the weight', async () => {
      const dtype = files((j) => {
        (j.weightsManifest[0]?.weights[0] as { dtype: string }).dtype = 'int32';
      });
      await expectRefused(() => fromTfjsModel(dtype), 'CORRUPT_FILE', /embedding_1\/embeddings' has dtype "int32"/);
      const shape = files((j) => {
        (j.weightsManifest[0]?.weights[0] as { shape: number[] }).shape = [3, 6];
      });
      await expectRefused(() => fromTfjsModel(shape), 'SHAPE_MISMATCH', /embedding_1\/embeddings'.*\[6,3\]/);
    });

    it("should refuse Keras 3's hard_sigmoid, which is another function", async () => {
      const f = files((j) => {
        const topology = j.modelTopology as {
          keras_version: string;
          config: { layers: { config: Record<string, unknown> }[] };
        };
        topology.keras_version = '3.6.0';
        (topology.config.layers[1] as { config: Record<string, unknown> }).config.recurrent_activation = 'hard_sigmoid';
      });
      await expectRefused(() => fromTfjsModel(f), 'NOT_SUPPORTED', /lstm_2' uses Keras 3's hard_sigmoid/);
    });

    it('should refuse a branching functional graph', async () => {
      const f = files((j) => {
        j.modelTopology = {
          class_name: 'Model',
          config: {
            layers: [
              {
                name: 'in',
                class_name: 'InputLayer',
                config: { name: 'in', batch_input_shape: [null, 2, 3] },
                inbound_nodes: [],
              },
              {
                name: 'a',
                class_name: 'Dense',
                config: { name: 'a', units: 2 },
                inbound_nodes: [
                  [
                    ['in', 0, 0, {}],
                    ['in', 0, 0, {}],
                  ],
                ],
              },
            ],
            input_layers: [['in', 0, 0]],
            output_layers: [['a', 0, 0]],
          },
        };
      });
      await expectRefused(() => fromTfjsModel(f), 'NOT_SUPPORTED', /'a' is not fed by exactly one layer/);
    });
  });

  describe('toTfjsModel', () => {
    it('should refuse what Keras cannot express, saying what', async () => {
      const model = recurrent(lstm({ inputSize: 2, units: 4, projSize: 2 }));
      const params = model.init(new Rng(1));
      await expectRefused(() => toTfjsModel(model as never, params), 'NOT_SUPPORTED', /LSTM has no projSize/);
      const pad = embedding({ vocabSize: 4, dim: 2, paddingId: 3 });
      const p2 = pad.init(new Rng(1));
      await expectRefused(() => toTfjsModel(pad as never, p2), 'NOT_SUPPORTED', /masks id 0 only/);
      tf.dispose([params as never, p2 as never]);
    });
  });

  describe('fromTorch / toTorch', () => {
    const rnn = () => recurrent(elman({ inputSize: 2, units: 3 }));

    it('should refuse a missing key, a wrong shape and an unknown key, naming it', async () => {
      const model = rnn();
      const params = model.init(new Rng(1));
      const dict = toTorch(model, params);
      const { bias_hh_l0: _gone, ...missing } = dict;
      await expectRefused(() => fromTorch(model, missing), 'SHAPE_MISMATCH', /bias_hh_l0/);
      const wrong = tf.zeros([2, 3]);
      await expectRefused(
        () => fromTorch(model, { ...dict, weight_ih_l0: wrong }),
        'SHAPE_MISMATCH',
        /weight_ih_l0.*\[3,2\]/,
      );
      const extra = tf.zeros([1]);
      await expectRefused(() => fromTorch(model, { ...dict, 'fc.weight': extra }), 'BAD_DATA', /fc.weight/);
      const loose = fromTorch(model, { ...dict, 'fc.weight': extra }, { strict: false });
      tf.dispose([params as never, dict, wrong, extra, loose as never]);
    });

    it('should refuse params that do not fit the model, naming the weight', async () => {
      const model = stacked([embedding({ vocabSize: 4, dim: 2 }), recurrent(elman({ inputSize: 2, units: 3 }))]);
      const params = model.init(new Rng(1));
      const wrong = tf.zeros([3, 2]);
      const bad = [params[0], { ...params[1], kernel: wrong }] as never;
      await expectRefused(() => toTorch(model, bad), 'SHAPE_MISMATCH', /params\.1\.kernel: expected a tensor \[2,3\]/);
      await expectRefused(() => toOnnx(model, bad), 'SHAPE_MISMATCH', /params\.1\.kernel/);
      await expectRefused(
        () => toOnnx(model, [params[0]] as never),
        'SHAPE_MISMATCH',
        /params\.1\.kernel: .*received undefined/,
      );
      tf.dispose([params as never, wrong]);
    });

    it('should refuse cells and options PyTorch has no module for', async () => {
      const peephole = recurrent(lstm({ inputSize: 2, units: 3, peephole: true }));
      const p = peephole.init(new Rng(1));
      await expectRefused(() => toTorch(peephole, p), 'NOT_SUPPORTED', /LSTM with peephole/);
      const reversed = recurrent(elman({ inputSize: 2, units: 3 }), { reverse: true });
      const q = reversed.init(new Rng(1));
      await expectRefused(() => toTorch(reversed, q), 'NOT_SUPPORTED', /reversed single-direction/);
      tf.dispose([p as never, q as never]);
    });
  });
});
