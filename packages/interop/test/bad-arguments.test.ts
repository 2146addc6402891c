import { gru } from '@recur/cells';
import { RecurError } from '@recur/core';
import { recurrent } from '@recur/layers';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  activationLayer,
  fromTfjsModel,
  fromTorch,
  masking,
  modelFromTorchModules,
  readSafetensors,
  stateFromTorch,
  stateToTorch,
  swapBatchAndTime,
  toOnnx,
  torchModules,
  toTfjsModel,
} from '../src/index.js';

/** Every public function, given what it cannot use: the code and the words of the error. */
const CASES: readonly [string, () => unknown, string, RegExp][] = [
  ['readSafetensors(a string)', () => readSafetensors('x' as never), 'BAD_DATA', /bytes: expected a Uint8Array/],
  ['fromTorch(null model)', () => fromTorch(null as never, {}), 'BAD_CONFIG', /model: expected a Recur layer/],
  [
    'fromTorch(null tensors)',
    () => fromTorch(recurrent(gru({ inputSize: 1, units: 2 })), null as never),
    'BAD_DATA',
    /tensors: expected a record/,
  ],
  [
    'torchModules(bad modules option)',
    () => torchModules(recurrent(gru({ inputSize: 1, units: 2 })), { modules: ['a', 'b'] }),
    'BAD_CONFIG',
    /options.modules: expected 1 module names/,
  ],
  [
    'stateToTorch(a number)',
    () => stateToTorch(3 as never, {} as never),
    'BAD_CONFIG',
    /model: expected a Recur layer/,
  ],
  [
    'stateFromTorch(wrong rows)',
    () => stateFromTorch(recurrent(gru({ inputSize: 1, units: 2 })), { '': { h: tf.zeros([2, 1, 2]) as tf.Tensor3D } }),
    'SHAPE_MISMATCH',
    /states\[''\]\.h: expected a tensor \[1, batch, 2\]/,
  ],
  [
    'swapBatchAndTime(rank 2)',
    () => swapBatchAndTime(tf.zeros([2, 2]) as never),
    'SHAPE_MISMATCH',
    /x: expected a tensor of rank 3/,
  ],
  ['modelFromTorchModules([])', () => modelFromTorchModules([]), 'BAD_CONFIG', /modules: expected a non-empty array/],
  [
    'modelFromTorchModules(Conv1d)',
    () => modelFromTorchModules([{ name: 'c', type: 'Conv1d', args: {} }]),
    'NOT_SUPPORTED',
    /'c' of type nn.Conv1d/,
  ],
  [
    'modelFromTorchModules(no hidden_size)',
    () => modelFromTorchModules([{ name: 'r', type: 'GRU', args: { input_size: 2 } }]),
    'BAD_CONFIG',
    /'r' args.hidden_size: expected a positive integer/,
  ],
  ['fromTfjsModel(null)', () => fromTfjsModel(null as never), 'BAD_DATA', /files: expected \{ modelJson, shards \}/],
  [
    'fromTfjsModel(no topology)',
    () => fromTfjsModel({ modelJson: {}, shards: {} }),
    'CORRUPT_FILE',
    /modelTopology is not an object/,
  ],
  ['toTfjsModel(null)', () => toTfjsModel(null as never, []), 'BAD_CONFIG', /model: expected a Recur layer/],
  ['toOnnx(null)', () => toOnnx(null as never, []), 'BAD_CONFIG', /model: expected a Recur layer/],
  [
    'masking(inputSize 0)',
    () => masking({ inputSize: 0 }),
    'BAD_CONFIG',
    /masking config.inputSize: expected a positive integer/,
  ],
  ['activationLayer(unknown)', () => activationLayer('mish'), 'BAD_CONFIG', /activation: expected one of/],
];

describeBackends('bad arguments', () => {
  checkLeaks();

  describe.each(CASES)('%s', (_name, call, code, message) => {
    it('should throw a RecurError naming the argument', () => {
      let caught: unknown;
      tf.tidy(() => {
        try {
          call();
        } catch (error) {
          caught = error;
        }
      });
      expect(caught).toBeInstanceOf(RecurError);
      expect((caught as RecurError).code).toBe(code);
      expect((caught as RecurError).message).toMatch(message);
    });
  });
});
