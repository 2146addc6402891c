import { cellFromConfig, elman, gru, jordan, lstm } from '@recur/cells';
import { checkWeightSize, Rng } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import { describe, expect, it } from 'vitest';
import { expectRecurError } from './support/errors.js';

describeBackends('cell config validation', () => {
  checkLeaks();

  describe('init and initCarry', () => {
    it('should reject a missing rng and a batch that is not a positive integer', () => {
      const cell = lstm({ inputSize: 3, units: 4 });
      expectRecurError(() => cell.init(undefined as unknown as Rng), 'BAD_CONFIG', /lstm init rng: expected an Rng/);
      expectRecurError(
        () => cell.initCarry(0),
        'BAD_CONFIG',
        /lstm initCarry batch: expected a positive integer, received 0/,
      );
      expectRecurError(() => gru({ inputSize: 1, units: 1 }).initCarry(1.5), 'BAD_CONFIG', /received 1\.5/);
    });
  });

  describe('sizes', () => {
    it('should refuse weights past 2^28 values before allocating any, naming the parameter and the cost', () => {
      const rng = new Rng(1);
      expectRecurError(() => lstm({ inputSize: 4, units: 1e9 }).init(rng), 'BAD_CONFIG', /params\.kernel: .*GiB/);
      expectRecurError(() => gru({ inputSize: 1e5, units: 1e5 }).init(rng), 'BAD_CONFIG', /params\.kernel/);
      expectRecurError(() => elman({ inputSize: 2, units: 65_536 }).init(rng), 'BAD_CONFIG', /params\.recurrentKernel/);
    });

    it('should refuse a state past 2^28 values', () => {
      expectRecurError(() => lstm({ inputSize: 4, units: 2 ** 20 }).initCarry(2 ** 9), 'BAD_CONFIG', /initCarry/);
    });

    it('should allow exactly 2^28 values and no more (checked without allocating)', () => {
      expect(() => checkWeightSize([2 ** 14, 2 ** 14], 'w', 'a weight')).not.toThrow();
      expectRecurError(() => checkWeightSize([2 ** 14, 2 ** 14 + 1], 'w', 'a weight'), 'BAD_CONFIG', /1\.0 GiB/);
    });
  });

  describe('config', () => {
    const cases: [string, () => unknown, RegExp][] = [
      [
        'units 0',
        () => lstm({ inputSize: 3, units: 0 }),
        /lstm config\.units: expected a positive integer, received 0/,
      ],
      [
        'fractional inputSize',
        () => gru({ inputSize: 2.5, units: 4 }),
        /gru config\.inputSize: expected a positive integer, received 2\.5/,
      ],
      [
        'missing units',
        () => elman({ inputSize: 3 } as never),
        /elman config\.units: expected a positive integer, received undefined/,
      ],
      [
        'missing outputSize',
        () => jordan({ inputSize: 3, units: 2 } as never),
        /jordan config\.outputSize: expected a positive integer, received undefined/,
      ],
      [
        'unknown activation',
        () => elman({ inputSize: 3, units: 4, activation: 'nope' }),
        /elman config\.activation: expected one of linear, .*, received 'nope'/,
      ],
      [
        'unknown recurrentActivation',
        () => gru({ inputSize: 3, units: 4, recurrentActivation: 'step' }),
        /gru config\.recurrentActivation: expected one of .*received 'step'/,
      ],
      [
        'unknown outputActivation',
        () => jordan({ inputSize: 3, units: 4, outputSize: 1, outputActivation: 'max' }),
        /jordan config\.outputActivation: .*received 'max'/,
      ],
      [
        'non-boolean useBias',
        () => lstm({ inputSize: 3, units: 4, useBias: 'yes' as never }),
        /lstm config\.useBias: expected a boolean, received 'yes'/,
      ],
      [
        'non-boolean resetAfter',
        () => gru({ inputSize: 3, units: 4, resetAfter: 1 as never }),
        /gru config\.resetAfter: expected a boolean, received 1/,
      ],
      [
        'projSize not below units',
        () => lstm({ inputSize: 3, units: 4, projSize: 4 }),
        /lstm config\.projSize: expected a positive integer smaller than units \(4\), received 4/,
      ],
      [
        'projSize 0',
        () => lstm({ inputSize: 3, units: 4, projSize: 0 }),
        /lstm config\.projSize: expected a positive integer, received 0/,
      ],
      [
        'negative layerNormEpsilon',
        () => lstm({ inputSize: 3, units: 4, layerNormEpsilon: -1 }),
        /lstm config\.layerNormEpsilon: expected a positive finite number, received -1/,
      ],
      [
        'unknown initializer',
        () => lstm({ inputSize: 3, units: 4, kernelInitializer: 'xavier' }),
        /lstm config\.kernelInitializer: expected one of zeros, .*received 'xavier'/,
      ],
      [
        'misspelt field',
        () => lstm({ inputSize: 3, units: 4, unitForgetbias: false } as never),
        /lstm config\.unitForgetbias: expected one of the known fields .*unitForgetBias/,
      ],
      ['null config', () => gru(null as never), /gru config: expected an object with fields inputSize, units/],
      [
        'field of another kind',
        () => cellFromConfig({ kind: 'gru', inputSize: 3, units: 4, peephole: true } as never),
        /gru config\.peephole: expected one of the known fields/,
      ],
    ];

    it.each(cases)('should reject %s with BAD_CONFIG naming the field', (_name, make, message) => {
      expectRecurError(make, 'BAD_CONFIG', message);
    });

    it('should accept snake_case names and store the canonical ones', () => {
      const cell = lstm({
        inputSize: 3,
        units: 4,
        recurrentActivation: 'hard_sigmoid',
        kernelInitializer: 'glorot_normal',
      });
      expect(cell.config.recurrentActivation).toBe('hardSigmoid');
      expect(cell.config.kernelInitializer).toBe('glorotNormal');
      expect(elman({ inputSize: 1, units: 1, activation: 'silu' }).config.activation).toBe('swish');
    });

    it('should fill in every documented default', () => {
      expect(lstm({ inputSize: 3, units: 4 }).config).toEqual({
        inputSize: 3,
        units: 4,
        activation: 'tanh',
        recurrentActivation: 'sigmoid',
        useBias: true,
        unitForgetBias: true,
        peephole: false,
        cifg: false,
        layerNorm: false,
        layerNormEpsilon: 1e-3,
        kernelInitializer: 'glorotUniform',
        recurrentInitializer: 'orthogonal',
        biasInitializer: 'zeros',
        peepholeInitializer: 'glorotUniform',
        projInitializer: 'glorotUniform',
      });
      expect(gru({ inputSize: 3, units: 4 }).config).toMatchObject({
        resetAfter: true,
        recurrentActivation: 'sigmoid',
      });
      expect(jordan({ inputSize: 3, units: 4, outputSize: 2 }).config).toMatchObject({
        activation: 'tanh',
        outputActivation: 'tanh',
        outputInitializer: 'glorotUniform',
      });
    });
  });
});
