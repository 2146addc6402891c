import { ACTIVATION_NAMES, getActivation, RecurError } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const xs = [-3, -1.5, -0.2, 0, 0.3, 1, 2.5, 7];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const expected: Record<string, (x: number) => number> = {
  linear: (x) => x,
  sigmoid,
  hardSigmoid: (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)),
  tanh: Math.tanh,
  relu: (x) => Math.max(0, x),
  relu6: (x) => Math.min(6, Math.max(0, x)),
  elu: (x) => (x > 0 ? x : Math.exp(x) - 1),
  selu: (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1)),
  softsign: (x) => x / (1 + Math.abs(x)),
  softplus: (x) => Math.log1p(Math.exp(x)),
  swish: (x) => x * sigmoid(x),
  gelu: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  exponential: Math.exp,
};

describeBackends('activations', () => {
  checkLeaks();

  it('should have a formula-checked entry for every name', () => {
    expect([...ACTIVATION_NAMES].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(ACTIVATION_NAMES.map((n) => [n]))('should compute %s as its formula', (name) => {
    const f = expected[name] as (x: number) => number;
    tf.tidy(() => expectClose(getActivation(name)(tf.tensor1d(xs)), xs.map(f), { rtol: 1e-5, atol: 1e-6 }));
  });

  it('should accept Keras snake_case and common aliases', () => {
    tf.tidy(() => {
      const x = tf.tensor1d(xs);
      expectClose(getActivation('hard_sigmoid')(x), getActivation('hardSigmoid')(x));
      expectClose(getActivation('silu')(x), getActivation('swish')(x));
    });
  });
});

describe('activations with bad input', () => {
  it('should refuse an unknown name, listing the known ones', () => {
    expect(() => getActivation('tanhh')).toThrow(RecurError);
    expect(() => getActivation('tanhh')).toThrow(
      /activation: expected one of linear, sigmoid, .*tanh.*, received 'tanhh'/,
    );
    expect(() => getActivation(undefined as never)).toThrow(/received undefined/);
  });
});
