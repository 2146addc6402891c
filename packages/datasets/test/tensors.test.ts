import { padSequences, slidingWindows, timeSeries, toTensor } from '@recur/datasets';
import { checkLeaks, describeBackends, expectNoLeak } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

describeBackends('toTensor', () => {
  checkLeaks();

  describe('dtypes and shapes', () => {
    it('should make an int32 tensor of padded ids and a bool mask that the caller disposes', async () => {
      const padded = padSequences([[1, 2, 3], [4]], { padding: 'post' });
      const ids = toTensor(padded);
      const mask = toTensor({ data: padded.mask, shape: padded.shape });
      expect([ids.dtype, mask.dtype]).toEqual(['int32', 'bool']);
      expect(ids.shape).toEqual([2, 3]);
      expect(Array.from(await ids.data())).toEqual([1, 2, 3, 4, 0, 0]);
      expect(Array.from(await mask.data())).toEqual([1, 1, 1, 1, 0, 0]);
      tf.dispose([ids, mask]);
    });

    it('should copy, so later changes to the array never reach the tensor', async () => {
      const windows = slidingWindows(timeSeries([1, 2, 3, 4, 5]), { lookBack: 2, horizon: 1 });
      const inputs = toTensor(windows.inputs);
      windows.inputs.data.fill(0);
      expect(inputs.dtype).toBe('float32');
      expect(inputs.shape).toEqual([3, 2, 1]);
      expect(Array.from(await inputs.data())).toEqual([1, 2, 2, 3, 3, 4]);
      inputs.dispose();
    });
  });

  describe('bad input', () => {
    it('should refuse a shape that does not match the data without making a tensor', async () => {
      await expectNoLeak(() => {
        expect(() => toTensor({ data: new Float32Array(5), shape: [2, 3] })).toThrow(
          /array: expected \{data: Int32Array \| Float32Array \| Uint8Array, shape\} of matching size/,
        );
      });
    });
  });
});
