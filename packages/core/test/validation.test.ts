import {
  assertBoolean,
  assertFraction,
  assertNonNegativeInteger,
  assertPositiveInteger,
  assertRng,
  checkBoolean,
  checkConfig,
  checkFraction,
  checkKnownKeys,
  checkMask,
  checkParamShapes,
  checkPositiveInteger,
  checkPositiveNumber,
  checkRng,
  checkTensor,
  getActivation,
  getInitializer,
  isRng,
  isTensor,
  RecurError,
  type RecurErrorCode,
  Rng,
  resolveActivationName,
  resolveInitializerName,
  sameShape,
  shapeMismatch,
  snakeToCamel,
} from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** Runs `fn`, expecting a `RecurError` with `code` whose message matches `message`. */
function expectRecurError(fn: () => unknown, code: RecurErrorCode, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RecurError);
  expect((caught as RecurError).code).toBe(code);
  expect((caught as RecurError).message).toMatch(message);
}

/**
 * What a tensor made by a second copy of tfjs-core looks like to this copy: the same
 * fields, but a class this copy's `tf.Tensor` has never seen.
 */
class TensorFromAnotherCopy {
  readonly shape = [2, 3];
  readonly dtype = 'float32';
  readonly rank = 2;
  readonly size = 6;
}

describeBackends('validation vocabulary', () => {
  checkLeaks();

  describe('isTensor', () => {
    it('should recognise a tensor of this copy of tfjs-core', () => {
      const t = tf.zeros([2, 3]);
      expect(isTensor(t)).toBe(true);
      t.dispose();
    });

    it('should recognise a tensor from another copy of tfjs-core, which instanceof rejects', () => {
      const foreign = new TensorFromAnotherCopy();
      expect(foreign instanceof tf.Tensor).toBe(false);
      expect(isTensor(foreign)).toBe(true);
      expect(checkTensor(foreign, 'x')).toBe(foreign);
    });

    it('should reject what is not tensor-shaped', () => {
      for (const value of [
        undefined,
        null,
        3,
        'x',
        [2, 3],
        { shape: [2, 3] },
        { dtype: 'float32' },
        new Float32Array(2),
      ]) {
        expect(isTensor(value)).toBe(false);
      }
    });
  });

  describe('shapeMismatch', () => {
    it('should name the argument, the expected shape and the received dtype and shape', () => {
      const t = tf.zeros([2, 4], 'int32');
      const error = shapeMismatch('options.mask', 'a tensor of shape [2, 5]', t);
      t.dispose();
      expect(error).toBeInstanceOf(RecurError);
      expect(error.code).toBe('SHAPE_MISMATCH');
      expect(error.message).toBe(
        'options.mask: expected a tensor of shape [2, 5], received a int32 tensor of shape [2, 4]',
      );
    });

    it('should describe a received shape given alone and a received non-tensor', () => {
      expect(shapeMismatch('input', '[batch, time, 3]', { shape: [2, 7] }).message).toBe(
        'input: expected [batch, time, 3], received a tensor of shape [2, 7]',
      );
      expect(shapeMismatch('x', 'a tensor', 'oops').message).toBe("x: expected a tensor, received 'oops'");
    });
  });

  describe('checkTensor', () => {
    it('should throw SHAPE_MISMATCH naming the argument for a non-tensor', () => {
      expectRecurError(
        () => checkTensor([[1, 2]], 'xs', 'a [batch, time, features] tensor'),
        'SHAPE_MISMATCH',
        /^xs: expected a \[batch, time, features\] tensor, received \[\[1, 2\]\]$/,
      );
    });
  });

  describe('sameShape', () => {
    it('should hold exactly when rank and every size agree', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
          fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
          (a, b) => {
            expect(sameShape(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
          },
        ),
      );
    });
  });

  describe('checkMask', () => {
    it('should accept no mask and a [batch, time] mask of any dtype', () => {
      const mask = tf.ones([2, 5], 'bool');
      expect(() => checkMask(undefined, 2, 5)).not.toThrow();
      expect(() => checkMask(mask, 2, 5)).not.toThrow();
      mask.dispose();
    });

    it('should reject a mask whose shape is not [batch, time]', () => {
      const mask = tf.ones([2, 4]);
      expectRecurError(
        () => checkMask(mask, 2, 5, 'mask'),
        'SHAPE_MISMATCH',
        /^mask: expected a tensor of shape \[2, 5\].*received a float32 tensor of shape \[2, 4\]$/,
      );
      mask.dispose();
    });
  });

  describe('checkParamShapes', () => {
    it('should accept every listed float32 tensor with its shape and ignore extra fields', () => {
      const params = { kernel: tf.zeros([3, 4]), bias: tf.zeros([4]), extra: tf.zeros([1]) };
      expect(() => checkParamShapes(params, { kernel: [3, 4], bias: [4] })).not.toThrow();
      tf.dispose(Object.values(params));
    });

    it('should name the first missing, misshapen or non-float32 parameter', () => {
      const params = { kernel: tf.zeros([3, 4]), bias: tf.zeros([4], 'int32') };
      expectRecurError(
        () => checkParamShapes(params, { kernel: [3, 5] }, 'cell params'),
        'SHAPE_MISMATCH',
        /^cell params\.kernel: expected a float32 tensor of shape \[3, 5\], received a float32 tensor of shape \[3, 4\]$/,
      );
      expectRecurError(
        () => checkParamShapes(params, { bias: [4] }),
        'SHAPE_MISMATCH',
        /^params\.bias: .*received a int32 tensor/,
      );
      expectRecurError(
        () => checkParamShapes(params, { recurrentKernel: [4, 4] }),
        'SHAPE_MISMATCH',
        /^params\.recurrentKernel: .*received undefined$/,
      );
      expectRecurError(
        () => checkParamShapes(null, { kernel: [3, 4] }),
        'SHAPE_MISMATCH',
        /^params: expected \{ kernel \}/,
      );
      tf.dispose(Object.values(params));
    });
  });

  describe('positive integers, fractions, booleans', () => {
    it('should return a positive integer and reject everything else, naming the argument', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (n) => {
          expect(checkPositiveInteger(n, 'units')).toBe(n);
          assertPositiveInteger(n, 'units');
        }),
      );
      for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3', undefined, null]) {
        expectRecurError(
          () => checkPositiveInteger(bad, 'config.units'),
          'BAD_CONFIG',
          /^config\.units: expected a positive integer, received /,
        );
        expectRecurError(
          () => assertPositiveInteger(bad, 'config.units'),
          'BAD_CONFIG',
          /^config\.units: expected a positive integer/,
        );
      }
    });

    it('should accept 0 as a non-negative integer but not −1', () => {
      assertNonNegativeInteger(0, 'skip');
      expectRecurError(
        () => assertNonNegativeInteger(-1, 'skip'),
        'BAD_CONFIG',
        /^skip: expected a non-negative integer, received -1$/,
      );
    });

    it('should accept a positive finite number only', () => {
      expect(checkPositiveNumber(1e-3, 'epsilon')).toBe(1e-3);
      for (const bad of [0, -1, Number.POSITIVE_INFINITY, Number.NaN, '1']) {
        expectRecurError(
          () => checkPositiveNumber(bad, 'epsilon'),
          'BAD_CONFIG',
          /^epsilon: expected a positive finite number/,
        );
      }
    });

    it('should accept fractions in [0, 1) and reject 1', () => {
      fc.assert(
        fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (p) => {
          expect(checkFraction(p, 'rate')).toBe(p);
          assertFraction(p, 'rate');
        }),
      );
      for (const bad of [1, -0.1, Number.NaN, '0.5']) {
        expectRecurError(() => checkFraction(bad, 'dropout'), 'BAD_CONFIG', /^dropout: expected a number in \[0, 1\)/);
      }
    });

    it('should accept true and false only as booleans', () => {
      expect(checkBoolean(false, 'useBias')).toBe(false);
      assertBoolean(true, 'useBias');
      expectRecurError(() => checkBoolean(1, 'useBias'), 'BAD_CONFIG', /^useBias: expected a boolean, received 1$/);
      expectRecurError(() => assertBoolean('true', 'useBias'), 'BAD_CONFIG', /^useBias: expected a boolean/);
    });
  });

  describe('defaults of omitted fields', () => {
    it('should give the fallback for undefined only, and still check a given value', () => {
      expect(checkBoolean(undefined, 'useBias', true)).toBe(true);
      expect(checkFraction(undefined, 'dropout', 0)).toBe(0);
      expect(checkPositiveNumber(undefined, 'epsilon', 1e-3)).toBe(1e-3);
      expect(checkFraction(0.25, 'dropout', 0)).toBe(0.25);
      expectRecurError(
        () => checkBoolean(null, 'useBias', true),
        'BAD_CONFIG',
        /^useBias: expected a boolean, received null$/,
      );
      expectRecurError(() => checkFraction(1, 'dropout', 0), 'BAD_CONFIG', /^dropout: expected a number in \[0, 1\)/);
      expectRecurError(
        () => checkBoolean(undefined, 'useBias'),
        'BAD_CONFIG',
        /^useBias: expected a boolean, received undefined$/,
      );
    });
  });

  describe('checkKnownKeys and checkConfig', () => {
    it('should accept known keys and name the first unknown one', () => {
      expect(() => checkKnownKeys({ mask: 1 }, ['mask', 'training'], 'options')).not.toThrow();
      expect(() => checkKnownKeys(undefined, ['mask'], 'options')).not.toThrow();
      expectRecurError(
        () => checkKnownKeys({ returnSequence: true }, ['returnSequences'], 'options'),
        'BAD_CONFIG',
        /^options\.returnSequence: expected one of the known options returnSequences, received 'returnSequence'$/,
      );
      expectRecurError(
        () => checkKnownKeys([1], ['mask'], 'options'),
        'BAD_CONFIG',
        /^options: expected an options object/,
      );
    });

    it('should require a config object, unlike options', () => {
      expectRecurError(
        () => checkConfig(undefined, ['units'], 'lstm config'),
        'BAD_CONFIG',
        /^lstm config: expected an object with fields units, received undefined$/,
      );
      expectRecurError(
        () => checkConfig({ units: 3, unitForgetbias: true }, ['units', 'unitForgetBias'], 'lstm config'),
        'BAD_CONFIG',
        /^lstm config\.unitForgetbias: expected one of the known fields units, unitForgetBias, received 'unitForgetbias'$/,
      );
    });
  });

  describe('isRng and checkRng', () => {
    it('should accept an Rng and an Rng-shaped object from another copy of core', () => {
      const rng = new Rng(1);
      const foreign = { nextUint32: () => 7, next: () => 0.5 };
      expect(checkRng(rng, 'rng')).toBe(rng);
      expect(isRng(foreign)).toBe(true);
    });

    it('should reject a seed given where an Rng is expected, saying how to make one', () => {
      expectRecurError(
        () => checkRng(42, 'init rng'),
        'BAD_CONFIG',
        /^init rng: expected an Rng from @recur\/core \(new Rng\(seed\)\), received 42$/,
      );
      expect(isRng(Math.random)).toBe(false);
      expectRecurError(() => assertRng(Math.random, 'options.rng'), 'BAD_CONFIG', /^options\.rng: expected an Rng/);
    });
  });

  describe('snakeToCamel', () => {
    it("should turn Keras' snake_case into tfjs-layers' camelCase and leave camelCase alone", () => {
      expect(snakeToCamel('glorot_uniform')).toBe('glorotUniform');
      expect(snakeToCamel('hard_sigmoid')).toBe('hardSigmoid');
      expect(snakeToCamel('recurrentKernel')).toBe('recurrentKernel');
      fc.assert(
        fc.property(fc.stringMatching(/^[a-z][a-zA-Z]*$/), (name) => {
          expect(snakeToCamel(name)).toBe(name);
        }),
      );
    });

    it('should reject a non-string', () => {
      expectRecurError(
        () => snakeToCamel(3 as unknown as string),
        'BAD_CONFIG',
        /^name: expected a string, received 3$/,
      );
    });
  });

  describe('resolveActivationName and resolveInitializerName', () => {
    it('should give one canonical name for every accepted spelling', () => {
      expect(resolveActivationName('hard_sigmoid')).toBe('hardSigmoid');
      expect(resolveActivationName('hardSigmoid')).toBe('hardSigmoid');
      expect(resolveActivationName('silu')).toBe('swish');
      expect(resolveInitializerName('glorot_uniform')).toBe('glorotUniform');
      expect(getInitializer('glorot_uniform')).toBeTypeOf('function');
      expect(getActivation('hard_sigmoid')).toBe(getActivation(resolveActivationName('hard_sigmoid')));
    });

    it('should name the argument and the known names for an unknown one', () => {
      expectRecurError(
        () => resolveActivationName('tanhh', 'lstm config.activation'),
        'BAD_CONFIG',
        /^lstm config\.activation: expected one of linear, sigmoid, .*received 'tanhh'$/,
      );
      expectRecurError(
        () => resolveInitializerName(7, 'config.kernelInitializer'),
        'BAD_CONFIG',
        /^config\.kernelInitializer: expected one of .*glorotUniform.*received 7$/,
      );
    });
  });
});
