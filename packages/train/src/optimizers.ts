import { badArgument, checkBoolean, checkFraction, checkPositiveNumber } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { AdamWOptimizer } from './adamw.js';
import { FusedAdamOptimizer } from './fused-adam.js';

/** tfjs-core optimizers by config. Learning rates can then follow a `Schedule` (see `setLearningRate`). */
export type OptimizerConfig =
  | { readonly kind: 'sgd'; readonly learningRate: number; readonly momentum?: number; readonly nesterov?: boolean }
  | {
      readonly kind: 'adam';
      readonly learningRate?: number;
      readonly beta1?: number;
      readonly beta2?: number;
      readonly epsilon?: number;
    }
  | {
      /** Adam with decoupled weight decay (see `AdamWOptimizer`); `weightDecay` λ ≥ 0, default 0.01 as PyTorch. */
      readonly kind: 'adamw';
      readonly learningRate?: number;
      readonly beta1?: number;
      readonly beta2?: number;
      readonly epsilon?: number;
      readonly weightDecay?: number;
    }
  | {
      readonly kind: 'rmsprop';
      readonly learningRate: number;
      readonly decay?: number;
      readonly momentum?: number;
      readonly epsilon?: number;
      readonly centered?: boolean;
    }
  | { readonly kind: 'adagrad'; readonly learningRate: number; readonly initialAccumulatorValue?: number };

/** The optimizers `makeOptimizer` (and so `fit`) knows. */
export const OPTIMIZER_KINDS = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;

const FIELDS: Readonly<Record<OptimizerConfig['kind'], readonly string[]>> = {
  sgd: ['kind', 'learningRate', 'momentum', 'nesterov'],
  adam: ['kind', 'learningRate', 'beta1', 'beta2', 'epsilon'],
  adamw: ['kind', 'learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay'],
  rmsprop: ['kind', 'learningRate', 'decay', 'momentum', 'epsilon', 'centered'],
  adagrad: ['kind', 'learningRate', 'initialAccumulatorValue'],
};

/** Makes the optimizer. The caller owns it (`optimizer.dispose()` frees its state). */
export function makeOptimizer(config: OptimizerConfig): tf.Optimizer {
  const known = FIELDS[config?.kind as OptimizerConfig['kind']];
  if (known !== undefined && Object.hasOwn(FIELDS, config.kind)) {
    const unknown = Object.keys(config).find((k) => !known.includes(k));
    if (unknown !== undefined) {
      throw badArgument(
        'BAD_CONFIG',
        `optimizer.${unknown}`,
        `no such field (${config.kind} takes ${known.join(', ')})`,
        (config as unknown as Record<string, unknown>)[unknown],
      );
    }
  }
  switch (known === undefined ? undefined : config.kind) {
    case 'sgd': {
      const c = config as Extract<OptimizerConfig, { kind: 'sgd' }>;
      const lr = checkPositiveNumber(c.learningRate, 'optimizer.learningRate');
      const momentum = checkFraction(c.momentum, 'optimizer.momentum', 0);
      const nesterov = checkBoolean(c.nesterov, 'optimizer.nesterov', false);
      return momentum > 0 ? tf.train.momentum(lr, momentum, nesterov) : tf.train.sgd(lr);
    }
    case 'adam': {
      const c = config as Extract<OptimizerConfig, { kind: 'adam' }>;
      return new FusedAdamOptimizer(
        checkPositiveNumber(c.learningRate, 'optimizer.learningRate', 0.001),
        checkFraction(c.beta1, 'optimizer.beta1', 0.9),
        checkFraction(c.beta2, 'optimizer.beta2', 0.999),
        checkPositiveNumber(c.epsilon, 'optimizer.epsilon', 1e-7),
      );
    }
    case 'adamw': {
      const c = config as Extract<OptimizerConfig, { kind: 'adamw' }>;
      const weightDecay = c.weightDecay ?? 0.01;
      if (!(Number.isFinite(weightDecay) && weightDecay >= 0)) {
        throw badArgument('BAD_CONFIG', 'optimizer.weightDecay', 'a finite number ≥ 0', weightDecay);
      }
      return new AdamWOptimizer(
        checkPositiveNumber(c.learningRate, 'optimizer.learningRate', 0.001),
        checkFraction(c.beta1, 'optimizer.beta1', 0.9),
        checkFraction(c.beta2, 'optimizer.beta2', 0.999),
        checkPositiveNumber(c.epsilon, 'optimizer.epsilon', 1e-7),
        weightDecay,
      );
    }
    case 'rmsprop': {
      const c = config as Extract<OptimizerConfig, { kind: 'rmsprop' }>;
      return tf.train.rmsprop(
        checkPositiveNumber(c.learningRate, 'optimizer.learningRate'),
        checkFraction(c.decay, 'optimizer.decay', 0.9),
        checkFraction(c.momentum, 'optimizer.momentum', 0),
        checkPositiveNumber(c.epsilon, 'optimizer.epsilon', 1e-7),
        checkBoolean(c.centered, 'optimizer.centered', false),
      );
    }
    case 'adagrad': {
      const c = config as Extract<OptimizerConfig, { kind: 'adagrad' }>;
      return tf.train.adagrad(
        checkPositiveNumber(c.learningRate, 'optimizer.learningRate'),
        checkPositiveNumber(c.initialAccumulatorValue, 'optimizer.initialAccumulatorValue', 0.1),
      );
    }
    default:
      throw badArgument(
        'BAD_CONFIG',
        'optimizer.kind',
        `one of ${OPTIMIZER_KINDS.map((k) => `'${k}'`).join(', ')}`,
        (config as { kind?: unknown })?.kind,
      );
  }
}

/**
 * Sets the learning rate of a tfjs optimizer. SGD and momentum cache the rate in a
 * scalar (`setLearningRate`); the others read the `learningRate` field each step.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}

/** The learning rate `optimizer` applies now (as `setLearningRate` or a schedule left it). */
export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/**
 * Scalars a tfjs optimizer keeps outside `getWeights()`. Adam's bias-correction powers
 * β₁ᵗ and β₂ᵗ are multiplied in step by step, while `setWeights` recomputes them with
 * `pow`, which rounds differently in float32: a resume restores them as they were, so it
 * continues bit for bit.
 */
const HIDDEN_SCALARS = ['accBeta1', 'accBeta2'] as const;

export function hiddenOptimizerScalars(optimizer: tf.Optimizer): Record<string, number> {
  const o = optimizer as unknown as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const name of HIDDEN_SCALARS) {
    const v = o[name];
    if (v instanceof tf.Variable && v.size === 1) out[name] = v.dataSync()[0] as number;
  }
  return out;
}

export function restoreHiddenOptimizerScalars(optimizer: tf.Optimizer, values: Readonly<Record<string, number>>): void {
  const o = optimizer as unknown as Record<string, unknown>;
  for (const name of HIDDEN_SCALARS) {
    const v = o[name];
    const value = values[name];
    if (v instanceof tf.Variable && typeof value === 'number') tf.tidy(() => v.assign(tf.scalar(value)));
  }
}
