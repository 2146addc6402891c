import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { build, randomCarry, randomParams, randomTensor, VARIANTS } from './support/fixtures.js';

describeBackends('every cell', () => {
  checkLeaks();

  describe('step', () => {
    it('should treat batch rows independently: stepping B rows equals stepping each row alone', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...VARIANTS),
          fc.integer({ min: 1, max: 5 }),
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          (variant, batch, seed) => {
            tf.tidy(() => {
              const { stepper } = build(variant.config);
              const rng = new Rng(seed);
              const params = randomParams(stepper, rng);
              const carry = randomCarry(stepper, batch, rng);
              const x = randomTensor<tf.Rank.R2>([batch, stepper.inputSize], rng);
              const whole = stepper.step(params, carry, x);
              for (let b = 0; b < batch; b++) {
                const row = <T extends tf.Tensor>(t: T) => tf.slice(t, [b, 0], [1, -1]) as tf.Tensor2D;
                const rowCarry = Object.fromEntries(Object.entries(carry).map(([k, t]) => [k, row(t)]));
                const alone = stepper.step(params, rowCarry, row(x));
                expectClose(alone.y, row(whole.y), { rtol: 1e-5, atol: 1e-6 });
                for (const [name, t] of Object.entries(alone.carry)) {
                  expectClose(t, row(whole.carry[name] as tf.Tensor2D), { rtol: 1e-5, atol: 1e-6 });
                }
              }
            });
          },
        ),
        { numRuns: 100, seed: 20240601 },
      );
    });
  });
});
