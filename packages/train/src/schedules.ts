import { badArgument, checkPositiveInteger, checkPositiveNumber } from '@recur/core';

/** Learning rate as a function of the optimizer step (0-based). Pure: the same step gives the same rate. */
export type Schedule = (step: number) => number;

/** A learning-rate schedule over optimizer steps, by kind; `schedule(config)` makes it. */
export type ScheduleConfig =
  | { readonly kind: 'constant'; readonly rate: number }
  | { readonly kind: 'step'; readonly rate: number; readonly every: number; readonly factor: number }
  | {
      readonly kind: 'exponential';
      readonly rate: number;
      readonly decaySteps: number;
      readonly decayRate: number;
      readonly staircase?: boolean;
    }
  | { readonly kind: 'cosine'; readonly rate: number; readonly decaySteps: number; readonly minRate?: number }
  | { readonly kind: 'warmup'; readonly warmupSteps: number; readonly after: ScheduleConfig };

/**
 * Builds a schedule (formulas as Keras' `LearningRateSchedule`s):
 * - `step`: rate · factor^⌊step / every⌋
 * - `exponential`: rate · decayRate^(step / decaySteps), the exponent floored with `staircase`
 * - `cosine`: minRate + (rate − minRate) · ½(1 + cos(π · min(step, decaySteps) / decaySteps))
 * - `warmup`: rises linearly to `after(0)` over `warmupSteps` (step s gives
 *   after(0) · (s + 1) / warmupSteps), then follows `after` shifted to start at 0.
 */
export function schedule(config: ScheduleConfig): Schedule {
  switch (config?.kind) {
    case 'constant': {
      const rate = checkPositiveNumber(config.rate, 'schedule.rate');
      return () => rate;
    }
    case 'step': {
      const rate = checkPositiveNumber(config.rate, 'schedule.rate');
      const every = checkPositiveInteger(config.every, 'schedule.every');
      const factor = checkPositiveNumber(config.factor, 'schedule.factor');
      return (step) => rate * factor ** Math.floor(step / every);
    }
    case 'exponential': {
      const rate = checkPositiveNumber(config.rate, 'schedule.rate');
      const decaySteps = checkPositiveInteger(config.decaySteps, 'schedule.decaySteps');
      const decayRate = checkPositiveNumber(config.decayRate, 'schedule.decayRate');
      const staircase = config.staircase ?? false;
      return (step) => rate * decayRate ** (staircase ? Math.floor(step / decaySteps) : step / decaySteps);
    }
    case 'cosine': {
      const rate = checkPositiveNumber(config.rate, 'schedule.rate');
      const decaySteps = checkPositiveInteger(config.decaySteps, 'schedule.decaySteps');
      const minRate = config.minRate ?? 0;
      if (!(minRate >= 0 && minRate < rate))
        throw badArgument('BAD_CONFIG', 'schedule.minRate', `a number in [0, ${rate})`, minRate);
      return (step) =>
        minRate + (rate - minRate) * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, decaySteps)) / decaySteps));
    }
    case 'warmup': {
      const warmupSteps = checkPositiveInteger(config.warmupSteps, 'schedule.warmupSteps');
      const after = schedule(config.after);
      return (step) => (step < warmupSteps ? (after(0) * (step + 1)) / warmupSteps : after(step - warmupSteps));
    }
    default:
      throw badArgument(
        'BAD_CONFIG',
        'schedule.kind',
        "one of 'constant', 'step', 'exponential', 'cosine', 'warmup'",
        (config as { kind?: unknown })?.kind,
      );
  }
}
