import { RecurError, Rng, scan } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RnnParams, randn, release, testCell } from './scan-cells.js';

describeBackends('scan', () => {
  checkLeaks();
  const lstm = testCell('lstm', { inputSize: 3, units: 4, fused: true });
  const elman = testCell('elman', { inputSize: 3, units: 4, fused: false });
  const rng = new Rng(71);
  let lp: RnnParams;
  let ep: RnnParams;
  let xs: tf.Tensor3D;
  let carry: { h: tf.Tensor2D; c: tf.Tensor2D };
  let wrongH: tf.Tensor2D;
  let mask: tf.Tensor2D;
  let wrongMask: tf.Tensor2D;
  let rank2: tf.Tensor2D;
  let wide: tf.Tensor3D;
  beforeAll(() => {
    lp = lstm.init(rng);
    ep = elman.init(rng);
    xs = randn([2, 5, 3], rng) as tf.Tensor3D;
    carry = { h: tf.zeros([2, 4]), c: tf.zeros([2, 4]) };
    wrongH = tf.zeros([2, 5]);
    mask = tf.ones([2, 5]);
    wrongMask = tf.ones([2, 4]);
    rank2 = tf.zeros([2, 3]);
    wide = tf.zeros([2, 5, 4]);
  });
  afterAll(() => release(lp, ep, xs, carry, wrongH, mask, wrongMask, rank2, wide));

  describe('with bad arguments', () => {
    const cases: [string, () => unknown, string, RegExp][] = [
      [
        'xs of the wrong rank',
        () => scan(lstm, lp, rank2 as never),
        'SHAPE_MISMATCH',
        /^xs: expected a rank-3 tensor \[batch, time, 3\], received a tensor of shape \[2, 3\]$/,
      ],
      [
        'a feature size other than cell.inputSize',
        () => scan(elman, ep, wide),
        'SHAPE_MISMATCH',
        /^xs: expected shape \[batch ≥ 1, time ≥ 1, 3\].*received a tensor of shape \[2, 5, 4\]$/,
      ],
      [
        'a mask of the wrong shape',
        () => scan(lstm, lp, xs, { mask: wrongMask }),
        'SHAPE_MISMATCH',
        /^options\.mask: expected a tensor of shape \[2, 5\].*received a tensor of shape \[2, 4\]$/,
      ],
      [
        'seqLengths longer than the sequence',
        () => scan(lstm, lp, xs, { seqLengths: [5, 6] }),
        'BAD_DATA',
        /^options\.seqLengths: expected 2 integers .* each in \[0, 5\].*received \[5, 6\]$/,
      ],
      [
        'a negative seqLength',
        () => scan(elman, ep, xs, { seqLengths: [-1, 2] }),
        'BAD_DATA',
        /^options\.seqLengths: .*received \[-1, 2\]$/,
      ],
      [
        'a non-integer seqLength',
        () => scan(elman, ep, xs, { seqLengths: [2.5, 2] }),
        'BAD_DATA',
        /^options\.seqLengths: .*received \[2\.5, 2\]$/,
      ],
      [
        'one seqLength for two rows',
        () => scan(elman, ep, xs, { seqLengths: [5] }),
        'BAD_DATA',
        /^options\.seqLengths: expected 2 integers.*received \[5\]$/,
      ],
      [
        'both a mask and seqLengths',
        () => scan(lstm, lp, xs, { mask, seqLengths: [5, 5] }),
        'BAD_CONFIG',
        /^options\.mask \/ options\.seqLengths: expected at most one of them, received both/,
      ],
      [
        'an initialState entry of the wrong shape (sequence kernel)',
        () => scan(lstm, lp, xs, { initialState: { h: wrongH, c: carry.c } }),
        'SHAPE_MISMATCH',
        /^options\.initialState\.h: expected a float32 tensor of shape \[2, 4\].*received a float32 tensor of shape \[2, 5\]$/,
      ],
      [
        'an initialState without an entry the cell needs',
        () => scan(lstm, lp, xs, { initialState: { h: carry.h } }),
        'SHAPE_MISMATCH',
        /^options\.initialState\.c: expected a float32 tensor of shape \[2, 4\].*received undefined$/,
      ],
      [
        'an initialState of the wrong shape (stepped cell)',
        () => scan(elman, ep, xs, { initialState: { h: wrongH } }),
        'SHAPE_MISMATCH',
        /^options\.initialState\.h: expected a float32 tensor of shape \[2, 4\].*received a float32 tensor of shape \[2, 5\]$/,
      ],
      [
        'an initialState with an unknown entry',
        () => scan(elman, ep, xs, { initialState: { h: carry.h, c: carry.c } }),
        'SHAPE_MISMATCH',
        /^options\.initialState: expected only the entries \{ h: \[2, 4\] \}, received entries c$/,
      ],
      [
        'params without a param the cell needs',
        () => scan(lstm, { kernel: lp.kernel, recurrentKernel: lp.recurrentKernel } as RnnParams, xs),
        'SHAPE_MISMATCH',
        /^params\.bias: expected shape \[16\], received undefined$/,
      ],
      [
        'a kernel of the wrong shape',
        () => scan(lstm, { ...lp, kernel: ep.kernel }, xs),
        'SHAPE_MISMATCH',
        /^params\.kernel: expected shape \[3, 16\], received a tensor of shape \[3, 4\]$/,
      ],
      [
        'an output state that is no carry entry',
        () => scan({ ...lstm, outputState: 'y' }, lp, xs, { returnSequences: false }),
        'BAD_CONFIG',
        /^cell\.outputState: expected the name of a carry entry of shape \[batch, 4\] \(cell\.outputSize\), received 'y'$/,
      ],
      [
        'an output state of another size than the output',
        () => scan({ ...lstm, outputSize: 5, outputState: 'h' }, lp, xs),
        'BAD_CONFIG',
        /^cell\.outputState: expected the name of a carry entry of shape \[batch, 5\] \(cell\.outputSize\), received 'h'$/,
      ],
      [
        'an unknown maskedOutput',
        () => scan(lstm, lp, xs, { maskedOutput: 'last' as never }),
        'BAD_CONFIG',
        /^options\.maskedOutput: expected 'zeros' or 'previous', received 'last'$/,
      ],
    ];

    it.each(cases)('should refuse %s before any tfjs op runs', (_name, call, code, message) => {
      const runKernel = vi.spyOn(tf.engine(), 'runKernel');
      try {
        let error: unknown;
        try {
          call();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RecurError);
        expect((error as RecurError).code).toBe(code);
        expect((error as RecurError).message).toMatch(message);
        expect(runKernel).not.toHaveBeenCalled();
      } finally {
        runKernel.mockRestore();
      }
    });
  });
});
