import { assertBoolean, badArgument, RecurError } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/** When to stop on a metric that no longer improves (Keras' `EarlyStopping`). */
export interface EarlyStoppingConfig {
  /** Epoch value to watch: 'loss' or a validation key such as 'val_loss', 'val_accuracy'. */
  readonly monitor: string;
  readonly mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. */
  readonly patience: number;
  /** Smallest change that counts as an improvement. */
  readonly minDelta?: number;
  /** Put the best epoch's weights back when training ends (default true). */
  readonly restoreBestWeights?: boolean;
}

export interface EarlyStoppingState {
  readonly best: number;
  readonly bestEpoch: number;
  readonly wait: number;
}

/** Keras' EarlyStopping: watches one epoch value and keeps a copy of the best weights. */
export class EarlyStopping {
  private best: number;
  private wait = 0;
  bestEpoch: number | undefined;
  private bestWeights: Record<string, tf.Tensor> | undefined;
  private readonly sign: number;

  constructor(
    private readonly config: EarlyStoppingConfig,
    private readonly variables: Readonly<Record<string, tf.Variable>>,
  ) {
    if (typeof config.monitor !== 'string' || config.monitor.length === 0) {
      throw badArgument('BAD_CONFIG', 'earlyStopping.monitor', "a metric name such as 'val_loss'", config.monitor);
    }
    if (!Number.isInteger(config.patience) || config.patience < 0) {
      throw badArgument('BAD_CONFIG', 'earlyStopping.patience', 'a non-negative integer', config.patience);
    }
    const known = ['monitor', 'mode', 'patience', 'minDelta', 'restoreBestWeights'];
    const unknown = Object.keys(config).find((k) => !known.includes(k));
    if (unknown !== undefined) {
      throw badArgument(
        'BAD_CONFIG',
        `earlyStopping.${unknown}`,
        `no such option (known: ${known.join(', ')})`,
        (config as unknown as Record<string, unknown>)[unknown],
      );
    }
    if (config.mode !== undefined && config.mode !== 'min' && config.mode !== 'max') {
      throw badArgument('BAD_CONFIG', 'earlyStopping.mode', "'min' or 'max'", config.mode);
    }
    if (
      config.minDelta !== undefined &&
      !(typeof config.minDelta === 'number' && config.minDelta >= 0 && Number.isFinite(config.minDelta))
    ) {
      throw badArgument('BAD_CONFIG', 'earlyStopping.minDelta', 'a non-negative finite number', config.minDelta);
    }
    if (config.restoreBestWeights !== undefined) {
      assertBoolean(config.restoreBestWeights, 'earlyStopping.restoreBestWeights');
    }
    const mode = config.mode ?? (/acc|f1|precision|recall/.test(config.monitor) ? 'max' : 'min');
    this.sign = mode === 'min' ? 1 : -1;
    this.best = Number.POSITIVE_INFINITY;
  }

  /** Records an epoch; returns true when training should stop. */
  update(epoch: number, values: Readonly<Record<string, number>>): boolean {
    const value = values[this.config.monitor];
    if (value === undefined) {
      throw new RecurError(
        'BAD_CONFIG',
        `earlyStopping.monitor: '${this.config.monitor}' is not among the epoch values (${Object.keys(values).join(', ')})`,
      );
    }
    if (this.sign * value < this.best - (this.config.minDelta ?? 0)) {
      this.best = this.sign * value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.config.restoreBestWeights ?? true) {
        this.disposeCopy();
        this.bestWeights = Object.fromEntries(Object.entries(this.variables).map(([k, v]) => [k, tf.clone(v)]));
      }
      return false;
    }
    this.wait++;
    // As Keras: stop once `patience` epochs in a row brought no improvement.
    return this.wait >= Math.max(1, this.config.patience);
  }

  /** Restores the best weights, if any were kept. */
  finish(): void {
    if (this.bestWeights === undefined) return;
    for (const [k, v] of Object.entries(this.variables)) v.assign(this.bestWeights[k] as tf.Tensor);
  }

  state(): EarlyStoppingState {
    return { best: this.best, bestEpoch: this.bestEpoch ?? -1, wait: this.wait };
  }

  /** The copy of the best epoch's weights, if one is kept (owned by this object). */
  bestWeightsCopy(): Readonly<Record<string, tf.Tensor>> | undefined {
    return this.bestWeights;
  }

  /**
   * Resumes the counters and, when the checkpoint kept it, the best epoch's weights (this
   * object takes ownership of them), so a resumed run restores the same weights at the end.
   */
  restore(state: EarlyStoppingState, bestWeights?: Record<string, tf.Tensor>): void {
    this.best = state.best;
    this.wait = state.wait;
    this.bestEpoch = state.bestEpoch >= 0 ? state.bestEpoch : undefined;
    this.disposeCopy();
    this.bestWeights = bestWeights;
  }

  dispose(): void {
    this.disposeCopy();
  }

  private disposeCopy(): void {
    if (this.bestWeights !== undefined) tf.dispose(Object.values(this.bestWeights));
    this.bestWeights = undefined;
  }
}
