import type { CellConfig } from '@recur/cells';
import { type Carry, type Params, Rng } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectRecurError } from './support/errors.js';
import { type AnyStepper, build } from './support/fixtures.js';

/** A valid call to build bad ones from: batch 2, every tensor created up front. */
function setup(config: CellConfig) {
  const { stepper } = build(config);
  const params = stepper.init(new Rng(1));
  const carry = stepper.initCarry(2);
  const x = tf.zeros([2, stepper.inputSize]) as tf.Tensor2D;
  return { cell: stepper, params, carry, x, dispose: () => tf.dispose([params, carry, x]) };
}

/** Asserts the step fails with SHAPE_MISMATCH matching `message` and runs no tfjs kernel first. */
function expectStepRejects(cell: AnyStepper, params: Params, carry: Carry, x: unknown, message: RegExp): void {
  const runKernel = vi.spyOn(tf.engine(), 'runKernel');
  expectRecurError(() => cell.step(params, carry, x as tf.Tensor2D), 'SHAPE_MISMATCH', message);
  expect(runKernel).not.toHaveBeenCalled();
}

const CONFIGS: readonly CellConfig[] = [
  { kind: 'elman', inputSize: 3, units: 4 },
  { kind: 'jordan', inputSize: 3, units: 4, outputSize: 2 },
  { kind: 'lstm', inputSize: 3, units: 4, projSize: 2 },
  { kind: 'gru', inputSize: 3, units: 4 },
];

describeBackends('cell step validation', () => {
  checkLeaks();
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('step', () => {
    it('should run tfjs kernels on valid input (so the spy below can see them)', () => {
      const { cell, params, carry, x, dispose } = setup({ kind: 'gru', inputSize: 3, units: 4 });
      const runKernel = vi.spyOn(tf.engine(), 'runKernel');
      const out = cell.step(params, carry, x);
      expect(runKernel).toHaveBeenCalled();
      tf.dispose([out.y, out.carry]);
      dispose();
    });

    it.each(CONFIGS)('should reject x of the wrong rank, feature size or type ($kind)', (config) => {
      const { cell, params, carry, x, dispose } = setup(config);
      const k = config.kind;
      const wrong = [tf.zeros([3]), tf.zeros([2, 1, 3]), tf.zeros([2, 5]), tf.zeros([2, 3], 'int32')];
      const received = ['\\[3\\]', '\\[2, 1, 3\\]', '\\[2, 5\\]', 'int32 tensor of shape \\[2, 3\\]'];
      wrong.forEach((bad, i) => {
        const expected = `${k} step x: expected a float32 tensor of shape \\[batch, 3\\], received a .*${received[i]}`;
        expectStepRejects(cell, params, carry, bad, new RegExp(expected));
      });
      expectStepRejects(cell, params, carry, [[0, 0, 0]], new RegExp(`${k} step x: .*received \\[\\[0, 0, 0\\]\\]`));
      tf.dispose(wrong);
      expect(x.isDisposed).toBe(false);
      dispose();
    });

    it.each(CONFIGS)('should reject a carry of the wrong batch, width or fields ($kind)', (config) => {
      const { cell, params, carry, x, dispose } = setup(config);
      const [name, t] = Object.entries(carry)[0] as [string, tf.Tensor2D];
      const width = t.shape[1];
      const k = config.kind;
      const wrongBatch = tf.zeros([3, width]) as tf.Tensor2D;
      const wrongWidth = tf.zeros([2, width + 1]) as tf.Tensor2D;
      const expected = `${k} step carry\\.${name}: expected a float32 tensor of shape \\[2, ${width}\\] \\(batch of x\\)`;
      expectStepRejects(
        cell,
        params,
        { ...carry, [name]: wrongBatch },
        x,
        new RegExp(`${expected}, received .*\\[3, ${width}\\]`),
      );
      expectStepRejects(
        cell,
        params,
        { ...carry, [name]: wrongWidth },
        x,
        new RegExp(`${expected}, received .*\\[2, ${width + 1}\\]`),
      );
      expectStepRejects(cell, params, {}, x, new RegExp(`${expected}, received undefined`));
      expectStepRejects(
        cell,
        params,
        null as unknown as Carry,
        x,
        new RegExp(`${k} step carry: expected \\{ ${name}: \\[2, ${width}\\]`),
      );
      tf.dispose([wrongBatch, wrongWidth]);
      dispose();
    });

    it.each(CONFIGS)('should reject params of the wrong shape or missing ($kind)', (config) => {
      const { cell, params, carry, x, dispose } = setup(config);
      const k = config.kind;
      const kernel = params.kernel as tf.Tensor;
      const transposed = tf.transpose(kernel);
      const [rows, cols] = kernel.shape;
      expectStepRejects(
        cell,
        { ...params, kernel: transposed },
        carry,
        x,
        new RegExp(
          `${k} step params\\.kernel: expected a float32 tensor of shape \\[${rows}, ${cols}\\], received .*\\[${cols}, ${rows}\\]`,
        ),
      );
      const { recurrentKernel: _, ...missing } = params;
      expectStepRejects(
        cell,
        missing,
        carry,
        x,
        new RegExp(`${k} step params\\.recurrentKernel: expected .*, received undefined`),
      );
      tf.dispose(transposed);
      dispose();
    });

    it('should reject the bias layout of the other GRU variant', () => {
      const { cell, params, carry, x, dispose } = setup({ kind: 'gru', inputSize: 3, units: 4, resetAfter: false });
      const twoRows = tf.zeros([2, 12]);
      expectStepRejects(
        cell,
        { ...params, bias: twoRows },
        carry,
        x,
        /gru step params\.bias: expected .*\[12\], received .*\[2, 12\]/,
      );
      tf.dispose(twoRows);
      dispose();
    });

    it('should reject an LSTM carry h of the cell size when a projection is configured', () => {
      const { cell, params, x, dispose } = setup({ kind: 'lstm', inputSize: 3, units: 4, projSize: 2 });
      const carry = { h: tf.zeros([2, 4]) as tf.Tensor2D, c: tf.zeros([2, 4]) as tf.Tensor2D };
      expectStepRejects(cell, params, carry, x, /lstm step carry\.h: expected .*\[2, 2\] .*received .*\[2, 4\]/);
      tf.dispose(carry);
      dispose();
    });
  });
});
