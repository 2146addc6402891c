import { badArgument, checkFraction, checkPositiveNumber } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

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
      readonly kind: 'rmsprop';
      readonly learningRate: number;
      readonly decay?: number;
      readonly momentum?: number;
      readonly epsilon?: number;
      readonly centered?: boolean;
    }
  | { readonly kind: 'adagrad'; readonly learningRate: number; readonly initialAccumulatorValue?: number };

export const OPTIMIZER_KINDS = ['sgd', 'adam', 'rmsprop', 'adagrad'] as const;

/** Makes the optimizer. The caller owns it (`optimizer.dispose()` frees its state). */
export function makeOptimizer(config: OptimizerConfig): tf.Optimizer {
  switch (config?.kind) {
    case 'sgd': {
      const lr = checkPositiveNumber(config.learningRate, 'optimizer.learningRate');
      const momentum = checkFraction(config.momentum, 'optimizer.momentum', 0);
      return momentum > 0 ? tf.train.momentum(lr, momentum, config.nesterov ?? false) : tf.train.sgd(lr);
    }
    case 'adam':
      return tf.train.adam(
        checkPositiveNumber(config.learningRate ?? 0.001, 'optimizer.learningRate'),
        config.beta1 ?? 0.9,
        config.beta2 ?? 0.999,
        config.epsilon ?? 1e-7,
      );
    case 'rmsprop':
      return tf.train.rmsprop(
        checkPositiveNumber(config.learningRate, 'optimizer.learningRate'),
        config.decay ?? 0.9,
        config.momentum ?? 0,
        config.epsilon ?? 1e-7,
        config.centered ?? false,
      );
    case 'adagrad':
      return tf.train.adagrad(
        checkPositiveNumber(config.learningRate, 'optimizer.learningRate'),
        config.initialAccumulatorValue ?? 0.1,
      );
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

export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}
