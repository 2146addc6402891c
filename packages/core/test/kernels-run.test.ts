import { gruSequence, lstmSequence, RecurError, Rng, runKernel } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, expectTypeOf, it } from 'vitest';

const ATTRS = { activation: 'tanh', recurrentActivation: 'sigmoid', reverse: false, maskedOutput: 'zeros' } as const;

function lstmInputs(seed: number, [batch, time, features, units] = [2, 3, 4, 5]) {
  const rng = new Rng(seed);
  const r = (shape: number[]) =>
    tf.tensor(rng.fillUniform(new Float32Array(shape.reduce((a, b) => a * b)), -0.5, 0.5), shape);
  return {
    x: r([batch, time, features]) as tf.Tensor3D,
    kernel: r([features, 4 * units]) as tf.Tensor2D,
    recurrentKernel: r([units, 4 * units]) as tf.Tensor2D,
    bias: r([4 * units]) as tf.Tensor1D,
    h0: r([batch, units]) as tf.Tensor2D,
    c0: r([batch, units]) as tf.Tensor2D,
  };
}

describeBackends('runKernel', () => {
  checkLeaks();

  describe('outputs', () => {
    it('should return the visible outputs by name, typed by the descriptor, and no workspace', () => {
      const inputs = lstmInputs(1);
      const out = runKernel(lstmSequence, inputs, ATTRS);
      expectTypeOf(out.ys).toEqualTypeOf<tf.Tensor3D>();
      expectTypeOf(out.cT).toEqualTypeOf<tf.Tensor2D>();
      expect(Object.keys(out).sort()).toEqual(['cT', 'hT', 'ys']);
      expect(out.ys.shape).toEqual([2, 3, 5]);
      expect(out.cT.shape).toEqual([2, 5]);
      tf.dispose([out, inputs] as tf.TensorContainer[]);
    });

    it('should treat an absent mask as every step real', () => {
      const inputs = lstmInputs(2);
      const mask = tf.ones([2, 3]) as tf.Tensor2D;
      const without = runKernel(lstmSequence, inputs, ATTRS);
      const withMask = runKernel(lstmSequence, { ...inputs, mask }, ATTRS);
      expectClose(without.ys, withMask.ys, { rtol: 1e-6, atol: 1e-7 });
      expectClose(without.cT, withMask.cT, { rtol: 1e-6, atol: 1e-7 });
      tf.dispose([without, withMask, inputs, mask] as tf.TensorContainer[]);
    });

    it('should leave nothing behind inside tf.tidy and be differentiable with respect to its inputs', () => {
      const inputs = lstmInputs(3);
      const grads = tf.tidy(() =>
        tf.grads((x: tf.Tensor, h0: tf.Tensor) =>
          tf.sum(runKernel(lstmSequence, { ...inputs, x: x as tf.Tensor3D, h0: h0 as tf.Tensor2D }, ATTRS).hT),
        )([inputs.x, inputs.h0]),
      );
      expect(grads.map((g) => g.shape)).toEqual([inputs.x.shape, inputs.h0.shape]);
      expect(grads.every((g) => Array.from(g.dataSync()).some((v) => v !== 0))).toBe(true);
      tf.dispose([grads, inputs] as tf.TensorContainer[]);
    });
  });

  describe('argument checks', () => {
    it('should name the input whose shape disagrees, with what was expected and what came', () => {
      const inputs = lstmInputs(4);
      const kernel = tf.zeros([3, 20]) as tf.Tensor2D;
      const call = () => runKernel(lstmSequence, { ...inputs, kernel }, ATTRS);
      expect(call).toThrow(RecurError);
      expect(call).toThrow(
        /^RecurLstmSequence input 'kernel': expected shape \[4, 20\], received a tensor of shape \[3, 20\]$/,
      );
      const mask = tf.ones([3, 2]) as tf.Tensor2D;
      expect(() => runKernel(lstmSequence, { ...inputs, mask }, ATTRS)).toThrow(
        /input 'mask': expected shape \[2, 3\]/,
      );
      tf.dispose([inputs, kernel, mask] as tf.TensorContainer[]);
    });

    it('should refuse an attribute outside the kernel vocabulary, and a descriptor that is none', () => {
      const inputs = lstmInputs(5);
      const swish = { ...ATTRS, activation: 'swish' } as unknown as typeof ATTRS;
      expect(() => runKernel(lstmSequence, inputs, swish)).toThrow(/attrs\.activation: expected one of linear, /);
      const gru = {
        x: inputs.x,
        kernel: inputs.kernel,
        recurrentKernel: inputs.recurrentKernel,
        bias: inputs.bias,
        h0: inputs.h0,
      };
      expect(() => runKernel(gruSequence, gru, ATTRS as never)).toThrow(
        /RecurGruSequence attrs\.resetAfter: expected a boolean/,
      );
      expect(() => runKernel({} as typeof lstmSequence, inputs, ATTRS)).toThrow(
        /runKernel descriptor: expected a kernel descriptor/,
      );
      tf.dispose(inputs as unknown as tf.TensorContainer);
    });
  });
});
